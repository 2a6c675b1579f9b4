package ui

import (
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure/emulator"
	"amlauth-tui/ui/nav"
)

// Issue 4's journey: Bob (Reader) is told why he cannot get keys, Olivia
// (Owner of the resource group) assigns him AzureML Data Scientist, and the
// verify step turns ✗ into ✓ once the assignment has propagated.
func TestJourneyCheckAssignVerify(t *testing.T) {
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{PropagationDelay: 1500 * time.Millisecond})
	d := newDriver(t, Options{Env: env, Start: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}}, srv, 140, 45)
	d.signInAs("olivia")
	d.waitFor("Endpoint churn-key", "Scoring URI", "c check access")
	d.key("c")
	d.waitFor("Check access", "1 Who")
	d.typeText("bob")
	d.key("enter")
	d.waitFor("Bob Reyes <bob@contoso.example>")
	d.key("down", "down") // me, the endpoint's identity, then Bob
	d.key("enter")
	d.waitFor("LEVEL", "endpoint")
	d.key("enter")
	d.waitFor("Get the keys (key)")
	d.key("enter")
	s := d.waitFor("✗   Get the keys (key)", "✓   Read online endpoints")
	if !strings.Contains(s, "Reader at subscription") {
		t.Errorf("the read verdict should name Bob's Reader assignment:\n%s", s)
	}
	for i := 0; i < 10 && !strings.Contains(d.screen(), "Would be granted by:"); i++ {
		d.key("down")
	}
	d.waitFor("Would be granted by:", "AzureML Data Scientist")
	d.key("A")
	d.waitFor("Assign a role", "Choose the role")
	d.key("enter") // the smallest role that grants it is first
	d.waitFor("Choose where to assign it")
	d.key("enter") // the endpoint
	s = d.waitFor("Review", "az role assignment create", "PUT ")
	if !strings.Contains(s, "--assignee-object-id b0b00000-0000-4000-8000-000000000b0b") {
		t.Errorf("review should show the az command for Bob:\n%s", s)
	}
	d.key("y")
	d.waitFor("Effective after")
	d.key("enter")
	d.waitFor("✓   Get the keys (key)")

	// And back: d removes the assignment that grants it, after a confirm.
	d.key("d")
	d.waitFor("Remove this role assignment?", "az role assignment delete --ids")
	d.key("y")
	d.waitFor("Role assignment removed", "✗   Get the keys (key)")
}
