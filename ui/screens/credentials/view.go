package credentials

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// modeHelp says in one line what callers send for each auth mode.
func modeHelp(mode string) string {
	switch mode {
	case azure.AuthKey:
		return "Callers send either key as a bearer token. Keys do not expire."
	case azure.AuthAMLToken:
		return "Callers send an AML token from the endpoint's token call; it expires, so refresh it in time."
	case azure.AuthAADToken:
		return "Callers send their own Microsoft Entra token for https://ml.azure.com; RBAC decides who may score."
	}
	return "The endpoint's auth mode is not known."
}

// View draws the screen.
func (s *Screen) View(w, h int) string {
	st := s.env.Styles
	now := s.env.Now()
	c := components.Clean

	head := st.Title.Render("Credentials · " + c(s.ep.Endpoint))
	if s.mode != "" {
		head += st.Muted.Render("  " + c(s.mode) + " auth")
	}
	top := []string{head}
	if s.showMgmt {
		top = append(top, para(st.Muted, "Control-plane token (aud "+s.audience(gMgmt)+"): what this app uses for ARM. "+
			"It is not a data-plane credential: scoring refuses it. m goes back.", w)...)
	} else {
		top = append(top, para(st.Muted, modeHelp(s.mode), w)...)
	}
	if s.modeNote != "" {
		top = append(top, para(st.Warn, s.modeNote, w)...)
	}
	if s.notice != "" {
		top = append(top, para(st.Warn, s.notice, w)...)
	}
	top = append(top, "")

	vis := s.visible()
	if len(vis) == 0 {
		top = append(top, para(st.Text, "This screen shows keys (key), AML tokens (aml_token) or Entra tokens (aad_token); "+
			"the endpoint's auth mode was "+quoteMode(s.mode)+". R reads the endpoint again.", w)...)
	}
	// A revealed token may be longer than the screen: it gets what is left
	// below the rows, less a line saying how much more there is.
	budget := max(h-len(top)-len(vis)-1, 2)
	for i, sl := range vis {
		top = append(top, s.slotLines(sl, i == min(s.sel, len(vis)-1) && len(vis) > 1, w, budget, now)...)
	}
	if len(vis) > 0 {
		top = append(top, s.statusLines(vis[0], w, now)...)
	}
	if s.rereadErr != nil {
		top = append(top, "", nav.Problem(st, "Reading the endpoint", s.rereadErr, w))
		if next := nav.AfterProblem(s.rereadErr, ""); next != "" {
			top = append(top, st.Muted.Render(next))
		}
	}
	if !s.showMgmt {
		switch s.mode {
		case azure.AuthKey:
			top = append(top, s.regenLines(w)...)
		case azure.AuthAADToken:
			top = append(top, "")
			top = append(top, para(st.Muted, "Scoring with it also needs …/onlineEndpoints/score/action at the endpoint "+
				"(AzureML Data Scientist grants it); c checks access.", w)...)
		}
	}

	var claims []string
	if sl := s.current(); sl != nil && sl.group != gKeys {
		claims = s.claimLines(sl, w, now)
	}
	// "Use it" spells out the copy commands when there is room for it and the claims.
	if use := s.useLines(w); len(use) > 0 && h-len(strings.Split(strings.Join(top, "\n"), "\n"))-len(claims) >= len(use) {
		top = append(top, use...)
	}
	out := strings.Join(top, "\n")
	if room := h - len(strings.Split(out, "\n")); len(claims) > 0 && room >= 3 {
		out += "\n" + strings.Join(s.window(claims, room), "\n")
	}
	return components.Block(out, w, h)
}

// useLines show what e, u and t do with the selected credential; nothing
// in them is secret (the commands read the value from a variable).
func (s *Screen) useLines(w int) []string {
	sl := s.current()
	if sl == nil || sl.secret.Empty() {
		return nil
	}
	st := s.env.Styles
	v := envVar(sl)
	row := func(k, text string) string { return components.Fit("  "+st.Key.Render(k)+"  "+text, w) }
	out := []string{"", st.Title.Render("Use it") + st.Muted.Render("  copied to the clipboard (OSC 52), never shown")}
	out = append(out, row("y", "the "+lowerFirst(sl.name)+" itself"), row("e", "export "+v+"=…"))
	if sl.group == gMgmt {
		out = append(out, row("u", `curl -sS -H "Authorization: Bearer $`+v+`" '…/onlineEndpoints/`+components.Clean(s.ep.Endpoint)+`?api-version=…'`))
		return out
	}
	if s.ep.ScoringURI != "" {
		out = append(out, row("u", `curl --request POST `+components.Clean(s.ep.ScoringURI)+` --header "Authorization: Bearer $`+v+`" …`))
	}
	return append(out, row("t", "open the request editor with the "+lowerFirst(sl.name)))
}

