package azure_test

import (
	"context"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// BenchmarkWorkspaces1000Subs: issue 18's tenant figure. Workspaces across
// 1,000 subscriptions (one workspace each) with 50 ms added to every
// Resource Graph and ARM request, through Resource Graph (target: at most 3
// round trips) and, beside it, through the per-subscription fan-out.
// Reported in units of that latency, medians over the iterations.
//
//	go test -run xxx -bench BenchmarkWorkspaces1000Subs -benchtime 3x ./azure/
func BenchmarkWorkspaces1000Subs(b *testing.B) {
	const latency = 50 * time.Millisecond
	sess, ids := scaleWorld(b, emulator.Options{Faults: []emulator.Fault{
		{Route: "/providers/Microsoft.ResourceGraph/*", Latency: latency},
		{Route: "/subscriptions/*/providers/Microsoft.MachineLearningServices/workspaces*", Latency: latency},
	}}, 1000, 1, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	check := func(wl azure.WorkspaceList, err error, via string) {
		if err != nil || len(wl.Items) != 1000 || len(wl.Failed) > 0 || wl.Via != via {
			b.Fatalf("%s: %v, %d workspaces, %d failed, via %q (%s)", via, err, len(wl.Items), len(wl.Failed), wl.Via, wl.Note)
		}
	}
	wl, err := sess.Workspaces(ctx, ids) // warm up: tokens, connections, clients
	check(wl, err, azure.ViaResourceGraph)
	var graph, fan []time.Duration
	for b.Loop() {
		t0 := time.Now()
		wl, err := sess.Workspaces(ctx, ids)
		t1 := time.Now()
		check(wl, err, azure.ViaResourceGraph)
		wl, err = sess.WorkspacesFanOut(ctx, ids)
		t2 := time.Now()
		check(wl, err, azure.ViaSubscriptions)
		graph, fan = append(graph, t1.Sub(t0)), append(fan, t2.Sub(t1))
	}
	b.ReportMetric(float64(median(graph))/float64(latency), "graph-round-trips")
	b.ReportMetric(float64(median(fan))/float64(latency), "fanout-round-trips")
}

// BenchmarkEndpoints100k: issue 18's list figures for the azure layer (the
// session reading pages from the emulator, no UI): the time to the first
// page and to the whole list of 100,000 endpoints, medians over the
// iterations. scripts/bench.sh measures the same on the binary in tmux.
func BenchmarkEndpoints100k(b *testing.B) {
	s, err := emulator.Start(emulator.Options{ExtraEndpoints: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	cfg, _ := azure.EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	var olivia azure.Persona
	for _, p := range s.Personas() {
		if p.Key == "olivia" {
			olivia = azure.Persona{Key: p.Key, UPN: p.UPN, Password: p.Password}
		}
	}
	ctx := context.Background()
	sess, err := azure.SignIn(ctx, cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: olivia})
	if err != nil {
		b.Fatal(err)
	}
	ws := azure.WorkspaceRef{Subscription: emulator.SubSandbox, ResourceGroup: "rg-sandbox", Name: "mlw-sandbox"}
	var first, all []time.Duration
	for b.Loop() {
		t0 := time.Now()
		p := sess.EndpointPages(ws)
		for i := 0; p.More(); i++ {
			if _, err := p.Next(ctx); err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				first = append(first, time.Since(t0))
			}
		}
		all = append(all, time.Since(t0))
		if p.Read() < 100_000 {
			b.Fatalf("read %d endpoints", p.Read())
		}
	}
	b.ReportMetric(float64(median(first))/1e6, "first-page-ms")
	b.ReportMetric(float64(median(all))/1e6, "all-ms")
}
