package azure_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/azure/rbac"
)

// Access checks against the simulated Azure: the answers a troubleshooting
// user acts on.

const (
	prodEP  = "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/"
	opRegen = "endpoint.regenerateKeys"
)

func op(t *testing.T, key string) rbac.Operation {
	t.Helper()
	o, ok := rbac.OperationByKey(key)
	if !ok {
		t.Fatalf("no operation %s", key)
	}
	return o
}

func verdictFor(t *testing.T, sess *azure.Session, who, scope, key string) (azure.Access, azure.Verdict) {
	t.Helper()
	p := sess.Identity().Principal()
	if who != "me" {
		found, err := sess.FindPrincipals(ctx(t), who)
		if err != nil || len(found) != 1 {
			t.Fatalf("find %s: %v %+v", who, err, found)
		}
		p = found[0]
	}
	acc, err := sess.Access(ctx(t), p, scope)
	if err != nil {
		t.Fatal(err)
	}
	return acc, acc.Check([]rbac.Operation{op(t, key)})[0]
}

// The deny on churn-key blocks key regeneration for everyone but olivia:
// the answer names it, who is excluded, and never suggests a role.
func TestCheckDenyAssignmentBlocksWhateverTheRole(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	olivia := signInAs(t, s, cfg, "olivia")
	for _, who := range []string{"nina@contoso", "bob@contoso", "alice@contoso"} {
		_, v := verdictFor(t, olivia, who, prodEP+"churn-key", opRegen)
		if v.Outcome != rbac.DeniedByDenyAssignment || v.Decision.Allowed || v.Deny == nil {
			t.Fatalf("%s: outcome %v, deny %+v", who, v.Outcome, v.Deny)
		}
		if len(v.Suggest) != 0 {
			t.Errorf("%s: suggests %v, which the deny would block", who, v.Suggest[0].RoleName)
		}
		all := v.Decision.Reason + strings.Join(v.Advice, " ")
		if strings.Contains(all, "AzureML Data Scientist") || strings.Contains(all, "assign one of") {
			t.Errorf("%s: advice suggests a role: %s", who, all)
		}
		// The advice is about the principal checked, not the one asking.
		if name := map[string]string{"nina@contoso": "Nina Novak", "bob@contoso": "Bob Reyes", "alice@contoso": "Alice Chen"}[who]; strings.Contains(all, "add you to") ||
			!strings.Contains(all, "to add "+name+" to the excluded principals") {
			t.Errorf("%s: the advice should name them: %q", who, v.Advice)
		}
		if len(v.Deny.Excluded) != 1 || v.Deny.Excluded[0].DisplayName != "Olivia Okafor" || !strings.Contains(all, "Olivia Okafor") ||
			!strings.Contains(all, "excluded principals") || v.Deny.Name != "Production keys are rotated by the platform team" ||
			!strings.HasSuffix(v.Deny.Scope, "churn-key") || v.Deny.Description == "" {
			t.Errorf("%s: deny detail %+v advice %q", who, v.Deny, v.Advice)
		}
		for _, a := range v.Advice {
			if strings.Contains(a, "press") || strings.Contains(a, "[") {
				t.Errorf("advice names a key: %q", a)
			}
		}
	}
	if _, v := verdictFor(t, olivia, "me", prodEP+"churn-key", opRegen); v.Outcome != rbac.Allowed || v.Deny != nil {
		t.Errorf("olivia is excluded: %v %s", v.Outcome, v.Decision.Reason)
	}
	// A role that would grant listKeys is suggested (no deny blocks it).
	if _, v := verdictFor(t, olivia, "nina@contoso", prodEP+"churn-key", "endpoint.listKeys"); v.Outcome != rbac.NotGranted || len(v.Suggest) == 0 {
		t.Errorf("nina's keys: %v %v", v.Outcome, v.Suggest)
	}
}

