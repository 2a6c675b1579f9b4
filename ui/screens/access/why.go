package access

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/theme"
)

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
// effect, ⧗ removed but Azure may still allow it, ? unknown (something
// Azure evaluates could not be read).
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
	case rbac.Revoking:
		return "⧗"
	case rbac.Unknown:
		return "?"
	}
	return "✗"
}

func (c *Check) fill() {
	c.results = c.access.Check(c.ops())
	c.settles = time.Time{}
	for i := range c.results {
		c.notYet(&c.results[i])
		for _, g := range c.results[i].Decision.Revoked {
			if u := g.Assignment.RevokedUntil; u.After(c.settles) {
				c.settles = u
			}
		}
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

// notYet turns someone else's "allowed" into "assigned, not yet in effect"
// when Azure may not apply the grant yet. For yourself Azure's Permissions
// API says so (azure.Access.Check); for anyone else nobody can ask Azure,
// so a grant that rests only on assignments created less than the
// propagation window ago is not promised: up to 10 minutes in Azure
// ("Symptom - Role assignment changes are not being detected",
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected),
// the simulated Azure's delay in the demo (azure.Config.PropagationWindow),
// the same window a removal is given.
func (c *Check) notYet(v *azure.Verdict) {
	if v.Outcome != rbac.Allowed || v.NoRole || v.Source == "Permissions API" {
		return
	}
	if v.PermissionsAPI != nil {
		return // yourself: Azure's Permissions API decides (azure.Access.Check makes it Pending)
	}
	now, settleTime := c.env.Now(), c.env.Config.PropagationWindow()
	newest := time.Time{}
	for i, g := range v.Decision.Grants {
		at := g.Assignment.CreatedOn
		if at.IsZero() || now.Sub(at) >= settleTime {
			// An older grant stands on its own: it is the one to name, not a
			// newer one Azure may not apply yet.
			if i > 0 {
				grants := append([]rbac.Grant{g}, v.Decision.Grants[:i]...)
				v.Decision.Grants = append(grants, v.Decision.Grants[i+1:]...)
				v.Decision.Reason = fmt.Sprintf("Allowed by %s assigned at %s (a newer assignment also grants it, and may not be in effect yet)",
					g.Role.RoleName, g.Assignment.Scope)
			}
			return
		}
		if at.After(newest) {
			newest = at
		}
	}
	if newest.IsZero() {
		return
	}
	v.Outcome = rbac.Pending
	v.Decision.Reason = fmt.Sprintf("Assigned %s ago: Azure takes up to %s to apply a new role assignment, so it may not be in effect yet "+
		"(%s). Only they can check it: amlauth-tui check --principal me", now.Sub(newest).Round(time.Second), window(settleTime), v.Decision.Reason)
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
		return "depends on a condition (in full below)"
	case v.Outcome == rbac.Pending:
		return "assigned, not yet in effect"
	case v.Outcome == rbac.Revoking:
		return "removed; Azure may still allow it until ~" + d.Revoked[0].Assignment.RevokedUntil.Format(time.TimeOnly)
	case v.Outcome == rbac.Allowed && len(d.Grants) > 0:
		g := d.Grants[0]
		s := g.Role.RoleName + " at " + scopeName(g.Assignment.Scope)
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

// detail explains the selected verdict under the table: the answer in full
// sentences (wrapped, never cut), the deny assignment or the condition it
// rests on, what could not be read, and the next step.
func (c *Check) detail(w int) string {
	st := c.env.Styles
	v, ok := c.selected()
	if !ok {
		return ""
	}
	d := v.Decision
	var b []string
	add := func(s string) { b = append(b, wrapIndent(s, w, hang(s))) }
	act := v.Op.Action
	if act == "" {
		act = "(no action)"
	}
	add(st.Bold.Render(v.Op.Name) + st.Muted.Render("  "+act))
	m := mark(v)
	style := verdictStyle(st)(m)
	switch {
	case v.NoRole:
		add(st.OK.Render("✓ ") + components.Clean(v.Op.Note))
		return strings.Join(b, "\n")
	case v.Outcome == rbac.DeniedByDenyAssignment && v.Deny != nil:
		for _, l := range denyLines(v.Deny, v.Advice) {
			if strings.HasPrefix(l, "⊘") {
				l = style.Render(l)
			}
			add(l)
		}
	case v.Outcome == rbac.Conditional:
		add(style.Render("~ Depends on a condition: ") + components.Clean(d.Reason))
		add("  condition (version " + components.Clean(orDash(v.ConditionVersion)) + "): " + components.Clean(v.Condition))
		add(st.Muted.Render("  Azure evaluates it on each request with attributes this check cannot see."))
	case v.Outcome == rbac.Pending:
		add(style.Render("⧖ ") + components.Clean(d.Reason))
		for _, p := range d.Pending {
			add(st.Muted.Render("  " + scopeName(p.Scope) + ": assignment " + p.Name))
		}
		add(st.Muted.Render("  R re-checks."))
	case v.Outcome == rbac.Revoking:
		g := d.Revoked[0]
		at, until := g.Assignment.RevokedAt, g.Assignment.RevokedUntil
		add(style.Render("⧗ ") + fmt.Sprintf("Removed at %s; Azure may still allow it for up to %s; re-check after %s.",
			at.Format(time.TimeOnly), window(until.Sub(at)), until.Format(time.TimeOnly)))
		add(st.Muted.Render("  Azure caches role assignments: a removal, like an addition, takes a while to apply, and nobody can ask Azure for someone else."))
		for _, r := range d.Revoked {
			add(st.Muted.Render("  removed: ") + c.grantText(r))
		}
	case v.Outcome == rbac.Unknown:
		add(style.Render("? ") + components.Clean(d.Reason)) // what could not be read: the advice below and the lines above the table
	case v.Outcome == rbac.Allowed:
		for i, g := range d.Grants {
			if i == 3 {
				add(st.Muted.Render(fmt.Sprintf("  and %d more assignments grant it (w shows them all)", len(d.Grants)-3)))
				break
			}
			add(st.OK.Render("✓ ") + c.grantText(g))
		}
		if len(d.Grants) == 0 {
			add(st.OK.Render("✓ ") + components.Clean(d.Reason))
		}
	default:
		add(style.Render("✗ ") + components.Clean(d.Reason))
		for _, bl := range d.Blocked {
			add(st.Muted.Render(fmt.Sprintf("  %s matches through %s but its own NotAction %s removes it", bl.Role.RoleName, bl.Pattern, bl.NotPattern)))
		}
		if v.Op.Key == "endpoint.score" {
			add(st.Muted.Render("  Only aad_token endpoints check this; key and aml_token scoring needs no role (the key or AML token is the proof)."))
		}
	}
	if v.Deny == nil {
		for _, a := range v.Advice {
			add("  • " + components.Clean(a))
		}
	}
	if canAssign(v) {
		add(st.Accent.Render("  A") + " opens the assign wizard with the roles that would grant it.")
	}
	if !c.settles.IsZero() && len(d.Revoked) > 0 {
		add(st.Muted.Render("  The check runs again by itself at " + c.settles.Format(time.TimeOnly) + "; R re-checks now."))
	}
	if v.PermissionsAPI != nil && v.Source != "Permissions API" && v.Outcome != rbac.Pending {
		agrees := *v.PermissionsAPI == (d.Outcome == rbac.Allowed || d.Outcome == rbac.DeniedByDenyAssignment)
		switch {
		case agrees && *v.PermissionsAPI && v.Deny != nil:
			add(st.Muted.Render("  The Permissions API lists it (it ignores deny assignments): the deny assignment still blocks it."))
		case agrees:
			add(st.Muted.Render(fmt.Sprintf("  The Permissions API agrees (%s).", yesNo(*v.PermissionsAPI, "lists it", "does not list it"))))
		default:
			add(st.Warn.Render(fmt.Sprintf("  ! The Permissions API %s: they disagree — a change may still be propagating; R re-checks.",
				yesNo(*v.PermissionsAPI, "lists it", "does not list it"))))
		}
	}
	add(st.Accent.Render("  w") + st.Muted.Render(" shows the whole evaluation: every assignment and deny assignment at each scope, each pattern tested."))
	return strings.Join(b, "\n")
}

// hang is how far a wrapped line's continuation is indented: under the
// text after its leading spaces and any "• " bullet.
func hang(s string) int {
	plain := ansi.Strip(s)
	n := len(plain) - len(strings.TrimLeft(plain, " "))
	if strings.HasPrefix(plain[n:], "• ") {
		n += 2
	}
	return n + 2
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// grantText is one grant in a sentence: the role, how it reaches the
// principal (a group by its display name), and where it is assigned.
func (c *Check) grantText(g rbac.Grant) string {
	how := "assigned directly"
	if g.ViaGroup != "" {
		how = "through group " + components.Clean(c.access.Name(g.ViaGroup))
	}
	where := "at this scope"
	if g.Inherited {
		where = "inherited from " + scopeName(g.Assignment.Scope)
	}
	return fmt.Sprintf("%s, %s, %s — pattern %s", components.Clean(g.Role.RoleName), how, where, g.Pattern)
}

// evaluation is the whole evaluation behind the selected verdict (w): each
// scope level from the checked scope up to the root, every role assignment
// and deny assignment considered there and whether it matched, each
// pattern tested against the action, and the group memberships used.
func (c *Check) evaluation(w int) string {
	st := c.env.Styles
	v, ok := c.selected()
	if !ok || c.access == nil {
		return ""
	}
	a := c.access
	tr := v.Decision.Trace
	var b []string
	add := func(s string) { b = append(b, wrapIndent(s, w, 4)) }
	add(st.Title.Render("Why: ") + st.Bold.Render(v.Op.Name) + st.Muted.Render("  (w or esc goes back, ↑/↓ scroll)"))
	add(st.Muted.Render("who    ") + components.Clean(c.principal.Label()) + st.Muted.Render("  "+c.principal.ID))
	add(st.Muted.Render("where  ") + levelOf(c.scope) + " " + c.scope)
	if v.NoRole {
		add(st.Muted.Render("action ") + "none: " + components.Clean(v.Op.Note))
		return strings.Join(b, "\n")
	}
	kind := "action"
	if tr.DataAction {
		kind = "data action"
	}
	add(st.Muted.Render("action ") + v.Op.Action + st.Muted.Render(" ("+kind+")"))
	add(verdictStyle(st)(mark(v)).Render(mark(v)+" "+v.Outcome.String()) + ": " + components.Clean(v.Decision.Reason))
	add(st.Muted.Render("source ") + v.Source)
	b = append(b, "")

	add(st.Bold.Render("Group memberships used"))
	switch {
	case a.GroupsUnknown:
		add(st.Warn.Render("  could not be read") + " — only group assignments Azure listed for this principal count")
	case len(tr.Groups) == 0:
		add("  none (the principal is in no group, transitively)")
	default:
		for _, g := range tr.Groups {
			add("  " + components.Clean(a.Name(g)) + st.Muted.Render("  "+g))
		}
	}
	for _, u := range a.Unreadable {
		add(st.Warn.Render("  ! ") + components.Clean(unreadText(*a, u)))
	}
	for _, l := range tr.Levels {
		b = append(b, "")
		lv := levelOf(orRoot(l.Scope))
		add(st.Bold.Render(strings.ToUpper(lv[:1])+lv[1:]) + " " + st.Muted.Render(orRoot(l.Scope)))
		if len(l.Assignments) == 0 && len(l.Denies) == 0 {
			add(st.Muted.Render("  nothing here: no role assignment of this principal or its groups, no deny assignment"))
		}
		for _, at := range l.Assignments {
			role := at.Role.RoleName
			if role == "" {
				role = rbac.RoleGUID(at.Assignment.RoleDefinitionID)
			}
			res := at.Result.String()
			if at.Result == rbac.Grants || at.Result == rbac.GrantsIfCondition {
				res = st.OK.Render(res)
			} else if at.Result == rbac.RemovedByNotAction || at.Result == rbac.StillEnforced {
				res = st.Warn.Render(res)
			}
			add(fmt.Sprintf("  role assignment: %s, %s — %s", components.Clean(role), c.appliesText(at.Applies), res))
			if r := at.Assignment.RevocationText(); r != "" {
				add("    " + r)
			}
			if at.Assignment.Condition != "" {
				add("    condition: " + components.Clean(at.Assignment.Condition))
			}
			for _, t := range at.Tests {
				add("    " + c.testText(t))
			}
		}
		for _, dt := range l.Denies {
			res := "does not block"
			switch {
			case dt.Blocks:
				res = st.Err.Render("blocks it")
			case dt.SkippedChildScope:
				res = "does not apply below its own scope (doNotApplyToChildScopes)"
			case dt.Applies.Kind == rbac.Excluded:
				res = "does not block: the principal is excluded"
			case dt.Applies.Kind == rbac.OtherPrincipal:
				res = "does not block: it names other principals"
			}
			add(fmt.Sprintf("  deny assignment: “%s”, %s — %s", components.Clean(dt.Deny.Label()), c.appliesText(dt.Applies), res))
			for _, t := range dt.Tests {
				add("    " + c.testText(t))
			}
		}
	}
	if v.PermissionsAPI != nil {
		b = append(b, "")
		add(st.Bold.Render("Permissions API") + " (what Azure says you may do here; it does not include deny assignments): " +
			yesNo(*v.PermissionsAPI, "lists "+v.Op.Action, "does not list "+v.Op.Action))
	}
	return strings.Join(b, "\n")
}

func orRoot(s string) string {
	if s == "" {
		return "/"
	}
	return s
}

// appliesText says how an assignment reaches the principal, groups by name.
func (c *Check) appliesText(ap rbac.Applies) string {
	switch ap.Kind {
	case rbac.ViaGroup:
		return "through group " + components.Clean(c.access.Name(ap.GroupID))
	case rbac.Excluded:
		if ap.GroupID != "" {
			return "excluded through group " + components.Clean(c.access.Name(ap.GroupID))
		}
		return "excluded"
	case rbac.ViaEveryone:
		return "for Everyone"
	}
	return ap.Kind.String()
}

// testText is one pattern tested against the action.
func (c *Check) testText(t rbac.PatternTest) string {
	st := c.env.Styles
	res := st.Muted.Render("does not match")
	if t.Matched {
		res = st.Accent.Render("matches")
	}
	return fmt.Sprintf("%s[%d] %s — %s", t.List, t.Block, t.Pattern, res)
}
