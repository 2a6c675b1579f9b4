package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// trafficTotal is what an endpoint's live shares add up to (REST API,
// OnlineEndpointProperties: "Traffic values need to sum to 100";
// azure.ValidateTraffic has every rule).
const trafficTotal = 100

// Traffic edits an endpoint's live traffic split and mirror traffic, and
// deletes deployments that receive none.
type Traffic struct {
	nav.Kit
	env  *nav.Env
	az   Azure
	ep   azure.Endpoint
	deps []azure.Deployment

	live, mirror map[string]int32 // being edited
	cursor       int
	onMirror     bool   // the mirror column has the cursor
	typed        string // digits typed into the cell so far
	hint         string

	load     nav.Call
	loadErr  error
	apply    nav.Call
	applyErr error
	op       *azure.Operation
	opLabel  string
	last     azure.Progress
	focus    string
	vp       viewport.Model // the az and REST panes
}

// trafficState is one read of the endpoint and its deployments.
type trafficState struct {
	ep   azure.Endpoint
	deps []azure.Deployment
}

// deleteMsg is the confirmed delete of a deployment.
type deleteMsg struct{ name string }

// NewTraffic opens the editor; az nil means the session's.
func NewTraffic(env *nav.Env, msg nav.TrafficMsg, az Azure) *Traffic {
	t := &Traffic{Kit: nav.NewKit(env), env: env, az: api(env, az), focus: msg.Focus, vp: viewport.New()}
	t.set(msg.Endpoint, msg.Deployments)
	return t
}

// set takes what Azure says now; edits start from it.
func (t *Traffic) set(ep azure.Endpoint, deps []azure.Deployment) {
	t.ep, t.deps = ep, deps
	slices.SortFunc(t.deps, func(a, b azure.Deployment) int { return strings.Compare(a.Name, b.Name) })
	t.live, t.mirror = map[string]int32{}, map[string]int32{}
	for _, d := range deps {
		t.live[d.Name] = ep.Traffic[d.Name]
		t.mirror[d.Name] = ep.MirrorTraffic[d.Name]
	}
	for i, d := range t.deps {
		if t.focus != "" && strings.EqualFold(d.Name, t.focus) {
			t.cursor, t.focus = i, "" // once: later reloads keep the user's cursor
		}
	}
	t.cursor = min(t.cursor, max(len(t.deps)-1, 0))
}

func (t *Traffic) Title() string { return "Traffic" }

func (t *Traffic) Typing() bool { return false }

func (t *Traffic) Where() nav.Context { return t.env.Place(t.ep.WorkspaceRef, t.ep.Endpoint) }

// Discards: an edit not applied is lost by quitting (q asks first).
func (t *Traffic) Discards() string {
	if !t.changed() {
		return ""
	}
	return "the traffic change of " + components.Clean(t.ep.Endpoint)
}

func (t *Traffic) running() bool { return t.op != nil && !t.last.Done }

func (t *Traffic) Init() tea.Cmd { return t.reload() }

func (t *Traffic) reload() tea.Cmd {
	if t.az == nil {
		return nil
	}
	az, ref := t.az, t.ep.EndpointRef
	return nav.Go(&t.Kit, &t.load, timeout, func(ctx context.Context) (trafficState, error) {
		ep, err := az.Endpoint(ctx, ref)
		if err != nil {
			return trafficState{}, err
		}
		deps, err := az.Deployments(ctx, ref)
		return trafficState{ep, deps}, err
	})
}

// changed reports an edit that differs from what Azure has.
func (t *Traffic) changed() bool {
	for _, d := range t.deps {
		if t.live[d.Name] != t.ep.Traffic[d.Name] || t.mirror[d.Name] != t.ep.MirrorTraffic[d.Name] {
			return true
		}
	}
	return false
}

func sum(m map[string]int32) int32 {
	var n int32
	for _, v := range m {
		n += v
	}
	return n
}

// problem is the first rule the edit breaks ("" when Azure would take it).
func (t *Traffic) problem() string {
	names := make([]string, len(t.deps))
	for i, d := range t.deps {
		names[i] = d.Name
	}
	if err := azure.ValidateTraffic(names, t.live, t.mirror, strings.EqualFold(t.ep.ComputeType, "Kubernetes")); err != nil {
		return strings.TrimSuffix(err.Error(), ".")
	}
	for _, d := range t.deps {
		if t.live[d.Name] > 0 && !strings.EqualFold(d.ProvisioningState, "Succeeded") {
			return fmt.Sprintf("deployment %s is %s: only a deployment that succeeded can take traffic", components.Clean(d.Name), components.Clean(d.ProvisioningState))
		}
	}
	return ""
}

