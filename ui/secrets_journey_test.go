package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/debuglog"
	"amlauth-tui/ui/nav"
)

// Issue 8, secrets: every journey that touches a secret runs through the
// real program (teatest) with the --debug logger on, then the state
// directory, the debug log, the terminal output after the last secret was
// hidden again, the temp directory and the $EDITOR child's environment and
// arguments are scanned for every secret value the app saw: zero hits.

// wireSecrets records every secret that crosses the app's HTTP transport:
// the client secret and refresh tokens it sends in token requests, the
// credentials it sends as bearer values, and the tokens and keys it gets
// back. What the app never received it cannot leak; what it did receive
// is exactly what the scan looks for.
type wireSecrets struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	seen   map[string]string // value -> where it was seen
	public []string          // client_info values: base64 of the (public) object and tenant ids
}

// secretFields are the JSON and form fields that carry credentials (lower case).
var secretFields = map[string]bool{"access_token": true, "refresh_token": true, "id_token": true, "client_secret": true,
	"client_assertion": true, "device_code": true, "primarykey": true, "secondarykey": true, "accesstoken": true}

func (w *wireSecrets) add(where, v string) {
	if len(v) < 8 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.seen[v]; !ok {
		w.seen[v] = where
	}
}

func (w *wireSecrets) RoundTrip(req *http.Request) (*http.Response, error) {
	if a := req.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		w.add("bearer sent to "+req.URL.Path, strings.TrimPrefix(a, "Bearer "))
	}
	if req.Body != nil && strings.Contains(req.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		form, _ := url.ParseQuery(string(b))
		for k, vs := range form {
			if secretFields[strings.ToLower(k)] {
				for _, v := range vs {
					w.add("form "+k, v)
				}
			}
		}
	}
	resp, err := w.rt.RoundTrip(req)
	if err != nil || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return resp, nil // the app sees the same short body and says so
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		w.walk(req.URL.Path, v)
	}
	return resp, nil
}

func (w *wireSecrets) walk(path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && secretFields[strings.ToLower(k)] {
				w.add(k+" from "+path, s)
			}
			if s, ok := e.(string); ok && k == "client_info" {
				w.mu.Lock()
				w.public = append(w.public, s)
				w.mu.Unlock()
			}
			w.walk(path, e)
		}
	case []any:
		for _, e := range x {
			w.walk(path, e)
		}
	}
}

func (w *wireSecrets) values() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]string, len(w.seen))
	for k, v := range w.seen {
		out[k] = v
	}
	return out
}

// pieces are what a scan looks for of a secret: all of it, either half,
// and for long ones every 24-character window at a 12-character stride (a
// token wrapped over lines is drawn a line at a time). A JWT's header is
// left out of the windows: every token of the same kind shares it.
func pieces(secret string) []string {
	out := []string{secret, secret[:len(secret)/2], secret[len(secret)/2:]}
	body := secret
	if i := strings.IndexByte(secret, '.'); strings.HasPrefix(secret, "eyJ") && i > 0 {
		body = secret[i+1:]
	}
	if len(body) >= 48 {
		for i := 0; i+24 <= len(body); i += 12 {
			out = append(out, body[i:i+24])
		}
	}
	return out
}

// scanner checks byte streams for every piece of every secret.
type scanner struct {
	t       *testing.T
	secrets map[string]string // value -> what it is
	// public are texts that may share a piece with a token without leaking
	// it: client_info and a token's payload both encode the tenant and
	// object ids in base64, and the two encodings can line up.
	public []string
}

func (s scanner) scan(name string, b []byte) {
	s.t.Helper()
	for v, what := range s.secrets {
		for _, p := range pieces(v) {
			if slices.ContainsFunc(s.public, func(pub string) bool { return strings.Contains(pub, p) }) {
				continue
			}
			if i := bytes.Index(b, []byte(p)); i >= 0 {
				s.t.Errorf("%s holds %s (%d of its %d characters, at byte %d)", name, what, len(p), len(v), i)
				break
			}
		}
	}
}

