package emulator

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// Fixed ids make the demo world the same on every run: the README, the
// standalone banner and the tests can name them.
const (
	TenantID      = "7c1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
	SubProduction = "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b"
	SubSandbox    = "8e2f4a6c-1b3d-4f5e-8a7c-9b0d2e4f6a8c"

	idAlice  = "a11ce000-0000-4000-8000-00000000a11c"
	idBob    = "b0b00000-0000-4000-8000-000000000b0b"
	idOlivia = "01171a00-0000-4000-8000-0000000001a1"
	idNina   = "0171a000-0000-4000-8000-0000000000a9"
	idGary   = "6a2e0000-0000-4000-8000-000000006a2e"

	idGroupScorers = "5c0e2e25-0000-4000-8000-00000000c0e2"
	idScorerSP     = "5e2f1ce0-0000-4000-8000-0000000005e2"
	appScorer      = "c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e"
	idUAI          = "a1d00000-0000-4000-8000-0000000000a1"
	appUAI         = "3f8a1c2e-5d7b-4e9a-8c1f-2b4d6e8a0c3e"
)

// Built-in role GUIDs used by the seed (from builtin-roles.json).
const (
	roleOwner         = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	roleReader        = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	roleDataScientist = "f6c7c914-8db3-469d-8ca1-694a8f32e121"
)

func rgID(sub, rg string) string { return "/subscriptions/" + sub + "/resourceGroups/" + rg }
func wsID(sub, rg, ws string) string {
	return rgID(sub, rg) + "/providers/Microsoft.MachineLearningServices/workspaces/" + ws
}
func epID(sub, rg, ws, ep string) string { return wsID(sub, rg, ws) + "/onlineEndpoints/" + ep }
func uaiID(sub, rg, name string) string {
	return rgID(sub, rg) + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + name
}

// Provider namespaces and ids of a workspace's associated resources.
const (
	storageNS  = "Microsoft.Storage"
	registryNS = "Microsoft.ContainerRegistry"
	keyVaultNS = "Microsoft.KeyVault"
	insightsNS = "Microsoft.Insights"
)

func storageID(sub, rg, name string) string {
	return rgID(sub, rg) + "/providers/" + storageNS + "/storageAccounts/" + name
}
func blobContainerID(account, name string) string {
	return account + "/blobServices/default/containers/" + name
}
func registryID(sub, rg, name string) string {
	return rgID(sub, rg) + "/providers/" + registryNS + "/registries/" + name
}
func keyVaultID(sub, rg, name string) string {
	return rgID(sub, rg) + "/providers/" + keyVaultNS + "/vaults/" + name
}
func insightsID(sub, rg, name string) string {
	return rgID(sub, rg) + "/providers/" + insightsNS + "/components/" + name
}

// workspaceGUID is the workspace's workspaceId (properties.workspaceId),
// stable per workspace id: its default blob container is named after it.
func workspaceGUID(ws *Workspace) string {
	return stableGUID("workspace|" + strings.ToLower(wsID(ws.Subscription, ws.ResourceGroup, ws.Name)))
}

// workspaceBlobContainer is the workspace's default datastore container
// (workspaceblobstore), where models are uploaded.
func workspaceBlobContainer(ws *Workspace) string { return "azureml-blobstore-" + workspaceGUID(ws) }

// armShortName makes a storage-style name (lower-case letters and digits)
// for the resources a workspace depends on, as the service names them: the
// workspace's name plus a suffix.
func armShortName(prefix, ws string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range strings.ToLower(ws) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	n := b.String()
	return n[:min(len(n), 16)] + stableGUID(prefix + "|" + strings.ToLower(ws))[:8]
}

