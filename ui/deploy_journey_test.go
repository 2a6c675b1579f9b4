package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure/emulator"
)

// Issue 17's journeys: deploy to an endpoint that runs as a system-assigned
// identity and route it all the traffic; and the seeded endpoint whose
// user-assigned identity lacks AcrPull: its deployment fails, the logs say
// why, the fix is assigned from the wizard, the retry succeeds, and scoring
// answers 200. The emulator provisions in a moment (a skipping clock).

// deployments lists an endpoint's deployments straight from the simulated Azure.
func deploymentsOf(t *testing.T, d *driver, endpoint string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	deps, err := d.m.Env().Session.Deployments(ctx, churnRef(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, x := range deps {
		out[x.Name] = x.ProvisioningState
	}
	return out
}

// chooseRow filters the wizard's table to text and picks the row.
func (d *driver) chooseRow(text string) {
	d.key("/")
	d.typeText(text)
	d.key("enter", "enter")
}

// deployWizard walks the wizard from details (n) to the review.
func (d *driver) deployWizard(name, model, env string) {
	d.t.Helper()
	d.key("n")
	d.waitFor("New deployment", "Name the deployment")
	for range 8 {
		d.key("backspace")
	}
	d.typeText(name)
	d.waitFor("✓ " + name + " is a valid name")
	d.key("enter")
	d.waitFor("Which model it serves", model)
	d.chooseRow(model)
	d.waitFor("Which environment", env)
	d.chooseRow(env)
	d.waitFor("What it runs on", "Standard_DS3_v2")
	d.key("enter")
	d.waitFor("Preflight: can the endpoint identity run this deployment?", "Runs as")
}

func TestJourneyDeployToANewSAIEndpointAndRouteTraffic(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: churnWS}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("churn-key")
	// A new endpoint with a system-assigned identity (the create wizard).
	d.key("n")
	d.waitFor("New endpoint in mlw-churn")
	d.typeText("churn-sai")
	d.key("enter", "enter", "enter") // name, description, tags
	d.waitFor("Where it runs")
	d.key("enter")
	d.waitFor("How callers authenticate")
	d.key("enter") // key
	d.waitFor("Which identity it runs as", "Enforce access to the default secret stores")
	d.key("enter") // system-assigned
	s := d.waitFor("What Azure grants the system-assigned identity", "AcrPull on", "Storage Blob Data Reader on")
	if !strings.Contains(s, "endpoint.yml (y)") {
		t.Fatalf("the review shows the documents:\n%s", s)
	}
	d.key("enter")
	d.waitFor("Endpoint churn-sai", "No deployments yet", "Create churn-sai: Succeeded")

	d.deployWizard("blue", "churn-key-model", "sklearn-env")
	s = d.waitFor("system-assigned identity of churn-sai", "principal id")
	if strings.Contains(s, "✗ not granted") {
		t.Fatalf("Azure granted the system-assigned identity what it needs:\n%s", s)
	}
	d.key("enter")
	d.waitFor("deployment.yml (y)", "az ml online-deployment create", "REST (r)")
	d.key("enter")
	d.waitFor("✓ Deploying blue to churn-sai", "t opens the traffic editor")
	d.key("t")
	d.waitFor("Traffic of churn-sai", "blue")
	d.key("A", "enter")
	d.waitFor("✓ Traffic of churn-sai: blue=100: Succeeded") // Azure has it
	d.key("esc")
	d.waitFor("Endpoint churn-sai", "blue")
	d.key("t")
	d.waitFor("valid JSON")
	d.ctrl('s')
	d.waitFor("200 OK", "answered by blue")
	if got := deploymentsOf(t, d, "churn-sai"); got["blue"] != "Succeeded" {
		t.Fatalf("Azure has %v", got)
	}
}

func TestJourneyFixLoopForTheUAIEndpoint(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: churn("churn-custom")}, srv, 120, 40)
	d.signInAs("olivia")
	d.waitFor("Endpoint churn-custom", "Failed")

	// Can it run? names the user-assigned identity and what it lacks.
	d.key("i")
	s := d.waitFor("Can churn-custom run?", "user-assigned identity id-churn-scoring", "principal id")
	for _, want := range []string{"✗ not granted", "fix (f): Assign AcrPull"} {
		if !strings.Contains(s, want) {
			t.Fatalf("can-it-run shows %q:\n%s", want, s)
		}
	}
	d.key("esc")

	// The failed deployment's logs say why.
	d.key("l")
	d.waitFor("Logs of blue", "[storage-initializer]")
	d.key("tab")
	s = d.waitFor("[inference-server]")
	if !strings.Contains(strings.ToLower(s), "pull") {
		t.Fatalf("the inference server's log says the image could not be pulled:\n%s", s)
	}
	d.key("esc")

	// A new deployment of the custom image fails the same way.
	d.deployWizard("green", "churn-custom-model", "custom-scoring")
	d.waitFor("✗ not granted", "fix (f): Assign AcrPull")
	d.key("enter") // the review anyway
	d.waitFor("The preflight found a missing permission", "deployment.yml (y)")
	d.key("enter")
	s = d.waitFor("✗ Deploying green to churn-custom", "f fixes (assign the role, prefilled)", "Logs (az ml online-deployment get-logs)", "inference-server")
	if !strings.Contains(strings.ToLower(s), "pull") {
		t.Fatalf("the failure says the image could not be pulled:\n%s", s)
	}

	// f: the assign wizard, prefilled with the identity, AcrPull and the
	// registry: it opens on the review of exactly that.
	d.key("f")
	s = d.waitFor("Assign a role", "Review", "az role assignment create", "AcrPull", "registries/", "id-churn-scoring")
	noneOf(t, s, "Choose the role")
	d.key("y")
	d.waitFor("assigned ✓", "back to the check")
	d.key("enter")
	d.waitFor("A role was assigned since it failed", "✓ allowed")
	d.key("enter") // retry
	d.waitFor("✓ Deploying green to churn-custom", "attempt 2")
	d.key("t")
	d.waitFor("Traffic of churn-custom", "green")
	d.key("A", "enter")
	d.waitFor("✓ Traffic of churn-custom: green=100: Succeeded") // Azure has it
	d.key("esc")
	d.waitFor("Endpoint churn-custom")
	d.key("t")
	d.waitFor("valid JSON")
	d.ctrl('s')
	d.waitFor("200 OK", "answered by green")
	if got := deploymentsOf(t, d, "churn-custom"); got["green"] != "Succeeded" {
		t.Fatalf("Azure has %v", got)
	}
}

