package endpointnew

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// The identity step's knowledge of the endpoint identity (issue 17): what
// Azure grants a system-assigned identity by itself, the same checks a
// deployment needs run now against a user-assigned identity (the identity
// cannot be changed after creation), and the enforce-secret-stores flag
// with the creator's right to read connection secrets, which Azure checks
// before it creates such an endpoint.
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#automatic-role-assignment-for-endpoint-identity

// keySecrets toggles the enforce-secret-stores flag on the identity step.
var keySecrets = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "enforce secret stores"))

// identityFacts is what the wizard reads about the workspace and the identity.
type identityFacts struct {
	resCall nav.Call
	res     *azure.WorkspaceResources
	resErr  error

	secCall nav.Call
	sec     *azure.Verdict // may the signed-in user read connection secrets here
	secErr  error

	uaiCall nav.Call
	uai     *azure.RunCheck // the chosen user-assigned identity, checked
	uaiErr  error
	uaiFor  string // the identity and flag it was checked for
}

// secretsRight is the creator's connections.listSecrets verdict (its own
// type: the gates' Result[azure.Verdict] is another request).
type secretsRight struct{ v azure.Verdict }

// loadFacts reads the workspace's associated resources and whether you may
// read connection secrets (both answer the identity step before it is shown).
func (c *Create) loadFacts() tea.Cmd {
	if c.env.Session == nil {
		return nil
	}
	sess, ws := c.env.Session, c.ws
	return tea.Batch(
		nav.Go(&c.Kit, &c.facts.resCall, timeout, func(ctx context.Context) (azure.WorkspaceResources, error) {
			return sess.WorkspaceResources(ctx, ws)
		}),
		nav.Go(&c.Kit, &c.facts.secCall, timeout, func(ctx context.Context) (secretsRight, error) {
			v, err := sess.CanReadConnectionSecrets(ctx, ws)
			return secretsRight{v}, err
		}))
}

// checkUAI runs the endpoint identity's checks for the chosen user-assigned
// identity (again when the flag changes: it decides the secrets need).
func (c *Create) checkUAI() tea.Cmd {
	if c.env.Session == nil || c.uai == nil {
		return nil
	}
	m := *c.uai
	key := fmt.Sprintf("%s|%v", m.ID, c.enforce)
	if c.facts.uaiFor == key && (c.facts.uai != nil || c.facts.uaiCall.Busy()) {
		return nil
	}
	c.facts.uaiFor, c.facts.uai, c.facts.uaiErr = key, nil, nil
	id := azure.EndpointIdentity{Kind: azure.UserAssigned, ResourceID: m.ID, ClientID: m.ClientID, EnforceSecretStores: c.enforce,
		Principal: azure.PrincipalRef{ID: m.PrincipalID, Kind: "ServicePrincipal", SPType: "ManagedIdentity", DisplayName: m.Name}}
	a := azure.Assets{UsesSecrets: c.enforce}
	if c.enforce {
		a.SecretsWhy = "the endpoint will enforce access to the default secret stores"
	}
	sess, ws := c.env.Session, c.ws
	return nav.Go(&c.Kit, &c.facts.uaiCall, timeout, func(ctx context.Context) (azure.RunCheck, error) {
		return sess.CheckIdentity(ctx, ws, id, a)
	})
}

// factsResult takes one of the identity step's answers; false when msg is none.
func (c *Create) factsResult(msg tea.Msg) bool {
	f := &c.facts
	switch m := msg.(type) {
	case nav.Result[azure.WorkspaceResources]:
		if c.Done(&f.resCall, m) {
			f.resErr = m.Err
			if m.Err == nil {
				f.res = &m.Value
			}
		}
	case nav.Result[secretsRight]:
		if c.Done(&f.secCall, m) {
			f.secErr = m.Err
			if m.Err == nil {
				f.sec = &m.Value.v
			}
		}
	case nav.Result[azure.RunCheck]:
		if c.Done(&f.uaiCall, m) {
			f.uaiErr = m.Err
			if m.Err == nil {
				f.uai = &m.Value
			}
		}
	default:
		return false
	}
	return true
}

// grants is what Azure will grant the identity chosen now.
func (c *Create) grants() azure.AutoGrants {
	res := azure.WorkspaceResources{}
	if c.facts.res != nil {
		res = *c.facts.res
	}
	return azure.AutomaticGrants(c.uai != nil, c.enforce, c.facts.sec, res)
}

