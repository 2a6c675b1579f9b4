package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func newSigningKey(reuse *rsa.PrivateKey) (*rsa.PrivateKey, string, error) {
	k := reuse
	if k == nil {
		var err error
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, "", err
		}
	}
	sum := sha256.Sum256(k.PublicKey.N.Bytes())
	return k, base64.RawURLEncoding.EncodeToString(sum[:20]), nil
}

// jwks is the key set published at jwks_uri.
func (s *entraHost) jwks() map[string]any {
	key, kid, err := s.signer.get()
	if err != nil {
		return map[string]any{"keys": []any{}} // no key, so no token either: sign fails too
	}
	pub := key.PublicKey
	return map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid,
		"n":      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"issuer": s.issuerV2(),
	}}}
}

func (s *core) issuerV2() string { return s.url + "/" + s.world.Tenant.ID + "/v2.0" }
func (s *core) issuerV1() string { return "https://sts.windows.net/" + s.world.Tenant.ID + "/" }

// sign makes an RS256 JWT with Entra's header shape (kid and x5t).
func (s *core) sign(claims jwt.MapClaims) (string, error) {
	key, kid, err := s.signer.get()
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = kid
	t.Header["x5t"] = kid
	return t.SignedString(key)
}

// principal is whoever a token is for: a user or a service principal.
type principal struct {
	user *User
	sp   *ServicePrincipal
}

func (p principal) oid() string {
	if p.user != nil {
		return p.user.ID
	}
	return p.sp.ID
}

// accessToken mints a v1-shaped access token for resource (ENTRA.md §4.1).
func (s *entraHost) accessToken(p principal, resource, clientID string, cae bool) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.opts.AccessTokenLifetime)
	c := jwt.MapClaims{
		"aud": resource, "iss": s.issuerV1(), "iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"tid": s.world.Tenant.ID, "oid": p.oid(), "ver": "1.0",
		"uti": randomID(16), "rh": "0.A" + randomID(20), "aio": randomID(24),
	}
	if cae {
		c["xms_cc"] = []string{"CP1"}
	}
	if p.user != nil {
		u := p.user
		c["sub"] = pairwise(u.ID, clientID)
		c["appid"], c["appidacr"], c["idtyp"] = clientID, "0", "user"
		c["upn"], c["unique_name"], c["name"] = u.UserPrincipalName, u.UserPrincipalName, u.DisplayName
		c["given_name"], c["family_name"] = u.GivenName, u.Surname
		c["amr"], c["acr"] = []string{"pwd"}, "1"
		c["scp"] = "user_impersonation"
		if isGraph(resource) {
			c["scp"] = "User.Read Directory.Read.All"
		}
	} else {
		c["sub"] = p.sp.ID
		c["appid"], c["appidacr"], c["idtyp"] = p.sp.AppID, "1", "app"
		if p.sp.ServicePrincipalType == "ManagedIdentity" {
			c["appidacr"] = "2"
			c["xms_mirid"] = strings.Join(p.sp.AlternativeNames, "")
		}
	}
	tok, err := s.sign(c)
	return tok, exp, err
}

