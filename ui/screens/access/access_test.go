package access

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/nav/navtest"
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

func check(tb testing.TB, authMode string) *Check {
	tb.Helper()
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
	for _, want := range []string{"✓   Read online endpoints", "Reader at subscription 5b7d9e11", "✗   Get the keys (key)", "no role grants it"} {
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
	if !strings.Contains(v, "⊘   Regenerate keys") || !strings.Contains(v, "blocked by a deny assignment (no role lifts it)") {
		t.Errorf("deny not shown:\n%s", v)
	}
	c.verdicts.Select("endpoint.listKeys") // Owner grants it locally; the Permissions API said only */read
	v = ansi.Strip(c.View(140, 40))
	if !strings.Contains(v, "⧖   Get the keys (key)") || !strings.Contains(v, "Azure's Permissions API does not grant it to you yet") {
		t.Errorf("a grant Azure does not apply yet should be pending, not ✓:\n%s", v)
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

const (
	keysAct  = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action"
	regenAct = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"
)

var bob = azure.PrincipalRef{ID: bobID, Kind: "User", DisplayName: "Bob Reyes", UPN: "bob@contoso.example"}

func assignFor(action string) *Assign {
	return NewAssign(env(), nav.AssignMsg{Principal: bob, Scopes: []string{epID, ws, rg, sub}, Action: action,
		Suggest: []rbac.RoleDefinition{role("AzureML Data Scientist")}})
}

// fakeAzure answers the access screens' requests from fields, without HTTPS.
type fakeAzure struct {
	me           azure.Identity
	cfg          azure.Config
	access       azure.Access
	roles        rbac.RoleSet
	verification azure.Verification
	principal    azure.PrincipalRef

	assigned []string // "role id @ scope"
	created  []rbac.RoleDefinition
	deleted  []string
}

func (f *fakeAzure) Identity() azure.Identity { return f.me }
func (f *fakeAzure) Config() azure.Config     { return f.cfg }
func (f *fakeAzure) FindPrincipals(context.Context, string) ([]azure.PrincipalRef, error) {
	return []azure.PrincipalRef{bob}, nil
}
func (f *fakeAzure) Principal(_ context.Context, id string) (azure.PrincipalRef, error) {
	return f.principal, nil
}
func (f *fakeAzure) Access(_ context.Context, p azure.PrincipalRef, scope string) (azure.Access, error) {
	a := f.access
	a.Principal, a.Scope = p, scope
	return a, nil
}
func (f *fakeAzure) Roles(context.Context, string) (rbac.RoleSet, error) { return f.roles, nil }
func (f *fakeAzure) AssignRole(_ context.Context, p azure.PrincipalRef, roleID, scope string) (rbac.Assignment, error) {
	f.assigned = append(f.assigned, roleID+" @ "+scope)
	return rbac.Assignment{ID: scope + "/providers/Microsoft.Authorization/roleAssignments/new", Scope: scope, RoleDefinitionID: roleID, PrincipalID: p.ID}, nil
}
func (f *fakeAzure) CreateCustomRole(_ context.Context, def rbac.RoleDefinition) (rbac.RoleDefinition, error) {
	def.ID = def.AssignableScopes[0] + "/providers/Microsoft.Authorization/roleDefinitions/c0c0c0c0-0000-4000-8000-000000000001"
	f.created = append(f.created, def)
	return def, nil
}
func (f *fakeAzure) DeleteAssignment(_ context.Context, id string) error {
	f.deleted = append(f.deleted, id)
	return nil
}
func (f *fakeAzure) Verify(context.Context, azure.PrincipalRef, rbac.Assignment, string, rbac.Operation) azure.Verification {
	return f.verification
}

// oliviaID signs in to the fakes: bob is someone else.
const oliviaID = "01171a00-0000-4000-8000-0000000001a1"

// assignWith opens the assign wizard for bob on a fake and gives it what
// its first requests answer, through Update as the root would.
func assignWith(f *fakeAzure, m nav.AssignMsg) *Assign {
	if f.me.ObjectID == "" {
		f.me = azure.Identity{ObjectID: oliviaID, Kind: "user", UPN: "olivia@contoso.example", DisplayName: "Olivia Okafor"}
	}
	if m.Principal.ID == "" {
		m.Principal = bob
	}
	if m.Scopes == nil {
		m.Scopes = []string{epID, ws, rg, sub}
	}
	a := newAssign(env(), m, f)
	feed(a, a.Init())
	return a
}

// feed runs cmd as the root would and gives the screen every message it sent itself.
func feed(s nav.Screen, cmd tea.Cmd) []tea.Msg {
	var rest []tea.Msg
	for _, m := range navtest.Msgs(cmd) {
		switch m.(type) {
		case nav.Result[azure.Access], nav.Result[rbac.RoleSet], nav.Result[rbac.Assignment], nav.Result[azure.Verification],
			nav.Result[removed], nav.Result[azure.PrincipalRef], nav.Result[[]azure.PrincipalRef]:
			_, next := s.Update(m)
			rest = append(rest, feed(s, next)...)
		default:
			rest = append(rest, m)
		}
	}
	return rest
}

// press sends one key and runs the command it returns (one level: the
// messages a screen sends to the root).
func press(s interface {
	Update(tea.Msg) (nav.Screen, tea.Cmd)
}, k tea.KeyPressMsg) tea.Msg {
	_, cmd := s.Update(k)
	if cmd == nil {
		return nil
	}
	return cmd()
}

func enter() tea.KeyPressMsg { return tea.KeyPressMsg{Code: tea.KeyEnter} }
func letter(r rune) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: r, Text: string(r)}
}

func TestAssignAsksBeforeARoleThatDoesNotGrantTheAction(t *testing.T) {
	a := assignFor(keysAct)
	v := ansi.Strip(a.View(140, 30))
	if !strings.Contains(v, "✓ yes") || !strings.Contains(v, "✗ no") {
		t.Fatalf("roles should be marked by whether they grant the action:\n%s", v)
	}
	a.roles.Select("Reader")
	m, ok := press(a, enter()).(nav.ConfirmMsg)
	if !ok || m.Title != "This role does not grant the action" || !strings.Contains(m.Body, keysAct) {
		t.Fatalf("choosing Reader should ask first: %#v", m)
	}
	if a.step != aRole {
		t.Fatal("nothing may move on before the answer")
	}
	a.Update(m.OnYes)
	if a.step != aScope || a.role.RoleName != "Reader" {
		t.Fatalf("yes keeps the choice: step %v role %q", a.step, a.role.RoleName)
	}
	// The smallest role that grants it goes straight on.
	b := assignFor(keysAct)
	if msg := press(b, enter()); msg != nil || b.step != aScope {
		t.Fatalf("a granting role should not ask: %#v, step %v", msg, b.step)
	}
}

func TestAssignSaysADenyBlocksTheActionBeforeAnythingChanges(t *testing.T) {
	olivia := rbac.Principal{ID: oliviaID, Type: "User", DisplayName: "Olivia Okafor"}
	a := assignWith(&fakeAzure{access: azure.Access{Roles: rbac.BuiltinRoles(),
		Denies: []rbac.DenyAssignment{{ID: epID + "/providers/Microsoft.Authorization/denyAssignments/d1", Name: "d1",
			DenyAssignmentName: "Keys are rotated by the platform team", Scope: epID,
			Permissions:       []rbac.Permission{{Actions: []string{regenAct}}},
			Principals:        []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}},
			ExcludePrincipals: []rbac.Principal{olivia}}}}},
		nav.AssignMsg{Action: regenAct, Suggest: []rbac.RoleDefinition{role("AzureML Data Scientist")}})
	v := ansi.Strip(a.View(140, 30))
	if !strings.Contains(v, "⊘ yes, a deny blocks it") {
		t.Fatalf("a role the deny would block must say so in the list:\n%s", v)
	}
	m, ok := press(a, enter()).(nav.ConfirmMsg)
	if !ok || m.Title != "A deny assignment blocks this action anyway" {
		t.Fatalf("choosing it should warn first: %#v", m)
	}
	for _, want := range []string{"Keys are rotated by the platform team", "where: endpoint " + epID, "excluded: Olivia Okafor (user)",
		"Use an identity the deny assignment excludes: Olivia Okafor"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the warning should say %q:\n%s", want, m.Body)
		}
	}
	a.Update(m.OnYes)
	press(a, enter()) // the endpoint
	v = ansi.Strip(a.View(140, 60))
	if !strings.Contains(v, "A deny assignment blocks this action whatever the role") {
		t.Errorf("the review should repeat it:\n%s", v)
	}
}

