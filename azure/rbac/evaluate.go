package rbac

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// RoleSet is a list of role definitions that resolves ids by trailing GUID.
type RoleSet []RoleDefinition

// Role finds a definition by any id form or bare GUID, case-insensitively.
func (s RoleSet) Role(id string) (RoleDefinition, bool) {
	g := RoleGUID(id)
	for _, r := range s {
		if EqualOrdinalIgnoreCase(r.Name, g) || EqualOrdinalIgnoreCase(RoleGUID(r.ID), g) {
			return r, true
		}
	}
	return RoleDefinition{}, false
}

// RoleIndex is a RoleSet indexed for many lookups (the emulator, benchmarks).
type RoleIndex map[string]RoleDefinition

// Index builds a RoleIndex.
func (s RoleSet) Index() RoleIndex {
	m := make(RoleIndex, len(s))
	for _, r := range s {
		m[OrdinalKey(RoleGUID(r.ID))] = r
		if r.Name != "" {
			m[OrdinalKey(r.Name)] = r
		}
	}
	return m
}

// Role implements Roles.
func (m RoleIndex) Role(id string) (RoleDefinition, bool) {
	r, ok := m[OrdinalKey(RoleGUID(id))]
	return r, ok
}

// RoleGUID returns the last path segment of a role definition id.
func RoleGUID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// Evaluate decides a Request the way Azure does
// (https://learn.microsoft.com/azure/role-based-access-control/overview#how-azure-rbac-determines-if-a-user-has-access-to-a-resource):
//
//   - the role assignments at the scope and its ancestors that name the
//     principal or one of its groups count; each role grants its Actions
//     minus its own NotActions (data actions: DataActions minus
//     NotDataActions), and the grants of all roles add up;
//   - every deny assignment at the scope or above (not above, with
//     doNotApplyToChildScopes) that names the principal, a group of theirs or
//     Everyone, and does not exclude them, blocks its actions: it is checked
//     whether or not a role grants the action, and it wins.
//
// The Decision carries the structured Outcome and a Trace of every
// assignment and deny assignment considered.
func Evaluate(req Request, assignments []Assignment, roles Roles, denies []DenyAssignment) Decision {
	d := Decision{Request: req}
	who := newMembership(req)
	levels := requestLevels(req)
	d.Trace = Trace{Action: req.Action, DataAction: req.DataAction, Principal: req.PrincipalID,
		Groups: append([]string(nil), req.GroupIDs...), Levels: levels}
	action := OrdinalKey(req.Action)
	applicable := func(scope string) int {
		// Most of a world's assignments sit elsewhere: one containment test
		// rules them out before the per-level comparison.
		if !ScopeContains(scope, req.Scope) && len(req.ManagementGroups) == 0 {
			return -1
		}
		return levelOf(levels, scope)
	}
	for _, a := range assignments {
		li := applicable(a.Scope)
		if li < 0 {
			continue
		}
		t := AssignmentTrace{Assignment: a, Applies: who.assignment(a.PrincipalID)}
		if t.Applies.Kind == OtherPrincipal {
			t.Result = NotForPrincipal
			levels[li].Assignments = append(levels[li].Assignments, t)
			continue
		}
		role, ok := roles.Role(a.RoleDefinitionID)
		if !ok {
			t.Result = RoleNotFound
			levels[li].Assignments = append(levels[li].Assignments, t)
			continue
		}
		t.Role = role
		var by, not string
		t.Tests, by, not = testBlocks(role.Permissions, action, req.DataAction)
		grant := Grant{Assignment: a, Role: role, Pattern: by, ViaGroup: t.Applies.GroupID, Inherited: li > 0}
		switch {
		case by == "":
			t.Result = NoEffect
		case a.removalApplied(req.At):
			t.Result = RemovalApplied
		case not != "":
			t.Result = RemovedByNotAction
			d.Blocked = append(d.Blocked, Blocked{Assignment: a, Role: role, Pattern: by, NotPattern: not, ViaGroup: t.Applies.GroupID})
		case !a.RevokedAt.IsZero():
			// Gone from Azure's lists, possibly still in its caches: it may
			// grant, and it may not. It never counts against a deny
			// assignment, which is checked below whatever the roles say.
			t.Result = StillEnforced
			d.Revoked = append(d.Revoked, grant)
		case !req.At.IsZero() && a.EffectiveAt.After(req.At):
			t.Result = NotYetPropagated
			d.Pending = append(d.Pending, a)
		case a.Condition != "":
			t.Result = GrantsIfCondition
			d.Conditional = append(d.Conditional, grant)
		default:
			t.Result = Grants
			d.Grants = append(d.Grants, grant)
		}
		levels[li].Assignments = append(levels[li].Assignments, t)
	}
	for _, da := range denies {
		li := applicable(da.Scope)
		if li < 0 {
			continue
		}
		t := DenyTrace{Deny: da, Applies: who.deny(da), SkippedChildScope: da.DoNotApplyToChildScopes && li > 0}
		var by string
		t.Tests, by = testDeny(da.Permissions, action, req.DataAction)
		if t.Blocks = t.Applies.Blocks() && !t.SkippedChildScope && by != ""; t.Blocks {
			d.Denies = append(d.Denies, DenyMatch{Deny: da, Pattern: by, Via: t.Applies})
		}
		levels[li].Denies = append(levels[li].Denies, t)
	}
	// Best grant first: the closest scope, then direct before group.
	best := func(g []Grant) {
		sort.SliceStable(g, func(i, j int) bool {
			si, sj := len(segments(g[i].Assignment.Scope)), len(segments(g[j].Assignment.Scope))
			if si != sj {
				return si > sj
			}
			return g[i].ViaGroup == "" && g[j].ViaGroup != ""
		})
	}
	best(d.Grants)
	best(d.Revoked)
	best(d.Conditional)
	if len(d.Denies) > 0 {
		d.Denied = &d.Denies[0]
	}
	switch {
	case d.Denied != nil:
		d.Outcome = DeniedByDenyAssignment
	case len(d.Grants) > 0:
		d.Outcome = Allowed
	case len(d.Revoked) > 0:
		d.Outcome = Revoking
	case len(d.Conditional) > 0:
		d.Outcome = Conditional
	case len(d.Pending) > 0:
		d.Outcome = Pending
	default:
		d.Outcome = NotGranted
	}
	d.Allowed = d.Outcome == Allowed
	d.Reason = reason(d)
	return d
}

