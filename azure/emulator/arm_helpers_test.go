package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Helpers for the ARM and Graph tests: a server, the real azidentity
// credentials of the seeded personas and app, and raw requests.

const armtCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46" // Azure CLI's public client

// armtEnv is a running server with the credentials of its personas.
type armtEnv struct {
	t     testing.TB
	s     *Server
	mu    sync.Mutex
	creds map[string]azcore.TokenCredential // one per persona: MSAL's cache spares token requests
}

func newARMT(t testing.TB, opts Options) *armtEnv {
	t.Helper()
	if opts.SigningKey == nil {
		opts.SigningKey = testSigningKey()
	}
	if opts.RetryAfter == 0 {
		opts.RetryAfter = time.Millisecond // poll at once: no test waits for Azure's 10 s
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return &armtEnv{t: t, s: s, creds: map[string]azcore.TokenCredential{}}
}

func armtCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func armtClientOptions(s *Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL() + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: s.URL(), Audience: "https://management.azure.com"}}},
		Transport: s.HTTPClient(),
		// A failure must show at once, not after azcore's retries.
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
}

func (e *armtEnv) arm() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: armtClientOptions(e.s)}
}

// cred is the credential of who: a persona key ("alice") or "sp", the
// seeded app registration.
func (e *armtEnv) cred(who string) azcore.TokenCredential {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.creds[who]; c != nil {
		return c
	}
	var c azcore.TokenCredential
	var err error
	if who == "sp" {
		tid, cid, secret := e.s.ServicePrincipalCredentials()
		c, err = azidentity.NewClientSecretCredential(tid, cid, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: armtClientOptions(e.s), DisableInstanceDiscovery: true})
	} else {
		var p *PersonaInfo
		for _, x := range e.s.Personas() {
			if x.Key == who {
				p = &x
			}
		}
		if p == nil {
			e.t.Fatalf("no persona %q", who)
		}
		//lint:ignore SA1019 the simplest headless user flow; the emulator's persona picker uses it too
		c, err = azidentity.NewUsernamePasswordCredential(e.s.TenantID(), armtCLIClientID, p.UPN, p.Password,
			&azidentity.UsernamePasswordCredentialOptions{ClientOptions: armtClientOptions(e.s), DisableInstanceDiscovery: true})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.creds[who] = c
	return c
}

// token is a bearer token of who for scope.
func (e *armtEnv) token(who, scope string) string {
	e.t.Helper()
	tok, err := e.cred(who).GetToken(armtCtx(e.t), policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true})
	if err != nil {
		e.t.Fatalf("token for %s: %v", who, err)
	}
	return tok.Token
}

const armtScope = "https://management.azure.com/.default"

// do sends a raw request (token "" = none) and returns status, headers and body.
func (e *armtEnv) do(method, pathAndQuery, token string, body io.Reader, hdr map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(armtCtx(e.t), method, e.s.URL()+pathAndQuery, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.s.HTTPClient().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// get is a raw ARM GET as who.
func (e *armtEnv) get(who, pathAndQuery string) (int, []byte) {
	e.t.Helper()
	code, _, b := e.do(http.MethodGet, pathAndQuery, e.token(who, armtScope), nil, nil)
	return code, b
}

// armtError decodes an ARM or Graph error body.
func armtError(t testing.TB, b []byte) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error body: %v: %s", err, b)
	}
	return e.Error.Code, e.Error.Message
}

// armtWantErr checks that err is an ARM error with status, code and (when
// given) exactly message.
func armtWantErr(t testing.TB, err error, status int, code, message string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
	if re.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("want %d %s, got %d %s", status, code, re.StatusCode, re.ErrorCode)
	}
	if message != "" && !strings.Contains(re.Error(), `"message": "`+message+`"`) && !strings.Contains(re.Error(), message) {
		t.Fatalf("message: want %q in\n%v", message, re)
	}
}

// armtForbidden is ARM's AuthorizationFailed text for a persona.
func armtForbidden(who, oid, action, scope string) string {
	return "The client '" + who + "' with object id '" + oid + "' does not have authorization to perform action '" +
		action + "' over scope '" + scope + "' or the scope is invalid. If access was recently granted, please refresh your credentials."
}

// testSigningKey is one RSA key for every server this test binary starts:
// generating one per server was most of the suite's time.
var testSigningKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
