package access

import (
	"strings"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
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
		lines = append(lines, st.Muted.Render("where  ")+wrapIndent(levelOf(c.scope)+" "+c.scope, w-7, 7))
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
		if c.access != nil && !c.explain {
			for _, u := range c.access.Unreadable {
				lines = append(lines, st.Warn.Render(wrapIndent("! "+components.Clean(unreadText(*c.access, u)), w, 2)))
			}
			if len(c.access.Unreadable) > 0 {
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
	if c.step == stepVerdict && c.access != nil && c.explain {
		c.why.SetWidth(w)
		c.why.SetHeight(max(rest, 3))
		c.why.SetContent(c.evaluation(w))
		body = c.why.View()
	} else if c.step == stepVerdict && c.access != nil {
		detail := strings.Split(c.detail(w), "\n")
		room := max(rest-6, 3)  // the table keeps at least its header and a few rows
		if len(detail) > room { // whole lines only, and a pointer to all of it
			detail = append(detail[:room-1], st.Muted.Render("… more below: w shows the whole explanation"))
		}
		dh := len(detail)
		body = c.verdicts.View(w, max(rest-dh-1, 4)) + "\n" + components.Block(strings.Join(detail, "\n"), w, dh)
	} else if c.step == stepVerdict {
		body = st.Muted.Render("Reading role assignments, role definitions, deny assignments and group memberships…")
	} else {
		body = c.table().View(w, max(rest, 3))
	}
	return components.Block(top+"\n"+body, w, h)
}

// unreadText says what could not be read: for a refusal, the action and
// the roles that read it; otherwise Azure's answer (its status) and what
// the verdicts lack because of it (Access.Partial, in the same order).
func unreadText(a azure.Access, u azure.Unreadable) string {
	if u.Action != "" {
		return u.Text()
	}
	for i, x := range a.Unreadable {
		if x.What == u.What && i < len(a.Partial) {
			return a.Partial[i]
		}
	}
	return u.Text()
}
