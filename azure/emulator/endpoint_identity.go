package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// The endpoint identity: the managed identity an endpoint's deployments run
// as (concept page "Endpoint identity", seeds/003). It pulls the image from
// the workspace's container registry and reads the model from the
// workspace's storage, and RBAC decides both (arm_deployment_write.go).
//
// A system-assigned identity (SAI) gets roles automatically when the
// endpoint is created, at the scopes of the workspace's associated resources
// ("Automatic role assignment for endpoint identity",
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#automatic-role-assignment-for-endpoint-identity).
// A user-assigned identity (UAI) gets nothing: its owner assigns its roles.

// Built-in roles the service assigns to an SAI (builtin-roles.json).
const (
	roleAcrPull           = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
	roleBlobDataReader    = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	roleMetricsWriter     = "635dd51f-9968-44d3-b7fb-6d9a6bd613ae"
	roleConnSecretsReader = "ea01e6af-a1c1-4350-9563-ad00f8c72ec5"
)

// Actions the endpoint identity and its creator need.
const (
	// actRegistryPull is what AcrPull grants: pulling a custom image.
	actRegistryPull = "Microsoft.ContainerRegistry/registries/pull/read"
	// actBlobRead is a DataAction: Storage Blob Data Reader grants it,
	// Reader (*/read, an Action) does not.
	actBlobRead = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
	// actMetricsWrite is what AzureML Metrics Writer grants.
	actMetricsWrite = "Microsoft.MachineLearningServices/workspaces/metrics/*/write"
	// actConnectionSecrets is reading workspace connection secrets: the
	// creator of an SAI endpoint with the enforce flag needs it.
	actConnectionSecrets = "Microsoft.MachineLearningServices/workspaces/connections/listsecrets/action"
)

// propEnforceSecretStores is the endpoint property (properties.properties)
// that enforces access to the default secret stores, "enabled" or
// "disabled" (default)
// (https://learn.microsoft.com/azure/machine-learning/how-to-deploy-online-endpoint-with-secret-injection#create-an-endpoint).
const propEnforceSecretStores = "enforce_access_to_default_secret_stores"

