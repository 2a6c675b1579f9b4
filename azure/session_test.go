package azure_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

func start(t *testing.T, o emulator.Options) (*emulator.Server, azure.Config) {
	t.Helper()
	if o.SigningKey == nil {
		o.SigningKey = testSigningKey()
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = time.Second // the demo's pace, not Azure's 10 s (the operation tests count polls at it)
	}
	var clock *emulator.SkipClock
	if o.Now == nil {
		clock = &emulator.SkipClock{}
		o.Now = clock.Now
	}
	s, err := emulator.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg, err := azure.EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		cfg.Polling = azure.Polling{Now: clock.Now, Wait: clock.Wait}
	}
	return s, cfg
}

func persona(t *testing.T, s *emulator.Server, key string) azure.Persona {
	for _, p := range s.Personas() {
		if p.Key == key {
			return azure.Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password, Story: p.Story}
		}
	}
	t.Fatalf("no persona %s", key)
	return azure.Persona{}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestPersonaBrowsesTheDemoWorld(t *testing.T) {
	s, cfg := start(t, emulator.Options{PageSize: 2})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	id := sess.Identity()
	if id.UPN != "alice@contoso.example" || id.Kind != "user" || id.TenantID != s.TenantID() || id.Audience != "https://management.azure.com" {
		t.Fatalf("identity: %+v", id)
	}
	subs, err := sess.Subscriptions(ctx(t))
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	wl, err := sess.Workspaces(ctx(t), ids)
	if err != nil {
		t.Fatal(err)
	}
	var churn *azure.Workspace
	for i, w := range wl.Items {
		if w.Name == "mlw-churn" {
			churn = &wl.Items[i]
		}
	}
	if churn == nil || churn.ResourceGroup != "rg-ml-prod" || churn.Location != "eastus" {
		t.Fatalf("mlw-churn missing or wrong: %+v (all %+v, failed %v)", churn, wl.Items, wl.Failed)
	}
	eps, err := sess.Endpoints(ctx(t), churn.WorkspaceRef)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]string{}
	for _, e := range eps {
		modes[e.Endpoint] = e.AuthMode
	}
	if modes["churn-key"] != azure.AuthKey || modes["churn-aml"] != azure.AuthAMLToken || modes["churn-aad"] != azure.AuthAADToken || modes["churn-custom"] != azure.AuthKey || len(eps) != 4 {
		t.Fatalf("endpoints across pages: %v", modes)
	}
	ref := azure.EndpointRef{WorkspaceRef: churn.WorkspaceRef, Endpoint: "churn-aad"}
	ep, err := sess.Endpoint(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ep.ScoringURI, s.URL()) || ep.IdentityType != "UserAssigned" || len(ep.UserIdentities) != 1 || ep.ProvisioningState != "Succeeded" {
		t.Errorf("endpoint details: %+v", ep)
	}
	deps, err := sess.Deployments(ctx(t), ref)
	if err != nil || len(deps) != 2 {
		t.Fatalf("deployments: %v %v", deps, err)
	}
	var total int32
	for _, d := range deps {
		total += d.TrafficPercent
	}
	if total != 100 {
		t.Errorf("traffic shares add to %d: %+v", total, deps)
	}
	// The ML token comes silently from the same sign-in.
	tok, err := sess.Token(ctx(t), cfg.MLAudience)
	if err != nil || tok.Claims == nil {
		t.Fatalf("ml token: %v", err)
	}
}

func TestForbiddenIsTypedAndExplained(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "bob")})
	if err != nil {
		t.Fatal(err)
	}
	// bob is Reader on production only: the sandbox subscription is not his.
	_, err = sess.Endpoints(ctx(t), azure.WorkspaceRef{Subscription: emulator.SubSandbox, ResourceGroup: "rg-sandbox", Name: "mlw-sandbox"})
	var fe *azure.ForbiddenError
	if !errors.As(err, &fe) {
		t.Fatalf("want ForbiddenError, got %T %v", err, err)
	}
	if fe.Action == "" || !strings.Contains(fe.Scope, emulator.SubSandbox) || fe.Principal != "bob@contoso.example" {
		t.Errorf("forbidden parsed wrong: %+v", fe)
	}
	ex := azure.Explain(err)
	if ex.Title != "Access denied" || !strings.Contains(ex.Detail, fe.Action) || ex.Next == "" {
		t.Errorf("explanation: %+v", ex)
	}
	_, err = sess.Endpoint(ctx(t), azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: "nope"})
	var nf *azure.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("want NotFoundError, got %T %v", err, err)
	}
}

