package ui

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// Issue 8's fault suite: the app's journeys against a simulated Azure in
// trouble. About one request in five is answered 429 or 5xx, some are slow,
// a few connections drop, tokens expire during the journey and one create
// fails in provisioning. Every step must either complete (the SDK retries)
// or show a clear error — what failed, Azure's status, what to do — after
// which the user's recovery key completes it. The dice are seeded; the
// assertions hold for any order the concurrent requests take.

// chaosFaults is the mix: ~20% of requests fail, 429s with a Retry-After
// the tests' retry policy will not wait for (so they reach the screens),
// 5xx the SDK retries, added latency and dropped connections. The latency
// is the one thing of the wall clock left: a slow network, a few real
// milliseconds that nothing waits for or asserts on.
func chaosFaults() []emulator.Fault {
	return []emulator.Fault{
		{Latency: 30 * time.Millisecond, Rate: 0.2},
		{Status: 429, RetryAfter: 1, Rate: 0.04},
		{Status: 429, Rate: 0.02},
		{Status: 500, Rate: 0.03},
		{Status: 502, Rate: 0.03},
		{Status: 503, Rate: 0.04},
		{Status: 504, Rate: 0.03},
		{Drop: true, Rate: 0.02},
	}
}

// chaosOptions is a simulated Azure in trouble: the faults above, access
// tokens that live seconds (the session renews them mid-journey) and quick
// provisioning and propagation. All of it is timed on the clock the
// journey moves (startChaos), not on the wall clock.
func chaosOptions(seed int64) emulator.Options {
	return emulator.Options{
		Faults: chaosFaults(), FaultSeed: seed,
		AccessTokenLifetime: 2 * time.Second,
		AMLTokenLifetime:    4 * time.Second,
		ProvisioningTime:    300 * time.Millisecond,
		PropagationDelay:    500 * time.Millisecond,
	}
}

// chaosDriver is a driver on a chaos emulator (seed), with a state
// directory, opened at start; it returns the state directory too.
func chaosDriver(t *testing.T, seed int64, start nav.Context, w, h int) (*driver, *emulator.Server, *statusLog, string) {
	t.Helper()
	hermetic(t)
	dir := t.TempDir()
	srv, env, log, c := startChaos(t, chaosOptions(seed))
	env.Store = newStore(t, dir)
	d := newDriver(t, Options{Env: env, Start: start}, srv, w, h)
	d.clock = c
	return d, srv, log, dir
}

// startChaos starts the simulated Azure in trouble with the SDK's retries
// made quick (the app keeps the SDK's defaults: same policy, longer waits),
// on a clock the simulated Azure and the app share and the journey moves:
// token lifetimes, provisioning, propagation and the AML token's renewal
// (the credentials screen's ticks) run on it; operations' polls and the
// sign-in's retries move it as they wait (azure.Polling); the access
// check re-asks every few milliseconds (nav.Env.Poll) while it waits for
// Azure to list an assignment.
func startChaos(t *testing.T, o emulator.Options) (*emulator.Server, nav.Env, *statusLog, *clock) {
	t.Helper()
	log := &statusLog{}
	c := &clock{t: time.Now()}
	o.Log, o.Now = log, c.Now
	srv, env := startEmulator(t, o)
	env.Config.Retry = policy.RetryOptions{MaxRetries: 3, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 100 * time.Millisecond}
	env.Config.Polling = azure.Polling{Now: c.Now, Wait: c.Wait}
	env.Now, env.Poll, env.Ticks = c.Now, 5*time.Millisecond, c.every(t.Context().Done())
	return srv, env, log, c
}

// statusLog counts the simulated Azure's answers by status (its request
// log), to show the journey met the faults it was meant to.
type statusLog struct {
	mu     sync.Mutex
	counts map[string]int
	tokens int // tokens Entra issued (sign-ins and renewals)
}

func (l *statusLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			l.counts[f[3]]++
			if f[1] == "POST" && strings.HasSuffix(f[2], "/oauth2/v2.0/token") && f[3] == "200" {
				l.tokens++
			}
		}
	}
	return len(p), nil
}

// issued is the number of tokens Entra issued so far.
func (l *statusLog) issued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokens
}

// faulted reports how many answers were 429 and how many 5xx.
func (l *statusLog) faulted() (throttled, failed, total int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for st, n := range l.counts {
		total += n
		switch {
		case st == "429":
			throttled += n
		case strings.HasPrefix(st, "5"):
			failed += n
		}
	}
	return
}

