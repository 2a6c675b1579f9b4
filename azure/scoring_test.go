package azure

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"amlauth-tui/azure/emulator"
)

// Scoring against the in-process simulated Azure: real HTTPS, the same
// client code as for Azure.

const (
	scSub    = emulator.SubProduction
	scSample = `{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}`
)

type scEnv struct {
	t    testing.TB
	s    *emulator.Server
	cfg  Config
	sc   *Scorer
	skew *atomic.Int64 // the emulator's clock offset
}

func newScEnv(t testing.TB, opts emulator.Options) *scEnv {
	t.Helper()
	skew := &atomic.Int64{}
	opts.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	s, err := emulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg, err := EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	if err != nil {
		t.Fatal(err)
	}
	return &scEnv{t: t, s: s, cfg: cfg, sc: NewScorer(cfg), skew: skew}
}

func scEndpointID(rg, ws, ep string) string {
	return "/subscriptions/" + scSub + "/resourceGroups/" + rg + "/providers/Microsoft.MachineLearningServices/workspaces/" + ws + "/onlineEndpoints/" + ep
}

func (e *scEnv) uri(ep string) string { return e.s.URL() + "/inference/eastus/" + ep + "/score" }

// key reads an endpoint's primary key through listKeys, as a user would
// (the simulated Azure's keys are random per instance): Olivia owns
// rg-ml-prod, so she may read them.
func (e *scEnv) key(ep string) string {
	e.t.Helper()
	var olivia Persona
	for _, p := range e.s.Personas() {
		if p.Key == "olivia" {
			olivia = Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password}
		}
	}
	// A client of its own, so the scorer's connections stay as the test left them.
	cfg, err := EmulatorConfig(e.s.URL(), e.s.CAPEM(), e.s.TenantID())
	if err != nil {
		e.t.Fatal(err)
	}
	defer cfg.HTTPClient.CloseIdleConnections()
	sess, err := SignIn(context.Background(), cfg, SignInOptions{Method: MethodPersona, Persona: olivia})
	if err != nil {
		e.t.Fatal(err)
	}
	k, err := sess.Keys(context.Background(), EndpointRef{WorkspaceRef: WorkspaceRef{Subscription: scSub, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: ep})
	if err != nil {
		e.t.Fatal(err)
	}
	return k.Primary
}

func (e *scEnv) amlToken(ep string) string {
	tok, _, err := e.s.ScoringAMLToken(scEndpointID("rg-ml-prod", "mlw-churn", ep))
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// entraToken signs persona in and gets a token for audience.
func (e *scEnv) entraToken(persona, audience string) string {
	e.t.Helper()
	for _, p := range e.s.Personas() {
		if p.Key != persona {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sess, err := SignIn(ctx, e.cfg, SignInOptions{Method: MethodPersona, Persona: Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password}})
		if err != nil {
			e.t.Fatal(err)
		}
		tok, err := sess.Token(ctx, audience)
		if err != nil {
			e.t.Fatal(err)
		}
		return tok.Token
	}
	e.t.Fatalf("no persona %s", persona)
	return ""
}

func (e *scEnv) score(req ScoreRequest) (ScoreResponse, error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if req.Body == nil {
		req.Body = []byte(scSample)
	}
	return e.sc.Score(ctx, req)
}

func (e *scEnv) mustScore(req ScoreRequest, status int) ScoreResponse {
	e.t.Helper()
	resp, err := e.score(req)
	if err != nil {
		e.t.Fatalf("score: %v", err)
	}
	if resp.Status != status {
		e.t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	return resp
}

func noSecret(t *testing.T, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("the credential leaks into %q", s)
		}
	}
}

