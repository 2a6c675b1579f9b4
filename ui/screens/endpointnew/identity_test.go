package endpointnew

import (
	"strings"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// The identity step (issue 17): with the secret-stores flag, a
// system-assigned identity and a creator who may not read connection
// secrets, Azure rejects the creation: the wizard says so and does not send it.
func TestCreateEnforceSecretStoresRefusedWhenYouMayNotReadSecrets(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v3", false)
	send(c, "enter") // auth: key
	if c.step != cIdentity {
		t.Fatalf("step %d, want identity", c.step)
	}
	res := azure.WorkspaceResources{ID: ws.ID(), ContainerRegistry: "/subscriptions/" + sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.ContainerRegistry/registries/crchurn",
		StorageAccount: "/subscriptions/" + sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.Storage/storageAccounts/stchurn"}
	answer(c, &c.Kit, &c.facts.resCall, res, nil)
	denied := azure.Verdict{Outcome: rbac.NotGranted}
	denied.Decision.Reason = "no role assignment grants it"
	answer(c, &c.Kit, &c.facts.secCall, secretsRight{denied}, nil)
	v := flat(c.View(120, 37))
	for _, want := range []string{"[ ] Enforce access to the default secret stores", "You may not read connection secrets here"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the identity step shows %q:\n%s", want, v)
		}
	}
	send(c, "s")
	if v := flat(c.View(120, 37)); !strings.Contains(v, "[x] Enforce") || !strings.Contains(v, "Azure will reject this endpoint") {
		t.Fatalf("the flag on says Azure would reject it:\n%s", v)
	}
	send(c, "enter") // system-assigned
	if c.step != cReview {
		t.Fatalf("step %d, want review", c.step)
	}
	v = flat(c.View(120, 37))
	for _, want := range []string{"AcrPull on registries crchurn", "Storage Blob Data Reader on storageAccounts stchurn", "Not assigned: you may not read workspace connection secrets"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the review shows %q:\n%s", want, v)
		}
	}
	if !c.spec().EnforceSecretStores || !strings.Contains(c.spec().YAML(), azure.EnforceSecretStoresProperty) {
		t.Fatalf("the flag is in the spec and endpoint.yml:\n%s", c.spec().YAML())
	}
	send(c, "enter")
	if c.startCall.Busy() || !strings.Contains(c.hint, "Not created") || !strings.Contains(c.hint, "s on the identity step") {
		t.Fatalf("the create Azure would reject is not sent: hint %q", c.hint)
	}
	if c.name.Value() != "churn-v3" {
		t.Fatalf("nothing typed is lost: %q", c.name.Value())
	}
}

// A user-assigned identity gets nothing: the review says so and shows the
// checks of that identity now.
func TestCreateUserAssignedIdentityIsCheckedNow(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v4", false)
	send(c, "enter")
	c.idRows([]azure.ManagedIdentity{{ID: "/subscriptions/" + sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring",
		Name: "id-churn-scoring", ResourceGroup: "rg-ml-prod", PrincipalID: "p-1"}})
	send(c, "down", "enter")
	if c.uai == nil || c.step != cReview {
		t.Fatalf("the user-assigned identity is chosen: step %d", c.step)
	}
	op, _ := rbac.OperationByKey("identity.pullImage")
	check := azure.RunCheck{Needs: []azure.Need{{Op: op, Needed: true, Outcome: rbac.NotGranted, Why: "no role assignment grants it",
		Fix: &azure.Fix{Text: "Assign AcrPull to id-churn-scoring on crchurn."}}}}
	answer(c, &c.Kit, &c.facts.uaiCall, check, nil)
	v := flat(c.View(120, 37))
	for _, want := range []string{"id-churn-scoring gets nothing automatically", "cannot be changed after creation", "✗ not granted " + op.Name, "Fix: Assign AcrPull"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the review shows %q:\n%s", want, v)
		}
	}
}
