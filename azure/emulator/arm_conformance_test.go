package emulator

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

// Conformance against the Azure REST spec examples (testdata/examples, copied
// from ../shared/azure-rest/examples): for every example of an implemented
// route, the request (its parameters mapped to seeded resources) is
// accepted, and the response decodes into the SDK model with at least the
// fields the example's response populates. Values are not compared: the
// examples are schema-generated ("string", "Creating").
//
// Paths are Go field names of the SDK model ("Value[].Properties.AuthMode";
// map values are ".*"), so only fields the SDK knows count.

type armtConformance struct {
	file  string   // under testdata/examples
	path  string   // the request path, with the example's names replaced by seeded ones
	drop  []string // example query parameters that are placeholders ("string") for filters or tokens
	model func() any
	// exempt lists fields the demo world does not model; each entry says why.
	exempt map[string]string
}

var armtWorkspaceExempt = map[string]string{
	"Properties.Encryption.Identity":             "mlw-fraud reads its customer-managed key with its system-assigned identity",
	"Properties.ImageBuildCompute":               "no image build compute is configured",
	"Properties.SharedPrivateLinkResources":      "no shared private links",
	"Properties.ServiceProvisionedResourceGroup": "not a hub workspace",
	"Identity.UserAssignedIdentities":            "workspace identities are system-assigned",
}

// armtDeploymentExempt: what demo deployments do not set.
var armtDeploymentExempt = map[string]string{
	"Identity":                          "deployments run as their endpoint's identity",
	"Properties.ModelMountPath":         "the default mount path is not echoed",
	"Properties.EnvironmentVariables.*": "demo deployments set no environment variables (the map is there, empty)",
	"Properties.Properties.*":           "demo deployments carry no extra properties (the map is there, empty)",
}

// armtKubernetesExempt: what the Kubernetes demo deployment does not request.
var armtKubernetesExempt = map[string]string{
	"Properties.ContainerResourceRequirements.ContainerResourceLimits.Gpu":   "the demo model needs no GPU",
	"Properties.ContainerResourceRequirements.ContainerResourceRequests.Gpu": "the demo model needs no GPU",
}

func armtPrefixed(prefix string, m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[prefix+k] = v
	}
	return out
}

