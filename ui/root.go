// Package ui is the root model: a stack of screens under a header
// (identity, tenant, breadcrumbs, DEMO badge) and over a footer (the top
// screen's keys and the globals), with overlays (help, palette, confirm,
// error details) and toasts drawn on top.
package ui

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/keys"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/screens/access"
	"amlauth-tui/ui/screens/browse"
	"amlauth-tui/ui/screens/deploy"
	"amlauth-tui/ui/screens/signin"
	"amlauth-tui/ui/theme"
)

// Minimum terminal size; below it the app says so instead of drawing.
const (
	MinWidth  = 80
	MinHeight = 24
	headerH   = 2
	footerH   = 1
)

// Options configure the root model.
type Options struct {
	Env     nav.Env
	Start   nav.Context // from flags: open here right after sign-in
	NoColor bool
	Logger  *slog.Logger
	// Started is when the process started; the debug log records the time
	// to the first drawn frame (startup measurements).
	Started time.Time
	// Notices are shown as warning toasts at start (e.g. the state file was corrupt and set aside).
	Notices []string
}

// Model is the root Bubble Tea model.
type Model struct {
	env   *nav.Env
	keys  keys.Global
	help  help.Model
	stack []nav.Screen

	w, h      int
	dark      bool
	noColor   bool
	themePref string // "", "dark", "light"

	signInMethod string // last used, preselected on the sign-in screen

	autoOpen bool // Start came from flags: skip the identity card's "continue"
	overlay  overlay
	palette  *palette
	toasts   []toast
	toastSeq int
	seen     map[string]nav.Jump
	recents  []state.Recent
	saver    *saver
	log      *slog.Logger
	started  time.Time           // zero once the first frame was logged
	ops      []tracked           // long-running operations still running
	sized    map[nav.Screen]bool // screens that have the current nav.SizeMsg
}

// tracked is an operation the root follows for the screens.
type tracked struct {
	op    *azure.Operation
	label string
}

type overlay struct {
	help    bool
	err     *nav.ErrorMsg
	confirm *nav.ConfirmMsg
	scroll  int // the first line shown of an overlay taller than the terminal
}

type toast struct {
	id    int
	level nav.Level
	text  string
}

type toastDoneMsg struct{ id int }

// toastLife is how long a toast stays; errors stay longer to be read.
func toastLife(l nav.Level) time.Duration {
	if l >= nav.Warn {
		return 8 * time.Second
	}
	return 4 * time.Second
}

// New builds the root model. It reads saved state synchronously (a small
// local file) so that the first frame already knows where the user was.
func New(o Options) *Model {
	env := o.Env
	if env.Now == nil {
		env.Now = time.Now
	}
	m := &Model{env: &env, keys: keys.New(), help: help.New(), dark: true, noColor: o.NoColor,
		seen: map[string]nav.Jump{}, log: o.Logger, saver: &saver{store: env.Store}, started: o.Started}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	var notices []toast
	for _, n := range o.Notices {
		notices = append(notices, toast{level: nav.Warn, text: components.Clean(n)})
	}
	ctx := o.Start
	if env.Store != nil {
		d, warns := env.Store.Load()
		for _, w := range warns {
			notices = append(notices, toast{level: nav.Warn, text: w.Message})
		}
		m.themePref, m.signInMethod = d.Prefs.Theme, d.Prefs.SignInMethod
		m.recents = d.Recents
		if ctx.Subscription == "" && ctx.Workspace == "" && ctx.Endpoint == "" {
			l := d.Last
			ctx = nav.Context{TenantID: firstNonEmpty(ctx.TenantID, l.Tenant), Subscription: l.Subscription, SubscriptionName: l.SubName,
				ResourceGroup: l.ResourceGroup, Workspace: l.Workspace, Endpoint: l.Endpoint}
		} else {
			m.autoOpen = true
		}
	} else if ctx.Subscription != "" || ctx.Workspace != "" || ctx.Endpoint != "" {
		m.autoOpen = true
	}
	env.Context = ctx
	m.applyTheme()
	s := signin.New(m.env)
	s.Prefer(m.signInMethod)
	s.SetNext(m.nextLabel())
	m.stack = []nav.Screen{s}
	for _, n := range notices {
		m.toastSeq++
		n.id = m.toastSeq
		m.toasts = append(m.toasts, n)
	}
	return m
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (m *Model) nextLabel() string {
	if bc := m.env.Context.Breadcrumb(); len(bc) > 0 {
		return strings.Join(bc, " › ")
	}
	return "Subscriptions"
}

func (m *Model) applyTheme() {
	dark := m.dark
	switch m.themePref {
	case "dark":
		dark = true
	case "light":
		dark = false
	}
	st := theme.New(dark, m.noColor)
	if m.env.Styles == nil {
		m.env.Styles = st
	} else {
		*m.env.Styles = *st // screens hold the pointer
	}
	m.help.Styles = st.Help
}

// Init asks the terminal for its background colour and starts the toast timers.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.top().Init()}
	for _, t := range m.toasts {
		cmds = append(cmds, expire(t))
	}
	return tea.Batch(cmds...)
}

