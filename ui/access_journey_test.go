package ui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure/emulator"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
)

// Issue 14's journeys: access answers the user can act on. Every
// assertion is about what the screen shows.

const (
	regenAction = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"
	keysAction  = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action"
	denyName    = "Production keys are rotated by the platform team"
	regenOp     = "Regenerate keys"
	keysOp      = "Get the keys (key)"
)

// accessRig starts the simulated Azure on a settable clock shared with the
// UI, re-asking every few milliseconds while it waits for Azure.
func accessRig(t *testing.T, o emulator.Options, start nav.Context) (*driver, *clock) {
	t.Helper()
	hermetic(t)
	c := &clock{t: time.Now()}
	o.Now = c.Now
	srv, env := startEmulator(t, o)
	env.Now, env.Poll = c.Now, 5*time.Millisecond
	// The session reads the same clock (when it removed an assignment) and
	// knows the simulated Azure's delay, as --demo tells it.
	env.Config.Polling.Now, env.Config.Propagation = c.Now, o.PropagationDelay
	return newDriver(t, Options{Env: env, Start: start}, srv, 140, 45), c
}

// checkAs opens the check at the start endpoint and runs it for whom
// ("" = me) at the endpoint, for the operations preselected there.
func (d *driver) checkAs(whom string) string {
	d.t.Helper()
	d.waitFor("Auth mode") // the endpoint has loaded: the check preselects for its auth mode
	d.key("c")
	d.waitFor("Check access", "1 Who")
	if whom != "" {
		d.typeText(whom)
		d.key("enter")
		d.waitFor("<" + whom + "@contoso.example>")
		d.key("down", "down") // me, the endpoint's identity, then them
	} else {
		d.key("enter") // leaves the empty search for the list: me first
	}
	d.key("enter")
	d.waitFor("LEVEL", "endpoint")
	d.key("enter")
	d.waitFor("Get the keys (key)")
	d.key("enter")
	return d.waitFor("4 Verdict", "Get the keys (key)", "Regenerate keys")
}

// selectRow moves the verdict cursor to the operation named op and returns
// the screen.
func (d *driver) selectRow(op string) string {
	d.t.Helper()
	for i := 0; i < 24; i++ { // up to the top, then down
		if s := d.screen(); detailOf(s, op) {
			return s
		}
		d.key(map[bool]string{true: "up", false: "down"}[i < 12])
	}
	d.t.Fatalf("no verdict row for %s:\n%s", op, d.screen())
	return ""
}

// detailOf: the detail under the verdicts explains the operation named op
// (its header line starts with the name and then the action; table rows
// start with their mark). Advice bullets are "•": "→" is an error's next step.
func detailOf(s, op string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, op+"  Microsoft.") {
			return true
		}
	}
	return false
}

// waitDetail waits until the detail explains the operation named op.
func (d *driver) waitDetail(op string, texts ...string) string {
	d.t.Helper()
	for i := 0; i < 400; i++ {
		if s := d.waitFor(texts...); detailOf(s, op) {
			return s
		}
		d.pump(50 * time.Millisecond)
	}
	d.t.Fatalf("the detail does not explain %s:\n%s", op, d.screen())
	return ""
}

func noneOf(t *testing.T, s string, texts ...string) {
	t.Helper()
	for _, x := range texts {
		if strings.Contains(s, x) {
			t.Errorf("the screen shows %q:\n%s", x, s)
		}
	}
}