// removalApplied reports whether a removed assignment is no longer
// enforced at at: its RevokedUntil is known and has passed. A zero at (no
// time given) or a zero RevokedUntil (the window is not known) never says
// so: the removal may still be in Azure's caches.
func (a Assignment) removalApplied(at time.Time) bool {
	return !a.RevokedAt.IsZero() && !a.RevokedUntil.IsZero() && !at.IsZero() && !at.Before(a.RevokedUntil)
}

// RevocationText is one removed assignment in words: when it was removed
// and until when Azure may keep enforcing it ("" when a is not removed).
func (a Assignment) RevocationText() string {
	if a.RevokedAt.IsZero() {
		return ""
	}
	s := "removed at " + a.RevokedAt.Format(time.TimeOnly)
	if a.RevokedUntil.IsZero() {
		return s + "; Azure may keep allowing this for a while (a removal can take up to 10 minutes to apply)"
	}
	return s + "; Azure may keep allowing this until about " + a.RevokedUntil.Format(time.TimeOnly)
}

// membership answers "does this principal id reach the requester?".
type membership struct {
	principal string
	groups    map[string]string // folded id -> id
}

// Role assignments to a group apply to its members, nested groups
// included. Azure's rule: "Role assignments are transitive for groups
// which means that if a user is a member of a group and that group is a
// member of another group that has a role assignment, the user will have the
// permissions in the role assignment." Deny assignments name users, groups, service
// principals or Everyone, and the same membership decides whether one
// applies. Callers pass the transitive group ids in Request.GroupIDs
// (Graph's getMemberObjects / transitiveMemberOf).
// https://learn.microsoft.com/azure/role-based-access-control/overview#groups
// https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties
func newMembership(req Request) membership {
	m := membership{principal: req.PrincipalID, groups: make(map[string]string, len(req.GroupIDs))}
	for _, g := range req.GroupIDs {
		m.groups[OrdinalKey(g)] = g
	}
	return m
}

