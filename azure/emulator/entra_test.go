package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/golang-jwt/jwt/v5"
)

// Attacks on the simulated Entra ID over HTTPS: who may ask for a token
// (client ids), for what (resources), which tokens the resource servers
// take (access tokens only), and how much the sign-in state may grow.

// entraPost POSTs form to path on the server (e.g. "/{tenant}/oauth2/v2.0/token")
// and decodes the JSON answer.
func entraPost(t testing.TB, s *Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.HTTPClient().PostForm(s.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s answered %d, not JSON: %s", path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

func tokenPath(s *Server) string  { return "/" + s.TenantID() + "/oauth2/v2.0/token" }
func devicePath(s *Server) string { return "/" + s.TenantID() + "/oauth2/v2.0/devicecode" }

// wantAADSTS checks an Entra error: status, error, error_codes and text.
func wantAADSTS(t testing.TB, status int, body map[string]any, wantStatus int, wantErr string, wantCode int, inDesc ...string) {
	t.Helper()
	codes, _ := body["error_codes"].([]any)
	if status != wantStatus || body["error"] != wantErr || len(codes) != 1 || codes[0] != float64(wantCode) {
		t.Fatalf("got %d %v %v, want %d %s [%d]: %v", status, body["error"], body["error_codes"], wantStatus, wantErr, wantCode, body["error_description"])
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", wantCode)) {
		t.Errorf("description %q does not start with AADSTS%d", desc, wantCode)
	}
	for _, w := range inDesc {
		if !strings.Contains(desc, w) {
			t.Errorf("description %q lacks %q", desc, w)
		}
	}
}

// personaPassword reads a persona's password from the running world, as
// the banner and the persona picker do: it is random per instance.
func personaPassword(t testing.TB, s *Server, key string) string {
	t.Helper()
	for _, p := range s.Personas() {
		if p.Key == key {
			return p.Password
		}
	}
	t.Fatalf("no persona %q", key)
	return ""
}

// passwordForm is a password grant as persona through client for scope.
func passwordForm(t testing.TB, s *Server, persona, client, scope string) url.Values {
	f := url.Values{"grant_type": {"password"}, "username": {persona + "@contoso.example"},
		"password": {personaPassword(t, s, persona)}, "scope": {scope + " openid profile offline_access"}}
	if client != "" {
		f.Set("client_id", client)
	}
	return f
}

// signed is claims signed with the server's own key: what only a bug in
// the token endpoint could hand out.
func signed(t testing.TB, s *Server, c jwt.MapClaims) string {
	t.Helper()
	tok, err := s.sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The trick of issue 15: a client_id naming a resource made the ID token's
// audience that resource, and ARM and the aad_token endpoint took it.
// Unknown client ids are refused, and an ID token is refused as a bearer.
func TestEntraClientIDCannotChooseTheAudience(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	t.Run("unknown client ids", func(t *testing.T) {
		for _, client := range []string{"https://management.azure.com", "https://ml.azure.com", "00000003-0000-0000-c000-000000000000", "11111111-2222-4333-8444-555555555555"} {
			st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "alice", client, "https://ml.azure.com/.default"))
			wantAADSTS(t, st, body, 400, "unauthorized_client", 700016,
				"Application with identifier '"+client+"' was not found in the directory 'Contoso ML'.")
			st, body = entraPost(t, s, devicePath(s), url.Values{"client_id": {client}, "scope": {"https://management.azure.com/.default"}})
			wantAADSTS(t, st, body, 400, "unauthorized_client", 700016, client)
		}
	})

	// A real sign-in's ID token (audience: the CLI app) is refused by ARM,
	// Graph and the aad_token endpoint: it is not an access token.
	t.Run("a real ID token", func(t *testing.T) {
		st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "alice", armtCLIClientID, mlScope))
		if st != 200 {
			t.Fatalf("password grant through the Azure CLI app: %d %v", st, body)
		}
		id, _ := body["id_token"].(string)
		code, h, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", id, nil, nil)
		if c, m := armtError(t, b); code != 401 || c != "InvalidAuthenticationToken" || !strings.Contains(m, "not an access token") ||
			!strings.HasPrefix(h.Get("WWW-Authenticate"), `Bearer authorization_uri="`) {
			t.Errorf("ARM took an ID token: %d %s %v", code, b, h)
		}
		code, _, b = e.do(http.MethodGet, "/graph/v1.0/me", id, nil, nil)
		if c, _ := armtError(t, b); code != 401 || c != "InvalidAuthenticationToken" {
			t.Errorf("Graph took an ID token: %d %s", code, b)
		}
		st2, h2, b2 := e.scoreReq("churn-aad", id, scoreSample, nil)
		wantScoreErr(t, st2, h2, b2, 401, "InvalidAuthenticationToken", "not an access token")
	})

	// Even an ID token whose audience were a resource is not an access token.
	t.Run("an ID token for a resource", func(t *testing.T) {
		now := time.Now()
		idToken := func(aud string) string {
			return signed(t, s, jwt.MapClaims{"aud": aud, "iss": s.issuerV2(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
				"name": "Alice Chen", "oid": idAlice, "preferred_username": "alice@contoso.example", "sub": "x", "tid": s.TenantID(), "ver": "2.0"})
		}
		code, h, b := e.scoreReq("churn-aad", idToken("https://ml.azure.com"), scoreSample, nil)
		wantScoreErr(t, code, h, b, 401, "InvalidAuthenticationToken", "not an access token")
		for path, aud := range map[string]string{"/subscriptions?api-version=2022-12-01": "https://management.azure.com", "/graph/v1.0/me": "https://graph.microsoft.com"} {
			code, h, b := e.do(http.MethodGet, path, idToken(aud), nil, nil)
			if c, m := armtError(t, b); code != 401 || c != "InvalidAuthenticationToken" || !strings.Contains(m, "not an access token") || h.Get("WWW-Authenticate") == "" {
				t.Errorf("an ID token for %s: %d %s", aud, code, b)
			}
		}
	})
}