// The deny assignment on churn-key blocks key regeneration for everyone but
// olivia. Checked for nina (no role at all) and bob (Reader), the verdict
// is "blocked" with the deny's name, place and exclusion, and no role is
// suggested for it; the keys, which the deny does not touch, are a plain
// "not granted" with the role that grants them.
func TestJourneyDenyAssignmentForNinaAndBob(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-key"))
	d.signInAs("olivia")
	// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
	d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	for _, who := range []string{"nina", "bob"} {
		s := d.checkAs(who)
		if !strings.Contains(s, "⊘   Regenerate keys") || !strings.Contains(s, "blocked by a deny assignment (no role lifts it)") {
			t.Errorf("%s: regenerating keys should be blocked by the deny assignment:\n%s", who, s)
		}
		noneOf(t, s, "✓   Regenerate keys", "✗   Regenerate keys")
		if !strings.Contains(s, "✗   Get the keys (key)") {
			t.Errorf("%s: the keys are not granted:\n%s", who, s)
		}
		s = d.selectRow(regenOp)
		for _, want := range []string{"⊘ Blocked by the deny assignment “" + denyName + "”", "where: endpoint /subscriptions/",
			"excluded: Olivia Okafor (user)", "Use an identity the deny assignment excludes: Olivia Okafor",
			"No role assignment can lift a deny"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the blocked verdict should say %q:\n%s", who, want, s)
			}
		}
		// Never a role for it: no suggestion, and A is not offered.
		noneOf(t, s, "assign one of", "A opens the assign wizard", "A assign a role")
		d.key("A")
		if st := d.m.Stack(); st[len(st)-1] != "Check access" {
			t.Fatalf("%s: A opened %v for a blocked action", who, st)
		}

		// w: the whole evaluation, level by level, with the pattern tested.
		d.key("w")
		s = d.waitFor("Why: Regenerate keys", "Group memberships used")
		for _, want := range []string{"deny assignment: “" + denyName + "”, for Everyone — blocks it",
			"Actions[0] " + regenAction + " — matches", "Endpoint /subscriptions/", "Resource group /subscriptions/"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the evaluation should show %q:\n%s", who, want, s)
			}
		}
		d.key("w")
		s = d.selectRow(keysOp)
		if !strings.Contains(s, "assign one of: AzureML Data Scientist") {
			t.Errorf("%s: the keys row should name the role that grants them:\n%s", who, s)
		}
		d.key("esc") // one esc leaves a verdict: it is the wizard's result
		// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
		d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	}
	// bob's evaluation shows his Reader assignment at the subscription, tested and not matching.
	d.checkAs("bob")
	d.selectRow(keysOp)
	d.key("w")
	s := d.waitFor("Why: Get the keys (key)")
	if !strings.Contains(s, "role assignment: Reader, directly — does not match") || !strings.Contains(s, "Actions[0] */read — does not match") {
		t.Errorf("bob's Reader assignment should be in the evaluation:\n%s", s)
	}
}

// Signed in as the demo service principal (the Permissions API answers for
// it), the check never shows ✓ where the deny assignment blocks: and when
// regenerating the keys then fails with a 403, c opens the check already
// run, for that operation, with the cursor on its verdict.
func TestJourneyServicePrincipalDenyAndCFromA403(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-key"))
	tid, cid, secret := d.srv.ServicePrincipalCredentials()
	t.Setenv("AZURE_TENANT_ID", tid)
	t.Setenv("AZURE_CLIENT_ID", cid)
	t.Setenv("AZURE_CLIENT_SECRET", secret)
	d.waitFor("Sign in to Azure")
	d.typeText("/environment")
	d.key("enter", "enter")
	d.waitFor("Endpoint churn-key", "Auth mode") // k is ignored until the endpoint has loaded
	d.key("k")
	d.waitFor("Credentials · churn-key", "Primary key")
	d.key("g")
	d.waitFor("Regenerate the primary key of churn-key?")
	d.key("y")
	// Azure's own refusal names the deny assignment (a role allows it): no role is suggested.
	s := d.waitFor("Regenerating the primary key: blocked by a deny assignment", "Production keys are rotated by the platform team")
	noneOf(t, s, "AzureML Data Scientist", "built-in roles that do")
	d.key("c")
	s = d.waitDetail(regenOp, "Check access", "4 Verdict")
	// Named from Graph (its token carries no name), not "app <id> (app <id>)".
	if !strings.Contains(s, "who    churn-batch-scorer (app "+cid+")") {
		t.Errorf("the check should be for the signed-in service principal, by its display name:\n%s", s)
	}
	noneOf(t, s, "app "+cid+" (app")
	// The Permissions API allows it, but it ignores deny assignments and
	// this identity cannot read them: unknown, never ✓.
	noneOf(t, s, "✓   Regenerate keys", "A opens the assign wizard")
	if !strings.Contains(s, "?   Regenerate keys") || !strings.Contains(s, "but it ignores deny assignments, and they could not be read") {
		t.Errorf("regenerating keys should be unknown:\n%s", s)
	}
}

