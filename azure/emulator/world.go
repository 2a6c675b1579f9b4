package emulator

import (
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

	CustomRoles []rbac.RoleDefinition
	Assignments []rbac.Assignment
	Denies      []rbac.DenyAssignment
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
	PrimaryKey        string
	SecondaryKey      string
	CreatedAt         time.Time
	CreatedBy         string
	ModifiedAt        time.Time
	ModifiedBy        string
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
	Model             string
	ProvisioningState string
	// Weights make the demo model deterministic per deployment: score = sum(w_i * x_i) + Bias.
	Weights   []float64
	Bias      float64
	CreatedAt time.Time
	// Respond, when set, is answered instead of running the model: a test
	// and demo hook (scoring.go); the seeded world never sets it.
	Respond *ScoringResponse
}
