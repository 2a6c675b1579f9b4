package emulator

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// BenchmarkARMListPage100k reads one page (100 endpoints) from the middle of
// a workspace holding 100,000 endpoints, continuing from a cursor as the
// app's nextLink does (issue 18: a page costs the page, not the workspace;
// target 5 ms, the median reported as page-p50-ms). The index is built by
// the first page, before the timer.
func BenchmarkARMListPage100k(b *testing.B) {
	s, err := Start(Options{ExtraEndpoints: 100_000, SigningKey: testSigningKey()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	client := s.HTTPClient()
	tok := benchARMToken(b, s, client)
	list := s.URL() + wsID(SubSandbox, "rg-sandbox", "mlw-sandbox") + "/onlineEndpoints?api-version=2024-04-01"
	get := func(u string) { benchGetOK(b, client, tok, u) }
	get(list) // builds the index
	middle := list + "&$skipToken=" + url.QueryEscape(endpointCursor("load-50000"))
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		get(middle)
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, "page-p50-ms")
}