// nonZero drops the zero shares (Azure lists only deployments that get some).
func nonZero(m map[string]int32) map[string]int32 {
	out := map[string]int32{}
	for k, v := range m {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

func pairs(m map[string]int32) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(out, " ")
}

// azCommand is the az equivalent of the change.
func (t *Traffic) azCommand() string {
	r := t.ep.EndpointRef
	s := fmt.Sprintf("az ml online-endpoint update --name %s --resource-group %s --workspace-name %s --subscription %s --traffic \"%s\"",
		r.Endpoint, r.ResourceGroup, r.Name, r.Subscription, pairs(nonZero(t.live)))
	if m := nonZero(t.mirror); len(m) > 0 || len(t.ep.MirrorTraffic) > 0 {
		s += fmt.Sprintf(" --mirror-traffic \"%s\"", pairs(m))
	}
	return s
}

// restText is the REST equivalent: read the endpoint, set its shares, put
// it back whole (the endpoint's PATCH carries no traffic in this
// api-version: az and the app PUT it, so nothing may be left out).
func (t *Traffic) restText() string {
	body, _ := json.MarshalIndent(map[string]any{"traffic": nonZero(t.live), "mirrorTraffic": nonZero(t.mirror)}, "  ", "  ")
	url := t.env.Config.ARMURL(azure.EndpointAPIPath(t.ep.EndpointRef))
	return "GET " + url + "\n\nPUT " + url + "\n\nwith the body GET returned, its properties changed to:\n  " + string(body) +
		"\n\nKeep everything else it returned (auth mode, identity, tags): the PUT replaces the endpoint."
}

var (
	keyRow     = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "deployment"))
	keyColumn  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "live/mirror"))
	keyAdjust  = key.NewBinding(key.WithKeys("left", "right", "-", "+"), key.WithHelp("←/→", "±5%"))
	keyDigits  = key.NewBinding(key.WithKeys("0"), key.WithHelp("0-9", "type %"))
	keyApply   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply"))
	keyAll     = key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "all to this one"))
	keyDelDep  = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete deployment"))
	keyLogsDep = key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs"))
)

func (t *Traffic) Keys() []key.Binding {
	ks := []key.Binding{keyRow, keyColumn, keyAdjust, keyDigits, keyAll, keyApply, keyDelDep, keyLogsDep, keyCopyAz, keyCopyREST, keyReload}
	if t.scrolls() {
		ks = append(ks, keyScroll)
	}
	return ks
}

func (t *Traffic) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	_, cmd := t.update(msg)
	if w, h := t.Size(); w > 0 && h > 0 {
		t.vp = t.fitPanes(t.vp, w, h) // the edit changes the panes: pgup/pgdn then know how far they may go
	}
	return t, cmd
}

func (t *Traffic) update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if t.Resized(msg) {
		return t, nil
	}
	if cmd, ok := t.Spin(msg, t.running()); ok {
		return t, cmd
	}
	switch m := msg.(type) {
	case nav.Result[trafficState]:
		if t.Done(&t.load, m) {
			t.loadErr = m.Err
			if m.Err == nil && !t.changed() {
				t.set(m.Value.ep, m.Value.deps)
			} else if m.Err == nil {
				t.ep, t.deps = m.Value.ep, m.Value.deps // keep the edit; show what Azure has
			}
		}
		return t, nil
	case nav.Result[*azure.Operation]:
		if !t.Done(&t.apply, m) {
			return t, nil
		}
		t.applyErr = m.Err
		if m.Err != nil {
			return t, nil
		}
		t.op, t.last = m.Value, azure.Progress{}
		return t, tea.Batch(nav.Cmd(nav.TrackMsg{Op: m.Value, Label: t.opLabel}), t.StartSpinner())
	case nav.OperationMsg:
		if t.op != nil && m.Op == t.op {
			t.last = m.Progress
		}
		return t, nil
	case nav.EndpointsChangedMsg:
		if strings.EqualFold(m.Endpoint.ID(), t.ep.EndpointRef.ID()) {
			return t, t.reload()
		}
		return t, nil
	case deleteMsg:
		return t, t.startDelete(m.name)
	case tea.KeyPressMsg:
		if key.Matches(m, keyScroll) {
			var cmd tea.Cmd
			t.vp, cmd = t.vp.Update(m)
			return t, cmd
		}
		return t, t.key(m)
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		t.vp, cmd = t.vp.Update(m)
		return t, cmd
	}
	return t, nil
}

