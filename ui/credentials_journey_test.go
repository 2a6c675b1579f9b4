package ui

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/ui/nav"
)

// secretLine is a line of a revealed key or token: nothing but the
// base64/base64url/JWT alphabet, long enough not to be a word.
var secretLine = regexp.MustCompile(`^[A-Za-z0-9+/=_.-]{16,}$`)

// revealed reads the value the credentials screen reveals: the run of
// secret-shaped lines (a long token is cut into lines of the screen's width).
func revealed(t *testing.T, screen string) string {
	t.Helper()
	var run []string
	for _, l := range strings.Split(screen, "\n") {
		l = strings.TrimSpace(l)
		if secretLine.MatchString(l) {
			run = append(run, l)
		} else if len(run) > 0 {
			break
		}
	}
	if len(run) == 0 {
		t.Fatalf("no revealed value on screen:\n%s", screen)
	}
	return strings.Join(run, "")
}

// personaSession signs in as a persona on the side, to know the keys the screen should show.
func personaSession(t *testing.T, env nav.Env, key string) *azure.Session {
	t.Helper()
	var who azure.Persona
	for _, p := range env.Personas {
		if p.Key == key {
			who = p
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := azure.SignIn(ctx, env.Config, azure.SignInOptions{Method: azure.MethodPersona, Persona: who})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keysOf(t *testing.T, s *azure.Session, ep string) azure.EndpointKeys {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := s.Keys(ctx, azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: ep})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Issue 6's scripted session: alice reveals every kind of credential (both
// keys, a regenerated key, an AML token, an Entra token for ml.azure.com
// and the control-plane token), and afterwards none of those values is in
// the state directory or in the debug log.
func TestJourneyRevealEveryCredentialLeavesNoTrace(t *testing.T) {
	hermetic(t)
	t.Setenv("TEA_TRACE", "") // reveals are refused while frames are recorded
	dir := t.TempDir()
	stateDir := filepath.Join(dir, "state")
	logFile, err := os.Create(filepath.Join(dir, "debug.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// A plain debug-level logger: no redaction layer to hide a leak.
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))

	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	env.Store = newStore(t, stateDir)
	side := personaSession(t, env, "alice")
	d := newDriver(t, Options{Env: env, Logger: logger, Start: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}}, srv, 120, 40)
	d.signInAs("alice")
	d.waitFor("Endpoint churn-key", "Calling it", "keys & tokens")

	var secrets []string
	reveal := func(texts ...string) string {
		t.Helper()
		d.key("r")
		v := revealed(t, d.waitFor(append([]string{"revealed", "hides in 30s"}, texts...)...))
		secrets = append(secrets, v)
		return v
	}

	// key: both keys, masked first, each revealed on request.
	keys := keysOf(t, side, "churn-key")
	d.key("k")
	s := d.waitFor("Credentials · churn-key", "Primary key", "Secondary key", "••••")
	if strings.Contains(s, keys.Primary) || strings.Contains(s, keys.Secondary) {
		t.Fatalf("keys must open masked:\n%s", s)
	}
	if got := reveal(); got != keys.Primary {
		t.Fatalf("revealed %q, want the primary key", got)
	}
	d.update(tea.BlurMsg{}) // the terminal lost focus
	if strings.Contains(d.screen(), keys.Primary) {
		t.Fatal("losing focus must re-mask")
	}
	d.key("down")
	if got := reveal(); got != keys.Secondary {
		t.Fatalf("revealed %q, want the secondary key", got)
	}

	// Regenerating is the platform team's job here (a deny assignment on
	// churn-key): alice is told why, and nothing changes.
	d.key("up", "g")
	d.waitFor("Regenerate the primary key of churn-key?", "Switch every caller to the secondary key", "az ml online-endpoint regenerate-keys")
	d.key("y")
	d.waitFor("Regenerating the primary key: blocked by a deny assignment", "regenerateKeys/action", "\"Production keys are rotated by the platform team\"", "No role assignment lifts a deny assignment", "c opens the access check")
	if now := keysOf(t, side, "churn-key"); now != keys {
		t.Fatal("a refused regeneration changed the keys")
	}

	// The control-plane token, checked like jwt.ms would.
	d.key("m")
	d.waitFor("Control-plane token", "✓ aud  aud is https://management.azure.com", "✓ oid")
	if tok := reveal(); !strings.HasPrefix(tok, "eyJ") || strings.Count(tok, ".") != 2 {
		t.Fatalf("control-plane token %q is not a JWT", tok)
	}

	// esc leaves (and wipes); back to the list, on to the AML token endpoint.
	d.key("esc")
	d.waitFor("Endpoint churn-key", "Calling it")
	d.key("esc")
	d.waitFor("churn-aml")
	d.key("/")
	d.typeText("aml")
	d.key("enter", "enter")
	d.waitFor("Endpoint churn-aml", "Calling it", "keys & tokens")
	d.key("k")
	d.waitFor("Credentials · churn-aml", "AML token", "Expires", "Refresh     after", "auto-refresh on")
	if tok := reveal(); !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("AML token %q", tok)
	}

	// aad_token: alice's own Entra token for ml.azure.com, with its checks.
	d.key("esc")
	d.waitFor("Endpoint churn-aml")
	d.key("esc")
	d.waitFor("/aml", "esc clears")
	d.key("esc") // clears the list's filter
	d.waitFor("churn-aad")
	d.key("/")
	d.typeText("aad")
	d.key("enter", "enter")
	d.waitFor("Endpoint churn-aad", "Calling it", "keys & tokens")
	d.key("k")
	d.waitFor("Credentials · churn-aad", "Entra token", "✓ aud  aud is https://ml.azure.com", "✓ oid", "✓ exp")
	if tok := reveal(); !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("Entra token %q", tok)
	}
	d.key("esc")
	d.waitFor("Endpoint churn-aad")
	d.key("q")
	d.waitQuit()

	// Nothing of any revealed value in the state directory or the log.
	secrets = append(secrets, keys.Primary, keys.Secondary)
	check := func(name string, b []byte) {
		for _, v := range secrets {
			if bytes.Contains(b, []byte(v)) || bytes.Contains(b, []byte(v[len(v)/2:])) {
				t.Errorf("%s holds a secret (%d chars starting %.6s)", name, len(v), v)
			}
		}
	}
	files := 0
	err = filepath.WalkDir(stateDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files++
		check(p, b)
		return err
	})
	if err != nil || files == 0 {
		t.Fatalf("state directory: %d files, %v", files, err)
	}
	if err := logFile.Sync(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(logFile.Name())
	if err != nil || !bytes.Contains(log, []byte("signed in")) {
		t.Fatalf("the debug log recorded nothing (%v):\n%s", err, log)
	}
	check("the debug log", log)
}