// The clients real tools use sign in; the app's own sign-ins keep working.
func TestEntraKnownClients(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	for _, client := range []string{armtCLIClientID, "1950a258-227b-4e31-a9cf-717495945fc2", "AEBC6443-996D-45C2-90F0-388FF96FAA56"} {
		st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "bob", client, armtScope))
		if st != 200 {
			t.Fatalf("%s: %d %v", client, st, body)
		}
		at, _ := body["access_token"].(string)
		if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", at, nil, nil); code != 200 {
			t.Errorf("%s's access token refused: %d %s", client, code, b)
		}
		var c jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(at, &c); err != nil || c["appid"] != client || c["scp"] != "user_impersonation" || c["idtyp"] != "user" {
			t.Errorf("access token claims %v (%v)", c, err)
		}
		var ic jwt.MapClaims
		if _, _, err := jwt.NewParser().ParseUnverified(body["id_token"].(string), &ic); err != nil || ic["aud"] != client || ic["scp"] != nil || ic["idtyp"] != nil || ic["appid"] != nil {
			t.Errorf("ID token claims %v (%v)", ic, err)
		}
	}
	// A public client proves nothing with a secret; a confidential app must send its secret.
	f := passwordForm(t, s, "bob", armtCLIClientID, armtScope)
	f.Set("client_secret", "x")
	st, body := entraPost(t, s, tokenPath(s), f)
	wantAADSTS(t, st, body, 401, "invalid_client", 700025, "Client is public")
	_, app, secret := s.ServicePrincipalCredentials()
	st, body = entraPost(t, s, tokenPath(s), passwordForm(t, s, "bob", app, armtScope))
	wantAADSTS(t, st, body, 401, "invalid_client", 7000218, "'client_secret'")
	f = passwordForm(t, s, "bob", app, armtScope)
	f.Set("client_secret", secret)
	if st, body := entraPost(t, s, tokenPath(s), f); st != 200 {
		t.Errorf("password grant through the directory's own app with its secret: %d %v", st, body)
	}
	// The Azure CLI's app has no secret to use with client credentials.
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"client_credentials"}, "client_id": {armtCLIClientID}, "scope": {armtScope}})
	wantAADSTS(t, st, body, 401, "invalid_client", 7000218)
}

