package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/google/uuid"

	"amlauth-tui/azure/rbac"
)

// Roles lists the role definitions usable at scope (built-in and custom).
func (s *Session) Roles(ctx context.Context, scope string) (rbac.RoleSet, error) {
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return nil, err
	}
	return collect(ctx, f.NewRoleDefinitionsClient().NewListPager(scope, nil),
		func(p armauthorization.RoleDefinitionsClientListResponse) []*armauthorization.RoleDefinition {
			return p.Value
		}, roleFrom)
}

// AssignRole assigns role to p at scope under a new GUID name (as az does).
func (s *Session) AssignRole(ctx context.Context, p PrincipalRef, roleDefinitionID, scope string) (rbac.Assignment, error) {
	if subscriptionOf(scope) == "" {
		return rbac.Assignment{}, fmt.Errorf("the scope %s is not inside a subscription", scope)
	}
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return rbac.Assignment{}, err
	}
	pt := armauthorization.PrincipalType(p.Kind)
	r, err := f.NewRoleAssignmentsClient().Create(ctx, scope, uuid.NewString(), armauthorization.RoleAssignmentCreateParameters{
		Properties: &armauthorization.RoleAssignmentProperties{
			RoleDefinitionID: to.Ptr(roleDefinitionID), PrincipalID: to.Ptr(p.ID), PrincipalType: &pt,
			Description: to.Ptr("assigned with amlauth-tui"),
		}}, nil)
	if err != nil {
		return rbac.Assignment{}, Classify(err)
	}
	return assignmentFrom(&r.RoleAssignment), nil
}

// DeleteAssignment removes a role assignment by its ARM id.
func (s *Session) DeleteAssignment(ctx context.Context, id string) error {
	f, err := s.authzFactory(subscriptionOf(id))
	if err != nil {
		return err
	}
	_, err = f.NewRoleAssignmentsClient().DeleteByID(ctx, id, nil)
	return Classify(err)
}

// CreateCustomRole creates (or updates) a custom role definition; its
// assignable scopes must already be set.
func (s *Session) CreateCustomRole(ctx context.Context, def rbac.RoleDefinition) (rbac.RoleDefinition, error) {
	if len(def.AssignableScopes) == 0 {
		return rbac.RoleDefinition{}, fmt.Errorf("a custom role needs at least one assignable scope")
	}
	scope := def.AssignableScopes[0]
	f, err := s.authzFactory(subscriptionOf(scope))
	if err != nil {
		return rbac.RoleDefinition{}, err
	}
	name := def.Name
	if name == "" {
		name = uuid.NewString()
	}
	props := &armauthorization.RoleDefinitionProperties{RoleName: to.Ptr(def.RoleName), Description: to.Ptr(def.Description),
		RoleType: to.Ptr("CustomRole"), AssignableScopes: to.SliceOfPtrs(def.AssignableScopes...)}
	for _, p := range def.Permissions {
		props.Permissions = append(props.Permissions, &armauthorization.Permission{Actions: to.SliceOfPtrs(p.Actions...),
			NotActions: to.SliceOfPtrs(p.NotActions...), DataActions: to.SliceOfPtrs(p.DataActions...), NotDataActions: to.SliceOfPtrs(p.NotDataActions...)})
	}
	r, err := f.NewRoleDefinitionsClient().CreateOrUpdate(ctx, scope, name, armauthorization.RoleDefinition{Properties: props}, nil)
	if err != nil {
		return rbac.RoleDefinition{}, Classify(err)
	}
	return roleFrom(&r.RoleDefinition), nil
}

// AssignCommands are the az CLI and REST equivalents of an assignment, shown before it runs.
func AssignCommands(p PrincipalRef, role rbac.RoleDefinition, scope string) []string {
	return []string{
		fmt.Sprintf("az role assignment create --assignee-object-id %s --assignee-principal-type %s --role %q --scope %s",
			p.ID, p.Kind, role.RoleName, scope),
		fmt.Sprintf("PUT https://management.azure.com%s/providers/Microsoft.Authorization/roleAssignments/{new-guid}?api-version=2022-04-01\n"+
			`  {"properties":{"roleDefinitionId":"%s","principalId":"%s","principalType":"%s"}}`,
			strings.TrimSuffix(scope, "/"), role.ID, p.ID, p.Kind),
	}
}

// RoleDefinitionCommand is the az CLI equivalent of creating a custom role.
func RoleDefinitionCommand(def rbac.RoleDefinition) string {
	return fmt.Sprintf("az role definition create --role-definition role.json   # %q, assignable at %s",
		def.RoleName, strings.Join(def.AssignableScopes, ", "))
}
