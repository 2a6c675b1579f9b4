package signin

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// Events of a sign-in flow, delivered one at a time from its goroutine.
type (
	flowMsg struct {
		flow uint64
		ev   any
		ch   <-chan any
	}
	doneEv struct {
		sess *azure.Session
		err  error
	}
	approvedMsg struct{ err error }
)

func listen(flow uint64, ch <-chan any) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		return flowMsg{flow: flow, ev: ev, ch: ch}
	}
}

// begin starts signing in with the chosen method.
func (s *Screen) begin(m azure.MethodInfo, p azure.Persona) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	s.method, s.persona = m, p
	s.flow = s.env.NextSeq()
	s.phase, s.probes, s.code, s.err, s.browser = phaseWorking, nil, nil, nil, ""
	s.Cancel(&s.tenantsQ)
	ctx, cancel := context.WithTimeout(s.Context(), signInTimeout)
	s.cancel = cancel
	ch := make(chan any, 16)
	cfg := s.env.Config
	opts := azure.SignInOptions{Method: m.Method, TenantID: s.env.Context.TenantID, Persona: p,
		OnDeviceCode: func(dc azure.DeviceCode) { ch <- dc },
		OnProbe:      func(r azure.ProbeResult) { ch <- r },
	}
	go func() {
		sess, err := azure.SignIn(ctx, cfg, opts)
		ch <- doneEv{sess: sess, err: err}
		close(ch)
	}()
	var save tea.Cmd
	if st := s.env.Store; st != nil {
		method := string(m.Method)
		save = func() tea.Msg {
			_ = st.Update(func(d *state.Data) { d.Prefs.SignInMethod = method })
			return nil
		}
	}
	return tea.Batch(listen(s.flow, ch), s.StartSpinner(), save)
}

// openBrowser runs the platform's opener and says what it answered: only
// an opener that succeeded counts as "Browser opened." The URL stays on
// screen for another device either way.
func (s *Screen) openBrowser() tea.Cmd {
	url, open := s.code.VerificationURL, s.opener
	s.browser = "Opening a browser…"
	return nav.Go(&s.Kit, &s.opening, 0, func(ctx context.Context) (struct{}, error) { return struct{}{}, open(ctx, url) })
}

// openerGrace is how long an opener may run before it counts as having
// opened the browser: xdg-open and open return at once, but some openers
// (sensible-browser with a console browser) keep running.
const openerGrace = 5 * time.Second

var errNoOpener = errors.New("no opener (xdg-open, wslview, sensible-browser) is installed")

func openURL(ctx context.Context, url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		for _, opener := range []string{"xdg-open", "wslview", "sensible-browser"} {
			if _, err := exec.LookPath(opener); err == nil {
				cmd = exec.Command(opener, url)
				break
			}
		}
	}
	if cmd == nil {
		return errNoOpener
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(openerGrace):
		return nil // still running: it has the browser
	case <-ctx.Done():
		return nil
	}
}

// open continues to a context; the value is copied now, not read later from
// the shared Env by the command's goroutine.
func open(c nav.Context) tea.Cmd { return func() tea.Msg { return nav.OpenMsg{Context: c} } }
