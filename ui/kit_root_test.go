package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/nav/navtest"
)

// probe is a minimal kit screen that records what reaches it.
type probe struct {
	nav.Kit
	name   string
	got    []tea.Msg
	closed bool
}

func newProbe(env *nav.Env, name string) *probe { return &probe{Kit: nav.NewKit(env), name: name} }

func (p *probe) Init() tea.Cmd { return nil }
func (p *probe) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	p.got = append(p.got, msg)
	return p, nil
}
func (p *probe) View(w, h int) string { return p.name }
func (p *probe) Title() string        { return p.name }
func (p *probe) Keys() []key.Binding  { return nil }
func (p *probe) Typing() bool         { return false }
func (p *probe) Close()               { p.closed = true; p.Kit.Close() }

type removeIt struct{ id string }

func (p *probe) count(want tea.Msg) int {
	n := 0
	for _, m := range p.got {
		if m == want {
			n++
		}
	}
	return n
}

func sized(t *testing.T) *Model {
	t.Helper()
	m := New(Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

// Two screens of the same kind on the stack: the confirm reply reaches
// only the one that asked (before the kit, both removed the assignment).
func TestConfirmReplyReachesOnlyTheAsker(t *testing.T) {
	m := sized(t)
	a, b := newProbe(m.env, "a"), newProbe(m.env, "b")
	m.Update(nav.PushMsg{Screen: a})
	m.Update(nav.PushMsg{Screen: b})
	yes := removeIt{id: "x"}
	m.Update(a.Confirm("Remove?", "", "Remove", yes)())
	m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if a.count(yes) != 1 || b.count(yes) != 0 {
		t.Fatalf("reply delivered to asker %d times, to the other %d times", a.count(yes), b.count(yes))
	}

	// The asker left before the user answered: nobody gets the reply.
	m.Update(b.Confirm("Remove?", "", "Remove", yes)())
	m.Update(nav.PopMsg{})
	m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if a.count(yes) != 1 || b.count(yes) != 0 {
		t.Fatalf("reply of a dropped screen delivered: a=%d b=%d", a.count(yes), b.count(yes))
	}
	if !b.closed {
		t.Fatal("popped screen not closed")
	}

	// A confirm nobody addressed is not broadcast: there is no such path.
	m.Update(nav.ConfirmMsg{Title: "Remove?", OnYes: yes})
	m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if a.count(yes) != 1 {
		t.Fatalf("an unaddressed reply reached a screen: a=%d", a.count(yes))
	}
}

// Every way the root drops screens closes them.
func TestRootClosesEveryDroppedScreen(t *testing.T) {
	m := sized(t)
	m.env.Session = &azure.Session{}
	a, b := newProbe(m.env, "a"), newProbe(m.env, "b")
	m.Update(nav.PushMsg{Screen: a})
	m.Update(nav.PushMsg{Screen: b})
	c := newProbe(m.env, "c")
	m.Update(nav.ReplaceMsg{Screen: c})
	if !b.closed || a.closed {
		t.Fatalf("replace: replaced closed=%v, below closed=%v", b.closed, a.closed)
	}

	// Palette: "Identity" jumps to the bottom screen.
	m.Update(tea.KeyPressMsg{Code: ':', Text: ":"})
	for _, r := range "Identity" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !a.closed || !c.closed || len(m.stack) != 1 {
		t.Fatalf("palette jump: closed a=%v c=%v, stack %v", a.closed, c.closed, m.Stack())
	}

	// Palette: "Sign in again" drops the whole stack, sign-in screen included.
	d := newProbe(m.env, "d")
	m.Update(nav.PushMsg{Screen: d})
	m.Update(tea.KeyPressMsg{Code: ':', Text: ":"})
	for _, r := range "Sign in again" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !d.closed || len(m.stack) != 1 || m.env.Session != nil {
		t.Fatalf("sign in again: closed=%v, stack %v", d.closed, m.Stack())
	}
}

// formProbe is a screen with input that quitting would lose.
type formProbe struct {
	*probe
	keys []key.Binding
}

func (f formProbe) Discards() string    { return "the new endpoint churn-v2" }
func (f formProbe) Keys() []key.Binding { return f.keys }
func (f *formProbe) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	f.probe.Update(msg)
	return f, nil
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch cmd().(type) {
	case tea.QuitMsg, tea.InterruptMsg: // ctrl+c quits as an interrupt (exit status 130)
		return true
	}
	return false
}

func press(m *Model, k string) tea.Cmd {
	_, cmd := m.Update(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
	return cmd
}

func TestTooSmallScreenIgnoresKeysButCtrlC(t *testing.T) {
	m := sized(t)
	p := newProbe(m.env, "p")
	m.Update(nav.PushMsg{Screen: p})
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	p.got = nil
	for _, k := range []string{"q", ":", "?", "x"} {
		if cmd := press(m, k); cmd != nil {
			t.Fatalf("%s acted behind the too-small notice", k)
		}
	}
	m.Update(tea.MouseClickMsg{X: 5, Y: 5, Button: tea.MouseLeft})
	if len(p.got) != 0 || m.palette != nil || m.overlay.help {
		t.Fatalf("the hidden UI got input: %v", p.got)
	}
	if _, cmd := m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}); !isQuit(cmd) {
		t.Fatal("ctrl+c must still quit")
	}
}

