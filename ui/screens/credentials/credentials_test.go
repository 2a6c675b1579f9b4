package credentials

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// Fake values: shaped like the real ones, valid nowhere.
const (
	primary   = "PRIMARYfakeKey0000000000000000000000000000="
	secondary = "SECONDARYfakeKey00000000000000000000000000="
	amlTok    = "eyJhbGciOiJub25lIn0.AMLfakeTokenPayload.AMLfakeSignature"
	mlTok     = "eyJhbGciOiJub25lIn0.MLfakeTokenPayload.MLfakeSignature"
	armTok    = "eyJhbGciOiJub25lIn0.ARMfakeTokenPayload.ARMfakeSignature"
	aliceOID  = "a11ce000-0000-4000-8000-00000000a11c"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	time.Local = time.UTC // golden times do not depend on the machine's zone
	os.Exit(m.Run())
}

// fakeClock is the injected wall clock.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

// fakeSession answers like the session would, with fake values.
type fakeSession struct {
	keys      azure.EndpointKeys
	keysErr   error
	aml       azure.Credential
	amlErr    error
	ml, arm   azure.Credential
	ep        azure.Endpoint
	regenOp   *azure.Operation
	regenErr  error
	amlCalls  int
	keysCalls int
	// entraCalls counts Entra token requests.
	entraCalls int
}

func (f *fakeSession) Config() azure.Config {
	return azure.Config{ARMEndpoint: "https://management.azure.com/", ARMAudience: "https://management.azure.com", MLAudience: "https://ml.azure.com"}
}
func (f *fakeSession) Identity() azure.Identity {
	return azure.Identity{ObjectID: aliceOID, UPN: "alice@contoso.example", Kind: "user"}
}
func (f *fakeSession) Endpoint(context.Context, azure.EndpointRef) (azure.Endpoint, error) {
	return f.ep, nil
}
func (f *fakeSession) Keys(context.Context, azure.EndpointRef) (azure.EndpointKeys, error) {
	f.keysCalls++
	return f.keys, f.keysErr
}
func (f *fakeSession) RegenerateKey(context.Context, azure.EndpointRef, string) (*azure.Operation, error) {
	return f.regenOp, f.regenErr
}
func (f *fakeSession) AMLToken(context.Context, azure.EndpointRef) (azure.Credential, error) {
	f.amlCalls++
	return f.aml, f.amlErr
}
func (f *fakeSession) CheckToken(c azure.Credential, aud string, now time.Time) []azure.ClaimCheck {
	return azure.CheckTokenClaims(c, aud, aliceOID, now)
}
func (f *fakeSession) EntraToken(_ context.Context, aud string) (azure.Credential, error) {
	f.entraCalls++
	if aud == "https://management.azure.com" {
		return f.arm, nil
	}
	return f.ml, nil
}

