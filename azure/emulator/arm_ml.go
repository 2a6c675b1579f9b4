package emulator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// Microsoft.MachineLearningServices: workspaces, online endpoints and
// online deployments, shaped as the 2025-12-01 spec and decoded by
// armmachinelearning/v4 (which sends 2024-04-01: the shapes agree).

// armSKUJSON is common-types v3 Sku (name required; tier Free|Basic|Standard|Premium).
type armSKUJSON struct {
	Name     string `json:"name"`
	Tier     string `json:"tier,omitempty"`
	Size     string `json:"size,omitempty"`
	Family   string `json:"family,omitempty"`
	Capacity *int32 `json:"capacity,omitempty"`
}

type armSystemDataJSON struct {
	CreatedAt          string `json:"createdAt"`
	CreatedBy          string `json:"createdBy,omitempty"`
	CreatedByType      string `json:"createdByType,omitempty"`
	LastModifiedAt     string `json:"lastModifiedAt"`
	LastModifiedBy     string `json:"lastModifiedBy,omitempty"`
	LastModifiedByType string `json:"lastModifiedByType,omitempty"`
}

// armMSIJSON is common-types ManagedServiceIdentity.
type armMSIJSON struct {
	Type                   string               `json:"type"`
	PrincipalID            string               `json:"principalId,omitempty"`
	TenantID               string               `json:"tenantId,omitempty"`
	UserAssignedIdentities map[string]armUAIRef `json:"userAssignedIdentities,omitempty"`
}

type armUAIRef struct {
	PrincipalID string `json:"principalId"`
	ClientID    string `json:"clientId"`
}

type armWorkspaceJSON struct {
	ID         string              `json:"id"`
	Name       string              `json:"name"`
	Type       string              `json:"type"`
	Location   string              `json:"location"`
	Kind       string              `json:"kind"`
	Tags       map[string]string   `json:"tags"`
	Identity   armMSIJSON          `json:"identity"`
	SKU        armSKUJSON          `json:"sku"`
	SystemData armSystemDataJSON   `json:"systemData"`
	Properties armWorkspacePropsJS `json:"properties"`
}

type armWorkspacePropsJS struct {
	FriendlyName                    string `json:"friendlyName"`
	Description                     string `json:"description"`
	StorageAccount                  string `json:"storageAccount"`
	KeyVault                        string `json:"keyVault"`
	ApplicationInsights             string `json:"applicationInsights"`
	ContainerRegistry               string `json:"containerRegistry"`
	DiscoveryURL                    string `json:"discoveryUrl"`
	MlFlowTrackingURI               string `json:"mlFlowTrackingUri"`
	WorkspaceID                     string `json:"workspaceId"`
	TenantID                        string `json:"tenantId"`
	HbiWorkspace                    bool   `json:"hbiWorkspace"`
	AllowPublicAccessWhenBehindVnet bool   `json:"allowPublicAccessWhenBehindVnet"`
	PublicNetworkAccess             string `json:"publicNetworkAccess"`
	PrivateLinkCount                int32  `json:"privateLinkCount"`
	ProvisioningState               string `json:"provisioningState"`
	StorageHnsEnabled               bool   `json:"storageHnsEnabled"`
	V1LegacyMode                    bool   `json:"v1LegacyMode"`
	EnableDataIsolation             bool   `json:"enableDataIsolation"`

	ManagedNetwork             armManagedNetworkJSON    `json:"managedNetwork"`
	PrivateEndpointConnections []armPrivateEndpointJSON `json:"privateEndpointConnections"`
	Encryption                 armEncryptionJSON        `json:"encryption"`
}

// armManagedNetworkJSON is ManagedNetworkSettings (workspaceRP.json).
type armManagedNetworkJSON struct {
	IsolationMode string                         `json:"isolationMode"`
	NetworkID     string                         `json:"networkId,omitempty"`
	OutboundRules map[string]armOutboundRuleJSON `json:"outboundRules"`
	Status        struct {
		SparkReady bool   `json:"sparkReady"`
		Status     string `json:"status"`
	} `json:"status"`
}

// armOutboundRuleJSON is an FqdnOutboundRule (type "FQDN").
type armOutboundRuleJSON struct {
	Type        string `json:"type"`
	Category    string `json:"category"`
	Destination string `json:"destination"`
	Status      string `json:"status"`
}

type armPrivateEndpointJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Properties struct {
		PrivateEndpoint struct {
			ID string `json:"id"`
		} `json:"privateEndpoint"`
		PrivateLinkServiceConnectionState struct {
			Description     string `json:"description"`
			ActionsRequired string `json:"actionsRequired"`
			Status          string `json:"status"`
		} `json:"privateLinkServiceConnectionState"`
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

// armEncryptionJSON is EncryptionProperty. A customer-managed key is read
// with the workspace's system-assigned identity (no identity block).
type armEncryptionJSON struct {
	Status             string                `json:"status"` // Enabled | Disabled
	KeyVaultProperties *armKeyVaultPropsJSON `json:"keyVaultProperties,omitempty"`
}

type armKeyVaultPropsJSON struct {
	KeyVaultArmID    string `json:"keyVaultArmId"`
	KeyIdentifier    string `json:"keyIdentifier"`
	IdentityClientID string `json:"identityClientId"`
}

type armEndpointJSON struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Type       string             `json:"type"`
	Location   string             `json:"location"`
	Kind       string             `json:"kind"`
	Tags       map[string]string  `json:"tags"`
	Identity   armMSIJSON         `json:"identity"`
	SKU        armSKUJSON         `json:"sku"`
	SystemData armSystemDataJSON  `json:"systemData"`
	Properties armEndpointPropsJS `json:"properties"`
}

type armEndpointPropsJS struct {
	AuthMode            string            `json:"authMode"`
	Description         string            `json:"description"`
	Compute             *string           `json:"compute"` // null for managed endpoints, as the service answers
	Properties          map[string]string `json:"properties"`
	Traffic             map[string]int32  `json:"traffic"`
	MirrorTraffic       map[string]int32  `json:"mirrorTraffic"`
	PublicNetworkAccess string            `json:"publicNetworkAccess"`
	ProvisioningState   string            `json:"provisioningState"`
	ScoringURI          string            `json:"scoringUri"`
	SwaggerURI          string            `json:"swaggerUri"`
}

type armDeploymentJSON struct {
	ID         string               `json:"id"`
	Name       string               `json:"name"`
	Type       string               `json:"type"`
	Location   string               `json:"location"`
	Kind       string               `json:"kind"`
	Tags       map[string]string    `json:"tags"`
	SKU        armSKUJSON           `json:"sku"`
	SystemData armSystemDataJSON    `json:"systemData"`
	Properties armDeploymentPropsJS `json:"properties"`
}

// armDeploymentPropsJS is ManagedOnlineDeployment or KubernetesOnlineDeployment,
// told apart by endpointComputeType (the SDK's discriminator).
type armDeploymentPropsJS struct {
	EndpointComputeType           string                 `json:"endpointComputeType"`
	Description                   string                 `json:"description"`
	Model                         string                 `json:"model"`
	InstanceType                  string                 `json:"instanceType"`
	Properties                    map[string]string      `json:"properties"`
	CodeConfiguration             armCodeConfigJSON      `json:"codeConfiguration"`
	EnvironmentID                 string                 `json:"environmentId"`
	EnvironmentVariables          map[string]string      `json:"environmentVariables"`
	ScaleSettings                 map[string]string      `json:"scaleSettings"`
	RequestSettings               armRequestSettingsJSON `json:"requestSettings"`
	AppInsightsEnabled            bool                   `json:"appInsightsEnabled"`
	LivenessProbe                 armProbeJSON           `json:"livenessProbe"`
	ReadinessProbe                armProbeJSON           `json:"readinessProbe"`
	StartupProbe                  armProbeJSON           `json:"startupProbe"`
	EgressPublicNetworkAccess     string                 `json:"egressPublicNetworkAccess"`
	ProvisioningState             string                 `json:"provisioningState"`
	ContainerResourceRequirements *armContainerResources `json:"containerResourceRequirements,omitempty"`
}

type armCodeConfigJSON struct {
	CodeID        string `json:"codeId"`
	ScoringScript string `json:"scoringScript"`
}