func TestCtrlLRedraws(t *testing.T) {
	m := sized(t)
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl})
	if cmd == nil || fmt.Sprintf("%T", cmd()) != fmt.Sprintf("%T", tea.ClearScreen()) {
		t.Fatal("ctrl+l does not clear and redraw the screen")
	}
}

func TestQOnAFormAsksBeforeDiscarding(t *testing.T) {
	m := sized(t)
	f := &formProbe{probe: newProbe(m.env, "New endpoint")}
	m.Update(nav.PushMsg{Screen: f})
	if isQuit(press(m, "q")) || m.overlay.confirm == nil || !strings.Contains(m.overlay.confirm.Title, "discard the new endpoint churn-v2") {
		t.Fatalf("q quit without asking: %+v", m.overlay.confirm)
	}
	press(m, "n")
	if m.overlay.confirm != nil || len(m.stack) != 2 {
		t.Fatal("n does not keep the form")
	}
	press(m, "q")
	if !isQuit(press(m, "y")) {
		t.Fatal("y does not quit")
	}
}

func TestQuitConfirmNeverNamesAFinishedOperation(t *testing.T) {
	m := sized(t)
	op := &azure.Operation{Kind: "create"}
	m.Update(nav.TrackMsg{Op: op, Label: "Create churn-v2"})
	press(m, "q")
	if c := m.overlay.confirm; c == nil || !strings.Contains(c.Body, "Create churn-v2") {
		t.Fatalf("quit does not ask while running: %+v", c)
	}
	m.Update(nav.OperationMsg{Op: op, Label: "Create churn-v2", Progress: azure.Progress{State: "Succeeded", Done: true}})
	if c := m.overlay.confirm; c == nil || strings.Contains(c.Body, "Create churn-v2") || !strings.Contains(c.Title, "finished") {
		t.Fatalf("the confirmation still names the finished operation: %+v", c)
	}
	if !isQuit(press(m, "y")) {
		t.Fatal("y does not quit")
	}
}

func TestFooterKeepsKeysWholeAndPointsToHelp(t *testing.T) {
	m := sized(t)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	var ks []key.Binding
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		ks = append(ks, key.NewBinding(key.WithKeys(k), key.WithHelp(k, "does something long "+k)))
	}
	m.Update(nav.PushMsg{Screen: &formProbe{probe: newProbe(m.env, "p"), keys: ks}})
	f := ansi.Strip(m.footer())
	if strings.Contains(f, "…") || !strings.HasSuffix(strings.TrimSpace(f), "? more keys") || ansi.StringWidth(f) > 80 {
		t.Fatalf("footer: %q", f)
	}
	if !strings.Contains(f, "does something long a") {
		t.Fatalf("the first keys are not shown: %q", f)
	}
}

