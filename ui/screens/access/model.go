// Package access holds the RBAC screens: the check wizard ("can X do Y
// here, and why?") and the assign wizard that makes it so. Both are built
// on the screen kit (nav.Kit): requests through nav.Go, confirms addressed
// to the screen that asked, everything cancelled when the screen closes.
package access

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// Azure is what the access screens ask of azure; a *azure.Session has it,
// and screen tests give a fake.
type Azure interface {
	Identity() azure.Identity
	Config() azure.Config
	FindPrincipals(ctx context.Context, query string) ([]azure.PrincipalRef, error)
	Principal(ctx context.Context, objectID string) (azure.PrincipalRef, error)
	Access(ctx context.Context, p azure.PrincipalRef, scope string) (azure.Access, error)
	Roles(ctx context.Context, scope string) (rbac.RoleSet, error)
	AssignRole(ctx context.Context, p azure.PrincipalRef, roleDefinitionID, scope string) (rbac.Assignment, error)
	CreateCustomRole(ctx context.Context, def rbac.RoleDefinition) (rbac.RoleDefinition, error)
	DeleteAssignment(ctx context.Context, id string) error
	Verify(ctx context.Context, p azure.PrincipalRef, assignment rbac.Assignment, scope string, op rbac.Operation) azure.Verification
}

// api is the fake a test gave, else the signed-in session, else nil (a nil
// *Session must not become a non-nil interface).
func api(env *nav.Env, fake Azure) Azure {
	if fake != nil {
		return fake
	}
	if env.Session == nil {
		return nil
	}
	return env.Session
}

// levelWidth fits the longest level name ("user-assigned identity").
const levelWidth = 22

// timeout bounds one request (ARM and Graph answer in well under a second when healthy).
const timeout = 60 * time.Second

// --- the check wizard -------------------------------------------------------

type step int

const (
	stepWho step = iota
	stepWhere
	stepWhat
	stepVerdict
)

// Check is the access check wizard.
type Check struct {
	nav.Kit
	env  *nav.Env
	az   Azure // nil: the session's
	step step

	input    textinput.Model
	who      components.Table
	where    components.Table
	what     components.Table
	verdicts components.Table

	ctx      nav.Context
	authMode string
	identity *azure.PrincipalRef
	me       azure.PrincipalRef // the signed-in identity, its name read from Graph when the token has none
	at       string             // the deepest scope offered (the context's, or where a refusal happened)

	principal azure.PrincipalRef
	scope     string
	chosen    map[string]bool // operation keys
	err       error
	access    *azure.Access
	results   []azure.Verdict

	findCall, runCall, removeCall, meCall nav.Call

	focus   string // the operation the cursor lands on when the verdicts arrive
	explain bool   // w: the whole evaluation of the selected verdict
	why     viewport.Model
	// The evaluation is long (every assignment, every pattern) and wrapping
	// it is most of a frame's cost: it is rendered once per width and
	// content (whyText), and the viewport keeps it until either changes
	// (whyHeld), so a frame only slices it.
	whyText  whyCache
	whyHeld  whyKey
	themeGen int  // bumped when the theme changes: the styles change in place
	auto     bool // opened already run (from a refusal): Init starts the check

	actionIn  textinput.Model // "+": an action typed by hand
	typingAct bool
	actErr    error
	custom    []rbac.Operation

	tableTop int // where the table starts (mouse clicks), laid out in Update

	// settles is when the last removal a verdict rests on has applied at
	// the latest (zero: none); the check runs again then (recheckTick).
	settles  time.Time
	checking bool // a recheckTick is on its way
}

// Messages of the check (requests answer with nav.Result).
type (
	// removeMsg is the confirmed removal of a role assignment (addressed
	// to this screen by the root: Kit.Confirm).
	removeMsg struct{ id string }
	removed   struct{}
	// recheckTick looks again whether a removal has applied; it carries the
	// screen's id (another check screen ignores it).
	recheckTick struct{ id uint64 }
)