// addWorkspaceResources creates the storage account (with its blob
// containers), container registry, key vault and Application Insights a
// workspace is created with, in its resource group, and links them.
func (w *World) addWorkspaceResources(ws *Workspace) {
	base := func(prefix string) Resource {
		return Resource{Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup, Name: armShortName(prefix, ws.Name),
			Location: ws.Location, Tags: map[string]string{"createdBy": "azureml"}, CreatedAt: ws.CreatedAt, CreatedBy: "olivia@contoso.example"}
	}
	st := &StorageAccount{Resource: base("st"), Kind: "StorageV2", SKU: "Standard_LRS"}
	ws.StorageAccount = storageID(st.Subscription, st.ResourceGroup, st.Name)
	w.StorageAccounts[strings.ToLower(ws.StorageAccount)] = st
	for _, c := range []string{"azureml", workspaceBlobContainer(ws), "insights-logs"} {
		id := blobContainerID(ws.StorageAccount, c)
		w.BlobContainers[strings.ToLower(id)] = &BlobContainer{Account: ws.StorageAccount, Name: c, CreatedAt: ws.CreatedAt}
	}
	cr := &ContainerRegistry{Resource: base("cr"), SKU: "Basic"}
	ws.ContainerRegistry = registryID(cr.Subscription, cr.ResourceGroup, cr.Name)
	w.Registries[strings.ToLower(ws.ContainerRegistry)] = cr
	kv := &KeyVault{Resource: base("kv"), SKU: "standard", RBACAuthorization: true}
	ws.KeyVault = keyVaultID(kv.Subscription, kv.ResourceGroup, kv.Name)
	w.KeyVaults[strings.ToLower(ws.KeyVault)] = kv
	ai := &AppInsightsComponent{Resource: base("appi"), AppID: newGUID(), InstrumentationKey: newGUID()}
	ws.ApplicationInsights = insightsID(ai.Subscription, ai.ResourceGroup, ai.Name)
	w.AppInsights[strings.ToLower(ws.ApplicationInsights)] = ai
	if ws.PublicNetworkAccess == "" {
		ws.PublicNetworkAccess = "Enabled"
	}
	if ws.ManagedNetwork.IsolationMode == "" {
		ws.ManagedNetwork.IsolationMode = "Disabled"
	}
}

