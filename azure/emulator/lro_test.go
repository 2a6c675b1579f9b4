package emulator

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// The polling URLs carry the api-version of the request that started the
// operation, and Retry-After is Azure's 10 s unless the options shorten it.
func TestLROURLsCarryTheRequestAPIVersion(t *testing.T) {
	// Not newARMT: it shortens Retry-After for every other test.
	s, err := Start(Options{SigningKey: testSigningKey(), ProvisioningTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	e := &armtEnv{t: t, s: s, creds: map[string]azcore.TokenCredential{}}
	tok := e.token("olivia", armtScope)
	for _, v := range []string{"2024-04-01", "2025-12-01", "2023-04-01-Preview"} {
		code, h, b := e.do(http.MethodPost, sandbox+"/regenerateKeys?api-version="+v, tok,
			bytes.NewReader([]byte(`{"keyType":"Primary"}`)), map[string]string{"Content-Type": "application/json"})
		if code != http.StatusAccepted {
			t.Fatalf("regenerate %s: %d %s", v, code, b)
		}
		for _, name := range []string{"Azure-AsyncOperation", "Location"} {
			u, err := url.Parse(h.Get(name))
			if err != nil || u.Query().Get("api-version") != v || !strings.HasPrefix(h.Get(name), s.URL()+"/") {
				t.Errorf("%s with api-version %s: %q", name, v, h.Get(name))
			}
			// The URL works as given, and refreshed Locations keep the version.
			code, h2, b := e.do(http.MethodGet, strings.TrimPrefix(h.Get(name), s.URL()), tok, nil, nil)
			if code != http.StatusOK {
				t.Errorf("GET %s: %d %s", name, code, b)
			}
			if l := h2.Get("Location"); l != "" && !strings.Contains(l, "api-version="+v) {
				t.Errorf("refreshed Location lost the version: %s", l)
			}
		}
		if h.Get("Retry-After") != "10" {
			t.Errorf("default Retry-After %q, want Azure's 10", h.Get("Retry-After"))
		}
	}
}
