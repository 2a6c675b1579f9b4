package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
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
// is kept but not effective yet (Azure documents up to ~10 minutes).
const verifyLimit = 5 * time.Minute

var (
	keyApply = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "apply"))
	keyStop  = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop verifying"))
)

// Assign is the assign wizard: role, scope, review (az + REST), apply, verify.
type Assign struct {
	env  *nav.Env
	m    nav.AssignMsg
	step astep

	roles  components.Table
	scopes components.Table
	spin   spinner.Model

	role     rbac.RoleDefinition
	create   bool // the role is one of the seeds' custom roles, to be created first
	scope    string
	seq      uint64
	busy     bool
	err      error
	started  time.Time
	checks   int
	verdict  string
	assigned rbac.Assignment
	tableTop int
}

type (
	rolesMsg struct {
		seq   uint64
		roles rbac.RoleSet
		err   error
	}
	appliedMsg struct {
		seq uint64
		a   rbac.Assignment
		err error
	}
	verifyMsg struct {
		seq     uint64
		allowed bool
		reason  string
		err     error
	}
	verifyTick struct{ seq uint64 }
)

// NewAssign opens the wizard.
func NewAssign(env *nav.Env, m nav.AssignMsg) *Assign {
	st := env.Styles
	a := &Assign{env: env, m: m,
		roles: components.NewTable(st, "roles", components.Column{Title: "Role", Width: 44, Flex: true},
			components.Column{Title: "Kind", Width: 22}, components.Column{Title: "Grants the action", Width: 17}),
		scopes: components.NewTable(st, "scopes", components.Column{Title: "Scope", Width: 40, Flex: true}),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(st.Accent)),
	}
	var rows []components.Row
	for _, s := range m.Scopes {
		rows = append(rows, components.Row{ID: s, Payload: s, Cells: []string{s}})
	}
	a.scopes.SetRows(rows)
	a.setRoles(nil)
	return a
}

func (a *Assign) sub() string {
	for _, s := range a.m.Scopes {
		parts := strings.Split(strings.Trim(s, "/"), "/")
		if len(parts) >= 2 {
			return "/subscriptions/" + parts[1]
		}
	}
	return ""
}

