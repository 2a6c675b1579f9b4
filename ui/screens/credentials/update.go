package credentials

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// Update handles keys (when on top), the clock, focus and async results.
func (s *Screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if s.Closed() {
		return s, nil // closed: no result may bring a secret back
	}
	switch m := msg.(type) {
	case tickMsg:
		if m.id != s.ScreenID() {
			return s, nil
		}
		return s, tea.Batch(s.tick(), s.onTick())
	case tea.BlurMsg:
		s.hideAll() // the terminal lost focus: whoever looks at it now did not ask
		return s, nil
	case nav.CoveredMsg:
		s.hideAll() // another screen on top: a reveal must not be waiting here on return
		return s, nil
	case nav.Result[loaded]:
		return s, s.onLoaded(m)
	case nav.Result[azure.Endpoint]:
		return s, s.onEndpoint(m)
	case regenConfirmMsg: // addressed to this screen by the root (Kit.Confirm)
		return s, s.startRegen(m.which)
	case nav.Result[*azure.Operation]:
		if !s.Done(&s.regenCall, m) {
			return s, nil
		}
		if m.Err != nil {
			s.regenErr, s.regenDenied = m.Err, forbidden(m.Err)
			return s, nil
		}
		s.regen = m.Value
		label := fmt.Sprintf("Regenerate the %s key of %s", strings.ToLower(s.regenWhich), components.Clean(s.ep.Endpoint))
		return s, nav.Cmd(nav.TrackMsg{Op: m.Value, Label: label})
	case nav.OperationMsg:
		if s.regen == nil || m.Op != s.regen {
			return s, nil
		}
		s.regenLast = m.Progress
		if !m.Progress.Done {
			return s, nil
		}
		// Succeeded or failed part-way: either way re-read the keys, so the
		// screen shows what Azure holds now, masked.
		s.regen = nil
		if m.Progress.Err != nil {
			s.regenErr, s.regenDenied = m.Progress.Err, forbidden(m.Progress.Err)
		}
		s.hideAll()
		return s, s.load(gKeys)
	case savedPrefMsg:
		if m.err != nil {
			s.notice = "Auto-refresh is switched for this session, but the preference could not be saved: " + components.Clean(m.err.Error())
		}
		return s, nil
	case tea.KeyPressMsg:
		return s, s.onKey(m)
	}
	return s, nil
}

// entraRefreshLead is how long before expiry an Entra token is fetched
// again: MSAL treats a token as due five minutes before it expires.
const entraRefreshLead = 5 * time.Minute

// refreshAt is when a token is due: an AML token says so itself
// (refreshAfterTimeUtc); an Entra token is due shortly before it expires.
// Keys are never due.
func refreshAt(c azure.Credential) time.Time {
	switch {
	case !c.RefreshAfter.IsZero():
		return c.RefreshAfter
	case !c.ExpiresOn.IsZero():
		return c.ExpiresOn.Add(-entraRefreshLead)
	}
	return time.Time{}
}

// onTick re-masks what must not stay revealed and refreshes due tokens
// (the returned command; the caller re-arms the clock).
func (s *Screen) onTick() tea.Cmd {
	now := s.env.Now()
	for _, sl := range s.all() {
		sl.secret.Expire(now)
	}
	if !s.auto {
		return nil
	}
	var cmds []tea.Cmd
	for _, sl := range s.all() {
		if sl.group == gKeys || sl.secret.Empty() {
			continue // keys do not expire; a token never fetched is not refreshed
		}
		due := refreshAt(sl.meta)
		if !due.IsZero() && !now.Before(due) && !s.loads[sl.group].call.Busy() && !now.Before(sl.nextAuto) {
			cmds = append(cmds, s.load(sl.group))
		}
	}
	return tea.Batch(cmds...)
}

