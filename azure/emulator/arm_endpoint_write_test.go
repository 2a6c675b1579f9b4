package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// Endpoint writes (PUT, PATCH, DELETE) as raw ARM requests, with an
// injected clock: the test decides when an operation is due, nothing waits.

// testClock is a settable clock for Options.Now (the endpoint write and
// credentials tests move it past provisioning and token lifetimes).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const epwAPI = "?api-version=2024-04-01"

func epwEnv(t *testing.T) (*armtEnv, *testClock) {
	clock := newTestClock()
	return newARMT(t, Options{Now: clock.Now, ProvisioningTime: 3 * time.Second}), clock
}

// epwPath is an endpoint's ARM path in a seeded workspace of the production subscription.
func epwPath(ws, ep string) string {
	return epID(SubProduction, "rg-ml-prod", ws, ep)
}

// epwSend sends a write as who with a JSON body (nil = none).
func (e *armtEnv) epwSend(who, method, path string, body any) (int, http.Header, []byte) {
	e.t.Helper()
	var rd *bytes.Reader
	hdr := map[string]string{}
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				e.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
		hdr["Content-Type"] = "application/json"
	}
	if rd == nil {
		return e.do(method, path+epwAPI, e.token(who, armtScope), nil, hdr)
	}
	return e.do(method, path+epwAPI, e.token(who, armtScope), rd, hdr)
}

// epwBody is a minimal valid PUT body; edit fills in the rest.
func epwBody(auth string, edit func(b map[string]any, p map[string]any)) map[string]any {
	p := map[string]any{"authMode": auth, "description": "made by a test"}
	b := map[string]any{"location": "eastus", "properties": p, "tags": map[string]string{"team": "ml"}}
	if edit != nil {
		edit(b, p)
	}
	return b
}

type epwEndpoint struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Location string            `json:"location"`
	Tags     map[string]string `json:"tags"`
	Identity struct {
		Type                   string                                  `json:"type"`
		PrincipalID            string                                  `json:"principalId"`
		UserAssignedIdentities map[string]struct{ PrincipalID string } `json:"userAssignedIdentities"`
	} `json:"identity"`
	SystemData struct {
		CreatedBy string `json:"createdBy"`
		CreatedAt string `json:"createdAt"`
	} `json:"systemData"`
	Properties struct {
		AuthMode          string           `json:"authMode"`
		Description       string           `json:"description"`
		Compute           string           `json:"compute"`
		ProvisioningState string           `json:"provisioningState"`
		ScoringURI        string           `json:"scoringUri"`
		Traffic           map[string]int32 `json:"traffic"`
	} `json:"properties"`
}

func epwDecode(t testing.TB, b []byte) epwEndpoint {
	t.Helper()
	var x epwEndpoint
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatalf("endpoint body: %v: %s", err, b)
	}
	return x
}

// epwGet GETs the endpoint as alice (who can read mlw-churn) or who.
func (e *armtEnv) epwGet(who, path string) (int, epwEndpoint) {
	e.t.Helper()
	code, b := e.get(who, path+epwAPI)
	if code != http.StatusOK {
		return code, epwEndpoint{}
	}
	return code, epwDecode(e.t, b)
}

// epwOpStatus reads an Azure-AsyncOperation URL.
func (e *armtEnv) epwOpStatus(who, url string) (status, code, message string) {
	e.t.Helper()
	c, b := e.get(who, strings.TrimPrefix(url, e.s.URL()))
	if c != http.StatusOK {
		e.t.Fatalf("operation status: %d %s", c, b)
	}
	var v struct {
		Status string `json:"status"`
		Error  *struct{ Code, Message string }
	}
	if err := json.Unmarshal(b, &v); err != nil {
		e.t.Fatal(err)
	}
	if v.Error != nil {
		return v.Status, v.Error.Code, v.Error.Message
	}
	return v.Status, "", ""
}