func TestDeviceCodeSignInOnePrompt(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	prompts := 0
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodDeviceCode, OnDeviceCode: func(dc azure.DeviceCode) {
		prompts++
		if dc.UserCode == "" || !strings.HasSuffix(dc.VerificationURL, "/devicelogin") || dc.ExpiresAt.IsZero() {
			t.Errorf("device code: %+v", dc)
		}
		if err := s.ApproveDeviceCode(dc.UserCode, "olivia"); err != nil {
			t.Error(err)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Subscriptions(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Token(ctx(t), cfg.MLAudience); err != nil {
		t.Fatal(err)
	}
	if prompts != 1 || sess.Identity().UPN != "olivia@contoso.example" {
		t.Errorf("prompts=%d identity=%+v", prompts, sess.Identity())
	}

	_, err = azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodDeviceCode, OnDeviceCode: func(dc azure.DeviceCode) {
		_ = s.DeclineDeviceCode(dc.UserCode)
	}})
	var ae *azure.AuthError
	// MSAL drops the refusal's body; the sign-in kept it, so it says which.
	if !errors.As(err, &ae) || ae.Method != azure.MethodDeviceCode || !strings.Contains(ae.Reason, "declined in the browser") || ae.Next == "" ||
		ae.Entra == nil || ae.Entra.TraceID == "" || ae.Entra.CorrelationID == "" {
		t.Errorf("declined: %T %v", err, err)
	}
}

func TestChainProbeInDemoExplainsEverySource(t *testing.T) {
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH"} {
		t.Setenv(v, "")
	}
	_, cfg := start(t, emulator.Options{})
	res := azure.Probe(ctx(t), cfg)
	if len(res) != 5 {
		t.Fatalf("want 5 sources, got %+v", res)
	}
	for _, r := range res {
		if r.OK || r.Reason == "" {
			t.Errorf("%s: %+v", r.Source, r)
		}
	}
	if res[0].Source != "EnvironmentCredential" || !strings.Contains(res[0].Reason, "AZURE_TENANT_ID") {
		t.Errorf("environment source: %+v", res[0])
	}
	_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodChain})
	var ae *azure.AuthError
	if !errors.As(err, &ae) || !strings.Contains(ae.Next, "device code") {
		t.Errorf("empty chain: %v", err)
	}
}

// setServicePrincipalEnv puts the simulated Azure's service principal in
// the AZURE_* variables the environment credential reads (for this test
// only) and returns its client id.
func setServicePrincipalEnv(t *testing.T, s *emulator.Server) (clientID string) {
	t.Helper()
	tid, cid, secret := s.ServicePrincipalCredentials()
	t.Setenv("AZURE_TENANT_ID", tid)
	t.Setenv("AZURE_CLIENT_ID", cid)
	t.Setenv("AZURE_CLIENT_SECRET", secret)
	return cid
}

func TestEnvironmentServicePrincipal(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	cid := setServicePrincipalEnv(t, s)
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodChain})
	if err != nil {
		t.Fatal(err)
	}
	if id := sess.Identity(); id.Kind != "app" || id.AppID != cid {
		t.Errorf("identity: %+v", id)
	}
	t.Setenv("AZURE_CLIENT_SECRET", "wrong")
	_, err = azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodEnvironment})
	var ae *azure.AuthError
	if !errors.As(err, &ae) || !strings.Contains(ae.Reason, "client secret") {
		t.Errorf("wrong secret: %v", err)
	}
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
