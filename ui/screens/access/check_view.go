package access

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

func (c *Check) View(w, h int) string {
	st := c.env.Styles
	if c.env.Session == nil && c.access == nil && c.step == stepWho {
		return components.Block(st.Warn.Render("Sign in first: the check asks Azure about role assignments."), w, h)
	}
	stepName := []string{"1 Who", "2 Where", "3 What", "4 Verdict"}
	var crumbs []string
	for i, n := range stepName {
		if step(i) == c.step {
			crumbs = append(crumbs, st.Accent.Bold(true).Render(n))
		} else {
			crumbs = append(crumbs, st.Muted.Render(n))
		}
	}
	head := st.Title.Render("Check access") + "  " + strings.Join(crumbs, st.Muted.Render(" › "))
	if c.busy {
		head += "  " + c.spin.View()
	}
	var lines []string
	if c.principal.ID != "" && c.step > stepWho {
		lines = append(lines, st.Muted.Render("who    ")+components.Clean(c.principal.Label()))
	}
	if c.scope != "" && c.step > stepWhere {
		lines = append(lines, st.Muted.Render("where  ")+components.Fit(c.scope, w-7))
	}
	if c.err != nil {
		what, err := "Checking access", c.err
		if c.step == stepWho { // R would type into the search: enter searches again
			what, err = "Searching the directory", nav.RetryWith(c.err, "enter")
		}
		lines = append(lines, nav.Problem(st, what, err, w))
	}
	var body string
	switch c.step {
	case stepWho:
		c.input.SetWidth(max(w-8, 10))
		lines = append(lines, c.input.View(), st.Muted.Render(components.Fit("Search the directory (Graph) or pick below: enter chooses, i or / types again.", w)))
	case stepWhere:
		lines = append(lines, st.Muted.Render("Where: the scopes around here, narrowest first. Roles assigned above a scope apply to it."))
	case stepWhat:
		lines = append(lines, st.Muted.Render(components.Fit("What: the operations of the seed table (space toggles, a all/none, + types an action, enter checks). Preselected for this auth mode.", w)))
		if c.typingAct {
			c.actionIn.SetWidth(max(w-10, 10))
			lines = append(lines, c.actionIn.View())
			if c.actErr != nil {
				lines = append(lines, st.Err.Render(components.Fit(components.Clean(c.actErr.Error()), w)))
			}
		}
	case stepVerdict:
		if c.access != nil {
			for _, p := range c.access.Partial {
				lines = append(lines, st.Warn.Render(components.Fit("! "+components.Clean(p), w)))
			}
			if len(c.access.Partial) > 0 {
				lines = append(lines, st.Muted.Render("R re-checks once Azure answers."))
			}
		}
	}
	top := head
	if len(lines) > 0 {
		top += "\n" + strings.Join(lines, "\n")
	}
	c.tableTop = lipgloss.Height(top)
	rest := h - c.tableTop
	if c.step == stepVerdict && c.access != nil {
		detail := c.detail(w)
		dh := min(lipgloss.Height(detail), max(rest-5, 3))
		body = c.verdicts.View(w, max(rest-dh-1, 4)) + "\n" + components.Block(detail, w, dh)
	} else if c.step == stepVerdict {
		body = st.Muted.Render("Reading role assignments, role definitions, deny assignments and group memberships…")
	} else {
		body = c.table().View(w, max(rest, 3))
	}
	return components.Block(top+"\n"+body, w, h)
}

// detail explains the selected verdict: grants, NotActions, deny, pending,
// what would grant it, and what the Permissions API says for "me".
func (c *Check) detail(w int) string {
	st := c.env.Styles
	v, ok := c.selected()
	if !ok {
		return ""
	}
	d := v.Decision
	var b []string
	add := func(s string) { b = append(b, components.Fit(s, w)) }
	act := v.Op.Action
	if act == "" {
		act = "(no action)"
	}
	add(st.Bold.Render(v.Op.Name) + st.Muted.Render("  "+act))
	switch {
	case v.NoRole:
		add(st.OK.Render("✓ ") + components.Clean(v.Op.Note))
	case v.Unknown:
		add(st.Warn.Render("? ") + "The role assignments could not be read here, so there is no verdict.")
	case d.Denied != nil:
		add(st.Err.Render("✗ ") + components.Clean(d.Reason))
		add(st.Muted.Render("  A deny assignment wins over every role; only its owner (often a managed application) can lift it."))
	case d.Allowed:
		for i, g := range d.Grants {
			if i == 3 {
				add(st.Muted.Render(fmt.Sprintf("  … and %d more assignments grant it", len(d.Grants)-3)))
				break
			}
			how := "assigned directly"
			if g.ViaGroup != "" {
				how = "through group " + components.Clean(c.name(g.ViaGroup))
			}
			where := "at this scope"
			if g.Inherited {
				where = "inherited from " + components.ScopeName(g.Assignment.Scope)
			}
			add(st.OK.Render("✓ ") + fmt.Sprintf("%s, %s, %s — pattern %s", components.Clean(g.Role.RoleName), how, where, g.Pattern))
		}
	default:
		add(st.Err.Render("✗ ") + components.Clean(d.Reason))
		for _, bl := range d.Blocked {
			add(st.Muted.Render(fmt.Sprintf("  %s matches through %s but its NotAction %s removes it", bl.Role.RoleName, bl.Pattern, bl.NotPattern)))
		}
		if len(d.Pending) > 0 {
			add(st.Warn.Render("  A new assignment grants it but has not propagated yet: wait and re-check (R)."))
		}
		if len(v.Suggest) > 0 {
			var names []string
			for _, r := range v.Suggest {
				n := r.RoleName
				if r.RoleType == "CustomRole" {
					n += " (custom, from the seeds)"
				}
				names = append(names, n)
			}
			add("  Would be granted by: " + strings.Join(names, ", "))
			add(st.Accent.Render("  A") + " opens the assign wizard with these roles.")
		}
		if v.Op.Key == "endpoint.score" {
			add(st.Muted.Render("  Only aad_token endpoints check this; key and aml_token scoring needs no role (the key or AML token is the proof)."))
		}
	}
	if v.PermissionsAPI != nil {
		if *v.PermissionsAPI == d.Allowed {
			add(st.Muted.Render(fmt.Sprintf("  The Permissions API agrees (%v).", *v.PermissionsAPI)))
		} else {
			add(st.Warn.Render(fmt.Sprintf("  ! The Permissions API says %v: they disagree — a change may still be propagating; R re-checks.", *v.PermissionsAPI)))
		}
	}
	return strings.Join(b, "\n")
}
