package signin

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// ProbeLines renders the chain probe, one line per source in the chain's
// order, with its real state: the first source that produced a token is
// "used"; the ones before it "failed" (why); the ones after it were only
// checked, so they "would work" or "would fail" (why) — not failures.
func ProbeLines(st *theme.Styles, probes []azure.ProbeResult, w int) string {
	var b strings.Builder
	used := -1
	for i, p := range probes {
		if p.OK {
			used = i
			break
		}
	}
	for i, p := range probes {
		var mark, state string
		switch {
		case i == used:
			mark, state = st.OK.Render("✓"), st.OK.Render("used")
		case used >= 0 && i > used && p.OK:
			mark, state = st.Muted.Render("·"), st.Muted.Render("checked after: would work")
		case used >= 0 && i > used:
			mark, state = st.Muted.Render("·"), st.Muted.Render("checked after: would fail")
		default:
			mark, state = st.Err.Render("✗"), st.Err.Render("failed")
		}
		took := fmt.Sprintf("%6s", p.Took.Round(time.Millisecond))
		if p.Took < time.Millisecond {
			took = fmt.Sprintf("%6s", p.Took.Round(time.Microsecond))
		}
		head := fmt.Sprintf(" %s %-28s %s  %s  ", mark, p.Source, st.Muted.Render(took), state)
		b.WriteString(components.Fit(head+components.Clean(p.Reason), w) + "\n")
	}
	return b.String()
}

func (s *Screen) deviceCodeView(w int) string {
	st := s.env.Styles
	c := s.code
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", s.Spinner(), st.Title.Render("Device code sign-in"))
	b.WriteString("1. Open  " + st.Accent.Underline(true).Render(components.Clean(c.VerificationURL)) + "\n")
	b.WriteString("2. Enter the code:\n\n")
	code := components.Clean(c.UserCode)
	if big, ok := components.BigText(code); ok && w >= lipgloss.Width(big)+4 {
		b.WriteString(lipgloss.NewStyle().MarginLeft(3).Render(st.Bold.Render(big)) + "\n")
	}
	b.WriteString("   " + st.Selected.Render(" "+strings.Join(strings.Split(code, ""), " ")+" ") + st.Muted.Render("   c copies it") + "\n\n")
	left := c.ExpiresAt.Sub(s.env.Now())
	cd := components.Countdown(s.env.Now(), c.ExpiresAt)
	switch {
	case left <= 0:
		b.WriteString(st.Err.Render("The code expired.") + " Press esc and start again.\n")
	case left < 2*time.Minute:
		b.WriteString(st.Warn.Render("Code expires in "+cd) + "\n")
	default:
		b.WriteString(st.Muted.Render("Code expires in "+cd) + "\n")
	}
	if s.browser != "" {
		b.WriteString(st.Info.Render(s.browser) + "\n")
	}
	b.WriteString("\n" + st.Muted.Render("Waiting for you to finish in the browser…  enter opens it here · esc cancels"))
	if s.env.ApproveDeviceCode != nil {
		b.WriteString("\n" + st.Muted.Render("Demo: press a to approve the code as a persona (the simulated browser)."))
	}
	return b.String()
}

func (s *Screen) cardView(w, h int) string {
	st := s.env.Styles
	id := s.session.Identity()
	c := components.Clean
	label := func(k string) string { return st.Muted.Render(components.Pad(k, 14)) }
	var lines []string
	add := func(k, v string) { lines = append(lines, label(k)+" "+v) }
	kind := map[string]string{"user": "user", "app": "service principal", "managedIdentity": "managed identity"}[id.Kind]
	how := " with " + s.method.Title
	if s.method.Method == azure.MethodPersona {
		how = " as a demo persona (password sign-in to the simulated Azure)"
	}
	lines = append(lines, st.OK.Render("✓ Signed in")+st.Muted.Render(how))
	lines = append(lines, "")
	if id.DisplayName != "" {
		add("Name", st.Bold.Render(c(id.DisplayName)))
	}
	if id.UPN != "" {
		add("Sign-in name", c(id.UPN))
	}
	if id.Kind != "user" && id.AppID != "" {
		add("App id", c(id.AppID))
	}
	add("Kind", kind)
	add("Object id", c(id.ObjectID))
	tenant := c(id.TenantID)
	for _, t := range s.tenantsL {
		if t.ID == id.TenantID && t.DisplayName != "" {
			tenant = c(t.DisplayName) + st.Muted.Render("  "+t.ID)
		}
	}
	add("Tenant", tenant)
	add("Token for", c(id.Audience))
	add("Expires", fmt.Sprintf("%s  %s", id.ExpiresOn.Local().Format("15:04:05"), st.Muted.Render("in "+components.Countdown(s.env.Now(), id.ExpiresOn))))
	if len(s.tenantsL) > 1 {
		lines = append(lines, "", st.Muted.Render(fmt.Sprintf("This account sees %d tenants: t switches.", len(s.tenantsL))))
	}
	card := st.Box.Render(strings.Join(lines, "\n"))
	out := st.Title.Render("Who you are") + "\n" + card + "\n"
	if len(s.probes) > 0 {
		out += st.Muted.Render("How the credential chain got here:") + "\n" + ProbeLines(st, s.probes, w)
	}
	if s.claims {
		// The same checks as the credentials screen's: is this token for
		// ARM, for you, current, and from your tenant?
		// One line while they pass (the card has no room to spare); a
		// failed one says why and what to do.
		tok := azure.Credential{Audience: id.Audience, ExpiresOn: id.ExpiresOn, Claims: id.Claims}
		checks := s.session.CheckToken(tok, s.env.Config.ARMAudience, s.env.Now())
		marks, failed := []string{}, []azure.ClaimCheck{}
		for _, c := range checks {
			if c.OK {
				marks = append(marks, st.OK.Render("✓ "+components.Clean(c.Name)))
			} else {
				marks = append(marks, st.Err.Render("✗ "+components.Clean(c.Name)))
				failed = append(failed, c)
			}
		}
		out += components.Fit(st.Title.Render("Token claims")+"  "+strings.Join(marks, " ")+
			st.Muted.Render("  (the management token, decoded like jwt.ms; signature not shown)"), w) + "\n"
		if len(failed) > 0 {
			out += strings.Join(nav.ClaimChecks(st, failed, w), "\n") + "\n"
		}
		out += ClaimLines(st, id.Claims, w)
	} else {
		out += st.Muted.Render("c shows the token's claims, decoded") + "\n"
	}
	next := s.next
	if next == "" {
		next = "Subscriptions"
	}
	out += "\n" + st.Accent.Render("enter") + " continue to " + c(next)
	return out
}

