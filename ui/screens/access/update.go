package access

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
)

// --- the check wizard -------------------------------------------------------

// Update handles keys (when on top) and results; afterwards the screen is
// laid out at its size (View only draws).
func (c *Check) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := c.update(msg)
	c.layout()
	return c, cmd
}

func (c *Check) update(msg tea.Msg) tea.Cmd {
	if c.Resized(msg) {
		return nil
	}
	if cmd, ok := c.Spin(msg, false); ok {
		return cmd
	}
	switch m := msg.(type) {
	case nav.ThemeMsg:
		st := c.env.Styles
		c.input.SetStyles(st.Input)
		c.actionIn.SetStyles(st.Input)
		c.themeGen++ // the evaluation is drawn again in the new colours
	case nav.Result[azure.PrincipalRef]:
		if c.Done(&c.meCall, m) && m.Err == nil && m.Value.DisplayName != "" && sameID(m.Value.ID, c.me.ID) {
			c.me = m.Value
			if sameID(c.principal.ID, c.me.ID) {
				c.principal = c.me
			}
			c.whoRows(c.found())
		}
	case nav.Result[[]azure.PrincipalRef]:
		if !c.Done(&c.findCall, m) {
			return nil
		}
		c.err = m.Err
		c.whoRows(m.Value)
		if len(m.Value) > 0 {
			c.input.Blur()
			c.who.Select(m.Value[0].ID)
		} else if m.Err == nil {
			c.err = fmt.Errorf("no user, group or service principal matches %q", c.input.Value())
		}
	case nav.Result[azure.Access]:
		if !c.Done(&c.runCall, m) {
			return nil
		}
		c.err = m.Err
		if m.Err == nil {
			a := m.Value
			if sameID(a.Principal.ID, c.principal.ID) && a.Principal.DisplayName != "" {
				c.principal = a.Principal // named by Graph where the token was not
			}
			c.access = &a
			c.fill()
			return c.recheck()
		}
	case recheckTick:
		if m.id != c.ScreenID() {
			return nil
		}
		c.checking = false
		if c.step != stepVerdict || c.Closed() || c.settles.IsZero() {
			return nil
		}
		if !c.env.Now().Before(c.settles) {
			c.settles = time.Time{}
			return c.run()
		}
		return c.recheck()
	case nav.AccessChangedMsg:
		if c.step == stepVerdict {
			return c.run()
		}
	case removeMsg: // the confirmed removal, addressed to this screen only
		return c.remove(m.id)
	case nav.Result[removed]:
		if !c.Done(&c.removeCall, m) {
			return nil
		}
		if m.Err != nil {
			return c.Error("Removing the role assignment", m.Err)
		}
		return tea.Batch(c.run(), c.Toast(nav.Success, "Role assignment removed; Azure may still allow it for up to "+
			window(c.env.Config.PropagationWindow())))
	case tea.KeyPressMsg:
		return c.key(m)
	case tea.PasteMsg:
		if c.step == stepWho && c.input.Focused() {
			var cmd tea.Cmd
			c.input, cmd = c.input.Update(m)
			return cmd
		}
		if c.typingAct {
			var cmd tea.Cmd
			c.actionIn, cmd = c.actionIn.Update(m)
			return cmd
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		if c.explain {
			var cmd tea.Cmd
			c.why, cmd = c.why.Update(m)
			return cmd
		}
		if cl, ok := m.(tea.MouseClickMsg); ok {
			cl.Y -= c.tableTop
			m = cl
		}
		if _, _, chosen := c.table().Update(m); chosen {
			return c.choose()
		}
	}
	return nil
}

// found are the principals a search listed (the rows after me and the endpoint's identity).
func (c *Check) found() []azure.PrincipalRef {
	var out []azure.PrincipalRef
	for _, r := range c.who.Rows() {
		if !strings.HasPrefix(r.ID, "me:") && !strings.HasPrefix(r.ID, "mi:") {
			out = append(out, r.Payload.(azure.PrincipalRef))
		}
	}
	return out
}

func (c *Check) key(k tea.KeyPressMsg) tea.Cmd {
	if c.step == stepWho && c.input.Focused() {
		switch k.String() {
		case "enter":
			q := strings.TrimSpace(c.input.Value())
			if q == "" {
				c.input.Blur() // choose among me / the endpoint's identity
				return nil
			}
			return c.search(q)
		case "esc": // out of the text field first: the text, then the field
			if c.input.Value() != "" {
				c.input.SetValue("")
				return nil
			}
			c.input.Blur()
			return nil
		case "down", "tab":
			c.input.Blur()
			return nil
		}
		var cmd tea.Cmd
		c.input, cmd = c.input.Update(k)
		return cmd
	}
	if c.typingAct {
		return c.typeAction(k)
	}
	if c.explain {
		switch {
		case key.Matches(k, keyWhyClose):
			c.explain = false
		case key.Matches(k, keyRedo):
			return c.run()
		default:
			var cmd tea.Cmd
			c.why, cmd = c.why.Update(k)
			return cmd
		}
		return nil
	}
	t := c.table()
	if k.String() == "esc" && !t.Filtering() && t.Query() == "" {
		switch c.step {
		case stepWho, stepVerdict: // the first step, and the wizard's result: leave
			return nav.Cmd(nav.PopMsg{})
		}
		c.step--
		if c.step == stepWho {
			return c.input.Focus()
		}
		return nil
	}
	switch c.step {
	case stepWho:
		if k.String() == "/" || k.String() == "i" {
			return c.input.Focus()
		}
	case stepWhat:
		switch {
		case key.Matches(k, keyToggle):
			if r, ok := c.what.Selected(); ok {
				c.chosen[r.ID] = !c.chosen[r.ID]
				c.whatRows()
			}
			return nil
		case key.Matches(k, keyAction):
			c.typingAct = true
			return c.actionIn.Focus()
		case key.Matches(k, keyAll):
			all := len(c.ops()) != len(c.allOps())
			for _, o := range c.allOps() {
				c.chosen[o.Key] = all
			}
			c.whatRows()
			return nil
		}
	case stepVerdict:
		if t.Filtering() {
			break
		}
		switch {
		case key.Matches(k, keyRedo):
			return c.run()
		case key.Matches(k, keyWhy):
			if _, ok := c.selected(); ok && c.access != nil {
				c.explain = true
				c.why.GotoTop()
			}
			return nil
		case key.Matches(k, keyBack):
			c.step = stepWhat
			return nil
		case key.Matches(k, keyAssign):
			return c.assign()
		case key.Matches(k, keyRemove):
			return c.askRemove()
		}
	}
	cmd, handled, chosen := t.Update(k)
	if chosen {
		return c.choose()
	}
	if handled {
		return cmd
	}
	return nil
}

// typeAction is the "+" field: an action typed by hand, checked against
// the pattern rules before it joins the operations.
func (c *Check) typeAction(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		c.typingAct = false
		c.actionIn.Blur()
		c.actErr = nil
		return nil
	case "enter":
		a := strings.TrimSpace(c.actionIn.Value())
		if err := rbac.ValidatePattern(a); err != nil {
			c.actErr = err // says which rule; the text stays to be fixed
			return nil
		}
		c.actErr, c.typingAct = nil, false
		c.actionIn.Blur()
		c.actionIn.SetValue("")
		c.custom = append(c.custom, rbac.Operation{Key: a, Name: "Typed: " + a, Action: a})
		c.chosen[a] = true
		c.whatRows()
		c.what.Select(a)
		return nil
	}
	var cmd tea.Cmd
	c.actionIn, cmd = c.actionIn.Update(k)
	return cmd
}

