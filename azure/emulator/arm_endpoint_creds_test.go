package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// The credential calls: listKeys, regenerateKeys (LRO) and token, per auth
// mode, per persona, with an injected clock so expiry and operation
// completion are decided by the test, not by waiting.

func credsEP(rg, ws, ep string) string { return epID(SubProduction, rg, ws, ep) }

var (
	churnKey = credsEP(prodRG, "mlw-churn", "churn-key")
	churnAML = credsEP(prodRG, "mlw-churn", "churn-aml")
	churnAAD = credsEP(prodRG, "mlw-churn", "churn-aad")
	sandbox  = epID(SubSandbox, "rg-sandbox", "mlw-sandbox", "sandbox-echo")
)

const credsAPI = "?api-version=2024-04-01"

// post sends a credential call as who; body "" sends none (as the docs' curl does).
func (e *armtEnv) post(who, path, body string) (int, http.Header, []byte) {
	e.t.Helper()
	var hdr map[string]string
	var rd *bytes.Reader
	if body != "" {
		hdr = map[string]string{"Content-Type": "application/json"}
		rd = bytes.NewReader([]byte(body))
	} else {
		rd = bytes.NewReader(nil)
	}
	return e.do(http.MethodPost, path+credsAPI, e.token(who, armtScope), rd, hdr)
}

// endpoint returns a copy of the world's endpoint.
func (e *armtEnv) endpoint(id string) Endpoint {
	e.t.Helper()
	var out Endpoint
	e.s.Mutate(func(w *World) {
		if ep := w.Endpoints[armKey(id)]; ep != nil {
			out = *ep
		}
	})
	if out.Name == "" {
		e.t.Fatalf("no endpoint %s", id)
	}
	return out
}

func (e *armtEnv) keys(who, id string) armEndpointKeysJSON {
	e.t.Helper()
	code, _, b := e.post(who, id+"/listKeys", "")
	if code != http.StatusOK {
		e.t.Fatalf("listKeys %s as %s: %d %s", id, who, code, b)
	}
	var k armEndpointKeysJSON
	if err := json.Unmarshal(b, &k); err != nil {
		e.t.Fatal(err)
	}
	return k
}

func TestCredsListKeysPerAuthMode(t *testing.T) {
	e := newARMT(t, Options{})
	k := e.keys("alice", churnKey)
	ep := e.endpoint(churnKey)
	if k.PrimaryKey != ep.PrimaryKey || k.SecondaryKey != ep.SecondaryKey || k.PrimaryKey == k.SecondaryKey || len(k.PrimaryKey) != 32 {
		t.Errorf("listKeys must return the endpoint's two distinct keys")
	}
	// The docs call it listkeys: ARM paths are case-insensitive.
	if code, _, _ := e.post("alice", churnKey+"/listkeys", ""); code != http.StatusOK {
		t.Errorf("lower-case listkeys: %d", code)
	}
	for _, c := range []struct{ id, mode, hint string }{
		{churnAML, "AMLToken", "token call"},
		{churnAAD, "AADToken", "https://ml.azure.com"},
	} {
		code, _, b := e.post("alice", c.id+"/listKeys", "")
		gotCode, msg := armtError(t, b)
		if code != http.StatusBadRequest || gotCode != "UserError" ||
			!strings.Contains(msg, "auth mode '"+c.mode+"'") || !strings.Contains(msg, c.hint) {
			t.Errorf("listKeys on a %s endpoint: %d %s %q", c.mode, code, gotCode, msg)
		}
	}
}

