package endpointnew

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
)

// start asks, as a request of the screen's kit.
func (g *gate) start(k *nav.Kit, env *nav.Env) tea.Cmd {
	if env.Session == nil || g.op.Action == "" {
		return nil
	}
	op, sess, scope := g.op, env.Session, g.scope
	return nav.Go(k, &g.call, timeout, func(ctx context.Context) (azure.Verdict, error) {
		a, err := sess.Access(ctx, sess.Identity().Principal(), scope)
		if err != nil {
			return azure.Verdict{}, err
		}
		return a.Check([]rbac.Operation{op})[0], nil
	})
}

// track hands op to the root and starts following it.
func (w *watch) track(op *azure.Operation, label string) tea.Cmd {
	w.op, w.label, w.last = op, label, azure.Progress{}
	return nav.Cmd(nav.TrackMsg{Op: op, Label: label})
}

func (c *Create) Init() tea.Cmd {
	cmds := []tea.Cmd{c.name.Focus(), c.gate.start(&c.Kit, c.env), c.loadIDs(), c.loadFacts()}
	if c.location == "" && c.env.Session != nil {
		cmds = append(cmds, c.loadLocation())
	}
	if c.active() {
		cmds = append(cmds, c.StartSpinner())
	}
	return tea.Batch(cmds...)
}

func (c *Create) loadIDs() tea.Cmd {
	if c.env.Session == nil {
		return nil
	}
	c.idsErr = nil
	c.ids.Loading = true
	sess, sub := c.env.Session, c.ws.Subscription
	return nav.Go(&c.Kit, &c.idsCall, timeout, func(ctx context.Context) ([]azure.ManagedIdentity, error) {
		return sess.UserAssignedIdentities(ctx, sub)
	})
}

// loadLocation finds the workspace's region when the caller did not know it
// (a new endpoint lives in its workspace's region).
func (c *Create) loadLocation() tea.Cmd {
	sess, ws := c.env.Session, c.ws
	return nav.Go(&c.Kit, &c.locCall, timeout, func(ctx context.Context) (location, error) {
		list, err := sess.Workspaces(ctx, []string{ws.Subscription})
		if err != nil {
			return "", err
		}
		for _, w := range list.Items {
			if strings.EqualFold(w.ID, ws.ID()) || (strings.EqualFold(w.Name, ws.Name) && strings.EqualFold(w.ResourceGroup, ws.ResourceGroup)) {
				return location(w.Location), nil
			}
		}
		return "", nil
	})
}

// checkAccess (ctrl+o) opens the access check already run, with the
// cursor on what was refused or warned about: attaching the user-assigned
// identity (checked at the identity, where Azure checks it) when Azure
// refused that or its warning is on screen (the identity step and the
// review), else creating endpoints (at the workspace); with neither, it
// opens at the workspace.
func (c *Create) checkAccess() tea.Cmd {
	m := nav.CheckAccessMsg{Context: c.env.Place(c.ws, "")}
	var fe *azure.ForbiddenError
	refused := c.startErr != nil && errors.As(azure.Classify(c.startErr), &fe)
	idWarned := (c.step == cIdentity || c.step == cReview) && c.idGate.warns()
	identity := c.uai != nil && (refused && strings.EqualFold(fe.Action, actAssignIdentity) || !refused && idWarned)
	switch {
	case identity:
		m.Run = &nav.CheckRun{Action: actAssignIdentity, Name: "Attach identity " + c.uai.Name, Scope: c.uai.ID}
	case refused || c.gate.warns():
		m.Run = &nav.CheckRun{Operation: "endpoint.write"}
	}
	return nav.Cmd(m)
}

// start sends the PUT; the answer is the running operation or Azure's refusal.
func (c *Create) start() tea.Cmd {
	if c.env.Session == nil {
		c.hint = "Sign in first."
		return nil
	}
	c.startErr, c.hint = nil, ""
	c.step = cReview
	sess, sp := c.env.Session, c.spec()
	return nav.Go(&c.Kit, &c.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.CreateEndpoint(ctx, sp) })
}

func (a *AuthMode) Init() tea.Cmd {
	cmd := a.gate.start(&a.Kit, a.env)
	if cmd == nil {
		return nil
	}
	return tea.Batch(cmd, a.StartSpinner())
}

func (a *AuthMode) azCommand() string {
	r := a.ep.EndpointRef
	return fmt.Sprintf("az ml online-endpoint update --name %s --resource-group %s --workspace-name %s --subscription %s --set auth_mode=%s",
		r.Endpoint, r.ResourceGroup, r.Name, r.Subscription, a.target())
}

// restText is the REST equivalent: read the endpoint, change the mode, put
// it back whole (a PUT replaces the resource, so nothing may be left out:
// this is what the app does too).
func (a *AuthMode) restText() string {
	url := a.env.Config.ARMURL(azure.EndpointAPIPath(a.ep.EndpointRef))
	return "GET " + url + "\n\nPUT " + url + "\n\n" +
		"with the body GET returned, changed to:\n" +
		`  "properties": { "authMode": "` + armMode(a.target()) + `", … }` + "\n\n" +
		"Keep everything else it returned (traffic, compute, identity, tags): the PUT replaces the endpoint."
}

func (a *AuthMode) start() tea.Cmd {
	if a.env.Session == nil || a.startCall.Busy() {
		return nil
	}
	a.startErr = nil
	sess, ref, to := a.env.Session, a.ep.EndpointRef, a.target()
	return nav.Go(&a.Kit, &a.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.SetAuthMode(ctx, ref, to) })
}

func (d *Delete) Init() tea.Cmd {
	cmds := []tea.Cmd{d.input.Focus()}
	if c := d.gate.start(&d.Kit, d.env); c != nil {
		cmds = append(cmds, c, d.StartSpinner())
	}
	return tea.Batch(cmds...)
}

func (d *Delete) azCommand() string {
	r := d.ep.EndpointRef
	return fmt.Sprintf("az ml online-endpoint delete --name %s --resource-group %s --workspace-name %s --subscription %s --yes",
		r.Endpoint, r.ResourceGroup, r.Name, r.Subscription)
}

func (d *Delete) restText() string {
	return d.env.Config.RESTText("DELETE", azure.EndpointAPIPath(d.ep.EndpointRef), "")
}

func (d *Delete) start() tea.Cmd {
	if d.env.Session == nil || d.startCall.Busy() {
		return nil
	}
	d.startErr, d.hint = nil, ""
	sess, ref := d.env.Session, d.ep.EndpointRef
	return nav.Go(&d.Kit, &d.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.DeleteEndpoint(ctx, ref) })
}
