package emulator

import (
	"slices"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// World is the simulated tenant: directory objects, ARM resources and RBAC
// data. It is only touched under Server.mu (read lock for reads).
//
// Maps are keyed by lower-cased object id (directory objects) or lower-cased
// ARM id (resources), because Azure compares both case-insensitively.
type World struct {
	Tenant Tenant

	Users             map[string]*User
	Groups            map[string]*Group
	ServicePrincipals map[string]*ServicePrincipal // includes managed identities (Kind "ManagedIdentity")

	Subscriptions  map[string]*Subscription // key: lower-cased subscription id (GUID)
	ResourceGroups map[string]*ResourceGroup
	Workspaces     map[string]*Workspace
	Endpoints      map[string]*Endpoint
	Deployments    map[string]*Deployment
	Identities     map[string]*UserAssignedIdentity // user-assigned managed identities by ARM id

	// A workspace's associated resources (Workspace.StorageAccount etc. hold
	// their ARM ids), by lower-cased ARM id. The deployments of issue 17 pull
	// images from the registry and read models from the storage through them.
	StorageAccounts map[string]*StorageAccount
	BlobContainers  map[string]*BlobContainer // by the container's ARM id (…/blobServices/default/containers/{name})
	Registries      map[string]*ContainerRegistry
	KeyVaults       map[string]*KeyVault
	AppInsights     map[string]*AppInsightsComponent

	// The workspace's assets, by lower-cased ARM id
	// (…/workspaces/{ws}/models/{name}/versions/{version}, …/environments/…).
	Models       map[string]*ModelVersion
	Environments map[string]*EnvironmentVersion

	CustomRoles []rbac.RoleDefinition
	Assignments []rbac.Assignment
	Denies      []rbac.DenyAssignment
	// Revoked are role assignments deleted through the API that Azure's
	// caches still enforce: gone from every list at once, they keep granting
	// until Until (Options.PropagationDelay after the delete), as a new
	// assignment waits that long before it grants.
	Revoked []Revocation
	// Memberships are group membership changes made through
	// SetGroupMember that Azure's authorization does not count yet, oldest
	// first (enforcedGroups).
	Memberships []MembershipChange
}

// MembershipChange is a member added to (Added) or removed from a group,
// and when Azure's authorization starts to count the change.
type MembershipChange struct {
	Group, Member string
	Added         bool
	EffectiveAt   time.Time
}

// Revocation is a deleted role assignment and the time Azure stops
// enforcing it. Azure Resource Manager caches role assignments, so "changes
// can take up to 10 minutes", removals as much as additions (RBAC
// troubleshooting, "Symptom - Role assignment changes are not being detected",
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
type Revocation struct {
	Assignment rbac.Assignment
	Until      time.Time
}

// enforced is what Azure's authorization evaluates at time at: the role
// assignments, and the deleted ones its caches still hold then. Without a
// revocation in force it is the Assignments slice itself (the hot path).
func (w *World) enforced(at time.Time) []rbac.Assignment {
	var out []rbac.Assignment
	for _, r := range w.Revoked {
		if !at.Before(r.Until) {
			continue
		}
		if out == nil {
			out = slices.Clip(w.Assignments) // the append below copies
		}
		out = append(out, r.Assignment)
	}
	if out == nil {
		return w.Assignments
	}
	return out
}

// revoke records that a deleted assignment stays enforced for delay after
// now (nothing when delay is 0), and forgets revocations that have lapsed.
func (w *World) revoke(a rbac.Assignment, now time.Time, delay time.Duration) {
	w.Revoked = slices.DeleteFunc(w.Revoked, func(r Revocation) bool { return !now.Before(r.Until) })
	if delay > 0 {
		w.Revoked = append(w.Revoked, Revocation{Assignment: a, Until: now.Add(delay)})
	}
}

// Tenant is the one directory the emulator serves.
type Tenant struct {
	ID            string
	DisplayName   string
	DefaultDomain string
	Domains       []string
	CountryCode   string
}

// User is a person in the directory. Password is a demo credential for the
// password grant and the persona picker; it is not a real secret.
type User struct {
	ID                string // object id
	DisplayName       string
	UserPrincipalName string
	Mail              string
	GivenName         string
	Surname           string
	JobTitle          string
	Password          string
	Persona           string // short key used by the persona picker and AutoApprove ("alice")
	Story             string // one line shown by the picker: what this persona can do
}

// Group is a security group; Members holds object ids (users, SPs or groups).
type Group struct {
	ID          string
	DisplayName string
	Description string
	Members     []string
}

// ServicePrincipal is an app's identity in the tenant. Managed identities are
// service principals too (ServicePrincipalType "ManagedIdentity").
type ServicePrincipal struct {
	ID                   string // object id (what role assignments use)
	AppID                string // client id
	DisplayName          string
	ServicePrincipalType string // "Application" | "ManagedIdentity"
	Secrets              []string
	AlternativeNames     []string // for managed identities: the ARM id of the identity resource
}

// Subscription is an ARM subscription in the tenant.
type Subscription struct {
	ID          string // GUID
	DisplayName string
	State       string // Enabled | Disabled | Warned
	Tags        map[string]string
}

// ResourceGroup is a resource group in a subscription.
type ResourceGroup struct {
	Subscription string
	Name         string
	Location     string
	Tags         map[string]string
}

// Workspace is an Azure ML workspace.
type Workspace struct {
	Subscription  string
	ResourceGroup string
	Name          string
	Location      string
	FriendlyName  string
	Description   string
	Tags          map[string]string
	CreatedAt     time.Time

	// ARM ids of the associated resources; each exists in the World.
	StorageAccount, ContainerRegistry, KeyVault, ApplicationInsights string

	PublicNetworkAccess string // Enabled | Disabled
	ManagedNetwork      ManagedNetwork
	PrivateEndpoints    []PrivateEndpointConnection
	// EncryptionKey is the Key Vault key URL of a customer-managed key
	// (in the workspace's KeyVault); "" for Microsoft-managed keys.
	EncryptionKey string
}

// ManagedNetwork is a workspace's managed virtual network.
type ManagedNetwork struct {
	IsolationMode string          // Disabled | AllowInternetOutbound | AllowOnlyApprovedOutbound
	NetworkID     string          // set once the network is provisioned
	OutboundRules map[string]FQDN // name -> allowed destination (FQDN rules)
}

// FQDN is a managed-network outbound rule to a host name.
type FQDN struct{ Destination string }

// PrivateEndpointConnection is an approved private endpoint to a workspace.
type PrivateEndpointConnection struct {
	Name             string
	PrivateEndpoint  string // ARM id of the Microsoft.Network/privateEndpoints resource
	ApprovalRequired bool   // false: auto-approved
}

// Resource is what every tracked ARM resource of the world has.
type Resource struct {
	Subscription  string
	ResourceGroup string
	Name          string
	Location      string
	Tags          map[string]string
	CreatedAt     time.Time
	CreatedBy     string // UPN (systemData.createdBy)
}

// StorageAccount is a Microsoft.Storage/storageAccounts resource.
type StorageAccount struct {
	Resource
	Kind       string // StorageV2
	SKU        string // Standard_LRS ...
	HNSEnabled bool   // hierarchical namespace (Data Lake Gen2)
}

// BlobContainer is a container of a storage account's blob service.
type BlobContainer struct {
	Account   string // ARM id of the storage account
	Name      string
	CreatedAt time.Time
}

// ContainerRegistry is a Microsoft.ContainerRegistry/registries resource.
type ContainerRegistry struct {
	Resource
	SKU              string // Basic | Standard | Premium
	AdminUserEnabled bool
}

// KeyVault is a Microsoft.KeyVault/vaults resource.
type KeyVault struct {
	Resource
	SKU               string // standard | premium
	RBACAuthorization bool   // Azure RBAC instead of access policies
}

// AppInsightsComponent is a Microsoft.Insights/components resource.
// AppID and InstrumentationKey are random per instance, like every id the
// simulated Azure mints for a client to hold.
type AppInsightsComponent struct {
	Resource
	AppID              string
	InstrumentationKey string
}

// Endpoint is an online endpoint. Keys are the data-plane keys (key auth).
type Endpoint struct {
	Subscription      string
	ResourceGroup     string
	Workspace         string
	Name              string
	Location          string
	Description       string
	AuthMode          string // "Key" | "AMLToken" | "AADToken" (ARM spelling)
	ComputeType       string // "Managed" | "Kubernetes"
	Compute           string // ARM id of the Kubernetes compute, "" for managed
	ProvisioningState string
	Traffic           map[string]int32
	MirrorTraffic     map[string]int32
	Identity          Identity
	Tags              map[string]string
	Properties        map[string]string
	SKU               *SKU // as the client sent it; nil: the service's default
	// PublicNetworkAccess is Enabled or Disabled ("" reads as Enabled):
	// Disabled refuses scoring from the public network (scoring.go).
	PublicNetworkAccess string
	PrimaryKey          string
	SecondaryKey        string
	CreatedAt           time.Time
	CreatedBy           string
	ModifiedAt          time.Time
	ModifiedBy          string
	// Incarnation is random per creation: AML tokens carry it, so a deleted
	// and re-created endpoint of the same name refuses the old tokens.
	Incarnation string
}

// SKU is common-types v3 Sku, kept as the client sent it.
type SKU struct {
	Name, Tier, Size, Family string
	Capacity                 *int32
}

// Identity is an endpoint's managed identity.
type Identity struct {
	Type         string // "SystemAssigned" | "UserAssigned" | "SystemAssigned,UserAssigned" | "None"
	PrincipalID  string // system-assigned SP object id
	TenantID     string
	UserAssigned []string // ARM ids of user-assigned identities
}

// UserAssignedIdentity is a Microsoft.ManagedIdentity/userAssignedIdentities resource.
type UserAssignedIdentity struct {
	Subscription  string
	ResourceGroup string
	Name          string
	Location      string
	PrincipalID   string
	ClientID      string
}

// Deployment is an online deployment behind an endpoint.
type Deployment struct {
	Subscription      string
	ResourceGroup     string
	Workspace         string
	Endpoint          string
	Name              string
	Location          string
	ComputeType       string // Managed | Kubernetes
	InstanceType      string
	InstanceCount     int32
	Model             string // as the client gave it: an ARM id or azureml:name:version
	EnvironmentID     string // as the client gave it; "" for the seeds' curated default
	ProvisioningState string
	Description       string
	Tags              map[string]string
	RequestSettings   RequestSettings
	ScaleType         string // Default | TargetUtilization
	// Weights make the demo model deterministic per deployment: score = sum(w_i * x_i) + Bias.
	Weights   []float64
	Bias      float64
	CreatedAt time.Time
	CreatedBy string
	// NeverReady is true until a provisioning of the deployment succeeds:
	// a deployment that never came up serves no traffic (scoring.go).
	NeverReady bool
	// Logs are what getLogs shows for each container, written by the last
	// provisioning (arm_deployment_write.go); "" means the seeds' healthy logs.
	StorageInitializerLog, InferenceServerLog string
	// Respond, when set, is answered instead of running the model: a test
	// and demo hook (scoring.go); the seeded world never sets it.
	Respond *ScoringResponse
}

// RequestSettings are a deployment's scoring request limits.
type RequestSettings struct {
	MaxConcurrentRequestsPerInstance int32
	RequestTimeout                   time.Duration
}

// ModelVersion is a registered model version of a workspace. Its files are
// blobs in the workspace's default blob container (Container, Path): the
// deployment's storage initializer downloads them as the endpoint identity.
type ModelVersion struct {
	Subscription, ResourceGroup, Workspace string
	Name, Version                          string
	Description                            string
	ModelType                              string // custom_model | mlflow_model
	Container                              string // ARM id of the blob container
	Path                                   string // blob path prefix in Container
	CreatedAt                              time.Time
	CreatedBy                              string
}

// EnvironmentVersion is a registered environment version of a workspace.
// Its image is curated (Microsoft's public registry, mcr.microsoft.com: no
// pull permission needed) or custom, in the workspace's container registry
// (Registry set: pulling it needs AcrPull there).
type EnvironmentVersion struct {
	Subscription, ResourceGroup, Workspace string
	Name, Version                          string
	Description                            string
	Image                                  string // full image reference
	Registry                               string // ARM id of the registry holding Image; "" for public images
	CreatedAt                              time.Time
	CreatedBy                              string
}

// HasResource reports whether the resource with ARM id key (lower-cased,
// as armKey makes it) of type typ (namespace/type[/childType...], any case)
// exists; modelled is false for types the world does not hold, whose
// existence it cannot tell. Role assignment scopes use it (a scope on a
// missing resource is a 404).
func (w *World) HasResource(typ, key string) (exists, modelled bool) {
	has := func(ok bool) (bool, bool) { return ok, true }
	switch strings.ToLower(typ) {
	case "microsoft.machinelearningservices/workspaces":
		return has(w.Workspaces[key] != nil)
	case "microsoft.machinelearningservices/workspaces/onlineendpoints":
		return has(w.Endpoints[key] != nil)
	case "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments":
		return has(w.Deployments[key] != nil)
	case "microsoft.managedidentity/userassignedidentities":
		return has(w.Identities[key] != nil)
	case "microsoft.storage/storageaccounts":
		return has(w.StorageAccounts[key] != nil)
	case "microsoft.storage/storageaccounts/blobservices/containers":
		return has(w.BlobContainers[key] != nil)
	case "microsoft.containerregistry/registries":
		return has(w.Registries[key] != nil)
	case "microsoft.keyvault/vaults":
		return has(w.KeyVaults[key] != nil)
	case "microsoft.insights/components":
		return has(w.AppInsights[key] != nil)
	case "microsoft.machinelearningservices/workspaces/models/versions":
		return has(w.Models[key] != nil)
	case "microsoft.machinelearningservices/workspaces/environments/versions":
		return has(w.Environments[key] != nil)
	}
	return false, false
}