func TestScopePickerNamesTheLevel(t *testing.T) {
	a := assignFor(keysAct)
	press(a, enter())
	v := ansi.Strip(a.View(200, 30))
	for _, want := range []string{"endpoint                churn-key", "workspace               mlw-churn", "resource group          rg-ml-prod",
		"subscription            5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", "scope  " + epID[:100]} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
}

// The review wraps at any width and cuts nothing; a and r copy the az
// command and the REST request whole.
func TestReviewWrapsAndCopiesWhole(t *testing.T) {
	a := assignFor(keysAct)
	press(a, enter())
	press(a, enter())
	if a.step != aReview {
		t.Fatalf("step %v", a.step)
	}
	az, rest := a.commands()
	for _, w := range []int{60, 90, 140} {
		v := ansi.Strip(a.View(w, 80))
		if strings.Contains(v, "…") {
			t.Errorf("width %d: cut with …:\n%s", w, v)
		}
		flat := strings.Join(strings.Fields(v), "")
		for _, c := range []string{az, rest} {
			if !strings.Contains(flat, strings.Join(strings.Fields(c), "")) {
				t.Errorf("width %d: %q is not whole on screen:\n%s", w, c, v)
			}
		}
	}
	if m, ok := press(a, letter('a')).(nav.CopyMsg); !ok || m.Text != az {
		t.Errorf("a should copy the az command: %#v", m)
	}
	if m, ok := press(a, letter('r')).(nav.CopyMsg); !ok || m.Text != rest {
		t.Errorf("r should copy the REST request: %#v", m)
	}
}

