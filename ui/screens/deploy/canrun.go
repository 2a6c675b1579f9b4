package deploy

import (
	"context"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// CanRun answers "Can this endpoint run?": it names the endpoint identity
// and checks each of its needs (pull images, read models, write metrics,
// read connection secrets where used) with verdict, why and fix.
type CanRun struct {
	nav.Kit
	env    *nav.Env
	az     Azure
	ep     azure.Endpoint
	call   nav.Call
	report *azure.RunCheck
	err    error
	cursor int
	vp     viewport.Model

	// deps are the endpoint's deployments: a failed one is offered again
	// (redeployed) once nothing it needs is missing.
	deps     []azure.Deployment
	depsCall nav.Call
	fixed    bool // a role was assigned here since the check opened
}

// NewCanRun opens the check; az nil means the session's.
func NewCanRun(env *nav.Env, msg nav.CanRunMsg, az Azure) *CanRun {
	return &CanRun{Kit: nav.NewKit(env), env: env, az: api(env, az), ep: msg.Endpoint, vp: viewport.New()}
}

func (c *CanRun) Title() string      { return "Can it run?" }
func (c *CanRun) Typing() bool       { return false }
func (c *CanRun) Where() nav.Context { return c.env.Place(c.ep.WorkspaceRef, c.ep.Endpoint) }

func (c *CanRun) Init() tea.Cmd { return c.check() }

// check checks the identity and reads the deployments again (a failed one
// may have been fixed or deleted meanwhile).
func (c *CanRun) check() tea.Cmd {
	if c.az == nil {
		return nil
	}
	az, ref := c.az, c.ep.EndpointRef
	c.err = nil
	return tea.Batch(
		nav.Go(&c.Kit, &c.call, timeout, func(ctx context.Context) (azure.RunCheck, error) { return az.CanRun(ctx, ref, nil) }),
		nav.Go(&c.Kit, &c.depsCall, timeout, func(ctx context.Context) (deployments, error) { return az.Deployments(ctx, ref) }))
}

// failedDeployment is the first deployment Azure could not provision: the
// one the fix is for.
func (c *CanRun) failedDeployment() (azure.Deployment, bool) {
	i := slices.IndexFunc(c.deps, func(d azure.Deployment) bool { return strings.EqualFold(d.ProvisioningState, "Failed") })
	if i < 0 {
		return azure.Deployment{}, false
	}
	return c.deps[i], true
}

// keyRedeploy is built per deployment: its help names it.
func keyRedeploy(name string) key.Binding {
	return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "redeploy "+components.Clean(name)))
}

var keyNeed = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "need"))

func (c *CanRun) Keys() []key.Binding {
	ks := []key.Binding{keyNeed}
	if c.report != nil {
		if _, ok := fixable(c.report.Needs, c.cursor); ok {
			ks = append(ks, keyFix)
		}
	}
	if d, ok := c.failedDeployment(); ok {
		ks = append(ks, keyRedeploy(d.Name))
	}
	return append(ks, keyReload, keyScroll)
}

func (c *CanRun) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := c.update(msg)
	c.layout()
	return c, cmd
}

