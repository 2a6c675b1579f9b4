// Package signin is the first screen: choose how to sign in, watch the
// credential chain probe or the device-code flow, then see who you are.
package signin

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

type phase int

const (
	phaseMethods phase = iota
	phasePersonas
	phaseWorking // signing in (chain probe lines stream in here)
	phaseDeviceCode
	phaseCard
	phaseTenants
)

// signInTimeout bounds a whole sign-in; a device code lives 15 minutes.
const signInTimeout = 16 * time.Minute

var (
	keyChoose   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	keyCancel   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keyBrowser  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open browser"))
	keyCopyCode = key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy code"))
	keyApprove  = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve as persona (demo)"))
	keyContinue = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyClaims   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "claims"))
	keyTenant   = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "switch tenant"))
	keySignOut  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "sign in again"))
)

// Screen is the sign-in screen.
type Screen struct {
	nav.Kit
	env   *nav.Env
	phase phase

	announced bool // the root received this session (SignedInMsg came back)
	openAsked bool // enter on the card before that: open once it does

	methods  components.Table
	personas components.Table
	tenants  components.Table
	tenantsQ nav.Call // the account's tenants, read after sign-in
	opening  nav.Call // the browser opener
	opener   func(ctx context.Context, url string) error

	method   azure.MethodInfo
	persona  azure.Persona
	flow     uint64 // the sign-in in flight; events of older flows are dropped
	cancel   context.CancelFunc
	probes   []azure.ProbeResult
	code     *azure.DeviceCode
	browser  string // result of trying to open a browser
	err      error
	errWhat  string
	session  *azure.Session
	tenantsL []azure.Tenant
	claims   bool
	next     string // where enter continues to, for the card
}

// New builds the sign-in screen. next describes where "continue" goes
// ("Subscriptions" or the restored context).
func New(env *nav.Env) *Screen {
	st := env.Styles
	s := &Screen{Kit: nav.NewKit(env), env: env, opener: openURL,
		methods: components.NewTable(st, "methods",
			components.Column{Title: "Method", Width: 32},
			components.Column{Title: "When to choose it", Width: 30, Flex: true}),
		personas: components.NewTable(st, "personas",
			components.Column{Title: "Persona", Width: 16},
			components.Column{Title: "Sign-in name", Width: 24},
			components.Column{Title: "Their story", Width: 20, Flex: true}),
		tenants: components.NewTable(st, "tenants",
			components.Column{Title: "Tenant", Width: 20, Flex: true},
			components.Column{Title: "Domain", Width: 20},
			components.Column{Title: "Id", Width: 36}),
	}
	var rows []components.Row
	for _, m := range azure.Methods(env.Config, env.Personas) {
		desc := m.Description
		if !m.Available {
			desc = m.Why
		}
		rows = append(rows, components.Row{ID: string(m.Method), Payload: m, Dim: !m.Available,
			Cells: []string{m.Title, desc}})
	}
	s.methods.SetRows(rows)
	rows = nil
	for _, p := range env.Personas {
		rows = append(rows, components.Row{ID: p.Key, Payload: p, Cells: []string{components.Clean(p.Name), components.Clean(p.UPN), components.Clean(p.Story)}})
	}
	s.personas.SetRows(rows)
	return s
}

// Prefer puts the cursor on the method used last time (the root read it
// with the rest of the saved state).
func (s *Screen) Prefer(method string) {
	if method != "" {
		s.methods.Select(method)
	}
}

// Session is the signed-in session (nil before).
func (s *Screen) Session() *azure.Session { return s.session }

// SetNext sets what the card's "continue" opens.
func (s *Screen) SetNext(label string) { s.next = label }

func (s *Screen) Title() string { return "Sign in" }

// HandlesEsc: esc steps back inside the screen (cancel, leave the persona
// list) except on the method list, where it has nowhere to go.
func (s *Screen) HandlesEsc() bool {
	if t := s.activeTable(); t != nil && (t.Filtering() || t.Query() != "") {
		return true
	}
	return s.phase != phaseMethods
}
func (s *Screen) Typing() bool {
	return s.methods.Filtering() || s.personas.Filtering() || s.tenants.Filtering()
}

