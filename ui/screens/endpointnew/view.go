package endpointnew

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

func (c *Create) View(w, h int) string {
	st := c.env.Styles
	topS := c.top(w)
	rest := h - lipgloss.Height(topS)
	var body string
	switch c.step {
	case cName:
		body = strings.Join(c.nameView(w), "\n")
	case cDetails:
		body = strings.Join(c.detailsView(w), "\n")
	case cCompute:
		body = strings.Join(c.computeView(w), "\n")
	case cAuth:
		body = strings.Join(c.authView(w), "\n")
	case cIdentity:
		lines := c.identityIntro(w)
		body = strings.Join(lines, "\n") + "\n" + c.ids.View(w, max(rest-len(lines), 3))
	case cReview:
		body = c.scroll.window(st, c.reviewView(w), rest)
	case cRun:
		body = strings.Join(c.runView(w), "\n")
	}
	return components.Block(topS+"\n"+body, w, h)
}

// top is what every step draws first: the title, the access check and the
// summary of the steps done.
func (c *Create) top(w int) string {
	st := c.env.Styles
	top := []string{c.head(w)}
	if g := c.gate.view(st, c.ws.Name, w); g != "" {
		top = append(top, g)
	}
	if s := c.summary(); s != "" && c.step > cName {
		top = append(top, st.Muted.Render(components.Fit(s, w)))
	}
	return strings.Join(append(top, ""), "\n")
}

// tableTop is where the identity table starts at the screen's size (a
// click on it is placed from there).
func (c *Create) tableTop() int {
	w, _ := c.Size()
	return lipgloss.Height(c.top(w)) + len(c.identityIntro(w))
}

// head is the title and the step crumbs (numbers only when narrow).
func (c *Create) head(w int) string {
	st := c.env.Styles
	cur := min(int(c.step), len(stepNames)-1)
	crumbs := func(full bool) string {
		var out []string
		for i, n := range stepNames {
			label := fmt.Sprint(i + 1)
			if full || i == cur {
				label += " " + n
			}
			if i == cur {
				out = append(out, st.Accent.Bold(true).Render(label))
			} else {
				out = append(out, st.Muted.Render(label))
			}
		}
		return strings.Join(out, st.Muted.Render(" › "))
	}
	title := st.Title.Render("New endpoint") + st.Muted.Render(" in "+components.Clean(c.ws.Name)) + "  "
	spin := ""
	if c.active() {
		spin = "  " + c.Spinner()
	}
	head := title + crumbs(true) + spin
	if lipgloss.Width(head) > w {
		head = title + crumbs(false) + spin
	}
	return components.Fit(head, w)
}

// summary is what was chosen so far, on one line.
func (c *Create) summary() string {
	parts := []string{strings.TrimSpace(c.name.Value())}
	if c.location != "" {
		parts = append(parts, c.location)
	}
	if c.step > cCompute {
		ct := c.computeType()
		if c.k8s {
			ct += " (" + strings.TrimSpace(c.compute.Value()) + ")"
		}
		parts = append(parts, ct)
	}
	if c.step > cAuth {
		parts = append(parts, modes()[c.auth].Mode)
	}
	if c.step > cIdentity {
		parts = append(parts, c.identityLabel())
	}
	return components.Clean(strings.Join(parts, " · "))
}

func (c *Create) identityLabel() string {
	if c.uai == nil {
		return "system-assigned identity"
	}
	return "user-assigned identity " + c.uai.Name
}

func (c *Create) hintLine(w int) []string {
	if c.hint == "" {
		return nil
	}
	return []string{c.env.Styles.Err.Render(wrap("✗ "+components.Clean(c.hint), w))}
}

