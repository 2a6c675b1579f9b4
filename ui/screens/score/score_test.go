package score

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	time.Local = time.UTC // golden times do not depend on the machine's zone
	os.Exit(m.Run())
}

func env() *nav.Env {
	return &nav.Env{Styles: theme.New(true, false), Now: func() time.Time { return now }}
}

var ref = azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: "sub-1", ResourceGroup: "rg-ml", Name: "mlw-churn"}, Endpoint: "churn-key"}

func endpoint(mode, uri string) azure.Endpoint {
	return azure.Endpoint{EndpointRef: ref, ID: ref.ID(), AuthMode: mode, ScoringURI: uri,
		Traffic: map[string]int32{"blue": 90, "green": 10}}
}

// deploys is an Azure that knows only an endpoint's deployments.
type deploys []azure.Deployment

func (d deploys) Config() azure.Config { return azure.Config{} }
func (d deploys) Deployments(context.Context, azure.EndpointRef) ([]azure.Deployment, error) {
	return d, nil
}
func (d deploys) Keys(context.Context, azure.EndpointRef) (azure.EndpointKeys, error) {
	return azure.EndpointKeys{}, azure.ErrNotSignedIn
}
func (d deploys) AMLToken(context.Context, azure.EndpointRef) (azure.Credential, error) {
	return azure.Credential{}, azure.ErrNotSignedIn
}
func (d deploys) EntraToken(context.Context, string) (azure.Credential, error) {
	return azure.Credential{}, azure.ErrNotSignedIn
}

// withDeployments answers the screen's deployments request through Update.
func withDeployments(s *Screen, ds ...azure.Deployment) {
	s.az = deploys(ds)
	run(s, s.loadDeployments())
}

func newScreen(t testing.TB, e *nav.Env, ep azure.Endpoint, msg ...nav.ScoreMsg) *Screen {
	t.Helper()
	m := nav.ScoreMsg{Endpoint: ep}
	if len(msg) > 0 {
		m = msg[0]
		m.Endpoint = ep
	}
	s := New(e, m).(*Screen)
	s.Update(nav.SizeMsg{Width: 120, Height: 37}) // the root's, as the screen arrives
	return s
}

func keyOf(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

// run executes cmd like the root would, synchronously: the screen's own
// results go back to it, navigation and notices are returned. Spinner
// ticks are dropped (they re-arm forever).
func run(s *Screen, cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case nil, spinner.TickMsg:
	case tea.BatchMsg:
		for _, c := range m {
			out = append(out, run(s, c)...)
		}
	case nav.ToastMsg, nav.CopyMsg, nav.CheckAccessMsg, nav.ErrorMsg:
		out = append(out, m)
	default:
		_, next := s.Update(m)
		out = append(out, run(s, next)...)
	}
	return out
}

func press(s *Screen, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		_, cmd := s.Update(keyOf(k))
		out = append(out, run(s, cmd)...)
	}
	return out
}

func typeText(s *Screen, text string) {
	for _, r := range text {
		_, cmd := s.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		run(s, cmd)
	}
}

// view draws s at w x h, given that size first as the root would.
func view(s *Screen, w, h int) string {
	s.Update(nav.SizeMsg{Width: w, Height: h})
	return ansi.Strip(s.View(w, h))
}

// response is the response pane alone, wide, its words joined by single spaces.
func response(s *Screen) string {
	v, _ := s.responseView(100, 80, true)
	return strings.Join(strings.Fields(ansi.Strip(v)), " ")
}

func toasts(msgs []tea.Msg) string {
	var b strings.Builder
	for _, m := range msgs {
		if t, ok := m.(nav.ToastMsg); ok {
			b.WriteString(t.Text + "\n")
		}
	}
	return b.String()
}

// fakeEndpoint is a scoring endpoint on loopback http (the scorer allows
// plain http there): it records what it got and answers with handler.
type fakeEndpoint struct {
	*httptest.Server
	calls   atomic.Int32
	lastAut atomic.Value
}

func newFake(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeEndpoint {
	f := &fakeEndpoint{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		f.lastAut.Store(r.Header.Get("Authorization"))
		b, _ := io.ReadAll(r.Body)
		handler(w, r, b)
	}))
	t.Cleanup(f.Close)
	return f
}

func predict(w http.ResponseWriter, r *http.Request, _ []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req-0001")
	dep := r.Header.Get("azureml-model-deployment")
	if dep == "" {
		dep = "blue"
	}
	w.Header().Set("azureml-model-deployment", dep)
	fmt.Fprint(w, `[0.25, 0.75]`)
}

