package access

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// --- the check wizard -------------------------------------------------------

// layout sizes what Update needs sized (the evaluation's viewport scrolls
// by keys; clicks land on the table) at the screen's size.
func (c *Check) layout() {
	w, h := c.Size()
	if w == 0 || h == 0 {
		return
	}
	c.input.SetWidth(max(w-8, 10))
	c.actionIn.SetWidth(max(w-10, 10))
	c.tableTop = lipgloss.Height(c.top(w))
	if c.explain && c.access != nil {
		c.why.SetWidth(w)
		c.why.SetHeight(max(h-c.tableTop, 3))
		if k := c.whyKeyAt(w); c.whyHeld != k {
			c.why.SetContent(c.whyAt(w))
			c.whyHeld = k
		}
	}
}

// whyKey is what the rendered evaluation depends on: the width, the
// snapshot and the verdicts it explains, the one selected, who and where,
// and the theme.
type whyKey struct {
	w          int
	access     *azure.Access
	results    *azure.Verdict // a new check (or re-check) makes new verdicts
	sel        string
	who, where string
	theme      int
}

// whyCache is the last rendered evaluation and what it was rendered for.
type whyCache struct {
	ok      bool
	key     whyKey
	text    string
	renders int // how many times it was rendered (tests count them)
}

func (c *Check) whyKeyAt(w int) whyKey {
	k := whyKey{w: w, access: c.access, who: c.principal.ID + "\x00" + c.principal.Label(), where: c.scope, theme: c.themeGen}
	if len(c.results) > 0 {
		k.results = &c.results[0]
	}
	if r, ok := c.verdicts.Selected(); ok {
		k.sel = r.ID
	}
	return k
}

// whyAt is the evaluation at width w, rendered only when the width or the
// content changed since the last time (a memo: View may fill it).
func (c *Check) whyAt(w int) string {
	if k := c.whyKeyAt(w); !c.whyText.ok || c.whyText.key != k {
		c.whyText = whyCache{ok: true, key: k, text: c.evaluation(w), renders: c.whyText.renders + 1}
	}
	return c.whyText.text
}

// View draws the step; it changes nothing (copies are sized to draw).
func (c *Check) View(w, h int) string {
	st := c.env.Styles
	if c.api() == nil && c.access == nil && c.step == stepWho {
		return components.Block(st.Warn.Render("Sign in first: the check asks Azure about role assignments."), w, h)
	}
	top := c.top(w)
	rest := h - lipgloss.Height(top)
	var body string
	switch {
	case c.step == stepVerdict && c.access != nil && c.explain:
		vp := c.why // laid out at the screen's size: only a frame at another width renders it again
		vp.SetWidth(w)
		vp.SetHeight(max(rest, 3))
		if c.whyHeld != c.whyKeyAt(w) {
			vp.SetContent(c.whyAt(w))
		}
		body = vp.View()
	case c.step == stepVerdict && c.access != nil:
		detail := strings.Split(c.detail(w), "\n")
		room := max(rest-4, 3)  // the table keeps its header and the selected row
		if len(detail) > room { // whole lines only, and where the rest is
			detail = append(detail[:room-1], st.Muted.Render("more below: w shows the whole explanation"))
		}
		dh := len(detail)
		body = c.verdicts.View(w, max(rest-dh-1, 3)) + "\n" + components.Block(strings.Join(detail, "\n"), w, dh)
	case c.step == stepVerdict:
		body = st.Muted.Render(wrap("Reading role assignments, role definitions, deny assignments and group memberships…", w))
	default:
		body = c.table().View(w, max(rest, 3))
	}
	return components.Block(top+"\n"+body, w, h)
}