func epwErr(t *testing.T, b []byte) (code, message, target string) {
	t.Helper()
	var v struct {
		Error struct{ Code, Message, Target string }
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not an error body: %s", b)
	}
	return v.Error.Code, v.Error.Message, v.Error.Target
}

func TestEndpointCreateIsAnLRO(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := epwPath("mlw-churn", "churn-new")
	code, h, b := e.epwSend("alice", http.MethodPut, path, epwBody("AADToken", nil))
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	async := h.Get("Azure-AsyncOperation")
	if !strings.HasPrefix(async, e.s.URL()+"/subscriptions/"+SubProduction+"/providers/Microsoft.MachineLearningServices/locations/eastus/mfeOperationsStatus/") ||
		h.Get("Retry-After") == "" || h.Get("x-ms-async-operation-timeout") != "PT1H" || h.Get("Location") != "" {
		t.Fatalf("LRO headers: %v", h)
	}
	ep := epwDecode(t, b)
	if ep.Properties.ProvisioningState != "Creating" || ep.Properties.AuthMode != "AADToken" || ep.Location != "eastus" ||
		ep.Properties.ScoringURI != e.s.URL()+"/inference/eastus/churn-new/score" || ep.SystemData.CreatedBy != "alice@contoso.example" {
		t.Fatalf("first answer: %+v", ep)
	}
	// A system-assigned identity by default, with a principal in the directory.
	if ep.Identity.Type != "SystemAssigned" || ep.Identity.PrincipalID == "" {
		t.Fatalf("identity: %+v", ep.Identity)
	}
	var sp *ServicePrincipal
	var primary, secondary string
	e.s.Mutate(func(w *World) {
		sp = w.ServicePrincipals[ep.Identity.PrincipalID]
		x := w.Endpoints[strings.ToLower(path)]
		primary, secondary = x.PrimaryKey, x.SecondaryKey
	})
	if sp == nil || sp.ServicePrincipalType != "ManagedIdentity" || sp.AlternativeNames[0] != path {
		t.Fatalf("system-assigned principal: %+v", sp)
	}
	if len(primary) != 32 || len(secondary) != 32 || primary == secondary {
		t.Fatal("a new endpoint needs two distinct keys")
	}

	// The endpoint exists at once, Creating, until the operation is due.
	if c, got := e.epwGet("alice", path); c != http.StatusOK || got.Properties.ProvisioningState != "Creating" {
		t.Fatalf("GET while creating: %d %+v", c, got)
	}
	if st, _, _ := e.epwOpStatus("alice", async); st != "InProgress" {
		t.Fatalf("status: %s", st)
	}
	clock.Advance(3 * time.Second)
	if st, _, _ := e.epwOpStatus("alice", async); st != "Succeeded" {
		t.Fatalf("status when due: %s", st)
	}
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Succeeded" {
		t.Fatalf("GET after: %+v", got)
	}
}

func TestEndpointReplaceKeepsIdentityKeysAndTraffic(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := epwPath("mlw-churn", "churn-key")
	_, before := e.epwGet("alice", path)
	var keyBefore string
	e.s.Mutate(func(w *World) { keyBefore = w.Endpoints[strings.ToLower(path)].PrimaryKey })

	code, h, b := e.epwSend("alice", http.MethodPut, path, epwBody("AMLToken", func(_, p map[string]any) {
		p["traffic"] = map[string]int{"blue": 80, "green": 20}
	}))
	if code != http.StatusCreated || h.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("replace: %d %s", code, b)
	}
	if got := epwDecode(t, b); got.Properties.ProvisioningState != "Updating" || got.Properties.AuthMode != "AMLToken" {
		t.Fatalf("first answer: %+v", got)
	}

	// Every other write waits for this one: 409.
	for _, w := range []struct {
		method string
		body   any
	}{{http.MethodPut, epwBody("Key", nil)}, {http.MethodPatch, map[string]any{"tags": map[string]string{}}}, {http.MethodDelete, nil}} {
		code, _, b := e.epwSend("alice", w.method, path, w.body)
		if c, msg, _ := epwErr(t, b); code != http.StatusConflict || c != "Conflict" || !strings.Contains(msg, "in progress") {
			t.Fatalf("%s while updating: %d %s", w.method, code, b)
		}
	}

	clock.Advance(3 * time.Second)
	_, after := e.epwGet("alice", path)
	if after.Properties.ProvisioningState != "Succeeded" || after.Properties.AuthMode != "AMLToken" ||
		after.Identity.PrincipalID != before.Identity.PrincipalID || after.SystemData.CreatedAt != before.SystemData.CreatedAt ||
		after.Properties.Traffic["green"] != 20 || after.Tags["team"] != "ml" {
		t.Fatalf("after replace: %+v (before %+v)", after, before)
	}
	var keyAfter string
	e.s.Mutate(func(w *World) { keyAfter = w.Endpoints[strings.ToLower(path)].PrimaryKey })
	if keyAfter != keyBefore {
		t.Fatal("a replace must keep the endpoint's keys")
	}
}

