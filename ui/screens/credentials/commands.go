package credentials

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// Init fetches the credential (one call) and starts the clock.
func (s *Screen) Init() tea.Cmd {
	if len(s.slots) == 0 {
		return tea.Batch(s.tick(), s.readEndpoint())
	}
	return tea.Batch(s.tick(), s.load(s.slots[0].group))
}

// tick fires on each second of env's clock (the wall clock's unless a test
// moves its own); everything shown is computed from env.Now at that moment,
// never from a count of ticks, so nothing drifts.
func (s *Screen) tick() tea.Cmd {
	id := s.ScreenID()
	return s.env.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// load fetches a group's credential.
func (s *Screen) load(g group) tea.Cmd {
	l := &s.loads[g]
	sess := s.svc()
	if sess == nil {
		s.Cancel(&l.call)
		l.err = azure.ErrNotSignedIn
		return nil
	}
	ref, cfg := s.ep.EndpointRef, sess.Config()
	return nav.Go(&s.Kit, &l.call, requestTimeout, func(ctx context.Context) (m loaded, err error) {
		switch g {
		case gKeys:
			m.keys, err = sess.Keys(ctx, ref)
		case gAML:
			m.cred, err = sess.AMLToken(ctx, ref)
		case gML:
			m.cred, err = sess.EntraToken(ctx, cfg.MLAudience)
		case gMgmt:
			m.cred, err = sess.EntraToken(ctx, cfg.ARMAudience)
		}
		return m, err
	})
}

// readEndpoint reads the endpoint again: its auth mode decides what to fetch.
func (s *Screen) readEndpoint() tea.Cmd {
	sess := s.svc()
	if sess == nil {
		s.rereadErr = azure.ErrNotSignedIn
		return nil
	}
	s.rereadErr = nil
	ref := s.ep.EndpointRef
	return nav.Go(&s.Kit, &s.reread, requestTimeout, func(ctx context.Context) (azure.Endpoint, error) { return sess.Endpoint(ctx, ref) })
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
		cmd = azure.ExportCurl(azure.ScoreRequest{URI: s.ep.ScoringURI, Body: azure.SampleBody(0), CAFile: s.env.Config.CAFile})
		label = "Copied a curl command for the scoring URI; it reads $" + azure.TokenEnvVar + " (e copies the export)"
	}
	return nav.Cmd(nav.CopyMsg{Text: cmd, Label: label})
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
	s.regenWhich, s.regenErr, s.regenDenied, s.regenLast = which, nil, false, azure.Progress{}
	ref := s.ep.EndpointRef
	return nav.Go(&s.Kit, &s.regenCall, requestTimeout, func(ctx context.Context) (*azure.Operation, error) {
		return sess.RegenerateKey(ctx, ref, which)
	})
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
