package azure_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// The deploy wizard's backend as pure functions: names, the spec and its
// renderings, traffic rules, and what Azure grants an endpoint identity.

func depSpec() azure.DeploymentSpec {
	return azure.DeploymentSpec{
		Ref:      azure.DeploymentRef{EndpointRef: azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}, Deployment: "green"},
		Location: "eastus", ComputeType: "Managed",
		Model: "azureml:churn-model:2", Environment: "azureml://registries/azureml/environments/sklearn-1.5/versions/14",
		InstanceType: "Standard_DS3_v2", InstanceCount: 2,
	}
}

func TestValidateDeploymentName(t *testing.T) {
	if err := azure.ValidateDeploymentName("green-2", []string{"blue"}); err != nil {
		t.Fatalf("a valid name: %v", err)
	}
	for _, tc := range []struct {
		name, why string
		existing  []string
	}{
		{"", "empty", nil},
		{"gr", "has 2 characters", nil},
		{"2green", `starts with "2"`, nil},
		{"green-", "ends with a dash", nil},
		{"green_1", "'_' at position 6", nil},
		{"BLUE", `already has a deployment named "blue"`, []string{"blue"}},
	} {
		err := azure.ValidateDeploymentName(tc.name, tc.existing)
		var se *azure.SpecError
		if !errors.As(err, &se) || se.Field != "name" || !strings.Contains(se.Message, tc.why) || !strings.Contains(se.Message, azure.DeploymentNameRule) {
			t.Errorf("%q: want a name error saying %q and the rule, got %v", tc.name, tc.why, err)
			continue
		}
		if ex := azure.Explain(err); ex.Title != "Invalid deployment settings" {
			t.Errorf("%q: explanation title %q", tc.name, ex.Title)
		}
	}
	// The endpoint's messages still speak of endpoints.
	if err := azure.ValidateEndpointName("x"); err == nil || !strings.Contains(err.Error(), "Endpoint names are") || azure.Explain(err).Title != "Invalid endpoint settings" {
		t.Errorf("endpoint name error: %v", err)
	}
}

func TestDeploymentSpecValidate(t *testing.T) {
	if err := depSpec().Validate(); err != nil {
		t.Fatalf("a valid spec: %v", err)
	}
	for _, tc := range []struct {
		name, field, why string
		edit             func(*azure.DeploymentSpec)
	}{
		{"no endpoint", "endpoint", "Pick the endpoint", func(s *azure.DeploymentSpec) { s.Ref.Endpoint = "" }},
		{"bad name", "name", "starts with", func(s *azure.DeploymentSpec) { s.Ref.Deployment = "-x" }},
		{"no model", "model", "Choose a model", func(s *azure.DeploymentSpec) { s.Model = " " }},
		{"model without version", "model", "azureml:NAME:VERSION", func(s *azure.DeploymentSpec) { s.Model = "azureml:churn-model" }},
		{"environment that is not an asset", "environment", "not a environment version", func(s *azure.DeploymentSpec) { s.Environment = "python:3.11" }},
		{"no instance type", "instance_type", "Choose an instance type", func(s *azure.DeploymentSpec) { s.InstanceType = "" }},
		{"unknown instance type", "instance_type", "not an instance type", func(s *azure.DeploymentSpec) { s.InstanceType = "Standard_Z9" }},
		{"zero instances", "instance_count", "at least 1", func(s *azure.DeploymentSpec) { s.InstanceCount = 0 }},
		{"too many instances", "instance_count", "at most 50", func(s *azure.DeploymentSpec) { s.InstanceCount = 51 }},
		{"timeout too long", "request_settings", "180000", func(s *azure.DeploymentSpec) { s.RequestTimeoutMs = 200000 }},
		{"bad variable name", "environment_variables", `"1X"`, func(s *azure.DeploymentSpec) { s.EnvironmentVariables = map[string]string{"1X": "v"} }},
		{"unknown compute", "compute", "not Managed or Kubernetes", func(s *azure.DeploymentSpec) { s.ComputeType = "Batch" }},
	} {
		s := depSpec()
		tc.edit(&s)
		err := s.Validate()
		var se *azure.SpecError
		if !errors.As(err, &se) || se.Field != tc.field || !strings.Contains(se.Message, tc.why) {
			t.Errorf("%s: want %s error saying %q, got %v", tc.name, tc.field, tc.why, err)
		}
	}
	// Kubernetes instance types are the cluster's own: any name goes.
	k := depSpec()
	k.ComputeType, k.InstanceType = "Kubernetes", "gpu-large"
	if err := k.Validate(); err != nil {
		t.Errorf("a Kubernetes instance type: %v", err)
	}
}

