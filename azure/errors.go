package azure

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"amlauth-tui/azure/rbac"
)

// ErrNotSignedIn means there is no session yet.
var ErrNotSignedIn = errors.New("not signed in")

// ErrTokenExpired means Azure refused an expired token.
var ErrTokenExpired = errors.New("the access token has expired")

// ForbiddenError is ARM's 403 AuthorizationFailed, with the action and scope parsed out.
// Err is the SDK's error it came from (an *azcore.ResponseError: status,
// request and correlation ids), nil when built by hand.
type ForbiddenError struct {
	Action, Scope, Principal, Message string
	// Deny names the deny assignment that blocked an action a role grants
	// (ARM's DenyAssignmentAuthorizationFailed); nil for a missing role.
	Deny *BlockingDeny
	Err  error
}

// BlockingDeny is the deny assignment ARM names in a refusal.
type BlockingDeny struct{ Name, ID, Scope string }

func (e *ForbiddenError) Unwrap() error { return e.Err }

func (e *ForbiddenError) Error() string {
	if e.Action != "" {
		return fmt.Sprintf("%s lacks %s on %s", e.Principal, e.Action, e.Scope)
	}
	return e.Message
}

// NotFoundError is a 404.
type NotFoundError struct {
	What, Message string
	Err           error // the SDK's error
}

func (e *NotFoundError) Error() string { return e.Message }
func (e *NotFoundError) Unwrap() error { return e.Err }

// ThrottledError is a 429 after the SDK's retries.
type ThrottledError struct {
	RetryAfter time.Duration
	Message    string
	Err        error // the SDK's error
}

func (e *ThrottledError) Error() string { return "throttled: " + e.Message }
func (e *ThrottledError) Unwrap() error { return e.Err }

// AuthError is a sign-in failure: which method, why, and what to do next.
// Entra is Microsoft Entra ID's refusal when it gave one: its AADSTS code
// and the ids a support request asks for.
type AuthError struct {
	Method       Method
	Reason, Next string
	Entra        *EntraError
	Err          error
}

func (e *AuthError) Error() string { return fmt.Sprintf("%s sign-in failed: %s", e.Method, e.Reason) }
func (e *AuthError) Unwrap() error { return e.Err }

// ServiceError is any other error answer from Azure.
type ServiceError struct {
	Status        int
	Code, Message string
	Err           error // the SDK's error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}
func (e *ServiceError) Unwrap() error { return e.Err }

// RequestIDs are the ids Azure gave the failed request, "" when unknown:
// x-ms-request-id and x-ms-correlation-request-id, what a support ticket
// asks for (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
// and the ARM REST guidelines name both response headers).
func RequestIDs(err error) (requestID, correlationID string) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.RawResponse == nil {
		return "", ""
	}
	h := re.RawResponse.Header
	return h.Get("x-ms-request-id"), h.Get("x-ms-correlation-request-id")
}

var authzRE = regexp.MustCompile(`client '([^']*)' with object id '([^']*)' does not have authorization (?:or an ABAC condition not fulfilled )?to perform action '([^']*)' over scope '([^']*)'`)

// linkedRE is ARM's LinkedAuthorizationFailed: allowed on the resource, but
// not on a resource it references (e.g. a user-assigned identity to attach).
// The missing action is the one to explain.
var linkedRE = regexp.MustCompile(`client '([^']*)' with object id '([^']*)' has permission to perform action '[^']*' on scope '[^']*'; however, it does not have permission to perform action\(s\) '([^']*)' on the linked scope\(s\) '([^']*)'`)

// denyRE is ARM's DenyAssignmentAuthorizationFailed: a role grants the
// action, a deny assignment blocks it (a captured answer:
// github.com/Azure/migAz/issues/266).
var denyRE = regexp.MustCompile(`client '([^']*)' with object id '([^']*)' has permission to perform action '([^']*)' on scope '([^']*)'; however, the access is denied because of the deny assignment with name '([^']*)' and Id '([^']*)' at scope '([^']*)'`)

// Classify turns SDK errors into the typed errors above (errors.As-able).
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code, msg := re.ErrorCode, responseMessage(re)
		switch {
		case re.StatusCode == http.StatusForbidden:
			fe := &ForbiddenError{Message: msg, Err: err}
			m := authzRE.FindStringSubmatch(msg)
			if m == nil {
				m = linkedRE.FindStringSubmatch(msg)
			}
			if m != nil {
				fe.Principal, fe.Action, fe.Scope = m[1], m[3], m[4]
			} else if m := denyRE.FindStringSubmatch(msg); m != nil {
				fe.Principal, fe.Action, fe.Scope = m[1], m[3], m[4]
				fe.Deny = &BlockingDeny{Name: m[5], ID: m[6], Scope: m[7]}
			}
			return fe
		case re.StatusCode == http.StatusNotFound:
			return &NotFoundError{What: code, Message: msg, Err: err}
		case re.StatusCode == http.StatusTooManyRequests:
			te := &ThrottledError{Message: msg, Err: err}
			if re.RawResponse != nil {
				if s, err := strconv.Atoi(re.RawResponse.Header.Get("Retry-After")); err == nil {
					te.RetryAfter = time.Duration(s) * time.Second
				}
			}
			return te
		case re.StatusCode == http.StatusUnauthorized && code == "ExpiredAuthenticationToken":
			return fmt.Errorf("%w: %s%w", ErrTokenExpired, msg, quiet{err})
		}
		return &ServiceError{Status: re.StatusCode, Code: code, Message: msg, Err: err}
	}
	return err
}

