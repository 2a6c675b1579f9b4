package credentials

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	case len(s.slots) > 0:
		ks = append(ks, keyAuto) // tokens: AML and Entra
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
			s.regenErr, s.regenRoles = m.Err, rolesFor(m.Err, actRegenerate, s.ep.ID)
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

func (s *Screen) copyCurl(sl *slot) tea.Cmd {
	if sl == nil {
		return nil
	}
	var cmd, label string
	if sl.group == gMgmt {
		cfg := s.env.Config
		if sess := s.svc(); sess != nil {
			cfg = sess.Config()
		}
		cmd = `curl -sS -H "Authorization: Bearer $ARM_TOKEN" ` + shQuote(cfg.ARMURL(azure.EndpointAPIPath(s.ep.EndpointRef)))
		label = "Copied a curl command that reads the endpoint with $ARM_TOKEN (e copies the export)"
	} else {
		if s.ep.ScoringURI == "" {
			s.notice = "The endpoint has no scoring URI yet (is it still being created?)."
			return nil
		}
		// The request editor's export, with the seeds' sample input: runnable as is once the variable is set.
		cmd = azure.ExportCurl(azure.ScoreRequest{URI: s.ep.ScoringURI, Body: azure.SampleBody(0)})
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
		return s.readEndpoint()
	}
	s.modeNote = ""
	return s.load(s.slots[0].group)
}

func (s *Screen) toggleAuto() tea.Cmd {
	if s.mode == azure.AuthKey && !s.showMgmt {
		s.notice = "Keys do not expire: automatic refresh is for tokens (AML, Entra, control-plane)."
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
	if s.regen != nil || s.regenCall.Busy() {
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
	return s.Confirm("Regenerate the "+lw+" key of "+c(s.ep.Endpoint)+"?", body, "Regenerate", regenConfirmMsg{which: which})
}

func (s *Screen) startRegen(which string) tea.Cmd {
	sess := s.svc()
	if sess == nil {
		s.regenErr = azure.ErrNotSignedIn
		return nil
	}
	s.regenWhich, s.regenErr, s.regenRoles, s.regenLast = which, nil, nil, azure.Progress{}
	ref := s.ep.EndpointRef
	return nav.Go(&s.Kit, &s.regenCall, requestTimeout, func(ctx context.Context) (*azure.Operation, error) {
		return sess.RegenerateKey(ctx, ref, which)
	})
}

// checkMsg opens the access check at the endpoint, offering its own identity.
func (s *Screen) checkMsg() nav.CheckAccessMsg {
	m := nav.CheckAccessMsg{Context: s.Where(), AuthMode: s.mode}
	if s.ep.IdentityPrincipal != "" {
		m.Identity = &azure.PrincipalRef{ID: s.ep.IdentityPrincipal, Kind: "ServicePrincipal", SPType: "ManagedIdentity",
			DisplayName: components.Clean(s.ep.Endpoint)}
	}
	return m
}