// Password and device-code sign-ins need a client id (AADSTS900144).
func TestEntraClientIDRequired(t *testing.T) {
	e := newARMT(t, Options{AutoApprove: "alice"})
	s := e.s
	st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "alice", "", armtScope))
	wantAADSTS(t, st, body, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
	st, body = entraPost(t, s, devicePath(s), url.Values{"scope": {armtScope}})
	wantAADSTS(t, st, body, 400, "invalid_request", 900144, "'client_id'")

	st, body = entraPost(t, s, devicePath(s), url.Values{"client_id": {armtCLIClientID}, "scope": {armtScope}})
	if st != 200 {
		t.Fatalf("device code: %d %v", st, body)
	}
	dc := body["device_code"].(string)
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"device_code"}, "device_code": {dc}, "scope": {armtScope}})
	wantAADSTS(t, st, body, 400, "invalid_request", 900144)
	// Another client cannot redeem the code.
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"device_code"}, "device_code": {dc}, "scope": {armtScope}, "client_id": {"1950a258-227b-4e31-a9cf-717495945fc2"}})
	wantAADSTS(t, st, body, 400, "bad_verification_code", 70000)
	// RFC 8628's token request has no scope (MSAL Python sends none): the code's own scope applies.
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"device_code"}, "device_code": {dc}, "client_id": {armtCLIClientID}})
	if st != 200 || body["access_token"] == nil {
		t.Fatalf("the asking client redeems its code: %d %v", st, body)
	}
	if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", body["access_token"].(string), nil, nil); code != 200 {
		t.Fatalf("the device code's token for ARM: %d %s", code, b)
	}
	// A refresh token is bound to its client too.
	rt := body["refresh_token"].(string)
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {mlScope}, "client_id": {"1950a258-227b-4e31-a9cf-717495945fc2"}})
	wantAADSTS(t, st, body, 400, "invalid_grant", 9002313)
	if st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {mlScope}, "client_id": {armtCLIClientID}}); st != 200 {
		t.Fatalf("refresh through its own client: %d %v", st, body)
	}
}

// A scope for a resource nobody registered gets AADSTS500011, on every grant.
func TestEntraUnknownResource(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	_, app, secret := s.ServicePrincipalCredentials()
	for _, res := range []string{"https://vault.azure.net", "https://management.azure.com.evil.example", "api://not-an-app"} {
		st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "alice", armtCLIClientID, res+"/.default"))
		wantAADSTS(t, st, body, 400, "invalid_resource", 500011, "The resource principal named "+res+" was not found in the tenant named "+s.TenantID()+".")
		st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"client_credentials"}, "client_id": {app}, "client_secret": {secret}, "scope": {res + "/.default"}})
		wantAADSTS(t, st, body, 400, "invalid_resource", 500011, res)
		st, body = entraPost(t, s, devicePath(s), url.Values{"client_id": {armtCLIClientID}, "scope": {res + "/.default"}})
		wantAADSTS(t, st, body, 400, "invalid_resource", 500011, res)
	}
	// Every spelling of the served resources, and the directory's own app, are registered.
	for _, res := range []string{"https://management.azure.com/", "https://management.core.windows.net//", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/", "https://ml.azure.com/", app + "/", "api://" + app + "/"} {
		if st, body := entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"client_credentials"}, "client_id": {app}, "client_secret": {secret}, "scope": {res + ".default"}}); st != 200 {
			t.Errorf("%s.default: %d %v", res, st, body)
		}
	}
}