// Bob's keys are refused (403) on the credentials screen: c opens the check
// already run for him at the endpoint, with the cursor on the keys.
func TestJourneyCFromA403OpensTheFailedOperation(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-key"))
	d.signInAs("bob")
	d.waitFor("Endpoint churn-key", "Auth mode") // k is ignored until the endpoint has loaded
	d.key("k")
	d.waitFor("Credentials · churn-key", "ccess denied")
	d.key("c")
	s := d.waitDetail(keysOp, "Check access", "4 Verdict")
	if !strings.Contains(s, "who    Bob Reyes <bob@contoso.example>") || !strings.Contains(s, "where  endpoint /subscriptions/") {
		t.Errorf("the check should be for bob at the endpoint:\n%s", s)
	}
	if !strings.Contains(s, "✗   Get the keys (key)") || !strings.Contains(s, "assign one of: AzureML Data Scientist") {
		t.Errorf("the keys verdict should say what would grant them:\n%s", s)
	}
}

// Gary cannot read role assignments at churn-aad: checking bob there, every
// verdict that needs them is "?", with what could not be read and the role
// that reads it, and never "no role grants it".
func TestJourneyUnreadableAssignmentsAreUnknown(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-aad"))
	d.signInAs("gary")
	d.waitFor("Endpoint churn-aad", "c check access")
	d.key("c")
	d.waitFor("1 Who")
	d.typeText("bob")
	d.key("enter")
	d.waitFor("<bob@contoso.example>")
	d.key("down", "down", "enter")
	d.waitFor("LEVEL", "endpoint")
	d.key("enter", "enter")
	s := d.waitFor("4 Verdict", "Read online endpoints")
	for _, want := range []string{"?   Read online endpoints and deployments", "unknown: could not read role assignments",
		"could not read role assignments: it needs Microsoft.Authorization/roleAssignments/read", "you need Microsoft.Authorization/roleAssignments/read", "(Reader or User Access Administrator)."} {
		if !strings.Contains(s, want) {
			t.Errorf("should show %q:\n%s", want, s)
		}
	}
	noneOf(t, s, "no role grants it", "✗   ", "✓   Read online endpoints")
}

var checksRe = regexp.MustCompile(`(\d+) checks`)

// waitChecks waits until verification has asked Azure at least n times.
func (d *driver) waitChecks(n int) string {
	d.t.Helper()
	for i := 0; i < 400; i++ {
		s := d.screen()
		if m := checksRe.FindStringSubmatch(s); m != nil {
			if k, _ := strconv.Atoi(m[1]); k >= n {
				return s
			}
		}
		d.pump(50 * time.Millisecond)
	}
	d.t.Fatalf("verification did not ask %d times:\n%s", n, d.screen())
	return ""
}