func TestNewSeedsSampleAndPicksTheAuthModesCredential(t *testing.T) {
	for mode, want := range map[string]string{azure.AuthKey: "key (primary)", azure.AuthAMLToken: "AML token", azure.AuthAADToken: "Entra token for ML"} {
		s := newScreen(t, env(), endpoint(mode, "https://x.example/score"))
		if s.cred.choice.label() != want || !s.cred.auto {
			t.Errorf("%s: credential %q (auto %v), want %q", mode, s.cred.choice.label(), s.cred.auto, want)
		}
		var v struct{ Data [][]float64 }
		if err := json.Unmarshal([]byte(s.editor.Value()), &v); err != nil || len(v.Data) != 2 || len(v.Data[0]) != 10 || v.Data[1][0] != 10 {
			t.Errorf("%s: sample body %q (%v)", mode, s.editor.Value(), err)
		}
	}
	// Without a session, Init's fetch says so instead of hanging.
	s := newScreen(t, env(), endpoint(azure.AuthKey, "https://x.example/score"))
	run(s, s.Init())
	if s.cred.loading || !errors.Is(s.cred.err, azure.ErrNotSignedIn) {
		t.Fatalf("credential without a session: loading %v err %v", s.cred.loading, s.cred.err)
	}
	if v := view(s, 120, 37); !strings.Contains(v, "key (primary) ✗ Not signed in") {
		t.Fatalf("credential line:\n%s", v)
	}
}

func TestPreselectedCredentialIsUsedAndMasked(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "s3cr3t-key-value-0123456789"})
	run(s, s.Init())
	if s.cred.value != "s3cr3t-key-value-0123456789" || s.cred.loading || s.cred.err != nil {
		t.Fatalf("Init replaced the preselected credential: %+v", s.cred.err)
	}
	if v := view(s, 120, 37); strings.Contains(v, "s3cr3t") || !strings.Contains(v, "key •••••••• · from the credentials screen") {
		t.Fatalf("credential line:\n%s", v)
	}
	msgs := press(s, "ctrl+s")
	if got := f.lastAut.Load(); got != "Bearer s3cr3t-key-value-0123456789" {
		t.Fatalf("sent Authorization %q", got)
	}
	if s.res == nil || s.res.resp == nil || s.res.resp.Status != 200 || toasts(msgs) != "" {
		t.Fatalf("result %+v, toasts %q", s.res, toasts(msgs))
	}
	v := response(s)
	for _, want := range []string{"200 OK", "answered by blue", "id req-0001", "0.25", "0.75", "Timing", "First byte", "x-request-id: req-0001"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if s.res.req.Credential != "" {
		t.Fatal("the result keeps the credential")
	}
}

func TestRestoresLastBodyAndHistoryFromState(t *testing.T) {
	store, _, err := state.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveBody(ref.ID(), `{"data": [[5]]}`); err != nil {
		t.Fatal(err)
	}
	if err := store.AppendHistory(ref.ID(), state.HistoryEntry{At: now, Status: 200, RequestBody: `{"data": [[5]]}`}); err != nil {
		t.Fatal(err)
	}
	e := env()
	e.Store = store
	s := newScreen(t, e, endpoint(azure.AuthKey, "https://x.example/score"))
	if s.editor.Value() != `{"data": [[5]]}` || len(s.hist) != 1 {
		t.Fatalf("restored body %q, history %d", s.editor.Value(), len(s.hist))
	}
}

func TestInvalidJSONIsNotSentAndTheCursorGoesToTheError(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	s.editor.SetValue("{\n  \"data\": [[1, 2,]]\n}")
	msgs := press(s, "ctrl+s")
	if f.calls.Load() != 0 {
		t.Fatal("invalid JSON was sent")
	}
	if !strings.Contains(toasts(msgs), "Not sent: the body is not valid JSON: line 2, column 18") {
		t.Fatalf("toasts: %q", toasts(msgs))
	}
	if l, c := s.editor.Cursor(); l != 2 || c != 18 || !s.Typing() {
		t.Fatalf("cursor %d:%d typing %v; want 2:18 in the editor", l, c, s.Typing())
	}
	if v := response(s); !strings.Contains(v, "Not sent: the body is not valid JSON: line 2, column 18") {
		t.Fatalf("notice missing:\n%s", v)
	}
}

func TestBodyOverTheLimitIsNotSent(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	s.editor.SetValue(`"` + strings.Repeat("x", azure.MaxRequestBody) + `"`)
	msgs := press(s, "ctrl+s")
	if f.calls.Load() != 0 || !strings.Contains(toasts(msgs), "Not sent: the body is 5242882 bytes (5.0 MB); at most 5242880 bytes are sent") {
		t.Fatalf("calls %d, toasts %q", f.calls.Load(), toasts(msgs))
	}
	if !strings.Contains(view(s, 120, 37), "Read-only: line 1 is 5.0 MB long") {
		t.Fatalf("a 5 MB line is not editable here:\n%s", view(s, 120, 37))
	}
}