func (c *Create) nameView(w int) []string {
	st := c.env.Styles
	c.name.SetWidth(max(w-10, 10))
	lines := []string{st.Bold.Render("Name the endpoint"), c.name.View()}
	if v := strings.TrimSpace(c.name.Value()); v != "" {
		if err := c.nameErr(); err != nil {
			lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(err.Error()), w)))
		} else {
			lines = append(lines, st.OK.Render("✓ "+components.Clean(v)+" is a valid name"))
		}
	} else {
		lines = append(lines, c.hintLine(w)...)
	}
	lines = append(lines, "", st.Muted.Render(wrap("Rule: "+azure.EndpointNameRule+". The name becomes the host of the scoring URI.", w)))
	if c.location != "" {
		lines = append(lines, st.Muted.Render(wrap("Scoring URI: https://<name>."+components.Clean(c.location)+".inference.ml.azure.com/score", w)))
	}
	return lines
}

func (c *Create) detailsView(w int) []string {
	st := c.env.Styles
	c.desc.SetWidth(max(w-16, 10))
	c.tags.SetWidth(max(w-9, 10))
	lines := []string{st.Bold.Render("Describe it (both optional)"), c.desc.View(), c.tags.View()}
	tags, err := parseTags(c.tags.Value())
	switch {
	case err != nil:
		lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(err.Error()), w)))
	case len(tags) > 0:
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			keys[i] = k + "=" + tags[k]
		}
		lines = append(lines, st.OK.Render(components.Fit(components.Clean(fmt.Sprintf("✓ %d tag(s): %s", len(tags), strings.Join(keys, ", "))), w)))
	}
	lines = append(lines, "", st.Muted.Render(wrap("Tags are name=value pairs separated by commas (names ignore case; at most 50). tab switches fields, enter goes on.", w)))
	return lines
}

func (c *Create) computeView(w int) []string {
	st := c.env.Styles
	opts := [][2]string{
		{"Managed", "Azure runs, patches and scales the machines for you."},
		{"Kubernetes", "Your AKS or Arc cluster, attached to the workspace."},
	}
	lines := []string{st.Bold.Render("Where it runs")}
	for i, o := range opts {
		sel := (i == 1) == c.k8s
		mark, name := "  ", fmt.Sprintf("%-11s", o[0])
		if sel {
			mark, name = st.Cursor.Render("› "), st.Bold.Render(name)
		}
		lines = append(lines, components.Fit(mark+name+" "+o[1], w))
	}
	if c.k8s {
		c.compute.SetWidth(max(w-14, 10))
		lines = append(lines, "", "    "+c.compute.View())
		if v := strings.TrimSpace(c.compute.Value()); v != "" {
			if err := c.computeErr(); err != nil {
				lines = append(lines, st.Err.Render(wrap("    ✗ "+err.Error(), w)))
			}
		}
		lines = append(lines, c.hintLine(w)...)
		lines = append(lines, "", st.Warn.Render(wrap("Kubernetes endpoints cannot use aad_token (managed compute only). tab types the compute name.", w)))
	} else {
		lines = append(lines, c.hintLine(w)...)
	}
	return lines
}

func (c *Create) authView(w int) []string {
	st := c.env.Styles
	lines := []string{st.Bold.Render("How callers authenticate")}
	lines = append(lines, modeList(st, c.auth, c.computeType(), "", w)...)
	lines = append(lines, "")
	m := modes()[c.auth]
	if why := modeDisabled(m.Mode, c.computeType()); why != "" {
		lines = append(lines, st.Bold.Render(m.Mode), st.Warn.Render(wrap("Disabled: "+why+".", w)))
	} else {
		lines = append(lines, modeDetail(st, m, w)...)
	}
	return append(lines, c.hintLine(w)...)
}