type armRequestSettingsJSON struct {
	MaxConcurrentRequestsPerInstance int32  `json:"maxConcurrentRequestsPerInstance"`
	RequestTimeout                   string `json:"requestTimeout"`
	MaxQueueWait                     string `json:"maxQueueWait"`
}

type armProbeJSON struct {
	FailureThreshold int32  `json:"failureThreshold"`
	SuccessThreshold int32  `json:"successThreshold"`
	Timeout          string `json:"timeout"`
	Period           string `json:"period"`
	InitialDelay     string `json:"initialDelay"`
}

type armContainerResources struct {
	Limits   map[string]string `json:"containerResourceLimits"`
	Requests map[string]string `json:"containerResourceRequests"`
}

func armEndpointID(e *Endpoint) string {
	return wsID(e.Subscription, e.ResourceGroup, e.Workspace) + "/onlineEndpoints/" + e.Name
}

func armDeploymentID(d *Deployment) string {
	return wsID(d.Subscription, d.ResourceGroup, d.Workspace) + "/onlineEndpoints/" + d.Endpoint + "/deployments/" + d.Name
}

// The workspace's system identity is derived from its id so it stays the
// same across runs.

func armSystemData(createdAt time.Time, createdBy string, modifiedAt time.Time, modifiedBy string) armSystemDataJSON {
	if modifiedAt.IsZero() {
		modifiedAt, modifiedBy = createdAt, createdBy
	}
	return armSystemDataJSON{
		CreatedAt: armTimestamp(createdAt), CreatedBy: createdBy, CreatedByType: armPrincipalType(createdBy),
		LastModifiedAt: armTimestamp(modifiedAt), LastModifiedBy: modifiedBy, LastModifiedByType: armPrincipalType(modifiedBy),
	}
}

// armPrincipalType guesses systemData's createdByType: users are recorded by
// UPN, applications by client id.
func armPrincipalType(by string) string {
	switch {
	case by == "":
		return ""
	case strings.Contains(by, "@"):
		return "User"
	default:
		return "Application"
	}
}

func (s *armHost) armWorkspaceJSON(x *Workspace) armWorkspaceJSON {
	id := wsID(x.Subscription, x.ResourceGroup, x.Name)
	wsGUID := workspaceGUID(x)
	j := armWorkspaceJSON{
		ID: id, Name: x.Name, Type: mlNS + "/workspaces", Location: x.Location, Kind: "Default", Tags: nonNilMap(x.Tags),
		Identity:   armMSIJSON{Type: "SystemAssigned", PrincipalID: stableGUID("workspace-identity|" + strings.ToLower(id)), TenantID: s.world.Tenant.ID},
		SKU:        armSKUJSON{Name: "Basic", Tier: "Basic"},
		SystemData: armSystemData(x.CreatedAt, "", x.CreatedAt, ""),
		Properties: armWorkspacePropsJS{
			FriendlyName: cmp.Or(x.FriendlyName, x.Name), Description: x.Description,
			StorageAccount: x.StorageAccount, KeyVault: x.KeyVault,
			ApplicationInsights: x.ApplicationInsights, ContainerRegistry: x.ContainerRegistry,
			DiscoveryURL:      "https://" + x.Location + ".api.azureml.ms/discovery",
			MlFlowTrackingURI: "azureml://" + x.Location + ".api.azureml.ms/mlflow/v1.0" + id,
			WorkspaceID:       wsGUID, TenantID: s.world.Tenant.ID,
			PublicNetworkAccess: cmp.Or(x.PublicNetworkAccess, "Enabled"), ProvisioningState: "Succeeded",
			PrivateLinkCount:           int32(len(x.PrivateEndpoints)),
			ManagedNetwork:             armManagedNetwork(x.ManagedNetwork),
			PrivateEndpointConnections: []armPrivateEndpointJSON{},
			Encryption:                 armEncryptionJSON{Status: "Disabled"},
		},
	}
	for _, pe := range x.PrivateEndpoints {
		c := armPrivateEndpointJSON{ID: id + "/privateEndpointConnections/" + pe.Name, Name: pe.Name, Type: mlNS + "/workspaces/privateEndpointConnections"}
		c.Properties.PrivateEndpoint.ID = pe.PrivateEndpoint
		st := &c.Properties.PrivateLinkServiceConnectionState
		st.Status, st.Description, st.ActionsRequired = "Approved", "Auto-Approved", "None"
		c.Properties.ProvisioningState = "Succeeded"
		j.Properties.PrivateEndpointConnections = append(j.Properties.PrivateEndpointConnections, c)
	}
	if x.EncryptionKey != "" {
		j.Properties.Encryption.Status = "Enabled"
		j.Properties.Encryption.KeyVaultProperties = &armKeyVaultPropsJSON{KeyVaultArmID: x.KeyVault, KeyIdentifier: x.EncryptionKey}
	}
	return j
}