func expire(t toast) tea.Cmd {
	return tea.Tick(toastLife(t.level), func(time.Time) tea.Msg { return toastDoneMsg{id: t.id} })
}

func (m *Model) top() nav.Screen { return m.stack[len(m.stack)-1] }

// Stack returns the screen titles, bottom first (tests).
func (m *Model) Stack() []string {
	out := make([]string, len(m.stack))
	for i, s := range m.stack {
		out[i] = s.Title()
	}
	return out
}

// Env exposes the shared environment (tests).
func (m *Model) Env() *nav.Env { return m.env }

// Update routes: global keys, overlays, then the top screen for input and
// every screen for async results. Afterwards screens that arrived on the
// stack get their size, and a screen another was pushed over is told.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	before := m.top()
	_, cmd := m.update(msg)
	return m, tea.Batch(cmd, m.settle(before))
}

// settle sends nav.SizeMsg to the screens that have not had the current
// size, and nav.CoveredMsg to the former top when one was pushed over it.
func (m *Model) settle(before nav.Screen) tea.Cmd {
	var cmds []tea.Cmd
	if top := m.top(); top != before && slices.Contains(m.stack, before) {
		cmds = append(cmds, m.deliverTo(before, nav.CoveredMsg{}))
	}
	if m.w == 0 || m.h == 0 {
		return tea.Batch(cmds...)
	}
	if m.sized == nil {
		m.sized = map[nav.Screen]bool{}
	}
	size := nav.SizeMsg{Width: m.w, Height: max(m.h-headerH-footerH, 1)}
	for i, s := range m.stack {
		if m.sized[s] {
			continue
		}
		ns, cmd := s.Update(size)
		m.stack[i] = ns
		m.sized[ns] = true
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// deliverTo gives msg to one screen of the stack.
func (m *Model) deliverTo(s nav.Screen, msg tea.Msg) tea.Cmd {
	for i, x := range m.stack {
		if x == s {
			ns, cmd := x.Update(msg)
			m.stack[i] = ns
			return cmd
		}
	}
	return nil
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.sized = nil // every screen gets the new size
		if !m.started.IsZero() {
			// The first frame is drawn as soon as the size is known (logged
			// here: View has no side effects).
			m.log.Info("first frame", "since_start", time.Since(m.started).Round(time.Millisecond).String())
			m.started = time.Time{}
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		m.applyTheme()
		return m, m.broadcast(nav.ThemeMsg{})
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.MouseClickMsg:
		if m.overlayOpen() || m.tooSmall() {
			return m, nil
		}
		if msg.Y < headerH || msg.Y >= m.h-footerH {
			return m, nil
		}
		msg.Y -= headerH
		return m, m.toTop(msg)
	case tea.MouseWheelMsg:
		if m.overlayOpen() && m.palette == nil && !m.tooSmall() {
			m.scrollOverlay(msg)
			return m, nil
		}
		if m.overlayOpen() || m.tooSmall() {
			return m, nil
		}
		msg.Y -= headerH
		return m, m.toTop(msg)
	case tea.PasteMsg:
		if m.palette != nil {
			return m, m.palette.update(msg)
		}
		return m, m.toTop(msg)

	case nav.PushMsg:
		m.stack = append(m.stack, msg.Screen)
		return m, tea.Batch(msg.Screen.Init(), m.located())
	case nav.PopMsg:
		return m, m.pop()
	case nav.ReplaceMsg:
		closeScreens(m.stack[len(m.stack)-1:])
		m.stack[len(m.stack)-1] = msg.Screen
		return m, tea.Batch(msg.Screen.Init(), m.located())
	case nav.ResetMsg:
		closeScreens(m.stack)
		m.stack = []nav.Screen{msg.Screen}
		return m, tea.Batch(msg.Screen.Init(), m.located())
	case nav.SignedInMsg:
		m.env.Session = msg.Session
		id := msg.Session.Identity()
		m.env.Context.TenantID = id.TenantID
		m.signInMethod = string(id.Method)
		m.log.Info("signed in", "method", string(id.Method), "kind", id.Kind, "tenant", id.TenantID)
		if !m.autoOpen && m.env.Store != nil { // continue where this identity left off, not the last one
			d, _ := m.env.Store.Load()
			l, _ := d.LastFor(id.TenantID, id.ObjectID)
			m.env.Context = nav.Context{TenantID: id.TenantID, Subscription: l.Subscription, SubscriptionName: l.SubName,
				ResourceGroup: l.ResourceGroup, Workspace: l.Workspace, Endpoint: l.Endpoint}
			if s, ok := m.stack[0].(*signin.Screen); ok {
				s.SetNext(m.nextLabel())
			}
		}
		var cmds []tea.Cmd
		if m.autoOpen {
			m.autoOpen = false
			ctx := m.env.Context
			cmds = append(cmds, func() tea.Msg { return nav.OpenMsg{Context: ctx} })
		}
		cmds = append(cmds, m.broadcast(msg))
		return m, tea.Batch(cmds...)
	case nav.OpenMsg:
		return m, m.open(msg.Context)
	case nav.CheckAccessMsg:
		if m.env.Session == nil {
			return m, m.toast(nav.Warn, "Sign in first")
		}
		s := access.NewCheck(m.env, msg)
		m.stack = append(m.stack, s)
		return m, s.Init()
	case nav.AssignMsg:
		s := access.NewAssign(m.env, msg)
		m.stack = append(m.stack, s)
		return m, s.Init()
	case nav.NewEndpointMsg, nav.ChangeAuthModeMsg, nav.DeleteEndpointMsg, nav.CredentialsMsg, nav.ScoreMsg:
		if m.env.Session == nil {
			return m, m.toast(nav.Warn, "Sign in first")
		}
		s := m.endpointScreen(msg)
		if s == nil {
			return m, nil
		}
		m.stack = append(m.stack, s)
		return m, tea.Batch(s.Init(), m.located())
	case nav.NewDeploymentMsg, nav.TrafficMsg, nav.DeploymentLogsMsg, nav.CanRunMsg:
		if m.env.Session == nil {
			return m, m.toast(nav.Warn, "Sign in first")
		}
		s := deploy.Open(m.env, msg)
		m.stack = append(m.stack, s)
		return m, tea.Batch(s.Init(), m.located())
	case nav.TrackMsg:
		m.ops = append(m.ops, tracked{op: msg.Op, label: msg.Label})
		return m, pollOp(msg.Op, msg.Label)
	case nav.OperationMsg:
		return m, m.onOperation(msg)
	case nav.SeenMsg:
		for _, j := range msg.Jumps {
			m.seen[j.Kind+":"+j.Context.Key()] = j
			if c := &m.env.Context; j.Kind == "subscription" && c.SubscriptionName == "" && strings.EqualFold(c.Subscription, j.Context.Subscription) {
				c.SubscriptionName = j.Context.SubscriptionName
			}
		}
		if m.palette != nil { // a list arrived while the palette is open: offer it now
			m.palette.entries = m.palette.build()
			m.palette.filter()
		}
		return m, nil
	case nav.ToastMsg:
		return m, m.toast(msg.Level, msg.Text)
	case toastDoneMsg:
		for i, t := range m.toasts {
			if t.id == msg.id {
				m.toasts = append(m.toasts[:i], m.toasts[i+1:]...)
				break
			}
		}
		return m, nil
	case nav.ErrorMsg:
		m.overlay.err, m.overlay.scroll = &msg, 0
		return m, nil
	case nav.ConfirmMsg:
		m.overlay.confirm, m.overlay.scroll = &msg, 0
		return m, nil
	case nav.CopyMsg:
		label := msg.Label
		if label == "" {
			label = "Copied"
		}
		return m, tea.Batch(tea.SetClipboard(msg.Text), m.toast(nav.Success, label+" (OSC 52 clipboard)"))
	}
	return m, m.broadcast(msg)
}

// broadcast gives an async result to every screen (each drops what is not its own).
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, s := range m.stack {
		ns, cmd := s.Update(msg)
		m.stack[i] = ns
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// deliver gives msg to the one screen it is addressed to; if that screen
// was dropped meanwhile, nobody gets it.
func (m *Model) deliver(to uint64, msg tea.Msg) tea.Cmd {
	for i, s := range m.stack {
		if a, ok := s.(nav.Addressed); ok && a.ScreenID() == to {
			ns, cmd := s.Update(msg)
			m.stack[i] = ns
			return cmd
		}
	}
	return nil
}

// drop removes the screens above the first keep ones, closing them.
func (m *Model) drop(keep int) {
	for _, s := range m.stack[keep:] {
		delete(m.sized, s)
	}
	closeScreens(m.stack[keep:])
	m.stack = m.stack[:keep]
}

func (m *Model) toTop(msg tea.Msg) tea.Cmd {
	ns, cmd := m.top().Update(msg)
	m.stack[len(m.stack)-1] = ns
	return cmd
}

func (m *Model) toast(l nav.Level, text string) tea.Cmd {
	m.toastSeq++
	t := toast{id: m.toastSeq, level: l, text: components.Clean(text)}
	m.toasts = append(m.toasts, t)
	if len(m.toasts) > 3 {
		m.toasts = m.toasts[len(m.toasts)-3:]
	}
	if l == nav.Error {
		m.log.Warn("error toast", "text", t.text)
	}
	return expire(t)
}

func (m *Model) overlayOpen() bool {
	return m.overlay.help || m.overlay.err != nil || m.overlay.confirm != nil || m.palette != nil
}

func (m *Model) typing() bool { return m.top().Typing() }

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQuit) {
		if m.overlay.confirm != nil && len(m.ops) > 0 { // ctrl+c twice: quit anyway
			m.saver.close()
			return tea.Interrupt // the program exits 130, as after ctrl+c in a shell
		}
		if m.quit() != nil {
			return tea.Interrupt
		}
		return nil
	}
	if key.Matches(k, m.keys.Redraw) {
		return tea.ClearScreen
	}
	if m.tooSmall() {
		return nil // the UI is hidden behind "needs at least 80x24": keys must not act on it
	}
	switch {
	case m.palette != nil:
		return m.palette.update(k)
	case m.overlay.confirm != nil:
		c := m.overlay.confirm
		switch k.String() {
		case "y", "enter":
			m.overlay.confirm = nil
			if _, ok := c.OnYes.(quitNowMsg); ok {
				m.saver.close()
				return tea.Quit
			}
			return m.deliver(c.To, c.OnYes)
		case "n", "esc", "q":
			m.overlay.confirm, m.overlay.scroll = nil, 0
		default:
			m.scrollOverlay(k)
		}
		return nil
	case m.overlay.err != nil:
		if s := k.String(); s == "esc" || s == "enter" || s == "q" {
			m.overlay.err, m.overlay.scroll = nil, 0
		} else if ids := requestIDs(m.overlay.err.Err); s == "y" && ids != "" {
			_, cmd := m.Update(nav.CopyMsg{Text: ids, Label: "Copied the request and correlation ids"})
			return cmd
		} else {
			m.scrollOverlay(k)
		}
		return nil
	case m.overlay.help:
		if s := k.String(); s == "esc" || s == "?" || s == "q" {
			m.overlay.help, m.overlay.scroll = false, 0
		} else {
			m.scrollOverlay(k)
		}
		return nil
	}
	if !m.typing() {
		switch {
		case key.Matches(k, m.keys.Quit):
			return m.quitOrAsk()
		case key.Matches(k, m.keys.Help):
			m.overlay.help, m.overlay.scroll = true, 0
			return nil
		case key.Matches(k, m.keys.Palette):
			m.palette = newPalette(m)
			return m.palette.focus()
		case key.Matches(k, m.keys.Back):
			if h, ok := m.top().(nav.EscHandler); !ok || !h.HandlesEsc() {
				return m.pop()
			}
		}
	}
	return m.toTop(k)
}

func (m *Model) pop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.drop(len(m.stack) - 1)
	return m.located()
}

