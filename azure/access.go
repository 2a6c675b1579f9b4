package azure

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
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
	// Removed are role assignments this session deleted that Azure may
	// still enforce (rbac.Assignment.RevokedAt): Azure lists them no more,
	// so only the session knows. They count for any principal they reach.
	Removed []rbac.Assignment
	Roles   rbac.RoleSet
	Denies  []rbac.DenyAssignment // principals' DisplayName filled from Graph where it answered
	// Names maps object ids (folded with strings.ToLower) to display names:
	// the principal's groups, deny principals and exclusions, deny creators.
	Names map[string]string
	// Partial names what could not be read, why, and what the verdicts lack because of it.
	Partial []string
	// Unreadable is the same, structured: what, and the role needed to read it.
	Unreadable []Unreadable
	// Mine is the Permissions API's answer when the principal is the caller
	// (nil when not asked or unreadable; empty when Azure lists nothing).
	Mine []rbac.Permission
	// AssignmentsUnknown: the role assignments could not be listed, so a
	// local verdict would be a guess (see Partial).
	AssignmentsUnknown bool
	// DeniesUnknown: the deny assignments could not be listed, so an
	// allowed verdict could still be blocked.
	DeniesUnknown bool
	// GroupsUnknown: the principal's group memberships could not be read.
	GroupsUnknown bool
	// Self: the principal is the signed-in identity (advice says "you").
	Self bool
	At   time.Time
}

// Unreadable is one part of Azure's state that could not be read.
type Unreadable struct {
	What   string   // "role assignments", "deny assignments", "group memberships", "role definitions", "your permissions", "names"
	Action string   // the action needed to read it, when Azure named it or it is known
	Scope  string   // where it was needed
	Roles  []string // built-in roles that grant Action (smallest first), e.g. Reader
	Detail string   // Azure's answer, as plain text (not sanitized for drawing)
}

// Text is the Unreadable as one sentence.
func (u Unreadable) Text() string {
	s := "could not read " + u.What
	if u.Action != "" {
		s += ": it needs " + u.Action
		if u.Scope != "" {
			s += " on " + u.Scope
		}
		if len(u.Roles) > 0 {
			s += " (" + strings.Join(u.Roles, " or ") + " grants it)"
		}
	} else if u.Detail != "" {
		s += ": " + u.Detail
	}
	return s
}

// Name is the display name of an object id, or the id when Graph did not answer.
func (a Access) Name(id string) string {
	if n := a.Names[strings.ToLower(id)]; n != "" {
		return n
	}
	if id == rbac.Everyone {
		return "Everyone"
	}
	return id
}

// Verdict is one operation's answer with its reasons.
type Verdict struct {
	Op rbac.Operation
	// Outcome is the answer: rbac.Allowed, NotGranted, DeniedByDenyAssignment,
	// Conditional, Pending, or Unknown when something it needs could not be read.
	Outcome  rbac.Outcome
	Decision rbac.Decision // the engine's evaluation (Decision.Trace for "explain")
	NoRole   bool          // the operation needs no role (e.g. fetching an Entra token)
	// Suggest: for NotGranted, roles that would grant it, smallest first.
	// Never a role a readable deny assignment would block; empty for every
	// other outcome.
	Suggest []rbac.RoleDefinition
	// Advice is the next step in plain words (no UI key names).
	Advice []string
	// PermissionsAPI is, for the caller, what the Permissions API says (nil when not asked).
	PermissionsAPI *bool
	// Source says where the verdict came from: "role assignments" or "Permissions API".
	Source string
	// Unknown: Outcome == rbac.Unknown.
	Unknown bool
	// Missing is what could not be read that this verdict needed.
	Missing []Unreadable
	// Deny is the deny assignment that blocks the action (nil when none blocks).
	Deny *DenyDetail
	// Condition and ConditionVersion of the assignment the grant depends on (Conditional).
	Condition, ConditionVersion string
}