// armManagedNetwork renders a managed network; a provisioned one is Active.
func armManagedNetwork(n ManagedNetwork) armManagedNetworkJSON {
	j := armManagedNetworkJSON{IsolationMode: cmp.Or(n.IsolationMode, "Disabled"), NetworkID: n.NetworkID, OutboundRules: map[string]armOutboundRuleJSON{}}
	j.Status.Status = "Inactive"
	if n.NetworkID != "" {
		j.Status.Status = "Active"
	}
	for name, r := range n.OutboundRules {
		j.OutboundRules[name] = armOutboundRuleJSON{Type: "FQDN", Category: "UserDefined", Destination: r.Destination, Status: j.Status.Status}
	}
	return j
}

// armWorkspace resolves q's resource group and workspace, or the 404 ARM
// gives for the first one missing. The caller holds s.mu (read).
func (s *armHost) armWorkspace(q *armReq) (*Workspace, *armOutcome) {
	if _, miss := s.armResourceGroup(q); miss != nil {
		return nil, miss
	}
	if x := s.world.Workspaces[armKey(q.scopeThrough("ws"))]; x != nil {
		return x, nil
	}
	o := armNotFound(mlNS+"/workspaces/"+q.p["ws"], q.p["rg"])
	return nil, &o
}

// GET .../providers/Microsoft.MachineLearningServices/workspaces, by
// subscription or by resource group: the workspaces the caller may read.
func (s *armHost) armListWorkspaces(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		parent := q.scopeThrough("sub")
		rg, byRG := q.p["rg"]
		if byRG {
			parent = q.scopeThrough("rg")
			if _, miss := s.armResourceGroup(q); miss != nil {
				return s.armMissing(q.c, *miss, actWorkspaceRead, parent)
			}
		}
		var list []*Workspace
		for _, x := range s.world.Workspaces {
			if !rbac.EqualOrdinalIgnoreCase(x.Subscription, q.p["sub"]) || (byRG && !rbac.EqualOrdinalIgnoreCase(x.ResourceGroup, rg)) {
				continue
			}
			if s.armCan(q.c, actWorkspaceRead, wsID(x.Subscription, x.ResourceGroup, x.Name)) {
				list = append(list, x)
			}
		}
		if o := s.armListRefusal(q.c, len(list), actWorkspaceRead, parent); o != nil {
			return *o
		}
		slices.SortFunc(list, func(a, b *Workspace) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.ResourceGroup), strings.ToLower(b.ResourceGroup)),
				cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
		})
		return armItemsOf(list, func(x *Workspace) any { return s.armWorkspaceJSON(x) })
	})
}

// GET .../workspaces/{ws}.
func (s *armHost) armGetWorkspace(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, actWorkspaceRead, q.scope()); o != nil {
			return *o
		}
		x, miss := s.armWorkspace(q)
		if miss != nil {
			return *miss
		}
		return armOK(s.armWorkspaceJSON(x))
	})
}

// armEndpointKind is the endpoint's "kind" as the ML service reports it.
func armEndpointKind(computeType string) string {
	if strings.EqualFold(computeType, "Kubernetes") {
		return "K8S"
	}
	return "Managed"
}