// The sign-in maps and the validated-token cache are bounded: a flood
// keeps at most the limit, expired entries go, and the newest still work.
func TestEntraStateIsBounded(t *testing.T) {
	clock := newTestClock()
	e := newARMT(t, Options{Now: clock.Now})
	s := e.s
	const limit = 8
	s.entra.flows.mu.Lock()
	s.entra.flows.limit = limit
	s.entra.flows.mu.Unlock()
	s.tokens.mu.Lock()
	s.tokens.limit = limit
	s.tokens.mu.Unlock()

	var refresh, access []string
	for range 3 * limit {
		st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "bob", armtCLIClientID, armtScope))
		if st != 200 {
			t.Fatalf("password grant: %d %v", st, body)
		}
		refresh = append(refresh, body["refresh_token"].(string))
		access = append(access, body["access_token"].(string))
		if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", access[len(access)-1], nil, nil); code != 200 {
			t.Fatalf("ARM: %d %s", code, b)
		}
		st, _ = entraPost(t, s, devicePath(s), url.Values{"client_id": {armtCLIClientID}, "scope": {armtScope}})
		if st != 200 {
			t.Fatalf("device code: %d", st)
		}
		clock.Advance(time.Second) // distinct expiries: the oldest goes first
	}
	s.entra.flows.mu.Lock()
	nr, nd := len(s.entra.flows.refresh), len(s.entra.flows.devices)
	s.entra.flows.mu.Unlock()
	if nr != limit || nd != limit || s.tokens.len() != limit {
		t.Fatalf("after %d sign-ins: %d refresh tokens, %d device codes, %d cached tokens; want %d each", 3*limit, nr, nd, s.tokens.len(), limit)
	}
	redeem := func(rt string) (int, map[string]any) {
		return entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {armtScope}, "client_id": {armtCLIClientID}})
	}
	st, body := redeem(refresh[0])
	wantAADSTS(t, st, body, 400, "invalid_grant", 9002313) // evicted
	if st, body := redeem(refresh[len(refresh)-1]); st != 200 {
		t.Fatalf("the newest refresh token: %d %v", st, body)
	}
	// Evicted from the cache is not refused: the token is checked again.
	if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", access[0], nil, nil); code != 200 {
		t.Fatalf("a live token dropped from the cache: %d %s", code, b)
	}

	// Past every expiry, an expired refresh token is refused and dropped,
	// and once a map is full the expired entries make way: two sign-ins
	// later each holds just those two.
	clock.Advance(refreshTokenLifetime + time.Hour)
	st, body = redeem(refresh[len(refresh)-2])
	wantAADSTS(t, st, body, 400, "invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on ", "inactive for 90.00:00:00.")
	st, body = redeem(refresh[len(refresh)-2])
	wantAADSTS(t, st, body, 400, "invalid_grant", 9002313) // and dropped
	for range 2 {
		st, body = entraPost(t, s, tokenPath(s), passwordForm(t, s, "bob", armtCLIClientID, armtScope))
		if st != 200 {
			t.Fatalf("password grant: %d %v", st, body)
		}
		if code, _, b := e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", body["access_token"].(string), nil, nil); code != 200 {
			t.Fatalf("ARM: %d %s", code, b)
		}
		if st, _ = entraPost(t, s, devicePath(s), url.Values{"client_id": {armtCLIClientID}, "scope": {armtScope}}); st != 200 {
			t.Fatalf("device code: %d", st)
		}
	}
	s.entra.flows.mu.Lock()
	nr, nd = len(s.entra.flows.refresh), len(s.entra.flows.devices)
	s.entra.flows.mu.Unlock()
	if nr != 2 || nd != 2 || s.tokens.len() != 2 {
		t.Fatalf("after expiry: %d refresh tokens, %d device codes, %d cached tokens; want 2 each", nr, nd, s.tokens.len())
	}
}

var userCodeRE = regexp.MustCompile(`^[A-Z2-9]{9}$`)