// askRemove asks before removing the assignment that grants the selected
// verdict; the reply comes back to this screen only.
func (c *Check) askRemove() tea.Cmd {
	v, ok := c.selected()
	if !ok || !removable(v) {
		return nil
	}
	g := v.Decision.Grants[0]
	body := fmt.Sprintf("%s at %s\n(id %s)\n\naz role assignment delete --ids %s\n\nAzure may keep allowing it for up to %s after the removal.",
		g.Role.RoleName, g.Assignment.Scope, g.Assignment.ID, g.Assignment.ID, window(c.env.Config.PropagationWindow()))
	return c.Confirm("Remove this role assignment?", body, "Remove", removeMsg{id: g.Assignment.ID})
}

func (c *Check) choose() tea.Cmd {
	switch c.step {
	case stepWho:
		r, ok := c.who.Selected()
		if !ok {
			return nil
		}
		c.principal = r.Payload.(azure.PrincipalRef)
		c.step = stepWhere
	case stepWhere:
		r, ok := c.where.Selected()
		if !ok {
			return nil
		}
		c.scope = r.Payload.(string)
		c.step = stepWhat
	case stepWhat:
		if len(c.ops()) == 0 {
			return c.Toast(nav.Warn, "Choose at least one operation (space toggles)")
		}
		return c.run()
	}
	return nil
}