func TestDeploymentSpecRenderings(t *testing.T) {
	s := depSpec()
	s.EnvironmentVariables = map[string]string{"API_KEY": "${{azureml://connections/openai/credentials/key}}"}
	s.RequestTimeoutMs = 1500
	want := `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
name: green
endpoint_name: churn-key
model: azureml:churn-model:2
environment: azureml://registries/azureml/environments/sklearn-1.5/versions/14
instance_type: Standard_DS3_v2
instance_count: 2
environment_variables:
  API_KEY: "${{azureml://connections/openai/credentials/key}}"
request_settings:
  request_timeout_ms: 1500
`
	if got := s.YAML(); got != want {
		t.Errorf("YAML:\n%s\nwant:\n%s", got, want)
	}
	// A model picked from the list is its ARM id; the YAML names it the CLI's way.
	s.Model = churnWS().ID() + "/models/churn-model/versions/2"
	if !strings.Contains(s.YAML(), "model: azureml:churn-model:2\n") {
		t.Errorf("YAML of an ARM model id:\n%s", s.YAML())
	}
	if got := s.AzCommand(); got != "az ml online-deployment create --name green --endpoint-name churn-key --file deployment.yml --resource-group rg-ml-prod --workspace-name mlw-churn --subscription "+churnWS().Subscription {
		t.Errorf("az: %s", got)
	}
	if got := s.AzUpdateCommand(); got != "az ml online-deployment update --name green --endpoint-name churn-key --file deployment.yml --resource-group rg-ml-prod --workspace-name mlw-churn --subscription "+churnWS().Subscription {
		t.Errorf("az update: %s", got)
	}
	method, path, body := s.REST()
	if method != "PUT" || path != churnWS().ID()+"/onlineEndpoints/churn-key/deployments/green?api-version=2024-04-01" {
		t.Errorf("REST: %s %s", method, path)
	}
	var b struct {
		Location string
		SKU      struct {
			Name     string
			Capacity int
		}
		Properties struct {
			EndpointComputeType, Model, EnvironmentID, InstanceType string
			RequestSettings                                         struct{ RequestTimeout string }
		}
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("REST body: %v\n%s", err, body)
	}
	p := b.Properties
	if b.Location != "eastus" || b.SKU.Name != "Default" || b.SKU.Capacity != 2 || p.EndpointComputeType != "Managed" ||
		p.Model != churnWS().ID()+"/models/churn-model/versions/2" || p.EnvironmentID != s.Environment ||
		p.InstanceType != "Standard_DS3_v2" || p.RequestSettings.RequestTimeout != "PT1.5S" {
		t.Errorf("REST body:\n%s", body)
	}
	// The request as copied: on the cloud's Resource Manager host.
	cfg := azure.Config{ARMEndpoint: "https://management.chinacloudapi.cn/"}
	if got := cfg.RESTText(method, path, body); !strings.HasPrefix(got, "PUT https://management.chinacloudapi.cn/subscriptions/") || !strings.HasSuffix(got, "\n\n"+body) {
		t.Errorf("RESTText: %s", got)
	}
}

func TestValidateTraffic(t *testing.T) {
	deps := []string{"blue", "green"}
	ok := []struct{ live, mirror map[string]int32 }{
		{map[string]int32{"blue": 90, "green": 10}, nil},
		{map[string]int32{"blue": 100}, map[string]int32{"green": 50}},
		{map[string]int32{"BLUE": 100, "green": 0}, map[string]int32{"green": 0}},
		{map[string]int32{}, nil}, // nothing routed yet
	}
	for _, tc := range ok {
		if err := azure.ValidateTraffic(deps, tc.live, tc.mirror, false); err != nil {
			t.Errorf("%v %v: %v", tc.live, tc.mirror, err)
		}
	}
	for _, tc := range []struct {
		rule, why    string
		live, mirror map[string]int32
		k8s          bool
	}{
		{azure.TrafficRuleSum, "add up to 90%", map[string]int32{"blue": 80, "green": 10}, nil, false},
		{azure.TrafficRuleUnknownDeployment, `"red"`, map[string]int32{"blue": 50, "red": 50}, nil, false},
		{azure.TrafficRuleRange, "between 0 and 100", map[string]int32{"blue": 110, "green": -10}, nil, false},
		{azure.TrafficRuleMirrorMax, "at most 50%", map[string]int32{"blue": 100}, map[string]int32{"green": 60}, false},
		{azure.TrafficRuleMirrorNotLive, "not both", map[string]int32{"blue": 90, "green": 10}, map[string]int32{"green": 10}, false},
		{azure.TrafficRuleMirrorOne, "one deployment only", map[string]int32{"blue": 100}, map[string]int32{"green": 10, "blue2": 10}, false},
		{azure.TrafficRuleMirrorManaged, "Kubernetes", map[string]int32{"blue": 100}, map[string]int32{"green": 10}, true},
	} {
		d := deps
		if tc.rule == azure.TrafficRuleMirrorOne {
			d = []string{"blue", "green", "blue2"}
			tc.live = map[string]int32{"blue": 100}
		}
		err := azure.ValidateTraffic(d, tc.live, tc.mirror, tc.k8s)
		var te *azure.TrafficError
		if !errors.As(err, &te) || te.Rule != tc.rule || !strings.Contains(te.Message, tc.why) {
			t.Errorf("%s: want a %s error saying %q, got %v", tc.rule, tc.rule, tc.why, err)
		}
	}
}