func (c *Create) identityIntro(w int) []string {
	st := c.env.Styles
	lines := []string{st.Bold.Render("Which identity it runs as"),
		st.Muted.Render(wrap("It pulls the image and reads the model and secrets. It is not who may score: the auth mode decides that.", w))}
	switch {
	case c.idsCall.Busy():
		lines = append(lines, st.Muted.Render("Loading the user-assigned identities of the subscription…"))
	case c.idsErr != nil:
		next := "System-assigned needs no list."
		if k := nav.AfterProblem(c.idsErr, ""); k != "" {
			next = k + ". " + next
		}
		lines = append(lines, nav.Problem(st, "Listing user-assigned identities", c.idsErr, w), st.Muted.Render(wrap(next, w)))
	case c.env.Session != nil && c.ids.Total() == 1:
		lines = append(lines, st.Warn.Render(wrap("No user-assigned identities in this subscription: system-assigned is the choice here "+
			"(az identity create makes one).", w)))
	}
	lines = append(lines, st.Muted.Render(wrap("System-assigned: Azure grants it AcrPull, Storage Blob Data Reader and Metrics Writer. "+
		"User-assigned: nothing; the review checks it now.", w)))
	return append(lines, c.enforceLines(st, w)...)
}

// reviewView is the review: problems first, then endpoint.yml, the az
// command and the REST request (side by side when wide).
func (c *Create) reviewView(w int) []string {
	st := c.env.Styles
	sp := c.spec()
	var lines []string
	if c.uai != nil {
		if g := c.idGate.view(st, "resource group "+c.uai.ResourceGroup, w); g != "" {
			lines = append(lines, g)
		}
	}
	if err := sp.Validate(); err != nil {
		lines = append(lines, st.Err.Render(wrap("✗ This endpoint cannot be created as it is: "+components.Clean(err.Error())+". esc goes back to fix it.", w)))
	}
	lines = append(lines, c.identityPlan(st, w)...)
	if g := c.grants(); g.Rejected {
		lines = append(lines, st.Err.Render(wrap("✗ "+g.RejectWhy, w)))
	}
	lines = append(lines, "")
	lines = append(lines, c.hintLine(w)...)
	switch {
	case c.startCall.Busy():
		lines = append(lines, st.Accent.Render(c.Spinner()+" Sending the create request…"))
	case c.startErr != nil:
		lines = append(lines, nav.Problem(st, "Creating "+sp.Ref.Endpoint, nav.RetryWith(c.startErr, "enter"), w),
			st.Accent.Render(wrap(startAdvice(c.startErr), w)))
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	method, path, body := sp.REST()
	// The az command is one long line: full width first. The two documents
	// go side by side when there is room.
	lines = append(lines, panes(st, w, false, []string{"az CLI (a)"}, []string{components.CleanBlock(sp.AzCommand())})...)
	lines = append(lines, "")
	return append(lines, panes(st, w, true, []string{"endpoint.yml (y)", "REST (r)"},
		[]string{components.CleanBlock(sp.YAML()), components.CleanBlock(c.env.Config.RESTText(method, path, body))})...)
}

// startAdvice says what to do about a refused create; nothing typed is lost.
func startAdvice(err error) string {
	var (
		fe *azure.ForbiddenError
		th *azure.ThrottledError
		ce *azure.ConflictError
		ie *azure.InvalidRequestError
		pe *azure.SpecError
		se *azure.ServiceError
	)
	const kept = " Everything typed is kept."
	switch {
	case errors.As(err, &fe):
		return "ctrl+o checks your access and finds the role that grants it; enter retries once it is granted." + kept
	case errors.As(err, &th) && !azure.Explain(err).Retry:
		wait := "a moment"
		if th.RetryAfter > 0 {
			wait = th.RetryAfter.String()
		}
		return "Azure is throttling: wait " + wait + ", then enter retries." + kept
	case errors.As(err, &ce) && (ce.NameTaken() || ce.Code == "EndpointExists"):
		return "n changes the name, then enter creates." + kept
	case errors.As(err, &ce):
		return "Another operation on this endpoint is still running: wait until it ends, then enter retries." + kept
	case errors.As(err, &ie) && strings.EqualFold(ie.Target, "name"), errors.As(err, &pe) && pe.Field == "name":
		return "n edits the name." + kept
	case errors.As(err, &ie), errors.As(err, &pe):
		return "esc goes back step by step to fix it." + kept
	case errors.As(err, &se) && se.Status == 409:
		return "The name is taken in this region, or another operation on this endpoint is still running: n changes the name, or wait and enter retries." + kept
	case errors.As(err, &se) && se.Status == 400:
		return "Azure rejected the request: fix what it names (n edits the name, esc goes back step by step)." + kept
	}
	// nav.Problem above has said "enter retries." when retrying may help.
	return nav.AfterProblem(nav.RetryWith(err, "enter"), "", "e shows the details") + "." + kept
}

func (c *Create) runView(w int) []string {
	st := c.env.Styles
	if c.watch.op == nil {
		return nil
	}
	lines := c.watch.view(st, c.Spinner(), c.env.Now(), w)
	lines = append(lines, "")
	switch {
	case c.watch.failed():
		err := nav.RetryWith(c.watch.last.Err, "enter")
		lines = append(lines, nav.Problem(st, "Provisioning failed", err, w), "",
			st.Accent.Render(wrap(nav.AfterProblem(err, "enter retries the create (a PUT replaces the failed endpoint)", "e details", "esc back to the review"), w)))
	case c.watch.succeeded():
		lines = append(lines, st.OK.Render("Opening the endpoint…"))
	default:
		lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
	}
	return lines
}

// modeList draws the three modes with a cursor; a disabled mode is dimmed with its reason.
func modeList(st *theme.Styles, cursor int, computeType, current string, w int) []string {
	var out []string
	for i, m := range modes() {
		mark := "  "
		if i == cursor {
			mark = st.Cursor.Render("› ")
		}
		name := fmt.Sprintf("%-10s", m.Mode)
		desc := m.Short
		if m.Mode == current {
			desc = "(current) " + desc
		}
		line := mark + name + "  " + desc
		switch {
		case modeDisabled(m.Mode, computeType) != "":
			line = mark + st.Subtle.Render(name+"  "+k8sNoAADShort)
		case i == cursor:
			line = mark + st.Bold.Render(name) + "  " + desc
		}
		out = append(out, components.Fit(line, w))
	}
	return out
}

// modeDetail explains a mode in four labelled, wrapped lines.
func modeDetail(st *theme.Styles, m modeInfo, w int) []string {
	out := []string{st.Bold.Render(m.Mode)}
	for _, kv := range [][2]string{{"who scores", m.Who}, {"role", m.Role}, {"expires", m.Expires}, {"callers get it", m.Get}} {
		out = append(out, labelled(st, kv[0], kv[1], w)...)
	}
	return out
}

// labelled wraps text after a 15-cell muted label, indenting continuation lines.
func labelled(st *theme.Styles, label, text string, w int) []string {
	const lw = 15
	lines := strings.Split(wrap(text, max(w-lw, 20)), "\n")
	out := make([]string, len(lines))
	for i, l := range lines {
		lab := strings.Repeat(" ", lw)
		if i == 0 {
			lab = st.Muted.Render(fmt.Sprintf("%-*s", lw, label))
		}
		out[i] = lab + l
	}
	return out
}

// wrap word-wraps s at w cells on spaces, keeping each line's indent (YAML,
// JSON). Only a word longer than a line is broken (at / & ? , or -), so
// commands keep their options whole.
func wrap(s string, w int) string {
	w = max(w, 10)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if ansi.StringWidth(line) <= w {
			out = append(out, line)
			continue
		}
		rest := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(rest)]
		if len(indent) > w/2 {
			indent = ""
		}
		iw, cur := len(indent), indent
		for _, tok := range strings.Fields(rest) {
			tw := ansi.StringWidth(tok)
			if cur != indent && ansi.StringWidth(cur)+1+tw <= w {
				cur += " " + tok
				continue
			}
			if iw+tw <= w {
				if cur != indent {
					out = append(out, cur)
				}
				cur = indent + tok
				continue
			}
			// A word longer than a line is broken anyway: start it on
			// this line when there is room ("PUT https://…" stays together).
			prefix := indent
			if room := w - ansi.StringWidth(cur) - 1; cur != indent && room >= 10 {
				first := strings.SplitN(ansi.Wrap(tok, room, "/&?,"), "\n", 2)[0]
				if strings.HasPrefix(tok, first) && first != tok {
					out = append(out, cur+" "+first)
					tok = tok[len(first):]
				} else {
					out = append(out, cur)
				}
			} else if cur != indent {
				out = append(out, cur)
			}
			parts := strings.Split(ansi.Wrap(tok, w-iw, "/&?,"), "\n")
			for _, p := range parts[:len(parts)-1] {
				out = append(out, prefix+p)
			}
			cur = prefix + parts[len(parts)-1]
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// view is the banner: checking, allowed, denied (with the reason and the
// check wizard one key away) or unknown. Empty before any check.
func (g *gate) view(st *theme.Styles, where string, w int) string {
	where = components.Clean(where)
	switch {
	case g.busy():
		return st.Muted.Render(components.Fit("Checking that you may "+g.what+" in "+where+"…", w))
	case !g.done:
		return ""
	case g.allowed:
		return components.Fit(st.OK.Render("✓ You may "+g.what+" here")+st.Muted.Render(" ("+components.Clean(g.reason)+")"), w)
	case g.unknown:
		s := "? Could not tell whether you may " + g.what + " in " + where + ": " + components.Clean(g.reason) +
			". You can still continue; ctrl+o checks access."
		return st.Warn.Render(wrap(s, w))
	}
	s := "✗ You may not " + g.what + " in " + where
	if g.reason != "" {
		s += ": " + components.Clean(g.reason)
	}
	s += ". Azure will refuse it (403)"
	if len(g.roles) > 0 {
		s += "; a role that grants it: " + components.Clean(strings.Join(g.roles, ", "))
	}
	s += ". ctrl+o checks access and assigns a role; you can still continue."
	return st.Err.Render(wrap(s, w))
}

// view shows the live state, the elapsed time and a transient status problem.
func (w *watch) view(st *theme.Styles, spin string, now time.Time, width int) []string {
	state := w.last.State
	if state == "" {
		state = w.op.State()
	}
	if state == "" {
		state = "Accepted"
	}
	elapsed := now.Sub(w.op.Started)
	if w.last.Done {
		elapsed = w.last.Elapsed
	}
	elapsed = elapsed.Round(100 * time.Millisecond)
	head := spin + " " + st.Bold.Render(components.Clean(w.label))
	stateStyle := st.Warn
	switch {
	case w.succeeded():
		head = st.OK.Render("✓ ") + st.Bold.Render(components.Clean(w.label))
		stateStyle = st.OK
	case w.failed():
		head = st.Err.Render("✗ ") + st.Bold.Render(components.Clean(w.label))
		stateStyle = st.Err
	}
	out := []string{head,
		st.Muted.Render("state     ") + stateStyle.Render(components.Clean(state)),
		st.Muted.Render("elapsed   ") + elapsed.String()}
	if w.last.Err != nil && !w.last.Done {
		out = append(out, st.Warn.Render(wrap("! Could not read the status ("+components.Clean(azure.Explain(w.last.Err).Title)+"); still watching.", width)))
	}
	return out
}

// panes lays out titled blocks side by side when asked and wide enough,
// else stacked. Every block is already clean; each is wrapped to its column.
func panes(st *theme.Styles, w int, side bool, titles, bodies []string) []string {
	const gap = 2
	n := len(bodies)
	if side && w >= 100 {
		cw := (w - gap*(n-1)) / n
		cols := make([]string, n)
		for i := range bodies {
			col := st.Bold.Render(titles[i]) + "\n" + st.Muted.Render(strings.Repeat("─", cw)) + "\n" + wrap(bodies[i], cw)
			cols[i] = lipgloss.NewStyle().Width(cw).Render(col)
			if i < n-1 {
				cols[i] = lipgloss.NewStyle().PaddingRight(gap).Render(cols[i])
			}
		}
		return strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, cols...), "\n")
	}
	var out []string
	for i := range bodies {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, st.Bold.Render(titles[i]), st.Muted.Render(strings.Repeat("─", min(w, 40))))
		out = append(out, strings.Split(wrap(bodies[i], w), "\n")...)
	}
	return out
}