// top is everything above the table: the steps, who and where, what went
// wrong, and the step's help, wrapped.
func (c *Check) top(w int) string {
	st := c.env.Styles
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
	if c.Busy() {
		head += "  " + c.Spinner()
	}
	lines := []string{head}
	if c.principal.ID != "" && c.step > stepWho {
		lines = append(lines, st.Muted.Render("who    ")+wrapIndent(components.Clean(c.principal.Label()), w-7, 7))
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
	switch c.step {
	case stepWho:
		in := c.input
		in.SetWidth(max(w-8, 10))
		lines = append(lines, in.View(), st.Muted.Render(wrap("Search the directory (Graph) or pick below: enter chooses, i or / types again.", w)))
	case stepWhere:
		lines = append(lines, st.Muted.Render(wrap("Where: the scopes around here, narrowest first. Roles assigned above a scope apply to it.", w)))
	case stepWhat:
		lines = append(lines, st.Muted.Render(wrap("What: the operations of the seed table (space toggles, a all/none, + types an action, enter checks). Preselected for this auth mode.", w)))
		if c.typingAct {
			in := c.actionIn
			in.SetWidth(max(w-10, 10))
			lines = append(lines, in.View())
			if c.actErr != nil {
				lines = append(lines, st.Err.Render(wrap(components.Clean(c.actErr.Error()), w)))
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
	return strings.Join(lines, "\n")
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

// --- the assign wizard ------------------------------------------------------

// layout sizes the review's and the verification's viewport (keys scroll
// it) and finds where the table starts (clicks), at the screen's size.
func (a *Assign) layout() {
	w, h := a.Size()
	if w == 0 || h == 0 {
		return
	}
	top, intro := a.top(w), a.intro(w)
	a.tableTop = height(top) + height(intro)
	if content := a.content(w); content != "" {
		a.vp.SetWidth(w)
		a.vp.SetHeight(max(h-height(top), 3))
		a.vp.SetContent(content)
	}
}

// View draws the step; it changes nothing (copies are sized to draw).
func (a *Assign) View(w, h int) string {
	st := a.env.Styles
	top := a.top(w)
	var body string
	switch a.step {
	case aRole:
		intro := a.intro(w)
		body = intro + "\n" + a.roles.View(w, max(h-height(top)-height(intro), 3))
	case aScope:
		intro := a.intro(w)
		full := ""
		if r, ok := a.scopes.Selected(); ok { // the whole id, which the table may shorten
			full = st.Muted.Render("scope  ") + wrapIndent(r.ID, w-7, 7)
		}
		body = intro + "\n" + a.scopes.View(w, max(h-height(top)-height(intro)-height(full), 3)) + "\n" + full
	case aApplying:
		body = a.Spinner() + " Applying…"
	default:
		vp := a.vp
		vp.SetWidth(w)
		vp.SetHeight(max(h-height(top), 3))
		vp.SetContent(a.content(w))
		body = vp.View()
	}
	return components.Block(top+"\n"+body, w, h)
}

func (a *Assign) top(w int) string {
	st := a.env.Styles
	head := st.Title.Render("Assign a role") + "  " + st.Muted.Render("to ") + components.Clean(a.m.Principal.Label())
	if a.Busy() || a.step == aVerify {
		head += "  " + a.Spinner()
	}
	lines := []string{head}
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
	return strings.Join(lines, "\n")
}

// intro is the line above the role or scope table.
func (a *Assign) intro(w int) string {
	st := a.env.Styles
	switch a.step {
	case aRole:
		intro := "Choose the role (the least privileged that grants the action is first; dimmed roles would not make it work):"
		switch {
		case a.accErr != nil:
			intro += "\n" + st.Warn.Render(wrap("? The deny assignments could not be read, so a role marked ✓ may still be blocked: "+
				components.Clean(azure.Explain(a.accErr).Title), w))
		case a.access != nil && a.access.DeniesUnknown:
			intro += "\n" + st.Warn.Render(wrap("? The deny assignments could not be read, so a role marked ✓ may still be blocked by one.", w))
		case a.access == nil && a.m.Action != "":
			intro += "\n" + st.Muted.Render("Reading the deny assignments where it is needed…")
		}
		return st.Muted.Render(wrap(intro, w))
	case aScope:
		return st.Muted.Render(wrap("Choose where to assign it (narrowest first; it applies to everything below):", w))
	}
	return ""
}

// content is what the viewport shows: the review, or the verification.
func (a *Assign) content(w int) string {
	switch a.step {
	case aReview:
		return a.review(w)
	case aVerify, aDone:
		return a.verification(w)
	}
	return ""
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
		scope := a.role.AssignableScopes[0]
		b = append(b, st.Bold.Render("1. Create the custom role")+st.Muted.Render(" (role.json, the seeds' template with the real ids):"))
		for _, l := range strings.Split(roleJSON(a.role), "\n") {
			b = append(b, wrapIndent("  "+l, w, 6))
		}
		b = append(b, "", wrapIndent("  az role definition create --role-definition @role.json", w, 4))
		for _, l := range strings.Split(a.config().RoleDefinitionREST(a.role), "\n") {
			b = append(b, wrapIndent("  "+l, w, 4))
		}
		b = append(b, st.Muted.Render(wrapIndent("  It is created at "+levelOf(scope)+" "+scope+
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
	b = append(b, "", wrap(keys+" · esc goes back", w))
	return strings.Join(b, "\n")
}

// verification says exactly what was checked. For yourself Azure is asked
// what you may do; for anyone else only that the assignment is listed can
// be known, so three separate facts are shown and never "effective".
func (a *Assign) verification(w int) string {
	st := a.env.Styles
	el := a.elapsed()
	v := a.last
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
		if cmd := a.theirCommand(); cmd != "" {
			b = append(b, "")
			add(st.Bold.Render(who + " can check for themselves with:"))
			add("  " + cmd)
			add(st.Muted.Render("amlauth-tui cannot act as someone else, so it cannot tell whether the role is in effect for them. m copies the command."))
		}
	}
	if a.assigned.ID != "" {
		b = append(b, "")
		add(st.Muted.Render("assignment: ") + a.assigned.ID)
	}
	b = append(b, "", st.Accent.Render("enter")+" or "+st.Accent.Render("esc")+" back to the check")
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