func TestEndpointCreateFailsWithLROFault(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	f, err := ParseFault("route=*/onlineEndpoints/*,method=PUT,lro-fail")
	if err != nil {
		t.Fatal(err)
	}
	e.s.SetFaults([]Fault{f})
	path := epwPath("mlw-churn", "churn-broken")
	code, h, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", nil))
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	st, c, msg := e.epwOpStatus("alice", h.Get("Azure-AsyncOperation"))
	if st != "Failed" || c != "InternalServerError" || !strings.Contains(msg, "churn-broken") || !strings.Contains(msg, "Failed state") {
		t.Fatalf("status: %s %s %s", st, c, msg)
	}
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Failed" {
		t.Fatalf("a failed create leaves the endpoint Failed: %+v", got)
	}
	// A failed endpoint can be created again once the fault is gone.
	e.s.SetFaults(nil)
	if code, _, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", nil)); code != http.StatusCreated {
		t.Fatalf("retry: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Succeeded" {
		t.Fatalf("retry: %+v", got)
	}
}

func TestEndpointPatchTagsAndIdentity(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := epwPath("mlw-churn", "churn-aml")
	uai := uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring")
	// An endpoint's identity is fixed at creation: a PATCH that asks for
	// another is refused, and nothing changes.
	other := map[string]any{
		"tags":     map[string]string{"stage": "blue-green"},
		"identity": map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{strings.ToUpper(uai): map[string]any{}}},
	}
	for _, who := range []string{"alice", "olivia"} {
		code, _, b := e.epwSend(who, http.MethodPatch, path, other)
		if c, msg, target := epwErr(t, b); code != http.StatusBadRequest || c != "UserError" || target != "identity" ||
			!strings.Contains(msg, "The identity of online endpoint 'churn-aml' cannot be changed after it is created (it is system-assigned)") {
			t.Fatalf("%s changing the identity: %d %s", who, code, b)
		}
	}
	if _, got := e.epwGet("alice", path); got.Identity.Type != "SystemAssigned" || got.Tags["stage"] != "" || got.Properties.ProvisioningState != "Succeeded" {
		t.Fatalf("a refused PATCH changed the endpoint: %+v", got)
	}
	// Lending a new endpoint an identity is ARM's linked authorization:
	// alice may write endpoints but not assign the identity.
	code, _, b := e.epwSend("alice", http.MethodPut, epwPath("mlw-churn", "churn-lent"), epwBody("Key", func(b, _ map[string]any) {
		b["identity"] = map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{strings.ToUpper(uai): map[string]any{}}}
	}))
	if c, msg := armtError(t, b); code != http.StatusForbidden || c != "LinkedAuthorizationFailed" ||
		!strings.Contains(msg, "has permission to perform action 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write'") ||
		!strings.Contains(msg, "does not have permission to perform action(s) 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '"+uai+"'") {
		t.Fatalf("alice attaching an identity: %d %s", code, b)
	}
	// The same identity, restated, with new tags: accepted.
	var before string
	e.s.Mutate(func(w *World) { before = w.Endpoints[strings.ToLower(path)].Identity.PrincipalID })
	code, h, b := e.epwSend("alice", http.MethodPatch, path, map[string]any{
		"tags": map[string]string{"stage": "blue-green"}, "identity": map[string]any{"type": "systemassigned"}})
	loc := h.Get("Location")
	if code != http.StatusAccepted || loc == "" || h.Get("Retry-After") == "" || len(b) != 0 {
		t.Fatalf("PATCH: %d %v %s", code, h, b)
	}
	if c, _, _ := e.do(http.MethodGet, strings.TrimPrefix(loc, e.s.URL()), e.token("alice", armtScope), nil, nil); c != http.StatusAccepted {
		t.Fatalf("Location while running: %d", c)
	}
	clock.Advance(3 * time.Second)
	c, body := e.get("alice", strings.TrimPrefix(loc, e.s.URL()))
	if c != http.StatusOK {
		t.Fatalf("Location when done: %d %s", c, body)
	}
	got := epwDecode(t, body)
	if got.Properties.ProvisioningState != "Succeeded" || got.Tags["stage"] != "blue-green" || len(got.Tags) != 1 ||
		got.Identity.Type != "SystemAssigned" || got.Identity.PrincipalID != before {
		t.Fatalf("after PATCH: %+v", got)
	}
}

