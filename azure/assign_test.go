package azure_test

import (
	"errors"
	"strings"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/azure/rbac"
)

// Olivia (Owner of rg-ml-prod) creates the seeds' scoring role, assigns it
// to Bob, sees the duplicate refused, and removes it again; Bob (Reader)
// cannot assign anything.
func TestAssignCustomRoleAndErrors(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	olivia, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	rg := "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod"
	ep := rg + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-aml"
	def, err := olivia.CreateCustomRole(ctx(t), rbac.CustomScoringRole(rg))
	if err != nil {
		t.Fatal(err)
	}
	found, err := olivia.FindPrincipals(ctx(t), "bob@contoso")
	if err != nil || len(found) != 1 || found[0].Kind != "User" {
		t.Fatalf("find bob: %v %+v", err, found)
	}
	bob := found[0]
	a, err := olivia.AssignRole(ctx(t), bob, def.ID, ep)
	if err != nil || !strings.EqualFold(a.Scope, ep) {
		t.Fatalf("assign: %v %+v", err, a)
	}
	_, err = olivia.AssignRole(ctx(t), bob, def.ID, ep)
	var se *azure.ServiceError
	if !errors.As(err, &se) || se.Code != "RoleAssignmentExists" {
		t.Errorf("duplicate assignment: %T %v", err, err)
	}
	acc, err := olivia.Access(ctx(t), bob, ep)
	if err != nil {
		t.Fatal(err)
	}
	v := acc.Check([]rbac.Operation{{Key: "t", Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/token/action"}})[0]
	if !v.Decision.Allowed || v.Decision.Grants[0].Role.RoleName != rbac.CustomScoringRoleName {
		t.Errorf("the custom role should grant the AML token: %+v", v.Decision)
	}
	if err := olivia.DeleteAssignment(ctx(t), a.ID); err != nil {
		t.Fatal(err)
	}

	bobSess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "bob")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bobSess.AssignRole(ctx(t), bob, def.ID, ep)
	var fe *azure.ForbiddenError
	if !errors.As(err, &fe) || !strings.Contains(fe.Action, "roleAssignments/write") {
		t.Errorf("a Reader cannot assign roles: %T %v", err, err)
	}
	_, err = olivia.AssignRole(ctx(t), azure.PrincipalRef{ID: "12345678-1234-1234-1234-123456789012", Kind: "User"}, def.ID, ep)
	if !errors.As(err, &se) || se.Code != "PrincipalNotFound" {
		t.Errorf("unknown principal: %T %v", err, err)
	}
}

// The command someone else runs to check for themselves asks the cloud
// this session uses (else their amlauth-tui would ask public Azure), and
// is safe to paste into a shell (an action with '*' is quoted).
func TestSelfCheckCommandNamesTheCloudInUse(t *testing.T) {
	const scope = "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod"
	read, _ := rbac.OperationByKey("endpoint.read")
	gov, err := azure.CloudConfig("AzureUSGovernment")
	if err != nil {
		t.Fatal(err)
	}
	public, _ := azure.CloudConfig("AzureCloud")
	attach := rbac.Operation{Key: "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"}
	for _, c := range []struct {
		cfg  azure.Config
		op   rbac.Operation
		want string
	}{
		{public, read, "amlauth-tui check --principal me --scope " + scope + " --operation endpoint.read"},
		{gov, read, "amlauth-tui check --cloud AzureUSGovernment --principal me --scope " + scope + " --operation endpoint.read"},
		{azure.Config{Cloud: "stack", Source: "/home/o/my cloud.json"}, read,
			"amlauth-tui check --cloud-config '/home/o/my cloud.json' --principal me --scope " + scope + " --operation endpoint.read"},
		{public, attach, "amlauth-tui check --principal me --scope " + scope + " --operation 'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action'"},
	} {
		if got := c.cfg.SelfCheckCommand(scope, c.op); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.cfg.Cloud, got, c.want)
		}
	}
}