func (s *Screen) Keys() []key.Binding {
	switch s.phase {
	case phaseMethods, phasePersonas, phaseTenants:
		return []key.Binding{keyChoose, components.KeyFilter}
	case phaseWorking:
		return []key.Binding{keyCancel}
	case phaseDeviceCode:
		ks := []key.Binding{keyBrowser, keyCopyCode, keyCancel}
		if s.env.ApproveDeviceCode != nil {
			ks = append(ks, keyApprove)
		}
		return ks
	case phaseCard:
		ks := []key.Binding{keyContinue, keyClaims, keySignOut}
		if len(s.tenantsL) > 1 {
			ks = append(ks, keyTenant)
		}
		return ks
	}
	return nil
}

func (s *Screen) Init() tea.Cmd { return nil }

// Events of a sign-in flow, delivered one at a time from its goroutine.
type (
	flowMsg struct {
		flow uint64
		ev   any
		ch   <-chan any
	}
	doneEv struct {
		sess *azure.Session
		err  error
	}
	approvedMsg struct{ err error }
)

func listen(flow uint64, ch <-chan any) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		return flowMsg{flow: flow, ev: ev, ch: ch}
	}
}

// begin starts signing in with the chosen method.
func (s *Screen) begin(m azure.MethodInfo, p azure.Persona) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	s.method, s.persona = m, p
	s.flow = s.env.NextSeq()
	s.phase, s.probes, s.code, s.err, s.browser = phaseWorking, nil, nil, nil, ""
	s.Cancel(&s.tenantsQ)
	ctx, cancel := context.WithTimeout(s.Context(), signInTimeout)
	s.cancel = cancel
	ch := make(chan any, 16)
	cfg := s.env.Config
	opts := azure.SignInOptions{Method: m.Method, TenantID: s.env.Context.TenantID, Persona: p,
		OnDeviceCode: func(dc azure.DeviceCode) { ch <- dc },
		OnProbe:      func(r azure.ProbeResult) { ch <- r },
	}
	go func() {
		sess, err := azure.SignIn(ctx, cfg, opts)
		ch <- doneEv{sess: sess, err: err}
		close(ch)
	}()
	var save tea.Cmd
	if st := s.env.Store; st != nil {
		method := string(m.Method)
		save = func() tea.Msg {
			_ = st.Update(func(d *state.Data) { d.Prefs.SignInMethod = method })
			return nil
		}
	}
	return tea.Batch(listen(s.flow, ch), s.StartSpinner(), save)
}

func (s *Screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if cmd, ok := s.Spin(msg, s.phase == phaseWorking || s.phase == phaseDeviceCode); ok {
		return s, cmd
	}
	if s.Resized(msg) {
		return s, nil
	}
	switch m := msg.(type) {
	case tickMsg:
		if s.phase == phaseDeviceCode {
			return s, tick()
		}
		return s, nil
	case nav.SignedInMsg:
		// The root has the session now: an enter pressed on the card before
		// it did (the two race: both are messages) opens only now.
		if m.Session == s.session {
			s.announced = true
			if s.openAsked {
				s.openAsked = false
				return s, open(s.env.Context)
			}
		}
		return s, nil
	case flowMsg:
		if m.flow != s.flow {
			return s, nil // a cancelled flow finishing late
		}
		return s, s.onFlow(m)
	case nav.Result[[]azure.Tenant]:
		if s.Done(&s.tenantsQ, m) {
			s.tenantsL = m.Value // a failure only hides the tenant switch
			var rows []components.Row
			for _, t := range m.Value {
				rows = append(rows, components.Row{ID: t.ID, Payload: t, Cells: []string{components.Clean(t.DisplayName), components.Clean(t.DefaultDomain), t.ID}})
			}
			s.tenants.SetRows(rows)
		}
		return s, nil
	case nav.Result[struct{}]:
		if s.Done(&s.opening, m) && s.code != nil {
			if m.Err != nil {
				s.browser = "The browser could not be opened (" + components.Clean(m.Err.Error()) + "): open the URL on any device and enter the code."
			} else {
				s.browser = "Browser opened. Enter the code there, then come back."
			}
		}
		return s, nil
	case approvedMsg:
		if m.err != nil {
			return s, s.Toast(nav.Error, "Approval failed: "+m.err.Error())
		}
		return s, s.Toast(nav.Info, "Approved in the simulated browser; waiting for the token…")
	case tea.KeyPressMsg:
		return s, s.key(m)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return s, s.mouse(msg)
	case tea.PasteMsg:
		if t := s.activeTable(); t != nil {
			cmd, _, _ := t.Update(m)
			return s, cmd
		}
	}
	return s, nil
}

