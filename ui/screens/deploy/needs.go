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

// fixable is the need at i when a role assignment would meet it, else the
// first that one would; ok=false when there is nothing to fix.
func fixable(needs []azure.Need, i int) (azure.Need, bool) {
	can := func(n azure.Need) bool { return n.Needed && n.Fix != nil && n.Outcome != rbac.Allowed }
	if i >= 0 && i < len(needs) && can(needs[i]) {
		return needs[i], true
	}
	for _, n := range needs {
		if can(n) {
			return n, true
		}
	}
	return azure.Need{}, false
}

// assignFor is the assign wizard prefilled for a need: the endpoint
// identity, the role Azure gives a system-assigned identity for it, and the
// resource where it is needed. It opens on the review of exactly that; esc
// goes back to the other roles that grant it (the engine's suggestions).
func assignFor(n azure.Need) nav.AssignMsg {
	f := n.Fix
	roles := []rbac.RoleDefinition{f.Role}
	if n.Verdict != nil {
		for _, r := range n.Verdict.Suggest {
			if !strings.EqualFold(r.RoleName, f.Role.RoleName) {
				roles = append(roles, r)
			}
		}
	}
	return nav.AssignMsg{Principal: f.Principal, Scopes: []string{f.Scope}, Action: n.Op.Action, Suggest: roles, Role: f.Role.RoleName}
}

// identityLine names the endpoint identity: kind, name, principal id.
func identityLine(r azure.RunCheck) string {
	id := r.Identity
	s := components.Clean(id.Label())
	if id.Principal.ID != "" {
		s += " · principal id " + components.Clean(id.Principal.ID)
	} else if id.Unresolved != "" {
		s += " · principal unknown: " + components.Clean(id.Unresolved)
	}
	return s
}

// needLines draws each need: verdict, why and fix; the cursor marks the
// one the fix key acts on.
func needLines(st *theme.Styles, r azure.RunCheck, cursor, w int) []string {
	var out []string
	for i, n := range r.Needs {
		mark := "  "
		if i == cursor {
			mark = st.Cursor.Render("› ")
		}
		verdict := nav.NeedVerdict(st, n)
		out = append(out, components.Fit(mark+verdict+"  "+st.Bold.Render(components.Clean(n.Op.Name)), w))
		if n.Needed && n.Scope != "" {
			data := ""
			if n.Op.DataAction {
				data = " (a DataAction: only DataActions grant it; Reader and Contributor do not)"
			}
			out = append(out, indent(st.Muted.Render(components.Clean(n.Op.Action)+data+" on "+components.ScopeName(n.Scope)), w)...)
		}
		if n.Why != "" {
			out = append(out, indent("why: "+components.Clean(n.Why), w)...)
		}
		if n.Recent {
			// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
			out = append(out, indent(st.Warn.Render("assigned within the last 10 minutes: Azure may not apply it yet, so a deployment can still fail "+
				"the same way for a while; retry then"), w)...)
		}
		switch {
		case n.Fix != nil && n.Outcome != rbac.Allowed:
			out = append(out, indent(st.Accent.Render("fix (f): "+components.Clean(n.Fix.Text)), w)...)
		case n.Verdict != nil && n.Outcome == rbac.DeniedByDenyAssignment:
			for _, a := range n.Verdict.Advice {
				out = append(out, indent(st.Warn.Render("next: "+components.Clean(a)), w)...)
			}
		}
	}
	for _, p := range r.Partial {
		out = append(out, indent(st.Warn.Render(fmt.Sprintf("not read: %s", components.Clean(p))), w)...)
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
