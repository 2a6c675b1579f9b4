package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure/emulator"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

var sizes = [][2]int{{80, 24}, {120, 40}}

func TestJourneyPersonaToEndpointAndBack(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	env.Store = newStore(t, t.TempDir())
	d := newDriver(t, Options{Env: env}, srv, 120, 40)

	d.signInToCard("alice")
	s := d.waitFor("alice@contoso.example", "Tenant", "Contoso ML", "https://management.azure.com", "continue to Subscriptions")
	if !strings.Contains(s, "DEMO") {
		t.Error("no DEMO badge in demo mode")
	}
	d.key("c")
	d.waitFor("Token claims", "xms_cc", "CP1", "✓ aud ✓ oid ✓ exp ✓ tid") // the checks the credentials screen makes
	d.key("enter")
	d.waitFor("Contoso ML Production", "Contoso ML Sandbox", "2 subscriptions")
	d.key("enter")
	d.waitFor("Workspaces in Contoso ML Production", "mlw-churn", "rg-ml-prod", "eastus")
	d.key("enter")
	s = d.waitFor("Endpoints in mlw-churn", "churn-key", "churn-aml", "churn-aad", "blue 90% · green 10%")
	if !strings.Contains(s, "Contoso ML Production › mlw-churn") {
		t.Errorf("breadcrumbs missing:\n%s", s)
	}
	d.key("/")
	d.typeText("aml")
	d.waitFor("1 of 4 endpoints")
	d.key("q") // typing: q goes into the filter, it does not quit
	if d.quit {
		t.Fatal("q quit while typing in the filter")
	}
	d.waitFor("0 of 4 endpoints")
	d.key("backspace", "enter", "enter")
	s = d.waitFor("Endpoint churn-aml", "Scoring URI", "aml_token", "Deployments and traffic", "blue", "green")
	if !strings.Contains(s, "/score") {
		t.Errorf("no scoring URI:\n%s", s)
	}
	d.key("esc")
	d.waitFor("Endpoints in mlw-churn")
	d.key("esc") // clears the kept filter first
	d.waitFor("4 endpoints")
	d.key("esc")
	d.waitFor("Workspaces in Contoso ML Production")
	d.key("esc", "esc")
	d.waitFor("Who you are")
	d.key("q")
	d.waitQuit()
	last, _ := env.Store.Load()
	if last.Last.Subscription != "" {
		t.Errorf("backing out to the identity card should leave no deeper context: %+v", last.Last)
	}
}

// Bob is Reader on the production subscription but has no role in the sandbox:
// the sandbox's workspaces come back 403 and the screen says why.
func TestForbiddenWorkspaceSaysWhy(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.signInToCard("nina")
	d.key("enter")
	d.waitFor("nina@contoso.example sees no subscriptions", "no role assignment")
	// Open a workspace nina cannot read, as the flags would.
	d.update(nav.OpenMsg{Context: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn"}})
	s := d.waitFor("Listing endpoints: access denied")
	for _, want := range []string{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read", "mlw-churn"} {
		if !strings.Contains(strings.ReplaceAll(s, "\n", ""), want) {
			t.Errorf("403 should name %q:\n%s", want, s)
		}
	}
}

func TestDeviceCodeApproveDeclineAndCancel(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.waitFor("Device code")
	d.key("/")
	d.typeText("short code")
	d.key("enter", "enter")
	s := d.waitFor("Device code sign-in", "/devicelogin", "Code expires in 1")
	d.key("esc")
	d.waitFor("Sign in to Azure", "sign-in cancelled")
	d.key("enter")
	d.waitFor("Device code sign-in", "Code expires in")
	d.key("a")
	d.waitFor("Approve the device code")
	d.key("/")
	d.typeText("gary")
	d.key("enter", "enter")
	s = d.waitFor("Who you are", "gary@contoso.example")
	if !strings.Contains(s, "with Device code") {
		t.Errorf("card should name the method:\n%s", s)
	}
}

func TestDeclinedDeviceCodeSaysSo(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.key("/")
	d.typeText("short code")
	d.key("enter", "enter")
	s := d.waitFor("Device code sign-in")
	code := ""
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "c copies it") {
			code = strings.ReplaceAll(strings.TrimSpace(strings.Split(l, "c copies it")[0]), " ", "")
		}
	}
	if err := srv.DeclineDeviceCode(code); err != nil {
		t.Fatalf("decline %q: %v", code, err)
	}
	s = d.waitFor("Device code: sign-in failed")
	if !strings.Contains(strings.ToLower(s), "declined") {
		t.Errorf("a declined code should say declined:\n%s", s)
	}
}