// For yourself, verification asks Azure and says "effective" only when
// Azure does: with a 120 s propagation delay it keeps asking, then says so
// once the clock has moved; the elapsed time stops there.
func TestJourneyVerifyForYourself(t *testing.T) {
	d, c := accessRig(t, emulator.Options{PropagationDelay: 120 * time.Second}, churn("churn-key"))
	uaa, _ := rbac.RoleByName(rbac.BuiltinRoles(), "User Access Administrator")
	rg := "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod"
	ninaID := ""
	for _, p := range d.srv.Personas() {
		if p.Key == "nina" {
			ninaID = p.ObjectID
		}
	}
	d.srv.Mutate(func(w *emulator.World) { // nina may manage access in rg-ml-prod, and nothing else
		w.Assignments = append(w.Assignments, rbac.Assignment{ID: rg + "/providers/Microsoft.Authorization/roleAssignments/0a1b2c3d-0000-4000-8000-00000000aaaa",
			Name: "0a1b2c3d-0000-4000-8000-00000000aaaa", Scope: rg, RoleDefinitionID: uaa.ID, PrincipalID: ninaID, PrincipalType: "User"})
	})
	d.signInAs("nina")
	// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
	d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	s := d.checkAs("")
	if !strings.Contains(s, "✗   Get the keys (key)") {
		t.Fatalf("nina cannot get the keys yet:\n%s", s)
	}
	d.selectRow(keysOp)
	d.key("A")
	d.waitFor("Assign a role", "Choose the role", "AzureML Data Scientist")
	d.key("enter")
	d.waitFor("Choose where to assign it", "endpoint")
	d.key("enter")
	d.waitFor("Review", "az role assignment create")
	d.key("y")
	d.waitFor("Verifying: asking Azure")
	s = d.waitChecks(3)
	noneOf(t, s, "Effective", "effective")
	if !strings.Contains(s, "Permissions API at endpoint: does not list it yet") {
		t.Errorf("verification should say what Azure answered:\n%s", s)
	}
	c.add(120 * time.Second)
	s = d.waitFor("✓ Effective after 2m0s: Azure says so.")
	if !strings.Contains(s, "Permissions API at endpoint: allows it") || !strings.Contains(s, "Deny assignments: none blocks it") {
		t.Errorf("effective should rest on Azure's answers:\n%s", s)
	}
	c.add(5 * time.Minute) // the step has ended: the elapsed time stays
	d.pump(50 * time.Millisecond)
	if s := d.screen(); !strings.Contains(s, "✓ Effective after 2m0s") {
		t.Errorf("the elapsed time kept counting after the step ended:\n%s", s)
	}
	d.key("enter")
	d.waitFor("✓   Get the keys (key)")
}