// closeScreens lets dropped screens wipe what they hold (nav.Closer).
func closeScreens(ss []nav.Screen) {
	for _, s := range ss {
		if c, ok := s.(nav.Closer); ok {
			c.Close()
		}
	}
}

// located follows the top screen's place into the breadcrumbs, the saved
// last context and the recents.
func (m *Model) located() tea.Cmd {
	l, ok := m.top().(nav.Locator)
	if !ok {
		return nil
	}
	c := l.Where()
	if c.SubscriptionName == "" && c.Subscription == m.env.Context.Subscription {
		c.SubscriptionName = m.env.Context.SubscriptionName
	}
	c.TenantID = firstNonEmpty(c.TenantID, m.env.Context.TenantID)
	m.env.Context = c
	var rec *state.Recent
	switch {
	case c.Endpoint != "":
		rec = &state.Recent{Kind: "endpoint", ID: c.ID(), Label: c.Endpoint}
	case c.Workspace != "":
		rec = &state.Recent{Kind: "workspace", ID: c.ID(), Label: c.Workspace}
	}
	if rec != nil {
		rec.At = m.env.Now()
		m.recents = append([]state.Recent{*rec}, m.recents...)
	}
	last := state.Context{Tenant: c.TenantID, Subscription: c.Subscription, SubName: c.SubscriptionName,
		ResourceGroup: c.ResourceGroup, Workspace: c.Workspace, Endpoint: c.Endpoint}
	if m.env.Session != nil {
		last.Identity = m.env.Session.Identity().ObjectID // whose place it is (state.Data.LastFor)
	}
	return m.saver.set(last, rec)
}

