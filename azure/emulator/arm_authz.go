package emulator

import (
	"net/http"
	"strings"

	"amlauth-tui/azure/rbac"
)

// RBAC actions of the read side, as ARM checks them.
const (
	actSubscriptionRead   = "Microsoft.Resources/subscriptions/read"
	actResourceGroupRead  = "Microsoft.Resources/subscriptions/resourceGroups/read"
	actWorkspaceRead      = "Microsoft.MachineLearningServices/workspaces/read"
	actEndpointRead       = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read"
	actDeploymentRead     = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read"
	actUserIdentitiesRead = "Microsoft.ManagedIdentity/userAssignedIdentities/read"
)

// armCan reports whether c may perform action at scope. The caller holds s.mu (read).
func (s *armHost) armCan(c *Caller, action, scope string) bool {
	return s.decide(c, action, scope).Allowed
}

// armRefuse decides whether c may perform action at scope: nil when it
// may, else ARM's 403 built from this same decision, which says why (a
// missing role or a deny assignment, see refusal). The request is evaluated
// once, under the lock the handler already holds, and the answer is the
// verdict that refused it, not a second evaluation that a concurrent role
// change could make disagree. The caller holds s.mu (read).
func (s *core) armRefuse(c *Caller, action, scope string) *armOutcome {
	d := s.decide(c, action, scope)
	if d.Allowed {
		return nil
	}
	code, msg := refusal(c, d, action, scope)
	return &armOutcome{status: http.StatusForbidden, code: code, msg: msg}
}

// armSubscriptionVisible is ARM's rule for listing a subscription: the
// caller may read it, or holds any (propagated) role assignment in it — a
// Contributor on one resource group sees the subscription in `az account
// list` even though no role grants subscriptions/read at its scope. The
// caller holds s.mu (read). An assignment that has not propagated yet does
// not count: Azure would not show it either.
func (s *armHost) armSubscriptionVisible(c *Caller, sub *Subscription) bool {
	return s.armCan(c, actSubscriptionRead, "/subscriptions/"+sub.ID) || s.armAssignedIn(c, sub)
}

// armSubscriptionRefusal is the 403 at scope (the request's spelling of the
// subscription's id) when the subscription is not visible to c, or nil.
// The caller holds s.mu (read).
func (s *armHost) armSubscriptionRefusal(c *Caller, sub *Subscription, scope string) *armOutcome {
	if o := s.armRefuse(c, actSubscriptionRead, scope); o != nil && !s.armAssignedIn(c, sub) {
		return o
	}
	return nil
}

// armAssignedIn reports whether c holds a propagated role assignment at,
// above or below the subscription. The caller holds s.mu (read).
func (s *armHost) armAssignedIn(c *Caller, sub *Subscription) bool {
	scope := "/subscriptions/" + sub.ID
	ids := map[string]bool{strings.ToLower(c.ObjectID): true}
	for _, g := range c.Groups { // transitive already (authenticate)
		ids[strings.ToLower(g)] = true
	}
	now := s.now()
	for _, a := range s.world.enforced(now) {
		if !ids[strings.ToLower(a.PrincipalID)] || a.EffectiveAt.After(now) {
			continue
		}
		if rbac.ScopeContains(scope, a.Scope) || rbac.ScopeContains(a.Scope, scope) {
			return true
		}
	}
	return false
}

// armListRefusal applies ARM's rule for a filtered collection: the caller
// sees the items it may read; when it sees none and may not read the
// collection at its parent scope either, the answer is 403 at that scope
// rather than an empty list (returned; nil otherwise). The caller holds s.mu (read).
func (s *armHost) armListRefusal(c *Caller, visible int, action, parentScope string) *armOutcome {
	if visible > 0 {
		return nil
	}
	return s.armRefuse(c, action, parentScope)
}

// armCanEach returns the read check for the items of a list under parent.
// When no role or deny assignment sits strictly below parent, every item
// inherits parent's decision, so RBAC runs once instead of once per item (a
// workspace with 10,000 endpoints lists in milliseconds).
func (s *armHost) armCanEach(c *Caller, action, parent string) func(itemID string) bool {
	below := func(scope string) bool { return rbac.ScopeContains(parent, scope) && !rbac.SameScope(parent, scope) }
	for _, a := range s.world.enforced(s.now()) {
		if below(a.Scope) {
			return func(id string) bool { return s.armCan(c, action, id) }
		}
	}
	for _, d := range s.world.Denies {
		// A deny that skips child scopes makes parent differ from its items.
		if below(d.Scope) || (d.DoNotApplyToChildScopes && rbac.SameScope(parent, d.Scope)) {
			return func(id string) bool { return s.armCan(c, action, id) }
		}
	}
	ok := s.armCan(c, action, parent)
	return func(string) bool { return ok }
}