// window cuts lines to h rows at the offset, with a "more" note. It
// works on a copy: drawing changes nothing (Update clamps the offset).
func (s scroller) window(st *theme.Styles, lines []string, h int) string {
	if h <= 0 {
		return ""
	}
	lines = strings.Split(strings.Join(lines, "\n"), "\n") // entries may hold several lines
	if len(lines) <= h {
		return strings.Join(lines, "\n")
	}
	s.clamp(len(lines), h)
	vis := lines[s.off:min(s.off+h-1, len(lines))]
	more := fmt.Sprintf("── %d–%d of %d lines · ↑/↓ pgup/pgdn scroll", s.off+1, s.off+len(vis), len(lines))
	return strings.Join(vis, "\n") + "\n" + st.Muted.Render(more)
}

// clamp keeps the offset inside n lines shown h at a time.
func (s *scroller) clamp(n, h int) {
	if n <= h {
		s.off = 0
		return
	}
	s.off = min(max(s.off, 0), n-h+1)
}

// clampTo clamps the offset for lines drawn under top in the screen's
// size (after a scroll key, so that "end" then "up" moves at once).
func (s *scroller) clampTo(lines []string, top string, h int) {
	s.clamp(len(strings.Split(strings.Join(lines, "\n"), "\n")), h-lipgloss.Height(top))
}

