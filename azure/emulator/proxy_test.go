package emulator

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

// startProxied starts a simulated Azure with its HTTPS proxy, and a client
// that, like az with HTTPS_PROXY and REQUESTS_CA_BUNDLE, sends everything
// through the proxy and trusts the emulator's CA.
func startProxied(t *testing.T) (*Server, *Proxy, *http.Client) {
	t.Helper()
	s, err := Start(Options{SigningKey: testSigningKey(), ProxyHosts: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	p, err := s.StartProxy("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	pu, _ := url.Parse(p.URL())
	c := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(pu), // every host, loopback included
		TLSClientConfig: &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
	}}
	t.Cleanup(c.CloseIdleConnections)
	return s, p, c
}

// An unmodified Azure SDK client (public cloud, instance discovery on) signs
// in and lists subscriptions through the proxy: nothing names the emulator
// but the proxy and the CA.
func TestProxyServesAzureHostNamesToAnUnmodifiedClient(t *testing.T) {
	s, _, c := startProxied(t)
	ctx := armtCtx(t)
	tid, cid, secret := s.ServicePrincipalCredentials()
	co := azcore.ClientOptions{Transport: c, Retry: policy.RetryOptions{MaxRetries: -1}}
	cred, err := azidentity.NewClientSecretCredential(tid, cid, secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: co})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := armsubscriptions.NewClient(cred, &arm.ClientOptions{ClientOptions: co})
	if err != nil {
		t.Fatal(err)
	}
	page, err := subs.NewListPager(nil).NextPage(ctx)
	if err != nil {
		t.Fatalf("listing subscriptions at management.azure.com through the proxy: %v", err)
	}
	if len(page.Value) == 0 {
		t.Fatal("no subscriptions")
	}

	// MSAL's instance discovery, the call that fails offline without the proxy.
	resp, err := c.Get("https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		TenantDiscoveryEndpoint string `json:"tenant_discovery_endpoint"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if resp.StatusCode != 200 || disc.TenantDiscoveryEndpoint == "" {
		t.Fatalf("instance discovery: %d %+v", resp.StatusCode, disc)
	}

	// graph.microsoft.com/v1.0 is the emulator's Graph.
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://graph.microsoft.com/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+cid+"'"), nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), cid) {
		t.Fatalf("Graph through the proxy: %d %s", resp.StatusCode, body)
	}
}

// The proxy tunnels to nothing but itself: any other host, any other port
// and plain-HTTP forwarding are refused, so nothing leaves the machine.
func TestProxyRefusesEveryOtherHost(t *testing.T) {
	_, p, c := startProxied(t)
	for _, u := range []string{
		"https://example.com/",
		"https://login.microsoftonline.com.evil.example/",
		"https://management.azure.com:8443/", // a served name, but not on 443
		"https://storage.azure.com/",
	} {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: reached (%d), want the CONNECT refused", u, resp.StatusCode)
			continue
		}
		if !strings.Contains(err.Error(), "Forbidden") {
			t.Errorf("%s: %v, want 403 Forbidden from the proxy", u, err)
		}
	}

	// A proxy request for plain HTTP is not forwarded either.
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
	buf := make([]byte, 64)
	n, _ := io.ReadAtLeast(conn, buf, 12)
	if got := string(buf[:n]); !strings.HasPrefix(got, "HTTP/1.1 405") {
		t.Errorf("plain-HTTP proxying: %q, want 405", got)
	}
}

// A client that does not trust the emulator's CA cannot be fooled into
// taking its login.microsoftonline.com for the real one.
func TestProxyCertificateNeedsTheEmulatorCA(t *testing.T) {
	_, p, _ := startProxied(t)
	pu, _ := url.Parse(p.URL())
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}} // system roots only
	defer c.CloseIdleConnections()
	resp, err := c.Get("https://login.microsoftonline.com/common/discovery/instance")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a client with only the system's CAs trusted the emulator's certificate")
	}
	var unknown interface{ Error() string }
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("want a certificate error, got %v", err)
	}
}

// The proxy needs a certificate for the Microsoft names, so it cannot be
// started on a server that was not told to make one.
func TestProxyNeedsProxyHosts(t *testing.T) {
	s, err := Start(Options{SigningKey: testSigningKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.StartProxy("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "ProxyHosts") {
		t.Errorf("StartProxy without ProxyHosts: %v", err)
	}
	s2, err := Start(Options{SigningKey: testSigningKey(), ProxyHosts: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.StartProxy("0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("a proxy on every interface: %v", err)
	}
}

// lineWriter hands each write to a channel, so a test can wait for a log line.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) { w <- string(p); return len(p), nil }

// The server's own errors (here: a client that does not trust the CA) go to
// Options.ErrorLog, and without one nowhere: never to the standard logger,
// which would print over a terminal UI.
func TestServerErrorsGoToErrorLogOnly(t *testing.T) {
	lines := make(lineWriter, 16)
	s, err := Start(Options{SigningKey: testSigningKey(), ErrorLog: log.New(lines, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &http.Client{Transport: &http.Transport{}} // system roots only
	defer c.CloseIdleConnections()
	if resp, err := c.Get(s.URL() + "/subscriptions"); err == nil {
		resp.Body.Close()
		t.Fatal("an untrusting client got through")
	}
	if got := <-lines; !strings.Contains(got, "TLS handshake error") {
		t.Errorf("ErrorLog got %q", got)
	}

	quiet, err := Start(Options{SigningKey: testSigningKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer quiet.Close()
	if quiet.srv.ErrorLog == nil || quiet.srv.ErrorLog.Writer() != io.Discard {
		t.Error("without Options.ErrorLog the server's errors must be discarded, not printed by the standard logger")
	}
}
