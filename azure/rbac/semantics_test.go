package rbac

import (
	"strings"
	"testing"
	"time"
)

// Azure RBAC semantics, one vector per documented rule. Each case names
// the Azure documentation (URL and section) it comes from. The simulated
// Azure's HTTP enforcement is tested against the same rules in
// azure/emulator/arm_authz_test.go.

const (
	bob     = "bbbbbbbb-0000-0000-0000-000000000002"
	inner   = "99999999-0000-0000-0000-000000000002" // a group nested in group
	mgProd  = "/providers/Microsoft.Management/managementGroups/mg-prod"
	mgOther = "/providers/Microsoft.Management/managementGroups/mg-other"
)

// semRole is a custom role made of one permission block.
func semRole(guid string, p Permission) RoleDefinition {
	return RoleDefinition{ID: "/providers/Microsoft.Authorization/roleDefinitions/" + guid, Name: guid, RoleName: "role " + guid,
		RoleType: "CustomRole", Permissions: []Permission{p}, AssignableScopes: []string{"/"}}
}

func semAssign(principal, roleGUID, scope string) Assignment {
	return Assignment{Name: "a-" + roleGUID, Scope: scope, RoleDefinitionID: "/providers/Microsoft.Authorization/roleDefinitions/" + roleGUID,
		PrincipalID: principal, PrincipalType: "User"}
}