func TestCredsTokenPerAuthModeWithInjectedClock(t *testing.T) {
	clock := newTestClock()
	const life = 2 * time.Minute
	e := newARMT(t, Options{Now: clock.Now, AMLTokenLifetime: life})
	code, _, b := e.post("alice", churnAML+"/token", "")
	if code != http.StatusOK {
		t.Fatalf("token: %d %s", code, b)
	}
	var tok armEndpointTokenJSON
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	if tok.TokenType != "Bearer" || tok.ExpiryTimeUTC != now.Add(life).Unix() || tok.RefreshAfterTimeUTC != now.Add(life/2).Unix() {
		t.Errorf("token times: type %q expiry %d refresh %d, want Bearer %d %d",
			tok.TokenType, tok.ExpiryTimeUTC, tok.RefreshAfterTimeUTC, now.Add(life).Unix(), now.Add(life/2).Unix())
	}
	ep := e.endpoint(churnAML)
	check := func() error {
		e.s.mu.RLock()
		defer e.s.mu.RUnlock()
		return e.s.checkAMLToken(tok.AccessToken, &ep)
	}
	if err := check(); err != nil {
		t.Fatalf("a fresh token must be accepted: %v", err)
	}
	other := e.endpoint(credsEP("rg-ml-shared", "mlw-shared", "shared-sentiment"))
	e.s.mu.RLock()
	err := e.s.checkAMLToken(tok.AccessToken, &other)
	e.s.mu.RUnlock()
	if err == nil {
		t.Error("a token of churn-aml must not work for another endpoint")
	}
	clock.Advance(life - time.Second)
	if err := check(); err != nil {
		t.Errorf("one second before expiry the token is live: %v", err)
	}
	clock.Advance(time.Second)
	if err := check(); err != errAMLTokenExpired {
		t.Errorf("at expiry: %v, want expired", err)
	}

	for _, c := range []struct{ id, mode, hint string }{
		{churnKey, "Key", "listKeys"},
		{churnAAD, "AADToken", "https://ml.azure.com"},
	} {
		code, _, b := e.post("alice", c.id+"/token", "")
		gotCode, msg := armtError(t, b)
		if code != http.StatusBadRequest || gotCode != "UserError" ||
			!strings.Contains(msg, "auth mode '"+c.mode+"'") || !strings.Contains(msg, c.hint) {
			t.Errorf("token on a %s endpoint: %d %s %q", c.mode, code, gotCode, msg)
		}
	}
}

func TestCredsAuthorizeBeforeAnythingElse(t *testing.T) {
	e := newARMT(t, Options{})
	for _, c := range []struct {
		who, oid, id, call, action string
		status                     int
		deny                       bool // a role grants it, the deny assignment blocks it
	}{
		// bob is a Reader: he sees the endpoints but gets no credential.
		{"bob", idBob, churnKey, "listKeys", actEndpointListKeys, 403, false},
		{"bob", idBob, churnAML, "token", actEndpointToken, 403, false},
		{"bob", idBob, churnKey, "regenerateKeys", actEndpointRegenerateKeys, 403, false},
		// nina has nothing at all.
		{"nina", idNina, churnKey, "listKeys", actEndpointListKeys, 403, false},
		// gary's group holds Data Scientist on churn-aad only.
		{"gary", idGary, churnKey, "listKeys", actEndpointListKeys, 403, false},
		// alice may, but a deny assignment keeps production key rotation with the platform team.
		// ARM then says so (DenyAssignmentAuthorizationFailed), naming the deny assignment.
		{"alice", idAlice, churnKey, "regenerateKeys", actEndpointRegenerateKeys, 403, true},
		// a caller without the action does not learn whether an endpoint exists.
		{"bob", idBob, credsEP(prodRG, "mlw-churn", "nope"), "listKeys", actEndpointListKeys, 403, false},
		{"alice", idAlice, credsEP(prodRG, "mlw-churn", "nope"), "listKeys", actEndpointListKeys, 404, false},
		// allowed, then the auth mode decides.
		{"gary", idGary, churnAAD, "listKeys", actEndpointListKeys, 400, false},
	} {
		code, _, b := e.post(c.who, c.id+"/"+c.call, `{"keyType":"Primary"}`)
		if code != c.status {
			t.Errorf("%s %s on %s: %d %s, want %d", c.who, c.call, c.id, code, b, c.status)
			continue
		}
		gotCode, msg := armtError(t, b)
		switch c.status {
		case 403:
			wantCode, want := "AuthorizationFailed", armtForbidden(c.who+"@contoso.example", c.oid, c.action, c.id)
			if c.deny {
				wantCode = "DenyAssignmentAuthorizationFailed"
				want = fmt.Sprintf("The client '%s@contoso.example' with object id '%s' has permission to perform action '%s' on scope '%s'; however, the access is denied because of the deny assignment with name 'Production keys are rotated by the platform team' and Id '%s' at scope '%s'.",
					c.who, c.oid, c.action, c.id, strings.ReplaceAll(stableGUID("deny|keys"), "-", ""), c.id)
			}
			if gotCode != wantCode || msg != want {
				t.Errorf("%s %s: %s %q\nwant %s %q", c.who, c.call, gotCode, msg, wantCode, want)
			}
		case 404:
			if gotCode != "ResourceNotFound" {
				t.Errorf("%s %s: %s", c.who, c.call, gotCode)
			}
		}
	}
}