func (s *armHost) armEndpointJSON(e *Endpoint) armEndpointJSON {
	id := armEndpointID(e)
	loc := e.Location
	if loc == "" {
		if x := s.world.Workspaces[armKey(wsID(e.Subscription, e.ResourceGroup, e.Workspace))]; x != nil {
			loc = x.Location
		}
	}
	base := s.url + "/inference/" + loc + "/" + e.Name
	props := map[string]string{"azureml.onlineendpointid": strings.ToLower(id)}
	for k, v := range e.Properties {
		props[k] = v
	}
	var capacity int32
	for _, d := range s.world.Deployments {
		if armDeploymentOf(d, e) {
			capacity += d.InstanceCount
		}
	}
	sku := armSKUJSON{Name: "Default", Tier: "Standard", Capacity: &capacity}
	if e.SKU != nil {
		sku = armSKUJSON{Name: e.SKU.Name, Tier: e.SKU.Tier, Size: e.SKU.Size, Family: e.SKU.Family, Capacity: e.SKU.Capacity}
	}
	var compute *string
	if e.Compute != "" {
		compute = &e.Compute
	}
	return armEndpointJSON{
		ID: id, Name: e.Name, Type: mlNS + "/workspaces/onlineEndpoints", Location: loc,
		Kind: armEndpointKind(e.ComputeType), Tags: nonNilMap(e.Tags), Identity: s.armEndpointIdentity(e.Identity),
		SKU:        sku,
		SystemData: armSystemData(e.CreatedAt, e.CreatedBy, e.ModifiedAt, e.ModifiedBy),
		Properties: armEndpointPropsJS{
			AuthMode: e.AuthMode, Description: e.Description, Compute: compute, Properties: props,
			Traffic: nonNilMap(e.Traffic), MirrorTraffic: nonNilMap(e.MirrorTraffic), PublicNetworkAccess: cmp.Or(e.PublicNetworkAccess, "Enabled"),
			ProvisioningState: cmp.Or(e.ProvisioningState, "Succeeded"), ScoringURI: base + "/score", SwaggerURI: base + "/swagger.json",
		},
	}
}

// armEndpointIdentity renders the endpoint's managed identity; user-assigned
// identities carry their principal and client ids, as ARM expands them.
func (s *armHost) armEndpointIdentity(id Identity) armMSIJSON {
	j := armMSIJSON{Type: cmp.Or(id.Type, "None")}
	if strings.Contains(j.Type, "SystemAssigned") {
		j.PrincipalID, j.TenantID = id.PrincipalID, cmp.Or(id.TenantID, s.world.Tenant.ID)
	}
	if len(id.UserAssigned) > 0 {
		j.UserAssignedIdentities = map[string]armUAIRef{}
		for _, ref := range id.UserAssigned {
			u := armUAIRef{}
			if x := s.world.Identities[armKey(ref)]; x != nil {
				u = armUAIRef{PrincipalID: x.PrincipalID, ClientID: x.ClientID}
			}
			j.UserAssignedIdentities[ref] = u
		}
	}
	return j
}

// armEndpoint resolves q's endpoint (and its ancestors), or the first 404.
// The caller holds s.mu (read).
func (s *armHost) armEndpoint(q *armReq) (*Endpoint, *armOutcome) {
	if _, miss := s.armWorkspace(q); miss != nil {
		return nil, miss
	}
	if e := s.world.Endpoints[armKey(q.scopeThrough("ep"))]; e != nil {
		return e, nil
	}
	o := armNotFound(mlNS+"/workspaces/"+q.p["ws"]+"/onlineEndpoints/"+q.p["ep"], q.p["rg"])
	return nil, &o
}

// armDeployment resolves q's deployment (and its ancestors), or the first
// 404. The caller holds s.mu (read).
func (s *armHost) armDeployment(q *armReq) (*Deployment, *armOutcome) {
	if _, miss := s.armEndpoint(q); miss != nil {
		return nil, miss
	}
	if d := s.world.Deployments[armKey(q.scopeThrough("dep"))]; d != nil {
		return d, nil
	}
	o := armNotFound(mlNS+"/workspaces/"+q.p["ws"]+"/onlineEndpoints/"+q.p["ep"]+"/deployments/"+q.p["dep"], q.p["rg"])
	return nil, &o
}

