package azure_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// The real InteractiveBrowserCredential (auth code + PKCE, form_post to
// MSAL's loopback server) signs in against the simulated Entra ID. The
// "browser" is this test binary, put on PATH as xdg-open: it loads the
// authorize page (auto-approved as alice) and submits the form like a
// browser's script would.
func TestBrowserSignIn(t *testing.T) {
	s, cfg := start(t, emulator.Options{AutoApprove: "alice"})
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, s.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nFAKE_BROWSER_CA=%q FAKE_BROWSER_URL=\"$1\" exec %q -test.run='^TestFakeBrowser$'\n", ca, os.Args[0])
	for _, name := range []string{"xdg-open", "x-www-browser", "www-browser"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodBrowser})
	if err != nil {
		t.Fatal(err)
	}
	if id := sess.Identity(); id.UPN != "alice@contoso.example" || id.Method != azure.MethodBrowser {
		t.Fatalf("identity: %+v", id)
	}
	if _, err := sess.Subscriptions(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"/>`)
var action = regexp.MustCompile(`action="([^"]+)"`)

// TestFakeBrowser is the browser's process; it does nothing in a normal run.
func TestFakeBrowser(t *testing.T) {
	u := os.Getenv("FAKE_BROWSER_URL")
	if u == "" {
		return
	}
	pem, _ := os.ReadFile(os.Getenv("FAKE_BROWSER_CA"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(u)
	if err != nil {
		os.Exit(3)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	m := action.FindStringSubmatch(page)
	if m == nil {
		os.Exit(4)
	}
	form := url.Values{}
	for _, f := range hidden.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	r, err := http.PostForm(html.UnescapeString(m[1]), form)
	if err != nil {
		os.Exit(5)
	}
	r.Body.Close()
	os.Exit(0) // before the test framework prints to the terminal MSAL gave us
}
