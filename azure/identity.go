package azure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"amlauth-tui/azure/rbac"
)

// The endpoint identity: the managed identity an online deployment's
// container runs as. It pulls the image from the workspace's container
// registry, reads the model from the workspace's storage, writes metrics
// to the workspace and, with secret injection, reads connection secrets
// ("Endpoint identity" and "Permissions needed for endpoint identity":
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#permissions-needed-for-endpoint-identity).

// EnforceSecretStoresProperty is the endpoint property that enforces
// access to the default secret stores ("enabled" sets it), as
// endpoint.yml's properties block writes it.
// https://learn.microsoft.com/azure/machine-learning/how-to-deploy-online-endpoint-with-secret-injection#create-an-endpoint
const EnforceSecretStoresProperty = "enforce_access_to_default_secret_stores"

// WorkspaceResources are a workspace's associated resources, as its GET
// names them (ARM ids; "" when the workspace has none, e.g. a registry
// Azure creates only at the first image build).
type WorkspaceResources struct {
	Workspace           WorkspaceRef
	ID                  string // the workspace's ARM id
	Location            string
	StorageAccount      string
	ContainerRegistry   string
	KeyVault            string
	ApplicationInsights string
	// DefaultContainer is the ARM id of the default datastore's blob
	// container (workspaceblobstore), where models are stored; "" when it
	// could not be found (checks then use the storage account).
	DefaultContainer string
}

// ScopeOf resolves where an identity operation is judged: the registry,
// the storage (the default container, else the account) or the workspace.
// ok is false when the workspace names no such resource.
func (r WorkspaceResources) ScopeOf(op rbac.Operation) (scope string, ok bool) {
	switch op.Level {
	case rbac.LevelRegistry:
		return r.ContainerRegistry, r.ContainerRegistry != ""
	case rbac.LevelStorage:
		if r.DefaultContainer != "" {
			return r.DefaultContainer, true
		}
		return r.StorageAccount, r.StorageAccount != ""
	case rbac.LevelWorkspace:
		return r.ID, r.ID != ""
	case rbac.LevelEndpoint, rbac.LevelResourceGroup:
		return "", false
	}
	return "", false
}

// FixScope is where the usual fix is assigned: where Azure's automatic
// assignment for a system-assigned identity lands (the registry, the
// storage account, the workspace).
func (r WorkspaceResources) FixScope(op rbac.Operation) string {
	switch op.Level {
	case rbac.LevelRegistry:
		return r.ContainerRegistry
	case rbac.LevelStorage:
		return r.StorageAccount
	case rbac.LevelWorkspace:
		return r.ID
	}
	return ""
}

// WorkspaceResources reads the workspace's associated resources from its
// GET, and the default datastore's container.
func (s *Session) WorkspaceResources(ctx context.Context, ws WorkspaceRef) (WorkspaceResources, error) {
	f, err := s.mlFactory(ws.Subscription)
	if err != nil {
		return WorkspaceResources{}, err
	}
	w, err := f.NewWorkspacesClient().Get(ctx, ws.ResourceGroup, ws.Name, nil)
	if err != nil {
		return WorkspaceResources{}, Classify(err)
	}
	out := WorkspaceResources{Workspace: ws, ID: deref(w.ID), Location: deref(w.Location)}
	if out.ID == "" {
		out.ID = ws.ID()
	}
	if p := w.Properties; p != nil {
		out.StorageAccount, out.ContainerRegistry = deref(p.StorageAccount), deref(p.ContainerRegistry)
		out.KeyVault, out.ApplicationInsights = deref(p.KeyVault), deref(p.ApplicationInsights)
	}
	if out.StorageAccount != "" {
		wsid := ""
		if w.Properties != nil {
			wsid = deref(w.Properties.WorkspaceID)
		}
		out.DefaultContainer = s.defaultContainer(ctx, f, ws, out.StorageAccount, wsid)
	}
	return out, nil
}

