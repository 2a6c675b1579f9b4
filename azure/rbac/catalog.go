package rbac

// Level is where the seeds say an operation's role must be assigned.
type Level int

// Operation levels.
const (
	LevelNone Level = iota
	LevelWorkspace
	LevelEndpoint
	LevelResourceGroup
)

func (l Level) String() string {
	return [...]string{"not applicable", "workspace", "endpoint", "resource group"}[l]
}

// Operation is one row of the seeds' operation -> action -> scope table
// (concept-endpoints-online-auth, how-to-authenticate-online-endpoint).
type Operation struct {
	Key    string
	Name   string
	Action string // "" when no role is needed
	Level  Level
	Note   string
}

const ep = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"

// operations is the catalogue, in the order the check wizard lists them.
var operations = []Operation{
	{"endpoint.write", "Create/update online endpoints and deployments", ep + "write", LevelWorkspace, ""},
	{"endpoint.delete", "Delete online endpoints and deployments", ep + "delete", LevelWorkspace, ""},
	{"endpoint.read", "Read online endpoints and deployments", ep + "read", LevelWorkspace, ""},
	{"endpoint.token", "Get an AML token (aml_token)", ep + "token/action", LevelEndpoint, ""},
	{"endpoint.listKeys", "Get the keys (key)", ep + "listKeys/action", LevelEndpoint, ""},
	{"endpoint.regenerateKeys", "Regenerate keys", ep + "regenerateKeys/action", LevelEndpoint, ""},
	{"endpoint.score", "Score with an Entra token (aad_token)", ep + "score/action", LevelEndpoint,
		"Checked only for aad_token endpoints; scoring with a key or an AML token needs no role"},
	{"studio.deploy", "Create/update/delete endpoints via Azure ML studio", "Microsoft.Resources/deployments/write", LevelResourceGroup,
		"Studio deploys through an ARM template deployment in the workspace's resource group"},
	{"connections.listSecrets", "Read workspace connection secrets", "Microsoft.MachineLearningServices/workspaces/connections/listsecrets/action", LevelWorkspace,
		"Needed to create endpoints that enforce access to the default secret stores"},
	{"aadToken.fetch", "Get an Entra token for scoring (aad_token)", "", LevelNone,
		"Comes straight from Entra ID for https://ml.azure.com once you are signed in; no role needed"},
}

// Operations returns the catalogue (a copy).
func Operations() []Operation { return append([]Operation(nil), operations...) }

// OperationByKey finds an operation by its key.
func OperationByKey(key string) (Operation, bool) {
	for _, o := range operations {
		if o.Key == key {
			return o, true
		}
	}
	return Operation{}, false
}