func TestEndpointDelete(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := epwPath("mlw-churn", "churn-key")
	var principal string
	e.s.Mutate(func(w *World) { principal = w.Endpoints[strings.ToLower(path)].Identity.PrincipalID })
	code, h, _ := e.epwSend("alice", http.MethodDelete, path, nil)
	loc := h.Get("Location")
	if code != http.StatusAccepted || loc == "" || h.Get("Azure-AsyncOperation") != "" {
		t.Fatalf("DELETE: %d %v", code, h)
	}
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Deleting" {
		t.Fatalf("GET while deleting: %+v", got)
	}
	clock.Advance(3 * time.Second)
	if c, body := e.get("alice", strings.TrimPrefix(loc, e.s.URL())); c != http.StatusOK {
		t.Fatalf("Location when done: %d %s", c, body)
	}
	c, body := e.get("alice", path+epwAPI)
	if code, msg := armtError(t, body); c != http.StatusNotFound || code != "ResourceNotFound" || !strings.Contains(msg, "onlineEndpoints/churn-key") {
		t.Fatalf("GET after delete: %d %s", c, body)
	}
	if c, _ := e.get("alice", path+"/deployments"+epwAPI); c != http.StatusNotFound {
		t.Fatalf("deployments after delete: %d", c)
	}
	var deps int
	var sp *ServicePrincipal
	e.s.Mutate(func(w *World) {
		for k := range w.Deployments {
			if strings.HasPrefix(k, strings.ToLower(path)+"/") {
				deps++
			}
		}
		sp = w.ServicePrincipals[principal]
	})
	if deps != 0 || sp != nil {
		t.Fatalf("left behind: %d deployments, principal %v", deps, sp)
	}
	// Deleting what is not there: 204, as ARM answers.
	if code, _, b := e.epwSend("alice", http.MethodDelete, path, nil); code != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("DELETE of a missing endpoint: %d %s", code, b)
	}
	// The name is free again.
	if code, _, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", nil)); code != http.StatusCreated {
		t.Fatalf("re-create: %d %s", code, b)
	}
}

func TestEndpointDeleteFails(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	f, _ := ParseFault("route=*/onlineEndpoints/*,method=DELETE,lro-fail")
	e.s.SetFaults([]Fault{f})
	path := epwPath("mlw-churn", "churn-aml")
	_, h, _ := e.epwSend("alice", http.MethodDelete, path, nil)
	clock.Advance(3 * time.Second)
	c, body := e.get("alice", strings.TrimPrefix(h.Get("Location"), e.s.URL()))
	if code, msg := armtError(t, body); c != http.StatusBadRequest || code != "InternalServerError" || !strings.Contains(msg, "delete it again") {
		t.Fatalf("Location of a failed delete: %d %s", c, body)
	}
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Failed" {
		t.Fatalf("after a failed delete: %+v", got)
	}
}

