package azure

import (
	"context"
	"errors"
)

// Creating, changing and deleting online endpoints. SKELETON: the bodies
// are being written; the signatures are the contract the UI codes against.

// EndpointSpec is what the create wizard collects.
type EndpointSpec struct {
	Ref          EndpointRef
	Location     string // the workspace's region
	Description  string
	Tags         map[string]string
	AuthMode     string // AuthKey | AuthAMLToken | AuthAADToken
	ComputeType  string // "Managed" | "Kubernetes"
	Compute      string // Kubernetes only: name or ARM id of the attached Kubernetes compute
	IdentityType string // "SystemAssigned" | "UserAssigned"
	UserIdentity string // UserAssigned only: ARM id of the user-assigned identity
}

// ManagedIdentity is a user-assigned managed identity an endpoint can run as.
type ManagedIdentity struct {
	ID            string // ARM id
	Name          string
	ResourceGroup string
	Location      string
	PrincipalID   string
	ClientID      string
}

var errNotYet = errors.New("not implemented yet")

// ValidateEndpointName checks Azure's rule; the error says the rule.
func ValidateEndpointName(name string) error { return errNotYet }

// Validate checks the combination (aad_token needs managed compute, a
// user-assigned identity needs its id, Kubernetes needs a compute).
func (sp EndpointSpec) Validate() error { return errNotYet }

// YAML is the endpoint.yml for `az ml online-endpoint create -f`.
func (sp EndpointSpec) YAML() string { return "" }

// AzCommand is the equivalent `az ml online-endpoint create` command.
func (sp EndpointSpec) AzCommand() string { return "" }

// REST is the equivalent ARM request: method, URL path (with api-version) and JSON body.
func (sp EndpointSpec) REST() (method, path, body string) { return "", "", "" }

// CreateEndpoint starts the create (PUT) and returns the running operation.
// A synchronous refusal (400 validation, 403, 409 name taken or busy) is the error.
func (s *Session) CreateEndpoint(ctx context.Context, spec EndpointSpec) (*Operation, error) {
	return nil, errNotYet
}

// SetAuthMode changes the auth mode of an existing endpoint (a PUT of the
// endpoint as it is, with the new mode).
func (s *Session) SetAuthMode(ctx context.Context, ref EndpointRef, mode string) (*Operation, error) {
	return nil, errNotYet
}

// DeleteEndpoint starts the delete.
func (s *Session) DeleteEndpoint(ctx context.Context, ref EndpointRef) (*Operation, error) {
	return nil, errNotYet
}

// UserAssignedIdentities lists the user-assigned identities of a subscription.
func (s *Session) UserAssignedIdentities(ctx context.Context, subscription string) ([]ManagedIdentity, error) {
	return nil, errNotYet
}