// GET .../workspaces/{ws}/onlineEndpoints: the endpoints the caller may read,
// with the list options the SDK sends (name, computeType, tags, orderBy).
func (s *armHost) armListEndpoints(w http.ResponseWriter, q *armReq) {
	if s.armEndpointPage(w, q) { // the default order, a page at a time (arm_endpoint_index.go)
		return
	}
	s.armRespond(w, q, func() armOutcome {
		parent := q.scopeThrough("ws")
		if _, miss := s.armWorkspace(q); miss != nil {
			return s.armMissing(q.c, *miss, actEndpointRead, parent)
		}
		qv := q.r.URL.Query()
		can := s.armCanEach(q.c, actEndpointRead, parent)
		var list []*Endpoint
		for _, e := range s.world.Endpoints {
			if !rbac.EqualOrdinalIgnoreCase(e.Workspace, q.p["ws"]) || !rbac.EqualOrdinalIgnoreCase(e.ResourceGroup, q.p["rg"]) ||
				!rbac.EqualOrdinalIgnoreCase(e.Subscription, q.p["sub"]) || !armEndpointMatches(e, qv) {
				continue
			}
			if can(armEndpointID(e)) {
				list = append(list, e)
			}
		}
		if o := s.armListRefusal(q.c, len(list), actEndpointRead, parent); o != nil {
			return *o
		}
		armSortEndpoints(list, qv.Get("orderBy"))
		return armItemsOf(list, func(e *Endpoint) any { return s.armEndpointJSON(e) })
	})
}

// armEndpointMatches applies OnlineEndpoints_List's filters: name,
// computeType, and tags / properties ("k1,k2=v2": every key present, with
// that value when one is given).
func armEndpointMatches(e *Endpoint, qv url.Values) bool {
	if name := qv.Get("name"); name != "" && !rbac.EqualOrdinalIgnoreCase(e.Name, name) {
		return false
	}
	if ct := qv.Get("computeType"); ct != "" && !strings.EqualFold(cmp.Or(e.ComputeType, "Managed"), ct) {
		return false
	}
	return armKeysMatch(e.Tags, qv.Get("tags")) && armKeysMatch(e.Properties, qv.Get("properties"))
}

func armKeysMatch(m map[string]string, spec string) bool {
	for _, t := range strings.Split(spec, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		k, v, hasValue := strings.Cut(t, "=")
		got, ok := m[k]
		if !ok || (hasValue && got != v) {
			return false
		}
	}
	return true
}

func armSortEndpoints(list []*Endpoint, orderBy string) {
	byName := func(a, b *Endpoint) int { return compareFold(a.Name, b.Name) }
	at := func(e *Endpoint) time.Time { return e.CreatedAt }
	if strings.HasPrefix(strings.ToLower(orderBy), "updatedat") {
		at = func(e *Endpoint) time.Time {
			if e.ModifiedAt.IsZero() {
				return e.CreatedAt
			}
			return e.ModifiedAt
		}
	}
	switch strings.ToLower(orderBy) {
	case "createdatasc", "updatedatasc":
		slices.SortFunc(list, func(a, b *Endpoint) int { return cmp.Or(at(a).Compare(at(b)), byName(a, b)) })
	case "createdatdesc", "updatedatdesc":
		slices.SortFunc(list, func(a, b *Endpoint) int { return cmp.Or(at(b).Compare(at(a)), byName(a, b)) })
	default:
		slices.SortFunc(list, byName)
	}
}

// GET .../onlineEndpoints/{ep}.
func (s *armHost) armGetEndpoint(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, actEndpointRead, q.scope()); o != nil {
			return *o
		}
		e, miss := s.armEndpoint(q)
		if miss != nil {
			return *miss
		}
		return armOK(s.armEndpointJSON(e))
	})
}

