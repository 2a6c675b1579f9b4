package emulator

import (
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"

	"amlauth-tui/azure/rbac"
)

// Microsoft.Authorization through the real armauthorization/v2 clients.

const (
	prodSub     = "/subscriptions/" + SubProduction
	sandboxSub  = "/subscriptions/" + SubSandbox
	raGUID1     = "11111111-1111-4111-8111-111111111111"
	raGUID2     = "22222222-2222-4222-8222-222222222222"
	customGUID  = "c0c0c0c0-0000-4000-8000-00000000c0c0"
	customGUID2 = "c0c0c0c0-0000-4000-8000-00000000c0c1"
)

func seededAssignmentName(principal, role, scope string) string {
	return stableGUID("ra|" + principal + "|" + role + "|" + strings.ToLower(scope))
}

func (e *armtEnv) raClient(who, sub string) *armauthorization.RoleAssignmentsClient {
	c, err := armauthorization.NewRoleAssignmentsClient(sub, e.cred(who), e.arm())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *armtEnv) rdClient(who string) *armauthorization.RoleDefinitionsClient {
	c, err := armauthorization.NewRoleDefinitionsClient(e.cred(who), e.arm())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func raParams(role, principal, ptype string) armauthorization.RoleAssignmentCreateParameters {
	p := armauthorization.RoleAssignmentCreateParameters{Properties: &armauthorization.RoleAssignmentProperties{
		RoleDefinitionID: to.Ptr(role), PrincipalID: to.Ptr(principal)}}
	if ptype != "" {
		p.Properties.PrincipalType = to.Ptr(armauthorization.PrincipalType(ptype))
	}
	return p
}

func builtinRoleID(guid string) string {
	return prodSub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

// listRA pages a role assignment list to the end and returns "principal role scope" lines.
func listRA(t *testing.T, c *armauthorization.RoleAssignmentsClient, scope, filter string) ([]string, error) {
	t.Helper()
	var opts *armauthorization.RoleAssignmentsClientListForScopeOptions
	if filter != "" {
		opts = &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: to.Ptr(filter)}
	}
	var out []string
	for p := c.NewListForScopePager(scope, opts); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			return nil, err
		}
		for _, a := range page.Value {
			out = append(out, *a.Properties.PrincipalID+" "+rbac.RoleGUID(*a.Properties.RoleDefinitionID)+" "+*a.Properties.Scope)
		}
	}
	return out, nil
}

