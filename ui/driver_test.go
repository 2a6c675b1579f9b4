package ui

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// driver is a tiny message pump: commands run in goroutines as in a real
// program, their messages come back through one channel, and the test
// waits on what the screen shows. No terminal, no timing assertions.
type driver struct {
	t    *testing.T
	m    *Model
	srv  *emulator.Server
	msgs chan tea.Msg
	quit bool
	// interrupted: the quit was an interrupt (ctrl+c): the program exits 130.
	interrupted bool
	// clock is the time the simulated Azure and the app share, when the
	// test moves it (advance); nil when they run on a SkipClock.
	clock *clock
}

// advance moves the shared clock d forward: the time a journey would wait
// for passes at once, and what is due on the clock (ticks, expiries) happens.
func (d *driver) advance(by time.Duration) {
	d.t.Helper()
	if d.clock == nil {
		d.t.Fatal("advance: this driver has no clock of its own")
	}
	d.clock.add(by)
	d.pump(0)
}

func startEmulator(t *testing.T, o emulator.Options) (*emulator.Server, nav.Env) {
	t.Helper()
	if o.SigningKey == nil {
		o.SigningKey = testSigningKey()
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = time.Second // the demo's pace, not Azure's 10 s (the operation tests count polls at it)
	}
	// Operations wait on a clock that skips ahead (emulator.SkipClock),
	// unless the test brings its own (Options.Now).
	var clock *emulator.SkipClock
	if o.Now == nil {
		clock = &emulator.SkipClock{}
		o.Now = clock.Now
	}
	srv, err := emulator.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg, err := azure.EmulatorConfig(srv.URL(), srv.CAPEM(), srv.TenantID())
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's retries keep their count (what the app does on a 429 or a
	// 503 is the same) but not their seconds of back-off.
	cfg.Retry = policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond}
	if clock != nil {
		cfg.Polling = azure.Polling{Now: clock.Now, Wait: clock.Wait}
	}
	var ps []azure.Persona
	for _, p := range srv.Personas() {
		ps = append(ps, azure.Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password, Story: p.Story})
	}
	return srv, nav.Env{Config: cfg, Demo: true, Personas: ps, ApproveDeviceCode: srv.ApproveDeviceCode}
}

// hermetic makes the method list independent of the machine (no az, no AZURE_* variables).
func hermetic(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
}

func newDriver(t *testing.T, o Options, srv *emulator.Server, w, h int) *driver {
	t.Helper()
	d := &driver{t: t, m: New(o), srv: srv, msgs: make(chan tea.Msg, 256)}
	t.Cleanup(d.m.Close) // no state write may outlive the test's temp dir
	d.update(tea.WindowSizeMsg{Width: w, Height: h})
	d.exec(d.m.Init())
	return d
}

func newStore(t *testing.T, dir string) *state.Store {
	t.Helper()
	s, _, err := state.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				d.exec(c)
			}
			return
		}
		if msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *driver) update(msg tea.Msg) {
	switch msg.(type) {
	case tea.QuitMsg:
		d.quit = true
		return
	case tea.InterruptMsg:
		d.quit, d.interrupted = true, true
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// screen is the frame as plain text.
func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// key sends keys by name ("enter", "esc", "down", "ctrl+c") or literal text.
func (d *driver) key(keys ...string) {
	for _, k := range keys {
		d.update(keyMsg(k))
		d.pump(0)
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.key(string(r))
	}
}

// pump handles the messages that are ready, waiting up to wait for the first.
func (d *driver) pump(wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case msg := <-d.msgs:
			d.update(msg)
			wait = 0
		case <-timer.C:
			return
		default:
			if wait == 0 {
				return
			}
			select {
			case msg := <-d.msgs:
				d.update(msg)
			case <-timer.C:
				return
			}
		}
	}
}

// waitFor pumps messages until every text is on screen (or fails after 20 s).
func (d *driver) waitFor(texts ...string) string {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := d.screen()
		all := true
		for _, x := range texts {
			if !strings.Contains(s, x) {
				all = false
				break
			}
		}
		if all {
			return s
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %q; screen:\n%s", texts, s)
		}
		d.pump(50 * time.Millisecond)
	}
}

// waitQuit pumps until the model asked to quit.
func (d *driver) waitQuit() {
	d.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !d.quit {
		if time.Now().After(deadline) {
			d.t.Fatalf("the app did not quit; screen:\n%s", d.screen())
		}
		d.pump(20 * time.Millisecond)
	}
}

// testSigningKey is one RSA key for every server this test binary starts:
// generating one per server was most of the suite's time.
var testSigningKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// signInAs walks the persona picker of the demo.
func (d *driver) signInAs(persona string) {
	d.t.Helper()
	d.waitFor("Pick a persona")
	d.key("enter")
	d.waitFor("Alice Chen")
	d.key("/")
	d.typeText(persona)
	d.key("enter", "enter")
}

// signInToCard signs in as persona and waits for the identity card (no
// start context).
func (d *driver) signInToCard(persona string) {
	d.t.Helper()
	d.signInAs(persona)
	d.waitFor("Who you are")
}

// clock is a settable time shared by the simulated Azure and the UI. It
// moves only when the test moves it (add) or a client waits on it (Wait:
// a polling interval or a retry's back-off passes at once, as with
// emulator.SkipClock); ticks on it (every) fire as it passes them.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	moved chan struct{} // closed when t moves (made by whoever waits)
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	c.mu.Unlock()
}

// Wait moves the clock d forward at once (azure.Polling.Wait).
func (c *clock) Wait(ctx context.Context, d time.Duration) error {
	c.add(d)
	return ctx.Err()
}

// every is tea.Every on the clock (nav.Env.Ticks): the tick fires when the
// clock reaches the next multiple of d after the moment it was asked for
// (in Update, so a move right after it is seen), or never once done ends.
func (c *clock) every(done <-chan struct{}) func(time.Duration, func(time.Time) tea.Msg) tea.Cmd {
	return func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		at := c.Now().Truncate(d).Add(d)
		return func() tea.Msg {
			for {
				c.mu.Lock()
				now := c.t
				if c.moved == nil {
					c.moved = make(chan struct{})
				}
				moved := c.moved
				c.mu.Unlock()
				if !now.Before(at) {
					return fn(now)
				}
				select {
				case <-moved:
				case <-done:
					return nil
				}
			}
		}
	}
}