// startDeviceCode asks for a device code as the Azure CLI app.
func startDeviceCode(t testing.TB, s *Server) (deviceCode, userCode string) {
	t.Helper()
	st, body := entraPost(t, s, devicePath(s), url.Values{"client_id": {armtCLIClientID}, "scope": {armtScope + " openid offline_access"}})
	if st != 200 {
		t.Fatalf("device code: %d %v", st, body)
	}
	dc, uc := body["device_code"].(string), body["user_code"].(string)
	if !userCodeRE.MatchString(uc) {
		t.Fatalf("user code %q", uc)
	}
	return dc, uc
}

func pollDeviceCode(t testing.TB, s *Server, dc string) (int, map[string]any) {
	return entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"device_code"}, "device_code": {dc}, "client_id": {armtCLIClientID}, "scope": {armtScope}})
}

// page POSTs form to path and returns the HTML.
func page(t testing.TB, s *Server, path string, form url.Values) string {
	t.Helper()
	resp, err := s.HTTPClient().PostForm(s.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Anyone who can reach /devicelogin could approve someone else's pending
// sign-in as any persona: the page asks for the persona's password.
func TestDeviceLoginAsksForThePassword(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	dc, uc := startDeviceCode(t, s)
	for _, pw := range []string{"", "alice-demo-pass", personaPassword(t, s, "bob")} {
		html := page(t, s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"alice"}, "password": {pw}, "action": {"approve"}})
		if !strings.Contains(html, "wrong password for alice@contoso.example") || strings.Contains(html, "You signed in") {
			t.Fatalf("approved with password %q: %s", pw, html)
		}
		st, body := pollDeviceCode(t, s, dc)
		wantAADSTS(t, st, body, 400, "authorization_pending", 70016)
	}
	html := page(t, s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"alice"}, "password": {personaPassword(t, s, "alice")}, "action": {"approve"}})
	if !strings.Contains(html, "You signed in as alice") {
		t.Fatalf("the right password: %s", html)
	}
	st, body := pollDeviceCode(t, s, dc)
	if st != 200 {
		t.Fatalf("approved code: %d %v", st, body)
	}
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(body["access_token"].(string), &c); err != nil || c["oid"] != idAlice {
		t.Fatalf("token for %v (%v)", c["oid"], err)
	}
	// The page shows no password.
	for _, p := range s.Personas() {
		if html := page(t, s, "/devicelogin", nil); strings.Contains(html, p.Password) {
			t.Fatalf("the sign-in page shows %s's password", p.Key)
		}
	}

	// The in-process demo's approval (the sign-in screen) needs none.
	dc, uc = startDeviceCode(t, s)
	if err := s.ApproveDeviceCode(uc, "gary"); err != nil {
		t.Fatal(err)
	}
	if st, body := pollDeviceCode(t, s, dc); st != 200 {
		t.Fatalf("approved in process: %d %v", st, body)
	}

	// With AutoApprove naming a persona, that one needs no password; others still do.
	e2 := newARMT(t, Options{AutoApprove: "alice", AutoApproveAfter: 100})
	_, uc = startDeviceCode(t, e2.s)
	if html := page(t, e2.s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"bob"}, "action": {"approve"}}); !strings.Contains(html, "wrong password") {
		t.Fatalf("bob approved without a password: %s", html)
	}
	if html := page(t, e2.s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"alice"}, "action": {"approve"}}); !strings.Contains(html, "You signed in as alice") {
		t.Fatalf("the auto-approve persona: %s", html)
	}

	// The in-process demo, which never shows passwords, opts out.
	e3 := newARMT(t, Options{PasswordlessPages: true})
	_, uc = startDeviceCode(t, e3.s)
	if html := page(t, e3.s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"bob"}, "action": {"approve"}}); !strings.Contains(html, "You signed in as bob") {
		t.Fatalf("passwordless pages: %s", html)
	}
}