func (a *AuthMode) View(w, h int) string {
	st := a.env.Styles
	topS := a.top(w)
	rest := h - lipgloss.Height(topS)
	if a.step == amPick || a.step == amConfirm {
		return components.Block(topS+"\n"+a.scroll.window(st, a.stepLines(w), rest), w, h)
	}
	var lines []string
	if a.watch.op != nil {
		lines = a.watch.view(st, a.Spinner(), a.env.Now(), w)
	}
	lines = append(lines, "")
	switch {
	case a.watch.failed():
		err := nav.RetryWith(a.watch.last.Err, "enter")
		lines = append(lines, nav.Problem(st, "The change failed", err, w), "",
			st.Accent.Render(wrap(nav.AfterProblem(err, "", "e details", "esc back"), w)))
	case a.watch.succeeded():
		lines = append(lines, st.OK.Render(wrap(fmt.Sprintf("%s now uses %s.", components.Clean(a.ep.Endpoint), components.Clean(a.ep.AuthMode)), w)))
		if a.ep.AuthMode == azure.AuthAADToken {
			lines = append(lines, st.Muted.Render(wrap("Callers need onlineEndpoints/score/action on it: ctrl+o checks who has it.", w)))
		} else {
			lines = append(lines, st.Muted.Render(wrap("Give callers the new credential now (the credentials screen shows it).", w)))
		}
		lines = append(lines, st.Muted.Render("esc goes back to the endpoint."))
	default:
		lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
	}
	return components.Block(topS+"\n"+strings.Join(lines, "\n"), w, h)
}

