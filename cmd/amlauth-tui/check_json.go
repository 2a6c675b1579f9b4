package main

import (
	"cmp"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// The --output json document of `amlauth-tui check` (checkSchema; the
// fields are described in checkJSONHelp). Lists are never null, so a
// script can iterate without checking.

type checkDoc struct {
	Schema     string         `json:"schema"`
	Principal  *jsonPrincipal `json:"principal,omitempty"`
	Scope      string         `json:"scope,omitempty"`
	Warnings   []string       `json:"warnings"`
	Operations []jsonVerdict  `json:"operations"`
	Exit       int            `json:"exitCode"`
	Error      *cliFail       `json:"error"`
}

type jsonPrincipal struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	DisplayName string `json:"displayName"`
	UPN         string `json:"upn,omitempty"`
	AppID       string `json:"appId,omitempty"`
}

type jsonVerdict struct {
	Key            string        `json:"key"`
	Scope          string        `json:"scope,omitempty"` // where it was judged, when not the document's scope (an endpoint identity's needs)
	Name           string        `json:"name"`
	Action         string        `json:"action"`
	Outcome        string        `json:"outcome"`
	Reason         string        `json:"reason"`
	NoRole         bool          `json:"noRoleNeeded"`
	Source         string        `json:"source,omitempty"`
	Grants         []jsonGrant   `json:"grants"`
	Pending        []jsonPending `json:"pending"`
	Deny           *jsonDeny     `json:"deny"`
	MissingReads   []jsonMissing `json:"missingReads"`
	WouldGrant     []string      `json:"wouldBeGrantedBy"`
	Advice         []string      `json:"advice"`
	PermissionsAPI *bool         `json:"permissionsApi"`
	Explain        []string      `json:"explain,omitempty"`
}

type jsonGrant struct {
	Role             string `json:"role"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	AssignmentID     string `json:"assignmentId"`
	Scope            string `json:"scope"`
	Pattern          string `json:"pattern"`
	ViaGroup         string `json:"viaGroup,omitempty"`
	Inherited        bool   `json:"inherited"`
	Condition        string `json:"condition,omitempty"`
}

type jsonPending struct {
	AssignmentID     string    `json:"assignmentId"`
	RoleDefinitionID string    `json:"roleDefinitionId"`
	Scope            string    `json:"scope"`
	EffectiveAt      time.Time `json:"effectiveAt"`
}

type jsonDeny struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Scope       string    `json:"scope"`
	Pattern     string    `json:"pattern"`
	Excluded    []jsonRef `json:"excluded"`
}

type jsonRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type jsonMissing struct {
	What   string   `json:"what"`
	Action string   `json:"action,omitempty"`
	Scope  string   `json:"scope,omitempty"`
	Roles  []string `json:"roles"`
}

// outcomeWord is an outcome's one stable word in the JSON schema.
func outcomeWord(o rbac.Outcome) string {
	switch o {
	case rbac.Allowed:
		return "allowed"
	case rbac.DeniedByDenyAssignment:
		return "blocked"
	case rbac.Conditional:
		return "conditional"
	case rbac.Pending:
		return "pending"
	case rbac.Unknown:
		return "unknown"
	}
	return "denied"
}

func checkDocument(a azure.Access, vs []azure.Verdict, explain bool) checkDoc {
	p := a.Principal
	doc := checkDoc{Schema: checkSchema, Scope: a.Scope, Exit: checkExit(vs),
		Principal: &jsonPrincipal{ID: p.ID, Kind: p.Kind, DisplayName: p.DisplayName, UPN: p.UPN, AppID: p.AppID},
		Warnings:  append([]string{}, a.Partial...), Operations: []jsonVerdict{}}
	for _, v := range vs {
		j := jsonVerdict{Key: v.Op.Key, Name: v.Op.Name, Action: v.Op.Action, Outcome: outcomeWord(v.Outcome), Reason: v.Decision.Reason,
			NoRole: v.NoRole, Source: v.Source, PermissionsAPI: v.PermissionsAPI,
			Grants: []jsonGrant{}, Pending: []jsonPending{}, MissingReads: []jsonMissing{}, WouldGrant: []string{}, Advice: append([]string{}, v.Advice...)}
		for _, g := range append(append([]rbac.Grant{}, v.Decision.Grants...), v.Decision.Conditional...) {
			j.Grants = append(j.Grants, jsonGrant{Role: cmp.Or(g.Role.RoleName, g.Role.Name), RoleDefinitionID: g.Assignment.RoleDefinitionID,
				AssignmentID: g.Assignment.ID, Scope: g.Assignment.Scope, Pattern: g.Pattern, ViaGroup: g.ViaGroup, Inherited: g.Inherited,
				Condition: g.Assignment.Condition})
		}
		for _, as := range v.Decision.Pending {
			j.Pending = append(j.Pending, jsonPending{AssignmentID: as.ID, RoleDefinitionID: as.RoleDefinitionID, Scope: as.Scope, EffectiveAt: as.EffectiveAt})
		}
		if d := v.Deny; d != nil {
			j.Deny = &jsonDeny{ID: d.ID, Name: d.Name, Description: d.Description, Scope: d.Scope, Pattern: d.Pattern, Excluded: []jsonRef{}}
			for _, x := range d.Excluded {
				j.Deny.Excluded = append(j.Deny.Excluded, jsonRef{ID: x.ID, Name: cmp.Or(x.DisplayName, x.ID)})
			}
		}
		for _, m := range v.Missing {
			j.MissingReads = append(j.MissingReads, jsonMissing{What: m.What, Action: m.Action, Scope: m.Scope, Roles: append([]string{}, m.Roles...)})
		}
		for _, r := range v.Suggest {
			j.WouldGrant = append(j.WouldGrant, r.RoleName)
		}
		if explain {
			j.Explain = a.Explain(v)
		}
		doc.Operations = append(doc.Operations, j)
	}
	return doc
}