// The seeds' custom role: its role.json (the seeds' template, real ids) is
// shown before anything is created, assignable at the resource group, and
// j copies it with the az command that creates it.
func TestCustomRoleShowsAndCopiesRoleJSON(t *testing.T) {
	a := assignFor(keysAct)
	if !a.roles.Select(rbac.CustomControlPlaneRoleName) {
		t.Fatal("the seeds' control-plane role is not offered")
	}
	press(a, enter())
	press(a, enter())
	v := ansi.Strip(a.View(140, 80))
	for _, want := range []string{`"Name": "Custom role for control plane operations - online endpoint"`, `"IsCustom": true`,
		`"AssignableScopes": [`, `"` + rg + `"`, "az role definition create --role-definition @role.json", "j role.json"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	m, ok := press(a, letter('j')).(nav.CopyMsg)
	if !ok {
		t.Fatal("j should copy role.json")
	}
	head, rest, _ := strings.Cut(m.Text, "\n")
	body, cmd, _ := strings.Cut(rest, "\nEOF\n")
	if head != "cat > role.json <<'EOF'" || strings.TrimSpace(cmd) != "az role definition create --role-definition @role.json" {
		t.Fatalf("copied text:\n%s", m.Text)
	}
	var f roleFile
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("role.json does not parse: %v\n%s", err, body)
	}
	if f.Name != rbac.CustomControlPlaneRoleName || !f.IsCustom || len(f.AssignableScopes) != 1 || f.AssignableScopes[0] != rg ||
		!slices.Contains(f.Actions, keysAct) {
		t.Fatalf("role.json %+v", f)
	}
}

// Verification for someone else ends at "listed" and never says
// "effective"; for yourself the elapsed time stops when the step ends.
func TestVerificationSaysWhatWasChecked(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := assignWith(&fakeAzure{verification: azure.Verification{Listed: true, Typical: azure.TypicalPropagation,
		Command: "amlauth-tui check --principal me --scope " + epID + " --operation endpoint.listKeys"}}, nav.AssignMsg{Action: keysAct})
	a.env.Now = func() time.Time { return now }
	a.step, a.started = aVerify, now
	feed(a, a.verify())
	v := ansi.Strip(a.View(140, 40))
	if a.step != aDone || !strings.Contains(v, "assigned ✓ (listed by Azure)") || !strings.Contains(v, "within 10 minutes") ||
		!strings.Contains(v, "--operation endpoint.listKeys") || strings.Contains(strings.ToLower(v), "effective") {
		t.Fatalf("someone else's verification:\n%s", v)
	}
	if m, ok := press(a, letter('m')).(nav.CopyMsg); !ok || !strings.HasPrefix(m.Text, "amlauth-tui check --principal me") {
		t.Errorf("m should copy their command: %#v", m)
	}

	yes := true
	vd := azure.Verdict{Outcome: rbac.Allowed, PermissionsAPI: &yes}
	me := assignWith(&fakeAzure{me: azure.Identity{ObjectID: bobID, Kind: "user", UPN: bob.UPN},
		verification: azure.Verification{Self: true, Listed: true, Effective: true, Verdict: &vd}}, nav.AssignMsg{Action: keysAct})
	if !me.self {
		t.Fatal("bob assigning to bob is verifying for yourself")
	}
	me.env.Now = func() time.Time { return now }
	me.step, me.started = aVerify, now.Add(-90*time.Second)
	feed(me, me.verify())
	if v := ansi.Strip(me.View(140, 40)); !strings.Contains(v, "✓ Effective after 1m30s: Azure says so.") {
		t.Fatalf("your verification:\n%s", v)
	}
	now = now.Add(10 * time.Minute)
	if v := ansi.Strip(me.View(140, 40)); !strings.Contains(v, "Effective after 1m30s") {
		t.Fatalf("the elapsed time kept counting after the step:\n%s", v)
	}
}

