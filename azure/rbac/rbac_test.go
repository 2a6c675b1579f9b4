package rbac

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	sub   = "/subscriptions/11111111-1111-1111-1111-111111111111"
	rg    = sub + "/resourceGroups/rg-ml-prod"
	ws    = rg + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"
	epKey = ws + "/onlineEndpoints/churn-key"

	alice = "aaaaaaaa-0000-0000-0000-000000000001"
	group = "99999999-0000-0000-0000-000000000001"
)

func role(t *testing.T, name string) RoleDefinition {
	t.Helper()
	r, ok := RoleByName(BuiltinRoles(), name)
	if !ok {
		t.Fatalf("built-in role %q missing", name)
	}
	return r
}

func assign(t *testing.T, principal, roleName, scope string) Assignment {
	r := role(t, roleName)
	return Assignment{Name: "x", Scope: scope, RoleDefinitionID: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/" + r.Name, PrincipalID: principal, PrincipalType: "User"}
}

func TestBuiltinRolesFacts(t *testing.T) {
	roles := RoleSet(BuiltinRoles())
	cases := []struct {
		role, scope, action string
		want                bool
	}{
		// The seeds' facts: AzureML Data Scientist at a workspace.
		{"AzureML Data Scientist", ws, ep + "score/action", true},
		{"AzureML Data Scientist", ws, ep + "listKeys/action", true},
		{"AzureML Data Scientist", ws, ep + "token/action", true},
		{"AzureML Data Scientist", ws, ep + "regenerateKeys/action", true},
		{"AzureML Data Scientist", ws, ep + "write", true},
		{"AzureML Data Scientist", ws, ep + "delete", true},
		{"AzureML Data Scientist", ws, ep + "read", true},
		{"AzureML Data Scientist", ws, "Microsoft.MachineLearningServices/workspaces/write", false},
		{"AzureML Data Scientist", ws, "Microsoft.MachineLearningServices/workspaces/delete", false},
		{"AzureML Data Scientist", ws, "Microsoft.MachineLearningServices/workspaces/listKeys/action", false},
		// Reader reads only.
		{"Reader", ws, ep + "read", true},
		{"Reader", ws, ep + "listKeys/action", false},
		{"Reader", ws, ep + "token/action", false},
		{"Reader", ws, ep + "score/action", false},
		{"Reader", ws, ep + "write", false},
		// Contributor cannot assign roles; Owner can.
		{"Contributor", ws, "Microsoft.Authorization/roleAssignments/write", false},
		{"Contributor", ws, ep + "write", true},
		{"Owner", ws, "Microsoft.Authorization/roleAssignments/write", true},
	}
	for _, c := range cases {
		a := assign(t, alice, c.role, c.scope)
		d := Evaluate(Request{PrincipalID: alice, Action: c.action, Scope: epKey}, []Assignment{a}, roles, nil)
		if d.Allowed != c.want {
			t.Errorf("%s at %s, %s: allowed=%v want %v (%s)", c.role, c.scope, c.action, d.Allowed, c.want, d.Reason)
		}
	}
}

func TestNotActionIsExplained(t *testing.T) {
	roles := RoleSet(BuiltinRoles())
	a := assign(t, alice, "AzureML Data Scientist", ws)
	// workspaces/*/action matches workspaces/listKeys/action, and a NotAction removes it.
	d := Evaluate(Request{PrincipalID: alice, Action: "Microsoft.MachineLearningServices/workspaces/listKeys/action", Scope: ws}, []Assignment{a}, roles, nil)
	if d.Allowed || len(d.Blocked) != 1 || d.Blocked[0].NotPattern != "Microsoft.MachineLearningServices/workspaces/listKeys/action" {
		t.Fatalf("want blocked by NotAction, got %+v", d)
	}
	if !strings.Contains(d.Reason, "NotAction") {
		t.Errorf("reason %q does not mention the NotAction", d.Reason)
	}
}

func TestInheritanceGroupsAndCase(t *testing.T) {
	roles := RoleSet(BuiltinRoles())
	ga := assign(t, group, "AzureML Data Scientist", strings.ToUpper(rg))
	ga.PrincipalType = "Group"
	d := Evaluate(Request{PrincipalID: alice, GroupIDs: []string{group}, Action: strings.ToLower(ep + "LISTKEYS/ACTION"), Scope: epKey}, []Assignment{ga}, roles, nil)
	if !d.Allowed {
		t.Fatalf("group assignment at rg should allow: %s", d.Reason)
	}
	g := d.Grants[0]
	if g.ViaGroup != group || !g.Inherited || g.Pattern != "Microsoft.MachineLearningServices/workspaces/*/action" {
		t.Errorf("grant explanation wrong: %+v", g)
	}
	// Not a member: nothing.
	d = Evaluate(Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey}, []Assignment{ga}, roles, nil)
	if d.Allowed {
		t.Errorf("non-member allowed")
	}
	// Direct beats group in the ordering, closest scope first.
	direct := assign(t, alice, "Reader", sub)
	d = Evaluate(Request{PrincipalID: alice, GroupIDs: []string{group}, Action: ep + "read", Scope: epKey}, []Assignment{direct, ga}, roles, nil)
	if len(d.Grants) != 2 || d.Grants[0].Assignment.Scope != ga.Scope {
		t.Errorf("closest scope should come first: %+v", d.Grants)
	}
}