// DenyDetail is a blocking deny assignment, ready to show.
type DenyDetail struct {
	Name, ID, Scope, Description string
	Pattern                      string       // the deny's pattern that matched the action
	Via                          rbac.Applies // how it reaches the principal
	CreatedBy                    string       // display name (or id) of the creator, "" when Azure does not say
	IsSystemProtected            bool
	DoNotApplyToChildScopes      bool
	Principals                   []rbac.Principal // DisplayName filled where Graph answered
	Excluded                     []rbac.Principal // who is exempt: the only way past it
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
	a := Access{Principal: p, Scope: scope, Self: strings.EqualFold(p.ID, s.id.ObjectID), At: s.cfg.Polling.now()}
	a.Removed = s.removed.at(a.At)
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
	if a.Self {
		run("your permissions", func() error {
			perms, err := s.myPermissions(ctx, f, scope)
			if _, _, _, _, _, ok := splitResourceScope(scope); ok && err == nil && perms == nil {
				perms = []rbac.Permission{} // asked, and Azure lists nothing: not the same as not asked
			}
			a.Mine = perms
			return err
		})
	}
	wg.Wait()
	// A removed assignment Azure still lists is the removed one: it may
	// stop granting any moment, so it is no promise.
	a.Assignments = slices.DeleteFunc(a.Assignments, func(x rbac.Assignment) bool {
		return slices.ContainsFunc(a.Removed, func(y rbac.Assignment) bool { return strings.EqualFold(x.ID, y.ID) })
	})
	if len(a.Roles) == 0 {
		a.Roles = rbac.BuiltinRoles() // the built-ins are public knowledge
	}
	for _, name := range []string{"role assignments", "deny assignments", "group memberships", "role definitions", "your permissions"} {
		if err, ok := errs[name]; ok {
			a.Partial = append(a.Partial, partialText(name, err))
			a.Unreadable = append(a.Unreadable, unreadable(name, scope, err))
		}
	}
	_, a.AssignmentsUnknown = errs["role assignments"]
	_, a.DeniesUnknown = errs["deny assignments"]
	_, a.GroupsUnknown = errs["group memberships"]
	if a.GroupsUnknown {
		// assignedTo() already expands the principal's groups on Azure's side,
		// so a group assignment it returned is one of theirs.
		for _, x := range a.Assignments {
			if x.PrincipalType == "Group" && !strings.EqualFold(x.PrincipalID, p.ID) {
				a.Groups = append(a.Groups, x.PrincipalID)
			}
		}
	}
	if err := s.resolveNames(ctx, &a); err != nil {
		a.Partial = append(a.Partial, partialText("names", err))
		a.Unreadable = append(a.Unreadable, unreadable("names", "", err))
	}
	return a, nil
}

// resolveNames asks Graph for the display names of the principal's groups
// and of every principal a deny assignment names, so nobody reads GUIDs.
func (s *Session) resolveNames(ctx context.Context, a *Access) error {
	a.Names = map[string]string{}
	if a.Principal.DisplayName != "" {
		a.Names[strings.ToLower(a.Principal.ID)] = a.Principal.DisplayName
	}
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		k := strings.ToLower(id)
		if id == "" || id == rbac.Everyone || seen[k] || !rbac.IsGUID(id) {
			return
		}
		seen[k] = true
		ids = append(ids, id)
	}
	if a.Principal.Kind == "ServicePrincipal" {
		add(a.Principal.ID) // a service principal's token carries no name: Graph has it
	}
	for _, g := range a.Groups {
		add(g)
	}
	for _, d := range a.Denies {
		for _, p := range d.Principals {
			add(p.ID)
		}
		for _, p := range d.ExcludePrincipals {
			add(p.ID)
		}
		add(d.CreatedBy)
	}
	if len(ids) == 0 {
		return nil
	}
	refs, err := s.Principals(ctx, ids)
	for _, r := range refs {
		a.Names[strings.ToLower(r.ID)] = r.DisplayName
		if strings.EqualFold(r.ID, a.Principal.ID) && r.DisplayName != "" {
			a.Principal.DisplayName, a.Principal.SPType = r.DisplayName, r.SPType
		}
	}
	name := func(ps []rbac.Principal) {
		for i := range ps {
			ps[i].DisplayName = a.Name(ps[i].ID)
		}
	}
	for i := range a.Denies {
		name(a.Denies[i].Principals)
		name(a.Denies[i].ExcludePrincipals)
	}
	return err
}