func TestScoreKeyTraceAndReuse(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	key := e.key("churn-key")
	req := ScoreRequest{URI: e.uri("churn-key"), Credential: key, CredentialKind: CredKey, Headers: map[string]string{"x-ms-client-request-id": "abc-123"}}
	first := e.mustScore(req, 200)
	var preds []float64
	if err := json.Unmarshal(first.Body, &preds); err != nil || len(preds) != 2 {
		t.Fatalf("body %s: %v", first.Body, err)
	}
	if first.Deployment == "" || first.RequestID == "" || first.Header.Get("x-ms-client-request-id") != "abc-123" || first.Size != int64(len(first.Body)) || first.Truncated {
		t.Errorf("response fields: %+v", first)
	}
	tr := first.Trace
	if tr.Reused || tr.Connect <= 0 || tr.TLS <= 0 || tr.FirstByte <= 0 || tr.Total < tr.FirstByte || tr.FirstByte < tr.TLS {
		t.Errorf("first request trace: %+v", tr)
	}
	second := e.mustScore(req, 200)
	if tr := second.Trace; !tr.Reused || tr.Connect != 0 || tr.TLS != 0 || tr.DNS != 0 || tr.FirstByte <= 0 || tr.Total < tr.FirstByte {
		t.Errorf("second request should reuse the connection: %+v", tr)
	}
	if d := Diagnose(req, second); d.Title != "200 OK" || !strings.Contains(d.Detail, second.Deployment) || len(d.Headers) == 0 {
		t.Errorf("diagnosis of 200: %+v", d)
	}

	// A host name is looked up: DNS is timed.
	local := req
	local.URI = strings.Replace(req.URI, "127.0.0.1", "localhost", 1)
	if resp := e.mustScore(local, 200); resp.Trace.DNS <= 0 || resp.Trace.Reused {
		t.Errorf("localhost: want a DNS time on a new connection, got %+v", resp.Trace)
	}
}

func TestScoreRoutesAndModelsDiffer(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	req := ScoreRequest{URI: e.uri("churn-aml"), Credential: e.amlToken("churn-aml"), CredentialKind: CredAMLToken}
	if resp := e.mustScore(req, 200); resp.Deployment != "blue" { // blue=100 green=0
		t.Errorf("traffic went to %q", resp.Deployment)
	}
	req.Deployment = "green"
	green := e.mustScore(req, 200)
	req.Deployment = "blue"
	blue := e.mustScore(req, 200)
	if green.Deployment != "green" || bytes.Equal(green.Body, blue.Body) {
		t.Errorf("green %s %s, blue %s", green.Deployment, green.Body, blue.Body)
	}
}

func TestScoreEntraAndDiagnose(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	uri := e.uri("churn-aad")
	e.mustScore(ScoreRequest{URI: uri, Credential: e.entraToken("alice", e.cfg.MLAudience), CredentialKind: CredEntraML}, 200)

	mgmt := ScoreRequest{URI: uri, Credential: e.entraToken("alice", e.cfg.ARMAudience), CredentialKind: CredManagement}
	resp := e.mustScore(mgmt, 401)
	d := Diagnose(mgmt, resp)
	if d.Title != "401: a management token was sent" || !strings.Contains(d.Detail, "https://management.azure.com") || !strings.Contains(d.Next, "https://ml.azure.com") {
		t.Errorf("management token: %+v", d)
	}
	if !strings.Contains(strings.Join(d.Headers, "\n"), "www-authenticate: Bearer") {
		t.Errorf("401 headers: %v", d.Headers)
	}
	noSecret(t, mgmt.Credential, d.Title, d.Detail, d.Next, strings.Join(d.Headers, " "))

	bob := ScoreRequest{URI: uri, Credential: e.entraToken("bob", e.cfg.MLAudience), CredentialKind: CredEntraML}
	resp = e.mustScore(bob, 403)
	d = Diagnose(bob, resp)
	if !d.CheckAccess || !strings.Contains(d.Detail, "bob@contoso.example") || !strings.Contains(d.Detail, ActionScore) || !strings.Contains(d.Detail, "churn-aad") {
		t.Errorf("403: %+v", d)
	}

	// A key sent to an aad_token endpoint.
	keyReq := ScoreRequest{URI: uri, Credential: e.key("churn-key"), CredentialKind: CredKey}
	d = Diagnose(keyReq, e.mustScore(keyReq, 401))
	if d.Title != "401: the key was refused" || !strings.Contains(d.Detail, "not a token") {
		t.Errorf("key to aad endpoint: %+v", d)
	}
}