func (s *Screen) onFlow(m flowMsg) tea.Cmd {
	switch ev := m.ev.(type) {
	case azure.ProbeResult:
		s.probes = append(s.probes, ev)
	case azure.DeviceCode:
		s.code = &ev
		s.phase = phaseDeviceCode
		return tea.Batch(listen(m.flow, m.ch), tick())
	case doneEv:
		s.cancel = nil
		if ev.err != nil {
			s.err, s.errWhat = ev.err, s.method.Title
			s.phase = phaseMethods
			if s.method.Method == azure.MethodPersona {
				s.phase = phasePersonas
			}
			return nil
		}
		s.session, s.phase, s.claims, s.announced, s.openAsked = ev.sess, phaseCard, false, false, false
		sess := ev.sess
		return tea.Batch(
			func() tea.Msg { return nav.SignedInMsg{Session: sess} },
			nav.Go(&s.Kit, &s.tenantsQ, 30*time.Second, sess.Tenants))
	}
	return listen(m.flow, m.ch)
}

// tickMsg redraws the device-code countdown once a second.
type tickMsg struct{}

func tick() tea.Cmd { return tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{} }) }

func (s *Screen) activeTable() *components.Table {
	switch s.phase {
	case phaseMethods:
		return &s.methods
	case phasePersonas:
		return &s.personas
	case phaseTenants:
		return &s.tenants
	}
	return nil
}

func (s *Screen) mouse(msg tea.Msg) tea.Cmd {
	t := s.activeTable()
	if t == nil {
		return nil
	}
	if c, ok := msg.(tea.MouseClickMsg); ok {
		w, _ := s.Size()
		c.Y -= lipgloss.Height(s.listHead(w)) // rows above the list, as View draws them
		msg = c
	}
	_, _, chosen := t.Update(msg)
	if chosen {
		return s.choose()
	}
	return nil
}