// quit saves where the user is, synchronously (the program is about to
// exit and would drop a pending write), then quits.
// While an operation runs it asks first (a second ctrl+c quits anyway):
// the operation goes on in Azure, and on return the endpoint shows its real state.
func (m *Model) quit() tea.Cmd {
	if len(m.ops) > 0 && m.overlay.confirm == nil {
		m.overlay.confirm = m.quitConfirm()
		return nil
	}
	m.saver.close()
	return tea.Quit
}

// quitOrAsk is q: on a form or review with input, it asks before the
// input is lost (ctrl+c does not: it is the way out that always works).
func (m *Model) quitOrAsk() tea.Cmd {
	if d, ok := m.top().(nav.Discarder); ok && len(m.ops) == 0 {
		if what := d.Discards(); what != "" {
			m.overlay.confirm = &nav.ConfirmMsg{Title: "Quit and discard " + what + "?",
				Body: "Nothing of it was sent to Azure.", Yes: "Quit", OnYes: quitNowMsg{}}
			return nil
		}
	}
	return m.quit()
}

// quitConfirm asks about the operations running now (it is rebuilt when
// one ends, so it never names an operation that has finished).
func (m *Model) quitConfirm() *nav.ConfirmMsg {
	if len(m.ops) == 0 {
		return &nav.ConfirmMsg{Title: "The operation finished", Body: "Nothing is running now.", Yes: "Quit", OnYes: quitNowMsg{running: true}}
	}
	t := m.ops[0]
	body := fmt.Sprintf("%s is %s. Quitting stops watching it, not the operation: it goes on in Azure, "+
		"and next time the endpoint shows its real state.", t.label, t.op.State())
	if len(m.ops) > 1 {
		body = fmt.Sprintf("%s (and %d more)", body, len(m.ops)-1)
	}
	return &nav.ConfirmMsg{Title: "An operation is still running", Body: body, Yes: "Quit", OnYes: quitNowMsg{running: true}}
}