// readActions are what each part of an access check needs, for the
// "you need ... to read this" line when Azure's 403 did not name it.
var readActions = map[string]string{
	"role assignments": "Microsoft.Authorization/roleAssignments/read",
	"deny assignments": "Microsoft.Authorization/denyAssignments/read",
	"role definitions": "Microsoft.Authorization/roleDefinitions/read",
}

func unreadable(what, scope string, err error) Unreadable {
	u := Unreadable{What: what, Detail: Explain(err).Detail}
	var fe *ForbiddenError
	if errors.As(err, &fe) {
		u.Action, u.Scope = cmp.Or(fe.Action, readActions[what]), cmp.Or(fe.Scope, scope)
	}
	if u.Action != "" {
		u.Roles = rolesToRead(u.Action)
	}
	return u
}

// rolesToRead names the usual built-in roles that grant a read action:
// Reader first (it reads everything, including role and deny assignments),
// then User Access Administrator for Microsoft.Authorization.
func rolesToRead(action string) []string {
	var out []string
	for _, name := range []string{"Reader", "User Access Administrator"} {
		r, ok := rbac.RoleByName(rbac.BuiltinRoles(), name)
		if ok && len(rbac.RolesGranting([]rbac.RoleDefinition{r}, action, false)) > 0 {
			out = append(out, name)
		}
	}
	return out
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
		msg += " — verdicts that depend on them are unknown (for yourself, the Permissions API still answers)"
	case "deny assignments":
		msg += " — a deny assignment could still block an allowed action, so such verdicts are unknown"
	case "group memberships":
		msg += " — only the group assignments Azure listed for this principal are counted"
	case "role definitions":
		msg += " — using the built-in roles only"
	case "names":
		msg += " — some principals show by object id"
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
		out = append(out, a.verdict(op, roles))
	}
	return out
}

// request is the engine's question for one action. Azure lists the
// assignments and deny assignments at, above and below the scope; one at
// a management group can only be above it, so those management groups are
// the chain the engine needs.
func (a Access) request(action string, data bool) rbac.Request {
	r := rbac.Request{PrincipalID: a.Principal.ID, GroupIDs: a.Groups, Action: action, DataAction: data, Scope: a.Scope, At: a.At}
	seen := map[string]bool{}
	add := func(scope string) {
		sc, err := rbac.ParseScope(scope)
		if err == nil && sc.Level == rbac.AtManagementGroup && !seen[strings.ToLower(sc.Raw)] {
			seen[strings.ToLower(sc.Raw)] = true
			r.ManagementGroups = append(r.ManagementGroups, sc.Raw)
		}
	}
	for _, x := range a.evaluated() {
		add(x.Scope)
	}
	for _, d := range a.Denies {
		add(d.Scope)
	}
	return r
}

// evaluated is what the engine weighs: the listed role assignments and the
// removed ones Azure may still enforce.
func (a Access) evaluated() []rbac.Assignment {
	if len(a.Removed) == 0 {
		return a.Assignments
	}
	return append(slices.Clip(a.Assignments), a.Removed...)
}

