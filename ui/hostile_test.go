package ui

import (
	"bytes"
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
	return tm, wait, all
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