func (s *Screen) key(k tea.KeyPressMsg) tea.Cmd {
	if t := s.activeTable(); t != nil {
		if k.String() == "esc" && !t.Filtering() && t.Query() == "" {
			switch {
			case s.phase == phasePersonas && s.code != nil && s.cancel != nil:
				// "Approve as…" is a step inside the device-code sign-in:
				// esc leaves the picker, not the sign-in.
				s.phase, s.err = phaseDeviceCode, nil
				return nil
			case s.phase == phasePersonas:
				s.phase, s.err = phaseMethods, nil
				return nil
			case s.phase == phaseTenants:
				s.phase = phaseCard
				return nil
			}
			return func() tea.Msg { return nav.PopMsg{} }
		}
		cmd, handled, chosen := t.Update(k)
		if chosen {
			return s.choose()
		}
		if handled {
			return cmd
		}
		return nil
	}
	switch s.phase {
	case phaseWorking, phaseDeviceCode:
		switch {
		case key.Matches(k, keyCancel):
			if s.cancel != nil {
				s.cancel()
				s.cancel = nil
			}
			s.flow = s.env.NextSeq() // drop whatever the cancelled flow still sends
			s.phase, s.code = phaseMethods, nil
			s.Cancel(&s.opening)
			return s.Toast(nav.Info, s.method.Title+" sign-in cancelled")
		case s.phase == phaseDeviceCode && key.Matches(k, keyBrowser):
			return s.openBrowser()
		case s.phase == phaseDeviceCode && key.Matches(k, keyCopyCode) && s.code != nil:
			code := s.code.UserCode
			return func() tea.Msg { return nav.CopyMsg{Text: code, Label: "Copied the code " + code} }
		case s.phase == phaseDeviceCode && key.Matches(k, keyApprove) && s.env.ApproveDeviceCode != nil && s.code != nil:
			s.phase = phasePersonas
			s.err = nil
			return nil
		}
	case phaseCard:
		switch {
		case key.Matches(k, keyContinue), k.String() == "esc":
			if !s.announced {
				s.openAsked = true
				return nil
			}
			return open(s.env.Context)
		case key.Matches(k, keyClaims):
			s.claims = !s.claims
		case key.Matches(k, keyTenant) && len(s.tenantsL) > 1:
			s.phase = phaseTenants
		case key.Matches(k, keySignOut):
			s.phase, s.session = phaseMethods, nil
		}
	}
	return nil
}

// choose acts on enter in a list phase.
func (s *Screen) choose() tea.Cmd {
	switch s.phase {
	case phaseMethods:
		r, ok := s.methods.Selected()
		if !ok {
			return nil
		}
		m := r.Payload.(azure.MethodInfo)
		s.err = nil
		if !m.Available {
			s.err, s.errWhat = &azure.AuthError{Method: m.Method, Reason: m.Why}, m.Title
			return nil
		}
		if m.Method == azure.MethodPersona {
			s.phase = phasePersonas
			return nil
		}
		return s.begin(m, azure.Persona{})
	case phasePersonas:
		r, ok := s.personas.Selected()
		if !ok {
			return nil
		}
		p := r.Payload.(azure.Persona)
		if s.code != nil && s.env.ApproveDeviceCode != nil {
			// Approving a device code from the demo's simulated browser.
			s.phase = phaseDeviceCode
			approve, code := s.env.ApproveDeviceCode, s.code.UserCode
			return func() tea.Msg { return approvedMsg{err: approve(code, p.Key)} }
		}
		for _, m := range azure.Methods(s.env.Config, s.env.Personas) {
			if m.Method == azure.MethodPersona {
				return s.begin(m, p)
			}
		}
	case phaseTenants:
		r, ok := s.tenants.Selected()
		if !ok || s.session == nil {
			return nil
		}
		t := r.Payload.(azure.Tenant)
		sess := s.session
		s.flow = s.env.NextSeq()
		s.phase = phaseWorking
		s.method.Title = "Tenant switch"
		ch := make(chan any, 1)
		ctx, cancel := context.WithTimeout(s.Context(), signInTimeout)
		s.cancel = cancel
		go func() {
			defer cancel()
			ns, err := sess.SwitchTenant(ctx, t.ID)
			ch <- doneEv{sess: ns, err: err}
			close(ch)
		}()
		return tea.Batch(listen(s.flow, ch), s.StartSpinner())
	}
	return nil
}

// openBrowser runs the platform's opener and says what it answered: only
// an opener that succeeded counts as "Browser opened." The URL stays on
// screen for another device either way.
func (s *Screen) openBrowser() tea.Cmd {
	url, open := s.code.VerificationURL, s.opener
	s.browser = "Opening a browser…"
	return nav.Go(&s.Kit, &s.opening, 0, func(ctx context.Context) (struct{}, error) { return struct{}{}, open(ctx, url) })
}

// openerGrace is how long an opener may run before it counts as having
// opened the browser: xdg-open and open return at once, but some openers
// (sensible-browser with a console browser) keep running.
const openerGrace = 5 * time.Second

var errNoOpener = errors.New("no opener (xdg-open, wslview, sensible-browser) is installed")