// A blocked verdict never offers a role; a conditional one shows the condition.
func TestBlockedAndConditionalVerdicts(t *testing.T) {
	c := check(t, azure.AuthKey)
	ds := role("AzureML Data Scientist")
	cond := "@Resource[Microsoft.MachineLearningServices/workspaces/onlineEndpoints:name] StringEquals 'churn-key'"
	verdictFor(c, azure.Access{Principal: bob, Scope: epID, Roles: rbac.BuiltinRoles(),
		Assignments: []rbac.Assignment{{ID: "c1", Scope: ws, RoleDefinitionID: ds.ID, PrincipalID: bobID, PrincipalType: "User",
			Condition: cond, ConditionVersion: "2.0"}},
		Denies: []rbac.DenyAssignment{{Name: "d1", DenyAssignmentName: "No key rotation", Scope: epID,
			Permissions: []rbac.Permission{{Actions: []string{regenAct}}}, Principals: []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}}}}})
	c.verdicts.Select("endpoint.listKeys")
	v := ansi.Strip(c.View(160, 50))
	if !strings.Contains(v, "~   Get the keys (key)") || !strings.Contains(v, "condition (version 2.0): "+cond) {
		t.Errorf("a conditional grant should show the condition:\n%s", v)
	}
	c.verdicts.Select("endpoint.regenerateKeys")
	v = ansi.Strip(c.View(160, 50))
	if !strings.Contains(v, "⊘   Regenerate keys") || strings.Contains(v, "A opens the assign wizard") || strings.Contains(v, "assign one of") {
		t.Errorf("a blocked verdict must not offer a role:\n%s", v)
	}
	if msg := press(c, letter('A')); msg != nil {
		t.Errorf("A on a blocked verdict sent %#v", msg)
	}
	// w opens the whole evaluation; w closes it.
	press(c, letter('w'))
	v = ansi.Strip(c.View(160, 60))
	if !strings.Contains(v, "Why: Regenerate keys") || !strings.Contains(v, "deny assignment: “No key rotation”, for Everyone — blocks it") ||
		!strings.Contains(v, "role assignment: AzureML Data Scientist, directly —") {
		t.Errorf("the evaluation:\n%s", v)
	}
	press(c, letter('w'))
	if c.explain {
		t.Error("w should close the evaluation")
	}
}

// Another screen (a deployment's identity) opens the wizard with the
// principal, the role and the scope chosen: it lands on the review of
// exactly that, esc goes back to choose another role, and q asks first.
func TestAssignPrefilledLandsOnTheReview(t *testing.T) {
	mi := azure.PrincipalRef{ID: "3d000000-0000-4000-8000-0000000000d3", Kind: "ServicePrincipal", SPType: "ManagedIdentity", DisplayName: "churn-v2"}
	acr := sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.ContainerRegistry/registries/crchurn"
	f := &fakeAzure{roles: rbac.BuiltinRoles(), cfg: azure.Config{ARMEndpoint: "https://management.usgovcloudapi.net/"},
		verification: azure.Verification{Listed: true}}
	a := assignWith(f, nav.AssignMsg{Principal: mi, Scopes: []string{acr}, Role: "acrpull"})
	if a.step != aReview || a.role.RoleName != "AcrPull" || a.scope != acr {
		t.Fatalf("step %v role %q scope %q: it should open on the review", a.step, a.role.RoleName, a.scope)
	}
	v := strings.Join(strings.Fields(ansi.Strip(a.View(120, 60))), "") // wrapped lines joined
	for _, want := range []string{`--role"AcrPull"--scope` + acr, "--assignee-principal-typeServicePrincipal",
		"PUThttps://management.usgovcloudapi.net" + acr + "/providers/Microsoft.Authorization/roleAssignments/"} {
		if !strings.Contains(v, want) {
			t.Errorf("the review should show %q (the sovereign cloud's ARM endpoint):\n%s", want, v)
		}
	}
	if d := a.Discards(); !strings.Contains(d, "AcrPull") || !strings.Contains(d, "churn-v2") {
		t.Errorf("q on the review should ask before discarding it: %q", d)
	}
	msgs := feed(a, func() tea.Msg { return press(a, letter('y')) })
	if len(f.assigned) != 1 || f.assigned[0] != role("AcrPull").ID+" @ "+acr || a.step != aDone {
		t.Fatalf("y assigns it at the scope: %v, step %v, %#v", f.assigned, a.step, msgs)
	}
	b := assignWith(&fakeAzure{roles: rbac.BuiltinRoles()}, nav.AssignMsg{Principal: mi, Scopes: []string{acr}, Role: "AcrPull"})
	if !b.HandlesEsc() {
		t.Fatal("esc on the review is the wizard's (one step back), not the root's")
	}
	press(b, tea.KeyPressMsg{Code: tea.KeyEscape})
	if b.step != aRole {
		t.Fatalf("esc on the review goes back one step (one scope: the role), step %v", b.step)
	}
	if b.Discards() != "" {
		t.Error("nothing chosen to lose on the role list")
	}
}