// The demo service principal: the Permissions API says it may regenerate
// churn-key's keys (it ignores deny assignments), the principal cannot read
// deny assignments, so the answer is unknown, never allowed.
func TestCheckServicePrincipalPermissionsAPIIsNotEnough(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	cid := setServicePrincipalEnv(t, s)
	sp, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodEnvironment})
	if err != nil {
		t.Fatal(err)
	}
	if l := sp.Identity().Principal().Label(); l != "app "+cid {
		t.Errorf("before Graph names it, the token's principal reads %q (not the app id twice)", l)
	}
	acc, v := verdictFor(t, sp, "me", prodEP+"churn-key", opRegen)
	if l := acc.Principal.Label(); l != "churn-batch-scorer (app "+cid+")" {
		t.Errorf("the check names the service principal from Graph: %q", l)
	}
	if v.PermissionsAPI == nil || !*v.PermissionsAPI {
		t.Fatalf("the Permissions API should allow it (AzureML Data Scientist on the workspace): %+v", v)
	}
	if v.Outcome == rbac.Allowed || v.Decision.Allowed {
		t.Fatalf("allowed although a deny blocks it: %s", v.Decision.Reason)
	}
	if !acc.DeniesUnknown || v.Outcome != rbac.Unknown || !v.Unknown {
		t.Fatalf("outcome %v, denies unknown %v: %s", v.Outcome, acc.DeniesUnknown, v.Decision.Reason)
	}
	var denyMissing *azure.Unreadable
	for i, u := range v.Missing {
		if u.What == "deny assignments" {
			denyMissing = &v.Missing[i]
		}
	}
	if denyMissing == nil || denyMissing.Action != "Microsoft.Authorization/denyAssignments/read" || len(denyMissing.Roles) == 0 || denyMissing.Roles[0] != "Reader" {
		t.Errorf("missing %+v", v.Missing)
	}
}

// gary can read neither role assignments nor deny assignments at churn-aad.
func TestCheckUnknownWhenAssignmentsUnreadable(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	gary := signInAs(t, s, cfg, "gary")
	// Someone else: no Permissions API, so nothing is known.
	acc, v := verdictFor(t, gary, "nina@contoso", prodEP+"churn-aad", "endpoint.listKeys")
	if !acc.AssignmentsUnknown || v.Outcome != rbac.Unknown || strings.Contains(v.Decision.Reason, "No role assignment grants") || len(v.Suggest) != 0 {
		t.Errorf("nina seen by gary: %v %q %v", v.Outcome, v.Decision.Reason, v.Suggest)
	}
	if len(v.Missing) == 0 || v.Missing[0].What != "role assignments" || v.Missing[0].Action != "Microsoft.Authorization/roleAssignments/read" {
		t.Errorf("missing: %+v", v.Missing)
	}
	// Himself: the Permissions API allows it, the deny assignments are unreadable.
	_, v = verdictFor(t, gary, "me", prodEP+"churn-aad", "endpoint.read")
	if v.Outcome != rbac.Unknown || v.Source != "Permissions API" || len(v.Suggest) != 0 {
		t.Errorf("gary himself: %v %s %v", v.Outcome, v.Source, v.Suggest)
	}
	// Bob (Reader) reads everything: the answer is definite.
	bob := signInAs(t, s, cfg, "bob")
	acc, v = verdictFor(t, bob, "gary@contoso", prodEP+"churn-aad", "endpoint.listKeys")
	if acc.AssignmentsUnknown || acc.DeniesUnknown || v.Outcome != rbac.Allowed || v.Decision.Grants[0].ViaGroup == "" {
		t.Fatalf("gary seen by bob: %v %s", v.Outcome, v.Decision.Reason)
	}
	if acc.Name(v.Decision.Grants[0].ViaGroup) != "ml-scorers" {
		t.Errorf("the group reads as %q", acc.Name(v.Decision.Grants[0].ViaGroup))
	}
	explained := strings.Join(acc.Explain(v), "\n")
	for _, want := range []string{"for Gary Lindqvist", "Group memberships (transitive): ml-scorers",
		"role assignment: AzureML Data Scientist to ml-scorers (through group ml-scorers): grants",
		"Actions Microsoft.MachineLearningServices/workspaces/*/action: matches", "At root /", "Verdict: allowed."} {
		if !strings.Contains(explained, want) {
			t.Errorf("explanation lacks %q:\n%s", want, explained)
		}
	}
}