// --- the assign wizard ------------------------------------------------------

// Update handles keys (when on top) and results; afterwards the screen is
// laid out at its size (View only draws).
func (a *Assign) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := a.update(msg)
	a.layout()
	return a, cmd
}

func (a *Assign) update(msg tea.Msg) tea.Cmd {
	if a.Resized(msg) {
		return nil
	}
	if cmd, ok := a.Spin(msg, a.step == aVerify); ok {
		return cmd
	}
	switch m := msg.(type) {
	case nav.Result[rbac.RoleSet]:
		if a.Done(&a.rolesCall, m) && m.Err == nil {
			a.roleSet = m.Value
			a.setRoles(m.Value)
		}
	case nav.Result[azure.Access]:
		if !a.Done(&a.accessCall, m) {
			return nil
		}
		a.accErr = m.Err
		if m.Err == nil {
			acc := m.Value
			a.access = &acc
		}
		a.setRoles(a.roleSet)
	case pickMsg: // the confirmed role, addressed to this screen only
		if a.step == aRole {
			a.picked(m.choice)
		}
	case nav.Result[rbac.Assignment]:
		if !a.Done(&a.applyCall, m) {
			return nil
		}
		if m.Err != nil {
			a.err, a.step = m.Err, aReview
			return nil
		}
		a.assigned = m.Value
		a.step, a.started, a.ended, a.checks = aVerify, a.env.Now(), time.Time{}, 0
		return tea.Batch(a.StartSpinner(), a.verify(), a.Toast(nav.Success, "Role assigned: "+a.role.RoleName))
	case verifyTick:
		if m.id == a.ScreenID() && a.step == aVerify && !a.Closed() {
			return a.verify()
		}
	case nav.Result[azure.Verification]:
		if !a.Done(&a.verifyCall, m) || a.step != aVerify {
			return nil
		}
		a.checks++
		a.last = m.Value
		switch {
		case a.self && m.Value.Effective:
			a.finish()
			return a.Toast(nav.Success, fmt.Sprintf("Effective after %s (Azure says so)", a.elapsed()))
		case (!a.self || a.m.Action == "") && m.Value.Listed:
			a.finish() // all that can be known about someone else, or without an action to ask about
			return nil
		case a.env.Now().Sub(a.started) > verifyLimit:
			a.finish()
			return nil
		}
		return a.again()
	case tea.KeyPressMsg:
		return a.key(m)
	case tea.MouseWheelMsg:
		if a.step >= aReview {
			var cmd tea.Cmd
			a.vp, cmd = a.vp.Update(m)
			return cmd
		}
		if t := a.table(); t != nil {
			t.Update(m)
		}
	case tea.MouseClickMsg:
		t := a.table()
		if t == nil {
			return nil
		}
		m.Y -= a.tableTop
		if _, _, chosen := t.Update(m); chosen {
			return a.choose()
		}
	}
	return nil
}

