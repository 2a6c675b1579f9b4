package rbac

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
)

// builtin-roles.json holds real built-in role definitions in ARM's shape
// (copied from the project's shared reference data).
//
//go:embed builtin-roles.json
var builtinJSON []byte

type armRole struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		RoleName         string   `json:"roleName"`
		Type             string   `json:"type"`
		Description      string   `json:"description"`
		AssignableScopes []string `json:"assignableScopes"`
		Permissions      []struct {
			Actions        []string `json:"actions"`
			NotActions     []string `json:"notActions"`
			DataActions    []string `json:"dataActions"`
			NotDataActions []string `json:"notDataActions"`
		} `json:"permissions"`
	} `json:"properties"`
}

// BuiltinRoles returns a fresh copy of the built-in role definitions.
func BuiltinRoles() []RoleDefinition {
	var raw []armRole
	if err := json.Unmarshal(builtinJSON, &raw); err != nil {
		panic("rbac: embedded builtin-roles.json is invalid: " + err.Error()) // a build defect, caught by tests
	}
	out := make([]RoleDefinition, 0, len(raw))
	for _, r := range raw {
		d := RoleDefinition{ID: r.ID, Name: r.Name, RoleName: r.Properties.RoleName, RoleType: r.Properties.Type,
			Description: r.Properties.Description, AssignableScopes: r.Properties.AssignableScopes}
		for _, p := range r.Properties.Permissions {
			d.Permissions = append(d.Permissions, Permission{Actions: p.Actions, NotActions: p.NotActions,
				DataActions: p.DataActions, NotDataActions: p.NotDataActions})
		}
		out = append(out, d)
	}
	return out
}

// RoleByName finds a role by its display name, case-insensitively.
func RoleByName(roles []RoleDefinition, name string) (RoleDefinition, bool) {
	for _, r := range roles {
		if EqualOrdinalIgnoreCase(r.RoleName, name) {
			return r, true
		}
	}
	return RoleDefinition{}, false
}

// Names of the seeds' two custom roles.
const (
	CustomControlPlaneRoleName = "Custom role for control plane operations - online endpoint"
	CustomScoringRoleName      = "Custom role for scoring - online endpoint"
)

// CustomControlPlaneRole is the seeds' custom-role-for-control-plane.json.
func CustomControlPlaneRole(assignableScope string) RoleDefinition {
	const p = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"
	return RoleDefinition{RoleName: CustomControlPlaneRoleName, RoleType: "CustomRole",
		Description: "Can CRUD against online endpoints.",
		Permissions: []Permission{{Actions: []string{p + "write", p + "delete", p + "read",
			p + "token/action", p + "listKeys/action", p + "regenerateKeys/action"}}},
		AssignableScopes: []string{assignableScope}}
}

// CustomScoringRole is the seeds' custom-role-for-scoring.json.
func CustomScoringRole(assignableScope string) RoleDefinition {
	return RoleDefinition{RoleName: CustomScoringRoleName, RoleType: "CustomRole",
		Description:      "Can score against online endpoints.",
		Permissions:      []Permission{{Actions: []string{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action"}}},
		AssignableScopes: []string{assignableScope}}
}

// RolesGranting lists the roles that grant action (a role whose own
// NotActions, or NotDataActions, take it away does not), least privileged
// first (see privilege); ties keep a fixed order, so the same roles give
// the same list whatever order Azure listed them in.
func RolesGranting(roles []RoleDefinition, action string, data bool) []RoleDefinition {
	type ranked struct {
		r RoleDefinition
		p privilege
	}
	var out []ranked
	for _, r := range roles {
		if _, _, ok := EffectivePermissions(r.Permissions, action, data); ok {
			out = append(out, ranked{r, privilegeOf(r)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].p.less(out[j].p, out[i].r, out[j].r) })
	rs := make([]RoleDefinition, len(out))
	for i, x := range out {
		rs[i] = x.r
	}
	return rs
}

// privilege ranks how much a role allows, to suggest the least privileged
// role that does the job ("Only grant the access users need",
// https://learn.microsoft.com/azure/role-based-access-control/best-practices#only-grant-the-access-users-need).
// What a wildcard grants cannot be counted (it
// matches actions that do not exist yet), so each pattern of the role's
// Actions and DataActions is scored by how much it can match:
//
//   - an exact action (no '*') matches one action: 0;
//   - a pattern with '*' matches more the fewer literal segments pin it
//     down: "*" scores maxBreadth, "*/read" and "Microsoft.Support/*" one
//     less, "Microsoft.Authorization/*/read" two less, and so on.
//
// Roles compare by those scores sorted broadest first, one by one: the role
// whose broadest pattern is narrower is smaller; on a tie the next broadest
// decides, and a role that runs out of patterns first (fewer of them) is
// smaller. Then more NotActions/NotDataActions is smaller (each takes
// something away), then the name and id decide, for a fixed order.
// So for attaching a user-assigned identity Managed Identity Operator
// (its broadest, "Microsoft.Support/*") comes before Contributor ("*" less
// 11 NotActions), which comes before Owner ("*").
type privilege struct {
	breadths []int // per pattern, broadest first
	nots     int
}

// maxBreadth is the score of "*": more than any pattern's segment count.
const maxBreadth = 64

func privilegeOf(r RoleDefinition) privilege {
	var p privilege
	for _, b := range r.Permissions {
		for _, lists := range [][]string{b.Actions, b.DataActions} {
			for _, a := range lists {
				p.breadths = append(p.breadths, patternBreadth(a))
			}
		}
		p.nots += len(b.NotActions) + len(b.NotDataActions)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(p.breadths)))
	return p
}

// patternBreadth is 0 for an exact action, else maxBreadth less the number
// of segments without a wildcard (at least 1).
func patternBreadth(pattern string) int {
	if !strings.Contains(pattern, "*") {
		return 0
	}
	literal := 0
	for _, seg := range strings.Split(pattern, "/") {
		if seg != "" && !strings.Contains(seg, "*") {
			literal++
		}
	}
	return max(maxBreadth-literal, 1)
}

// less orders p (of role a) before q (of role b); see privilege.
func (p privilege) less(q privilege, a, b RoleDefinition) bool {
	for i := 0; i < len(p.breadths) && i < len(q.breadths); i++ {
		if p.breadths[i] != q.breadths[i] {
			return p.breadths[i] < q.breadths[i]
		}
	}
	if len(p.breadths) != len(q.breadths) {
		return len(p.breadths) < len(q.breadths)
	}
	if p.nots != q.nots {
		return p.nots > q.nots
	}
	if c := CompareOrdinalIgnoreCase(a.RoleName, b.RoleName); c != 0 {
		return c < 0
	}
	return CompareOrdinalIgnoreCase(a.ID, b.ID) < 0
}
