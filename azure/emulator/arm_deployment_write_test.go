package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure/rbac"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Deployments, the endpoint identity and the workspace's assets, as raw
// ARM requests over HTTPS with an injected clock.

func depPath(ep, dep string) string { return epwPath("mlw-churn", ep) + "/deployments/" + dep }

// depBody is a valid deployment PUT body for mlw-churn; edit changes it.
func depBody(model, env string, count int32, edit func(b, p map[string]any)) map[string]any {
	p := map[string]any{"endpointComputeType": "Managed", "model": model, "environmentId": env, "instanceType": "Standard_DS3_v2",
		"requestSettings": map[string]any{"maxConcurrentRequestsPerInstance": 2, "requestTimeout": "PT10S"}}
	b := map[string]any{"location": "eastus", "properties": p, "sku": map[string]any{"name": "Default", "capacity": count}}
	if edit != nil {
		edit(b, p)
	}
	return b
}

type depJSON struct {
	Name string `json:"name"`
	SKU  struct {
		Capacity int32 `json:"capacity"`
	} `json:"sku"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
		Model             string `json:"model"`
		EnvironmentID     string `json:"environmentId"`
		InstanceType      string `json:"instanceType"`
		RequestSettings   struct {
			MaxConcurrentRequestsPerInstance int32  `json:"maxConcurrentRequestsPerInstance"`
			RequestTimeout                   string `json:"requestTimeout"`
		} `json:"requestSettings"`
	} `json:"properties"`
}

func (e *armtEnv) depGet(who, path string) (int, depJSON) {
	e.t.Helper()
	code, b := e.get(who, path+epwAPI)
	var d depJSON
	if code == http.StatusOK {
		if err := json.Unmarshal(b, &d); err != nil {
			e.t.Fatalf("deployment body: %v %s", err, b)
		}
	}
	return code, d
}

// depLogs POSTs getLogs for one container.
func (e *armtEnv) depLogs(who, path, container string) string {
	e.t.Helper()
	code, _, b := e.epwSend(who, http.MethodPost, path+"/getLogs", map[string]any{"containerType": container})
	var v struct{ Content string }
	if code != http.StatusOK || json.Unmarshal(b, &v) != nil {
		e.t.Fatalf("getLogs %s: %d %s", container, code, b)
	}
	return v.Content
}

// assignmentsOf lists the role assignments of principal as "role scope" lines.
func assignmentsOf(s *Server, principal string) []string {
	var out []string
	s.Mutate(func(w *World) {
		for _, a := range w.Assignments {
			if strings.EqualFold(a.PrincipalID, principal) {
				out = append(out, rbac.RoleGUID(a.RoleDefinitionID)+" "+a.Scope)
			}
		}
	})
	slices.Sort(out)
	return out
}

func churnWorkspace(s *Server) (ws Workspace) {
	s.Mutate(func(w *World) { ws = *w.Workspaces[armKey(wsID(SubProduction, "rg-ml-prod", "mlw-churn"))] })
	return ws
}

func TestWorkspaceModelsAndEnvironments(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	ws := epwPath("mlw-churn", "x")
	ws = ws[:strings.LastIndex(ws, "/onlineEndpoints")]
	code, b := e.get("alice", ws+"/models/churn-key-model/versions/2"+epwAPI)
	var m armModelVersionJSON
	_ = json.Unmarshal(b, &m)
	st := churnWorkspace(e.s)
	if code != http.StatusOK || m.Name != "2" || m.Type != "Microsoft.MachineLearningServices/workspaces/models/versions" ||
		!strings.HasPrefix(m.Properties.ModelURI, "azureml://subscriptions/"+SubProduction+"/resourcegroups/rg-ml-prod/workspaces/mlw-churn/datastores/workspaceblobstore/paths/") {
		t.Fatalf("model version: %d %s", code, b)
	}
	code, b = e.get("bob", ws+"/models/churn-key-model/versions"+epwAPI)
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"name":"1"`)) || !bytes.Contains(b, []byte(`"name":"2"`)) {
		t.Fatalf("model versions: %d %s", code, b)
	}
	code, b = e.get("bob", ws+"/models/churn-key-model"+epwAPI)
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"latestVersion":"2"`)) || !bytes.Contains(b, []byte(`"nextVersion":"3"`)) {
		t.Fatalf("model container: %d %s", code, b)
	}
	code, b = e.get("alice", ws+"/environments/custom-scoring/versions/1"+epwAPI)
	var env armEnvironmentVersionJSON
	_ = json.Unmarshal(b, &env)
	reg := st.ContainerRegistry[strings.LastIndex(st.ContainerRegistry, "/")+1:]
	if code != http.StatusOK || env.Properties.Image != strings.ToLower(reg)+".azurecr.io/azureml/custom-scoring:1" {
		t.Fatalf("custom environment: %d %s", code, b)
	}
	code, b = e.get("alice", ws+"/environments"+epwAPI)
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"name":"sklearn-env"`)) || !bytes.Contains(b, []byte(`"name":"custom-scoring"`)) {
		t.Fatalf("environment containers: %d %s", code, b)
	}
	code, b = e.get("alice", ws+"/models/churn-key-model/versions/9"+epwAPI)
	if c, msg := armtError(t, b); code != http.StatusNotFound || c != "ResourceNotFound" || !strings.Contains(msg, "models/churn-key-model/versions/9") {
		t.Fatalf("missing version: %d %s", code, b)
	}
	code, b = e.get("nina", ws+"/models"+epwAPI)
	if c, _ := armtError(t, b); code != http.StatusForbidden || c != "AuthorizationFailed" {
		t.Fatalf("nina: %d %s", code, b)
	}
}