// quitAsked reports that the open confirm is the quit-while-running one.
func (m *Model) quitAsked() bool {
	if c := m.overlay.confirm; c != nil {
		q, ok := c.OnYes.(quitNowMsg)
		return ok && q.running
	}
	return false
}

func (m *Model) tooSmall() bool { return m.w > 0 && m.h > 0 && (m.w < MinWidth || m.h < MinHeight) }

// escRule is the one rule for esc, as k9s and lazygit users expect it:
// it goes back one level — out of a text field or filter first, then one
// step of a wizard, then the screen. A wizard's result (a verdict, a
// finished operation) is its last level: esc leaves it. q quits, asking
// first where a form would be lost; ctrl+c quits (asking once while an operation runs).
const escRule = "esc goes back one level: out of a text field or filter first, then one step of a wizard, then the screen; " +
	"from a wizard's result it leaves the wizard. q quits (asking first where a form would be lost); ctrl+c quits too (while an operation runs it asks once; a second ctrl+c quits anyway)."

// quitNowMsg is a confirmed quit: while an operation runs (running), or
// discarding a form.
type quitNowMsg struct{ running bool }

// Close flushes pending state (tests; the program's quit does it itself).
func (m *Model) Close() {
	m.saver.close()
	m.env.Store.Close() // a history or preference write still running finishes now; later ones are refused
}

