package azure

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"amlauth-tui/azure/rbac"
)

// Roles lists the role definitions usable at scope (built-in and custom).
func (s *Session) Roles(ctx context.Context, scope string) (rbac.RoleSet, error) {
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return nil, err
	}
	return collect(ctx, f.NewRoleDefinitionsClient().NewListPager(scope, nil),
		func(p armauthorization.RoleDefinitionsClientListResponse) []*armauthorization.RoleDefinition {
			return p.Value
		}, roleFrom)
}

// AssignRole assigns role to p at scope under a new GUID name (as az does).
func (s *Session) AssignRole(ctx context.Context, p PrincipalRef, roleDefinitionID, scope string) (rbac.Assignment, error) {
	if subscriptionOf(scope) == "" {
		return rbac.Assignment{}, fmt.Errorf("the scope %s is not inside a subscription", scope)
	}
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return rbac.Assignment{}, err
	}
	pt := armauthorization.PrincipalType(p.Kind)
	r, err := f.NewRoleAssignmentsClient().Create(ctx, scope, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: to.Ptr(roleDefinitionID), PrincipalID: to.Ptr(p.ID), PrincipalType: &pt,
			Description: to.Ptr("assigned with amlauth-tui"),
		}}, nil)
	if err != nil {
		return rbac.Assignment{}, Classify(err)
	}
	return assignmentFrom(&r.RoleAssignment), nil
}

// DeleteAssignment removes a role assignment by its ARM id. Azure lists it
// no more at once but may keep enforcing it for the propagation window, so
// the session remembers what it removed, and when, for that long: every
// access check then says it may still grant (rbac.Revoking).
func (s *Session) DeleteAssignment(ctx context.Context, id string) error {
	f, err := s.authzFactory(subscriptionOf(id))
	if err != nil {
		return err
	}
	r, err := f.NewRoleAssignmentsClient().DeleteByID(ctx, id, nil)
	if err != nil {
		return Classify(err)
	}
	// 200 carries the deleted assignment; 204 says there was none to delete.
	if x := assignmentFrom(&r.RoleAssignment); x.ID != "" {
		now := s.cfg.Polling.now()
		x.RevokedAt, x.RevokedUntil = now, now.Add(s.cfg.PropagationWindow())
		s.removed.add(x, now)
	}
	return nil
}

// propagationWindow is how long a role assignment change may take to apply
// in Azure (TypicalPropagation).
const propagationWindow = 10 * time.Minute

// PropagationWindow is how long a role assignment change may take to
// apply: Azure's 10 minutes (TypicalPropagation), or the simulated Azure's
// configured delay (Config.Propagation).
func (c Config) PropagationWindow() time.Duration {
	if c.Propagation > 0 {
		return c.Propagation
	}
	return propagationWindow
}

// removals are the role assignments a session deleted whose removal Azure
// may not apply yet (rbac.Assignment.RevokedAt, RevokedUntil).
type removals struct {
	mu   sync.Mutex
	list []rbac.Assignment
}

// add remembers x and forgets the removals that have applied by now.
func (r *removals) add(x rbac.Assignment, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = slices.DeleteFunc(r.list, func(y rbac.Assignment) bool {
		return !now.Before(y.RevokedUntil) || strings.EqualFold(y.ID, x.ID)
	})
	r.list = append(r.list, x)
}

// at is every removal Azure may still enforce at now.
func (r *removals) at(now time.Time) []rbac.Assignment {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []rbac.Assignment
	for _, y := range r.list {
		if now.Before(y.RevokedUntil) {
			out = append(out, y)
		}
	}
	return out
}