func armtConformanceCases() []armtConformance {
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	fraud := wsID(SubProduction, prodRG, "mlw-fraud")
	sku := map[string]string{
		"SKU.Size":   "online endpoints and deployments have no size or family in their SKU",
		"SKU.Family": "online endpoints and deployments have no size or family in their SKU",
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	paged := map[string]string{"NextLink": "present only while more pages remain (PROTOCOL.md §5)"}
	return append(armtAuthzConformanceCases(paged), []armtConformance{
		{file: "resources/GetSubscriptions.json", path: "/subscriptions",
			model:  func() any { return &armsubscriptions.SubscriptionListResult{} },
			exempt: merge(paged, map[string]string{"Value[].ManagedByTenants[]": "demo subscriptions are managed by no other tenant"})},
		{file: "resources/GetSubscription.json", path: "/subscriptions/" + SubProduction,
			model:  func() any { return &armsubscriptions.Subscription{} },
			exempt: map[string]string{"ManagedByTenants[]": "demo subscriptions are managed by no other tenant"}},
		{file: "resources/ResourceGroups_Get.json", path: rgID(SubProduction, prodRG),
			model: func() any { return &armresources.ResourceGroup{} }},
		// mlw-fraud is the locked-down workspace: managed network, private endpoint, customer-managed key.
		{file: "ml/Workspace/get.json", path: fraud,
			model: func() any { return &armmachinelearning.Workspace{} }, exempt: armtWorkspaceExempt},
		{file: "ml/Workspace/listBySubscription.json", path: "/subscriptions/" + SubProduction + "/providers/Microsoft.MachineLearningServices/workspaces",
			model: func() any { return &armmachinelearning.WorkspaceListResult{} }, exempt: paged},
		{file: "ml/Workspace/listByResourceGroup.json", path: rgID(SubProduction, prodRG) + "/providers/Microsoft.MachineLearningServices/workspaces",
			model: func() any { return &armmachinelearning.WorkspaceListResult{} }, exempt: paged},
		// fraud-k8s has a compute and a system-assigned identity; churn-aad (in the list) covers user-assigned ones.
		{file: "ml/Workspace/OnlineEndpoint/get.json", path: fraud + "/onlineEndpoints/fraud-k8s",
			model:  func() any { return &armmachinelearning.OnlineEndpoint{} },
			exempt: merge(sku, map[string]string{"Identity.UserAssignedIdentities": "fraud-k8s uses its system-assigned identity"})},
		{file: "ml/_2026-03-01/Workspace/OnlineEndpoint/get.json", path: fraud + "/onlineEndpoints/fraud-k8s",
			model:  func() any { return &armmachinelearning.OnlineEndpoint{} },
			exempt: merge(sku, map[string]string{"Identity.UserAssignedIdentities": "fraud-k8s uses its system-assigned identity"})},
		{file: "ml/Workspace/OnlineEndpoint/list.json", path: ws + "/onlineEndpoints", drop: []string{"$skipToken", "name", "tags", "properties"},
			model: func() any { return &armmachinelearning.OnlineEndpointTrackedResourceArmPaginatedResult{} },
			exempt: merge(paged, armtPrefixed("Value[].", sku),
				map[string]string{"Value[].Properties.Compute": "computeType=Managed: managed endpoints have no compute"})},
		{file: "ml/OnlineDeployment/ManagedOnlineDeployment/get.json", path: ws + "/onlineEndpoints/churn-key/deployments/blue",
			model:  func() any { return &armmachinelearning.OnlineDeployment{} },
			exempt: merge(sku, armtDeploymentExempt)},
		{file: "ml/OnlineDeployment/list.json", path: fraud + "/onlineEndpoints/fraud-k8s/deployments", drop: []string{"$skipToken", "$orderBy"},
			model:  func() any { return &armmachinelearning.OnlineDeploymentTrackedResourceArmPaginatedResult{} },
			exempt: merge(paged, armtPrefixed("Value[].", merge(sku, armtDeploymentExempt, armtKubernetesExempt)))},
	}...)
}

// armtExample is one of the REST spec's examples (testdata/examples): its
// request parameters and its responses by status.
type armtExample struct {
	Parameters map[string]any
	Responses  map[string]struct{ Body json.RawMessage }
}

func armtLoadExample(t *testing.T, file string) armtExample {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "examples", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	var ex armtExample
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	return ex
}

func TestARMConformanceExamples(t *testing.T) {
	e := newARMT(t, Options{})
	for _, tc := range armtConformanceCases() {
		t.Run(tc.file, func(t *testing.T) {
			ex := armtLoadExample(t, tc.file)
			want := armtFieldPaths(t, tc.model, [][]byte{ex.Responses["200"].Body})

			q := url.Values{}
			for k, v := range ex.Parameters {
				if slices.Contains(tc.drop, k) || strings.HasSuffix(k, "Id") || strings.HasSuffix(k, "Name") {
					continue // path parameters are mapped to seeded names in tc.path
				}
				b, _ := json.Marshal(v)
				q.Set(k, strings.Trim(string(b), `"`))
			}
			var bodies [][]byte
			for next := tc.path + "?" + q.Encode(); next != ""; {
				code, b := e.get("bob", next)
				if code != 200 {
					t.Fatalf("GET %s: %d %s", next, code, b)
				}
				bodies = append(bodies, b)
				var page struct{ NextLink string }
				_ = json.Unmarshal(b, &page)
				next = strings.TrimPrefix(page.NextLink, e.s.URL())
			}
			got := armtFieldPaths(t, tc.model, bodies)
			for _, p := range want {
				if !slices.Contains(got, p) && armtExemption(tc.exempt, p) == "" {
					t.Errorf("the example populates %s; the emulator does not", p)
				}
			}
			for p := range tc.exempt {
				if !slices.ContainsFunc(want, func(w string) bool { return armtExemption(map[string]string{p: ""}, w) != "" || w == p }) {
					t.Errorf("exemption %s matches nothing in the example: remove it", p)
				}
			}
		})
	}
}

// armtExemption returns the reason path is exempt, or "".
func armtExemption(exempt map[string]string, path string) string {
	for p, why := range exempt {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			if why == "" {
				why = "exempt"
			}
			return why
		}
	}
	return ""
}

