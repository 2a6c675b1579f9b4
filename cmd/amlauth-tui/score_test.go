package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"amlauth-tui/azure/emulator"
)

const churnWS = prodRG + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"

// goodBody is what the demo's models take: rows of 10 numbers.
const goodBody = `{"data": [[1,2,3,4,5,6,7,8,9,10]]}`

func bodyFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// withDemo lets a test shape the demo's world and read it (keys) after the
// command started it.
func withDemo(t *testing.T, shape func(w *emulator.World)) **emulator.Server {
	t.Helper()
	var started *emulator.Server
	orig := startCLIDemo
	startCLIDemo = func() (*emulator.Server, error) {
		s, err := orig()
		if err == nil && shape != nil {
			s.Mutate(shape)
		}
		started = s
		return s, err
	}
	t.Cleanup(func() { startCLIDemo = orig })
	return &started
}

func scoreJSON(t *testing.T, out string) scoreDoc {
	t.Helper()
	var d scoreDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if d.Schema != scoreSchema {
		t.Errorf("schema %q", d.Schema)
	}
	return d
}

// The key endpoint: alice's key goes out, the answer comes back on stdout,
// the diagnosis on stderr, and the key appears in neither.
func TestScoreKeyEndpoint(t *testing.T) {
	srv := withDemo(t, nil)
	code, out, errs := runArgs("score", "--demo", "-w", "mlw-churn", "-n", "churn-key", "--body", "@"+bodyFile(t, goodBody))
	if code != scoreOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	var predictions []float64
	if err := json.Unmarshal([]byte(out), &predictions); err != nil || len(predictions) != 1 {
		t.Errorf("stdout is not the model's answer, one prediction per row: %q", out)
	}
	if !strings.Contains(errs, "200") || !strings.Contains(errs, "deployment ") || !strings.Contains(errs, "request id ") || !strings.Contains(errs, "auth key") {
		t.Errorf("diagnosis lacks status, deployment, request id or auth mode:\n%s", errs)
	}
	var primary, secondary string
	(*srv).Mutate(func(w *emulator.World) {
		ep := w.Endpoints[strings.ToLower(churnKey)]
		primary, secondary = ep.PrimaryKey, ep.SecondaryKey
	})
	if primary == "" {
		t.Fatal("no key in the world")
	}
	for _, k := range []string{primary, secondary} {
		if strings.Contains(out+errs, k) {
			t.Fatal("a key was printed")
		}
	}
}

// Each auth mode gets its own credential, as in the request editor: an
// AML token for aml_token, an Entra token for the ML audience for aad_token.
func TestScorePicksCredentialByAuthMode(t *testing.T) {
	for _, c := range []struct{ ep, mode string }{{"churn-aml", "aml_token"}, {"churn-aad", "aad_token"}} {
		code, out, errs := runArgs("score", "--demo", "-w", churnWS, "-n", c.ep, "--body", goodBody, "-o", "json")
		d := scoreJSON(t, out)
		if code != scoreOK || d.Status != 200 || d.AuthMode != c.mode || d.Credential != c.mode {
			t.Errorf("%s: exit %d, doc %+v\n%s", c.ep, code, d, errs)
		}
		if strings.Contains(out+errs, "eyJ") {
			t.Errorf("%s: a token was printed", c.ep)
		}
	}
	// gary may score churn-aad (through his group) but read nothing else:
	// by its id, no search is needed.
	code, out, errs := runArgs("score", "--demo", "--as", "gary", "--endpoint-id", churnAAD, "--body", goodBody, "-o", "json")
	if d := scoreJSON(t, out); code != scoreOK || d.Status != 200 || d.Credential != "aad_token" {
		t.Errorf("gary by endpoint id: exit %d, %+v\n%s", code, d, errs)
	}
}

