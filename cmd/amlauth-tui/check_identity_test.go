package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const churnCustom = prodRG + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-custom"

// --principal <endpoint id> checks the endpoint's identity; the identity.*
// operations are judged at the workspace's resources, not the endpoint.
func TestCheckEndpointIdentity(t *testing.T) {
	// The seeded user-assigned identity lacks AcrPull: denied at the
	// registry, with AcrPull as the fix; the model read (Storage Blob Data
	// Reader on the storage account) is allowed.
	code, out, errs := runArgs("check", "--demo", "--as", "olivia", "--principal", churnCustom, "--operation", "identity.pullImage,identity.readModel")
	if code != checkDenied {
		t.Fatalf("exit %d, want %d\n%s%s", code, checkDenied, out, errs)
	}
	for _, want := range []string{"user-assigned identity id-churn-scoring", "Microsoft.ContainerRegistry/registries/", "Microsoft.Storage/storageAccounts/",
		"would be granted by AcrPull"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Scope      "+churnCustom) {
		t.Errorf("an identity operation was judged at the endpoint:\n%s", out)
	}
	// A system-assigned identity has Azure's automatic roles.
	code, out, errs = runArgs("check", "--demo", "--as", "olivia", "--principal", churnKey,
		"--operation", "identity.pullImage,identity.readModel,identity.writeMetrics")
	if code != checkAllowed || !strings.Contains(out, "system-assigned identity of churn-key") {
		t.Fatalf("system-assigned identity: exit %d\n%s%s", code, out, errs)
	}
	// Other operations are judged at --scope, or at the endpoint.
	code, out, _ = runArgs("check", "--demo", "--as", "olivia", "--principal", churnKey, "--operation", "endpoint.listKeys")
	if code != checkDenied || !strings.Contains(out, "Scope      "+churnKey) {
		t.Errorf("an endpoint operation for the identity: exit %d\n%s", code, out)
	}
	// As JSON: one document for the identity, each operation naming its scope.
	code, out, _ = runArgs("check", "--demo", "--as", "olivia", "--principal", churnCustom, "--operation", "identity.pullImage", "--output", "json")
	var doc struct {
		Principal  struct{ Kind, DisplayName string }
		Scope      string
		Operations []struct{ Key, Scope, Outcome string }
		ExitCode   int
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if code != checkDenied || doc.ExitCode != checkDenied || doc.Scope != churnCustom || doc.Principal.DisplayName != "id-churn-scoring" || len(doc.Operations) != 1 ||
		doc.Operations[0].Outcome != "denied" || !strings.Contains(doc.Operations[0].Scope, "/registries/") {
		t.Errorf("json: exit %d %+v", code, doc)
	}
	// An endpoint that does not exist is an error.
	if code, _, errs := runArgs("check", "--demo", "--principal", strings.Replace(churnKey, "churn-key", "nope", 1)); code != checkError || !strings.Contains(errs, "nope") {
		t.Errorf("missing endpoint: exit %d, %q", code, errs)
	}
}
