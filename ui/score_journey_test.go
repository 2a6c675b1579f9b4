package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// Issue 7's journeys: from an endpoint's details, t opens the request
// editor with the sample body and the credential of the endpoint's auth
// mode; ctrl+s sends it to the simulated Azure and the prediction shows.

func churn(endpoint string) nav.Context {
	return nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn", Endpoint: endpoint}
}

// ctrl sends ctrl+<r> (the driver's key names do not cover ctrl+s).
func (d *driver) ctrl(r rune) {
	d.update(tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl})
	d.pump(0)
}

// press sends a key by code (the driver's names do not cover every key).
func (d *driver) press(code rune) {
	d.update(tea.KeyPressMsg{Code: code})
	d.pump(0)
}

// openScore signs in as persona, lands on the endpoint (start context) and
// opens its request editor.
func openScore(t *testing.T, persona, endpoint string, o emulator.Options, store *state.Store) *driver {
	t.Helper()
	return openScoreWith(t, persona, endpoint, o, store, nil)
}

func openScoreWith(t *testing.T, persona, endpoint string, o emulator.Options, store *state.Store, now func() time.Time) *driver {
	t.Helper()
	srv, env := startEmulator(t, o)
	env.Store = store
	env.Now = now
	d := newDriver(t, Options{Env: env, Start: churn(endpoint)}, srv, 120, 40)
	d.waitFor("Pick a persona")
	d.key("enter")
	d.waitFor("Alice Chen")
	d.key("/")
	d.typeText(persona)
	d.key("enter", "enter")
	d.waitFor("Endpoint "+endpoint, "Scoring URI", "test request")
	d.key("t")
	d.waitFor("POST https://", "Deployment", "Credential", "ln 1/6")
	return d
}

// predictions asks the simulated Azure directly what each deployment
// answers to the sample, to check the screen shows the real prediction.
func predictions(t *testing.T, d *driver, endpoint string, cred string) map[string]string {
	t.Helper()
	sess := d.m.Env().Session
	ep, err := sess.Endpoint(context.Background(), azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction,
		ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	sc := azure.NewScorer(d.m.Env().Config)
	out := map[string]string{}
	for _, dep := range []string{"blue", "green"} {
		resp, err := sc.Score(context.Background(), azure.ScoreRequest{URI: ep.ScoringURI, Body: azure.SampleBody(0), Deployment: dep, Credential: cred})
		if err != nil || resp.Status != 200 {
			t.Fatalf("direct score on %s: %v %d %s", dep, err, resp.Status, resp.Body)
		}
		pretty, _ := azure.PrettyJSON(resp.Body)
		out[dep] = string(pretty)
	}
	return out
}

var answeredBy = regexp.MustCompile(`answered by (blue|green)`)

// sendAndReadPrediction sends the sample and checks the answer is the
// deployment's real prediction.
func sendAndReadPrediction(t *testing.T, d *driver, endpoint, cred string) {
	t.Helper()
	d.ctrl('s')
	s := d.waitFor("200 OK", "answered by", "Timing", "First byte", "Body")
	m := answeredBy.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no deployment named:\n%s", s)
	}
	want := predictions(t, d, endpoint, cred)[m[1]]
	for _, line := range strings.Split(want, "\n") {
		if !strings.Contains(s, line) {
			t.Fatalf("prediction line %q of %s missing:\n%s", line, m[1], s)
		}
	}
}