// The browser sign-in page asks for the password the same way.
func TestAuthorizeAsksForThePassword(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	authorize := "/" + s.TenantID() + "/oauth2/v2.0/authorize?" + url.Values{"client_id": {armtCLIClientID}, "redirect_uri": {"http://localhost:9"},
		"response_type": {"code"}, "response_mode": {"form_post"}, "state": {"st"}, "scope": {armtScope}}.Encode()
	html := page(t, s, authorize, url.Values{"persona": {"olivia"}, "password": {"olivia-demo-pass"}, "action": {"approve"}})
	if strings.Contains(html, `name="code"`) || !strings.Contains(html, "wrong password for olivia@contoso.example") {
		t.Fatalf("a code without the password: %s", html)
	}
	html = page(t, s, authorize, url.Values{"persona": {"olivia"}, "password": {personaPassword(t, s, "olivia")}, "action": {"approve"}})
	if !strings.Contains(html, `name="code"`) {
		t.Fatalf("no code with the password: %s", html)
	}
	// The code goes once, to the client it was issued to, with the redirect it was issued for.
	code := regexp.MustCompile(`name="code" value="([^"]+)"`).FindStringSubmatch(html)[1]
	redeem := func(client, redirect string) (int, map[string]any) {
		return entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {client},
			"redirect_uri": {redirect}, "scope": {armtScope}})
	}
	st, body := redeem("1950a258-227b-4e31-a9cf-717495945fc2", "http://localhost:9")
	wantAADSTS(t, st, body, 400, "invalid_grant", 70008) // another client (and the code is spent)
	html = page(t, s, authorize, url.Values{"persona": {"olivia"}, "password": {personaPassword(t, s, "olivia")}, "action": {"approve"}})
	code = regexp.MustCompile(`name="code" value="([^"]+)"`).FindStringSubmatch(html)[1]
	st, body = redeem(armtCLIClientID, "http://localhost:10")
	wantAADSTS(t, st, body, 400, "invalid_grant", 70008) // another redirect
	html = page(t, s, authorize, url.Values{"persona": {"olivia"}, "password": {personaPassword(t, s, "olivia")}, "action": {"approve"}})
	code = regexp.MustCompile(`name="code" value="([^"]+)"`).FindStringSubmatch(html)[1]
	if st, body := redeem(armtCLIClientID, "http://localhost:9"); st != 200 {
		t.Fatalf("the code: %d %v", st, body)
	}
	st, body = redeem(armtCLIClientID, "http://localhost:9")
	wantAADSTS(t, st, body, 400, "invalid_grant", 70008) // replayed

	// Only a loopback http(s) redirect: a javascript: one would run in the sign-in page's origin.
	for _, redirect := range []string{"javascript://localhost/%0aalert(1)", "https://evil.example/", "data://localhost/x"} {
		u := strings.Replace(authorize, url.QueryEscape("http://localhost:9"), url.QueryEscape(redirect), 1)
		st, body = entraPost(t, s, u, nil)
		wantAADSTS(t, st, body, 400, "invalid_request", 50011, redirect)
	}

	// An unknown client gets no sign-in page at all.
	st, body = entraPost(t, s, strings.Replace(authorize, armtCLIClientID, "https%3A%2F%2Fmanagement.azure.com", 1), nil)
	wantAADSTS(t, st, body, 400, "unauthorized_client", 700016)
}

