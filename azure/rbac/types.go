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
	// RevokedAt is when a client deleted the assignment (zero = not
	// deleted), and RevokedUntil when Azure stops enforcing it at the
	// latest (zero = not known). Azure caches role assignments: a removal,
	// like an addition, can take up to 10 minutes to apply, so a deleted
	// assignment may keep granting until then ("Symptom - Role assignment
	// changes are not being detected",
	// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
	// Azure lists no deleted assignment: only the client that deleted it
	// knows, and passes it back in.
	RevokedAt, RevokedUntil time.Time
	CreatedOn               time.Time
	Description             string
	// Condition is the ABAC condition of the assignment ("" = none) and
	// ConditionVersion its language version ("2.0"). A grant that rests on
	// a conditional assignment holds only when Azure evaluates the condition
	// true for the request's attributes, which this package cannot see; the
	// verdict is then Conditional.
	// https://learn.microsoft.com/azure/role-based-access-control/conditions-overview
	Condition, ConditionVersion string
}

// Principal is a principal of a deny assignment.
type Principal struct {
	ID, Type string
	// DisplayName is filled by a client that resolved the id (Graph); the
	// engine never reads it.
	DisplayName string
}

// Everyone is the SystemDefined principal id that matches all principals.
const Everyone = "00000000-0000-0000-0000-000000000000"

// DenyAssignment blocks actions even when a role grants them.
type DenyAssignment struct {
	ID, Name, DenyAssignmentName, Description, Scope string
	Permissions                                      []Permission
	Principals, ExcludePrincipals                    []Principal
	DoNotApplyToChildScopes                          bool
	IsSystemProtected                                bool
	CreatedBy                                        string // object id of the creator, when Azure says
}

// Request asks: may PrincipalID (with its transitive GroupIDs) perform Action at Scope?
type Request struct {
	PrincipalID string
	// GroupIDs are the principal's groups, transitively (nested groups
	// included): role assignments to a group apply to its members.
	GroupIDs   []string
	Action     string
	DataAction bool // Action is a data action: only DataActions/NotDataActions apply
	Scope      string
	At         time.Time // assignments with EffectiveAt after At are Pending; zero ignores EffectiveAt
	// ManagementGroups is the chain of management groups above the
	// request's subscription, nearest first (names, or ids
	// "/providers/Microsoft.Management/managementGroups/{name}"). ARM scopes
	// do not show which management group holds a subscription, so an
	// assignment or deny at a management group applies only when the caller
	// names it here. Empty: only the root "/" contains the subscription.
	ManagementGroups []string
}

// Outcome is what a verdict says. The zero value is NotGranted, so a
// forgotten field never reads as "allowed".
type Outcome int

// Outcomes, from the engine (Evaluate never returns Unknown: a client sets
// it when it could not read something the engine needs).
const (
	NotGranted             Outcome = iota // no role assignment grants the action
	Allowed                               // a role grants it and no deny assignment blocks it
	DeniedByDenyAssignment                // a deny assignment blocks it, whatever the roles say
	Conditional                           // only grants whose assignment has an ABAC condition
	Pending                               // granted by an assignment that has not propagated yet
	Unknown                               // set by clients: something needed could not be read
	// Revoking: only a role assignment that was removed grants it, and Azure
	// may still enforce it (Assignment.RevokedAt, RevokedUntil).
	Revoking
)

func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "allowed"
	case DeniedByDenyAssignment:
		return "denied by a deny assignment"
	case Conditional:
		return "depends on a condition"
	case Pending:
		return "assigned, not yet in effect"
	case Unknown:
		return "unknown"
	case Revoking:
		return "removed, Azure may still allow it"
	}
	return "not granted"
}

// Grant explains one assignment that allows the action.
type Grant struct {
	Assignment Assignment
	Role       RoleDefinition
	Pattern    string // the Actions/DataActions pattern that matched
	ViaGroup   string // the group id when the assignment is to a group of the principal
	Inherited  bool   // assigned at an ancestor of the requested scope
}

// Blocked is an assignment whose role matched the action but a NotAction
// (of the same role) removed it.
type Blocked struct {
	Assignment          Assignment
	Role                RoleDefinition
	Pattern, NotPattern string
	ViaGroup            string
}

// DenyMatch is a deny assignment that blocks the action for the principal.
type DenyMatch struct {
	Deny    DenyAssignment
	Pattern string  // the deny's Actions/DataActions pattern that matched
	Via     Applies // how the deny reached the principal (directly, a group, Everyone)
}

