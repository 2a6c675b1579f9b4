package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Online endpoint credentials: listKeys, regenerateKeys (an LRO) and token
// (PROTOCOL.md §2.1, §2.3). ARM authorizes first, so a caller without the
// action gets 403 whatever the endpoint; then the endpoint must exist (404)
// and its auth mode must match the credential asked for (400). No key or
// token value ever reaches a log or an error message.

// RBAC actions of the credential calls, checked at the endpoint's scope.
const (
	actEndpointListKeys       = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action"
	actEndpointRegenerateKeys = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action"
	actEndpointToken          = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/token/action"
)

// codeAuthModeMismatch is the error code of a credential call that does not
// fit the endpoint's auth mode. The ML resource provider reports request
// errors as "UserError"; the exact code and text Azure uses here were not
// found in any reference, so the message is ours and says what to do.
const codeAuthModeMismatch = "UserError"

// keyValueRule is the rule a caller-chosen key (regenerateKeys' keyValue)
// must follow: the length and alphabet of the keys the service generates,
// base64 or base64url.
const keyValueRule = "32 to 128 characters, each a letter, a digit or one of + / = - _"

type armEndpointKeysJSON struct {
	PrimaryKey   string `json:"primaryKey"`
	SecondaryKey string `json:"secondaryKey"`
}

type armEndpointTokenJSON struct {
	AccessToken         string `json:"accessToken"`
	ExpiryTimeUTC       int64  `json:"expiryTimeUtc"`
	RefreshAfterTimeUTC int64  `json:"refreshAfterTimeUtc"`
	TokenType           string `json:"tokenType"`
}

// armRegenerateBody is RegenerateEndpointKeysRequest.
type armRegenerateBody struct {
	KeyType  *string `json:"keyType"`
	KeyValue *string `json:"keyValue"`
}

// armCredentialEndpoint authorizes action at the endpoint's scope, resolves
// the endpoint and checks that its auth mode is wantMode. The caller holds s.mu.
func (s *armHost) armCredentialEndpoint(q *armReq, action, wantMode string) (*Endpoint, *armOutcome) {
	scope := q.scopeThrough("ep")
	if o := s.armRefuse(q.c, action, scope); o != nil {
		return nil, o
	}
	e, miss := s.armEndpoint(q)
	if miss != nil {
		return nil, miss
	}
	if !strings.EqualFold(e.AuthMode, wantMode) {
		o := armAuthModeMismatch(e, wantMode)
		return nil, &o
	}
	return e, nil
}

// armAuthModeMismatch is the 400 for asking an endpoint for the credential
// of another auth mode: it names the endpoint's mode and the right call.
func armAuthModeMismatch(e *Endpoint, wantMode string) armOutcome {
	what := "Keys are only available for endpoints with auth mode 'Key'"
	if wantMode == "AMLToken" {
		what = "AML tokens are only issued for endpoints with auth mode 'AMLToken'"
	}
	return armFail(http.StatusBadRequest, codeAuthModeMismatch,
		"%s; endpoint '%s' uses auth mode '%s': %s instead.", what, e.Name, e.AuthMode, credentialHint(e.AuthMode))
}

// credentialHint says how to get the credential an auth mode takes.
func credentialHint(mode string) string {
	switch strings.ToLower(mode) {
	case "key":
		return "get its keys with listKeys (az ml online-endpoint get-credentials)"
	case "amltoken":
		return "get an AML token with the token call (az ml online-endpoint get-credentials)"
	case "aadtoken":
		return "use a Microsoft Entra token for https://ml.azure.com from your own sign-in (az account get-access-token --resource https://ml.azure.com)"
	}
	return "check the endpoint's auth mode"
}

// POST .../onlineEndpoints/{ep}/listKeys: 200 EndpointAuthKeys.
func (s *armHost) armListKeys(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		e, fail := s.armCredentialEndpoint(q, actEndpointListKeys, "Key")
		if fail != nil {
			return *fail
		}
		return armOK(armEndpointKeysJSON{PrimaryKey: e.PrimaryKey, SecondaryKey: e.SecondaryKey})
	})
}

// POST .../onlineEndpoints/{ep}/token: 200 EndpointAuthToken, times in Unix seconds.
func (s *armHost) armGetToken(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		e, fail := s.armCredentialEndpoint(q, actEndpointToken, "AMLToken")
		if fail != nil {
			return *fail
		}
		tok, exp, refresh, err := s.amlTokenFor(e, q.c.ObjectID)
		if err != nil {
			return armFail(http.StatusInternalServerError, "InternalServerError", "The AML token could not be issued: %v", err)
		}
		return armOK(armEndpointTokenJSON{AccessToken: tok, ExpiryTimeUTC: exp.Unix(), RefreshAfterTimeUTC: refresh.Unix(), TokenType: "Bearer"})
	})
}

