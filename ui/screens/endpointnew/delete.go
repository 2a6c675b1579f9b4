package endpointnew

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

var keyDelete = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "delete"))

// Delete deletes an endpoint after the user typed its name.
type Delete struct {
	nav.Kit
	env     *nav.Env
	ep      azure.Endpoint
	input   textinput.Model
	running bool // the confirmation is done; the operation is ours to follow
	hint    string

	gate      gate
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
}

func newDelete(env *nav.Env, msg nav.DeleteEndpointMsg) *Delete {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "the endpoint's name"
	in.CharLimit = 64
	in.SetStyles(env.Styles.Input)
	return &Delete{Kit: nav.NewKit(env), env: env, ep: msg.Endpoint, input: in,
		gate: newGate("endpoint.delete", "delete endpoints", msg.Endpoint.EndpointRef.ID())}
}

func (d *Delete) Title() string      { return "Delete endpoint" }
func (d *Delete) Typing() bool       { return !d.running }
func (d *Delete) Where() nav.Context { return placeOf(d.env, d.ep.WorkspaceRef, d.ep.Endpoint) }

// HandlesEsc: after a failure esc goes back to the confirmation; while it
// runs esc leaves (the delete goes on). While typing, esc reaches Update.
func (d *Delete) HandlesEsc() bool { return d.running && d.watch.failed() }

func (d *Delete) Keys() []key.Binding {
	var ks []key.Binding
	switch {
	case !d.running:
		ks = []key.Binding{keyDelete}
		if d.startErr != nil {
			ks = append(ks, keyCheck)
		}
	case d.watch.failed():
		ks = []key.Binding{keyRetry, keyDetails}
	}
	if d.gate.warns() && !d.running && d.startErr == nil {
		ks = append(ks, keyCheck)
	}
	return ks
}

func (d *Delete) Init() tea.Cmd {
	cmds := []tea.Cmd{d.input.Focus()}
	if c := d.gate.start(&d.Kit, d.env); c != nil {
		cmds = append(cmds, c, d.StartSpinner())
	}
	return tea.Batch(cmds...)
}

func (d *Delete) active() bool { return d.gate.busy() || d.startCall.Busy() || d.watch.running() }

func (d *Delete) azCommand() string {
	r := d.ep.EndpointRef
	return fmt.Sprintf("az ml online-endpoint delete --name %s --resource-group %s --workspace-name %s --subscription %s --yes",
		r.Endpoint, r.ResourceGroup, r.Name, r.Subscription)
}

func (d *Delete) restText() string {
	return d.env.Config.RESTText("DELETE", azure.EndpointAPIPath(d.ep.EndpointRef), "")
}

func (d *Delete) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if _, ok := msg.(nav.ThemeMsg); ok {
		d.input.SetStyles(d.env.Styles.Input)
		return d, nil
	}
	if cmd, ok := d.Spin(msg, d.active()); ok {
		return d, cmd
	}
	switch m := msg.(type) {
	case nav.Result[azure.Verdict]:
		d.gate.update(&d.Kit, m)
	case nav.Result[*azure.Operation]:
		if !d.Done(&d.startCall, m) {
			return d, nil
		}
		if m.Err != nil {
			d.startErr, d.running = m.Err, false
			return d, d.input.Focus()
		}
		d.running = true
		return d, tea.Batch(d.watch.track(m.Value, "Delete "+d.ep.Endpoint), d.StartSpinner())
	case nav.OperationMsg:
		if d.watch.update(m) && d.watch.succeeded() {
			// Back to the workspace's endpoint list: the details of a
			// deleted endpoint would only say "not found".
			return d, nav.Cmd(nav.OpenMsg{Context: placeOf(d.env, d.ep.WorkspaceRef, "")})
		}
	case tea.KeyPressMsg:
		return d, d.key(m)
	case tea.PasteMsg:
		if !d.running {
			var cmd tea.Cmd
			d.input, cmd = d.input.Update(m)
			d.hint = ""
			return d, cmd
		}
	}
	return d, nil
}