// verdict forms one operation's answer. An answer is a promise: "allowed"
// or "not granted" only when everything Azure evaluates was read; a
// readable deny assignment that blocks the action wins over everything,
// the Permissions API included (it does not take deny assignments into
// account: https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource).
func (a Access) verdict(op rbac.Operation, roles rbac.RoleIndex) Verdict {
	v := Verdict{Op: op, Source: "role assignments"}
	if op.Action == "" {
		v.NoRole, v.Outcome = true, rbac.Allowed
		v.Decision = rbac.Decision{Outcome: rbac.Allowed, Allowed: true, Reason: op.Note}
		return v
	}
	v.Decision = rbac.Evaluate(a.request(op.Action, op.DataAction), a.evaluated(), roles, a.Denies)
	d := &v.Decision
	v.Outcome = d.Outcome
	var apiBy string
	if a.Mine != nil {
		var ok bool
		apiBy, _, ok = rbac.EffectivePermissions(a.Mine, op.Action, op.DataAction)
		v.PermissionsAPI = &ok
	}
	missing := func(what string) {
		for _, u := range a.Unreadable {
			if u.What == what {
				v.Missing = append(v.Missing, u)
			}
		}
	}
	switch {
	case d.Outcome == rbac.DeniedByDenyAssignment:
		// A deny that was read blocks it, whatever else could not be read.
	case a.AssignmentsUnknown && v.PermissionsAPI != nil:
		v.Source = "Permissions API"
		missing("role assignments")
		switch {
		case !*v.PermissionsAPI:
			v.Outcome = rbac.NotGranted
			d.Reason = "The Permissions API lists no permission for " + op.Action + " for you at this scope (your role assignments could not be read)"
		case a.DeniesUnknown:
			v.Outcome = rbac.Unknown
			missing("deny assignments")
			d.Reason = "The Permissions API allows " + op.Action + " (pattern " + apiBy + "), but it ignores deny assignments, and they could not be read"
		default:
			v.Outcome = rbac.Allowed
			d.Reason = "The Permissions API allows " + op.Action + " (pattern " + apiBy + ") and no deny assignment blocks it (your role assignments could not be read)"
		}
	case a.AssignmentsUnknown:
		v.Outcome = rbac.Unknown
		missing("role assignments")
		d.Reason = "Unknown: the role assignments could not be read, so nothing says whether a role grants " + op.Action
	case a.DeniesUnknown && d.Outcome != rbac.NotGranted:
		v.Outcome = rbac.Unknown
		missing("deny assignments")
		d.Reason = "Unknown: a role grants " + op.Action + ", but the deny assignments could not be read and one could block it"
	case a.GroupsUnknown && a.hasGroupDeny():
		v.Outcome = rbac.Unknown
		missing("group memberships")
		d.Reason = "Unknown: a deny assignment names groups, and your group memberships could not be read"
	case v.PermissionsAPI != nil && d.Outcome == rbac.Revoking:
		// Yourself, after a removal: the Permissions API answers from what
		// Azure enforces now, which is what the removal changes.
		v.Source = "Permissions API"
		removed := d.Revoked[0].Assignment.RevocationText()
		if *v.PermissionsAPI {
			v.Outcome = rbac.Allowed
			d.Reason = "The Permissions API still allows " + op.Action + " (pattern " + apiBy + ") and no deny assignment blocks it: the role assignment that granted it was " + removed
		} else {
			v.Outcome = rbac.NotGranted
			d.Reason = "The Permissions API no longer lists " + op.Action + " for you: the removal has applied (the role assignment was " + removed + ")"
		}
	case d.Outcome == rbac.Revoking:
		// Someone else: nobody can ask Azure for them, so the removal is
		// not promised before its window has passed (the reason says when).
	case v.PermissionsAPI != nil && !*v.PermissionsAPI && d.Outcome == rbac.Allowed:
		// Azure lists the assignment but does not apply it to you yet.
		v.Outcome = rbac.Pending
		d.Reason = "Assigned (Azure lists a role assignment that grants " + op.Action + "), but Azure's Permissions API does not grant it to you yet: " + TypicalPropagation
	case v.PermissionsAPI != nil && *v.PermissionsAPI && d.Outcome == rbac.NotGranted && !a.DeniesUnknown:
		// Azure grants it through something the listing did not show
		// (a group, a management group); no readable deny blocks it.
		v.Outcome, v.Source = rbac.Allowed, "Permissions API"
		d.Reason = "The Permissions API allows " + op.Action + " (pattern " + apiBy + ") and no deny assignment blocks it; no role assignment that could be read grants it"
	}
	d.Outcome, d.Allowed = v.Outcome, v.Outcome == rbac.Allowed
	v.Unknown = v.Outcome == rbac.Unknown
	if v.Outcome == rbac.Conditional && len(d.Conditional) > 0 {
		v.Condition = d.Conditional[0].Assignment.Condition
		v.ConditionVersion = d.Conditional[0].Assignment.ConditionVersion
	}
	if d.Denied != nil {
		v.Deny = a.denyDetail(*d.Denied)
		v.Advice = denyAdvice(v.Deny, a.who())
		return v
	}
	// Roles are suggested only when it is known that none grants the action
	// (an unknown verdict may already be granted) and none a readable deny
	// would block (suggest tries each).
	if v.Outcome == rbac.NotGranted {
		v.Suggest = a.suggest(op.Action, op.DataAction)
		if len(v.Suggest) > 0 {
			names := make([]string, len(v.Suggest))
			for i, r := range v.Suggest {
				names[i] = r.RoleName
			}
			v.Advice = append(v.Advice, "Ask an Owner or User Access Administrator of "+a.Scope+" to assign one of: "+strings.Join(names, ", ")+".")
		}
		if a.DeniesUnknown {
			v.Advice = append(v.Advice, "The deny assignments could not be read, so a role assignment might still be blocked by one.")
		}
	}
	for _, u := range v.Missing {
		if len(u.Roles) > 0 {
			v.Advice = append(v.Advice, "To see the "+u.What+", you need "+u.Action+" on "+u.Scope+" ("+strings.Join(u.Roles, " or ")+").")
		}
	}
	return v
}

