package azure_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// Every refusal the simulated Entra ID gives a real azidentity sign-in
// reaches the person as a specific sentence with the next step, keeping
// the AADSTS code and the trace and correlation ids for support.

var supportRE = regexp.MustCompile(`\(AADSTS(\d+)\)\. For support: trace ID [0-9a-f-]{36}, correlation ID [0-9a-f-]{36}, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\.$`)

// wantRefusal checks a sign-in error: an *AuthError carrying Entra's code
// and ids, whose reason and next step say the given things.
func wantRefusal(t *testing.T, err error, code int, inReason, inNext string) {
	t.Helper()
	var ae *azure.AuthError
	if !errors.As(err, &ae) || ae.Entra == nil {
		t.Fatalf("want an AuthError with Entra's answer, got %T %v", err, err)
	}
	if ae.Entra.Code != code || ae.Entra.TraceID == "" || ae.Entra.CorrelationID == "" || ae.Entra.Timestamp == "" {
		t.Errorf("Entra's answer: %+v, want AADSTS%d with its ids", *ae.Entra, code)
	}
	if !strings.Contains(ae.Reason, inReason) || !strings.HasSuffix(ae.Reason, fmt.Sprintf("(AADSTS%d)", code)) {
		t.Errorf("reason %q, want %q and the code", ae.Reason, inReason)
	}
	if !strings.Contains(ae.Next, inNext) {
		t.Errorf("next %q, want %q", ae.Next, inNext)
	}
	e := azure.Explain(err)
	if m := supportRE.FindStringSubmatch(e.Detail); m == nil || m[1] != fmt.Sprint(code) || !strings.Contains(e.Detail, ae.Entra.TraceID) {
		t.Errorf("explanation detail %q lacks the code and ids", e.Detail)
	}
	for _, raw := range []string{"RESPONSE 400", "authentication failed", "\n", "{EUII Hidden}"} {
		if strings.Contains(e.Detail, raw) || strings.Contains(ae.Reason, raw) {
			t.Errorf("raw SDK text %q shown: %q", raw, e.Detail)
		}
	}
}

func TestSigninRefusalsAreExplained(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	alice := persona(t, s, "alice")
	signIn := func(cfg azure.Config, p azure.Persona) error {
		_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: p})
		return err
	}

	t.Run("AADSTS50034 no such account", func(t *testing.T) {
		p := alice
		p.UPN = "alicia@contoso.example"
		wantRefusal(t, signIn(cfg, p), 50034, "the account alicia@contoso.example does not exist in tenant contoso.example", "--tenant")
	})
	t.Run("AADSTS50126 wrong password", func(t *testing.T) {
		p := persona(t, s, "bob")
		p.Password = "not-bobs"
		wantRefusal(t, signIn(cfg, p), 50126, "wrong user name or password for bob@contoso.example", "smart lockout")
	})
	// A configuration Entra refuses: another tenant, application or audience.
	for _, c := range []struct {
		name           string
		change         func(*azure.Config)
		code           int
		inReason, next string
	}{
		{"AADSTS90002 no such tenant", func(c *azure.Config) { c.TenantID = "fabrikam.example" },
			90002, "the tenant fabrikam.example was not found in cloud Emulator", "--cloud"},
		{"AADSTS700016 no such application", func(c *azure.Config) { c.ClientID = "11111111-2222-4333-8444-555555555555" },
			700016, "the application 11111111-2222-4333-8444-555555555555 was not found", "AZURE_CLIENT_ID"},
		{"AADSTS500011 unknown resource", func(c *azure.Config) { c.ARMAudience = "https://management.example" },
			500011, "refused the requested scope or resource", "--cloud-config"},
	} {
		t.Run(c.name, func(t *testing.T) {
			changed := cfg
			c.change(&changed)
			wantRefusal(t, signIn(changed, alice), c.code, c.inReason, c.next)
		})
	}
	t.Run("AADSTS700016 and 7000215 for a service principal", func(t *testing.T) {
		tenant, client, _ := s.ServicePrincipalCredentials()
		t.Setenv("AZURE_TENANT_ID", tenant)
		t.Setenv("AZURE_CLIENT_ID", "11111111-2222-4333-8444-555555555555")
		t.Setenv("AZURE_CLIENT_SECRET", "whatever")
		_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodEnvironment})
		wantRefusal(t, err, 700016, "the application 11111111-2222-4333-8444-555555555555 was not found (or is disabled) in tenant", "AZURE_CLIENT_ID")
		t.Setenv("AZURE_CLIENT_ID", client)
		_, err = azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodEnvironment})
		wantRefusal(t, err, 7000215, "the client secret was rejected", "AZURE_CLIENT_SECRET")
	})
}