func TestScoreJourneyKeyAlice(t *testing.T) {
	hermetic(t)
	d := openScore(t, "alice", "churn-key", emulator.Options{}, newStore(t, t.TempDir()))
	d.waitFor("key (primary) ••••••••", "auto for key")
	keys, err := d.m.Env().Session.Keys(context.Background(), azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction,
		ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: "churn-key"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.screen(), keys.Primary) {
		t.Fatal("the key is drawn in clear")
	}
	sendAndReadPrediction(t, d, "churn-key", keys.Primary)
	if strings.Contains(d.screen(), keys.Primary) {
		t.Fatal("the key is drawn in clear")
	}
	// At 80x24 request and response take turns; tab switches.
	d.update(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.waitFor("Request  Response 200", "POST https://")
	d.update(tea.KeyPressMsg{Code: tea.KeyTab}) // the headers
	d.update(tea.KeyPressMsg{Code: tea.KeyTab}) // the response
	d.waitFor("Request  Response 200", "answered by", "First byte")
}

var churnRef = func(endpoint string) azure.EndpointRef {
	return azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: endpoint}
}

func TestScoreJourneyAMLTokenAlice(t *testing.T) {
	hermetic(t)
	d := openScore(t, "alice", "churn-aml", emulator.Options{}, nil)
	d.waitFor("AML token ••••••••", "expires", "auto for aml_token")
	tok, err := d.m.Env().Session.AMLToken(context.Background(), churnRef("churn-aml"))
	if err != nil {
		t.Fatal(err)
	}
	sendAndReadPrediction(t, d, "churn-aml", tok.Value)
}

func TestScoreJourneyEntraTokenAlice(t *testing.T) {
	hermetic(t)
	d := openScore(t, "alice", "churn-aad", emulator.Options{}, nil)
	d.waitFor("Entra token for ML ••••••••", "aud https://ml.azure.com", "auto for aad_token")
	tok, err := d.m.Env().Session.EntraToken(context.Background(), d.m.Env().Config.MLAudience)
	if err != nil {
		t.Fatal(err)
	}
	sendAndReadPrediction(t, d, "churn-aad", tok.Value)
}

// The classic mistake, on purpose: a management token sent to the data
// plane is refused, and the diagnosis says why from the token's own claims.
func TestScoreJourneyManagementTokenIs401(t *testing.T) {
	hermetic(t)
	d := openScore(t, "alice", "churn-aad", emulator.Options{}, nil)
	d.waitFor("Entra token for ML ••••••••")
	d.key("a")
	d.waitFor("Send which credential?", "management token")
	d.key("5")
	d.waitFor("management token ••••••••", "aud https://management.azure.com")
	d.ctrl('s')
	d.waitFor("401 Unauthorized", "401: a management token was sent", "decoded claims", "aud   https://management.azure.com", "www-authenticate")
}

// Bob reads everything but may not score: the 403 is explained, and the
// access check for the endpoint is one key away.
func TestScoreJourneyForbiddenOpensTheAccessCheck(t *testing.T) {
	hermetic(t)
	d := openScore(t, "bob", "churn-aad", emulator.Options{}, nil)
	d.waitFor("Entra token for ML ••••••••")
	d.ctrl('s')
	d.waitFor("403 Forbidden", "403 Forbidden: no permission to score", "opens the access check")
	d.key("c") // the check, already run for bob at the endpoint, on scoring
	d.waitFor("Check access", "4 Verdict", "Score with an Entra token (aad_token)  Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action")
	if st := d.m.Stack(); st[len(st)-2] != "Test request" {
		t.Fatalf("the check did not open over the request editor: %v", st)
	}
	// Bob cannot get the keys of churn-key either: said before sending.
	d2 := openScore(t, "bob", "churn-key", emulator.Options{}, nil)
	d2.waitFor("key (primary) ✗ Access denied")
	d2.ctrl('s')
	d2.waitFor("Not sent: no key (primary): access denied")
}

// An AML token that expires while the request is edited is fetched again
// before sending (the simulated Azure would refuse the old one).
func TestScoreJourneyExpiredTokenIsRefreshedBeforeSending(t *testing.T) {
	hermetic(t)
	c := &clock{t: time.Now()}
	d := openScoreWith(t, "alice", "churn-aml", emulator.Options{Now: c.Now, AMLTokenLifetime: 10 * time.Minute}, nil, c.Now)
	d.waitFor("AML token ••••••••", "expires")
	c.add(15 * time.Minute)
	d.waitFor("expired: refreshed on send")
	d.ctrl('s')
	d.waitFor("200 OK", "answered by")
	if s := d.screen(); strings.Contains(s, "expired") {
		t.Fatalf("the token was not replaced:\n%s", s)
	}
}