func TestTypingKeysGoToTheEditorAndEscStops(t *testing.T) {
	s := newScreen(t, env(), endpoint(azure.AuthKey, "https://x.example/score"))
	if s.Typing() || s.HandlesEsc() {
		t.Fatal("the screen opens in navigation mode")
	}
	press(s, "enter")
	if !s.Typing() || !s.HandlesEsc() {
		t.Fatal("enter edits the body")
	}
	typeText(s, "qd")
	if !strings.HasPrefix(s.editor.Value(), "qd{") || s.modal != modalNone {
		t.Fatalf("q and d went elsewhere: %q, modal %d", s.editor.Value()[:5], s.modal)
	}
	press(s, "tab")
	if !s.Typing() || s.focus != paneHeaders {
		t.Fatal("tab moves to the headers, still typing")
	}
	typeText(s, "x-a: 1")
	press(s, "tab")
	if s.Typing() || s.focus != paneResponse {
		t.Fatal("tab moves to the response: not typing")
	}
	press(s, "tab")
	press(s, "esc")
	if s.Typing() || s.HandlesEsc() {
		t.Fatal("esc stops typing, and then leaves esc to the root (back)")
	}
	if v := view(s, 120, 37); !strings.Contains(v, "Headers    1 extra: x-a") {
		t.Fatalf("header summary:\n%s", v)
	}
	// A paste with a line too long to edit here makes the body read-only
	// and gives the keyboard back.
	press(s, "enter")
	s.Update(tea.PasteMsg{Content: `"` + strings.Repeat("x", 5000) + `"`})
	if !s.editor.ReadOnly() || s.Typing() {
		t.Fatalf("read-only %v, typing %v", s.editor.ReadOnly(), s.Typing())
	}
	if v := view(s, 120, 37); !strings.Contains(v, "Read-only: line 1 is 4.9 KB long") || !strings.Contains(v, "e opens it in $EDITOR") {
		t.Fatalf("read-only body:\n%s", v)
	}
}

