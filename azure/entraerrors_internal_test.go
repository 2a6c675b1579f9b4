package azure

import (
	"strings"
	"testing"
)

// Codes the simulated Entra never gives (MFA, consent, Conditional Access,
// revoked sessions) still get their own sentence and next step, with or
// without the facts of a sign-in (a token refused mid-session has none).
func TestEntraAdviceForEveryFamily(t *testing.T) {
	full := signInFacts{Method: MethodDeviceCode, Tenant: "contoso.example", User: "alice@contoso.example", ClientID: AzureCLIClientID, Cloud: "AzureCloud"}
	for _, c := range []struct {
		e             EntraError
		reason, next  string
		reasonWithout string
	}{
		{EntraError{Code: 65001, OAuthError: "invalid_grant"}, "the application " + AzureCLIClientID + " has no consent to act for the account in tenant contoso.example", "admin consent", "the application has no consent to act for the account in its home tenant"},
		{EntraError{Code: 50076, OAuthError: "invalid_grant"}, "multifactor authentication is required", "browser or device code", "multifactor authentication is required"},
		{EntraError{Code: 50079, OAuthError: "invalid_grant"}, "must register for multifactor authentication", "browser or device code", "must register"},
		{EntraError{Code: 53003, OAuthError: "invalid_grant"}, "Conditional Access policy", "administrator", "Conditional Access policy"},
		{EntraError{Code: 700082, OAuthError: "invalid_grant"}, "the sign-in has expired or was revoked", "Sign in again.", "expired or was revoked"},
		{EntraError{Code: 50173, OAuthError: "invalid_grant"}, "the sign-in has expired or was revoked", "Sign in again.", "expired or was revoked"},
		{EntraError{Code: 50057}, "the account alice@contoso.example is disabled", "enable it", "the account is disabled"},
		{EntraError{Code: 7000222, OAuthError: "invalid_client"}, "the client secret has expired", "AZURE_CLIENT_SECRET", "the client secret has expired"},
		{EntraError{Code: 50126}, "wrong user name or password for alice@contoso.example", "smart lockout", "wrong user name or password"},
		{EntraError{Code: 90002, Description: "Tenant 'fabrikam.example' not found."}, "the tenant fabrikam.example was not found in cloud AzureCloud", "--cloud", "the tenant fabrikam.example was not found"},
		{EntraError{Code: 123456, Description: "Something new."}, "Microsoft Entra ID refused the sign-in: Something new.", "https://login.microsoftonline.com/error?code=123456", "refused the sign-in: Something new."},
		{EntraError{Code: 70019, OAuthError: "authorization_declined"}, "declined in the browser", "new code", "declined in the browser"},
		{EntraError{Code: 70020, OAuthError: "expired_token"}, "device code expired", "new code", "device code expired"},
	} {
		for _, f := range []signInFacts{full, {}} {
			reason, next := entraAdvice(c.e, f)
			want := c.reason
			if f == (signInFacts{}) {
				want = c.reasonWithout
			}
			if !strings.Contains(reason, want) || !strings.Contains(next, c.next) {
				t.Errorf("AADSTS%d with %+v: %q → %q; want %q → %q", c.e.Code, f, reason, next, want, c.next)
			}
			if strings.Contains(reason, "  ") || strings.Contains(next, "  ") || !strings.HasSuffix(reason, ")") {
				t.Errorf("AADSTS%d: untidy %q / %q", c.e.Code, reason, next)
			}
		}
	}
}