func TestStartContextFromFlagsOpensThereAfterSignIn(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	for name, start := range map[string]nav.Context{
		"by id":                   {Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn", Endpoint: "churn-key"},
		"by subscription name":    {Subscription: "contoso ml production", ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn", Endpoint: "churn-key"},
		"workspace only (search)": {Workspace: "mlw-churn", Endpoint: "churn-key"},
	} {
		t.Run(name, func(t *testing.T) {
			d := newDriver(t, Options{Env: env, Start: start}, srv, 120, 40)
			d.waitFor("Pick a persona")
			d.key("enter")
			d.waitFor("Alice Chen")
			d.key("enter")
			d.waitFor("Endpoint churn-key", "Scoring URI", "key  callers send", "Contoso ML Production › mlw-churn › churn-key")
			d.key("esc")
			d.waitFor("Endpoints in mlw-churn")
		})
	}
	d := newDriver(t, Options{Env: env, Start: nav.Context{Subscription: "no-such-sub", Workspace: "x"}}, srv, 120, 40)
	d.key("enter")
	d.waitFor("Alice Chen")
	d.key("enter")
	d.waitFor("No subscription no-such-sub among the 2 subscriptions")
}

func TestLastContextRestoredAfterSignIn(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	srv, env := startEmulator(t, emulator.Options{})
	env.Store = newStore(t, dir)
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.signInToCard("alice")
	d.key("enter")
	d.waitFor("Contoso ML Production")
	d.key("enter")
	d.waitFor("mlw-fraud")
	d.key("enter")
	d.waitFor("Endpoints in mlw-churn", "churn-key")
	d.key("esc")
	d.waitFor("Workspaces in")
	d.key("down", "enter")
	d.waitFor("Endpoints in mlw-fraud", "fraud-k8s")
	d.key("q")
	d.waitQuit()

	env2 := env
	env2.Store = newStore(t, dir)
	d2 := newDriver(t, Options{Env: env2}, srv, 120, 40)
	d2.signInToCard("alice")
	d2.waitFor("continue to Contoso ML Production › mlw-fraud")
	d2.key("enter")
	d2.waitFor("Endpoints in mlw-fraud", "Kubernetes")
	d2.key(":")
	d2.typeText("churn")
	d2.waitFor("recent workspace")
	d2.key("enter")
	d2.waitFor("Endpoints in mlw-churn")
}

func TestCorruptStateIsReportedAndAppStillWorks(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, env := startEmulator(t, emulator.Options{})
	store, warns, err := state.Open(dir)
	if err != nil || len(warns) != 1 {
		t.Fatalf("open: %v %v", err, warns)
	}
	env.Store = store
	d := newDriver(t, Options{Env: env, Notices: []string{warns[0].Message}}, srv, 120, 40)
	d.waitFor("Sign in to Azure", "state.json", "moved aside")
	d.signInToCard("alice")
}

func TestThrottlingShowsInlineErrorAndRetryWorks(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{Faults: []emulator.Fault{{Route: "/subscriptions", Status: 503}}})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.signInToCard("alice")
	d.key("enter")
	s := d.waitFor("Listing subscriptions", "R retries")
	if !strings.Contains(s, "503") {
		t.Errorf("the error should say what Azure answered:\n%s", s)
	}
	d.key("e")
	d.waitFor("What Azure said:", "esc closes")
	d.key("esc")
	if strings.Contains(d.screen(), "What Azure said:") {
		t.Fatal("esc did not close the error details")
	}
	srv.SetFaults(nil)
	d.key("R")
	d.waitFor("Contoso ML Production")
}

func TestPaletteJumpsAndCommands(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.signInToCard("olivia")
	d.key("enter")
	d.waitFor("Contoso ML Production")
	d.key("enter")
	d.waitFor("mlw-churn", "mlw-fraud")
	d.key(":")
	d.typeText("frd")
	d.waitFor("mlw-fraud", " workspace ", "enter go")
	d.key("enter")
	d.waitFor("Endpoints in mlw-fraud")
	d.key(":")
	d.typeText("help")
	d.key("enter")
	d.waitFor("Keys — Endpoints", "refresh")
	d.key("esc")
	d.key("?")
	d.waitFor("Keys — Endpoints")
	d.key("?")
	if strings.Contains(d.screen(), "Keys — ") {
		t.Fatal("? did not close help")
	}
}

func TestTooSmallAndResizeNeverPanic(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	d := newDriver(t, Options{Env: env}, srv, 70, 20)
	if s := d.screen(); !strings.Contains(s, "needs at least 80x24") || !strings.Contains(s, "70x20") {
		t.Fatalf("too-small message missing:\n%s", s)
	}
	d.update(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.signInToCard("alice")
	d.key("enter")
	d.waitFor("Contoso ML Production")
	for w := 0; w <= 130; w += 7 {
		for h := 0; h <= 45; h += 5 {
			d.update(tea.WindowSizeMsg{Width: w, Height: h})
			v := d.m.View().Content
			if w >= MinWidth && h >= MinHeight {
				lines := strings.Split(v, "\n")
				if len(lines) != h {
					t.Fatalf("%dx%d: %d lines", w, h, len(lines))
				}
				for _, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Fatalf("%dx%d: a line is %d wide: %q", w, h, lw, ansi.Strip(l))
					}
				}
			}
		}
	}
}