// open rebuilds the browse stack down to c: the sign-in screen stays at the
// bottom (esc from the top goes back to the identity card).
func (m *Model) open(c nav.Context) tea.Cmd {
	if m.env.Session == nil {
		return m.toast(nav.Warn, "Sign in first; then it opens there")
	}
	env := m.env
	stack := []nav.Screen{m.stack[0]}
	var inits []tea.Cmd
	push := func(s nav.Screen) {
		stack = append(stack, s)
		inits = append(inits, s.Init())
	}
	subs := browse.NewSubscriptions(env)
	if (c.Subscription == "" && c.Workspace != "") || (c.Subscription != "" && !rbac.IsGUID(c.Subscription)) {
		// Named by display name, or a workspace without its subscription:
		// the subscription list resolves it and opens it.
		subs.Resolve(c)
		c = nav.Context{TenantID: c.TenantID}
	}
	env.Context = c
	push(subs)
	if c.Subscription != "" {
		push(browse.NewWorkspaces(env, subsFor(c)))
	}
	if c.Subscription != "" && c.ResourceGroup != "" && c.Workspace != "" {
		push(browse.NewEndpoints(env, wsRef(c)))
		if c.Endpoint != "" {
			ref := wsRef(c)
			push(browse.NewDetails(env, endpointRef(ref, c.Endpoint)))
		}
	}
	closeScreens(m.stack[1:])
	m.stack = stack
	m.log.Debug("open", "depth", len(stack))
	inits = append(inits, m.located())
	return tea.Batch(inits...)
}

// View draws the frame.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.ReportFocus = true // screens re-mask revealed secrets when the terminal loses focus
	v.WindowTitle = "amlauth-tui"
	return v
}

