package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"amlauth-tui/azure/rbac"
)

// Data-plane credentials of online endpoints, one call per auth mode as in
// `az ml online-endpoint get-credentials`: key → listKeys, aml_token →
// token, aad_token → an Entra token for the ML audience from the signed-in
// credential. Values are secrets: they are returned, never logged, never
// put in an error.

// EndpointKeys are a key-auth endpoint's two keys.
type EndpointKeys struct{ Primary, Secondary string }

// Credential is a token for the data plane (AML token) or for an Entra audience.
type Credential struct {
	Kind         string    // "aml_token" | "aad_token" | "management" | "entra" (another audience)
	Value        string    // the token: a secret
	ExpiresOn    time.Time // zero for keys
	RefreshAfter time.Time // AML tokens: when to fetch a new one; zero otherwise
	Audience     string    // aud claim (Entra tokens; for an AML token that is a JWT, the endpoint)
	Claims       []Claim   // decoded claims (nil when the token is opaque)
}

// Credential kinds besides the auth modes AuthAMLToken and AuthAADToken.
const (
	CredentialManagement = "management" // an Entra token for ARM (the control plane)
	CredentialEntra      = "entra"      // an Entra token for another audience
)

// Key types of RegenerateKey.
const (
	KeyPrimary   = "Primary"
	KeySecondary = "Secondary"
)

func (s *Session) endpointsClient(sub string) (*armmachinelearning.OnlineEndpointsClient, error) {
	f, err := s.mlFactory(sub)
	if err != nil {
		return nil, err
	}
	return f.NewOnlineEndpointsClient(), nil
}

// Keys lists a key-auth endpoint's keys (listKeys/action).
func (s *Session) Keys(ctx context.Context, ref EndpointRef) (EndpointKeys, error) {
	c, err := s.endpointsClient(ref.Subscription)
	if err != nil {
		return EndpointKeys{}, err
	}
	r, err := c.ListKeys(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return EndpointKeys{}, s.credentialError(ctx, ref, AuthKey, err)
	}
	keys := EndpointKeys{Primary: deref(r.PrimaryKey), Secondary: deref(r.SecondaryKey)}
	s.cfg.hold("key primary "+ref.ID(), keys.Primary)
	s.cfg.hold("key secondary "+ref.ID(), keys.Secondary)
	return keys, nil
}

// RegenerateKey starts regenerating "Primary" or "Secondary" (an LRO).
func (s *Session) RegenerateKey(ctx context.Context, ref EndpointRef, which string) (*Operation, error) {
	return s.RegenerateKeyTo(ctx, ref, which, "")
}

// RegenerateKeyTo is RegenerateKey with a value of the caller's choosing
// ("" lets Azure generate one). Azure checks the value; its refusal is the error.
func (s *Session) RegenerateKeyTo(ctx context.Context, ref EndpointRef, which, value string) (*Operation, error) {
	var kt armmachinelearning.KeyType
	switch {
	case strings.EqualFold(which, KeyPrimary):
		kt = armmachinelearning.KeyTypePrimary
	case strings.EqualFold(which, KeySecondary):
		kt = armmachinelearning.KeyTypeSecondary
	default:
		return nil, fmt.Errorf("which key to regenerate: %q is neither %s nor %s", which, KeyPrimary, KeySecondary)
	}
	c, err := s.endpointsClient(ref.Subscription)
	if err != nil {
		return nil, err
	}
	body := armmachinelearning.RegenerateEndpointKeysRequest{KeyType: &kt}
	if value != "" {
		body.KeyValue = &value
		s.cfg.hold("key "+strings.ToLower(which)+" "+ref.ID(), value)
	}
	var first *http.Response
	p, err := c.BeginRegenerateKeys(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, body, nil)
	if err != nil {
		return nil, s.credentialError(ctx, ref, AuthKey, err)
	}
	return trackPoller(s.cfg.Polling, "regenerateKeys", ref, p, first, "InProgress", nil), nil
}

// AMLToken gets an aml_token endpoint's token (token/action).
func (s *Session) AMLToken(ctx context.Context, ref EndpointRef) (Credential, error) {
	c, err := s.endpointsClient(ref.Subscription)
	if err != nil {
		return Credential{}, err
	}
	r, err := c.GetToken(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return Credential{}, s.credentialError(ctx, ref, AuthAMLToken, err)
	}
	cred := Credential{Kind: AuthAMLToken, Value: deref(r.AccessToken)}
	s.cfg.hold("aml token "+ref.ID(), cred.Value)
	if cred.Value == "" {
		return Credential{}, fmt.Errorf("endpoint %s answered the token call without a token", ref.Endpoint)
	}
	// expiryTimeUtc and refreshAfterTimeUtc are Unix seconds; 0 means "not given".
	if n := deref(r.ExpiryTimeUTC); n > 0 {
		cred.ExpiresOn = time.Unix(n, 0)
	}
	if n := deref(r.RefreshAfterTimeUTC); n > 0 {
		cred.RefreshAfter = time.Unix(n, 0)
	}
	// AML tokens are opaque to clients; when one happens to be a JWT its
	// claims are shown (aud names the endpoint), never trusted.
	cred.Claims, _ = DecodeClaims(cred.Value)
	cred.Audience = claimValue(cred.Claims, "aud")
	return cred, nil
}

