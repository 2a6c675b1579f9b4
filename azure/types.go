// Package azure is the only code that talks to Azure (real or simulated).
// It is app-shaped: screens call Probe, SignIn, Subscriptions, Workspaces,
// Endpoints and friends, and get back plain values and typed errors.
// It imports no Bubble Tea.
package azure

import "time"

// Method is a sign-in method.
type Method string

// The sign-in methods, in the order the sign-in screen lists them.
const (
	MethodChain           Method = "chain"            // DefaultAzureCredential's chain
	MethodCLI             Method = "azure-cli"        // az login's cached account
	MethodDeviceCode      Method = "device-code"      // code + browser on any device
	MethodBrowser         Method = "browser"          // interactive browser (auth code + PKCE)
	MethodEnvironment     Method = "environment"      // service principal from AZURE_* variables
	MethodManagedIdentity Method = "managed-identity" // IMDS / App Service identity
	MethodPersona         Method = "persona"          // demo only: a simulated user (password grant)
)

// MethodInfo describes a method for the sign-in screen.
type MethodInfo struct {
	Method      Method
	Title       string // "Device code"
	Description string // one line: when to choose it
	Available   bool   // false when it cannot work here (e.g. no az on PATH)
	Why         string // when not available: the reason and what to do
}

// ProbeResult is one source of the credential chain, as the probe saw it.
type ProbeResult struct {
	Source string        // "EnvironmentCredential", "WorkloadIdentityCredential", "ManagedIdentityCredential", "AzureCLICredential", "AzureDeveloperCLICredential"
	OK     bool          // this source produced a token
	Reason string        // why it failed, in one readable sentence, or what it signed in as
	Took   time.Duration // how long the attempt took
}

// DeviceCode is the prompt of a device-code sign-in, delivered as a value.
type DeviceCode struct {
	UserCode        string
	VerificationURL string
	Message         string
	ExpiresAt       time.Time
}

// Persona is a simulated user offered by the demo's persona picker.
type Persona struct {
	Key      string // "alice"
	Name     string // display name
	UPN      string
	Password string // demo credential, never a real secret
	Story    string // what this persona can and cannot do
}

// Identity is who the session is signed in as, read from token claims.
type Identity struct {
	Kind        string // "user" | "app" | "managedIdentity"
	DisplayName string
	UPN         string // users
	AppID       string // apps and managed identities (appid / azp claim)
	ObjectID    string // oid
	TenantID    string // tid
	Audience    string // aud of the management token
	ExpiresOn   time.Time
	Method      Method
	Claims      []Claim // the management token's claims, for the jwt.ms-style view
}

// Claim is one decoded JWT claim, kept in token order for display.
type Claim struct {
	Name  string
	Value string // JSON-rendered value (strings without quotes)
	Help  string // what the claim means ("aud: the API this token is for")
}

// Tenant is a directory the account can see.
type Tenant struct {
	ID            string
	DisplayName   string
	DefaultDomain string
	Category      string // Home | ProjectedBy | ManagedBy
}

// Subscription is an Azure subscription.
type Subscription struct {
	ID          string // GUID
	DisplayName string
	State       string
	TenantID    string
}

// WorkspaceRef names a workspace.
type WorkspaceRef struct {
	Subscription  string
	ResourceGroup string
	Name          string
}

// ID is the workspace's ARM id.
func (r WorkspaceRef) ID() string {
	return "/subscriptions/" + r.Subscription + "/resourceGroups/" + r.ResourceGroup +
		"/providers/Microsoft.MachineLearningServices/workspaces/" + r.Name
}

// Workspace is an Azure ML workspace.
type Workspace struct {
	WorkspaceRef
	ID           string
	Location     string
	FriendlyName string
	Description  string
	Tags         map[string]string
}

// EndpointRef names an online endpoint.
type EndpointRef struct {
	WorkspaceRef
	Endpoint string
}

// ID is the endpoint's ARM id.
func (r EndpointRef) ID() string { return r.WorkspaceRef.ID() + "/onlineEndpoints/" + r.Endpoint }

// Auth modes in the CLI/YAML spelling, as users know them.
const (
	AuthKey      = "key"
	AuthAMLToken = "aml_token"
	AuthAADToken = "aad_token"
)

// Endpoint is an online endpoint.
type Endpoint struct {
	EndpointRef
	ID                string
	Location          string
	Description       string
	AuthMode          string // AuthKey | AuthAMLToken | AuthAADToken
	ComputeType       string // Managed | Kubernetes
	ProvisioningState string
	ScoringURI        string
	SwaggerURI        string
	Traffic           map[string]int32
	MirrorTraffic     map[string]int32
	IdentityType      string
	IdentityPrincipal string   // system-assigned principal id
	UserIdentities    []string // user-assigned identity ARM ids
	Tags              map[string]string
	CreatedAt         time.Time
	CreatedBy         string
	ModifiedAt        time.Time
	ModifiedBy        string
}

// Deployment is an online deployment.
type Deployment struct {
	Name string
	ID   string
	// ProvisioningState: Creating, Updating, Scaling, Deleting, Succeeded,
	// Failed, Canceled. The resource carries no error: why a write failed
	// is the operation's (Progress.Err, an *OperationFailedError), and
	// afterwards the containers' logs (Session.DeploymentLogs).
	ProvisioningState string
	InstanceType      string
	InstanceCount     int32
	Model             string // the model's asset id (ARM id of a model version, or azureml: reference)
	Environment       string // the environment's asset id (its image); "" when Azure does not say
	ComputeType       string // Managed | Kubernetes
	TrafficPercent    int32  // from the endpoint's traffic map
	MirrorPercent     int32  // from the endpoint's mirror traffic map
	Description       string
	// EnvironmentVariables as the deployment states them (values may be
	// secret references like ${{azureml://connections/...}}, never secrets).
	EnvironmentVariables map[string]string
	CreatedAt            time.Time
	CreatedBy            string
}
