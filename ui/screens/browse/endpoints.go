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

// Endpoints lists the online endpoints of a workspace.
type Endpoints struct {
	page
	ws       azure.WorkspaceRef
	location string // the workspace's region when known (the create wizard's default)
	shown    map[*azure.Operation]bool
}

// NewEndpoints lists the endpoints of ws.
func NewEndpoints(env *nav.Env, ws azure.WorkspaceRef) *Endpoints {
	s := &Endpoints{ws: ws, page: newPage(env, "endpoints", "Listing endpoints",
		components.Column{Title: "Name", Width: 16, Flex: true},
		components.Column{Title: "Auth mode", Width: 9},
		components.Column{Title: "Compute", Width: 10},
		components.Column{Title: "State", Width: 9},
		components.Column{Title: "Traffic", Width: 16, Flex: true},
	)}
	s.page.heading = s.heading
	return s
}

func (s *Endpoints) Title() string { return "Endpoints" }
func (s *Endpoints) Typing() bool  { return s.table.Filtering() }
func (s *Endpoints) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyNew, keyRefresh, keyCopy}
}

func (s *Endpoints) Init() tea.Cmd { return s.reload() }

func (s *Endpoints) reload() tea.Cmd {
	ws := s.ws
	return fetch(&s.page, func(ctx context.Context, az Azure) ([]azure.Endpoint, error) { return az.Endpoints(ctx, ws) })
}

// SetEndpoints fills the list directly (benchmarks and tests of big lists).
func (s *Endpoints) SetEndpoints(items []azure.Endpoint) {
	s.Cancel(&s.load)
	s.err, s.table.Loading = nil, false
	s.fill(items)
}

func (s *Endpoints) fill(items []azure.Endpoint) []nav.Jump {
	rows := make([]components.Row, len(items))
	jumps := make([]nav.Jump, len(items))
	for i, e := range items {
		name := components.Clean(e.Endpoint)
		rows[i] = components.Row{ID: e.ID, Payload: e, Cells: []string{
			name, components.Clean(e.AuthMode), components.Clean(e.ComputeType), components.Clean(e.ProvisioningState), Traffic(e.Traffic)}}
		jumps[i] = nav.Jump{Kind: "endpoint", Label: name, Detail: components.Clean(s.ws.Name), Context: s.epContext(e.Endpoint)}
	}
	s.table.SetRows(rows)
	return jumps
}

// Traffic renders a traffic map as "blue 90% · green 10%", largest first.
func Traffic(t map[string]int32) string {
	if len(t) == 0 {
		return "no traffic"
	}
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if t[names[i]] != t[names[j]] {
			return t[names[i]] > t[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d%%", components.Clean(n), t[n])
	}
	return strings.Join(parts, " · ")
}

func (s *Endpoints) epContext(name string) nav.Context {
	c := s.env.Context
	return nav.Context{TenantID: c.TenantID, Subscription: s.ws.Subscription, SubscriptionName: nameIf(c, s.ws.Subscription),
		ResourceGroup: s.ws.ResourceGroup, Workspace: s.ws.Name, Endpoint: name}
}

func (s *Endpoints) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(nav.Result[[]azure.Endpoint]); ok {
		if !s.finish(m, m.Err) {
			return s, nil
		}
		if m.Err != nil {
			s.table.SetRows(nil)
			return s, nil
		}
		jumps := s.fill(m.Value)
		if c := s.env.Context; c.Endpoint != "" {
			s.table.Select(s.ws.ID() + "/onlineEndpoints/" + c.Endpoint)
		}
		return s, nav.Cmd(nav.SeenMsg{Jumps: jumps})
	}
	if m, ok := msg.(nav.OperationMsg); ok {
		// A create shows in the list at once, as Creating: reload on its first report.
		if m.Op.Kind == "create" && !s.shown[m.Op] && strings.EqualFold(m.Op.Target.WorkspaceRef.ID(), s.ws.ID()) {
			if s.shown == nil {
				s.shown = map[*azure.Operation]bool{}
			}
			s.shown[m.Op] = true
			return s, s.reload()
		}
		return s, nil
	}
	if m, ok := msg.(nav.EndpointsChangedMsg); ok {
		if strings.EqualFold(m.Endpoint.WorkspaceRef.ID(), s.ws.ID()) {
			return s, s.reload()
		}
		return s, nil
	}
	cmd, handled := s.listInput(msg, s.reload, s.open, "Copied endpoint id")
	if k, ok := msg.(tea.KeyPressMsg); ok && !handled && key.Matches(k, keyNew) {
		loc := s.location
		if r, ok := s.table.Selected(); ok && loc == "" {
			loc = r.Payload.(azure.Endpoint).Location
		}
		return s, nav.Cmd(nav.NewEndpointMsg{Workspace: s.ws, Location: loc})
	}
	return s, cmd
}

func (s *Endpoints) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	e := r.Payload.(azure.Endpoint)
	return nav.Cmd(nav.PushMsg{Screen: NewDetails(s.env, e.EndpointRef, &e)})
}

func (s *Endpoints) heading(w int) (title, extra string) {
	return "Endpoints in " + components.Clean(s.ws.Name), s.env.Styles.Muted.Render(components.Fit("resource group "+components.Clean(s.ws.ResourceGroup), w))
}

// Where is the workspace.
func (s *Endpoints) Where() nav.Context {
	c := s.epContext("")
	return c
}