func TestScoreExpiredCredentials(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	// Tokens minted two hours ago have expired now.
	e.skew.Store(int64(-2 * time.Hour))
	aml := ScoreRequest{URI: e.uri("churn-aml"), Credential: e.amlToken("churn-aml"), CredentialKind: CredAMLToken}
	entra := ScoreRequest{URI: e.uri("churn-aad"), Credential: e.entraToken("alice", e.cfg.MLAudience), CredentialKind: CredEntraML}
	e.skew.Store(0)

	d := Diagnose(aml, e.mustScore(aml, 401))
	if d.Title != "401: the AML token expired" || !strings.Contains(d.Detail, "ago") || !strings.Contains(d.Detail, "expired") {
		t.Errorf("expired AML token: %+v", d)
	}
	d = Diagnose(entra, e.mustScore(entra, 401))
	if d.Title != "401: the token expired" {
		t.Errorf("expired Entra token: %+v", d)
	}

	// A regenerated key.
	key := ScoreRequest{URI: e.uri("churn-key"), Credential: e.key("churn-key"), CredentialKind: CredKey}
	e.s.Mutate(func(w *emulator.World) {
		w.Endpoints[strings.ToLower(scEndpointID("rg-ml-prod", "mlw-churn", "churn-key"))].PrimaryKey = "regenerated-000000000000000000000"
	})
	d = Diagnose(key, e.mustScore(key, 401))
	if d.Title != "401: the key was refused" || !strings.Contains(d.Next, "regenerated") {
		t.Errorf("regenerated key: %+v", d)
	}
	noSecret(t, key.Credential, d.Title, d.Detail, d.Next)

	none := ScoreRequest{URI: e.uri("churn-key"), CredentialKind: CredNone}
	if d := Diagnose(none, e.mustScore(none, 401)); !strings.Contains(d.Detail, "No credential") {
		t.Errorf("no credential: %+v", d)
	}
}

func TestScoreFailureCodesDiagnosed(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	key := e.key("churn-key")
	req := ScoreRequest{URI: e.uri("churn-key"), Credential: key, CredentialKind: CredKey}

	bad := req
	bad.Body = []byte(`{"data": [[1,2,3]]}`)
	d := Diagnose(bad, e.mustScore(bad, 400))
	if !strings.Contains(d.Detail, "has 3 numbers; this model takes 10") {
		t.Errorf("400: %+v", d)
	}

	unknown := req
	unknown.Deployment = "purple"
	d = Diagnose(unknown, e.mustScore(unknown, 404))
	if d.Title != `404: no deployment "purple"` || !strings.Contains(d.Detail, "blue, green") {
		t.Errorf("unknown deployment: %+v", d)
	}
	e.s.Mutate(func(w *emulator.World) {
		w.Endpoints[strings.ToLower(scEndpointID("rg-ml-prod", "mlw-churn", "churn-key"))].Traffic = map[string]int32{}
	})
	d = Diagnose(req, e.mustScore(req, 404))
	if d.Title != "404: no deployment takes traffic" || !strings.Contains(d.Next, "--traffic") {
		t.Errorf("no traffic: %+v", d)
	}
	req.Deployment = "green" // still reachable by name

	for _, tc := range []struct {
		status     int
		retryAfter int
		title      string
		header     string
	}{
		{424, 0, "424: the model failed", "ms-azureml-model-error-statuscode: 500"},
		{408, 0, "408: the model took too long", "x-request-id: "},
		{429, 2, "429: too many requests", "retry-after: 2"},
		{500, 0, "500: the scoring service failed", "x-request-id: "},
		{503, 1, "503: the deployment is unavailable", "retry-after: 1"},
	} {
		e.s.SetFaults([]emulator.Fault{{Route: "/inference/*", Status: tc.status, RetryAfter: tc.retryAfter}})
		resp := e.mustScore(req, tc.status)
		d := Diagnose(req, resp)
		if d.Title != tc.title || !strings.Contains(strings.Join(d.Headers, "\n"), tc.header) || d.Next == "" {
			t.Errorf("%d: %+v", tc.status, d)
		}
		if tc.status == 424 && !strings.Contains(d.Detail, "500 (model_error)") {
			t.Errorf("424 detail: %s", d.Detail)
		}
		if tc.status == 429 && !strings.Contains(d.Next, "after 2 s") {
			t.Errorf("429 next: %s", d.Next)
		}
	}
	e.s.SetFaults(nil)
	e.mustScore(req, 200)
}