func TestScopeContainment(t *testing.T) {
	cases := []struct {
		a, s string
		want bool
	}{
		{"/", epKey, true},
		{"", epKey, true},
		{sub, epKey, true},
		{rg + "/", epKey, true},
		{strings.ToUpper(ws), epKey, true},
		{strings.Replace(rg, "resourceGroups", "resourcegroups", 1), epKey, true},
		{sub + "/resourceGroups/rg-ml", rg, false}, // rg-ml is not a prefix segment of rg-ml-prod
		{epKey, ws, false},
		{"/subscriptions/22222222-1111-1111-1111-111111111111", epKey, false},
	}
	for _, c := range cases {
		if got := ScopeContains(c.a, c.s); got != c.want {
			t.Errorf("ScopeContains(%q, %q) = %v, want %v", c.a, c.s, got, c.want)
		}
	}
}

func TestDenyAssignments(t *testing.T) {
	roles := RoleSet(BuiltinRoles())
	owner := assign(t, alice, "Owner", sub)
	deny := DenyAssignment{DenyAssignmentName: "Protect production keys", Scope: epKey,
		Permissions: []Permission{{Actions: []string{ep + "regenerateKeys/action"}}},
		Principals:  []Principal{{ID: Everyone, Type: "SystemDefined"}}}
	d := Evaluate(Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey}, []Assignment{owner}, roles, []DenyAssignment{deny})
	if d.Allowed || d.Denied == nil || !strings.Contains(d.Reason, "Protect production keys") {
		t.Fatalf("deny should beat Owner: %+v", d)
	}
	// Excluded principal passes.
	deny.ExcludePrincipals = []Principal{{ID: alice, Type: "User"}}
	d = Evaluate(Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey}, []Assignment{owner}, roles, []DenyAssignment{deny})
	if !d.Allowed {
		t.Errorf("excluded principal should be allowed: %s", d.Reason)
	}
	// DoNotApplyToChildScopes: a deny at the workspace does not reach the endpoint.
	deny = DenyAssignment{Name: "ws-only", Scope: ws, DoNotApplyToChildScopes: true,
		Permissions: []Permission{{Actions: []string{"*"}}}, Principals: []Principal{{ID: alice}}}
	d = Evaluate(Request{PrincipalID: alice, Action: ep + "read", Scope: epKey}, []Assignment{owner}, roles, []DenyAssignment{deny})
	if !d.Allowed {
		t.Errorf("child scope should not be denied: %s", d.Reason)
	}
	d = Evaluate(Request{PrincipalID: alice, Action: "Microsoft.MachineLearningServices/workspaces/read", Scope: ws}, []Assignment{owner}, roles, []DenyAssignment{deny})
	if d.Allowed {
		t.Errorf("the scope itself should be denied")
	}
}

func TestPropagationDelay(t *testing.T) {
	roles := RoleSet(BuiltinRoles())
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := assign(t, alice, "AzureML Data Scientist", ws)
	a.EffectiveAt = now.Add(5 * time.Second)
	req := Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, At: now}
	d := Evaluate(req, []Assignment{a}, roles, nil)
	if d.Allowed || len(d.Pending) != 1 || !strings.Contains(d.Reason, "propagated") {
		t.Fatalf("before propagation: %+v", d)
	}
	req.At = now.Add(6 * time.Second)
	if d := Evaluate(req, []Assignment{a}, roles, nil); !d.Allowed {
		t.Fatalf("after propagation: %s", d.Reason)
	}
}

func TestMatchAction(t *testing.T) {
	cases := []struct {
		p, a string
		want bool
	}{
		{"*", "anything/at/all", true},
		{"*/read", "Microsoft.Compute/virtualMachines/read", true},
		{"*/read", "Microsoft.Compute/virtualMachines/write", false},
		{"Microsoft.MachineLearningServices/workspaces/*/read", "microsoft.machinelearningservices/workspaces/onlineEndpoints/deployments/read", true},
		// A whole-segment '*' also stands for no segment (MatchAction's comment says why).
		{"Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/workspaces/read", true},
		{"Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/workspacesread", false},
		{"Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/read", false},
		{"a/*/*/b", "a/b", true},
		{"a/*/*/b", "a/x/y/b", true},
		{"a/*/b/*/c", "a/b/c", true},
		{"a/*/b/*/c", "a/b/x", false},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, c := range cases {
		if got := MatchAction(c.p, c.a); got != c.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", c.p, c.a, got, c.want)
		}
	}
}