// Entra answers from the world as it is now: a user deleted after
// approving a device code, or while holding a refresh token, gets nothing.
func TestEntraReadsTheWorldAtEveryRequest(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	dc, uc := startDeviceCode(t, s)
	if err := s.ApproveDeviceCode(uc, "nina"); err != nil {
		t.Fatal(err)
	}
	st, body := entraPost(t, s, tokenPath(s), passwordForm(t, s, "nina", armtCLIClientID, armtScope))
	if st != 200 {
		t.Fatalf("password grant: %d %v", st, body)
	}
	rt := body["refresh_token"].(string)
	s.Mutate(func(w *World) { delete(w.Users, idNina) })
	st, body = pollDeviceCode(t, s, dc)
	wantAADSTS(t, st, body, 400, "invalid_grant", 50034, "The user account {EUII Hidden} does not exist in the contoso.example directory.")
	st, body = entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {armtScope}, "client_id": {armtCLIClientID}})
	wantAADSTS(t, st, body, 400, "invalid_grant", 50034)

	// A new secret on the app works at once; a removed one stops at once.
	_, app, secret := s.ServicePrincipalCredentials()
	cc := func(secret string) (int, map[string]any) {
		return entraPost(t, s, tokenPath(s), url.Values{"grant_type": {"client_credentials"}, "client_id": {app}, "client_secret": {secret}, "scope": {armtScope}})
	}
	s.Mutate(func(w *World) { w.ServicePrincipals[idScorerSP].Secrets = []string{"rotated-" + secret} })
	st, body = cc(secret)
	wantAADSTS(t, st, body, 401, "invalid_client", 7000215)
	if st, body := cc("rotated-" + secret); st != 200 {
		t.Fatalf("the new secret: %d %v", st, body)
	}
	// Group membership is read per request: gary's token scores churn-aad
	// through ml-scorers only while he is in it.
	tok := e.token("gary", mlScope)
	if st, _, b := e.scoreReq("churn-aad", tok, scoreSample, nil); st != 200 {
		t.Fatalf("gary scores: %d %s", st, b)
	}
	s.Mutate(func(w *World) { w.Groups[idGroupScorers].Members = nil })
	st2, h, b := e.scoreReq("churn-aad", tok, scoreSample, nil)
	wantScoreErr(t, st2, h, b, 403, "AuthorizationFailed")
}

// Every secret is random per instance: the app's client secret, the
// personas' passwords and the signing key. One instance's token and
// secret mean nothing to another.
func TestEntraSecretsArePerInstance(t *testing.T) {
	a, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	_, appA, secretA := a.ServicePrincipalCredentials()
	_, appB, secretB := b.ServicePrincipalCredentials()
	if appA != appB || secretA == secretB || len(secretA) != 40 || strings.Contains(secretA, "churn") {
		t.Fatalf("client secrets: %q and %q", secretA, secretB)
	}
	for _, p := range a.Personas() {
		if pw := personaPassword(t, b, p.Key); pw == p.Password || p.Password == p.Key+"-demo-pass" {
			t.Fatalf("%s's password is the same in both instances or the old fixed one: %q", p.Key, pw)
		}
	}
	st, body := entraPost(t, b, tokenPath(b), url.Values{"grant_type": {"client_credentials"}, "client_id": {appA}, "client_secret": {secretA}, "scope": {armtScope}})
	wantAADSTS(t, st, body, 401, "invalid_client", 7000215)
	st, body = entraPost(t, b, tokenPath(b), passwordForm(t, a, "alice", armtCLIClientID, armtScope))
	wantAADSTS(t, st, body, 400, "invalid_grant", 50126)

	st, body = entraPost(t, a, tokenPath(a), url.Values{"grant_type": {"client_credentials"}, "client_id": {appA}, "client_secret": {secretA}, "scope": {armtScope}})
	if st != 200 {
		t.Fatalf("client credentials: %d %v", st, body)
	}
	eb := &armtEnv{t: t, s: b}
	code, h, raw := eb.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", body["access_token"].(string), nil, nil)
	if c, m := armtError(t, raw); code != 401 || c != "InvalidAuthenticationToken" || !strings.Contains(m, "signature") || h.Get("WWW-Authenticate") == "" {
		t.Fatalf("another instance's token: %d %s", code, raw)
	}
}