// metFaults fails the test when the journey met no throttling or no 5xx:
// then it proved nothing about them.
func metFaults(t *testing.T, l *statusLog) {
	t.Helper()
	th, failed, total := l.faulted()
	t.Logf("%d requests: %d answered 429, %d answered 5xx", total, th, failed)
	if th == 0 || failed == 0 {
		t.Fatalf("the journey met no 429 (%d) or no 5xx (%d) in %d requests: raise the rates or change the seed", th, failed, total)
	}
}

// maxRecoveries bounds the recoveries of one step: each attempt fails with
// a probability well under one half, so ten in a row never happen.
const maxRecoveries = 10

// recovery is what the user does about an error on a screen: the hint the
// screen shows for it and the keys they press.
type recovery struct {
	hint string
	keys []string
}

// stepper drives the steps of a journey on a screen: the driver's model,
// or the last frame a tea.Program drew.
type stepper struct {
	t      *testing.T
	srv    *emulator.Server
	screen func() string
	pump   func() // lets results arrive
	press  func(keys ...string)
}

func (d *driver) steps() *stepper {
	return &stepper{t: d.t, srv: d.srv, screen: d.screen, pump: func() { d.pump(50 * time.Millisecond) }, press: d.key}
}

// The driver's journeys call the stepper's methods on the driver.
func (d *driver) step(what string, r recovery, done ...string) string {
	d.t.Helper()
	return d.steps().step(what, r, done...)
}

func (d *driver) stepUntil(what string, r recovery, done func(string) bool) string {
	d.t.Helper()
	return d.steps().stepUntil(what, r, done)
}

func (d *driver) forced(what string, f emulator.Fault, trigger func(), r recovery, done ...string) string {
	d.t.Helper()
	return d.steps().forced(what, f, trigger, r, done...)
}

func (d *driver) forceError(what string, f emulator.Fault, trigger func(), r recovery) string {
	d.t.Helper()
	return d.steps().forceError(what, f, trigger, r)
}

// step waits until the screen shows every text of done. When an error
// shows instead, it must be clear (clearError), it must name the recovery
// (r.hint), and pressing r.keys must get the step done within
// maxRecoveries tries. It returns the screen of the completed step.
func (p *stepper) step(what string, r recovery, done ...string) string {
	p.t.Helper()
	return p.stepUntil(what, r, func(s string) bool { return containsAll(s, done) })
}

// stepUntil is step with a condition for "done".
func (p *stepper) stepUntil(what string, r recovery, done func(string) bool) string {
	p.t.Helper()
	for attempt := 0; ; attempt++ {
		s := p.waitDoneOrError(done)
		if done(s) {
			return s
		}
		p.clearOrFail(what, r, s)
		if attempt == maxRecoveries {
			p.t.Fatalf("%s: still failing after %d recoveries; screen:\n%s", what, attempt, s)
		}
		p.t.Logf("%s: recovering from: %s", what, errorTitle(s))
		p.press(r.keys...)
		if len(r.keys) == 0 {
			p.pump() // no key to press: let what is under way (the step's own key's answer) arrive before looking again
		}
	}
}

// clearOrFail fails the test unless the error on screen s is clear and
// names the recovery.
func (p *stepper) clearOrFail(what string, r recovery, s string) {
	p.t.Helper()
	if msg := clearError(s); msg != "" {
		p.t.Fatalf("%s: the error is not clear: %s; screen:\n%s", what, msg, s)
	}
	if r.hint != "" && !strings.Contains(strings.ToLower(flat(s)), strings.ToLower(r.hint)) {
		p.t.Fatalf("%s: the error does not say %q; screen:\n%s", what, r.hint, s)
	}
}

// waitDoneOrError waits until done, or until an error shows and nothing
// is busy any more (a retried request keeps the old error on screen while
// it runs).
func (p *stepper) waitDoneOrError(done func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := p.screen()
		if (done != nil && done(s)) || (showsError(s) && !busy(s)) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("timed out waiting for the step or an error; screen:\n%s", s)
		}
		p.pump()
	}
}

// forced makes one fault certain: f (on its route, every time) is added to
// the chaos, trigger runs, and the screen must show a clear error naming
// the recovery. Then the chaos alone goes on and the recovery completes
// the step. It returns the screen of the completed step.
func (p *stepper) forced(what string, f emulator.Fault, trigger func(), r recovery, done ...string) string {
	p.t.Helper()
	p.forceError(what, f, trigger, r)
	p.press(r.keys...)
	return p.step(what, r, done...)
}

