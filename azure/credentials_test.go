package azure_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// The credential calls against the simulated Azure, through the real SDK:
// one per auth mode, the typed errors, key regeneration to the end, and
// the jwt.ms-style checks of Entra tokens.

func credRef(sub, rg, ws, ep string) azure.EndpointRef {
	return azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: sub, ResourceGroup: rg, Name: ws}, Endpoint: ep}
}

var (
	refChurnKey = credRef(emulator.SubProduction, "rg-ml-prod", "mlw-churn", "churn-key")
	refChurnAML = credRef(emulator.SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml")
	refChurnAAD = credRef(emulator.SubProduction, "rg-ml-prod", "mlw-churn", "churn-aad")
	refSandbox  = credRef(emulator.SubSandbox, "rg-sandbox", "mlw-sandbox", "sandbox-echo")
)

func signInAs(t *testing.T, s *emulator.Server, cfg azure.Config, who string) *azure.Session {
	t.Helper()
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, who)})
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// fixedClock is the emulator's clock: it stands still unless moved.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func TestCredentialPerAuthMode(t *testing.T) {
	clock := &fixedClock{t: time.Now().Truncate(time.Second)}
	const life = 2 * time.Minute
	s, cfg := start(t, emulator.Options{Now: clock.Now, AMLTokenLifetime: life})
	alice := signInAs(t, s, cfg, "alice")

	keys, err := alice.Keys(ctx(t), refChurnKey)
	if err != nil || len(keys.Primary) != 32 || len(keys.Secondary) != 32 || keys.Primary == keys.Secondary {
		t.Fatalf("key endpoint: %v (lengths %d, %d)", err, len(keys.Primary), len(keys.Secondary))
	}

	tok, err := alice.AMLToken(ctx(t), refChurnAML)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	if tok.Kind != azure.AuthAMLToken || tok.Value == "" || !tok.ExpiresOn.Equal(now.Add(life)) || !tok.RefreshAfter.Equal(now.Add(life/2)) {
		t.Errorf("AML token: kind %q expires %v refresh %v, want %v and %v", tok.Kind, tok.ExpiresOn, tok.RefreshAfter, now.Add(life), now.Add(life/2))
	}
	if !strings.HasSuffix(tok.Audience, "/onlineendpoints/churn-aml") {
		t.Errorf("an AML token names its endpoint: aud %q", tok.Audience)
	}

	aad, err := alice.EntraToken(ctx(t), cfg.MLAudience)
	if err != nil {
		t.Fatal(err)
	}
	if aad.Kind != azure.AuthAADToken || aad.Audience != "https://ml.azure.com" || aad.Value == "" || aad.ExpiresOn.IsZero() || len(aad.Claims) == 0 {
		t.Errorf("Entra token for ML: kind %q aud %q expires %v claims %d", aad.Kind, aad.Audience, aad.ExpiresOn, len(aad.Claims))
	}
	mgmt, err := alice.EntraToken(ctx(t), cfg.ARMAudience)
	if err != nil || mgmt.Kind != azure.CredentialManagement || mgmt.Audience != "https://management.azure.com" {
		t.Errorf("management token: %v kind %q aud %q", err, mgmt.Kind, mgmt.Audience)
	}
	if _, err := alice.EntraToken(ctx(t), " "); err == nil || !strings.Contains(err.Error(), cfg.MLAudience) {
		t.Errorf("no audience must say which to use: %v", err)
	}
}

