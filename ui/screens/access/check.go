// Package access holds the RBAC screens: the check wizard ("can X do Y
// here, and why?") and the assign wizard that makes it so.
package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

type step int

const (
	stepWho step = iota
	stepWhere
	stepWhat
	stepVerdict
)

var (
	keyNext   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	keySearch = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search / choose"))
	keyToggle = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle"))
	keyAll    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all/none"))
	keyAction = key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "type an action"))
	keyAssign = key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "assign a role that grants it"))
	keyRemove = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "remove the granting assignment"))
	keyRedo   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "re-check"))
	keyBack   = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "change who/where/what"))
	// w opens the whole evaluation behind the selected verdict.
	keyWhy      = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "why: the whole evaluation"))
	keyWhyClose = key.NewBinding(key.WithKeys("w", "esc"), key.WithHelp("w", "back to the verdicts"))
)

const timeout = 60 * time.Second

// Check is the access check wizard.
type Check struct {
	env  *nav.Env
	step step

	input    textinput.Model
	who      components.Table
	where    components.Table
	what     components.Table
	verdicts components.Table
	spin     spinner.Model

	ctx      nav.Context
	authMode string
	identity *azure.PrincipalRef

	principal azure.PrincipalRef
	scope     string
	chosen    map[string]bool // operation keys
	busy      bool
	seq       uint64
	err       error
	access    *azure.Access
	results   []azure.Verdict
	tableTop  int

	focus   string // the operation the cursor lands on when the verdicts arrive
	explain bool   // w: the whole evaluation of the selected verdict
	why     viewport.Model
	auto    bool // opened already run (from a 403): Init starts the check

	actionIn  textinput.Model // "+": an action typed by hand
	typingAct bool
	actErr    error
	custom    []rbac.Operation
}

type (
	foundMsg struct {
		seq   uint64
		found []azure.PrincipalRef
		err   error
	}
	accessMsg struct {
		seq    uint64
		access azure.Access
		err    error
	}
	removedMsg struct {
		seq uint64
		err error
	}
	removeMsg struct{ id string }
)

// NewCheck opens the wizard at the current context.
func NewCheck(env *nav.Env, m nav.CheckAccessMsg) *Check {
	st := env.Styles
	in := textinput.New()
	in.Prompt = "who? "
	in.Placeholder = "name, UPN, app id or object id — enter searches"
	in.SetStyles(st.Input)
	c := &Check{env: env, input: in, ctx: m.Context, authMode: m.AuthMode, identity: m.Identity,
		who: components.NewTable(st, "principals", components.Column{Title: "Who", Width: 30, Flex: true},
			components.Column{Title: "Kind", Width: 18}, components.Column{Title: "Object id", Width: 36}),
		where: components.NewTable(st, "scopes", components.Column{Title: "Level", Width: 14}, components.Column{Title: "Scope", Width: 30, Flex: true}),
		what: components.NewTable(st, "operations", components.Column{Title: " ", Width: 3}, components.Column{Title: "Operation", Width: 50},
			components.Column{Title: "Action", Width: 30, Flex: true}),
		verdicts: components.NewTable(st, "operations", components.Column{Title: " ", Width: 2, Style: verdictStyle(st)}, components.Column{Title: "Operation", Width: 50},
			components.Column{Title: "Why", Width: 30, Flex: true}),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Accent)),
		chosen: map[string]bool{},
		why:    viewport.New(),
	}
	c.actionIn = textinput.New()
	c.actionIn.Prompt = "action: "
	c.actionIn.Placeholder = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read — enter adds, esc cancels"
	c.actionIn.SetStyles(st.Input)
	c.whoRows(nil)
	c.whereRows()
	c.preselect()
	c.whatRows()
	if m.Run != nil && env.Session != nil {
		c.runFor(*m.Run)
	}
	return c
}

