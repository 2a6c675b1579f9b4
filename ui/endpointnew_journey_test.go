package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/ui/nav"
)

// Issue 5's journeys: create an endpoint with the wizard, delete one, and a
// provisioning that fails. The emulator provisions in a fraction of a second.

var churnWS = nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn"}

// endpointsIn lists a workspace's endpoints straight from the simulated Azure.
func endpointsIn(t *testing.T, d *driver, c nav.Context) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	eps, err := d.m.Env().Session.Endpoints(ctx, azure.WorkspaceRef{Subscription: c.Subscription, ResourceGroup: c.ResourceGroup, Name: c.Workspace})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range eps {
		names = append(names, e.Endpoint+":"+e.AuthMode+":"+e.ProvisioningState)
	}
	return names
}

func TestJourneyCreateAADTokenEndpoint(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: churnWS}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("churn-key", "churn-aad")
	d.key("n")
	d.waitFor("New endpoint in mlw-churn", "✓ You may create endpoints here")
	d.typeText("churn-v2")
	d.waitFor("✓ churn-v2 is a valid name")
	d.key("enter")
	d.typeText("Churn v2 for apps")
	d.key("tab")
	d.typeText("team=ml")
	d.key("enter")
	d.waitFor("Where it runs")
	d.key("enter") // Managed
	d.waitFor("How callers authenticate")
	d.key("up") // aad_token
	d.waitFor("onlineEndpoints/score/action on the endpoint")
	d.key("enter")
	d.waitFor("Which identity it runs as", "id-churn-scoring") // the seeded user-assigned identity
	d.key("enter")                                             // system-assigned
	s := d.waitFor("endpoint.yml (y)", "az CLI (a)", "REST (r)")
	if !strings.Contains(s, "aad_token") {
		t.Errorf("the review shows the auth mode:\n%s", s)
	}
	d.key("enter")
	d.waitFor("Endpoint churn-v2", "✓ Succeeded", "Create churn-v2: Succeeded")
	d.key("esc")
	s = d.waitFor("churn-v2", "churn-key")
	if !strings.Contains(s, "aad") {
		t.Errorf("the list shows the new endpoint with its auth mode:\n%s", s)
	}
	found := false
	for _, e := range endpointsIn(t, d, churnWS) {
		found = found || e == "churn-v2:"+azure.AuthAADToken+":Succeeded"
	}
	if !found {
		t.Fatalf("Azure does not have churn-v2 as an aad_token endpoint: %v", endpointsIn(t, d, churnWS))
	}
}

func TestJourneyCreateRefusedForAReaderOffersTheCheck(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: churnWS}, srv, 120, 40)
	d.signInAs("bob")
	d.waitFor("churn-key")
	d.key("n")
	d.waitFor("✗ You may not create endpoints in mlw-churn", "ctrl+o")
	d.update(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	// Already run for creating endpoints at the workspace, the cursor on it.
	s := d.waitDetail("Create/update online endpoints and deployments", "Check access", "4 Verdict")
	if !strings.Contains(s, "who    Bob Reyes <bob@contoso.example>") || !strings.Contains(s, "where  workspace /subscriptions/") ||
		!strings.Contains(s, "✗   Create/update online endpoints") {
		t.Errorf("the check should answer for bob at the workspace:\n%s", s)
	}
}