// armtFieldPaths decodes each body into a fresh model and lists the fields
// populated in any of them.
func armtFieldPaths(t *testing.T, model func() any, bodies [][]byte) []string {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range bodies {
		m := model()
		if err := json.Unmarshal(b, m); err != nil {
			t.Fatalf("decode into %T: %v\n%s", m, err, b)
		}
		armtWalk(reflect.ValueOf(m), "", seen)
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func armtWalk(v reflect.Value, path string, seen map[string]bool) {
	mark := func() {
		if path != "" {
			seen[path] = true
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			armtWalk(v.Elem(), path, seen)
		}
	case reflect.Struct:
		mark()
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				armtWalk(v.Field(i), strings.TrimPrefix(path+"."+f.Name, "."), seen)
			}
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		mark()
		for it := v.MapRange(); it.Next(); {
			armtWalk(it.Value(), path+".*", seen)
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		mark()
		for i := range v.Len() {
			armtWalk(v.Index(i), path+"[]", seen)
		}
	default:
		mark()
	}
}

// The associated resources' providers have no SDK in go.mod, so their
// examples are compared as JSON: every path the example's response
// populates (objects by key, arrays as [], maps named in maps as .*) must
// be in the emulator's answer, unless exempt. Values are not compared.
type armtJSONConformance struct {
	file, path string
	maps       []string // paths whose keys are data (tags): compared as path.*
	exempt     map[string]string
}

func armtJSONConformanceCases() []armtJSONConformance {
	ws := newWorld(time.Now()).Workspaces[armKey(wsID(SubProduction, prodRG, "mlw-churn"))]
	tags := []string{"tags"}
	return []armtJSONConformance{
		{file: "storage/StorageAccountGetProperties.json", path: ws.StorageAccount, maps: tags, exempt: map[string]string{
			"properties.geoReplicationStats":                 "Standard_LRS has no geo-replication",
			"properties.geoPriorityReplicationStatus":        "Standard_LRS has no geo-replication",
			"properties.secondaryLocation":                   "Standard_LRS has no secondary",
			"properties.statusOfSecondary":                   "Standard_LRS has no secondary",
			"properties.routingPreference":                   "no routing preference is set",
			"properties.primaryEndpoints.internetEndpoints":  "no routing preference is set",
			"properties.primaryEndpoints.microsoftEndpoints": "no routing preference is set",
			"properties.networkAcls.resourceAccessRules[]":   "no resource instance rules",
		}},
		{file: "containerregistry/RegistryGet.json", path: ws.ContainerRegistry, maps: tags},
		{file: "keyvault/getVault.json", path: ws.KeyVault, maps: tags, exempt: map[string]string{
			"properties.accessPolicies[]":  "an RBAC vault has no access policies",
			"properties.hsmPoolResourceId": "not a managed HSM pool",
		}},
	}
}

// armtJSONPaths lists the paths populated in a JSON document (null counts:
// the key is there).
func armtJSONPaths(v any, path string, maps []string, seen map[string]bool) {
	if path != "" {
		seen[path] = true
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			p := strings.TrimPrefix(path+"."+k, ".")
			if slices.Contains(maps, path) {
				p = path + ".*"
			}
			armtJSONPaths(c, p, maps, seen)
		}
	case []any:
		for _, c := range x {
			armtJSONPaths(c, path+"[]", maps, seen)
		}
	}
}

// armtJSONPathSet is armtJSONPaths of a JSON body.
func armtJSONPathSet(t *testing.T, b []byte, maps []string) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	seen := map[string]bool{}
	armtJSONPaths(v, "", maps, seen)
	return seen
}

// armtJSONMissing returns the paths of want's document that got's lacks and
// that are not exempt.
func armtJSONMissing(t *testing.T, tc armtJSONConformance, want, got []byte) []string {
	t.Helper()
	w, g := armtJSONPathSet(t, want, tc.maps), armtJSONPathSet(t, got, tc.maps)
	var missing []string
	for p := range w {
		if !g[p] && armtExemption(tc.exempt, p) == "" {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	return missing
}

func TestARMConformanceAssociatedResources(t *testing.T) {
	e := newARMT(t, Options{})
	for _, tc := range armtJSONConformanceCases() {
		t.Run(tc.file, func(t *testing.T) {
			ex := armtLoadExample(t, tc.file)
			want := ex.Responses["200"].Body
			code, got := e.get("bob", tc.path+"?api-version="+url.QueryEscape(ex.Parameters["api-version"].(string)))
			if code != 200 {
				t.Fatalf("GET %s: %d %s", tc.path, code, got)
			}
			for _, p := range armtJSONMissing(t, tc, want, got) {
				t.Errorf("the example populates %s; the emulator does not", p)
			}
			inExample := armtJSONPathSet(t, want, tc.maps)
			for p := range tc.exempt {
				if !inExample[p] {
					t.Errorf("exemption %s matches nothing in the example: remove it", p)
				}
			}
			// The check has teeth: the answer without one of its fields fails it.
			var v map[string]any
			_ = json.Unmarshal(got, &v)
			delete(v["properties"].(map[string]any), "provisioningState")
			broken, _ := json.Marshal(v)
			if m := armtJSONMissing(t, tc, want, broken); !slices.Contains(m, "properties.provisioningState") {
				t.Errorf("a response without properties.provisioningState passes the check (%v)", m)
			}
		})
	}
}