func lastSegment(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// Identity kinds of an endpoint.
const (
	SystemAssigned = "SystemAssigned"
	UserAssigned   = "UserAssigned"
)

// EndpointIdentity is the managed identity an endpoint's deployments run as.
type EndpointIdentity struct {
	Endpoint EndpointRef
	Kind     string // SystemAssigned | UserAssigned
	// ResourceID is the user-assigned identity's ARM id ("" for SystemAssigned).
	ResourceID string
	// Principal is the identity's service principal (Kind ServicePrincipal,
	// SPType ManagedIdentity): who roles are assigned to. Its ID is ""
	// when it could not be resolved (Unresolved says why).
	Principal  PrincipalRef
	ClientID   string
	Unresolved string
	// EnforceSecretStores: the endpoint enforces access to the default
	// secret stores (EnforceSecretStoresProperty), so its deployments get
	// secrets injected with this identity.
	EnforceSecretStores bool
}

// Label is the identity in one line: "system-assigned identity of churn"
// or "user-assigned identity id-churn-scoring".
func (e EndpointIdentity) Label() string {
	if e.Kind == UserAssigned {
		return "user-assigned identity " + lastSegment(e.ResourceID)
	}
	return "system-assigned identity of " + e.Endpoint.Endpoint
}

// EndpointIdentity resolves an endpoint's identity: the system-assigned
// principal id from the endpoint, or the user-assigned identity's
// principal id (from the endpoint, else from its Microsoft.ManagedIdentity
// resource). Graph gives the display name where it answers.
func (s *Session) EndpointIdentity(ctx context.Context, ref EndpointRef) (EndpointIdentity, error) {
	f, err := s.mlFactory(ref.Subscription)
	if err != nil {
		return EndpointIdentity{}, err
	}
	r, err := f.NewOnlineEndpointsClient().Get(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return EndpointIdentity{}, Classify(err)
	}
	id := r.Identity
	out := EndpointIdentity{Endpoint: ref, Kind: SystemAssigned, Principal: PrincipalRef{Kind: "ServicePrincipal", SPType: "ManagedIdentity"}}
	if r.Properties != nil {
		out.EnforceSecretStores = strings.EqualFold(deref(r.Properties.Properties[EnforceSecretStoresProperty]), "enabled")
	}
	switch {
	case id == nil || id.Type == nil || strings.EqualFold(derefEnum(id.Type), "None"):
		return out, &NotFoundError{What: "identity", Message: "Endpoint " + ref.Endpoint + " has no managed identity."}
	case strings.Contains(strings.ToLower(derefEnum(id.Type)), "userassigned") && len(id.UserAssignedIdentities) > 0:
		out.Kind = UserAssigned
		for k, v := range id.UserAssignedIdentities { // an endpoint has one
			out.ResourceID = k
			if v != nil {
				out.Principal.ID, out.ClientID = deref(v.PrincipalID), deref(v.ClientID)
			}
		}
		if out.Principal.ID == "" {
			mi, err := s.ManagedIdentity(ctx, out.ResourceID)
			if err != nil {
				out.Unresolved = "the user-assigned identity " + out.ResourceID + " could not be read: " + Explain(err).Detail
			}
			out.Principal.ID, out.ClientID = mi.PrincipalID, mi.ClientID
		}
		out.Principal.DisplayName = lastSegment(out.ResourceID)
	default:
		out.Principal.ID = deref(id.PrincipalID)
		if out.Principal.ID == "" {
			out.Unresolved = "Azure shows no principal id for the system-assigned identity (the endpoint may still be creating)"
		}
		out.Principal.DisplayName = ref.Endpoint
	}
	if out.Principal.ID != "" {
		if refs, err := s.Principals(ctx, []string{out.Principal.ID}); err == nil && len(refs) == 1 {
			out.Principal = refs[0]
		}
	}
	return out, nil
}

// ManagedIdentity reads a user-assigned identity by its ARM id
// (Microsoft.ManagedIdentity userAssignedIdentities GET).
func (s *Session) ManagedIdentity(ctx context.Context, id string) (ManagedIdentity, error) {
	if !uaiIDRE.MatchString(strings.TrimSpace(id)) {
		return ManagedIdentity{}, &SpecError{Field: "identity", Message: fmt.Sprintf("%q is not the ARM id of a user-assigned identity.", id)}
	}
	sc, err := rbac.ParseScope(strings.TrimSpace(id))
	if err != nil {
		return ManagedIdentity{}, err
	}
	path := "/subscriptions/" + url.PathEscape(sc.Subscription) + "/resourceGroups/" + url.PathEscape(sc.ResourceGroup) +
		"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + url.PathEscape(sc.Names[0])
	var v struct {
		ID, Name, Location string
		Properties         struct{ PrincipalID, ClientID string }
	}
	if err := s.armGet(ctx, path, msiAPIVersion, &v); err != nil {
		return ManagedIdentity{}, err
	}
	return ManagedIdentity{ID: v.ID, Name: v.Name, ResourceGroup: resourceGroupOf(v.ID), Location: v.Location,
		PrincipalID: v.Properties.PrincipalID, ClientID: v.Properties.ClientID}, nil
}

// armGet GETs an ARM path (escaped) of a provider this build has no SDK
// for (an ARM pipeline: auth, retries) and decodes the answer into out.
func (s *Session) armGet(ctx context.Context, path, apiVersion string, out any) error {
	cl, err := arm.NewClient("amlauth-tui", "v0.1.0", s.cred, s.cfg.ARMOptions())
	if err != nil {
		return err
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, runtime.JoinPaths(cl.Endpoint(), path)+"?api-version="+apiVersion)
	if err != nil {
		return err
	}
	resp, err := cl.Pipeline().Do(req)
	if err != nil {
		return Classify(err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return Classify(runtime.NewResponseError(resp))
	}
	return runtime.UnmarshalAsJSON(resp, out)
}

// storageAPIVersion is a stable Microsoft.Storage api-version (blob container listing).
const storageAPIVersion = "2023-05-01"

// defaultContainer finds the workspace's default blob container, where
// models are stored: the workspaceblobstore datastore names it; without
// it, the container Azure ML names azureml-blobstore-{workspace id} in the
// workspace's storage account. "" when neither can be read.
func (s *Session) defaultContainer(ctx context.Context, f *armmachinelearning.ClientFactory, ws WorkspaceRef, account, workspaceID string) string {
	if d, err := f.NewDatastoresClient().Get(ctx, ws.ResourceGroup, ws.Name, "workspaceblobstore", nil); err == nil && d.Properties != nil {
		if b, ok := d.Properties.(*armmachinelearning.AzureBlobDatastore); ok && b.ContainerName != nil && strings.EqualFold(deref(b.AccountName), lastSegment(account)) {
			return account + "/blobServices/default/containers/" + *b.ContainerName
		}
	}
	if workspaceID == "" {
		return ""
	}
	var page struct{ Value []struct{ ID, Name string } }
	if err := s.armGet(ctx, account+"/blobServices/default/containers", storageAPIVersion, &page); err != nil {
		return ""
	}
	for _, c := range page.Value {
		if strings.EqualFold(c.Name, "azureml-blobstore-"+workspaceID) {
			return account + "/blobServices/default/containers/" + c.Name
		}
	}
	return ""
}

// endpointUsesSecrets reports whether the endpoint's deployments get
// secrets injected: the enforce flag, or a secret reference in a
// deployment's environment variables.
// https://learn.microsoft.com/azure/machine-learning/concept-secret-injection
func endpointUsesSecrets(enforce bool, deps []Deployment) (bool, string) {
	if enforce {
		return true, "the endpoint enforces access to the default secret stores"
	}
	for _, d := range deps {
		if name, ok := secretReference(d.EnvironmentVariables); ok {
			return true, "deployment " + d.Name + " maps " + name + " to a secret reference"
		}
	}
	return false, ""
}

// secretReference finds an environment variable whose value references a
// workspace connection or key vault secret (${{azureml://connections/...}}
// or ${{keyvault:...}}).
func secretReference(env map[string]string) (string, bool) {
	for _, k := range sortedTagKeys(env) {
		v := strings.ToLower(env[k])
		if strings.Contains(v, "${{azureml://connections/") || strings.Contains(v, "${{keyvault:") {
			return k, true
		}
	}
	return "", false
}

// IdentityError is an endpoint identity whose principal could not be
// resolved (EndpointIdentity.Unresolved), so nothing can be checked for it.
type IdentityError struct{ Endpoint, Message string }

func (e *IdentityError) Error() string {
	return "the identity of endpoint " + e.Endpoint + ": " + e.Message
}

// Explanation says why, and what to do.
func (e *IdentityError) Explanation() Explanation {
	return Explanation{Title: "The endpoint's identity cannot be resolved", Detail: e.Error(),
		Next: "Wait until the endpoint is created, or ask for read access to its user-assigned identity; then check again.", Retry: true}
}

// ParseEndpointID reads an online endpoint's ARM id
// (/subscriptions/…/workspaces/{ws}/onlineEndpoints/{name}).
func ParseEndpointID(id string) (EndpointRef, bool) { return endpointRefOf(strings.TrimSpace(id)) }
