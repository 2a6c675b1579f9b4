package rbac

import (
	"fmt"
	"sort"
	"strings"
)

// RoleSet is a list of role definitions that resolves ids by trailing GUID.
type RoleSet []RoleDefinition

// Role finds a definition by any id form or bare GUID, case-insensitively.
func (s RoleSet) Role(id string) (RoleDefinition, bool) {
	g := RoleGUID(id)
	for _, r := range s {
		if strings.EqualFold(r.Name, g) || strings.EqualFold(RoleGUID(r.ID), g) {
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
		m[strings.ToLower(RoleGUID(r.ID))] = r
		if r.Name != "" {
			m[strings.ToLower(r.Name)] = r
		}
	}
	return m
}

// Role implements Roles.
func (m RoleIndex) Role(id string) (RoleDefinition, bool) {
	r, ok := m[strings.ToLower(RoleGUID(id))]
	return r, ok
}

// RoleGUID returns the last path segment of a role definition id.
func RoleGUID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// Evaluate decides a Request the way Azure does: the union over applicable
// assignments of (Actions - NotActions), data actions separately, and then
// any applicable deny assignment wins.
func Evaluate(req Request, assignments []Assignment, roles Roles, denies []DenyAssignment) Decision {
	d := Decision{Request: req}
	members := map[string]string{strings.ToLower(req.PrincipalID): ""}
	for _, g := range req.GroupIDs {
		members[strings.ToLower(g)] = g
	}
	for _, a := range assignments {
		via, ok := members[strings.ToLower(a.PrincipalID)]
		if !ok || !ScopeContains(a.Scope, req.Scope) {
			continue
		}
		role, ok := roles.Role(a.RoleDefinitionID)
		if !ok {
			continue
		}
		by, not, allowed := EffectivePermissions(role.Permissions, req.Action, req.DataAction)
		switch {
		case allowed && !req.At.IsZero() && a.EffectiveAt.After(req.At):
			d.Pending = append(d.Pending, a)
		case allowed:
			d.Grants = append(d.Grants, Grant{Assignment: a, Role: role, Pattern: by, ViaGroup: via,
				Inherited: !SameScope(a.Scope, req.Scope)})
		case by != "":
			d.Blocked = append(d.Blocked, Blocked{Assignment: a, Role: role, Pattern: by, NotPattern: not, ViaGroup: via})
		}
	}
	// Best grant first: the closest scope, then direct before group.
	sort.SliceStable(d.Grants, func(i, j int) bool {
		si, sj := len(segments(d.Grants[i].Assignment.Scope)), len(segments(d.Grants[j].Assignment.Scope))
		if si != sj {
			return si > sj
		}
		return d.Grants[i].ViaGroup == "" && d.Grants[j].ViaGroup != ""
	})
	d.Allowed = len(d.Grants) > 0
	if d.Allowed {
		if m := matchDeny(req, members, denies); m != nil {
			d.Denied, d.Allowed = m, false
		}
	}
	d.Reason = reason(d)
	return d
}

func matchDeny(req Request, members map[string]string, denies []DenyAssignment) *DenyMatch {
	a := strings.ToLower(req.Action)
	for _, da := range denies {
		if !ScopeContains(da.Scope, req.Scope) || (da.DoNotApplyToChildScopes && !SameScope(da.Scope, req.Scope)) {
			continue
		}
		if !denyCovers(da, members) {
			continue
		}
		for _, p := range da.Permissions {
			allow, not := p.Actions, p.NotActions
			if req.DataAction {
				allow, not = p.DataActions, p.NotDataActions
			}
			if by := firstMatch(allow, a); by != "" && firstMatch(not, a) == "" {
				return &DenyMatch{Deny: da, Pattern: by}
			}
		}
	}
	return nil
}

func denyCovers(da DenyAssignment, members map[string]string) bool {
	for _, x := range da.ExcludePrincipals {
		if _, ok := members[strings.ToLower(x.ID)]; ok {
			return false
		}
	}
	for _, p := range da.Principals {
		if p.ID == Everyone {
			return true
		}
		if _, ok := members[strings.ToLower(p.ID)]; ok {
			return true
		}
	}
	return false
}

func reason(d Decision) string {
	act := d.Request.Action
	switch {
	case d.Denied != nil:
		name := d.Denied.Deny.DenyAssignmentName
		if name == "" {
			name = d.Denied.Deny.Name
		}
		return fmt.Sprintf("Denied by deny assignment %q at %s (pattern %s), although %s grants it",
			name, d.Denied.Deny.Scope, d.Denied.Pattern, d.Grants[0].Role.RoleName)
	case d.Allowed:
		g := d.Grants[0]
		s := fmt.Sprintf("Allowed by %s assigned at %s", g.Role.RoleName, g.Assignment.Scope)
		if g.ViaGroup != "" {
			s += fmt.Sprintf(" to group %s", g.ViaGroup)
		}
		if g.Inherited {
			s += " (inherited)"
		}
		return s + fmt.Sprintf(", pattern %s", g.Pattern)
	case len(d.Pending) > 0:
		return fmt.Sprintf("Not yet: a new role assignment grants %s but has not propagated", act)
	case len(d.Blocked) > 0:
		b := d.Blocked[0]
		return fmt.Sprintf("%s matches %s through %s, but its NotAction %s removes it", b.Role.RoleName, act, b.Pattern, b.NotPattern)
	default:
		return fmt.Sprintf("No role assignment grants %s at this scope or above", act)
	}
}