// NewCheck opens the wizard at the current context.
func NewCheck(env *nav.Env, m nav.CheckAccessMsg) *Check { return newCheck(env, m, nil) }

func newCheck(env *nav.Env, m nav.CheckAccessMsg, fake Azure) *Check {
	st := env.Styles
	in := textinput.New()
	in.Prompt = "who? "
	in.Placeholder = "name, UPN, app id or object id — enter searches"
	in.SetStyles(st.Input)
	c := &Check{Kit: nav.NewKit(env), env: env, az: fake, input: in, ctx: m.Context, authMode: m.AuthMode, identity: m.Identity,
		who: components.NewTable(st, "principals", components.Column{Title: "Who", Width: 30, Flex: true},
			components.Column{Title: "Kind", Width: 18}, components.Column{Title: "Object id", Width: 36}),
		where: components.NewTable(st, "scopes", components.Column{Title: "Level", Width: levelWidth}, components.Column{Title: "Scope", Width: 30, Flex: true}),
		what: components.NewTable(st, "operations", components.Column{Title: " ", Width: 3}, components.Column{Title: "Operation", Width: 50},
			components.Column{Title: "Action", Width: 30, Flex: true}),
		verdicts: components.NewTable(st, "operations", components.Column{Title: " ", Width: 2, Style: verdictStyle(st)}, components.Column{Title: "Operation", Width: 50},
			components.Column{Title: "Why", Width: 30, Flex: true}),
		chosen: map[string]bool{},
		why:    viewport.New(),
		at:     m.Context.ID(),
	}
	c.actionIn = textinput.New()
	c.actionIn.Prompt = "action: "
	c.actionIn.Placeholder = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read — enter adds, esc cancels"
	c.actionIn.SetStyles(st.Input)
	if az := c.api(); az != nil {
		c.me = az.Identity().Principal()
	}
	if m.Run != nil && m.Run.Scope != "" {
		c.at = m.Run.Scope
	}
	c.whoRows(nil)
	c.whereRows()
	c.preselect()
	c.whatRows()
	if m.Run != nil && c.api() != nil {
		c.runFor(*m.Run)
	}
	return c
}

func (c *Check) api() Azure { return api(c.env, c.az) }

// runFor skips the questions after a failure: the signed-in identity, at
// the scope where it happened, with the failed operation chosen and the
// cursor waiting on its verdict (Init runs the check).
func (c *Check) runFor(r nav.CheckRun) {
	c.principal = c.me
	c.scope = c.at
	if r.Scope != "" { // another resource (a managed identity): the ML operations do not apply there
		clear(c.chosen)
	}
	c.focus = r.Operation
	if _, ok := rbac.OperationByKey(r.Operation); !ok && r.Action != "" {
		name := r.Name
		if name == "" {
			name = "Failed: " + r.Action
		}
		c.custom = append(c.custom, rbac.Operation{Key: r.Action, Name: name, Action: r.Action})
		c.focus = r.Action
	}
	c.chosen[c.focus] = true
	c.whatRows()
	c.step = stepVerdict
	c.auto = true
}

func (c *Check) whoRows(found []azure.PrincipalRef) {
	var rows []components.Row
	if c.me.ID != "" {
		rows = append(rows, components.Row{ID: "me:" + c.me.ID, Payload: c.me, Cells: []string{"me — " + components.Clean(c.me.Label()), kindOf(c.me), c.me.ID}})
	}
	if c.identity != nil {
		rows = append(rows, components.Row{ID: "mi:" + c.identity.ID, Payload: *c.identity,
			Cells: []string{"the endpoint's identity — " + components.Clean(c.identity.DisplayName), "managed identity", c.identity.ID}})
	}
	for _, p := range found {
		rows = append(rows, components.Row{ID: p.ID, Payload: p, Cells: []string{components.Clean(p.Label()), kindOf(p), p.ID}})
	}
	sel, _ := c.who.Selected()
	c.who.SetRows(rows)
	c.who.Select(sel.ID)
}

func kindOf(p azure.PrincipalRef) string {
	if p.SPType == "ManagedIdentity" {
		return "managed identity"
	}
	return strings.ToLower(p.Kind)
}