var semRoles = RoleSet{
	semRole("wild-middle", Permission{Actions: []string{"Microsoft.MachineLearningServices/workspaces/*/action"}}),
	semRole("all-but-keys", Permission{Actions: []string{"Microsoft.MachineLearningServices/*"}, NotActions: []string{ep + "listKeys/action"}}),
	semRole("keys", Permission{Actions: []string{ep + "listKeys/action"}}),
	semRole("star", Permission{Actions: []string{"*"}}),
	semRole("blob-data", Permission{DataActions: []string{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"},
		NotDataActions: []string{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"}}),
	semRole("regen", Permission{Actions: []string{ep + "regenerateKeys/action"}}),
	semRole("mi-operator", Permission{Actions: []string{"Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"}}),
	semRole("partial-segment", Permission{Actions: []string{"Microsoft.ManagedIdentity/userAssignedIdentities/x*/assign/action"}}),
}

const blobRead = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"

func denyRegen(scope string, principals []Principal, exclude []Principal, childSkip bool) DenyAssignment {
	return DenyAssignment{Name: "d1", DenyAssignmentName: "no regen", Scope: scope, DoNotApplyToChildScopes: childSkip,
		Permissions: []Permission{{Actions: []string{ep + "regenerateKeys/action"}}}, Principals: principals, ExcludePrincipals: exclude}
}

var everyone = []Principal{{ID: Everyone, Type: "SystemDefined"}}

const troubleshootingDoc = "https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected"

// removedAt is when the vectors' removed assignments were deleted.
var removedAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// revoked is an assignment deleted at removedAt, with Azure's 10-minute window.
func revoked(a Assignment) Assignment {
	a.RevokedAt, a.RevokedUntil = removedAt, removedAt.Add(10*time.Minute)
	return a
}

func TestAzureRBACSemantics(t *testing.T) {
	cases := []struct {
		name, doc   string
		req         Request
		assignments []Assignment
		denies      []DenyAssignment
		want        Outcome
		check       func(t *testing.T, d Decision)
	}{
		{
			name:        "a wildcard in the middle of an action matches any run of segments",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format (the wildcard (*) character matches any string)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "wild-middle", ws)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if d.Grants[0].Pattern != "Microsoft.MachineLearningServices/workspaces/*/action" || !d.Grants[0].Inherited {
					t.Errorf("grant %+v", d.Grants[0])
				}
			},
		},
		{
			name:        "a wildcard in the middle does not match a different final segment",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format",
			req:         Request{PrincipalID: alice, Action: ep + "read", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "wild-middle", ws)},
			want:        NotGranted,
		},
		{
			name: "a whole-segment wildcard also stands for no segment (Managed Identity Operator assigns identities)",
			doc: "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq (Which Azure RBAC permissions are required to use a managed identity on a resource?: " +
				"userAssignedIdentities/*/assign/action, in Managed Identity Operator); AzureML Data Scientist's NotActions remove workspaces/write from its workspaces/*/write",
			req: Request{PrincipalID: alice, Action: "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
				Scope: sub + "/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn"},
			assignments: []Assignment{semAssign(alice, "mi-operator", sub+"/resourceGroups/rg")},
			want:        Allowed,
		},
		{
			name:        "so a whole-segment wildcard in the middle grants the workspace-level action too",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning#azureml-data-scientist (NotActions: workspaces/listKeys/action, under Actions workspaces/*/action)",
			req:         Request{PrincipalID: alice, Action: "Microsoft.MachineLearningServices/workspaces/listKeys/action", Scope: ws},
			assignments: []Assignment{semAssign(alice, "wild-middle", ws)},
			want:        Allowed,
		},
		{
			name:        "but a wildcard inside a segment still needs its segment",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format",
			req:         Request{PrincipalID: alice, Action: "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", Scope: sub},
			assignments: []Assignment{semAssign(alice, "partial-segment", sub)},
			want:        NotGranted,
		},
		{
			name:        "a NotAction removes a grant only within its own role",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions (a second role that grants the operation still allows it; NotActions is not a deny rule)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "all-but-keys", ws), semAssign(alice, "keys", epKey)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if len(d.Blocked) != 1 || d.Blocked[0].NotPattern != ep+"listKeys/action" || RoleGUID(d.Grants[0].Role.ID) != "keys" {
					t.Errorf("blocked %+v grants %+v", d.Blocked, d.Grants)
				}
			},
		},
		{
			name:        "a NotAction alone leaves the action not granted",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "all-but-keys", ws)},
			want:        NotGranted,
			check: func(t *testing.T, d Decision) {
				if !strings.Contains(d.Reason, "NotAction") {
					t.Errorf("reason %q does not name the NotAction", d.Reason)
				}
			},
		},
		{
			name:        "'*' in Actions grants no data action",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#control-and-data-actions (control plane access is not inherited to the data plane)",
			req:         Request{PrincipalID: alice, Action: blobRead, DataAction: true, Scope: rg},
			assignments: []Assignment{semAssign(alice, "star", sub)},
			want:        NotGranted,
		},
		{
			name:        "DataActions grant data actions, minus NotDataActions",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#dataactions",
			req:         Request{PrincipalID: alice, Action: blobRead, DataAction: true, Scope: rg},
			assignments: []Assignment{semAssign(alice, "blob-data", sub)},
			want:        Allowed,
		},
		{
			name:        "NotDataActions remove a data action",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notdataactions",
			req:         Request{PrincipalID: alice, Action: "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete", DataAction: true, Scope: rg},
			assignments: []Assignment{semAssign(alice, "blob-data", sub)},
			want:        NotGranted,
		},
		{
			name:        "DataActions grant no control-plane action",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/role-definitions#control-and-data-actions",
			req:         Request{PrincipalID: alice, Action: blobRead, Scope: rg},
			assignments: []Assignment{semAssign(alice, "blob-data", sub)},
			want:        NotGranted,
		},
		{
			name:        "a deny assignment for Everyone blocks what a role grants",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments (deny assignments take precedence over role assignments)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(epKey, everyone, nil, false)},
			want:        DeniedByDenyAssignment,
			check: func(t *testing.T, d Decision) {
				if d.Denied == nil || d.Denied.Via.Kind != ViaEveryone || len(d.Grants) != 1 {
					t.Errorf("denied %+v grants %d", d.Denied, len(d.Grants))
				}
			},
		},
		{
			name:   "a deny assignment is part of the verdict even when no role grants the action",
			doc:    "https://learn.microsoft.com/azure/role-based-access-control/overview#how-azure-rbac-determines-if-a-user-has-access-to-a-resource (Azure Resource Manager checks whether a deny assignment applies)",
			req:    Request{PrincipalID: bob, Action: ep + "regenerateKeys/action", Scope: epKey},
			denies: []DenyAssignment{denyRegen(epKey, everyone, []Principal{{ID: alice, Type: "User"}}, false)},
			want:   DeniedByDenyAssignment,
			check: func(t *testing.T, d Decision) {
				if strings.Contains(d.Reason, "grants it") || strings.Contains(d.Reason, "AzureML") {
					t.Errorf("reason %q suggests a role", d.Reason)
				}
			},
		},
		{
			name:        "excludePrincipals exempts the excluded principal",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (ExcludePrincipals)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(epKey, everyone, []Principal{{ID: alice, Type: "User"}}, false)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if k := d.Trace.Levels[0].Denies[0].Applies.Kind; k != Excluded {
					t.Errorf("trace says the deny applies %v", k)
				}
			},
		},
		{
			name:        "excludePrincipals naming a group exempts its members",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (ExcludePrincipals: users, groups, service principals)",
			req:         Request{PrincipalID: alice, GroupIDs: []string{group}, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(epKey, everyone, []Principal{{ID: group, Type: "Group"}}, false)},
			want:        Allowed,
		},
		{
			name:        "a deny assignment naming a group applies to its members, nested too",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (Principals)",
			req:         Request{PrincipalID: alice, GroupIDs: []string{inner, group}, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(ws, []Principal{{ID: group, Type: "Group"}}, nil, false)},
			want:        DeniedByDenyAssignment,
			check: func(t *testing.T, d Decision) {
				if d.Denied.Via.Kind != ViaGroup || d.Denied.Via.GroupID != group {
					t.Errorf("via %+v", d.Denied.Via)
				}
			},
		},
		{
			name:        "a deny assignment naming someone else does not apply",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (Principals)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(ws, []Principal{{ID: bob, Type: "User"}}, nil, false)},
			want:        Allowed,
		},
		{
			name:        "doNotApplyToChildScopes: the deny does not reach a child scope",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (DoNotApplyToChildScopes)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(ws, everyone, nil, true)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if !d.Trace.Levels[1].Denies[0].SkippedChildScope {
					t.Errorf("trace does not say the deny skipped the child scope: %+v", d.Trace.Levels[1])
				}
			},
		},
		{
			name:        "doNotApplyToChildScopes: the deny applies at its own scope",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (DoNotApplyToChildScopes)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: ws},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(ws, everyone, nil, true)},
			want:        DeniedByDenyAssignment,
		},
		{
			name:        "a deny's NotActions keep an action out of the deny",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (Permissions.NotActions)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies: []DenyAssignment{{Name: "d2", Scope: ws, Principals: everyone,
				Permissions: []Permission{{Actions: []string{"*"}, NotActions: []string{ep + "regenerateKeys/action"}}}}},
			want: Allowed,
		},
		{
			name:        "a deny of data actions does not block control-plane actions, and the reverse",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (Permissions.DataActions)",
			req:         Request{PrincipalID: alice, Action: blobRead, DataAction: true, Scope: rg},
			assignments: []Assignment{semAssign(alice, "blob-data", sub)},
			denies:      []DenyAssignment{{Name: "d3", Scope: sub, Principals: everyone, Permissions: []Permission{{Actions: []string{"*"}}}}},
			want:        Allowed,
		},
		{
			name:        "a deny of data actions blocks the data action",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments#deny-assignment-properties (Permissions.DataActions)",
			req:         Request{PrincipalID: alice, Action: blobRead, DataAction: true, Scope: rg},
			assignments: []Assignment{semAssign(alice, "blob-data", sub)},
			denies: []DenyAssignment{{Name: "d4", Scope: sub, Principals: everyone,
				Permissions: []Permission{{DataActions: []string{"Microsoft.Storage/*"}}}}},
			want: DeniedByDenyAssignment,
		},
		{
			name:        "actions, scopes and ids compare ignoring case",
			doc:         "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules (resource names are case-insensitive unless noted) and https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format",
			req:         Request{PrincipalID: strings.ToUpper(alice), Action: strings.ToUpper(ep + "listKeys/action"), Scope: strings.ToUpper(epKey)},
			assignments: []Assignment{semAssign(alice, "keys", strings.ToLower(ws))},
			want:        Allowed,
		},
		{
			name:        "case-insensitivity is ordinal: the Kelvin sign is not 'k'",
			doc:         "https://learn.microsoft.com/dotnet/api/system.stringcomparison#fields (OrdinalIgnoreCase, how ARM compares names)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: strings.Replace(epKey, "churn-key", "churn-\u212aey", 1)},
			assignments: []Assignment{semAssign(alice, "keys", epKey)},
			want:        NotGranted,
		},
		{
			name:        "a role assigned at the root '/' applies everywhere",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/scope-overview#scope-levels (roles assigned at a parent scope are inherited by child scopes) and https://learn.microsoft.com/azure/role-based-access-control/elevate-access-global-admin (root scope '/')",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(alice, "keys", "/")},
			want:        Allowed,
		},
		{
			name:        "a management group applies to the subscriptions it holds",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/scope-overview#scope-levels (management group > subscription > resource group > resource)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, ManagementGroups: []string{"mg-prod"}},
			assignments: []Assignment{semAssign(alice, "keys", mgProd)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				n := len(d.Trace.Levels)
				if d.Trace.Levels[n-1].Scope != "/" || d.Trace.Levels[n-2].Level != AtManagementGroup {
					t.Errorf("levels %+v", d.Trace.Levels)
				}
			},
		},
		{
			name:        "a management group does not apply to a subscription it does not hold",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/scope-overview#scope-levels",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, ManagementGroups: []string{"mg-prod"}},
			assignments: []Assignment{semAssign(alice, "keys", mgOther)},
			want:        NotGranted,
		},
		{
			name:        "a deny at a management group blocks below it",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments (deny assignments at management group scope)",
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey, ManagementGroups: []string{mgProd}},
			assignments: []Assignment{semAssign(alice, "regen", ws)},
			denies:      []DenyAssignment{denyRegen(mgProd, everyone, nil, false)},
			want:        DeniedByDenyAssignment,
		},
		{
			name: "a grant through a conditional assignment is conditional",
			doc:  "https://learn.microsoft.com/azure/role-based-access-control/conditions-overview#what-is-a-role-assignment-condition (the condition is an additional check on the role assignment)",
			req:  Request{PrincipalID: alice, Action: blobRead, DataAction: true, Scope: rg},
			assignments: func() []Assignment {
				a := semAssign(alice, "blob-data", sub)
				a.Condition, a.ConditionVersion = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'ok'", "2.0"
				return []Assignment{a}
			}(),
			want: Conditional,
			check: func(t *testing.T, d Decision) {
				if !strings.Contains(d.Condition(), "StringEquals 'ok'") || d.Trace.Levels[1].Assignments[0].Result != GrantsIfCondition {
					t.Errorf("condition %q trace %+v", d.Condition(), d.Trace.Levels[1])
				}
			},
		},
		{
			name: "an unconditional grant stands beside a conditional one",
			doc:  "https://learn.microsoft.com/azure/role-based-access-control/conditions-overview#what-is-a-role-assignment-condition",
			req:  Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: func() []Assignment {
				a := semAssign(alice, "keys", ws)
				a.Condition = "@Resource[x] StringEquals 'y'"
				return []Assignment{a, semAssign(alice, "wild-middle", rg)}
			}(),
			want: Allowed,
		},
		{
			name:        "a role assigned to a group applies to its members, through nested groups",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/overview#security-principal and https://learn.microsoft.com/azure/role-based-access-control/overview#groups (\"Role assignments are transitive for groups\")",
			req:         Request{PrincipalID: alice, GroupIDs: []string{inner, group}, Action: ep + "listKeys/action", Scope: epKey},
			assignments: []Assignment{semAssign(group, "keys", ws)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if d.Grants[0].ViaGroup != group || d.Trace.Levels[1].Assignments[0].Applies.Kind != ViaGroup {
					t.Errorf("grant %+v", d.Grants[0])
				}
			},
		},
		{
			name: "an assignment that has not propagated is pending",
			doc:  "https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected",
			req:  Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, At: time.Unix(100, 0)},
			assignments: func() []Assignment {
				a := semAssign(alice, "keys", ws)
				a.EffectiveAt = time.Unix(200, 0)
				return []Assignment{a}
			}(),
			want: Pending,
		},
		{
			name:        "a removed assignment may keep granting until the removal has propagated",
			doc:         troubleshootingDoc + " (removals, like additions, can take up to 10 minutes)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, At: removedAt.Add(4 * time.Minute)},
			assignments: []Assignment{revoked(semAssign(alice, "keys", ws))},
			want:        Revoking,
			check: func(t *testing.T, d Decision) {
				if len(d.Revoked) != 1 || d.Trace.Levels[1].Assignments[0].Result != StillEnforced || len(d.Grants) != 0 {
					t.Errorf("revoked %+v trace %+v", d.Revoked, d.Trace.Levels[1])
				}
				if !strings.Contains(d.Reason, "removed at 10:00:00; Azure may keep allowing this until about 10:10:00") {
					t.Errorf("reason %q", d.Reason)
				}
			},
		},
		{
			name:        "a removed assignment grants nothing once the removal has propagated",
			doc:         troubleshootingDoc,
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, At: removedAt.Add(10 * time.Minute)},
			assignments: []Assignment{revoked(semAssign(alice, "keys", ws))},
			want:        NotGranted,
			check: func(t *testing.T, d Decision) {
				if len(d.Revoked) != 0 || d.Trace.Levels[1].Assignments[0].Result != RemovalApplied {
					t.Errorf("revoked %+v trace %+v", d.Revoked, d.Trace.Levels[1])
				}
			},
		},
		{
			name: "a removed assignment with no known end, or no request time, may still grant",
			doc:  troubleshootingDoc,
			req:  Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
			assignments: func() []Assignment {
				a := revoked(semAssign(alice, "keys", ws))
				a.RevokedUntil = time.Time{}
				return []Assignment{a}
			}(),
			want: Revoking,
		},
		{
			name:        "a removed assignment never lifts a deny assignment",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/deny-assignments (deny assignments take precedence over role assignments) and " + troubleshootingDoc,
			req:         Request{PrincipalID: alice, Action: ep + "regenerateKeys/action", Scope: epKey, At: removedAt},
			assignments: []Assignment{revoked(semAssign(alice, "regen", ws))},
			denies:      []DenyAssignment{denyRegen(ws, everyone, nil, false)},
			want:        DeniedByDenyAssignment,
		},
		{
			name:        "a grant that was not removed stands beside a removed one",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/overview#how-azure-rbac-determines-if-a-user-has-access-to-a-resource (the grants of all role assignments add up)",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey, At: removedAt},
			assignments: []Assignment{revoked(semAssign(alice, "keys", epKey)), semAssign(alice, "wild-middle", rg)},
			want:        Allowed,
			check: func(t *testing.T, d Decision) {
				if len(d.Grants) != 1 || d.Grants[0].Assignment.Scope != rg || !strings.HasPrefix(d.Reason, "Allowed by role wild-middle") {
					t.Errorf("grants %+v reason %q", d.Grants, d.Reason)
				}
			},
		},
		{
			name:        "an assignment at a child scope does not apply above it",
			doc:         "https://learn.microsoft.com/azure/role-based-access-control/scope-overview#scope-levels",
			req:         Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: ws},
			assignments: []Assignment{semAssign(alice, "keys", epKey)},
			want:        NotGranted,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.HasPrefix(c.doc, "https://learn.microsoft.com/") {
				t.Fatalf("case cites no Azure documentation: %q", c.doc)
			}
			d := Evaluate(c.req, c.assignments, semRoles, c.denies)
			if d.Outcome != c.want || d.Allowed != (c.want == Allowed) {
				t.Fatalf("outcome %v (allowed %v), want %v; reason: %s", d.Outcome, d.Allowed, c.want, d.Reason)
			}
			if d.Trace.Levels[len(d.Trace.Levels)-1].Scope != "/" || d.Trace.Action != c.req.Action {
				t.Errorf("trace does not reach the root or names another action: %+v", d.Trace)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

// TestTraceRecordsEveryPattern: the explain screen shows each pattern
// tested and who each assignment is for.
func TestTraceRecordsEveryPattern(t *testing.T) {
	d := Evaluate(Request{PrincipalID: alice, Action: ep + "listKeys/action", Scope: epKey},
		[]Assignment{semAssign(alice, "all-but-keys", ws), semAssign(bob, "keys", epKey)}, semRoles,
		[]DenyAssignment{denyRegen(epKey, everyone, nil, false)})
	if len(d.Trace.Levels) != 5 || d.Trace.Levels[0].Scope != epKey || d.Trace.Levels[1].Scope != ws {
		t.Fatalf("levels %+v", d.Trace.Levels)
	}
	other := d.Trace.Levels[0].Assignments[0]
	if other.Applies.Kind != OtherPrincipal || other.Result != NotForPrincipal || len(other.Tests) != 0 {
		t.Errorf("bob's assignment: %+v", other)
	}
	mine := d.Trace.Levels[1].Assignments[0]
	want := []PatternTest{{List: "Actions", Pattern: "Microsoft.MachineLearningServices/*", Matched: true},
		{List: "NotActions", Pattern: ep + "listKeys/action", Matched: true}}
	if mine.Result != RemovedByNotAction || len(mine.Tests) != 2 || mine.Tests[0] != want[0] || mine.Tests[1] != want[1] {
		t.Errorf("alice's assignment: %+v", mine)
	}
	dt := d.Trace.Levels[0].Denies[0]
	if dt.Blocks || dt.Applies.Kind != ViaEveryone || len(dt.Tests) != 1 || dt.Tests[0].Matched {
		t.Errorf("deny trace %+v", dt)
	}
}

// A resource name with a '/' in it (a hostile deployment name) makes a
// scope ARM would not parse; assignments above it still apply.
func TestEvaluateUnparsableScopeStillInherits(t *testing.T) {
	odd := epKey + "/deployments/x\x1b]8;;https://evil\x07y"
	d := Evaluate(Request{PrincipalID: alice, Action: ep + "deployments/read", Scope: odd},
		[]Assignment{semAssign(alice, "wild-middle", ws), semAssign(alice, "star", ws)}, semRoles, nil)
	if d.Outcome != Allowed || len(d.Grants) != 1 || !d.Grants[0].Inherited {
		t.Fatalf("outcome %v grants %+v: %s", d.Outcome, d.Grants, d.Reason)
	}
}
