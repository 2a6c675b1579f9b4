package azure

import (
	"context"
	"fmt"
)

// The credential a scoring request carries, picked by the endpoint's auth
// mode: one rule for the request editor and for `amlauth-tui score`.

// ScoringSource is what fetching a scoring credential needs; a *Session has
// it (tests give a fake).
type ScoringSource interface {
	Config() Config
	Keys(ctx context.Context, ref EndpointRef) (EndpointKeys, error)
	AMLToken(ctx context.Context, ref EndpointRef) (Credential, error)
	EntraToken(ctx context.Context, audience string) (Credential, error)
}

// CredKindFor is the credential an auth mode takes: key endpoints a key,
// aml_token endpoints an AML token from the endpoint, aad_token endpoints
// an Entra token for the ML audience
// (https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-online-endpoint
// § "Choose an authentication mode").
func CredKindFor(authMode string) string {
	switch authMode {
	case AuthAMLToken:
		return CredAMLToken
	case AuthAADToken:
		return CredEntraML
	}
	return CredKey
}

// ScoringCredential fetches a credential of kind (a Cred* constant) for
// scoring ref: for CredKey the primary key, or the secondary one with
// secondary; CredManagement is an Entra token for ARM (the classic
// mistake, for experiments). CredNone is no credential. The Value is a
// secret: never log or print it.
func ScoringCredential(ctx context.Context, src ScoringSource, ref EndpointRef, kind string, secondary bool) (Credential, error) {
	switch kind {
	case CredNone:
		return Credential{Kind: CredNone}, nil
	case CredKey:
		k, err := src.Keys(ctx, ref)
		if err != nil {
			return Credential{Kind: kind}, err
		}
		if secondary {
			return Credential{Kind: kind, Value: k.Secondary}, nil
		}
		return Credential{Kind: kind, Value: k.Primary}, nil
	case CredAMLToken:
		return src.AMLToken(ctx, ref)
	case CredEntraML, CredManagement:
		aud := src.Config().MLAudience
		if kind == CredManagement {
			aud = src.Config().ARMAudience
		}
		return src.EntraToken(ctx, aud)
	}
	return Credential{}, fmt.Errorf("unknown credential kind %q", kind)
}