func TestAutomaticGrants(t *testing.T) {
	res := azure.WorkspaceResources{ID: churnWS().ID(), ContainerRegistry: "/x/registries/acr", StorageAccount: "/x/storageAccounts/st"}
	granted := func(g azure.AutoGrants) []string {
		var out []string
		for _, r := range g.Grants {
			if r.Granted {
				out = append(out, r.Role.RoleName+"@"+r.Scope)
			}
		}
		return out
	}
	allowed := &azure.Verdict{Outcome: rbac.Allowed}
	denied := &azure.Verdict{Outcome: rbac.NotGranted}
	three := "AcrPull@/x/registries/acr Storage Blob Data Reader@/x/storageAccounts/st AzureML Metrics Writer (preview)@" + churnWS().ID()
	for _, tc := range []struct {
		name              string
		user, enforce     bool
		creator           *azure.Verdict
		want              string
		rejected, unknown bool
	}{
		{"SAI", false, false, nil, three, false, false},
		{"SAI, flag, creator may read secrets", false, true, allowed, three + " Azure Machine Learning Workspace Connection Secrets Reader@" + churnWS().ID(), false, false},
		{"SAI, flag, creator may not", false, true, denied, three, true, false},
		{"SAI, flag, creator unknown", false, true, &azure.Verdict{Outcome: rbac.Unknown}, three, false, true},
		{"UAI", true, true, denied, "", false, false},
	} {
		g := azure.AutomaticGrants(tc.user, tc.enforce, tc.creator, res)
		if got := strings.Join(granted(g), " "); got != tc.want || g.Rejected != tc.rejected || g.Unknown != tc.unknown || len(g.Grants) != 4 {
			t.Errorf("%s: granted %q rejected %v unknown %v (%d rows); want %q %v %v", tc.name, got, g.Rejected, g.Unknown, len(g.Grants), tc.want, tc.rejected, tc.unknown)
		}
		if tc.rejected && !strings.Contains(g.RejectWhy, rbac.ActionListConnectionSecrets) {
			t.Errorf("%s: the rejection does not name the permission: %s", tc.name, g.RejectWhy)
		}
		for _, r := range g.Grants {
			if r.Role.ID == "" || r.Why == "" || r.Condition == "" {
				t.Errorf("%s: incomplete row %+v", tc.name, r)
			}
		}
	}
}

func TestIdentityOperations(t *testing.T) {
	ops := rbac.IdentityOperations()
	if len(ops) != 4 {
		t.Fatalf("%d identity operations", len(ops))
	}
	res := azure.WorkspaceResources{ID: "/ws", ContainerRegistry: "/acr", StorageAccount: "/st"}
	want := map[string]string{"identity.pullImage": "/acr", "identity.readModel": "/st", "identity.writeMetrics": "/ws", "identity.readSecrets": "/ws"}
	for _, op := range ops {
		if got, ok := res.ScopeOf(op); !ok || got != want[op.Key] {
			t.Errorf("%s: scope %q", op.Key, got)
		}
		if _, ok := rbac.RoleByName(rbac.BuiltinRoles(), op.Role); !ok {
			t.Errorf("%s: fix role %q is not a built-in role", op.Key, op.Role)
		}
		// The usual role grants the operation, as an action or a data action.
		r, _ := rbac.RoleByName(rbac.BuiltinRoles(), op.Role)
		if len(rbac.RolesGranting([]rbac.RoleDefinition{r}, op.Action, op.DataAction)) != 1 {
			t.Errorf("%s: %s does not grant %s", op.Key, op.Role, op.Action)
		}
		if _, ok := rbac.OperationByKey(op.Key); !ok {
			t.Errorf("%s: not found by key", op.Key)
		}
	}
	// Reader reads everything but no blob: the model read is a data action.
	reader, _ := rbac.RoleByName(rbac.BuiltinRoles(), "Reader")
	model, _ := rbac.OperationByKey("identity.readModel")
	if len(rbac.RolesGranting([]rbac.RoleDefinition{reader}, model.Action, model.DataAction)) != 0 {
		t.Error("Reader grants the blob read")
	}
	res.DefaultContainer = "/st/blobServices/default/containers/c"
	if got, _ := res.ScopeOf(model); got != res.DefaultContainer {
		t.Errorf("the model read is judged at %q, not the default container", got)
	}
	if res.FixScope(model) != "/st" {
		t.Errorf("the fix is not at the storage account: %q", res.FixScope(model))
	}
}
