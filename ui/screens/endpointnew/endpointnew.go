// Package endpointnew is the create-endpoint wizard and the change-auth-mode
// and delete flows of an endpoint. Each runs its Azure operation as a
// long-running operation handed to the root (nav.TrackMsg), so progress
// survives leaving the screen; the screen follows it through nav.OperationMsg.
package endpointnew

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// timeout bounds one request (the access check, a list, starting an operation).
const timeout = 60 * time.Second

// keyCheck opens the access check. A ctrl chord, so it works while typing.
var keyCheck = key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "check access"))

// modeInfo explains one auth mode: who can score, whether scoring needs a
// role, whether the credential expires, and how callers get it.
type modeInfo struct {
	Mode    string // azure.Auth*
	Short   string // one line for the list
	Who     string
	Role    string
	Expires string
	Get     string
}

// modes lists the auth modes in the order the pickers show them.
func modes() []modeInfo {
	return []modeInfo{
		{Mode: azure.AuthKey, Short: "a key; no role to score; keys never expire",
			Who:     "Anyone who holds one of the endpoint's two keys (primary or secondary).",
			Role:    "No role to score: the key is the proof. Reading the keys needs onlineEndpoints/listKeys/action.",
			Expires: "No: a key works until it is regenerated (rotating them is up to you).",
			Get:     "az ml online-endpoint get-credentials"},
		{Mode: azure.AuthAMLToken, Short: "an AML token; no role to score; tokens expire",
			Who:     "Anyone who holds a current AML token of this endpoint.",
			Role:    "No role to score: the token is the proof. Getting a token needs onlineEndpoints/token/action.",
			Expires: "Yes: a token expires (expiryTimeUtc, about an hour); callers fetch a new one.",
			Get:     "az ml online-endpoint get-credentials"},
		{Mode: azure.AuthAADToken, Short: "a Microsoft Entra token; role needed; managed only",
			Who:     "Users, apps and managed identities signed in to Microsoft Entra ID that hold the score role.",
			Role:    "Yes: onlineEndpoints/score/action on the endpoint (e.g. AzureML Data Scientist).",
			Expires: "Yes: Entra tokens last about an hour and the caller's credential renews them; nothing to rotate.",
			Get:     "az account get-access-token --resource https://ml.azure.com"},
	}
}

// k8sNoAAD is why aad_token is disabled on Kubernetes compute; k8sNoAADShort fits the list.
const (
	k8sNoAAD      = "not available on Kubernetes compute: aad_token is for managed online endpoints only"
	k8sNoAADShort = "not available on Kubernetes (managed compute only)"
)

// modeIndex is the position of mode in modes() (0 when unknown).
func modeIndex(mode string) int {
	for i, m := range modes() {
		if m.Mode == mode {
			return i
		}
	}
	return 0
}

// modeDisabled says why mode cannot be chosen for the compute type ("" when it can).
func modeDisabled(mode, computeType string) string {
	if mode == azure.AuthAADToken && strings.EqualFold(computeType, "Kubernetes") {
		return k8sNoAAD
	}
	return ""
}

// modeList draws the three modes with a cursor; a disabled mode is dimmed with its reason.
func modeList(st *theme.Styles, cursor int, computeType, current string, w int) []string {
	var out []string
	for i, m := range modes() {
		mark := "  "
		if i == cursor {
			mark = st.Cursor.Render("› ")
		}
		name := fmt.Sprintf("%-10s", m.Mode)
		desc := m.Short
		if m.Mode == current {
			desc = "(current) " + desc
		}
		line := mark + name + "  " + desc
		switch {
		case modeDisabled(m.Mode, computeType) != "":
			line = mark + st.Subtle.Render(name+"  "+k8sNoAADShort)
		case i == cursor:
			line = mark + st.Bold.Render(name) + "  " + desc
		}
		out = append(out, components.Fit(line, w))
	}
	return out
}

// modeDetail explains a mode in four labelled, wrapped lines.
func modeDetail(st *theme.Styles, m modeInfo, w int) []string {
	out := []string{st.Bold.Render(m.Mode)}
	for _, kv := range [][2]string{{"who scores", m.Who}, {"role", m.Role}, {"expires", m.Expires}, {"callers get it", m.Get}} {
		out = append(out, labelled(st, kv[0], kv[1], w)...)
	}
	return out
}

