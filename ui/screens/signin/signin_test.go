package signin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/nav/navtest"
	"amlauth-tui/ui/theme"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newScreen(t *testing.T) *Screen {
	t.Setenv("PATH", t.TempDir()) // no az
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"} {
		t.Setenv(v, "")
	}
	cfg, err := azure.CloudConfig("AzureCloud")
	if err != nil {
		t.Fatal(err)
	}
	return New(&nav.Env{Config: cfg, Styles: theme.New(true, false), Now: func() time.Time { return now }})
}

func enter() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyEnter} }

func TestUnavailableMethodSaysWhyAndWhatNext(t *testing.T) {
	s := newScreen(t)
	if !s.methods.Select(string(azure.MethodCLI)) {
		t.Fatal("no Azure CLI method")
	}
	_, cmd := s.Update(enter())
	if cmd != nil || s.phase != phaseMethods {
		t.Fatal("an unavailable method must not start a sign-in")
	}
	v := ansi.Strip(s.View(120, 30))
	for _, want := range []string{"Azure CLI: sign-in failed", "Azure CLI not found", "choose device code"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if !strings.Contains(v, "Managed identity") {
		t.Error("real Azure lists managed identity")
	}
	if strings.Contains(v, "Pick a persona") {
		t.Error("personas are a demo-only method")
	}
}

func TestDeviceCodeViewCountsDownAndExpires(t *testing.T) {
	s := newScreen(t)
	s.phase = phaseDeviceCode
	s.code = &azure.DeviceCode{UserCode: "ABCD2345", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: now.Add(15 * time.Minute)}
	v := ansi.Strip(s.View(100, 30))
	for _, want := range []string{"https://microsoft.com/devicelogin", "A B C D 2 3 4 5", "Code expires in 15:00", "esc cancels", "█"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "approve the code as a persona") {
		t.Error("the persona approval is demo-only")
	}
	s.code.ExpiresAt = now.Add(-time.Second)
	if v := ansi.Strip(s.View(100, 30)); !strings.Contains(v, "The code expired") {
		t.Errorf("expired code:\n%s", v)
	}
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	if m, ok := cmd().(nav.CopyMsg); !ok || m.Text != "ABCD2345" {
		t.Fatalf("c copies the code: %#v", m)
	}
	_, cmd = s.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if s.phase != phaseMethods || cmd == nil {
		t.Fatal("esc cancels back to the methods")
	}
	// A late event of the cancelled flow is dropped.
	s.Update(flowMsg{flow: s.flow - 1, ev: doneEv{err: &azure.AuthError{Method: azure.MethodDeviceCode, Reason: "late"}}})
	if s.err != nil {
		t.Fatal("a cancelled flow's result was applied")
	}
}

func TestProbeLines(t *testing.T) {
	st := theme.New(true, true)
	out := ansi.Strip(ProbeLines(st, []azure.ProbeResult{
		{Source: "EnvironmentCredential", Reason: "AZURE_TENANT_ID not set", Took: 40 * time.Microsecond},
		{Source: "AzureCLICredential", OK: true, Reason: "signed in as alice@contoso.example", Took: 812 * time.Millisecond},
	}, 100))
	for _, want := range []string{"✗ EnvironmentCredential", "40µs", "AZURE_TENANT_ID not set", "✓ AzureCLICredential", "812ms", "alice@contoso.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}

// Enter on the identity card can beat the root to the new session (both
// are messages): the screen waits for the root's SignedInMsg before it
// opens the browser, or the open would find nobody signed in.
func TestCardOpensOnlyOnceTheRootHasTheSession(t *testing.T) {
	s := newScreen(t)
	sess := &azure.Session{}
	s.phase, s.session = phaseCard, sess
	if _, cmd := s.Update(enter()); cmd != nil {
		t.Fatalf("enter before the root has the session: %T", cmd())
	}
	if _, cmd := s.Update(nav.SignedInMsg{Session: &azure.Session{}}); cmd != nil {
		t.Fatal("another session's announcement opened the browser")
	}
	_, cmd := s.Update(nav.SignedInMsg{Session: sess})
	if cmd == nil {
		t.Fatal("the deferred enter did not open the browser")
	}
	if _, ok := cmd().(nav.OpenMsg); !ok {
		t.Fatal("the deferred enter did not send OpenMsg")
	}
	if _, cmd := s.Update(enter()); cmd == nil {
		t.Fatal("enter after the announcement does nothing")
	}
}

// After a successful chain sign-in, only the sources before the one used
// failed; the ones after it were checked and are shown as such.
func TestProbeLinesShowUsedFailedAndCheckedAfter(t *testing.T) {
	st := theme.New(true, false)
	v := ansi.Strip(ProbeLines(st, []azure.ProbeResult{
		{Source: "EnvironmentCredential", Reason: "AZURE_TENANT_ID is not set"},
		{Source: "AzureCLICredential", OK: true, Reason: "signed in as alice"},
		{Source: "AzureDeveloperCLICredential", Reason: "azd not found"},
		{Source: "ManagedIdentityCredential", OK: true, Reason: "signed in as mi"},
	}, 140))
	lines := strings.Split(strings.TrimRight(v, "\n"), "\n")
	want := [][]string{{"✗", "failed", "AZURE_TENANT_ID"}, {"✓", "used", "alice"}, {"checked after: would fail", "azd not found"}, {"checked after: would work"}}
	for i, ws := range want {
		for _, w := range ws {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d lacks %q: %q", i, w, lines[i])
			}
		}
	}
	if strings.Contains(lines[2], "✗") || strings.Contains(lines[3], "✗") {
		t.Errorf("a source checked after the one used is drawn as a failure:\n%s", v)
	}
}

func deviceCodeScreen(t *testing.T) *Screen {
	s := newScreen(t)
	s.phase = phaseDeviceCode
	s.code = &azure.DeviceCode{UserCode: "ABCD2345", VerificationURL: "https://microsoft.com/devicelogin", ExpiresAt: now.Add(15 * time.Minute)}
	return s
}

func TestBrowserOpenedOnlyWhenTheOpenerSucceeded(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
		not  string
	}{
		{errors.New("exit status 3"), "could not be opened (exit status 3)", "Browser opened."},
		{nil, "Browser opened.", "could not"},
	} {
		s := deviceCodeScreen(t)
		s.opener = func(context.Context, string) error { return c.err }
		_, cmd := s.Update(enter())
		for _, m := range navtest.Msgs(cmd) {
			s.Update(m)
		}
		v := ansi.Strip(s.View(100, 30))
		if !strings.Contains(v, c.want) || strings.Contains(v, c.not) {
			t.Errorf("opener error %v: want %q, not %q:\n%s", c.err, c.want, c.not, v)
		}
	}
}

func TestEscInApprovePickerReturnsToTheDeviceCode(t *testing.T) {
	s := deviceCodeScreen(t)
	s.env.ApproveDeviceCode = func(string, string) error { return nil }
	s.env.Personas = []azure.Persona{{Key: "alice", Name: "Alice"}}
	_, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.cancel = cancel // the device-code sign-in is running
	s.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	if s.phase != phasePersonas {
		t.Fatalf("a did not open the picker: phase %v", s.phase)
	}
	s.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if s.phase != phaseDeviceCode || s.code == nil || s.cancel == nil {
		t.Fatalf("esc in the picker left the sign-in: phase %v", s.phase)
	}
}
