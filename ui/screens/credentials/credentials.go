// Package credentials reveals an endpoint's keys or tokens. PLACEHOLDER: being written.
package credentials

import (
	"amlauth-tui/ui/nav"
)

// New opens the credentials screen.
func New(env *nav.Env, msg nav.CredentialsMsg) nav.Screen { return nav.Placeholder("Credentials") }
