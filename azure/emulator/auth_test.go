package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Bad bearer tokens get ARM's 401 with the challenge and the error code a
// real ARM gives, and never reach RBAC.
func TestBadTokensAre401WithARMCodes(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	good := func() jwt.MapClaims {
		now := time.Now()
		return jwt.MapClaims{"aud": "https://management.azure.com", "iss": s.issuerV1(), "tid": s.TenantID(), "oid": idBob,
			"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "upn": "bob@contoso.example",
			"appid": armtCLIClientID, "scp": "user_impersonation", "idtyp": "user", "ver": "1.0"}
	}
	sign := func(c jwt.MapClaims) string { return signed(t, s, c) }
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, good()).SignedString(other)
	unsigned := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		p, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good()).SigningString()
		return h + "." + strings.Split(p, ".")[1] + "."
	}()
	expired := good()
	expired["exp"], expired["nbf"] = time.Now().Add(-time.Minute).Unix(), time.Now().Add(-2*time.Hour).Unix()
	wrongTenant := good()
	wrongTenant["iss"], wrongTenant["tid"] = "https://sts.windows.net/00000000-0000-0000-0000-000000000bad/", "00000000-0000-0000-0000-000000000bad"
	notYet := good()
	notYet["nbf"] = time.Now().Add(time.Hour).Unix()
	noOID := good()
	delete(noOID, "oid")
	wrongAud := good()
	wrongAud["aud"] = "https://vault.azure.net"
	// alg confusion: HS256 keyed with the public key a verifier might trust.
	signKey, _, _ := s.signer.get()
	pubDER, _ := x509.MarshalPKIXPublicKey(&signKey.PublicKey)
	hmacWithPublicKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, good()).SignedString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	idToken := good() // an ID token's claims: no client (appid/azp), no scp/roles/idtyp
	delete(idToken, "appid")
	delete(idToken, "scp")
	delete(idToken, "idtyp")
	idToken["iss"], idToken["ver"] = s.issuerV2(), "2.0"
	otherHost := good() // v2 issuer of another simulated Azure (another port)
	otherHost["iss"] = "https://127.0.0.1:1/" + s.TenantID() + "/v2.0"
	amlToken := good() // what an aml_token endpoint's getToken returns
	amlToken["iss"], amlToken["typ"] = s.amlTokenIssuer(), "aml_token"

	for name, tc := range map[string]struct{ token, code, msg string }{
		"malformed":                       {"not-a-jwt", "InvalidAuthenticationToken", "invalid"},
		"unsigned":                        {unsigned, "InvalidAuthenticationToken", "signature"},
		"foreign key":                     {foreign, "InvalidAuthenticationToken", "signature"},
		"expired":                         {sign(expired), "ExpiredAuthenticationToken", "is earlier than current UTC time"},
		"wrong tenant":                    {sign(wrongTenant), "InvalidAuthenticationTokenTenant", "wrong issuer"},
		"not yet valid":                   {sign(notYet), "InvalidAuthenticationToken", "not yet valid"},
		"missing oid":                     {sign(noOID), "InvalidAuthenticationToken", "required claims"},
		"wrong audience":                  {sign(wrongAud), "InvalidAuthenticationTokenAudience", "audience"},
		"hs256 keyed with the public key": {hmacWithPublicKey, "InvalidAuthenticationToken", "signature"},
		"id token":                        {sign(idToken), "InvalidAuthenticationToken", "not an access token"},
		"other instance":                  {sign(otherHost), "InvalidAuthenticationTokenTenant", "wrong issuer"},
		"aml token":                       {sign(amlToken), "InvalidAuthenticationTokenTenant", "wrong issuer"},
	} {
		t.Run(name, func(t *testing.T) {
			code, h, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", tc.token, nil, nil)
			c, m := armtError(t, b)
			if code != http.StatusUnauthorized || c != tc.code || !strings.Contains(m, tc.msg) {
				t.Fatalf("got %d %s %q, want 401 %s containing %q", code, c, m, tc.code, tc.msg)
			}
			if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer authorization_uri=") {
				t.Errorf("no WWW-Authenticate challenge: %v", h)
			}
		})
	}
	// The same claims, properly signed, are accepted: the cases above fail for their one defect.
	if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", sign(good()), nil, nil); code != http.StatusOK {
		t.Fatalf("well-formed token refused: %d %s", code, b)
	}
}

// Faults are per route, deterministic for a seed, and shaped as ARM errors.
func TestFaultsPerRouteAndDeterministic(t *testing.T) {
	f429, err := ParseFault("route=/subscriptions,status=429,retry-after=3")
	if err != nil {
		t.Fatal(err)
	}
	e := newARMT(t, Options{Faults: []Fault{f429}})
	tok := e.token("bob", armtScope)
	code, h, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", tok, nil, nil)
	if c, _ := armtError(t, b); code != 429 || h.Get("Retry-After") != "3" || c == "" {
		t.Fatalf("429 fault: %d %v %s", code, h, b)
	}
	if code, _, _ := e.do(http.MethodGet, "/tenants?api-version=2022-12-01", tok, nil, nil); code != 200 {
		t.Fatalf("a fault on /subscriptions hit /tenants: %d", code)
	}

	// The same seed rolls the same dice: which of 40 requests fail is reproducible.
	pattern := func(seed int64) string {
		f, _ := ParseFault("route=/tenants,status=503,rate=0.5")
		e := newARMT(t, Options{Faults: []Fault{f}, FaultSeed: seed})
		tok := e.token("bob", armtScope)
		var b strings.Builder
		for range 40 {
			code, _, _ := e.do(http.MethodGet, "/tenants?api-version=2022-12-01", tok, nil, nil)
			b.WriteString(map[int]string{200: ".", 503: "x"}[code])
		}
		return b.String()
	}
	a, b2 := pattern(7), pattern(7)
	if a != b2 || !strings.Contains(a, "x") || !strings.Contains(a, ".") || len(a) != 40 {
		t.Fatalf("seeded faults not reproducible or not mixed: %q vs %q", a, b2)
	}

	drop, _ := ParseFault("route=/tenants,drop")
	slow, _ := ParseFault("route=/subscriptions,latency=150ms")
	e = newARMT(t, Options{Faults: []Fault{drop, slow}})
	tok = e.token("bob", armtScope)
	req, _ := http.NewRequest(http.MethodGet, e.s.URL()+"/tenants?api-version=2022-12-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := e.s.HTTPClient().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	start := time.Now()
	if code, _, _ := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", tok, nil, nil); code != 200 || time.Since(start) < 150*time.Millisecond {
		t.Fatalf("latency fault: %d after %s", code, time.Since(start))
	}
	if _, err := ParseFault("status=abc"); err == nil {
		t.Error("a bad fault spec must be rejected")
	}
}
