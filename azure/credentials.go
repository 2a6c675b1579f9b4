package azure

import (
	"context"
	"time"
)

// Data-plane credentials of online endpoints. SKELETON: the bodies are
// being written; the signatures are the contract the UI codes against.

// EndpointKeys are a key-auth endpoint's two keys.
type EndpointKeys struct{ Primary, Secondary string }

// Credential is a token for the data plane (AML token) or for an Entra audience.
type Credential struct {
	Kind         string    // "aml_token" | "aad_token"
	Value        string    // the token: a secret
	ExpiresOn    time.Time // zero for keys
	RefreshAfter time.Time // AML tokens: when to fetch a new one; zero otherwise
	Audience     string    // Entra tokens: aud claim
	Claims       []Claim   // decoded claims (Entra tokens; nil when the token is opaque)
}

// Keys lists a key-auth endpoint's keys (listKeys/action).
func (s *Session) Keys(ctx context.Context, ref EndpointRef) (EndpointKeys, error) {
	return EndpointKeys{}, errNotYet
}

// RegenerateKey starts regenerating "Primary" or "Secondary" (an LRO).
func (s *Session) RegenerateKey(ctx context.Context, ref EndpointRef, which string) (*Operation, error) {
	return nil, errNotYet
}

// AMLToken gets an aml_token endpoint's token (token/action).
func (s *Session) AMLToken(ctx context.Context, ref EndpointRef) (Credential, error) {
	return Credential{}, errNotYet
}

// EntraToken gets a token for audience from the signed-in credential:
// Config().MLAudience for aad_token endpoints, or Config().ARMAudience.
func (s *Session) EntraToken(ctx context.Context, audience string) (Credential, error) {
	return Credential{}, errNotYet
}
