package access

import (
	"fmt"
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

func (a *Assign) View(w, h int) string {
	st := a.env.Styles
	head := st.Title.Render("Assign a role") + "  " + st.Muted.Render("to ") + components.Clean(a.m.Principal.Label())
	if a.busy {
		head += "  " + a.spin.View()
	}
	var lines []string
	if a.m.Action != "" {
		lines = append(lines, st.Muted.Render("for    ")+wrapIndent(a.m.Action, w-7, 7))
	}
	if a.step > aRole {
		lines = append(lines, st.Muted.Render("role   ")+components.Clean(a.role.RoleName))
	}
	if a.step > aScope {
		lines = append(lines, st.Muted.Render("scope  ")+wrapIndent(levelOf(a.scope)+" "+a.scope, w-7, 7))
	}
	if a.err != nil {
		lines = append(lines, nav.Problem(st, "Assigning", nav.RetryWith(a.err, "y"), w))
	}
	top := head + "\n" + strings.Join(lines, "\n")
	var body string
	switch a.step {
	case aRole:
		intro := "Choose the role (the smallest that grants the action is first; dimmed roles would not make it work):"
		if a.accErr != nil {
			intro += "\n" + st.Warn.Render(wrap("? The deny assignments could not be read, so a role marked ✓ may still be blocked: "+
				components.Clean(azure.Explain(a.accErr).Title), w))
		} else if a.access != nil && a.access.DeniesUnknown {
			intro += "\n" + st.Warn.Render(wrap("? The deny assignments could not be read, so a role marked ✓ may still be blocked by one.", w))
		} else if a.access == nil && a.m.Action != "" {
			intro += "\n" + st.Muted.Render("Reading the deny assignments where it is needed…")
		}
		body = st.Muted.Render(wrap(intro, w))
		a.tableTop = height(top) + height(body)
		body += "\n" + a.roles.View(w, max(h-a.tableTop, 3))
	case aScope:
		body = st.Muted.Render(wrap("Choose where to assign it (narrowest first; it applies to everything below):", w))
		a.tableTop = height(top) + height(body)
		full := ""
		if r, ok := a.scopes.Selected(); ok { // the whole id, which the table may shorten
			full = st.Muted.Render("scope  ") + wrapIndent(r.ID, w-7, 7)
		}
		body += "\n" + a.scopes.View(w, max(h-a.tableTop-height(full), 3)) + "\n" + full
	case aApplying:
		body = "Applying…"
	default:
		var content string
		if a.step == aReview {
			content = a.review(w)
		} else {
			content = a.verification(w)
		}
		a.vp.SetWidth(w)
		a.vp.SetHeight(max(h-height(top), 3))
		a.vp.SetContent(content)
		body = a.vp.View()
	}
	return components.Block(top+"\n"+body, w, h)
}

// review is everything that will run, wrapped, never cut.
func (a *Assign) review(w int) string {
	st := a.env.Styles
	var b []string
	if a.m.Action != "" && !a.grants(a.role) {
		b = append(b, st.Warn.Render(wrap("! "+a.role.RoleName+" does not grant "+a.m.Action+": this assignment will not make the operation work.", w)), "")
	}
	if v, ok := a.blocked(); ok {
		b = append(b, st.Err.Render(wrap("A deny assignment blocks this action whatever the role: assigning it will not make the operation work.", w)))
		for _, l := range denyLines(v.Deny, v.Advice) {
			b = append(b, wrapIndent(l, w, 4))
		}
		b = append(b, "")
	}
	b = append(b, st.Bold.Render("Review — this is what will run:"), "")
	if a.create {
		b = append(b, st.Bold.Render("1. Create the custom role")+st.Muted.Render(" (role.json, the seeds' template with the real ids):"))
		for _, l := range strings.Split(roleJSON(a.role), "\n") {
			b = append(b, wrapIndent("  "+l, w, 6))
		}
		b = append(b, "", wrapIndent("  az role definition create --role-definition @role.json", w, 4),
			wrapIndent("  PUT https://management.azure.com"+a.role.AssignableScopes[0]+"/providers/Microsoft.Authorization/roleDefinitions/{new-guid}?api-version=2022-04-01", w, 4),
			st.Muted.Render(wrapIndent("  It is created at "+levelOf(a.role.AssignableScopes[0])+" "+a.role.AssignableScopes[0]+
				": creating a role needs Microsoft.Authorization/roleDefinitions/write on every one of its assignable scopes.", w, 4)),
			"", st.Bold.Render("2. Assign it")+":")
	}
	az, rest := a.commands()
	b = append(b, st.Muted.Render("  az CLI:"), wrapIndent("  "+az, w, 4), "", st.Muted.Render("  REST:"))
	for _, l := range strings.Split(rest, "\n") {
		b = append(b, wrapIndent("  "+l, w, 4))
	}
	keys := st.Accent.Render("y") + " applies · " + st.Accent.Render("a") + " copies the az command · " + st.Accent.Render("r") + " the REST request"
	if a.create {
		keys += " · " + st.Accent.Render("j") + " role.json with its az command"
	}
	b = append(b, "", keys+" · esc goes back")
	return strings.Join(b, "\n")
}

// verification says exactly what was checked. For yourself Azure is asked
// what you may do; for anyone else only that the assignment is listed can
// be known, so three separate facts are shown and never "effective".
func (a *Assign) verification(w int) string {
	st := a.env.Styles
	el := a.elapsed()
	v := a.last.v
	var b []string
	add := func(s string) { b = append(b, wrapIndent(s, w, 2)) }
	if a.self {
		switch {
		case a.step == aVerify:
			add(fmt.Sprintf("Verifying: asking Azure every %s whether you may %s at %s — %s elapsed, %d checks",
				a.poll(), a.op().Name, levelOf(a.target()), el, a.checks))
			add(st.Muted.Render("Azure takes up to 10 minutes to apply a new assignment. s stops (the assignment stays)."))
		case v.Effective:
			add(st.OK.Render(fmt.Sprintf("✓ Effective after %s: Azure says so.", el)))
			add(st.Muted.Render("Get a new token to use it: refresh your credentials (sign in again, or wait for the token to renew)."))
		default:
			add(st.Warn.Render(fmt.Sprintf("Not effective yet after %s: Azure does not allow it yet. The assignment is kept.", el)))
			add(st.Muted.Render("Check again later from the check screen (R)."))
		}
		b = append(b, "", st.Bold.Render("What Azure answered:"))
		if v.Verdict != nil && v.Verdict.PermissionsAPI != nil {
			add(fmt.Sprintf("  Permissions API at %s: %s", levelOf(a.target()), yesNo(*v.Verdict.PermissionsAPI, "allows it", "does not list it yet")))
		}
		if v.Verdict != nil {
			add("  Deny assignments: " + denySummary(*v.Verdict))
		}
		if v.Probe != "" && v.ProbeOK != nil {
			add(fmt.Sprintf("  Tried %s: %s", v.Probe, yesNo(*v.ProbeOK, "succeeded", "refused — "+components.Clean(v.ProbeErr))))
		} else if v.ProbeErr != "" {
			add("  " + components.Clean(v.ProbeErr))
		}
	} else {
		who := components.Clean(a.m.Principal.Label())
		switch {
		case v.Listed:
			add(st.OK.Render("assigned ✓") + " (listed by Azure)")
		case a.step == aVerify:
			add(fmt.Sprintf("assigned — waiting for Azure to list it: %s elapsed, %d checks", el, a.checks))
		case v.ListErr != "":
			add(st.Warn.Render("assigned, but Azure's list could not be read: ") + components.Clean(v.ListErr))
		default:
			add(st.Warn.Render(fmt.Sprintf("assigned, but Azure did not list it within %s", el)))
		}
		if v.Typical != "" {
			b = append(b, "")
			add(st.Bold.Render("How long Azure usually takes: ") + v.Typical)
		}
		if v.Command != "" {
			b = append(b, "")
			add(st.Bold.Render(who + " can check for themselves with:"))
			add("  " + v.Command)
			add(st.Muted.Render("amlauth-tui cannot act as someone else, so it cannot tell whether the role is in effect for them. m copies the command."))
		}
	}
	if a.assigned.ID != "" {
		b = append(b, "")
		add(st.Muted.Render("assignment: ") + a.assigned.ID)
	}
	if a.step == aDone {
		b = append(b, "", st.Accent.Render("enter")+" back to the check")
	}
	return strings.Join(b, "\n")
}

func yesNo(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// denySummary says what the deny assignments did for one verdict.
func denySummary(v azure.Verdict) string {
	switch {
	case v.Deny != nil:
		return "blocked by “" + components.Clean(v.Deny.Name) + "”"
	case len(v.Missing) > 0:
		for _, m := range v.Missing {
			if m.What == "deny assignments" {
				return "could not be read"
			}
		}
	}
	return "none blocks it"
}