// labelled wraps text after a 15-cell muted label, indenting continuation lines.
func labelled(st *theme.Styles, label, text string, w int) []string {
	const lw = 15
	lines := strings.Split(wrap(text, max(w-lw, 20)), "\n")
	out := make([]string, len(lines))
	for i, l := range lines {
		lab := strings.Repeat(" ", lw)
		if i == 0 {
			lab = st.Muted.Render(fmt.Sprintf("%-*s", lw, label))
		}
		out[i] = lab + l
	}
	return out
}

// impact is what changing the auth mode breaks and what callers must do.
func impact(from, to, computeType string) []string {
	var out []string
	switch from {
	case azure.AuthKey:
		out = append(out, "Existing keys stop working: every caller that sends a key gets 401.")
	case azure.AuthAMLToken:
		out = append(out, "Existing AML tokens stop working: every caller that sends one gets 401.")
	case azure.AuthAADToken:
		out = append(out, "Entra tokens stop being accepted; score role assignments no longer let anyone in.")
	}
	switch to {
	case azure.AuthKey:
		out = append(out, "Callers must switch to a key (reading it needs onlineEndpoints/listKeys/action). Keys do not expire: plan their rotation.")
	case azure.AuthAMLToken:
		out = append(out, "Callers must switch to AML tokens (onlineEndpoints/token/action) and fetch a new one before each expires.")
	case azure.AuthAADToken:
		out = append(out, "Every caller needs onlineEndpoints/score/action on this endpoint (e.g. AzureML Data Scientist) and must send an Entra token for https://ml.azure.com.")
	}
	if strings.EqualFold(computeType, "Kubernetes") {
		out = append(out, "This endpoint runs on Kubernetes: aad_token cannot be used there.")
	}
	return append(out, "There is no grace period: switch the callers as soon as the change succeeds.")
}