// runFor skips the questions after a failure: the signed-in identity, at
// the context's deepest scope, with the failed operation chosen and the
// cursor waiting on its verdict (Init runs the check).
func (c *Check) runFor(r nav.CheckRun) {
	c.principal = c.env.Session.Identity().Principal()
	c.scope = c.ctx.ID()
	c.focus = r.Operation
	if _, ok := rbac.OperationByKey(r.Operation); !ok && r.Action != "" {
		c.custom = append(c.custom, rbac.Operation{Key: r.Action, Name: "Failed: " + r.Action, Action: r.Action})
		c.focus = r.Action
	}
	c.chosen[c.focus] = true
	c.whatRows()
	c.step = stepVerdict
	c.auto = true
}

func (c *Check) whoRows(found []azure.PrincipalRef) {
	var rows []components.Row
	if c.env.Session != nil {
		me := c.env.Session.Identity().Principal()
		rows = append(rows, components.Row{ID: "me:" + me.ID, Payload: me, Cells: []string{"me — " + components.Clean(me.Label()), strings.ToLower(me.Kind), me.ID}})
	}
	if c.identity != nil {
		rows = append(rows, components.Row{ID: "mi:" + c.identity.ID, Payload: *c.identity,
			Cells: []string{"the endpoint's identity — " + components.Clean(c.identity.DisplayName), "managed identity", c.identity.ID}})
	}
	for _, p := range found {
		kind := strings.ToLower(p.Kind)
		if p.SPType == "ManagedIdentity" {
			kind = "managed identity"
		}
		rows = append(rows, components.Row{ID: p.ID, Payload: p, Cells: []string{components.Clean(p.Label()), kind, p.ID}})
	}
	c.who.SetRows(rows)
}

// ancestors of the context, narrowest first.
func (c *Check) whereRows() {
	x := c.ctx
	var rows []components.Row
	add := func(level, scope string) {
		rows = append(rows, components.Row{ID: scope, Payload: scope, Cells: []string{level, scope}})
	}
	if x.Subscription != "" && x.ResourceGroup != "" && x.Workspace != "" {
		ws := nav.Context{Subscription: x.Subscription, ResourceGroup: x.ResourceGroup, Workspace: x.Workspace}
		if x.Endpoint != "" {
			ws.Endpoint = x.Endpoint
			add("endpoint", ws.ID())
			ws.Endpoint = ""
		}
		add("workspace", ws.ID())
	}
	if x.Subscription != "" && x.ResourceGroup != "" {
		add("resource group", "/subscriptions/"+x.Subscription+"/resourceGroups/"+x.ResourceGroup)
	}
	if x.Subscription != "" {
		add("subscription", "/subscriptions/"+x.Subscription)
	}
	c.where.SetRows(rows)
}

// preselect picks the operations that matter here: at an endpoint, the
// ones its auth mode needs plus read/write; elsewhere, all.
func (c *Check) preselect() {
	for _, o := range rbac.Operations() {
		c.chosen[o.Key] = true
	}
	if c.ctx.Endpoint == "" {
		return
	}
	for _, k := range []string{"endpoint.listKeys", "endpoint.token", "endpoint.score", "aadToken.fetch", "endpoint.regenerateKeys"} {
		c.chosen[k] = false
	}
	switch c.authMode {
	case azure.AuthKey:
		c.chosen["endpoint.listKeys"], c.chosen["endpoint.regenerateKeys"] = true, true
	case azure.AuthAMLToken:
		c.chosen["endpoint.token"] = true
	case azure.AuthAADToken:
		c.chosen["endpoint.score"], c.chosen["aadToken.fetch"] = true, true
	default: // the auth mode is not known yet (the endpoint was still loading): every credential operation
		for _, k := range []string{"endpoint.listKeys", "endpoint.regenerateKeys", "endpoint.token", "endpoint.score"} {
			c.chosen[k] = true
		}
	}
}

func (c *Check) whatRows() {
	var rows []components.Row
	for _, o := range c.allOps() {
		mark := "[ ]"
		if c.chosen[o.Key] {
			mark = "[x]"
		}
		act := o.Action
		if act == "" {
			act = "(no role needed)"
		}
		rows = append(rows, components.Row{ID: o.Key, Payload: o, Cells: []string{mark, o.Name, act}})
	}
	c.what.SetRows(rows)
}