func TestValidatePatternAndParseScope(t *testing.T) {
	for _, bad := range []string{"", "a b/read", "Microsoft.X//read", "/x/read", "noslash", "Microsoft.X/r€ad"} {
		if ValidatePattern(bad) == nil {
			t.Errorf("ValidatePattern(%q) accepted", bad)
		}
	}
	if err := ValidatePattern(ep + "*/action"); err != nil {
		t.Errorf("valid pattern rejected: %v", err)
	}
	sc, err := ParseScope(epKey + "/")
	if err != nil || sc.Level != AtResource || sc.ResourceGroup != "rg-ml-prod" || strings.Join(sc.Names, ",") != "mlw-churn,churn-key" {
		t.Fatalf("ParseScope: %+v %v", sc, err)
	}
	anc := sc.Ancestors()
	want := []string{epKey, ws, rg, sub, "/"}
	if fmt.Sprint(anc) != fmt.Sprint(want) {
		t.Errorf("Ancestors = %v, want %v", anc, want)
	}
	for _, bad := range []string{"/subscriptions/not-a-guid", "/foo", sub + "/resourceGroups", ws + "/onlineEndpoints"} {
		if _, err := ParseScope(bad); err == nil {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
}

func TestRolesGrantingPrefersSmallestAndCatalog(t *testing.T) {
	rs := RolesGranting(BuiltinRoles(), ep+"listKeys/action", false)
	if len(rs) == 0 || rs[0].RoleName != "AzureML Data Scientist" {
		names := []string{}
		for _, r := range rs {
			names = append(names, r.RoleName)
		}
		t.Fatalf("smallest role for listKeys should be AzureML Data Scientist, got %v", names)
	}
	for _, r := range rs {
		if r.RoleName == "Reader" {
			t.Errorf("Reader does not grant listKeys")
		}
	}
	for _, o := range Operations() {
		if o.Action != "" {
			if err := ValidatePattern(o.Action); err != nil {
				t.Errorf("catalogue action %s invalid: %v", o.Key, err)
			}
		}
	}
	score, _ := OperationByKey("endpoint.score")
	if _, _, ok := EffectivePermissions(CustomScoringRole(rg).Permissions, score.Action, false); !ok {
		t.Errorf("seeds' custom scoring role must grant score/action")
	}
	if _, _, ok := EffectivePermissions(CustomControlPlaneRole(rg).Permissions, score.Action, false); ok {
		t.Errorf("seeds' control plane role must not grant score/action")
	}
}

func BenchmarkEvaluate10kAssignments100Roles(b *testing.B) {
	builtin := BuiltinRoles()
	var roles RoleSet
	for i := 0; i < 100; i++ {
		r := builtin[i%len(builtin)]
		r.Name = fmt.Sprintf("%08d-0000-0000-0000-000000000000", i)
		r.ID = "/providers/Microsoft.Authorization/roleDefinitions/" + r.Name
		roles = append(roles, r)
	}
	idx := roles.Index()
	var as []Assignment
	for i := 0; i < 10000; i++ {
		as = append(as, Assignment{Scope: fmt.Sprintf("%s/resourceGroups/rg%d", sub, i%50),
			RoleDefinitionID: roles[i%100].ID, PrincipalID: fmt.Sprintf("%08d-1111-0000-0000-000000000000", i%300)})
	}
	req := Request{PrincipalID: "00000007-1111-0000-0000-000000000000", Action: ep + "listKeys/action",
		Scope: sub + "/resourceGroups/rg7/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(req, as, idx, nil)
	}
}

func FuzzMatchAction(f *testing.F) {
	f.Add("Microsoft.MachineLearningServices/workspaces/*/read", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read")
	f.Add("*", "")
	f.Add("**a**", "aaaa")
	f.Fuzz(func(t *testing.T, p, a string) {
		got := MatchAction(p, a)
		if p == "*" && !got {
			t.Fatalf("* must match %q", a)
		}
		if !strings.Contains(p, "*") && got != strings.EqualFold(p, a) && strings.ToLower(p) == p && strings.ToLower(a) == a {
			t.Fatalf("pattern without * must be equality: %q %q", p, a)
		}
	})
}

func FuzzParseScope(f *testing.F) {
	f.Add(epKey)
	f.Add("/subscriptions//resourceGroups")
	f.Add("/providers/Microsoft.Management/managementGroups/mg")
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseScope(s)
		if err != nil {
			return
		}
		anc := sc.Ancestors()
		if anc[len(anc)-1] != "/" {
			t.Fatalf("ancestors of %q do not end at the root: %v", s, anc)
		}
		for _, a := range anc {
			if !ScopeContains(a, sc.Raw) {
				t.Fatalf("ancestor %q does not contain %q", a, sc.Raw)
			}
		}
	})
}
