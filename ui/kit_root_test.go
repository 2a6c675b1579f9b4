package ui

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
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
