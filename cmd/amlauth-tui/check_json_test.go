package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func checkJSON(t *testing.T, out string) checkDoc {
	t.Helper()
	var d checkDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if d.Schema != checkSchema || d.Operations == nil || d.Warnings == nil {
		t.Errorf("schema %q, operations %v, warnings %v", d.Schema, d.Operations, d.Warnings)
	}
	return d
}

// --output json carries each verdict with its why: the grant that allows
// it, the deny that blocks it with who is excluded, the roles that would
// grant it, and the exit status the text output would give.
func TestCheckJSONVerdicts(t *testing.T) {
	code, out, errs := runArgs("check", "--demo", "--as", "olivia", "--principal", "nina", "--scope", churnKey,
		"--operation", "endpoint.regenerateKeys,endpoint.read", "--output", "json")
	d := checkJSON(t, out)
	if code != checkDenied || d.Exit != checkDenied || d.Error != nil {
		t.Fatalf("exit %d, doc exit %d\n%s%s", code, d.Exit, out, errs)
	}
	if d.Principal == nil || d.Principal.DisplayName != "Nina Novak" || d.Scope != churnKey || len(d.Operations) != 2 {
		t.Fatalf("doc: %+v", d)
	}
	regen, read := d.Operations[0], d.Operations[1]
	if regen.Key != "endpoint.regenerateKeys" || regen.Outcome != "blocked" || regen.Deny == nil ||
		regen.Deny.Name != "Production keys are rotated by the platform team" || len(regen.Deny.Excluded) != 1 || regen.Deny.Excluded[0].Name != "Olivia Okafor" {
		t.Errorf("regenerate: %+v", regen)
	}
	if len(regen.WouldGrant) != 0 || len(regen.Advice) == 0 || regen.Reason == "" {
		t.Errorf("a deny must advise no role, and say why: %+v", regen)
	}
	if read.Outcome != "denied" || read.Deny != nil || len(read.WouldGrant) == 0 || read.WouldGrant[0] != "AzureML Data Scientist" {
		t.Errorf("read: %+v", read)
	}

	code, out, _ = runArgs("check", "--demo", "--as", "alice", "--scope", churnKey, "--operation", "endpoint.listKeys", "-o", "json", "--explain")
	d = checkJSON(t, out)
	if code != checkAllowed || len(d.Operations) != 1 {
		t.Fatalf("alice listKeys: exit %d\n%s", code, out)
	}
	op := d.Operations[0]
	if op.Outcome != "allowed" || len(op.Grants) == 0 || op.Grants[0].Role != "AzureML Data Scientist" || !op.Grants[0].Inherited ||
		!strings.HasSuffix(op.Grants[0].Scope, "/workspaces/mlw-churn") || len(op.Explain) == 0 {
		t.Errorf("allowed verdict lacks its grant or its explanation: %+v", op)
	}
}

// Unknown: what could not be read, and the role that reads it.
func TestCheckJSONUnknown(t *testing.T) {
	code, out, _ := runArgs("check", "--demo", "--as", "gary", "--scope", churnAAD, "--operation", "endpoint.read", "-o", "json")
	d := checkJSON(t, out)
	if code != checkUnsure || d.Exit != checkUnsure || len(d.Operations) != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	op := d.Operations[0]
	if op.Outcome != "unknown" || len(op.MissingReads) == 0 || len(d.Warnings) == 0 {
		t.Fatalf("unknown verdict: %+v", op)
	}
	found := false
	for _, m := range op.MissingReads {
		if m.Action == "Microsoft.Authorization/denyAssignments/read" && len(m.Roles) > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("missing reads do not name the deny assignments and a role: %+v", op.MissingReads)
	}
}

// On error, --output json still prints one valid document, with the error
// and exit status 2, whatever failed: a flag, the scope, the sign-in.
func TestCheckJSONOnError(t *testing.T) {
	for name, args := range map[string][]string{
		"bad scope":       {"check", "--demo", "--scope", "/resourceGroups/x", "--output", "json"},
		"unknown flag":    {"check", "--nonsense", "--output=json"},
		"unknown persona": {"check", "--demo", "--as", "mallory", "--scope", churnKey, "-o", "json"},
		"bad --auth":      {"check", "--auth", "carrier-pigeon", "--scope", churnKey, "-o", "json"},
		"bad --output":    {"check", "--demo", "--scope", churnKey, "-o", "yaml"},
	} {
		code, out, errs := runArgs(args...)
		if code != checkError || errs == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, errs)
		}
		if name == "bad --output" {
			if out != "" {
				t.Errorf("%s: printed %q", name, out)
			}
			continue
		}
		d := checkJSON(t, out)
		if d.Exit != checkError || d.Error == nil || d.Error.Detail == "" || len(d.Operations) != 0 {
			t.Errorf("%s: %+v", name, d)
		}
	}
}

func TestCheckHelpDocumentsJSONAndAuth(t *testing.T) {
	_, _, errs := runArgs("check", "--help")
	for _, want := range []string{checkSchema, "outcome", "allowed | denied", "blocked", "conditional", "pending", "unknown", "missingReads", "-auth", "cli, env, msi, device, browser"} {
		if !strings.Contains(errs, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// --auth picks one method and tries no other: the environment method
// without its variables, or the Azure CLI without az, fails at once with
// what is missing (no chain, no network).
func TestCheckAuthPicksOneMethod(t *testing.T) {
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLOUD_CONFIG", "AZURE_CLOUD"} {
		t.Setenv(v, "")
	}
	code, out, errs := runArgs("check", "--auth", "env", "--scope", "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", "-o", "json")
	d := checkJSON(t, out)
	if code != checkError || d.Error == nil || !strings.Contains(d.Error.Title, "environment") || !strings.Contains(d.Error.Detail, "AZURE_CLIENT_ID") {
		t.Errorf("--auth env: exit %d, %+v\n%s", code, d.Error, errs)
	}
	t.Setenv("PATH", t.TempDir())
	code, _, errs = runArgs("check", "--auth", "cli", "--scope", "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b")
	if code != checkError || !strings.Contains(errs, "Azure CLI not found on PATH") {
		t.Errorf("--auth cli without az: exit %d\n%s", code, errs)
	}
}
