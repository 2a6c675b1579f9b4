package azure_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// Peer measurements for scripts/bench.sh: each benchmark times the app's
// path and a simpler peer alternately, in the same process and against the
// same emulator, and reports both medians and their ratio.

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func reportPeer(b *testing.B, ours, peer []time.Duration, oursName, peerName string) {
	o, p := median(ours), median(peer)
	b.ReportMetric(float64(o.Microseconds()), oursName+"-p50-µs")
	b.ReportMetric(float64(p.Microseconds()), peerName+"-p50-µs")
	if p > 0 {
		b.ReportMetric(float64(o)/float64(p), "ratio-vs-"+peerName)
	}
}

// BenchmarkARMGetSessionVsPlain: one ARM GET of an endpoint through the
// Session (SDK pipeline, retry and bearer policies, JSON into the SDK model
// and our type) against the same GET from a bare net/http client holding
// the same bearer token, over the same keep-alive transport.
func BenchmarkARMGetSessionVsPlain(b *testing.B) {
	s, err := emulator.Start(emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	cfg, err := azure.EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	if err != nil {
		b.Fatal(err)
	}
	var alice azure.Persona
	for _, p := range s.Personas() {
		if p.Key == "alice" {
			alice = azure.Persona{Key: p.Key, UPN: p.UPN, Password: p.Password}
		}
	}
	ctx := context.Background()
	sess, err := azure.SignIn(ctx, cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: alice})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := sess.Token(ctx, cfg.ARMAudience)
	if err != nil {
		b.Fatal(err)
	}
	ref := azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction,
		ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: "churn-key"}
	// The api-version the SDK sends for online endpoints.
	target := s.URL() + ref.ID() + "?api-version=2024-04-01"
	plain := &http.Client{Transport: cfg.HTTPClient.Transport}
	get := func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := plain.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("plain GET: status %d", resp.StatusCode)
		}
	}
	// Warm both: connection, token cache, SDK clients.
	get()
	if _, err := sess.Endpoint(ctx, ref); err != nil {
		b.Fatal(err)
	}
	var ours, peer []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := sess.Endpoint(ctx, ref); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		get()
		ours, peer = append(ours, t1.Sub(t0)), append(peer, time.Since(t1))
	}
	reportPeer(b, ours, peer, "session", "plain")
}

// BenchmarkFanOutVsSingleRequest: issue 2's fan-out factor against a
// measured peer rather than the injected latency: workspaces across 50
// subscriptions versus the same call for one subscription, both with 50 ms
// added per workspace list. Serial calls would give about 50×.
func BenchmarkFanOutVsSingleRequest(b *testing.B) {
	sess, ids := fanOutWorld(b, []emulator.Fault{{
		Route:   "/subscriptions/*/providers/Microsoft.MachineLearningServices/workspaces*",
		Latency: fanOutLatency,
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	wl, err := sess.WorkspacesFanOut(ctx, ids)
	checkFanOut(b, wl, err)
	var fan, single []time.Duration
	for b.Loop() {
		t0 := time.Now()
		wl, err := sess.WorkspacesFanOut(ctx, ids)
		t1 := time.Now()
		checkFanOut(b, wl, err)
		one, err := sess.WorkspacesFanOut(ctx, ids[:1])
		t2 := time.Now()
		if err != nil || len(one.Items) != 1 {
			b.Fatalf("single subscription: %v, %d workspaces", err, len(one.Items))
		}
		fan, single = append(fan, t1.Sub(t0)), append(single, t2.Sub(t1))
	}
	reportPeer(b, fan, single, "fanout", "single")
}
