package browse

import (
	"context"
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
	// pending is a place asked for by name (flags): resolved once the list arrives.
	pending *nav.Context
}

// Resolve makes the screen open c once subscriptions are listed; c may name
// the subscription by display name, or leave it out and name a workspace.
func (s *Subscriptions) Resolve(c nav.Context) { s.pending = &c }

// NewSubscriptions builds the first browse screen.
func NewSubscriptions(env *nav.Env) *Subscriptions {
	s := &Subscriptions{page: newPage(env, "subscriptions", "Listing subscriptions",
		components.Column{Title: "Name", Width: 20, Flex: true},
		components.Column{Title: "Subscription id", Width: 36},
		components.Column{Title: "State", Width: 9},
	)}
	s.page.heading = s.heading
	return s
}

func (s *Subscriptions) Title() string { return "Subscriptions" }
func (s *Subscriptions) Typing() bool  { return s.table.Filtering() }
func (s *Subscriptions) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyAllWorkspaces, keyRefresh, keyCopy}
}

func (s *Subscriptions) Init() tea.Cmd { return s.reload() }

func (s *Subscriptions) reload() tea.Cmd {
	return fetch(&s.page, func(ctx context.Context, az Azure) ([]azure.Subscription, error) { return az.Subscriptions(ctx) })
}

func (s *Subscriptions) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(nav.Result[[]azure.Subscription]); ok {
		if s.finish(m, m.Err) && m.Err == nil {
			s.items = m.Value
			rows := make([]components.Row, len(m.Value))
			jumps := make([]nav.Jump, len(m.Value))
			for i, sub := range m.Value {
				name := components.Clean(sub.DisplayName)
				rows[i] = components.Row{ID: sub.ID, Cells: []string{name, components.Clean(sub.ID), components.Clean(sub.State)}, Payload: sub,
					Dim: !strings.EqualFold(sub.State, "Enabled")}
				jumps[i] = nav.Jump{Kind: "subscription", Label: name, Detail: sub.ID, Context: subContext(sub)}
			}
			s.table.SetRows(rows)
			if c := s.env.Context; c.Subscription != "" {
				s.table.Select(c.Subscription)
			}
			return s, tea.Batch(nav.Cmd(nav.SeenMsg{Jumps: jumps}), s.resolve())
		}
		return s, nil
	}
	if cmd, handled := s.listInput(msg, s.reload, s.open, "Copied subscription id"); handled {
		return s, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, keyAllWorkspaces) {
		if len(s.items) == 0 {
			return s, s.Toast(nav.Warn, "No subscriptions to search")
		}
		return s, nav.Cmd(nav.PushMsg{Screen: NewWorkspaces(s.env, s.items)})
	}
	return s, nil
}

func (s *Subscriptions) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	sub := r.Payload.(azure.Subscription)
	return nav.Cmd(nav.PushMsg{Screen: NewWorkspaces(s.env, []azure.Subscription{sub})})
}

func subContext(sub azure.Subscription) nav.Context {
	return nav.Context{TenantID: sub.TenantID, Subscription: sub.ID, SubscriptionName: components.Clean(sub.DisplayName)}
}

func (s *Subscriptions) heading(w int) (title, extra string) {
	if !s.loading() && s.err == nil && len(s.items) == 0 && s.asked {
		who := "This identity"
		if sess := s.env.Session; sess != nil {
			who = components.Clean(sess.Identity().Name())
		}
		extra = s.env.Styles.Warn.Render(components.Fit(who+" sees no subscriptions: it has no role assignment on any subscription or anything in one.", w)) + "\n" +
			s.env.Styles.Muted.Render(components.Fit("→ Ask an Owner to assign a role (Reader to look around; AzureML Data Scientist on a workspace to work with its endpoints),", w)) + "\n" +
			s.env.Styles.Muted.Render(components.Fit("  or switch tenant from the identity card (esc). New assignments can take a few minutes to appear: R refreshes.", w))
	}
	return "Subscriptions", extra
}

// Where is the subscriptions level: no subscription chosen yet.
func (s *Subscriptions) Where() nav.Context { return nav.Context{TenantID: s.env.Context.TenantID} }

// resolve turns a pending place into an OpenMsg (or a workspace search
// across subscriptions), or says plainly why it cannot.
func (s *Subscriptions) resolve() tea.Cmd {
	p := s.pending
	if p == nil {
		return nil
	}
	s.pending = nil
	if p.Subscription == "" {
		if len(s.items) == 0 {
			return s.Toast(nav.Warn, "Cannot look for workspace "+p.Workspace+": no subscriptions are visible")
		}
		ws := NewWorkspaces(s.env, s.items)
		ws.pending = p
		return nav.Cmd(nav.PushMsg{Screen: ws})
	}
	for _, sub := range s.items {
		if strings.EqualFold(sub.ID, p.Subscription) || strings.EqualFold(sub.DisplayName, p.Subscription) {
			c := *p
			c.Subscription, c.SubscriptionName = sub.ID, components.Clean(sub.DisplayName)
			s.table.Select(sub.ID)
			return nav.Cmd(nav.OpenMsg{Context: c})
		}
	}
	return s.Toast(nav.Warn, "No subscription "+p.Subscription+" among the "+components.Count(len(s.items), "subscriptions")+" this identity can see")
}
