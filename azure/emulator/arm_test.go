package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"amlauth-tui/azure/rbac"
)

// The ARM read side through the real SDK clients, as each persona.

const (
	prodRG     = "rg-ml-prod"
	actEPRead  = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"
	churnScope = "/subscriptions/" + SubProduction + "/resourceGroups/" + prodRG + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"
)

func armtSubscriptions(t *testing.T, e *armtEnv, who string) []string {
	t.Helper()
	c, err := armsubscriptions.NewClient(e.cred(who), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for p := c.NewListPager(nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			t.Fatalf("%s: list subscriptions: %v", who, err)
		}
		for _, s := range page.Value {
			names = append(names, *s.DisplayName)
			if *s.TenantID != TenantID || *s.ID != "/subscriptions/"+*s.SubscriptionID || *s.State != armsubscriptions.SubscriptionStateEnabled {
				t.Errorf("%s: subscription %+v", who, s)
			}
		}
	}
	return names
}

func TestARMSubscriptionsPerPersona(t *testing.T) {
	e := newARMT(t, Options{PageSize: 1}) // one per page: the pager must follow nextLink
	const prod, sandbox = "Contoso ML Production", "Contoso ML Sandbox"
	for who, want := range map[string][]string{
		"alice": {prod, sandbox}, // roles in both
		"bob":   {prod},          // Reader on production
		"nina":  nil,             // nothing yet: an empty list, not an error
		"gary":  {prod},          // a group role on one endpoint is enough to see the subscription
		"sp":    {prod, sandbox},
	} {
		if got := armtSubscriptions(t, e, who); !slices.Equal(got, want) {
			t.Errorf("%s sees %q, want %q", who, got, want)
		}
	}

	c, _ := armsubscriptions.NewClient(e.cred("bob"), e.arm())
	got, err := c.Get(armtCtx(t), SubProduction, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.DisplayName != prod || got.Tags["env"] == nil || *got.SubscriptionPolicies.SpendingLimit != armsubscriptions.SpendingLimitOff {
		t.Errorf("bob's production subscription: %+v", got.Subscription)
	}
	_, err = c.Get(armtCtx(t), SubSandbox, nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("bob@contoso.example", idBob,
		"Microsoft.Resources/subscriptions/read", "/subscriptions/"+SubSandbox))
	unknown := "11111111-2222-4333-8444-555555555555"
	_, err = c.Get(armtCtx(t), unknown, nil)
	armtWantErr(t, err, 404, "SubscriptionNotFound", "The subscription '"+unknown+"' could not be found.")
	_, err = c.Get(armtCtx(t), "not-a-guid", nil)
	armtWantErr(t, err, 400, "InvalidSubscriptionId", "The provided subscription identifier 'not-a-guid' is malformed or invalid.")

	nina, _ := armsubscriptions.NewClient(e.cred("nina"), e.arm())
	_, err = nina.Get(armtCtx(t), SubProduction, nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("nina@contoso.example", idNina,
		"Microsoft.Resources/subscriptions/read", "/subscriptions/"+SubProduction))
}

// A role assignment that has not propagated yet does not reveal a subscription.
func TestARMSubscriptionVisibilityWaitsForPropagation(t *testing.T) {
	e := newARMT(t, Options{})
	scope := rgID(SubSandbox, "rg-sandbox")
	e.s.Mutate(func(w *World) {
		w.Assignments = append(w.Assignments, rbac.Assignment{Name: "pending", Scope: scope, PrincipalID: idNina, PrincipalType: "User",
			RoleDefinitionID: roleReader, EffectiveAt: time.Now().Add(24 * time.Hour)})
	})
	if got := armtSubscriptions(t, e, "nina"); got != nil {
		t.Fatalf("pending assignment already visible: %q", got)
	}
	e.s.Mutate(func(w *World) { w.Assignments[len(w.Assignments)-1].EffectiveAt = time.Time{} })
	if got := armtSubscriptions(t, e, "nina"); !slices.Equal(got, []string{"Contoso ML Sandbox"}) {
		t.Fatalf("after propagation nina sees %q", got)
	}
}

func TestARMTenants(t *testing.T) {
	e := newARMT(t, Options{})
	for _, who := range []string{"nina", "sp"} {
		c, err := armsubscriptions.NewTenantsClient(e.cred(who), e.arm())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for p := c.NewListPager(nil); p.More(); {
			page, err := p.NextPage(armtCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, tn := range page.Value {
				ids = append(ids, *tn.TenantID)
				if *tn.ID != "/tenants/"+TenantID || *tn.DisplayName != "Contoso ML" || *tn.DefaultDomain != "contoso.example" ||
					*tn.TenantCategory != armsubscriptions.TenantCategoryHome {
					t.Errorf("tenant %+v", tn)
				}
			}
		}
		if !slices.Equal(ids, []string{TenantID}) {
			t.Errorf("%s: tenants %q", who, ids)
		}
	}
}

func TestARMResourceGroups(t *testing.T) {
	e := newARMT(t, Options{PageSize: 1})
	list := func(who string) ([]string, error) {
		c, _ := armresources.NewResourceGroupsClient(SubProduction, e.cred(who), e.arm())
		var names []string
		for p := c.NewListPager(nil); p.More(); {
			page, err := p.NextPage(armtCtx(t))
			if err != nil {
				return names, err
			}
			for _, g := range page.Value {
				names = append(names, *g.Name)
			}
		}
		return names, nil
	}
	if got, err := list("bob"); err != nil || !slices.Equal(got, []string{"rg-ml-prod", "rg-ml-shared"}) {
		t.Errorf("bob: %q %v", got, err)
	}
	if got, err := list("alice"); err != nil || !slices.Equal(got, []string{"rg-ml-prod"}) { // Reader on that group only
		t.Errorf("alice: %q %v", got, err)
	}
	_, err := list("gary") // nothing readable and no right at the subscription
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary,
		"Microsoft.Resources/subscriptions/resourceGroups/read", "/subscriptions/"+SubProduction))

	bob, _ := armresources.NewResourceGroupsClient(SubProduction, e.cred("bob"), e.arm())
	g, err := bob.Get(armtCtx(t), "RG-ML-PROD", nil) // names are case-insensitive; the id keeps the created casing
	if err != nil {
		t.Fatal(err)
	}
	if *g.ID != rgID(SubProduction, prodRG) || *g.Location != "eastus" || *g.Type != "Microsoft.Resources/resourceGroups" ||
		*g.Properties.ProvisioningState != "Succeeded" || *g.Tags["owner"] != "platform" {
		t.Errorf("rg: %+v", g.ResourceGroup)
	}
	_, err = bob.Get(armtCtx(t), "rg-missing", nil)
	armtWantErr(t, err, 404, "ResourceGroupNotFound", "Resource group 'rg-missing' could not be found.")
	for name, want := range map[string]bool{prodRG: true, "rg-missing": false} {
		ok, err := bob.CheckExistence(armtCtx(t), name, nil)
		if err != nil || ok.Success != want {
			t.Errorf("CheckExistence(%s) = %v, %v", name, ok.Success, err)
		}
	}
	nina, _ := armresources.NewResourceGroupsClient(SubProduction, e.cred("nina"), e.arm())
	_, err = nina.Get(armtCtx(t), "rg-missing", nil) // authorization comes before existence
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("nina@contoso.example", idNina,
		"Microsoft.Resources/subscriptions/resourceGroups/read", "/subscriptions/"+SubProduction+"/resourcegroups/rg-missing")) // the request's casing (the SDK sends resourcegroups)
}