// finish ends verification; the elapsed time stops here.
func (a *Assign) finish() {
	a.step, a.ended = aDone, a.env.Now()
	a.Cancel(&a.verifyCall) // a round still in flight is dropped
}

func (a *Assign) copy(text, label string) tea.Cmd {
	return nav.Cmd(nav.CopyMsg{Text: text, Label: label})
}

// leave goes back to the check, which looks again (the assignment changed what it said).
func leave() tea.Cmd { return tea.Batch(nav.Cmd(nav.PopMsg{}), nav.Cmd(nav.AccessChangedMsg{})) }

func (a *Assign) key(k tea.KeyPressMsg) tea.Cmd {
	switch a.step {
	case aRole, aScope:
		t := a.table()
		if k.String() == "esc" && !t.Filtering() && t.Query() == "" {
			if a.step == aRole {
				return nav.Cmd(nav.PopMsg{})
			}
			a.step--
			return nil
		}
		cmd, handled, chosen := t.Update(k)
		if chosen {
			return a.choose()
		}
		if handled {
			return cmd
		}
	case aReview:
		az, rest := a.commands()
		switch {
		case key.Matches(k, keyApply):
			return a.apply()
		case key.Matches(k, keyCopyAz):
			return a.copy(az, "Copied the az command")
		case key.Matches(k, keyCopyREST):
			return a.copy(rest, "Copied the REST request")
		case key.Matches(k, keyCopyRole) && a.create:
			return a.copy(roleCreateScript(a.role), "Copied role.json and az role definition create")
		case k.String() == "esc": // one step back: the scope, or the role when there is one scope
			a.step, a.err = aScope, nil
			if a.scopes.Total() == 1 {
				a.step = aRole
			}
		default:
			var cmd tea.Cmd
			a.vp, cmd = a.vp.Update(k)
			return cmd
		}
	case aVerify, aDone:
		switch {
		case key.Matches(k, keyCopyMe) && a.theirCommand() != "":
			return a.copy(a.theirCommand(), "Copied the command they can run")
		case a.step == aVerify && key.Matches(k, keyStop):
			a.finish()
		case key.Matches(k, keyLeave): // the wizard's result: leave it (the assignment stays)
			a.finish()
			return leave()
		default:
			var cmd tea.Cmd
			a.vp, cmd = a.vp.Update(k)
			return cmd
		}
	}
	return nil
}

func (a *Assign) choose() tea.Cmd {
	switch a.step {
	case aRole:
		r, ok := a.roles.Selected()
		if !ok {
			return nil
		}
		rc := r.Payload.(roleChoice)
		// A second thought before a role that would not help: it lacks the
		// action, or a deny assignment blocks the action whatever the role.
		if a.m.Action != "" && !a.grants(rc.role) {
			return a.Confirm("This role does not grant the action",
				fmt.Sprintf("%s does not include\n%s\n\nAssigning it will not make this operation work.", rc.role.RoleName, a.m.Action),
				"Assign it anyway", pickMsg{rc})
		}
		if v, ok := a.blocked(); ok {
			return a.Confirm("A deny assignment blocks this action anyway",
				strings.Join(append([]string{fmt.Sprintf("%s grants %s, but:", rc.role.RoleName, a.m.Action), ""}, denyLines(v.Deny, v.Advice)...), "\n"),
				"Assign it anyway", pickMsg{rc})
		}
		a.picked(rc)
	case aScope:
		r, ok := a.scopes.Selected()
		if !ok {
			return nil
		}
		a.scope = r.Payload.(string)
		a.toReview()
	}
	return nil
}

func (a *Assign) picked(rc roleChoice) {
	a.role, a.create = rc.role, rc.create
	a.step = aScope
	if a.scopes.Total() == 1 {
		a.scope = a.m.Scopes[0]
		a.toReview()
	}
}

func (a *Assign) toReview() {
	a.step = aReview
	a.vp.GotoTop()
}