// stepLines are the pick and confirm steps' lines, scrolled by a.scroll.
func (a *AuthMode) stepLines(w int) []string {
	st := a.env.Styles
	var lines []string
	switch a.step {
	case amPick:
		lines = append(lines, st.Bold.Render("Choose the new mode"))
		lines = append(lines, modeList(st, a.cursor, a.ep.ComputeType, a.ep.AuthMode, w)...)
		lines = append(lines, "")
		to := a.target()
		switch {
		case modeDisabled(to, a.ep.ComputeType) != "":
			lines = append(lines, st.Bold.Render(to), st.Warn.Render(wrap("Disabled: "+modeDisabled(to, a.ep.ComputeType)+".", w)))
		case to == a.ep.AuthMode:
			lines = append(lines, modeDetail(st, modes()[a.cursor], w)...)
		default:
			lines = append(lines, modeDetail(st, modes()[a.cursor], w)...)
			lines = append(lines, "", st.Warn.Render("What changing to "+to+" breaks:"))
			for _, s := range impact(a.ep.AuthMode, to, a.ep.ComputeType) {
				lines = append(lines, wrapBullet(s, w)...)
			}
		}
		if a.hint != "" {
			lines = append(lines, "", st.Err.Render(wrap("✗ "+components.Clean(a.hint), w)))
		}
	case amConfirm:
		lines = append(lines, st.Bold.Render(fmt.Sprintf("Change %s from %s to %s?", components.Clean(a.ep.Endpoint), components.Clean(a.ep.AuthMode), a.target())))
		for _, s := range impact(a.ep.AuthMode, a.target(), a.ep.ComputeType) {
			lines = append(lines, st.Warn.Render(strings.Join(wrapBullet(s, w), "\n")))
		}
		switch {
		case a.startCall.Busy():
			lines = append(lines, "", st.Accent.Render(a.Spinner()+" Sending the change…"))
		case a.startErr != nil:
			lines = append(lines, "", nav.Problem(st, "Changing the auth mode", nav.RetryWith(a.startErr, "y"), w),
				st.Accent.Render(wrap(changeAdvice(a.startErr), w)))
		default:
			lines = append(lines, "", st.Accent.Render("y")+" changes it · "+st.Accent.Render("esc")+" back")
		}
		lines = append(lines, "")
		lines = append(lines, panes(st, w, false, []string{"az CLI (a)", "REST (r)"},
			[]string{components.CleanBlock(a.azCommand()), components.CleanBlock(a.restText())})...)
	}
	return lines
}