func quoteMode(m string) string {
	if m == "" {
		return "not read yet"
	}
	return "'" + components.Clean(m) + "'"
}

// para wraps text to w cells in style, as lines.
func para(style lipgloss.Style, text string, w int) []string {
	return strings.Split(style.Width(max(w, 10)).Render(components.Clean(text)), "\n")
}

// slotLines draws one credential: name, mask or value, and for tokens the expiry.
func (s *Screen) slotLines(sl *slot, cursor bool, w, budget int, now time.Time) []string {
	st := s.env.Styles
	lead := "  "
	if cursor {
		lead = st.Cursor.Render("▸ ")
	}
	name := st.Bold.Render(components.Pad(sl.name, 20))
	l := s.loads[sl.group]
	var out []string
	expired := !sl.meta.ExpiresOn.IsZero() && !now.Before(sl.meta.ExpiresOn)
	switch {
	case sl.secret.Empty():
		state := "—"
		if l.call.Busy() {
			state = "fetching…"
		}
		out = append(out, lead+name+st.Muted.Render(state))
	case sl.secret.Revealed(now):
		secs := int((sl.secret.Left(now) + time.Second - 1) / time.Second)
		out = append(out, lead+name+st.Secret.Render("revealed")+st.Muted.Render(fmt.Sprintf(" · hides in %ds (r hides now)", secs)))
		lines := sl.secret.Lines(st, now, w-4)
		if len(lines) > budget {
			more := len([]rune(sl.secret.Value())) - (budget-1)*(w-4)
			lines = append(lines[:budget-1], st.Muted.Render(fmt.Sprintf("… %d more characters (a larger window shows them; y copies the whole value)", more)))
		}
		for _, v := range lines {
			out = append(out, "    "+v)
		}
	default:
		line := lead + name + sl.secret.Lines(st, now, 24)[0]
		switch {
		case expired:
			line += "  " + st.Err.Render("EXPIRED")
		case l.call.Busy():
			line += st.Muted.Render("  refreshing…")
		case cursor || len(s.visible()) == 1:
			line += st.Muted.Render(fmt.Sprintf("  r reveals for %s", s.reveal))
		}
		out = append(out, line)
	}
	if sl.meta.ExpiresOn.IsZero() {
		return out
	}
	exp, ind := sl.meta.ExpiresOn, "    "
	label := func(s string) string { return ind + st.Muted.Render(components.Pad(s, 12)) }
	if expired {
		out = append(out, label("Expired")+st.Err.Render("at "+clock(exp))+st.Muted.Render(" · R fetches a new one"))
	} else {
		out = append(out, label("Expires")+st.Bold.Render("in "+components.Countdown(now, exp))+st.Muted.Render(" · at "+clock(exp)))
	}
	if ra := refreshAt(sl.meta); !ra.IsZero() {
		when := "after " + clock(ra)
		if now.Before(ra) {
			when += " (in " + components.Countdown(now, ra) + ")"
		} else {
			when += " (due)"
		}
		auto := st.OK.Render("auto-refresh on")
		if !s.auto {
			auto = st.Muted.Render("auto-refresh off")
		}
		out = append(out, label("Refresh")+when+" · "+auto+st.Muted.Render(" (a)"))
	}
	out = append(out, ind+components.ExpiryBar(st, min(w-len(ind)-2, 56), sl.issued, sl.meta.RefreshAfter, exp, now))
	return out
}

