package browse

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// fetch starts the screen's request (a refresh supersedes the one out).
func fetch[T any](p *page, fn func(ctx context.Context, az Azure) (T, error)) tea.Cmd {
	p.asked = true
	p.table.Loading = true
	az := p.api()
	return nav.Go(&p.Kit, &p.load, requestTimeout, func(ctx context.Context) (T, error) { return fn(ctx, az) })
}

func copyCmd(text, label string) tea.Cmd {
	return func() tea.Msg { return nav.CopyMsg{Text: text, Label: label} }
}

func (s *Subscriptions) Init() tea.Cmd { return s.reload() }

func (s *Subscriptions) reload() tea.Cmd {
	return fetch(&s.page, func(ctx context.Context, az Azure) ([]azure.Subscription, error) { return az.Subscriptions(ctx) })
}

func (s *Subscriptions) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	sub := r.Payload.(azure.Subscription)
	return nav.Cmd(nav.PushMsg{Screen: NewWorkspaces(s.env, []azure.Subscription{sub})})
}

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

func (s *Workspaces) Init() tea.Cmd { return s.reload() }

func (s *Workspaces) reload() tea.Cmd {
	ids := make([]string, len(s.subs))
	for i, sub := range s.subs {
		ids[i] = sub.ID
	}
	return fetch(&s.page, func(ctx context.Context, az Azure) (azure.WorkspaceList, error) { return az.Workspaces(ctx, ids) })
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

func (s *Endpoints) Init() tea.Cmd { return s.reload() }

// reload starts the list over: a new reader, its first page, and Resource
// Graph's count for the progress line. The rows on screen stay until the
// first page replaces them.
func (s *Endpoints) reload() tea.Cmd {
	ws, az := s.ws, s.api()
	s.pages, s.fresh, s.about = az.EndpointPages(ws), true, 0
	s.err = nil
	count := nav.Go(&s.Kit, &s.count, requestTimeout, func(ctx context.Context) (int, error) { return az.EndpointCount(ctx, ws) })
	return tea.Batch(s.nextPage(), count)
}

// nextPage reads on: the first page alone (it shows at once), then up to
// pagesPerBatch pages per answer (a 100,000-endpoint list is a thousand
// pages; one screen update per page was most of its time), each page with
// its own timeout. A page that fails ends the batch: what arrived before it
// is delivered, and the next call asks for the failed page again.
func (s *Endpoints) nextPage() tea.Cmd {
	s.asked = true
	s.table.Loading = true
	pages, batch := s.pages, pagesPerBatch
	if s.fresh {
		batch = 1
	}
	return nav.Go(&s.Kit, &s.load, 0, func(ctx context.Context) ([]azure.Endpoint, error) {
		var out []azure.Endpoint
		for i := 0; i < batch && pages.More(); i++ {
			pctx, cancel := context.WithTimeout(ctx, pageTimeout)
			items, err := pages.Next(pctx)
			cancel()
			if err != nil {
				if len(out) > 0 {
					return out, nil
				}
				return nil, err
			}
			out = append(out, items...)
		}
		return out, nil
	})
}

// bigList is the size from which a finished list gives its garbage back.
const bigList = 10_000

// releaseMemory returns to the OS what reading a big list left behind (a
// thousand pages of JSON decoded): without it the idle process keeps about
// twice the list's memory until the runtime scavenges it, minutes later.
// It runs off the event loop; the collection it forces is concurrent.
func releaseMemory() tea.Msg {
	debug.FreeOSMemory()
	return nil
}

// resumable: a page failed and the rest of the list is still to read.
func (s *Endpoints) resumable() bool {
	return s.err != nil && !s.load.Busy() && s.pages != nil && s.pages.More() && !s.fresh
}

func (s *Endpoints) open() tea.Cmd {
	r, ok := s.table.Selected()
	if !ok {
		return nil
	}
	return nav.Cmd(nav.PushMsg{Screen: NewDetails(s.env, r.Payload.(*listed).EndpointRef)})
}

func (d *Details) Init() tea.Cmd { return d.reload() }

func (d *Details) reload() tea.Cmd {
	ref := d.ref
	return fetch(&d.page, func(ctx context.Context, az Azure) (detail, error) {
		ep, err := az.Endpoint(ctx, ref)
		if err != nil {
			return detail{}, err
		}
		r := detail{ep: ep}
		r.deps, r.depsErr = az.Deployments(ctx, ref)
		return r, nil
	})
}

// readEnvironments reads each environment the deployments name, once; a
// failed read is that environment's (the details still show).
func (d *Details) readEnvironments() tea.Cmd {
	d.envs = nil
	var ids []string
	for _, dep := range d.deps {
		if dep.Environment != "" && !slices.Contains(ids, dep.Environment) {
			ids = append(ids, dep.Environment)
		}
	}
	if len(ids) == 0 {
		d.Cancel(&d.envCall)
		return nil
	}
	az, ws := d.api(), d.ref.WorkspaceRef
	return nav.Go(&d.Kit, &d.envCall, requestTimeout, func(ctx context.Context) (environments, error) {
		out := environments{}
		for _, id := range ids {
			ev, err := az.Environment(ctx, ws, id)
			out[id] = envRead{ev, err}
		}
		return out, nil
	})
}

// checkMsg opens the access check here, offering the endpoint's own identity.
func (d *Details) checkMsg() nav.CheckAccessMsg {
	m := nav.CheckAccessMsg{Context: d.Where()}
	if d.ep != nil {
		m.AuthMode = d.ep.AuthMode
		if d.ep.IdentityPrincipal != "" {
			m.Identity = &azure.PrincipalRef{ID: d.ep.IdentityPrincipal, Kind: "ServicePrincipal", SPType: "ManagedIdentity",
				DisplayName: components.Clean(d.ep.Endpoint)}
		}
	}
	return m
}

// deploymentMsg opens a deployment screen of this endpoint (issue 17).
func (d *Details) deploymentMsg(k tea.KeyPressMsg) tea.Msg {
	e, deps := *d.ep, append([]azure.Deployment(nil), d.deps...)
	switch {
	case key.Matches(k, keyNewDep):
		return nav.NewDeploymentMsg{Endpoint: e, Deployments: deps}
	case key.Matches(k, keyTraffic):
		return nav.TrafficMsg{Endpoint: e, Deployments: deps}
	case key.Matches(k, keyLogs):
		return nav.DeploymentLogsMsg{Endpoint: e, Deployments: deps}
	}
	return nav.CanRunMsg{Endpoint: e}
}