func TestParseHeaders(t *testing.T) {
	good, err := parseHeaders("x-a: 1\n\n# note\n X-B :two words ")
	if err != nil || good["x-a"] != "1" || good["X-B"] != "two words" || len(good) != 2 {
		t.Fatalf("parsed %v, %v", good, err)
	}
	for in, want := range map[string]string{
		"no colon":                    `header line 1: "no colon" is not "Name: value"`,
		"x: 1\n: v":                   "header line 2 has no name",
		"Authorization: Bearer x":     "Authorization is set from the credential",
		"azureml-model-deployment: b": "choose the deployment with d",
		"x: 1\nX: 2":                  "header line 2: X is already set on line 1",
	} {
		if _, err := parseHeaders(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseHeaders(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestHeaderErrorsBlockSending(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	s.headers.SetValue("Authorization: Bearer other")
	msgs := press(s, "ctrl+s")
	if f.calls.Load() != 0 || !strings.Contains(toasts(msgs), "Authorization is set from the credential") {
		t.Fatalf("calls %d, toasts %q", f.calls.Load(), toasts(msgs))
	}
}

func TestExpiredTokenIsRefreshedBeforeSending(t *testing.T) {
	c := credential{choice: choice{kind: azure.CredAMLToken}, value: "t", expires: now.Add(time.Hour)}
	cases := []struct {
		c    credential
		want bool
	}{
		{c, false},
		{credential{choice: c.choice, value: "t", expires: now.Add(time.Minute)}, true}, // within refreshAhead
		{credential{choice: c.choice, value: "t", expires: now.Add(-time.Minute)}, true},
		{credential{choice: c.choice, value: "t", expires: now.Add(time.Hour), refresh: now.Add(-time.Second)}, true},
		{credential{choice: c.choice}, true}, // fetching it failed earlier: try again
		{credential{choice: choice{kind: azure.CredKey}, value: "k"}, false},
		{credential{choice: choice{kind: azure.CredNone}}, false},
	}
	for i, tc := range cases {
		if got := tc.c.needsRefresh(now); got != tc.want {
			t.Errorf("case %d: needsRefresh %v, want %v", i, got, tc.want)
		}
	}
	// An expired token is fetched again first; here that fails (no
	// session), so nothing is sent and the screen says why.
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthAMLToken, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredAMLToken, Credential: "old-token"})
	s.cred.expires = now.Add(-time.Minute)
	if !strings.Contains(view(s, 120, 37), "expired: refreshed on send") {
		t.Fatalf("expired token not flagged:\n%s", view(s, 120, 37))
	}
	msgs := press(s, "ctrl+s")
	if f.calls.Load() != 0 {
		t.Fatal("sent with an expired token")
	}
	if !strings.Contains(toasts(msgs), "Not sent: the AML token could not be refreshed: not signed in") {
		t.Fatalf("toasts %q", toasts(msgs))
	}
}

func TestFailuresAreDiagnosed(t *testing.T) {
	var status atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("x-request-id", "req-9")
		switch st := int(status.Load()); st {
		case 424:
			w.Header().Set("ms-azureml-model-error-statuscode", "500")
			w.Header().Set("ms-azureml-model-error-reason", "model_error")
			w.WriteHeader(st)
		case 429:
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(st)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(st)
			fmt.Fprintf(w, `{"error":{"code":"X","message":"the server says \u001b[31mno\u001b[0m"}}`)
		}
	})
	mgmt := "eyJhbGciOiJub25lIn0." + b64(`{"aud":"https://management.azure.com","upn":"alice@contoso.example","exp":1900000000}`) + ".sig"
	cases := []struct {
		status int
		kind   string
		cred   string
		want   []string
	}{
		{401, azure.CredManagement, mgmt, []string{"401: a management token was sent", "The token that was sent (decoded claims)", "aud   https://management.azure.com", "upn   alice@contoso.example", "Sent with management"}},
		{403, azure.CredEntraML, "", []string{"403 Forbidden: no permission to score", "c opens the access check"}},
		{404, azure.CredKey, "k", []string{"404"}},
		{424, azure.CredKey, "k", []string{"424: the model failed", "ms-azureml-model-error-statuscode: 500", "ms-azureml-model-error-reason: model_error"}},
		{429, azure.CredKey, "k", []string{"429: too many requests", "retry-after: 3", "after 3 s"}},
		{503, azure.CredKey, "k", []string{"503", "x-request-id: req-9"}},
	}
	for _, tc := range cases {
		status.Store(int32(tc.status))
		s := newScreen(t, env(), endpoint(azure.AuthAADToken, f.URL+"/score"), nav.ScoreMsg{CredentialKind: tc.kind, Credential: tc.cred})
		if tc.cred == "" {
			s.cred = credential{choice: choice{kind: tc.kind}, value: "eyJx.eyJ5.z", expires: now.Add(time.Hour)}
		}
		press(s, "ctrl+s")
		v := response(s)
		for _, want := range tc.want {
			if !strings.Contains(v, strings.Join(strings.Fields(want), " ")) {
				t.Errorf("%d: missing %q in:\n%s", tc.status, want, v)
			}
		}
		if raw, _ := s.responseView(100, 80, true); strings.Contains(raw, "\x1b[31mno") {
			t.Errorf("%d: an escape sequence from the server reached the screen", tc.status)
		}
		if tc.status == 403 {
			msgs := press(s, "c")
			if len(msgs) != 1 {
				t.Fatalf("c sent %v", msgs)
			}
			m := msgs[0].(nav.CheckAccessMsg)
			if m.AuthMode != azure.AuthAADToken || m.Context.Endpoint != "churn-key" || m.Context.Workspace != "mlw-churn" || m.Context.ResourceGroup != "rg-ml" ||
				m.Run == nil || m.Run.Operation != "endpoint.score" {
				t.Fatalf("check access message %+v", m)
			}
		}
	}
}

func b64(s string) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out strings.Builder
	b := []byte(s)
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := min(3, len(b)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(b[i+j])
			}
		}
		for j := 0; j < k+1; j++ {
			out.WriteByte(enc[(n>>(18-6*j))&63])
		}
	}
	return out.String()
}

