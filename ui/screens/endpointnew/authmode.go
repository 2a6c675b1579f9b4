package endpointnew

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

type amStep int

const (
	amPick amStep = iota
	amConfirm
	amRun
)

var (
	keyApply = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "change it"))
)

// AuthMode changes the auth mode of an existing endpoint.
type AuthMode struct {
	nav.Kit
	env    *nav.Env
	ep     azure.Endpoint
	step   amStep
	cursor int
	hint   string

	gate      gate
	scroll    scroller
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
}

func newAuthMode(env *nav.Env, msg nav.ChangeAuthModeMsg) *AuthMode {
	ep := msg.Endpoint
	return &AuthMode{Kit: nav.NewKit(env), env: env, ep: ep, cursor: modeIndex(ep.AuthMode),
		gate: newGate("endpoint.write", "change endpoints", ep.EndpointRef.ID())}
}

func (a *AuthMode) Title() string { return "Auth mode" }

// Discards: the change under review is lost by quitting (q asks first).
func (a *AuthMode) Discards() string {
	if a.step != amConfirm {
		return ""
	}
	return "the change to " + a.target()
}
func (a *AuthMode) Typing() bool { return false }
func (a *AuthMode) Where() nav.Context {
	return placeOf(a.env, a.ep.WorkspaceRef, a.ep.Endpoint)
}

// HandlesEsc: esc steps back inside the flow; from the list, while the
// operation runs (it goes on) and after success, it leaves.
func (a *AuthMode) HandlesEsc() bool {
	return a.step == amConfirm || (a.step == amRun && a.watch.failed())
}

func (a *AuthMode) Keys() []key.Binding {
	var ks []key.Binding
	switch a.step {
	case amPick:
		ks = []key.Binding{keyChoose, keyNext}
	case amConfirm:
		ks = []key.Binding{keyApply, keyCopyAz, keyCopyREST}
		if a.startErr != nil {
			ks = append(ks, keyDetails)
		}
	case amRun:
		if a.watch.failed() {
			ks = []key.Binding{keyRetry, keyDetails}
		}
	}
	if a.gate.warns() || a.step == amRun {
		ks = append(ks, keyCheck)
	}
	return ks
}

func (a *AuthMode) Init() tea.Cmd {
	cmd := a.gate.start(&a.Kit, a.env)
	if cmd == nil {
		return nil
	}
	return tea.Batch(cmd, a.StartSpinner())
}

func (a *AuthMode) active() bool { return a.gate.busy() || a.startCall.Busy() || a.watch.running() }

func (a *AuthMode) target() string { return modes()[a.cursor].Mode }

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

// armMode is ARM's spelling of an auth mode.
func armMode(mode string) string {
	switch mode {
	case azure.AuthKey:
		return "Key"
	case azure.AuthAMLToken:
		return "AMLToken"
	case azure.AuthAADToken:
		return "AADToken"
	}
	return mode
}

func (a *AuthMode) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if cmd, ok := a.Spin(msg, a.active()); ok {
		return a, cmd
	}
	switch m := msg.(type) {
	case nav.Result[azure.Verdict]:
		a.gate.update(&a.Kit, m)
	case nav.Result[*azure.Operation]:
		if !a.Done(&a.startCall, m) {
			return a, nil
		}
		if m.Err != nil {
			a.startErr, a.step = m.Err, amConfirm
			return a, nil
		}
		a.step = amRun
		return a, tea.Batch(a.watch.track(m.Value, fmt.Sprintf("Auth mode %s → %s", a.ep.Endpoint, a.target())), a.StartSpinner())
	case nav.OperationMsg:
		if a.watch.update(m) && a.watch.succeeded() {
			a.ep.AuthMode = a.target()
			if p := m.Progress.Endpoint; p != nil {
				a.ep = *p
			}
		}
	case tea.KeyPressMsg:
		return a, a.key(m)
	case tea.MouseWheelMsg:
		if m.Button == tea.MouseWheelUp {
			a.scroll.key("up", 1)
		} else {
			a.scroll.key("down", 1)
		}
	}
	return a, nil
}

