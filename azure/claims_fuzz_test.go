package azure_test

// Fuzz targets for JWT claim decoding: tokens come from servers (Entra, the
// AML token endpoint) and are pasted by people, so DecodeClaims and
// IdentityFromClaims see hostile bytes. Seeds run as plain tests; the long
// runs are `go test -run XXX -fuzz '^FuzzDecodeClaims$' -fuzztime 60s ./azure/`.

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure"
)

// fuzzJWTHeader is a real Entra access-token header ({"typ":"JWT","alg":"RS256","kid":"..."}).
const fuzzJWTHeader = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Ik1uQ19WWmNBVGZNNXBPWWlKSE1iYTlnb0VLWSJ9"

// fuzzToken wraps payload bytes as header.payload.signature.
func fuzzToken(payload []byte) string {
	return fuzzJWTHeader + "." + base64.RawURLEncoding.EncodeToString(payload) + ".c2lnbmF0dXJl"
}

// fuzzClaimPayloads are realistic payloads (user, app, managed identity,
// AML token) and the awkward shapes a parser has to survive.
var fuzzClaimPayloads = []string{
	`{"aud":"https://management.core.windows.net/","iss":"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/","iat":1767225600,"nbf":1767225600,"exp":1767229500,"acr":"1","amr":["pwd","mfa"],"appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","appidacr":"0","family_name":"Chen","given_name":"Alice","idtyp":"user","name":"Alice Chen","oid":"6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c","scp":"user_impersonation","sub":"x","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","unique_name":"alice@contoso.example","upn":"alice@contoso.example","ver":"1.0","xms_cc":["CP1"]}`,
	`{"aud":"https://ml.azure.com","iss":"https://login.microsoftonline.com/t/v2.0","iat":1767225600,"exp":1767229200,"appid":"c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e","idtyp":"app","oid":"0a0b0c0d-1111-2222-3333-444455556666","roles":["Score.All"],"tid":"t"}`,
	`{"aud":"https://management.azure.com","xms_mirid":"/subscriptions/0/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1","azp":"9d1c","oid":"o","exp":"1767229200"}`,
	`{"exp":1.5e9,"iat":-1,"nbf":99999999999999999999,"groups":[1,true,null,{"a":[]}],"n":null}`,
	`{"name":"ep\u001b]52;c;ZXZpbA==\u0007","upn":"\u202eevil"}`,
	`{"exp":" "}`, `{"exp":["  "]}`, `{"exp":""}`, `{"exp":"-"}`,
	`{}`, `[]`, `"str"`, `null`, `{`, `{"a":1`, `{"a":1}trailing`, `{"a":1}}`, `{"":1}`, `{"a":1,}`, `{"a" 1}`,
	`{"a":1 "b":2}`, `{1:2}`, "\xff\xfe", `{"a":"\ud800"}`,
}

// FuzzDecodeClaims: any string, as a whole token. DecodeClaims never
// panics; it either refuses with a "not a JWT" message or returns exactly
// the payload object's members, in order, each with a non-empty name. A
// payload that is not one complete JSON object (truncated, trailing data) is
// refused rather than shown as if it were the token's claims.
//
// Regression: this target found that DecodeClaims accepted `{` (token
// ".e0."), `{"a":1`, `{"a":1}garbage` and `{"":1}`; the seeds above and
// testdata/fuzz/FuzzDecodeClaims keep those inputs.
func FuzzDecodeClaims(f *testing.F) {
	for _, p := range fuzzClaimPayloads {
		f.Add(fuzzToken([]byte(p)))
	}
	for _, s := range []string{"", ".", "..", "a.b.c", "a.b.c.d", "  " + fuzzToken([]byte(`{"a":"b"}`)) + "\n",
		fuzzJWTHeader + ".eyJhIjoiYiJ9==.x", fuzzJWTHeader + ".!!!.x", fuzzJWTHeader + ".eyJh+IjoiYiJ9.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		cs, err := azure.DecodeClaims(tok)
		if err != nil {
			if cs != nil || !strings.HasPrefix(err.Error(), "not a JWT") {
				t.Fatalf("DecodeClaims(%q): claims %v with error %q", tok, cs, err)
			}
			return
		}
		// The same split DecodeClaims does; it succeeded, so this decodes.
		parts := strings.Split(strings.TrimSpace(tok), ".")
		payload, derr := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
		if derr != nil {
			t.Fatalf("DecodeClaims(%q) accepted a payload that is not base64url: %v", tok, derr)
		}
		keys, ok := fuzzObjectKeys(payload)
		if !ok {
			t.Fatalf("DecodeClaims accepted payload %q, which is not one complete JSON object (got %d claims)", payload, len(cs))
		}
		var names []string
		for _, c := range cs {
			if c.Name == "" {
				t.Fatalf("DecodeClaims(payload %q) returned a claim with an empty name", payload)
			}
			names = append(names, c.Name)
		}
		if !slices.Equal(names, keys) {
			t.Fatalf("payload %q: claim names %q, want the object's keys %q", payload, names, keys)
		}
	})
}

