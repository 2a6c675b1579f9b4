// Package endpointnew is the create-endpoint wizard and the change-auth-mode
// and delete flows of an endpoint. PLACEHOLDER: being written.
package endpointnew

import (
	"amlauth-tui/ui/nav"
)

// New opens the create wizard.
func New(env *nav.Env, msg nav.NewEndpointMsg) nav.Screen { return nav.Placeholder("New endpoint") }

// NewAuthMode opens the change-auth-mode flow.
func NewAuthMode(env *nav.Env, msg nav.ChangeAuthModeMsg) nav.Screen {
	return nav.Placeholder("Auth mode")
}

// NewDelete opens the delete flow.
func NewDelete(env *nav.Env, msg nav.DeleteEndpointMsg) nav.Screen {
	return nav.Placeholder("Delete endpoint")
}
