package endpointnew

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

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

// update records a report of our operation; false for anyone else's.
func (w *watch) update(m nav.OperationMsg) bool {
	if w.op == nil || m.Op != w.op {
		return false
	}
	w.last = m.Progress
	return true
}

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

func (c *Create) idRows(list []azure.ManagedIdentity) {
	rows := []components.Row{{ID: sysAssigned, Cells: []string{"system-assigned", "created and deleted with the endpoint; nothing to manage"}}}
	for _, m := range list {
		rows = append(rows, components.Row{ID: m.ID, Payload: m, Cells: []string{components.Clean(m.Name),
			components.Clean(fmt.Sprintf("user-assigned · %s · %s · client id %s", m.ResourceGroup, m.Location, m.ClientID))}})
	}
	c.ids.SetRows(rows)
}

func (c *Create) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if c.Resized(msg) {
		return c, nil
	}
	if _, ok := msg.(nav.ThemeMsg); ok {
		for _, in := range []*textinput.Model{&c.name, &c.desc, &c.tags, &c.compute} {
			in.SetStyles(c.env.Styles.Input)
		}
		return c, nil
	}
	if cmd, ok := c.Spin(msg, c.active()); ok {
		return c, cmd
	}
	if c.factsResult(msg) {
		return c, nil
	}
	switch m := msg.(type) {
	case nav.Result[azure.Verdict]:
		if !c.gate.update(&c.Kit, m) {
			c.idGate.update(&c.Kit, m)
		}
		return c, nil
	case nav.Result[[]azure.ManagedIdentity]:
		if c.Done(&c.idsCall, m) {
			c.idsErr = m.Err
			c.ids.Loading = false
			c.idRows(m.Value)
			if c.uai != nil && !c.ids.Select(c.uai.ID) {
				c.uai = nil // it is gone: back to system-assigned
			}
		}
		return c, nil
	case nav.Result[location]:
		if c.Done(&c.locCall, m) && c.location == "" {
			c.location = string(m.Value) // a failure leaves it to the user
		}
		return c, nil
	case nav.Result[*azure.Operation]:
		if !c.Done(&c.startCall, m) {
			return c, nil
		}
		if m.Err != nil {
			c.startErr = m.Err
			c.step = cReview
			return c, nil
		}
		c.step = cRun
		return c, tea.Batch(c.watch.track(m.Value, "Create "+c.spec().Ref.Endpoint), c.StartSpinner())
	case nav.OperationMsg:
		if !c.watch.update(m) {
			return c, nil
		}
		if c.watch.succeeded() && c.step == cRun {
			// The endpoint's details replace the wizard.
			return c, nav.Cmd(nav.OpenMsg{Context: c.env.Place(c.ws, c.watch.op.Target.Endpoint)})
		}
		return c, nil
	case tea.KeyPressMsg:
		return c, c.key(m)
	case tea.PasteMsg:
		if in := c.focused(); in != nil {
			var cmd tea.Cmd
			*in, cmd = in.Update(m)
			c.hint = ""
			return c, cmd
		}
	case tea.MouseWheelMsg:
		switch c.step {
		case cReview:
			if m.Button == tea.MouseWheelUp {
				c.scroll.key("up", 1)
			} else {
				c.scroll.key("down", 1)
			}
			w, h := c.Size()
			c.scroll.clampTo(c.reviewView(w), c.top(w), h)
		case cIdentity:
			c.ids.Update(m)
		}
	case tea.MouseClickMsg:
		if c.step == cIdentity {
			m.Y -= c.tableTop()
			if _, _, chosen := c.ids.Update(m); chosen {
				return c, c.chooseIdentity()
			}
		}
	}
	return c, nil
}

// goTo moves to a step and gives its input the focus.
func (c *Create) goTo(s cstep) tea.Cmd {
	c.name.Blur()
	c.desc.Blur()
	c.tags.Blur()
	c.compute.Blur()
	c.typingCompute = false
	c.step, c.hint = s, ""
	switch s {
	case cName:
		return c.name.Focus()
	case cDetails:
		if c.onTags {
			return c.tags.Focus()
		}
		return c.desc.Focus()
	case cAuth:
		if why := modeDisabled(modes()[c.auth].Mode, c.computeType()); why != "" {
			c.auth = modeIndex(azure.AuthKey)
			c.hint = "aad_token is " + why + "; key is selected instead."
		}
	case cIdentity:
		if c.uai != nil {
			c.ids.Select(c.uai.ID)
		} else {
			c.ids.Select(sysAssigned)
		}
	case cReview:
		c.scroll.off = 0
	}
	return nil
}