// responseMessage is ARM's (or Graph's) error.message, decoded from the
// body: JSON escapes come out as the characters they stand for (and are
// sanitized where drawn), and an escaped quote does not cut it short.
func responseMessage(re *azcore.ResponseError) string {
	if m := armErrorOf(re).Message; m != "" {
		return m
	}
	host := ""
	if re.RawResponse != nil && re.RawResponse.Request != nil {
		host = re.RawResponse.Request.URL.Host
	}
	return fmt.Sprintf("%s answered %d %s", host, re.StatusCode, re.ErrorCode)
}

// builtinRoles is parsed once: explanations are drawn often.
var builtinRoles = sync.OnceValue(rbac.BuiltinRoles)

// rolesIncluding names the smallest built-in roles that grant action, as
// " (built-in roles that do: A, B or C)", or "" when none does.
func rolesIncluding(action string) string {
	var names []string
	for _, r := range rbac.RolesGranting(builtinRoles(), action, false) {
		if len(names) == 3 {
			break
		}
		names = append(names, r.RoleName)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " (the built-in role that does: " + names[0] + ")"
	}
	return " (built-in roles that do: " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + ")"
}

// Explainer is an error that explains itself (errors of the endpoint,
// credential and scoring calls live next to those calls).
type Explainer interface{ Explanation() Explanation }

// Explanation is an error told to a person. Next is advice in words that
// make sense anywhere (a shell, a screen): no key names. Retry says that
// the same request may succeed if tried again; a UI names its own key for it.
type Explanation struct {
	Title, Detail, Next string
	Retry               bool
}

// quiet wraps an error for errors.Is/As without adding to the text.
type quiet struct{ err error }

func (q quiet) Error() string { return "" }
func (q quiet) Unwrap() error { return q.err }

// Explain says what failed, why, and what to do next.
func Explain(err error) Explanation {
	err = Classify(err)
	var ex Explainer
	if errors.As(err, &ex) {
		return ex.Explanation()
	}
	var (
		fe *ForbiddenError
		nf *NotFoundError
		th *ThrottledError
		ae *AuthError
		se *ServiceError
	)
	switch {
	case err == nil:
		return Explanation{}
	case errors.As(err, &ae):
		detail := ae.Reason
		if ae.Entra != nil {
			detail = sentence(detail) + forSupport(*ae.Entra)
		}
		return Explanation{Title: "Sign-in failed (" + string(ae.Method) + ")", Detail: detail, Next: ae.Next, Retry: ae.Err != nil && Temporary(ae.Err)}
	case errors.As(err, &fe):
		if fe.Action == "" {
			return Explanation{Title: "Access denied", Detail: fe.Message, Next: "Ask an Owner of the resource for a role that allows this."}
		}
		if d := fe.Deny; d != nil { // no role lifts a deny assignment: never suggest one
			return Explanation{Title: "Blocked by a deny assignment",
				Detail: fmt.Sprintf("%s has a role that allows %s on %s, but the deny assignment %q at %s blocks it.", fe.Principal, fe.Action, fe.Scope, d.Name, d.Scope),
				Next:   "No role assignment lifts a deny assignment. Use an identity it excludes (the access check lists them), or ask whoever manages it to exclude you."}
		}
		return Explanation{Title: "Access denied",
			Detail: fmt.Sprintf("%s lacks the permission %s on %s.", fe.Principal, fe.Action, fe.Scope),
			Next: "Ask an Owner or User Access Administrator to assign a role that includes it" + rolesIncluding(fe.Action) +
				", unless a deny assignment blocks it (the access check reads both). If access was granted just now, wait a minute and try again.", Retry: true}
	case errors.As(err, &nf):
		return Explanation{Title: "Not found", Detail: nf.Message, Next: "Check the name and the subscription; it may have been deleted.", Retry: true}
	case errors.As(err, &th):
		return Explanation{Title: "Azure is throttling requests", Detail: th.Message, Next: fmt.Sprintf("Wait %s, then try again.", max(th.RetryAfter, time.Second)), Retry: true}
	case errors.Is(err, ErrTokenExpired):
		// The token was live when sent (or the SDK would have renewed it):
		// a retry gets a new one; only a wrong clock makes it fail again.
		return Explanation{Title: "Your access token expired", Detail: err.Error(),
			Next: "Try again: a new token is fetched. If it keeps failing, check this computer's clock, or sign in again.", Retry: true}
	case errors.Is(err, ErrNotSignedIn):
		return Explanation{Title: "Not signed in", Detail: "This needs a signed-in identity.", Next: "Sign in first."}
	case errors.As(err, &se):
		next, retry := "Try again. If it keeps failing, the service may be degraded.", true
		switch {
		case se.Code == "RoleAssignmentExists":
			next, retry = "Nothing to do: the principal already holds this role here (it may still be propagating; re-check in a minute).", false
		case se.Code == "PrincipalNotFound":
			next = "Check the object id. A principal created moments ago may not have replicated yet: wait a minute and retry."
		case strings.HasPrefix(se.Code, "InvalidRoleDefinitionId") || se.Code == "RoleDefinitionDoesNotExist":
			next, retry = "Pick a role that exists and is assignable at this scope (its assignable scopes must include it).", false
		case se.Status >= 400 && se.Status < 500:
			next, retry = "Check the request; Azure rejected it.", false
		}
		return Explanation{Title: fmt.Sprintf("Azure answered %d %s", se.Status, se.Code), Detail: se.Message, Next: next, Retry: retry}
	case errors.Is(err, context.DeadlineExceeded):
		return Explanation{Title: "Timed out", Detail: "Azure did not answer in time.", Next: "Check your network and try again.", Retry: true}
	case errors.Is(err, context.Canceled):
		return Explanation{Title: "Cancelled", Detail: "The operation was cancelled."}
	}
	var req *azidentity.AuthenticationRequiredError
	if errors.As(err, &req) {
		// azidentity drops why the silent renewal failed: say both causes.
		return Explanation{Title: "Your access token could not be renewed",
			Detail: "Renewing it without asking you failed: the sign-in service may be busy for a moment, or the sign-in has ended.",
			Next:   "Try again. If it fails again, sign in again.", Retry: true}
	}
	if status, ok := entraTrouble(err); ok {
		return Explanation{Title: fmt.Sprintf("Getting a token failed: Microsoft Entra ID answered %d %s", status, http.StatusText(status)),
			Detail: "The sign-in service is throttling or failing for a moment; your sign-in is still valid.", Next: "Wait a moment and try again.", Retry: true}
	}
	if why, ok := netTrouble(err); ok {
		return Explanation{Title: "No answer from Azure", Detail: why, Next: "Check your network and try again.", Retry: true}
	}
	if e, ok := EntraErrorOf(err); ok {
		// A token refused after the sign-in (a refresh token that expired,
		// a revoked session, the Azure CLI's account): say why and what next.
		reason, next := entraAdvice(e, signInFacts{})
		return Explanation{Title: "Microsoft Entra ID refused a token", Detail: sentence(reason) + forSupport(e), Next: next}
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) {
		return Explanation{Title: "Sign-in failed", Detail: firstLine(afe.Error()), Next: "Sign in again, or choose another method."}
	}
	return Explanation{Title: "Something failed", Detail: firstLine(err.Error()), Next: "Try again.", Retry: true}
}