// CreateCustomRole creates (or updates) a custom role definition; its
// assignable scopes must already be set.
func (s *Session) CreateCustomRole(ctx context.Context, def rbac.RoleDefinition) (rbac.RoleDefinition, error) {
	if len(def.AssignableScopes) == 0 {
		return rbac.RoleDefinition{}, fmt.Errorf("a custom role needs at least one assignable scope")
	}
	scope := def.AssignableScopes[0]
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return rbac.RoleDefinition{}, err
	}
	name := def.Name
	if name == "" {
		name = uuid.NewString()
	}
	props := &armauthorization.RoleDefinitionProperties{RoleName: to.Ptr(def.RoleName), Description: to.Ptr(def.Description),
		RoleType: to.Ptr("CustomRole"), AssignableScopes: to.SliceOfPtrs(def.AssignableScopes...)}
	for _, p := range def.Permissions {
		props.Permissions = append(props.Permissions, &armauthorization.Permission{Actions: to.SliceOfPtrs(p.Actions...),
			NotActions: to.SliceOfPtrs(p.NotActions...), DataActions: to.SliceOfPtrs(p.DataActions...), NotDataActions: to.SliceOfPtrs(p.NotDataActions...)})
	}
	r, err := f.NewRoleDefinitionsClient().CreateOrUpdate(ctx, scope, name, armauthorization.RoleDefinition{Properties: props}, nil)
	if err != nil {
		return rbac.RoleDefinition{}, Classify(err)
	}
	return roleFrom(&r.RoleDefinition), nil
}

// authzAPIVersion is the api-version armauthorization/v2 sends for role
// assignments and role definitions; the REST text shows the same.
const authzAPIVersion = "2022-04-01"

// AssignCommands are the az CLI and REST equivalents of an assignment,
// shown before it runs; the REST request is on this cloud's ARM endpoint.
func (c Config) AssignCommands(p PrincipalRef, role rbac.RoleDefinition, scope string) []string {
	path := strings.TrimSuffix(scope, "/") + "/providers/Microsoft.Authorization/roleAssignments/{new-guid}?api-version=" + authzAPIVersion
	body := fmt.Sprintf(`{"properties":{"roleDefinitionId":"%s","principalId":"%s","principalType":"%s"}}`, role.ID, p.ID, p.Kind)
	return []string{
		fmt.Sprintf("az role assignment create --assignee-object-id %s --assignee-principal-type %s --role %q --scope %s",
			p.ID, p.Kind, role.RoleName, scope),
		c.RESTText("PUT", path, body),
	}
}

// RoleDefinitionREST is the REST request line that creates a custom role
// at its first assignable scope (role.json, shown beside it, is the body's substance).
func (c Config) RoleDefinitionREST(def rbac.RoleDefinition) string {
	scope := ""
	if len(def.AssignableScopes) > 0 {
		scope = strings.TrimSuffix(def.AssignableScopes[0], "/")
	}
	return c.RESTText("PUT", scope+"/providers/Microsoft.Authorization/roleDefinitions/{new-guid}?api-version="+authzAPIVersion, "")
}

// Verification says exactly what was checked after an assignment, and by whom.
// For yourself, Azure answers (the Permissions API, deny assignments, and the
// operation itself when trying it is harmless); for someone else it can only
// say the assignment is listed, how long Azure usually takes, and how they can
// check for themselves: amlauth-tui cannot act as them.
type Verification struct {
	Self bool // the principal is the signed-in identity
	// Listed: Azure's role-assignment list at the assignment's scope shows it
	// ("assigned (listed by Azure)"). Azure lists a new assignment at once,
	// before it takes effect.
	Listed  bool
	ListErr string // why the list could not be read ("" when it was)

	// For yourself.
	Verdict   *Verdict // the access check for the operation at the scope (nil for someone else)
	Probe     string   // the harmless request tried ("GET <endpoint id>"); "" when the operation is not harmless to try
	ProbeOK   *bool    // Azure's answer to the probe; nil when not tried
	ProbeErr  string   // Azure's refusal of the probe, as plain text
	Effective bool     // Azure answered that you may perform the operation now (never set for someone else)

	// For someone else (and for yourself while it is not effective yet).
	Typical string // how long Azure usually takes to apply it
	Command string // the command they can run to check for themselves
}

// TypicalPropagation is how long Azure usually takes to apply a role
// assignment, from the Azure RBAC troubleshooting guide ("Symptom - Role
// assignment changes are not being detected": Azure Resource Manager caches
// configurations and data, so a change can take up to 10 minutes; changes
// through group membership, and at management-group scope, take longer,
// and a new sign-in refreshes the token).
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
const TypicalPropagation = "Azure usually applies a new role assignment within 10 minutes; a change through group membership, or at management-group scope, can take longer. Signing out and in again refreshes the token."

