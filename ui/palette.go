package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/screens/signin"
)

// palette is the ':' command palette: screens, commands, resources seen in
// this session and recents, matched fuzzily.
type palette struct {
	m       *Model
	input   textinput.Model
	entries []entry
	matches []int
	cursor  int
}

type entry struct {
	kind, label, detail string
	run                 func(m *Model) tea.Cmd
}

func newPalette(m *Model) *palette {
	in := textinput.New()
	in.Prompt = ": "
	in.Placeholder = "go to a screen, workspace or endpoint…"
	in.SetStyles(m.env.Styles.Input)
	p := &palette{m: m, input: in}
	p.entries = p.build()
	p.filter()
	return p
}

func (p *palette) focus() tea.Cmd { return p.input.Focus() }

func (p *palette) build() []entry {
	m := p.m
	var es []entry
	open := func(c nav.Context) func(*Model) tea.Cmd {
		return func(m *Model) tea.Cmd { return m.open(c) }
	}
	if m.env.Session != nil {
		es = append(es,
			entry{kind: "screen", label: "Subscriptions", run: open(nav.Context{})},
			entry{kind: "screen", label: "Check access (who can do what here, and why)", run: func(m *Model) tea.Cmd {
				c := m.env.Context
				return func() tea.Msg { return nav.CheckAccessMsg{Context: c} }
			}},
			entry{kind: "screen", label: "Identity (who am I, token claims)", run: func(m *Model) tea.Cmd {
				m.drop(1)
				return nil
			}})
	}
	es = append(es,
		entry{kind: "command", label: "Sign in again", run: func(m *Model) tea.Cmd {
			m.env.Session = nil
			s := signin.New(m.env)
			s.Prefer(m.signInMethod)
			s.SetNext(m.nextLabel())
			m.drop(0)
			m.stack = []nav.Screen{s}
			return s.Init()
		}},
		entry{kind: "command", label: "Theme: toggle light/dark", run: func(m *Model) tea.Cmd {
			if m.env.Styles.Dark {
				m.themePref = "light"
			} else {
				m.themePref = "dark"
			}
			m.applyTheme()
			restyle := m.broadcast(nav.ThemeMsg{})
			pref := m.themePref
			if st := m.env.Store; st != nil {
				return tea.Batch(restyle, func() tea.Msg {
					d, _ := st.Load()
					p := d.Prefs
					p.Theme = pref
					_ = st.SetPrefs(p)
					return nil
				})
			}
			return restyle
		}},
		entry{kind: "command", label: "Help: keys", run: func(m *Model) tea.Cmd { m.overlay.help = true; return nil }},
		entry{kind: "command", label: "Quit", run: func(m *Model) tea.Cmd { return m.quit() }},
	)
	seen := map[string]bool{}
	var jumps []nav.Jump
	for _, j := range m.seen {
		jumps = append(jumps, j)
	}
	sort.Slice(jumps, func(i, k int) bool { return jumps[i].Kind+jumps[i].Label < jumps[k].Kind+jumps[k].Label })
	for _, r := range m.recents {
		c, ok := nav.ContextFromID(r.ID)
		if !ok || seen[r.Kind+":"+c.Key()] {
			continue
		}
		seen[r.Kind+":"+c.Key()] = true
		if j, ok := m.seen[r.Kind+":"+c.Key()]; ok {
			c = j.Context
		}
		es = append(es, entry{kind: "recent " + r.Kind, label: components.Clean(r.Label), detail: components.Clean(c.ResourceGroup), run: open(c)})
	}
	for _, j := range jumps {
		if seen[j.Kind+":"+j.Context.Key()] {
			continue
		}
		es = append(es, entry{kind: j.Kind, label: j.Label, detail: j.Detail, run: open(j.Context)})
	}
	return es
}

func (p *palette) filter() {
	q := strings.TrimSpace(p.input.Value())
	p.matches = p.matches[:0]
	if q == "" {
		for i := range p.entries {
			p.matches = append(p.matches, i)
		}
	} else {
		hay := make([]string, len(p.entries))
		for i, e := range p.entries {
			hay[i] = e.label + " " + e.kind + " " + e.detail
		}
		for _, r := range fuzzy.Find(q, hay) {
			p.matches = append(p.matches, r.Index)
		}
	}
	p.cursor = min(p.cursor, max(len(p.matches)-1, 0))
}

func (p *palette) update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			p.m.palette = nil
			return nil
		case "up", "ctrl+k":
			p.cursor = max(p.cursor-1, 0)
			return nil
		case "down", "ctrl+j", "tab":
			p.cursor = min(p.cursor+1, max(len(p.matches)-1, 0))
			return nil
		case "enter":
			p.m.palette = nil
			if len(p.matches) == 0 {
				return nil
			}
			return p.entries[p.matches[p.cursor]].run(p.m)
		}
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.cursor = 0
		p.filter()
	}
	return cmd
}

func (p *palette) view(w int) string {
	st := p.m.env.Styles
	p.input.SetWidth(w - 8)
	lines := []string{p.input.View(), ""}
	const rows = 10
	start := max(0, p.cursor-rows+1)
	for i := start; i < len(p.matches) && i < start+rows; i++ {
		e := p.entries[p.matches[i]]
		line := components.Pad(e.label, 34) + " " + st.Muted.Render(components.Pad(e.kind, 18)+" "+e.detail)
		line = components.Fit(line, w-6)
		if i == p.cursor {
			line = st.Selected.Render(components.Pad(line, w-6))
		}
		lines = append(lines, line)
	}
	if len(p.matches) == 0 {
		lines = append(lines, st.Muted.Render("Nothing matches. Resources appear here once a list has shown them."))
	}
	lines = append(lines, "", st.Muted.Render("enter go · ↑/↓ choose · esc close"))
	return st.Dialog.Padding(0, 1).Render(strings.Join(lines, "\n"))
}

func subsFor(c nav.Context) []azure.Subscription {
	return []azure.Subscription{{ID: c.Subscription, DisplayName: c.SubscriptionName, TenantID: c.TenantID}}
}

func wsRef(c nav.Context) azure.WorkspaceRef {
	return azure.WorkspaceRef{Subscription: c.Subscription, ResourceGroup: c.ResourceGroup, Name: c.Workspace}
}

func endpointRef(ws azure.WorkspaceRef, name string) azure.EndpointRef {
	return azure.EndpointRef{WorkspaceRef: ws, Endpoint: name}
}