func (c *Create) key(k tea.KeyPressMsg) tea.Cmd {
	if c.startCall.Busy() {
		return nil // the request is out: its answer must find this screen to be tracked
	}
	if key.Matches(k, keyCheck) {
		return c.checkAccess()
	}
	s := k.String()
	switch c.step {
	case cName:
		switch s {
		case "esc":
			return nav.Cmd(nav.PopMsg{})
		case "enter", "tab":
			if err := c.nameErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cDetails)
		}
		return c.typeInto(&c.name, k)
	case cDetails:
		switch s {
		case "esc":
			return c.goTo(cName)
		case "tab", "shift+tab", "up", "down":
			c.onTags = !c.onTags
			return c.goTo(cDetails)
		case "enter":
			if !c.onTags {
				c.onTags = true
				return c.goTo(cDetails)
			}
			if err := c.tagsErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cCompute)
		}
		if c.onTags {
			return c.typeInto(&c.tags, k)
		}
		return c.typeInto(&c.desc, k)
	case cCompute:
		return c.computeKey(k)
	case cAuth:
		switch s {
		case "esc":
			return c.goTo(cCompute)
		case "up", "k":
			c.auth, c.hint = (c.auth+len(modes())-1)%len(modes()), ""
		case "down", "j":
			c.auth, c.hint = (c.auth+1)%len(modes()), ""
		case "enter":
			m := modes()[c.auth]
			if why := modeDisabled(m.Mode, c.computeType()); why != "" {
				c.hint = m.Mode + " is " + why + ". Choose key or aml_token, or go back (esc) and choose Managed compute."
				return nil
			}
			return c.goTo(cIdentity)
		}
		return nil
	case cIdentity:
		if s == "esc" && !c.ids.Filtering() && c.ids.Query() == "" {
			return c.goTo(cAuth)
		}
		if key.Matches(k, keyReload) && !c.ids.Filtering() {
			return tea.Batch(c.loadIDs(), c.StartSpinner())
		}
		if key.Matches(k, keySecrets) && !c.ids.Filtering() {
			c.enforce = !c.enforce
			return nil
		}
		cmd, _, chosen := c.ids.Update(k)
		if chosen {
			return c.chooseIdentity()
		}
		return cmd
	case cReview:
		return c.reviewKey(k)
	case cRun:
		if !c.watch.failed() {
			return nil
		}
		switch {
		case key.Matches(k, keyRetry):
			return c.start()
		case key.Matches(k, keyDetails):
			return nav.Cmd(nav.ErrorMsg{Title: "Creating " + c.watch.op.Target.Endpoint, Err: c.watch.last.Err})
		case s == "esc":
			return c.goTo(cReview)
		}
	}
	return nil
}

func (c *Create) typeInto(in *textinput.Model, k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	*in, cmd = in.Update(k)
	c.hint = ""
	return cmd
}

func (c *Create) computeKey(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	if c.typingCompute {
		switch s {
		case "esc":
			c.typingCompute = false
			c.compute.Blur()
			return nil
		case "enter":
			if err := c.computeErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cAuth)
		case "up", "shift+tab":
			c.typingCompute = false
			c.compute.Blur()
			return nil
		}
		return c.typeInto(&c.compute, k)
	}
	switch s {
	case "esc":
		return c.goTo(cDetails)
	case "up", "down", "k", "j":
		c.k8s, c.hint = !c.k8s, ""
	case "tab":
		if c.k8s {
			c.typingCompute = true
			return c.compute.Focus()
		}
	case "enter":
		if c.k8s && c.computeErr() != nil {
			c.typingCompute = true // the compute name is what is missing
			return c.compute.Focus()
		}
		return c.goTo(cAuth)
	}
	return nil
}

func (c *Create) chooseIdentity() tea.Cmd {
	r, ok := c.ids.Selected()
	if !ok {
		return nil
	}
	c.uai = nil
	var check tea.Cmd
	if r.ID != sysAssigned {
		m := r.Payload.(azure.ManagedIdentity)
		c.uai = &m
		if c.idGate.scope != m.ID || (!c.idGate.busy() && !c.idGate.done) {
			c.idGate = identityGate(m)
			check = c.idGate.start(&c.Kit, c.env)
		}
	} else {
		c.idGate = gate{}
	}
	return tea.Batch(check, c.checkUAI(), c.goTo(cReview))
}

func (c *Create) reviewKey(k tea.KeyPressMsg) tea.Cmd {
	sp := c.spec()
	switch {
	case k.String() == "esc":
		return c.goTo(cIdentity)
	case key.Matches(k, keyCreate):
		if err := sp.Validate(); err != nil {
			c.hint = "Not created: " + err.Error()
			return nil
		}
		if why := c.enforceRefusal(); why != "" {
			c.hint = why
			return nil
		}
		return c.start()
	case key.Matches(k, keyCopyYML):
		return nav.Cmd(nav.CopyMsg{Text: sp.YAML(), Label: "Copied endpoint.yml"})
	case key.Matches(k, keyCopyAz):
		return nav.Cmd(nav.CopyMsg{Text: sp.AzCommand(), Label: "Copied the az command"})
	case key.Matches(k, keyCopyREST):
		return nav.Cmd(nav.CopyMsg{Text: c.env.Config.RESTText(sp.REST()), Label: "Copied the REST request"})
	case key.Matches(k, keyEditName):
		return c.goTo(cName)
	case key.Matches(k, keyDetails) && c.startErr != nil:
		return nav.Cmd(nav.ErrorMsg{Title: "Creating " + sp.Ref.Endpoint, Err: c.startErr})
	}
	if c.scroll.key(k.String(), 10) {
		w, h := c.Size()
		c.scroll.clampTo(c.reviewView(w), c.top(w), h)
	}
	return nil
}

func (a *AuthMode) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if a.Resized(msg) {
		return a, nil
	}
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
		a.clampScroll()
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
			if a.scroll.key(s, 10) {
				a.clampScroll()
			}
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

func (d *Delete) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if d.Resized(msg) {
		return d, nil
	}
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
			return d, nav.Cmd(nav.OpenMsg{Context: d.env.Place(d.ep.WorkspaceRef, "")})
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

// clampScroll keeps the pick and confirm steps' offset inside their lines
// at the screen's size.
func (a *AuthMode) clampScroll() {
	w, h := a.Size()
	a.scroll.clampTo(a.stepLines(w), a.top(w), h)
}