func TestARMWorkspaces(t *testing.T) {
	e := newARMT(t, Options{PageSize: 2})
	names := func(who, rg string) ([]string, error) {
		c, _ := armmachinelearning.NewWorkspacesClient(SubProduction, e.cred(who), e.arm())
		var out []string
		add := func(v []*armmachinelearning.Workspace) {
			for _, w := range v {
				out = append(out, *w.Name)
			}
		}
		if rg == "" {
			for p := c.NewListBySubscriptionPager(nil); p.More(); {
				page, err := p.NextPage(armtCtx(t))
				if err != nil {
					return out, err
				}
				add(page.Value)
			}
			return out, nil
		}
		for p := c.NewListByResourceGroupPager(rg, nil); p.More(); {
			page, err := p.NextPage(armtCtx(t))
			if err != nil {
				return out, err
			}
			add(page.Value)
		}
		return out, nil
	}
	for _, tc := range []struct {
		who, rg string
		want    []string
	}{
		{"bob", "", []string{"mlw-churn", "mlw-fraud", "mlw-shared"}}, // two pages
		{"alice", "", []string{"mlw-churn", "mlw-fraud"}},
		{"bob", prodRG, []string{"mlw-churn", "mlw-fraud"}},
		{"olivia", prodRG, []string{"mlw-churn", "mlw-fraud"}},
	} {
		if got, err := names(tc.who, tc.rg); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s in %q: %q %v, want %q", tc.who, tc.rg, got, err, tc.want)
		}
	}
	_, err := names("gary", "")
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary,
		"Microsoft.MachineLearningServices/workspaces/read", "/subscriptions/"+SubProduction))
	// AzureML Data Scientist's workspaces/*/read covers workspaces/read itself
	// (a whole-segment wildcard also stands for no segment: rbac.MatchAction),
	// so the scoring service principal, Data Scientist on mlw-churn only,
	// lists just that workspace.
	if got, err := names("sp", ""); err != nil || !slices.Equal(got, []string{"mlw-churn"}) {
		t.Errorf("sp: %q %v, want [mlw-churn]", got, err)
	}

	c, _ := armmachinelearning.NewWorkspacesClient(SubProduction, e.cred("alice"), e.arm())
	w, err := c.Get(armtCtx(t), prodRG, "mlw-churn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if *w.ID != wsID(SubProduction, prodRG, "mlw-churn") || *w.Location != "eastus" || *w.Properties.FriendlyName != "Customer churn" ||
		*w.Properties.ProvisioningState != armmachinelearning.ProvisioningStateSucceeded || w.Properties.WorkspaceID == nil ||
		*w.Identity.Type != armmachinelearning.ManagedServiceIdentityTypeSystemAssigned || *w.Type != "Microsoft.MachineLearningServices/workspaces" {
		t.Errorf("workspace: %+v", w.Workspace)
	}
	_, err = c.Get(armtCtx(t), prodRG, "mlw-nope", nil)
	armtWantErr(t, err, 404, "ResourceNotFound", "The Resource 'Microsoft.MachineLearningServices/workspaces/mlw-nope' under resource group '"+
		prodRG+"' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
	nina, _ := armmachinelearning.NewWorkspacesClient(SubProduction, e.cred("nina"), e.arm())
	_, err = nina.Get(armtCtx(t), prodRG, "mlw-churn", nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("nina@contoso.example", idNina,
		"Microsoft.MachineLearningServices/workspaces/read", churnScope))
}

func armtEndpoints(t *testing.T, e *armtEnv, who, ws string) ([]*armmachinelearning.OnlineEndpoint, error) {
	c, _ := armmachinelearning.NewOnlineEndpointsClient(SubProduction, e.cred(who), e.arm())
	var out []*armmachinelearning.OnlineEndpoint
	for p := c.NewListPager(prodRG, ws, nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			return out, err
		}
		out = append(out, page.Value...)
	}
	return out, nil
}