// The error details show Azure's request and correlation ids and copy them.
func TestErrorDetailsShowAndCopyRequestIDs(t *testing.T) {
	m := sized(t)
	h := http.Header{}
	h.Set("x-ms-request-id", "req-123")
	h.Set("x-ms-correlation-request-id", "corr-456")
	re := &azcore.ResponseError{StatusCode: 500, ErrorCode: "InternalServerError",
		RawResponse: &http.Response{StatusCode: 500, Header: h, Request: &http.Request{URL: &url.URL{Host: "management.azure.com"}}}}
	m.Update(nav.ErrorMsg{Title: "Listing endpoints", Err: azure.Classify(re)})
	v := ansi.Strip(m.dialog())
	for _, want := range []string{"req-123", "corr-456", "y copies the ids"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in the error details:\n%s", want, v)
		}
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	var copied string
	for _, msg := range navtest.Msgs(cmd) {
		if fmt.Sprintf("%T", msg) == fmt.Sprintf("%T", tea.SetClipboard("")()) { // its type is not exported
			copied = fmt.Sprint(msg)
		}
	}
	if !strings.Contains(copied, "req-123") || !strings.Contains(copied, "corr-456") {
		t.Fatalf("y did not copy the ids: %q", copied)
	}
}

// Every overlay fits the terminal, whatever its width (down to 40 columns):
// the error details with Azure's long message and the support ids, a
// confirm with a long command, the keys. Text wraps; nothing is lost, and
// at 80x24 the error details are drawn whole, right border included.
func TestOverlaysFitTheTerminalWidth(t *testing.T) {
	hermetic(t) // the golden's sign-in list behind the overlay does not depend on this machine
	const assignment = "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b/providers/Microsoft.Authorization/roleAssignments/ba3ca2e1-0281-4061-b357-b3a33bc1faa6"
	h := http.Header{}
	h.Set("x-ms-request-id", "a345f43c-09cd-4a27-8eb6-7eb13d3393d6")
	h.Set("x-ms-correlation-request-id", "b456f43c-09cd-4a27-8eb6-7eb13d3393d7")
	re := &azcore.ResponseError{StatusCode: 403, ErrorCode: "AuthorizationFailed",
		RawResponse: &http.Response{StatusCode: 403, Header: h, Request: &http.Request{URL: &url.URL{Host: "management.azure.com"}}}}
	squash := func(s string) string {
		s = strings.NewReplacer("│", "", "╭", "", "╮", "", "╰", "", "╯", "", "─", "").Replace(ansi.Strip(s))
		return strings.Join(strings.Fields(s), "")
	}
	for _, w := range []int{40, 60, 80, 100, 120} {
		m := New(Options{})
		m.Update(tea.WindowSizeMsg{Width: w, Height: 40})
		// name: how it opens, and text it must show whole
		overlays := map[string]struct {
			open func()
			want string
		}{
			"error details": {func() { m.Update(nav.ErrorMsg{Title: "Removing the role assignment", Err: azure.Classify(re)}) },
				"x-ms-correlation-request-id):b456f43c-09cd-4a27-8eb6-7eb13d3393d7"},
			"confirm": {func() {
				m.Update(nav.ConfirmMsg{Title: "Remove this role assignment?", Body: "az role assignment delete --ids " + assignment, Yes: "Remove"})
			}, "--ids" + assignment},
			"keys": {func() { m.overlay.help = true }, squash(escRule)}, // set: below 80 columns keys are ignored
		}
		for name, o := range overlays {
			m.overlay = overlay{}
			o.open()
			d := m.dialog()
			if d == "" {
				t.Fatalf("%d columns: the %s did not open", w, name)
			}
			for i, l := range strings.Split(d, "\n") {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("%d columns: line %d of the %s is %d cells wide:\n%s", w, i, name, lw, ansi.Strip(d))
					break
				}
			}
			if !strings.Contains(squash(d), o.want) {
				t.Errorf("%d columns: the %s lost %q:\n%s", w, name, o.want, ansi.Strip(d))
			}
		}
	}
	m := New(Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(nav.ErrorMsg{Title: "Removing the role assignment", Err: azure.Classify(re)})
	golden.RequireEqual(t, ansi.Strip(m.render()))
}