func TestEndpointNameUniqueInRegion(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	// mlw-fraud is in eastus too: churn-key is taken there.
	code, _, b := e.epwSend("olivia", http.MethodPut, epwPath("mlw-fraud", "churn-key"), epwBody("Key", nil))
	if c, msg, target := epwErr(t, b); code != http.StatusConflict || c != "Conflict" || target != "name" || !strings.Contains(msg, "unique within a region") {
		t.Fatalf("taken name: %d %s", code, b)
	}
	// Names compare case-insensitively.
	code, _, b = e.epwSend("olivia", http.MethodPut, epwPath("mlw-fraud", "CHURN-KEY"), epwBody("Key", nil))
	if code != http.StatusConflict {
		t.Fatalf("taken name in other case: %d %s", code, b)
	}
	// Another region is another namespace: mlw-sandbox is in eastus2.
	sandbox := epID(SubSandbox, "rg-sandbox", "mlw-sandbox", "churn-key")
	code, _, b = e.epwSend("alice", http.MethodPut, sandbox, epwBody("Key", func(b, _ map[string]any) { b["location"] = "East US 2" }))
	if code != http.StatusCreated {
		t.Fatalf("same name in another region: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
}

func TestEndpointWriteValidation(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	ws := wsID(SubProduction, "rg-ml-prod", "mlw-churn")
	uai := uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring")
	for _, tc := range []struct {
		name, ep     string
		body         any
		code, target string
		msg          string
	}{
		{"too short", "ab", epwBody("Key", nil), "UserError", "name", "3-32 characters"},
		{"too long", strings.Repeat("a", 33), epwBody("Key", nil), "UserError", "name", "begin with a letter"},
		{"starts with a digit", "1churn", epwBody("Key", nil), "UserError", "name", "begin with a letter"},
		{"ends with a dash", "churn-", epwBody("Key", nil), "UserError", "name", "ending with a letter or number"},
		{"underscore", "churn_new", epwBody("Key", nil), "UserError", "name", "dashes"},
		{"bad JSON", "churn-new", []byte(`{"location": `), "InvalidRequestContent", "", "could not be deserialized"},
		{"no location", "churn-new", epwBody("Key", func(b, _ map[string]any) { delete(b, "location") }), "LocationRequired", "location", "location property is required"},
		{"other region", "churn-new", epwBody("Key", func(b, _ map[string]any) { b["location"] = "westus" }), "UserError", "location", "workspace's region"},
		{"move an endpoint", "churn-key", epwBody("Key", func(b, _ map[string]any) { b["location"] = "westus" }), "InvalidResourceLocation", "location", "already exists in location 'eastus'"},
		{"no properties", "churn-new", map[string]any{"location": "eastus"}, "UserError", "properties", "authMode"},
		{"no auth mode", "churn-new", epwBody("", nil), "UserError", "properties.authMode", "required"},
		{"unknown auth mode", "churn-new", epwBody("Password", nil), "UserError", "properties.authMode", "'Password' is not valid"},
		{"AADToken on Kubernetes", "churn-new", epwBody("AADToken", func(_, p map[string]any) { p["compute"] = ws + "/computes/onprem-k8s" }),
			"UserError", "properties.authMode", "only for managed online endpoints"},
		{"Kubernetes without compute", "churn-new", epwBody("Key", func(b, _ map[string]any) { b["kind"] = "K8S" }), "UserError", "properties.compute", "needs properties.compute"},
		{"compute of another workspace", "churn-new", epwBody("Key", func(_, p map[string]any) {
			p["compute"] = wsID(SubProduction, "rg-ml-prod", "mlw-fraud") + "/computes/onprem-k8s"
		}), "UserError", "properties.compute", "not a compute of workspace 'mlw-churn'"},
		{"managed endpoint becomes Kubernetes", "churn-key", epwBody("Key", func(_, p map[string]any) { p["compute"] = ws + "/computes/onprem-k8s" }),
			"UserError", "properties.compute", "cannot be changed"},
		{"user-assigned without an id", "churn-new", epwBody("Key", func(b, _ map[string]any) { b["identity"] = map[string]any{"type": "UserAssigned"} }),
			"UserError", "identity.userAssignedIdentities", "needs at least one identity"},
		{"unknown user-assigned identity", "churn-new", epwBody("Key", func(b, _ map[string]any) {
			b["identity"] = map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{uai + "-gone": map[string]any{}}}
		}), "UserError", "identity.userAssignedIdentities", "was not found"},
		{"identities without UserAssigned", "churn-new", epwBody("Key", func(b, _ map[string]any) {
			b["identity"] = map[string]any{"type": "SystemAssigned", "userAssignedIdentities": map[string]any{uai: map[string]any{}}}
		}), "UserError", "identity.userAssignedIdentities", "does not include UserAssigned"},
		{"unknown identity type", "churn-new", epwBody("Key", func(b, _ map[string]any) { b["identity"] = map[string]any{"type": "Robot"} }),
			"UserError", "identity.type", "'Robot' is not valid"},
		{"provisioning state of its own", "churn-key", epwBody("Key", func(_, p map[string]any) { p["provisioningState"] = "Creating" }),
			"UserError", "properties.provisioningState", "read-only"},
		{"provisioning state on create", "churn-new", epwBody("Key", func(_, p map[string]any) { p["provisioningState"] = "Succeeded" }),
			"UserError", "properties.provisioningState", "read-only"},
		{"traffic to no deployment", "churn-key", epwBody("Key", func(_, p map[string]any) { p["traffic"] = map[string]int{"red": 100} }),
			"UserError", "properties.traffic", "'red', which does not exist"},
		{"traffic not 100", "churn-key", epwBody("Key", func(_, p map[string]any) { p["traffic"] = map[string]int{"blue": 60, "green": 30} }),
			"UserError", "properties.traffic", "adds up to 90%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, b := e.epwSend("alice", http.MethodPut, epwPath("mlw-churn", tc.ep), tc.body)
			c, msg, target := epwErr(t, b)
			if code != http.StatusBadRequest || c != tc.code || target != tc.target || !strings.Contains(msg, tc.msg) {
				t.Fatalf("got %d %s (target %q): %s", code, c, target, msg)
			}
		})
	}
	// Nothing above was created or changed.
	if c, _ := e.epwGet("alice", epwPath("mlw-churn", "churn-new")); c != http.StatusNotFound {
		t.Fatalf("a refused create left an endpoint: %d", c)
	}
	if _, got := e.epwGet("alice", epwPath("mlw-churn", "churn-key")); got.Properties.ProvisioningState != "Succeeded" || got.Location != "eastus" {
		t.Fatalf("a refused replace changed the endpoint: %+v", got)
	}
}

