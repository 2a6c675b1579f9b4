package emulator

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"amlauth-tui/azure/rbac"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	ObjectID, TenantID, Kind, UPN, AppID, DisplayName, Audience string
	Groups                                                      []string // transitive, as authorization counts them now (enforcedGroups)
}

// name is how ARM's messages call the client: the UPN for users, else the app id.
func (c *Caller) name() string {
	if c.UPN != "" {
		return c.UPN
	}
	return c.AppID
}

// graphAudiences are the audiences Graph accepts.
var graphAudiences = []string{"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"}

// authenticate checks the bearer token; on failure it writes the 401 with
// WWW-Authenticate and the error body real ARM/Graph would send.
func (s *core) authenticate(w http.ResponseWriter, r *http.Request, audiences ...string) (*Caller, bool) {
	graph := strings.HasPrefix(r.URL.Path, "/graph/")
	fail := func(code, msg string) (*Caller, bool) {
		w.Header().Set("WWW-Authenticate", s.tokenChallenge(msg))
		if graph {
			writeGraphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		} else {
			writeARMError(w, http.StatusUnauthorized, code, msg)
		}
		return nil, false
	}
	h := r.Header.Get("Authorization")
	scheme, raw, _ := strings.Cut(h, " ")
	if h == "" {
		return fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
		return fail("AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
	}
	tc, err := s.validate(strings.TrimSpace(raw))
	var te *tokenError
	if errors.As(err, &te) {
		return fail(te.Code, te.Message)
	}
	aud := strings.TrimSuffix(tc.Aud, "/")
	ok := false
	for _, a := range audiences {
		if strings.EqualFold(aud, a) {
			ok = true
		}
	}
	if !ok {
		return fail("InvalidAuthenticationTokenAudience", fmt.Sprintf(
			"The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences '%s'.",
			tc.Aud, allowedAudienceText(audiences)))
	}
	c := &Caller{ObjectID: tc.OID, TenantID: tc.TID, UPN: tc.UPN, AppID: tc.AppID, DisplayName: tc.Name, Audience: tc.Aud, Kind: "user"}
	if tc.IDType == "app" || tc.UPN == "" {
		c.Kind = "app"
		c.UPN = ""
	}
	s.mu.RLock()
	gone := s.principalGone(tc)
	c.Groups = s.world.enforcedGroups(c.ObjectID, s.now()) // as authorization counts them
	s.mu.RUnlock()
	if gone != "" {
		w.Header().Set("WWW-Authenticate", s.revokedChallenge(tc, gone))
		if graph {
			writeGraphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", gone)
		} else {
			writeARMError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", gone)
		}
		return nil, false
	}
	return c, true
}

// tokenChallenge is the WWW-Authenticate of a refused bearer token.
func (s *core) tokenChallenge(msg string) string {
	return fmt.Sprintf(`Bearer authorization_uri="%s/%s/oauth2/authorize", error="invalid_token", error_description="%s"`,
		s.url, s.world.Tenant.ID, strings.ReplaceAll(msg, `"`, `'`))
}

// principalGone says why a valid token's principal may no longer act (""
// when it may): the user or service principal (a managed identity of a
// deleted endpoint included) is no longer in the directory. Azure revokes
// such tokens at once for clients that take claims challenges ("User
// Account is deleted or disabled" is a critical event:
// https://learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation,
// "Critical event evaluation"); the simulated Azure does so for every
// token, so its answers never rest on a principal that is gone.
// The caller holds s.mu (read).
func (s *core) principalGone(tc tokenClaims) string {
	if s.world.hasPrincipal(tc.OID) {
		return ""
	}
	return fmt.Sprintf("The access token has been revoked: the principal with object id '%s' no longer exists in the directory.", tc.OID)
}

// revokedChallenge is the challenge for a revoked token: a claims
// challenge for a CAE-capable client (xms_cc CP1), which then asks Entra
// for a new token and learns why it gets none
// (https://learn.microsoft.com/entra/identity-platform/claims-challenge,
// "Claims challenge header format"); invalid_token otherwise.
func (s *core) revokedChallenge(tc tokenClaims, msg string) string {
	if !tc.CAE {
		return s.tokenChallenge(msg)
	}
	claims := fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, s.now().Unix())
	return fmt.Sprintf(`Bearer realm="", authorization_uri="%s/%s/oauth2/authorize", error="insufficient_claims", claims="%s"`,
		s.url, s.world.Tenant.ID, base64.StdEncoding.EncodeToString([]byte(claims)))
}

