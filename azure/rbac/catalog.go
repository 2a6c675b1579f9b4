package rbac

// Level is where the seeds say an operation's role must be assigned.
type Level int

// Operation levels.
const (
	LevelNone Level = iota
	LevelWorkspace
	LevelEndpoint
	LevelResourceGroup
	// The endpoint identity's needs are on the workspace's associated
	// resources, read from the workspace (azure.WorkspaceResources.ScopeOf).
	LevelRegistry // the workspace's container registry
	LevelStorage  // the workspace's storage account (its default blob container)
)

func (l Level) String() string {
	return [...]string{"not applicable", "workspace", "endpoint", "resource group", "workspace container registry", "workspace storage"}[l]
}

// Operation is one row of the seeds' operation -> action -> scope table
// (concept-endpoints-online-auth, how-to-authenticate-online-endpoint).
type Operation struct {
	Key    string
	Name   string
	Action string // "" when no role is needed
	Level  Level
	Note   string
	// DataAction: Action is a data action (only DataActions grant it: "*"
	// in Actions does not, so Reader or Contributor never reads a blob).
	// https://learn.microsoft.com/azure/role-based-access-control/role-definitions#control-and-data-actions
	DataAction bool
	// Role is the built-in role that is the usual fix (the one Azure
	// assigns automatically to a system-assigned endpoint identity); "" for
	// the user operations, where the check suggests the smallest roles.
	Role string
}

const ep = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"

// operations is the catalogue, in the order the check wizard lists them.
var operations = []Operation{
	{Key: "endpoint.write", Name: "Create/update online endpoints and deployments", Action: ep + "write", Level: LevelWorkspace},
	{Key: "endpoint.delete", Name: "Delete online endpoints and deployments", Action: ep + "delete", Level: LevelWorkspace},
	{Key: "endpoint.read", Name: "Read online endpoints and deployments", Action: ep + "read", Level: LevelWorkspace},
	{Key: "endpoint.token", Name: "Get an AML token (aml_token)", Action: ep + "token/action", Level: LevelEndpoint},
	{Key: "endpoint.listKeys", Name: "Get the keys (key)", Action: ep + "listKeys/action", Level: LevelEndpoint},
	{Key: "endpoint.regenerateKeys", Name: "Regenerate keys", Action: ep + "regenerateKeys/action", Level: LevelEndpoint},
	{Key: "endpoint.score", Name: "Score with an Entra token (aad_token)", Action: ep + "score/action", Level: LevelEndpoint,
		Note: "Checked only for aad_token endpoints; scoring with a key or an AML token needs no role"},
	{Key: "studio.deploy", Name: "Create/update/delete endpoints via Azure ML studio", Action: "Microsoft.Resources/deployments/write", Level: LevelResourceGroup,
		Note: "Studio deploys through an ARM template deployment in the workspace's resource group"},
	{Key: "connections.listSecrets", Name: "Read workspace connection secrets", Action: ActionListConnectionSecrets, Level: LevelWorkspace,
		Note: "Needed to create endpoints that enforce access to the default secret stores"},
	{Key: "aadToken.fetch", Name: "Get an Entra token for scoring (aad_token)", Level: LevelNone,
		Note: "Comes straight from Entra ID for https://ml.azure.com once you are signed in; no role needed"},
}

// ActionListConnectionSecrets reads the secrets of workspace connections.
const ActionListConnectionSecrets = "Microsoft.MachineLearningServices/workspaces/connections/listsecrets/action"

// identityOperations are what an online deployment's container needs from
// its endpoint identity (concept-endpoints-online-auth, "Permissions
// needed for endpoint identity" and "Automatic role assignment for
// endpoint identity"). Their scopes are the workspace's associated
// resources, not the endpoint:
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#automatic-role-assignment-for-endpoint-identity
var identityOperations = []Operation{
	{Key: "identity.pullImage", Name: "Pull the image from the workspace's container registry", Action: "Microsoft.ContainerRegistry/registries/pull/read",
		Level: LevelRegistry, Role: "AcrPull",
		Note: "Needed for custom images and for environments Azure builds into the workspace registry; curated images come from a public registry"},
	{Key: "identity.readModel", Name: "Read the model from the workspace's storage", Action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
		DataAction: true, Level: LevelStorage, Role: "Storage Blob Data Reader",
		Note: "A data action: Reader, Contributor and Owner do not grant it"},
	{Key: "identity.writeMetrics", Name: "Write metrics to the workspace", Action: "Microsoft.MachineLearningServices/workspaces/metrics/resource/write",
		Level: LevelWorkspace, Role: "AzureML Metrics Writer (preview)"},
	{Key: "identity.readSecrets", Name: "Read workspace connection secrets", Action: ActionListConnectionSecrets,
		Level: LevelWorkspace, Role: "Azure Machine Learning Workspace Connection Secrets Reader",
		Note: "Needed when the endpoint injects secrets (secret references in environment variables, or the enforce-secret-stores flag)"},
}

// Operations returns the catalogue of what people do (a copy): every
// operation is judged at one scope (the endpoint, its workspace or group).
func Operations() []Operation { return append([]Operation(nil), operations...) }

// IdentityOperations returns what an endpoint identity needs (a copy).
// Each is judged at its own scope (Level), resolved from the workspace.
func IdentityOperations() []Operation { return append([]Operation(nil), identityOperations...) }

// OperationByKey finds an operation (of either catalogue) by its key.
func OperationByKey(key string) (Operation, bool) {
	for _, o := range append(Operations(), identityOperations...) {
		if o.Key == key {
			return o, true
		}
	}
	return Operation{}, false
}
