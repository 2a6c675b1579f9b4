package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// A workspace names its storage account, container registry, key vault and
// Application Insights; each exists as an ARM resource in the workspace's
// resource group, readable with RBAC like any other.
func TestWorkspaceAssociatedResourcesExist(t *testing.T) {
	e := newARMT(t, Options{})
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	code, b := e.get("alice", ws+"?api-version=2025-12-01")
	var got struct {
		Properties struct {
			StorageAccount, ContainerRegistry, KeyVault, ApplicationInsights, WorkspaceID string
			PublicNetworkAccess, DiscoveryURL                                             string
			ManagedNetwork                                                                struct{ IsolationMode string }
			PrivateEndpointConnections                                                    []any
			Encryption                                                                    struct{ Status string }
		}
	}
	if err := json.Unmarshal(b, &got); err != nil || code != 200 {
		t.Fatalf("workspace: %d %s", code, b)
	}
	p := got.Properties
	if p.PublicNetworkAccess != "Enabled" || p.DiscoveryURL == "" || p.ManagedNetwork.IsolationMode != "Disabled" ||
		p.PrivateEndpointConnections == nil || p.Encryption.Status != "Disabled" {
		t.Errorf("network and encryption properties: %s", b)
	}
	rgPrefix := strings.ToLower(rgID(SubProduction, prodRG) + "/providers/")
	for _, tc := range []struct{ id, api, typ string }{
		{p.StorageAccount, "2025-08-01", "Microsoft.Storage/storageAccounts"},
		{p.ContainerRegistry, "2025-11-01", "Microsoft.ContainerRegistry/registries"},
		{p.KeyVault, "2025-05-01", "Microsoft.KeyVault/vaults"},
		{p.ApplicationInsights, "2020-02-02", "microsoft.insights/components"},
		{p.StorageAccount + "/blobServices/default/containers/azureml-blobstore-" + p.WorkspaceID, "2025-08-01",
			"Microsoft.Storage/storageAccounts/blobServices/containers"},
	} {
		if !strings.HasPrefix(strings.ToLower(tc.id), rgPrefix) {
			t.Errorf("%s is not in the workspace's resource group", tc.id)
		}
		code, b := e.get("alice", tc.id+"?api-version="+tc.api)
		var r struct{ ID, Type string }
		if err := json.Unmarshal(b, &r); err != nil || code != 200 || !strings.EqualFold(r.ID, tc.id) || r.Type != tc.typ {
			t.Errorf("GET %s: %d %s", tc.id, code, b)
		}
		// Nina has no role: ARM refuses before it says whether the resource exists.
		code, b = e.get("nina", tc.id+"?api-version="+tc.api)
		if c, _ := armtError(t, b); code != http.StatusForbidden || c != "AuthorizationFailed" {
			t.Errorf("GET %s as nina: %d %s", tc.id, code, b)
		}
		code, b = e.get("alice", tc.id+"x?api-version="+tc.api)
		if c, _ := armtError(t, b); code != http.StatusNotFound || (c != "ResourceNotFound" && c != "ContainerNotFound") {
			t.Errorf("GET %sx: %d %s", tc.id, code, b)
		}
	}
	code, b = e.get("alice", p.StorageAccount+"/blobServices/default/containers?api-version=2025-08-01")
	var list struct{ Value []struct{ Name string } }
	_ = json.Unmarshal(b, &list)
	var names []string
	for _, c := range list.Value {
		names = append(names, c.Name)
	}
	if code != 200 || !slices.Contains(names, "azureml-blobstore-"+p.WorkspaceID) {
		t.Errorf("containers: %d %s", code, b)
	}
	// Every workspace has its own set.
	code, b = e.get("alice", wsID(SubProduction, prodRG, "mlw-fraud")+"?api-version=2025-12-01")
	var fraud struct {
		Properties struct{ StorageAccount, PublicNetworkAccess string }
	}
	_ = json.Unmarshal(b, &fraud)
	if code != 200 || fraud.Properties.StorageAccount == "" || strings.EqualFold(fraud.Properties.StorageAccount, p.StorageAccount) {
		t.Errorf("mlw-fraud's storage: %d %s", code, b)
	}
}

// Role assignments can be scoped to the associated resources (AcrPull on
// the registry is what issue 17's deployments need); a missing one is a 404.
func TestRoleAssignmentOnAssociatedResource(t *testing.T) {
	e := newARMT(t, Options{})
	ws := newWorld(time.Now()).Workspaces[armKey(wsID(SubProduction, prodRG, "mlw-churn"))]
	const acrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
	put := func(scope string) (int, []byte) {
		body := `{"properties":{"roleDefinitionId":"/subscriptions/` + SubProduction + `/providers/Microsoft.Authorization/roleDefinitions/` + acrPull +
			`","principalId":"` + idUAI + `","principalType":"ServicePrincipal"}}`
		code, _, b := e.do(http.MethodPut, scope+"/providers/Microsoft.Authorization/roleAssignments/"+newGUID()+"?api-version=2022-04-01",
			e.token("olivia", armtScope), strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		return code, b
	}
	if code, b := put(ws.ContainerRegistry); code != http.StatusCreated {
		t.Errorf("AcrPull on the registry: %d %s", code, b)
	}
	code, b := put(ws.ContainerRegistry + "nope")
	if c, _ := armtError(t, b); code != http.StatusNotFound || c != "ResourceNotFound" {
		t.Errorf("AcrPull on a missing registry: %d %s", code, b)
	}
}
