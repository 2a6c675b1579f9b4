package ui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure/emulator"
	"amlauth-tui/ui/nav"
)

// The same journey through a real tea.Program (teatest): device code
// approved as a persona by the simulated Azure, walk to an endpoint, filter,
// back out, quit.
func TestTeatestDeviceCodeJourney(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{AutoApprove: "alice", AutoApproveAfter: 2})
	tm := teatest.NewTestModel(t, New(Options{Env: env}), teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	_ = srv
	// WaitFor consumes what it read: one wait per redraw, with every text it needs.
	wait := teaWaiter(t, tm)
	keys := func(ks ...string) {
		for _, k := range ks {
			tm.Send(keyMsg(k))
		}
	}
	wait("Sign in to Azure")
	tm.Type("/short code")
	keys("enter", "enter")
	wait("Who you are") // the code was shown, then approved as alice
	keys("enter")
	wait("Contoso ML Sandbox")
	keys("enter")
	wait("mlw-fraud")
	keys("enter")
	wait("churn-aml")
	// Keys are handled in order and the filter applies on each keystroke, so
	// enter opens the only match. (Output is a stream of partial redraws:
	// waits look for text that is drawn whole.)
	tm.Type("/aad")
	keys("enter", "enter")
	wait("Calling it", "Scoring URI", "callers send a Microsoft Entra token")
	keys("esc", "esc", "esc")
	wait("Workspaces in")
	keys("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if got := final.Stack(); len(got) != 3 || got[2] != "Workspaces" {
		t.Fatalf("stack after backing out twice from the endpoint: %v", got)
	}
	if final.Env().Session == nil || final.Env().Session.Identity().UPN != "alice@contoso.example" {
		t.Fatal("not signed in as alice")
	}
}

// Issue 4's journey through a real tea.Program: Olivia checks Bob on
// churn-key (he is Reader: ✗ keys, with the reason), assigns the suggested
// role, and verify reports it listed by Azure (never "effective" for someone else).
func TestTeatestCheckAssignVerify(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{AutoApprove: "olivia", PropagationDelay: time.Second})
	_ = srv
	tm := teatest.NewTestModel(t, New(Options{Env: env, Start: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}}), teatest.WithInitialTermSize(140, 45),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	wait := teaWaiter(t, tm)
	keys := func(ks ...string) {
		for _, k := range ks {
			tm.Send(keyMsg(k))
		}
	}
	wait("Sign in to Azure")
	tm.Type("/short code")
	keys("enter", "enter") // device code, auto-approved as olivia; the flags open churn-key
	wait("Calling it", "check access")
	keys("c")
	wait("1 Who")
	tm.Type("bob")
	keys("enter")
	wait("Bob Reyes <bob@contoso.example>")
	keys("down", "down", "enter")
	wait("LEVEL")
	keys("enter", "enter") // the endpoint; the preselected operations
	wait("Get the keys (key)", "No role assignment grants")
	keys("down", "down", "down")
	wait("onlineEndpoints/listKeys/action") // the detail pane now explains the keys row
	keys("A")
	wait("Choose the role")
	keys("enter", "enter")
	wait("az role assignment create --assignee-object-id b0b00000-0000-4000-8000-000000000b0b")
	keys("y")
	wait("assigned ✓ (listed by Azure)") // for someone else: listed, never "effective"
	keys("enter")
	wait("⧖   Get the keys (key)", "assigned, not yet in effect") // not promised to someone else while Azure applies it
	keys("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// teaWaiter waits until the program's output holds every text (teatest
// output is a stream of partial redraws: wait for text drawn whole).
func teaWaiter(t *testing.T, tm *teatest.TestModel) func(texts ...string) {
	return func(texts ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, x := range texts {
				if !bytes.Contains(b, []byte(x)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
}