// opStatus reads an Azure-AsyncOperation URL.
func (e *armtEnv) opStatus(who, url string) armOperationStatusJSON {
	e.t.Helper()
	code, _, b := e.do(http.MethodGet, strings.TrimPrefix(url, e.s.URL()), e.token(who, armtScope), nil, nil)
	if code != http.StatusOK {
		e.t.Fatalf("operation status: %d %s", code, b)
	}
	var st armOperationStatusJSON
	if err := json.Unmarshal(b, &st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

func TestCredsRegenerateIsAnLROThatReplacesTheKeyAtTheEnd(t *testing.T) {
	clock := newTestClock()
	var log bytes.Buffer
	var logMu sync.Mutex
	e := newARMT(t, Options{Now: clock.Now, Log: lockedWriter{&logMu, &log}})
	before := e.keys("olivia", churnKey) // olivia is the one the deny assignment exempts

	code, h, b := e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"Secondary"}`)
	if code != http.StatusAccepted || h.Get("Location") == "" || h.Get("Azure-AsyncOperation") == "" || h.Get("Retry-After") == "" {
		t.Fatalf("regenerate: %d %v %s", code, h, b)
	}
	if got := e.keys("olivia", churnKey); got != before {
		t.Error("the new key must not take effect before the operation completes")
	}
	if st := e.opStatus("olivia", h.Get("Azure-AsyncOperation")); st.Status != "InProgress" {
		t.Errorf("status while running: %s", st.Status)
	}
	code, _, b = e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"Primary"}`)
	if c, _ := armtError(t, b); code != http.StatusConflict || c != "Conflict" {
		t.Errorf("a second regeneration while one runs: %d %s", code, b)
	}
	loc := strings.TrimPrefix(h.Get("Location"), e.s.URL())
	if code, _, _ := e.do(http.MethodGet, loc, e.token("olivia", armtScope), nil, nil); code != http.StatusAccepted {
		t.Errorf("Location while running: %d", code)
	}

	clock.Advance(3 * time.Second) // the default ProvisioningTime
	if st := e.opStatus("olivia", h.Get("Azure-AsyncOperation")); st.Status != "Succeeded" {
		t.Fatalf("status after completion: %+v", st)
	}
	if code, _, _ := e.do(http.MethodGet, loc, e.token("olivia", armtScope), nil, nil); code != http.StatusOK {
		t.Errorf("Location after completion: %d", code)
	}
	after := e.keys("olivia", churnKey)
	if after.PrimaryKey != before.PrimaryKey {
		t.Error("regenerating the secondary key must keep the primary")
	}
	if after.SecondaryKey == before.SecondaryKey || len(after.SecondaryKey) != 32 || after.SecondaryKey == after.PrimaryKey {
		t.Error("the secondary key must be a fresh 32-character key")
	}
	if ep := e.endpoint(churnKey); ep.SecondaryKey == before.SecondaryKey || ep.PrimaryKey == before.SecondaryKey {
		t.Error("the old secondary key must no longer be a key of the endpoint")
	}

	// keyValue is honoured.
	chosen := strings.Repeat("Zx9-_", 8) // 40 characters
	code, h, b = e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"primary","keyValue":"`+chosen+`"}`)
	if code != http.StatusAccepted {
		t.Fatalf("regenerate with keyValue: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	if got := e.keys("olivia", churnKey); got.PrimaryKey != chosen || got.SecondaryKey != after.SecondaryKey {
		t.Error("keyValue must become the primary key and leave the secondary")
	}

	logMu.Lock()
	defer logMu.Unlock()
	for _, secret := range []string{before.PrimaryKey, before.SecondaryKey, after.SecondaryKey, chosen} {
		if strings.Contains(log.String(), secret) {
			t.Error("a key reached the request log")
		}
	}
	if !strings.Contains(log.String(), "/regenerateKeys 202") {
		t.Errorf("the request log should record the call itself:\n%s", log.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestCredsRegenerateValidation(t *testing.T) {
	e := newARMT(t, Options{})
	cur := e.keys("alice", sandbox) // alice owns the sandbox subscription
	for _, c := range []struct{ name, body, want string }{
		{"no body", "", "InvalidRequestContent"},
		{"not JSON", "{", "InvalidRequestContent"},
		{"no keyType", `{}`, "needs keyType: 'Primary' or 'Secondary'"},
		{"unknown keyType", `{"keyType":"Tertiary"}`, "keyType 'Tertiary' is not valid: use 'Primary' or 'Secondary'"},
		// A long value is quoted whole up to 256 characters, never cut inside a character.
		{"long keyType", `{"keyType":"x` + strings.Repeat("é", 60) + `"}`, "keyType 'x" + strings.Repeat("é", 60) + "' is not valid"},
		{"control characters in keyType", `{"keyType":"Prim\nary\u0007"}`, "keyType 'Primary' is not valid"},
		{"short keyValue", `{"keyType":"Primary","keyValue":"short-secret"}`, "it has 12 characters. A key must be " + keyValueRule},
		{"bad character", `{"keyType":"Primary","keyValue":"` + strings.Repeat("a", 31) + `!"}`, "character 32 is not allowed"},
		{"same as the other key", `{"keyType":"Primary","keyValue":"` + cur.SecondaryKey + `"}`, "must differ from both current keys"},
	} {
		code, _, b := e.post("alice", sandbox+"/regenerateKeys", c.body)
		_, msg := armtError(t, b)
		if code != http.StatusBadRequest || !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.name, code, b, c.want)
		}
		if strings.Contains(msg, "short-secret") || strings.Contains(msg, cur.SecondaryKey) {
			t.Errorf("%s: the message quotes the key value", c.name)
		}
	}
	if got := e.keys("alice", sandbox); got != cur {
		t.Error("a refused regeneration must not change the keys")
	}
	// A key endpoint only: regenerating on a token endpoint is the mode mismatch.
	code, _, b := e.post("olivia", churnAML+"/regenerateKeys", `{"keyType":"Primary"}`)
	if c, msg := armtError(t, b); code != http.StatusBadRequest || c != "UserError" || !strings.Contains(msg, "auth mode 'AMLToken'") {
		t.Errorf("regenerate on an AMLToken endpoint: %d %s", code, b)
	}
}

func TestCredsRegenerateFailureKeepsTheKeys(t *testing.T) {
	clock := newTestClock()
	e := newARMT(t, Options{Now: clock.Now})
	f, err := ParseFault("route=*/regenerateKeys,lro-fail")
	if err != nil {
		t.Fatal(err)
	}
	e.s.SetFaults([]Fault{f})
	before := e.keys("alice", sandbox)
	code, h, b := e.post("alice", sandbox+"/regenerateKeys", `{"keyType":"Primary"}`)
	if code != http.StatusAccepted {
		t.Fatalf("regenerate: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	st := e.opStatus("alice", h.Get("Azure-AsyncOperation"))
	if st.Status != "Failed" || st.Error == nil || !strings.Contains(st.Error.Message, "keys are unchanged") {
		t.Errorf("failed operation: %+v", st)
	}
	if got := e.keys("alice", sandbox); got != before {
		t.Error("a failed regeneration must keep both keys")
	}
}

// The SDK's own client decodes every answer: keys, the token's integer
// times, and the regeneration poller to the end.
func TestCredsThroughTheSDK(t *testing.T) {
	e := newARMT(t, Options{ProvisioningTime: time.Millisecond, AMLTokenLifetime: 90 * time.Second})
	f, err := armmachinelearning.NewClientFactory(SubSandbox, e.cred("alice"), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	c := f.NewOnlineEndpointsClient()
	ctx := armtCtx(t)
	before, err := c.ListKeys(ctx, "rg-sandbox", "mlw-sandbox", "sandbox-echo", nil)
	if err != nil || before.PrimaryKey == nil || before.SecondaryKey == nil {
		t.Fatalf("ListKeys: %v", err)
	}
	p, err := c.BeginRegenerateKeys(ctx, "rg-sandbox", "mlw-sandbox", "sandbox-echo",
		armmachinelearning.RegenerateEndpointKeysRequest{KeyType: to.Ptr(armmachinelearning.KeyTypePrimary)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollUntilDone(ctx, nil); err != nil {
		t.Fatal(err)
	}
	after, err := c.ListKeys(ctx, "rg-sandbox", "mlw-sandbox", "sandbox-echo", nil)
	if err != nil || *after.PrimaryKey == *before.PrimaryKey || *after.SecondaryKey != *before.SecondaryKey {
		t.Errorf("after the poller: primary must change, secondary stay (%v)", err)
	}

	fp, err := armmachinelearning.NewClientFactory(SubProduction, e.cred("alice"), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fp.NewOnlineEndpointsClient().GetToken(ctx, prodRG, "mlw-churn", "churn-aml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == nil || *tok.TokenType != "Bearer" || *tok.ExpiryTimeUTC-*tok.RefreshAfterTimeUTC != 45 {
		t.Errorf("GetToken: type %v expiry %v refresh %v", tok.TokenType, tok.ExpiryTimeUTC, tok.RefreshAfterTimeUTC)
	}
}
