package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

type astep int

const (
	aRole astep = iota
	aScope
	aReview
	aApplying
	aVerify
	aDone
)

// verifyLimit is how long verify re-checks before saying the assignment
// is kept but not effective yet. Azure documents up to 10 minutes for a
// role assignment change to take effect ("Symptom - Role assignment changes
// are not being detected",
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
const verifyLimit = 10 * time.Minute

// verifyEvery is how often verify asks Azure again (nav.Env.Poll overrides it).
const verifyEvery = 2 * time.Second

var (
	keyApply    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "apply"))
	keyStop     = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop verifying"))
	keyCopyAz   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy az command"))
	keyCopyREST = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "copy REST request"))
	keyCopyRole = key.NewBinding(key.WithKeys("j"), key.WithHelp("j", "copy role.json + az command"))
	keyCopyMe   = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "copy their check command"))
	keyScroll   = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll"))
)

// Assign is the assign wizard: role, scope, review (az + REST), apply, verify.
type Assign struct {
	env  *nav.Env
	m    nav.AssignMsg
	step astep

	roles  components.Table
	scopes components.Table
	spin   spinner.Model
	vp     viewport.Model // the review and the verification, scrollable

	// access is what Azure says about the principal where the action is
	// needed: its assignments, groups and the deny assignments there. It
	// tells, before anything changes, whether a role would help.
	access  *azure.Access
	accErr  error
	roleSet rbac.RoleSet // the role definitions Azure listed
	self    bool         // the principal is the signed-in identity: Azure can be asked directly

	role     rbac.RoleDefinition
	create   bool // the role is one of the seeds' custom roles, to be created first
	scope    string
	seq      uint64
	busy     bool
	err      error
	started  time.Time
	ended    time.Time // when verification stopped: the elapsed time stops with it
	checks   int
	last     verifyMsg
	assigned rbac.Assignment
	tableTop int
	vpTop    int
}

type (
	rolesMsg struct {
		seq   uint64
		roles rbac.RoleSet
		err   error
	}
	assignAccessMsg struct {
		seq    uint64
		access azure.Access
		err    error
	}
	appliedMsg struct {
		seq uint64
		a   rbac.Assignment
		err error
	}
	// verifyMsg is one round of verification: what Azure listed and, for
	// yourself, what Azure says you may do.
	verifyMsg struct {
		seq uint64
		v   azure.Verification
	}
	verifyTick struct{ seq uint64 }
	// pickMsg confirms a role that needs a second thought (it does not grant
	// the action, or a deny assignment blocks the action anyway).
	pickMsg struct{ choice roleChoice }
)

// NewAssign opens the wizard.
func NewAssign(env *nav.Env, m nav.AssignMsg) *Assign {
	st := env.Styles
	a := &Assign{env: env, m: m,
		roles: components.NewTable(st, "roles", components.Column{Title: "Role", Width: 44, Flex: true},
			components.Column{Title: "Kind", Width: 24}, components.Column{Title: "Grants the action", Width: 24}),
		scopes: components.NewTable(st, "scopes", components.Column{Title: "Level", Width: 14}, components.Column{Title: "Name", Width: 36},
			components.Column{Title: "Scope", Width: 40, Flex: true}),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Accent)),
		vp:   viewport.New(),
	}
	if env.Session != nil {
		a.self = strings.EqualFold(env.Session.Identity().ObjectID, m.Principal.ID)
	}
	var rows []components.Row
	for _, s := range m.Scopes {
		name := s[strings.LastIndexByte(strings.TrimRight(s, "/"), '/')+1:]
		rows = append(rows, components.Row{ID: s, Payload: s, Cells: []string{levelOf(s), components.Clean(name), s}})
	}
	a.scopes.SetRows(rows)
	a.setRoles(nil)
	return a
}

// target is the scope where the action is needed (the narrowest offered).
func (a *Assign) target() string {
	if len(a.m.Scopes) > 0 {
		return a.m.Scopes[0]
	}
	return a.scope
}