func (m *Model) render() string {
	if m.w == 0 || m.h == 0 {
		return ""
	}
	if m.w < MinWidth || m.h < MinHeight {
		msg := fmt.Sprintf("The terminal is %dx%d; amlauth-tui needs at least %dx%d.\nEnlarge the window (ctrl+c quits).", m.w, m.h, MinWidth, MinHeight)
		return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, lipgloss.NewStyle().Width(min(m.w, 60)).Render(msg))
	}
	body := m.top().View(m.w, m.h-headerH-footerH)
	frame := m.header() + "\n" + components.Block(body, m.w, m.h-headerH-footerH) + "\n" + m.footer()
	layers := []*lipgloss.Layer{lipgloss.NewLayer(frame)}
	if d := m.dialog(); d != "" {
		dw, dh := lipgloss.Size(d)
		layers = append(layers, lipgloss.NewLayer(d).X(max((m.w-dw)/2, 0)).Y(max((m.h-dh)/3, 0)).Z(2))
	}
	if len(m.toasts) > 0 {
		t := m.toastView()
		tw, th := lipgloss.Size(t)
		layers = append(layers, lipgloss.NewLayer(t).X(max(m.w-tw-1, 0)).Y(max(m.h-footerH-th, 0)).Z(3))
	}
	if len(layers) == 1 {
		return frame
	}
	return lipgloss.NewCompositor(layers...).Render()
}

func (m *Model) header() string {
	st := m.env.Styles
	left := st.Title.Render("amlauth-tui")
	if m.env.Demo {
		left += " " + st.Badge.Render("DEMO")
	} else if c := m.env.Config; c.Source != "" || (c.Cloud != "" && c.Cloud != "AzureCloud") {
		// Not Azure's public cloud: a sovereign one (--cloud) or any other
		// (--cloud-config, whose file may name itself anything, even
		// AzureCloud). Its name, cut to a quarter of the line so the identity
		// still fits.
		left += " " + st.Badge.Render(components.Fit(components.Clean(cloudName(c)), max(m.w/4, 8)))
	}
	right := st.Muted.Render("not signed in")
	if s := m.env.Session; s != nil {
		id := s.Identity()
		right = st.Header.Render(components.Clean(id.Name())) + st.Muted.Render(" · tenant "+shortID(id.TenantID))
	}
	gap := max(m.w-lipgloss.Width(left)-lipgloss.Width(right), 1)
	line1 := components.Fit(left+strings.Repeat(" ", gap)+right, m.w)

	crumbs := []string{st.HeaderDim.Render(m.top().Title())}
	if bc := m.env.Context.Breadcrumb(); len(bc) > 0 && m.env.Session != nil && len(m.stack) > 1 {
		crumbs = nil
		for _, c := range bc {
			crumbs = append(crumbs, st.Breadcrumb.Render(components.Clean(c)))
		}
		crumbs = append(crumbs, st.HeaderDim.Render("("+m.top().Title()+")"))
	}
	line2 := strings.Join(crumbs, st.BreadcrumbSep.Render(" › "))
	if ops := m.opsIndicator(); ops != "" {
		line2 += strings.Repeat(" ", max(m.w-lipgloss.Width(line2)-lipgloss.Width(ops), 2)) + ops
	}
	line2 = components.Fit(line2, m.w)
	return line1 + "\n" + line2
}

// cloudName names a cloud that is not Azure's public one for the header.
func cloudName(c azure.Config) string {
	if c.Cloud == "" {
		return "custom cloud"
	}
	return c.Cloud
}

func shortID(id string) string {
	if len(id) > 13 {
		return id[:8] + "…"
	}
	return id
}