func openURL(ctx context.Context, url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		for _, opener := range []string{"xdg-open", "wslview", "sensible-browser"} {
			if _, err := exec.LookPath(opener); err == nil {
				cmd = exec.Command(opener, url)
				break
			}
		}
	}
	if cmd == nil {
		return errNoOpener
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(openerGrace):
		return nil // still running: it has the browser
	case <-ctx.Done():
		return nil
	}
}

func (s *Screen) methodsHead(w int) string {
	st := s.env.Styles
	head := st.Title.Render("Sign in to Azure") + "\n" + st.Muted.Render(components.Fit("Choose how. The token stays in memory; nothing is written to disk.", w))
	switch {
	case s.err != nil && len(s.probes) > 0:
		// The chain failed: the probe table says why, source by source.
		head += "\n" + st.Err.Render(components.Fit(s.errWhat+": no source in the chain could sign in", w)) + "\n" +
			strings.TrimRight(ProbeLines(st, s.probes, w), "\n") + "\n" +
			st.Muted.Render(components.Fit("→ Fix one of them (e.g. az login, or set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET), or choose device code.", w))
	case s.err != nil:
		head += "\n" + nav.Problem(st, s.errWhat, nav.RetryWith(s.err, "enter"), w)
	}
	return head
}

// listHead is what a list phase draws above its table (a click on the
// table is placed by its height).
func (s *Screen) listHead(w int) string {
	switch s.phase {
	case phaseMethods:
		return s.methodsHead(w)
	case phasePersonas:
		return s.personasHead(w)
	case phaseTenants:
		st := s.env.Styles
		return st.Title.Render("Switch tenant") + "\n" + st.Muted.Render("Sign in to another directory with the same account.")
	}
	return ""
}

func (s *Screen) personasHead(w int) string {
	st := s.env.Styles
	title := "Pick a persona"
	sub := "Each simulated user has different roles: see what they can and cannot do."
	if s.code != nil {
		title = "Approve the device code " + s.code.UserCode + " as…"
		sub = "The simulated browser on another device: choose who signs in."
	}
	head := st.Title.Render(title) + "\n" + st.Muted.Render(components.Fit(sub, w))
	if s.err != nil {
		head += "\n" + nav.Problem(st, s.errWhat, nav.RetryWith(s.err, "enter"), w)
	}
	return head
}

func (s *Screen) View(w, h int) string {
	st := s.env.Styles
	list := func(head string, t *components.Table) string {
		detail := selectedDetail(st, t, w)
		return components.Block(head+"\n"+t.View(w, max(h-lipgloss.Height(head)-lipgloss.Height(detail)-1, 3))+"\n\n"+detail, w, h)
	}
	switch s.phase {
	case phaseMethods, phasePersonas:
		return list(s.listHead(w), s.activeTable())
	case phaseTenants:
		return components.Block(s.listHead(w)+"\n"+s.tenants.View(w, max(h-2, 3)), w, h)
	case phaseWorking:
		return components.Block(s.workingView(w), w, h)
	case phaseDeviceCode:
		return components.Block(s.deviceCodeView(w), w, h)
	case phaseCard:
		return components.Block(s.cardView(w, h), w, h)
	}
	return ""
}

func (s *Screen) workingView(w int) string {
	st := s.env.Styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n\n", s.Spinner(), st.Title.Render("Signing in: "+s.method.Title+"…"))
	if s.method.Method == azure.MethodChain || len(s.probes) > 0 {
		b.WriteString(st.Muted.Render("DefaultAzureCredential tries each source in order:") + "\n")
		b.WriteString(ProbeLines(st, s.probes, w))
	}
	b.WriteString("\n" + st.Muted.Render("esc cancels"))
	return b.String()
}

// open continues to a context; the value is copied now, not read later from
// the shared Env by the command's goroutine.
func open(c nav.Context) tea.Cmd { return func() tea.Msg { return nav.OpenMsg{Context: c} } }