// assignable is where the seeds' custom roles are created: the resource
// group, as in the seeds' templates. A resource-group Owner may create a
// role there; at the subscription it takes roleDefinitions/write on the
// subscription.
func (a *Assign) assignable() string {
	for _, s := range a.m.Scopes {
		if rg := resourceGroupOf(s); rg != "" {
			return rg
		}
	}
	for _, s := range a.m.Scopes {
		if c, ok := nav.ContextFromID(s); ok {
			return "/subscriptions/" + c.Subscription
		}
	}
	return ""
}

// blocked is the verdict of the action for the principal where it is
// needed when a deny assignment blocks it there: then no role helps.
func (a *Assign) blocked() (azure.Verdict, bool) {
	if a.access == nil || a.m.Action == "" {
		return azure.Verdict{}, false
	}
	v := a.access.Check([]rbac.Operation{a.op()})[0]
	return v, v.Deny != nil
}

// op is the catalogue's operation for the action (or the action alone).
func (a *Assign) op() rbac.Operation {
	for _, o := range rbac.Operations() {
		if o.Action != "" && strings.EqualFold(o.Action, a.m.Action) {
			return o
		}
	}
	return rbac.Operation{Key: a.m.Action, Name: a.m.Action, Action: a.m.Action}
}

// grants says whether the role's permissions include the action.
func (a *Assign) grants(r rbac.RoleDefinition) bool {
	_, _, ok := rbac.EffectivePermissions(r.Permissions, a.m.Action, false)
	return ok
}

// setRoles lists suggestions first, then the usual ML roles, existing
// custom roles, and the seeds' custom roles to create.
func (a *Assign) setRoles(existing rbac.RoleSet) {
	var rows []components.Row
	seen := map[string]bool{}
	_, denied := a.blocked()
	add := func(r rbac.RoleDefinition, kind string, create bool) {
		if seen[strings.ToLower(r.RoleName)] {
			return
		}
		seen[strings.ToLower(r.RoleName)] = true
		grants := "—"
		if a.m.Action != "" {
			switch {
			case !a.grants(r):
				grants = "✗ no"
			case denied:
				grants = "⊘ yes, a deny blocks it"
			default:
				grants = "✓ yes"
			}
		}
		rows = append(rows, components.Row{ID: r.RoleName, Payload: roleChoice{r, create}, Cells: []string{components.Clean(r.RoleName), kind, grants},
			Dim: grants != "✓ yes" && grants != "—"})
	}
	byName := func(n string) (rbac.RoleDefinition, bool) {
		if r, ok := rbac.RoleByName(existing, n); ok {
			return r, true
		}
		return rbac.RoleByName(rbac.BuiltinRoles(), n)
	}
	assignable := a.assignable()
	for _, r := range a.m.Suggest {
		if r.RoleType == "CustomRole" {
			if ex, ok := rbac.RoleByName(existing, r.RoleName); ok {
				add(ex, "custom (exists)", false)
			} else {
				r.AssignableScopes = []string{assignable}
				add(r, "custom: create it first", true)
			}
			continue
		}
		add(r, "built-in, suggested", false)
	}
	for _, n := range []string{"AzureML Data Scientist", "Azure Machine Learning Workspace Connection Secrets Reader", "Reader"} {
		if r, ok := byName(n); ok {
			add(r, "built-in", false)
		}
	}
	for _, r := range existing {
		if r.RoleType == "CustomRole" {
			add(r, "custom (exists)", false)
		}
	}
	if assignable != "" {
		for _, r := range []rbac.RoleDefinition{rbac.CustomControlPlaneRole(assignable), rbac.CustomScoringRole(assignable)} {
			add(r, "custom: create it first", true)
		}
	}
	sel, _ := a.roles.Selected()
	a.roles.SetRows(rows)
	a.roles.Select(sel.ID)
}