func (t *Traffic) key(k tea.KeyPressMsg) tea.Cmd {
	if len(t.deps) == 0 {
		if key.Matches(k, keyReload) {
			return t.reload()
		}
		return nil
	}
	s := k.String()
	cur := t.deps[t.cursor].Name
	cell := t.live
	if t.onMirror {
		cell = t.mirror
	}
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		t.typed += s
		n, _ := strconv.Atoi(t.typed)
		if n > 100 {
			t.typed, n = s, int(s[0]-'0')
		}
		cell[cur], t.hint = int32(n), ""
		return nil
	}
	if s != "backspace" {
		t.typed = ""
	}
	switch {
	case s == "backspace":
		if len(t.typed) > 0 {
			t.typed = t.typed[:len(t.typed)-1]
		}
		n, _ := strconv.Atoi(t.typed)
		cell[cur] = int32(n)
	case s == "up":
		t.cursor = max(t.cursor-1, 0)
	case s == "down":
		t.cursor = min(t.cursor+1, len(t.deps)-1)
	case s == "tab":
		t.onMirror = !t.onMirror
	case s == "left" || s == "-":
		cell[cur] = max(cell[cur]-5, 0)
	case s == "right" || s == "+":
		cell[cur] = min(cell[cur]+5, 100)
	case key.Matches(k, keyAll):
		for _, d := range t.deps {
			t.live[d.Name] = 0
		}
		t.live[cur], t.mirror[cur] = trafficTotal, 0
	case key.Matches(k, keyApply):
		return t.startApply()
	case key.Matches(k, keyDelDep):
		return t.askDelete(t.deps[t.cursor])
	case key.Matches(k, keyLogsDep):
		return nav.Cmd(nav.DeploymentLogsMsg{Endpoint: t.ep, Deployments: t.deps, Deployment: cur})
	case key.Matches(k, keyCopyAz):
		return nav.Cmd(nav.CopyMsg{Text: t.azCommand(), Label: "Copied the az command"})
	case key.Matches(k, keyCopyREST):
		return nav.Cmd(nav.CopyMsg{Text: t.restText(), Label: "Copied the REST request"})
	case key.Matches(k, keyReload):
		return t.reload()
	}
	return nil
}

func (t *Traffic) startApply() tea.Cmd {
	if p := t.problem(); p != "" {
		t.hint = "Not applied: " + p + "."
		return nil
	}
	if !t.changed() {
		t.hint = "Nothing to apply: this is the traffic Azure has."
		return nil
	}
	if t.running() {
		t.hint = "Not applied: " + t.opLabel + " is still running; wait until it ends."
		return nil
	}
	t.hint, t.applyErr = "", nil
	t.opLabel = "Traffic of " + t.ep.Endpoint + ": " + pairs(nonZero(t.live))
	az, ref, live, mirror := t.az, t.ep.EndpointRef, nonZero(t.live), nonZero(t.mirror)
	return nav.Go(&t.Kit, &t.apply, timeout, func(ctx context.Context) (*azure.Operation, error) {
		return az.SetTraffic(ctx, ref, live, mirror)
	})
}

// askDelete confirms a delete, or refuses it while the deployment gets
// traffic (Azure refuses too: its traffic must move away first).
func (t *Traffic) askDelete(d azure.Deployment) tea.Cmd {
	name := components.Clean(d.Name)
	if l, m := t.ep.Traffic[d.Name], t.ep.MirrorTraffic[d.Name]; l > 0 || m > 0 {
		t.hint = fmt.Sprintf("Not deleted: %s receives %d%% of live and %d%% of mirror traffic, and Azure refuses to delete a deployment that "+
			"receives traffic. Set its share to 0 (move it to another deployment), apply, then delete it.", name, l, m)
		return nil
	}
	return t.Confirm("Delete deployment "+name+"?", "It gets no traffic now. Its instances are released; the endpoint stays.\n\n"+
		fmt.Sprintf("az ml online-deployment delete --name %s --endpoint-name %s --yes", name, components.Clean(t.ep.Endpoint)), "Delete", deleteMsg{d.Name})
}

func (t *Traffic) startDelete(name string) tea.Cmd {
	t.hint, t.applyErr = "", nil
	t.opLabel = "Delete deployment " + name
	az, ref := t.az, t.ep.EndpointRef
	return nav.Go(&t.Kit, &t.apply, timeout, func(ctx context.Context) (*azure.Operation, error) {
		return az.DeleteDeployment(ctx, azure.DeploymentRef{EndpointRef: ref, Deployment: name})
	})
}

func (t *Traffic) View(w, h int) string {
	st := t.env.Styles
	lines := t.editor(w)
	if len(t.deps) == 0 {
		return components.Block(strings.Join(lines, "\n"), w, h)
	}
	// A copy laid out at this size with the edit as of now: View changes
	// nothing; pgup/pgdn move t.vp, laid out in Update.
	vp := t.fitPanes(t.vp, w, h)
	sep := ""
	if vp.TotalLineCount() > vp.Height() {
		sep = st.Muted.Render(fmt.Sprintf("pgup/pgdn scroll the commands · %d%%", int(vp.ScrollPercent()*100)))
	}
	return components.Block(strings.Join(append(lines, sep, vp.View()), "\n"), w, h)
}

