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
	"Properties.Encryption":                      "demo workspaces use Microsoft-managed keys",
	"Properties.ImageBuildCompute":               "no image build compute is configured",
	"Properties.ManagedNetwork":                  "demo workspaces have no managed network",
	"Properties.PrivateEndpointConnections":      "no private endpoints",
	"Properties.SharedPrivateLinkResources":      "no private links",
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
		{file: "ml/Workspace/get.json", path: ws,
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

func TestARMConformanceExamples(t *testing.T) {
	e := newARMT(t, Options{})
	for _, tc := range armtConformanceCases() {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "examples", filepath.FromSlash(tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			var ex struct {
				Parameters map[string]any
				Responses  map[string]struct{ Body json.RawMessage }
			}
			if err := json.Unmarshal(raw, &ex); err != nil {
				t.Fatal(err)
			}
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