type roleChoice struct {
	role   rbac.RoleDefinition
	create bool
}

func (a *Assign) Title() string { return "Assign a role" }
func (a *Assign) Typing() bool  { return a.roles.Filtering() || a.scopes.Filtering() }
func (a *Assign) HandlesEsc() bool {
	return a.step != aRole || a.roles.Filtering() || a.roles.Query() != ""
}
func (a *Assign) Keys() []key.Binding {
	switch a.step {
	case aReview:
		ks := []key.Binding{keyApply, keyCopyAz, keyCopyREST}
		if a.create {
			ks = append(ks, keyCopyRole)
		}
		return append(ks, keyScroll)
	case aVerify, aDone:
		var ks []key.Binding
		if a.step == aVerify {
			ks = append(ks, keyStop)
		}
		if !a.self && a.last.v.Command != "" {
			ks = append(ks, keyCopyMe)
		}
		return append(ks, keyScroll)
	case aApplying:
		return nil
	}
	return []key.Binding{keyNext, components.KeyFilter}
}

func (a *Assign) Init() tea.Cmd {
	if a.env.Session == nil || len(a.m.Scopes) == 0 {
		return nil
	}
	a.seq = a.env.NextSeq()
	seq, sess, top, p, target := a.seq, a.env.Session, a.m.Scopes[len(a.m.Scopes)-1], a.m.Principal, a.target()
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		roles, err := sess.Roles(ctx, top)
		return rolesMsg{seq: seq, roles: roles, err: err}
	}, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		acc, err := sess.Access(ctx, p, target)
		return assignAccessMsg{seq: seq, access: acc, err: err}
	})
}

func (a *Assign) poll() time.Duration {
	if a.env.Poll > 0 {
		return a.env.Poll
	}
	return verifyEvery
}

func (a *Assign) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch m := msg.(type) {
	case spinner.TickMsg:
		if !a.busy {
			return a, nil
		}
		var cmd tea.Cmd
		a.spin, cmd = a.spin.Update(m)
		return a, cmd
	case rolesMsg:
		if m.seq == a.seq && m.err == nil {
			a.roleSet = m.roles
			a.setRoles(m.roles)
		}
		return a, nil
	case assignAccessMsg:
		if m.seq == a.seq {
			a.accErr = m.err
			if m.err == nil {
				acc := m.access
				a.access = &acc
			}
			a.setRoles(a.roleSet)
		}
		return a, nil
	case pickMsg:
		if a.step == aRole {
			a.picked(m.choice)
		}
		return a, nil
	case appliedMsg:
		if m.seq != a.seq {
			return a, nil
		}
		a.busy = false
		if m.err != nil {
			a.err, a.step = m.err, aReview
			return a, nil
		}
		a.assigned = m.a
		a.step, a.started, a.ended, a.checks = aVerify, a.env.Now(), time.Time{}, 0
		a.busy = true
		return a, tea.Batch(a.spin.Tick, a.verify(), toast(nav.Success, "Role assigned: "+a.role.RoleName))
	case verifyTick:
		if m.seq == a.seq && a.step == aVerify {
			return a, a.verify()
		}
		return a, nil
	case verifyMsg:
		if m.seq != a.seq || a.step != aVerify {
			return a, nil
		}
		a.checks++
		a.last = m
		switch {
		case a.self && m.v.Effective:
			a.finish()
			return a, toast(nav.Success, fmt.Sprintf("Effective after %s (Azure says so)", a.elapsed()))
		case !a.self && m.v.Listed:
			a.finish() // all that can be known about someone else
			return a, nil
		case a.env.Now().Sub(a.started) > verifyLimit:
			a.finish()
			return a, nil
		}
		seq := a.seq
		return a, tea.Tick(a.poll(), func(time.Time) tea.Msg { return verifyTick{seq: seq} })
	case tea.KeyPressMsg:
		return a, a.key(m)
	case tea.MouseWheelMsg:
		if a.step >= aReview {
			var cmd tea.Cmd
			a.vp, cmd = a.vp.Update(m)
			return a, cmd
		}
		if t := a.table(); t != nil {
			t.Update(m)
		}
	case tea.MouseClickMsg:
		t := a.table()
		if t == nil {
			return a, nil
		}
		m.Y -= a.tableTop
		if _, _, chosen := t.Update(m); chosen {
			return a, a.choose()
		}
	}
	return a, nil
}