// idToken is the v2 ID token MSAL needs to remember the account (ENTRA.md §4.2).
// A nonce the authorization request carried goes in unmodified: "If present
// in the Authentication Request, Authorization Servers MUST include a nonce
// Claim in the ID Token with the Claim Value being the nonce value sent in
// the Authentication Request" (OpenID Connect Core 1.0 §2, "nonce"; §3.1.2.1).
func (s *entraHost) idToken(u *User, clientID, nonce string) (string, error) {
	now := s.now()
	c := jwt.MapClaims{
		"aud": clientID, "iss": s.issuerV2(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"name": u.DisplayName, "oid": u.ID, "preferred_username": u.UserPrincipalName,
		"sub": pairwise(u.ID, clientID), "tid": s.world.Tenant.ID, "ver": "2.0", "uti": randomID(16), "rh": "0.A" + randomID(20),
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return s.sign(c)
}

func clientInfo(oid, tid string) string {
	b, _ := json.Marshal(map[string]string{"uid": oid, "utid": tid})
	return base64.RawURLEncoding.EncodeToString(b)
}

func pairwise(oid, clientID string) string {
	sum := sha256.Sum256([]byte(oid + "|" + clientID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

func isGraph(resource string) bool {
	r := strings.TrimSuffix(resource, "/")
	return r == "https://graph.microsoft.com" || r == "00000003-0000-0000-c000-000000000000"
}

// tokenClaims are the claims the server acts on.
type tokenClaims struct {
	OID, TID, UPN, AppID, Name, Aud, IDType string
	Exp                                     time.Time
	CAE                                     bool // the client takes claims challenges (xms_cc holds CP1)
}

// tokenError says why a bearer token was refused, with ARM's code.
type tokenError struct {
	Code, Message string
}

func (e *tokenError) Error() string { return e.Code + ": " + e.Message }

// tokenCache keeps validated tokens so the hot path skips the RSA check.
// It is bounded like the sign-in maps (boundedPut): an entry goes when its
// token expires, and a full cache drops the one expiring first.
type tokenCache struct {
	mu    sync.Mutex
	limit int // 0 = defaultEntraLimit; tests lower it
	m     map[string]tokenClaims
}

func (c *tokenCache) get(raw string, now time.Time) (tokenClaims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tc, ok := c.m[raw]
	if ok && !now.Before(tc.Exp) {
		delete(c.m, raw)
		return tokenClaims{}, false
	}
	return tc, ok
}

func (c *tokenCache) put(raw string, tc tokenClaims, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]tokenClaims{}
	}
	limit := c.limit
	if limit <= 0 {
		limit = defaultEntraLimit
	}
	boundedPut(c.m, raw, tc, limit, now, func(t tokenClaims) time.Time { return t.Exp })
}

func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// validate checks signature, algorithm, issuer, tenant, expiry and that
// the token is an access token. Audience is the caller's concern (ARM and
// Graph accept different ones).
func (s *core) validate(raw string) (tokenClaims, error) {
	if tc, ok := s.tokens.get(raw, s.now()); ok {
		return tc, nil
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, claims, s.signer.public)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenMalformed) {
			return tokenClaims{}, &tokenError{"InvalidAuthenticationToken", "The access token is invalid."}
		}
		return tokenClaims{}, &tokenError{"InvalidAuthenticationToken", "The access token is invalid: the signature could not be verified."}
	}
	str := func(k string) string { v, _ := claims[k].(string); return v }
	num := func(k string) (time.Time, bool) {
		f, ok := claims[k].(float64)
		return time.Unix(int64(f), 0), ok
	}
	tc := tokenClaims{OID: str("oid"), TID: str("tid"), UPN: str("upn"), AppID: str("appid"), Name: str("name"), Aud: str("aud"), IDType: str("idtyp")}
	cc, _ := claims["xms_cc"].([]any)
	for _, c := range cc {
		tc.CAE = tc.CAE || c == "CP1"
	}
	if iss := str("iss"); iss != s.issuerV1() && iss != s.issuerV2() {
		return tokenClaims{}, &tokenError{"InvalidAuthenticationTokenTenant", fmt.Sprintf("The access token is from the wrong issuer '%s'. It must match the tenant 'https://sts.windows.net/%s/' associated with this subscription.", iss, s.world.Tenant.ID)}
	}
	if !strings.EqualFold(tc.TID, s.world.Tenant.ID) {
		return tokenClaims{}, &tokenError{"InvalidAuthenticationTokenTenant", fmt.Sprintf("The access token is from the wrong issuer. It must match the tenant '%s'.", s.world.Tenant.ID)}
	}
	exp, ok := num("exp")
	if !ok || tc.OID == "" {
		return tokenClaims{}, &tokenError{"InvalidAuthenticationToken", "The access token is invalid: required claims (exp, oid) are missing."}
	}
	tc.Exp = exp
	now := s.now()
	if !now.Before(exp) {
		return tokenClaims{}, &tokenError{"ExpiredAuthenticationToken", fmt.Sprintf(
			"The access token expiry UTC time '%s' is earlier than current UTC time '%s'.", armTime(exp), armTime(now))}
	}
	if nbf, ok := num("nbf"); ok && now.Before(nbf) {
		return tokenClaims{}, &tokenError{"InvalidAuthenticationToken", "The access token is not yet valid."}
	}
	if !isAccessToken(claims) {
		return tokenClaims{}, &tokenError{"InvalidAuthenticationToken",
			"The access token is invalid: it is not an access token (an ID token proves a sign-in to its client app; it cannot call an API)."}
	}
	s.tokens.put(raw, tc, now)
	return tc, nil
}

// isAccessToken tells an access token from an ID token by the claims only
// access tokens carry: the client they were issued to (appid in v1, azp in
// v2) and what the caller may do, delegated scopes (scp) or, for an app,
// app roles or idtyp "app". An ID token has none of these: its audience is
// the client itself.
// https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference ("Payload claims")
// https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference ("Payload claims")
func isAccessToken(c jwt.MapClaims) bool {
	str := func(k string) string { v, _ := c[k].(string); return v }
	if str("appid") == "" && str("azp") == "" {
		return false
	}
	roles, _ := c["roles"].([]any)
	return str("scp") != "" || len(roles) > 0 || str("idtyp") == "app"
}

// armTime formats like ARM's messages: 11/24/2025 11:31:00 PM.
func armTime(t time.Time) string { return t.UTC().Format("1/2/2006 3:04:05 PM") }