// advance moves the simulated Azure's clock.
func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Verification with a 120 s propagation delay: listed at once; for
// someone else never "effective", with the command to run; for yourself
// effective only once Azure answers so.
func TestVerifyAssignment(t *testing.T) {
	clock := &fixedClock{t: time.Now().UTC().Truncate(time.Second)}
	s, cfg := start(t, emulator.Options{PropagationDelay: 120 * time.Second, Now: clock.Now})
	olivia := signInAs(t, s, cfg, "olivia")
	bob := signInAs(t, s, cfg, "bob")
	ep := "/subscriptions/" + emulator.SubSandbox + "/resourceGroups/rg-sandbox/providers/Microsoft.MachineLearningServices/workspaces/mlw-sandbox/onlineEndpoints/sandbox-echo"
	reader, _ := rbac.RoleByName(rbac.BuiltinRoles(), "Reader")
	bobRef := bob.Identity().Principal()
	a, err := olivia.AssignRole(ctx(t), bobRef, reader.ID, ep)
	if err != nil {
		t.Fatal(err)
	}
	read := op(t, "endpoint.read")
	other := olivia.Verify(ctx(t), bobRef, a, ep, read)
	if other.Self || !other.Listed || other.Effective || other.Verdict != nil ||
		other.Command != "amlauth-tui check --principal me --scope "+ep+" --operation endpoint.read" || !strings.Contains(other.Typical, "10 minutes") {
		t.Fatalf("for someone else: %+v", other)
	}
	self := bob.Verify(ctx(t), bobRef, a, ep, read)
	// bob cannot list role assignments there until his Reader role applies.
	if !self.Self || self.Listed || self.ListErr == "" || self.Effective || self.ProbeOK == nil || *self.ProbeOK || self.Probe != "GET "+ep {
		t.Fatalf("for bob before propagation: %+v", self)
	}
	clock.advance(121 * time.Second)
	self = bob.Verify(ctx(t), bobRef, a, ep, read)
	if !self.Effective || !self.Listed || self.ProbeOK == nil || !*self.ProbeOK || self.Verdict == nil || self.Verdict.Outcome != rbac.Allowed {
		t.Fatalf("for bob after propagation: %+v", self)
	}
	if other = olivia.Verify(ctx(t), bobRef, a, ep, read); other.Effective {
		t.Errorf("effective shown for someone else")
	}
}

// For yourself, an assignment Azure lists but does not apply yet is
// "pending", not "allowed": the Permissions API has the last word on roles.
func TestCheckPendingUntilAzureApplies(t *testing.T) {
	clock := &fixedClock{t: time.Now().UTC().Truncate(time.Second)}
	s, cfg := start(t, emulator.Options{PropagationDelay: 120 * time.Second, Now: clock.Now})
	olivia := signInAs(t, s, cfg, "olivia")
	bob := signInAs(t, s, cfg, "bob") // Reader on production: he can read role and deny assignments
	ds, _ := rbac.RoleByName(rbac.BuiltinRoles(), "AzureML Data Scientist")
	if _, err := olivia.AssignRole(ctx(t), bob.Identity().Principal(), ds.ID, prodEP+"churn-aml"); err != nil {
		t.Fatal(err)
	}
	_, v := verdictFor(t, bob, "me", prodEP+"churn-aml", "endpoint.listKeys")
	if v.Outcome != rbac.Pending || v.PermissionsAPI == nil || *v.PermissionsAPI || len(v.Suggest) != 0 {
		t.Fatalf("before propagation: %v %s", v.Outcome, v.Decision.Reason)
	}
	clock.advance(121 * time.Second)
	if _, v = verdictFor(t, bob, "me", prodEP+"churn-aml", "endpoint.listKeys"); v.Outcome != rbac.Allowed {
		t.Fatalf("after propagation: %v %s", v.Outcome, v.Decision.Reason)
	}
}

