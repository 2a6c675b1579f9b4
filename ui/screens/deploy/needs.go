package deploy

import (
	"fmt"
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// fixable is the need at i when a role would fix it, else the first that
// one would; ok=false when nothing is to be fixed.
func fixable(needs []Need, i int) (Need, bool) {
	can := func(n Need) bool {
		return n.Skip == "" && n.Err == nil && !n.Verdict.Decision.Allowed && n.Verdict.Deny == nil
	}
	if i >= 0 && i < len(needs) && can(needs[i]) {
		return needs[i], true
	}
	for _, n := range needs {
		if can(n) {
			return n, true
		}
	}
	return Need{}, false
}

// assignFor is the assign wizard prefilled for a need: the endpoint
// identity, the role Azure gives a system-assigned identity for it first
// (then the engine's suggestions), and the resource where it is needed.
func assignFor(id azure.PrincipalRef, n Need) nav.AssignMsg {
	var roles []rbac.RoleDefinition
	if r, ok := rbac.RoleByName(rbac.BuiltinRoles(), n.Role); ok && n.Role != "" {
		roles = append(roles, r)
	}
	for _, r := range n.Verdict.Suggest {
		if !strings.EqualFold(r.RoleName, n.Role) {
			roles = append(roles, r)
		}
	}
	return nav.AssignMsg{Principal: id, Scopes: []string{n.Scope}, Action: n.Op.Action, Suggest: roles}
}

// identityLine names the endpoint identity: kind, name, principal id.
func identityLine(r Report) string {
	kind := "system-assigned"
	if strings.EqualFold(r.Type, "UserAssigned") {
		kind = "user-assigned"
	}
	return fmt.Sprintf("%s identity %s · principal id %s", kind, components.Clean(r.Identity.DisplayName), components.Clean(r.Identity.ID))
}

// needLines draws each need: verdict, why and fix; the cursor marks the
// one the fix key acts on.
func needLines(st *theme.Styles, r Report, cursor, w int) []string {
	var out []string
	for i, n := range r.Needs {
		mark := "  "
		if i == cursor {
			mark = st.Cursor.Render("› ")
		}
		v := n.Verdict
		var verdict, why, fix string
		switch {
		case n.Skip != "":
			verdict, why = st.Muted.Render("– not needed"), n.Skip
		case n.Err != nil:
			verdict, why = st.Warn.Render("? unknown"), azure.Explain(n.Err).Title
		case v.Unknown:
			verdict, why = st.Warn.Render("? unknown"), missingText(v)
		case v.Decision.Allowed:
			verdict, why = st.OK.Render("✓ allowed"), grantText(v)
		case v.Deny != nil:
			verdict, why = st.Err.Render("✗ denied"), "deny assignment "+v.Deny.Name+" blocks it: no role helps; ask its owner"
		case v.Outcome == rbac.Pending:
			verdict, why = st.Warn.Render("… assigned, not in effect yet"), v.Decision.Reason
		default:
			verdict, why = st.Err.Render("✗ not granted"), components.Clean(v.Decision.Reason)
			role := n.Role
			if role == "" && len(v.Suggest) > 0 {
				role = v.Suggest[0].RoleName
			}
			fix = "f assigns " + role + " on " + components.ScopeName(n.Scope)
		}
		data := ""
		if n.Data {
			data = " (a DataAction)"
		}
		out = append(out, components.Fit(mark+verdict+"  "+st.Bold.Render(components.Clean(n.Op.Name)), w))
		out = append(out, indent(st.Muted.Render(components.Clean(n.Op.Action)+data+" on "+components.ScopeName(n.Scope)), w)...)
		if why != "" {
			out = append(out, indent("why: "+components.Clean(why), w)...)
		}
		if fix != "" {
			out = append(out, indent(st.Accent.Render("fix: "+fix), w)...)
		}
	}
	return out
}

func indent(s string, w int) []string {
	lines := strings.Split(components.Wrap(s, max(w-4, 10)), "\n")
	for i := range lines {
		lines[i] = "    " + lines[i]
	}
	return lines
}

func grantText(v azure.Verdict) string {
	if len(v.Decision.Grants) > 0 {
		g := v.Decision.Grants[0]
		return g.Role.RoleName + " at " + components.ScopeName(g.Assignment.Scope)
	}
	return v.Decision.Reason
}

func missingText(v azure.Verdict) string {
	var parts []string
	for _, m := range v.Missing {
		parts = append(parts, m.Text())
	}
	if len(parts) == 0 {
		return v.Decision.Reason
	}
	return strings.Join(parts, "; ")
}
