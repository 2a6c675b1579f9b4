package credentials

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

var (
	keyMove    = key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "select"))
	keyScroll  = key.NewBinding(key.WithKeys("up", "down", "k", "j", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll claims"))
	keyReveal  = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal"))
	keyCopy    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy"))
	keyExport  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "copy as export"))
	keyCurl    = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy as curl"))
	keyEditor  = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "use in request editor"))
	keyRegen   = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "regenerate"))
	keyRefresh = key.NewBinding(key.WithKeys("R", "f5"), key.WithHelp("R", "refresh"))
	keyAuto    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-refresh"))
	keyMgmt    = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "control-plane token"))
	keyCheck   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check access"))
	keyBack    = key.NewBinding(key.WithKeys("esc"))
)

// Keys are the bindings that apply now, most used first.
func (s *Screen) Keys() []key.Binding {
	ks := []key.Binding{keyReveal, keyCopy, keyExport, keyCurl}
	if !s.showMgmt {
		ks = append(ks, keyEditor)
	}
	switch {
	case s.showMgmt:
		ks = append(ks, key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "data-plane credential")))
	case s.mode == azure.AuthKey:
		ks = append(ks, keyMove, keyRegen)
	case s.mode == azure.AuthAMLToken:
		ks = append(ks, keyAuto)
	}
	if s.showMgmt || s.mode != azure.AuthKey {
		ks = append(ks, keyScroll)
	}
	ks = append(ks, keyRefresh, keyCheck)
	if !s.showMgmt {
		ks = append(ks, keyMgmt)
	}
	return ks
}