// fuzzObjectKeys is the reference reading of a payload: its top-level keys in
// order (duplicates kept), or false if it is not exactly one JSON object.
func fuzzObjectKeys(payload []byte) ([]string, bool) {
	if !json.Valid(payload) || !bytes.HasPrefix(bytes.TrimLeft(payload, " \t\r\n"), []byte("{")) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	_, _ = dec.Token() // '{'
	keys := []string{}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	return keys, true
}

// FuzzIdentityFromClaims: whatever claims a token carries, reading the
// identity from them never panics, picks its fields from the right claims and
// sets ExpiresOn exactly when exp starts with a Unix time. The claims are
// those DecodeClaims returns for the payload, after one claim given directly
// (so the fuzzer can shape a single value, like exp, without JSON around it).
//
// Regression: this target found (in seconds) that an exp claim of white
// space only (`{"exp":" "}`, `{"exp":[" "]}`) made strings.Fields(exp)[0]
// panic; the seeds above and testdata/fuzz/FuzzIdentityFromClaims keep it.
func FuzzIdentityFromClaims(f *testing.F) {
	for _, p := range fuzzClaimPayloads {
		f.Add([]byte(p), "exp", "1767229200")
	}
	for _, c := range [][2]string{{"exp", ""}, {"exp", "1767229200 (2026-01-01 01:00:00 UTC)"}, {"exp", "-9223372036854775808"},
		{"idtyp", "app"}, {"xms_mirid", "/subscriptions/x"}, {"upn", ""}, {"preferred_username", "a@b"}, {"azp", "x"}, {"", ""}} {
		f.Add([]byte(fuzzClaimPayloads[0]), c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, payload []byte, name, value string) {
		cs, err := azure.DecodeClaims(fuzzToken(payload))
		if err != nil {
			cs = nil
		}
		cs = append([]azure.Claim{{Name: name, Value: value}}, cs...)
		id := azure.IdentityFromClaims(cs)
		_ = id.Name()
		first := func(name string) string {
			for _, c := range cs {
				if c.Name == name {
					return c.Value
				}
			}
			return ""
		}
		if id.ObjectID != first("oid") || id.TenantID != first("tid") || id.Audience != first("aud") {
			t.Fatalf("claims %q: identity %+v does not come from oid/tid/aud", cs, id)
		}
		if id.UPN != first("upn") && id.UPN != first("preferred_username") {
			t.Fatalf("claims %q: UPN %q is neither upn nor preferred_username", cs, id.UPN)
		}
		if id.Kind != "user" && id.Kind != "app" && id.Kind != "managedIdentity" {
			t.Fatalf("claims %q: kind %q", cs, id.Kind)
		}
		if !slices.Equal(id.Claims, cs) {
			t.Fatalf("claims %q: identity does not keep them", cs)
		}
		exp := strings.Fields(first("exp") + " x")[0] // the leading word, if any
		if n, perr := strconv.ParseInt(exp, 10, 64); perr == nil {
			if !id.ExpiresOn.Equal(time.Unix(n, 0)) {
				t.Fatalf("claims %q: ExpiresOn %v, want Unix %d", cs, id.ExpiresOn, n)
			}
		} else if !id.ExpiresOn.IsZero() {
			t.Fatalf("claims %q: ExpiresOn %v from an exp that is not a Unix time", cs, id.ExpiresOn)
		}
	})
}