func TestARMOnlineEndpoints(t *testing.T) {
	e := newARMT(t, Options{PageSize: 2})
	names := func(eps []*armmachinelearning.OnlineEndpoint) (n []string) {
		for _, ep := range eps {
			n = append(n, *ep.Name)
		}
		return n
	}
	for who, want := range map[string][]string{
		"alice": {"churn-aad", "churn-aml", "churn-custom", "churn-key"}, // two pages
		"bob":   {"churn-aad", "churn-aml", "churn-custom", "churn-key"},
		"gary":  {"churn-aad"}, // only what the group's endpoint-scoped role allows
	} {
		eps, err := armtEndpoints(t, e, who, "mlw-churn")
		if err != nil || !slices.Equal(names(eps), want) {
			t.Errorf("%s: %q %v, want %q", who, names(eps), err, want)
		}
	}
	_, err := armtEndpoints(t, e, "gary", "mlw-fraud") // sees none, may not list the workspace's endpoints: 403 there
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary, actEPRead,
		wsID(SubProduction, prodRG, "mlw-fraud")))

	alice, _ := armmachinelearning.NewOnlineEndpointsClient(SubProduction, e.cred("alice"), e.arm())
	get := func(ws, name string) *armmachinelearning.OnlineEndpoint {
		r, err := alice.Get(armtCtx(t), prodRG, ws, name, nil)
		if err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		return &r.OnlineEndpoint
	}
	key := get("mlw-churn", "churn-key")
	p := key.Properties
	if *p.AuthMode != armmachinelearning.EndpointAuthModeKey || *p.ScoringURI != e.s.URL()+"/inference/eastus/churn-key/score" ||
		*p.SwaggerURI != e.s.URL()+"/inference/eastus/churn-key/swagger.json" || *p.Traffic["blue"] != 90 || *p.Traffic["green"] != 10 ||
		*p.ProvisioningState != armmachinelearning.EndpointProvisioningStateSucceeded || p.MirrorTraffic == nil {
		t.Errorf("churn-key properties: %+v", p)
	}
	if *key.Kind != "Managed" || *key.Type != "Microsoft.MachineLearningServices/workspaces/onlineEndpoints" || *key.Location != "eastus" ||
		*key.Identity.Type != armmachinelearning.ManagedServiceIdentityTypeSystemAssigned || key.Identity.PrincipalID == nil ||
		*key.SystemData.CreatedBy != "alice@contoso.example" || *key.SystemData.CreatedByType != armmachinelearning.CreatedByTypeUser ||
		*key.SKU.Capacity != 3 || *key.ID != epID(SubProduction, prodRG, "mlw-churn", "churn-key") {
		t.Errorf("churn-key: %+v", key)
	}
	if m := get("mlw-churn", "churn-aml").Properties.AuthMode; *m != armmachinelearning.EndpointAuthModeAMLToken {
		t.Errorf("churn-aml auth mode %s", *m)
	}
	aad := get("mlw-churn", "churn-aad")
	uai := aad.Identity.UserAssignedIdentities[uaiID(SubProduction, prodRG, "id-churn-scoring")]
	if *aad.Properties.AuthMode != armmachinelearning.EndpointAuthModeAADToken || *aad.Identity.Type != armmachinelearning.ManagedServiceIdentityTypeUserAssigned ||
		uai == nil || *uai.PrincipalID != idUAI || *uai.ClientID != appUAI {
		t.Errorf("churn-aad identity: %+v", aad.Identity)
	}
	k8s := get("mlw-fraud", "fraud-k8s")
	if *k8s.Kind != "K8S" || *k8s.Properties.Compute != wsID(SubProduction, prodRG, "mlw-fraud")+"/computes/onprem-k8s" {
		t.Errorf("fraud-k8s: kind %s compute %v", *k8s.Kind, k8s.Properties.Compute)
	}

	gary, _ := armmachinelearning.NewOnlineEndpointsClient(SubProduction, e.cred("gary"), e.arm())
	_, err = gary.Get(armtCtx(t), prodRG, "mlw-churn", "churn-key", nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary, actEPRead, churnScope+"/onlineEndpoints/churn-key"))
	_, err = alice.Get(armtCtx(t), prodRG, "mlw-churn", "churn-nope", nil)
	armtWantErr(t, err, 404, "ResourceNotFound", "The Resource 'Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-nope' under resource group 'rg-ml-prod' was not found.")
	_, err = alice.Get(armtCtx(t), prodRG, "mlw-nope", "churn-key", nil)
	armtWantErr(t, err, 404, "ResourceNotFound", "The Resource 'Microsoft.MachineLearningServices/workspaces/mlw-nope' under resource group 'rg-ml-prod' was not found.")
	_, err = alice.Get(armtCtx(t), "rg-nope", "mlw-churn", "churn-key", nil) // alice has no role there: 403 before 404
	armtWantErr(t, err, 403, "AuthorizationFailed", "")
	olivia, _ := armmachinelearning.NewOnlineEndpointsClient(SubProduction, e.cred("bob"), e.arm())
	_, err = olivia.Get(armtCtx(t), "rg-nope", "mlw-churn", "churn-key", nil) // Reader on the subscription: the group is missing
	armtWantErr(t, err, 404, "ResourceGroupNotFound", "Resource group 'rg-nope' could not be found.")
}