// setRoles lists suggestions first, then the usual ML roles, existing
// custom roles, and the seeds' custom roles to create.
func (a *Assign) setRoles(existing rbac.RoleSet) {
	var rows []components.Row
	seen := map[string]bool{}
	add := func(r rbac.RoleDefinition, kind string, create bool) {
		if seen[strings.ToLower(r.RoleName)] {
			return
		}
		seen[strings.ToLower(r.RoleName)] = true
		grants := "—"
		if a.m.Action != "" {
			if _, _, ok := rbac.EffectivePermissions(r.Permissions, a.m.Action, false); ok {
				grants = "yes"
			} else {
				grants = "no"
			}
		}
		rows = append(rows, components.Row{ID: r.RoleName, Payload: roleChoice{r, create}, Cells: []string{components.Clean(r.RoleName), kind, grants}, Dim: grants == "no"})
	}
	byName := func(n string) (rbac.RoleDefinition, bool) {
		if r, ok := rbac.RoleByName(existing, n); ok {
			return r, true
		}
		return rbac.RoleByName(rbac.BuiltinRoles(), n)
	}
	for _, r := range a.m.Suggest {
		if r.RoleType == "CustomRole" {
			if ex, ok := rbac.RoleByName(existing, r.RoleName); ok {
				add(ex, "custom (exists)", false)
			} else {
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
	if sub := a.sub(); sub != "" {
		for _, r := range []rbac.RoleDefinition{rbac.CustomControlPlaneRole(sub), rbac.CustomScoringRole(sub)} {
			add(r, "custom: create it first", true)
		}
	}
	a.roles.SetRows(rows)
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
		return []key.Binding{keyApply}
	case aVerify:
		return []key.Binding{keyStop}
	case aDone, aApplying:
		return nil
	}
	return []key.Binding{keyNext, components.KeyFilter}
}

func (a *Assign) Init() tea.Cmd {
	if a.env.Session == nil || len(a.m.Scopes) == 0 {
		return nil
	}
	a.seq = a.env.NextSeq()
	seq, sess, scope := a.seq, a.env.Session, a.m.Scopes[len(a.m.Scopes)-1]
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		roles, err := sess.Roles(ctx, scope)
		return rolesMsg{seq: seq, roles: roles, err: err}
	}
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
			a.setRoles(m.roles)
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
		a.step, a.started, a.checks = aVerify, a.env.Now(), 0
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
		a.verdict = m.reason
		if m.err != nil {
			a.verdict = azure.Explain(m.err).Title + ": " + azure.Explain(m.err).Detail
		}
		if m.allowed {
			a.step, a.busy = aDone, false
			return a, toast(nav.Success, fmt.Sprintf("Effective after %s", a.env.Now().Sub(a.started).Round(time.Second)))
		}
		if a.env.Now().Sub(a.started) > verifyLimit {
			a.step, a.busy = aDone, false
			return a, nil
		}
		seq := a.seq
		return a, tea.Tick(2*time.Second, func(time.Time) tea.Msg { return verifyTick{seq: seq} })
	case tea.KeyPressMsg:
		return a, a.key(m)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		t := a.table()
		if t == nil {
			return a, nil
		}
		if cl, ok := m.(tea.MouseClickMsg); ok {
			cl.Y -= a.tableTop
			m = cl
		}
		if _, _, chosen := t.Update(m); chosen {
			return a, a.choose()
		}
	}
	return a, nil
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

func (a *Assign) key(k tea.KeyPressMsg) tea.Cmd {
	switch a.step {
	case aRole, aScope:
		t := a.table()
		if k.String() == "esc" && !t.Filtering() && t.Query() == "" {
			if a.step == aRole {
				return func() tea.Msg { return nav.PopMsg{} }
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
		switch {
		case key.Matches(k, keyApply):
			return a.apply()
		case k.String() == "esc":
			a.step, a.err = aScope, nil
		}
	case aVerify:
		if key.Matches(k, keyStop) || k.String() == "esc" {
			a.step, a.busy = aDone, false
			a.seq = a.env.NextSeq()
		}
	case aDone:
		if k.String() == "esc" || k.String() == "enter" {
			return tea.Batch(func() tea.Msg { return nav.PopMsg{} }, func() tea.Msg { return nav.AccessChangedMsg{} })
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
		a.role, a.create = rc.role, rc.create
		a.step = aScope
		if a.scopes.Total() == 1 {
			a.scope, a.step = a.m.Scopes[0], aReview
		}
	case aScope:
		r, ok := a.scopes.Selected()
		if !ok {
			return nil
		}
		a.scope = r.Payload.(string)
		a.step = aReview
	}
	return nil
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

// verify re-checks the action for the principal at the scope it was needed.
func (a *Assign) verify() tea.Cmd {
	seq, sess, p, action := a.seq, a.env.Session, a.m.Principal, a.m.Action
	scope := a.scope
	if len(a.m.Scopes) > 0 {
		scope = a.m.Scopes[0]
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		acc, err := sess.Access(ctx, p, scope)
		if err != nil {
			return verifyMsg{seq: seq, err: err}
		}
		v := acc.Check([]rbac.Operation{{Key: action, Name: action, Action: action}})[0]
		allowed := v.Decision.Allowed
		if v.PermissionsAPI != nil { // for yourself, effective means the Permissions API says so too
			allowed = allowed && *v.PermissionsAPI
		}
		return verifyMsg{seq: seq, allowed: allowed, reason: v.Decision.Reason}
	}
}

func (a *Assign) View(w, h int) string {
	st := a.env.Styles
	head := st.Title.Render("Assign a role") + "  " + st.Muted.Render("to ") + components.Clean(a.m.Principal.Label())
	if a.busy {
		head += "  " + a.spin.View()
	}
	var lines []string
	if a.m.Action != "" {
		lines = append(lines, st.Muted.Render("for    ")+a.m.Action)
	}
	if a.step > aRole {
		lines = append(lines, st.Muted.Render("role   ")+components.Clean(a.role.RoleName))
	}
	if a.step > aScope {
		lines = append(lines, st.Muted.Render("scope  ")+components.Fit(a.scope, w-7))
	}
	if a.err != nil {
		lines = append(lines, nav.Problem(st, "Assigning", nav.RetryWith(a.err, "y"), w))
	}
	top := head + "\n" + strings.Join(lines, "\n")
	a.tableTop = strings.Count(top, "\n") + 2
	rest := h - a.tableTop
	var body string
	switch a.step {
	case aRole:
		body = st.Muted.Render("Choose the role (the smallest that grants the action is first):") + "\n" + a.roles.View(w, max(rest, 3))
	case aScope:
		body = st.Muted.Render("Choose where to assign it (narrowest first; it applies to everything below):") + "\n" + a.scopes.View(w, max(rest, 3))
	case aReview:
		var b []string
		b = append(b, st.Bold.Render("Review — this is what will run:"), "")
		if a.create {
			def := a.role
			b = append(b, "Create the custom role:", "  "+azure.RoleDefinitionCommand(def),
				"  PUT "+a.sub()+"/providers/Microsoft.Authorization/roleDefinitions/{new-guid}?api-version=2022-04-01", "")
		}
		role := a.role
		if a.create {
			role.ID = "{the new role's id}"
		}
		for _, c := range azure.AssignCommands(a.m.Principal, role, a.scope) {
			b = append(b, "  "+c)
		}
		b = append(b, "", st.Accent.Render("y")+" applies · esc goes back")
		body = strings.Join(b, "\n")
	case aApplying:
		body = "Applying…"
	case aVerify, aDone:
		el := a.env.Now().Sub(a.started).Round(time.Second)
		var b []string
		switch {
		case a.step == aVerify:
			b = append(b, fmt.Sprintf("Verifying: re-checking every 2 s until it is effective — %s elapsed, %d checks", el, a.checks))
			b = append(b, st.Muted.Render("Azure takes up to a few minutes to apply a new assignment. s stops (the assignment stays)."))
		case strings.HasPrefix(a.verdict, "Allowed"):
			b = append(b, st.OK.Render(fmt.Sprintf("✓ Effective after %s.", el)))
			b = append(b, st.Muted.Render("The identity must get a new token to use it: refresh your credentials (sign in again, or wait for the token to renew)."))
		default:
			b = append(b, st.Warn.Render(fmt.Sprintf("The assignment exists but was not effective after %s; it is kept.", el)))
			b = append(b, st.Muted.Render("Check again later from the check screen (R)."))
		}
		if a.verdict != "" {
			b = append(b, "", st.Muted.Render("last check: ")+components.Clean(a.verdict))
		}
		if a.assigned.ID != "" {
			b = append(b, st.Muted.Render("assignment: ")+a.assigned.ID)
		}
		if a.step == aDone {
			b = append(b, "", st.Accent.Render("enter")+" back to the check")
		}
		body = strings.Join(b, "\n")
	}
	return components.Block(top+"\n"+body, w, h)
}