// finish ends verification; the elapsed time stops here.
func (a *Assign) finish() {
	a.step, a.busy, a.ended = aDone, false, a.env.Now()
	a.seq = a.env.NextSeq() // a round still in flight is dropped
}

func (a *Assign) elapsed() time.Duration {
	end := a.ended
	if end.IsZero() {
		end = a.env.Now()
	}
	return end.Sub(a.started).Round(time.Second)
}

func (a *Assign) table() *components.Table {
	switch a.step {
	case aRole:
		return &a.roles
	case aScope:
		return &a.scopes
	}
	return nil
}

func (a *Assign) copy(text, label string) tea.Cmd {
	return nav.Cmd(nav.CopyMsg{Text: text, Label: label})
}

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
		case k.String() == "esc":
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
		case key.Matches(k, keyCopyMe) && !a.self && a.last.v.Command != "":
			return a.copy(a.last.v.Command, "Copied the command they can run")
		case a.step == aVerify && (key.Matches(k, keyStop) || k.String() == "esc"):
			a.finish()
		case a.step == aDone && (k.String() == "esc" || k.String() == "enter"):
			return tea.Batch(nav.Cmd(nav.PopMsg{}), nav.Cmd(nav.AccessChangedMsg{}))
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
			return nav.Cmd(nav.ConfirmMsg{Title: "This role does not grant the action", Yes: "Assign it anyway",
				Body:  fmt.Sprintf("%s does not include\n%s\n\nAssigning it will not make this operation work.", rc.role.RoleName, a.m.Action),
				OnYes: pickMsg{rc}})
		}
		if v, ok := a.blocked(); ok {
			return nav.Cmd(nav.ConfirmMsg{Title: "A deny assignment blocks this action anyway", Yes: "Assign it anyway",
				Body: strings.Join(append([]string{fmt.Sprintf("%s grants %s, but:", rc.role.RoleName, a.m.Action), ""},
					denyLines(v.Deny, v.Advice)...), "\n"),
				OnYes: pickMsg{rc}})
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

// commands are the az command and the REST request of the assignment.
func (a *Assign) commands() (az, rest string) {
	role := a.role
	if a.create {
		role.ID = "{the new role's id}"
	}
	c := azure.AssignCommands(a.m.Principal, role, a.scope)
	return c[0], c[1]
}

func (a *Assign) apply() tea.Cmd {
	a.step, a.busy, a.err = aApplying, true, nil
	a.seq = a.env.NextSeq()
	seq, sess, p, role, create, scope := a.seq, a.env.Session, a.m.Principal, a.role, a.create, a.scope
	return tea.Batch(a.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if create {
			def, err := sess.CreateCustomRole(ctx, role)
			if err != nil {
				return appliedMsg{seq: seq, err: err}
			}
			role = def
		}
		asg, err := sess.AssignRole(ctx, p, role.ID, scope)
		return appliedMsg{seq: seq, a: asg, err: err}
	})
}

// verify asks Azure once (azure.Session.Verify): is the new assignment
// listed, and, for yourself only, does Azure allow the operation now.
func (a *Assign) verify() tea.Cmd {
	seq, sess, p, asg, scope, op := a.seq, a.env.Session, a.m.Principal, a.assigned, a.target(), a.op()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return verifyMsg{seq: seq, v: sess.Verify(ctx, p, asg, scope, op)}
	}
}