// OnlineEndpoints_List's own query options.
func TestARMOnlineEndpointListOptions(t *testing.T) {
	e := newARMT(t, Options{})
	c, _ := armmachinelearning.NewOnlineEndpointsClient(SubProduction, e.cred("bob"), e.arm())
	list := func(o *armmachinelearning.OnlineEndpointsClientListOptions, ws string) (n []string) {
		for p := c.NewListPager(prodRG, ws, o); p.More(); {
			page, err := p.NextPage(armtCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, ep := range page.Value {
				n = append(n, *ep.Name)
			}
		}
		return n
	}
	k8s := armmachinelearning.EndpointComputeTypeKubernetes
	name, tags := "CHURN-AML", "model=churn"
	one := int32(1)
	if got := list(&armmachinelearning.OnlineEndpointsClientListOptions{ComputeType: &k8s}, "mlw-fraud"); !slices.Equal(got, []string{"fraud-k8s"}) {
		t.Errorf("computeType: %q", got)
	}
	if got := list(&armmachinelearning.OnlineEndpointsClientListOptions{Name: &name}, "mlw-churn"); !slices.Equal(got, []string{"churn-aml"}) {
		t.Errorf("name: %q", got)
	}
	if got := list(&armmachinelearning.OnlineEndpointsClientListOptions{Tags: &tags, Count: &one}, "mlw-churn"); len(got) != 4 {
		t.Errorf("tags + count 1 (one per page): %q", got)
	}
}

func TestARMOnlineDeployments(t *testing.T) {
	e := newARMT(t, Options{PageSize: 1})
	c, _ := armmachinelearning.NewOnlineDeploymentsClient(SubProduction, e.cred("alice"), e.arm())
	var got []string
	for p := c.NewListPager(prodRG, "mlw-churn", "churn-key", nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Value {
			m, ok := d.Properties.(*armmachinelearning.ManagedOnlineDeployment)
			if !ok {
				t.Fatalf("%s: properties are %T, want managed", *d.Name, d.Properties)
			}
			got = append(got, *d.Name)
			want := map[string]int32{"blue": 1, "green": 2}[*d.Name]
			if *d.SKU.Capacity != want || *m.InstanceType != "Standard_DS3_v2" || *m.Model == "" ||
				*m.ProvisioningState != armmachinelearning.DeploymentProvisioningStateSucceeded {
				t.Errorf("%s: capacity %d, %+v", *d.Name, *d.SKU.Capacity, m)
			}
		}
	}
	if !slices.Equal(got, []string{"blue", "green"}) {
		t.Errorf("deployments %q", got)
	}
	bob, _ := armmachinelearning.NewOnlineDeploymentsClient(SubProduction, e.cred("bob"), e.arm())
	d, err := bob.Get(armtCtx(t), prodRG, "mlw-fraud", "fraud-k8s", "green", nil)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := d.Properties.(*armmachinelearning.KubernetesOnlineDeployment)
	if !ok || k.ContainerResourceRequirements == nil || *d.SKU.Capacity != 2 || *d.ID != epID(SubProduction, prodRG, "mlw-fraud", "fraud-k8s")+"/deployments/green" {
		t.Errorf("fraud-k8s green: %T %+v", d.Properties, d.OnlineDeployment)
	}
	_, err = bob.Get(armtCtx(t), prodRG, "mlw-fraud", "fraud-k8s", "purple", nil)
	armtWantErr(t, err, 404, "ResourceNotFound", "The Resource 'Microsoft.MachineLearningServices/workspaces/mlw-fraud/onlineEndpoints/fraud-k8s/deployments/purple'")
	gary, _ := armmachinelearning.NewOnlineDeploymentsClient(SubProduction, e.cred("gary"), e.arm())
	_, err = gary.Get(armtCtx(t), prodRG, "mlw-churn", "churn-key", "blue", nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary,
		"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read", churnScope+"/onlineEndpoints/churn-key/deployments/blue"))
	n := 0
	for p := gary.NewListPager(prodRG, "mlw-churn", "churn-aad", nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			t.Fatalf("gary's endpoint deployments: %v", err)
		}
		n += len(page.Value)
	}
	if n != 2 {
		t.Errorf("gary sees %d deployments of churn-aad", n)
	}
}

