// Package rbac evaluates Azure role-based access control: action patterns,
// scope containment, role definitions, assignments and deny assignments. It is
// pure (no I/O) so the simulated Azure, the check wizard and the tests share
// one engine and one explanation of every decision.
package rbac

import "time"

// Permission is one block of a role definition or deny assignment.
type Permission struct {
	Actions, NotActions, DataActions, NotDataActions []string
}

// RoleDefinition is a built-in or custom role.
type RoleDefinition struct {
	ID               string // "/providers/Microsoft.Authorization/roleDefinitions/<guid>" or subscription-prefixed
	Name             string // the GUID
	RoleName         string // "AzureML Data Scientist"
	Description      string
	RoleType         string // "BuiltInRole" | "CustomRole"
	Permissions      []Permission
	AssignableScopes []string
}

// Assignment is a role assignment.
type Assignment struct {
	ID, Name         string // ARM id and GUID name
	Scope            string
	RoleDefinitionID string // any id form; matched on the trailing GUID
	PrincipalID      string
	PrincipalType    string    // User | Group | ServicePrincipal
	EffectiveAt      time.Time // zero = effective now (the emulator's propagation delay)
	CreatedOn        time.Time
	Description      string
}

// Principal is a principal of a deny assignment.
type Principal struct{ ID, Type string }

// Everyone is the SystemDefined principal id that matches all principals.
const Everyone = "00000000-0000-0000-0000-000000000000"

// DenyAssignment blocks actions even when a role grants them.
type DenyAssignment struct {
	ID, Name, DenyAssignmentName, Description, Scope string
	Permissions                                      []Permission
	Principals, ExcludePrincipals                    []Principal
	DoNotApplyToChildScopes                          bool
	IsSystemProtected                                bool
}

// Request asks: may PrincipalID (with its transitive GroupIDs) perform Action at Scope?
type Request struct {
	PrincipalID string
	GroupIDs    []string
	Action      string
	DataAction  bool
	Scope       string
	At          time.Time // assignments with EffectiveAt after At are ignored; zero ignores EffectiveAt
}

// Grant explains one assignment that allows the action.
type Grant struct {
	Assignment Assignment
	Role       RoleDefinition
	Pattern    string // the Actions/DataActions pattern that matched
	ViaGroup   string // the group id when the assignment is to a group of the principal
	Inherited  bool   // assigned at an ancestor of the requested scope
}

// Blocked is an assignment whose role matched the action but a NotAction removed it.
type Blocked struct {
	Assignment          Assignment
	Role                RoleDefinition
	Pattern, NotPattern string
	ViaGroup            string
}

// DenyMatch is the deny assignment that removed the action.
type DenyMatch struct {
	Deny    DenyAssignment
	Pattern string
}

// Decision is the verdict with its reasons.
type Decision struct {
	Allowed bool
	Request Request
	Grants  []Grant
	Blocked []Blocked
	Denied  *DenyMatch
	Pending []Assignment // would grant it but have not propagated yet (EffectiveAt > At)
	Reason  string
}

// Roles resolves a role definition id to its definition.
type Roles interface {
	Role(id string) (RoleDefinition, bool)
}