// enforcesSecretStores reports whether the endpoint properties set the flag.
func enforcesSecretStores(props map[string]string) bool {
	for k, v := range props {
		if strings.EqualFold(k, propEnforceSecretStores) {
			return strings.EqualFold(strings.TrimSpace(v), "enabled") || strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	return false
}

// autoRole is one automatic role assignment of an SAI.
type autoRole struct{ role, scope string }

// endpointAutoRoles are the SAI's automatic assignments in ws: AcrPull on
// the registry, Storage Blob Data Reader on the storage account, AzureML
// Metrics Writer on the workspace, and Workspace Connection Secrets Reader
// on the workspace when secrets is true (the enforce flag is set and the
// creator may read connection secrets).
func endpointAutoRoles(ws *Workspace, secrets bool) []autoRole {
	out := []autoRole{
		{roleAcrPull, ws.ContainerRegistry},
		{roleBlobDataReader, ws.StorageAccount},
		{roleMetricsWriter, wsID(ws.Subscription, ws.ResourceGroup, ws.Name)},
	}
	if secrets {
		out = append(out, autoRole{roleConnSecretsReader, wsID(ws.Subscription, ws.ResourceGroup, ws.Name)})
	}
	return out
}

// addRoleAssignment records a role assignment made by the service or the
// seed (not through the API): name is its GUID, effective when it takes
// effect (zero: at once).
func (w *World) addRoleAssignment(name, principal, ptype, role, scope string, created, effective time.Time) {
	w.Assignments = append(w.Assignments, rbac.Assignment{ID: scope + "/providers/Microsoft.Authorization/roleAssignments/" + name, Name: name,
		Scope: scope, RoleDefinitionID: "/subscriptions/" + scopeSub(scope) + "/providers/Microsoft.Authorization/roleDefinitions/" + role,
		PrincipalID: principal, PrincipalType: ptype, CreatedOn: created, EffectiveAt: effective})
}

// grantEndpointIdentity makes the SAI's automatic role assignments.
func (w *World) grantEndpointIdentity(principal string, ws *Workspace, secrets bool, created, effective time.Time) {
	for _, a := range endpointAutoRoles(ws, secrets) {
		w.addRoleAssignment(newGUID(), principal, "ServicePrincipal", a.role, a.scope, created, effective)
	}
}

// forgetPrincipal removes a deleted principal's role assignments: when an
// endpoint goes, its SAI and every assignment to it go too.
func (w *World) forgetPrincipal(principal string) {
	w.Assignments = slices.DeleteFunc(w.Assignments, func(a rbac.Assignment) bool { return strings.EqualFold(a.PrincipalID, principal) })
}

// endpointPrincipal is the principal the endpoint's deployments run as:
// its SAI, else its (first) user-assigned identity. kind names it for
// messages. ok is false when the endpoint has no identity.
func (w *World) endpointPrincipal(e *Endpoint) (principal, kind string, ok bool) {
	if strings.Contains(e.Identity.Type, "SystemAssigned") && e.Identity.PrincipalID != "" {
		return e.Identity.PrincipalID, "system-assigned identity of endpoint '" + e.Name + "'", true
	}
	for _, id := range e.Identity.UserAssigned {
		if x := w.Identities[armKey(id)]; x != nil {
			return x.PrincipalID, "user-assigned identity '" + x.Name + "'", true
		}
	}
	return "", "", false
}

// identityCan evaluates action at scope for a managed identity at time at,
// with azure/rbac as for any caller (groups, deny assignments, propagation).
// The caller holds s.mu.
func (s *core) identityCan(principal, action string, data bool, scope string, at time.Time) bool {
	return s.world.identityCan(s.roleIndex(), principal, action, data, scope, at)
}

func (w *World) identityCan(roles rbac.Roles, principal, action string, data bool, scope string, at time.Time) bool {
	return rbac.Evaluate(rbac.Request{PrincipalID: principal, GroupIDs: w.enforcedGroups(principal, at), Action: action,
		DataAction: data, Scope: scope, At: at}, w.enforced(at), roles, w.Denies).Allowed
}

// checkSecretStoreFlag applies the enforce flag's rule to the creation of
// an SAI endpoint or of a deployment under one (created: "Endpoint" or
// "Deployment"): the creator must be able to read connection secrets, or
// "the endpoint, or deployment creation is rejected" ("Permissions for user
// identity to enforce access to default secret stores",
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#permissions-for-user-identity-to-enforce-access-to-default-secret-stores).
// It returns whether the SAI gets Connection Secrets Reader. The caller holds s.mu.
//
// The refusal is not seen in a capture: the docs give the rule, not the
// answer. Its status (403), code (the ML service's UserError) and lead are
// the emulator's; the lead paraphrases the docs' reason, and the rest is
// ARM's own 403 sentence for the missing permission (AuthorizationFailed,
// or DenyAssignmentAuthorizationFailed when a deny assignment blocks it), so
// a client reads the action and scope from it as from any 403.
func (s *armHost) checkSecretStoreFlag(c *Caller, ws *Workspace, props map[string]string, system bool, created string) (bool, *epOutcome) {
	if !system || !enforcesSecretStores(props) {
		return false, nil
	}
	scope := wsID(ws.Subscription, ws.ResourceGroup, ws.Name)
	o := s.armRefuse(c, actConnectionSecrets, scope)
	if o == nil {
		return true, nil
	}
	return false, epFail(http.StatusForbidden, codeUserError, "properties.properties."+propEnforceSecretStores,
		"%s creation is rejected: the endpoint sets '%s' to 'enabled' and uses a system-assigned identity, "+
			"and only a user identity with the permission to read secrets from workspace connections can grant the endpoint identity that permission. %s",
		created, propEnforceSecretStores, o.msg)
}

// identityChanged reports whether a write asks for another identity than
// e has: Azure refuses it, an endpoint's identity is fixed at creation
// (concept page, "Permissions needed for endpoint identity": "You can decide
// whether to use an SAI or a UAI when you create the endpoint").
func identityChanged(e *Endpoint, id identityWrite) *epOutcome {
	hasSystem := strings.Contains(e.Identity.Type, "SystemAssigned")
	same := hasSystem == id.system && len(e.Identity.UserAssigned) == len(id.user)
	for i := 0; same && i < len(id.user); i++ {
		same = rbac.EqualOrdinalIgnoreCase(e.Identity.UserAssigned[i], id.user[i])
	}
	if same {
		return nil
	}
	return epFail(http.StatusBadRequest, codeUserError, "identity",
		"The identity of online endpoint '%s' cannot be changed after it is created (it is %s). Create a new endpoint with the identity you want.",
		e.Name, describeIdentity(e.Identity))
}

// describeIdentity names an endpoint identity for messages.
func describeIdentity(id Identity) string {
	switch {
	case strings.Contains(id.Type, "SystemAssigned") && len(id.UserAssigned) > 0:
		return fmt.Sprintf("system-assigned plus user-assigned %s", strings.Join(id.UserAssigned, ", "))
	case strings.Contains(id.Type, "SystemAssigned"):
		return "system-assigned"
	case len(id.UserAssigned) > 0:
		return "user-assigned " + strings.Join(id.UserAssigned, ", ")
	}
	return "none"
}
