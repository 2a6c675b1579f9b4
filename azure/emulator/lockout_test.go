package emulator

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Password guessing against the simulated Entra ID over HTTPS meets smart
// lockout as in Entra: 10 failures lock the account for 60 s, the right
// password included; the same wrong password again does not count; a
// failure right after a lockout locks it again, for longer. The clock is
// the server's (Options.Now): nothing sleeps.
func TestEntraSmartLockout(t *testing.T) {
	clock := newTestClock()
	s := newARMT(t, Options{Now: clock.Now}).s
	signIn := func(persona, password string) (int, map[string]any) {
		f := passwordForm(t, s, persona, armtCLIClientID, armtScope)
		f.Set("password", password)
		return entraPost(t, s, tokenPath(s), f)
	}
	wrong := func(persona string, n int) {
		t.Helper()
		for i := range n {
			st, body := signIn(persona, fmt.Sprintf("guess-%d-%d", i, clock.Now().UnixNano()))
			wantAADSTS(t, st, body, 400, "invalid_grant", 50126, "invalid username or password")
		}
	}
	right := func(persona string) (int, map[string]any) { return signIn(persona, personaPassword(t, s, persona)) }
	wantLocked := func(persona string) {
		t.Helper()
		st, body := right(persona)
		wantAADSTS(t, st, body, 400, "invalid_grant", 50053, "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.")
	}
	wantIn := func(persona string) {
		t.Helper()
		if st, body := right(persona); st != 200 {
			t.Fatalf("%s with the right password: %d %v", persona, st, body)
		}
	}

	// Nine failures and a success: the success clears the count.
	wrong("alice", 9)
	wantIn("alice")
	wrong("alice", 9)
	wantIn("alice")

	// The same wrong password over and over never locks (the last three
	// bad password hashes are remembered).
	for range 3 * lockoutThreshold {
		st, body := signIn("alice", "alice-typo")
		wantAADSTS(t, st, body, 400, "invalid_grant", 50126)
	}
	wantIn("alice")

	// Ten distinct failures lock alice out for 60 s, everywhere: the token
	// endpoint, the /devicelogin page and the demo's own approval. Bob is not.
	wrong("alice", lockoutThreshold)
	wantLocked("alice")
	_, uc := startDeviceCode(t, s)
	if html := page(t, s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"alice"}, "password": {personaPassword(t, s, "alice")}, "action": {"approve"}}); !strings.Contains(html, "Your account is temporarily locked") || strings.Contains(html, "You signed in") {
		t.Fatalf("the sign-in page let a locked account in: %s", html)
	}
	if err := s.ApproveDeviceCode(uc, "alice"); err == nil {
		t.Fatal("the in-process approval let a locked account in")
	}
	wantIn("bob")
	clock.Advance(lockoutDuration - time.Second)
	wantLocked("alice")
	clock.Advance(time.Second)
	wantIn("alice")

	// The first failure after a lockout ends locks again, for longer (120 s).
	wrong("alice", lockoutThreshold)
	clock.Advance(lockoutDuration)
	wrong("alice", 1)
	wantLocked("alice")
	clock.Advance(2*lockoutDuration - time.Second)
	wantLocked("alice")
	clock.Advance(time.Second)
	wantIn("alice")

	// Failures on the sign-in pages count with those of the token endpoint.
	wrong("bob", lockoutThreshold/2)
	for i := range lockoutThreshold / 2 {
		_, uc := startDeviceCode(t, s)
		if html := page(t, s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"bob"}, "password": {fmt.Sprintf("page-guess-%d", i)}, "action": {"approve"}}); !strings.Contains(html, "wrong password") {
			t.Fatalf("page guess %d: %s", i, html)
		}
	}
	wantLocked("bob")

	// An account that does not exist is named as such, however often it is tried.
	for range lockoutThreshold + 1 {
		f := passwordForm(t, s, "alice", armtCLIClientID, armtScope)
		f.Set("username", "mallory@contoso.example")
		st, body := entraPost(t, s, tokenPath(s), f)
		wantAADSTS(t, st, body, 400, "invalid_grant", 50034)
	}
}