func (s *armHost) armDeploymentJSON(d *Deployment) armDeploymentJSON {
	ws := wsID(d.Subscription, d.ResourceGroup, d.Workspace)
	capacity := d.InstanceCount
	// The seeds do not record who created a deployment: its endpoint's
	// creator did (the seeds create both together).
	createdBy := d.CreatedBy
	if e := s.world.Endpoints[armKey(epID(d.Subscription, d.ResourceGroup, d.Workspace, d.Endpoint))]; e != nil && createdBy == "" {
		createdBy = e.CreatedBy
	}
	rs := d.RequestSettings
	if rs.MaxConcurrentRequestsPerInstance == 0 {
		rs = defaultRequestSettings
	}
	probe := armProbeJSON{FailureThreshold: 30, SuccessThreshold: 1, Timeout: "PT2S", Period: "PT10S", InitialDelay: "PT10S"}
	j := armDeploymentJSON{
		ID: armDeploymentID(d), Name: d.Name, Type: mlNS + "/workspaces/onlineEndpoints/deployments", Location: d.Location,
		Kind: armEndpointKind(d.ComputeType), Tags: nonNilMap(d.Tags),
		SKU:        armSKUJSON{Name: "Default", Tier: "Standard", Capacity: &capacity},
		SystemData: armSystemData(d.CreatedAt, createdBy, d.CreatedAt, createdBy),
		Properties: armDeploymentPropsJS{
			EndpointComputeType: cmp.Or(d.ComputeType, "Managed"), Description: d.Description, Model: d.Model, InstanceType: d.InstanceType,
			Properties: map[string]string{}, EnvironmentVariables: map[string]string{},
			CodeConfiguration: armCodeConfigJSON{CodeID: ws + "/codes/" + stableGUID("code|"+strings.ToLower(armDeploymentID(d))) + "/versions/1", ScoringScript: "score.py"},
			EnvironmentID:     cmp.Or(d.EnvironmentID, seedEnvironment),
			ScaleSettings:     map[string]string{"scaleType": cmp.Or(d.ScaleType, "Default")},
			RequestSettings: armRequestSettingsJSON{MaxConcurrentRequestsPerInstance: rs.MaxConcurrentRequestsPerInstance,
				RequestTimeout: isoDuration(rs.RequestTimeout), MaxQueueWait: "PT0.5S"},
			LivenessProbe: probe, ReadinessProbe: probe, EgressPublicNetworkAccess: "Enabled",
			// The startup probe's defaults (ProbeSettings in the deployment YAML reference).
			StartupProbe:      armProbeJSON{FailureThreshold: 30, SuccessThreshold: 1, Timeout: "PT2S", Period: "PT10S", InitialDelay: "PT0S"},
			ProvisioningState: cmp.Or(d.ProvisioningState, "Succeeded"),
		},
	}
	if strings.EqualFold(d.ComputeType, "Kubernetes") {
		j.Properties.ContainerResourceRequirements = &armContainerResources{
			Limits:   map[string]string{"cpu": "1", "memory": "2Gi"},
			Requests: map[string]string{"cpu": "0.5", "memory": "1Gi"},
		}
	}
	if j.Location == "" {
		if x := s.world.Workspaces[armKey(ws)]; x != nil {
			j.Location = x.Location
		}
	}
	return j
}

// isoDuration writes a duration as ISO 8601 in seconds (PT5S, PT0.5S).
func isoDuration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}

// armDeploymentOf reports whether d runs behind e.
func armDeploymentOf(d *Deployment, e *Endpoint) bool {
	return rbac.EqualOrdinalIgnoreCase(d.Endpoint, e.Name) && rbac.EqualOrdinalIgnoreCase(d.Workspace, e.Workspace) &&
		rbac.EqualOrdinalIgnoreCase(d.ResourceGroup, e.ResourceGroup) && rbac.EqualOrdinalIgnoreCase(d.Subscription, e.Subscription)
}

// GET .../onlineEndpoints/{ep}/deployments: the deployments the caller may read.
func (s *armHost) armListDeployments(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		parent := q.scopeThrough("ep")
		e, miss := s.armEndpoint(q)
		if miss != nil {
			return s.armMissing(q.c, *miss, actDeploymentRead, parent)
		}
		var list []*Deployment
		for _, d := range s.world.Deployments {
			if armDeploymentOf(d, e) && s.armCan(q.c, actDeploymentRead, armDeploymentID(d)) {
				list = append(list, d)
			}
		}
		if o := s.armListRefusal(q.c, len(list), actDeploymentRead, parent); o != nil {
			return *o
		}
		slices.SortFunc(list, func(a, b *Deployment) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
		return armItemsOf(list, func(d *Deployment) any { return s.armDeploymentJSON(d) })
	})
}

// GET .../onlineEndpoints/{ep}/deployments/{dep}.
func (s *armHost) armGetDeployment(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, actDeploymentRead, q.scope()); o != nil {
			return *o
		}
		d, miss := s.armDeployment(q)
		if miss != nil {
			return *miss
		}
		return armOK(s.armDeploymentJSON(d))
	})
}

// compareFold orders ASCII-insensitively without allocating (ARM names are ASCII).
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}