// EntraToken gets a token for audience from the signed-in credential:
// Config().MLAudience for aad_token endpoints, or Config().ARMAudience.
func (s *Session) EntraToken(ctx context.Context, audience string) (Credential, error) {
	if strings.TrimSpace(audience) == "" {
		return Credential{}, errors.New("no audience: ask for " + s.cfg.MLAudience + " (scoring aad_token endpoints) or " + s.cfg.ARMAudience + " (management)")
	}
	t, err := s.Token(ctx, audience)
	if err != nil {
		return Credential{}, err
	}
	cred := Credential{Kind: CredentialEntra, Value: t.Token, ExpiresOn: t.ExpiresOn, Claims: t.Claims, Audience: claimValue(t.Claims, "aud")}
	switch {
	case sameAudience(audience, s.cfg.MLAudience):
		cred.Kind = AuthAADToken
	case sameAudience(audience, s.cfg.ARMAudience):
		cred.Kind = CredentialManagement
	}
	if cred.Audience == "" {
		cred.Audience = audience
	}
	return cred, nil
}

// sameAudience compares audiences as Azure does: case-insensitive, with or
// without the trailing slash.
func sameAudience(a, b string) bool {
	return b != "" && strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// AuthModeMismatchError is Azure's 400 for asking an endpoint for the
// credential of another auth mode: keys of a token endpoint, or an AML
// token of a key or Entra endpoint.
type AuthModeMismatchError struct {
	Endpoint string // endpoint name
	Mode     string // the endpoint's auth mode: AuthKey | AuthAMLToken | AuthAADToken
	Asked    string // the credential asked for: AuthKey (listKeys, regenerateKeys) | AuthAMLToken (token)
	Audience string // the ML audience an aad_token endpoint takes Entra tokens for
	Message  string // Azure's own words
}

func (e *AuthModeMismatchError) Error() string {
	return fmt.Sprintf("endpoint %s uses %s auth, not %s", e.Endpoint, e.Mode, e.Asked)
}

// Explanation says which credential the endpoint takes instead.
func (e *AuthModeMismatchError) Explanation() Explanation {
	asked := "has no keys"
	if e.Asked == AuthAMLToken {
		asked = "issues no AML tokens"
	}
	ex := Explanation{
		Title:  fmt.Sprintf("Endpoint %s uses %s auth", e.Endpoint, e.Mode),
		Detail: fmt.Sprintf("An endpoint with auth mode %s %s. Azure said: %s", e.Mode, asked, e.Message),
	}
	switch e.Mode {
	case AuthKey:
		ex.Next = "Use its primary or secondary key instead (listKeys; az ml online-endpoint get-credentials)."
	case AuthAMLToken:
		ex.Next = "Get an AML token instead (the token call; az ml online-endpoint get-credentials). It expires: refresh it after its refresh-after time."
	case AuthAADToken:
		aud := e.Audience
		if aud == "" {
			aud = "https://ml.azure.com"
		}
		ex.Next = "Use a Microsoft Entra token for " + aud + " from your own sign-in instead (az account get-access-token --resource " + aud +
			"); scoring then needs the onlineEndpoints/score/action permission."
	default:
		ex.Next = "Check the endpoint's auth mode and use its credential."
	}
	return ex
}

// mismatchRE finds the endpoint's mode in the simulated Azure's message.
var mismatchRE = regexp.MustCompile(`uses auth mode '([A-Za-z_]+)'`)

// credentialError classifies a failed credential call. A 400 whose cause is
// the endpoint's auth mode becomes an AuthModeMismatchError; the mode comes
// from the message when it names it, otherwise from reading the endpoint
// (one extra request, only on this failure, as Azure's wording may differ).
func (s *Session) credentialError(ctx context.Context, ref EndpointRef, asked string, err error) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		return Classify(err)
	}
	msg := responseMessage(re)
	mode := ""
	if m := mismatchRE.FindStringSubmatch(msg); m != nil {
		mode = cliAuthMode(m[1])
	} else if ep, gerr := s.Endpoint(ctx, ref); gerr == nil {
		mode = ep.AuthMode
	}
	if mode == "" || mode == asked {
		return Classify(err)
	}
	return &AuthModeMismatchError{Endpoint: ref.Endpoint, Mode: mode, Asked: asked, Audience: s.cfg.MLAudience, Message: msg}
}