// SelfCheckCommand is the command someone runs to check their own access,
// on the cloud this session uses: without its --cloud or --cloud-config
// their amlauth-tui would ask public Azure. Each word is quoted for a
// shell where it needs it (an action with '*').
func (c Config) SelfCheckCommand(scope string, op rbac.Operation) string {
	cmd := "amlauth-tui check"
	switch {
	case c.Source != "":
		cmd += " --cloud-config " + shellWord(c.Source)
	case c.Cloud == "AzureChinaCloud" || c.Cloud == "AzureUSGovernment":
		cmd += " --cloud " + c.Cloud
	}
	return cmd + " --principal me --scope " + shellWord(scope) + " --operation " + shellWord(op.Key)
}

// Verify checks an assignment just made for p. scope is where the operation
// is performed (it may sit below the assignment's scope).
func (s *Session) Verify(ctx context.Context, p PrincipalRef, assignment rbac.Assignment, scope string, op rbac.Operation) Verification {
	v := Verification{Self: strings.EqualFold(p.ID, s.id.ObjectID), Typical: TypicalPropagation, Command: s.cfg.SelfCheckCommand(scope, op)}
	if p.Kind == "Group" {
		v.Typical += " Members get it through the group; each member runs the command to check for themselves."
	}
	v.Listed, v.ListErr = s.listed(ctx, assignment)
	if !v.Self {
		return v
	}
	acc, err := s.Access(ctx, p, scope)
	if err != nil {
		v.ProbeErr = Explain(err).Detail
		return v
	}
	vs := acc.Check([]rbac.Operation{op})
	v.Verdict = &vs[0]
	apiSays := v.Verdict.PermissionsAPI != nil && *v.Verdict.PermissionsAPI
	if probe := s.harmlessProbe(op, scope); probe != nil {
		v.Probe = "GET " + scope
		err := probe(ctx)
		ok := err == nil
		v.ProbeOK = &ok
		if err != nil {
			v.ProbeErr = Explain(err).Detail
		}
	}
	// Effective only when Azure itself says so: the Permissions API grants
	// it, no deny assignment blocks it (the verdict read them), and the
	// operation, where it was tried, succeeded.
	v.Effective = apiSays && v.Verdict.Outcome == rbac.Allowed && (v.ProbeOK == nil || *v.ProbeOK)
	return v
}

// listed reports whether Azure's role-assignment list shows the assignment.
func (s *Session) listed(ctx context.Context, x rbac.Assignment) (bool, string) {
	f, err := s.authzFactory(subscriptionOf(x.Scope))
	if err != nil {
		return false, err.Error()
	}
	filter := url.QueryEscape("principalId eq '" + x.PrincipalID + "'")
	pager := f.NewRoleAssignmentsClient().NewListForScopePager(x.Scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &filter})
	list, err := collect(ctx, pager, func(p armauthorization.RoleAssignmentsClientListForScopeResponse) []*armauthorization.RoleAssignment {
		return p.Value
	}, assignmentFrom)
	if err != nil {
		return false, Explain(err).Detail
	}
	for _, y := range list {
		if strings.EqualFold(y.Name, x.Name) || (x.ID != "" && strings.EqualFold(y.ID, x.ID)) {
			return true, ""
		}
	}
	return false, ""
}

// harmlessProbe is the operation itself when performing it changes
// nothing (a read of the endpoint), nil otherwise.
func (s *Session) harmlessProbe(op rbac.Operation, scope string) func(context.Context) error {
	ref, ok := endpointRefOf(scope)
	if !ok || op.Key != "endpoint.read" {
		return nil
	}
	return func(ctx context.Context) error {
		_, err := s.Endpoint(ctx, ref)
		return err
	}
}

// endpointRefOf reads an online endpoint's ARM id.
func endpointRefOf(id string) (EndpointRef, bool) {
	sc, err := rbac.ParseScope(id)
	if err != nil || sc.Level != rbac.AtResource || len(sc.Types) != 2 ||
		!strings.EqualFold(sc.Provider, "Microsoft.MachineLearningServices") ||
		!strings.EqualFold(sc.Types[0], "workspaces") || !strings.EqualFold(sc.Types[1], "onlineEndpoints") {
		return EndpointRef{}, false
	}
	return EndpointRef{WorkspaceRef: WorkspaceRef{Subscription: sc.Subscription, ResourceGroup: sc.ResourceGroup, Name: sc.Names[0]},
		Endpoint: sc.Names[1]}, true
}