// whereRows are the scope to check and its ancestors, narrowest first.
func (c *Check) whereRows() {
	var rows []components.Row
	seen := map[string]bool{}
	add := func(scope string) {
		if scope == "" || seen[strings.ToLower(scope)] {
			return
		}
		seen[strings.ToLower(scope)] = true
		rows = append(rows, components.Row{ID: scope, Payload: scope, Cells: []string{levelOf(scope), scope}})
	}
	x, ok := nav.ContextFromID(c.at)
	if !ok { // no subscription chosen yet: nothing to offer
		c.where.SetRows(nil)
		return
	}
	if x.Workspace != "" && x.Endpoint != "" {
		add(c.at)
		x.Endpoint = ""
	}
	if x.Workspace != "" && x.ResourceGroup != "" {
		add(x.ID())
	}
	add(c.at) // another resource (a managed identity): itself, then its resource group
	add(resourceGroupOf(c.at))
	if x.Subscription != "" {
		add("/subscriptions/" + x.Subscription)
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

func (c *Check) Title() string { return "Check access" }

func (c *Check) Typing() bool {
	return (c.step == stepWho && c.input.Focused()) || c.typingAct || c.who.Filtering() || c.where.Filtering() || c.what.Filtering() || c.verdicts.Filtering()
}

// HandlesEsc follows the root's one esc rule: out of a text field or a
// filter first, then one step of the wizard (where › who, what › where),
// the evaluation back to the verdicts; from the who list and from the
// verdicts (the wizard's result) esc leaves the screen.
func (c *Check) HandlesEsc() bool {
	if c.typingAct || c.explain || (c.step == stepWho && c.input.Focused()) {
		return true
	}
	if t := c.table(); t.Filtering() || t.Query() != "" {
		return true
	}
	return c.step == stepWhere || c.step == stepWhat
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

func (c *Check) selected() (azure.Verdict, bool) {
	r, ok := c.verdicts.Selected()
	if !ok {
		return azure.Verdict{}, false
	}
	return r.Payload.(azure.Verdict), true
}

// --- the assign wizard ------------------------------------------------------

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

// Assign is the assign wizard: role, scope, review (az + REST), apply, verify.
type Assign struct {
	nav.Kit
	env  *nav.Env
	az   Azure // nil: the session's
	m    nav.AssignMsg
	step astep

	roles  components.Table
	scopes components.Table
	vp     viewport.Model // the review and the verification, scrollable

	// access is what Azure says about the principal where the action is
	// needed: its assignments, groups and the deny assignments there. It
	// tells, before anything changes, whether a role would help.
	access  *azure.Access
	accErr  error
	roleSet rbac.RoleSet // the role definitions Azure listed
	self    bool         // the principal is the signed-in identity: Azure can be asked directly

	rolesCall, accessCall, applyCall, verifyCall nav.Call

	role     rbac.RoleDefinition
	create   bool // the role is one of the seeds' custom roles, to be created first
	scope    string
	err      error
	started  time.Time
	ended    time.Time // when verification stopped: the elapsed time stops with it
	checks   int
	last     azure.Verification
	assigned rbac.Assignment
	tableTop int // where the table starts (mouse clicks), laid out in Update
}

type (
	// verifyTick asks Azure again; it carries the screen's id (another
	// assign screen has its own rounds).
	verifyTick struct{ id uint64 }
	// pickMsg confirms a role that needs a second thought (it does not grant
	// the action, or a deny assignment blocks the action anyway).
	pickMsg struct{ choice roleChoice }
)

type roleChoice struct {
	role   rbac.RoleDefinition
	create bool
}

// NewAssign opens the wizard. With m.Role it opens on the review of that
// role at m.Scopes[0] (esc goes back to choose another).
func NewAssign(env *nav.Env, m nav.AssignMsg) *Assign { return newAssign(env, m, nil) }

func newAssign(env *nav.Env, m nav.AssignMsg, fake Azure) *Assign {
	st := env.Styles
	a := &Assign{Kit: nav.NewKit(env), env: env, az: fake, m: m,
		roles: components.NewTable(st, "roles", components.Column{Title: "Role", Width: 44, Flex: true},
			components.Column{Title: "Kind", Width: 24}, components.Column{Title: "Grants the action", Width: 24}),
		scopes: components.NewTable(st, "scopes", components.Column{Title: "Level", Width: levelWidth}, components.Column{Title: "Name", Width: 36},
			components.Column{Title: "Scope", Width: 40, Flex: true}),
		vp: viewport.New(),
	}
	if az := a.api(); az != nil {
		a.self = strings.EqualFold(az.Identity().ObjectID, m.Principal.ID)
	}
	var rows []components.Row
	for _, s := range m.Scopes {
		name := s[strings.LastIndexByte(strings.TrimRight(s, "/"), '/')+1:]
		rows = append(rows, components.Row{ID: s, Payload: s, Cells: []string{levelOf(s), components.Clean(name), s}})
	}
	a.scopes.SetRows(rows)
	a.setRoles(nil)
	if m.Role != "" && len(m.Scopes) > 0 {
		for _, r := range a.roles.Rows() {
			if rbac.EqualOrdinalIgnoreCase(r.ID, m.Role) {
				rc := r.Payload.(roleChoice)
				a.roles.Select(r.ID)
				a.role, a.create, a.scope = rc.role, rc.create, m.Scopes[0]
				a.toReview()
				break
			}
		}
	}
	return a
}

func (a *Assign) api() Azure { return api(a.env, a.az) }

func (a *Assign) Title() string { return "Assign a role" }
func (a *Assign) Typing() bool  { return a.roles.Filtering() || a.scopes.Filtering() }

// HandlesEsc follows the root's one esc rule: a filter first, then one
// step back (review › scope › role); from the role list esc leaves, and
// from verification (the wizard's result) it leaves too, telling the
// check to look again.
func (a *Assign) HandlesEsc() bool {
	if t := a.table(); t != nil && (t.Filtering() || t.Query() != "") {
		return true
	}
	return a.step != aRole
}

// Discards: from the chosen role on, quitting loses the assignment under
// review (q asks first). Nothing was sent to Azure yet.
func (a *Assign) Discards() string {
	if a.step != aScope && a.step != aReview {
		return ""
	}
	return "the assignment of " + components.Clean(a.role.RoleName) + " to " + components.Clean(a.m.Principal.Label())
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

// setRoles lists the preselected role and the suggestions first, then the
// usual ML roles, existing custom roles, and the seeds' custom roles to
// create. Roles Azure listed replace the built-in copies (their ids).
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
	if a.m.Role != "" {
		if r, ok := byName(a.m.Role); ok {
			add(r, "asked for", false)
		}
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
		if ex, ok := rbac.RoleByName(existing, r.RoleName); ok {
			r = ex
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
	// The role chosen already follows Azure's copy (its id) and Azure's word on whether it exists.
	if a.step > aRole && a.role.RoleName != "" {
		for _, r := range rows {
			if r.ID == a.role.RoleName {
				rc := r.Payload.(roleChoice)
				if !a.create || !rc.create {
					a.role, a.create = rc.role, rc.create
				}
			}
		}
	}
}

func (a *Assign) poll() time.Duration { return pollEvery(a.env) }

// pollEvery is how often a screen asks again while Azure applies a change.
func pollEvery(env *nav.Env) time.Duration {
	if env.Poll > 0 {
		return env.Poll
	}
	return verifyEvery
}

// elapsed is how long verification has run; it stops when the step ends.
func (a *Assign) elapsed() time.Duration {
	end := a.ended
	if end.IsZero() {
		end = a.env.Now()
	}
	return end.Sub(a.started).Round(time.Second)
}

// theirCommand is the command someone else runs to check the operation
// for themselves ("" for yourself, and without an action to check).
func (a *Assign) theirCommand() string {
	if a.self || a.m.Action == "" {
		return ""
	}
	return a.last.Command
}