func TestJourneyDeleteEndpoint(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	at := churnWS
	at.Endpoint = "churn-aml"
	d := newDriver(t, Options{Env: env, Start: at}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("Endpoint churn-aml", "Scoring URI")
	d.key("D")
	d.waitFor("Delete endpoint churn-aml", "Type churn-aml to confirm", "az ml online-endpoint delete")
	d.typeText("churn-am")
	d.key("enter")
	d.waitFor("Type the endpoint's name exactly")
	d.typeText("l")
	d.key("enter")
	d.waitFor("Delete churn-aml: Succeeded", "churn-key")
	if got := d.m.Stack(); got[len(got)-1] != "Endpoints" {
		t.Fatalf("after the delete the endpoint list is on top: %v", got)
	}
	for _, e := range endpointsIn(t, d, churnWS) {
		if strings.HasPrefix(e, "churn-aml:") {
			t.Fatalf("churn-aml still exists: %v", e)
		}
	}
}

func TestJourneyFailedProvisioningShowsTheOperationError(t *testing.T) {
	hermetic(t)
	f, err := emulator.ParseFault("lro-fail,method=PUT")
	if err != nil {
		t.Fatal(err)
	}
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond, Faults: []emulator.Fault{f}})
	d := newDriver(t, Options{Env: env, Start: churnWS}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("churn-key")
	d.key("n")
	d.waitFor("New endpoint in mlw-churn")
	d.typeText("churn-v3")
	d.key("enter", "enter", "enter", "enter", "enter") // name, description, tags, Managed, key
	d.waitFor("Which identity it runs as", "id-churn-scoring")
	d.key("enter")
	d.waitFor("endpoint.yml (y)")
	d.key("enter")
	s := d.waitFor("Provisioning failed", "enter retries the create", "Create churn-v3 failed")
	if !strings.Contains(s, "Failed") {
		t.Errorf("the state is Failed:\n%s", s)
	}
	if got := d.m.Stack(); got[len(got)-1] != "New endpoint" {
		t.Fatalf("a failure keeps the wizard: %v", got)
	}
	d.key("esc")
	d.waitFor("endpoint.yml (y)", "churn-v3") // back at the review, everything kept
}

// The create journey through a real tea.Program.
func TestTeatestCreateAADTokenEndpoint(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{AutoApprove: "alice", ProvisioningTime: 300 * time.Millisecond})
	_ = srv
	tm := teatest.NewTestModel(t, New(Options{Env: env, Start: churnWS}), teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	wait := teaWaiter(t, tm)
	keys := func(ks ...string) {
		for _, k := range ks {
			tm.Send(keyMsg(k))
		}
	}
	wait("Sign in to Azure")
	tm.Type("/short code")
	keys("enter", "enter") // device code, auto-approved as alice; the flags open mlw-churn
	wait("churn-aad")
	keys("n")
	wait("You may create endpoints here")
	tm.Type("churn-v2")
	wait("is a valid name")
	keys("enter", "enter", "enter", "enter") // name, description, tags, Managed
	wait("How callers authenticate")
	keys("up", "enter") // aad_token
	wait("id-churn-scoring")
	keys("enter")
	wait("az CLI (a)")
	keys("enter")
	wait("Endpoint churn-v2", "Succeeded")
	keys("esc")
	wait("churn-v2")
	keys("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if got := final.Stack(); got[len(got)-1] != "Endpoints" {
		t.Fatalf("stack: %v", got)
	}
}

// Attaching a user-assigned identity is checked on the identity before
// anything is sent: alice (AzureML Data Scientist on the workspace) may
// create endpoints but not lend them the team's identity, and is told so
// with the action; Azure then refuses the create the same way. Olivia
// (Owner of the resource group) may.
func TestJourneyAttachingAnIdentityIsChecked(t *testing.T) {
	hermetic(t)
	for _, c := range []struct {
		persona string
		want    []string
	}{
		{"alice", []string{"✗ You may not attach identity id-churn-scoring in resource group rg-ml-prod", "Azure will refuse it (403)"}},
		{"olivia", []string{"✓ You may attach identity id-churn-scoring here", "(Owner at resource group rg-ml-prod)"}},
	} {
		t.Run(c.persona, func(t *testing.T) {
			srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
			d := newDriver(t, Options{Env: env, Start: churnWS}, srv, 140, 45)
			d.signInAs(c.persona)
			d.waitFor("churn-key", "churn-aad")
			d.key("n")
			d.waitFor("New endpoint in mlw-churn", "✓ You may create endpoints here")
			d.typeText("churn-uai")
			d.key("enter")
			d.waitFor("Describe it")
			d.key("tab", "enter") // no description, no tags
			d.waitFor("Where it runs")
			d.key("enter")
			d.waitFor("How callers authenticate")
			d.key("enter") // key
			d.waitFor("Which identity it runs as", "id-churn-scoring")
			d.key("down", "enter")
			d.waitFor(append([]string{"endpoint.yml (y)"}, c.want...)...)
			if c.persona != "alice" {
				return
			}
			d.key("enter")
			d.waitFor("Creating churn-uai: access denied", "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action")
		})
	}
}