// Screens lay out in Update: each gets the content area as it arrives and
// on every resize; a screen another is pushed over is told (it re-masks).
func TestScreensGetTheirSizeAndLearnWhenCovered(t *testing.T) {
	m := sized(t) // 100x30: the content area is 100x27
	a := newProbe(m.env, "a")
	m.Update(nav.PushMsg{Screen: a})
	if a.count(nav.SizeMsg{Width: 100, Height: 27}) != 1 {
		t.Fatalf("a pushed screen did not get its size: %v", a.got)
	}
	b := newProbe(m.env, "b")
	m.Update(nav.PushMsg{Screen: b})
	if a.count(nav.CoveredMsg{}) != 1 || b.count(nav.CoveredMsg{}) != 0 {
		t.Fatalf("covered: a %d, b %d", a.count(nav.CoveredMsg{}), b.count(nav.CoveredMsg{}))
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, p := range []*probe{a, b} {
		if p.count(nav.SizeMsg{Width: 120, Height: 37}) != 1 {
			t.Fatalf("%s did not get the new size: %v", p.name, p.got)
		}
	}
	m.Update(nav.PopMsg{})
	if a.count(nav.CoveredMsg{}) != 1 {
		t.Fatal("uncovering is not covering")
	}
}

// At 80x24 the error details (a long message and the support ids) and the
// keys are taller than the terminal: the overlay shows a window of them
// with its bottom border and closing hint, and ↓/pgdn/the wheel reach the
// last line while the screen behind does not move.
func TestOverlaysFitTheTerminalHeightAndScroll(t *testing.T) {
	hermetic(t)
	h := http.Header{}
	h.Set("x-ms-request-id", "a345f43c-09cd-4a27-8eb6-7eb13d3393d6")
	h.Set("x-ms-correlation-request-id", "b456f43c-09cd-4a27-8eb6-7eb13d3393d7")
	re := &azcore.ResponseError{StatusCode: 500, ErrorCode: "InternalServerError",
		RawResponse: &http.Response{StatusCode: 500, Header: h, Request: &http.Request{URL: &url.URL{Host: "management.azure.com"}}}}
	long := fmt.Errorf("%w: %s", azure.Classify(re), strings.Repeat("The server had an internal error while it read the keys of the endpoint. ", 8))
	for name, o := range map[string]struct {
		open       func(m *Model)
		hint, last string
	}{
		"error details": {func(m *Model) { m.Update(nav.ErrorMsg{Title: "Reading the keys", Err: long}) }, "esc closes", "7eb13d3393d7"},
		"keys": {func(m *Model) {
			var ks []key.Binding
			for _, k := range "abcdefghijklmn" {
				ks = append(ks, key.NewBinding(key.WithKeys(string(k)), key.WithHelp(string(k), "does something "+string(k))))
			}
			m.Update(nav.PushMsg{Screen: &formProbe{probe: newProbe(m.env, "p"), keys: ks}})
			m.overlay.help = true
		}, "? or esc closes", "wheel scrolls."},
	} {
		for _, how := range []tea.Msg{tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyPgDown}, tea.MouseWheelMsg{Button: tea.MouseWheelDown}} {
			m := New(Options{})
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			o.open(m)
			check := func(when string) string {
				t.Helper()
				d := ansi.Strip(m.dialog())
				rows := strings.Split(d, "\n")
				if len(rows) > 22 || !strings.HasPrefix(rows[len(rows)-1], "╰") || !strings.Contains(d, o.hint) {
					t.Fatalf("%s %s: %d rows, the bottom border or %q cut:\n%s", name, when, len(rows), o.hint, d)
				}
				return d
			}
			if d := check("opened"); !strings.Contains(d, "↓ more") || strings.Contains(d, o.last) {
				t.Fatalf("%s: taller than 24 rows, it should say there is more:\n%s", name, d)
			}
			if name == "error details" && fmt.Sprint(how) == fmt.Sprint(tea.KeyPressMsg{Code: tea.KeyDown}) {
				golden.RequireEqual(t, ansi.Strip(m.render()))
			}
			for range 60 {
				m.Update(how)
			}
			if d := check(fmt.Sprintf("scrolled with %v", how)); !strings.Contains(d, o.last) || strings.Contains(d, "↓ more") {
				t.Errorf("%s: %v did not reach the last line:\n%s", name, how, d)
			}
		}
	}
}