// For someone else there is no "effective": three separate facts — listed
// by Azure, how long Azure usually takes, and the command they can run —
// and the command can be copied.
func TestJourneyVerifyForSomeoneElse(t *testing.T) {
	d, c := accessRig(t, emulator.Options{PropagationDelay: 120 * time.Second}, churn("churn-key"))
	d.signInAs("olivia")
	// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
	d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	d.checkAs("bob")
	d.selectRow(keysOp)
	d.key("A")
	d.waitFor("Choose the role", "AzureML Data Scientist")
	s := d.screen()
	if !strings.Contains(s, "✓ yes") || !strings.Contains(s, "✗ no") {
		t.Errorf("the roles should be marked by whether they grant the action:\n%s", s)
	}
	d.key("enter")
	d.waitFor("Choose where to assign it")
	s = d.screen()
	for _, lv := range []string{"endpoint ", "workspace ", "resource group ", "subscription "} {
		if !strings.Contains(s, lv) {
			t.Errorf("the scope picker should name the level %q:\n%s", lv, s)
		}
	}
	d.key("enter")
	s = d.waitFor("Review", "az CLI:", "REST:")
	for _, want := range []string{"az role assignment create --assignee-object-id b0b00000-0000-4000-8000-000000000b0b",
		"PUT " + d.m.Env().Config.ARMURL("/subscriptions/"), "a copies the az command"} { // the cloud's ARM endpoint (here the simulated one)
		if !strings.Contains(s, want) {
			t.Errorf("review should show %q:\n%s", want, s)
		}
	}
	review := s[strings.Index(s, "Review"):strings.Index(s, "y applies")]
	noneOf(t, review, "…") // wrapped, never cut
	d.key("a")
	d.waitFor("Copied the az command")
	d.key("y")
	s = d.waitFor("assigned ✓ (listed by Azure)", "How long Azure usually takes:", "can check for themselves with:",
		"amlauth-tui check --principal me --scope /subscriptions/"+emulator.SubProduction)
	if !strings.Contains(s, "--operation endpoint.listKeys") {
		t.Errorf("the command should check the operation that was granted:\n%s", s)
	}
	noneOf(t, strings.ToLower(s), "effective")
	d.key("m")
	d.waitFor("Copied the command they can run")
	// Back at the check, nobody promises bob the keys while Azure may still
	// be applying the assignment (the simulated Azure's 120 s, which the
	// session knows as --demo tells it); once that time has passed, the
	// grant stands.
	c.add(60 * time.Second)
	d.key("enter")
	s = d.waitFor("⧖   Get the keys (key)")
	s = d.selectRow(keysOp)
	if !strings.Contains(s, "Assigned 1m0s ago: Azure takes up to 2 minutes") {
		t.Errorf("the pending verdict should say why:\n%s", s)
	}
	c.add(60 * time.Second)
	d.key("R")
	d.waitFor("✓   Get the keys (key)", "AzureML Data Scientist at endpoint churn-key")

	// And back: d removes the assignment that grants it, after a confirm.
	// Azure lists it no more at once, but its caches keep granting it for up
	// to the propagation window (here the simulated Azure's 120 s), so "not
	// granted" right after the removal would be a promise nobody can keep:
	// the answer is "removed, Azure may still allow it" until the window
	// has passed, and the check runs again by itself then.
	d.key("d")
	d.waitFor("Remove this role assignment?", "az role assignment delete --ids", "Azure may keep allowing it for up to 2 minutes")
	at := c.Now()
	d.key("y")
	d.waitFor("Role assignment removed; Azure may still allow it for", "up to 2 minutes", "⧗   Get the keys (key)")
	s = d.selectRow(keysOp)
	until := at.Add(120 * time.Second).Format(time.TimeOnly)
	for _, want := range []string{"removed; Azure may still allow it until ~" + until,
		"⧗ Removed at " + at.Format(time.TimeOnly) + "; Azure may still allow it for up to 2 minutes", // the toasts cover the rest of the line
		"removed: AzureML Data Scientist", "The check runs again by itself at " + until} {
		if !strings.Contains(s, want) {
			t.Errorf("after the removal the check should say %q:\n%s", want, s)
		}
	}
	noneOf(t, s, "✗   Get the keys (key)", "A opens the assign wizard")
	d.key("w")
	d.waitFor("role assignment: AzureML Data Scientist, directly — removed, Azure may still enforce it",
		"removed at "+at.Format(time.TimeOnly)+"; Azure may keep allowing this until about "+until)
	d.key("w")
	c.add(119 * time.Second)
	d.pump(50 * time.Millisecond)
	if s = d.screen(); !strings.Contains(s, "⧗   Get the keys (key)") {
		t.Errorf("a second before the window ends, the removal is still not promised:\n%s", s)
	}
	c.add(time.Second)
	d.waitFor("✗   Get the keys (key)")
}

// personaID is the object id of a demo persona.
func (d *driver) personaID(key string) string {
	for _, p := range d.srv.Personas() {
		if p.Key == key {
			return p.ObjectID
		}
	}
	d.t.Fatalf("no persona %s", key)
	return ""
}