// The identity picker's calls (no SDK module for Microsoft.ManagedIdentity is in go.mod: raw requests).
func TestARMUserAssignedIdentities(t *testing.T) {
	e := newARMT(t, Options{})
	const api = "?api-version=2023-01-31"
	type ident struct {
		ID, Name, Type, Location string
		Properties               struct{ TenantID, PrincipalID, ClientID string }
	}
	for _, path := range []string{
		"/subscriptions/" + SubProduction + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities" + api,
		"/subscriptions/" + SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities" + api,
	} {
		code, b := e.get("alice", path)
		var l struct{ Value []ident }
		if code != 200 || json.Unmarshal(b, &l) != nil || len(l.Value) != 1 {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		id := l.Value[0]
		if id.ID != uaiID(SubProduction, prodRG, "id-churn-scoring") || id.Properties.PrincipalID != idUAI || id.Properties.ClientID != appUAI ||
			id.Properties.TenantID != TenantID || id.Type != "Microsoft.ManagedIdentity/userAssignedIdentities" {
			t.Errorf("identity %+v", id)
		}
	}
	code, b := e.get("bob", "/subscriptions/"+SubProduction+"/resourcegroups/RG-ML-PROD/providers/microsoft.managedidentity/userassignedidentities/ID-CHURN-SCORING"+api)
	if code != 200 || !strings.Contains(string(b), `"name":"id-churn-scoring"`) {
		t.Errorf("get: %d %s", code, b)
	}
	code, b = e.get("nina", "/subscriptions/"+SubProduction+"/providers/Microsoft.ManagedIdentity/userAssignedIdentities"+api)
	if c, _ := armtError(t, b); code != 403 || c != "AuthorizationFailed" {
		t.Errorf("nina: %d %s", code, b)
	}
	code, b = e.get("bob", "/subscriptions/"+SubProduction+"/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope"+api)
	if c, _ := armtError(t, b); code != 404 || c != "ResourceNotFound" {
		t.Errorf("missing identity: %d %s", code, b)
	}
}

func TestARMAPIVersions(t *testing.T) {
	e := newARMT(t, Options{})
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	for _, tc := range []struct {
		path, version string
		status        int
		code, msg     string
	}{
		{"/subscriptions", "1999-01-01", 400, "InvalidApiVersionParameter", "The api-version '1999-01-01' is invalid. The supported versions are '2022-12-01,2022-11-01-preview,"},
		{"/subscriptions/" + SubProduction + "/resourcegroups", "2099-01-01", 400, "InvalidApiVersionParameter", "The supported versions are '2025-04-01,2025-03-01,"},
		{ws, "1999-01-01", 400, "NoRegisteredProviderFound", "No registered resource provider found for location 'eastus' and API version '1999-01-01' for type 'workspaces'. The supported api-versions are '2026-03-01, 2025-12-01,"},
		{ws + "/onlineEndpoints", "2020-06-01", 400, "NoRegisteredProviderFound", "for type 'workspaces/onlineEndpoints'"}, // before online endpoints existed
		{"/subscriptions", "", 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."},
		{"/subscriptions", "2016-06-01", 200, "", ""},
		{"/tenants", "2020-01-01", 200, "", ""},
		{"/subscriptions/" + SubProduction + "/resourcegroups", "2019-10-01", 200, "", ""},
		{ws, "2021-04-01", 200, "", ""},
		{ws, "2025-12-01", 200, "", ""},
		{ws + "/onlineEndpoints", "2022-05-01", 200, "", ""},
		{ws + "/onlineEndpoints/churn-key", "2026-03-01", 200, "", ""},
		{ws + "/onlineEndpoints/churn-key/deployments", "2023-04-01-Preview", 200, "", ""}, // case-insensitive
	} {
		q := ""
		if tc.version != "" {
			q = "?api-version=" + tc.version
		}
		code, b := e.get("bob", tc.path+q)
		if code != tc.status {
			t.Errorf("%s%s: %d %s", tc.path, q, code, b)
			continue
		}
		if tc.code != "" {
			if c, m := armtError(t, b); c != tc.code || !strings.Contains(m, tc.msg) {
				t.Errorf("%s%s: %s %q", tc.path, q, c, m)
			}
		}
	}
}

func TestARMRoutingAndHeaders(t *testing.T) {
	e := newARMT(t, Options{})
	// No token: 401 with the challenge, before anything else.
	code, h, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", "", nil, nil)
	if c, _ := armtError(t, b); code != 401 || c != "AuthenticationFailed" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer authorization_uri=") {
		t.Errorf("no token: %d %v %s", code, h, b)
	}
	// A Graph token is the wrong audience for ARM.
	code, _, b = e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", e.token("bob", "https://graph.microsoft.com/.default"), nil, nil)
	if c, _ := armtError(t, b); code != 401 || c != "InvalidAuthenticationTokenAudience" {
		t.Errorf("graph token on ARM: %d %s", code, b)
	}

	tok := e.token("bob", armtScope)
	code, h, _ = e.do(http.MethodGet, "/subscriptions/"+SubProduction+"?api-version=2022-12-01", tok, nil,
		map[string]string{"x-ms-correlation-request-id": "corr-123"})
	if code != 200 || h.Get("x-ms-request-id") == "" || h.Get("x-ms-correlation-request-id") != "corr-123" ||
		h.Get("x-ms-ratelimit-remaining-subscription-reads") == "" {
		t.Errorf("headers: %d %v", code, h)
	}
	ws := wsID(SubProduction, prodRG, "mlw-churn")
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/subscriptions/" + SubProduction + "/providers/Microsoft.Nope/things", 400, "InvalidResourceNamespace"},
		{"GET", "/subscriptions/" + SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/computes", 404, "InvalidResourceType"},
		{"GET", "/subscriptions/" + SubProduction + "/widgets", 404, "InvalidResourceType"},
		{"GET", "/nothing-here", 400, "MissingSubscription"},
		{"PUT", ws, 405, "MethodNotAllowed"},
		{"DELETE", "/subscriptions/" + SubProduction, 405, "MethodNotAllowed"},
	} {
		v := "2024-04-01"
		if !strings.Contains(tc.path, "/providers/") {
			v = "2022-12-01"
		}
		code, h, b := e.do(tc.method, tc.path+"?api-version="+v, tok, nil, nil)
		if c, _ := armtError(t, b); code != tc.status || c != tc.code {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, code, b)
		}
		if code == 405 && h.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tc.method, tc.path)
		}
	}
	// Every segment and name is case-insensitive; ids come back as created.
	code, b = e.get("bob", strings.ToUpper(ws)+"/ONLINEENDPOINTS/CHURN-KEY?api-version=2024-04-01")
	var ep struct{ ID string }
	if code != 200 || json.Unmarshal(b, &ep) != nil || ep.ID != ws+"/onlineEndpoints/churn-key" {
		t.Errorf("upper-case path: %d %s", code, b)
	}
}