// wrap word-wraps s at w cells on spaces, keeping each line's indent (YAML,
// JSON). Only a word longer than a line is broken (at / & ? , or -), so
// commands keep their options whole.
func wrap(s string, w int) string {
	w = max(w, 10)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if ansi.StringWidth(line) <= w {
			out = append(out, line)
			continue
		}
		rest := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(rest)]
		if len(indent) > w/2 {
			indent = ""
		}
		iw, cur := len(indent), indent
		for _, tok := range strings.Fields(rest) {
			tw := ansi.StringWidth(tok)
			if cur != indent && ansi.StringWidth(cur)+1+tw <= w {
				cur += " " + tok
				continue
			}
			if iw+tw <= w {
				if cur != indent {
					out = append(out, cur)
				}
				cur = indent + tok
				continue
			}
			// A word longer than a line is broken anyway: start it on
			// this line when there is room ("PUT https://…" stays together).
			prefix := indent
			if room := w - ansi.StringWidth(cur) - 1; cur != indent && room >= 10 {
				first := strings.SplitN(ansi.Wrap(tok, room, "/&?,"), "\n", 2)[0]
				if strings.HasPrefix(tok, first) && first != tok {
					out = append(out, cur+" "+first)
					tok = tok[len(first):]
				} else {
					out = append(out, cur)
				}
			} else if cur != indent {
				out = append(out, cur)
			}
			parts := strings.Split(ansi.Wrap(tok, w-iw, "/&?,"), "\n")
			for _, p := range parts[:len(parts)-1] {
				out = append(out, prefix+p)
			}
			cur = prefix + parts[len(parts)-1]
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// context of a workspace or endpoint, for the access check and OpenMsg.
func placeOf(env *nav.Env, ws azure.WorkspaceRef, endpoint string) nav.Context {
	c := nav.Context{TenantID: env.Context.TenantID, Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup,
		Workspace: ws.Name, Endpoint: endpoint}
	if strings.EqualFold(env.Context.Subscription, ws.Subscription) {
		c.SubscriptionName = env.Context.SubscriptionName
	}
	return c
}

// --- the up-front permission check ---------------------------------------

// gate asks, before the user types anything, whether the signed-in identity
// may do the operation here. It only warns: the verdict may be unknown, and
// Azure has the last word.
type gate struct {
	op    rbac.Operation // what is checked: endpoint.write, endpoint.delete, identity assign
	what  string         // "create endpoints"
	scope string
	call  nav.Call

	done    bool
	allowed bool
	unknown bool
	reason  string
	roles   []string // roles that would grant it
	err     error
}

func newGate(opKey, what, scope string) gate {
	op, _ := rbac.OperationByKey(opKey)
	return gate{op: op, what: what, scope: scope}
}

// actAssignIdentity is ARM's linked action for attaching a user-assigned
// identity to a resource; it is checked on the identity, not the endpoint.
const actAssignIdentity = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"

// identityGate asks whether you may attach the user-assigned identity
// (Azure refuses the create with LinkedAuthorizationFailed otherwise).
func identityGate(id azure.ManagedIdentity) gate {
	op := rbac.Operation{Key: "identity.assign", Name: "Attach a user-assigned identity", Action: actAssignIdentity}
	return gate{op: op, what: "attach identity " + id.Name, scope: id.ID}
}

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

func (g *gate) busy() bool { return g.call.Busy() }

// update takes the check's answer; false when it is not this gate's.
func (g *gate) update(k *nav.Kit, m nav.Result[azure.Verdict]) bool {
	if !k.Done(&g.call, m) {
		return false
	}
	g.done, g.err = true, m.Err
	if m.Err != nil {
		g.unknown, g.reason = true, azure.Explain(m.Err).Title
		return true
	}
	v := m.Value
	d := v.Decision
	g.allowed, g.unknown, g.reason = d.Allowed, v.Unknown, d.Reason
	if d.Allowed && len(d.Grants) > 0 {
		gr := d.Grants[0]
		g.reason = gr.Role.RoleName + " at " + components.ScopeName(gr.Assignment.Scope)
	}
	// For yourself the Permissions API is what Azure will enforce: a
	// disagreement (a change still propagating) is not an allow.
	if v.PermissionsAPI != nil && *v.PermissionsAPI != d.Allowed && !v.Unknown {
		g.allowed = false
		g.unknown = true
		g.reason = fmt.Sprintf("the role assignments say %v but the Permissions API says %v (a change may still be propagating)", d.Allowed, *v.PermissionsAPI)
	}
	for _, r := range v.Suggest {
		g.roles = append(g.roles, r.RoleName)
	}
	return true
}

// warns reports a verdict that is not a clear allow.
func (g *gate) warns() bool { return g.done && !g.allowed }

// view is the banner: checking, allowed, denied (with the reason and the
// check wizard one key away) or unknown. Empty before any check.
func (g *gate) view(st *theme.Styles, where string, w int) string {
	where = components.Clean(where)
	switch {
	case g.busy():
		return st.Muted.Render(components.Fit("Checking that you may "+g.what+" in "+where+"…", w))
	case !g.done:
		return ""
	case g.allowed:
		return components.Fit(st.OK.Render("✓ You may "+g.what+" here")+st.Muted.Render(" ("+components.Clean(g.reason)+")"), w)
	case g.unknown:
		s := "? Could not tell whether you may " + g.what + " in " + where + ": " + components.Clean(g.reason) +
			". You can still continue; ctrl+o checks access."
		return st.Warn.Render(wrap(s, w))
	}
	s := "✗ You may not " + g.what + " in " + where
	if g.reason != "" {
		s += ": " + components.Clean(g.reason)
	}
	s += ". Azure will refuse it (403)"
	if len(g.roles) > 0 {
		s += "; a role that grants it: " + components.Clean(strings.Join(g.roles, ", "))
	}
	s += ". ctrl+o checks access and assigns a role; you can still continue."
	return st.Err.Render(wrap(s, w))
}

// --- following a tracked operation ---------------------------------------

// watch follows one operation the root tracks, from its nav.OperationMsg reports.
type watch struct {
	op    *azure.Operation
	label string
	last  azure.Progress
}

// track hands op to the root and starts following it.
func (w *watch) track(op *azure.Operation, label string) tea.Cmd {
	w.op, w.label, w.last = op, label, azure.Progress{}
	return nav.Cmd(nav.TrackMsg{Op: op, Label: label})
}

// update records a report of our operation; false for anyone else's.
func (w *watch) update(m nav.OperationMsg) bool {
	if w.op == nil || m.Op != w.op {
		return false
	}
	w.last = m.Progress
	return true
}

func (w *watch) running() bool   { return w.op != nil && !w.last.Done }
func (w *watch) succeeded() bool { return w.op != nil && w.last.Done && w.last.Err == nil }
func (w *watch) failed() bool    { return w.op != nil && w.last.Done && w.last.Err != nil }

// view shows the live state, the elapsed time and a transient status problem.
func (w *watch) view(st *theme.Styles, spin string, now time.Time, width int) []string {
	state := w.last.State
	if state == "" {
		state = w.op.State()
	}
	if state == "" {
		state = "Accepted"
	}
	elapsed := now.Sub(w.op.Started)
	if w.last.Done {
		elapsed = w.last.Elapsed
	}
	elapsed = elapsed.Round(100 * time.Millisecond)
	head := spin + " " + st.Bold.Render(components.Clean(w.label))
	stateStyle := st.Warn
	switch {
	case w.succeeded():
		head = st.OK.Render("✓ ") + st.Bold.Render(components.Clean(w.label))
		stateStyle = st.OK
	case w.failed():
		head = st.Err.Render("✗ ") + st.Bold.Render(components.Clean(w.label))
		stateStyle = st.Err
	}
	out := []string{head,
		st.Muted.Render("state     ") + stateStyle.Render(components.Clean(state)),
		st.Muted.Render("elapsed   ") + elapsed.String()}
	if w.last.Err != nil && !w.last.Done {
		out = append(out, st.Warn.Render(wrap("! Could not read the status ("+components.Clean(azure.Explain(w.last.Err).Title)+"); still watching.", width)))
	}
	return out
}

// panes lays out titled blocks side by side when asked and wide enough,
// else stacked. Every block is already clean; each is wrapped to its column.
func panes(st *theme.Styles, w int, side bool, titles, bodies []string) []string {
	const gap = 2
	n := len(bodies)
	if side && w >= 100 {
		cw := (w - gap*(n-1)) / n
		cols := make([]string, n)
		for i := range bodies {
			col := st.Bold.Render(titles[i]) + "\n" + st.Muted.Render(strings.Repeat("─", cw)) + "\n" + wrap(bodies[i], cw)
			cols[i] = lipgloss.NewStyle().Width(cw).Render(col)
			if i < n-1 {
				cols[i] = lipgloss.NewStyle().PaddingRight(gap).Render(cols[i])
			}
		}
		return strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, cols...), "\n")
	}
	var out []string
	for i := range bodies {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, st.Bold.Render(titles[i]), st.Muted.Render(strings.Repeat("─", min(w, 40))))
		out = append(out, strings.Split(wrap(bodies[i], w), "\n")...)
	}
	return out
}