// A role assignment the session removed keeps granting until Azure's
// caches catch up ("Symptom - Role assignment changes are not being
// detected": changes, removals included, take up to 10 minutes). Checked
// for someone else, the answer is "removed, Azure may still allow it" while
// the simulated Azure still lets them, and "not granted" once it stops; for
// yourself the Permissions API says what Azure enforces, and the answer
// says it came from there.
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected
func TestRemovedAssignmentMayGrantUntilItPropagates(t *testing.T) {
	const delay = 120 * time.Second
	clock := &fixedClock{t: time.Now().UTC().Truncate(time.Second)}
	s, cfg := start(t, emulator.Options{PropagationDelay: delay, Now: clock.Now})
	cfg.Polling.Now, cfg.Propagation = clock.Now, delay // the session's clock and the demo's window
	olivia := signInAs(t, s, cfg, "olivia")
	bob := signInAs(t, s, cfg, "bob")
	ds, _ := rbac.RoleByName(rbac.BuiltinRoles(), "AzureML Data Scientist")
	ep := azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}
	x, err := olivia.AssignRole(ctx(t), bob.Identity().Principal(), ds.ID, prodEP+"churn-key")
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(delay)
	if _, err := bob.Keys(ctx(t), ep); err != nil {
		t.Fatalf("bob's keys once the assignment applies: %v", err)
	}
	removedAt := clock.Now()
	if err := olivia.DeleteAssignment(ctx(t), x.ID); err != nil {
		t.Fatal(err)
	}
	until := removedAt.Add(delay).Format(time.TimeOnly)
	for _, after := range []time.Duration{0, delay - time.Second} {
		clock.advance(after)
		acc, v := verdictFor(t, olivia, "bob@contoso", prodEP+"churn-key", "endpoint.listKeys")
		if v.Outcome != rbac.Revoking || v.Source != "role assignments" || len(v.Suggest) != 0 ||
			!strings.Contains(v.Decision.Reason, "removed at "+removedAt.Format(time.TimeOnly)+"; Azure may keep allowing this until about "+until) {
			t.Fatalf("%s after the removal: %v (%s) %s", after, v.Outcome, v.Source, v.Decision.Reason)
		}
		if !strings.Contains(strings.Join(acc.Explain(v), "\n"), "removed, Azure may still enforce it; removed at") {
			t.Errorf("explain %q", acc.Explain(v))
		}
		if _, err := bob.Keys(ctx(t), ep); err != nil {
			t.Fatalf("the simulated Azure should still let bob in %s after the removal: %v", after, err)
		}
	}
	clock.advance(time.Second)
	if _, v := verdictFor(t, olivia, "bob@contoso", prodEP+"churn-key", "endpoint.listKeys"); v.Outcome != rbac.NotGranted {
		t.Fatalf("once the removal applies: %v %s", v.Outcome, v.Decision.Reason)
	}
	if _, err := bob.Keys(ctx(t), ep); err == nil {
		t.Fatal("the simulated Azure still lets bob in after the removal applied")
	}
}