func TestJourneyTrafficRulesAndDeleteWithTraffic(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: churn("churn-key")}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("Endpoint churn-key", "blue")
	d.key("T")
	d.waitFor("Traffic of churn-key", "blue", "green")
	d.key("D") // blue has traffic
	d.waitFor("Not deleted: blue receives")
	d.typeText("5") // blue 5 + green's share is not 100
	d.key("enter")
	d.waitFor("Not applied:", "add up to")
	if got := deploymentsOf(t, d, "churn-key"); got["blue"] == "" {
		t.Fatalf("blue was deleted: %v", got)
	}
	d.key("A", "enter")                                                  // all to blue
	d.waitFor("Traffic of churn-key: blue=100", "100% live · 0% mirror") // applied, and read back
	d.key("down", "D")                                                   // green has none now
	d.waitFor("Delete deployment green?")
	d.key("y")
	d.waitFor("Delete deployment green: Succeeded")
	if got := deploymentsOf(t, d, "churn-key"); got["green"] != "" {
		t.Fatalf("green still exists: %v", got)
	}
}

// The wizard through a real tea.Program (teatest): from the seeded UAI
// endpoint, n, the preflight names what the identity lacks.
func TestTeatestDeployWizardPreflight(t *testing.T) {
	hermetic(t)
	_, env := startEmulator(t, emulator.Options{AutoApprove: "olivia", AutoApproveAfter: 1})
	tm := teatest.NewTestModel(t, New(Options{Env: env, Start: churn("churn-custom")}), teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	wait := teaWaiter(t, tm)
	wait("Sign in to Azure")
	tm.Type("/short code")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter"))
	wait("Calling it", "new deployment")
	tm.Send(keyMsg("n"))
	wait("Name the deployment", "is a valid name")
	tm.Send(keyMsg("enter"))
	wait("Which model it serves", "churn-custom-model")
	tm.Type("/churn-custom-model")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter"))
	wait("environment (image) it runs in", "custom-scoring")
	tm.Type("/custom-scoring")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter"))
	wait("instances:", "default limit per deployment")
	tm.Send(keyMsg("enter"))
	wait("Preflight", "id-churn-scoring", "not granted", "AcrPull")
	tm.Send(keyMsg("q")) // a form would be lost: it asks first
	wait("Quit and discard the new deployment")
	tm.Send(keyMsg("y"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if st := final.Stack(); st[len(st)-1] != "New deployment" {
		t.Fatalf("stack %v", st)
	}
}