// hasGroupDeny reports whether a deny assignment names a principal other
// than Everyone and this principal: only a group could be that.
func (a Access) hasGroupDeny() bool {
	for _, d := range a.Denies {
		for _, p := range append(append([]rbac.Principal(nil), d.Principals...), d.ExcludePrincipals...) {
			if p.ID != rbac.Everyone && !strings.EqualFold(p.ID, a.Principal.ID) {
				return true
			}
		}
	}
	return false
}

// suggest lists the roles that would grant action if assigned at the
// scope: each candidate is tried against the same deny assignments, so a
// role the deny would block is never offered.
func (a Access) suggest(action string, data bool) []rbac.RoleDefinition {
	var out []rbac.RoleDefinition
	for _, r := range suggestions(a.Roles, action, a.Scope, data) {
		hypo := rbac.Assignment{Scope: a.Scope, RoleDefinitionID: "hypothetical/" + r.RoleName, PrincipalID: a.Principal.ID}
		d := rbac.Evaluate(a.request(action, data), []rbac.Assignment{hypo}, hypothetical{r}, a.Denies)
		if d.Outcome == rbac.Allowed {
			out = append(out, r)
		}
	}
	return out
}

// hypothetical resolves every role id to one role (a "what if" assignment).
type hypothetical struct{ r rbac.RoleDefinition }

func (h hypothetical) Role(string) (rbac.RoleDefinition, bool) { return h.r, true }

func (a Access) denyDetail(m rbac.DenyMatch) *DenyDetail {
	d := m.Deny
	out := &DenyDetail{Name: d.Label(), ID: d.ID, Scope: d.Scope, Description: d.Description, Pattern: m.Pattern, Via: m.Via,
		IsSystemProtected: d.IsSystemProtected, DoNotApplyToChildScopes: d.DoNotApplyToChildScopes,
		Principals: d.Principals, Excluded: d.ExcludePrincipals}
	if d.CreatedBy != "" {
		out.CreatedBy = a.Name(d.CreatedBy)
	}
	return out
}

// denyAdvice is the real next step past a deny assignment: no role lifts
// it, only its exclusions do.
// https://learn.microsoft.com/azure/role-based-access-control/deny-assignments
func denyAdvice(d *DenyDetail, checked string) []string {
	var out []string
	who := make([]string, 0, len(d.Excluded))
	for _, p := range d.Excluded {
		who = append(who, principalLabel(p))
	}
	if len(who) > 0 {
		out = append(out, "Use an identity the deny assignment excludes: "+strings.Join(who, ", ")+".")
	}
	by := "whoever manages it"
	if d.CreatedBy != "" {
		by = d.CreatedBy
	}
	if d.IsSystemProtected {
		by = "the Azure service that created it (it is system-protected: only that service can change it)"
	}
	out = append(out, "Or ask "+by+" to add "+checked+" to the excluded principals of deny assignment \""+d.Name+"\" at "+d.Scope+
		". No role assignment can lift a deny assignment.")
	return out
}

// who names the principal checked in advice: "you" for the caller,
// otherwise by name (the advice may be read by someone acting for them).
func (a Access) who() string {
	if a.Self {
		return "you"
	}
	if a.Principal.DisplayName != "" {
		return a.Principal.DisplayName
	}
	return a.Name(a.Principal.ID)
}

func principalLabel(p rbac.Principal) string {
	name := p.DisplayName
	if name == "" {
		name = p.ID
	}
	if p.Type != "" {
		name += " (" + p.Type + ")"
	}
	return name
}