func (s *Screen) onKey(k tea.KeyPressMsg) tea.Cmd {
	s.notice = ""
	sl := s.current()
	switch {
	case key.Matches(k, keyBack):
		s.Close()
		return nav.Cmd(nav.PopMsg{})
	case k.String() == "pgup" || k.String() == "pgdown":
		s.scrollBy(map[bool]int{true: -5, false: 5}[k.String() == "pgup"])
	case key.Matches(k, keyMove):
		up := k.String() == "up" || k.String() == "k"
		if n := len(s.visible()); n > 1 {
			if up {
				s.sel = (s.sel + n - 1) % n
			} else {
				s.sel = (s.sel + 1) % n
			}
		} else {
			s.scrollBy(map[bool]int{true: -1, false: 1}[up])
		}
	case key.Matches(k, keyReveal):
		s.toggleReveal(sl)
	case key.Matches(k, keyCopy):
		if v, ok := s.value(sl); ok {
			return nav.Cmd(nav.CopyMsg{Text: v, Label: "Copied the " + lowerFirst(sl.name) + " (not shown)" + s.expiredNote(sl), Secret: true})
		}
	case key.Matches(k, keyExport):
		if v, ok := s.value(sl); ok {
			name := envVar(sl)
			return nav.Cmd(nav.CopyMsg{Text: "export " + name + "=" + shQuote(v),
				Label: "Copied export " + name + "=… (the value is not shown)" + s.expiredNote(sl), Secret: true})
		}
	case key.Matches(k, keyCurl):
		return s.copyCurl(sl)
	case key.Matches(k, keyEditor):
		if s.showMgmt {
			return nil
		}
		if v, ok := s.value(sl); ok {
			s.hideAll() // leaving the screen
			return nav.Cmd(nav.ScoreMsg{Endpoint: s.ep, CredentialKind: sl.kind, Credential: v})
		}
	case key.Matches(k, keyRegen):
		return s.askRegen(sl)
	case key.Matches(k, keyRefresh):
		return s.refresh()
	case key.Matches(k, keyAuto):
		return s.toggleAuto()
	case key.Matches(k, keyMgmt):
		s.hideAll()
		s.showMgmt, s.scroll = !s.showMgmt, 0
		if s.showMgmt && s.mgmt.secret.Empty() && !s.loads[gMgmt].call.Busy() {
			return s.load(gMgmt)
		}
	case key.Matches(k, keyCheck):
		s.hideAll() // leaving the screen
		return nav.Cmd(s.checkMsg())
	}
	return nil
}

func (s *Screen) scrollBy(d int) { s.scroll = max(s.scroll+d, 0) } // View clamps the top

// value is the selected secret, or a notice saying why there is none.
func (s *Screen) value(sl *slot) (string, bool) {
	if sl == nil || sl.secret.Empty() {
		s.notice = "Nothing to copy yet: the credential has not been fetched (R fetches it)."
		return "", false
	}
	return sl.secret.Value(), true
}

func (s *Screen) expiredNote(sl *slot) string {
	if !sl.meta.ExpiresOn.IsZero() && !s.env.Now().Before(sl.meta.ExpiresOn) {
		return " — it has EXPIRED; R fetches a new one"
	}
	return ""
}

// toggleReveal shows the selected secret for the reveal time, or hides it.
func (s *Screen) toggleReveal(sl *slot) {
	now := s.env.Now()
	switch {
	case sl == nil || sl.secret.Empty():
		s.notice = "Nothing to reveal yet: the credential has not been fetched (R fetches it)."
	case sl.secret.Revealed(now):
		sl.secret.Hide()
	default:
		if path, traced := s.traced(); traced {
			s.notice = fmt.Sprintf("Not revealed: TEA_TRACE is set (%s), so every frame drawn is also written to that file "+
				"and the %s would be recorded there. Unset TEA_TRACE and restart to reveal; y still copies it without showing it.",
				components.Clean(path), lowerFirst(sl.name))
			return
		}
		s.hideAll() // one secret on screen at a time
		sl.secret.Reveal(now, s.reveal)
	}
}

// traced reports that Bubble Tea writes every frame to a file (TEA_TRACE).
func (s *Screen) traced() (string, bool) {
	v, ok := s.lookupEnv("TEA_TRACE")
	return v, ok && v != ""
}