// The one esc rule: one esc leaves a verdict (the wizard's result), the
// evaluation first goes back to the verdicts, and a filter is cleared first.
func TestEscLeavesAVerdictInOnePress(t *testing.T) {
	c := check(t, azure.AuthKey)
	verdictFor(c, azure.Access{Principal: bob, Scope: epID, Roles: rbac.BuiltinRoles()})
	if c.HandlesEsc() {
		t.Fatal("on the verdicts esc is the root's: it leaves the screen")
	}
	if _, ok := press(c, tea.KeyPressMsg{Code: tea.KeyEscape}).(nav.PopMsg); !ok {
		t.Fatal("esc on the verdicts should leave")
	}
	press(c, letter('w'))
	if !c.HandlesEsc() {
		t.Fatal("in the evaluation esc goes back to the verdicts")
	}
	press(c, tea.KeyPressMsg{Code: tea.KeyEscape})
	if c.explain || c.step != stepVerdict {
		t.Fatal("esc should close the evaluation only")
	}
	c.step = stepWhat
	if !c.HandlesEsc() {
		t.Fatal("a wizard step goes back one step")
	}
	press(c, tea.KeyPressMsg{Code: tea.KeyEscape})
	if c.step != stepWhere {
		t.Fatalf("esc on what goes back to where: %v", c.step)
	}
}

// A verdict's detail wraps its long sentences at any width: nothing is cut with "…".
func TestVerdictDetailWrapsNeverCuts(t *testing.T) {
	c := check(t, azure.AuthKey)
	cond := "@Resource[Microsoft.MachineLearningServices/workspaces/onlineEndpoints:name] StringEquals 'churn-key' AND @Principal[Microsoft.Directory/users:department] StringEquals 'ml-platform'"
	verdictFor(c, azure.Access{Principal: bob, Scope: epID, Roles: rbac.BuiltinRoles(),
		Assignments: []rbac.Assignment{{ID: "c1", Scope: ws, RoleDefinitionID: role("AzureML Data Scientist").ID, PrincipalID: bobID, PrincipalType: "User",
			Condition: cond, ConditionVersion: "2.0"}}})
	c.verdicts.Select("endpoint.listKeys")
	for _, w := range []int{80, 100, 140} {
		v := ansi.Strip(c.View(w, 60))
		detail := v[strings.Index(v, "Get the keys (key)  Microsoft."):]
		if strings.Contains(detail, "…") {
			t.Errorf("width %d: the detail is cut:\n%s", w, detail)
		}
		if flat := strings.Join(strings.Fields(detail), ""); !strings.Contains(flat, strings.Join(strings.Fields(cond), "")) {
			t.Errorf("width %d: the condition is not whole:\n%s", w, detail)
		}
	}
}

// Signed in as a service principal (its token carries no name), the check
// names it from Graph: never "app <id> (app <id>)".
func TestCheckNamesAServicePrincipalFromGraph(t *testing.T) {
	const spID, appID = "5c000000-0000-4000-8000-0000000000c5", "c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e"
	f := &fakeAzure{me: azure.Identity{ObjectID: spID, AppID: appID, Kind: "app"},
		principal: azure.PrincipalRef{ID: spID, Kind: "ServicePrincipal", DisplayName: "churn-batch-scorer", AppID: appID, SPType: "Application"}}
	c := newCheck(env(), nav.CheckAccessMsg{Context: nav.Context{Subscription: "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b"}}, f)
	if r, _ := c.who.Selected(); r.Cells[0] != "me — app "+appID {
		t.Fatalf("before Graph answers: %q", r.Cells[0])
	}
	feed(c, c.resolveMe()) // what Init asks first (Init also focuses the search, whose cursor blinks on a timer)
	if r, _ := c.who.Selected(); r.Cells[0] != "me — churn-batch-scorer (app "+appID+")" {
		t.Fatalf("the signed-in service principal should be named: %q", r.Cells[0])
	}
}

