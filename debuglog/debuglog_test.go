package debuglog

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactsSecretShapes(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21sLmF6dXJlLmNvbSJ9.c2lnbmF0dXJl"
	cases := map[string]string{
		"Authorization: Bearer abc.def-ghi":                         "abc.def-ghi",
		"token " + jwt + " end":                                     jwt,
		"grant_type=client_credentials&client_secret=s3cr3t!x":      "s3cr3t!x",
		`{"primaryKey":"K1K1K1K1K1K1","secondaryKey":"K2K2K2K2K2"}`: "K1K1K1K1K1K1",
		"password=hunter22&username=alice":                          "hunter22",
	}
	r := &Redactor{}
	for in, secret := range cases {
		out := r.Redact(in)
		if strings.Contains(out, secret) {
			t.Errorf("Redact(%q) = %q still contains the secret", in, out)
		}
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("Redact(%q) = %q has no [REDACTED] marker", in, out)
		}
	}
}

func TestRegisteredValuesAreRedactedAndPlainTextKept(t *testing.T) {
	var buf bytes.Buffer
	red := &Redactor{}
	l := New(&buf, red, nil)
	red.Add("opaque-key-value-123")
	l.Info("fetched keys", "endpoint", "churn-key", "detail", "value opaque-key-value-123 here")
	out := buf.String()
	if strings.Contains(out, "opaque-key-value-123") {
		t.Fatalf("log contains registered secret: %s", out)
	}
	if !strings.Contains(out, "churn-key") || !strings.Contains(out, "fetched keys") {
		t.Fatalf("log lost non-secret text: %s", out)
	}
}

func FuzzRedactNeverLeaksRegistered(f *testing.F) {
	f.Add("prefix", "SECRETVALUE1")
	f.Add("a=b&client_secret=", "zzzzzzzz")
	f.Fuzz(func(t *testing.T, around, secret string) {
		if len(secret) < 6 || strings.Contains(around, secret) {
			return
		}
		r := &Redactor{}
		r.Add(secret)
		out := r.Redact(around + secret + around)
		if strings.Contains(out, secret) {
			// A registered secret can only survive if redaction of an earlier
			// pattern rewrote part of it; that still must not leave it whole.
			t.Fatalf("secret %q survived in %q", secret, out)
		}
	})
}