// envVar is the variable the export and curl commands use.
func envVar(sl *slot) string {
	if sl.group == gMgmt {
		return "ARM_TOKEN" // not DATA_PLANE_TOKEN: it must never be sent to the scoring URI
	}
	return azure.TokenEnvVar
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// lowerFirst lowers "Primary key" for the middle of a sentence, not "AML token".
func lowerFirst(s string) string {
	if len(s) < 2 || strings.ToUpper(s[1:2]) == s[1:2] {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// refresh fetches the visible credential again (or re-reads the endpoint
// when its mode is not known or did not match).
func (s *Screen) refresh() tea.Cmd {
	if s.showMgmt {
		return s.load(gMgmt)
	}
	s.switches = 0
	if len(s.slots) == 0 || s.rereadErr != nil {
		return s.readEndpoint()
	}
	s.modeNote = ""
	return s.load(s.slots[0].group)
}

// onLoaded stores a credential, or the failure next to the old one.
func (s *Screen) onLoaded(r nav.Result[loaded]) tea.Cmd {
	g := group(-1)
	for i := range s.loads {
		if s.Done(&s.loads[i].call, r) {
			g = group(i)
		}
	}
	if g < 0 {
		return nil // stale: refreshed again, or the mode changed
	}
	m := struct {
		loaded
		err error
	}{r.Value, r.Err}
	l := &s.loads[g]
	now := s.env.Now()
	if m.err != nil {
		// Keep what was there: an AML token stays usable until it expires.
		l.err, l.errAt, l.denied = m.err, now, forbidden(m.err)
		for _, sl := range s.all() {
			if sl.group == g {
				sl.nextAuto = now.Add(retryAfterFailure)
			}
		}
		var mm *azure.AuthModeMismatchError
		if errors.As(m.err, &mm) && mm.Mode != s.mode && s.switches < maxSwitches {
			// The endpoint's auth mode changed since it was read: follow it.
			s.switches++
			return s.follow(mm.Mode)
		}
		return nil
	}
	l.err, l.denied = nil, false
	for _, sl := range s.all() {
		if sl.group != g {
			continue
		}
		sl.nextAuto = time.Time{}
		switch {
		case g == gKeys && sl.which == "Primary":
			sl.secret.Set(m.keys.Primary)
		case g == gKeys:
			sl.secret.Set(m.keys.Secondary)
		default:
			sl.secret.Set(m.cred.Value)
			meta := m.cred
			meta.Value = "" // the value lives in the Secret only
			sl.meta = meta
			sl.issued = issuedAt(meta.Claims, now)
		}
	}
	return nil
}

// onEndpoint takes the endpoint as read again (its mode was not known).
func (s *Screen) onEndpoint(m nav.Result[azure.Endpoint]) tea.Cmd {
	if !s.Done(&s.reread, m) {
		return nil
	}
	if m.Err != nil {
		s.rereadErr = m.Err
		return nil
	}
	s.ep = m.Value
	if m.Value.AuthMode == s.mode && len(s.slots) > 0 {
		return nil
	}
	return s.follow(m.Value.AuthMode)
}

// follow rebuilds the screen for the endpoint's current auth mode, says
// so, and fetches that credential.
func (s *Screen) follow(mode string) tea.Cmd {
	if s.mode != "" && mode != s.mode {
		s.modeNote = "The endpoint's auth mode is " + components.Clean(mode) + " now (this screen was opened for " +
			components.Clean(s.mode) + "); showing its credential."
	}
	s.ep.AuthMode = mode
	for _, g := range []group{gKeys, gAML, gML} {
		s.Cancel(&s.loads[g].call)
		s.loads[g] = loader{}
	}
	s.setMode(mode)
	if len(s.slots) == 0 {
		return nil
	}
	return s.load(s.slots[0].group)
}

// forbiddenOp is the operation behind the 403 on screen ("" when none): the
// regeneration, else the selected credential's request, else any other.
func (s *Screen) forbiddenOp() string {
	var fe *azure.ForbiddenError
	if s.regenErr != nil && errors.As(azure.Classify(s.regenErr), &fe) {
		return "endpoint.regenerateKeys"
	}
	groups := []group{gKeys, gAML}
	if c := s.current(); c != nil {
		groups = append([]group{c.group}, groups...)
	}
	for _, g := range groups {
		if err := s.loads[g].err; err != nil && errors.As(azure.Classify(err), &fe) {
			switch g {
			case gKeys:
				return "endpoint.listKeys"
			case gAML:
				return "endpoint.token"
			}
		}
	}
	return ""
}
