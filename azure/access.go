package azure

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"amlauth-tui/azure/rbac"
)

// Access is what Azure says about one principal at one scope: the role
// assignments that can apply to it (direct and through its groups), the role
// definitions, the deny assignments. Evaluation is local (azure/rbac), so
// one snapshot answers every operation.
type Access struct {
	Principal   PrincipalRef
	Scope       string
	Groups      []string // transitive group object ids
	Assignments []rbac.Assignment
	Roles       rbac.RoleSet
	Denies      []rbac.DenyAssignment
	// Partial names what could not be read, why, and what the verdicts lack because of it.
	Partial []string
	// Mine is the Permissions API's answer when the principal is the caller (nil otherwise).
	Mine []rbac.Permission
	// AssignmentsUnknown: the role assignments could not be listed, so a
	// local verdict would be a guess (see Partial).
	AssignmentsUnknown bool
	At                 time.Time
}

// Verdict is one operation's answer with its reasons.
type Verdict struct {
	Op       rbac.Operation
	Decision rbac.Decision
	NoRole   bool                  // the operation needs no role (e.g. fetching an Entra token)
	Suggest  []rbac.RoleDefinition // for a denial: roles that would grant it, smallest first
	// PermissionsAPI is, for the caller, what the Permissions API says (nil when not asked).
	PermissionsAPI *bool
	// Unknown: no verdict could be formed (role assignments unreadable and no Permissions API answer).
	Unknown bool
}

func (s *Session) authzFactory(sub string) (*armauthorization.ClientFactory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authz == nil {
		s.authz = map[string]*armauthorization.ClientFactory{}
	}
	if f, ok := s.authz[strings.ToLower(sub)]; ok {
		return f, nil
	}
	f, err := armauthorization.NewClientFactory(sub, s.cred, s.cfg.ARMOptions())
	if err != nil {
		return nil, err
	}
	s.authz[strings.ToLower(sub)] = f
	return f, nil
}

// subscriptionOf returns the subscription id in an ARM scope.
func subscriptionOf(scope string) string {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return parts[1]
	}
	return ""
}

// Access reads everything needed to judge p at scope, concurrently: role
// assignments (assignedTo, transitive through groups), role definitions,
// deny assignments, p's groups, and for the caller the Permissions API.
// A part that cannot be read is reported in Partial, not fatal.
func (s *Session) Access(ctx context.Context, p PrincipalRef, scope string) (Access, error) {
	sub := subscriptionOf(scope)
	if sub == "" {
		return Access{}, errors.New("the scope " + scope + " is not inside a subscription: it must start with /subscriptions/{id}")
	}
	f, err := s.authzFactory(sub)
	if err != nil {
		return Access{}, err
	}
	a := Access{Principal: p, Scope: scope, At: time.Now()}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs = map[string]error{}
	)
	run := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				errs[name] = err
				mu.Unlock()
			}
		}()
	}
	run("role assignments", func() error {
		// armauthorization appends $filter unencoded (ENTRA.md §5): encode it here.
		filter := url.QueryEscape("assignedTo('" + p.ID + "')")
		pager := f.NewRoleAssignmentsClient().NewListForScopePager(scope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: &filter})
		var err error
		a.Assignments, err = collect(ctx, pager, func(p armauthorization.RoleAssignmentsClientListForScopeResponse) []*armauthorization.RoleAssignment {
			return p.Value
		}, assignmentFrom)
		return err
	})
	run("role definitions", func() error {
		var err error
		a.Roles, err = s.Roles(ctx, scope)
		return err
	})
	run("deny assignments", func() error {
		pager := f.NewDenyAssignmentsClient().NewListForScopePager(scope, nil)
		var err error
		a.Denies, err = collect(ctx, pager, func(p armauthorization.DenyAssignmentsClientListForScopeResponse) []*armauthorization.DenyAssignment {
			return p.Value
		}, denyFrom)
		return err
	})
	if p.Kind != "Group" {
		run("group memberships", func() error {
			g, err := s.MemberGroups(ctx, p.ID)
			a.Groups = g
			return err
		})
	}
	if strings.EqualFold(p.ID, s.id.ObjectID) {
		run("your permissions", func() error {
			perms, err := s.myPermissions(ctx, f, scope)
			a.Mine = perms
			return err
		})
	}
	wg.Wait()
	if len(a.Roles) == 0 {
		a.Roles = rbac.BuiltinRoles() // the built-ins are public knowledge
	}
	for _, name := range []string{"role assignments", "deny assignments", "group memberships", "role definitions", "your permissions"} {
		if err, ok := errs[name]; ok {
			a.Partial = append(a.Partial, partialText(name, err))
		}
	}
	_, a.AssignmentsUnknown = errs["role assignments"]
	return a, nil
}