// top is the title, the access check and the current mode.
func (a *AuthMode) top(w int) string {
	st := a.env.Styles
	head := st.Title.Render("Change the auth mode") + st.Muted.Render(" of "+components.Clean(a.ep.Endpoint))
	if a.active() {
		head += "  " + a.Spinner()
	}
	top := []string{components.Fit(head, w)}
	if g := a.gate.view(st, a.ep.Endpoint, w); g != "" {
		top = append(top, g)
	}
	cur := modes()[modeIndex(a.ep.AuthMode)]
	now := st.Muted.Render("now: ") + st.Bold.Render(components.Clean(a.ep.AuthMode)) + st.Muted.Render(" — "+cur.Short)
	if a.ep.ComputeType != "" {
		now += st.Muted.Render(" · " + components.Clean(a.ep.ComputeType) + " compute")
	}
	return strings.Join(append(top, components.Fit(now, w), ""), "\n")
}

// wrapBullet wraps a bullet point with a hanging indent.
func wrapBullet(s string, w int) []string {
	lines := strings.Split(wrap(s, max(w-4, 10)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = "  • " + lines[i]
		} else {
			lines[i] = "    " + lines[i]
		}
	}
	return lines
}

// changeAdvice says what to do about a refused change or delete.
func changeAdvice(err error) string {
	var (
		fe *azure.ForbiddenError
		th *azure.ThrottledError
		ce *azure.ConflictError
		se *azure.ServiceError
	)
	switch {
	case errors.As(err, &fe):
		return "ctrl+o checks your access and finds the role that grants it; then retry."
	case errors.As(err, &th):
		return "Azure is throttling: wait a moment, then retry."
	case errors.As(err, &ce), errors.As(err, &se) && se.Status == 409:
		return "Another operation on this endpoint is still running: wait until it ends (the header shows it), then retry."
	}
	return "Retry, or e for the details."
}