func endpoint(mode string) azure.Endpoint {
	ws := azure.WorkspaceRef{Subscription: "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}
	ref := azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-" + map[string]string{azure.AuthKey: "key", azure.AuthAMLToken: "aml", azure.AuthAADToken: "aad"}[mode]}
	return azure.Endpoint{EndpointRef: ref, ID: ref.ID(), AuthMode: mode, ScoringURI: "https://" + ref.Endpoint + ".eastus.inference.ml.azure.com/score"}
}

// claims as azure.DecodeClaims renders them.
func claims(aud, oid string, iat, exp time.Time) []azure.Claim {
	ts := func(t time.Time) string {
		return fmt.Sprintf("%d (%s)", t.Unix(), t.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return []azure.Claim{{Name: "aud", Value: aud, Help: "audience: the API this token is for"},
		{Name: "iss", Value: "https://sts.windows.net/tenant/"}, {Name: "iat", Value: ts(iat)},
		{Name: "exp", Value: ts(exp), Help: "expires at"}, {Name: "oid", Value: oid, Help: "object id of the signed-in identity"},
		{Name: "tid", Value: "7e7e7e7e-0000-4000-8000-000000000001"}, {Name: "upn", Value: "alice@contoso.example"}}
}

func newFake() *fakeSession {
	return &fakeSession{
		keys: azure.EndpointKeys{Primary: primary, Secondary: secondary},
		aml:  azure.Credential{Kind: azure.AuthAMLToken, Value: amlTok, ExpiresOn: t0.Add(20 * time.Minute), RefreshAfter: t0.Add(10 * time.Minute)},
		ml: azure.Credential{Kind: azure.AuthAADToken, Value: mlTok, ExpiresOn: t0.Add(time.Hour), Audience: "https://ml.azure.com",
			Claims: claims("https://ml.azure.com", aliceOID, t0, t0.Add(time.Hour))},
		arm: azure.Credential{Kind: azure.AuthAADToken, Value: armTok, ExpiresOn: t0.Add(time.Hour), Audience: "https://management.azure.com",
			Claims: claims("https://management.azure.com", aliceOID, t0, t0.Add(time.Hour))},
	}
}

// open builds the screen for mode on a fake session and runs its first
// load; the returned clock drives everything time-based.
func open(t *testing.T, mode string, f *fakeSession) (*Screen, *fakeClock) {
	t.Helper()
	clk := &fakeClock{now: t0}
	env := &nav.Env{Styles: theme.New(true, true), Now: clk.Now}
	s := newScreen(env, endpoint(mode))
	s.fake = f
	s.lookupEnv = func(string) (string, bool) { return "", false }
	s.sel = 0
	if len(s.slots) > 0 {
		run(t, s, s.load(s.slots[0].group))
	}
	return s, clk
}

// run executes cmd synchronously and feeds its messages back (batches
// expanded), returning the messages meant for the root (nav.*).
func run(t *testing.T, s *Screen, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	var step func(tea.Cmd, int)
	step = func(c tea.Cmd, depth int) {
		if c == nil || depth > 10 {
			return
		}
		switch m := c().(type) {
		case tea.BatchMsg:
			for _, c := range m {
				step(c, depth+1)
			}
		case nav.Result[loaded], nav.Result[azure.Endpoint], nav.Result[*azure.Operation], regenConfirmMsg, savedPrefMsg:
			_, next := s.Update(m)
			step(next, depth+1)
		case nil:
		default:
			out = append(out, m)
		}
	}
	step(cmd, 0)
	return out
}

func press(t *testing.T, s *Screen, k string) []tea.Msg {
	t.Helper()
	var msg tea.KeyPressMsg
	switch k {
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	_, cmd := s.Update(msg)
	return run(t, s, cmd)
}

// tick delivers one clock tick and runs what it starts (not the re-armed
// tea.Every, which would wait for the real clock).
func tick(t *testing.T, s *Screen) []tea.Msg {
	t.Helper()
	return run(t, s, s.onTick())
}

func view(s *Screen) string { return ansi.Strip(s.View(120, 37)) }

func only[T any](t *testing.T, msgs []tea.Msg) T {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("want one %T, got %#v", *new(T), msgs)
	}
	m, ok := msgs[0].(T)
	if !ok {
		t.Fatalf("want %T, got %T", *new(T), msgs[0])
	}
	return m
}

func TestKeysMaskedThenRevealedUntilTheTimeout(t *testing.T) {
	f := newFake()
	s, clk := open(t, azure.AuthKey, f)
	v := view(s)
	if strings.Contains(v, primary) || strings.Contains(v, secondary) || !strings.Contains(v, "Primary key") || !strings.Contains(v, "••••") {
		t.Fatalf("keys must start masked:\n%s", v)
	}
	press(t, s, "r")
	v = view(s)
	if !strings.Contains(v, primary) || strings.Contains(v, secondary) || !strings.Contains(v, "hides in 30s") {
		t.Fatalf("r reveals the selected key only, with its timer:\n%s", v)
	}
	clk.advance(29 * time.Second)
	tick(t, s)
	if v = view(s); !strings.Contains(v, primary) || !strings.Contains(v, "hides in 1s") {
		t.Fatalf("still revealed one second before the timeout:\n%s", v)
	}
	clk.advance(time.Second)
	tick(t, s)
	if v = view(s); strings.Contains(v, primary) {
		t.Fatalf("re-masked at the timeout:\n%s", v)
	}
	// The other key, and r again hides at once.
	press(t, s, "down")
	press(t, s, "r")
	if v = view(s); !strings.Contains(v, secondary) || strings.Contains(v, primary) {
		t.Fatalf("down then r reveals the secondary:\n%s", v)
	}
	press(t, s, "r")
	if v = view(s); strings.Contains(v, secondary) {
		t.Fatalf("r hides again:\n%s", v)
	}
}

func TestRevealTimeComesFromThePrefs(t *testing.T) {
	st, _, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	off := false
	if err := st.SetPrefs(state.Prefs{RevealSeconds: 5, AutoRefreshTokens: &off}); err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: t0}
	s := newScreen(&nav.Env{Styles: theme.New(true, true), Now: clk.Now, Store: st}, endpoint(azure.AuthAMLToken))
	if s.reveal != 5*time.Second || s.auto {
		t.Fatalf("reveal %s auto %v, want 5s and off from the prefs", s.reveal, s.auto)
	}
	s.fake, s.lookupEnv = newFake(), func(string) (string, bool) { return "", false }
	run(t, s, s.load(gAML))
	press(t, s, "a") // on again, and saved
	if d, _ := st.Load(); !s.auto || d.Prefs.AutoRefreshTokens == nil || !*d.Prefs.AutoRefreshTokens {
		t.Fatalf("a turns auto-refresh on and saves it: auto=%v prefs=%v", s.auto, d.Prefs.AutoRefreshTokens)
	}
	press(t, s, "r")
	clk.advance(5 * time.Second)
	view(s)
	tick(t, s)
	if strings.Contains(view(s), amlTok) {
		t.Fatal("the reveal must end after the configured 5 s")
	}
}

func TestCountdownFollowsTheWallClockNotTheTicks(t *testing.T) {
	s, clk := open(t, azure.AuthAMLToken, newFake())
	if v := view(s); !strings.Contains(v, "Expires     in 20:00") || !strings.Contains(v, "after 12:10:00 (in 10:00)") {
		t.Fatalf("at fetch time:\n%s", v)
	}
	for range 3 { // ticks without time passing change nothing
		tick(t, s)
		view(s)
	}
	if v := view(s); !strings.Contains(v, "in 20:00") {
		t.Fatalf("ticks alone moved the countdown:\n%s", v)
	}
	clk.advance(61*time.Second + 400*time.Millisecond) // one late tick after a stall
	tick(t, s)
	if v := view(s); !strings.Contains(v, "in 18:58") || !strings.Contains(v, "(in 08:58)") {
		t.Fatalf("after 61.4 s of wall clock and one tick:\n%s", v)
	}
}

func TestAutoRefreshAtRefreshAfterAndToggle(t *testing.T) {
	f := newFake()
	s, clk := open(t, azure.AuthAMLToken, f)
	clk.advance(10*time.Minute - time.Second)
	tick(t, s)
	if f.amlCalls != 1 {
		t.Fatalf("refreshed before refresh-after: %d calls", f.amlCalls)
	}
	clk.advance(time.Second)
	f.aml = azure.Credential{Kind: azure.AuthAMLToken, Value: "eyJnew.token.value", ExpiresOn: clk.now.Add(20 * time.Minute), RefreshAfter: clk.now.Add(10 * time.Minute)}
	view(s)
	tick(t, s)
	if f.amlCalls != 2 || s.slots[0].secret.Value() != "eyJnew.token.value" {
		t.Fatalf("no refresh at refresh-after: %d calls", f.amlCalls)
	}
	if v := view(s); !strings.Contains(v, "in 20:00") || !strings.Contains(v, "auto-refresh on") {
		t.Fatalf("the new token's countdown:\n%s", v)
	}
	press(t, s, "a")
	clk.advance(11 * time.Minute)
	tick(t, s)
	if f.amlCalls != 2 || !strings.Contains(view(s), "auto-refresh off") {
		t.Fatalf("auto-refresh off still refreshed: %d calls", f.amlCalls)
	}
	press(t, s, "R") // manual refresh works whatever the toggle
	if f.amlCalls != 3 {
		t.Fatalf("R did not refresh: %d calls", f.amlCalls)
	}
}

// The README's key table says a toggles auto-refresh for tokens: Entra
// tokens are fetched again five minutes before they expire.
func TestEntraTokenAutoRefreshesBeforeExpiry(t *testing.T) {
	f := newFake()
	s, clk := open(t, azure.AuthAADToken, f)
	if f.entraCalls != 1 {
		t.Fatalf("first fetch: %d calls", f.entraCalls)
	}
	if !slices.ContainsFunc(s.Keys(), func(b key.Binding) bool { return b.Help().Key == "a" }) {
		t.Fatal("a is not offered for an Entra token")
	}
	clk.advance(55*time.Minute - time.Second)
	view(s)
	tick(t, s)
	if f.entraCalls != 1 {
		t.Fatalf("refreshed before it was due: %d calls", f.entraCalls)
	}
	clk.advance(time.Second)
	f.ml.Value, f.ml.ExpiresOn = "eyJnew.entra.token", clk.now.Add(time.Hour)
	view(s)
	tick(t, s)
	if f.entraCalls != 2 || s.slots[0].secret.Value() != "eyJnew.entra.token" {
		t.Fatalf("no refresh five minutes before expiry: %d calls", f.entraCalls)
	}
	press(t, s, "a")
	clk.advance(56 * time.Minute)
	view(s)
	tick(t, s)
	if f.entraCalls != 2 || !strings.Contains(view(s), "auto-refresh off") {
		t.Fatalf("auto-refresh off still refreshed: %d calls", f.entraCalls)
	}
}

func TestFailedRefreshKeepsTheTokenUntilItExpires(t *testing.T) {
	f := newFake()
	s, clk := open(t, azure.AuthAMLToken, f)
	f.amlErr = &azure.ServiceError{Status: 503, Code: "ServiceUnavailable", Message: "try later"}
	clk.advance(10 * time.Minute)
	tick(t, s)
	v := view(s)
	if s.slots[0].secret.Value() != amlTok || !strings.Contains(v, "Azure answered 503") ||
		!strings.Contains(v, "the current token stays in use until it expires (in 10:00)") {
		t.Fatalf("a failed refresh must keep the token and say so:\n%s", v)
	}
	// No hammering: the next automatic attempt waits.
	clk.advance(time.Second)
	tick(t, s)
	if f.amlCalls != 2 {
		t.Fatalf("retried at once after a failure: %d calls", f.amlCalls)
	}
	clk.advance(retryAfterFailure)
	tick(t, s)
	if f.amlCalls != 3 {
		t.Fatalf("no retry after %s: %d calls", retryAfterFailure, f.amlCalls)
	}
	clk.now = t0.Add(20 * time.Minute) // the old token expires on screen
	view(s)
	if v = view(s); !strings.Contains(v, "EXPIRED") || !strings.Contains(v, "R fetches a new one") {
		t.Fatalf("an expired token must say so and offer the refresh:\n%s", v)
	}
	msg := only[nav.CopyMsg](t, press(t, s, "y"))
	if !strings.Contains(msg.Label, "EXPIRED") {
		t.Fatalf("copying an expired token warns: %q", msg.Label)
	}
	f.amlErr = nil
	f.aml.ExpiresOn, f.aml.RefreshAfter = clk.now.Add(20*time.Minute), clk.now.Add(10*time.Minute)
	press(t, s, "R")
	if v = view(s); strings.Contains(v, "EXPIRED") || strings.Contains(v, "503") {
		t.Fatalf("after a successful refresh:\n%s", v)
	}
}

func TestRemaskedOnBlurAndWhenNotOnTop(t *testing.T) {
	s, _ := open(t, azure.AuthKey, newFake())
	press(t, s, "r")
	if !strings.Contains(view(s), primary) {
		t.Fatal("not revealed")
	}
	s.Update(tea.BlurMsg{})
	if strings.Contains(view(s), primary) {
		t.Fatal("losing focus must re-mask")
	}
	// Another screen pushed on top (the root says so): re-masked at once;
	// drawing or ticking is not what decides it.
	press(t, s, "r")
	tick(t, s)
	if !s.slots[0].secret.Revealed(s.env.Now()) {
		t.Fatal("a tick alone hid the reveal")
	}
	s.Update(nav.CoveredMsg{})
	if s.slots[0].secret.Revealed(s.env.Now()) {
		t.Fatal("a reveal survived another screen on top")
	}
	// Leaving through the screen's own keys re-masks at once.
	for _, k := range []string{"t", "c"} {
		press(t, s, "r")
		msgs := press(t, s, k)
		if len(msgs) != 1 || s.slots[0].secret.Revealed(s.env.Now()) {
			t.Fatalf("%s must leave masked: %#v", k, msgs)
		}
	}
}

func TestTraceFileRefusesReveal(t *testing.T) {
	s, _ := open(t, azure.AuthKey, newFake())
	s.lookupEnv = func(k string) (string, bool) {
		if k == "TEA_TRACE" {
			return "/tmp/frames.log", true
		}
		return "", false
	}
	press(t, s, "r")
	v := ansi.Strip(s.View(120, 30))
	if strings.Contains(v, primary) || !strings.Contains(v, "TEA_TRACE is set (/tmp/frames.log)") || !strings.Contains(v, "y still copies") {
		t.Fatalf("reveal must be refused with the reason:\n%s", v)
	}
	if m := only[nav.CopyMsg](t, press(t, s, "y")); m.Text != primary || !m.Secret {
		t.Fatalf("copy still works: %#v", m)
	}
}

func TestEscWipesTheSecretsAndPops(t *testing.T) {
	f := newFake()
	s, _ := open(t, azure.AuthAMLToken, f)
	press(t, s, "m")
	if !s.HandlesEsc() {
		t.Fatal("esc must come to the screen (it wipes before popping)")
	}
	only[nav.PopMsg](t, press(t, s, "esc"))
	for _, sl := range s.all() {
		if !sl.secret.Empty() || sl.meta.Claims != nil {
			t.Fatalf("%s survived the close", sl.name)
		}
	}
	// A result arriving late must not bring a secret back.
	late := s.load(gAML)
	run(t, s, late)
	if !s.slots[0].secret.Empty() {
		t.Fatal("a closed screen accepted a credential")
	}
}

func TestCopyExportCurlAndEditor(t *testing.T) {
	s, _ := open(t, azure.AuthKey, newFake())
	m := only[nav.CopyMsg](t, press(t, s, "y"))
	if m.Text != primary || !m.Secret || strings.Contains(m.Label, primary) {
		t.Fatalf("y: %#v", m)
	}
	m = only[nav.CopyMsg](t, press(t, s, "e"))
	if m.Text != "export DATA_PLANE_TOKEN='"+primary+"'" || !m.Secret || strings.Contains(m.Label, primary) {
		t.Fatalf("e: %#v", m)
	}
	m = only[nav.CopyMsg](t, press(t, s, "u"))
	if !strings.HasPrefix(m.Text, "curl --request POST https://churn-key.eastus.inference.ml.azure.com/score") ||
		!strings.Contains(m.Text, `"Authorization: Bearer $DATA_PLANE_TOKEN"`) || !strings.Contains(m.Text, `"data"`) || strings.Contains(m.Text, primary) {
		t.Fatalf("u must use the env var, never the value: %q", m.Text)
	}
	press(t, s, "down")
	sc := only[nav.ScoreMsg](t, press(t, s, "t"))
	if sc.Credential != secondary || sc.CredentialKind != azure.CredKey || sc.Endpoint.Endpoint != "churn-key" {
		t.Fatalf("t: %#v", sc)
	}
	// The control-plane token goes to ARM_TOKEN and its curl reads ARM.
	press(t, s, "m")
	m = only[nav.CopyMsg](t, press(t, s, "e"))
	if m.Text != "export ARM_TOKEN='"+armTok+"'" {
		t.Fatalf("management export: %q", m.Text)
	}
	m = only[nav.CopyMsg](t, press(t, s, "u"))
	if !strings.Contains(m.Text, "$ARM_TOKEN") || !strings.Contains(m.Text, "https://management.azure.com/subscriptions/") || strings.Contains(m.Text, "score") {
		t.Fatalf("management curl: %q", m.Text)
	}
	if shQuote("it's") != `'it'\''s'` {
		t.Fatalf("shQuote: %s", shQuote("it's"))
	}
}

func TestEntraClaimsAreChecked(t *testing.T) {
	f := newFake()
	s, clk := open(t, azure.AuthAADToken, f)
	v := view(s)
	for _, w := range []string{"✓ aud  aud is https://ml.azure.com", "✓ oid  oid " + aliceOID + " is the signed-in identity",
		"✓ exp  valid for 1h0m0s more", "✓ tid", "Claims", "upn         alice@contoso.example"} {
		if !strings.Contains(v, w) {
			t.Errorf("missing %q:\n%s", w, v)
		}
	}
	// m shows the control-plane token, checked against its own audience.
	press(t, s, "m")
	v = view(s)
	if !strings.Contains(v, "✓ aud  aud is https://management.azure.com") || !strings.Contains(v, "not a data-plane credential") {
		t.Fatalf("management token view:\n%s", v)
	}
	press(t, s, "m")
	clk.advance(time.Hour)
	if v = view(s); !strings.Contains(v, "✗ exp  expired 0s ago") || !strings.Contains(v, "EXPIRED") {
		t.Fatalf("expired token:\n%s", v)
	}
}

func TestWrongAudienceIsFlagged(t *testing.T) {
	f := newFake()
	f.ml.Claims = claims("https://management.azure.com", "b0b00000-0000-4000-8000-000000000b0b", t0, t0.Add(time.Hour))
	s, _ := open(t, azure.AuthAADToken, f)
	v := view(s)
	if !strings.Contains(v, "✗ aud  aud is https://management.azure.com but https://ml.azure.com is wanted") || !strings.Contains(v, "✗ oid") {
		t.Fatalf("a token for the wrong API or identity must fail its checks:\n%s", v)
	}
}

// A 403 points to the access check, which reads the deny assignments; the
// screen itself names no role (one that includes the action may be blocked).
func TestForbiddenOffersTheCheckNotARole(t *testing.T) {
	f := newFake()
	f.keysErr = &azure.ForbiddenError{Principal: "bob@contoso.example",
		Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action", Scope: endpoint(azure.AuthKey).ID}
	s, _ := open(t, azure.AuthKey, f)
	v := ansi.Strip(s.View(120, 37))
	flat := strings.Join(strings.Fields(v), " ")
	if !strings.Contains(v, "Getting the keys: access denied") || !strings.Contains(flat, "a deny assignment blocks it whatever the role") ||
		!strings.Contains(v, "c opens the access check") || strings.Contains(v, "Roles that include it") {
		t.Fatalf("403:\n%s", v)
	}
	chk := only[nav.CheckAccessMsg](t, press(t, s, "c"))
	if chk.Context.Endpoint != "churn-key" || chk.AuthMode != azure.AuthKey || chk.Run == nil || chk.Run.Operation != "endpoint.listKeys" {
		t.Fatalf("check: %#v (after a 403 it opens already run for the keys)", chk)
	}
	if m := press(t, s, "r"); len(m) != 0 || !strings.Contains(view(s), "Nothing to reveal yet") {
		t.Fatalf("reveal without a value: %#v\n%s", m, view(s))
	}
}

func TestRegenerateConfirmsTracksAndReloads(t *testing.T) {
	f := newFake()
	f.regenOp = &azure.Operation{Kind: "regenerateKeys"}
	s, _ := open(t, azure.AuthKey, f)
	press(t, s, "r")
	conf := only[nav.ConfirmMsg](t, press(t, s, "g"))
	for _, w := range []string{"Switch every caller to the secondary key", "az ml online-endpoint regenerate-keys -n churn-key -g rg-ml-prod -w mlw-churn --key-type primary", `{"keyType":"Primary"}`} {
		if !strings.Contains(conf.Body, w) {
			t.Errorf("confirm body lacks %q:\n%s", w, conf.Body)
		}
	}
	if conf.To != s.ScreenID() {
		t.Fatal("the confirm is not addressed to the screen that asked")
	}
	// The root delivers OnYes to this screen; it starts the LRO and hands it to the root.
	_, cmd := s.Update(conf.OnYes)
	track := only[nav.TrackMsg](t, run(t, s, cmd))
	if track.Op != f.regenOp || !strings.Contains(track.Label, "primary key of churn-key") {
		t.Fatalf("track: %#v", track)
	}
}

func TestRegenerateProgressAndOutcome(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			f := newFake()
			f.regenOp = &azure.Operation{Kind: "regenerateKeys"}
			s, _ := open(t, azure.AuthKey, f)
			_, cmd := s.Update(regenConfirmMsg{which: "Primary"})
			run(t, s, cmd)
			if len(press(t, s, "g")) != 0 || !strings.Contains(view(s), "already running") {
				t.Fatal("a second regeneration must wait for the first")
			}
			_, cmd = s.Update(nav.OperationMsg{Op: f.regenOp, Progress: azure.Progress{State: "InProgress", Elapsed: 3 * time.Second}})
			run(t, s, cmd)
			if v := view(s); !strings.Contains(v, "Regenerating the primary key · InProgress 3s") {
				t.Fatalf("progress:\n%s", v)
			}
			f.keys.Primary = "NEWPRIMARYfakeKey000000000000000000000000="
			done := azure.Progress{State: "Succeeded", Done: true, Elapsed: 5 * time.Second}
			if fail {
				done.State, done.Err = "Failed", &azure.ServiceError{Status: 500, Code: "InternalServerError", Message: "the key store failed"}
			}
			_, cmd = s.Update(nav.OperationMsg{Op: f.regenOp, Progress: done})
			run(t, s, cmd)
			v := ansi.Strip(s.View(120, 37))
			if f.keysCalls != 2 || s.slots[0].secret.Value() != f.keys.Primary || strings.Contains(v, f.keys.Primary) {
				t.Fatalf("after the operation the keys are read again and masked (%d calls):\n%s", f.keysCalls, v)
			}
			if fail && (!strings.Contains(v, "Regenerating the primary key: Azure answered 500") || !strings.Contains(v, "what Azure holds now") ||
				// g regenerates again, named once (R reads the keys, not the regeneration)
				strings.Count(v, " retries") != 1 || !strings.Contains(v, "g retries.") || strings.Contains(v, "g tries again")) {
				t.Fatalf("failure:\n%s", v)
			}
			if !fail && !strings.Contains(v, "✓ The primary key was regenerated") {
				t.Fatalf("success:\n%s", v)
			}
		})
	}
}