func partialText(what string, err error) string {
	var fe *ForbiddenError
	e := Explain(err) // the title names Azure's answer (a status, a dropped connection)
	msg := "could not read " + what + " (" + e.Title + "): " + e.Detail
	if errors.As(err, &fe) && fe.Action != "" {
		msg = "could not read " + what + ": you lack " + fe.Action + " on " + fe.Scope
	}
	switch what {
	case "role assignments":
		msg += " — verdicts below only reflect what could be read (for yourself, the Permissions API still answers)"
	case "deny assignments":
		msg += " — a deny assignment could still block an allowed action"
	case "group memberships":
		msg += " — roles held through groups are not counted"
	case "role definitions":
		msg += " — using the built-in roles only"
	}
	return msg
}

// myPermissions asks the Permissions API what the caller may do at scope
// (resource group or resource scope).
func (s *Session) myPermissions(ctx context.Context, f *armauthorization.ClientFactory, scope string) ([]rbac.Permission, error) {
	rg, provider, parent, typ, name, ok := splitResourceScope(scope)
	if !ok {
		return nil, nil // it answers for resource groups and resources only
	}
	c := f.NewPermissionsClient()
	if provider == "" {
		return collect(ctx, c.NewListForResourceGroupPager(rg, nil),
			func(p armauthorization.PermissionsClientListForResourceGroupResponse) []*armauthorization.Permission {
				return p.Value
			}, permissionFrom)
	}
	return collect(ctx, c.NewListForResourcePager(rg, provider, parent, typ, name, nil),
		func(p armauthorization.PermissionsClientListForResourceResponse) []*armauthorization.Permission {
			return p.Value
		}, permissionFrom)
}

// collect walks every page of an SDK pager and converts each item.
func collect[P, T, U any](ctx context.Context, pager *runtime.Pager[P], items func(P) []*T, conv func(*T) U) ([]U, error) {
	var out []U
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, Classify(err)
		}
		for _, x := range items(page) {
			out = append(out, conv(x))
		}
	}
	return out, nil
}

func permissionFrom(p *armauthorization.Permission) rbac.Permission {
	return rbac.Permission{Actions: strs(p.Actions), NotActions: strs(p.NotActions), DataActions: strs(p.DataActions), NotDataActions: strs(p.NotDataActions)}
}

// splitResourceScope splits /subscriptions/s/resourceGroups/rg[/providers/P/t1/n1/.../tN/nN].
func splitResourceScope(scope string) (rg, provider, parentPath, typ, name string, ok bool) {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) < 4 || !strings.EqualFold(parts[2], "resourceGroups") {
		return "", "", "", "", "", false
	}
	rg = parts[3]
	if len(parts) == 4 {
		return rg, "", "", "", "", true
	}
	if len(parts) < 8 || !strings.EqualFold(parts[4], "providers") || len(parts)%2 != 0 {
		return "", "", "", "", "", false
	}
	provider = parts[5]
	rest := parts[6:]
	typ, name = rest[len(rest)-2], rest[len(rest)-1]
	parentPath = strings.Join(rest[:len(rest)-2], "/")
	return rg, provider, parentPath, typ, name, true
}