// A token outlives its principal only until the next request: ARM, Graph
// and scoring refuse the token of a user or app deleted from the
// directory, with a claims challenge for CAE clients (which then learn
// from Entra that the account is gone).
func TestTokensOfDeletedPrincipalsAreRevoked(t *testing.T) {
	e := newARMT(t, Options{})
	s := e.s
	arm, ml, graph := e.token("alice", armtScope), e.token("alice", mlScope), e.token("alice", "https://graph.microsoft.com/.default")
	app := e.token("sp", armtScope)
	if code, b := e.get("alice", "/subscriptions?api-version=2022-12-01"); code != 200 {
		t.Fatalf("alice before: %d %s", code, b)
	}
	s.Mutate(func(w *World) {
		delete(w.Users, idAlice)
		delete(w.ServicePrincipals, idScorerSP)
	})
	for name, c := range map[string]struct{ path, tok string }{
		"ARM": {"/subscriptions?api-version=2022-12-01", arm}, "Graph": {"/graph/v1.0/me", graph}, "ARM as the app": {"/subscriptions?api-version=2022-12-01", app},
	} {
		code, h, b := e.do(http.MethodGet, c.path, c.tok, nil, nil)
		if cd, m := armtError(t, b); code != 401 || cd != "InvalidAuthenticationToken" || !strings.Contains(m, "no longer exists in the directory") {
			t.Errorf("%s: %d %s", name, code, b)
		}
		if ch := h.Get("WWW-Authenticate"); !strings.Contains(ch, `error="insufficient_claims", claims="`) {
			t.Errorf("%s: a CAE token's refusal is a claims challenge, got %q", name, ch)
		}
	}
	st, h, b := e.scoreReq("churn-aad", ml, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidAuthenticationToken", "no longer exists in the directory")
}

// A deleted endpoint's system-assigned identity is gone from the directory
// as soon as the delete finishes, whatever surface is asked next: its
// token is refused by Graph without any ARM request settling the delete.
func TestDeletedEndpointIdentityIsGoneEverywhere(t *testing.T) {
	e, clock := epwEnv(t)
	s := e.s
	path := epwPath("mlw-churn", "churn-key")
	var mi *ServicePrincipal
	s.Mutate(func(w *World) {
		mi = w.ServicePrincipals[strings.ToLower(w.Endpoints[strings.ToLower(path)].Identity.PrincipalID)]
	})
	if mi == nil {
		t.Fatal("churn-key has no system-assigned identity in the seed")
	}
	s.mu.RLock()
	tok, _, err := s.entra.accessToken(principal{sp: mi}, "https://graph.microsoft.com", mi.AppID, false) // what IMDS would hand the endpoint
	s.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	graphSP := "/graph/v1.0/servicePrincipals/" + mi.ID
	if code, _, b := e.do(http.MethodGet, graphSP, tok, nil, nil); code == 401 {
		t.Fatalf("the identity's token before the delete: %d %s", code, b)
	}
	if code, _, b := e.epwSend("alice", http.MethodDelete, path, nil); code != http.StatusAccepted {
		t.Fatalf("delete: %d %s", code, b)
	}
	clock.Advance(time.Minute) // the delete is due; nobody has asked ARM since
	code, _, b := e.do(http.MethodGet, graphSP, tok, nil, nil)
	if c, m := armtError(t, b); code != 401 || c != "InvalidAuthenticationToken" || !strings.Contains(m, "no longer exists in the directory") {
		t.Fatalf("the deleted endpoint's identity on Graph: %d %s", code, b)
	}
}

// A real client holding a CAE token of a user deleted since: ARM's claims
// challenge makes azcore ask the credential for a new token, and Entra
// answers that the account is gone (AADSTS50034), as it would in Azure.
func TestRealClientLearnsItsUserIsGone(t *testing.T) {
	e := newARMT(t, Options{})
	client, err := armsubscriptions.NewClient(e.cred("nina"), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	list := func() error {
		_, err := client.NewListPager(nil).NextPage(armtCtx(t))
		return err
	}
	if err := list(); err != nil {
		t.Fatalf("nina lists subscriptions: %v", err)
	}
	e.s.Mutate(func(w *World) { delete(w.Users, idNina) })
	if err := list(); err == nil || !strings.Contains(err.Error(), "AADSTS50034") {
		t.Fatalf("want Entra's AADSTS50034 after the claims challenge, got %v", err)
	}
}