// statusLines say what the fetch is doing or why it failed.
func (s *Screen) statusLines(sl *slot, w int, now time.Time) []string {
	st := s.env.Styles
	l := s.loads[sl.group]
	if l.err == nil {
		return nil
	}
	what := map[group]string{gKeys: "Getting the keys", gAML: "Getting an AML token", gML: "Getting an Entra token", gMgmt: "Getting the control-plane token"}[sl.group]
	out := []string{"", nav.Problem(st, what, l.err, w)}
	var keys []string
	if l.denied {
		out = append(out, para(st.Text, deniedText, w)...)
		keys = append(keys, "c opens the access check")
	}
	next := nav.AfterProblem(l.err, "", keys...)
	if !sl.secret.Empty() && !sl.meta.ExpiresOn.IsZero() && now.Before(sl.meta.ExpiresOn) {
		out = append(out, para(st.Text, fmt.Sprintf("Failed at %s; the current token stays in use until it expires (in %s).",
			clock(l.errAt), components.Countdown(now, sl.meta.ExpiresOn)), w)...)
	}
	if next != "" {
		out = append(out, para(st.Muted, next, w)...)
	}
	return out
}

// deniedText is what a 403 leaves open: a role may be missing, or a deny
// assignment may block the action whatever the role. No role is named
// here: only the access check reads the deny assignments.
const deniedText = "Azure refused it (403): a role may be missing, or a deny assignment blocks it whatever the role. " +
	"The access check (c) looks at both, for this operation, and says what would help."

// regenLines show a running or finished key regeneration, or how to rotate safely.
func (s *Screen) regenLines(w int) []string {
	st := s.env.Styles
	which := strings.ToLower(s.regenWhich)
	out := []string{""}
	switch {
	case s.regenCall.Busy():
		out = append(out, st.Warn.Render("⟳ Regenerating the "+which+" key: asking Azure…"))
	case s.regen != nil:
		p := s.regenLast
		state := p.State
		if state == "" {
			state = s.regen.State()
		}
		line := fmt.Sprintf("⟳ Regenerating the %s key · %s %s", which, components.Clean(state), p.Elapsed.Round(time.Second))
		out = append(out, st.Warn.Render(line))
		if p.Err != nil {
			out = append(out, para(st.Muted, "Could not read its status ("+azure.Explain(p.Err).Title+"); still watching.", w)...)
		}
	case s.regenErr != nil:
		err := nav.RetryWith(s.regenErr, "g") // R reads the keys again; g regenerates
		out = append(out, nav.Problem(st, "Regenerating the "+which+" key", err, w))
		var keys []string
		if s.regenDenied {
			out = append(out, para(st.Text, deniedText, w)...)
			keys = append(keys, "c opens the access check")
		}
		next := nav.AfterProblem(err, "g tries again", keys...)
		if s.regenLast.Done {
			next = strings.TrimSpace("The keys above were read again after the failure: they are what Azure holds now. " + next)
		}
		if next != "" {
			out = append(out, para(st.Muted, next, w)...)
		}
	case s.regenLast.Done:
		out = append(out, st.OK.Render("✓ The "+which+" key was regenerated; the keys above are the current ones."))
	default:
		out = append(out, para(st.Muted, "Rotate safely: switch callers to the other key first, then regenerate this one (g).", w)...)
	}
	return out
}

// window shows the claims from the scroll offset in h lines.
func (s *Screen) window(lines []string, h int) []string {
	if len(lines) <= h {
		s.scroll = 0
		return lines
	}
	s.scroll = min(s.scroll, len(lines)-(h-1))
	out := append([]string{}, lines[s.scroll:s.scroll+h-1]...)
	return append(out, s.env.Styles.Muted.Render(fmt.Sprintf("↑/↓ scroll · lines %d–%d of %d", s.scroll+1, s.scroll+h-1, len(lines))))
}

// audience is the aud a group's Entra token must carry.
func (s *Screen) audience(g group) string {
	ml, arm := "https://ml.azure.com", "https://management.azure.com"
	if sess := s.svc(); sess != nil {
		cfg := sess.Config()
		ml, arm = firstNonEmpty(cfg.MLAudience, ml), firstNonEmpty(cfg.ARMAudience, arm)
	}
	if g == gMgmt {
		return arm
	}
	return ml
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clock is a time of day in the local zone.
func clock(t time.Time) string { return t.Local().Format("15:04:05") }