// assignment says how a role assignment to id reaches the principal.
func (m membership) assignment(id string) Applies {
	if EqualOrdinalIgnoreCase(id, m.principal) {
		return Applies{Kind: Direct}
	}
	if g, ok := m.groups[OrdinalKey(id)]; ok {
		return Applies{Kind: ViaGroup, GroupID: g}
	}
	return Applies{Kind: OtherPrincipal}
}

// deny says how a deny assignment reaches the principal: an exclusion
// (directly or through a group) wins over every inclusion, then the
// principal itself, a group, or Everyone.
// https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties
func (m membership) deny(da DenyAssignment) Applies {
	for _, x := range da.ExcludePrincipals {
		if a := m.assignment(x.ID); a.Kind != OtherPrincipal {
			return Applies{Kind: Excluded, GroupID: a.GroupID}
		}
	}
	out := Applies{Kind: OtherPrincipal}
	for _, p := range da.Principals {
		a := m.assignment(p.ID)
		switch {
		case a.Kind == Direct:
			return a
		case a.Kind == ViaGroup && out.Kind != ViaGroup:
			out = a
		case p.ID == Everyone && out.Kind == OtherPrincipal:
			out = Applies{Kind: ViaEveryone}
		}
	}
	return out
}

// DenyApplies says how a deny assignment reaches a principal with the
// given transitive groups: Direct, ViaGroup, ViaEveryone, Excluded, or
// OtherPrincipal when it does not name them. Only the first three block.
func DenyApplies(da DenyAssignment, principalID string, groupIDs []string) Applies {
	return newMembership(Request{PrincipalID: principalID, GroupIDs: groupIDs}).deny(da)
}

// Blocks reports whether a deny assignment reached the principal this way
// blocks it (it was not excluded and it named them).
func (a Applies) Blocks() bool {
	return a.Kind == Direct || a.Kind == ViaGroup || a.Kind == ViaEveryone
}

// requestLevels lists the scopes whose assignments apply to the request:
// the scope itself, each parent, the management groups the request names,
// and the root "/".
func requestLevels(req Request) []TraceLevel {
	var out []TraceLevel
	if sc, err := ParseScope(req.Scope); err == nil {
		for cur, ok := sc, true; ok; cur, ok = cur.Parent() {
			out = append(out, TraceLevel{Scope: cur.Raw, Level: cur.Level})
		}
	} else { // not an ARM scope Azure would accept (a name with a '/'): every prefix is a level
		seg := segments(req.Scope)
		for n := len(seg); n > 0; n-- {
			l := AtResource
			if p, err := ParseScope("/" + strings.Join(seg[:n], "/")); err == nil {
				l = p.Level
			}
			out = append(out, TraceLevel{Scope: "/" + strings.Join(seg[:n], "/"), Level: l})
		}
		out = append(out, TraceLevel{Scope: "/", Level: AtRoot})
	}
	if n := len(out); len(req.ManagementGroups) > 0 {
		root := out[n-1]
		out = out[:n-1]
		for _, mg := range req.ManagementGroups {
			out = append(out, TraceLevel{Scope: ManagementGroupScope(mg), Level: AtManagementGroup})
		}
		out = append(out, root)
	}
	return out
}

// ManagementGroupScope turns a management group name into its scope; an id
// is returned normalized.
func ManagementGroupScope(nameOrID string) string {
	if strings.Contains(nameOrID, "/") {
		return NormalizeScope(nameOrID)
	}
	return "/providers/Microsoft.Management/managementGroups/" + nameOrID
}

// levelOf is the index of scope among levels, -1 when it is not one of them.
func levelOf(levels []TraceLevel, scope string) int {
	for i := range levels {
		if SameScope(levels[i].Scope, scope) {
			return i
		}
	}
	return -1
}

