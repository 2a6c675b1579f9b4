package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
type ForbiddenError struct{ Action, Scope, Principal, Message string }

func (e *ForbiddenError) Error() string {
	if e.Action != "" {
		return fmt.Sprintf("%s lacks %s on %s", e.Principal, e.Action, e.Scope)
	}
	return e.Message
}

// NotFoundError is a 404.
type NotFoundError struct{ What, Message string }

func (e *NotFoundError) Error() string { return e.Message }

// ThrottledError is a 429 after the SDK's retries.
type ThrottledError struct {
	RetryAfter time.Duration
	Message    string
}

func (e *ThrottledError) Error() string { return "throttled: " + e.Message }

// AuthError is a sign-in failure: which method, why, and what to do next.
type AuthError struct {
	Method       Method
	Reason, Next string
	Err          error
}

func (e *AuthError) Error() string { return fmt.Sprintf("%s sign-in failed: %s", e.Method, e.Reason) }
func (e *AuthError) Unwrap() error { return e.Err }

// ServiceError is any other error answer from Azure.
type ServiceError struct {
	Status        int
	Code, Message string
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

var authzRE = regexp.MustCompile(`client '([^']*)' with object id '([^']*)' does not have authorization (?:or an ABAC condition not fulfilled )?to perform action '([^']*)' over scope '([^']*)'`)

// linkedRE is ARM's LinkedAuthorizationFailed: allowed on the resource, but
// not on a resource it references (e.g. a user-assigned identity to attach).
// The missing action is the one to explain.
var linkedRE = regexp.MustCompile(`client '([^']*)' with object id '([^']*)' has permission to perform action '[^']*' on scope '[^']*'; however, it does not have permission to perform action\(s\) '([^']*)' on the linked scope\(s\) '([^']*)'`)

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
			fe := &ForbiddenError{Message: msg}
			m := authzRE.FindStringSubmatch(msg)
			if m == nil {
				m = linkedRE.FindStringSubmatch(msg)
			}
			if m != nil {
				fe.Principal, fe.Action, fe.Scope = m[1], m[3], m[4]
			}
			return fe
		case re.StatusCode == http.StatusNotFound:
			return &NotFoundError{What: code, Message: msg}
		case re.StatusCode == http.StatusTooManyRequests:
			te := &ThrottledError{Message: msg}
			if re.RawResponse != nil {
				if s, err := strconv.Atoi(re.RawResponse.Header.Get("Retry-After")); err == nil {
					te.RetryAfter = time.Duration(s) * time.Second
				}
			}
			return te
		case re.StatusCode == http.StatusUnauthorized && code == "ExpiredAuthenticationToken":
			return fmt.Errorf("%w: %s", ErrTokenExpired, msg)
		}
		return &ServiceError{Status: re.StatusCode, Code: code, Message: msg}
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

// Explanation is an error told to a person.
type Explanation struct{ Title, Detail, Next string }

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
		return Explanation{Title: "Sign-in failed (" + string(ae.Method) + ")", Detail: ae.Reason, Next: ae.Next}
	case errors.As(err, &fe):
		if fe.Action == "" {
			return Explanation{Title: "Access denied", Detail: fe.Message, Next: "Ask an Owner of the resource for a role that allows this."}
		}
		return Explanation{Title: "Access denied",
			Detail: fmt.Sprintf("%s lacks the permission %s on %s.", fe.Principal, fe.Action, fe.Scope),
			Next: "Ask an Owner or User Access Administrator to assign a role that includes it" + rolesIncluding(fe.Action) +
				". If access was granted just now, wait a minute and refresh (R)."}
	case errors.As(err, &nf):
		return Explanation{Title: "Not found", Detail: nf.Message, Next: "Check the name and the subscription; it may have been deleted. Refresh the list (R)."}
	case errors.As(err, &th):
		return Explanation{Title: "Azure is throttling requests", Detail: th.Message, Next: fmt.Sprintf("Wait %s and retry (R).", max(th.RetryAfter, time.Second))}
	case errors.Is(err, ErrTokenExpired):
		return Explanation{Title: "Your sign-in expired", Detail: err.Error(), Next: "Sign in again."}
	case errors.Is(err, ErrNotSignedIn):
		return Explanation{Title: "Not signed in", Detail: "This needs a signed-in identity.", Next: "Sign in first."}
	case errors.As(err, &se):
		next := "Retry (R). If it keeps failing, the service may be degraded."
		switch {
		case se.Code == "RoleAssignmentExists":
			next = "Nothing to do: the principal already holds this role here (it may still be propagating; re-check in a minute)."
		case se.Code == "PrincipalNotFound":
			next = "Check the object id. A principal created moments ago may not have replicated yet: wait a minute and retry."
		case strings.HasPrefix(se.Code, "InvalidRoleDefinitionId") || se.Code == "RoleDefinitionDoesNotExist":
			next = "Pick a role that exists and is assignable at this scope (its assignable scopes must include it)."
		case se.Status >= 400 && se.Status < 500:
			next = "Check the request; Azure rejected it."
		}
		return Explanation{Title: fmt.Sprintf("Azure answered %d %s", se.Status, se.Code), Detail: se.Message, Next: next}
	case errors.Is(err, context.DeadlineExceeded):
		return Explanation{Title: "Timed out", Detail: "Azure did not answer in time.", Next: "Check your network and retry (R)."}
	case errors.Is(err, context.Canceled):
		return Explanation{Title: "Cancelled", Detail: "The operation was cancelled."}
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) {
		return Explanation{Title: "Sign-in failed", Detail: firstLine(afe.Error()), Next: "Sign in again, or choose another method."}
	}
	return Explanation{Title: "Something failed", Detail: firstLine(err.Error()), Next: "Retry (R)."}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
