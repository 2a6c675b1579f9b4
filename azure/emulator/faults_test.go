package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// Each route's fault has its own dice: which /tenants requests fail is the
// same for a seed whether or not /subscriptions requests (with their own
// fault) come in between, and SetFaults starts the dice again from the seed.
func TestFaultDicePerRouteReproduceARun(t *testing.T) {
	tenants, _ := ParseFault("route=/tenants,status=503,rate=0.5")
	subs, _ := ParseFault("route=/subscriptions,status=503,rate=0.5")
	e := newARMT(t, Options{Faults: []Fault{tenants, subs}, FaultSeed: 11})
	tok := e.token("bob", armtScope)
	walk := func(interleave bool) string {
		var b strings.Builder
		for range 40 {
			code, _, _ := e.do(http.MethodGet, "/tenants?api-version=2022-12-01", tok, nil, nil)
			b.WriteString(map[int]string{200: ".", 503: "x"}[code])
			if interleave {
				e.do(http.MethodGet, "/subscriptions?api-version=2022-12-01", tok, nil, nil)
			}
		}
		return b.String()
	}
	alone := walk(false)
	if !strings.Contains(alone, "x") || !strings.Contains(alone, ".") || len(alone) != 40 {
		t.Fatalf("not a mix of failures and answers: %q", alone)
	}
	e.s.SetFaults([]Fault{tenants, subs})
	if mixed := walk(true); mixed != alone {
		t.Fatalf("another route's requests changed this route's failures:\n%s\n%s", alone, mixed)
	}
}
