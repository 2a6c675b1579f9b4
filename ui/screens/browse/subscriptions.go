package browse

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

var keyAllWorkspaces = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "workspaces in all"))

// Subscriptions lists the subscriptions the signed-in identity can see.
type Subscriptions struct {
	page
	items []azure.Subscription
}

type subscriptionsMsg struct {
	seq   uint64
	items []azure.Subscription
	err   error
}

// NewSubscriptions builds the first browse screen.
func NewSubscriptions(env *nav.Env) *Subscriptions {
	return &Subscriptions{page: newPage(env, "subscriptions", "Listing subscriptions",
		components.Column{Title: "Name", Width: 20, Flex: true},
		components.Column{Title: "Subscription id", Width: 36},
		components.Column{Title: "State", Width: 9},
	)}
}

func (s *Subscriptions) Title() string { return "Subscriptions" }
func (s *Subscriptions) Typing() bool  { return s.table.Filtering() }
func (s *Subscriptions) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyAllWorkspaces, keyRefresh, keyCopy}
}

func (s *Subscriptions) Init() tea.Cmd { return s.load() }

func (s *Subscriptions) load() tea.Cmd {
	seq, spin := s.start()
	sess := s.env.Session
	return tea.Batch(spin, func() tea.Msg {
		c, cancel := ctx()
		defer cancel()
		items, err := sess.Subscriptions(c)
		return subscriptionsMsg{seq: seq, items: items, err: err}
	})
}

func (s *Subscriptions) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(subscriptionsMsg); ok {
		if s.finish(m.seq, m.err) && m.err == nil {
			s.items = m.items
			rows := make([]components.Row, len(m.items))
			jumps := make([]nav.Jump, len(m.items))
			for i, sub := range m.items {
				name := components.Clean(sub.DisplayName)
				rows[i] = components.Row{ID: sub.ID, Cells: []string{name, components.Clean(sub.ID), components.Clean(sub.State)}, Payload: sub,
					Dim: !strings.EqualFold(sub.State, "Enabled")}
				jumps[i] = nav.Jump{Kind: "subscription", Label: name, Detail: sub.ID, Context: subContext(sub)}
			}
			s.table.SetRows(rows)
			if c := s.env.Context; c.Subscription != "" {
				s.table.Select(c.Subscription)
			}
			return s, msgCmd(nav.SeenMsg{Jumps: jumps})
		}
		return s, nil
	}
	cmd, handled, chosen := s.common(msg)
	if chosen {
		return s, s.open()
	}
	if handled {
		return s, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keyRefresh):
			return s, s.load()
		case key.Matches(k, keyAllWorkspaces):
			var ids []string
			for _, sub := range s.items {
				ids = append(ids, sub.ID)
			}
			if len(ids) == 0 {
				return s, msgCmd(nav.ToastMsg{Level: nav.Warn, Text: "No subscriptions to search"})
			}
			return s, msgCmd(nav.PushMsg{Screen: NewWorkspaces(s.env, s.items, "")})
		case key.Matches(k, keyCopy):
			if r, ok := s.table.Selected(); ok {
				return s, copyCmd(r.ID, "Copied subscription id")
			}
		}
	}
	return s, nil
}

func (s *Subscriptions) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	sub := r.Payload.(azure.Subscription)
	return tea.Batch(
		msgCmd(nav.ContextMsg{Context: subContext(sub)}),
		msgCmd(nav.PushMsg{Screen: NewWorkspaces(s.env, []azure.Subscription{sub}, sub.ID)}),
	)
}

func subContext(sub azure.Subscription) nav.Context {
	return nav.Context{TenantID: sub.TenantID, Subscription: sub.ID, SubscriptionName: components.Clean(sub.DisplayName)}
}

func (s *Subscriptions) View(w, h int) string {
	return s.view(w, h, "Subscriptions", "")
}

// Where is the subscriptions level: no subscription chosen yet.
func (s *Subscriptions) Where() nav.Context { return nav.Context{TenantID: s.env.Context.TenantID} }