func TestAuthzRoleDefinitions(t *testing.T) {
	e := newARMT(t, Options{PageSize: 5})
	ctx := armtCtx(t)
	rg := rgID(SubProduction, prodRG)

	// Built-ins are readable by anyone signed in, nina included.
	nina := e.rdClient("nina")
	var got []*armauthorization.RoleDefinition
	for p := nina.NewListPager(prodSub, &armauthorization.RoleDefinitionsClientListOptions{Filter: to.Ptr("roleName eq 'Reader'")}); p.More(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Value...)
	}
	if len(got) != 1 || *got[0].Name != roleReader || *got[0].ID != builtinRoleID(roleReader) ||
		*got[0].Properties.RoleType != "BuiltInRole" || *got[0].Properties.Permissions[0].Actions[0] != "*/read" {
		t.Fatalf("Reader by name: %+v", got)
	}
	all := 0
	for p := nina.NewListPager(prodSub, nil); p.More(); { // pages of 5 through nextLink
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all += len(page.Value)
	}
	if all != len(rbac.BuiltinRoles()) {
		t.Errorf("only %d built-in roles listed", all)
	}
	r, err := nina.GetByID(ctx, "/providers/Microsoft.Authorization/roleDefinitions/"+roleDataScientist, nil)
	if err != nil || *r.Properties.RoleName != "AzureML Data Scientist" || *r.ID != "/providers/Microsoft.Authorization/roleDefinitions/"+roleDataScientist {
		t.Fatalf("GetByID: %v %+v", err, r)
	}
	if r, err := nina.Get(ctx, rg, roleOwner, nil); err != nil || *r.Properties.RoleName != "Owner" {
		t.Fatalf("Get: %v", err)
	}
	_, err = nina.Get(ctx, prodSub, customGUID, nil)
	armtWantErr(t, err, 404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '"+customGUID+"' does not exist.")

	// olivia (Owner of rg-ml-prod) creates a custom role assignable there.
	olivia := e.rdClient("olivia")
	tmpl := rbac.CustomScoringRole(rg)
	def := func(name string, scopes []string, actions ...string) armauthorization.RoleDefinition {
		d := armauthorization.RoleDefinition{Properties: &armauthorization.RoleDefinitionProperties{
			RoleName: to.Ptr(name), Description: to.Ptr(tmpl.Description), RoleType: to.Ptr("CustomRole"),
			AssignableScopes: to.SliceOfPtrs(scopes...),
			Permissions:      []*armauthorization.Permission{{Actions: to.SliceOfPtrs(actions...)}}}}
		return d
	}
	created, err := olivia.CreateOrUpdate(ctx, rg, customGUID, def(tmpl.RoleName, []string{rg}, tmpl.Permissions[0].Actions...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *created.Name != customGUID || *created.Properties.RoleType != "CustomRole" || *created.Properties.AssignableScopes[0] != rg {
		t.Errorf("created: %+v", created.Properties)
	}
	customs := func(scope string) int {
		n := 0
		for p := nina.NewListPager(scope, &armauthorization.RoleDefinitionsClientListOptions{Filter: to.Ptr("type eq 'CustomRole'")}); p.More(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Value)
		}
		return n
	}
	if customs(rg) != 1 || customs(churnScope) != 1 || customs(sandboxSub) != 0 || customs(prodSub) != 0 {
		t.Errorf("custom role visibility: rg %d ws %d sandbox %d sub %d", customs(rg), customs(churnScope), customs(sandboxSub), customs(prodSub))
	}
	// An update keeps the id and may rename.
	if _, err := olivia.CreateOrUpdate(ctx, rg, customGUID, def(tmpl.RoleName+" v2", []string{rg}, tmpl.Permissions[0].Actions...), nil); err != nil {
		t.Fatal(err)
	}

	// Validation.
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def(tmpl.RoleName+" v2", []string{rg}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 409, "RoleDefinitionWithSameNameExists", "A role definition cannot be updated with a name that already exists.")
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("Reader", []string{rg}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 409, "RoleDefinitionWithSameNameExists", "")
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("No scopes", nil, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 400, "MissingAssignableScopes", "")
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("Bad scope", []string{"/subscriptions/" + SubProduction + "/resourceGroups"}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 400, "InvalidAssignableScope", "")
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("Root", []string{"/"}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 400, "InvalidAssignableScope", "")
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("Too wide", []string{prodSub}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("olivia@contoso.example", idOlivia, actRoleDefinitionsWrite, prodSub))
	_, err = olivia.CreateOrUpdate(ctx, rg, customGUID2, def("Spaces", []string{rg}, "Microsoft.X/ read"), nil)
	armtWantErr(t, err, 400, "InvalidActionOrNotAction", "contains white space")
	_, err = olivia.CreateOrUpdate(ctx, rg, roleReader, def("Not reader", []string{rg}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 400, "CannotModifyBuiltInRole", "")
	_, err = olivia.CreateOrUpdate(ctx, rg, "not-a-guid", def("x", []string{rg}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 400, "InvalidRoleDefinitionId", "")
	_, err = e.rdClient("bob").CreateOrUpdate(ctx, rg, customGUID2, def("Bob's", []string{rg}, "Microsoft.X/read"), nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("bob@contoso.example", idBob, actRoleDefinitionsWrite, rg))

	// An assigned role cannot be deleted.
	ep := epID(SubProduction, prodRG, "mlw-churn", "churn-aad")
	ra := e.raClient("olivia", SubProduction)
	if _, err := ra.Create(ctx, ep, raGUID1, raParams(builtinRoleID(customGUID), idGary, "User"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = olivia.Delete(ctx, rg, customGUID, nil)
	armtWantErr(t, err, 409, "RoleDefinitionHasAssignments", "")
	if _, err := ra.Delete(ctx, ep, raGUID1, nil); err != nil {
		t.Fatal(err)
	}
	del, err := olivia.Delete(ctx, rg, customGUID, nil)
	if err != nil || del.Name == nil || *del.Name != customGUID {
		t.Fatalf("delete: %v %+v", err, del)
	}
	if _, err := olivia.Delete(ctx, rg, customGUID, nil); err != nil { // 204: already gone
		t.Fatal(err)
	}
	_, err = nina.Get(ctx, rg, customGUID, nil)
	armtWantErr(t, err, 404, "RoleDefinitionDoesNotExist", "")
}

func TestAuthzRoleAssignmentsCreateGetDelete(t *testing.T) {
	e := newARMT(t, Options{})
	ctx := armtCtx(t)
	rg := rgID(SubProduction, prodRG)
	ra := e.raClient("olivia", SubProduction)

	res, err := ra.Create(ctx, rg, raGUID1, raParams(builtinRoleID(roleReader), idNina, "User"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Properties
	if *res.ID != rg+"/providers/Microsoft.Authorization/roleAssignments/"+raGUID1 || *res.Name != raGUID1 ||
		*res.Type != "Microsoft.Authorization/roleAssignments" || *p.Scope != rg || *p.PrincipalType != "User" ||
		*p.RoleDefinitionID != builtinRoleID(roleReader) || *p.CreatedBy != idOlivia || p.CreatedOn == nil {
		t.Errorf("created: %+v %+v", res.RoleAssignment, p)
	}
	// The same PUT again is an update (200), here of the description.
	again := raParams(builtinRoleID(roleReader), idNina, "")
	again.Properties.Description = to.Ptr("onboarding")
	if res, err := ra.Create(ctx, rg, raGUID1, again, nil); err != nil || *res.Properties.Description != "onboarding" {
		t.Fatalf("re-put: %v", err)
	}
	// Read back by scope+name and by id, as a reader.
	bob := e.raClient("bob", SubProduction)
	if g, err := bob.Get(ctx, rg, raGUID1, nil); err != nil || *g.Properties.PrincipalID != idNina {
		t.Fatalf("get: %v", err)
	}
	if g, err := bob.GetByID(ctx, rg+"/providers/Microsoft.Authorization/roleAssignments/"+raGUID1, nil); err != nil || *g.Name != raGUID1 {
		t.Fatalf("get by id: %v", err)
	}
	_, err = bob.Get(ctx, rg, raGUID2, nil)
	armtWantErr(t, err, 404, "RoleAssignmentNotFound", "The role assignment '"+raGUID2+"' is not found.")
	_, err = e.raClient("gary", SubProduction).Get(ctx, rg, raGUID1, nil) // nina could: she is Reader there now
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("gary@contoso.example", idGary, actRoleAssignmentsRead, rg))

	// Errors, in ARM's words.
	for _, tc := range []struct {
		name, scope, assignment string
		params                  armauthorization.RoleAssignmentCreateParameters
		client                  *armauthorization.RoleAssignmentsClient
		status                  int
		code, msg               string
	}{
		{"duplicate", rg, raGUID2, raParams(builtinRoleID(roleReader), idNina, "User"), ra, 409, "RoleAssignmentExists",
			"The role assignment already exists. The ID of the existing role assignment is " + strings.ReplaceAll(raGUID1, "-", "") + "."},
		{"name not a guid", rg, "nina-reader", raParams(builtinRoleID(roleReader), idNina, "User"), ra, 400, "InvalidRoleAssignmentId",
			"The role assignment ID 'nina-reader' is not valid. The role assignment ID must be a GUID."},
		{"unknown principal", rg, raGUID2, raParams(builtinRoleID(roleReader), "99999999-9999-4999-8999-999999999999", "User"), ra, 400, "PrincipalNotFound",
			"Principal 99999999999949998999999999999999 does not exist in the directory " + TenantID + "."},
		{"principal not a guid", rg, raGUID2, raParams(builtinRoleID(roleReader), "nina", "User"), ra, 400, "InvalidPrincipalId", ""},
		{"wrong principal type", rg, raGUID2, raParams(builtinRoleID(roleReader), idGroupScorers, "User"), ra, 400, "UnmatchedPrincipalType", ""},
		{"no write permission", rg, raGUID2, raParams(builtinRoleID(roleReader), idNina, "User"), bob, 403, "AuthorizationFailed",
			armtForbidden("bob@contoso.example", idBob, actRoleAssignmentsWrite, rg)},
		{"malformed role id", rg, raGUID2, raParams("Reader", idNina, "User"), ra, 400, "InvalidRoleDefinitionId", ""},
		{"unknown role", rg, raGUID2, raParams(builtinRoleID(customGUID), idNina, "User"), ra, 400, "RoleDefinitionDoesNotExist", ""},
		{"role of another subscription", rg, raGUID2, raParams("/subscriptions/"+SubSandbox+"/providers/Microsoft.Authorization/roleDefinitions/"+roleReader, idNina, "User"), ra, 400, "InvalidRoleDefinitionId", ""},
		{"bare role guid", rg, raGUID2, raParams(roleReader, idNina, "User"), ra, 400, "InvalidRoleDefinitionId", ""},
		{"missing resource group", rgID(SubSandbox, "rg-nope"), raGUID2, raParams("/providers/Microsoft.Authorization/roleDefinitions/"+roleReader, idNina, "User"), ra, 404, "ResourceGroupNotFound", "Resource group 'rg-nope' could not be found."},
		{"odd scope", prodSub + "/resourceGroups", raGUID2, raParams(builtinRoleID(roleReader), idNina, "User"), ra, 400, "InvalidScope", ""},
		{"no subscription", "/foo/bar", raGUID2, raParams(builtinRoleID(roleReader), idNina, "User"), ra, 400, "MissingSubscription", ""},
		{"unknown subscription", "/subscriptions/11111111-2222-4333-8444-555555555555", raGUID2, raParams(builtinRoleID(roleReader), idNina, "User"), ra, 404, "SubscriptionNotFound", ""},
	} {
		_, err := tc.client.Create(ctx, tc.scope, tc.assignment, tc.params, nil)
		t.Run(tc.name, func(t *testing.T) { armtWantErr(t, err, tc.status, tc.code, tc.msg) })
	}
	// A custom role is assignable only within its assignable scopes.
	e.s.Mutate(func(w *World) {
		cr := rbac.CustomControlPlaneRole(wsID(SubProduction, prodRG, "mlw-fraud"))
		cr.ID, cr.Name = "/providers/Microsoft.Authorization/roleDefinitions/"+customGUID, customGUID
		w.CustomRoles = append(w.CustomRoles, cr)
	})
	_, err = ra.Create(ctx, churnScope, raGUID2, raParams(builtinRoleID(customGUID), idNina, ""), nil)
	armtWantErr(t, err, 400, "InvalidRoleDefinitionId", "is assignable only at")
	if _, err = ra.Create(ctx, wsID(SubProduction, prodRG, "mlw-fraud"), raGUID2, raParams(builtinRoleID(customGUID), idNina, ""), nil); err != nil {
		t.Fatal(err)
	}

	// Groups and managed identities are principals too; principalType defaults from the directory.
	mi, err := ra.CreateByID(ctx, churnScope+"/providers/Microsoft.Authorization/roleAssignments/33333333-3333-4333-8333-333333333333",
		raParams(builtinRoleID(roleReader), idUAI, ""), nil)
	if err != nil || *mi.Properties.PrincipalType != "ServicePrincipal" {
		t.Fatalf("managed identity: %v", err)
	}
	if _, err := ra.Create(ctx, churnScope, "44444444-4444-4444-8444-444444444444", raParams(builtinRoleID(roleReader), idGroupScorers, "Group"), nil); err != nil {
		t.Fatal(err)
	}

	// Delete: 200 with the assignment, then 204 (no error) when gone.
	d, err := ra.Delete(ctx, rg, raGUID1, nil)
	if err != nil || d.Name == nil || *d.Name != raGUID1 {
		t.Fatalf("delete: %v %+v", err, d)
	}
	if _, err := ra.Delete(ctx, rg, raGUID1, nil); err != nil {
		t.Fatal(err)
	}
	if d, err := ra.DeleteByID(ctx, *mi.ID, nil); err != nil || *d.Name != "33333333-3333-4333-8333-333333333333" {
		t.Fatalf("delete by id: %v", err)
	}
	_, err = bob.Delete(ctx, churnScope, "44444444-4444-4444-8444-444444444444", nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("bob@contoso.example", idBob, actRoleAssignmentsDelete, churnScope))
}

func TestAuthzRoleAssignmentLists(t *testing.T) {
	e := newARMT(t, Options{PageSize: 2}) // the pagers must follow nextLink
	bob := e.raClient("bob", SubProduction)
	rg := rgID(SubProduction, prodRG)
	ep := epID(SubProduction, prodRG, "mlw-churn", "churn-aad")
	line := func(principal, role, scope string) string { return principal + " " + role + " " + scope }
	sort := func(s []string) []string { slices.Sort(s); return s }

	atWS := []string{
		line(idBob, roleReader, prodSub),
		line(idAlice, roleReader, rg), line(idOlivia, roleOwner, rg),
		line(idAlice, roleDataScientist, churnScope), line(idScorerSP, roleDataScientist, churnScope),
	}
	// The system-assigned identities of mlw-churn's endpoints got AzureML
	// Metrics Writer on the workspace when they were created.
	for _, name := range []string{"churn-key", "churn-aml"} {
		atWS = append(atWS, line(stableGUID("sai|"+epID(SubProduction, prodRG, "mlw-churn", name)), roleMetricsWriter, churnScope))
	}
	got, err := listRA(t, bob, churnScope, "atScope()")
	if err != nil || !slices.Equal(sort(got), sort(slices.Clone(atWS))) {
		t.Errorf("atScope(): %v\n%q", err, got)
	}
	got, err = listRA(t, bob, churnScope, "")
	if want := append(slices.Clone(atWS), line(idGroupScorers, roleDataScientist, ep)); err != nil || !slices.Equal(sort(got), sort(want)) {
		t.Errorf("at, above and below: %v\n%q", err, got)
	}
	got, err = listRA(t, bob, prodSub, "assignedTo('"+idGary+"')")
	if err != nil || !slices.Equal(got, []string{line(idGroupScorers, roleDataScientist, ep)}) {
		t.Errorf("assignedTo(gary): %v %q", err, got)
	}
	got, err = listRA(t, bob, prodSub, "atScope() and assignedTo('"+idGary+"')")
	if err != nil || len(got) != 0 {
		t.Errorf("atScope() and assignedTo(gary): %v %q", err, got)
	}
	got, err = listRA(t, bob, prodSub, "principalId eq '"+idAlice+"'")
	if want := []string{line(idAlice, roleReader, rg), line(idAlice, roleDataScientist, churnScope)}; err != nil || !slices.Equal(sort(got), sort(want)) {
		t.Errorf("principalId eq alice: %v %q", err, got)
	}
	_, err = listRA(t, bob, prodSub, "roleName eq 'Reader'")
	armtWantErr(t, err, 400, "InvalidQueryParameterValue", "")
	_, err = listRA(t, e.raClient("nina", SubProduction), prodSub, "")
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("nina@contoso.example", idNina, actRoleAssignmentsRead, prodSub))

	// The subscription and resource-group pagers reach the same routes.
	n := 0
	for p := bob.NewListForSubscriptionPager(nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Value)
	}
	// Everything in production: bob, alice x2, olivia, the SP, the group (6),
	// the 3 automatic roles of each of the 5 system-assigned endpoint
	// identities, and the user-assigned identity's Storage Blob Data Reader.
	if n != 6+5*3+1 {
		t.Errorf("ListForSubscription: %d", n)
	}
	n = 0
	for p := bob.NewListForResourceGroupPager(prodRG, nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Value)
	}
	if n != 6+4*3+1 { // rg-ml-prod holds 4 of those endpoints
		t.Errorf("ListForResourceGroup: %d", n)
	}
}

func TestAuthzDenyAssignments(t *testing.T) {
	e := newARMT(t, Options{})
	ctx := armtCtx(t)
	c, err := armauthorization.NewDenyAssignmentsClient(SubProduction, e.cred("bob"), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	keyEp := epID(SubProduction, prodRG, "mlw-churn", "churn-key")
	name := stableGUID("deny|keys")
	list := func(scope, filter string) []*armauthorization.DenyAssignment {
		t.Helper()
		var opts *armauthorization.DenyAssignmentsClientListForScopeOptions
		if filter != "" {
			opts = &armauthorization.DenyAssignmentsClientListForScopeOptions{Filter: to.Ptr(filter)}
		}
		var out []*armauthorization.DenyAssignment
		for p := c.NewListForScopePager(scope, opts); p.More(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, page.Value...)
		}
		return out
	}
	got := list(prodSub, "")
	if len(got) != 1 {
		t.Fatalf("deny assignments in production: %d", len(got))
	}
	d := got[0].Properties
	if *got[0].Name != name || *d.Scope != keyEp || *d.DenyAssignmentName != "Production keys are rotated by the platform team" ||
		*d.Principals[0].ID != rbac.Everyone || *d.ExcludePrincipals[0].ID != idOlivia ||
		*d.Permissions[0].Actions[0] != "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/regenerateKeys/action" {
		t.Errorf("seeded deny: %+v", d)
	}
	if n := len(list(prodSub, "atScope()")); n != 0 {
		t.Errorf("atScope() at the subscription: %d", n)
	}
	if n := len(list(keyEp, "atScope()")); n != 1 {
		t.Errorf("atScope() at the endpoint: %d", n)
	}
	if n := len(list(prodSub, "principalId eq '"+idOlivia+"'")); n != 0 {
		t.Errorf("olivia is excluded, yet %d apply", n)
	}
	if n := len(list(prodSub, "principalId eq '"+idBob+"'")); n != 1 {
		t.Errorf("bob: %d", n)
	}
	if n := len(list(prodSub, "denyAssignmentName eq 'Production keys are rotated by the platform team'")); n != 1 {
		t.Errorf("by name: %d", n)
	}
	rgN := 0
	for p := c.NewListForResourceGroupPager(prodRG, nil); p.More(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rgN += len(page.Value)
	}
	if rgN != 1 {
		t.Errorf("ListForResourceGroup: %d", rgN)
	}
	if g, err := c.Get(ctx, keyEp, name, nil); err != nil || *g.ID != keyEp+"/providers/Microsoft.Authorization/denyAssignments/"+name {
		t.Fatalf("get: %v", err)
	}
	if _, err := c.GetByID(ctx, keyEp+"/providers/Microsoft.Authorization/denyAssignments/"+name, nil); err != nil {
		t.Fatalf("get by id: %v", err)
	}
	_, err = c.Get(ctx, keyEp, raGUID1, nil)
	armtWantErr(t, err, 404, "DenyAssignmentNotFound", "")
	nc, _ := armauthorization.NewDenyAssignmentsClient(SubProduction, e.cred("nina"), e.arm())
	_, err = nc.Get(ctx, keyEp, name, nil)
	armtWantErr(t, err, 403, "AuthorizationFailed", armtForbidden("nina@contoso.example", idNina, actDenyAssignmentsRead, keyEp))
}

// permissionsOf pages a Permissions list into "actions|dataActions" lines.
func permissionsOf(t *testing.T, e *armtEnv, who string, resource ...string) ([]string, error) {
	t.Helper()
	c, err := armauthorization.NewPermissionsClient(SubProduction, e.cred(who), e.arm())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(ps []*armauthorization.Permission) {
		for _, p := range ps {
			out = append(out, strings.Join(derefAll(p.Actions), ",")+"|"+strings.Join(derefAll(p.DataActions), ","))
		}
	}
	if len(resource) == 0 {
		for p := c.NewListForResourceGroupPager(prodRG, nil); p.More(); {
			page, err := p.NextPage(armtCtx(t))
			if err != nil {
				return nil, err
			}
			add(page.Value)
		}
		return out, nil
	}
	for p := c.NewListForResourcePager(resource[0], mlNS, resource[1], resource[2], resource[3], nil); p.More(); {
		page, err := p.NextPage(armtCtx(t))
		if err != nil {
			return nil, err
		}
		add(page.Value)
	}
	return out, nil
}

func TestAuthzPermissions(t *testing.T) {
	e := newARMT(t, Options{})
	reader := "*/read|"
	ds := "Microsoft.MachineLearningServices/workspaces/*/read,"
	got, err := permissionsOf(t, e, "alice")
	if err != nil || !slices.Equal(got, []string{reader}) {
		t.Errorf("alice at rg-ml-prod: %v %q", err, got)
	}
	got, err = permissionsOf(t, e, "alice", prodRG, "", "workspaces", "mlw-churn")
	if err != nil || len(got) != 2 || !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, ds) }) || !slices.Contains(got, reader) {
		t.Errorf("alice at mlw-churn: %v %q", err, got)
	}
	// gary's only role comes through the ml-scorers group, on churn-aad.
	got, err = permissionsOf(t, e, "gary", prodRG, "workspaces/mlw-churn", "onlineEndpoints", "churn-aad")
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0], ds) {
		t.Errorf("gary at churn-aad: %v %q", err, got)
	}
	got, err = permissionsOf(t, e, "gary", prodRG, "workspaces/mlw-churn", "onlineEndpoints", "churn-key")
	if err != nil || len(got) != 0 {
		t.Errorf("gary at churn-key: %v %q", err, got)
	}
	if got, err = permissionsOf(t, e, "nina"); err != nil || len(got) != 0 {
		t.Errorf("nina: %v %q", err, got)
	}
	_, err = permissionsOf(t, e, "alice", prodRG, "", "workspaces", "mlw-nope")
	armtWantErr(t, err, 404, "ResourceNotFound", "")
	code, b := e.get("alice", rgID(SubProduction, "rg-nope")+"/providers/Microsoft.Authorization/permissions?api-version=2022-04-01")
	if c, _ := armtError(t, b); code != 404 || c != "ResourceGroupNotFound" {
		t.Errorf("missing rg: %d %s", code, b)
	}
}

