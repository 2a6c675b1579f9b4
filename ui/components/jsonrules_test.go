package components

import "amlauth-tui/azure"

// The editor's tests check bodies against the app's real rules (the
// request editor injects the same ones); the package itself does not
// import azure.
func init() { defaultRules = azureJSON }

var azureJSON = JSONRules{
	Validate: validateJSON,
	Format: func(s string) (string, error) {
		b, err := azure.PrettyJSON([]byte(s))
		return string(b), err
	},
	MaxSize: azure.MaxRequestBody,
}

func validateJSON(s string) error { return azure.ValidateJSON([]byte(s)) }
