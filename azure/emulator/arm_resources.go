package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"amlauth-tui/azure/rbac"
)

// Microsoft.Resources: tenants, subscriptions and resource groups, plus the
// user-assigned identities the endpoint wizard offers. Shapes follow
// subscriptions.json 2022-12-01 and resources.json 2025-04-01.

type armTenantJSON struct {
	ID             string   `json:"id"`
	TenantID       string   `json:"tenantId"`
	CountryCode    string   `json:"countryCode,omitempty"`
	DisplayName    string   `json:"displayName"`
	Domains        []string `json:"domains"`
	DefaultDomain  string   `json:"defaultDomain"`
	TenantCategory string   `json:"tenantCategory"`
	TenantType     string   `json:"tenantType"`
}

type armSubscriptionJSON struct {
	ID                   string             `json:"id"`
	AuthorizationSource  string             `json:"authorizationSource"`
	ManagedByTenants     []armTenantRefJSON `json:"managedByTenants"`
	SubscriptionID       string             `json:"subscriptionId"`
	TenantID             string             `json:"tenantId"`
	DisplayName          string             `json:"displayName"`
	State                string             `json:"state"`
	SubscriptionPolicies armSubPoliciesJSON `json:"subscriptionPolicies"`
	Tags                 map[string]string  `json:"tags"`
}

type armTenantRefJSON struct {
	TenantID string `json:"tenantId"`
}

type armSubPoliciesJSON struct {
	LocationPlacementID string `json:"locationPlacementId"`
	QuotaID             string `json:"quotaId"`
	SpendingLimit       string `json:"spendingLimit"`
}

type armResourceGroupJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
	} `json:"properties"`
}

type armIdentityJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties struct {
		TenantID       string `json:"tenantId"`
		PrincipalID    string `json:"principalId"`
		ClientID       string `json:"clientId"`
		IsolationScope string `json:"isolationScope"`
	} `json:"properties"`
}

// GET /tenants lists the one tenant to every signed-in caller (ARM lists
// the tenants the caller is a member or guest of).
func (s *armHost) armListTenants(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		t := s.world.Tenant
		return armItems([]any{armTenantJSON{
			ID: "/tenants/" + t.ID, TenantID: t.ID, CountryCode: t.CountryCode, DisplayName: t.DisplayName,
			Domains: nonNil(t.Domains), DefaultDomain: t.DefaultDomain, TenantCategory: "Home", TenantType: "AAD",
		}})
	})
}

func (s *armHost) armSubscriptionJSON(sub *Subscription) armSubscriptionJSON {
	return armSubscriptionJSON{
		ID: "/subscriptions/" + sub.ID, AuthorizationSource: "RoleBased", ManagedByTenants: []armTenantRefJSON{},
		SubscriptionID: sub.ID, TenantID: s.world.Tenant.ID, DisplayName: sub.DisplayName, State: cmp.Or(sub.State, "Enabled"),
		SubscriptionPolicies: armSubPoliciesJSON{LocationPlacementID: "Public_2014-09-01", QuotaID: "PayAsYouGo_2014-09-01", SpendingLimit: "Off"},
		Tags:                 nonNilMap(sub.Tags),
	}
}

// GET /subscriptions lists the subscriptions the caller can see
// (armSubscriptionVisible), never a 403: no access is an empty list.
func (s *armHost) armListSubscriptions(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		var subs []*Subscription
		for _, sub := range s.world.Subscriptions {
			if s.armSubscriptionVisible(q.c, sub) {
				subs = append(subs, sub)
			}
		}
		slices.SortFunc(subs, func(a, b *Subscription) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)), cmp.Compare(a.ID, b.ID))
		})
		return armItemsOf(subs, func(sub *Subscription) any { return s.armSubscriptionJSON(sub) })
	})
}

// GET /subscriptions/{sub}: the router has already answered 404 for an unknown one.
func (s *armHost) armGetSubscription(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		sub := s.world.Subscriptions[rbac.OrdinalKey(q.p["sub"])]
		if o := s.armSubscriptionRefusal(q.c, sub, q.scope()); o != nil {
			return *o
		}
		return armOK(s.armSubscriptionJSON(sub))
	})
}

func armRGJSON(g *ResourceGroup) armResourceGroupJSON {
	j := armResourceGroupJSON{ID: rgID(g.Subscription, g.Name), Name: g.Name, Type: "Microsoft.Resources/resourceGroups",
		Location: g.Location, Tags: g.Tags}
	j.Properties.ProvisioningState = "Succeeded"
	return j
}

// GET /subscriptions/{sub}/resourcegroups: the groups the caller may read.
func (s *armHost) armListResourceGroups(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		var groups []*ResourceGroup
		for _, g := range s.world.ResourceGroups {
			if rbac.EqualOrdinalIgnoreCase(g.Subscription, q.p["sub"]) && s.armCan(q.c, actResourceGroupRead, rgID(q.p["sub"], g.Name)) {
				groups = append(groups, g)
			}
		}
		parent := q.scopeThrough("sub")
		if o := s.armListRefusal(q.c, len(groups), actResourceGroupRead, parent); o != nil {
			return *o
		}
		slices.SortFunc(groups, func(a, b *ResourceGroup) int {
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
		return armItemsOf(groups, func(g *ResourceGroup) any { return armRGJSON(g) })
	})
}