// POST .../onlineEndpoints/{ep}/regenerateKeys {keyType, keyValue?}: 202
// with Location and Azure-AsyncOperation. The new key replaces the old one
// only when the operation completes: until then the old key still scores,
// as in Azure, which is why the safe rotation switches callers to the other
// key first.
func (s *armHost) armRegenerateKeys(w http.ResponseWriter, q *armReq) {
	var body armRegenerateBody
	bad := readBody(q.r, &body)
	fails := s.lroFails(q.r)
	var op *operation
	// The write lock makes the 409 check and the start one step: two
	// concurrent regenerations cannot both start.
	s.mu.Lock()
	o := func() armOutcome {
		e, fail := s.armCredentialEndpoint(q, actEndpointRegenerateKeys, "Key")
		if fail != nil {
			return *fail
		}
		if bad != nil {
			return *bad
		}
		which, value, invalid := armValidateRegenerate(body, e)
		if invalid != nil {
			return *invalid
		}
		id := armEndpointID(e)
		if busy := s.busy(id); busy != nil {
			return armFail(http.StatusConflict, "Conflict",
				"Endpoint '%s' has an operation in progress (%s); wait for it to finish and retry.", e.Name, busy.Kind)
		}
		op = s.startOp(&operation{Sub: e.Subscription, Location: e.Location, Resource: id, Kind: "regenerateKeys",
			Apply: regenerateApply(armKey(id), e.Incarnation, which, value)})
		if fails {
			op.failInternal("Regenerating the %s key of endpoint '%s' failed; the endpoint's keys are unchanged. Retry the regeneration.", strings.ToLower(which), e.Name)
		}
		return armOutcome{status: http.StatusAccepted}
	}()
	s.mu.Unlock()
	switch {
	case o.code != "":
		writeARMError(w, o.status, o.code, o.msg)
	default:
		s.writeLROHeaders(w, q, op, true, true)
		w.WriteHeader(http.StatusAccepted)
	}
}

// armValidateRegenerate checks the body: keyType is Primary or Secondary
// (any case, as ARM enums), keyValue when given follows keyValueRule and
// differs from both current keys (or the rotation would change nothing, or
// leave the two keys equal). It returns the canonical key type and the value.
func armValidateRegenerate(b armRegenerateBody, e *Endpoint) (string, string, *armOutcome) {
	fail := func(format string, args ...any) (string, string, *armOutcome) {
		o := armFail(http.StatusBadRequest, "UserError", format, args...)
		return "", "", &o
	}
	var which string
	switch {
	case b.KeyType == nil || strings.TrimSpace(*b.KeyType) == "":
		return fail("The request body needs keyType: 'Primary' or 'Secondary'.")
	case strings.EqualFold(*b.KeyType, "Primary"):
		which = "Primary"
	case strings.EqualFold(*b.KeyType, "Secondary"):
		which = "Secondary"
	default:
		return fail("keyType '%s' is not valid: use 'Primary' or 'Secondary'.", epwClip(*b.KeyType))
	}
	if b.KeyValue == nil || *b.KeyValue == "" { // null or absent: the service generates the key
		return which, "", nil
	}
	v := *b.KeyValue
	if err := checkKeyValue(v); err != "" {
		return fail("keyValue is not valid: %s. A key must be %s.", err, keyValueRule)
	}
	if v == e.PrimaryKey || v == e.SecondaryKey {
		return fail("keyValue must differ from both current keys of endpoint '%s'.", e.Name)
	}
	return which, v, nil
}

// checkKeyValue says what is wrong with a caller-chosen key ("" if nothing).
// It never quotes the value: it is a secret.
func checkKeyValue(v string) string {
	if n := len(v); n < 32 || n > 128 {
		return fmt.Sprintf("it has %d characters", n)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("+/=-_", c) >= 0
		if !ok {
			return fmt.Sprintf("character %d is not allowed", i+1)
		}
	}
	return ""
}

// regenerateApply sets the new key when the operation completes. It looks
// the endpoint up again: it may have been deleted, or deleted and created
// anew (a new incarnation keeps its own keys).
func regenerateApply(key, incarnation, which, value string) func(w *World, failed bool) {
	return func(w *World, failed bool) {
		e := w.Endpoints[key]
		if failed || e == nil || e.Incarnation != incarnation {
			return
		}
		v := value
		if v == "" {
			v = newEndpointKey()
		}
		if which == "Primary" {
			e.PrimaryKey = v
		} else {
			e.SecondaryKey = v
		}
	}
}

// newEndpointKey is a fresh random key shaped like the service's: 32 base64
// characters. Every secret the simulated Azure mints comes from crypto/rand,
// per instance: a key derived from public names could be computed by anyone
// who can read the endpoint's id (issue 15).
func newEndpointKey() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// newClientSecret is a fresh random app-registration secret, shaped like
// Entra's (a 3-character prefix, "~", then 36 random characters).
func newClientSecret() string {
	var b [27]byte
	_, _ = rand.Read(b[:])
	return "dmo~" + base64.RawURLEncoding.EncodeToString(b[:])
}
