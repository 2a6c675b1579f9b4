package main

import (
	"bytes"
	"strings"
	"testing"
)

const prodRG = "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b/resourceGroups/rg-ml-prod"
const churnKey = prodRG + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-key"

func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// The check command's exit status is its contract with scripts.
func TestCheckCommandExitCodes(t *testing.T) {
	code, out, errs := runArgs("check", "--demo", "--as", "alice", "--scope", churnKey, "--operation", "endpoint.read,endpoint.listKeys")
	if code != checkAllowed || !strings.Contains(out, "✓ allowed") || strings.Contains(out, "✗") {
		t.Fatalf("alice may read and get keys: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runArgs("check", "--demo", "--as", "bob", "--scope", churnKey, "--operation", "endpoint.read", "--operation", "endpoint.listKeys")
	if code != checkDenied || !strings.Contains(out, "✗ denied") || !strings.Contains(out, "AzureML Data Scientist") {
		t.Fatalf("bob is Reader: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runArgs("check", "--demo", "--as", "olivia", "--principal", "bob@contoso.example", "--scope", churnKey, "--operation", "endpoint.read")
	if code != checkAllowed || !strings.Contains(out, "Bob Reyes") {
		t.Fatalf("olivia checking bob's read: exit %d\n%s", code, out)
	}
	for name, args := range map[string][]string{
		"no scope":          {"check", "--demo"},
		"bad scope":         {"check", "--demo", "--scope", "/resourceGroups/x"},
		"unknown operation": {"check", "--demo", "--scope", churnKey, "--operation", "fly"},
		"bad action":        {"check", "--demo", "--scope", churnKey, "--operation", "Microsoft.X//read"},
		"unknown persona":   {"check", "--demo", "--as", "mallory", "--scope", churnKey},
		"unknown principal": {"check", "--demo", "--scope", churnKey, "--principal", "nobody-by-this-name"},
	} {
		if code, _, errs := runArgs(args...); code != checkError || errs == "" {
			t.Errorf("%s: exit %d, stderr %q; want 2 and a message", name, code, errs)
		}
	}
}

const churnAAD = prodRG + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-aad"

// The deny assignment on churn-key blocks key regeneration for everyone
// but olivia: the check says so, names who is excluded, and advises no role.
func TestCheckDenyAnswer(t *testing.T) {
	code, out, errs := runArgs("check", "--demo", "--as", "olivia", "--principal", "nina", "--scope", churnKey, "--operation", "endpoint.regenerateKeys")
	if code != checkDenied {
		t.Fatalf("exit %d, want %d\n%s%s", code, checkDenied, out, errs)
	}
	if strings.Contains(out, "AzureML Data Scientist") || strings.Contains(out, "would be granted by") {
		t.Errorf("advises a role the deny blocks:\n%s", out)
	}
	code, out, _ = runArgs("check", "--demo", "--as", "olivia", "--principal", "nina", "--scope", churnKey, "--operation", "endpoint.regenerateKeys", "--explain")
	if code != checkDenied {
		t.Fatalf("--explain changed the exit status: %d", code)
	}
	for _, want := range []string{"✗ denied by a deny assignment", "Production keys are rotated by the platform team", "excluded: Olivia Okafor", "excluded principals",
		"deny assignment: Production keys are rotated by the platform team (Everyone): blocks it", "for Nina Novak"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Exit 3: nothing denied, but gary cannot read the deny assignments, so
// the Permissions API's "allowed" is not an answer.
func TestCheckUnknownExitsThree(t *testing.T) {
	code, out, errs := runArgs("check", "--demo", "--as", "gary", "--principal", "me", "--scope", churnAAD, "--operation", "endpoint.read")
	if code != checkUnsure || !strings.Contains(out, "? unknown") || strings.Contains(out, "✓") {
		t.Fatalf("exit %d, want %d\n%s%s", code, checkUnsure, out, errs)
	}
	if !strings.Contains(out, "Microsoft.Authorization/denyAssignments/read") || !strings.Contains(out, "Reader") {
		t.Errorf("does not say what could not be read and the role needed:\n%s", out)
	}
	// One denied operation among unknown ones: denied wins.
	code, out, _ = runArgs("check", "--demo", "--as", "gary", "--scope", churnAAD, "--operation", "endpoint.read,studio.deploy")
	if code != checkDenied {
		t.Errorf("unknown and denied: exit %d\n%s", code, out)
	}
}

func TestCheckHelpDocumentsExitCodes(t *testing.T) {
	code, _, errs := runArgs("check", "--help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, want := range []string{"0  every operation is allowed", "1  some operation is denied", "3  nothing is denied", "2  error", "--principal me"} {
		if !strings.Contains(errs, want) {
			t.Errorf("help lacks %q:\n%s", want, errs)
		}
	}
}