// stableGUID derives a GUID from a name so seeded objects keep their ids.
func stableGUID(name string) string {
	sum := sha256.Sum256([]byte(name))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hexString
	return h(b[0:4]) + "-" + h(b[4:6]) + "-" + h(b[6:8]) + "-" + h(b[8:10]) + "-" + h(b[10:16])
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// newWorld seeds the demo tenant. Every persona tells a story:
// alice can do everything with mlw-churn's endpoints, bob can read but not get
// keys, olivia owns rg-ml-prod and can grant roles, nina has nothing yet, gary
// gets access to churn-aad only through the ml-scorers group.
func newWorld(now time.Time) *World {
	created := now.Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	w := &World{
		Tenant: Tenant{ID: TenantID, DisplayName: "Contoso ML", DefaultDomain: "contoso.example",
			Domains: []string{"contoso.example"}, CountryCode: "US"},
		Users: map[string]*User{}, Groups: map[string]*Group{}, ServicePrincipals: map[string]*ServicePrincipal{},
		Subscriptions: map[string]*Subscription{}, ResourceGroups: map[string]*ResourceGroup{},
		Workspaces: map[string]*Workspace{}, Endpoints: map[string]*Endpoint{}, Deployments: map[string]*Deployment{},
		Identities:      map[string]*UserAssignedIdentity{},
		StorageAccounts: map[string]*StorageAccount{}, BlobContainers: map[string]*BlobContainer{},
		Registries: map[string]*ContainerRegistry{}, KeyVaults: map[string]*KeyVault{}, AppInsights: map[string]*AppInsightsComponent{},
		Models: map[string]*ModelVersion{}, Environments: map[string]*EnvironmentVersion{},
	}
	addUser := func(id, persona, given, sur, job, story string) {
		upn := persona + "@contoso.example"
		w.Users[id] = &User{ID: id, DisplayName: given + " " + sur, UserPrincipalName: upn, Mail: upn,
			GivenName: given, Surname: sur, JobTitle: job, Password: newPersonaPassword(persona), Persona: persona, Story: story}
	}
	addUser(idAlice, "alice", "Alice", "Chen", "Data Scientist", "AzureML Data Scientist on workspace mlw-churn: can create, read, get keys and tokens, and score its endpoints")
	addUser(idBob, "bob", "Bob", "Reyes", "Analyst", "Reader on subscription Contoso ML Production: can look at everything there, cannot get keys or tokens")
	addUser(idOlivia, "olivia", "Olivia", "Okafor", "Platform Owner", "Owner of resource group rg-ml-prod: can do anything there, including assigning roles")
	addUser(idNina, "nina", "Nina", "Novak", "New Joiner", "No role assignment at all yet: sees no subscriptions")
	addUser(idGary, "gary", "Gary", "Lindqvist", "App Developer", "Member of group ml-scorers, which holds AzureML Data Scientist on endpoint churn-aad only")
	w.Groups[idGroupScorers] = &Group{ID: idGroupScorers, DisplayName: "ml-scorers", Description: "Apps and people allowed to score the churn model", Members: []string{idGary}}
	w.ServicePrincipals[idScorerSP] = &ServicePrincipal{ID: idScorerSP, AppID: appScorer, DisplayName: "churn-batch-scorer",
		ServicePrincipalType: "Application", Secrets: []string{newClientSecret()}}

	subs := []*Subscription{
		{ID: SubProduction, DisplayName: "Contoso ML Production", State: "Enabled", Tags: map[string]string{"env": "prod"}},
		{ID: SubSandbox, DisplayName: "Contoso ML Sandbox", State: "Enabled", Tags: map[string]string{"env": "sandbox"}},
	}
	for _, s := range subs {
		w.Subscriptions[strings.ToLower(s.ID)] = s
	}
	for _, rg := range []*ResourceGroup{
		{Subscription: SubProduction, Name: "rg-ml-prod", Location: "eastus", Tags: map[string]string{"owner": "platform"}},
		{Subscription: SubProduction, Name: "rg-ml-shared", Location: "westeurope"},
		{Subscription: SubSandbox, Name: "rg-sandbox", Location: "eastus2"},
	} {
		w.ResourceGroups[strings.ToLower(rgID(rg.Subscription, rg.Name))] = rg
	}
	for _, ws := range []*Workspace{
		{Subscription: SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn", Location: "eastus", FriendlyName: "Customer churn", Description: "Churn prediction models for the retail business"},
		{Subscription: SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-fraud", Location: "eastus", FriendlyName: "Fraud detection", Description: "Card fraud scoring, including on-prem Kubernetes inference"},
		{Subscription: SubProduction, ResourceGroup: "rg-ml-shared", Name: "mlw-shared", Location: "westeurope", FriendlyName: "Shared models", Description: "Models shared across teams"},
		{Subscription: SubSandbox, ResourceGroup: "rg-sandbox", Name: "mlw-sandbox", Location: "eastus2", FriendlyName: "Sandbox", Description: "Experiments; anything goes"},
	} {
		ws.CreatedAt = created
		ws.Tags = map[string]string{"team": "ml"}
		if ws.Name == "mlw-fraud" {
			// The locked-down one: a managed network that allows only approved
			// outbound traffic, a private endpoint and a customer-managed key.
			ws.ManagedNetwork = ManagedNetwork{IsolationMode: "AllowOnlyApprovedOutbound", NetworkID: stableGUID("managed-network|mlw-fraud"),
				OutboundRules: map[string]FQDN{"allow-pypi": {Destination: "pypi.org"}}}
			ws.PrivateEndpoints = []PrivateEndpointConnection{{Name: "pe-mlw-fraud",
				PrivateEndpoint: rgID(ws.Subscription, ws.ResourceGroup) + "/providers/Microsoft.Network/privateEndpoints/pe-mlw-fraud"}}
		}
		w.addWorkspaceResources(ws)
		if ws.Name == "mlw-fraud" {
			kv := w.KeyVaults[strings.ToLower(ws.KeyVault)]
			ws.EncryptionKey = "https://" + kv.Name + ".vault.azure.net/keys/cmk-mlw-fraud/" + hexString([]byte(stableGUID("cmk|mlw-fraud"))[:16])
		}
		w.Workspaces[strings.ToLower(wsID(ws.Subscription, ws.ResourceGroup, ws.Name))] = ws
		w.addEnvironments(ws)
	}
	uai := &UserAssignedIdentity{Subscription: SubProduction, ResourceGroup: "rg-ml-prod", Name: "id-churn-scoring", Location: "eastus", PrincipalID: idUAI, ClientID: appUAI}
	w.Identities[strings.ToLower(uaiID(uai.Subscription, uai.ResourceGroup, uai.Name))] = uai
	w.ServicePrincipals[idUAI] = &ServicePrincipal{ID: idUAI, AppID: appUAI, DisplayName: "id-churn-scoring", ServicePrincipalType: "ManagedIdentity",
		AlternativeNames: []string{uaiID(uai.Subscription, uai.ResourceGroup, uai.Name)}}

	type epSeed struct {
		sub, rg, ws, name, auth, compute, desc string
		green                                  int32
		uai                                    bool
	}
	for _, e := range []epSeed{
		{SubProduction, "rg-ml-prod", "mlw-churn", "churn-key", "Key", "Managed", "Churn model behind a key (the classic setup)", 10, false},
		{SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml", "AMLToken", "Managed", "Churn model behind expiring AML tokens", 0, false},
		{SubProduction, "rg-ml-prod", "mlw-churn", "churn-aad", "AADToken", "Managed", "Churn model for apps signing in with Entra ID", 25, true},
		{SubProduction, "rg-ml-prod", "mlw-fraud", "fraud-k8s", "Key", "Kubernetes", "Fraud model on the on-prem Kubernetes cluster (aad_token is not available there)", 50, false},
		{SubProduction, "rg-ml-prod", "mlw-fraud", "fraud-aad", "AADToken", "Managed", "Fraud model for internal services", 10, false},
		{SubProduction, "rg-ml-shared", "mlw-shared", "shared-sentiment", "AMLToken", "Managed", "Sentiment model shared with other teams", 0, false},
		{SubSandbox, "rg-sandbox", "mlw-sandbox", "sandbox-echo", "Key", "Managed", "Try anything here", 50, false},
	} {
		ws := w.Workspaces[strings.ToLower(wsID(e.sub, e.rg, e.ws))]
		id := epID(e.sub, e.rg, e.ws, e.name)
		ep := &Endpoint{Incarnation: newGUID(), Subscription: e.sub, ResourceGroup: e.rg, Workspace: e.ws, Name: e.name, Location: w.Workspaces[strings.ToLower(wsID(e.sub, e.rg, e.ws))].Location,
			Description: e.desc, AuthMode: e.auth, ComputeType: e.compute, ProvisioningState: "Succeeded",
			Traffic:  map[string]int32{"blue": 100 - e.green, "green": e.green},
			Identity: Identity{Type: "SystemAssigned", PrincipalID: stableGUID("sai|" + id), TenantID: TenantID},
			Tags:     map[string]string{"model": strings.SplitN(e.name, "-", 2)[0]}, Properties: map[string]string{"azureml.onlineendpointid": id},
			PrimaryKey: newEndpointKey(), SecondaryKey: newEndpointKey(),
			CreatedAt: created, CreatedBy: "alice@contoso.example", ModifiedAt: created.Add(48 * time.Hour), ModifiedBy: "olivia@contoso.example"}
		if e.compute == "Kubernetes" {
			ep.Compute = wsID(e.sub, e.rg, e.ws) + "/computes/onprem-k8s"
		}
		if e.uai {
			ep.Identity = Identity{Type: "UserAssigned", TenantID: TenantID, UserAssigned: []string{uaiID(uai.Subscription, uai.ResourceGroup, uai.Name)}}
		} else {
			w.ServicePrincipals[strings.ToLower(ep.Identity.PrincipalID)] = &ServicePrincipal{ID: ep.Identity.PrincipalID, AppID: stableGUID("app|" + id),
				DisplayName: e.name, ServicePrincipalType: "ManagedIdentity", AlternativeNames: []string{id}}
			for _, a := range endpointAutoRoles(ws, false) {
				w.addRoleAssignment(stableGUID("ra|"+ep.Identity.PrincipalID+"|"+a.role+"|"+strings.ToLower(a.scope)),
					ep.Identity.PrincipalID, "ServicePrincipal", a.role, a.scope, created, time.Time{})
			}
		}
		w.Endpoints[strings.ToLower(id)] = ep
		for i, dep := range []string{"blue", "green"} {
			d := &Deployment{Subscription: e.sub, ResourceGroup: e.rg, Workspace: e.ws, Endpoint: e.name, Name: dep, Location: ep.Location,
				ComputeType: e.compute, InstanceType: "Standard_DS3_v2", InstanceCount: int32(1 + i), Model: "azureml:" + e.name + "-model:" + []string{"1", "2"}[i],
				ProvisioningState: "Succeeded", CreatedAt: created.Add(time.Duration(i) * 24 * time.Hour)}
			d.Weights, d.Bias = modelWeights(e.name+"/"+dep, i)
			w.Deployments[strings.ToLower(id+"/deployments/"+dep)] = d
			w.addModel(ws, e.name+"-model", []string{"1", "2"}[i], created)
		}
	}

	assign := func(principal, ptype, role, scope string) {
		w.addRoleAssignment(stableGUID("ra|"+principal+"|"+role+"|"+strings.ToLower(scope)), principal, ptype, role, scope, created, time.Time{})
	}
	assign(idAlice, "User", roleDataScientist, wsID(SubProduction, "rg-ml-prod", "mlw-churn"))
	assign(idAlice, "User", roleReader, rgID(SubProduction, "rg-ml-prod"))
	assign(idBob, "User", roleReader, "/subscriptions/"+SubProduction)
	assign(idOlivia, "User", roleOwner, rgID(SubProduction, "rg-ml-prod"))
	assign(idGroupScorers, "Group", roleDataScientist, epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aad"))
	assign(idScorerSP, "ServicePrincipal", roleDataScientist, wsID(SubProduction, "rg-ml-prod", "mlw-churn"))
	assign(idScorerSP, "ServicePrincipal", roleReader, "/subscriptions/"+SubSandbox)
	// The user-assigned identity may read mlw-churn's models, but nobody
	// gave it AcrPull: churn-custom's custom image cannot be pulled (addUAIEndpoint).
	assign(idUAI, "ServicePrincipal", roleBlobDataReader, w.Workspaces[strings.ToLower(wsID(SubProduction, "rg-ml-prod", "mlw-churn"))].StorageAccount)
	for _, u := range []string{idAlice, idOlivia} {
		assign(u, "User", roleOwner, "/subscriptions/"+SubSandbox)
	}
	keyEp := epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-key")
	w.Denies = append(w.Denies, rbac.DenyAssignment{
		ID:   keyEp + "/providers/Microsoft.Authorization/denyAssignments/" + stableGUID("deny|keys"),
		Name: stableGUID("deny|keys"), DenyAssignmentName: "Production keys are rotated by the platform team",
		Description: "Only the platform team (olivia) may regenerate keys of production endpoints.", Scope: keyEp,
		Permissions:       []rbac.Permission{{Actions: []string{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"}}},
		Principals:        []rbac.Principal{{ID: rbac.Everyone, Type: "SystemDefined"}},
		ExcludePrincipals: []rbac.Principal{{ID: idOlivia, Type: "User"}},
	})
	w.addUAIEndpoint(created)
	return w
}

// scopeSub is the subscription of a scope ("" at the root).
func scopeSub(scope string) string {
	seg := strings.Split(strings.Trim(scope, "/"), "/")
	if len(seg) >= 2 && strings.EqualFold(seg[0], "subscriptions") {
		return seg[1]
	}
	return ""
}

// modelWeights makes a small deterministic linear model per deployment, so
// blue and green answer differently to the same input.
func modelWeights(name string, variant int) ([]float64, float64) {
	sum := sha256.Sum256([]byte(name))
	ws := make([]float64, 10)
	for i := range ws {
		ws[i] = float64(int(sum[i])%21-10) / 100
	}
	return ws, float64(variant) * 0.25
}

// addLoadEndpoints adds n generated endpoints (no deployments) to the
// sandbox workspace, so a big list can be tried in the demo.
func (w *World) addLoadEndpoints(n int) {
	ws := w.Workspaces[strings.ToLower(wsID(SubSandbox, "rg-sandbox", "mlw-sandbox"))]
	if ws == nil {
		return
	}
	modes := []string{"Key", "AMLToken", "AADToken"}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("load-%05d", i)
		id := epID(SubSandbox, "rg-sandbox", "mlw-sandbox", name)
		w.Endpoints[strings.ToLower(id)] = &Endpoint{Incarnation: newGUID(), Subscription: SubSandbox, ResourceGroup: "rg-sandbox", Workspace: "mlw-sandbox", Name: name,
			Location: ws.Location, AuthMode: modes[i%3], ComputeType: "Managed", ProvisioningState: "Succeeded",
			Identity:   Identity{Type: "None"}, // no traffic map or properties: 100,000 of them are a demo's memory
			PrimaryKey: newEndpointKey(), SecondaryKey: newEndpointKey(), CreatedAt: ws.CreatedAt, CreatedBy: "olivia@contoso.example"}
	}
}

// Seeded assets: every workspace has a curated-image environment (public
// registry) and a custom-image one (its own registry); every seeded
// deployment's model exists.
const (
	envCurated = "sklearn-env"
	envCustom  = "custom-scoring"
	// curatedImage is Microsoft's public image the curated environment uses.
	curatedImage = "mcr.microsoft.com/azureml/curated/sklearn-1.5:14"
)

func (w *World) addEnvironments(ws *Workspace) {
	reg := w.Registries[strings.ToLower(ws.ContainerRegistry)]
	for _, x := range []*EnvironmentVersion{
		{Name: envCurated, Version: "1", Description: "scikit-learn 1.5 on Microsoft's curated inference image", Image: curatedImage},
		{Name: envCustom, Version: "1", Description: "The team's own scoring image, built into the workspace's registry",
			Image: strings.ToLower(reg.Name) + ".azurecr.io/azureml/custom-scoring:1", Registry: ws.ContainerRegistry},
	} {
		x.Subscription, x.ResourceGroup, x.Workspace, x.CreatedAt, x.CreatedBy = ws.Subscription, ws.ResourceGroup, ws.Name, ws.CreatedAt, "olivia@contoso.example"
		w.Environments[strings.ToLower(environmentID(ws, x.Name, x.Version))] = x
	}
}

func (w *World) addModel(ws *Workspace, name, version string, created time.Time) {
	container := blobContainerID(ws.StorageAccount, workspaceBlobContainer(ws))
	w.Models[strings.ToLower(modelID(ws, name, version))] = &ModelVersion{Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup,
		Workspace: ws.Name, Name: name, Version: version, Description: "Registered by the training pipeline", ModelType: "custom_model",
		Container: container, Path: "LocalUpload/" + stableGUID("model|" + name + "|" + version)[:8] + "/" + name + "/", CreatedAt: created,
		CreatedBy: "alice@contoso.example"}
}

func modelID(ws *Workspace, name, version string) string {
	return wsID(ws.Subscription, ws.ResourceGroup, ws.Name) + "/models/" + name + "/versions/" + version
}

func environmentID(ws *Workspace, name, version string) string {
	return wsID(ws.Subscription, ws.ResourceGroup, ws.Name) + "/environments/" + name + "/versions/" + version
}

// addUAIEndpoint seeds churn-custom: an endpoint in mlw-churn that runs as the
// user-assigned identity id-churn-scoring, which may read the workspace's
// models but has no AcrPull on its registry. Its deployment uses the custom
// image, so its provisioning failed as Azure's does ("Authorization error",
// arm_deployment_write.go); someone who may assign roles (olivia) fixes it
// by giving the identity AcrPull on the registry, then deploys again.
func (w *World) addUAIEndpoint(created time.Time) {
	ws := w.Workspaces[strings.ToLower(wsID(SubProduction, "rg-ml-prod", "mlw-churn"))]
	id := epID(ws.Subscription, ws.ResourceGroup, ws.Name, "churn-custom")
	uai := uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring")
	ep := &Endpoint{Incarnation: newGUID(), Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup, Workspace: ws.Name, Name: "churn-custom",
		Location: ws.Location, Description: "Churn model running as a user-assigned identity (its deployment failed: the identity cannot pull the image)",
		AuthMode: "Key", ComputeType: "Managed", ProvisioningState: "Succeeded", Traffic: map[string]int32{"blue": 100},
		Identity: Identity{Type: "UserAssigned", TenantID: TenantID, UserAssigned: []string{uai}},
		Tags:     map[string]string{"model": "churn"}, Properties: map[string]string{"azureml.onlineendpointid": id},
		PrimaryKey: newEndpointKey(), SecondaryKey: newEndpointKey(), PublicNetworkAccess: "Enabled",
		CreatedAt: created, CreatedBy: "alice@contoso.example", ModifiedAt: created, ModifiedBy: "alice@contoso.example"}
	w.Endpoints[strings.ToLower(id)] = ep
	w.addModel(ws, "churn-custom-model", "1", created)
	d := &Deployment{Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup, Workspace: ws.Name, Endpoint: ep.Name, Name: "blue",
		Location: ws.Location, ComputeType: "Managed", InstanceType: "Standard_DS3_v2", InstanceCount: 1,
		Model: "azureml:churn-custom-model:1", EnvironmentID: "azureml:" + envCustom + ":1", CreatedAt: created, CreatedBy: "alice@contoso.example",
		RequestSettings: defaultRequestSettings, ScaleType: "Default", NeverReady: true}
	d.Weights, d.Bias = modelWeights("churn-custom/blue", 0)
	w.Deployments[strings.ToLower(id+"/deployments/blue")] = d
	// What the provisioning found: the same check a deployment runs.
	roles := rbac.RoleSet(rbac.BuiltinRoles()).Index()
	f := provisioningFailure(w, ep, d, func(principal, action string, data bool, scope string) bool {
		return w.identityCan(roles, principal, action, data, scope, created)
	})
	d.ProvisioningState = "Failed"
	if f != nil {
		d.StorageInitializerLog, d.InferenceServerLog = f.storageLog, f.serverLog
	}
}