// Opened for a refusal at another resource (the identity the create wizard
// would attach), the check answers there for that action alone, and offers
// the identity, its resource group and the subscription as scopes.
func TestCheckRunAtAnotherResource(t *testing.T) {
	mi := rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring"
	const assign = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
	f := &fakeAzure{me: azure.Identity{ObjectID: bobID, Kind: "user", UPN: bob.UPN, DisplayName: bob.DisplayName}, access: azure.Access{Roles: rbac.BuiltinRoles()}}
	c := newCheck(env(), nav.CheckAccessMsg{Context: nav.Context{Subscription: "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn"},
		Run: &nav.CheckRun{Action: assign, Name: "Attach identity id-churn-scoring", Scope: mi}}, f)
	feed(c, c.run())
	var scopes []string
	for _, r := range c.where.Rows() {
		scopes = append(scopes, r.ID)
	}
	if strings.Join(scopes, ",") != strings.Join([]string{mi, rg, sub}, ",") {
		t.Errorf("scopes %v", scopes)
	}
	if c.scope != mi || len(c.results) != 1 || c.results[0].Op.Action != assign {
		t.Fatalf("the check should answer for attaching the identity at the identity: scope %s, %d verdicts", c.scope, len(c.results))
	}
	if v := ansi.Strip(c.View(140, 40)); !strings.Contains(v, "✗   Attach identity id-churn-scoring") || !strings.Contains(v, "where  user-assigned identity "+mi[:60]) {
		t.Errorf("the verdict:\n%s", v)
	}
	if r := c.where.Rows()[0]; r.Cells[0] != "user-assigned identity" {
		t.Errorf("the identity's level is %q", r.Cells[0])
	}
	c.Update(letter('w'))
	if v := ansi.Strip(c.View(140, 40)); !strings.Contains(v, "where  user-assigned identity "+mi[:60]) || !strings.Contains(v, "User-assigned identity "+mi[:60]) ||
		strings.Contains(v, "userAssignedIdentities /") {
		t.Errorf("the explanation should name the identity's level in words:\n%s", v)
	}
}

// Every level the app's scopes reach is named in words, as the rest of the
// UI names them; a type it does not know is named from its ARM type.
func TestLevelsAreNamedInWords(t *testing.T) {
	const ml = rg + "/providers/Microsoft.MachineLearningServices/"
	for scope, want := range map[string]string{
		"/": "root",
		"":  "root",
		"/providers/Microsoft.Management/managementGroups/mg-contoso": "management group",
		sub:                        "subscription",
		rg:                         "resource group",
		ws:                         "workspace",
		epID:                       "endpoint",
		epID + "/deployments/blue": "deployment",
		rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring": "user-assigned identity",
		rg + "/providers/microsoft.managedidentity/USERASSIGNEDIDENTITIES/id-churn-scoring": "user-assigned identity",
		rg + "/providers/Microsoft.ContainerRegistry/registries/crchurn":                    "container registry",
		ml + "registries/mlr-shared":                                                                        "ML registry",
		rg + "/providers/Microsoft.Storage/storageAccounts/stchurn":                                         "storage account",
		rg + "/providers/Microsoft.Storage/storageAccounts/stchurn/blobServices/default/containers/azureml": "blob container",
		rg + "/providers/Microsoft.KeyVault/vaults/kv-churn":                                                "key vault",
		rg + "/providers/Microsoft.Insights/components/appi-churn":                                          "Application Insights",
		rg + "/providers/Microsoft.Network/applicationGateways/agw-1":                                       "application gateway",
		rg + "/providers/Microsoft.Web/sites/app-1":                                                         "site",
		rg + "/providers/Microsoft.Cache/redis/r1/firewallRules/f1":                                         "firewall rule",
		rg + "/providers/Microsoft.Foo/entities/x":                                                          "entity",
		"/not/a/scope": "scope",
	} {
		if got := levelOf(scope); got != want {
			t.Errorf("levelOf(%s) = %q, want %q", scope, got, want)
		}
	}
	if got := scopeName(rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn"); got != "user-assigned identity id-churn" {
		t.Errorf("scopeName: %q", got)
	}
}

// For someone else, a grant that rests only on a new assignment is "not yet
// in effect"; when an older assignment also grants it, the verdict is ✓ and
// names that older one, not the new one Azure may not apply yet.
func TestSomeoneElsesVerdictNamesTheGrantInEffect(t *testing.T) {
	c := check(t, azure.AuthKey)
	now := c.env.Now()
	ep := "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-key"
	sub := "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b"
	reader, ds := role("Reader"), role("AzureML Data Scientist")
	bob := azure.PrincipalRef{ID: "b0b00000-0000-4000-8000-000000000b0b", Kind: "User", DisplayName: "Bob"}
	verdictFor(c, azure.Access{Principal: bob, Scope: ep, Roles: rbac.RoleSet{reader, ds},
		Assignments: []rbac.Assignment{
			{ID: "old", Scope: sub, RoleDefinitionID: reader.ID, PrincipalID: bob.ID, CreatedOn: now.Add(-48 * time.Hour)},
			{ID: "new", Scope: ep, RoleDefinitionID: ds.ID, PrincipalID: bob.ID, CreatedOn: now.Add(-time.Minute)},
		}})
	got := map[string]azure.Verdict{}
	for _, v := range c.results {
		got[v.Op.Key] = v
	}
	read, keys := got["endpoint.read"], got["endpoint.listKeys"]
	if read.Outcome != rbac.Allowed || read.Decision.Grants[0].Assignment.ID != "old" || !strings.Contains(read.Decision.Reason, "Reader") {
		t.Errorf("read rests on the old Reader assignment: %v %q", read.Outcome, read.Decision.Reason)
	}
	if keys.Outcome != rbac.Pending {
		t.Errorf("list keys rests only on the minute-old assignment: %v, want pending", keys.Outcome)
	}
}