// testBlocks tests a role's permission blocks against a folded action. Each
// block grants its Actions minus its own NotActions; for a data action only
// DataActions/NotDataActions count ("*" in Actions grants no data action).
// https://learn.microsoft.com/azure/role-based-access-control/role-definitions#control-and-data-actions
// It returns every test, and the first granting pattern (with the NotAction
// that removed it when no block grants).
func testBlocks(perms []Permission, action string, data bool) (tests []PatternTest, by, not string) {
	allowName, notName := "Actions", "NotActions"
	if data {
		allowName, notName = "DataActions", "NotDataActions"
	}
	granted := false
	for i, p := range perms {
		allow, deny := p.Actions, p.NotActions
		if data {
			allow, deny = p.DataActions, p.NotDataActions
		}
		var blockBy, blockNot string
		for _, pat := range allow {
			m := matchFold(OrdinalKey(pat), action)
			tests = append(tests, PatternTest{List: allowName, Block: i, Pattern: pat, Matched: m})
			if m && blockBy == "" {
				blockBy = pat
			}
		}
		for _, pat := range deny {
			m := matchFold(OrdinalKey(pat), action)
			tests = append(tests, PatternTest{List: notName, Block: i, Pattern: pat, Matched: m})
			if m && blockNot == "" {
				blockNot = pat
			}
		}
		switch {
		case blockBy != "" && blockNot == "" && !granted:
			granted, by, not = true, blockBy, ""
		case blockBy != "" && by == "":
			by, not = blockBy, blockNot
		}
	}
	return tests, by, not
}

// testDeny tests a deny assignment's blocks: a block denies its Actions
// minus its NotActions (data: DataActions minus NotDataActions).
// https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties
func testDeny(perms []Permission, action string, data bool) (tests []PatternTest, by string) {
	tests, by, not := testBlocks(perms, action, data)
	if not != "" {
		return tests, ""
	}
	return tests, by
}

func reason(d Decision) string {
	act := d.Request.Action
	switch d.Outcome {
	case DeniedByDenyAssignment:
		da := d.Denied.Deny
		s := fmt.Sprintf("Blocked by deny assignment %q at %s (its pattern %s)", da.Label(), da.Scope, d.Denied.Pattern)
		if len(d.Grants) > 0 {
			s += ", although a role assignment grants it" // no role name: it would read as a way past the deny
		}
		return s + "; no role assignment lifts a deny assignment, only its excluded principals are exempt"
	case Allowed:
		g := d.Grants[0]
		s := fmt.Sprintf("Allowed by %s assigned at %s", g.Role.RoleName, g.Assignment.Scope)
		if g.ViaGroup != "" {
			s += fmt.Sprintf(" to group %s", g.ViaGroup)
		}
		if g.Inherited {
			s += " (inherited)"
		}
		return s + fmt.Sprintf(", pattern %s", g.Pattern)
	case Conditional:
		g := d.Conditional[0]
		return fmt.Sprintf("Allowed only if the condition of %s assigned at %s holds: %s", g.Role.RoleName, g.Assignment.Scope, g.Assignment.Condition)
	case Pending:
		return fmt.Sprintf("Not yet: a new role assignment grants %s but has not propagated", act)
	case Revoking:
		g := d.Revoked[0]
		return fmt.Sprintf("Only a removed role assignment (%s at %s) grants %s: %s", g.Role.RoleName, g.Assignment.Scope, act, g.Assignment.RevocationText())
	}
	if len(d.Blocked) > 0 {
		b := d.Blocked[0]
		return fmt.Sprintf("%s matches %s through %s, but its NotAction %s removes it", b.Role.RoleName, act, b.Pattern, b.NotPattern)
	}
	return fmt.Sprintf("No role assignment grants %s at this scope or above", act)
}

// Label is how people know a deny assignment: its display name, else its GUID name.
func (da DenyAssignment) Label() string {
	if da.DenyAssignmentName != "" {
		return da.DenyAssignmentName
	}
	return da.Name
}