// Olivia (platform team) rotates churn-key's primary key: the confirm
// explains the safe rotation, the operation's progress shows, and the keys
// are read again, masked, with the new primary and the same secondary.
func TestJourneyRegenerateKey(t *testing.T) {
	hermetic(t)
	t.Setenv("TEA_TRACE", "")
	srv, env := startEmulator(t, emulator.Options{ProvisioningTime: 300 * time.Millisecond})
	side := personaSession(t, env, "olivia")
	before := keysOf(t, side, "churn-key")
	d := newDriver(t, Options{Env: env, Start: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}}, srv, 120, 40)
	d.signInAs("olivia")
	d.waitFor("Endpoint churn-key", "Calling it", "keys & tokens")
	d.key("k")
	d.waitFor("Credentials · churn-key", "Primary key", "r reveals for 30s")
	d.key("g")
	d.waitFor("Regenerate the primary key of churn-key?", "Rotate without downtime")
	d.key("y")
	s := d.waitFor("✓ The primary key was regenerated", "r reveals for 30s") // and the keys were read again
	after := keysOf(t, side, "churn-key")
	if after.Primary == before.Primary || after.Secondary != before.Secondary {
		t.Fatal("regenerate must change the primary key only")
	}
	if strings.Contains(s, after.Primary) || strings.Contains(s, before.Primary) {
		t.Fatalf("the keys are read again, masked:\n%s", s)
	}
	d.key("r")
	if got := revealed(t, d.waitFor("revealed")); got != after.Primary {
		t.Fatalf("revealed %q, want the new primary key", got)
	}
}

// A real tea.Program (teatest): alice opens churn-key's credentials, the
// keys come up masked, r reveals the primary key with its timer.
func TestTeatestRevealKey(t *testing.T) {
	hermetic(t)
	t.Setenv("TEA_TRACE", "")
	srv, env := startEmulator(t, emulator.Options{AutoApprove: "alice", AutoApproveAfter: 2})
	_ = srv
	keys := keysOf(t, personaSession(t, env, "alice"), "churn-key")
	tm := teatest.NewTestModel(t, New(Options{Env: env, Start: nav.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod",
		Workspace: "mlw-churn", Endpoint: "churn-key"}}), teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	wait := teaWaiter(t, tm)
	keysPress := func(ks ...string) {
		for _, k := range ks {
			tm.Send(keyMsg(k))
		}
	}
	wait("Sign in to Azure")
	tm.Type("/short code")
	keysPress("enter", "enter") // device code, auto-approved as alice; the flags open churn-key
	wait("Calling it", "keys & tokens")
	keysPress("k")
	wait("Credentials · churn-key", "Primary key", "r reveals for 30s")
	keysPress("r")
	wait(keys.Primary, "hides in 30s")
	keysPress("r") // hides again
	wait("r reveals for 30s")
	keysPress("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