func (d *Delete) View(w, h int) string {
	st := d.env.Styles
	name := components.Clean(d.ep.Endpoint)
	head := st.Title.Render("Delete endpoint ") + st.Bold.Render(name) + st.Muted.Render(" in "+components.Clean(d.ep.Name))
	if d.active() {
		head += "  " + d.Spinner()
	}
	lines := []string{components.Fit(head, w)}
	if g := d.gate.view(st, name, w); g != "" {
		lines = append(lines, g)
	}
	lines = append(lines, "")
	if d.running && d.watch.op != nil {
		lines = append(lines, d.watch.view(st, d.Spinner(), d.env.Now(), w)...)
		lines = append(lines, "")
		switch {
		case d.watch.failed():
			err := nav.RetryWith(d.watch.last.Err, "enter")
			lines = append(lines, nav.Problem(st, "The delete failed", err, w), "",
				st.Accent.Render(wrap(nav.AfterProblem(err, "", "e details", "esc back"), w)))
		case d.watch.succeeded():
			lines = append(lines, st.OK.Render("Deleted. Back to the endpoint list…"))
		default:
			lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
		}
		return components.Block(strings.Join(lines, "\n"), w, h)
	}
	lines = append(lines, st.Warn.Render(wrap("This deletes the endpoint, "+d.deployments()+" and its scoring URI. "+
		"Every caller gets errors from then on, and its keys and tokens stop working. It cannot be undone.", w)))
	var facts []string
	if d.ep.AuthMode != "" {
		facts = append(facts, "auth "+d.ep.AuthMode)
	}
	if d.ep.ComputeType != "" {
		facts = append(facts, d.ep.ComputeType+" compute")
	}
	if d.ep.ScoringURI != "" {
		facts = append(facts, d.ep.ScoringURI)
	}
	if len(facts) > 0 {
		lines = append(lines, st.Muted.Render(components.Fit(components.Clean(strings.Join(facts, " · ")), w)))
	}
	lines = append(lines, "")
	lines = append(lines, labelled(st, "az CLI", components.CleanBlock(d.azCommand()), w)...)
	lines = append(lines, labelled(st, "REST", components.CleanBlock(d.restText()), w)...)
	lines = append(lines, "")
	switch {
	case d.startCall.Busy():
		lines = append(lines, st.Accent.Render(d.Spinner()+" Sending the delete…"))
	case d.startErr != nil:
		lines = append(lines, nav.Problem(st, "Deleting "+d.ep.Endpoint, nav.RetryWith(d.startErr, "enter"), w),
			st.Accent.Render(wrap(changeAdvice(d.startErr), w)), "")
	}
	lines = append(lines, "Type "+st.Bold.Render(name)+" to confirm, then enter (esc cancels):")
	d.input.SetWidth(max(w-4, 10))
	lines = append(lines, d.input.View())
	if d.hint != "" {
		lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(d.hint), w)))
	}
	// The input stays visible at any height: cut from the top, not the bottom.
	out := strings.Split(strings.Join(lines, "\n"), "\n")
	if len(out) > h {
		out = append(out[:1], out[len(out)-h+1:]...)
	}
	return components.Block(strings.Join(out, "\n"), w, h)
}

// deployments names what goes with the endpoint ("its deployments blue (90%) and green (10%)").
func (d *Delete) deployments() string {
	if len(d.ep.Traffic) == 0 {
		return "all its deployments"
	}
	names := make([]string, 0, len(d.ep.Traffic))
	for n := range d.ep.Traffic {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = fmt.Sprintf("%s (%d%%)", components.Clean(n), d.ep.Traffic[n])
	}
	return "its deployments " + strings.Join(names, ", ")
}