// For yourself the Permissions API answers from what Azure enforces: after
// olivia removes her own Owner role on rg-ml-prod, it still lists the
// action while the removal propagates, and the answer is "allowed", from
// the Permissions API, naming the removal; once it has applied, it no
// longer does.
func TestRemovedOwnAssignmentAnswersFromThePermissionsAPI(t *testing.T) {
	const delay = 120 * time.Second
	clock := &fixedClock{t: time.Now().UTC().Truncate(time.Second)}
	s, cfg := start(t, emulator.Options{PropagationDelay: delay, Now: clock.Now})
	cfg.Polling.Now, cfg.Propagation = clock.Now, delay
	olivia := signInAs(t, s, cfg, "olivia")
	rg := "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod"
	acc, err := olivia.Access(ctx(t), olivia.Identity().Principal(), rg)
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := rbac.RoleByName(rbac.BuiltinRoles(), "Owner")
	var id string
	for _, x := range acc.Assignments {
		if strings.EqualFold(rbac.RoleGUID(x.RoleDefinitionID), owner.Name) && rbac.SameScope(x.Scope, rg) {
			id = x.ID
		}
	}
	if id == "" {
		t.Fatalf("olivia's Owner assignment on %s is not listed: %+v", rg, acc.Assignments)
	}
	if err := olivia.DeleteAssignment(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	_, v := verdictFor(t, olivia, "me", prodEP+"churn-key", "endpoint.read")
	if v.Outcome != rbac.Allowed || v.Source != "Permissions API" || v.PermissionsAPI == nil || !*v.PermissionsAPI ||
		!strings.Contains(v.Decision.Reason, "removed at") {
		t.Fatalf("while the removal propagates: %v (%s) %s", v.Outcome, v.Source, v.Decision.Reason)
	}
	clock.advance(delay)
	if _, v = verdictFor(t, olivia, "me", prodEP+"churn-key", "endpoint.read"); v.Outcome != rbac.NotGranted || v.Source != "Permissions API" {
		t.Fatalf("once the removal applies: %v (%s) %s", v.Outcome, v.Source, v.Decision.Reason)
	}
}

// When a role grants the action but a deny assignment blocks it, ARM says
// so (DenyAssignmentAuthorizationFailed). The error names the deny and its
// explanation never suggests a role: none would help.
func TestRefusalByADenyAssignmentNamesItAndNoRole(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	alice := signInAs(t, s, cfg, "alice") // AzureML Data Scientist on mlw-churn: the role grants regenerateKeys
	_, err := alice.RegenerateKey(ctx(t), azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}, "Primary")
	var fe *azure.ForbiddenError
	if !errors.As(err, &fe) || fe.Deny == nil {
		t.Fatalf("want a ForbiddenError naming the deny assignment, got %v", err)
	}
	if fe.Deny.Name != "Production keys are rotated by the platform team" || !strings.HasSuffix(fe.Deny.Scope, "/onlineEndpoints/churn-key") ||
		!strings.HasSuffix(fe.Action, "/regenerateKeys/action") {
		t.Errorf("parsed %+v, action %s", fe.Deny, fe.Action)
	}
	e := azure.Explain(err)
	if !strings.Contains(e.Detail, "Production keys are rotated by the platform team") || strings.Contains(e.Next, "Data Scientist") ||
		strings.Contains(e.Next, "Contributor") || e.Retry {
		t.Errorf("the explanation must name the deny and no role, and offer no retry: %+v", e)
	}
	// A plain missing role still names the roles that grant it.
	bob := signInAs(t, s, cfg, "bob")
	_, err = bob.Keys(ctx(t), azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"})
	if !errors.As(err, &fe) || fe.Deny != nil || !strings.Contains(azure.Explain(err).Next, "AzureML Data Scientist") {
		t.Errorf("bob's listKeys refusal: %v / %+v", err, azure.Explain(err))
	}
}

// Suggestions come from every built-in role, least privileged first:
// Managed Identity Operator is the answer for attaching a user-assigned
// identity (creating an endpoint with one), Contributor comes before Owner,
// a role whose own NotActions remove the action is never offered, and
// the list is short and the same every time.
func TestSuggestLeastPrivilegedFromAllBuiltins(t *testing.T) {
	const uai = "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring"
	names := func(rs []rbac.RoleDefinition) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.RoleName)
		}
		return out
	}
	for _, c := range []struct {
		action string
		data   bool
		want   []string // the built-ins, in order
		never  string
	}{
		{"Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action", false,
			[]string{"Managed Identity Operator", "Contributor", "Owner"}, ""},
		{"Microsoft.Authorization/roleAssignments/write", false,
			[]string{"Role Based Access Control Administrator", "User Access Administrator", "Owner"}, "Contributor"},
		{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write", false,
			[]string{"AzureML Data Scientist", "Azure AI Developer", "Contributor"}, "Owner"},
		{"Microsoft.MachineLearningServices/workspaces/write", false, []string{"Contributor", "Owner"}, "AzureML Data Scientist"},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", true,
			[]string{"Storage Blob Data Reader", "Storage Blob Data Contributor"}, "Owner"},
		{"Microsoft.ContainerRegistry/registries/pull/read", false, []string{"AcrPull", "AcrPush", "Reader"}, "Owner"},
	} {
		a := azure.Access{Principal: azure.PrincipalRef{ID: "b0b00000-0000-4000-8000-000000000b0b", Kind: "User"}, Scope: uai, Roles: rbac.BuiltinRoles()}
		o := rbac.Operation{Key: c.action, Action: c.action, DataAction: c.data}
		first := a.Check([]rbac.Operation{o})[0]
		var builtins []string
		for _, r := range first.Suggest {
			if r.RoleType != "CustomRole" {
				builtins = append(builtins, r.RoleName)
			}
		}
		if strings.Join(builtins, ", ") != strings.Join(c.want, ", ") {
			t.Errorf("%s: suggests %v, want %v", c.action, names(first.Suggest), c.want)
		}
		if c.never != "" && slicesContains(names(first.Suggest), c.never) {
			t.Errorf("%s: suggests %s, which does not grant it (or is not among the least privileged)", c.action, c.never)
		}
		if len(first.Suggest) > 4 {
			t.Errorf("%s: %d suggestions, keep it short: %v", c.action, len(first.Suggest), names(first.Suggest))
		}
		roles := rbac.BuiltinRoles() // the order Azure lists them in must not matter
		for i, j := 0, len(roles)-1; i < j; i, j = i+1, j-1 {
			roles[i], roles[j] = roles[j], roles[i]
		}
		a.Roles = roles
		again := a.Check([]rbac.Operation{o})[0]
		if strings.Join(names(again.Suggest), "|") != strings.Join(names(first.Suggest), "|") {
			t.Errorf("%s: not deterministic: %v then %v", c.action, names(first.Suggest), names(again.Suggest))
		}
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