func TestCredentialAuthModeMismatchIsTypedAndExplained(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	alice := signInAs(t, s, cfg, "alice")
	olivia := signInAs(t, s, cfg, "olivia")
	for _, c := range []struct {
		name      string
		call      func() error
		mode      string
		asked     string
		nextHints string
	}{
		{"keys of an aml_token endpoint", func() error { _, err := alice.Keys(ctx(t), refChurnAML); return err }, azure.AuthAMLToken, azure.AuthKey, "AML token"},
		{"keys of an aad_token endpoint", func() error { _, err := alice.Keys(ctx(t), refChurnAAD); return err }, azure.AuthAADToken, azure.AuthKey, "https://ml.azure.com"},
		{"AML token of a key endpoint", func() error { _, err := alice.AMLToken(ctx(t), refChurnKey); return err }, azure.AuthKey, azure.AuthAMLToken, "primary or secondary key"},
		{"AML token of an aad_token endpoint", func() error { _, err := alice.AMLToken(ctx(t), refChurnAAD); return err }, azure.AuthAADToken, azure.AuthAMLToken, "https://ml.azure.com"},
		{"regenerate on an aml_token endpoint", func() error { _, err := olivia.RegenerateKey(ctx(t), refChurnAML, "Primary"); return err }, azure.AuthAMLToken, azure.AuthKey, "AML token"},
	} {
		err := c.call()
		var mm *azure.AuthModeMismatchError
		if !errors.As(err, &mm) {
			t.Errorf("%s: %T %v", c.name, err, err)
			continue
		}
		if mm.Mode != c.mode || mm.Asked != c.asked {
			t.Errorf("%s: mode %q asked %q", c.name, mm.Mode, mm.Asked)
		}
		ex := azure.Explain(err)
		if !strings.Contains(ex.Title, c.mode) || !strings.Contains(ex.Next, c.nextHints) {
			t.Errorf("%s: explanation %+v", c.name, ex)
		}
	}
	// A 400 that is not about the mode stays what it is.
	_, err := alice.RegenerateKeyTo(ctx(t), refSandbox, "Secondary", "too-short")
	var se *azure.ServiceError
	if !errors.As(err, &se) || se.Status != 400 || !strings.Contains(se.Message, "32 to 128 characters") {
		t.Errorf("a refused keyValue: %T %v", err, err)
	}
	if strings.Contains(err.Error(), "too-short") {
		t.Error("the error quotes the key value")
	}
	if _, err := alice.RegenerateKey(ctx(t), refSandbox, "Tertiary"); err == nil || !strings.Contains(err.Error(), "neither Primary nor Secondary") {
		t.Errorf("a bad key type: %v", err)
	}

	// Azure's own wording may not name the mode: then the endpoint is read.
	f, err := emulator.ParseFault("route=*/listKeys,status=400")
	if err != nil {
		t.Fatal(err)
	}
	s.SetFaults([]emulator.Fault{f})
	var mm *azure.AuthModeMismatchError
	if _, err := alice.Keys(ctx(t), refChurnAML); !errors.As(err, &mm) || mm.Mode != azure.AuthAMLToken {
		t.Errorf("a bare 400 from a token endpoint: %T %v", err, err)
	}
	if _, err := alice.Keys(ctx(t), refChurnKey); !errors.As(err, &se) || se.Status != 400 {
		t.Errorf("a bare 400 from a key endpoint is not a mismatch: %T %v", err, err)
	}
}

func TestCredentialForbiddenNamesTheAction(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	bob := signInAs(t, s, cfg, "bob")
	alice := signInAs(t, s, cfg, "alice")
	const ep = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"
	for _, c := range []struct {
		name, action string
		call         func() error
	}{
		{"bob's keys", ep + "listKeys/action", func() error { _, err := bob.Keys(ctx(t), refChurnKey); return err }},
		{"bob's AML token", ep + "token/action", func() error { _, err := bob.AMLToken(ctx(t), refChurnAML); return err }},
		// a deny assignment keeps production key rotation with the platform team
		{"alice's regeneration", ep + "regenerateKeys/action", func() error { _, err := alice.RegenerateKey(ctx(t), refChurnKey, "Primary"); return err }},
	} {
		var fe *azure.ForbiddenError
		if err := c.call(); !errors.As(err, &fe) || fe.Action != c.action || !strings.EqualFold(fe.Scope, refChurnKey.ID()) && !strings.EqualFold(fe.Scope, refChurnAML.ID()) {
			t.Errorf("%s: %T %v", c.name, err, err)
		}
	}
}