func (c *CanRun) update(msg tea.Msg) tea.Cmd {
	if c.Resized(msg) {
		return nil
	}
	if cmd, ok := c.Spin(msg, false); ok {
		return cmd
	}
	switch m := msg.(type) {
	case nav.Result[azure.RunCheck]:
		if c.Done(&c.call, m) {
			c.err = m.Err
			if m.Err == nil {
				r := m.Value
				c.report = &r
				c.cursor = firstFailing(r.Needs)
			}
		}
	case nav.Result[deployments]:
		if c.Done(&c.depsCall, m) && m.Err == nil {
			c.deps = m.Value // unread, the redeploy is not offered; the check says the rest
		}
	case nav.AccessChangedMsg:
		c.fixed = true
		return c.check() // a role was assigned: answer again
	case tea.KeyPressMsg:
		switch {
		case m.String() == "up" && c.report != nil:
			c.cursor = max(c.cursor-1, 0)
		case m.String() == "down" && c.report != nil:
			c.cursor = min(c.cursor+1, len(c.report.Needs)-1)
		case key.Matches(m, keyFix) && c.report != nil:
			if n, ok := fixable(c.report.Needs, c.cursor); ok {
				return nav.Cmd(assignFor(n))
			}
			return c.Toast(nav.Info, "Nothing to fix: every need is allowed")
		case key.Matches(m, keyReload):
			return c.check()
		case m.String() == "enter":
			// The fix loop ends where it started: the deployment that
			// failed is put again, not a new one beside it.
			if d, ok := c.failedDeployment(); ok {
				return nav.Cmd(nav.PushMsg{Screen: NewRedeploy(c.env, c.ep, slices.Clone(c.deps), d, c.az)})
			}
		default:
			var cmd tea.Cmd
			c.vp, cmd = c.vp.Update(m)
			return cmd
		}
	}
	return nil
}

func (c *CanRun) body(w int) []string {
	st := c.env.Styles
	lines := wrapped(st.Muted, "A deployment's container runs as the endpoint identity: it pulls the image from the workspace registry, "+
		"reads the model from the workspace storage, writes metrics, and reads connection secrets where the deployment uses them. "+
		"A missing one fails the deployment, not the caller.", w)
	lines = append(lines, "")
	switch {
	case c.err != nil:
		lines = append(lines, nav.Problem(st, "Checking the endpoint identity", nav.RetryWith(c.err, "R"), w))
	case c.report == nil:
		lines = append(lines, st.Accent.Render(c.Spinner()+" Reading the identity's role assignments…"))
	default:
		r := *c.report
		lines = append(lines, st.Bold.Render("Runs as ")+identityLine(r))
		if r.Identity.Kind == azure.UserAssigned {
			lines = append(lines, wrapped(st.Muted, "A user-assigned identity gets no role automatically: each need below is yours to grant.", w)...)
		} else {
			lines = append(lines, wrapped(st.Muted, "Azure gave this system-assigned identity AcrPull, Storage Blob Data Reader and AzureML Metrics Writer "+
				"when the endpoint was created; removing one breaks the next deployment.", w)...)
		}
		lines = append(lines, "")
		lines = append(lines, needLines(st, r, c.cursor, w)...)
		lines = append(lines, c.redeployLines(r, w)...)
	}
	return lines
}

// redeployLines offer to put the failed deployment again: after the fix,
// or at once when nothing it needs is missing.
func (c *CanRun) redeployLines(r azure.RunCheck, w int) []string {
	d, ok := c.failedDeployment()
	if !ok {
		return nil
	}
	st, name := c.env.Styles, components.Clean(d.Name)
	if _, missing := fixable(r.Needs, -1); missing {
		return append([]string{""}, wrapped(st.Warn, "Deployment "+name+" failed. Fix what is missing (f), then enter redeploys "+name+
			" (or now: the preflight there checks again).", w)...)
	}
	lead := "Deployment " + name + " failed, and nothing it needs is missing now"
	if c.fixed {
		lead = "A role was assigned since deployment " + name + " failed"
	}
	return append([]string{""}, wrapped(st.OK, "✓ "+lead+": enter redeploys "+name+" (the same deployment, put again; "+
		"n on the endpoint makes a new one instead).", w)...)
}

func (c *CanRun) layout() {
	w, h := c.Size()
	if w == 0 || h == 0 {
		return
	}
	components.Refit(&c.vp, w, max(h-1, 1), strings.Join(c.body(w), "\n"))
}

func (c *CanRun) View(w, h int) string {
	st := c.env.Styles
	head := st.Title.Render("Can " + components.Clean(c.ep.Endpoint) + " run?")
	if c.call.Busy() {
		head += "  " + c.Spinner()
	}
	return components.Block(components.Fit(head, w)+"\n"+c.vp.View(), w, h)
}