func TestScoreRefusesBeforeSending(t *testing.T) {
	sc := NewScorer(Config{})
	ctx := context.Background()
	secret := "s3cr3t-key-value"
	for _, tc := range []struct {
		name string
		req  ScoreRequest
		want any
	}{
		{"plain http to a remote host", ScoreRequest{URI: "http://myep.eastus.inference.ml.azure.com/score"}, &ScoringURIError{}},
		{"ftp", ScoreRequest{URI: "ftp://127.0.0.1/score"}, &ScoringURIError{}},
		{"no host", ScoreRequest{URI: "https:///score"}, &ScoringURIError{}},
		{"empty", ScoreRequest{URI: " "}, &ScoringURIError{}},
		{"user info", ScoreRequest{URI: "https://u:p@example.com/score"}, &ScoringURIError{}},
		{"body too large", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: make([]byte, MaxRequestBody+1)}, &BodyTooLargeError{}},
		{"invalid JSON", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: []byte("{\"data\": [1,\n2,]}")}, &JSONError{}},
		{"bad header name", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: []byte("{}"), Headers: map[string]string{"bad header": "x"}}, &HeaderError{}},
		{"header injection", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: []byte("{}"), Headers: map[string]string{"x-a": "1\r\nX-B: 2"}}, &HeaderError{}},
		{"managed header", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: []byte("{}"), Headers: map[string]string{"content-length": "5"}}, &HeaderError{}},
		{"credential with a line break", ScoreRequest{URI: "https://127.0.0.1:1/score", Body: []byte("{}"), Credential: secret + "\nX: y"}, &HeaderError{}},
	} {
		tc.req.Credential = secret + strings.TrimPrefix(tc.req.Credential, secret)
		_, err := sc.Score(ctx, tc.req)
		var ok bool
		switch tc.want.(type) {
		case *ScoringURIError:
			var x *ScoringURIError
			ok = errors.As(err, &x)
		case *BodyTooLargeError:
			var x *BodyTooLargeError
			ok = errors.As(err, &x)
		case *JSONError:
			var x *JSONError
			ok = errors.As(err, &x) && x.Line == 2 && x.Column == 3
		case *HeaderError:
			var x *HeaderError
			ok = errors.As(err, &x)
		}
		if !ok {
			t.Errorf("%s: want %T, got %v", tc.name, tc.want, err)
			continue
		}
		ex := Explain(err)
		if ex.Title == "" || ex.Next == "" {
			t.Errorf("%s: no explanation: %+v", tc.name, ex)
		}
		noSecret(t, secret, err.Error(), ex.Title, ex.Detail, ex.Next)
	}
	// Plain http to loopback is allowed (local endpoints, the emulator): here it reaches a closed port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	_, err = sc.Score(ctx, ScoreRequest{URI: "http://" + addr + "/score", Body: []byte(scSample), Credential: secret})
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Kind != ConnRefused || Explain(err).Title != "Connection refused" {
		t.Errorf("closed loopback port: want a refused ConnectionError, got %v", err)
	}
	noSecret(t, secret, err.Error())
}

func TestScoreTruncatesBinaryAndPlainAnswers(t *testing.T) {
	big := bytes.Repeat([]byte{0xff, 0x00, 'a'}, MaxResponseBody) // 3 MB of binary
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(HeaderDeployment) != "blue" || r.Header.Get("x-extra") != "1" {
			http.Error(w, "bad request headers", 400)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(big)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream connect error or disconnect/reset before headers", http.StatusBadGateway)
	})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := http.NewResponseController(w).Hijack()
		_ = conn.Close()
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/score", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux) // plain http on 127.0.0.1: allowed for loopback
	defer srv.Close()
	sc := NewScorer(Config{})
	ctx := context.Background()

	resp, err := sc.Score(ctx, ScoreRequest{URI: srv.URL + "/big", Body: []byte("{}"), Credential: "k", Deployment: "blue", Headers: map[string]string{"x-extra": "1"}})
	if err != nil || resp.Status != 200 {
		t.Fatalf("big: %v %d %s", err, resp.Status, resp.Body)
	}
	if !resp.Truncated || len(resp.Body) != MaxResponseBody || resp.Size != int64(len(big)) || !resp.IsBinary() {
		t.Errorf("big: truncated %v, kept %d, size %d, binary %v", resp.Truncated, len(resp.Body), resp.Size, resp.IsBinary())
	}

	resp, err = sc.Score(ctx, ScoreRequest{URI: srv.URL + "/text", Body: []byte("{}"), Credential: "k"})
	if err != nil || resp.Status != 502 || resp.IsBinary() {
		t.Fatalf("text: %v %+v", err, resp)
	}
	if d := Diagnose(ScoreRequest{}, resp); d.Title != "502: the scoring script failed" || !strings.Contains(d.Detail, "upstream connect error") {
		t.Errorf("non-JSON 502: %+v", d)
	}

	resp, err = sc.Score(ctx, ScoreRequest{URI: srv.URL + "/redirect", Body: []byte("{}"), Credential: "k"})
	if err != nil || resp.Status != http.StatusTemporaryRedirect {
		t.Fatalf("redirect followed or failed: %v %d", err, resp.Status)
	}

	_, err = sc.Score(ctx, ScoreRequest{URI: srv.URL + "/drop", Body: []byte("{}"), Credential: "k"})
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Kind != ConnDropped || Explain(err).Title != "Connection dropped" {
		t.Errorf("dropped: want a dropped ConnectionError, got %v", err)
	}
}