// Check judges every operation for the snapshot's principal.
func (a Access) Check(ops []rbac.Operation) []Verdict {
	roles := a.Roles.Index()
	out := make([]Verdict, 0, len(ops))
	for _, op := range ops {
		v := Verdict{Op: op}
		if op.Action == "" {
			v.NoRole = true
			v.Decision = rbac.Decision{Allowed: true, Reason: op.Note}
			out = append(out, v)
			continue
		}
		v.Decision = rbac.Evaluate(rbac.Request{PrincipalID: a.Principal.ID, GroupIDs: a.Groups, Action: op.Action, Scope: a.Scope},
			a.Assignments, roles, a.Denies)
		if a.Mine != nil {
			by, _, ok := rbac.EffectivePermissions(a.Mine, op.Action, false)
			v.PermissionsAPI = &ok
			if a.AssignmentsUnknown { // the Permissions API is all we have
				v.Decision = rbac.Decision{Allowed: ok, Reason: "from the Permissions API (role assignments could not be read); matched " + by}
			}
		} else if a.AssignmentsUnknown {
			v.Unknown = true
			v.Decision.Reason = "role assignments could not be read"
		}
		if !v.Decision.Allowed {
			v.Suggest = Suggestions(a.Roles, op.Action, a.Scope)
		}
		out = append(out, v)
	}
	return out
}

// Suggestions are the built-in roles that would grant action (smallest
// first, at most three) plus the seeds' custom role that fits.
func Suggestions(roles rbac.RoleSet, action, scope string) []rbac.RoleDefinition {
	var builtins []rbac.RoleDefinition
	for _, r := range roles {
		if r.RoleType != "CustomRole" {
			builtins = append(builtins, r)
		}
	}
	out := rbac.RolesGranting(builtins, action, false)
	if len(out) > 3 {
		out = out[:3]
	}
	sub := "/subscriptions/" + subscriptionOf(scope)
	for _, c := range []rbac.RoleDefinition{rbac.CustomScoringRole(sub), rbac.CustomControlPlaneRole(sub)} {
		if len(rbac.RolesGranting([]rbac.RoleDefinition{c}, action, false)) > 0 {
			out = append(out, c)
			break
		}
	}
	return out
}

func strs(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func assignmentFrom(x *armauthorization.RoleAssignment) rbac.Assignment {
	a := rbac.Assignment{ID: deref(x.ID), Name: deref(x.Name)}
	if p := x.Properties; p != nil {
		a.Scope, a.RoleDefinitionID, a.PrincipalID = deref(p.Scope), deref(p.RoleDefinitionID), deref(p.PrincipalID)
		a.PrincipalType, a.Description = derefEnum(p.PrincipalType), deref(p.Description)
		a.CreatedOn = deref(p.CreatedOn)
	}
	return a
}

func roleFrom(x *armauthorization.RoleDefinition) rbac.RoleDefinition {
	r := rbac.RoleDefinition{ID: deref(x.ID), Name: deref(x.Name)}
	if p := x.Properties; p != nil {
		r.RoleName, r.Description, r.RoleType = deref(p.RoleName), deref(p.Description), deref(p.RoleType)
		r.AssignableScopes = strs(p.AssignableScopes)
		for _, b := range p.Permissions {
			r.Permissions = append(r.Permissions, permissionFrom(b))
		}
	}
	return r
}

func denyFrom(x *armauthorization.DenyAssignment) rbac.DenyAssignment {
	d := rbac.DenyAssignment{ID: deref(x.ID), Name: deref(x.Name)}
	if p := x.Properties; p != nil {
		d.DenyAssignmentName, d.Description, d.Scope = deref(p.DenyAssignmentName), deref(p.Description), deref(p.Scope)
		d.DoNotApplyToChildScopes, d.IsSystemProtected = deref(p.DoNotApplyToChildScopes), deref(p.IsSystemProtected)
		for _, b := range p.Permissions {
			d.Permissions = append(d.Permissions, rbac.Permission{Actions: strs(b.Actions), NotActions: strs(b.NotActions), DataActions: strs(b.DataActions), NotDataActions: strs(b.NotDataActions)})
		}
		for _, pr := range p.Principals {
			d.Principals = append(d.Principals, rbac.Principal{ID: deref(pr.ID), Type: deref(pr.Type)})
		}
		for _, pr := range p.ExcludePrincipals {
			d.ExcludePrincipals = append(d.ExcludePrincipals, rbac.Principal{ID: deref(pr.ID), Type: deref(pr.Type)})
		}
	}
	return d
}
