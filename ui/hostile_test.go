package ui

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure/emulator"
)

// Issue 8, hostile input: a server that puts terminal escape sequences in
// the strings it returns (names, descriptions, tags, error messages) must
// not get them to the terminal. These tests run the real program
// (teatest) and scan every byte it wrote, renderer output included, while
// checking the visible text around each sequence was still drawn.

// evil is what a malicious server appends: a title change, an OSC 52
// clipboard write, erase screen and scrollback, a cursor move, a C1 CSI
// and an OSC 8 hyperlink. (The renderer itself sends "\x1b[2J" and
// absolute moves, so the asserted erase and move are ones it never sends.)
const evil = "\x1b]0;pwned\x07" + "\x1b]52;c;cHduZWQ=\x07" + "\x1b[2J\x1b[3J\x1b[999;999H" + "\u009b31m" + "\x1b]8;;https://evil\x07x\x1b]8;;\x07"

// escapes are the sequences that must never be written (U+009B in its
// UTF-8 form: a lone 0x9b byte is also part of ordinary characters). The
// program sets its own title with OSC 2 and sends no OSC 0, 52 or 8.
var escapes = []string{"\x1b]0;", "\x1b]52;", "\x1b]8;", "\x1b[3J", "\x1b[999;999H", "\u009b"}

// payloads must not show even as text where the sanitizer saw the raw
// sequences: it drops a whole sequence, its payload included.
var payloads = []string{"pwned", "cHduZWQ=", "https://evil"}

// hostile wraps evil between two visible markers.
func hostile(a, b string) string { return a + evil + b }

// hostileProgram starts the program on the simulated Azure as alice
// (device code, auto-approved) with mutate applied to its world, and
// returns a waiter that also records every byte read from the terminal.
func hostileProgram(t *testing.T, start func(*Options), mutate func(w *emulator.World)) (*teatest.TestModel, func(...string), *bytes.Buffer) {
	t.Helper()
	tm, wait, all, _ := hostileProgramSrv(t, start, mutate)
	return tm, wait, all
}