// cliAuthMode maps any spelling (AMLToken, aml_token) to the CLI's.
func cliAuthMode(m string) string {
	switch strings.ToLower(strings.ReplaceAll(m, "_", "")) {
	case "key":
		return AuthKey
	case "amltoken":
		return AuthAMLToken
	case "aadtoken":
		return AuthAADToken
	}
	return strings.ToLower(m)
}

// ClaimCheck is one check of a token's claims, as the docs ask users to do
// by pasting the token into jwt.ms.
type ClaimCheck struct {
	Name   string // the claim: "aud", "oid", "exp", "tid"
	OK     bool
	Detail string // what was found and, when wrong, what to do
}

// CheckTokenClaims checks an Entra token the way the docs tell users to:
// aud is the wanted audience, oid is the signed-in identity, the token has
// not expired at now, and it names its tenant (tid). The checks come in
// that order, one each, also when the token cannot be decoded.
func CheckTokenClaims(c Credential, wantAudience, signedInOID string, now time.Time) []ClaimCheck {
	names := []string{"aud", "oid", "exp", "tid"}
	if len(c.Claims) == 0 {
		out := make([]ClaimCheck, len(names))
		for i, n := range names {
			out[i] = ClaimCheck{Name: n, Detail: "the token is not a JWT: its claims cannot be read"}
		}
		return out
	}
	aud, oid, tid := claimValue(c.Claims, "aud"), claimValue(c.Claims, "oid"), claimValue(c.Claims, "tid")
	checks := make([]ClaimCheck, 0, len(names))

	audCheck := ClaimCheck{Name: "aud", OK: sameAudience(aud, wantAudience)}
	switch {
	case audCheck.OK:
		audCheck.Detail = "aud is " + aud + ", the audience wanted"
	case aud == "":
		audCheck.Detail = "the token has no aud claim; want " + wantAudience
	default:
		audCheck.Detail = fmt.Sprintf("aud is %s but %s is wanted: get a token for %s (a token for another API is refused)", aud, wantAudience, wantAudience)
	}
	checks = append(checks, audCheck)

	oidCheck := ClaimCheck{Name: "oid", OK: oid != "" && strings.EqualFold(oid, signedInOID)}
	switch {
	case oidCheck.OK:
		oidCheck.Detail = "oid " + oid + " is the signed-in identity: role assignments for it apply"
	case oid == "":
		oidCheck.Detail = "the token has no oid claim"
	default:
		oidCheck.Detail = fmt.Sprintf("oid %s is not the signed-in identity (%s): roles are checked for %s", oid, signedInOID, oid)
	}
	checks = append(checks, oidCheck)

	exp := c.ExpiresOn
	if v := claimValue(c.Claims, "exp"); v != "" {
		if n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64); err == nil {
			exp = time.Unix(n, 0)
		}
	}
	expCheck := ClaimCheck{Name: "exp", OK: !exp.IsZero() && now.Before(exp)}
	at := exp.UTC().Format("2006-01-02 15:04:05 UTC")
	switch {
	case exp.IsZero():
		expCheck.Detail = "the token has no expiry"
	case expCheck.OK:
		expCheck.Detail = fmt.Sprintf("valid for %s more (until %s)", exp.Sub(now).Truncate(time.Second), at)
	default:
		expCheck.Detail = fmt.Sprintf("expired %s ago (at %s): get a new token", now.Sub(exp).Truncate(time.Second), at)
	}
	checks = append(checks, expCheck)

	tidCheck := ClaimCheck{Name: "tid", OK: rbac.IsGUID(tid)}
	if tidCheck.OK {
		tidCheck.Detail = "issued by tenant " + tid
	} else {
		tidCheck.Detail = "the token names no tenant (tid)"
	}
	return append(checks, tidCheck)
}

// CheckToken is CheckTokenClaims for this session's identity, with the
// tenant check tightened: tid must be the tenant the session signed in to.
func (s *Session) CheckToken(c Credential, wantAudience string, now time.Time) []ClaimCheck {
	checks := CheckTokenClaims(c, wantAudience, s.id.ObjectID, now)
	want := s.id.TenantID
	for i := range checks {
		if checks[i].Name != "tid" || !checks[i].OK || want == "" {
			continue
		}
		if tid := claimValue(c.Claims, "tid"); !strings.EqualFold(tid, want) {
			checks[i].OK = false
			checks[i].Detail = fmt.Sprintf("issued by tenant %s, but you signed in to %s: sign in to the endpoint's tenant", tid, want)
		}
	}
	return checks
}