func TestEndpointSystemIdentityGetsItsRoles(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	st := churnWorkspace(e.s)
	churn := wsID(SubProduction, "rg-ml-prod", "mlw-churn")
	path := epwPath("mlw-churn", "churn-sai")
	code, _, b := e.epwSend("alice", http.MethodPut, path, epwBody("Key", nil))
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	pid := epwDecode(t, b).Identity.PrincipalID
	want := []string{roleMetricsWriter + " " + churn, roleAcrPull + " " + st.ContainerRegistry, roleBlobDataReader + " " + st.StorageAccount}
	slices.Sort(want)
	if got := assignmentsOf(e.s, pid); !slices.Equal(got, want) {
		t.Fatalf("automatic roles of the SAI:\n got %q\nwant %q", got, want)
	}
	// Graph shows the identity's service principal.
	graph := func() (int, []byte) {
		c, _, b := e.do(http.MethodGet, "/graph/v1.0/servicePrincipals/"+pid, e.token("alice", "https://graph.microsoft.com/.default"), nil, nil)
		return c, b
	}
	code, b = graph()
	if code != http.StatusOK || !bytes.Contains(b, []byte(`"servicePrincipalType":"ManagedIdentity"`)) {
		t.Fatalf("Graph: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	// Deleting the endpoint removes the identity and its assignments.
	if code, _, b := e.epwSend("alice", http.MethodDelete, path, nil); code != http.StatusAccepted {
		t.Fatalf("DELETE: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if code, b := graph(); code != http.StatusNotFound {
		t.Fatalf("Graph after delete: %d %s", code, b)
	}
	if got := assignmentsOf(e.s, pid); len(got) != 0 {
		t.Fatalf("assignments left after delete: %q", got)
	}

	// A user-assigned identity gets nothing.
	before := assignmentsOf(e.s, idUAI)
	uai := uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring")
	code, _, b = e.epwSend("olivia", http.MethodPut, epwPath("mlw-churn", "churn-uai-two"), epwBody("Key", func(b, _ map[string]any) {
		b["identity"] = map[string]any{"type": "UserAssigned", "userAssignedIdentities": map[string]any{uai: map[string]any{}}}
	}))
	if code != http.StatusCreated || !slices.Equal(assignmentsOf(e.s, idUAI), before) {
		t.Fatalf("UAI endpoint: %d %s; assignments %q -> %q", code, b, before, assignmentsOf(e.s, idUAI))
	}
}

func TestEndpointEnforceSecretStoresFlag(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	churn := wsID(SubProduction, "rg-ml-prod", "mlw-churn")
	flag := func(b, p map[string]any) {
		p["properties"] = map[string]string{"enforce_access_to_default_secret_stores": "enabled"}
	}
	// alice (AzureML Data Scientist: workspaces/*/action) may read connection
	// secrets: her SAI also gets Connection Secrets Reader.
	code, _, b := e.epwSend("alice", http.MethodPut, epwPath("mlw-churn", "churn-secrets"), epwBody("Key", flag))
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	if got := assignmentsOf(e.s, epwDecode(t, b).Identity.PrincipalID); !slices.Contains(got, roleConnSecretsReader+" "+churn) || len(got) != 4 {
		t.Fatalf("with the flag: %q", got)
	}
	// nina may write endpoints (a custom role) but not read connection secrets.
	e.s.Mutate(func(w *World) {
		w.CustomRoles = append(w.CustomRoles, rbac.RoleDefinition{ID: "/providers/Microsoft.Authorization/roleDefinitions/0e0e0e0e-0000-4000-8000-000000000001",
			Name: "0e0e0e0e-0000-4000-8000-000000000001", RoleName: "Endpoint writer", RoleType: "CustomRole", AssignableScopes: []string{churn},
			Permissions: []rbac.Permission{{Actions: []string{actEndpointWrite, actEndpointRead, actWorkspaceRead}}}})
		w.addRoleAssignment(newGUID(), idNina, "User", "0e0e0e0e-0000-4000-8000-000000000001", churn, time.Time{}, time.Time{})
	})
	var sps int
	e.s.Mutate(func(w *World) { sps = len(w.ServicePrincipals) })
	code, _, b = e.epwSend("nina", http.MethodPut, epwPath("mlw-churn", "churn-nina"), epwBody("Key", flag))
	// The reason, then ARM's own 403 sentence for the missing permission,
	// which a client parses as it parses any AuthorizationFailed.
	rejected := func(what string) string {
		return what + " creation is rejected: the endpoint sets 'enforce_access_to_default_secret_stores' to 'enabled' and uses a system-assigned identity, " +
			"and only a user identity with the permission to read secrets from workspace connections can grant the endpoint identity that permission. " +
			armtForbidden("nina@contoso.example", idNina, actConnectionSecrets, churn)
	}
	if c, msg, target := epwErr(t, b); code != http.StatusForbidden || c != "UserError" || target != "properties.properties.enforce_access_to_default_secret_stores" ||
		msg != rejected("Endpoint") {
		t.Fatalf("nina with the flag: %d %s", code, b)
	}
	e.s.Mutate(func(w *World) {
		if w.Endpoints[armKey(epwPath("mlw-churn", "churn-nina"))] != nil || len(w.ServicePrincipals) != sps {
			t.Errorf("a rejected creation left an endpoint or an identity behind")
		}
	})
	// Without the flag she may create the endpoint.
	if code, _, b := e.epwSend("nina", http.MethodPut, epwPath("mlw-churn", "churn-nina"), epwBody("Key", nil)); code != http.StatusCreated {
		t.Fatalf("nina without the flag: %d %s", code, b)
	}
	// A deployment under alice's flagged endpoint is refused to her too
	// (the rule covers deployment creation), once she may write deployments.
	clock.Advance(3 * time.Second)
	e.s.Mutate(func(w *World) {
		w.CustomRoles[len(w.CustomRoles)-1].Permissions[0].Actions = append(w.CustomRoles[len(w.CustomRoles)-1].Permissions[0].Actions, actDeploymentWrite)
	})
	code, _, b = e.epwSend("nina", http.MethodPut, epwPath("mlw-churn", "churn-secrets")+"/deployments/blue",
		depBody("azureml:churn-key-model:1", seedEnvironment, 1, nil))
	if c, msg, target := epwErr(t, b); code != http.StatusForbidden || c != "UserError" || target != "properties.properties.enforce_access_to_default_secret_stores" ||
		msg != rejected("Deployment") {
		t.Fatalf("nina's deployment under a flagged endpoint: %d %s", code, b)
	}
	code, _, b = e.epwSend("alice", http.MethodPut, epwPath("mlw-churn", "churn-secrets")+"/deployments/blue",
		depBody("azureml:churn-key-model:1", seedEnvironment, 1, nil))
	if code != http.StatusCreated {
		t.Fatalf("alice's deployment under her flagged endpoint: %d %s", code, b)
	}
}

func TestDeploymentCreateTrafficScoreDelete(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := depPath("churn-key", "canary")
	code, h, b := e.epwSend("alice", http.MethodPut, path, depBody("azureml:churn-key-model:2", seedEnvironment, 1, nil))
	if code != http.StatusCreated || h.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("PUT: %d %v %s", code, h, b)
	}
	var d depJSON
	_ = json.Unmarshal(b, &d)
	if d.Properties.ProvisioningState != "Creating" || d.Properties.RequestSettings.RequestTimeout != "PT10S" || d.SKU.Capacity != 1 {
		t.Fatalf("first answer: %s", b)
	}
	// A second operation on the endpoint while this one runs: 409.
	code, _, b = e.epwSend("alice", http.MethodPut, depPath("churn-key", "other"), depBody("azureml:churn-key-model:1", seedEnvironment, 1, nil))
	if c, _, _ := epwErr(t, b); code != http.StatusConflict || c != "Conflict" {
		t.Fatalf("second operation: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if st, _, _ := e.epwOpStatus("alice", h.Get("Azure-AsyncOperation")); st != "Succeeded" {
		t.Fatalf("operation: %s", st)
	}
	if _, d := e.depGet("alice", path); d.Properties.ProvisioningState != "Succeeded" {
		t.Fatalf("after: %+v", d)
	}
	if logs := e.depLogs("alice", path, "InferenceServer"); !strings.Contains(logs, "Listening at: http://0.0.0.0:31311") {
		t.Fatalf("inference server log: %q", logs)
	}
	// No body (the docs' curl sends Content-Length: 0): the inference server's log.
	if c, _, b := e.epwSend("alice", http.MethodPost, path+"/getLogs", nil); c != http.StatusOK || !bytes.Contains(b, []byte("Listening at")) {
		t.Fatalf("getLogs without a body: %d %s", c, b)
	}
	if c, _, b := e.epwSend("alice", http.MethodPost, path+"/getLogs", map[string]any{"containerType": "Sidecar"}); c != http.StatusBadRequest ||
		!bytes.Contains(b, []byte("use StorageInitializer or InferenceServer")) {
		t.Fatalf("getLogs of an unknown container: %d %s", c, b)
	}
	// bob (Reader) may read the deployment but not its logs.
	if c, _, b := e.epwSend("bob", http.MethodPost, path+"/getLogs", nil); c != http.StatusForbidden || !bytes.Contains(b, []byte(actDeploymentLogs)) {
		t.Fatalf("bob's getLogs: %d %s", c, b)
	}

	ep := epwPath("mlw-churn", "churn-key")
	// Traffic: validated, then scoring follows it.
	for _, tc := range []struct {
		props map[string]any
		msg   string
	}{
		{map[string]any{"traffic": map[string]int{"blue": 50, "canary": 40}}, "adds up to 90%"},
		{map[string]any{"traffic": map[string]int{"blue": 50, "gone": 50}}, "names deployment 'gone', which does not exist"},
		{map[string]any{"mirrorTraffic": map[string]int{"canary": 60}}, "at most 50% of mirrored traffic"},
		{map[string]any{"mirrorTraffic": map[string]int{"blue": 10}}, "Deployment 'blue' gets 90% of live traffic"},
	} {
		code, _, b := e.epwSend("alice", http.MethodPatch, ep, map[string]any{"properties": tc.props})
		if c, msg, _ := epwErr(t, b); code != http.StatusBadRequest || c != "UserError" || !strings.Contains(msg, tc.msg) {
			t.Errorf("traffic %v: %d %s", tc.props, code, b)
		}
	}
	code, _, b = e.epwSend("alice", http.MethodPatch, ep, map[string]any{"properties": map[string]any{
		"traffic": map[string]int{"blue": 0, "green": 0, "canary": 100}, "mirrorTraffic": map[string]int{"blue": 20}}})
	if code != http.StatusAccepted {
		t.Fatalf("traffic PATCH: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	var key string
	e.s.Mutate(func(w *World) { key = w.Endpoints[armKey(ep)].PrimaryKey })
	for range 3 {
		c, hs, body := e.do(http.MethodPost, "/inference/eastus/churn-key/score", "", strings.NewReader(`{"data": [[1,2,3,4,5,6,7,8,9,10]]}`),
			map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"})
		if c != http.StatusOK || hs.Get("azureml-model-deployment") != "canary" {
			t.Fatalf("score: %d %v %s", c, hs, body)
		}
	}
	// A deployment with traffic is not deleted.
	code, _, b = e.epwSend("alice", http.MethodDelete, path, nil)
	if c, msg, _ := epwErr(t, b); code != http.StatusBadRequest || c != "UserError" || !strings.Contains(msg, "cannot be deleted while it gets 100%") {
		t.Fatalf("delete with traffic: %d %s", code, b)
	}
	if code, _, b := e.epwSend("alice", http.MethodPatch, ep, map[string]any{"properties": map[string]any{
		"traffic": map[string]int{"blue": 100, "canary": 0}, "mirrorTraffic": map[string]int{}}}); code != http.StatusAccepted {
		t.Fatalf("traffic back: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	code, h, b = e.epwSend("alice", http.MethodDelete, path, nil)
	if code != http.StatusAccepted || h.Get("Location") == "" {
		t.Fatalf("delete: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if code, _ := e.depGet("alice", path); code != http.StatusNotFound {
		t.Fatalf("after delete: %d", code)
	}
	if code, _, _ := e.epwSend("alice", http.MethodDelete, path, nil); code != http.StatusNoContent {
		t.Fatalf("delete again: %d", code)
	}
}

// A deployment's delete that an injected fault fails leaves the deployment
// Failed, with the reason on the operation; deleting it again removes it.
func TestDeploymentDeleteFails(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	ep, path := epwPath("mlw-churn", "churn-key"), depPath("churn-key", "green")
	if code, _, b := e.epwSend("alice", http.MethodPatch, ep, map[string]any{"properties": map[string]any{
		"traffic": map[string]int{"blue": 100, "green": 0}}}); code != http.StatusAccepted {
		t.Fatalf("traffic PATCH: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	f, _ := ParseFault("route=*/deployments/*,method=DELETE,lro-fail")
	e.s.SetFaults([]Fault{f})
	code, h, b := e.epwSend("alice", http.MethodDelete, path, nil)
	if code != http.StatusAccepted || h.Get("Location") == "" {
		t.Fatalf("DELETE: %d %v %s", code, h, b)
	}
	if _, d := e.depGet("alice", path); d.Properties.ProvisioningState != "Deleting" {
		t.Fatalf("GET while deleting: %+v", d)
	}
	// The endpoint is busy while its deployment is being deleted.
	code, _, b = e.epwSend("alice", http.MethodDelete, ep, nil)
	if c, _, _ := epwErr(t, b); code != http.StatusConflict || c != "Conflict" || !strings.Contains(string(b), "deployment delete") {
		t.Fatalf("endpoint DELETE during the deployment's: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	c, body := e.get("alice", strings.TrimPrefix(h.Get("Location"), e.s.URL()))
	if code, msg := armtError(t, body); c != http.StatusBadRequest || code != "InternalServerError" ||
		msg != "Deleting online deployment 'green' failed: its instances in region 'eastus' could not be released. "+
			"The deployment is left in the Failed state; delete it again to retry." {
		t.Fatalf("Location of a failed delete: %d %s", c, body)
	}
	if _, d := e.depGet("alice", path); d.Properties.ProvisioningState != "Failed" {
		t.Fatalf("after a failed delete: %+v", d)
	}
	e.s.SetFaults(nil)
	if code, _, b := e.epwSend("alice", http.MethodDelete, path, nil); code != http.StatusAccepted {
		t.Fatalf("DELETE again: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if code, _ := e.depGet("alice", path); code != http.StatusNotFound {
		t.Fatalf("after the second delete: %d", code)
	}
}

func TestDeploymentValidation(t *testing.T) {
	t.Parallel()
	e, _ := epwEnv(t)
	good := "azureml:churn-key-model:1"
	for _, tc := range []struct {
		name, dep string
		body      map[string]any
		status    int
		code      string
		target    string
		msg       string
	}{
		{"name too short", "ab", depBody(good, seedEnvironment, 1, nil), 400, "UserError", "name", "Deployment names must begin with a letter, be 3-32 characters long"},
		{"name with underscore", "blue_2", depBody(good, seedEnvironment, 1, nil), 400, "UserError", "name", "is not valid"},
		{"count 0", "canary", depBody(good, seedEnvironment, 0, nil), 400, "UserError", "sku.capacity", "between 1 and 50 instances"},
		{"over quota", "canary", depBody(good, seedEnvironment, 20, nil), 400, "OutOfQuota", "sku.capacity",
			"Not enough quota available for Standard_DS3_v2 in SubscriptionId " + SubProduction + ". Current usage/limit: 52/100. Additional needed: 80"},
		{"unknown instance type", "canary", depBody(good, seedEnvironment, 1, func(_, p map[string]any) { p["instanceType"] = "Standard_Huge" }),
			400, "UserError", "properties.instanceType", "'Standard_Huge' is not supported for managed online deployments"},
		{"missing model", "canary", depBody("azureml:nope:1", seedEnvironment, 1, nil), 400, "UserError", "properties.model", "Model 'azureml:nope:1' was not found in workspace 'mlw-churn'"},
		{"model of another workspace", "canary", depBody("azureml:fraud-aad-model:1", seedEnvironment, 1, nil), 400, "UserError", "properties.model", "was not found"},
		{"missing environment", "canary", depBody(good, "azureml:nope:3", 1, nil), 400, "UserError", "properties.environmentId", "Environment 'azureml:nope:3' was not found"},
		{"timeout too long", "canary", depBody(good, seedEnvironment, 1, func(_, p map[string]any) {
			p["requestSettings"] = map[string]any{"requestTimeout": "PT5M"}
		}), 400, "UserError", "properties.requestSettings.requestTimeout", "at most PT180S"},
		{"zero concurrency", "canary", depBody(good, seedEnvironment, 1, func(_, p map[string]any) {
			p["requestSettings"] = map[string]any{"maxConcurrentRequestsPerInstance": 0}
		}), 400, "UserError", "properties.requestSettings.maxConcurrentRequestsPerInstance", "between 1 and 1000"},
		{"kubernetes on a managed endpoint", "canary", depBody(good, seedEnvironment, 1, func(_, p map[string]any) { p["endpointComputeType"] = "Kubernetes" }),
			400, "UserError", "properties.endpointComputeType", "cannot run behind endpoint 'churn-key', which is a Managed online endpoint"},
		{"no location", "canary", depBody(good, seedEnvironment, 1, func(b, _ map[string]any) { delete(b, "location") }), 400, "LocationRequired", "location", "required"},
		{"provisioning state on create", "canary", depBody(good, seedEnvironment, 1, func(_, p map[string]any) { p["provisioningState"] = "Succeeded" }),
			400, "UserError", "properties.provisioningState",
			"properties.provisioningState is read-only: the request says 'Succeeded' but the deployment's is '(none: it does not exist yet)'."},
		{"provisioning state of its own", "blue", depBody(good, seedEnvironment, 1, func(_, p map[string]any) { p["provisioningState"] = "Failed" }),
			400, "UserError", "properties.provisioningState", "the request says 'Failed' but the deployment's is 'Succeeded'"},
	} {
		code, _, b := e.epwSend("alice", http.MethodPut, depPath("churn-key", tc.dep), tc.body)
		if c, msg, target := epwErr(t, b); code != tc.status || c != tc.code || target != tc.target || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %s", tc.name, code, b)
		}
	}
	e.s.Mutate(func(w *World) {
		if w.Deployments[armKey(depPath("churn-key", "canary"))] != nil {
			t.Errorf("a refused PUT created a deployment")
		}
	})
	// bob reads but may not write deployments.
	code, _, b := e.epwSend("bob", http.MethodPut, depPath("churn-key", "canary"), depBody(good, seedEnvironment, 1, nil))
	if c, _ := armtError(t, b); code != http.StatusForbidden || c != "AuthorizationFailed" {
		t.Errorf("bob: %d %s", code, b)
	}
}

// The demo story: churn-custom runs as a user-assigned identity without
// AcrPull; its deployment failed. olivia assigns AcrPull on the registry;
// a re-run before the grant propagates still fails; after it, it succeeds
// and the endpoint scores.
func TestDeploymentImagePullNeedsAcrPull(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	e := newARMT(t, Options{Now: clock.Now, ProvisioningTime: 3 * time.Second, PropagationDelay: 30 * time.Second})
	path := depPath("churn-custom", "blue")
	st := churnWorkspace(e.s)
	if _, d := e.depGet("alice", path); d.Properties.ProvisioningState != "Failed" {
		t.Fatalf("seeded churn-custom/blue: %+v", d)
	}
	if logs := e.depLogs("alice", path, "InferenceServer"); !strings.Contains(logs, "unauthorized: authentication required") {
		t.Fatalf("inference server log: %q", logs)
	}
	if logs := e.depLogs("alice", path, "StorageInitializer"); !strings.Contains(logs, "Download complete") {
		t.Fatalf("storage initializer log (the model is readable): %q", logs)
	}
	var key string
	e.s.Mutate(func(w *World) { key = w.Endpoints[armKey(epwPath("mlw-churn", "churn-custom"))].PrimaryKey })
	score := func() int {
		c, _, _ := e.do(http.MethodPost, "/inference/eastus/churn-custom/score", "", strings.NewReader(`{"data": [[1,2,3,4,5,6,7,8,9,10]]}`),
			map[string]string{"Authorization": "Bearer " + key})
		return c
	}
	if c := score(); c != http.StatusNotFound {
		t.Fatalf("scoring a failed deployment: %d", c)
	}
	redeploy := func() (status, code, msg string) {
		t.Helper()
		c, h, b := e.epwSend("alice", http.MethodPut, path, depBody("azureml:churn-custom-model:1", "azureml:custom-scoring:1", 1, nil))
		if c != http.StatusCreated {
			t.Fatalf("re-run: %d %s", c, b)
		}
		clock.Advance(3 * time.Second)
		return e.epwOpStatus("alice", h.Get("Azure-AsyncOperation"))
	}
	if st, code, msg := redeploy(); st != "Failed" || code != "BadArgument" ||
		!strings.Contains(msg, "could not pull image") || !strings.Contains(msg, "user-assigned identity 'id-churn-scoring'") ||
		!strings.Contains(msg, "how-to-troubleshoot-online-endpoints#authorization-error") {
		t.Fatalf("without AcrPull: %s %s %s", st, code, msg)
	}
	// olivia (Owner of rg-ml-prod) assigns AcrPull on the registry.
	ra := st.ContainerRegistry + "/providers/Microsoft.Authorization/roleAssignments/" + newGUID() + "?api-version=2022-04-01"
	body, _ := json.Marshal(map[string]any{"properties": map[string]string{
		"roleDefinitionId": "/subscriptions/" + SubProduction + "/providers/Microsoft.Authorization/roleDefinitions/" + roleAcrPull,
		"principalId":      idUAI, "principalType": "ServicePrincipal"}})
	if c, _, b := e.do(http.MethodPut, ra, e.token("olivia", armtScope), bytes.NewReader(body), map[string]string{"Content-Type": "application/json"}); c != http.StatusCreated {
		t.Fatalf("assign AcrPull: %d %s", c, b)
	}
	if st, code, _ := redeploy(); st != "Failed" || code != "BadArgument" {
		t.Fatalf("before the grant propagated: %s %s", st, code)
	}
	clock.Advance(30 * time.Second)
	if st, code, msg := redeploy(); st != "Succeeded" {
		t.Fatalf("after the grant: %s %s %s", st, code, msg)
	}
	if c := score(); c != http.StatusOK {
		t.Fatalf("scoring after the fix: %d", c)
	}
	if logs := e.depLogs("alice", path, "InferenceServer"); !strings.Contains(logs, "Listening at") {
		t.Fatalf("inference server log after the fix: %q", logs)
	}
}

// Reading the model is a DataAction: Reader on the storage account does
// not grant it, Storage Blob Data Reader does.
func TestDeploymentModelReadNeedsBlobDataReader(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	st := churnWorkspace(e.s)
	ep := epwPath("mlw-churn", "churn-sai")
	code, _, b := e.epwSend("alice", http.MethodPut, ep, epwBody("Key", nil))
	if code != http.StatusCreated {
		t.Fatalf("PUT endpoint: %d %s", code, b)
	}
	pid := epwDecode(t, b).Identity.PrincipalID
	clock.Advance(3 * time.Second)
	// Swap the automatic Storage Blob Data Reader for Reader.
	e.s.Mutate(func(w *World) {
		w.Assignments = slices.DeleteFunc(w.Assignments, func(a rbac.Assignment) bool {
			return a.PrincipalID == pid && rbac.RoleGUID(a.RoleDefinitionID) == roleBlobDataReader
		})
		w.addRoleAssignment(newGUID(), pid, "ServicePrincipal", roleReader, st.StorageAccount, time.Time{}, time.Time{})
	})
	path := epwPath("mlw-churn", "churn-sai") + "/deployments/blue"
	code, h, b := e.epwSend("alice", http.MethodPut, path, depBody("azureml:churn-key-model:1", "azureml:custom-scoring:1", 1, nil))
	if code != http.StatusCreated {
		t.Fatalf("PUT deployment: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if st, code, msg := e.epwOpStatus("alice", h.Get("Azure-AsyncOperation")); st != "Failed" || code != "BadArgument" ||
		!strings.Contains(msg, "403 AuthorizationPermissionMismatch") || !strings.Contains(msg, "Reader is not enough") {
		t.Fatalf("with Reader: %s %s %s", st, code, msg)
	}
	if logs := e.depLogs("alice", path, "StorageInitializer"); !strings.Contains(logs, "ErrorCode: AuthorizationPermissionMismatch") ||
		!strings.Contains(logs, "This request is not authorized to perform this operation using this permission.") {
		t.Fatalf("storage initializer log: %q", logs)
	}
	// The deployment PATCH (scale) re-runs the provisioning; with the data role it succeeds.
	e.s.Mutate(func(w *World) {
		w.addRoleAssignment(newGUID(), pid, "ServicePrincipal", roleBlobDataReader, st.StorageAccount, time.Time{}, time.Time{})
	})
	code, h, b = e.epwSend("alice", http.MethodPatch, path, map[string]any{"sku": map[string]any{"capacity": 2}})
	if code != http.StatusAccepted || h.Get("Location") == "" {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	if _, d := e.depGet("alice", path); d.Properties.ProvisioningState != "Scaling" {
		t.Fatalf("while scaling: %+v", d)
	}
	clock.Advance(3 * time.Second)
	c, body := e.get("alice", strings.TrimPrefix(h.Get("Location"), e.s.URL()))
	var d depJSON
	_ = json.Unmarshal(body, &d)
	if c != http.StatusOK || d.Properties.ProvisioningState != "Succeeded" || d.SKU.Capacity != 2 {
		t.Fatalf("after PATCH: %d %s", c, body)
	}
}

func TestScoringPublicNetworkAccessDisabled(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	ep := epwPath("mlw-churn", "churn-pna")
	code, _, b := e.epwSend("alice", http.MethodPut, ep, epwBody("Key", func(_, p map[string]any) { p["publicNetworkAccess"] = "Sometimes" }))
	if c, _, target := epwErr(t, b); code != http.StatusBadRequest || c != "UserError" || target != "properties.publicNetworkAccess" {
		t.Fatalf("bad value: %d %s", code, b)
	}
	code, _, b = e.epwSend("alice", http.MethodPut, ep, epwBody("Key", func(_, p map[string]any) { p["publicNetworkAccess"] = "disabled" }))
	if code != http.StatusCreated || !bytes.Contains(b, []byte(`"publicNetworkAccess":"Disabled"`)) {
		t.Fatalf("PUT: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	// Refused by the network, whatever the credential: a right key and a wrong one get the same 403.
	var key string
	e.s.Mutate(func(w *World) { key = w.Endpoints[armKey(ep)].PrimaryKey })
	for _, cred := range []string{key, "not-a-key"} {
		c, _, body := e.do(http.MethodPost, "/inference/eastus/churn-pna/score", "", strings.NewReader(`{"data": [[1,2,3,4,5,6,7,8,9,10]]}`),
			map[string]string{"Authorization": "Bearer " + cred})
		if c != http.StatusForbidden || !bytes.Contains(body, []byte(`"code":"PublicNetworkAccessDisabled"`)) {
			t.Fatalf("score with PNA disabled: %d %s", c, body)
		}
	}
	// Enabled again (a replace that keeps the identity), a wrong key is a
	// credential refusal: another status and code.
	code, _, b = e.epwSend("alice", http.MethodPut, ep, epwBody("Key", func(_, p map[string]any) { p["publicNetworkAccess"] = "Enabled" }))
	if code != http.StatusCreated {
		t.Fatalf("PUT Enabled: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	c, _, body := e.do(http.MethodPost, "/inference/eastus/churn-pna/score", "", strings.NewReader(`{"data": [[1,2,3,4,5,6,7,8,9,10]]}`),
		map[string]string{"Authorization": "Bearer not-a-key"})
	if c != http.StatusUnauthorized || bytes.Contains(body, []byte("PublicNetworkAccessDisabled")) {
		t.Fatalf("wrong key with PNA enabled: %d %s", c, body)
	}
}

// Conformance of the deployment writes against the spec examples
// (testdata/examples, copied from ../shared/azure-rest/examples): each
// example's request is sent with its placeholders mapped to the demo world,
// and each answer (the first one, then the operation's end) decodes into
// the SDK model with at least the fields the example's response populates.
func TestDeploymentWritesConformToExamples(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	exempt := map[string]string{
		"SKU.Size":   "online deployments have no size or family in their SKU",
		"SKU.Family": "online deployments have no size or family in their SKU",
	}
	for k, v := range armtDeploymentExempt {
		exempt[k] = v
	}
	type example struct {
		Parameters map[string]json.RawMessage
		Responses  map[string]struct {
			Headers map[string]string
			Body    json.RawMessage
		}
	}
	load := func(file string) example {
		raw, err := os.ReadFile(filepath.Join("testdata", "examples", filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		var ex example
		if err := json.Unmarshal(raw, &ex); err != nil {
			t.Fatal(err)
		}
		return ex
	}
	check := func(file, status string, got []byte) {
		t.Helper()
		ex := load(file)
		model := func() any { return &armmachinelearning.OnlineDeployment{} }
		want := armtFieldPaths(t, model, [][]byte{ex.Responses[status].Body})
		have := armtFieldPaths(t, model, [][]byte{got})
		for _, p := range want {
			if !slices.Contains(have, p) && armtExemption(exempt, p) == "" {
				t.Errorf("%s %s: the example populates %s; the emulator does not", file, status, p)
			}
		}
	}
	path := depPath("churn-key", "canary")

	// PUT: the example's body, its placeholders ("string") replaced by the
	// world's names; requestTimeout PT5M is over the documented maximum for
	// managed deployments (request_timeout_ms at most 180000), so PT60S.
	ex := load("ml/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json")
	var body map[string]any
	_ = json.Unmarshal(ex.Parameters["body"], &body)
	body["location"] = "eastus"
	p := body["properties"].(map[string]any)
	p["model"], p["environmentId"], p["instanceType"] = "azureml:churn-key-model:1", "azureml:sklearn-env:1", "Standard_DS3_v2"
	p["requestSettings"].(map[string]any)["requestTimeout"] = "PT60S"
	code, h, b := e.epwSend("alice", http.MethodPut, path, body)
	if code != http.StatusCreated || h.Get("Azure-AsyncOperation") == "" {
		t.Fatalf("PUT: %d %s", code, b)
	}
	check("ml/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json", "201", b)
	clock.Advance(3 * time.Second)
	_, got := e.get("alice", path+epwAPI)
	check("ml/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json", "200", got)

	// PATCH: the example's body as it is (tags, sku with capacity 1).
	ex = load("ml/OnlineDeployment/ManagedOnlineDeployment/update.json")
	code, h, b = e.epwSend("alice", http.MethodPatch, path, []byte(ex.Parameters["body"]))
	if code != http.StatusAccepted || h.Get("Location") == "" || len(b) != 0 {
		t.Fatalf("PATCH: %d %v %s", code, h, b)
	}
	clock.Advance(3 * time.Second)
	code, got = e.get("alice", strings.TrimPrefix(h.Get("Location"), e.s.URL()))
	if code != http.StatusOK {
		t.Fatalf("PATCH result: %d %s", code, got)
	}
	check("ml/OnlineDeployment/ManagedOnlineDeployment/update.json", "200", got)

	// getLogs: the example's body (StorageInitializer, tail 0).
	ex = load("ml/OnlineDeployment/getLogs.json")
	code, _, b = e.epwSend("alice", http.MethodPost, path+"/getLogs", []byte(ex.Parameters["body"]))
	var logs map[string]any
	if code != http.StatusOK || json.Unmarshal(b, &logs) != nil || logs["content"] != "" || len(logs) != 1 {
		t.Fatalf("getLogs (tail 0): %d %s", code, b)
	}

	// DELETE: 202 with Location (one of the example's answers), then gone.
	ex = load("ml/Workspace/OnlineDeployment/delete.json")
	if _, ok := ex.Responses["202"].Headers["Location"]; !ok {
		t.Fatal("the delete example's 202 carries Location")
	}
	code, h, _ = e.epwSend("alice", http.MethodDelete, path, nil)
	if code != http.StatusAccepted || h.Get("Location") == "" {
		t.Fatalf("DELETE: %d %v", code, h)
	}
	clock.Advance(3 * time.Second)
	if code, _, _ := e.do(http.MethodGet, strings.TrimPrefix(h.Get("Location"), e.s.URL()), e.token("alice", armtScope), nil, nil); code != http.StatusOK {
		t.Fatalf("DELETE result: %d", code)
	}
}

func TestKubernetesDeployment(t *testing.T) {
	t.Parallel()
	e, clock := epwEnv(t)
	path := epID(SubProduction, "rg-ml-prod", "mlw-fraud", "fraud-k8s") + "/deployments/canary"
	body := depBody("azureml:fraud-k8s-model:1", "azureml:sklearn-env:1", 3, func(_, p map[string]any) {
		p["endpointComputeType"] = "Kubernetes"
		delete(p, "instanceType")
	})
	code, h, b := e.epwSend("olivia", http.MethodPut, path, body)
	if code != http.StatusCreated {
		t.Fatalf("PUT: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if st, code, msg := e.epwOpStatus("olivia", h.Get("Azure-AsyncOperation")); st != "Succeeded" {
		t.Fatalf("operation: %s %s %s", st, code, msg)
	}
	_, d := e.depGet("olivia", path)
	if d.Properties.InstanceType != "defaultinstancetype" || d.SKU.Capacity != 3 || d.Properties.ProvisioningState != "Succeeded" {
		t.Fatalf("after: %+v", d)
	}
	// A managed deployment cannot run behind it; a bad instance type name is refused.
	for _, edit := range []func(_, p map[string]any){
		func(_, p map[string]any) { p["endpointComputeType"] = "Managed" },
		func(_, p map[string]any) { p["endpointComputeType"] = "Kubernetes"; p["instanceType"] = "Not_A_Name" },
	} {
		code, _, b := e.epwSend("olivia", http.MethodPut, path, depBody("azureml:fraud-k8s-model:1", "azureml:sklearn-env:1", 1, edit))
		if c, _, _ := epwErr(t, b); code != http.StatusBadRequest || c != "UserError" {
			t.Errorf("bad Kubernetes PUT: %d %s", code, b)
		}
	}
}

func TestParseISODuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT5S": 5 * time.Second, "pt0.5s": 500 * time.Millisecond, "PT1M30S": 90 * time.Second, "PT1H": time.Hour} {
		if got, ok := parseISODuration(in); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "PT", "P1D", "5S", "PTS", "PTNaNS", "PT-1S", "PT1e3S", "PT0x10S", "PT1S2", "PT99999999999S", "PT1S1M"} {
		if got, ok := parseISODuration(in); ok {
			t.Errorf("%q accepted as %v", in, got)
		}
	}
}
