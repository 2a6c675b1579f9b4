package azure

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// clockedCredential renews tokens on an injected clock (Config.Polling.Now)
// instead of the wall clock. The simulated Azure's tests share that clock
// with the emulator and move it: a token then expires, and is renewed,
// when the clock says so, with no real time passing. Without an injected
// clock the session uses the credential as it is (azcore's cache on the
// wall clock, with its refresh ahead of expiry).
//
// What still reads the wall clock, and why it is harmless:
//   - MSAL dates a token it receives on the wall clock (now + expires_in);
//     the time left it computes is moved onto the injected clock at once
//     (token), so the expiry the app sees and renews by is Azure's lifetime
//     on the shared clock (the simulated Azure's expires_in is that lifetime
//     less a second, as it dates its exp claim on the same clock).
//   - MSAL serves a cached token only while it has five minutes of wall
//     clock left (its cache's validity check); the tokens that tests make
//     expire live seconds, so every renewal asks Entra. A test that moved
//     the clock past a longer token's life faster than MSAL's wall clock
//     would get that token again and see Azure refuse it: none does.
//   - azcore's BearerTokenPolicy keeps a token until its ExpiresOn on the
//     wall clock, which the injected clock may have outrun: GetToken tells
//     it every token has just expired, so it asks for each request and this
//     cache answers on the injected clock.
type clockedCredential struct {
	azcore.TokenCredential
	now func() time.Time

	mu   sync.Mutex
	held map[string]azcore.AccessToken // by tenant, claims and scopes; ExpiresOn on the clock
}

func newClockedCredential(cred azcore.TokenCredential, now func() time.Time) *clockedCredential {
	return &clockedCredential{TokenCredential: cred, now: now, held: map[string]azcore.AccessToken{}}
}

// GetToken is token with an ExpiresOn azcore's wall-clock cache takes as
// already passed (see clockedCredential).
func (c *clockedCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := c.token(ctx, o)
	t.ExpiresOn, t.RefreshOn = time.Now(), time.Time{}
	return t, err
}

// token is the held token while the clock says it lives, else a new one
// (a claims challenge always asks for a new one), its expiry on the clock.
func (c *clockedCredential) token(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	key := o.TenantID + "\n" + o.Claims + "\n" + strings.Join(o.Scopes, " ")
	c.mu.Lock()
	t, ok := c.held[key]
	c.mu.Unlock()
	if ok && o.Claims == "" && c.now().Before(t.ExpiresOn) {
		return t, nil
	}
	t, err := c.TokenCredential.GetToken(ctx, o)
	if err != nil {
		return t, err
	}
	now := c.now()
	t.ExpiresOn = now.Add(time.Until(t.ExpiresOn))
	if !t.RefreshOn.IsZero() {
		t.RefreshOn = now.Add(time.Until(t.RefreshOn))
	}
	c.mu.Lock()
	c.held[key] = t
	c.mu.Unlock()
	return t, nil
}

// getToken is cred's token with its expiry on the session's clock.
func getToken(ctx context.Context, cred azcore.TokenCredential, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c, ok := cred.(*clockedCredential); ok {
		return c.token(ctx, o)
	}
	return cred.GetToken(ctx, o)
}