func TestScoreTimeoutDropAndCancel(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	key := e.key("churn-key")
	req := ScoreRequest{URI: e.uri("churn-key"), Credential: key, CredentialKind: CredKey}
	e.mustScore(req, 200) // warm: the failures below happen on a live connection

	e.s.SetFaults([]emulator.Fault{{Route: "/inference/*", Latency: 5 * time.Second}})
	slow := req
	slow.Timeout = 50 * time.Millisecond
	_, err := e.score(slow)
	var te *ScoreTimeoutError
	if !errors.As(err, &te) || te.Limit != slow.Timeout || Explain(err).Title != "Scoring timed out" {
		t.Errorf("want a ScoreTimeoutError, got %v", err)
	}
	noSecret(t, key, err.Error())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.sc.Score(ctx, ScoreRequest{URI: req.URI, Body: []byte(scSample), Credential: key}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	e.s.SetFaults([]emulator.Fault{{Route: "/inference/*", Drop: true}})
	_, err = e.score(req)
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Kind != ConnDropped {
		t.Errorf("emulator drop: want a dropped ConnectionError, got %v", err)
	}
	noSecret(t, key, err.Error())
	e.s.SetFaults(nil)
	e.mustScore(req, 200) // and it recovers
}

func TestRepeat(t *testing.T) {
	e := newScEnv(t, emulator.Options{FaultSeed: 7})
	req := ScoreRequest{URI: e.uri("churn-key"), Body: []byte(scSample), Credential: e.key("churn-key"), CredentialKind: CredKey}
	var calls []int
	st := e.sc.Repeat(context.Background(), req, 20, 4, func(done int) { calls = append(calls, done) })
	if st.Count != 20 || st.StatusCounts[200] != 20 || st.Errors != 0 || len(calls) != 20 {
		t.Fatalf("stats %+v, progress %v", st, calls)
	}
	for i, c := range calls {
		if c != i+1 {
			t.Fatalf("progress out of order: %v", calls)
		}
	}
	if st.Min <= 0 || st.Min > st.P50 || st.P50 > st.P95 || st.P95 > st.Max || st.Elapsed <= 0 {
		t.Errorf("latencies: %+v", st)
	}
	n := 0
	for _, b := range st.Histogram {
		n += b.Count
	}
	if n != 20 {
		t.Errorf("histogram holds %d of 20: %+v", n, st.Histogram)
	}

	e.s.SetFaults([]emulator.Fault{{Route: "/inference/*", Status: 429, Rate: 0.5}})
	st = e.sc.Repeat(context.Background(), req, 30, 1, nil)
	if st.Count != 30 || st.StatusCounts[200]+st.StatusCounts[429] != 30 || st.StatusCounts[429] == 0 || st.StatusCounts[200] == 0 {
		t.Errorf("with 429s: %+v", st.StatusCounts)
	}
	e.s.SetFaults([]emulator.Fault{{Route: "/inference/*", Drop: true}})
	st = e.sc.Repeat(context.Background(), req, 5, 2, nil)
	var ce *ConnectionError
	if st.Count != 5 || st.Errors != 5 || !errors.As(st.FirstError, &ce) || st.P50 != 0 || st.Histogram != nil {
		t.Errorf("all dropped: %+v", st)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st := e.sc.Repeat(ctx, req, 10, 2, nil); st.Count != 0 {
		t.Errorf("cancelled run: %+v", st)
	}
}

func TestLatencySummary(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	var hundred []int
	for i := 100; i >= 1; i-- { // unsorted input
		hundred = append(hundred, i)
	}
	for _, tc := range []struct {
		in                  []time.Duration
		p50, p95, min, max  time.Duration
		buckets, firstCount int
	}{
		{ms(hundred...), 50 * time.Millisecond, 95 * time.Millisecond, time.Millisecond, 100 * time.Millisecond, 8, 13},
		{ms(3, 1, 2, 10, 4, 5, 6, 7, 8, 9), 5 * time.Millisecond, 10 * time.Millisecond, time.Millisecond, 10 * time.Millisecond, 8, 2},
		{ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 1, 1},
		{ms(5, 5, 5), 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond, 1, 3},
		{ms(1, 1000), time.Millisecond, time.Second, time.Millisecond, time.Second, 8, 1},
	} {
		p50, p95, lo, hi, hist := latencySummary(tc.in, 8)
		if p50 != tc.p50 || p95 != tc.p95 || lo != tc.min || hi != tc.max {
			t.Errorf("%v: p50 %v p95 %v min %v max %v", tc.in, p50, p95, lo, hi)
		}
		if len(hist) != tc.buckets || hist[0].Count != tc.firstCount || hist[0].Lo != tc.min || hist[len(hist)-1].Hi <= tc.max {
			t.Errorf("%v: histogram %+v", tc.in, hist)
		}
		total := 0
		for i, b := range hist {
			total += b.Count
			if i > 0 && b.Lo != hist[i-1].Hi {
				t.Errorf("%v: bars not contiguous: %+v", tc.in, hist)
			}
		}
		if total != len(tc.in) {
			t.Errorf("%v: histogram holds %d", tc.in, total)
		}
	}
	if p50, _, _, _, hist := latencySummary(nil, 8); p50 != 0 || hist != nil {
		t.Error("empty input")
	}
}

// fakeJWT is an unsigned token with claims (Diagnose only decodes).
func fakeJWT(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestDiagnoseTable(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	errBody := func(msg string) []byte { return []byte(fmt.Sprintf(`{"error":{"code":"X","message":%q}}`, msg)) }
	graphTok := fakeJWT(map[string]any{"aud": "https://graph.microsoft.com", "exp": now.Add(time.Hour).Unix()})
	mlTok := fakeJWT(map[string]any{"aud": "https://ml.azure.com", "exp": now.Add(time.Hour).Unix(), "upn": "alice@contoso.example"})
	for _, tc := range []struct {
		name  string
		req   ScoreRequest
		resp  ScoreResponse
		title string
		in    string // in Detail or Next
	}{
		{"graph token", ScoreRequest{Credential: graphTok, CredentialKind: CredEntraML}, ScoreResponse{Status: 401}, "401: token for the wrong audience", "graph.microsoft.com"},
		{"good token refused", ScoreRequest{Credential: mlTok, CredentialKind: CredEntraML}, ScoreResponse{Status: 401}, "401: the Entra token was refused", "auth mode"},
		{"AML token refused", ScoreRequest{Credential: fakeJWT(map[string]any{"typ": "aml_token", "exp": now.Add(time.Hour).Unix()}), CredentialKind: CredAMLToken}, ScoreResponse{Status: 401, Body: errBody("issued for another endpoint")}, "401: the AML token was refused", "another endpoint"},
		{"opaque non-key", ScoreRequest{Credential: "abc", CredentialKind: CredAMLToken}, ScoreResponse{Status: 401}, "401 Unauthorized", "not a token"},
		{"403 unparsed", ScoreRequest{}, ScoreResponse{Status: 403, Body: []byte(`{"message":"nope"}`)}, "403 Forbidden: no permission to score", "nope"},
		{"404 bad URI", ScoreRequest{}, ScoreResponse{Status: 404, Body: []byte("Not Found")}, "404 Not Found", "scoringUri"},
		{"413", ScoreRequest{}, ScoreResponse{Status: 413}, "413: request too large", "fewer rows"},
		{"424 without headers", ScoreRequest{}, ScoreResponse{Status: 424}, "424: the model failed", "non-200"},
		{"504", ScoreRequest{}, ScoreResponse{Status: 504}, "504: gateway timeout", "Retry"},
		{"418", ScoreRequest{}, ScoreResponse{Status: 418, Body: errBody("teapot")}, "418 I'm a teapot", "teapot"},
		{"binary 500 body", ScoreRequest{}, ScoreResponse{Status: 500, Body: []byte{0, 1, 2, 0xff}}, "500: the scoring service failed", "internal error"},
	} {
		d := diagnoseAt(tc.req, tc.resp, now)
		if d.Title != tc.title || !strings.Contains(d.Detail+" "+d.Next, tc.in) {
			t.Errorf("%s: %+v", tc.name, d)
		}
		if tc.resp.Status == 403 != d.CheckAccess {
			t.Errorf("%s: CheckAccess %v", tc.name, d.CheckAccess)
		}
		noSecret(t, tc.req.Credential, d.Title, d.Detail, d.Next)
	}
}

// BenchmarkScore is one scoring call against the emulator over a warm connection.
func BenchmarkScore(b *testing.B) {
	e := newScEnv(b, emulator.Options{})
	req := ScoreRequest{URI: e.uri("churn-key"), Body: []byte(scSample), Credential: e.key("churn-key"), CredentialKind: CredKey}
	ctx := context.Background()
	if _, err := e.sc.Score(ctx, req); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if resp, err := e.sc.Score(ctx, req); err != nil || resp.Status != 200 {
			b.Fatalf("%v %d", err, resp.Status)
		}
	}
}

// BenchmarkScoreVsPlainHTTP times Score and a bare net/http POST of the
// same request over the same transport, alternately, and reports the
// median ratio (Score's overhead: headers, validation, tracing, capping).
func BenchmarkScoreVsPlainHTTP(b *testing.B) {
	e := newScEnv(b, emulator.Options{})
	req := ScoreRequest{URI: e.uri("churn-key"), Body: []byte(scSample), Credential: e.key("churn-key"), CredentialKind: CredKey}
	ctx := context.Background()
	plain := func() {
		hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, req.URI, bytes.NewReader(req.Body))
		hr.Header.Set("Authorization", "Bearer "+req.Credential)
		hr.Header.Set("Content-Type", "application/json")
		resp, err := e.cfg.HTTPClient.Do(hr)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	plain()
	if _, err := e.sc.Score(ctx, req); err != nil {
		b.Fatal(err)
	}
	var ours, theirs []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.sc.Score(ctx, req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		plain()
		ours, theirs = append(ours, t1.Sub(t0)), append(theirs, time.Since(t1))
	}
	reportRatio(b, ours, theirs, "plain")
}

// BenchmarkScoreVsCurl compares 50 Score calls with 50 requests curl sends
// over one reused connection (one curl run, config on stdin so the key is
// on no command line): the "median ratio vs curl ≤ 1.1".
func BenchmarkScoreVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Fatal("this benchmark needs curl on PATH")
	}
	const n = 50
	e := newScEnv(b, emulator.Options{})
	req := ScoreRequest{URI: e.uri("churn-key"), Body: []byte(scSample), Credential: e.key("churn-key"), CredentialKind: CredKey}
	dir := b.TempDir()
	ca, body := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "request.json")
	if os.WriteFile(ca, e.s.CAPEM(), 0o600) != nil || os.WriteFile(body, req.Body, 0o600) != nil {
		b.Fatal("cannot write the CA and body files")
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "silent\nshow-error\nrequest = \"POST\"\ncacert = %q\nheader = \"Authorization: Bearer %s\"\n", ca, req.Credential)
	fmt.Fprintf(&cfg, "header = \"Content-Type: application/json\"\ndata-binary = \"@%s\"\nwrite-out = \"%%{time_total} %%{num_connects}\\n\"\n", body)
	for range n + 1 { // +1: the first opens the connection
		fmt.Fprintf(&cfg, "url = %q\noutput = \"/dev/null\"\n", req.URI)
	}
	ctx := context.Background()
	var ours, theirs []time.Duration
	for b.Loop() {
		cmd := exec.Command(curl, "--config", "-")
		cmd.Stdin = strings.NewReader(cfg.String())
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("curl: %v", err)
		}
		lines := strings.Fields(string(out))
		for i := 2; i+1 < len(lines); i += 2 { // skip the first transfer
			var secs float64
			if _, err := fmt.Sscan(lines[i], &secs); err != nil || lines[i+1] != "0" {
				b.Fatalf("curl did not reuse its connection: %q", out)
			}
			theirs = append(theirs, time.Duration(secs*float64(time.Second)))
		}
		if _, err := e.sc.Score(ctx, req); err != nil { // warm, like curl's first
			b.Fatal(err)
		}
		for range n {
			t0 := time.Now()
			if resp, err := e.sc.Score(ctx, req); err != nil || !resp.Trace.Reused {
				b.Fatalf("score: %v (reused %v)", err, resp.Trace.Reused)
			}
			ours = append(ours, time.Since(t0))
		}
	}
	reportRatio(b, ours, theirs, "curl")
}