// scroller keeps a scroll offset over a list of lines.
type scroller struct{ off int }

func (s *scroller) key(k string, page int) bool {
	switch k {
	case "up", "k":
		s.off--
	case "down", "j":
		s.off++
	case "pgup":
		s.off -= max(page, 1)
	case "pgdown", "space":
		s.off += max(page, 1)
	case "home", "g":
		s.off = 0
	case "end", "G":
		s.off = 1 << 30
	default:
		return false
	}
	return true
}

// window cuts lines to h rows at the offset (clamped), with a "more" note.
func (s *scroller) window(st *theme.Styles, lines []string, h int) string {
	if h <= 0 {
		return ""
	}
	lines = strings.Split(strings.Join(lines, "\n"), "\n") // entries may hold several lines
	if len(lines) <= h {
		s.off = 0
		return strings.Join(lines, "\n")
	}
	s.off = min(max(s.off, 0), len(lines)-h+1)
	vis := lines[s.off:min(s.off+h-1, len(lines))]
	more := fmt.Sprintf("── %d–%d of %d lines · ↑/↓ pgup/pgdn scroll", s.off+1, s.off+len(vis), len(lines))
	return strings.Join(vis, "\n") + "\n" + st.Muted.Render(more)
}

// New opens the create wizard.
func New(env *nav.Env, msg nav.NewEndpointMsg) nav.Screen { return newCreate(env, msg) }

// NewAuthMode opens the change-auth-mode flow.
func NewAuthMode(env *nav.Env, msg nav.ChangeAuthModeMsg) nav.Screen { return newAuthMode(env, msg) }

// NewDelete opens the delete flow.
func NewDelete(env *nav.Env, msg nav.DeleteEndpointMsg) nav.Screen { return newDelete(env, msg) }