// History is per endpoint, in the state files: it survives a restart,
// with the last body, and an entry can be sent again.
func TestScoreJourneyHistorySurvivesRestart(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	id := churnRef("churn-key").ID()
	d := openScore(t, "alice", "churn-key", emulator.Options{}, newStore(t, dir))
	d.waitFor("key (primary) ••••••••")
	d.key("enter") // edit: the first row starts with 5, not 1
	d.press(tea.KeyDown)
	d.press(tea.KeyDown)
	for i := 0; i < 5; i++ {
		d.press(tea.KeyRight)
	}
	d.press(tea.KeyDelete)
	d.typeText("5")
	d.waitFor("[5, 2, 3, 4")
	d.key("esc")
	d.ctrl('s')
	d.waitFor("200 OK", "answered by")
	store := newStore(t, dir)
	waitStored(t, store, id, 1)
	// The body is saved by its own background write: wait for it too, since
	// quitting (Close) refuses the writes that have not started yet.
	for deadline := time.Now().Add(20 * time.Second); ; d.pump(20 * time.Millisecond) {
		if data, _ := store.Load(); strings.Contains(func() string { b, _ := data.Body(id); return b }(), "[5, 2, 3") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the edited body was never saved")
		}
	}
	d.m.Close()

	d2 := openScore(t, "alice", "churn-key", emulator.Options{}, newStore(t, dir))
	d2.waitFor("[5, 2, 3, 4", "key (primary) ••••••••")
	d2.key("h")
	d2.waitFor("History of churn-key (1, newest first)", "200", "traffic · key")
	d2.key("enter")
	d2.waitFor("200 OK", "answered by")
	h := waitStored(t, store, id, 2)
	if !strings.Contains(h[0].RequestBody, "[5, 2, 3") || h[0].CredentialKind != azure.CredKey || h[0].Status != 200 {
		t.Fatalf("re-sent entry %+v", h[0])
	}
}

// waitStored waits until the endpoint's history on disk has n entries.
func waitStored(t *testing.T, s *state.Store, id string, n int) []state.HistoryEntry {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, _ := s.Load()
		if h := d.HistoryOf(id); len(h) >= n {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("history never reached %d entries", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// One request per auth mode through a real tea.Program (teatest): sign in
// by device code, open the endpoint, t for the request editor, ctrl+s, read
// the answer. The credential is the one the auth mode needs, picked by itself.
func TestTeatestScoreSendsOneRequest(t *testing.T) {
	for _, ep := range []string{"churn-key", "churn-aml", "churn-aad"} {
		t.Run(ep, func(t *testing.T) {
			hermetic(t)
			_, env := startEmulator(t, emulator.Options{AutoApprove: "alice", AutoApproveAfter: 1})
			tm := teatest.NewTestModel(t, New(Options{Env: env, Start: churn(ep)}), teatest.WithInitialTermSize(120, 40),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
			wait := teaWaiter(t, tm)
			wait("Sign in to Azure")
			tm.Type("/short code")
			tm.Send(keyMsg("enter"))
			tm.Send(keyMsg("enter"))
			wait("Calling it", "test request")
			tm.Send(keyMsg("t"))
			// The credential arrives with the first frame or soon after; redraws
			// are partial, so the masked value is looked for on its own.
			wait("/inference/eastus/"+ep+"/score", "valid JSON", "••••••••")
			tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
			wait("200 OK", "answered by")
			tm.Send(keyMsg("q"))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
			if st := final.Stack(); st[len(st)-1] != "Test request" {
				t.Fatalf("stack %v", st)
			}
		})
	}
}