func TestEndpointWriteAcceptsWhatAzureAccepts(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	ws := wsID(SubProduction, "rg-ml-prod", "mlw-fraud")
	uai := uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring")
	// Unknown fields are ignored; enums and ids compare case-insensitively;
	// a Kubernetes endpoint names its compute.
	body := epwBody("amltoken", func(b, p map[string]any) {
		b["somethingNew"] = map[string]any{"x": 1}
		b["identity"] = map[string]any{"type": "systemassigned, userassigned", "userAssignedIdentities": map[string]any{strings.ToLower(uai): map[string]any{}}}
		p["compute"] = strings.ToLower(ws) + "/computes/onprem-k8s"
		p["futureKnob"] = true
		p["scoringUri"] = "https://example.invalid/score" // read-only: ignored
	})
	code, _, b := e.epwSend("olivia", http.MethodPut, epwPath("mlw-fraud", "fraud-k8s-2"), body)
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	got := epwDecode(t, b)
	if got.Properties.AuthMode != "AMLToken" || got.Properties.Compute != ws+"/computes/onprem-k8s" || got.Identity.Type != "SystemAssigned,UserAssigned" ||
		got.Identity.PrincipalID == "" || len(got.Identity.UserAssignedIdentities) != 1 || !strings.HasPrefix(got.Properties.ScoringURI, e.s.URL()) {
		t.Fatalf("created: %+v", got)
	}
}