// FuzzClaimsRoundTrip builds a token from random claim names and values
// (a string, an integer and a string array, in that order) the way a server
// would, and checks DecodeClaims gives back each name and value: strings
// bare, integers as digits (times also with their UTC date), arrays joined
// with ", ". The padding and surrounding white space a paste adds are allowed.
func FuzzClaimsRoundTrip(f *testing.F) {
	f.Add("upn", "alice@contoso.example", "exp", int64(1767229200), "amr", "pwd", "mfa", false)
	f.Add("name", "ep\x1b]52;c;ZXZpbA==\x07", "iat", int64(-1), "roles", "Score.All", "", true)
	f.Add("\xff", "\xff", "nbf", int64(-9223372036854775808), "", "\u2028", "\"", true)
	f.Add("aud", "https://ml.azure.com", "ver", int64(2), "xms_cc", "CP1", "a, b", false)
	f.Add("exp", "exp", "exp", int64(9223372036854775807), "exp", "", "", false)
	f.Add("", "", "", int64(0), "", "", "", false)
	f.Fuzz(func(t *testing.T, k1, v1, k2 string, n int64, k3, a1, a2 string, pad bool) {
		// Servers never send an empty claim name (FuzzDecodeClaims covers that shape).
		k1, k2, k3 = cmp.Or(k1, "c1"), cmp.Or(k2, "c2"), cmp.Or(k3, "c3")
		var b bytes.Buffer
		b.WriteString("{")
		member := func(k string, v any) {
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(v)
			b.Write(kb)
			b.WriteString(":")
			b.Write(vb)
		}
		member(k1, v1)
		b.WriteString(",")
		member(k2, n)
		b.WriteString(",")
		member(k3, []string{a1, a2})
		b.WriteString("}")
		tok := fuzzToken(b.Bytes())
		if pad {
			tok = " \t" + strings.Replace(tok, ".c2ln", "==.c2ln", 1) + "\r\n"
		}
		cs, err := azure.DecodeClaims(tok)
		if err != nil {
			t.Fatalf("token from %s refused: %v", b.Bytes(), err)
		}
		// What the names and strings are after JSON (invalid UTF-8 becomes U+FFFD).
		asJSON := func(s string) string {
			var out string
			j, _ := json.Marshal(s)
			_ = json.Unmarshal(j, &out)
			return out
		}
		if len(cs) != 3 || cs[0].Name != asJSON(k1) || cs[1].Name != asJSON(k2) || cs[2].Name != asJSON(k3) {
			t.Fatalf("payload %s: claims %q", b.Bytes(), cs)
		}
		if cs[0].Value != asJSON(v1) {
			t.Fatalf("string claim %q = %q, want %q", k1, cs[0].Value, asJSON(v1))
		}
		digits := strconv.FormatInt(n, 10)
		switch cs[1].Name {
		case "exp", "iat", "nbf":
			if !strings.HasPrefix(cs[1].Value, digits+" (") || !strings.HasSuffix(cs[1].Value, " UTC)") {
				t.Fatalf("time claim %q = %q, want %s (date UTC)", k2, cs[1].Value, digits)
			}
		default:
			if cs[1].Value != digits {
				t.Fatalf("number claim %q = %q, want %s", k2, cs[1].Value, digits)
			}
		}
		if want := asJSON(a1) + ", " + asJSON(a2); cs[2].Value != want {
			t.Fatalf("array claim %q = %q, want %q", k3, cs[2].Value, want)
		}
	})
}