// --output json: status, deployment, request id, trace, and the latency
// statistics of the repeats, in order.
func TestScoreRepeatJSON(t *testing.T) {
	code, out, errs := runArgs("score", "--demo", "--endpoint-id", churnKey, "--body", goodBody, "--deployment", "green",
		"--repeat", "12", "--concurrency", "3", "--output", "json")
	d := scoreJSON(t, out)
	if code != scoreOK || d.Exit != scoreOK || d.Error != nil {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if d.Status != 200 || d.Deployment != "green" || d.RequestID == "" || d.Trace == nil || d.Trace.Total <= 0 || len(d.Body) == 0 {
		t.Errorf("answer: %+v", d)
	}
	r := d.Repeat
	if r == nil || r.Count != 12 || r.Concurrency != 3 || r.StatusCounts["200"] != 12 || r.Errors != 0 {
		t.Fatalf("repeat: %+v", r)
	}
	l := r.Latency
	if !(0 < l.Min && l.Min <= l.Median && l.Median <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency stats out of order: %+v", l)
	}
}

func TestScoreBadInput(t *testing.T) {
	bad := bodyFile(t, "{\n  \"data\": [[1, 2,]]\n}")
	for name, c := range map[string]struct {
		args []string
		code int
		want []string
	}{
		"missing file": {[]string{"-w", "mlw-churn", "-n", "churn-key", "--body", "@/nonexistent/body.json"}, scoreError,
			[]string{"/nonexistent/body.json", "no such file"}},
		"invalid JSON": {[]string{"-w", "mlw-churn", "-n", "churn-key", "--body", "@" + bad}, scoreError,
			[]string{"not valid JSON", "line 2, column 18", "nothing was sent"}},
		"no body": {[]string{"-w", "mlw-churn", "-n", "churn-key"}, scoreError, []string{"--body is required"}},
		"unknown endpoint": {[]string{"-w", "mlw-churn", "-n", "churn-nope", "--body", goodBody}, scoreError,
			[]string{`no online endpoint "churn-nope"`, "churn-key", "churn-aad"}},
		"unknown workspace": {[]string{"-w", "mlw-nope", "-n", "churn-key", "--body", goodBody}, scoreError,
			[]string{`no workspace "mlw-nope"`}},
		"no endpoint":     {[]string{"-w", "mlw-churn", "--body", goodBody}, scoreError, []string{"name the endpoint"}},
		"bad endpoint id": {[]string{"--endpoint-id", churnWS, "--body", goodBody}, scoreError, []string{"not an online endpoint id"}},
		"model refuses": {[]string{"-w", "mlw-churn", "-n", "churn-key", "--body", `{"data": [[1]]}`}, scoreHTTPError,
			[]string{"400"}},
		"unknown deployment": {[]string{"-w", "mlw-churn", "-n", "churn-key", "--body", goodBody, "--deployment", "purple"}, scoreHTTPError,
			[]string{`404: no deployment "purple"`}},
		"no credential": {[]string{"--as", "bob", "-w", "mlw-churn", "-n", "churn-key", "--body", goodBody}, scoreError,
			[]string{"No key credential", "listKeys/action"}},
		"search refused": {[]string{"--as", "gary", "-w", "mlw-churn", "-n", "churn-aad", "--body", goodBody}, scoreError,
			[]string{"Cannot search for workspace mlw-churn", "workspaces/read", "--endpoint-id"}},
		"auth with demo": {[]string{"--auth", "env", "-w", "mlw-churn", "-n", "churn-key", "--body", goodBody}, scoreError,
			[]string{"--auth does not apply with --demo"}},
	} {
		code, out, errs := runArgs(append([]string{"score", "--demo"}, c.args...)...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", name, code, c.code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, w, errs)
			}
		}
	}
}

// An endpoint whose deployments have no traffic answers 404; the
// diagnosis says so and how to fix it, and the exit status is 1.
func TestScoreNoTraffic(t *testing.T) {
	withDemo(t, func(w *emulator.World) {
		ep := w.Endpoints[strings.ToLower(churnKey)]
		for d := range ep.Traffic {
			ep.Traffic[d] = 0
		}
	})
	code, out, errs := runArgs("score", "--demo", "--endpoint-id", churnKey, "--body", goodBody, "-o", "json")
	d := scoreJSON(t, out)
	if code != scoreHTTPError || d.Status != 404 || d.Diagnosis == nil || !strings.Contains(d.Diagnosis.Title, "no deployment takes traffic") {
		t.Fatalf("exit %d, doc %+v\n%s", code, d, errs)
	}
	if !strings.Contains(d.Diagnosis.Next, "--traffic") || !strings.Contains(errs, "no deployment takes traffic") {
		t.Errorf("no fix offered: %+v\n%s", d.Diagnosis, errs)
	}
}

// On error, --output json still prints one valid document with the error.
func TestScoreJSONError(t *testing.T) {
	code, out, _ := runArgs("score", "--demo", "-w", "mlw-churn", "-n", "churn-key", "--body", "{", "--output", "json")
	d := scoreJSON(t, out)
	if code != scoreError || d.Exit != scoreError || d.Error == nil || !strings.Contains(d.Error.Detail, "not valid JSON") {
		t.Errorf("exit %d, doc %+v", code, d)
	}
	code, out, _ = runArgs("score", "--nonsense", "-o", "json")
	if d := scoreJSON(t, out); code != scoreError || d.Error == nil {
		t.Errorf("flag error: exit %d\n%s", code, out)
	}
}

// --body: a file, stdin or the JSON itself; too big or not JSON is refused
// with where and why, before anything is sent.
func TestReadBody(t *testing.T) {
	if b, err := readBody("@-", strings.NewReader(goodBody)); err != nil || string(b) != goodBody {
		t.Errorf("stdin: %q %v", b, err)
	}
	if _, err := readBody("@-", strings.NewReader("[1,")); err == nil || !strings.Contains(err.Error(), "stdin is not valid JSON") {
		t.Errorf("bad stdin: %v", err)
	}
	big := "[" + strings.Repeat("1,", 3<<20) + "1]"
	if _, err := readBody("@"+bodyFile(t, big), nil); err == nil || !strings.Contains(err.Error(), "over 5 MB") {
		t.Errorf("6 MB body: %v", err)
	}
	if _, err := readBody("", nil); err == nil || !strings.Contains(err.Error(), "--body is required") {
		t.Errorf("no body: %v", err)
	}
}
