package browse

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// Workspaces lists ML workspaces in one subscription or across several,
// fanned out concurrently; a subscription that fails is reported by name
// while the others still show.
type Workspaces struct {
	page
	subs   []azure.Subscription
	failed []string // rendered failure lines, one per subscription
	// pending is a workspace asked for by name without a subscription (flags).
	pending *nav.Context
}

// NewWorkspaces lists the workspaces of subs.
func NewWorkspaces(env *nav.Env, subs []azure.Subscription) *Workspaces {
	s := &Workspaces{subs: subs, page: newPage(env, "workspaces", "Listing workspaces",
		components.Column{Title: "Name", Width: 16, Flex: true},
		components.Column{Title: "Resource group", Width: 18, Flex: true},
		components.Column{Title: "Region", Width: 12},
		components.Column{Title: "Subscription", Width: 16},
	)}
	s.page.heading = s.heading
	return s
}

func (s *Workspaces) Title() string {
	if len(s.subs) == 1 {
		return "Workspaces"
	}
	return "Workspaces (all subscriptions)"
}
func (s *Workspaces) Typing() bool { return s.table.Filtering() }
func (s *Workspaces) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyNew, keyRefresh, keyCopy}
}

func (s *Workspaces) Init() tea.Cmd { return s.reload() }

func (s *Workspaces) reload() tea.Cmd {
	ids := make([]string, len(s.subs))
	for i, sub := range s.subs {
		ids[i] = sub.ID
	}
	return fetch(&s.page, func(ctx context.Context, az Azure) (azure.WorkspaceList, error) { return az.Workspaces(ctx, ids) })
}

func (s *Workspaces) subName(id string) string {
	for _, sub := range s.subs {
		if strings.EqualFold(sub.ID, id) && sub.DisplayName != "" {
			return components.Clean(sub.DisplayName)
		}
	}
	return id
}

func (s *Workspaces) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if r, ok := msg.(nav.Result[azure.WorkspaceList]); ok {
		if !s.finish(r, r.Err) {
			return s, nil
		}
		m := struct{ list azure.WorkspaceList }{r.Value}
		s.failed = nil
		ids := make([]string, 0, len(m.list.Failed))
		for id := range m.list.Failed {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			e := azure.Explain(m.list.Failed[id])
			s.failed = append(s.failed, components.Clean(fmt.Sprintf("%s: %s — %s", s.subName(id), e.Title, e.Detail)))
		}
		// One failing subscription out of one is the page's error, with the next step.
		if len(s.subs) == 1 && len(ids) == 1 && len(m.list.Items) == 0 {
			s.err, s.failed = m.list.Failed[ids[0]], nil
		}
		rows := make([]components.Row, len(m.list.Items))
		jumps := make([]nav.Jump, len(m.list.Items))
		for i, ws := range m.list.Items {
			name := components.Clean(ws.Name)
			rows[i] = components.Row{ID: ws.ID, Payload: ws, Cells: []string{
				name, components.Clean(ws.ResourceGroup), components.Clean(ws.Location), s.subName(ws.Subscription)}}
			jumps[i] = nav.Jump{Kind: "workspace", Label: name, Detail: components.Clean(ws.ResourceGroup), Context: s.wsContext(ws.WorkspaceRef)}
		}
		s.table.SetRows(rows)
		if c := s.env.Context; c.Workspace != "" {
			s.table.Select(nav.Context{Subscription: c.Subscription, ResourceGroup: c.ResourceGroup, Workspace: c.Workspace}.ID())
		}
		return s, tea.Batch(nav.Cmd(nav.SeenMsg{Jumps: jumps}), s.resolve(m.list.Items))
	}
	cmd, handled := s.listInput(msg, s.reload, s.open, "Copied workspace id")
	if k, ok := msg.(tea.KeyPressMsg); ok && !handled && key.Matches(k, keyNew) {
		if r, ok := s.table.Selected(); ok {
			ws := r.Payload.(azure.Workspace)
			return s, nav.Cmd(nav.NewEndpointMsg{Workspace: ws.WorkspaceRef, Location: ws.Location})
		}
	}
	return s, cmd
}

func (s *Workspaces) wsContext(ref azure.WorkspaceRef) nav.Context {
	return nav.Context{TenantID: s.env.Context.TenantID, Subscription: ref.Subscription, SubscriptionName: s.subName(ref.Subscription),
		ResourceGroup: ref.ResourceGroup, Workspace: ref.Name}
}

func (s *Workspaces) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	ws := r.Payload.(azure.Workspace)
	e := NewEndpoints(s.env, ws.WorkspaceRef)
	e.location = ws.Location
	return nav.Cmd(nav.PushMsg{Screen: e})
}

func (s *Workspaces) heading(w int) (title, extra string) {
	title = "Workspaces in " + s.subName(s.subs[0].ID)
	if len(s.subs) != 1 {
		title = fmt.Sprintf("Workspaces across %d subscriptions", len(s.subs))
	}
	if len(s.failed) > 0 {
		lines := []string{s.env.Styles.Warn.Render(fmt.Sprintf("%d subscription(s) could not be listed (R retries):", len(s.failed)))}
		for i, f := range s.failed {
			if i == 3 {
				lines = append(lines, s.env.Styles.Muted.Render(fmt.Sprintf("  … and %d more", len(s.failed)-3)))
				break
			}
			lines = append(lines, s.env.Styles.Muted.Render(components.Fit("  "+f, w)))
		}
		extra = strings.Join(lines, "\n")
	}
	return title, extra
}

// Where is the subscription whose workspaces are listed (none for all).
func (s *Workspaces) Where() nav.Context {
	c := nav.Context{TenantID: s.env.Context.TenantID}
	if len(s.subs) == 1 {
		c.Subscription, c.SubscriptionName = s.subs[0].ID, s.subName(s.subs[0].ID)
	}
	return c
}

// resolve finds the pending workspace by name (and resource group, if given).
func (s *Workspaces) resolve(items []azure.Workspace) tea.Cmd {
	p := s.pending
	if p == nil {
		return nil
	}
	s.pending = nil
	var found []azure.Workspace
	for _, ws := range items {
		if strings.EqualFold(ws.Name, p.Workspace) && (p.ResourceGroup == "" || strings.EqualFold(ws.ResourceGroup, p.ResourceGroup)) {
			found = append(found, ws)
		}
	}
	switch len(found) {
	case 0:
		return s.Toast(nav.Warn, "No workspace "+p.Workspace+" in the subscriptions you can see")
	case 1:
		c := s.wsContext(found[0].WorkspaceRef)
		c.Endpoint = p.Endpoint
		return nav.Cmd(nav.OpenMsg{Context: c})
	}
	return s.Toast(nav.Warn, fmt.Sprintf("%d workspaces are named %s: pick one (or pass --subscription and -g)", len(found), p.Workspace))
}
