package emulator

import (
	"fmt"
	"net/url"
	"regexp"
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
	if html := page(t, s, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"alice"}, "password": {personaPassword(t, s, "alice")}, "action": {"approve"}}); !strings.Contains(html, "Your account is temporarily locked") || strings.Contains(html, "You signed in") || strings.Contains(html, "That code did not work") {
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

	// The in-process demo's pages ask for no password, but a locked account
	// still does not get in through them.
	demoClock := newTestClock()
	demo := newARMT(t, Options{Now: demoClock.Now, PasswordlessPages: true}).s
	for i := range lockoutThreshold {
		f := passwordForm(t, demo, "gary", armtCLIClientID, armtScope)
		f.Set("password", fmt.Sprint("guess-", i))
		entraPost(t, demo, tokenPath(demo), f)
	}
	_, uc = startDeviceCode(t, demo)
	if html := page(t, demo, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"gary"}, "action": {"approve"}}); !strings.Contains(html, "Your account is temporarily locked") {
		t.Fatalf("a passwordless page let a locked account in: %s", html)
	}
	demoClock.Advance(lockoutDuration)
	if html := page(t, demo, "/devicelogin", url.Values{"user_code": {uc}, "persona": {"gary"}, "action": {"approve"}}); !strings.Contains(html, "You signed in as gary") {
		t.Fatalf("after the lockout: %s", html)
	}

	// An account that does not exist is named as such, however often it is tried.
	for range lockoutThreshold + 1 {
		f := passwordForm(t, s, "alice", armtCLIClientID, armtScope)
		f.Set("username", "mallory@contoso.example")
		st, body := entraPost(t, s, tokenPath(s), f)
		wantAADSTS(t, st, body, 400, "invalid_grant", 50034)
	}
}

var (
	guidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`)
)

// Every refusal of the simulated Entra has the shape of Entra's
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes,
// "Handling error codes in your application"): error, an error_description
// "AADSTSnnnnn: …" that ends with the trace id, correlation id and
// timestamp given in their own fields, error_codes [nnnnn] and error_uri.
func TestEntraErrorsHaveEntrasShape(t *testing.T) {
	clock := newTestClock()
	s := newARMT(t, Options{Now: clock.Now}).s
	tok := func(f url.Values) func() (int, map[string]any) {
		return func() (int, map[string]any) { return entraPost(t, s, tokenPath(s), f) }
	}
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for key, vals := range f {
			g[key] = append([]string(nil), vals...)
		}
		g.Set(k, v)
		return g
	}
	alice := passwordForm(t, s, "alice", armtCLIClientID, armtScope)
	_, app, _ := s.ServicePrincipalCredentials()
	cc := url.Values{"grant_type": {"client_credentials"}, "client_id": {app}, "scope": {armtScope}}
	st, body := tok(alice)()
	if st != 200 {
		t.Fatalf("sign-in: %d %v", st, body)
	}
	rt := body["refresh_token"].(string)
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {armtCLIClientID}, "scope": {armtScope}}
	dcDeclined, ucDeclined := startDeviceCode(t, s)
	dcPending, _ := startDeviceCode(t, s)

	cases := []struct {
		code int
		err  string
		call func() (int, map[string]any)
	}{
		{50034, "invalid_grant", tok(with(alice, "username", "alicia@contoso.example"))},
		{50126, "invalid_grant", tok(with(alice, "password", "nope"))},
		{700016, "unauthorized_client", tok(with(alice, "client_id", "11111111-2222-4333-8444-555555555555"))},
		{7000215, "invalid_client", tok(with(cc, "client_secret", "nope"))},
		{7000218, "invalid_client", tok(cc)},
		{700025, "invalid_client", tok(with(alice, "client_secret", "x"))},
		{900144, "invalid_request", tok(with(alice, "client_id", ""))},
		{70011, "invalid_scope", tok(with(alice, "scope", "openid profile"))},
		{500011, "invalid_resource", tok(with(alice, "scope", "https://management.example/.default"))},
		{70003, "unsupported_grant_type", tok(with(alice, "grant_type", "magic"))},
		{70008, "invalid_grant", tok(url.Values{"grant_type": {"authorization_code"}, "code": {"0.Anope"}, "client_id": {armtCLIClientID}, "redirect_uri": {"http://localhost:9"}, "scope": {armtScope}})},
		{9002313, "invalid_grant", tok(with(refresh, "refresh_token", "0.Anope"))},
		{90002, "invalid_request", func() (int, map[string]any) {
			return entraPost(t, s, "/fabrikam.example/oauth2/v2.0/token", alice)
		}},
		{70016, "authorization_pending", func() (int, map[string]any) { return pollDeviceCode(t, s, dcPending) }},
		{70019, "authorization_declined", func() (int, map[string]any) {
			if err := s.DeclineDeviceCode(ucDeclined); err != nil {
				t.Fatal(err)
			}
			return pollDeviceCode(t, s, dcDeclined)
		}},
		{70000, "bad_verification_code", func() (int, map[string]any) { return pollDeviceCode(t, s, "DAQABAAEAAAnope") }},
		{70020, "expired_token", func() (int, map[string]any) {
			clock.Advance(16 * time.Minute)
			return pollDeviceCode(t, s, dcPending)
		}},
		{700082, "invalid_grant", func() (int, map[string]any) {
			clock.Advance(refreshTokenLifetime)
			return tok(refresh)()
		}},
		{50053, "invalid_grant", func() (int, map[string]any) {
			for i := range lockoutThreshold {
				tok(with(alice, "password", fmt.Sprint("guess-", i)))()
			}
			return tok(alice)()
		}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint("AADSTS", c.code), func(t *testing.T) {
			st, body := c.call()
			if st < 400 || body["error"] != c.err {
				t.Fatalf("%d %v, want error %s", st, body, c.err)
			}
			codes, _ := body["error_codes"].([]any)
			desc, _ := body["error_description"].(string)
			trace, _ := body["trace_id"].(string)
			corr, _ := body["correlation_id"].(string)
			stamp, _ := body["timestamp"].(string)
			if len(codes) != 1 || codes[0] != float64(c.code) || !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", c.code)) {
				t.Errorf("codes %v, description %q", codes, desc)
			}
			if !guidRE.MatchString(trace) || !guidRE.MatchString(corr) || trace == corr || !stampRE.MatchString(stamp) ||
				!strings.HasSuffix(desc, "\r\nTrace ID: "+trace+"\r\nCorrelation ID: "+corr+"\r\nTimestamp: "+stamp) {
				t.Errorf("ids: trace %q correlation %q timestamp %q, description %q", trace, corr, stamp, desc)
			}
			if body["error_uri"] != fmt.Sprintf("%s/error?code=%d", s.URL(), c.code) {
				t.Errorf("error_uri %v", body["error_uri"])
			}
		})
	}
}