// Update handles keys (when on top), the clock, focus and async results.
func (s *Screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if s.closed {
		return s, nil // closed: no result may bring a secret back
	}
	switch m := msg.(type) {
	case tickMsg:
		if m.id != s.id {
			return s, nil
		}
		return s, tea.Batch(s.tick(), s.onTick())
	case tea.BlurMsg:
		s.hideAll() // the terminal lost focus: whoever looks at it now did not ask
		return s, nil
	case loadedMsg:
		return s, s.onLoaded(m)
	case endpointMsg:
		return s, s.onEndpoint(m)
	case regenConfirmMsg:
		if m.id != s.id {
			return s, nil
		}
		return s, s.startRegen(m.which)
	case regenStartedMsg:
		if m.id != s.id {
			return s, nil
		}
		s.regenStart = false
		if m.err != nil {
			s.regenErr, s.regenRoles = m.err, rolesFor(m.err, actRegenerate, s.ep.ID)
			return s, nil
		}
		s.regen = m.op
		label := fmt.Sprintf("Regenerate the %s key of %s", strings.ToLower(s.regenWhich), components.Clean(s.ep.Endpoint))
		return s, nav.Cmd(nav.TrackMsg{Op: m.op, Label: label})
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
			s.regenErr, s.regenRoles = m.Progress.Err, rolesFor(m.Progress.Err, actRegenerate, s.ep.ID)
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

// actRegenerate is the action regenerateKeys needs.
const actRegenerate = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"

// onTick re-masks what must not stay revealed and refreshes a due AML
// token (the returned command; the caller re-arms the clock).
func (s *Screen) onTick() tea.Cmd {
	now := s.env.Now()
	if !s.drawn {
		// Not drawn since the last tick: another screen is on top. A reveal
		// must not be waiting there when the user comes back.
		s.hideAll()
	}
	s.drawn = false
	for _, sl := range s.all() {
		sl.secret.Expire(now)
	}
	if s.auto && s.mode == azure.AuthAMLToken && len(s.slots) == 1 {
		sl, l := s.slots[0], &s.loads[gAML]
		due := !sl.meta.RefreshAfter.IsZero() && !now.Before(sl.meta.RefreshAfter)
		if due && !l.loading && !now.Before(sl.nextAuto) {
			return s.load(gAML)
		}
	}
	return nil
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
		if s.showMgmt && s.mgmt.secret.Empty() && !s.loads[gMgmt].loading {
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

func (s *Screen) copyCurl(sl *slot) tea.Cmd {
	if sl == nil {
		return nil
	}
	var cmd, label string
	if sl.group == gMgmt {
		arm := "https://management.azure.com"
		if sess := s.svc(); sess != nil && sess.Config().ARMEndpoint != "" {
			arm = strings.TrimRight(sess.Config().ARMEndpoint, "/")
		}
		cmd = `curl -sS -H "Authorization: Bearer $ARM_TOKEN" ` + shQuote(arm+s.ep.ID+"?api-version=2024-04-01")
		label = "Copied a curl command that reads the endpoint with $ARM_TOKEN (e copies the export)"
	} else {
		if s.ep.ScoringURI == "" {
			s.notice = "The endpoint has no scoring URI yet (is it still being created?)."
			return nil
		}
		// The request editor's export, with the seeds' sample input: runnable as is once the variable is set.
		cmd = azure.ExportCurl(azure.ScoreRequest{URI: s.ep.ScoringURI, Body: azure.SampleBody(0), CAFile: s.env.Config.CAFile})
		label = "Copied a curl command for the scoring URI; it reads $" + azure.TokenEnvVar + " (e copies the export)"
	}
	return nav.Cmd(nav.CopyMsg{Text: cmd, Label: label})
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
		return s.reread()
	}
	s.modeNote = ""
	return s.load(s.slots[0].group)
}

func (s *Screen) toggleAuto() tea.Cmd {
	if s.mode != azure.AuthAMLToken || s.showMgmt {
		s.notice = "Automatic refresh is for AML tokens (aml_token endpoints)."
		return nil
	}
	s.auto = !s.auto
	st := s.env.Store
	if st == nil {
		return nil
	}
	v := s.auto
	return func() tea.Msg {
		return savedPrefMsg{err: st.Update(func(d *state.Data) { d.Prefs.AutoRefreshTokens = &v })}
	}
}

// askRegen asks before regenerating, explaining the rotation that avoids downtime.
func (s *Screen) askRegen(sl *slot) tea.Cmd {
	if s.mode != azure.AuthKey || s.showMgmt || sl == nil || sl.which == "" {
		s.notice = "Only keys can be regenerated (key endpoints); tokens are simply fetched again (R)."
		return nil
	}
	if s.regen != nil || s.regenStart {
		s.notice = "A regeneration is already running; wait for it to finish."
		return nil
	}
	which, other := sl.which, "Secondary"
	if which == "Secondary" {
		other = "Primary"
	}
	lw, lo := strings.ToLower(which), strings.ToLower(other)
	c := components.Clean
	body := fmt.Sprintf("Callers that send the %[1]s key get 401 Unauthorized from the moment it is regenerated.\n\n"+
		"Rotate without downtime:\n"+
		"  1. Switch every caller to the %[2]s key (select it, y copies it).\n"+
		"  2. Regenerate the %[1]s key (this step).\n"+
		"  3. Move callers to the new %[1]s key, then rotate the %[2]s the same way.\n\n"+
		"az ml online-endpoint regenerate-keys -n %[3]s -g %[4]s -w %[5]s --key-type %[1]s\n"+
		"POST …/onlineEndpoints/%[3]s/regenerateKeys {\"keyType\":\"%[6]s\"}",
		lw, lo, c(s.ep.Endpoint), c(s.ep.ResourceGroup), c(s.ep.Name), which)
	return nav.Cmd(nav.ConfirmMsg{Title: "Regenerate the " + lw + " key of " + c(s.ep.Endpoint) + "?", Body: body,
		Yes: "Regenerate", OnYes: regenConfirmMsg{id: s.id, which: which}})
}

func (s *Screen) startRegen(which string) tea.Cmd {
	sess := s.svc()
	if sess == nil {
		s.regenErr = azure.ErrNotSignedIn
		return nil
	}
	s.regenWhich, s.regenStart, s.regenErr, s.regenRoles, s.regenLast = which, true, nil, nil, azure.Progress{}
	id, ref := s.id, s.ep.EndpointRef
	return func() tea.Msg {
		ctx, cancel := reqCtx()
		defer cancel()
		op, err := sess.RegenerateKey(ctx, ref, which)
		return regenStartedMsg{id: id, op: op, err: err}
	}
}

// checkMsg opens the access check at the endpoint, offering its own identity;
// after a 403 it opens it already run for the operation that failed.
func (s *Screen) checkMsg() nav.CheckAccessMsg {
	m := nav.CheckAccessMsg{Context: s.Where(), AuthMode: s.mode}
	if op := s.forbiddenOp(); op != "" {
		m.Run = &nav.CheckRun{Operation: op}
	}
	if s.ep.IdentityPrincipal != "" {
		m.Identity = &azure.PrincipalRef{ID: s.ep.IdentityPrincipal, Kind: "ServicePrincipal", SPType: "ManagedIdentity",
			DisplayName: components.Clean(s.ep.Endpoint)}
	}
	return m
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