// hostileProgramSrv is hostileProgram that also returns the simulated
// Azure, to change what it answers while the program runs.
func hostileProgramSrv(t *testing.T, start func(*Options), mutate func(w *emulator.World)) (*teatest.TestModel, func(...string), *bytes.Buffer, *emulator.Server) {
	t.Helper()
	hermetic(t)
	srv, env := startEmulator(t, emulator.Options{AutoApprove: "alice", AutoApproveAfter: 2})
	srv.Mutate(mutate)
	o := Options{Env: env}
	start(&o)
	tm := teatest.NewTestModel(t, New(o), teatest.WithInitialTermSize(140, 50),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	all := &bytes.Buffer{}
	out := io.TeeReader(tm.Output(), all) // WaitFor consumes output: keep a copy of all of it
	wait := func(texts ...string) {
		t.Helper()
		teatest.WaitFor(t, out, func(b []byte) bool {
			for _, x := range texts {
				if !bytes.Contains(b, []byte(x)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	return tm, wait, all, srv
}

// finish quits and checks the whole byte stream for hostile sequences.
func finishHostile(t *testing.T, tm *teatest.TestModel, all *bytes.Buffer, bad []string) {
	t.Helper()
	tm.Send(keyMsg("q"))
	rest, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	all.Write(rest)
	assertNoHostile(t, all.Bytes(), bad)
}

func assertNoHostile(t *testing.T, out []byte, hostile []string) {
	t.Helper()
	for _, bad := range hostile {
		if i := bytes.Index(out, []byte(bad)); i >= 0 {
			t.Errorf("terminal output holds %q: …%q…", bad, out[max(i-60, 0):min(i+len(bad)+20, len(out))])
		}
	}
	if t.Failed() {
		return
	}
	if len(out) < 1000 {
		t.Fatalf("only %d bytes of output: the scan proves nothing", len(out))
	}
}

func TestHostileServerStringsNeverReachTheTerminal(t *testing.T) {
	tm, wait, all := hostileProgram(t, func(o *Options) { o.Start = churn("churn-key") }, func(w *emulator.World) {
		for _, u := range w.Users {
			if u.Persona == "alice" {
				// Drawn only by the sign-in result, which the start context may
				// skip: scanned when drawn, its visibility not required.
				u.DisplayName = hostile("Alice hnameA", "hnameB")
			}
		}
		for _, s := range w.Subscriptions {
			if s.ID == emulator.SubProduction {
				s.DisplayName = hostile("Contoso hsubA", "hsubB")
			}
		}
		for _, ws := range w.Workspaces {
			// Not drawn today; seeded so a screen that starts drawing them is covered.
			ws.FriendlyName, ws.Description = hostile("hwsfA", "hwsfB"), hostile("hwsdA", "hwsdB")
		}
		for _, e := range w.Endpoints {
			e.Description = hostile("hdescA", "hdescB")
			e.Tags = map[string]string{hostile("htagkA", "K"): hostile("htagvA", "htagvB")}
			// A deployment with a hostile name, taking no traffic (routing is unchanged).
			name := hostile("hdA", "hdB")
			id := "/subscriptions/" + e.Subscription + "/resourceGroups/" + e.ResourceGroup + "/providers/Microsoft.MachineLearningServices/workspaces/" +
				e.Workspace + "/onlineEndpoints/" + e.Name + "/deployments/" + name
			w.Deployments[strings.ToLower(id)] = &emulator.Deployment{Subscription: e.Subscription, ResourceGroup: e.ResourceGroup, Workspace: e.Workspace,
				Endpoint: e.Name, Name: name, Location: e.Location, ComputeType: "Managed", InstanceType: hostile("hiA", "hiB"), InstanceCount: 1,
				Model: hostile("hmodelA", "hmodelB"), ProvisioningState: "Succeeded", Weights: make([]float64, 10), CreatedAt: e.CreatedAt}
			if e.Traffic == nil {
				e.Traffic = map[string]int32{}
			}
			e.Traffic[name] = 0
		}
	})
	wait("Sign in to Azure")
	tm.Type("/short code")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter")) // device code, approved as alice; the start context opens churn-key
	// Each visible part is looked for on its own: the renderer may draw a
	// line in pieces, never a marker.
	wait("Calling it", "hdescA", "hdescB", "htagkA", "htagvA", "htagvB", "hdA", "hdB", "hmodelA", "hmodelB")
	tm.Send(keyMsg("k"))
	wait("Credentials · churn-key", "Primary key")
	tm.Send(keyMsg("esc"))
	wait("Calling it")
	tm.Send(keyMsg("esc"))
	wait("in mlw-churn", "churn-aad", "hdA") // the traffic column names the hostile deployment
	tm.Send(keyMsg("esc"))
	wait("mlw-churn", "rg-ml-prod")
	tm.Send(keyMsg("esc")) // the subscriptions, by (hostile) display name
	wait("hsubA", "hsubB")
	// Back down to an endpoint (the lists keep the context's row selected)
	// and its request editor, whose deployment line names every deployment.
	tm.Send(keyMsg("enter"))
	wait("mlw-fraud", "hsubA", "hsubB") // "Workspaces in <name>"
	tm.Send(keyMsg("enter"))
	wait("churn-aad")
	tm.Send(keyMsg("enter"))
	wait("Calling it", "hdescA")
	tm.Send(keyMsg("t"))
	wait("traffic decides", "hdA", "hdB")
	finishHostile(t, tm, all, append(escapes, payloads...))
}

// An ARM error message quoting a hostile name: the 404 for an endpoint
// asked for by a name carrying escapes (no "/": it would split the path)
// is explained, sanitized. azure decodes the message from the JSON body,
// so the escapes arrive as real control characters and must be stripped
// whole, payloads included.
func TestHostileErrorMessageNeverReachesTheTerminal(t *testing.T) {
	name := strings.ReplaceAll(hostile("ghostA", "ghostB"), "https://evil", "evil")
	tm, wait, all := hostileProgram(t, func(o *Options) { o.Start = churn(name) }, func(*emulator.World) {})
	wait("Sign in to Azure")
	tm.Type("/short code")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter"))
	wait("ARMResourceNotFoundFix", "ghostA", "ghostB") // the message wraps where its width says: wait for one word of it
	finishHostile(t, tm, all, append(escapes, "pwned", "cHduZWQ="))
}

// jsonEscaped is s as the inside of a JSON string with every control
// character (C0, DEL, C1) written as a \u escape: valid JSON whose strings
// decode to escape sequences.
func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// inert swaps evil's payloads for words allowed on screen: where an answer
// shows a sequence as text (a JSON \u escape pretty-printed, a hex dump's
// ASCII column), its payload is drawn, harmlessly, as letters.
var inert = strings.NewReplacer("pwned", "ptitle", "cHduZWQ=", "Y2xpcA==", "https://evil", "https://inert").Replace

// Scoring answers are server strings too. The simulated Azure's test hook
// (Deployment.Respond) makes churn-key answer hostile bodies and headers;
// each answer is shown, diagnosed and kept in the history, and no escape
// sequence reaches the terminal. Header values carry C1 controls (U+009B
// CSI, U+009D OSC, U+009C ST as UTF-8): HTTP/2 drops a header value
// holding ESC before it leaves the server, but not those.
func TestHostileScoringResponsesNeverReachTheTerminal(t *testing.T) {
	ep := strings.ToLower("/subscriptions/" + emulator.SubProduction +
		"/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn/onlineEndpoints/churn-key")
	// Two deployments without traffic, named with escapes, for the target
	// menu: one named with ESC (no HTTP client sends that in a header) and
	// one with a C1 CSI (sent, and answered).
	escDep, c1Dep := hostile("escdepA", "escdepB"), "tgtA\u009b31mtgtB"
	tm, wait, all, srv := hostileProgramSrv(t, func(o *Options) {
		o.Start = churn("churn-key")
		o.Env.Store = newStore(t, t.TempDir()) // the history view reads back what was stored
	}, func(w *emulator.World) {
		blue := w.Deployments[ep+"/deployments/blue"]
		for _, name := range []string{escDep, c1Dep} {
			d := *blue
			d.Name = name
			d.Respond = &emulator.ScoringResponse{ContentType: "text/plain", Body: []byte("tgtbody")}
			w.Deployments[strings.ToLower(ep+"/deployments/"+name)] = &d
		}
	})
	respond := func(r emulator.ScoringResponse) {
		srv.Mutate(func(w *emulator.World) {
			for _, dep := range []string{"blue", "green"} { // whichever the traffic split picks
				w.Deployments[ep+"/deployments/"+dep].Respond = &r
			}
		})
	}
	send := func(texts ...string) {
		t.Helper()
		tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
		wait(texts...)
	}
	target := func(n string, texts ...string) {
		t.Helper()
		tm.Send(keyMsg("d"))
		wait("Send to which deployment?")
		tm.Send(keyMsg(n))
		wait(texts...)
	}

	wait("Sign in to Azure")
	tm.Type("/short code")
	tm.Send(keyMsg("enter"))
	tm.Send(keyMsg("enter")) // device code, approved as alice; the start context opens churn-key
	wait("Calling it", "test request")
	tm.Send(keyMsg("t"))
	wait("/inference/eastus/churn-key/score", "••••••••")

	// The menu lists traffic first, then by name: 4 is escdep…, 5 is tgt….
	target("4", "escdepA", "escdepB")
	send("no answer")
	target("5", "tgtA", "tgtB")
	send("tgtbody")
	target("1", "decides")

	// Waits look for markers: the renderer redraws only the cells that
	// changed, so a fixed text drawn before at the same place is not sent again.
	for _, c := range []struct {
		what string
		r    emulator.ScoringResponse
		want []string
	}{
		{"text/plain with raw escapes", emulator.ScoringResponse{ContentType: "text/plain; charset=utf-8", Body: []byte(hostile("plainA", "plainB"))},
			[]string{"plainA", "plainB"}},
		{"JSON whose strings hold raw escapes (invalid: shown as text)", emulator.ScoringResponse{ContentType: "application/json",
			Body: []byte(`{"result": "` + hostile("rawjsA", "rawjsB") + `"}`)}, []string{"invalid character", "rawjsA", "rawjsB"}},
		{"JSON with \\u escapes (pretty-printed, never decoded)", emulator.ScoringResponse{ContentType: "application/json",
			Body: []byte(`{"result": "escjsA` + jsonEscaped(inert(evil)) + `escjsB"}`)}, []string{"escjsA", "escjsB", `\u001b]0;ptitle\u0007`}},
		{"hostile header values and x-request-id", emulator.ScoringResponse{ContentType: "text/plain", Body: []byte("hdrbody"),
			Header: map[string]string{"x-request-id": "ridA\u009b2J\u009d0;c1title\u009cridB", "azureml-model-deployment": "depA\u009b31mdepB",
				"x-hostile": "hvalA\u009b1;1H\u009d52;c;Y2xpcA==\u009chvalB", "x-hostile-esc": hostile("escvalA", "escvalB")}},
			[]string{"hdrbody", "ridA", "ridB", "depA", "depB", "hvalA", "hvalB"}},
		{"a 502 whose text body the diagnosis quotes", emulator.ScoringResponse{Status: 502, ContentType: "text/plain", Body: []byte(hostile("diagA", "diagB"))},
			[]string{"The endpoint says", "diagA", "diagB"}},
		{"a 424 whose JSON message and model-error headers the diagnosis quotes", emulator.ScoringResponse{Status: 424, ContentType: "application/json",
			Header: map[string]string{"ms-azureml-model-error-statuscode": "500", "ms-azureml-model-error-reason": "reasonA\u009b31mreasonB"},
			Body:   []byte(`{"error": {"code": "ModelError", "message": "mdlA` + jsonEscaped(inert(evil)) + `mdlB"}}`)},
			[]string{"reasonA", "reasonB", "mdlA", "mdlB"}},
		{"a binary body with a raw 8-bit CSI", emulator.ScoringResponse{ContentType: "application/octet-stream", Body: []byte("binA" + inert(evil) + "\x9b2J binB")},
			[]string{"Binary body", "binA"}},
	} {
		respond(c.r)
		send(c.want...)
	}

	// The history names the targets and shows a past answer, both cleaned.
	tm.Send(keyMsg("h"))
	wait("History of churn-key (9, newest first)", "→ tgtA", "→ escdepA")
	for range 6 { // newest first: the text/plain answer is the 7th
		tm.Send(keyMsg("down"))
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace})
	wait("from history", "plainA", "plainB")
	finishHostile(t, tm, all, append(append(escapes, "\u009d", "\u009c"), payloads...))
}
