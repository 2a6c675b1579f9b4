package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// EntraError is Microsoft Entra ID's refusal of a token request, in the
// shape of its error responses: the OAuth error, the AADSTS code, the
// description and the ids a support request asks for
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes,
// "Handling error codes in your application").
type EntraError struct {
	Status      int    // HTTP status; 0 when only a text was seen (Azure CLI's output)
	OAuthError  string // "invalid_grant", "invalid_client", … ("" from a text)
	Code        int    // the AADSTS code: the first of error_codes
	Description string // error_description's first line, without "AADSTSnnnnn: "

	TraceID, CorrelationID, Timestamp string
}

// Support is the line to quote to Microsoft support: the ids Entra gave
// the request ("" when it gave none). The code is in the reason.
func (e EntraError) Support() string {
	var parts []string
	if e.TraceID != "" {
		parts = append(parts, "trace ID "+e.TraceID)
	}
	if e.CorrelationID != "" {
		parts = append(parts, "correlation ID "+e.CorrelationID)
	}
	if e.Timestamp != "" {
		parts = append(parts, "at "+e.Timestamp)
	}
	return strings.Join(parts, ", ")
}

// entraBody is the JSON of an Entra error response.
type entraBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

// parseEntraBody reads an Entra error response; ok is false when body is
// not one (no AADSTS code in it).
func parseEntraBody(status int, body []byte) (EntraError, bool) {
	var b entraBody
	if json.Unmarshal(body, &b) != nil {
		return EntraError{}, false
	}
	e := EntraError{Status: status, OAuthError: b.Error, TraceID: b.TraceID, CorrelationID: b.CorrelationID, Timestamp: b.Timestamp}
	desc := b.Description
	if m := aadstsRE.FindStringSubmatch(desc); m != nil {
		e.Code, _ = strconv.Atoi(m[1])
		desc = m[2]
	}
	if len(b.Codes) > 0 {
		e.Code = b.Codes[0]
	}
	if e.Code == 0 {
		return EntraError{}, false
	}
	e.Description = strings.TrimSpace(firstLine(strings.ReplaceAll(desc, "\r", "\n")))
	return e, true
}

var (
	// aadstsRE finds "AADSTS50034: text" in a description, or in a text
	// that quotes one (the Azure CLI's stderr, an azidentity message that
	// prints the JSON body with its \r\n escapes).
	aadstsRE        = regexp.MustCompile(`AADSTS(\d{4,8}): ?((?:[^\r\n"\\]|\\[^rn"])*)`)
	traceIDRE       = regexp.MustCompile(`Trace ID: ?([0-9A-Fa-f-]{36})`)
	correlationIDRE = regexp.MustCompile(`Correlation ID: ?([0-9A-Fa-f-]{36})`)
	timestampRE     = regexp.MustCompile(`Timestamp: ?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)`)
)

// EntraErrorOf finds Entra's answer in a sign-in or token error: the
// response azidentity or MSAL kept, else the text of the error (the Azure
// CLI's and azd's errors quote Entra's description). ok is false when err
// carries no AADSTS code.
func EntraErrorOf(err error) (EntraError, bool) {
	if err == nil {
		return EntraError{}, false
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		if body, rerr := runtime.Payload(afe.RawResponse); rerr == nil {
			if e, ok := parseEntraBody(afe.RawResponse.StatusCode, body); ok {
				return e, true
			}
		}
	}
	var ae *AuthError
	if errors.As(err, &ae) && ae.Entra != nil {
		return *ae.Entra, true
	}
	text := err.Error()
	m := aadstsRE.FindStringSubmatch(text)
	if m == nil {
		return EntraError{}, false
	}
	e := EntraError{Description: strings.TrimSpace(strings.ReplaceAll(m[2], `\'`, `'`))}
	e.Code, _ = strconv.Atoi(m[1])
	if m := traceIDRE.FindStringSubmatch(text); m != nil {
		e.TraceID = m[1]
	}
	if m := correlationIDRE.FindStringSubmatch(text); m != nil {
		e.CorrelationID = m[1]
	}
	if m := timestampRE.FindStringSubmatch(text); m != nil {
		e.Timestamp = m[1]
	}
	return e, true
}

