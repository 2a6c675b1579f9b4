package debuglog

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Every shape a credential takes in this app's logs: JSON answers (also as
// a quoted slog value), shell exports, forms, headers, URLs.
func TestRedactsJSONShellAndHeaderSecrets(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:hunter2-long"))
	cases := map[string]string{
		`{"primaryKey":"K1K1K1K1K1K1","secondaryKey":"K2K2K2K2K2"}`:           "K2K2K2K2K2",
		`{"primaryKey": "with space and ' quote"}`:                            "with space and ' quote",
		`{"access_token":"opaque.token-value","token_type":"Bearer"}`:         "opaque.token-value",
		`{"refresh_token":"0.AAAArefresh"}`:                                   "0.AAAArefresh",
		`{"id_token":"idtok-opaque-123"}`:                                     "idtok-opaque-123",
		`{"client_secret":"s3cr3t~value"}`:                                    "s3cr3t~value",
		`{"password":"hunter22 with spaces"}`:                                 "hunter22 with spaces",
		`{"accessToken":"aml-opaque-token","expiryTimeUtc":1700000000}`:       "aml-opaque-token",
		`{"device_code":"DC-abcdef-123","user_code":"ABCD-EFGH"}`:             "DC-abcdef-123",
		`{"keys":{"primaryKey":"nested-key-1"}}`:                              "nested-key-1",
		`body="{\"primaryKey\":\"slog-quoted-key\",\"x\":1}"`:                 "slog-quoted-key",
		`body="{\"password\":\"esc\\\"aped-pw\"}"`:                            `aped-pw`,
		`{'client_secret': 'py-style-secret'}`:                                "py-style-secret",
		"export DATA_PLANE_TOKEN=opaque-data-plane-tok":                       "opaque-data-plane-tok",
		`export AZURE_CLIENT_SECRET="quoted env secret"`:                      "quoted env secret",
		"grant_type=client_credentials&client_secret=s3cr3t!x&scope=a":        "s3cr3t!x",
		"password=hunter22&username=alice":                                    "hunter22",
		"GET /authorize?code=authcode-123&state=s":                            "authcode-123",
		"code_verifier=verifier-abcdef":                                       "verifier-abcdef",
		"api-key: opaque-api-key-1":                                           "opaque-api-key-1",
		"Authorization: Basic " + basic:                                       basic,
		"sent basic " + basic + " to the proxy":                               basic,
		"Authorization: SharedAccessSignature sr=x&sig=abc123def":             "abc123def",
		"Authorization: Bearer abc.def-ghi":                                   "abc.def-ghi",
		"https://alice:pa55word@proxy.example:8080/path":                      "pa55word",
		"token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJtbCJ9.c2lnbmF0dXJl end":        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJtbCJ9.c2lnbmF0dXJl",
		`{"clientAssertion":"assertion-value-1"}`:                             "assertion-value-1",
		`https://acct.blob.core.windows.net/c/b?sv=2022&sig=SASsig%2Bvalue==`: "SASsig%2Bvalue==",
	}
	for in, secret := range cases {
		out := RedactShapes(in)
		if strings.Contains(out, secret) || !strings.Contains(out, "[REDACTED]") {
			t.Errorf("RedactShapes(%q) = %q: %q survived", in, out, secret)
		}
	}
}

// What is not a secret stays readable: error codes, token types, key
// names, durations, prose.
func TestLeavesOrdinaryTextAlone(t *testing.T) {
	for _, in := range []string{
		`{"error":{"code":"AuthorizationFailed","message":"The client 'bob' does not have authorization"}}`,
		`{"token_type":"Bearer","expires_in":3599,"keyName":"primary","authMode":"Key"}`,
		`level=INFO msg="fetched keys" endpoint=churn-key credentialKind=key status=200`,
		"use basic authentication or a key",
		"GET https://management.azure.com/subscriptions/1/resourceGroups?api-version=2021-04-01",
	} {
		if out := RedactShapes(in); out != in {
			t.Errorf("RedactShapes(%q) = %q, want it unchanged", in, out)
		}
	}
}

func TestHoldReplacesAndForgets(t *testing.T) {
	r := &Redactor{}
	r.Hold("endpoint-1 primary", "first-key-value")
	if out := r.Redact("x first-key-value y"); strings.Contains(out, "first-key-value") {
		t.Fatalf("held value kept: %s", out)
	}
	r.Hold("endpoint-1 primary", "second-key-value") // regenerated: the old key is dead
	if out := r.Redact("first-key-value second-key-value"); out != "first-key-value [REDACTED]" {
		t.Fatalf("after replacing the slot: %s", out)
	}
	r.Add("second-key-value") // also registered elsewhere: a Forget of one keeps the other
	r.Hold("endpoint-1 primary", "")
	if out := r.Redact("second-key-value"); out != "[REDACTED]" {
		t.Fatalf("forgotten while still added: %s", out)
	}
	r.Forget("second-key-value")
	if out := r.Redact("second-key-value"); out != "second-key-value" {
		t.Fatalf("still redacted after the last Forget: %s", out)
	}
	// One held value inside another: the longer is replaced whole.
	r.Hold("a", "abcdefgh")
	r.Hold("b", "xxabcdefghxx")
	if out := r.Redact("xxabcdefghxx"); out != "[REDACTED]" {
		t.Fatalf("nested values: %s", out)
	}
}

// secretNames are the members whose values the redactor must hide, as the
// app meets them (ARM listKeys, AML getToken, Entra token answers, forms).
var secretNames = []string{"primaryKey", "secondaryKey", "access_token", "refresh_token", "id_token", "client_secret",
	"password", "accessToken", "device_code", "client_assertion", "code_verifier", "apiKey", "DATA_PLANE_TOKEN", "keyValue"}

// FuzzRedactSecretMembers puts an arbitrary value under each secret name,
// in JSON, in JSON quoted as slog writes an attribute, and as an
// assignment: the value never survives.
func FuzzRedactSecretMembers(f *testing.F) {
	f.Add(uint8(0), "K1K1K1K1K1K1", "prefix")
	f.Add(uint8(2), "with space", `{"a":1,`)
	f.Add(uint8(6), `q"uo\te`, "")
	f.Add(uint8(12), "tok;en&x", "export ")
	f.Fuzz(func(t *testing.T, which uint8, value, around string) {
		name := secretNames[int(which)%len(secretNames)]
		enc, _ := json.Marshal(value)
		inner := string(enc[1 : len(enc)-1]) // as it appears between the quotes
		doc := around + `{"` + name + `":` + string(enc) + `}` + around
		for _, in := range []string{doc, "body=" + strconv.Quote(doc)} {
			if len(inner) < 4 || strings.Contains(strings.Replace(in, inner, "", 1), inner) || strings.Contains(name, inner) {
				continue // too short to tell apart, or also elsewhere in the text
			}
			if out := RedactShapes(in); strings.Contains(out, inner) {
				t.Fatalf("%q: the value %q survived in %q", in, inner, out)
			}
		}
		// An assignment: the value as a shell would write it (no spaces or quotes in a bare word).
		if len(value) >= 4 && !strings.ContainsAny(value, " \t\r\n\"'&;,}\\=:") && !strings.Contains(around, value) && !strings.Contains(name, value) {
			in := around + " " + name + "=" + value + " "
			if out := RedactShapes(in); strings.Contains(out, value) {
				t.Fatalf("%q: the value survived in %q", in, out)
			}
		}
	})
}