func derefAll(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}

// armtAuthzConformanceCases are the Microsoft.Authorization examples bob
// (Reader on production) can GET, mapped to seeded objects.
func armtAuthzConformanceCases(paged map[string]string) []armtConformance {
	rg := rgID(SubProduction, prodRG)
	keyEp := epID(SubProduction, prodRG, "mlw-churn", "churn-key")
	deny := keyEp + "/providers/Microsoft.Authorization/denyAssignments/" + stableGUID("deny|keys")
	bobRA := prodSub + "/providers/Microsoft.Authorization/roleAssignments/" + seededAssignmentName(idBob, roleReader, prodSub)
	const blobReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" // Storage Blob Data Reader: actions and dataActions
	scoped := []string{"scope", "resourceProviderNamespace", "parentResourcePath", "resourceType"}
	noDataDeny := map[string]string{"Value[].Properties.Permissions[].DataActions[]": "the seeded deny blocks a control-plane action only"}
	return []armtConformance{
		{file: "authorization/GetRoleDefinitionById.json", path: prodSub + "/providers/Microsoft.Authorization/roleDefinitions/" + blobReader,
			model: func() any { return &armauthorization.RoleDefinition{} }},
		{file: "authorization/_2018-01-01-preview/GetRoleDefinitionAtScope.json", drop: scoped,
			path:  prodSub + "/providers/Microsoft.Authorization/roleDefinitions", // Storage Blob Data Reader brings dataActions
			model: func() any { return &armauthorization.RoleDefinitionListResult{} }},
		{file: "authorization/RoleAssignments_Get.json", path: bobRA, drop: scoped,
			model: func() any { return &armauthorization.RoleAssignment{} }},
		{file: "authorization/RoleAssignments_GetById.json", path: bobRA,
			model: func() any { return &armauthorization.RoleAssignment{} }},
		{file: "authorization/RoleAssignments_ListForScope.json", path: prodSub + "/providers/Microsoft.Authorization/roleAssignments", drop: scoped,
			model: func() any { return &armauthorization.RoleAssignmentListResult{} }},
		{file: "authorization/RoleAssignments_ListForResourceGroup.json", path: rg + "/providers/Microsoft.Authorization/roleAssignments",
			model: func() any { return &armauthorization.RoleAssignmentListResult{} }},
		{file: "authorization/_2022-05-01-preview/RoleAssignments_ListForSubscription.json", path: prodSub + "/providers/Microsoft.Authorization/roleAssignments",
			model: func() any { return &armauthorization.RoleAssignmentListResult{} }},
		{file: "authorization/_2022-05-01-preview/RoleAssignments_ListForResource.json", drop: scoped,
			path:  churnScope + "/providers/Microsoft.Authorization/roleAssignments",
			model: func() any { return &armauthorization.RoleAssignmentListResult{} }},
		{file: "authorization/GetDenyAssignmentById.json", path: deny,
			model: func() any { return &armauthorization.DenyAssignment{} }},
		{file: "authorization/GetDenyAssignmentByNameId.json", path: deny, drop: scoped,
			model: func() any { return &armauthorization.DenyAssignment{} }},
		{file: "authorization/GetDenyAssignmentByScope.json", path: prodSub + "/providers/Microsoft.Authorization/denyAssignments", drop: scoped,
			model: func() any { return &armauthorization.DenyAssignmentListResult{} }, exempt: noDataDeny},
		{file: "authorization/GetDenyAssignmentsForResourceGroup.json", path: rg + "/providers/Microsoft.Authorization/denyAssignments",
			model: func() any { return &armauthorization.DenyAssignmentListResult{} }, exempt: noDataDeny},
		{file: "authorization/_2022-05-01-preview/GetAllDenyAssignments.json", path: prodSub + "/providers/Microsoft.Authorization/denyAssignments",
			model: func() any { return &armauthorization.DenyAssignmentListResult{} }, exempt: noDataDeny},
		{file: "authorization/_2022-05-01-preview/GetDenyAssignmentsForResource.json", path: keyEp + "/providers/Microsoft.Authorization/denyAssignments", drop: scoped,
			model: func() any { return &armauthorization.DenyAssignmentListResult{} }, exempt: noDataDeny},
		{file: "authorization/_2018-01-01-preview/GetPermissions.json", path: rg + "/providers/Microsoft.Authorization/permissions",
			model: func() any { return &armauthorization.PermissionGetResult{} }, exempt: paged},
	}
}