func TestModeMismatchFollowsTheEndpointsMode(t *testing.T) {
	f := newFake()
	f.keysErr = &azure.AuthModeMismatchError{Endpoint: "churn-key", Mode: azure.AuthAMLToken, Asked: azure.AuthKey}
	s, _ := open(t, azure.AuthKey, f)
	v := view(s)
	if s.mode != azure.AuthAMLToken || !strings.Contains(v, "auth mode is aml_token now (this screen was opened for key)") ||
		!strings.Contains(v, "AML token") || f.amlCalls != 1 || s.ep.AuthMode != azure.AuthAMLToken {
		t.Fatalf("a mismatch must follow the endpoint's mode and show its credential:\n%s", v)
	}
	if sc := only[nav.ScoreMsg](t, press(t, s, "t")); sc.CredentialKind != azure.CredAMLToken || sc.Endpoint.AuthMode != azure.AuthAMLToken {
		t.Fatalf("the request editor gets the followed mode: %#v", sc)
	}
}

func TestServerStringsAreSanitized(t *testing.T) {
	f := newFake()
	f.ml.Claims = append(f.ml.Claims, azure.Claim{Name: "name\x1b[2J", Value: "Alice\x1b]52;c;ZXZpbA==\x07"})
	clk := &fakeClock{now: t0}
	ep := endpoint(azure.AuthAADToken)
	ep.Endpoint = "churn\x1b[31m-aad"
	s := newScreen(&nav.Env{Styles: theme.New(true, true), Now: clk.Now}, ep)
	s.fake, s.lookupEnv = f, func(string) (string, bool) { return "", false }
	run(t, s, s.load(gML))
	out := s.View(120, 37)
	for _, bad := range []string{"\x1b[2J", "\x1b]52", "\x1b[31m"} {
		if strings.Contains(out, bad) {
			t.Fatalf("%q reached the screen: %q", bad, out)
		}
	}
	if !strings.Contains(ansi.Strip(out), "Credentials · churn-aad") || !strings.Contains(ansi.Strip(out), "Alice") {
		t.Fatalf("escape sequences reached the screen: %q", out)
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	f := newFake()
	s, _ := open(t, azure.AuthKey, f)
	f.keys.Primary = "STALE"
	old := s.load(gKeys)
	f.keys.Primary = primary
	run(t, s, s.load(gKeys)) // a refresh answered first
	f.keys.Primary = "STALE"
	run(t, s, old)
	if s.slots[0].secret.Value() != primary {
		t.Fatal("a stale result replaced the keys")
	}
	if _, cmd := s.Update(tickMsg{id: s.ScreenID() + 1000}); cmd != nil {
		t.Fatal("another screen's tick was taken")
	}
}

func TestNotSignedInSaysSo(t *testing.T) {
	clk := &fakeClock{now: t0}
	s := newScreen(&nav.Env{Styles: theme.New(true, true), Now: clk.Now}, endpoint(azure.AuthKey))
	s.Init()
	if v := view(s); !strings.Contains(v, "not signed in") {
		t.Fatalf("no session:\n%s", v)
	}
}

func TestViewIsExactlySized(t *testing.T) {
	for _, mode := range []string{azure.AuthKey, azure.AuthAMLToken, azure.AuthAADToken} {
		s, _ := open(t, mode, newFake())
		press(t, s, "r")
		for _, sz := range [][2]int{{80, 21}, {120, 37}, {80, 6}} {
			out := s.View(sz[0], sz[1])
			lines := strings.Split(out, "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%s %v: %d lines", mode, sz, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Fatalf("%s %v: line of %d cells: %q", mode, sz, w, l)
				}
			}
		}
	}
}

