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

// RolesGranting lists the roles that would grant action, smallest first:
// a role is "smaller" when it allows fewer things, approximated by ranking
// wildcard breadth (fewer and narrower patterns first).
func RolesGranting(roles []RoleDefinition, action string, data bool) []RoleDefinition {
	var out []RoleDefinition
	for _, r := range roles {
		if _, _, ok := EffectivePermissions(r.Permissions, action, data); ok {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return breadth(out[i]) < breadth(out[j]) })
	return out
}

// breadth scores how much a role allows: each pattern counts by how early
// its first wildcard appears ("*" alone is the broadest).
func breadth(r RoleDefinition) int {
	score := 0
	for _, p := range r.Permissions {
		for _, a := range append(append([]string{}, p.Actions...), p.DataActions...) {
			star := strings.IndexByte(a, '*')
			switch {
			case star < 0:
				score++
			default:
				score += 1000 / (star + 1)
			}
		}
	}
	return score
}