func reportRatio(b *testing.B, ours, theirs []time.Duration, name string) {
	p50 := func(ds []time.Duration) time.Duration { m, _, _, _, _ := latencySummary(ds, 1); return m }
	o, t := p50(ours), p50(theirs)
	b.ReportMetric(float64(o.Microseconds()), "score-p50-µs")
	b.ReportMetric(float64(t.Microseconds()), name+"-p50-µs")
	if t > 0 {
		b.ReportMetric(float64(o)/float64(t), "ratio-vs-"+name)
	}
}

// FuzzDiagnose: any credential text and any answer body give a diagnosis
// without panicking, and the credential never shows in it.
func FuzzDiagnose(f *testing.F) {
	f.Add("abc", []byte(`{"error":{"message":"x"}}`), 401)
	f.Add(fakeJWT(map[string]any{"exp": " "}), []byte("plain"), 401)
	f.Add(fakeJWT(map[string]any{"aud": []string{"a", "b"}, "exp": "soon", "typ": "aml_token"}), []byte{0xff, 0}, 401)
	f.Add("eyJ.e30.x", []byte(`{"error":"boom"}`), 403)
	f.Add("", []byte(`{"message":"No valid deployments to route to."}`), 404)
	f.Fuzz(func(t *testing.T, cred string, body []byte, status int) {
		req := ScoreRequest{Credential: cred, CredentialKind: CredEntraML, Deployment: "blue"}
		d := Diagnose(req, ScoreResponse{Status: status, Body: body, Header: http.Header{"X-Request-Id": {"r"}}})
		if d.Title == "" {
			t.Fatalf("no title for %d", status)
		}
		if len(cred) >= 8 && strings.Contains(d.Title+d.Detail+d.Next, cred) && !strings.Contains(string(body), cred) {
			t.Fatalf("the credential shows in the diagnosis: %+v", d)
		}
	})
}