func TestTransportErrorsAreExplainedAndKept(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close() // dropped connection
	})
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	press(s, "ctrl+s")
	v := view(s, 120, 37)
	if !strings.Contains(v, "✗ no answer") || !strings.Contains(v, "Connection dropped") {
		t.Fatalf("transport error:\n%s", v)
	}
	if len(s.hist) != 1 || !strings.Contains(s.hist[0].Error, "Connection dropped") || s.hist[0].RequestBody == "" {
		t.Fatalf("history %+v", s.hist)
	}
	// Not https and not loopback: refused before anything leaves.
	s = newScreen(t, env(), endpoint(azure.AuthKey, "http://scoring.example/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	press(s, "ctrl+s")
	if v := view(s, 120, 37); !strings.Contains(v, "Scoring URI refused") || !strings.Contains(v, "plain http") {
		t.Fatalf("http URI:\n%s", v)
	}
}

// The credential never reaches the history, even when the endpoint echoes it.
func TestHistoryNeverHoldsTheCredential(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"you sent": %q}`, r.Header.Get("Authorization"))
	})
	dir := t.TempDir()
	store, _, _ := state.Open(dir)
	e := env()
	e.Store = store
	const secret = "Zk9wX2tleV92YWx1ZV9mb3JfdGVzdHM"
	s := newScreen(t, e, endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: secret})
	s.editor.SetValue(`{"note": "` + secret + `"}`)
	press(s, "ctrl+s")
	raw, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Fatalf("the key reached the state file:\n%s", raw)
	}
	if len(s.hist) != 1 || s.hist[0].Status != 200 || s.hist[0].CredentialKind != azure.CredKey || !strings.Contains(s.hist[0].ResponseBody, "[REDACTED]") {
		t.Fatalf("history %+v", s.hist)
	}
}

func TestResponseBodiesAreShownSafely(t *testing.T) {
	st := theme.New(true, false)
	cases := []struct {
		name      string
		body      []byte
		ct        string
		truncated bool
		want      []string
		not       []string
	}{
		{"json", []byte(`{"a":[1,2]}`), "application/json", false, []string{"{\n  \"a\": [\n    1,"}, nil},
		{"html", []byte("<h1>Bad \x1b]52;c;ZXZpbA==\x07gateway</h1>"), "text/html", false, []string{"Not JSON (text/html):", "<h1>Bad gateway</h1>"}, []string{"\x1b]52", "\x07"}},
		{"binary", append([]byte{0x89, 'P', 'N', 'G', 0, 1, 2}, make([]byte, 40)...), "image/png", false,
			[]string{"Binary body (image/png, 47 B)", "0000  89 50 4e 47 00 01 02", ".PNG..."}, nil},
		{"truncated", []byte(`[1, 2, 3`), "application/json", true, []string{"Showing the first 8 B of 2.0 MB."}, []string{"Not valid JSON"}},
		{"empty", nil, "", false, []string{"(empty body)"}, nil},
	}
	for _, tc := range cases {
		raw := bodyText(st, tc.body, tc.ct, tc.truncated, map[bool]int64{true: 2 << 20, false: int64(len(tc.body))}[tc.truncated], 80)
		got := ansi.Strip(raw)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in:\n%s", tc.name, w, got)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(raw, n) {
				t.Errorf("%s: %q must not be drawn:\n%q", tc.name, n, raw)
			}
		}
	}
}

func TestTargetAndCredentialPickers(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	withDeployments(s, azure.Deployment{Name: "blue", TrafficPercent: 90}, azure.Deployment{Name: "green", TrafficPercent: 10}, azure.Deployment{Name: "shadow"})
	press(s, "d")
	v := view(s, 120, 37)
	for _, want := range []string{"Send to which deployment?", "let traffic decide  blue 90% · green 10%", "green  10% of traffic", "shadow  0% of traffic: reachable only by naming it"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	press(s, "down", "down", "down", "enter")
	if s.target != "shadow" || s.modal != modalNone {
		t.Fatalf("target %q modal %d", s.target, s.modal)
	}
	press(s, "ctrl+s")
	if s.res.resp.Deployment != "shadow" || !strings.Contains(view(s, 120, 37), "Deployment shadow (0% of traffic) · azureml-model-deployment") {
		t.Fatalf("targeted send answered by %q:\n%s", s.res.resp.Deployment, view(s, 120, 37))
	}
	// The credential picker offers the experiments; choosing one fetches it.
	press(s, "a")
	v = view(s, 120, 37)
	for _, want := range []string{"key (primary) (auto)", "management token", "expect 401", "none"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	press(s, "6") // none
	if s.cred.choice.kind != azure.CredNone || s.cred.loading {
		t.Fatalf("credential %+v", s.cred.choice)
	}
	press(s, "ctrl+s")
	if got := f.lastAut.Load(); got != "" {
		t.Fatalf("none sent Authorization %q", got)
	}
	if !strings.Contains(view(s, 120, 37), "none no Authorization header · experiment: expect 401") {
		t.Fatalf("credential line:\n%s", view(s, 120, 37))
	}
}

func TestLoadBodyFromFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "body.json")
	_ = os.WriteFile(good, []byte(`{"data": [[3]]}`), 0o600)
	bin := filepath.Join(dir, "image.bin")
	_ = os.WriteFile(bin, []byte{0xff, 0xfe, 0}, 0o600)
	big := filepath.Join(dir, "big.json")
	fh, _ := os.Create(big)
	_ = fh.Truncate(azure.MaxRequestBody + 1)
	fh.Close()
	cases := map[string]string{
		good:                       "Loaded body.json (15 B)",
		filepath.Join(dir, "nope"): "does not exist",
		dir:                        "is a directory",
		bin:                        "is not UTF-8 text",
		big:                        "is 5.0 MB; a request body is at most 5.0 MB",
	}
	for path, want := range cases {
		s := newScreen(t, env(), endpoint(azure.AuthKey, "https://x.example/score"))
		before := s.editor.Value()
		press(s, "o")
		if !s.Typing() {
			t.Fatal("the file prompt takes typing")
		}
		typeText(s, path)
		msgs := press(s, "enter")
		if got := toasts(msgs); !strings.Contains(got, want) {
			t.Errorf("%s: toasts %q, want %q", filepath.Base(path), got, want)
		}
		if path == good && s.editor.Value() != `{"data": [[3]]}` {
			t.Errorf("body not loaded: %q", s.editor.Value())
		}
		if path != good && s.editor.Value() != before {
			t.Errorf("%s: a failed load changed the body", filepath.Base(path))
		}
	}
}

func TestEditorCommandNeverCarriesSecrets(t *testing.T) {
	bin := t.TempDir()
	ed := filepath.Join(bin, "myeditor")
	_ = os.WriteFile(ed, []byte("#!/bin/sh\n"), 0o700)
	environ := []string{"PATH=" + bin, "EDITOR=myeditor --wait", "AZURE_CLIENT_SECRET=hush", "HOME=/home/x", "TEA_TRACE=/tmp/frames"}
	t.Setenv("PATH", bin)
	cmd, err := editorCommand(environ, "/tmp/body.json")
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Path != ed || strings.Join(cmd.Args[1:], " ") != "--wait /tmp/body.json" {
		t.Fatalf("command %s %v", cmd.Path, cmd.Args)
	}
	for _, kv := range cmd.Env {
		if strings.HasPrefix(kv, "AZURE_CLIENT_SECRET=") || strings.HasPrefix(kv, "TEA_TRACE=") {
			t.Fatalf("the editor inherits %s", kv)
		}
	}
	if len(cmd.Env) != 3 {
		t.Fatalf("env %v", cmd.Env)
	}
	if _, err := editorCommand([]string{"EDITOR=no-such-editor-here"}, "/tmp/x"); err == nil || !strings.Contains(err.Error(), `editor "no-such-editor-here" not found: set $EDITOR`) {
		t.Fatalf("missing editor: %v", err)
	}
}

// The $EDITOR round trip without a terminal: the body goes to a private
// file, comes back as the body, and the file is removed.
func TestEditorRoundTripReadsTheFileBack(t *testing.T) {
	s := newScreen(t, env(), endpoint(azure.AuthKey, "https://x.example/score"))
	_, cmd := s.Update(keyOf("e"))
	ready := cmd().(editorReadyMsg)
	if ready.err != nil {
		t.Fatal(ready.err)
	}
	fi, err := os.Stat(ready.path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("temp file %v %v", fi, err)
	}
	if b, _ := os.ReadFile(ready.path); string(b) != s.editor.Value() {
		t.Fatal("the temp file does not hold the body")
	}
	_ = os.WriteFile(ready.path, []byte(`{"edited": true}`), 0o600) // what the user did in the editor
	msgs := run(s, nav.Cmd(editorDoneMsg{path: ready.path, before: ready.before}))
	if s.editor.Value() != `{"edited": true}` || !strings.Contains(toasts(msgs), "Loaded $EDITOR") {
		t.Fatalf("body %q, toasts %q", s.editor.Value(), toasts(msgs))
	}
	if _, err := os.Stat(ready.path); !os.IsNotExist(err) {
		t.Fatal("the temp file was left behind")
	}
	// An editor that failed leaves the body alone.
	_, cmd = s.Update(keyOf("e"))
	ready = cmd().(editorReadyMsg)
	msgs = run(s, nav.Cmd(editorDoneMsg{path: ready.path, before: ready.before, err: errors.New("exit status 1")}))
	if s.editor.Value() != `{"edited": true}` || !strings.Contains(toasts(msgs), "the editor failed (exit status 1); the body is unchanged") {
		t.Fatalf("body %q, toasts %q", s.editor.Value(), toasts(msgs))
	}
}

func TestExportsNeverHoldTheCredential(t *testing.T) {
	const secret = "very-secret-key-0123456789"
	s := newScreen(t, env(), endpoint(azure.AuthKey, "https://churn-key.eastus.inference.ml.azure.com/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: secret})
	s.target = "green"
	for i, want := range []string{"curl --request POST", "import urllib.request"} {
		msgs := press(s, "x", fmt.Sprint(i+1))
		c, ok := msgs[0].(nav.CopyMsg)
		if !ok || !strings.Contains(c.Text, want) || strings.Contains(c.Text, secret) || !strings.Contains(c.Text, "azureml-model-deployment") ||
			!strings.Contains(c.Text, azure.TokenEnvVar) || c.Secret {
			t.Fatalf("export %d: %+v", i, msgs)
		}
	}
	// az reads the body from a request file this screen writes.
	dir := t.TempDir()
	press(s, "x", "3")
	if s.modal != promptAzFile {
		t.Fatal("az asks where to write the request file")
	}
	s.input.SetValue(filepath.Join(dir, "req.json"))
	msgs := press(s, "enter")
	c, ok := msgs[0].(nav.CopyMsg)
	if !ok || !strings.Contains(c.Text, "az ml online-endpoint invoke --name churn-key --request-file "+filepath.Join(dir, "req.json")) ||
		!strings.Contains(c.Text, "--deployment-name green") || strings.Contains(c.Text, secret) {
		t.Fatalf("az export: %+v", msgs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "req.json")); string(b) != s.editor.Value() {
		t.Fatalf("request file holds %q", b)
	}
	// Again to the same file: it is ours, so it is replaced; a file we did
	// not write is not.
	press(s, "x", "3")
	s.input.SetValue(filepath.Join(dir, "req.json"))
	if msgs := press(s, "enter"); len(msgs) != 1 || toasts(msgs) != "" {
		t.Fatalf("rewrite of our own file: %v", msgs)
	}
	_ = os.WriteFile(filepath.Join(dir, "theirs.json"), []byte("keep"), 0o600)
	press(s, "x", "3")
	s.input.SetValue(filepath.Join(dir, "theirs.json"))
	if got := toasts(press(s, "enter")); !strings.Contains(got, "already exists") {
		t.Fatalf("overwrote a file: %q", got)
	}
	// A body too big to inline makes curl read request.json too.
	s.editor.SetValue(`{"data": [` + strings.Repeat("[1,2,3],", 400) + `[1]]}`)
	press(s, "x", "1")
	if s.modal != promptAzFile || s.input.Value() != "" || !strings.HasPrefix(s.input.Placeholder, "request.json") {
		t.Fatalf("large body curl export: modal %d input %q placeholder %q", s.modal, s.input.Value(), s.input.Placeholder)
	}
	s.input.SetValue(filepath.Join(dir, "other.json"))
	press(s, "enter")
	if s.inputErr == "" || !strings.Contains(s.inputErr, "keep that file name") {
		t.Fatalf("curl reads request.json: %q", s.inputErr)
	}
	// The field shows its default as a placeholder: what is typed replaces
	// it (nothing is appended), and enter on an empty field keeps it.
	t.Chdir(dir)
	press(s, "esc", "x", "3")
	typeText(s, "mine.json")
	if s.input.Value() != "mine.json" {
		t.Fatalf("typing appended to a pre-filled value: %q", s.input.Value())
	}
	press(s, "esc", "x", "3")
	press(s, "enter")
	if _, err := os.Stat(filepath.Join(dir, "request.json")); err != nil {
		t.Fatalf("enter on the empty field did not keep the default: %v", err)
	}
}

// In the demo the exports name the simulated Azure's CA file, so they run
// as copied; for real Azure (no CAFile) they never do.
func TestExportsNameTheDemoCA(t *testing.T) {
	for _, ca := range []string{"/tmp/amlauth-tui-demo-1/simulated-azure-ca.pem", ""} {
		e := env()
		e.Config.CAFile = ca
		s := newScreen(t, e, endpoint(azure.AuthKey, "https://127.0.0.1:8443/inference/eastus/churn-key/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
		for i, want := range []string{"--cacert " + ca + " ", "cafile=\"" + ca + "\""} {
			c, ok := press(s, "x", fmt.Sprint(i+1))[0].(nav.CopyMsg)
			if !ok || strings.Contains(c.Text, want) != (ca != "") || (ca == "" && (strings.Contains(c.Text, "--cacert") || strings.Contains(c.Text, "cafile"))) {
				t.Errorf("CA %q, export %d:\n%s", ca, i+1, c.Text)
			}
		}
	}
}

func TestParseRepeat(t *testing.T) {
	for in, want := range map[string][2]int{"20": {20, 1}, "50x5": {50, 5}, "50 x 5": {50, 5}, "8/32": {8, 8}, "1000X2": {1000, 2}} {
		n, c, err := parseRepeat(in)
		if err != nil || n != want[0] || c != want[1] {
			t.Errorf("parseRepeat(%q) = %d, %d, %v", in, n, c, err)
		}
	}
	for _, in := range []string{"", "0", "1001", "x", "5x0", "5x33", "five"} {
		if _, _, err := parseRepeat(in); err == nil {
			t.Errorf("parseRepeat(%q) accepted", in)
		}
	}
}

func TestRepeatRunsAndSummarises(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, b []byte) {
		if n.Add(1)%5 == 0 {
			w.WriteHeader(429)
			return
		}
		predict(w, r, b)
	})
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	press(s, "n")
	typeText(s, "20x4")
	_, cmd := s.Update(keyOf("enter"))
	if s.rep == nil || !s.HandlesEsc() {
		t.Fatal("no run started")
	}
	// The first message is progress (or the end); the view shows a bar.
	run(s, cmd)
	if !s.rep.done {
		t.Fatal("the run did not finish")
	}
	v := view(s, 120, 37)
	for _, want := range []string{"Repeat: 20 requests, 4 at a time", "p50", "p95", "max", "200 ×16", "429 ×4", "Latency"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if f.calls.Load() != 20 {
		t.Fatalf("%d requests, want 20", f.calls.Load())
	}
}

// A single send after a repeat run is shown (the run's summary used to
// stay in its place, though the history recorded the send).
func TestSendAfterRepeatIsShown(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	press(s, "n")
	typeText(s, "3")
	_, cmd := s.Update(keyOf("enter"))
	run(s, cmd)
	if s.rep == nil || !s.rep.done || !strings.Contains(view(s, 120, 37), "Repeat: 3 requests") {
		t.Fatalf("the run did not finish:\n%s", view(s, 120, 37))
	}
	press(s, "ctrl+s")
	v := view(s, 120, 37)
	if strings.Contains(v, "Repeat: 3 requests") || !strings.Contains(v, "200") {
		t.Fatalf("the single send is not shown after the repeat run:\n%s", v)
	}
}

// Close lets go of the credential and cancels the request in flight.
func TestCloseForgetsTheCredentialAndCancels(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "secret-key"})
	_, cmd := s.Update(keyOf("ctrl+s"))
	if !s.sending() {
		t.Fatal("ctrl+s did not send")
	}
	s.Close()
	if s.cred.value != "" {
		t.Fatal("the credential survived Close")
	}
	run(s, cmd)
	if s.res != nil || f.calls.Load() != 0 {
		t.Fatalf("a closed screen's request went out or its answer was taken (%d calls)", f.calls.Load())
	}
}

func TestRepeatCanBeStopped(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, b []byte) {
		<-release
		predict(w, r, b)
	})
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	press(s, "n")
	typeText(s, "50")
	_, cmd := s.Update(keyOf("enter"))
	if !strings.Contains(view(s, 120, 37), "0/50") || !strings.Contains(view(s, 120, 37), "esc stops the run") {
		t.Fatalf("progress:\n%s", view(s, 120, 37))
	}
	press(s, "esc")
	close(release)
	msgs := run(s, cmd)
	if !s.rep.done || s.rep.stats.Count >= 50 || !strings.Contains(toasts(msgs), "Repeat stopped after") {
		t.Fatalf("done %v count %d toasts %q", s.rep.done, s.rep.stats.Count, toasts(msgs))
	}
}

func TestHistoryShowAndResend(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	if got := toasts(press(s, "h")); !strings.Contains(got, "No requests sent") {
		t.Fatalf("empty history: %q", got)
	}
	s.hist = []state.HistoryEntry{
		{At: now.Add(-time.Minute), Target: "green", Deployment: "green", CredentialKind: "key", Status: 200, DurationMS: 12, RequestBody: `{"data": [[7]]}`, ResponseBody: `[0.5]`, RequestID: "r-1"},
		{At: now.Add(-time.Hour), CredentialKind: "key", Status: 0, Error: "Connection dropped: reset", RequestBody: `{"cut`, RequestTruncated: true},
	}
	press(s, "h")
	v := view(s, 120, 37)
	for _, want := range []string{"History of churn-key (2, newest first)", "200   green", "→ green · key", "error", "1m ago"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	press(s, "space")
	if v := view(s, 120, 37); !strings.Contains(v, "from history") || !strings.Contains(v, "0.5") || f.calls.Load() != 0 {
		t.Fatalf("show:\n%s", v)
	}
	press(s, "h", "down")
	if got := toasts(press(s, "enter")); !strings.Contains(got, "cannot be re-sent") || f.calls.Load() != 0 {
		t.Fatalf("truncated entry re-sent: %q", got)
	}
	press(s, "h", "enter")
	if f.calls.Load() != 1 || s.editor.Value() != `{"data": [[7]]}` || s.target != "green" || s.res.resp.Deployment != "green" {
		t.Fatalf("re-send: calls %d body %q target %q", f.calls.Load(), s.editor.Value(), s.target)
	}
	if len(s.hist) != 3 || s.hist[0].Target != "green" {
		t.Fatalf("history after re-send: %+v", s.hist)
	}
}

func TestNarrowLayoutSwitchesToTheResponse(t *testing.T) {
	f := newFake(t, predict)
	s := newScreen(t, env(), endpoint(azure.AuthKey, f.URL+"/score"), nav.ScoreMsg{CredentialKind: azure.CredKey, Credential: "k"})
	if v := view(s, 80, 21); !strings.Contains(v, "Request  Response") || !strings.Contains(v, "POST") {
		t.Fatalf("narrow request:\n%s", v)
	}
	press(s, "ctrl+s")
	v := view(s, 80, 21)
	if s.focus != paneResponse || !strings.Contains(v, "Response 200") || !strings.Contains(v, "answered by blue") || strings.Contains(v, "POST") {
		t.Fatalf("narrow response:\n%s", v)
	}
	press(s, "tab")
	if v := view(s, 80, 21); !strings.Contains(v, "POST") || !s.Typing() {
		t.Fatalf("tab back to the body:\n%s", v)
	}
}
