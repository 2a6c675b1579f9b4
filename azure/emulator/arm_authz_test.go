package emulator

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure/rbac"
)

// The simulated Azure's HTTP enforcement, over real HTTPS with the
// personas' tokens, for the same Azure RBAC rules the engine's vectors
// cover (azure/rbac/semantics_test.go cites the Azure documentation of
// each). The engine is shared, so these catch what the HTTP side wires
// wrong: which assignments and denies it hands over, which action it asks
// for, which principal and groups.

const ml = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"

// authzRole is a custom role of one permission block, assignable in production.
func authzRole(guid string, p rbac.Permission) rbac.RoleDefinition {
	return rbac.RoleDefinition{ID: "/providers/Microsoft.Authorization/roleDefinitions/" + guid, Name: guid, RoleName: "test role " + guid,
		RoleType: "CustomRole", Permissions: []rbac.Permission{p}, AssignableScopes: []string{"/"}}
}

func authzAssign(principal, ptype, roleGUID, scope string) rbac.Assignment {
	return rbac.Assignment{Name: newGUID(), Scope: scope, RoleDefinitionID: "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID,
		PrincipalID: principal, PrincipalType: ptype}
}

const (
	rWildMiddle = "7e570000-0000-4000-8000-000000000001"
	rAllButKeys = "7e570000-0000-4000-8000-000000000002"
	rKeys       = "7e570000-0000-4000-8000-000000000003"
	rDataKeys   = "7e570000-0000-4000-8000-000000000004"
)

var authzRoles = []rbac.RoleDefinition{
	authzRole(rWildMiddle, rbac.Permission{Actions: []string{"Microsoft.MachineLearningServices/workspaces/*/action"}}),
	authzRole(rAllButKeys, rbac.Permission{Actions: []string{"Microsoft.MachineLearningServices/*"}, NotActions: []string{ml + "listKeys/action"}}),
	authzRole(rKeys, rbac.Permission{Actions: []string{ml + "listKeys/action"}}),
	authzRole(rDataKeys, rbac.Permission{DataActions: []string{ml + "listKeys/action", "*"}}),
}

func denyListKeys(scope string, exclude []rbac.Principal, childSkip bool) rbac.DenyAssignment {
	return rbac.DenyAssignment{Name: newGUID(), DenyAssignmentName: "test deny", Scope: scope, DoNotApplyToChildScopes: childSkip,
		Permissions: []rbac.Permission{{Actions: []string{ml + "listKeys/action"}}},
		Principals:  []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}}, ExcludePrincipals: exclude}
}