// enforceLines explain the flag and say what it means for this creation.
func (c *Create) enforceLines(st *theme.Styles, w int) []string {
	box := "[ ]"
	if c.enforce {
		box = "[x]"
	}
	lines := []string{st.Bold.Render(box+" Enforce access to the default secret stores") + st.Muted.Render("  (s toggles)")}
	lines = append(lines, strings.Split(st.Muted.Render(wrap("Deployments then get connection secrets injected, read as the endpoint identity; "+
		"a system-assigned one gets the Connection Secrets Reader role only if you may read them yourself, else Azure rejects the creation.", w)), "\n")...)
	f := c.facts
	switch {
	case f.secCall.Busy():
		lines = append(lines, st.Muted.Render("Checking whether you may read connection secrets here…"))
	case f.secErr != nil:
		lines = append(lines, st.Warn.Render(wrap("? Could not tell whether you may read connection secrets: "+components.Clean(azure.Explain(f.secErr).Title), w)))
	case f.sec != nil && f.sec.Outcome == rbac.Allowed:
		lines = append(lines, st.OK.Render(wrap("✓ You may read connection secrets here ("+rbac.ActionListConnectionSecrets+").", w)))
	case f.sec != nil:
		lines = append(lines, st.Warn.Render(wrap("! You may not read connection secrets here ("+components.Clean(f.sec.Decision.Reason)+").", w)))
	}
	if g := c.grants(); g.Rejected {
		lines = append(lines, st.Err.Render(wrap("✗ "+g.RejectWhy, w)))
	}
	return lines
}

// identityPlan is the review's account of the identity: what Azure grants
// a system-assigned one, or the checks of the user-assigned one now.
func (c *Create) identityPlan(st *theme.Styles, w int) []string {
	var lines []string
	if c.uai == nil {
		lines = append(lines, st.Bold.Render("What Azure grants the system-assigned identity when it creates the endpoint"))
		if c.facts.resCall.Busy() {
			lines = append(lines, st.Muted.Render("Reading the workspace's registry and storage…"))
		}
		if c.facts.resErr != nil {
			lines = append(lines, st.Warn.Render(wrap("? The workspace's registry and storage could not be read: "+components.Clean(azure.Explain(c.facts.resErr).Title), w)))
		}
		for _, g := range c.grants().Grants {
			mark, line := st.OK.Render("✓"), components.Clean(g.Role.RoleName)
			if g.Scope != "" {
				line += " on " + components.ScopeName(g.Scope)
			}
			line += ": " + components.Clean(g.For)
			if !g.Granted {
				mark = st.Muted.Render("–")
				line += ". " + components.Clean(g.Why)
			}
			lines = append(lines, strings.Split(wrap(mark+" "+line, w), "\n")...)
		}
		if g := c.grants(); g.Unknown {
			lines = append(lines, st.Warn.Render(wrap("? Whether Azure accepts the flag is unknown: your right to read connection secrets could not be read.", w)))
		}
		return lines
	}
	lines = append(lines, st.Bold.Render("User-assigned identity "+components.Clean(c.uai.Name)+" gets nothing automatically: checked now"),
		st.Muted.Render(wrap("An endpoint's identity cannot be changed after creation, so what it lacks is best known now.", w)))
	f := c.facts
	switch {
	case f.uaiCall.Busy():
		lines = append(lines, st.Muted.Render("Checking what the identity may do in the workspace's registry and storage…"))
	case f.uaiErr != nil:
		lines = append(lines, nav.Problem(st, "Checking "+c.uai.Name, f.uaiErr, w))
	case f.uai != nil:
		for _, n := range f.uai.Needs {
			lines = append(lines, components.Fit(nav.NeedVerdict(st, n)+"  "+st.Bold.Render(components.Clean(n.Op.Name)), w))
			why := n.Why
			if n.Fix != nil && n.Outcome != rbac.Allowed {
				why += " Fix: " + n.Fix.Text
			}
			lines = append(lines, strings.Split(st.Muted.Render(wrap("  "+components.Clean(why), w)), "\n")...)
		}
	}
	return lines
}

// enforceRefusal says why the create is not sent: Azure would reject it
// (a system-assigned identity, the flag, and no right to read secrets).
func (c *Create) enforceRefusal() string {
	if g := c.grants(); g.Rejected {
		return "Not created: " + g.RejectWhy + " s on the identity step (esc) turns the flag off."
	}
	return ""
}