func (c *Check) Title() string { return "Check access" }
func (c *Check) Typing() bool {
	return (c.step == stepWho && c.input.Focused()) || c.typingAct || c.who.Filtering() || c.where.Filtering() || c.what.Filtering() || c.verdicts.Filtering()
}
func (c *Check) HandlesEsc() bool {
	return c.step != stepWho || c.input.Focused() || c.typingAct || c.explain
}

func (c *Check) Keys() []key.Binding {
	switch c.step {
	case stepWho:
		return []key.Binding{keySearch}
	case stepWhere:
		return []key.Binding{keyNext}
	case stepWhat:
		return []key.Binding{keyToggle, keyAll, keyAction, keyNext}
	}
	if c.explain {
		return []key.Binding{keyWhyClose, keyScroll, keyRedo}
	}
	ks := []key.Binding{keyWhy, keyRedo, keyBack}
	if v, ok := c.selected(); ok && canAssign(v) {
		ks = append(ks, keyAssign)
	}
	if v, ok := c.selected(); ok && v.Decision.Allowed && len(v.Decision.Grants) > 0 {
		ks = append(ks, keyRemove)
	}
	return ks
}

func (c *Check) Init() tea.Cmd {
	if c.env.Session == nil {
		return nil
	}
	if c.auto {
		return c.run()
	}
	return c.input.Focus()
}

func (c *Check) selected() (azure.Verdict, bool) {
	r, ok := c.verdicts.Selected()
	if !ok {
		return azure.Verdict{}, false
	}
	return r.Payload.(azure.Verdict), true
}

func (c *Check) search(q string) tea.Cmd {
	c.seq = c.env.NextSeq()
	c.busy, c.err = true, nil
	seq, sess := c.seq, c.env.Session
	return tea.Batch(c.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		found, err := sess.FindPrincipals(ctx, q)
		return foundMsg{seq: seq, found: found, err: err}
	})
}

func (c *Check) run() tea.Cmd {
	c.step = stepVerdict
	c.seq = c.env.NextSeq()
	c.busy, c.err = true, nil
	seq, sess, p, scope := c.seq, c.env.Session, c.principal, c.scope
	return tea.Batch(c.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		a, err := sess.Access(ctx, p, scope) // groups and deny principals come named (Access.Names)
		return accessMsg{seq: seq, access: a, err: err}
	})
}

func (c *Check) allOps() []rbac.Operation { return append(rbac.Operations(), c.custom...) }

func (c *Check) ops() []rbac.Operation {
	var out []rbac.Operation
	for _, o := range c.allOps() {
		if c.chosen[o.Key] {
			out = append(out, o)
		}
	}
	return out
}

// verdictStyle colours the verdict marks (see mark).
func verdictStyle(st *theme.Styles) func(string) lipgloss.Style {
	return func(m string) lipgloss.Style {
		switch m {
		case "✓":
			return st.OK
		case "✗", "⊘":
			return st.Err
		}
		return st.Warn
	}
}

// mark is a verdict's one-cell answer: ✓ allowed, ✗ not granted, ⊘ blocked
// by a deny assignment, ~ depends on a condition, ⧖ assigned but not yet in
// effect, ? unknown (something Azure evaluates could not be read).
func mark(v azure.Verdict) string {
	if v.NoRole {
		return "✓"
	}
	switch v.Outcome {
	case rbac.Allowed:
		return "✓"
	case rbac.DeniedByDenyAssignment:
		return "⊘"
	case rbac.Conditional:
		return "~"
	case rbac.Pending:
		return "⧖"
	case rbac.Unknown:
		return "?"
	}
	return "✗"
}

func (c *Check) fill() {
	c.results = c.access.Check(c.ops())
	for i := range c.results {
		c.notYet(&c.results[i])
	}
	var rows []components.Row
	for _, v := range c.results {
		rows = append(rows, components.Row{ID: v.Op.Key, Payload: v, Cells: []string{mark(v), v.Op.Name, components.Clean(c.short(v))}})
	}
	// The cursor stays where it was (a re-check); at first it waits on the
	// operation the user came for.
	if r, ok := c.verdicts.Selected(); ok {
		c.focus = r.ID
	}
	c.verdicts.SetRows(rows)
	c.verdicts.Select(c.focus)
}