func TestEndpointWritesNeedTheirActions(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	path := epwPath("mlw-churn", "churn-key")
	write := "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write"
	del := "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete"
	for _, tc := range []struct {
		who, method, path, action string
		body                      any
	}{
		{"bob", http.MethodPut, path, write, epwBody("Key", nil)},
		{"bob", http.MethodPatch, path, write, map[string]any{"tags": map[string]string{}}},
		{"bob", http.MethodDelete, path, del, nil},
		// ARM authorizes before it looks: bob learns nothing about a missing endpoint.
		{"bob", http.MethodDelete, epwPath("mlw-churn", "nothing-here"), del, nil},
		// alice is only a Reader on mlw-fraud; a bad body changes nothing.
		{"alice", http.MethodPut, epwPath("mlw-fraud", "fraud-new"), write, []byte("not json")},
	} {
		code, _, b := e.epwSend(tc.who, tc.method, tc.path, tc.body)
		c, msg := armtError(t, b)
		if code != http.StatusForbidden || c != "AuthorizationFailed" || !strings.Contains(msg, "'"+tc.action+"' over scope '"+tc.path+"'") {
			t.Fatalf("%s %s %s: %d %s", tc.who, tc.method, tc.path, code, b)
		}
	}
	if _, got := e.epwGet("alice", path); got.Properties.ProvisioningState != "Succeeded" || got.Properties.AuthMode != "Key" {
		t.Fatalf("a refused write changed the endpoint: %+v", got)
	}
}

// A PUT keeps the SKU the client sent, field for field (common-types Sku),
// and the answer carries compute: null for a managed endpoint, as Azure's.
func TestEndpointPutKeepsSKUAndReturnsCompute(t *testing.T) {
	e, clock := epwEnv(t)
	path := epwPath("mlw-churn", "churn-sku")
	sku := map[string]any{"name": "Default", "tier": "Premium", "size": "Large", "family": "F2", "capacity": 7}
	code, _, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", func(b, _ map[string]any) { b["sku"] = sku }))
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	code, _, b = e.epwSend("alice", http.MethodGet, path, nil)
	var got struct {
		SKU        map[string]any `json:"sku"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(b, &got); err != nil || code != 200 {
		t.Fatalf("GET: %d %s", code, b)
	}
	if !reflect.DeepEqual(got.SKU, map[string]any{"name": "Default", "tier": "Premium", "size": "Large", "family": "F2", "capacity": 7.0}) {
		t.Errorf("sku: %v", got.SKU)
	}
	if c, ok := got.Properties["compute"]; !ok || c != nil {
		t.Errorf("compute of a managed endpoint: %v (present %v), want null", c, ok)
	}
	for _, tc := range []struct{ sku, target string }{
		{`{"tier":"Free"}`, "sku.name"},
		{`{"name":"Default","tier":"Gold"}`, "sku.tier"},
		{`{"name":"Default","capacity":-1}`, "sku.capacity"},
	} {
		var s map[string]any
		_ = json.Unmarshal([]byte(tc.sku), &s)
		code, _, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", func(b, _ map[string]any) { b["sku"] = s }))
		if _, _, target := epwErr(t, b); code != http.StatusBadRequest || target != tc.target {
			t.Errorf("sku %s: %d %s", tc.sku, code, b)
		}
	}
}