// bigAccess is a principal with many assignments at every level: a long
// evaluation (each assignment and each pattern tested is a line).
func bigAccess(n int) azure.Access {
	roles := rbac.BuiltinRoles()
	a := azure.Access{Principal: bob, Scope: epID, Roles: roles, Groups: []string{group}, Names: map[string]string{group: "ml-scorers"}}
	scopes := []string{epID, ws, rg, sub}
	for i := 0; i < n; i++ {
		r := roles[i%len(roles)]
		who, kind := bobID, "User"
		if i%3 == 0 {
			who, kind = group, "Group"
		}
		a.Assignments = append(a.Assignments, rbac.Assignment{ID: fmt.Sprintf("%s/providers/Microsoft.Authorization/roleAssignments/%d", scopes[i%4], i),
			Scope: scopes[i%len(scopes)], RoleDefinitionID: r.ID, PrincipalID: who, PrincipalType: kind})
	}
	return a
}

// The evaluation (w) is rendered once per width and content: frames,
// scrolling and spinner ticks only slice it; a new width, another verdict,
// a re-check or a theme change render it again, and what is drawn is the
// evaluation of what is selected.
func TestWhyIsRenderedOncePerWidthAndContent(t *testing.T) {
	c := check(t, azure.AuthKey)
	c.Update(nav.SizeMsg{Width: 120, Height: 40})
	verdictFor(c, bigAccess(60))
	c.verdicts.Select("endpoint.read")
	press(c, letter('w'))
	if !c.explain {
		t.Fatal("w should open the evaluation")
	}
	renders := c.whyText.renders
	for i := 0; i < 20; i++ {
		c.View(120, 40)
		c.Update(tea.KeyPressMsg{Code: tea.KeyDown}) // scrolls
	}
	if got := c.whyText.renders - renders; got != 0 {
		t.Errorf("20 frames and scrolls rendered the evaluation %d more times, want 0", got)
	}
	if v := ansi.Strip(c.View(120, 40)); strings.Contains(v, "Why: Read online endpoints") {
		t.Errorf("scrolling should have moved past the title:\n%s", v)
	}

	c.Update(nav.SizeMsg{Width: 90, Height: 40})
	c.View(90, 40)
	c.View(90, 40)
	if got := c.whyText.renders - renders; got != 1 {
		t.Errorf("a new width should render it once, got %d", got)
	}
	if v := ansi.Strip(c.View(90, 40)); maxWidth(v) > 90 {
		t.Errorf("wider than 90 after the resize:\n%s", v)
	}

	renders = c.whyText.renders
	c.Update(nav.ThemeMsg{})
	if c.whyText.renders-renders != 1 {
		t.Errorf("a theme change should draw it again in the new colours")
	}

	// Another verdict (esc, down, w): its own evaluation.
	press(c, letter('w'))
	c.verdicts.Select("endpoint.listKeys")
	press(c, letter('w'))
	if v := ansi.Strip(c.View(90, 40)); !strings.Contains(v, "Why: Get the keys (key)") {
		t.Errorf("the evaluation of the selected verdict:\n%s", v)
	}
	// A re-check with the same answer: new verdicts, drawn again.
	renders = c.whyText.renders
	verdictFor(c, bigAccess(60))
	c.Update(nav.SizeMsg{Width: 90, Height: 40})
	if c.whyText.renders-renders != 1 {
		t.Errorf("new verdicts should be drawn again, %d renders", c.whyText.renders-renders)
	}
}