func TestCredentialRegenerateRunsToTheEnd(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Millisecond})
	alice := signInAs(t, s, cfg, "alice")
	before, err := alice.Keys(ctx(t), refSandbox)
	if err != nil {
		t.Fatal(err)
	}
	op, err := alice.RegenerateKey(ctx(t), refSandbox, "secondary")
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != "regenerateKeys" || op.Target != refSandbox {
		t.Errorf("operation: %q %+v", op.Kind, op.Target)
	}
	var p azure.Progress
	for i := 0; i < 10 && !p.Done; i++ {
		p = op.Next(ctx(t))
		if !p.Done && p.Err != nil {
			t.Fatalf("poll: %v", p.Err)
		}
	}
	if !p.Done || p.Err != nil || p.State != "Succeeded" {
		t.Fatalf("final progress: %+v", p)
	}
	after, err := alice.Keys(ctx(t), refSandbox)
	if err != nil {
		t.Fatal(err)
	}
	if after.Primary != before.Primary || after.Secondary == before.Secondary || after.Secondary == "" {
		t.Error("the secondary key must be new and the primary unchanged")
	}

	chosen := strings.Repeat("Ab3+/", 8)
	op, err = alice.RegenerateKeyTo(ctx(t), refSandbox, azure.KeyPrimary, chosen)
	if err != nil {
		t.Fatal(err)
	}
	for p = (azure.Progress{}); !p.Done; {
		p = op.Next(ctx(t))
	}
	if got, err := alice.Keys(ctx(t), refSandbox); err != nil || got.Primary != chosen || got.Secondary != after.Secondary {
		t.Errorf("the chosen value must become the primary key (%v)", err)
	}
}

func TestEntraTokenClaimChecks(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	alice := signInAs(t, s, cfg, "alice")
	me := alice.Identity()
	aad, err := alice.EntraToken(ctx(t), cfg.MLAudience)
	if err != nil {
		t.Fatal(err)
	}
	mgmt, err := alice.EntraToken(ctx(t), cfg.ARMAudience)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	byName := func(cs []azure.ClaimCheck) map[string]azure.ClaimCheck {
		m := map[string]azure.ClaimCheck{}
		for _, c := range cs {
			m[c.Name] = c
		}
		if len(m) != 4 {
			t.Fatalf("want aud, oid, exp and tid checked: %+v", cs)
		}
		return m
	}

	for _, c := range alice.CheckToken(aad, cfg.MLAudience, now) {
		if !c.OK {
			t.Errorf("a good ML token fails %s: %s", c.Name, c.Detail)
		}
	}
	// The control-plane token is refused by scoring: aud is what is wrong.
	got := byName(azure.CheckTokenClaims(mgmt, cfg.MLAudience, me.ObjectID, now))
	if a := got["aud"]; a.OK || !strings.Contains(a.Detail, "https://management.azure.com") || !strings.Contains(a.Detail, "https://ml.azure.com") {
		t.Errorf("wrong audience: %+v", a)
	}
	if !got["oid"].OK || !got["exp"].OK || !got["tid"].OK {
		t.Errorf("only aud is wrong: %+v", got)
	}
	// Someone else's oid, and a clock past the expiry.
	got = byName(azure.CheckTokenClaims(aad, cfg.MLAudience, "00000000-0000-4000-8000-000000000000", aad.ExpiresOn.Add(time.Minute)))
	if got["oid"].OK || got["exp"].OK || !strings.Contains(got["exp"].Detail, "expired") || !got["aud"].OK {
		t.Errorf("other oid and expired: %+v", got)
	}
	// A token from another tenant: the session's check says so.
	foreign := aad
	foreign.Claims = append([]azure.Claim(nil), aad.Claims...)
	for i := range foreign.Claims {
		if foreign.Claims[i].Name == "tid" {
			foreign.Claims[i].Value = "11111111-1111-4111-8111-111111111111"
		}
	}
	if tid := byName(alice.CheckToken(foreign, cfg.MLAudience, now))["tid"]; tid.OK || !strings.Contains(tid.Detail, me.TenantID) {
		t.Errorf("another tenant: %+v", tid)
	}
	if opaque := byName(azure.CheckTokenClaims(azure.Credential{Value: "opaque"}, cfg.MLAudience, me.ObjectID, now)); opaque["aud"].OK || opaque["exp"].OK {
		t.Errorf("an opaque token passes nothing: %+v", opaque)
	}
}
