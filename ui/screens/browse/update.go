package browse

import (
	"fmt"
	"sort"
	"strings"
	"unique"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// finish accepts a result if it answers the latest request; false means drop it.
func (p *page) finish(r nav.Tagged, err error) bool {
	if !p.Done(&p.load, r) {
		return false
	}
	p.err = err
	p.table.Loading = false
	return true
}

// common handles the spinner and table navigation. handled=false means the
// screen should look at msg itself; chosen reports enter/click on a row.
func (p *page) common(msg tea.Msg) (cmd tea.Cmd, handled, chosen bool) {
	if c, ok := p.Spin(msg, false); ok {
		return c, true, false
	}
	if p.Resized(msg) {
		return nil, true, false
	}
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if p.err != nil && key.Matches(m, keyError) && !p.table.Filtering() {
			return p.Error(p.what, p.err), true, false
		}
		return p.table.Update(msg)
	case tea.MouseClickMsg:
		m.Y -= p.tableTop() // screen coordinates -> table coordinates
		return p.table.Update(m)
	case tea.MouseWheelMsg, tea.PasteMsg:
		return p.table.Update(msg)
	}
	return nil, false, false
}

// listInput is a list screen's input: navigation, enter/click to open, R
// to reload, y to copy the selected row's id. handled=false leaves msg to
// the screen's own keys.
func (p *page) listInput(msg tea.Msg, load, open func() tea.Cmd, copyLabel string) (cmd tea.Cmd, handled bool) {
	cmd, handled, chosen := p.common(msg)
	switch {
	case chosen:
		return open(), true
	case handled:
		return cmd, true
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keyRefresh):
			return load(), true
		case key.Matches(k, keyCopy):
			if r, ok := p.table.Selected(); ok {
				return copyCmd(r.ID, copyLabel), true
			}
			return nil, true
		}
	}
	return nil, false
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

func (s *Workspaces) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if r, ok := msg.(nav.Result[azure.WorkspaceList]); ok {
		if !s.finish(r, r.Err) {
			return s, nil
		}
		m := struct{ list azure.WorkspaceList }{r.Value}
		s.failed = nil
		s.via = m.list.Via
		if m.list.Note != "" {
			s.via += ": " + m.list.Note
		}
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

// SetEndpoints fills the list directly (benchmarks and tests of big lists).
func (s *Endpoints) SetEndpoints(items []azure.Endpoint) {
	s.Cancel(&s.load)
	s.err, s.table.Loading = nil, false
	s.fill(items)
}

func (s *Endpoints) fill(items []azure.Endpoint) []nav.Jump { return s.add(items, true) }

// listed is what the endpoint list keeps of an endpoint besides its row's
// cells: where it is and its region (the create wizard's default). A whole
// azure.Endpoint with its strings is about 700 bytes, and 100,000 of them
// were most of the app's memory; the details screen reads the endpoint
// afresh anyway.
type listed struct {
	azure.EndpointRef
	Location string
}

// add appends a page's rows (the filter applies to them as they arrive), or
// replaces the rows with them (the first page; the cursor stays on its
// endpoint), and returns the page's palette jumps. The page itself is not
// kept: the rows hold only the strings they show, the id and a listed.
func (s *Endpoints) add(items []azure.Endpoint, replace bool) []nav.Jump {
	rows := make([]components.Row, len(items))
	kept := make([]listed, len(items))
	var jumps []nav.Jump
	if replace {
		s.jumps = 0
	}
	for i := range items {
		e := &items[i]
		ref := e.EndpointRef
		ref.Endpoint = idTail(e.ID, e.Endpoint)
		kept[i] = listed{EndpointRef: ref, Location: unique.Make(e.Location).Value()}
		name := components.Clean(ref.Endpoint)
		rows[i] = components.Row{ID: e.ID, Payload: &kept[i], Cells: []string{
			name, unique.Make(components.Clean(e.AuthMode)).Value(), unique.Make(components.Clean(e.ComputeType)).Value(),
			unique.Make(components.Clean(e.ProvisioningState)).Value(), Traffic(e.Traffic)}}
		if s.jumps < maxJumps {
			s.jumps++
			jumps = append(jumps, nav.Jump{Kind: "endpoint", Label: name, Detail: components.Clean(s.ws.Name), Context: s.epContext(ref.Endpoint)})
		}
	}
	if replace {
		s.table.SetRows(rows)
	} else {
		s.table.AppendRows(rows)
	}
	return jumps
}

// idTail is name as the end of the endpoint's ARM id when it is spelled the
// same there, so a kept row holds one string for both; a list's short
// strings are interned (unique) for the same reason: each decoded copy is a
// separate allocation, and the kept ones would pin the decoder's garbage
// around them.
func idTail(id, name string) string {
	if n := len(id) - len(name); n > 0 && id[n-1] == '/' && id[n:] == name {
		return id[n:]
	}
	return name
}

func (s *Endpoints) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(nav.Result[[]azure.Endpoint]); ok {
		if !s.finish(m, m.Err) {
			return s, nil
		}
		if m.Err != nil {
			if s.fresh {
				s.table.SetRows(nil) // the first page failed: the old rows are not this list
			}
			return s, nil
		}
		jumps := s.add(m.Value, s.fresh)
		s.fresh = false
		if c := s.env.Context; c.Endpoint != "" && !s.picked {
			s.picked = s.table.Select(s.ws.ID() + "/onlineEndpoints/" + c.Endpoint)
		}
		cmds := []tea.Cmd{nav.Cmd(nav.SeenMsg{Jumps: jumps})}
		switch {
		case s.pages.More():
			cmds = append(cmds, s.nextPage())
		case s.table.Total() >= bigList:
			cmds = append(cmds, releaseMemory)
		}
		return s, tea.Batch(cmds...)
	}
	if m, ok := msg.(nav.Result[int]); ok {
		if s.Done(&s.count, m) && m.Err == nil {
			s.about = m.Value // no count (Resource Graph refused): the progress says "so far"
		}
		return s, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		s.picked = true // the user moves now: later pages do not move the cursor
		if key.Matches(k, keyResume) && !s.table.Filtering() && s.resumable() {
			return s, s.nextPage()
		}
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
			loc = r.Payload.(*listed).Location
		}
		return s, nav.Cmd(nav.NewEndpointMsg{Workspace: s.ws, Location: loc})
	}
	return s, cmd
}