// sentence starts s with a capital letter and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// forSupport is Entra's ids, for a support request ("" when it gave none).
func forSupport(e EntraError) string {
	if s := e.Support(); s != "" {
		return " For support: " + s + "."
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// Temporary reports a failure worth retrying as it is: throttling, a 5xx,
// a token service hiccup, no answer, or a token that expired in flight.
func Temporary(err error) bool {
	var (
		th *ThrottledError
		se *ServiceError
	)
	switch {
	case errors.As(err, &th), transient(err), errors.Is(err, ErrTokenExpired), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &se):
		return se.Status == http.StatusRequestTimeout || se.Status >= http.StatusInternalServerError
	}
	var req *azidentity.AuthenticationRequiredError
	_, entra := entraTrouble(err)
	_, network := netTrouble(err)
	return entra || network || errors.As(err, &req)
}

// entraTrouble reports a token request that Microsoft Entra ID answered
// with a throttle or a server error: temporary, no reason to sign in again.
func entraTrouble(err error) (int, bool) {
	status := 0
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		status = afe.RawResponse.StatusCode
	} else if m := msalStatusRE.FindStringSubmatch(err.Error()); m != nil {
		// MSAL's own error (azidentity passes the device-code request's
		// through as is): only its text carries the status.
		status, _ = strconv.Atoi(m[1])
	}
	return status, status == http.StatusTooManyRequests || status >= http.StatusInternalServerError
}

var msalStatusRE = regexp.MustCompile(`^http call\(.*\) error: reply status code was (\d{3})`)

// netTrouble says in words that a request got no answer (the connection
// broke, was refused or timed out), instead of Go's error text.
func netTrouble(err error) (string, bool) {
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse == nil && strings.Contains(afe.Error(), "server response error") {
		// MSAL's transport failure; azidentity keeps only its text.
		return "Microsoft Entra ID: the connection broke before an answer came.", true
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", false
	}
	host := "Azure"
	if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
		host = u.Host
	}
	var dns *net.DNSError
	switch {
	case ue.Timeout():
		return host + " did not answer in time.", true
	case errors.Is(ue.Err, syscall.ECONNREFUSED):
		return host + " refused the connection.", true
	case errors.As(ue.Err, &dns):
		return host + " does not resolve (DNS).", true
	}
	return host + ": the connection broke before an answer came.", true
}
