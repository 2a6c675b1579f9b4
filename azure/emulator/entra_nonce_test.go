package emulator

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The simulated Entra's browser flow carries the authorization request's
// nonce into the ID token (OpenID Connect Core 1.0 §3.1.2.1, checked by
// the client in §3.1.3.7 step 11), through the account picker's form too.

var pageHidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"/?>`)

// authorizeGET loads the authorize page the way a browser does.
func authorizeGET(t *testing.T, s *Server, q url.Values) string {
	t.Helper()
	resp, err := s.HTTPClient().Get(s.URL() + "/" + s.TenantID() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// hiddenFields are a page's hidden inputs, unescaped as a browser posts them.
func hiddenFields(page string) url.Values {
	f := url.Values{}
	for _, m := range pageHidden.FindAllStringSubmatch(page, -1) {
		f.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return f
}

// redeemCode swaps the form_post page's code for tokens and returns the
// ID token's claims and the refresh token.
func redeemCode(t *testing.T, s *Server, formPost string) (jwt.MapClaims, string) {
	t.Helper()
	code := hiddenFields(formPost).Get("code")
	if code == "" {
		t.Fatalf("no code in %s", formPost)
	}
	st, body := entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {armtCLIClientID}, "redirect_uri": {"http://localhost:9"}, "scope": {armtScope + " openid profile offline_access"}})
	if st != 200 {
		t.Fatalf("redeem: %d %v", st, body)
	}
	return idClaims(t, s, body), body["refresh_token"].(string)
}

// idClaims verifies a token response's ID token with the server's key.
func idClaims(t *testing.T, s *Server, body map[string]any) jwt.MapClaims {
	t.Helper()
	raw, _ := body["id_token"].(string)
	c := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, c, s.signer.public, jwt.WithValidMethods([]string{"RS256"})); err != nil {
		t.Fatalf("id_token: %v", err)
	}
	return c
}

func TestEntraIDTokenCarriesTheNonce(t *testing.T) {
	// A nonce a page would mangle if it were not escaped, and a plain one.
	for _, nonce := range []string{"n-0S6_WzA2Mj", `"><script>alert(1)</script>&amp;`} {
		authz := url.Values{"client_id": {armtCLIClientID}, "redirect_uri": {"http://localhost:9"}, "response_type": {"code"},
			"response_mode": {"form_post"}, "state": {"st"}, "scope": {armtScope + " openid profile offline_access"}, "nonce": {nonce}}

		t.Run("auto-approved", func(t *testing.T) {
			s := newARMT(t, Options{AutoApprove: "alice"}).s
			c, _ := redeemCode(t, s, authorizeGET(t, s, authz))
			if c["nonce"] != nonce || c["oid"] != idAlice {
				t.Fatalf("id token nonce %q for %v, want %q", c["nonce"], c["oid"], nonce)
			}
		})

		t.Run("through the account picker", func(t *testing.T) {
			s := newARMT(t, Options{}).s
			picker := authorizeGET(t, s, authz)
			if strings.Contains(picker, "<script>alert") {
				t.Fatalf("the picker echoes the nonce unescaped: %s", picker)
			}
			form := hiddenFields(picker)
			form.Set("persona", "alice")
			form.Set("password", personaPassword(t, s, "alice"))
			form.Set("action", "approve")
			c, rt := redeemCode(t, s, page(t, s, "/"+s.TenantID()+"/oauth2/v2.0/authorize", form))
			if c["nonce"] != nonce {
				t.Fatalf("id token nonce %q, want %q", c["nonce"], nonce)
			}
			// A refreshed ID token has none (OpenID Connect Core 1.0 §12.2).
			st, body := entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
				"client_id": {armtCLIClientID}, "scope": {mlScope + " openid profile offline_access"}})
			if st != 200 {
				t.Fatalf("refresh: %d %v", st, body)
			}
			if c := idClaims(t, s, body); c["nonce"] != nil {
				t.Fatalf("refreshed id token has nonce %v", c["nonce"])
			}
		})
	}

	// Without a nonce in the request (MSAL Go's interactive flow sends none:
	// TestBrowserSignIn in package azure), the ID token has no nonce claim.
	s := newARMT(t, Options{AutoApprove: "alice"}).s
	c, _ := redeemCode(t, s, authorizeGET(t, s, url.Values{"client_id": {armtCLIClientID}, "redirect_uri": {"http://localhost:9"},
		"response_type": {"code"}, "response_mode": {"form_post"}, "state": {"st"}, "scope": {armtScope}}))
	if _, ok := c["nonce"]; ok {
		t.Fatalf("nonce %v without one in the request", c["nonce"])
	}
}