func (d *Details) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(nav.Result[detail]); ok {
		var cmd tea.Cmd
		if d.finish(m, m.Err) && m.Err == nil {
			d.ep, d.deps, d.depsErr = &m.Value.ep, m.Value.deps, m.Value.depsErr
			cmd = d.readEnvironments()
		}
		d.layout()
		return d, cmd
	}
	if m, ok := msg.(nav.Result[environments]); ok {
		if d.Done(&d.envCall, m) {
			d.envs = m.Value
		}
		d.layout()
		return d, nil
	}
	if d.Resized(msg) {
		d.layout()
		return d, nil
	}
	switch m := msg.(type) {
	case nav.EndpointsChangedMsg:
		if strings.EqualFold(m.Endpoint.ID(), d.ref.ID()) && !d.deleted {
			return d, d.reload()
		}
		return d, nil
	case nav.OperationMsg:
		if !strings.EqualFold(m.Op.Target.ID(), d.ref.ID()) {
			return d, nil
		}
		if m.Op.Deployment != "" {
			return d, nil // one of its deployments: the list reloads when it ends (EndpointsChangedMsg)
		}
		if m.Progress.Done && m.Progress.Err == nil && m.Op.Kind == "delete" {
			d.deleted = true
		} else if d.ep != nil && m.Progress.State != "" && !m.Progress.Done {
			d.ep.ProvisioningState = m.Progress.State // live state while an operation runs
		}
		d.layout()
		return d, nil
	}
	if cmd, ok := d.Spin(msg, false); ok {
		return d, cmd
	}
	// Not d.common: the details have no table, so its keys (/ filters, j/k
	// move) must not reach the page's hidden one.
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, keyError) && d.erred():
			// e is the whole error only while one is shown.
			what, err := d.shownError()
			return d, d.Error(what, err)
		case key.Matches(m, keyRefresh):
			return d, d.reload()
		case key.Matches(m, keyCheck):
			return d, nav.Cmd(d.checkMsg())
		case key.Matches(m, keyNewDep), key.Matches(m, keyTraffic), key.Matches(m, keyLogs), key.Matches(m, keyCanRun):
			if d.ep == nil || d.deleted {
				return d, nil
			}
			return d, nav.Cmd(d.deploymentMsg(m))
		case key.Matches(m, keyCreds), key.Matches(m, keyTest), key.Matches(m, keyAuthMode), key.Matches(m, keyDelete):
			if d.ep == nil || d.deleted {
				return d, nil // still loading (the auth mode decides what these screens do), or gone: the endpoint's auth mode decides what these screens do
			}
			e := *d.ep
			switch {
			case key.Matches(m, keyCreds):
				return d, nav.Cmd(nav.CredentialsMsg{Endpoint: e})
			case key.Matches(m, keyTest):
				return d, nav.Cmd(nav.ScoreMsg{Endpoint: e})
			case key.Matches(m, keyAuthMode):
				return d, nav.Cmd(nav.ChangeAuthModeMsg{Endpoint: e})
			default:
				return d, nav.Cmd(nav.DeleteEndpointMsg{Endpoint: e})
			}
		case key.Matches(m, keyCopy):
			return d, copyCmd(d.ref.ID(), "Copied endpoint id")
		case key.Matches(m, keyCopyURI):
			if d.ep != nil && d.ep.ScoringURI != "" {
				return d, copyCmd(d.ep.ScoringURI, "Copied scoring URI")
			}
		case key.Matches(m, keyCopySwagger):
			if d.ep != nil && d.ep.SwaggerURI != "" {
				return d, copyCmd(d.ep.SwaggerURI, "Copied swagger URI")
			}
		default:
			var cmd tea.Cmd
			d.vp, cmd = d.vp.Update(m)
			return d, cmd
		}
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		d.vp, cmd = d.vp.Update(m)
		return d, cmd
	}
	return d, nil
}

// shownError is the error the screen shows, with what failed: the
// endpoint's read, else its deployments' list (the endpoint still shows).
func (d *Details) shownError() (what string, err error) {
	switch {
	case d.deleted:
		return "", nil
	case d.err != nil:
		return d.what, d.err
	case d.depsErr != nil:
		return listingDeployments, d.depsErr
	}
	return "", nil
}

func (d *Details) erred() bool { _, err := d.shownError(); return err != nil }

const listingDeployments = "Listing deployments"

// layout fits the viewport to the screen's size and content, so that the
// scroll keys know how far they may go.
func (d *Details) layout() {
	w, h := d.Size()
	if w == 0 || h == 0 {
		return
	}
	components.Refit(&d.vp, w, max(h-1, 1), d.content(w))
}