// Decision is the verdict with its reasons.
type Decision struct {
	Outcome Outcome
	Allowed bool // Outcome == Allowed
	Request Request
	Grants  []Grant // unconditional grants, closest scope first
	// Conditional are grants whose assignment carries a condition: when
	// they are the only grants, the Outcome is Conditional.
	Conditional []Grant
	Blocked     []Blocked
	Denied      *DenyMatch   // the first deny assignment that blocks (nil when none)
	Denies      []DenyMatch  // every deny assignment that blocks
	Pending     []Assignment // would grant it but have not propagated yet (EffectiveAt > At)
	Revoked     []Grant      // through removed assignments Azure may still enforce (At before RevokedUntil)
	Reason      string       // one sentence; never suggests a role (a deny could block it)
	Trace       Trace
}

// Condition is the condition of the first conditional grant ("" when none).
func (d Decision) Condition() string {
	if len(d.Conditional) == 0 {
		return ""
	}
	return d.Conditional[0].Assignment.Condition
}

// Roles resolves a role definition id to its definition.
type Roles interface {
	Role(id string) (RoleDefinition, bool)
}

// ---- trace ------------------------------------------------------------------

// Trace is the whole evaluation of one Request: what an "explain" screen
// shows to end an argument about permissions.
type Trace struct {
	Action     string
	DataAction bool
	// Principal and Groups are the identities the evaluation matched
	// assignments against (the group memberships used).
	Principal string
	Groups    []string
	// Levels runs from the request scope up to the root "/", one entry per
	// scope level (management groups included when the Request names them).
	Levels []TraceLevel
}

// TraceLevel is everything considered at one scope.
type TraceLevel struct {
	Scope       string
	Level       ScopeLevel
	Assignments []AssignmentTrace
	Denies      []DenyTrace
}

// AppliesKind says how an assignment or deny assignment reaches the principal.
type AppliesKind int

// How an assignment reaches the principal.
const (
	OtherPrincipal AppliesKind = iota // it names someone else
	Direct                            // it names the principal itself
	ViaGroup                          // it names a group the principal is in (Applies.GroupID)
	ViaEveryone                       // a deny assignment for Everyone
	Excluded                          // a deny assignment that excludes the principal (or a group of theirs: Applies.GroupID)
)

func (k AppliesKind) String() string {
	return [...]string{"someone else", "directly", "through a group", "Everyone", "excluded"}[k]
}

// Applies is how an assignment reaches the principal.
type Applies struct {
	Kind    AppliesKind
	GroupID string // for ViaGroup and for an exclusion through a group
}

// PatternTest is one pattern tested against the action.
type PatternTest struct {
	List    string // "Actions", "NotActions", "DataActions" or "NotDataActions"
	Block   int    // index of the permission block
	Pattern string
	Matched bool
}

// AssignmentResult is what one role assignment contributed.
type AssignmentResult int

// What an assignment contributed.
const (
	NoEffect           AssignmentResult = iota // applies, but its role does not match the action
	Grants                                     // its role grants the action
	RemovedByNotAction                         // matched, but a NotAction of the same role removed it
	GrantsIfCondition                          // grants it if its ABAC condition holds
	NotYetPropagated                           // would grant it once propagated
	NotForPrincipal                            // assigned to someone else
	RoleNotFound                               // its role definition could not be resolved
	StillEnforced                              // removed, but Azure may still enforce it
	RemovalApplied                             // removed, and Azure no longer enforces it
)

func (r AssignmentResult) String() string {
	return [...]string{"does not match", "grants", "removed by a NotAction of the same role",
		"grants if its condition holds", "not yet propagated", "assigned to someone else", "role definition not found",
		"removed, Azure may still enforce it", "removed, no longer enforced"}[r]
}

// AssignmentTrace is one role assignment considered.
type AssignmentTrace struct {
	Assignment Assignment
	Role       RoleDefinition // zero when RoleNotFound
	Applies    Applies
	Tests      []PatternTest // empty when the assignment does not apply to the principal
	Result     AssignmentResult
}

// DenyTrace is one deny assignment considered.
type DenyTrace struct {
	Deny    DenyAssignment
	Applies Applies
	// SkippedChildScope: DoNotApplyToChildScopes and the request is below the deny's scope.
	SkippedChildScope bool
	Tests             []PatternTest
	Blocks            bool
}
