package azure

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// claimHelp explains claims the way jwt.ms does, for the claims view.
var claimHelp = map[string]string{
	"aud": "audience: the API this token is for", "iss": "issuer: who minted it", "iat": "issued at",
	"nbf": "not valid before", "exp": "expires at", "oid": "object id of the signed-in identity",
	"tid": "tenant id", "sub": "subject (pairwise per app)", "upn": "user principal name", "unique_name": "user name",
	"name": "display name", "appid": "client app that asked for the token", "azp": "client app that asked for the token",
	"appidacr": "how the app authenticated (0 public, 1 secret, 2 certificate)", "idtyp": "identity type (user or app)",
	"scp": "delegated scopes", "roles": "app roles", "amr": "how the user authenticated", "ver": "token version",
	"xms_cc": "client capabilities (CP1 = continuous access evaluation)", "groups": "group memberships",
	"given_name": "first name", "family_name": "last name", "acr": "authentication context class",
}

// DecodeClaims decodes a JWT's payload for display. It never verifies the
// signature: access tokens are opaque to clients, this is only to show them.
func DecodeClaims(jwt string) ([]Claim, error) {
	parts := strings.Split(strings.TrimSpace(jwt), ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: want 3 dot-separated parts, got %d", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("not a JWT: the payload is not base64url: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JWT: the payload is not a JSON object")
	}
	var out []Claim
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a JWT: malformed payload: %v", err)
		}
		name, _ := k.(string)
		if name == "" {
			return nil, fmt.Errorf("not a JWT: a claim has an empty name")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("not a JWT: malformed claim %q: %v", name, err)
		}
		out = append(out, Claim{Name: name, Value: renderClaim(name, raw), Help: claimHelp[name]})
	}
	// The object must close, and nothing may follow it: a truncated or padded
	// payload is not a token we should describe as if it were one.
	if end, err := dec.Token(); err != nil || end != json.Delim('}') {
		return nil, fmt.Errorf("not a JWT: the payload is not one complete JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not a JWT: data after the payload's JSON object")
	}
	return out, nil
}

// renderClaim shows strings bare, times also as UTC, everything else as JSON.
func renderClaim(name string, raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if name == "exp" || name == "iat" || name == "nbf" {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return fmt.Sprintf("%d (%s)", n, time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05 UTC"))
		}
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		if arr, ok := v.([]any); ok {
			parts := make([]string, len(arr))
			for i, e := range arr {
				parts[i] = fmt.Sprint(e)
			}
			return strings.Join(parts, ", ")
		}
	}
	return string(raw)
}

func claimValue(cs []Claim, name string) string {
	for _, c := range cs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// IdentityFromClaims reads who a token is for.
func IdentityFromClaims(cs []Claim) Identity {
	id := Identity{ObjectID: claimValue(cs, "oid"), TenantID: claimValue(cs, "tid"), Audience: claimValue(cs, "aud"),
		UPN: claimValue(cs, "upn"), DisplayName: claimValue(cs, "name"), Claims: cs}
	if id.UPN == "" {
		id.UPN = claimValue(cs, "preferred_username")
	}
	id.AppID = claimValue(cs, "appid")
	if id.AppID == "" {
		id.AppID = claimValue(cs, "azp")
	}
	switch {
	case claimValue(cs, "xms_mirid") != "":
		id.Kind = "managedIdentity"
	case claimValue(cs, "idtyp") == "app" || (claimValue(cs, "scp") == "" && id.UPN == ""):
		id.Kind = "app"
	default:
		id.Kind = "user"
	}
	if exp, ok := ClaimTime(cs, "exp"); ok {
		id.ExpiresOn = exp
	}
	return id
}

// ClaimTime reads a NumericDate claim (exp, iat, nbf) as DecodeClaims
// renders it: "1700000000 (2023-11-14 …)", the number first.
func ClaimTime(cs []Claim, name string) (time.Time, bool) {
	f := strings.Fields(claimValue(cs, name))
	if len(f) == 0 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// Name is how to show an identity in one word.
func (id Identity) Name() string {
	switch {
	case id.UPN != "":
		return id.UPN
	case id.DisplayName != "" && id.Kind != "user":
		return id.DisplayName + " (app " + id.AppID + ")"
	case id.AppID != "":
		return "app " + id.AppID
	}
	return id.ObjectID
}

// Principal is the identity as a principal for RBAC checks and role
// assignments: a user, or a service principal (apps and managed identities).
func (id Identity) Principal() PrincipalRef {
	kind := "User"
	if id.Kind != "user" {
		kind = "ServicePrincipal"
	}
	name := id.DisplayName
	if name == "" && kind == "User" {
		name = id.Name()
	}
	// A service principal's token has no name claim: DisplayName stays empty
	// (Label reads "app <id>") until Graph names it (Access, the check screen).
	return PrincipalRef{ID: id.ObjectID, Kind: kind, DisplayName: name, UPN: id.UPN, AppID: id.AppID}
}