// forceError adds f (every time) to the chaos, runs trigger, checks the
// error it causes and takes f away again; the error stays on screen.
func (p *stepper) forceError(what string, f emulator.Fault, trigger func(), r recovery) string {
	p.t.Helper()
	f.Rate = 1
	p.srv.SetFaults(append([]emulator.Fault{f}, chaosFaults()...))
	trigger()
	s := p.waitDoneOrError(nil)
	p.clearOrFail(what, r, s)
	p.t.Logf("%s: shows: %s", what, errorTitle(s))
	p.srv.SetFaults(chaosFaults())
	return s
}

func containsAll(s string, texts []string) bool {
	for _, x := range texts {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// flat joins wrapped lines and collapses blanks, so a phrase cut by the
// wrap or spread over columns is found whole.
func flat(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(strings.Trim(strings.TrimSpace(l), "│"))
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// nextRE is the "what to do next" line every explained error has (at the
// start of a line or of a pane).
var nextRE = regexp.MustCompile(`(?m)(^|│)\s*→ `)

// partialRE is a part of the access check Azure did not answer.
var partialRE = regexp.MustCompile(`(?m)^\s*! could not read`)

func showsError(s string) bool { return nextRE.MatchString(s) || partialRE.MatchString(s) }

// busy: a spinner turns, or a credential is being fetched.
func busy(s string) bool {
	return strings.ContainsAny(s, "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") || strings.Contains(s, "fetching…") || strings.Contains(s, "refreshing…")
}

// errorTitle is the first error on screen, in short (for the log).
func errorTitle(s string) string {
	if es := errorsOn(s); len(es) > 0 {
		return strings.Join(strings.Fields(es[0].said), " ")
	}
	return ""
}

var (
	// rawErrRE are Go and SDK error dumps that must never reach a person.
	rawErrRE = regexp.MustCompile(`RESPONSE \d{3}|ERROR CODE|-{20,}|%!|&\{|\(\*[a-z]+\.|0xc0|goroutine |panic|: EOF|unexpected EOF|` +
		`^context deadline exceeded|: context deadline exceeded|context canceled|http2: |net/http: |dial tcp|read tcp|write tcp|` +
		`(Get|Post|Put|Delete|Patch) "https?://`)
	// statusRE: the error names what Azure answered (a status or what it means).
	statusRE = regexp.MustCompile(`(?i)\b(408|429|500|502|503|504)\b|throttl|unavailable|dropped|timed out|expired|no answer|connection broke|did not answer`)
	// nextStepRE: the next step says how to get it done.
	nextStepRE = regexp.MustCompile(`(?i)retr|again|re-send|refresh|wait`)
)

// clearError says what is unclear about the errors on screen s ("" = clear):
// nothing on screen is a raw error dump, and each error says what Azure
// answered (near it: its title and detail above its next step) and how to
// get it done.
func clearError(s string) string {
	if m := rawErrRE.FindString(flat(s)); m != "" {
		return "a raw error dump (" + m + ")"
	}
	for _, e := range errorsOn(s) {
		if !statusRE.MatchString(e.said) {
			return "it does not say what Azure answered: " + e.said
		}
		if e.next != "" && !nextStepRE.MatchString(e.next) {
			return "the next step does not say how to get it done: " + e.next
		}
	}
	return ""
}

// shownError is an error on screen: what it says (title, detail and next
// step) and its next step alone.
type shownError struct{ said, next string }

// errorsOn finds the errors on screen: each "→ …" next step with the lines
// above it (title and detail) and its wrapped lines below, read from the
// same column (a pane's text), and each "! could not read" line.
func errorsOn(s string) []shownError {
	var out []shownError
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if partialRE.MatchString(lines[i]) {
			out = append(out, shownError{said: lines[i]})
			continue
		}
		loc := nextRE.FindStringIndex(lines[i])
		if loc == nil {
			continue
		}
		col := len([]rune(lines[i][:loc[0]]))
		from := func(l string) string {
			r := []rune(l)
			if col >= len(r) {
				return ""
			}
			return strings.TrimSpace(strings.Trim(strings.TrimSpace(string(r[col:])), "│"))
		}
		var above []string // up to the blank line above the error (a pane's wrap may be long)
		for j := i - 1; j >= max(i-10, 0) && from(lines[j]) != ""; j-- {
			above = append([]string{from(lines[j])}, above...)
		}
		next := from(lines[i])
		for i+1 < len(lines) && from(lines[i+1]) != "" && !nextRE.MatchString(lines[i+1]) {
			i++
			next += " " + from(lines[i])
		}
		out = append(out, shownError{said: strings.Join(append(above, next), " "), next: next})
	}
	return out
}

// Recoveries of the screens.
var (
	retryR      = recovery{hint: "R retries", keys: []string{"R"}}
	retryPerson = recovery{keys: []string{"enter"}} // the persona stays selected
)

// quitAt quits, then checks the faults really happened and that the state
// directory reloads with the last context at endpoint (in mlw-churn).
func (d *driver) quitAt(dir string, log *statusLog, endpoint string) state.Data {
	d.t.Helper()
	d.key("q")
	d.waitQuit()
	d.m.Close()
	want := churnProd
	want.Endpoint = endpoint
	data := reopenState(d.t, dir, want)
	metFaults(d.t, log)
	return data
}

// reopenState checks the state directory after the journey: it loads
// without a warning and holds where the user was.
func reopenState(t *testing.T, dir string, want state.Context) state.Data {
	t.Helper()
	st, warns, err := state.Open(dir)
	if err != nil || len(warns) > 0 {
		t.Fatalf("state after the journey: %v %v", err, warns)
	}
	d, warns := st.Load()
	if len(warns) > 0 {
		t.Fatalf("state after the journey: %v", warns)
	}
	got := d.Last
	got.Tenant, got.SubName, got.Identity = "", "", ""
	if got != want {
		t.Fatalf("last context %+v, want %+v", d.Last, want)
	}
	return d
}

var churnProd = state.Context{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Workspace: "mlw-churn"}

// Alice signs in as a persona (the token endpoint throttles her first try)
// and browses subscriptions › workspaces › endpoints › details while Azure
// throttles, fails and drops; access tokens expire on the way. The state
// directory holds where she was.
func TestFaultJourneySignInAndBrowse(t *testing.T) {
	d, _, log, dir := chaosDriver(t, 1, nav.Context{}, 120, 40)

	d.waitFor("Pick a persona")
	d.key("enter")
	d.waitFor("Alice Chen")
	d.key("/")
	d.typeText("alice")
	d.forced("persona sign-in", emulator.Fault{Route: "*/oauth2/v2.0/token", Status: 429, RetryAfter: 1},
		func() { d.key("enter", "enter") }, retryPerson, "Who you are", "alice@contoso.example")
	d.key("enter")
	d.step("subscriptions", retryR, "Contoso ML Production", "2 subscriptions")
	d.forced("workspaces", emulator.Fault{Route: "/subscriptions/*/workspaces", Status: 503},
		func() { d.key("enter") }, retryR, "Workspaces in Contoso ML Production", "mlw-churn")
	d.forced("endpoints", emulator.Fault{Route: "*/onlineEndpoints", Drop: true},
		func() { d.key("enter") }, retryR, "Endpoints in mlw-churn", "churn-key", "churn-aml", "churn-aad")
	// Back and forth until the access token has expired and been renewed
	// twice (every renewal is another token request, under the same chaos):
	// each round outlives the token.
	for renewed := log.issued() + 2; log.issued() < renewed; {
		d.advance(chaosOptions(0).AccessTokenLifetime)
		d.key("esc")
		d.step("workspaces again", retryR, "Workspaces in Contoso ML Production", "mlw-fraud")
		d.key("R")
		d.step("workspaces refreshed", retryR, "Workspaces in Contoso ML Production", "mlw-fraud")
		d.key("enter")
		d.step("endpoints again", retryR, "Endpoints in mlw-churn", "churn-aml")
	}
	d.key("/")
	d.typeText("aml")
	d.key("enter", "enter")
	d.step("details", retryR, "Endpoint churn-aml", "Scoring URI", "Deployments and traffic", "blue", "green")
	d.quitAt(dir, log, "churn-aml")
}

// afterSignIn: the flags' context opened (the stack is deeper than sign-in).
func (d *driver) afterSignIn(string) bool { return len(d.m.Stack()) > 1 }

// onTop: the screen titled title is on top of the stack.
func (d *driver) onTop(title string) func(string) bool {
	return func(string) bool { st := d.m.Stack(); return st[len(st)-1] == title }
}

// signInTo signs in as persona under chaos and waits for the flags' start
// context to open (its screens load under the same chaos).
func (d *driver) signInTo(persona string, done ...string) {
	d.t.Helper()
	d.waitFor("Pick a persona")
	d.key("enter")
	d.waitFor("Alice Chen")
	d.key("/")
	d.typeText(persona)
	d.key("enter", "enter")
	d.stepUntil(persona+" signs in", retryPerson, d.afterSignIn)
	d.step("the start context", retryR, done...)
}

var (
	retryRecheck = recovery{hint: "R re-checks", keys: []string{"R"}}
	retryAssign  = recovery{hint: "y retries", keys: []string{"y"}}
	retryCreate  = recovery{hint: "enter retries", keys: []string{"enter"}}
)

// noPartial: a verdict read whole (a part Azure did not answer says
// "could not read" and is an error to recover from).
func noPartial(s string) bool { return !strings.Contains(s, "could not read") }

// Olivia checks Bob's access to churn-key under chaos (the role assignments
// read fails once for sure), assigns the role that grants the keys (the
// PUT is throttled once for sure) and verifies it: pending while Azure may
// still be applying it, effective once the propagation window has passed.
func TestFaultJourneyCheckAssignVerify(t *testing.T) {
	d, _, log, dir := chaosDriver(t, 2, churn("churn-key"), 140, 45)
	d.signInTo("olivia", "Endpoint churn-key", "Scoring URI", "c check access")
	d.key("c")
	d.waitFor("Check access", "1 Who")
	d.typeText("bob")
	d.forced("search bob", emulator.Fault{Route: "/graph/*", Status: 503}, func() { d.key("enter") },
		recovery{hint: "enter retries", keys: []string{"enter"}}, "Bob Reyes <bob@contoso.example>")
	d.key("down", "down", "enter") // me, the endpoint's identity, then Bob
	d.waitFor("LEVEL", "endpoint")
	d.key("enter")
	d.waitFor("Get the keys (key)")
	d.forceError("check bob", emulator.Fault{Route: "*/roleAssignments", Method: "GET", Status: 500}, func() { d.key("enter") }, retryRecheck)
	d.key("R")
	verdict := func(s string) bool {
		return noPartial(s) && containsAll(s, []string{"✗   Get the keys (key)", "✓   Read online endpoints"})
	}
	s := d.stepUntil("check bob", retryRecheck, verdict)
	if !strings.Contains(s, "Reader at subscription") {
		t.Errorf("the read verdict should name Bob's Reader assignment:\n%s", s)
	}
	for i := 0; i < 10 && !strings.Contains(d.screen(), "Get the keys (key)  Microsoft."); i++ {
		d.key("down")
	}
	d.waitFor("assign one of: AzureML Data Scientist", "A opens the assign wizard")
	d.key("A")
	d.waitFor("Assign a role", "Choose the role")
	d.key("enter")
	d.waitFor("Choose where to assign it")
	d.key("enter")
	d.waitFor("Review", "az role assignment create")
	d.forced("assign", emulator.Fault{Route: "*/roleAssignments/*", Method: "PUT", Status: 429, RetryAfter: 1}, func() { d.key("y") },
		retryAssign, "assigned ✓ (listed by Azure)")
	d.key("enter")
	// Someone else's new grant is not promised while Azure may still be applying it.
	d.stepUntil("verify", retryRecheck, func(s string) bool { return noPartial(s) && strings.Contains(s, "⧖   Get the keys (key)") })
	// Once the propagation window has passed, the re-check promises it.
	d.advance(10 * time.Minute)
	d.key("R")
	d.stepUntil("verify after propagation", retryRecheck, func(s string) bool { return noPartial(s) && strings.Contains(s, "✓   Get the keys (key)") })
	d.quitAt(dir, log, "churn-key")
}

// Alice creates an endpoint under chaos (its create request is throttled
// once for sure), then one whose provisioning fails: the failure says why,
// and enter (once Azure provisions again) creates it.
func TestFaultJourneyCreateEndpoint(t *testing.T) {
	d, _, log, dir := chaosDriver(t, 3, churnWS, 120, 40)
	d.signInTo("alice", "Endpoints in mlw-churn", "churn-key", "churn-aad")

	create := func(name string) {
		d.key("n")
		// The permission check before the wizard: allowed, or (a part of it
		// unanswered) a warning that does not stop the create.
		d.stepUntil("create gate", retryR, func(s string) bool {
			return strings.Contains(s, "New endpoint in mlw-churn") &&
				(strings.Contains(s, "✓ You may create endpoints here") || strings.Contains(s, "? Could not tell whether you may create endpoints"))
		})
		d.typeText(name)
		d.waitFor("✓ " + name + " is a valid name")
		d.key("enter", "enter", "enter", "enter") // name, description, tags, Managed
		d.waitFor("How callers authenticate")
		d.key("up") // aad_token
		d.key("enter")
		d.step("identities", retryR, "Which identity it runs as", "id-churn-scoring")
		d.key("enter") // system-assigned
		d.waitFor("endpoint.yml (y)", "az CLI (a)")
	}
	create("churn-v2")
	d.forceError("create", emulator.Fault{Route: "*/onlineEndpoints/churn-v2", Method: "PUT", Status: 429, RetryAfter: 1}, func() { d.key("enter") }, retryCreate)
	d.key("enter")
	d.stepUntil("create", retryCreate, d.onTop("Endpoint")) // the wizard gives way to the new endpoint
	d.step("the new endpoint", retryR, "Endpoint churn-v2", "✓ Succeeded")
	d.key("esc")
	d.step("the list after the create", retryR, "churn-v2", "churn-key")

	// A provisioning that fails: Azure's reason shows, the wizard stays.
	d.srv.SetFaults(append([]emulator.Fault{{Route: "*/onlineEndpoints/churn-v3", Method: "PUT", LROFail: true, Rate: 1}}, chaosFaults()...))
	create("churn-v3")
	d.key("enter")
	s := d.stepUntil("failed provisioning", retryCreate, func(s string) bool { return strings.Contains(s, "Provisioning failed") && !busy(s) })
	if m := rawErrRE.FindString(flat(s)); m != "" {
		t.Fatalf("the failed provisioning shows a raw error (%s):\n%s", m, s)
	}
	// Azure's own reason (the operation's error), and what to do.
	for _, want := range []string{"Provisioning failed: creating endpoint 'churn-v3' failed", "InternalServerError: Provisioning online endpoint 'churn-v3' failed",
		"state Failed", "create it again with the same settings to retry", "enter retries the create"} {
		if !strings.Contains(flat(s), want) {
			t.Fatalf("the failed provisioning should say %q:\n%s", want, s)
		}
	}
	if st := d.m.Stack(); st[len(st)-1] != "New endpoint" {
		t.Fatalf("a failure keeps the wizard: %v", st)
	}
	d.srv.SetFaults(chaosFaults()) // Azure provisions again: the retry succeeds
	d.key("enter")
	d.stepUntil("create again", retryCreate, d.onTop("Endpoint"))
	d.step("the new endpoint", retryR, "Endpoint churn-v3", "✓ Succeeded")
	d.quitAt(dir, log, "churn-v3")
}

// worldKeys reads an endpoint's keys straight from the simulated Azure
// (not through its faulty front door).
func worldKeys(srv *emulator.Server, endpoint string) (primary, secondary string) {
	srv.Mutate(func(w *emulator.World) {
		for _, e := range w.Endpoints {
			if e.Name == endpoint && e.Workspace == "mlw-churn" {
				primary, secondary = e.PrimaryKey, e.SecondaryKey
			}
		}
	})
	return primary, secondary
}

// expiresAt reads the AML token's expiry clock from the credentials screen.
var expiresAtRE = regexp.MustCompile(`Expires\s+in [0-9:]+ · at ([0-9:]{8})`)

func expiresAt(s string) string {
	if m := expiresAtRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// openEndpoint goes from an endpoint's details to another endpoint of the
// list (esc, filter, open).
func (d *driver) openEndpoint(name string) {
	d.t.Helper()
	d.key("esc")
	if strings.Contains(d.screen(), "esc clears") {
		d.key("esc") // the filter kept from before
	}
	d.step("endpoints", retryR, "Endpoints in mlw-churn", name)
	d.key("/")
	d.typeText(name)
	d.key("enter", "enter")
	d.step("details of "+name, retryR, "Endpoint "+name, "Scoring URI", "keys & tokens")
}

// Alice reveals churn-key's keys (the listKeys call fails once for sure)
// and watches churn-aml's AML token renew itself across its expiry (one
// renewal is throttled for sure: the old token stays in use, R renews).
func TestFaultJourneyCredentials(t *testing.T) {
	t.Setenv("TEA_TRACE", "")
	d, srv, log, dir := chaosDriver(t, 4, churn("churn-key"), 120, 40)
	d.signInTo("alice", "Endpoint churn-key", "Scoring URI", "keys & tokens")

	d.forced("keys", emulator.Fault{Route: "*/onlineEndpoints/churn-key/listKeys", Status: 502}, func() { d.key("k") },
		retryR, "Credentials · churn-key", "Primary key", "r reveals for 30s")
	primary, _ := worldKeys(srv, "churn-key")
	if strings.Contains(d.screen(), primary) {
		t.Fatal("keys must open masked")
	}
	d.key("r")
	if got := revealed(t, d.waitFor("revealed", "hides in 30s")); got != primary {
		t.Fatalf("revealed %.6s…, want the primary key", got)
	}
	d.key("esc")
	d.step("details", retryR, "Endpoint churn-key", "keys & tokens")

	d.openEndpoint("churn-aml")
	d.key("k")
	s := d.stepUntil("AML token", retryR, func(s string) bool {
		return containsAll(s, []string{"Credentials · churn-aml", "auto-refresh on"}) && expiresAt(s) != ""
	})
	first := expiresAt(s)
	// The first renewal, due half-way through the token's life, is
	// throttled: the screen says so, keeps the token and R renews it.
	renewal := chaosOptions(0).AMLTokenLifetime / 2
	d.forceError("AML token renewal", emulator.Fault{Route: "*/onlineEndpoints/churn-aml/token", Status: 429, RetryAfter: 1},
		func() { d.advance(renewal) }, retryR)
	if s := flat(d.screen()); !strings.Contains(s, "the current token stays in use until it expires") && !strings.Contains(s, "EXPIRED") {
		t.Fatalf("a failed renewal should say what happens to the token:\n%s", d.screen())
	}
	d.key("R")
	s = d.stepUntil("AML token renewed", retryR, func(s string) bool { e := expiresAt(s); return e != "" && e != first })
	// And once more by itself when the renewed token is due, before it
	// expires: the renewals carry the credential across its expiries.
	second := expiresAt(s)
	d.advance(renewal)
	d.stepUntil("AML token renewed again", retryR, func(s string) bool { e := expiresAt(s); return e != "" && e != second && e != first })
	d.quitAt(dir, log, "churn-aml")
}

// credReady: the request editor has its credential, or says why not.
func credReady(s string) bool {
	return strings.Contains(s, "Credential") && (strings.Contains(s, "••••••••") || strings.Contains(s, "✗ "))
}

// sendUntilAnswered opens the request editor and sends the sample until
// the model answers; a failed send must explain itself, and ctrl+s sends
// again.
func (d *driver) sendUntilAnswered(endpoint string) string {
	d.t.Helper()
	d.key("t")
	s := d.stepUntil("request editor of "+endpoint, recovery{keys: []string{"a", "enter"}}, credReady)
	if strings.Contains(s, "✗ ") && !strings.Contains(flat(s), "ctrl+s fetches it again and sends") {
		d.t.Fatalf("a credential that could not be fetched must say how to get it:\n%s", s)
	}
	if !strings.Contains(s, "✗ ") {
		// The token expires while the request is edited: the send renews it.
		d.advance(chaosOptions(0).AMLTokenLifetime)
		d.waitFor("expired: refreshed on send")
	}
	d.ctrl('s')
	return d.stepUntil("send to "+endpoint, recovery{keys: []string{"ctrl+s"}}, func(s string) bool {
		return containsAll(s, []string{"200 OK", "answered by"}) && !busy(s)
	})
}

// Alice sends the sample to churn-key (key), churn-aml (AML token) and
// churn-aad (Entra token) under chaos, each token expired while the request
// is edited and renewed on send; the first
// send is answered 503 for sure, its diagnosis says so, and ctrl+s sends
// again. The history survives on disk.
func TestFaultJourneyScore(t *testing.T) {
	d, _, log, dir := chaosDriver(t, 15, churn("churn-key"), 120, 40)
	d.signInTo("alice", "Endpoint churn-key", "Scoring URI", "test request")

	d.key("t")
	d.stepUntil("request editor", recovery{}, credReady)
	d.forced("send", emulator.Fault{Route: "/inference/*", Status: 503}, func() { d.ctrl('s') },
		recovery{keys: []string{"ctrl+s"}}, "200 OK", "answered by")
	d.key("esc")
	d.step("details", retryR, "Endpoint churn-key")
	for _, ep := range []string{"churn-aml", "churn-aad"} {
		d.openEndpoint(ep)
		d.sendUntilAnswered(ep)
		d.key("esc")
	}
	data := d.quitAt(dir, log, "churn-aad")
	for _, ep := range []string{"churn-key", "churn-aml", "churn-aad"} {
		h := data.HistoryOf(churn(ep).ID())
		if len(h) == 0 || h[0].Status != 200 {
			t.Fatalf("history of %s should end with the answered request: %+v", ep, h)
		}
	}
}

// framed is the real Model in a tea.Program that keeps the last frame it
// drew: teatest's output is a stream of partial redraws, the frame is
// what a person sees. A mark sent after keys tells when the frame shows
// what the keys did (the program handles messages in order).
type framed struct {
	*Model
	f *frames
}

type frames struct {
	mu     sync.Mutex
	frame  string
	marked int // the last mark handled
	drawn  int // the last mark handled before the frame was drawn
}

type frameMark int

func (f framed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m, ok := msg.(frameMark); ok {
		f.f.mu.Lock()
		f.f.marked = int(m)
		f.f.mu.Unlock()
		return f, nil
	}
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f framed) View() tea.View {
	v := f.Model.View()
	f.f.mu.Lock()
	f.f.frame, f.f.drawn = ansi.Strip(v.Content), f.f.marked
	f.f.mu.Unlock()
	return v
}

// teaStepper drives tm like the driver: press waits until the frame shows
// what the keys did.
func teaStepper(t *testing.T, srv *emulator.Server, tm *teatest.TestModel, f *frames) *stepper {
	marks := 0
	return &stepper{t: t, srv: srv,
		screen: func() string { f.mu.Lock(); defer f.mu.Unlock(); return f.frame },
		pump:   func() { time.Sleep(20 * time.Millisecond) },
		press: func(keys ...string) {
			for _, k := range keys {
				if k == "ctrl+s" {
					tm.Send(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
				} else {
					tm.Send(keyMsg(k))
				}
			}
			marks++
			tm.Send(frameMark(marks))
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				f.mu.Lock()
				drawn := f.drawn
				f.mu.Unlock()
				if drawn >= marks {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("no frame drawn after %q", keys)
				}
			}
		}}
}

// The device-code sign-in, the start context and a scoring request through
// a real tea.Program under chaos (the device-code request is throttled and
// the first send fails, for sure); after q the terminal is given back:
// alternate screen left, cursor shown, mouse and focus reports off.
func TestFaultTeatestDeviceCodeToScore(t *testing.T) {
	hermetic(t)
	dir := t.TempDir()
	o := chaosOptions(6)
	o.AutoApprove = "alice"
	srv, env, log, _ := startChaos(t, o)
	env.Store = newStore(t, dir)
	f := &frames{}
	tm := teatest.NewTestModel(t, framed{Model: New(Options{Env: env, Start: churn("churn-key")}), f: f}, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII), tea.WithEnvironment([]string{"TERM=xterm-256color"})))
	p := teaStepper(t, srv, tm, f)
	p.stepUntil("start", recovery{}, func(s string) bool { return strings.Contains(s, "Sign in to Azure") })
	p.press("/")
	for _, r := range "short code" {
		p.press(string(r))
	}
	// A failed sign-in goes back to the method list, device code selected:
	// enter starts a new one.
	p.forced("device code", emulator.Fault{Route: "*/oauth2/v2.0/devicecode", Status: 429, RetryAfter: 1}, func() { p.press("enter", "enter") },
		recovery{hint: "enter retries", keys: []string{"enter"}}, "Endpoint churn-key", "Calling it")
	p.press("t")
	p.stepUntil("request editor", recovery{keys: []string{"a", "enter"}}, credReady)
	p.forced("send", emulator.Fault{Route: "/inference/*", Status: 500}, func() { p.press("ctrl+s") },
		recovery{keys: []string{"ctrl+s"}}, "200 OK", "answered by")
	tm.Send(keyMsg("q")) // not press: no frame follows a quit
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(framed)
	if st := final.Stack(); st[len(st)-1] != "Test request" {
		t.Fatalf("stack %v", st)
	}
	out, err := io.ReadAll(tm.FinalOutput(t))
	if err != nil {
		t.Fatal(err)
	}
	// Each mode the app turned on is turned off after its last switch-on.
	for _, mode := range []struct{ name, on, off string }{
		{"alternate screen", "\x1b[?1049h", "\x1b[?1049l"},
		{"hidden cursor", "\x1b[?25l", "\x1b[?25h"},
		{"mouse reports", "\x1b[?1002h", "\x1b[?1002l"},
		{"focus reports", "\x1b[?1004h", "\x1b[?1004l"},
	} {
		on, off := bytes.LastIndex(out, []byte(mode.on)), bytes.LastIndex(out, []byte(mode.off))
		if on < 0 || off < on {
			t.Errorf("%s not given back after quit (last on at %d, last off at %d)", mode.name, on, off)
		}
	}
	want := churnProd
	want.Endpoint = "churn-key"
	reopenState(t, dir, want)
	metFaults(t, log)
}