// ClaimLines renders claims as "name  value  — what it means".
func ClaimLines(st *theme.Styles, cs []azure.Claim, w int) string {
	var b strings.Builder
	for _, c := range cs {
		line := fmt.Sprintf("  %-12s %s", components.Clean(c.Name), components.Clean(c.Value))
		if c.Help != "" {
			line += st.Muted.Render("  " + components.Clean(c.Help))
		}
		b.WriteString(components.Fit(line, w) + "\n")
	}
	return b.String()
}

// selectedDetail is the full text of the selected row's last column,
// wrapped: at 80 columns the table has to cut it.
func selectedDetail(st *theme.Styles, t *components.Table, w int) string {
	r, ok := t.Selected()
	if !ok || len(r.Cells) == 0 {
		return ""
	}
	return st.Muted.Render(lipgloss.NewStyle().Width(max(w-2, 10)).Render(r.Cells[len(r.Cells)-1]))
}

func (s *Screen) methodsHead(w int) string {
	st := s.env.Styles
	head := st.Title.Render("Sign in to Azure") + "\n" + st.Muted.Render(components.Wrap("Choose how. The token stays in memory; nothing is written to disk.", w))
	switch {
	case s.err != nil && len(s.probes) > 0:
		// The chain failed: the probe table says why, source by source.
		head += "\n" + st.Err.Render(components.Wrap(s.errWhat+": no source in the chain could sign in", w)) + "\n" +
			strings.TrimRight(ProbeLines(st, s.probes, w), "\n") + "\n" +
			st.Muted.Render(components.Wrap("→ Fix one of them (e.g. az login, or set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET), or choose device code.", w))
	case s.err != nil:
		head += "\n" + nav.Problem(st, s.errWhat, nav.RetryWith(s.err, "enter"), w)
	}
	return head
}

// listHead is what a list phase draws above its table (a click on the
// table is placed by its height).
func (s *Screen) listHead(w int) string {
	switch s.phase {
	case phaseMethods:
		return s.methodsHead(w)
	case phasePersonas:
		return s.personasHead(w)
	case phaseTenants:
		st := s.env.Styles
		return st.Title.Render("Switch tenant") + "\n" + st.Muted.Render("Sign in to another directory with the same account.")
	}
	return ""
}

func (s *Screen) personasHead(w int) string {
	st := s.env.Styles
	title := "Pick a persona"
	sub := "Each simulated user has different roles: see what they can and cannot do."
	if s.code != nil {
		title = "Approve the device code " + s.code.UserCode + " as…"
		sub = "The simulated browser on another device: choose who signs in."
	}
	head := st.Title.Render(title) + "\n" + st.Muted.Render(components.Wrap(sub, w))
	if s.err != nil {
		head += "\n" + nav.Problem(st, s.errWhat, nav.RetryWith(s.err, "enter"), w)
	}
	return head
}

func (s *Screen) View(w, h int) string {
	st := s.env.Styles
	list := func(head string, t *components.Table) string {
		detail := selectedDetail(st, t, w)
		return components.Block(head+"\n"+t.View(w, max(h-lipgloss.Height(head)-lipgloss.Height(detail)-1, 3))+"\n\n"+detail, w, h)
	}
	switch s.phase {
	case phaseMethods, phasePersonas:
		return list(s.listHead(w), s.activeTable())
	case phaseTenants:
		return components.Block(s.listHead(w)+"\n"+s.tenants.View(w, max(h-2, 3)), w, h)
	case phaseWorking:
		return components.Block(s.workingView(w), w, h)
	case phaseDeviceCode:
		return components.Block(s.deviceCodeView(w), w, h)
	case phaseCard:
		return components.Block(s.cardView(w, h), w, h)
	}
	return ""
}

func (s *Screen) workingView(w int) string {
	st := s.env.Styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", s.Spinner(), st.Title.Render("Signing in: "+s.method.Title+"…"))
	if s.method.Method == azure.MethodChain || len(s.probes) > 0 {
		b.WriteString(st.Muted.Render("DefaultAzureCredential tries each source in order:") + "\n")
		b.WriteString(ProbeLines(st, s.probes, w))
	}
	b.WriteString("\n" + st.Muted.Render("esc cancels"))
	return b.String()
}