func TestGoldenCredentials(t *testing.T) {
	for _, mode := range []string{azure.AuthKey, azure.AuthAMLToken, azure.AuthAADToken} {
		for _, sz := range [][2]int{{80, 21}, {120, 37}} { // the content area of 80x24 and 120x40
			t.Run(fmt.Sprintf("%s/%dx%d", mode, sz[0], sz[1]), func(t *testing.T) {
				s, clk := open(t, mode, newFake())
				clk.advance(4*time.Minute + 30*time.Second)
				out := ansi.Strip(s.View(sz[0], sz[1]))
				for _, secret := range []string{primary, secondary, amlTok, mlTok, armTok} {
					if strings.Contains(out, secret) {
						t.Fatal("goldens are masked views only")
					}
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}

func TestTickChainRearmsUntilClosed(t *testing.T) {
	s, _ := open(t, azure.AuthKey, newFake())
	if _, cmd := s.Update(tickMsg{id: s.ScreenID()}); cmd == nil {
		t.Fatal("a tick must re-arm the clock")
	}
	if _, cmd := s.Update(tickMsg{id: s.ScreenID() + 1}); cmd != nil {
		t.Fatal("another screen's tick must not start a second clock here")
	}
	s.Close()
	if _, cmd := s.Update(tickMsg{id: s.ScreenID()}); cmd != nil {
		t.Fatal("a closed screen keeps ticking")
	}
}

// The screen ticks each second of the env's clock (nav.Env.Ticks: a test
// that moves its clock has the ticks fire as it moves), re-armed there too.
func TestTicksComeFromTheEnvClock(t *testing.T) {
	s, clk := open(t, azure.AuthAMLToken, newFake())
	var every []time.Duration
	s.env.Ticks = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		every = append(every, d)
		return func() tea.Msg { return fn(clk.now) }
	}
	msg := s.tick()()
	if m, ok := msg.(tickMsg); !ok || m.id != s.ScreenID() {
		t.Fatalf("the env's tick delivered %#v, want this screen's tick", msg)
	}
	if _, cmd := s.Update(msg); cmd == nil || len(every) != 2 || every[0] != time.Second || every[1] != time.Second {
		t.Fatalf("ticks asked of the env's clock: %v (re-armed: %v)", every, cmd != nil)
	}
}

func TestLongTokenRevealFitsTheScreen(t *testing.T) {
	f := newFake()
	long := "eyJ" + strings.Repeat("A", 1400) + ".x.y"
	f.ml.Value = long
	s, _ := open(t, azure.AuthAADToken, f)
	press(t, s, "r")
	v := ansi.Strip(s.View(80, 21))
	if !strings.Contains(v, "more characters") || !strings.Contains(v, "y copies the whole value") || !strings.Contains(v, "hides in 30s") {
		t.Fatalf("a token longer than the screen must say what is cut:\n%s", v)
	}
	if v = ansi.Strip(s.View(120, 37)); strings.Contains(v, "more characters") {
		t.Fatalf("it fits at 120x37:\n%s", v)
	}
}

// A failed read names R once: nav.Problem says "R retries." when retrying
// may help (a 500), and the line under it names R only when Problem did not
// (a 403, which also offers the access check).
func TestGoldenFailedReadNamesRetryOnce(t *testing.T) {
	for name, err := range map[string]error{
		"retryable": &azure.ServiceError{Status: 500, Code: "InternalServerError", Message: "The server had an internal error."},
		"denied": &azure.ForbiddenError{Principal: "bob@contoso.example",
			Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action", Scope: endpoint(azure.AuthKey).ID},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			f.keysErr = err
			s, _ := open(t, azure.AuthKey, f)
			v := ansi.Strip(s.View(80, 21))
			if n := strings.Count(strings.Join(strings.Fields(v), " "), "R retries"); n != 1 {
				t.Errorf("R retries is said %d times, want once:\n%s", n, v)
			}
			golden.RequireEqual(t, v)
			// The endpoint could not be read again either.
			s.rereadErr = err
			if v := strings.Join(strings.Fields(ansi.Strip(s.View(120, 37))), " "); strings.Count(v, "R retries") != 2 || !strings.Contains(v, "Reading the endpoint") {
				t.Errorf("each failure should name R once:\n%s", v)
			}
		})
	}
}