// nextLink is absolute, keeps the client's other parameters and pages to the end.
func TestARMNextLink(t *testing.T) {
	e := newARMT(t, Options{PageSize: 2})
	path := "/subscriptions/" + SubProduction + "/providers/Microsoft.MachineLearningServices/workspaces?api-version=2024-04-01&x-keep=1"
	var all []string
	for path != "" {
		code, b := e.get("bob", path)
		var page struct {
			Value    []struct{ Name string }
			NextLink string
		}
		if code != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("%s: %d %s", path, code, b)
		}
		for _, v := range page.Value {
			all = append(all, v.Name)
		}
		path = ""
		if page.NextLink != "" {
			u, err := url.Parse(page.NextLink)
			if err != nil || !strings.HasPrefix(page.NextLink, e.s.URL()+"/subscriptions/") || u.Query().Get("x-keep") != "1" ||
				u.Query().Get("api-version") != "2024-04-01" || u.Query().Get("$skipToken") == "" {
				t.Fatalf("nextLink %q", page.NextLink)
			}
			path = strings.TrimPrefix(page.NextLink, e.s.URL())
		}
	}
	if !slices.Equal(all, []string{"mlw-churn", "mlw-fraud", "mlw-shared"}) {
		t.Errorf("paged %q", all)
	}
	code, b := e.get("bob", "/subscriptions?api-version=2022-12-01&$skipToken=bogus")
	if c, _ := armtError(t, b); code != 400 || c != "InvalidQueryParameterValue" {
		t.Errorf("bad token: %d %s", code, b)
	}
}
