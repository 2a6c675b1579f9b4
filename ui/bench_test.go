package ui

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/screens/browse"
)

// bigList is the root model showing a workspace with n endpoints.
func bigList(n int) *Model {
	m := New(Options{Env: nav.Env{Demo: true}})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	ws := azure.WorkspaceRef{Subscription: "00000000-0000-0000-0000-000000000001", ResourceGroup: "rg", Name: "mlw-big"}
	items := make([]azure.Endpoint, n)
	for i := range items {
		items[i] = azure.Endpoint{EndpointRef: azure.EndpointRef{WorkspaceRef: ws, Endpoint: fmt.Sprintf("endpoint-%05d", i)},
			ID: fmt.Sprintf("%s/onlineEndpoints/endpoint-%05d", ws.ID(), i), AuthMode: []string{"key", "aml_token", "aad_token"}[i%3],
			ComputeType: "Managed", ProvisioningState: "Succeeded", Traffic: map[string]int32{"blue": 90, "green": 10}}
	}
	s := browse.NewEndpoints(m.env, ws)
	s.SetEndpoints(items)
	m.stack = append(m.stack, s)
	return m
}

// Issue 3: a frame of a 10,000-endpoint list under 2 ms.
func BenchmarkFrame10kEndpoints(b *testing.B) {
	m := bigList(10_000)
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// Issue 3: a filter keystroke to the new frame under 16 ms.
func BenchmarkFilterKeystrokeToFrame10k(b *testing.B) {
	m := bigList(10_000)
	m.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(tea.KeyPressMsg{Code: '9', Text: "9"})
		} else {
			m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		_ = m.View()
	}
}

// Issue 3: resident memory under 80 MB with the 10,000-endpoint list open
// (the whole test process, so an upper bound for the app).
func BenchmarkResidentMemory10k(b *testing.B) {
	var keep []*Model
	for b.Loop() {
		keep = append(keep[:0], bigList(10_000))
		_ = keep[0].View()
	}
	runtime.GC()
	b.ReportMetric(rssMB(), "rss-MB")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	runtime.KeepAlive(keep)
}

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// Issue 3: --demo to the first interactive frame under 300 ms. This is the
// in-process part (simulated Azure up, model built, first frame drawn);
// scripts/bench-startup.sh measures the real binary in a terminal.
func BenchmarkDemoStartToFirstFrame(b *testing.B) {
	for b.Loop() {
		start := time.Now()
		srv, err := emulator.Start(emulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cfg, _ := azure.EmulatorConfig(srv.URL(), srv.CAPEM(), srv.TenantID())
		m := New(Options{Env: nav.Env{Config: cfg, Demo: true}})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if !strings.Contains(m.View().Content, "Sign in to Azure") {
			b.Fatal("no sign-in frame")
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-frame")
		srv.Close()
	}
}