// editor is what stays in view: the split being edited, its verdict and
// the operation; the az and REST panes scroll under it.
func (t *Traffic) editor(w int) []string {
	st := t.env.Styles
	head := st.Title.Render("Traffic of " + components.Clean(t.ep.Endpoint))
	if t.load.Busy() || t.apply.Busy() || t.running() {
		head += "  " + t.Spinner()
	}
	// The heading is never cut: what live and mirror mean follows the
	// title when it fits (with a blank line under it), else it takes the
	// blank line's place, wrapped, so the editor's height stays the same
	// at 80 columns.
	const means = "live requests are split; mirrored ones are copied, their answers dropped"
	lines := []string{head + st.Muted.Render("  "+means), ""}
	if lipgloss.Width(lines[0]) > w {
		lines = []string{head}
		for _, l := range strings.Split(components.Wrap(means, w), "\n") {
			lines = append(lines, st.Muted.Render(l))
		}
	}
	if t.loadErr != nil {
		lines = append(lines, nav.Problem(st, "Reading the endpoint", nav.RetryWith(t.loadErr, "R"), w), "")
	}
	if len(t.deps) == 0 {
		return append(lines, st.Muted.Render("No deployments yet: n on the endpoint creates one."))
	}
	lines = append(lines, st.TableHeader.Render(fmt.Sprintf("  %-20s %-10s %8s %8s   %s", "DEPLOYMENT", "STATE", "LIVE", "MIRROR", "NOW IN AZURE")))
	for i, d := range t.deps {
		cellText := func(v int32, sel bool) string {
			s := fmt.Sprintf("%7d%%", v)
			if sel {
				return st.Cursor.Render("[" + strings.TrimSpace(s) + "]")
			}
			return s
		}
		liveS := cellText(t.live[d.Name], i == t.cursor && !t.onMirror)
		mirS := cellText(t.mirror[d.Name], i == t.cursor && t.onMirror)
		mark := "  "
		if i == t.cursor {
			mark = st.Cursor.Render("› ")
		}
		now := fmt.Sprintf("%d%% live · %d%% mirror", t.ep.Traffic[d.Name], t.ep.MirrorTraffic[d.Name])
		lines = append(lines, components.Fit(fmt.Sprintf("%s%-20s %-10s %8s %8s   %s", mark, components.Fit(components.Clean(d.Name), 20),
			components.Fit(components.Clean(d.ProvisioningState), 10), liveS, mirS, st.Muted.Render(now)), w))
	}
	total := fmt.Sprintf("  %-20s %-10s %7d%% %7d%%", "total", "", sum(t.live), sum(t.mirror))
	lines = append(lines, st.Bold.Render(total))
	if p := t.problem(); p != "" {
		lines = append(lines, wrapped(st.Warn, "! "+p, w)...)
	} else if t.changed() {
		lines = append(lines, st.OK.Render("✓ Azure would take this split: enter applies it."))
	}
	if t.hint != "" {
		lines = append(lines, wrapped(st.Err, "✗ "+components.Clean(t.hint), w)...)
	}
	switch {
	case t.apply.Busy():
		lines = append(lines, st.Accent.Render(t.Spinner()+" Sending…"))
	case t.applyErr != nil:
		lines = append(lines, nav.Problem(st, t.opLabel, nav.RetryWith(t.applyErr, "enter"), w))
	case t.op != nil && t.last.Done && t.last.Err != nil:
		lines = append(lines, nav.Problem(st, t.opLabel, nav.RetryWith(t.last.Err, "enter"), w))
	case t.op != nil && t.last.Done:
		lines = append(lines, st.OK.Render("✓ "+components.Clean(t.opLabel)+": Succeeded"))
	case t.op != nil:
		lines = append(lines, st.Accent.Render(t.Spinner()+" "+components.Clean(t.opLabel)+" · "+components.Clean(t.op.State())))
	}
	// Problem and the wrapped lines may hold several rows each.
	return strings.Split(strings.Join(lines, "\n"), "\n")
}

// fitPanes lays vp out under the editor at w×h with the az and REST panes
// of the edit as of now, keeping its scroll position.
func (t *Traffic) fitPanes(vp viewport.Model, w, h int) viewport.Model {
	st := t.env.Styles
	panes := append(pane(st, "az CLI (a)", t.azCommand(), w), "")
	panes = append(panes, pane(st, "REST (r)", t.restText(), w)...)
	components.Refit(&vp, w, max(h-len(t.editor(w))-1, 1), strings.Join(panes, "\n"))
	return vp
}

// scrolls reports that the panes do not fit: pgup/pgdn are offered.
func (t *Traffic) scrolls() bool { return t.vp.TotalLineCount() > t.vp.Height() }