// armResourceGroup resolves q's resource group, or the 404 ARM gives for it.
// The caller holds s.mu (read).
func (s *armHost) armResourceGroup(q *armReq) (*ResourceGroup, *armOutcome) {
	if g := s.world.ResourceGroups[armKey(q.scopeThrough("rg"))]; g != nil {
		return g, nil
	}
	o := armFail(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", q.p["rg"])
	return nil, &o
}

// GET /subscriptions/{sub}/resourcegroups/{rg}. Authorization comes before
// existence, as in ARM: without read access a missing group is a 403 too.
func (s *armHost) armGetResourceGroup(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		if o := s.armRefuse(q.c, actResourceGroupRead, q.scope()); o != nil {
			return *o
		}
		g, miss := s.armResourceGroup(q)
		if miss != nil {
			return *miss
		}
		return armOK(armRGJSON(g))
	})
}

// HEAD /subscriptions/{sub}/resourcegroups/{rg} is ResourceGroups_CheckExistence:
// 204 or 404 with no body.
func (s *armHost) armHeadResourceGroup(w http.ResponseWriter, q *armReq) {
	s.mu.RLock()
	allowed := s.armCan(q.c, actResourceGroupRead, q.scope())
	_, miss := s.armResourceGroup(q)
	s.mu.RUnlock()
	switch {
	case !allowed:
		w.WriteHeader(http.StatusForbidden)
	case miss != nil:
		w.WriteHeader(http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *armHost) armIdentityJSON(id *UserAssignedIdentity) armIdentityJSON {
	j := armIdentityJSON{ID: uaiID(id.Subscription, id.ResourceGroup, id.Name), Name: id.Name,
		Type: miNS + "/userAssignedIdentities", Location: id.Location, Tags: map[string]string{}}
	j.Properties.TenantID, j.Properties.PrincipalID, j.Properties.ClientID = s.world.Tenant.ID, id.PrincipalID, id.ClientID
	j.Properties.IsolationScope = "None"
	return j
}

// GET .../providers/Microsoft.ManagedIdentity/userAssignedIdentities, by
// subscription or resource group: the identities the caller may read.
func (s *armHost) armListIdentities(w http.ResponseWriter, q *armReq) {
	s.armRespond(w, q, func() armOutcome {
		parent := q.scopeThrough("sub")
		if _, ok := q.p["rg"]; ok {
			parent = q.scopeThrough("rg")
			if _, miss := s.armResourceGroup(q); miss != nil {
				return s.armMissing(q.c, *miss, actUserIdentitiesRead, parent)
			}
		}
		var list []*UserAssignedIdentity
		for _, id := range s.world.Identities {
			if !rbac.EqualOrdinalIgnoreCase(id.Subscription, q.p["sub"]) {
				continue
			}
			if rg, ok := q.p["rg"]; ok && !rbac.EqualOrdinalIgnoreCase(id.ResourceGroup, rg) {
				continue
			}
			if s.armCan(q.c, actUserIdentitiesRead, uaiID(id.Subscription, id.ResourceGroup, id.Name)) {
				list = append(list, id)
			}
		}
		if o := s.armListRefusal(q.c, len(list), actUserIdentitiesRead, parent); o != nil {
			return *o
		}
		slices.SortFunc(list, func(a, b *UserAssignedIdentity) int {
			return cmp.Compare(strings.ToLower(uaiID(a.Subscription, a.ResourceGroup, a.Name)),
				strings.ToLower(uaiID(b.Subscription, b.ResourceGroup, b.Name)))
		})
		return armItemsOf(list, func(id *UserAssignedIdentity) any { return s.armIdentityJSON(id) })
	})
}

// GET .../userAssignedIdentities/{name}.
func (s *armHost) armGetIdentity(w http.ResponseWriter, q *armReq) {
	armGetTracked(s, w, q, actUserIdentitiesRead, miNS+"/userAssignedIdentities", s.world.Identities,
		func(id *UserAssignedIdentity) any { return s.armIdentityJSON(id) })
}

// armMissing is the answer for a missing parent or resource: ARM
// authorizes first, so only a caller allowed at scope learns it is missing.
// The caller holds s.mu (read).
func (s *armHost) armMissing(c *Caller, miss armOutcome, action, scope string) armOutcome {
	if o := s.armRefuse(c, action, scope); o != nil {
		return *o
	}
	return miss
}

// armNotFound is ARM's 404 for a missing resource in an existing group.
func armNotFound(typeAndName, rg string) armOutcome {
	return armFail(http.StatusNotFound, "ResourceNotFound",
		"The Resource '%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		typeAndName, rg)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