func TestAuthzSemanticsOverHTTPS(t *testing.T) {
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	kelvin := strings.Replace(churnKey, "churn-key", "churn-\u212aey", 1)
	cases := []struct {
		name        string
		assignments []rbac.Assignment
		denies      []rbac.DenyAssignment
		who, path   string // path: the endpoint call (listKeys unless it ends in the endpoint id: GET)
		want        int
	}{
		{"wildcard in the middle grants listKeys", []rbac.Assignment{authzAssign(idNina, "User", rWildMiddle, ws)}, nil, "nina", churnKey + "/listKeys", 200},
		{"wildcard in the middle does not grant read", []rbac.Assignment{authzAssign(idNina, "User", rWildMiddle, ws)}, nil, "nina", churnKey, 403},
		{"a NotAction removes the grant of its own role", []rbac.Assignment{authzAssign(idNina, "User", rAllButKeys, ws)}, nil, "nina", churnKey + "/listKeys", 403},
		{"another role's grant stands beside a NotAction", []rbac.Assignment{authzAssign(idNina, "User", rAllButKeys, ws),
			authzAssign(idNina, "User", rKeys, churnKey)}, nil, "nina", churnKey + "/listKeys", 200},
		{"DataActions (even '*') grant no control-plane action", []rbac.Assignment{authzAssign(idNina, "User", rDataKeys, ws)}, nil, "nina", churnKey + "/listKeys", 403},
		{"a deny for Everyone blocks what a role grants", []rbac.Assignment{authzAssign(idNina, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(ws, nil, false)}, "nina", churnKey + "/listKeys", 403},
		{"excludePrincipals exempts the excluded user", []rbac.Assignment{authzAssign(idNina, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(ws, []rbac.Principal{{ID: idNina, Type: "User"}}, false)}, "nina", churnKey + "/listKeys", 200},
		{"excludePrincipals naming a group exempts its members", []rbac.Assignment{authzAssign(idGary, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(ws, []rbac.Principal{{ID: idGroupScorers, Type: "Group"}}, false)}, "gary", churnKey + "/listKeys", 200},
		{"a user excluded does not exempt others", []rbac.Assignment{authzAssign(idGary, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(ws, []rbac.Principal{{ID: idNina, Type: "User"}}, false)}, "gary", churnKey + "/listKeys", 403},
		{"doNotApplyToChildScopes: the endpoint below is not blocked", []rbac.Assignment{authzAssign(idNina, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(ws, nil, true)}, "nina", churnKey + "/listKeys", 200},
		{"doNotApplyToChildScopes: its own scope is blocked", []rbac.Assignment{authzAssign(idNina, "User", rKeys, ws)},
			[]rbac.DenyAssignment{denyListKeys(churnKey, nil, true)}, "nina", churnKey + "/listKeys", 403},
		{"scopes compare ignoring case", []rbac.Assignment{authzAssign(idNina, "User", rKeys, strings.ToUpper(ws))}, nil, "nina", churnKey + "/listKeys", 200},
		{"ignoring case is ordinal: a Kelvin sign is not 'k'", []rbac.Assignment{authzAssign(idNina, "User", rKeys, kelvin)}, nil, "nina", churnKey + "/listKeys", 403},
		{"an assignment at the root '/' applies everywhere", []rbac.Assignment{authzAssign(idNina, "User", rKeys, "/")}, nil, "nina", churnKey + "/listKeys", 200},
		{"a management group holds no subscription the world does not put in it", []rbac.Assignment{authzAssign(idNina, "User", rKeys,
			"/providers/Microsoft.Management/managementGroups/mg-prod")}, nil, "nina", churnKey + "/listKeys", 403},
		{"a role assigned to a group applies to its members", []rbac.Assignment{authzAssign(idGroupScorers, "Group", rKeys, ws)}, nil, "gary", churnKey + "/listKeys", 200},
		{"a conditional grant is refused: the simulated Azure fails closed", []rbac.Assignment{func() rbac.Assignment {
			a := authzAssign(idNina, "User", rKeys, ws)
			a.Condition, a.ConditionVersion = "@Resource[x] StringEquals 'y'", "2.0"
			return a
		}()}, nil, "nina", churnKey + "/listKeys", 403},
		{"an assignment below the endpoint's scope does not apply to it", []rbac.Assignment{authzAssign(idNina, "User", rKeys, churnKey+"/deployments/blue")}, nil, "nina", churnKey + "/listKeys", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newARMT(t, Options{})
			e.s.Mutate(func(w *World) {
				w.CustomRoles = append(w.CustomRoles, authzRoles...)
				w.Assignments = append(w.Assignments, c.assignments...)
				w.Denies = append(w.Denies, c.denies...)
			})
			var code int
			var b []byte
			if strings.HasSuffix(c.path, "/listKeys") {
				code, _, b = e.post(c.who, c.path, "")
			} else {
				code, b = e.get(c.who, c.path+credsAPI)
			}
			if code != c.want {
				t.Fatalf("%s as %s: %d, want %d: %s", c.path, c.who, code, c.want, b)
			}
		})
	}
}

// The seeded deny on churn-key blocks regenerateKeys for everyone but
// olivia, whatever role they hold, and a deny of score/action blocks
// scoring with an Entra token though a role grants it.
func TestAuthzDenyEverywhere(t *testing.T) {
	e := newARMT(t, Options{})
	if code, _, b := e.post("alice", churnKey+"/regenerateKeys", `{"keyType":"Primary"}`); code != 403 {
		t.Errorf("alice (AzureML Data Scientist on the workspace) regenerates churn-key's keys: %d %s", code, b)
	}
	if code, _, b := e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"Primary"}`); code != http.StatusAccepted {
		t.Errorf("olivia, excluded from the deny: %d %s", code, b)
	}
	if st, _, b := e.scoreReq("churn-aad", e.token("gary", mlScope), scoreSample, nil); st != 200 {
		t.Fatalf("gary scores churn-aad through ml-scorers before the deny: %d %s", st, b)
	}
	e.s.Mutate(func(w *World) {
		w.Denies = append(w.Denies, rbac.DenyAssignment{Name: newGUID(), DenyAssignmentName: "no scoring", Scope: churnAAD,
			Permissions: []rbac.Permission{{Actions: []string{ml + "score/action"}}},
			Principals:  []rbac.Principal{{ID: idGroupScorers, Type: "Group"}}})
	})
	if st, _, b := e.scoreReq("churn-aad", e.token("gary", mlScope), scoreSample, nil); st != 403 {
		t.Errorf("gary scores churn-aad though a deny for his group blocks score/action: %d %s", st, b)
	}
}

// A new assignment is listed at once; enforcement, the Permissions API and
// resource listings see it only after PropagationDelay, on the injected
// clock. A deleted one leaves the list at once, and they keep granting it
// for PropagationDelay: Azure caches removals as it caches additions.
func TestAuthzPropagationEverywhere(t *testing.T) {
	clock := newTestClock()
	e := newARMT(t, Options{PropagationDelay: 120 * time.Second, Now: clock.Now})
	scope := rgID(SubSandbox, "rg-sandbox")
	body := `{"properties":{"roleDefinitionId":"/subscriptions/` + SubSandbox + `/providers/Microsoft.Authorization/roleDefinitions/` + roleReader +
		`","principalId":"` + idBob + `","principalType":"User"}}`
	code, _, b := e.do(http.MethodPut, scope+"/providers/Microsoft.Authorization/roleAssignments/"+raGUID1+"?api-version=2022-04-01",
		e.token("olivia", armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
	if code != http.StatusCreated {
		t.Fatalf("assign: %d %s", code, b)
	}
	listed := func() bool {
		code, b := e.get("olivia", scope+"/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter="+
			url.QueryEscape("principalId eq '"+idBob+"'"))
		return code == 200 && bytes.Contains(b, []byte(raGUID1))
	}
	readRG := func() int { code, _ := e.get("bob", scope+"?api-version=2021-04-01"); return code }
	perms := func() bool {
		_, b := e.get("bob", scope+"/providers/Microsoft.Authorization/permissions?api-version=2022-04-01")
		return bytes.Contains(b, []byte(`*/read`))
	}
	inList := func() bool {
		_, b := e.get("bob", "/subscriptions/"+SubSandbox+"/resourcegroups?api-version=2021-04-01")
		return bytes.Contains(b, []byte(`"rg-sandbox"`))
	}
	if !listed() {
		t.Fatal("the role-assignment list does not show the new assignment at once")
	}
	if readRG() != 403 || perms() || inList() {
		t.Fatalf("before propagation: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}
	clock.Advance(119 * time.Second)
	if readRG() != 403 || perms() || inList() {
		t.Fatalf("a second before propagation: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}
	clock.Advance(2 * time.Second)
	if readRG() != 200 || !perms() || !inList() || !listed() {
		t.Fatalf("after propagation: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}

	code, _, b = e.do(http.MethodDelete, scope+"/providers/Microsoft.Authorization/roleAssignments/"+raGUID1+"?api-version=2022-04-01",
		e.token("olivia", armtScope), nil, nil)
	if code != http.StatusOK {
		t.Fatalf("delete: %d %s", code, b)
	}
	if listed() {
		t.Fatal("the role-assignment list still shows the deleted assignment")
	}
	if code, _ := e.get("olivia", scope+"/providers/Microsoft.Authorization/roleAssignments/"+raGUID1+"?api-version=2022-04-01"); code != http.StatusNotFound {
		t.Fatalf("GET of the deleted assignment: %d", code)
	}
	if readRG() != 200 || !perms() || !inList() {
		t.Fatalf("right after the delete: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}
	clock.Advance(119 * time.Second)
	if readRG() != 200 || !perms() || !inList() {
		t.Fatalf("a second before the removal propagates: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}
	clock.Advance(2 * time.Second)
	if readRG() != 403 || perms() || inList() || listed() {
		t.Fatalf("after the removal propagated: read %d, Permissions API %v, listing %v", readRG(), perms(), inList())
	}
}

// Without a propagation delay a deleted role assignment stops granting at
// once, and no revocation is kept.
func TestAuthzRemovalWithoutDelay(t *testing.T) {
	t.Parallel()
	e := newARMT(t, Options{})
	scope := rgID(SubSandbox, "rg-sandbox")
	ra := scope + "/providers/Microsoft.Authorization/roleAssignments/" + raGUID1 + "?api-version=2022-04-01"
	body := `{"properties":{"roleDefinitionId":"/subscriptions/` + SubSandbox + `/providers/Microsoft.Authorization/roleDefinitions/` + roleReader +
		`","principalId":"` + idBob + `","principalType":"User"}}`
	if code, _, b := e.do(http.MethodPut, ra, e.token("olivia", armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"}); code != http.StatusCreated {
		t.Fatalf("assign: %d %s", code, b)
	}
	if code, _ := e.get("bob", scope+"?api-version=2021-04-01"); code != http.StatusOK {
		t.Fatalf("bob reads the group: %d", code)
	}
	if code, _, b := e.do(http.MethodDelete, ra, e.token("olivia", armtScope), nil, nil); code != http.StatusOK {
		t.Fatalf("delete: %d %s", code, b)
	}
	if code, _ := e.get("bob", scope+"?api-version=2021-04-01"); code != http.StatusForbidden {
		t.Fatalf("bob after the delete: %d", code)
	}
	e.s.Mutate(func(w *World) {
		if len(w.Revoked) != 0 {
			t.Errorf("a delete without a delay left a revocation: %+v", w.Revoked)
		}
	})
}

// Attack: alice holds a custom role assigned in production (by olivia) and
// owns the sandbox subscription. She PUTs the same role id with "*" and
// assignable scopes she owns, to turn her production assignment into Owner.
// Azure needs roleDefinitions/write on every existing assignable scope too.
func TestAuthzAttackCustomRoleTakeover(t *testing.T) {
	e := newARMT(t, Options{})
	rg := rgID(SubProduction, prodRG)
	put := func(who, urlScope, body string) (int, []byte) {
		code, _, b := e.do(http.MethodPut, urlScope+"/providers/Microsoft.Authorization/roleDefinitions/"+customGUID+"?api-version=2022-04-01",
			e.token(who, armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		return code, b
	}
	role := func(scopes, actions string) string {
		return `{"properties":{"roleName":"Endpoint keys","type":"CustomRole","assignableScopes":[` + scopes +
			`],"permissions":[{"actions":[` + actions + `],"notActions":[],"dataActions":[],"notDataActions":[]}]}}`
	}
	// olivia (Owner of rg-ml-prod) creates the role there.
	if code, b := put("olivia", rg, role(`"`+rg+`"`, `"`+ml+`listKeys/action"`)); code != http.StatusCreated {
		t.Fatalf("a resource-group Owner creates a role assignable at her resource group: %d %s", code, b)
	}
	e.s.Mutate(func(w *World) { w.Assignments = append(w.Assignments, authzAssign(idAlice, "User", customGUID, rg)) })

	code, b := put("alice", sandboxSub, role(`"`+sandboxSub+`"`, `"*"`))
	if code != 403 {
		t.Fatalf("alice widened a role assigned to her in production: %d %s", code, b)
	}
	if c, msg := armtError(t, b); c != "AuthorizationFailed" || !strings.Contains(msg, actRoleDefinitionsWrite) || !strings.Contains(strings.ToLower(msg), strings.ToLower(rg)) {
		t.Errorf("refusal: %s %s", c, msg)
	}
	if code, b := e.get("olivia", rg+"/providers/Microsoft.Authorization/roleDefinitions/"+customGUID+"?api-version=2022-04-01"); code != 200 ||
		bytes.Contains(b, []byte(`"*"`)) || !bytes.Contains(b, []byte(ml+"listKeys/action")) {
		t.Errorf("the role after the attempt: %d %s", code, b)
	}
	// Keeping the existing scope and adding one she owns is refused too.
	if code, b := put("alice", sandboxSub, role(`"`+rg+`","`+sandboxSub+`"`, `"*"`)); code != 403 {
		t.Fatalf("alice widened the role keeping its scope: %d %s", code, b)
	}
	// olivia, who may write at the existing scope, may update it.
	if code, b := put("olivia", rg, role(`"`+rg+`"`, `"`+ml+`read"`)); code != http.StatusCreated {
		t.Errorf("olivia updates her role: %d %s", code, b)
	}
}

// Azure's rule is about the assignable scopes: a resource-group Owner may
// create a role assignable at her resource group even when the request
// addresses it at the subscription (as clients that use the subscription
// as the role's home do), and may not when it is assignable wider.
// https://learn.microsoft.com/azure/role-based-access-control/custom-roles#who-can-create-delete-update-or-view-a-custom-role
func TestAuthzCustomRoleNeedsWriteOnAssignableScopes(t *testing.T) {
	e := newARMT(t, Options{})
	rg := rgID(SubProduction, prodRG)
	put := func(scopes string) (int, []byte) {
		body := `{"properties":{"roleName":"Scorer","assignableScopes":[` + scopes + `],"permissions":[{"actions":["` + ml + `score/action"]}]}}`
		code, _, b := e.do(http.MethodPut, prodSub+"/providers/Microsoft.Authorization/roleDefinitions/"+customGUID+"?api-version=2022-04-01",
			e.token("olivia", armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		return code, b
	}
	if code, b := put(`"` + prodSub + `"`); code != 403 {
		t.Fatalf("olivia creates a role assignable at the whole subscription: %d %s", code, b)
	}
	if code, b := put(`"` + rg + `"`); code != http.StatusCreated {
		t.Fatalf("olivia creates a role assignable at her resource group: %d %s", code, b)
	}
}

// Attack: malformed bodies and filters are refused with ARM's 400, not
// taken for something else.
func TestAuthzAttackParsing(t *testing.T) {
	e := newARMT(t, Options{})
	rg := rgID(SubProduction, prodRG)
	for name, body := range map[string]string{
		"permissions null":   `{"properties":{"roleName":"Null perms","assignableScopes":["` + rg + `"],"permissions":null}}`,
		"permissions absent": `{"properties":{"roleName":"No perms","assignableScopes":["` + rg + `"]}}`,
		"a null block":       `{"properties":{"roleName":"Null block","assignableScopes":["` + rg + `"],"permissions":[null]}}`,
		"an object":          `{"properties":{"roleName":"Object","assignableScopes":["` + rg + `"],"permissions":{"actions":["*"]}}}`,
	} {
		code, _, b := e.do(http.MethodPut, rg+"/providers/Microsoft.Authorization/roleDefinitions/"+customGUID2+"?api-version=2022-04-01",
			e.token("olivia", armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		if c, _ := armtError(t, b); code != 400 || c != "InvalidRequestContent" {
			t.Errorf("%s: %d %s", name, code, b)
		}
	}
	for _, f := range []string{"assignedTo('a'') or true or (''x')", "assignedTo('" + idBob + "'') or (''')", "principalId eq 'x'' or ''1'' eq ''1'"} {
		code, b := e.get("olivia", rg+"/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter="+url.QueryEscape(f))
		if c, _ := armtError(t, b); code != 400 || c != "InvalidQueryParameterValue" {
			t.Errorf("$filter %q: %d %s", f, code, b)
		}
	}
}

// A 403 is written from the decision that refused the request (armRefuse),
// on every path that answers one: reads, lists, endpoint writes, credential
// calls, role assignment writes, the subscription's visibility rule. The
// body is ARM's, to the byte: {"error":{"code","message"}} and no target.
func TestForbiddenBodyIsTheRefusingDecision(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	churnKey := epwPath("mlw-churn", "churn-key")
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	// A deny assignment on deleting churn-key, for everyone: alice's Owner
	// grants the action, so ARM answers DenyAssignmentAuthorizationFailed.
	denyName := stableGUID("deny|delete")
	e.s.Mutate(func(w *World) {
		w.Denies = append(w.Denies, rbac.DenyAssignment{
			ID: churnKey + "/providers/Microsoft.Authorization/denyAssignments/" + denyName, Name: denyName,
			DenyAssignmentName: "Endpoints are deleted by the pipeline", Scope: churnKey,
			Permissions: []rbac.Permission{{Actions: []string{actEndpointDelete}}},
			Principals:  []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}},
		})
	})
	denied := func(who, oid, action, scope, name, id string) string {
		return `{"error":{"code":"DenyAssignmentAuthorizationFailed","message":"The client '` + who + `@contoso.example' with object id '` + oid +
			`' has permission to perform action '` + action + `' on scope '` + scope + `'; however, the access is denied because of the deny assignment with name '` +
			name + `' and Id '` + strings.ReplaceAll(id, "-", "") + `' at scope '` + scope + `'."}}` + "\n"
	}
	forbidden := func(who, oid, action, scope string) string {
		return `{"error":{"code":"AuthorizationFailed","message":"` + armtForbidden(who+"@contoso.example", oid, action, scope) + `"}}` + "\n"
	}
	bobRA := "/subscriptions/" + SubProduction + "/providers/Microsoft.Authorization/roleAssignments/" + seededAssignmentName(idBob, roleReader, "/subscriptions/"+SubProduction)
	for _, c := range []struct {
		name, who, method, path string
		want                    string
	}{
		{"read", "nina", http.MethodGet, churnKey + epwAPI, forbidden("nina", idNina, actEndpointRead, churnKey)},
		{"list", "nina", http.MethodGet, ws + "/onlineEndpoints" + epwAPI, forbidden("nina", idNina, actEndpointRead, ws)},
		{"endpoint write", "bob", http.MethodDelete, churnKey + epwAPI, forbidden("bob", idBob, actEndpointDelete, churnKey)},
		{"endpoint write, deny assignment", "alice", http.MethodDelete, churnKey + epwAPI,
			denied("alice", idAlice, actEndpointDelete, churnKey, "Endpoints are deleted by the pipeline", denyName)},
		{"credential call, deny assignment", "alice", http.MethodPost, churnKey + "/regenerateKeys" + epwAPI,
			denied("alice", idAlice, actEndpointRegenerateKeys, churnKey, "Production keys are rotated by the platform team", stableGUID("deny|keys"))},
		{"logs", "bob", http.MethodPost, churnKey + "/deployments/blue/getLogs" + epwAPI,
			forbidden("bob", idBob, actDeploymentLogs, churnKey+"/deployments/blue")},
		{"role assignment write", "bob", http.MethodDelete, bobRA + "?api-version=2022-04-01",
			forbidden("bob", idBob, actRoleAssignmentsDelete, "/subscriptions/"+SubProduction)},
		{"subscription", "nina", http.MethodGet, "/subscriptions/" + SubSandbox + "?api-version=2022-12-01",
			forbidden("nina", idNina, actSubscriptionRead, "/subscriptions/"+SubSandbox)},
	} {
		hdr := map[string]string{"Content-Type": "application/json"}
		code, _, b := e.do(c.method, c.path, e.token(c.who, armtScope), bytes.NewReader([]byte(`{"keyType":"Primary"}`)), hdr)
		if code != http.StatusForbidden || string(b) != c.want {
			t.Errorf("%s: %d\n%s\nwant\n%s", c.name, code, b, c.want)
		}
	}
}

// A group membership change is in the directory at once (Graph's
// getMemberObjects shows it) and counts for authorization only
// PropagationDelay later: gary, taken out of ml-scorers, still reads and
// scores churn-aad through the group until then; nina, put in, waits as long.
func TestGroupMembershipChangesPropagate(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	e := newARMT(t, Options{PropagationDelay: 60 * time.Second, Now: clock.Now})
	aad := epwPath("mlw-churn", "churn-aad")
	read := func(who string) int { code, _ := e.get(who, aad+epwAPI); return code }
	score := func(who string) int {
		st, _, _ := e.scoreReq("churn-aad", e.token(who, mlScope), scoreSample, nil)
		return st
	}
	inGroup := func(oid string) bool {
		st, out := e.graph(t, "alice").call(http.MethodPost, "/users/"+oid+"/getMemberObjects", map[string]any{"securityEnabledOnly": true}, nil)
		if st != http.StatusOK {
			t.Fatalf("getMemberObjects: %d %v", st, out)
		}
		v, _ := out["value"].([]any)
		return len(v) == 1 && v[0] == idGroupScorers
	}
	if read("gary") != 200 || score("gary") != 200 || read("nina") != 403 || score("nina") != 403 {
		t.Fatalf("before: gary %d/%d, nina %d/%d", read("gary"), score("gary"), read("nina"), score("nina"))
	}
	if err := e.s.SetGroupMember(idGroupScorers, idGary, false); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetGroupMember(idGroupScorers, idNina, true); err != nil {
		t.Fatal(err)
	}
	if inGroup(idGary) || !inGroup(idNina) {
		t.Fatal("the directory does not show the change at once")
	}
	clock.Advance(59 * time.Second)
	if read("gary") != 200 || score("gary") != 200 || read("nina") != 403 || score("nina") != 403 {
		t.Fatalf("a second before the change propagates: gary %d/%d, nina %d/%d", read("gary"), score("gary"), read("nina"), score("nina"))
	}
	clock.Advance(2 * time.Second)
	if read("gary") != 403 || score("gary") != 403 || read("nina") != 200 || score("nina") != 200 {
		t.Fatalf("after it propagated: gary %d/%d, nina %d/%d", read("gary"), score("gary"), read("nina"), score("nina"))
	}
	// Back and forth within the delay: Azure still counts the membership
	// as it was a delay ago.
	if err := e.s.SetGroupMember(idGroupScorers, idGary, true); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Second)
	if err := e.s.SetGroupMember(idGroupScorers, idGary, false); err != nil {
		t.Fatal(err)
	}
	if read("gary") != 403 {
		t.Fatalf("gary, re-added 30 s ago and removed again: %d", read("gary"))
	}
	clock.Advance(31 * time.Second) // the addition counts, the removal not yet
	if read("gary") != 200 {
		t.Fatalf("gary, the addition propagated: %d", read("gary"))
	}
	clock.Advance(30 * time.Second)
	if read("gary") != 403 {
		t.Fatalf("gary, the removal propagated: %d", read("gary"))
	}
	for _, bad := range [][2]string{{"00000000-0000-4000-8000-00000000dead", idGary}, {idGroupScorers, "00000000-0000-4000-8000-00000000dead"}} {
		if err := e.s.SetGroupMember(bad[0], bad[1], true); err == nil {
			t.Errorf("SetGroupMember(%s, %s) should fail", bad[0], bad[1])
		}
	}
}