// allowedAudienceText lists each audience with and without its trailing
// slash, once, as ARM's message does.
func allowedAudienceText(auds []string) string {
	var out []string
	seen := map[string]bool{}
	for _, a := range auds {
		a = strings.TrimSuffix(a, "/")
		if !seen[a] {
			seen[a] = true
			out = append(out, a+"/", a)
		}
	}
	return strings.Join(out, "','")
}

// roles is every role definition: built-ins plus the world's custom roles.
func (s *core) roles() rbac.RoleSet {
	return append(rbac.RoleSet(rbac.BuiltinRoles()), s.world.CustomRoles...)
}

// decide evaluates action at scope for the caller. Call with s.mu held.
// Deny assignments take part in every decision (rbac.Evaluate), and only
// rbac.Allowed lets a request through: a grant that rests on an ABAC
// condition (Conditional) is refused, because the simulated Azure does not
// evaluate conditions — it fails closed rather than open. A grant not yet
// propagated (Pending) is refused for every principal alike, and a deleted
// assignment grants until its removal has propagated (World.Revoked).
func (s *core) decide(c *Caller, action, scope string) rbac.Decision {
	now := s.now()
	return rbac.Evaluate(rbac.Request{PrincipalID: c.ObjectID, GroupIDs: c.Groups, Action: action, Scope: scope, At: now},
		s.world.enforced(now), s.roleIndex(), s.world.Denies)
}

// authorize writes 403 AuthorizationFailed (ARM's exact text) when denied. Call with s.mu held.
func (s *core) authorize(w http.ResponseWriter, c *Caller, action, scope string) bool {
	d := s.decide(c, action, scope)
	if d.Allowed {
		return true
	}
	code, msg := refusal(c, d, action, scope)
	writeARMError(w, http.StatusForbidden, code, msg)
	return false
}

// refusal is ARM's 403 for a decision that did not allow: AuthorizationFailed
// when no role grants the action, and DenyAssignmentAuthorizationFailed when
// a role grants it but a deny assignment blocks it, with the text ARM sends
// (a captured answer: github.com/Azure/migAz/issues/266): "The client '…' with
// object id '…' has permission to perform action '…' on scope '…'; however,
// the access is denied because of the deny assignment with name '…' and Id
// '…' at scope '…'." The client parses it, so it can name the deny instead of
// suggesting a role that would not help.
func refusal(c *Caller, d rbac.Decision, action, scope string) (code, msg string) {
	if d.Outcome == rbac.DeniedByDenyAssignment && d.Denied != nil && len(d.Grants) > 0 {
		da := d.Denied.Deny
		name := cmp.Or(da.DenyAssignmentName, da.Name)
		return "DenyAssignmentAuthorizationFailed", fmt.Sprintf("The client '%s' with object id '%s' has permission to perform action '%s' on scope '%s'; however, the access is denied because of the deny assignment with name '%s' and Id '%s' at scope '%s'.",
			c.name(), c.ObjectID, action, scope, name, strings.ReplaceAll(da.Name, "-", ""), da.Scope)
	}
	return "AuthorizationFailed", authorizationFailed(c, action, scope)
}

func authorizationFailed(c *Caller, action, scope string) string {
	return fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.",
		c.name(), c.ObjectID, action, scope)
}