// osc52 finds the clipboard writes (OSC 52) in terminal output: their
// offsets and decoded texts.
var osc52 = regexp.MustCompile("\x1b\\]52;c;([A-Za-z0-9+/=]*)\x07")

type clipWrite struct {
	at   int
	text string
}

func clipWrites(t *testing.T, out []byte) []clipWrite {
	t.Helper()
	var ws []clipWrite
	for _, m := range osc52.FindAllSubmatchIndex(out, -1) {
		b, err := base64.StdEncoding.DecodeString(string(out[m[2]:m[3]]))
		if err != nil {
			t.Fatalf("an OSC 52 write that is not base64: %v", err)
		}
		ws = append(ws, clipWrite{at: m[0], text: string(b)})
	}
	return ws
}

// editorScript writes a $EDITOR that records, for the test, its whole
// environment as the kernel gave it (/proc/$$/environ), its arguments and
// the file it was asked to edit, and exits without changing the file.
func editorScript(t *testing.T, dir, cat string) (script string, out string) {
	t.Helper()
	out = filepath.Join(dir, "editor-out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	script = filepath.Join(dir, "fake-editor")
	sh := fmt.Sprintf("#!/bin/sh\n%[1]s /proc/$$/environ > %[2]s/environ\nprintf '%%s\\n' \"$0\" \"$@\" > %[2]s/argv\n%[1]s \"$1\" > %[2]s/body\n", cat, out)
	if err := os.WriteFile(script, []byte(sh), 0o700); err != nil {
		t.Fatal(err)
	}
	return script, out
}

// secretRig runs the real program (teatest) on the simulated Azure as
// `--debug` does, with the state directory and $TMPDIR in a temp dir, its
// HTTP traffic recorded (wireSecrets) and every byte it writes to the
// terminal kept.
type secretRig struct {
	t                                    *testing.T
	stateDir, tmpDir, debugPath, rawPath string
	srv                                  *emulator.Server
	env                                  nav.Env
	wire                                 *wireSecrets
	tm                                   *teatest.TestModel
	all                                  *bytes.Buffer
	out                                  io.Reader
	logger                               *slog.Logger
	dlog                                 *debuglog.Logger
}

func newSecretRig(t *testing.T, o emulator.Options) *secretRig {
	t.Helper()
	hermetic(t)
	t.Setenv("TEA_TRACE", "") // the app refuses reveals while frames are recorded
	dir := t.TempDir()
	r := &secretRig{t: t, stateDir: filepath.Join(dir, "state"), tmpDir: filepath.Join(dir, "tmp"),
		debugPath: filepath.Join(dir, "debug.log"), rawPath: filepath.Join(dir, "raw.log")}
	if err := os.Mkdir(r.tmpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", r.tmpDir) // the $EDITOR hand-off's temp file goes here, and is scanned

	// --debug's logger (debuglog, as cmd/amlauth-tui wires it), and beside
	// it the same records unredacted: a leak in our code must show there
	// rather than be hidden by the redaction.
	dlog, err := debuglog.Open(r.debugPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dlog.Close() })
	raw, err := os.Create(r.rawPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	r.logger = slog.New(slog.NewMultiHandler(dlog.Handler(), slog.NewTextHandler(raw, &slog.HandlerOptions{Level: slog.LevelDebug})))
	r.dlog = dlog
	r.srv, r.env = startEmulator(t, o)
	return r
}

// run starts the program at start; from here its transport is recorded
// (sessions made before, for the test's own look-ups, are not).
func (r *secretRig) run(start nav.Context) {
	r.wire = &wireSecrets{rt: r.env.Config.HTTPClient.Transport, seen: map[string]string{}}
	r.env.Config.HTTPClient = &http.Client{Transport: r.wire}
	// --debug with AMLAUTH_TUI_DEBUG_BODIES=1, as cmd/amlauth-tui wires it:
	// every answer's body goes to the debug log (only: the raw log beside
	// it would hold the secrets by design), and the redactor is told every
	// secret the app obtains.
	r.env.Config = r.env.Config.WithHTTPLog(r.dlog.Logger, true)
	r.env.Config.Secrets = r.dlog.Redactor
	r.env.Store = newStore(r.t, r.stateDir)
	r.tm = teatest.NewTestModel(r.t, New(Options{Env: r.env, Logger: r.logger, Start: start}), teatest.WithInitialTermSize(140, 45),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	r.all = &bytes.Buffer{}
	r.out = io.TeeReader(r.tm.Output(), r.all) // WaitFor consumes output: keep all of it
}

// wait waits for texts drawn anew: the renderer redraws only the cells
// that changed, so a text already at that place is not sent again.
func (r *secretRig) wait(texts ...string) {
	r.t.Helper()
	teatest.WaitFor(r.t, r.out, func(b []byte) bool {
		for _, x := range texts {
			if !bytes.Contains(b, []byte(x)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// details waits for an endpoint's details by a text of its auth mode's
// line that no other screen draws (the title line is redrawn only from
// where it changed, and the credentials screen words the modes too).
func (r *secretRig) details(ep string) {
	r.t.Helper()
	r.wait(map[string]string{"churn-key": "primary or secondary key; keys do not expire", "churn-aml": "Azure ML token (getToken)",
		"churn-aad": "RBAC decides (score action)"}[ep])
}

func (r *secretRig) press(ks ...string) {
	for _, k := range ks {
		r.tm.Send(keyMsg(k))
	}
}

// send presses ctrl+s until the endpoint's stored history has one more
// entry, and returns how many it has: a credential just chosen may still
// be on its way, and ctrl+s is then refused ("send again in a moment").
// (The screen cannot tell: an answer like the last one redraws only what
// changed.)
func (r *secretRig) send(ep string) int {
	r.t.Helper()
	store, id := newStore(r.t, r.stateDir), churnRef(ep).ID()
	count := func() int { d, _ := store.Load(); return len(d.HistoryOf(id)) }
	before := count()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		r.tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
		for again := time.Now().Add(2 * time.Second); time.Now().Before(again); time.Sleep(20 * time.Millisecond) {
			if n := count(); n > before {
				return n
			}
		}
	}
	r.t.Fatalf("no request to %s was sent", ep)
	return 0
}

// quit presses q and returns all the program wrote.
func (r *secretRig) quit() []byte {
	r.t.Helper()
	r.press("q")
	rest, err := io.ReadAll(r.tm.FinalOutput(r.t, teatest.WithFinalTimeout(10*time.Second)))
	if err != nil {
		r.t.Fatal(err)
	}
	r.all.Write(rest)
	return r.all.Bytes()
}

// scanFiles scans the state directory, $TMPDIR and both logs.
func (r *secretRig) scanFiles(sc scanner) {
	r.t.Helper()
	files := 0
	for _, root := range []string{r.stateDir, r.tmpDir} {
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if root == r.stateDir {
				files++
			}
			if strings.HasPrefix(e.Name(), "amlauth-body-") {
				r.t.Errorf("the $EDITOR hand-off file %s was left behind", p)
			}
			sc.scan(p, b)
			return err
		})
		if err != nil {
			r.t.Fatal(err)
		}
	}
	if files == 0 {
		r.t.Fatal("nothing in the state directory: the scan proves nothing")
	}
	for _, p := range []string{r.debugPath, r.rawPath} {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("signed in")) {
			r.t.Fatalf("%s recorded nothing (%v):\n%s", p, err, b)
		}
		if p == r.debugPath && (!bytes.Contains(b, []byte("msg=http")) || !bytes.Contains(b, []byte(`body="{`))) {
			r.t.Fatalf("%s has no response bodies: the scan proves nothing about them:\n%s", p, b)
		}
		sc.scan(p, b)
	}
}

// secretsSeen names every secret the program's transport carried and
// reports which kinds were among them.
func (r *secretRig) secretsSeen(named map[string]string) (map[string]string, map[string]bool) {
	secrets, kinds := map[string]string{}, map[string]bool{}
	for v, where := range r.wire.values() {
		what := where
		if cs, err := azure.DecodeClaims(v); err == nil {
			what = fmt.Sprintf("a token (aud %s, typ %s; %s)", claimOf(cs, "aud"), claimOf(cs, "typ"), where)
			switch {
			case claimOf(cs, "typ") == "aml_token":
				kinds["aml"] = true
			case audOf(v) == r.env.Config.MLAudience:
				kinds["ml"] = true
			case audOf(v) == r.env.Config.ARMAudience:
				kinds["arm"] = true
			}
		}
		if strings.HasPrefix(where, "refresh_token") {
			kinds["refresh"] = true
		}
		if n, ok := named[v]; ok {
			what, kinds[n] = n, true
		}
		secrets[v] = what
	}
	return secrets, kinds
}

// The journey: the seeded service principal signs in with its client
// secret (the environment method); on churn-key it reveals both keys (one
// re-masked by losing focus, one by r), copies the secondary key, reveals
// and copies (export) the control-plane token; it reveals churn-aml's AML
// token and churn-aad's Entra token, and leaves. From there on nothing is
// revealed: it scores churn-aad with its Entra token and, on purpose, with
// the management token (401, claims decoded), opens $EDITOR, exports curl,
// shows the history, copies the credentials screen's curl, scores with a
// credential that screen hands over, then churn-aml (AML token) and
// churn-key (both keys).
func TestSecretJourneyLeavesNoTrace(t *testing.T) {
	cat, err := exec.LookPath("cat") // before hermetic empties PATH
	if err != nil {
		t.Fatal(err)
	}
	r := newSecretRig(t, emulator.Options{})
	script, edOut := editorScript(t, t.TempDir(), cat)
	t.Setenv("VISUAL", "")
	t.Setenv("EDITOR", script)
	tid, cid, clientSecret := r.srv.ServicePrincipalCredentials()
	t.Setenv("AZURE_TENANT_ID", tid)
	t.Setenv("AZURE_CLIENT_ID", cid)
	t.Setenv("AZURE_CLIENT_SECRET", clientSecret)
	keys := keysOf(t, personaSession(t, r.env, "alice"), "churn-key")
	r.run(churn("churn-key"))
	wait, press, details := r.wait, r.press, r.details

	// Sign in with the client secret from the environment.
	wait("Sign in to Azure")
	r.tm.Type("/environment")
	press("enter", "enter")
	wait("Calling it", "keys & tokens") // the start context opens churn-key

	// Keys: revealed one at a time, re-masked by losing focus and by r.
	press("k")
	wait("Credentials · churn-key", "Primary key", "Secondary key", "r reveals for 30s") // the hint shows once the keys are in
	press("r")
	wait(keys.Primary, "hides in 30s")
	r.tm.Send(tea.BlurMsg{})
	wait("r reveals for 30s")
	press("down", "r")
	wait(keys.Secondary, "hides in 30s")
	press("y") // an intentional copy (OSC 52): accounted for below
	wait("Copied the secondary key (not shown)")
	press("r")
	wait("r reveals for 30s")
	// The control-plane token, revealed and copied as an export.
	press("m")
	wait("Control-plane token", "aud is https://management.azure.com") // checked once it is in
	press("r")
	wait("hides in")
	press("e")
	wait("ARM_TOKEN=… (the value is not shown)")
	press("esc") // leaving wipes the values
	details("churn-key")

	// The AML token of churn-aml.
	press("esc")
	wait("churn-aml")
	r.tm.Type("/aml")
	press("enter", "enter")
	details("churn-aml")
	press("k")
	wait("Credentials · churn-aml", "AML token", "r reveals for 30s")
	press("r")
	wait("hides in")
	press("r")
	wait("r reveals for 30s")
	press("esc")
	details("churn-aml")
	press("esc")
	wait("esc clears")
	press("esc") // clears the filter
	wait("churn-aad")

	// The Entra token for ml.azure.com of churn-aad, then leave.
	r.tm.Type("/aad")
	press("enter", "enter")
	details("churn-aad")
	press("k")
	wait("Credentials · churn-aad", "Entra token", "aud is https://ml.azure.com")
	press("r")
	wait("hides in")
	press("esc")
	details("churn-aad")
	// Every byte read from here on was written after the last secret was
	// hidden again (WaitFor has read through the frame that hid it).
	mark := r.all.Len()

	// Scoring, with nothing revealed: the Entra token, then the management
	// token on purpose (the 401 decodes its claims, never shows it).
	press("t")
	wait("/inference/eastus/churn-aad/score", "••••••••")
	r.send("churn-aad")
	wait("200 OK", "answered by")
	press("a")
	wait("Send which credential?")
	press("5")
	wait("management token")
	r.send("churn-aad")
	wait("401", "decoded claims")
	// $EDITOR runs as a real child on the program's terminal (teatest's
	// input and output are no TTYs; tea.ExecProcess needs none) and leaves
	// the body as it was.
	press("e")
	wait("No changes from $EDITOR")
	press("x")
	wait("Export this request")
	press("enter") // curl: copied; the credential stays a $DATA_PLANE_TOKEN reference
	wait("Copied the curl command")
	press("h")
	wait("History of churn-aad")
	r.tm.Send(tea.KeyPressMsg{Code: tea.KeySpace})
	wait("from history")
	// The credentials screen again: its curl, and a credential it hands
	// over, neither ever revealed.
	press("esc")
	details("churn-aad")
	press("k")
	wait("Credentials · churn-aad", "r reveals for 30s")
	press("u")
	wait("Copied a curl command for the scoring URI")
	press("t")
	wait("from the credentials screen")
	r.send("churn-aad")
	wait("200 OK", "answered by")
	// churn-aml with its AML token.
	press("esc", "esc")
	details("churn-aad")
	press("esc")
	wait("esc clears")
	press("esc")
	wait("churn-aml")
	r.tm.Type("/aml")
	press("enter", "enter")
	details("churn-aml")
	press("t")
	wait("/inference/eastus/churn-aml/score", "••••••••")
	r.send("churn-aml")
	wait("200 OK", "answered by")
	// churn-key with each key.
	press("esc")
	details("churn-aml")
	press("esc")
	wait("esc clears")
	press("esc")
	wait("churn-key")
	r.tm.Type("/churn-key")
	press("enter", "enter")
	details("churn-key")
	press("t")
	wait("/inference/eastus/churn-key/score", "••••••••")
	r.send("churn-key")
	wait("200 OK", "answered by")
	press("a")
	wait("Send which credential?")
	press("2")
	wait("secondary)") // "key (" is not redrawn
	n := r.send("churn-key")
	press("h")
	wait(fmt.Sprintf("History of churn-key (%d, newest first)", n))
	press("esc")
	whole := r.quit()

	// What the app saw: the client secret it sent, both keys, AML tokens,
	// Entra tokens for ARM and for ml.azure.com. (A client-credentials
	// sign-in gets no refresh token: the device-code test covers those.)
	secrets, kinds := r.secretsSeen(map[string]string{clientSecret: "the client secret", keys.Primary: "the primary key", keys.Secondary: "the secondary key"})
	for _, k := range []string{"the client secret", "the primary key", "the secondary key", "aml", "ml", "arm"} {
		if !kinds[k] {
			t.Errorf("the journey never handled %s (saw %d secrets)", k, len(secrets))
		}
	}
	sc := scanner{t: t, secrets: secrets, public: r.wire.public}

	// The terminal: the scan can see a secret (the revealed key was drawn
	// before the mark), and after the mark there is none; the client
	// secret is nowhere, ever.
	if !bytes.Contains(whole[:mark], []byte(keys.Primary)) {
		t.Fatal("the revealed primary key is not in the output before the mark: the scan would prove nothing")
	}
	sc.scan("the terminal output after the secrets were hidden", whole[mark:])
	scanner{t: t, secrets: map[string]string{clientSecret: "the client secret"}}.scan("the terminal output", whole)
	// Clipboard writes carry their text in base64: decoded, the two made on
	// purpose before the mark hold exactly the secondary key and the
	// control-plane token's export; every other holds no secret.
	var copied []string
	for _, w := range clipWrites(t, whole) {
		switch {
		case w.at < mark && w.text == keys.Secondary:
			copied = append(copied, "secondary key")
		case w.at < mark && strings.HasPrefix(w.text, "export ARM_TOKEN='") && audOf(strings.Trim(strings.TrimPrefix(w.text, "export ARM_TOKEN="), "'")) == r.env.Config.ARMAudience:
			copied = append(copied, "ARM token export")
		default:
			sc.scan(fmt.Sprintf("a clipboard write at byte %d (%.40q)", w.at, w.text), []byte(w.text))
			if w.at >= mark && strings.HasPrefix(w.text, "curl ") {
				copied = append(copied, "curl")
			}
		}
	}
	if want := []string{"secondary key", "ARM token export", "curl", "curl"}; !slices.Equal(copied, want) {
		t.Errorf("clipboard writes %q, want %q", copied, want)
	}

	r.scanFiles(sc)

	// The editor child: its environment (the app's, minus the secret), its
	// arguments and the body it was given.
	environ, err := os.ReadFile(filepath.Join(edOut, "environ"))
	if err != nil {
		t.Fatalf("$EDITOR did not run: %v", err)
	}
	vars := strings.Split(string(environ), "\x00")
	if !slices.Contains(vars, "AZURE_CLIENT_ID="+cid) || !slices.Contains(vars, "EDITOR="+script) {
		t.Fatalf("the editor's environment is not the app's: %q", vars)
	}
	for _, v := range vars {
		if strings.HasPrefix(v, "AZURE_CLIENT_SECRET=") {
			t.Error("the editor inherited AZURE_CLIENT_SECRET")
		}
	}
	sc.scan("the editor's environment", environ)
	for _, f := range []string{"argv", "body"} {
		b, err := os.ReadFile(filepath.Join(edOut, f))
		if err != nil || len(b) == 0 {
			t.Fatalf("editor %s: %v", f, err)
		}
		sc.scan("the editor's "+f, b)
	}
}

// A user's sign-in (device code) brings a refresh token and an ID token
// besides the access tokens; MSAL keeps them in memory to get the other
// tokens. Nothing is revealed: none of them, nor any token the app used
// for the credentials screen and a request, is in the output, the state,
// $TMPDIR or the logs.
func TestSecretDeviceCodeTokensLeaveNoTrace(t *testing.T) {
	r := newSecretRig(t, emulator.Options{AutoApprove: "alice", AutoApproveAfter: 1})
	r.run(churn("churn-aad"))
	r.wait("Sign in to Azure")
	r.tm.Type("/short code")
	r.press("enter", "enter")
	r.details("churn-aad")
	r.press("k")
	r.wait("Credentials · churn-aad", "Entra token", "r reveals for 30s")
	r.press("m")
	r.wait("Control-plane token")
	r.press("m", "t")
	r.wait("/inference/eastus/churn-aad/score", "••••••••")
	r.send("churn-aad")
	r.wait("200 OK", "answered by")
	whole := r.quit()

	secrets, kinds := r.secretsSeen(nil)
	for _, k := range []string{"refresh", "ml", "arm"} {
		if !kinds[k] {
			t.Errorf("the sign-in never handled a %s token (saw %d secrets)", k, len(secrets))
		}
	}
	sc := scanner{t: t, secrets: secrets, public: r.wire.public}
	sc.scan("the terminal output", whole)
	for _, w := range clipWrites(t, whole) {
		t.Errorf("nothing was copied, yet the program wrote the clipboard: %.40q", w.text)
	}
	r.scanFiles(sc)
}

func claimOf(cs []azure.Claim, name string) string {
	for _, c := range cs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// audOf is a token's audience without a trailing slash ("" for a non-JWT).
func audOf(v string) string {
	cs, _ := azure.DecodeClaims(v)
	return strings.TrimSuffix(claimOf(cs, "aud"), "/")
}