// Suggestions are the built-in roles that would grant action, from all
// the built-ins Azure listed (or the embedded copy), the three least
// privileged first (rbac.RolesGranting says how they are ranked), plus the
// seeds' custom role that fits. They ignore deny assignments: Access.Check
// filters them against the ones it read.
func Suggestions(roles rbac.RoleSet, action, scope string) []rbac.RoleDefinition {
	return suggestions(roles, action, scope, false)
}

// suggestions is Suggestions for an action or (data) a data action.
func suggestions(roles rbac.RoleSet, action, scope string, data bool) []rbac.RoleDefinition {
	var builtins []rbac.RoleDefinition
	for _, r := range roles {
		if r.RoleType != "CustomRole" {
			builtins = append(builtins, r)
		}
	}
	out := rbac.RolesGranting(builtins, action, data)
	if len(out) > 3 {
		out = out[:3]
	}
	sub := "/subscriptions/" + subscriptionOf(scope)
	for _, c := range []rbac.RoleDefinition{rbac.CustomScoringRole(sub), rbac.CustomControlPlaneRole(sub)} {
		if len(rbac.RolesGranting([]rbac.RoleDefinition{c}, action, data)) > 0 {
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
		a.Condition, a.ConditionVersion = deref(p.Condition), deref(p.ConditionVersion)
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

// Explain is a verdict's whole evaluation as plain lines, from the scope
// up to the root: every role assignment and deny assignment considered,
// how it reaches the principal, each pattern tested and its result, and
// the group memberships used. Names come from Graph where it answered.
// (A screen may draw the Trace itself; this is the text form.)
func (a Access) Explain(v Verdict) []string {
	tr := v.Decision.Trace
	if v.NoRole || tr.Action == "" {
		return []string{v.Decision.Reason}
	}
	kind := "action"
	if tr.DataAction {
		kind = "data action"
	}
	out := []string{"Evaluating " + kind + " " + tr.Action + " for " + a.Name(tr.Principal)}
	if len(tr.Groups) > 0 {
		names := make([]string, len(tr.Groups))
		for i, g := range tr.Groups {
			names[i] = a.Name(g)
		}
		out = append(out, "Group memberships (transitive): "+strings.Join(names, ", "))
	} else {
		out = append(out, "Group memberships: none")
	}
	via := func(ap rbac.Applies) string {
		switch ap.Kind {
		case rbac.ViaGroup:
			return "through group " + a.Name(ap.GroupID)
		case rbac.Excluded:
			if ap.GroupID != "" {
				return "excluded through group " + a.Name(ap.GroupID)
			}
		}
		return ap.Kind.String()
	}
	tests := func(ts []rbac.PatternTest) []string {
		var lines []string
		for _, t := range ts {
			m := "no match"
			if t.Matched {
				m = "matches"
			}
			lines = append(lines, "      "+t.List+" "+t.Pattern+": "+m)
		}
		return lines
	}
	for _, l := range tr.Levels {
		out = append(out, "At "+l.Level.String()+" "+l.Scope)
		if len(l.Assignments) == 0 && len(l.Denies) == 0 {
			out = append(out, "    nothing assigned here")
		}
		for _, x := range l.Assignments {
			role := x.Role.RoleName
			if role == "" {
				role = rbac.RoleGUID(x.Assignment.RoleDefinitionID)
			}
			line := "    role assignment: " + role + " to " + a.Name(x.Assignment.PrincipalID) + " (" + via(x.Applies) + "): " + x.Result.String()
			if x.Assignment.Condition != "" {
				line += "; condition: " + x.Assignment.Condition
			}
			if r := x.Assignment.RevocationText(); r != "" {
				line += "; " + r
			}
			out = append(out, line)
			out = append(out, tests(x.Tests)...)
		}
		for _, d := range l.Denies {
			line := "    deny assignment: " + d.Deny.Label() + " (" + via(d.Applies) + ")"
			switch {
			case d.Blocks:
				line += ": blocks it"
			case d.SkippedChildScope:
				line += ": does not apply below its own scope"
			default:
				line += ": does not block it"
			}
			out = append(out, line)
			out = append(out, tests(d.Tests)...)
		}
	}
	return append(out, "Verdict: "+v.Outcome.String()+". "+v.Decision.Reason)
}
