package emulator

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkARMGet measures the emulator's hot read path: an authenticated
// GET of one workspace (token validation, RBAC evaluation, JSON answer) over
// keep-alive connections. Run with:
//
//	go test -run xxx -bench BenchmarkARMGet -benchtime 3s ./azure/emulator/
func BenchmarkARMGet(b *testing.B) {
	s, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })

	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		ForceAttemptHTTP2:   true,
	}}
	b.Cleanup(client.CloseIdleConnections)

	auth := "Bearer " + benchARMToken(b, s, client)

	// The app is Reader on the sandbox subscription (seed.go), which grants
	// workspaces/read there. (Its AzureML Data Scientist role on mlw-churn
	// does not: "workspaces/*/read" does not match "workspaces/read".)
	target := s.URL() + wsID(SubSandbox, "rg-sandbox", "mlw-sandbox") + "?api-version=2024-04-01"
	get := func() (int, error) {
		req, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", auth)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := get(); err != nil || code != http.StatusOK {
		b.Fatalf("warm-up GET: status %d, err %v", code, err)
	}

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			code, err := get()
			if err != nil {
				b.Error(err)
				return
			}
			if code != http.StatusOK {
				b.Errorf("GET workspace: status %d", code)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkARMListBigWorkspace lists one page of a workspace holding 10,000
// endpoints (what the app's 10k-list demo does 101 times).
func BenchmarkARMListBigWorkspace(b *testing.B) {
	s, err := Start(Options{ExtraEndpoints: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	client := s.HTTPClient()
	tok := benchARMToken(b, s, client)
	target := s.URL() + wsID(SubSandbox, "rg-sandbox", "mlw-sandbox") + "/onlineEndpoints?api-version=2024-04-01&$skipToken=5000"
	for b.Loop() {
		benchGetOK(b, client, tok, target)
	}
}

// benchGetOK GETs u with the token and reads the answer, which must be 200.
func benchGetOK(b *testing.B, client *http.Client, tok, u string) {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// benchARMToken is an ARM token for the seeded app (client_credentials),
// fetched through client.
func benchARMToken(b *testing.B, s *Server, client *http.Client) string {
	b.Helper()
	tid, cid, secret := s.ServicePrincipalCredentials()
	resp, err := client.PostForm(s.URL()+"/"+tid+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {cid}, "client_secret": {secret},
		"scope": {"https://management.azure.com/.default"},
	})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		b.Fatalf("token: status %d, err %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}
