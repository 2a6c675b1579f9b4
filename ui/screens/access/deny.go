package access

import (
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
)

// denyLines describe the deny assignment that blocks an action: its name,
// where it sits, what created it, whom it covers and excludes, and the one
// real way past it (advice, from azure: be excluded, or use an identity that
// is). A deny assignment wins over every role assignment, so no role is
// ever offered as the fix
// (https://learn.microsoft.com/azure/role-based-access-control/deny-assignments).
func denyLines(d *azure.DenyDetail, advice []string) []string {
	principals := func(ps []rbac.Principal) string {
		var out []string
		for _, p := range ps {
			n := p.DisplayName
			switch {
			case p.ID == rbac.Everyone:
				n = "Everyone"
			case n == "":
				n = p.ID
			}
			if p.Type != "" && p.ID != rbac.Everyone {
				n += " (" + strings.ToLower(p.Type) + ")"
			}
			out = append(out, components.Clean(n))
		}
		if len(out) == 0 {
			return "nobody"
		}
		return strings.Join(out, ", ")
	}
	lines := []string{
		"⊘ Blocked by the deny assignment “" + components.Clean(d.Name) + "”",
		"  where: " + levelOf(d.Scope) + " " + d.Scope,
	}
	if d.DoNotApplyToChildScopes {
		lines = append(lines, "  (it applies at that scope only, not below it)")
	}
	created := "not stated by Azure"
	switch {
	case d.CreatedBy != "":
		created = d.CreatedBy
	case d.IsSystemProtected:
		created = "an Azure service (system protected: a managed application, a blueprint or a deployment stack)"
	}
	lines = append(lines, "  created by: "+components.Clean(created))
	if d.Description != "" {
		lines = append(lines, "  description: "+components.Clean(d.Description))
	}
	lines = append(lines, "  blocks: "+d.Pattern+" for "+principals(d.Principals),
		"  excluded: "+principals(d.Excluded))
	for _, a := range advice {
		lines = append(lines, "  • "+components.Clean(a))
	}
	return lines
}