// Smart lockout seen from a real client: after 10 wrong passwords the
// right one is refused with AADSTS50053 until the lockout passes on the
// server's clock (moved, not waited for).
func TestSigninLockout(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	nina := persona(t, s, "nina")
	signIn := func(password string) error {
		p := nina
		p.Password = password
		_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: p})
		return err
	}
	for i := range 10 {
		wantRefusal(t, signIn(fmt.Sprintf("guess-%d", i)), 50126, "wrong user name or password for nina@contoso.example", "lockout")
	}
	wantRefusal(t, signIn(nina.Password), 50053, "the account nina@contoso.example is locked: too many sign-ins with a wrong password", "Wait a minute")
	if e := azure.Explain(signIn(nina.Password)); !strings.HasPrefix(e.Title, "Sign-in failed") || e.Retry {
		t.Errorf("a lockout is not retried at once: %+v", e)
	}
	_ = cfg.Polling.Wait(context.Background(), time.Minute)
	if err := signIn(nina.Password); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

// Entra's refusals quoted in a text (the Azure CLI's stderr, which
// AzureCLICredential passes on) are read as well as a response body.
func TestEntraErrorOfText(t *testing.T) {
	cli := errors.New("AzureCLICredential: ERROR: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-01T10:00:00.0000000Z and was inactive for 90.00:00:00. Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333 Correlation ID: aaaa0000-bb11-2222-33cc-444444dddddd Timestamp: 2026-11-02 10:00:00Z\nInteractive authentication is needed. Please run:\naz login --scope https://management.core.windows.net//.default")
	e, ok := azure.EntraErrorOf(cli)
	if !ok || e.Code != 700082 || e.TraceID != "0000aaaa-11bb-cccc-dd22-eeeeee333333" || e.CorrelationID != "aaaa0000-bb11-2222-33cc-444444dddddd" ||
		e.Timestamp != "2026-11-02 10:00:00Z" || !strings.HasPrefix(e.Description, "The refresh token has expired due to inactivity.") {
		t.Fatalf("from the CLI's text: %+v %v", e, ok)
	}
	ex := azure.Explain(cli)
	if !strings.Contains(ex.Detail, "expired or was revoked (AADSTS700082)") || !strings.Contains(ex.Detail, "trace ID 0000aaaa-11bb-cccc-dd22-eeeeee333333") || ex.Next != "Sign in again." {
		t.Errorf("explanation: %+v", ex)
	}
	// A JSON body printed with its escapes ends the description at \r\n.
	quoted := errors.New(`RESPONSE 400: {"error": "invalid_grant", "error_description": "AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-02 10:00:00Z"}`)
	if e, ok := azure.EntraErrorOf(quoted); !ok || e.Code != 50173 || e.Description != "The provided grant has expired due to it being revoked." || e.CorrelationID == "" {
		t.Errorf("from a quoted body: %+v %v", e, ok)
	}
	if _, ok := azure.EntraErrorOf(errors.New("connection refused")); ok {
		t.Error("an error without a code is not Entra's answer")
	}
}