func (d *Delete) key(k tea.KeyPressMsg) tea.Cmd {
	if d.startCall.Busy() {
		return nil // the request is out: its answer must find this screen to be tracked
	}
	if key.Matches(k, keyCheck) {
		return nav.Cmd(nav.CheckAccessMsg{Context: d.Where(), AuthMode: d.ep.AuthMode})
	}
	s := k.String()
	if d.running {
		if !d.watch.failed() {
			return nil
		}
		switch {
		case key.Matches(k, keyRetry):
			return d.start()
		case key.Matches(k, keyDetails):
			return nav.Cmd(nav.ErrorMsg{Title: "Deleting " + d.ep.Endpoint, Err: d.watch.last.Err})
		case s == "esc":
			d.running = false
			return d.input.Focus()
		}
		return nil
	}
	switch s {
	case "esc":
		return nav.Cmd(nav.PopMsg{})
	case "enter":
		// Exact, case included: the point is to read the name, not to match it.
		if strings.TrimSpace(d.input.Value()) != d.ep.Endpoint {
			d.hint = "Type the endpoint's name exactly to confirm: " + d.ep.Endpoint
			return nil
		}
		return d.start()
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(k)
	d.hint = ""
	return cmd
}

func (d *Delete) start() tea.Cmd {
	if d.env.Session == nil || d.startCall.Busy() {
		return nil
	}
	d.startErr, d.hint = nil, ""
	sess, ref := d.env.Session, d.ep.EndpointRef
	return nav.Go(&d.Kit, &d.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.DeleteEndpoint(ctx, ref) })
}

func (d *Delete) View(w, h int) string {
	st := d.env.Styles
	name := components.Clean(d.ep.Endpoint)
	head := st.Title.Render("Delete endpoint ") + st.Bold.Render(name) + st.Muted.Render(" in "+components.Clean(d.ep.Name))
	if d.active() {
		head += "  " + d.Spinner()
	}
	lines := []string{components.Fit(head, w)}
	if g := d.gate.view(st, name, w); g != "" {
		lines = append(lines, g)
	}
	lines = append(lines, "")
	if d.running && d.watch.op != nil {
		lines = append(lines, d.watch.view(st, d.Spinner(), d.env.Now(), w)...)
		lines = append(lines, "")
		switch {
		case d.watch.failed():
			lines = append(lines, nav.Problem(st, "The delete failed", nav.RetryWith(d.watch.last.Err, "enter"), w), "",
				st.Accent.Render(wrap("enter retries · e details · esc back", w)))
		case d.watch.succeeded():
			lines = append(lines, st.OK.Render("Deleted. Back to the endpoint list…"))
		default:
			lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
		}
		return components.Block(strings.Join(lines, "\n"), w, h)
	}
	lines = append(lines, st.Warn.Render(wrap("This deletes the endpoint, "+d.deployments()+" and its scoring URI. "+
		"Every caller gets errors from then on, and its keys and tokens stop working. It cannot be undone.", w)))
	var facts []string
	if d.ep.AuthMode != "" {
		facts = append(facts, "auth "+d.ep.AuthMode)
	}
	if d.ep.ComputeType != "" {
		facts = append(facts, d.ep.ComputeType+" compute")
	}
	if d.ep.ScoringURI != "" {
		facts = append(facts, d.ep.ScoringURI)
	}
	if len(facts) > 0 {
		lines = append(lines, st.Muted.Render(components.Fit(components.Clean(strings.Join(facts, " · ")), w)))
	}
	lines = append(lines, "")
	lines = append(lines, labelled(st, "az CLI", components.CleanBlock(d.azCommand()), w)...)
	lines = append(lines, labelled(st, "REST", components.CleanBlock(d.restText()), w)...)
	lines = append(lines, "")
	switch {
	case d.startCall.Busy():
		lines = append(lines, st.Accent.Render(d.Spinner()+" Sending the delete…"))
	case d.startErr != nil:
		lines = append(lines, nav.Problem(st, "Deleting "+d.ep.Endpoint, nav.RetryWith(d.startErr, "enter"), w),
			st.Accent.Render(wrap(changeAdvice(d.startErr), w)), "")
	}
	lines = append(lines, "Type "+st.Bold.Render(name)+" to confirm, then enter (esc cancels):")
	d.input.SetWidth(max(w-4, 10))
	lines = append(lines, d.input.View())
	if d.hint != "" {
		lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(d.hint), w)))
	}
	// The input stays visible at any height: cut from the top, not the bottom.
	out := strings.Split(strings.Join(lines, "\n"), "\n")
	if len(out) > h {
		out = append(out[:1], out[len(out)-h+1:]...)
	}
	return components.Block(strings.Join(out, "\n"), w, h)
}

// deployments names what goes with the endpoint ("its deployments blue (90%) and green (10%)").
func (d *Delete) deployments() string {
	if len(d.ep.Traffic) == 0 {
		return "all its deployments"
	}
	names := make([]string, 0, len(d.ep.Traffic))
	for n := range d.ep.Traffic {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = fmt.Sprintf("%s (%d%%)", components.Clean(n), d.ep.Traffic[n])
	}
	return "its deployments " + strings.Join(names, ", ")
}
