package access

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

const (
	sub   = "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b"
	rg    = sub + "/resourceGroups/rg-ml-prod"
	ws    = rg + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"
	epID  = ws + "/onlineEndpoints/churn-key"
	bobID = "b0b00000-0000-4000-8000-000000000b0b"
	group = "90000000-0000-4000-8000-000000000009"
)

func env() *nav.Env {
	return &nav.Env{Styles: theme.New(true, true), Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}
}

func check(t *testing.T, authMode string) *Check {
	t.Helper()
	c := NewCheck(env(), nav.CheckAccessMsg{Context: nav.Context{Subscription: "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}, AuthMode: authMode})
	return c
}

func role(name string) rbac.RoleDefinition {
	r, ok := rbac.RoleByName(rbac.BuiltinRoles(), name)
	if !ok {
		panic(name)
	}
	return r
}

// verdictFor runs the local evaluation on a hand-made snapshot, as the
// screen does with what Azure returned.
func verdictFor(c *Check, a azure.Access) {
	c.principal, c.scope, c.step = a.Principal, a.Scope, stepVerdict
	c.access = &a
	c.fill()
}

func TestWhereOffersTheAncestorsNarrowestFirst(t *testing.T) {
	c := check(t, azure.AuthKey)
	var got []string
	for _, r := range c.where.Rows() {
		got = append(got, r.ID)
	}
	want := []string{epID, ws, rg, sub}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("scopes %v, want %v", got, want)
	}
}

func TestOperationsPreselectedForTheAuthMode(t *testing.T) {
	for mode, want := range map[string][]string{
		azure.AuthKey:      {"endpoint.listKeys"},
		azure.AuthAMLToken: {"endpoint.token"},
		azure.AuthAADToken: {"endpoint.score", "aadToken.fetch"},
	} {
		c := check(t, mode)
		for _, k := range want {
			if !c.chosen[k] {
				t.Errorf("%s: %s not preselected", mode, k)
			}
		}
		if mode != azure.AuthKey && c.chosen["endpoint.listKeys"] {
			t.Errorf("%s: keys do not matter for this endpoint", mode)
		}
	}
}

func TestVerdictExplainsGroupGrantAndSuggestsForDenial(t *testing.T) {
	c := check(t, azure.AuthKey)
	ds, reader := role("AzureML Data Scientist"), role("Reader")
	a := azure.Access{Principal: azure.PrincipalRef{ID: bobID, Kind: "User", DisplayName: "Bob Reyes", UPN: "bob@contoso.example"}, Scope: epID,
		Groups: []string{group},
		Assignments: []rbac.Assignment{
			{ID: sub + "/providers/Microsoft.Authorization/roleAssignments/1", Scope: sub, RoleDefinitionID: reader.ID, PrincipalID: bobID, PrincipalType: "User"},
		},
		Roles: rbac.BuiltinRoles(), Names: map[string]string{group: "ml-scorers"}}
	verdictFor(c, a)
	v := ansi.Strip(c.View(120, 40))
	for _, want := range []string{"✓   Read online endpoints", "Reader at subscription 5b7d9e11", "✗   Get the keys (key)", "no role grants it — e.g."} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	// Select the keys row: the detail names the role that would grant it and the key to assign.
	for i := 0; i < 10; i++ {
		if r, _ := c.verdicts.Selected(); r.ID == "endpoint.listKeys" {
			break
		}
		c.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	v = ansi.Strip(c.View(120, 40))
	if !strings.Contains(v, "assign one of: AzureML Data Scientist") || !strings.Contains(v, "A opens the assign wizard") {
		t.Errorf("no suggestion for the denied row:\n%s", v)
	}
	_, cmd := c.Update(tea.KeyPressMsg{Code: 'A', Text: "A"})
	m, ok := cmd().(nav.AssignMsg)
	if !ok || m.Principal.ID != bobID || m.Action != "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action" || m.Scopes[0] != epID {
		t.Fatalf("A should open the assign wizard prefilled: %#v", m)
	}

	// Now through a group: the explanation names the group.
	a.Assignments = append(a.Assignments, rbac.Assignment{ID: ws + "/providers/Microsoft.Authorization/roleAssignments/2", Scope: ws,
		RoleDefinitionID: ds.ID, PrincipalID: group, PrincipalType: "Group"})
	verdictFor(c, a)
	v = ansi.Strip(c.View(160, 40))
	if !strings.Contains(v, "AzureML Data Scientist at workspace mlw-churn via group ml-scorers") {
		t.Errorf("group grant not explained:\n%s", v)
	}
}

func TestDenyAssignmentAndPermissionsAPIDisagreement(t *testing.T) {
	c := check(t, azure.AuthKey)
	owner := role("Owner")
	a := azure.Access{Principal: azure.PrincipalRef{ID: bobID, Kind: "User"}, Scope: epID,
		Assignments: []rbac.Assignment{{ID: "x", Scope: rg, RoleDefinitionID: owner.ID, PrincipalID: bobID}},
		Denies: []rbac.DenyAssignment{{Name: "d1", DenyAssignmentName: "No key rotation", Scope: epID,
			Permissions: []rbac.Permission{{Actions: []string{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"}}},
			Principals:  []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}}}},
		Roles: rbac.BuiltinRoles(),
		Mine:  []rbac.Permission{{Actions: []string{"*/read"}}}, // what the Permissions API said
	}
	verdictFor(c, a)
	v := ansi.Strip(c.View(140, 40))
	if !strings.Contains(v, "⊘   Regenerate keys") || !strings.Contains(v, "blocked by deny assignment No key rotation") {
		t.Errorf("deny not shown:\n%s", v)
	}
	c.verdicts.Select("endpoint.listKeys") // Owner grants it locally; the Permissions API said only */read
	v = ansi.Strip(c.View(140, 40))
	if !strings.Contains(v, "The Permissions API does not list it: they disagree") {
		t.Errorf("disagreement with the Permissions API not flagged:\n%s", v)
	}
}

func TestUnreadableAssignmentsAreUnknownNotDenied(t *testing.T) {
	c := check(t, azure.AuthKey)
	verdictFor(c, azure.Access{Principal: azure.PrincipalRef{ID: bobID}, Scope: epID, Roles: rbac.BuiltinRoles(), AssignmentsUnknown: true,
		Unreadable: []azure.Unreadable{{What: "role assignments", Action: "Microsoft.Authorization/roleAssignments/read", Scope: epID, Roles: []string{"Reader"}}}})
	v := ansi.Strip(c.View(140, 40))
	if !strings.Contains(v, "roleAssignments/read") || strings.Contains(v, "✗") || !strings.Contains(v, "?") {
		t.Errorf("unknown verdicts:\n%s", v)
	}
}

func TestTypedActionIsValidatedAndChecked(t *testing.T) {
	c := check(t, azure.AuthKey)
	c.step = stepWhat
	c.Update(tea.KeyPressMsg{Code: '+', Text: "+"})
	if !c.Typing() {
		t.Fatal("+ should open the action input (and stop global keys)")
	}
	for _, r := range "Microsoft.X//read" {
		c.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	c.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if c.actErr == nil || !strings.Contains(ansi.Strip(c.View(120, 30)), "empty segment") || !c.typingAct {
		t.Fatalf("a malformed action must be refused with the rule, and kept for fixing: %v", c.actErr)
	}
	for range "Microsoft.X//read" {
		c.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	for _, r := range "Microsoft.MachineLearningServices/workspaces/read" {
		c.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	c.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if c.typingAct || c.actErr != nil || !c.chosen["Microsoft.MachineLearningServices/workspaces/read"] {
		t.Fatalf("typed action not added: err=%v", c.actErr)
	}
	found := false
	for _, o := range c.ops() {
		found = found || o.Action == "Microsoft.MachineLearningServices/workspaces/read"
	}
	if !found {
		t.Fatal("the typed action is not among the operations to check")
	}
}