// settleTime is how long Azure may take to apply a new role assignment:
// up to 10 minutes ("Symptom - Role assignment changes are not being
// detected",
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
const settleTime = 10 * time.Minute

// notYet turns someone else's "allowed" into "assigned, not yet in effect"
// when Azure may not apply the grant yet. For yourself Azure's Permissions
// API says so (azure.Access.Check); for anyone else nobody can ask Azure,
// so a grant that rests only on assignments created less than settleTime
// ago is not promised.
func (c *Check) notYet(v *azure.Verdict) {
	if v.Outcome != rbac.Allowed || v.NoRole || v.Source == "Permissions API" {
		return
	}
	if v.PermissionsAPI != nil {
		return // yourself: Azure's Permissions API decides (azure.Access.Check makes it Pending)
	}
	now := c.env.Now()
	newest := time.Time{}
	for _, g := range v.Decision.Grants {
		at := g.Assignment.CreatedOn
		if at.IsZero() || now.Sub(at) >= settleTime {
			return // an older grant stands on its own
		}
		if at.After(newest) {
			newest = at
		}
	}
	if newest.IsZero() {
		return
	}
	v.Outcome = rbac.Pending
	v.Decision.Reason = fmt.Sprintf("Assigned %s ago: Azure takes up to %d minutes to apply a new role assignment, so it may not be in effect yet "+
		"(%s). Only they can check it: amlauth-tui check --principal me", now.Sub(newest).Round(time.Second), int(settleTime.Minutes()), v.Decision.Reason)
}

// short is the one-line reason for the table, short enough not to be cut
// in a narrow terminal: the detail below says it all, wrapped.
func (c *Check) short(v azure.Verdict) string {
	d := v.Decision
	switch {
	case v.NoRole:
		return "no role needed"
	case v.Outcome == rbac.DeniedByDenyAssignment:
		return "blocked by a deny assignment (no role lifts it)"
	case v.Outcome == rbac.Unknown:
		var what []string
		for _, m := range v.Missing {
			what = append(what, m.What)
		}
		if len(what) == 0 {
			return "unknown"
		}
		return "unknown: could not read " + strings.Join(what, ", ")
	case v.Outcome == rbac.Conditional:
		return "depends on a condition: " + v.Condition
	case v.Outcome == rbac.Pending:
		return "assigned, not yet in effect"
	case v.Outcome == rbac.Allowed && len(d.Grants) > 0:
		g := d.Grants[0]
		s := g.Role.RoleName + " at " + components.ScopeName(g.Assignment.Scope)
		if g.ViaGroup != "" {
			s += " via group " + c.access.Name(g.ViaGroup)
		}
		return s
	case v.Outcome == rbac.Allowed:
		return d.Reason
	case v.Source == "Permissions API":
		return "the Permissions API lists no permission for it"
	case len(d.Blocked) > 0:
		return "removed by NotAction " + d.Blocked[0].NotPattern + " of " + d.Blocked[0].Role.RoleName
	}
	return "no role grants it"
}