// The UI's path end to end: alice signs in, gets each endpoint's
// credential through ARM (listKeys, token) or Entra, and scores.
func TestScoreWithSessionCredentials(t *testing.T) {
	e := newScEnv(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var alice emulator.PersonaInfo
	for _, p := range e.s.Personas() {
		if p.Key == "alice" {
			alice = p
		}
	}
	sess, err := SignIn(ctx, e.cfg, SignInOptions{Method: MethodPersona, Persona: Persona{Key: alice.Key, Name: alice.Name, UPN: alice.UPN, Password: alice.Password}})
	if err != nil {
		t.Fatal(err)
	}
	ref := func(ep string) EndpointRef {
		return EndpointRef{WorkspaceRef: WorkspaceRef{Subscription: scSub, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: ep}
	}
	keys, err := sess.Keys(ctx, ref("churn-key"))
	if err != nil {
		t.Fatalf("keys: %v", err)
	}
	aml, err := sess.AMLToken(ctx, ref("churn-aml"))
	if err != nil {
		t.Fatalf("AML token: %v", err)
	}
	entra, err := sess.EntraToken(ctx, e.cfg.MLAudience)
	if err != nil {
		t.Fatalf("Entra token: %v", err)
	}
	for ep, c := range map[string][2]string{
		"churn-key": {keys.Secondary, CredKey}, "churn-aml": {aml.Value, CredAMLToken}, "churn-aad": {entra.Value, CredEntraML},
	} {
		resp := e.mustScore(ScoreRequest{URI: e.uri(ep), Credential: c[0], CredentialKind: c[1]}, 200)
		var preds []float64
		if json.Unmarshal(resp.Body, &preds) != nil || len(preds) != 2 {
			t.Errorf("%s: %s", ep, resp.Body)
		}
	}
}