func TestHostileServerStringsAreDrawnHarmless(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{})
	srv.Mutate(func(w *emulator.World) {
		for _, s := range w.Subscriptions {
			if s.ID == emulator.SubProduction {
				s.DisplayName = "Prod\x1b]52;c;cm0gLXJmIC8=\x07\x1b[2J\u202eevil"
			}
		}
	})
	d := newDriver(t, Options{Env: env}, srv, 120, 40)
	d.signInToCard("alice")
	d.key("enter")
	d.waitFor("Contoso ML Sandbox")
	raw := d.m.View().Content
	for _, bad := range []string{"\x1b]52", "\x1b[2J", "\u202e", "\x07"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("frame contains %q", bad)
		}
	}
	if !strings.Contains(d.screen(), "Prodevil") {
		t.Errorf("the sanitized name should still show:\n%s", d.screen())
	}
}

func TestGoldenSignIn(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			hermetic(t)
			srv, env := startEmulator(t, emulator.Options{})
			d := newDriver(t, Options{Env: env}, srv, sz[0], sz[1])
			d.waitFor("Sign in to Azure")
			golden.RequireEqual(t, d.screen())
		})
	}
}

func TestGoldenEndpoints(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			hermetic(t)
			srv, env := startEmulator(t, emulator.Options{})
			d := newDriver(t, Options{Env: env}, srv, sz[0], sz[1])
			d.signInToCard("alice")
			d.key("enter")
			d.waitFor("Contoso ML Production")
			d.key("enter")
			d.waitFor("mlw-churn")
			d.key("enter")
			d.waitFor("Endpoints in mlw-churn", "churn-key")
			golden.RequireEqual(t, d.screen())
		})
	}
}

func TestGoldenPersonas(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			hermetic(t)
			srv, env := startEmulator(t, emulator.Options{})
			d := newDriver(t, Options{Env: env}, srv, sz[0], sz[1])
			d.key("enter")
			d.waitFor("Gary Lindqvist")
			golden.RequireEqual(t, d.screen())
		})
	}
}

var _ = time.Second