func (a *AuthMode) key(k tea.KeyPressMsg) tea.Cmd {
	if a.startCall.Busy() {
		return nil // the request is out: its answer must find this screen to be tracked
	}
	if key.Matches(k, keyCheck) {
		return nav.Cmd(nav.CheckAccessMsg{Context: a.Where(), AuthMode: a.ep.AuthMode})
	}
	s := k.String()
	switch a.step {
	case amPick:
		switch s {
		case "up", "k":
			a.cursor, a.hint = (a.cursor+len(modes())-1)%len(modes()), ""
		case "down", "j":
			a.cursor, a.hint = (a.cursor+1)%len(modes()), ""
		case "enter":
			to := a.target()
			switch {
			case to == a.ep.AuthMode:
				a.hint = a.ep.Endpoint + " already uses " + to + ": choose another mode."
			case modeDisabled(to, a.ep.ComputeType) != "":
				a.hint = to + " is " + modeDisabled(to, a.ep.ComputeType) + "."
			default:
				a.step, a.hint, a.scroll.off = amConfirm, "", 0
			}
		}
	case amConfirm:
		switch {
		case s == "esc":
			a.step, a.startErr = amPick, nil
		case key.Matches(k, keyApply):
			return a.start()
		case key.Matches(k, keyCopyAz):
			return nav.Cmd(nav.CopyMsg{Text: a.azCommand(), Label: "Copied the az command"})
		case key.Matches(k, keyCopyREST):
			return nav.Cmd(nav.CopyMsg{Text: a.restText(), Label: "Copied the REST request"})
		case key.Matches(k, keyDetails) && a.startErr != nil:
			return nav.Cmd(nav.ErrorMsg{Title: "Changing the auth mode of " + a.ep.Endpoint, Err: a.startErr})
		default:
			a.scroll.key(s, 10)
		}
	case amRun:
		if !a.watch.failed() {
			return nil
		}
		switch {
		case key.Matches(k, keyRetry):
			return a.start()
		case key.Matches(k, keyDetails):
			return nav.Cmd(nav.ErrorMsg{Title: "Changing the auth mode of " + a.ep.Endpoint, Err: a.watch.last.Err})
		case s == "esc":
			a.step = amConfirm
		}
	}
	return nil
}

func (a *AuthMode) start() tea.Cmd {
	if a.env.Session == nil || a.startCall.Busy() {
		return nil
	}
	a.startErr = nil
	sess, ref, to := a.env.Session, a.ep.EndpointRef, a.target()
	return nav.Go(&a.Kit, &a.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.SetAuthMode(ctx, ref, to) })
}