func (c *Check) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch m := msg.(type) {
	case spinner.TickMsg:
		if !c.busy {
			return c, nil
		}
		var cmd tea.Cmd
		c.spin, cmd = c.spin.Update(m)
		return c, cmd
	case foundMsg:
		if m.seq == c.seq {
			c.busy, c.err = false, m.err
			c.whoRows(m.found)
			if len(m.found) > 0 {
				c.input.Blur()
				c.who.Select(m.found[0].ID)
			} else if m.err == nil {
				c.err = fmt.Errorf("no user, group or service principal matches %q", c.input.Value())
			}
		}
		return c, nil
	case accessMsg:
		if m.seq == c.seq {
			c.busy, c.err = false, m.err
			if m.err == nil {
				a := m.access
				c.access = &a
				c.fill()
			}
		}
		return c, nil
	case nav.AccessChangedMsg:
		if c.step == stepVerdict {
			return c, c.run()
		}
		return c, nil
	case removeMsg:
		c.seq = c.env.NextSeq()
		c.busy = true
		seq, sess, id := c.seq, c.env.Session, m.id
		return c, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			return removedMsg{seq: seq, err: sess.DeleteAssignment(ctx, id)}
		}
	case removedMsg:
		if m.seq != c.seq {
			return c, nil
		}
		c.busy = false
		if m.err != nil {
			return c, func() tea.Msg { return nav.ErrorMsg{Title: "Removing the role assignment", Err: m.err} }
		}
		return c, tea.Batch(c.run(), toast(nav.Success, "Role assignment removed; it may take a few minutes to stop applying"))
	case tea.KeyPressMsg:
		return c, c.key(m)
	case tea.PasteMsg:
		if c.step == stepWho && c.input.Focused() {
			var cmd tea.Cmd
			c.input, cmd = c.input.Update(m)
			return c, cmd
		}
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		if c.explain {
			var cmd tea.Cmd
			c.why, cmd = c.why.Update(m)
			return c, cmd
		}
		if t := c.table(); t != nil {
			if cl, ok := m.(tea.MouseClickMsg); ok {
				cl.Y -= c.tableTop
				m = cl
			}
			if _, _, chosen := t.Update(m); chosen {
				return c, c.choose()
			}
		}
	}
	return c, nil
}

func toast(l nav.Level, s string) tea.Cmd {
	return func() tea.Msg { return nav.ToastMsg{Level: l, Text: s} }
}

func (c *Check) table() *components.Table {
	switch c.step {
	case stepWho:
		return &c.who
	case stepWhere:
		return &c.where
	case stepWhat:
		return &c.what
	}
	return &c.verdicts
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
		case "esc":
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
		case stepWho:
			return func() tea.Msg { return nav.PopMsg{} }
		default:
			c.step--
			if c.step == stepWho {
				return c.input.Focus()
			}
			return nil
		}
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
		switch {
		case key.Matches(k, keyRedo):
			return c.run()
		case key.Matches(k, keyWhy) && !c.verdicts.Filtering():
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
			if v, ok := c.selected(); ok && v.Decision.Allowed && len(v.Decision.Grants) > 0 {
				g := v.Decision.Grants[0]
				return func() tea.Msg {
					return nav.ConfirmMsg{Title: "Remove this role assignment?", Yes: "Remove",
						Body:  fmt.Sprintf("%s at %s\n(id %s)\n\naz role assignment delete --ids %s", g.Role.RoleName, g.Assignment.Scope, g.Assignment.ID, g.Assignment.ID),
						OnYes: removeMsg{id: g.Assignment.ID}}
				}
			}
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
			return toast(nav.Warn, "Choose at least one operation (space toggles)")
		}
		return c.run()
	}
	return nil
}

// canAssign: a role would help. Never for a deny assignment (no role lifts
// it), nor when the Permissions API already allows the action.
func canAssign(v azure.Verdict) bool {
	apiAllows := v.PermissionsAPI != nil && *v.PermissionsAPI // a role is not what is missing
	return !v.NoRole && v.Deny == nil && len(v.Suggest) > 0 && !apiAllows &&
		(v.Outcome == rbac.NotGranted || v.Outcome == rbac.Unknown)
}

func (c *Check) assign() tea.Cmd {
	v, ok := c.selected()
	if !ok || !canAssign(v) {
		return nil
	}
	var scopes []string
	for _, r := range c.where.Rows() {
		scopes = append(scopes, r.ID)
	}
	// The narrowest scope at or above the checked one where the operation's level says to assign.
	for len(scopes) > 0 && !rbac.ScopeContains(scopes[0], c.scope) {
		scopes = scopes[1:]
	}
	m := nav.AssignMsg{Principal: c.principal, Scopes: scopes, Action: v.Op.Action, Suggest: v.Suggest}
	return func() tea.Msg { return m }
}
