package azure_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// tokenRequests counts the simulated Azure's 200 answers to token requests
// (its request log: time, method, path, status).
type tokenRequests struct {
	mu sync.Mutex
	n  int
}

func (l *tokenRequests) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[1] == "POST" && strings.HasSuffix(f[2], "/oauth2/v2.0/token") && f[3] == "200" {
			l.n++
		}
	}
	return len(p), nil
}

func (l *tokenRequests) count() int { l.mu.Lock(); defer l.mu.Unlock(); return l.n }

// With a clock injected (Config.Polling.Now, shared with the simulated
// Azure), a session's token lives and expires on that clock: it is reused
// while the clock stands, and renewed — without a refused request — as
// soon as the clock passes its expiry, though the wall clock has not.
func TestTokensRenewOnTheInjectedClock(t *testing.T) {
	clock := &fixedClock{t: time.Now()}
	log := &tokenRequests{}
	s, cfg := start(t, emulator.Options{Now: clock.Now, AccessTokenLifetime: 2 * time.Second, Log: log})
	cfg.Polling = azure.Polling{Now: clock.Now, Wait: func(ctx context.Context, d time.Duration) error {
		clock.mu.Lock()
		clock.t = clock.t.Add(d)
		clock.mu.Unlock()
		return ctx.Err()
	}}
	alice := signInAs(t, s, cfg, "alice")
	tok, err := alice.Token(ctx(t), cfg.ARMAudience)
	if err != nil {
		t.Fatal(err)
	}
	// Entra's lifetime less the second the simulated Azure keeps in hand, dated on the clock.
	if now := clock.Now(); !tok.ExpiresOn.After(now) || tok.ExpiresOn.After(now.Add(2*time.Second)) {
		t.Fatalf("the token expires at %v, want within 2 s of the clock's %v", tok.ExpiresOn, now)
	}
	issued := log.count()
	for range 3 {
		if _, err := alice.Subscriptions(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if n := log.count(); n != issued {
		t.Fatalf("%d tokens requested while the clock stood still", n-issued)
	}
	if err := cfg.Polling.Wait(ctx(t), 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Subscriptions(ctx(t)); err != nil {
		t.Fatalf("after the token expired on the clock: %v", err)
	}
	if n := log.count(); n != issued+1 {
		t.Fatalf("%d tokens requested after the expiry, want 1", n-issued)
	}
	renewed, err := alice.Token(ctx(t), cfg.ARMAudience)
	if err != nil || renewed.Token == tok.Token || !renewed.ExpiresOn.After(clock.Now()) {
		t.Fatalf("after the expiry: %v, a new token %v, expiring after the clock: %v", err, renewed.Token != tok.Token, renewed.ExpiresOn)
	}
}
