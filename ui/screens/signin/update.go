package signin

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

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
