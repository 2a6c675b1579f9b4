package ui

import (
	"strings"
	"testing"

	"amlauth-tui/azure/emulator"
)

// ctrl+c interrupts (the program exits 130, as a shell command would); q
// quits (0). Both save where the user was.
func TestCtrlCInterruptsAndQQuits(t *testing.T) {
	hermetic(t)
	for _, tc := range []struct {
		key         string
		interrupted bool
	}{{"ctrl+c", true}, {"q", false}} {
		srv, env := startEmulator(t, emulator.Options{})
		env.Store = newStore(t, t.TempDir())
		d := newDriver(t, Options{Env: env}, srv, 120, 40)
		d.signInToCard("alice")
		d.key(tc.key)
		d.waitQuit()
		if d.interrupted != tc.interrupted {
			t.Errorf("%s: interrupted %v, want %v", tc.key, d.interrupted, tc.interrupted)
		}
	}
}

// "Continue where you left off" is per identity: after olivia browsed to
// an endpoint, bob signing in on the same machine starts at the
// subscriptions, and olivia, back again, continues at her endpoint.
func TestLastPlaceIsPerIdentity(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	srv, env := startEmulator(t, emulator.Options{})
	session := func(persona string) *driver {
		e := env
		e.Store = newStore(t, dir)
		d := newDriver(t, Options{Env: e}, srv, 120, 40)
		d.signInToCard(persona)
		return d
	}
	d := session("olivia")
	d.key("enter")
	d.waitFor("Contoso ML Production")
	d.key("enter")
	d.waitFor("Workspaces in", "mlw-churn")
	d.key("enter")
	d.waitFor("Endpoints in mlw-churn", "churn-key")
	d.key("q")
	d.waitQuit()

	d = session("bob")
	s := d.waitFor("continue to Subscriptions")
	if strings.Contains(s, "mlw-churn") {
		t.Fatalf("bob is offered olivia's place:\n%s", s)
	}
	d.key("q")
	d.waitQuit()

	d = session("olivia")
	d.waitFor("continue to Contoso ML Production › mlw-churn")
	d.key("enter")
	d.waitFor("Endpoints in mlw-churn")
}