// Olivia gives bob the seeds' custom control-plane role: the review shows
// its role.json with the real ids before anything is created, q asks
// before discarding it, and it is created where Azure allows it for her
// (assignable at rg-ml-prod, where she is Owner) and then assigned.
func TestJourneyCustomRoleAsOlivia(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-key"))
	d.signInAs("olivia")
	// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
	d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	d.checkAs("bob")
	d.selectRow(keysOp)
	d.key("A")
	d.waitFor("Choose the role", rbac.CustomControlPlaneRoleName)
	d.key("/")
	d.typeText("control plane")
	d.key("enter", "enter")
	d.waitFor("Choose where to assign it")
	d.key("enter")
	rg := "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod"
	s := d.waitFor("1. Create the custom role", "role.json", `"IsCustom": true`, `"AssignableScopes": [`)
	flat := strings.Join(strings.Fields(s), "")
	for _, want := range []string{`"Name":"` + strings.ReplaceAll(rbac.CustomControlPlaneRoleName, " ", "") + `"`, `"` + rg + `"`,
		"azroledefinitioncreate--role-definition@role.json", "Itiscreatedatresourcegroup" + rg} {
		if !strings.Contains(flat, want) {
			t.Errorf("the review should show %q before anything is created:\n%s", want, s)
		}
	}
	d.key("j")
	d.waitFor("Copied role.json and az role definition create")
	d.key("q")
	d.waitFor("Quit and discard the assignment of")
	// The title wraps inside the dialog: read it from the dialog, borders out.
	if dl := strings.Join(strings.Fields(strings.ReplaceAll(ansi.Strip(d.m.dialog()), "│", "")), " "); !strings.Contains(dl,
		"Quit and discard the assignment of "+rbac.CustomControlPlaneRoleName) {
		t.Fatalf("q should ask before discarding the assignment of the role:\n%s", dl)
	}
	d.key("n")
	d.waitFor("1. Create the custom role")
	if d.quit {
		t.Fatal("n should keep the review")
	}
	d.key("y")
	d.waitFor("assigned ✓ (listed by Azure)")
	var created []rbac.RoleDefinition
	var bobHas bool
	bob := d.personaID("bob")
	d.srv.Mutate(func(w *emulator.World) {
		for _, r := range w.CustomRoles {
			if r.RoleName == rbac.CustomControlPlaneRoleName {
				created = append(created, r)
			}
		}
		for _, a := range w.Assignments {
			if len(created) == 1 && a.PrincipalID == bob && strings.EqualFold(rbac.RoleGUID(a.RoleDefinitionID), rbac.RoleGUID(created[0].ID)) {
				bobHas = true
			}
		}
	})
	if len(created) != 1 || len(created[0].AssignableScopes) != 1 || !strings.EqualFold(created[0].AssignableScopes[0], rg) || !bobHas {
		t.Fatalf("the role should be created assignable at rg-ml-prod and assigned to bob: %+v, assigned %v", created, bobHas)
	}
}

// A role assignment with a condition (ABAC) makes the verdict "depends on
// a condition", with the condition shown whole.
func TestJourneyConditionalVerdict(t *testing.T) {
	d, _ := accessRig(t, emulator.Options{}, churn("churn-key"))
	ds, _ := rbac.RoleByName(rbac.BuiltinRoles(), "AzureML Data Scientist")
	ws := "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"
	cond := "@Resource[Microsoft.MachineLearningServices/workspaces/onlineEndpoints:name] StringEquals 'churn-key'"
	bob := d.personaID("bob")
	d.srv.Mutate(func(w *emulator.World) {
		w.Assignments = append(w.Assignments, rbac.Assignment{ID: ws + "/providers/Microsoft.Authorization/roleAssignments/0c0d0000-0000-4000-8000-0000000000c1",
			Name: "0c0d0000-0000-4000-8000-0000000000c1", Scope: ws, RoleDefinitionID: ds.ID, PrincipalID: bob, PrincipalType: "User",
			Condition: cond, ConditionVersion: "2.0"})
	})
	d.signInAs("olivia")
	// c passes the endpoint\'s auth mode to the check: wait until it has loaded.
	d.waitFor("Endpoint churn-key", "c check access", "Auth mode")
	s := d.checkAs("bob")
	if !strings.Contains(s, "~   Get the keys (key)") {
		t.Fatalf("a conditional grant is neither ✓ nor ✗:\n%s", s)
	}
	s = d.selectRow(keysOp)
	if !strings.Contains(s, "~ Depends on a condition") || !strings.Contains(strings.Join(strings.Fields(s), ""), "condition(version2.0):"+strings.Join(strings.Fields(cond), "")) {
		t.Errorf("the condition should be shown whole:\n%s", s)
	}
	noneOf(t, s, "A opens the assign wizard")
}