func maxWidth(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// BenchmarkWhyFrame is one frame of the evaluation (w) of a principal with
// 400 assignments: View at the laid-out size. BenchmarkWhyRender is what
// every frame cost before the rendered text was kept (wrapping it all).
func BenchmarkWhyFrame(b *testing.B) {
	c := check(b, azure.AuthKey)
	c.Update(nav.SizeMsg{Width: 120, Height: 40})
	verdictFor(c, bigAccess(400))
	c.verdicts.Select("endpoint.listKeys")
	c.Update(letter('w'))
	b.ReportAllocs()
	for b.Loop() {
		c.View(120, 40)
	}
}

func BenchmarkWhyRender(b *testing.B) {
	c := check(b, azure.AuthKey)
	verdictFor(c, bigAccess(400))
	c.verdicts.Select("endpoint.listKeys")
	b.ReportAllocs()
	for b.Loop() {
		c.evaluation(120)
	}
}

// d is offered, in the footer and the help, only on a verdict it acts on:
// ✓ through a role assignment. On ⧖ (assigned, not yet in effect) and ⧗
// (removed, Azure may still allow it) it neither shows nor asks.
func TestRemoveIsOfferedOnlyWhereItActs(t *testing.T) {
	c := check(t, azure.AuthKey)
	now := c.env.Now()
	reader, ds, contrib := role("Reader"), role("AzureML Data Scientist"), role("Contributor")
	verdictFor(c, azure.Access{Principal: bob, Scope: epID, Roles: rbac.RoleSet{reader, ds, contrib},
		Assignments: []rbac.Assignment{
			{ID: "old", Scope: sub, RoleDefinitionID: reader.ID, PrincipalID: bobID, CreatedOn: now.Add(-48 * time.Hour)},
			{ID: "new", Scope: epID, RoleDefinitionID: ds.ID, PrincipalID: bobID, CreatedOn: now.Add(-time.Minute)},
			{ID: "gone", Scope: ws, RoleDefinitionID: contrib.ID, PrincipalID: bobID, CreatedOn: now.Add(-48 * time.Hour),
				RevokedAt: now.Add(-time.Minute), RevokedUntil: now.Add(9 * time.Minute)},
		}})
	offers := func() bool {
		for _, k := range c.Keys() {
			if k.Help().Key == "d" {
				return true
			}
		}
		return false
	}
	outcomes := map[rbac.Outcome]bool{}
	for _, r := range c.verdicts.Rows() {
		c.verdicts.Select(r.ID)
		v, _ := c.selected()
		outcomes[v.Outcome] = true
		msg := press(c, letter('d'))
		switch v.Outcome {
		case rbac.Allowed:
			if !offers() || msg == nil {
				t.Errorf("%s is ✓ by an assignment: d should be offered and ask (%v)", r.ID, msg)
			}
		default:
			if offers() || msg != nil {
				t.Errorf("%s is %v: d must neither be offered nor act (offered %v, sent %T)", r.ID, v.Outcome, offers(), msg)
			}
		}
	}
	for _, o := range []rbac.Outcome{rbac.Allowed, rbac.Pending, rbac.Revoking} {
		if !outcomes[o] {
			t.Errorf("the snapshot should give a %v verdict: %v", o, outcomes)
		}
	}
}

// esc on the What step goes back one step, to Where, however What was
// reached (enter from Where, b from the verdicts) and after the + field or a
// filter on it was left with esc first. It never leaves the screen.
func TestEscOnWhatGoesBackToWhere(t *testing.T) {
	esc := tea.KeyPressMsg{Code: tea.KeyEscape}
	c := check(t, azure.AuthKey)
	verdictFor(c, azure.Access{Principal: bob, Scope: epID, Roles: rbac.BuiltinRoles()})
	back := func(how string) {
		t.Helper()
		if c.step != stepWhat {
			t.Fatalf("%s: on step %v, want What", how, c.step)
		}
		if !c.HandlesEsc() {
			t.Errorf("%s: esc on What is the screen's (one step back), not the root's (leave)", how)
		}
		if msg := press(c, esc); msg != nil {
			t.Errorf("%s: esc on What sent %T, want nothing (one step back)", how, msg)
		}
		if c.step != stepWhere {
			t.Errorf("%s: esc on What went to step %v, want Where", how, c.step)
		}
		if v := ansi.Strip(c.View(120, 40)); !strings.Contains(v, "Where: the scopes around here") {
			t.Errorf("%s: esc on What should show Where:\n%s", how, v)
		}
	}
	// send does not run the command: focusing a field starts the cursor's blink timer.
	send := func(k tea.KeyPressMsg) { c.Update(k) }
	send(letter('b'))
	back("b from the verdicts")

	send(enter())
	send(letter('+'))
	send(esc) // closes the + field only
	if c.typingAct || c.step != stepWhat {
		t.Fatalf("esc in the + field should close it and stay on What: typing %v, step %v", c.typingAct, c.step)
	}
	back("after the + field")

	send(enter())
	send(letter('/'))
	for _, r := range "keys" {
		send(letter(r))
	}
	send(esc) // the filter first
	if c.what.Filtering() || c.what.Query() != "" {
		send(esc)
	}
	back("after a filter")
}