func (a *AuthMode) View(w, h int) string {
	st := a.env.Styles
	head := st.Title.Render("Change the auth mode") + st.Muted.Render(" of "+components.Clean(a.ep.Endpoint))
	if a.active() {
		head += "  " + a.Spinner()
	}
	top := []string{components.Fit(head, w)}
	if g := a.gate.view(st, a.ep.Endpoint, w); g != "" {
		top = append(top, g)
	}
	cur := modes()[modeIndex(a.ep.AuthMode)]
	now := st.Muted.Render("now: ") + st.Bold.Render(components.Clean(a.ep.AuthMode)) + st.Muted.Render(" — "+cur.Short)
	if a.ep.ComputeType != "" {
		now += st.Muted.Render(" · " + components.Clean(a.ep.ComputeType) + " compute")
	}
	top = append(top, components.Fit(now, w), "")
	topS := strings.Join(top, "\n")
	rest := h - lipgloss.Height(topS)
	var lines []string
	switch a.step {
	case amPick:
		lines = append(lines, st.Bold.Render("Choose the new mode"))
		lines = append(lines, modeList(st, a.cursor, a.ep.ComputeType, a.ep.AuthMode, w)...)
		lines = append(lines, "")
		to := a.target()
		switch {
		case modeDisabled(to, a.ep.ComputeType) != "":
			lines = append(lines, st.Bold.Render(to), st.Warn.Render(wrap("Disabled: "+modeDisabled(to, a.ep.ComputeType)+".", w)))
		case to == a.ep.AuthMode:
			lines = append(lines, modeDetail(st, modes()[a.cursor], w)...)
		default:
			lines = append(lines, modeDetail(st, modes()[a.cursor], w)...)
			lines = append(lines, "", st.Warn.Render("What changing to "+to+" breaks:"))
			for _, s := range impact(a.ep.AuthMode, to, a.ep.ComputeType) {
				lines = append(lines, wrapBullet(s, w)...)
			}
		}
		if a.hint != "" {
			lines = append(lines, "", st.Err.Render(wrap("✗ "+components.Clean(a.hint), w)))
		}
		return components.Block(topS+"\n"+a.scroll.window(st, lines, rest), w, h)
	case amConfirm:
		lines = append(lines, st.Bold.Render(fmt.Sprintf("Change %s from %s to %s?", components.Clean(a.ep.Endpoint), components.Clean(a.ep.AuthMode), a.target())))
		for _, s := range impact(a.ep.AuthMode, a.target(), a.ep.ComputeType) {
			lines = append(lines, st.Warn.Render(strings.Join(wrapBullet(s, w), "\n")))
		}
		switch {
		case a.startCall.Busy():
			lines = append(lines, "", st.Accent.Render(a.Spinner()+" Sending the change…"))
		case a.startErr != nil:
			lines = append(lines, "", nav.Problem(st, "Changing the auth mode", nav.RetryWith(a.startErr, "y"), w),
				st.Accent.Render(wrap(changeAdvice(a.startErr), w)))
		default:
			lines = append(lines, "", st.Accent.Render("y")+" changes it · "+st.Accent.Render("esc")+" back")
		}
		lines = append(lines, "")
		lines = append(lines, panes(st, w, false, []string{"az CLI (a)", "REST (r)"},
			[]string{components.CleanBlock(a.azCommand()), components.CleanBlock(a.restText())})...)
		return components.Block(topS+"\n"+a.scroll.window(st, lines, rest), w, h)
	}
	if a.watch.op != nil {
		lines = a.watch.view(st, a.Spinner(), a.env.Now(), w)
	}
	lines = append(lines, "")
	switch {
	case a.watch.failed():
		lines = append(lines, nav.Problem(st, "The change failed", nav.RetryWith(a.watch.last.Err, "enter"), w), "",
			st.Accent.Render(wrap("enter retries · e details · esc back", w)))
	case a.watch.succeeded():
		lines = append(lines, st.OK.Render(wrap(fmt.Sprintf("%s now uses %s.", components.Clean(a.ep.Endpoint), components.Clean(a.ep.AuthMode)), w)))
		if a.ep.AuthMode == azure.AuthAADToken {
			lines = append(lines, st.Muted.Render(wrap("Callers need onlineEndpoints/score/action on it: ctrl+o checks who has it.", w)))
		} else {
			lines = append(lines, st.Muted.Render(wrap("Give callers the new credential now (the credentials screen shows it).", w)))
		}
		lines = append(lines, st.Muted.Render("esc goes back to the endpoint."))
	default:
		lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
	}
	return components.Block(topS+"\n"+strings.Join(lines, "\n"), w, h)
}

// wrapBullet wraps a bullet point with a hanging indent.
func wrapBullet(s string, w int) []string {
	lines := strings.Split(wrap(s, max(w-4, 10)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = "  • " + lines[i]
		} else {
			lines[i] = "    " + lines[i]
		}
	}
	return lines
}

// changeAdvice says what to do about a refused change or delete.
func changeAdvice(err error) string {
	var (
		fe *azure.ForbiddenError
		th *azure.ThrottledError
		ce *azure.ConflictError
		se *azure.ServiceError
	)
	switch {
	case errors.As(err, &fe):
		return "ctrl+o checks your access and finds the role that grants it; then retry."
	case errors.As(err, &th):
		return "Azure is throttling: wait a moment, then retry."
	case errors.As(err, &ce), errors.As(err, &se) && se.Status == 409:
		return "Another operation on this endpoint is still running: wait until it ends (the header shows it), then retry."
	}
	return "Retry, or e for the details."
}
