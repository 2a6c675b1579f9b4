// Package signin is the first screen: choose how to sign in, watch the
// credential chain probe or the device-code flow, then see who you are.
package signin

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
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

func (s *Screen) Init() tea.Cmd { return nil }
