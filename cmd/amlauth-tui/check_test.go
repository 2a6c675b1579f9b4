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
