package access

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
)

// Init focuses the search, or runs the check at once when it was opened
// from a refusal; for a service principal it reads its display name
// (its token carries none).
func (c *Check) Init() tea.Cmd {
	if c.api() == nil {
		return nil
	}
	cmds := []tea.Cmd{c.resolveMe()}
	if c.auto {
		cmds = append(cmds, c.run())
	} else {
		cmds = append(cmds, c.input.Focus())
	}
	return tea.Batch(cmds...)
}

// resolveMe asks Graph for the signed-in service principal's display
// name; a user's token already names them.
func (c *Check) resolveMe() tea.Cmd {
	az, id := c.api(), c.me.ID
	if c.me.Kind != "ServicePrincipal" || id == "" {
		return nil
	}
	return nav.Go(&c.Kit, &c.meCall, timeout, func(ctx context.Context) (azure.PrincipalRef, error) { return az.Principal(ctx, id) })
}

func (c *Check) search(q string) tea.Cmd {
	c.err = nil
	az := c.api()
	return nav.Go(&c.Kit, &c.findCall, timeout, func(ctx context.Context) ([]azure.PrincipalRef, error) { return az.FindPrincipals(ctx, q) })
}

// run reads everything Azure evaluates for the principal at the scope
// (groups and deny principals come named: Access.Names).
func (c *Check) run() tea.Cmd {
	c.step, c.err = stepVerdict, nil
	az, p, scope := c.api(), c.principal, c.scope
	if az == nil {
		c.err = azure.ErrNotSignedIn
		return nil
	}
	return nav.Go(&c.Kit, &c.runCall, timeout, func(ctx context.Context) (azure.Access, error) { return az.Access(ctx, p, scope) })
}

// recheck waits for the removals the verdicts rest on to apply (Azure
// may enforce a removed role assignment for a while), then runs the check
// again: like verification after an assignment, it polls the clock.
func (c *Check) recheck() tea.Cmd {
	if c.settles.IsZero() || c.checking {
		return nil
	}
	c.checking = true
	id := c.ScreenID()
	return tea.Tick(pollEvery(c.env), func(time.Time) tea.Msg { return recheckTick{id: id} })
}

func (c *Check) remove(id string) tea.Cmd {
	az := c.api()
	return nav.Go(&c.Kit, &c.removeCall, timeout, func(ctx context.Context) (removed, error) { return removed{}, az.DeleteAssignment(ctx, id) })
}

// Init reads the roles usable where the assignment may go and what Azure
// says about the principal where the action is needed (deny assignments
// included), so the list says which roles would help.
func (a *Assign) Init() tea.Cmd {
	az := a.api()
	if az == nil || len(a.m.Scopes) == 0 {
		return nil
	}
	top, p, target := a.m.Scopes[len(a.m.Scopes)-1], a.m.Principal, a.target()
	return tea.Batch(
		nav.Go(&a.Kit, &a.rolesCall, timeout, func(ctx context.Context) (rbac.RoleSet, error) { return az.Roles(ctx, top) }),
		nav.Go(&a.Kit, &a.accessCall, timeout, func(ctx context.Context) (azure.Access, error) { return az.Access(ctx, p, target) }))
}

// apply creates the custom role first when it is one of the seeds', then
// assigns it.
func (a *Assign) apply() tea.Cmd {
	az := a.api()
	if az == nil {
		a.err = azure.ErrNotSignedIn
		return nil
	}
	a.step, a.err = aApplying, nil
	p, role, create, scope := a.m.Principal, a.role, a.create, a.scope
	return nav.Go(&a.Kit, &a.applyCall, timeout, func(ctx context.Context) (rbac.Assignment, error) {
		if create {
			def, err := az.CreateCustomRole(ctx, role)
			if err != nil {
				return rbac.Assignment{}, err
			}
			role = def
		}
		return az.AssignRole(ctx, p, role.ID, scope)
	})
}

// verify asks Azure once (azure.Session.Verify): is the new assignment
// listed, and, for yourself only, does Azure allow the operation now.
func (a *Assign) verify() tea.Cmd {
	az, p, asg, scope, op := a.api(), a.m.Principal, a.assigned, a.target(), a.op()
	return nav.Go(&a.Kit, &a.verifyCall, timeout, func(ctx context.Context) (azure.Verification, error) {
		return az.Verify(ctx, p, asg, scope, op), nil
	})
}

// again asks Azure once more after the poll interval.
func (a *Assign) again() tea.Cmd {
	id := a.ScreenID()
	return tea.Tick(a.poll(), func(time.Time) tea.Msg { return verifyTick{id: id} })
}

// commands are the az command and the REST request of the assignment,
// built from the cloud's own ARM endpoint.
func (a *Assign) commands() (az, rest string) {
	role := a.role
	if a.create {
		role.ID = "{the new role's id}"
	}
	c := a.config().AssignCommands(a.m.Principal, role, a.scope)
	return c[0], c[1]
}

// config is the cloud the session speaks to (the env's before sign-in).
func (a *Assign) config() azure.Config {
	if az := a.api(); az != nil {
		return az.Config()
	}
	return a.env.Config
}

// assign opens the assign wizard for the selected verdict, at the
// narrowest offered scope that contains the checked one.
func (c *Check) assign() tea.Cmd {
	v, ok := c.selected()
	if !ok || !canAssign(v) {
		return nil
	}
	var scopes []string
	for _, r := range c.where.Rows() {
		scopes = append(scopes, r.ID)
	}
	for len(scopes) > 0 && !rbac.ScopeContains(scopes[0], c.scope) {
		scopes = scopes[1:]
	}
	return nav.Cmd(nav.AssignMsg{Principal: c.principal, Scopes: scopes, Action: v.Op.Action, Suggest: v.Suggest})
}

// canAssign: a role would help. Never for a deny assignment (no role lifts
// it), nor when the Permissions API already allows the action.
func canAssign(v azure.Verdict) bool {
	apiAllows := v.PermissionsAPI != nil && *v.PermissionsAPI // a role is not what is missing
	return !v.NoRole && v.Deny == nil && len(v.Suggest) > 0 && !apiAllows &&
		(v.Outcome == rbac.NotGranted || v.Outcome == rbac.Unknown)
}

// removable: the verdict is ✓ and rests on a role assignment, so d has one
// to remove. Not while it is ⧖ (the assignment is not in effect yet: the
// Decision may still say Allowed, notYet changes only the Outcome), ⧗ (it
// was removed already) or anything else: d is offered only where it acts.
func removable(v azure.Verdict) bool {
	return v.Outcome == rbac.Allowed && len(v.Decision.Grants) > 0
}

// sameID compares object ids as Azure does (GUIDs, any case).
func sameID(a, b string) bool { return strings.EqualFold(a, b) }