// entraCapture is a pipeline policy that keeps the last refusal the token
// endpoint answered: MSAL reads and drops the body of a device code flow's
// final answer (declined, expired), so the error alone cannot tell them
// apart (ENTRA.md §2.4 "the device-code error body is lost"). Pending and
// slow_down, the answers that keep the flow polling, are not refusals.
type entraCapture struct {
	mu   sync.Mutex
	last *EntraError
}

func (c *entraCapture) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp.StatusCode < 400 || !strings.HasSuffix(req.Raw().URL.Path, "/oauth2/v2.0/token") {
		return resp, err
	}
	body, rerr := runtime.Payload(resp) // buffered: MSAL still reads it
	if rerr != nil {
		return resp, err
	}
	if e, ok := parseEntraBody(resp.StatusCode, body); ok && e.OAuthError != "authorization_pending" && e.OAuthError != "slow_down" {
		c.mu.Lock()
		c.last = &e
		c.mu.Unlock()
	}
	return resp, err
}

// lastRefusal is the last refusal seen, nil when none.
func (c *entraCapture) lastRefusal() *EntraError {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// signInFacts are what a sign-in asked for, for its errors to name.
type signInFacts struct {
	Method   Method
	Tenant   string // as asked: an id or a domain; "" for the account's home tenant
	User     string // the account, when the method knows it (a persona's UPN)
	ClientID string // the application signing in
	Cloud    string
}

func (f signInFacts) user() string { return named("the account", f.User) }

// named is what, followed by its name when there is one.
func named(what, name string) string {
	if name == "" {
		return what
	}
	return what + " " + name
}

// tenantRE, appRE and directoryRE pick the names Entra's descriptions give:
// "Tenant 'x' not found", "Application with identifier 'x' was not found in
// the directory 'y'", "does not exist in the x directory".
var (
	tenantRE    = regexp.MustCompile(`Tenant '([^']+)'`)
	appRE       = regexp.MustCompile(`Application with identifier '([^']+)' was not found in the directory '([^']+)'`)
	directoryRE = regexp.MustCompile(`does not exist in the '?([^' ]+)'? directory`)
)

// entraAdvice says in plain words what an Entra refusal means for this
// sign-in and what to do next; the texts follow the AADSTS reference
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes,
// "AADSTS error codes"). It speaks of options, environment variables and
// flags, never of keys: the caller's screen names its own.
func entraAdvice(e EntraError, f signInFacts) (reason, next string) {
	tenant := f.Tenant
	if m := directoryRE.FindStringSubmatch(e.Description); m != nil {
		tenant = m[1]
	}
	inTenant := " in tenant " + tenant
	if tenant == "" || strings.EqualFold(tenant, "organizations") || strings.EqualFold(tenant, "common") {
		inTenant = " in its home tenant"
	}
	signInAgain := "Sign in again."
	if f.Method == MethodCLI {
		signInAgain = "Run az login again."
	}
	code := fmt.Sprintf(" (AADSTS%d)", e.Code)
	// The device code flow's answers say what happened in their OAuth
	// error (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code,
	// "Expected errors"), whatever the code.
	switch e.OAuthError {
	case "authorization_declined":
		return "the sign-in was declined in the browser" + code, "Start again to get a new code."
	case "expired_token":
		return "the device code expired before anyone approved it" + code, "Start again to get a new code, and approve it within its time."
	case "bad_verification_code":
		return "Microsoft Entra ID does not know this device code" + code, "Start again to get a new code."
	}
	switch e.Code {
	case 50034, 51004, 50014, 16003:
		// UserAccountNotFound: "the user mis-typed their username, or isn't
		// in the tenant"; an app "might have chosen the wrong tenant".
		return f.user() + " does not exist" + inTenant + code,
			"Check the user name and the tenant (--tenant or AZURE_TENANT_ID), or sign in with an account of that tenant."
	case 50020, 16000:
		return f.user() + " is from another directory and is not a guest" + inTenant + code,
			"Sign in with an account of that tenant, or ask its administrator to invite yours as a guest."
	case 50126:
		what := "wrong user name or password"
		if f.User != "" {
			what += " for " + f.User
		}
		return what + code,
			"Check the password. After 10 wrong passwords Microsoft Entra ID locks the account for a minute (smart lockout)."
	case 50053:
		// IdsLocked: smart lockout, or a sign-in from an IP address with
		// malicious activity (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout).
		return f.user() + " is locked: too many sign-ins with a wrong password (smart lockout), or from an address Microsoft Entra ID distrusts" + code,
			"Wait a minute, then sign in once with the right password: a wrong one right after a lockout locks the account again, for longer. An administrator can unlock it by resetting the password."
	case 50055, 50144:
		return "the password of " + f.user() + " has expired" + code,
			"Change the password (a browser sign-in offers it), or ask an administrator to reset it, then sign in again."
	case 50057:
		return f.user() + " is disabled" + code, "Ask an administrator of the tenant to enable it, or use another account."
	case 50076, 50074, 50078, 50079, 50072:
		what := "multifactor authentication is required"
		if e.Code == 50079 || e.Code == 50072 {
			what = "the account must register for multifactor authentication first"
		}
		return what + code, "Sign in with the browser or device code, which can ask for the second factor; a password alone cannot. With the Azure CLI, run az login again."
	case 53003, 530032, 530035, 53000, 53001, 53002, 50131:
		return "a Conditional Access policy (or security defaults) of the tenant blocked this sign-in" + code,
			"Ask the tenant's administrator which policy applies: it may require a compliant device, a network, or a sign-in method."
	case 65001, 90094, 90008, 65004:
		what := named("the application", f.ClientID) + " has no consent to act for the account" + inTenant
		if e.Code == 65004 {
			what = "consent to the application was declined"
		}
		return what + code, "Sign in with the browser or device code to consent, or ask an administrator to grant tenant-wide admin consent."
	case 700016, 700011, 70001, 7000112:
		app, dir := f.ClientID, tenant
		if m := appRE.FindStringSubmatch(e.Description); m != nil {
			app, dir = m[1], m[2]
		}
		where := " in tenant " + dir
		if dir == "" {
			where = inTenant
		}
		return named("the application", app) + " was not found (or is disabled)" + where + code,
			"Check the tenant (--tenant or AZURE_TENANT_ID) and the application (client) id (AZURE_CLIENT_ID): the app must be registered in that tenant, or consented to there."
	case 90002, 50128, 50059, 90019:
		if m := tenantRE.FindStringSubmatch(e.Description); m != nil {
			tenant = m[1]
		}
		cloud := ""
		if f.Cloud != "" {
			cloud = " in cloud " + f.Cloud
		}
		return named("the tenant", tenant) + " was not found" + cloud + code,
			"Check the tenant id or domain (--tenant or AZURE_TENANT_ID), and that the tenant is in this cloud (--cloud or --cloud-config): a tenant of one cloud is unknown in the others."
	case 7000215, 7000222, 7000218, 70002:
		what := "the client secret was rejected"
		switch e.Code {
		case 7000222:
			what = "the client secret has expired"
		case 7000218:
			what = "no client secret or certificate was sent"
		}
		return what + code, "Check AZURE_CLIENT_SECRET: it must be the secret's value, not its id, and not expired (the app registration lists its secrets)."
	case 70011, 700022, 700023, 28002, 28003, 500011, 50001, 65005, 650057:
		return "Microsoft Entra ID refused the requested scope or resource: " + e.Description + code,
			"Check the cloud's endpoints (--cloud or --cloud-config): the resource manager audience must be one this tenant knows."
	case 700082, 70008, 50173, 70043, 50132, 50133, 50089, 9002313, 70000, 54005:
		return "the sign-in has expired or was revoked" + code, signInAgain
	case 50058, 700020, 50085:
		return "Microsoft Entra ID needs you to sign in interactively" + code, "Sign in with the browser or device code."
	case 70019, 70020: // CodeExpired, seen in a text without its OAuth error
		return "the device code expired before anyone approved it" + code, "Start again to get a new code, and approve it within its time."
	case 50011, 50196:
		return "Microsoft Entra ID refused the request: " + e.Description + code, signInAgain
	}
	return "Microsoft Entra ID refused the sign-in: " + e.Description + code,
		fmt.Sprintf("Look the code up at https://login.microsoftonline.com/error?code=%d, or quote the ids below to your administrator or Microsoft support.", e.Code)
}