func (m *Model) bindings() []key.Binding {
	ks := append([]key.Binding{}, m.top().Keys()...)
	g := m.keys.List()
	if len(m.stack) <= 1 {
		g = g[1:] // nothing to go back to
	}
	if m.typing() {
		for _, k := range ks {
			if slices.Contains(k.Keys(), "esc") { // the screen says what esc does here
				return append(ks, m.keys.ForceQuit)
			}
		}
		return append(ks, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop typing")), m.keys.ForceQuit)
	}
	return append(ks, g...)
}

// footer shows as many of the keys as fit, whole; when some do not, it
// ends with "? more keys" instead of cutting a key in half.
func (m *Model) footer() string {
	bs := m.bindings()
	h := m.help
	h.SetWidth(0) // measure whole; help would cut with "…"
	if v := h.ShortHelpView(bs); lipgloss.Width(v) <= m.w {
		return v
	}
	more := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys"))
	for n := len(bs) - 1; n > 0; n-- {
		if v := h.ShortHelpView(append(slices.Clone(bs[:n]), more)); lipgloss.Width(v) <= m.w {
			return v
		}
	}
	return components.Fit(h.ShortHelpView([]key.Binding{more}), m.w)
}

func (m *Model) toastView() string {
	st := m.env.Styles
	var parts []string
	for _, t := range m.toasts {
		box, icon := st.Toast, "•"
		switch t.level {
		case nav.Success:
			box, icon = st.ToastOK, st.OK.Render("✓")
		case nav.Warn:
			box, icon = st.ToastWarn, st.Warn.Render("!")
		case nav.Error:
			box, icon = st.ToastErr, st.Err.Render("✗")
		}
		parts = append(parts, box.Width(min(m.w/2, 60)).Render(icon+" "+t.text))
	}
	return lipgloss.JoinVertical(lipgloss.Right, parts...)
}

func (m *Model) dialog() string {
	if m.palette != nil {
		return m.palette.view(m.dialogWidth())
	}
	body, hint := m.dialogText()
	if body == "" {
		return ""
	}
	return components.Overlay(m.env.Styles.Dialog, body, hint, m.dialogWidth(), m.dialogHeight(), m.overlay.scroll)
}

// dialogWidth is the width every overlay wraps its text to
// (components.Overlay), so it fits the terminal at any width.
func (m *Model) dialogWidth() int { return min(m.w-8, 76) }

// dialogHeight is the most rows an overlay takes: a taller one scrolls
// (components.Overlay), so its border and the hint that closes it show.
func (m *Model) dialogHeight() int { return m.h - 2 }

// scrollOverlay moves the open overlay's window for msg (↑/↓, pgup/pgdn,
// the mouse wheel) when it is taller than the terminal.
func (m *Model) scrollOverlay(msg tea.Msg) {
	if body, hint := m.dialogText(); body != "" {
		m.overlay.scroll = components.OverlayScroll(msg, m.env.Styles.Dialog, body, hint, m.dialogWidth(), m.dialogHeight(), m.overlay.scroll)
	}
}

// dialogText is the open overlay's text and the hint under it that says
// how to close it; "" when none is open.
func (m *Model) dialogText() (body, hint string) {
	st := m.env.Styles
	width := m.dialogWidth()
	switch {
	case m.overlay.confirm != nil:
		c := m.overlay.confirm
		yes := c.Yes
		if yes == "" {
			yes = "Yes"
		}
		return st.Title.Render(components.Clean(c.Title)) + "\n\n" + c.Body,
			st.Key.Render("y") + " " + yes + "   " + st.Key.Render("n") + " cancel"
	case m.overlay.err != nil:
		e := m.overlay.err
		raw := ""
		if e.Err != nil {
			raw = "\n\n" + st.Muted.Render("What Azure said:") + "\n" + components.Fit(components.CleanBlock(e.Err.Error()), (width-6)*8)
		}
		closes := "esc closes"
		if ids := requestIDs(e.Err); ids != "" {
			raw += "\n\n" + st.Muted.Render("For a support ticket:") + "\n" + components.CleanBlock(ids)
			closes = "y copies the ids · esc closes"
		}
		return nav.Problem(st, e.Title, e.Err, width-6) + raw, st.Muted.Render(closes)
	case m.overlay.help:
		h := m.help
		h.SetWidth(width - 6)
		groups := [][]key.Binding{m.top().Keys(), {m.keys.Back, m.keys.Palette, m.keys.Help, m.keys.Quit, m.keys.ForceQuit, m.keys.Redraw}}
		return st.Title.Render("Keys — "+m.top().Title()) + "\n\n" + h.FullHelpView(groups) +
				"\n\n" + st.Muted.Render(escRule) +
				"\n\n" + st.Muted.Render("Mouse: click selects, click again opens, wheel scrolls."),
			st.Muted.Render("? or esc closes")
	}
	return "", ""
}
