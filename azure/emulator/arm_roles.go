package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// Microsoft.Authorization: role definitions, role assignments, deny
// assignments and the caller's permissions, shaped as api-version
// 2022-04-01 (armauthorization/v2). These are extension resources: they sit
// under any scope ("{scope}/providers/Microsoft.Authorization/{type}[/{name}]"),
// so they are routed by serveAuthorization before the fixed-shape table.

const authzNS = "Microsoft.Authorization"

// RBAC actions of Microsoft.Authorization, as ARM checks them.
const (
	actRoleAssignmentsRead   = "Microsoft.Authorization/roleAssignments/read"
	actRoleAssignmentsWrite  = "Microsoft.Authorization/roleAssignments/write"
	actRoleAssignmentsDelete = "Microsoft.Authorization/roleAssignments/delete"
	actRoleDefinitionsWrite  = "Microsoft.Authorization/roleDefinitions/write"
	actRoleDefinitionsDelete = "Microsoft.Authorization/roleDefinitions/delete"
	actDenyAssignmentsRead   = "Microsoft.Authorization/denyAssignments/read"
)

// The four types accept the same api-versions as roleAssignments; each is
// named in its own InvalidResourceType refusal.
var (
	apiRoleDefinitions = authzVersions("roleDefinitions")
	apiDenyAssignments = authzVersions("denyAssignments")
	apiPermissions     = authzVersions("permissions")
)

func authzVersions(typ string) *armAPIVersions {
	v := *apiRoleAssignments
	v.typ = typ
	return &v
}

// raMeta is what a role assignment carries beyond rbac.Assignment: it lives
// in armHost.raMeta (under s.mu), keyed by the lower-cased assignment id.
type raMeta struct {
	Condition, ConditionVersion string
	CreatedBy, UpdatedBy        string
	UpdatedOn                   time.Time
	DelegatedMI                 string
}

// authzReq is one routed Microsoft.Authorization request.
type authzReq struct {
	q     *armReq
	scope string // the requested scope, "/" for the tenant root
	typ   string // roleAssignments | roleDefinitions | denyAssignments | permissions
	name  string // "" for the collection
}

type authzHandler func(s *armHost, w http.ResponseWriter, a *authzReq)

// serveAuthorization answers a Microsoft.Authorization path and reports
// whether it did; other paths go on to the fixed routing table.
func (s *armHost) serveAuthorization(w http.ResponseWriter, r *http.Request, c *Caller, seg []string, version string) bool {
	i := -1
	for j := len(seg) - 3; j >= 0; j-- {
		if strings.EqualFold(seg[j], "providers") && strings.EqualFold(seg[j+1], authzNS) {
			i = j
			break
		}
	}
	if i < 0 || len(seg)-i > 4 {
		return false
	}
	a := &authzReq{q: &armReq{r: r, c: c, seg: seg}, scope: "/" + strings.Join(seg[:i], "/")}
	if len(seg)-i == 4 {
		a.name = seg[i+3]
	}
	var versions *armAPIVersions
	var methods map[string]authzHandler
	item := a.name != ""
	switch t := seg[i+2]; {
	case strings.EqualFold(t, "roleAssignments"):
		a.typ, versions = "roleAssignments", apiRoleAssignments
		methods = map[string]authzHandler{http.MethodGet: (*armHost).armListRoleAssignments}
		if item {
			methods = map[string]authzHandler{http.MethodGet: (*armHost).armGetRoleAssignment,
				http.MethodPut: (*armHost).armPutRoleAssignment, http.MethodDelete: (*armHost).armDeleteRoleAssignment}
		}
	case strings.EqualFold(t, "roleDefinitions"):
		a.typ, versions = "roleDefinitions", apiRoleDefinitions
		methods = map[string]authzHandler{http.MethodGet: (*armHost).armListRoleDefinitions}
		if item {
			methods = map[string]authzHandler{http.MethodGet: (*armHost).armGetRoleDefinition,
				http.MethodPut: (*armHost).armPutRoleDefinition, http.MethodDelete: (*armHost).armDeleteRoleDefinition}
		}
	case strings.EqualFold(t, "denyAssignments"):
		a.typ, versions = "denyAssignments", apiDenyAssignments
		methods = map[string]authzHandler{http.MethodGet: (*armHost).armListDenyAssignments}
		if item {
			methods = map[string]authzHandler{http.MethodGet: (*armHost).armGetDenyAssignment}
		}
	case strings.EqualFold(t, "permissions") && !item:
		a.typ, versions = "permissions", apiPermissions
		methods = map[string]authzHandler{http.MethodGet: (*armHost).armListPermissions}
	default:
		return false
	}
	if !versions.accepts(version) {
		versions.reject(w, version, "")
		return true
	}
	h, ok := methods[r.Method]
	if !ok {
		allowed := map[string]armHandler{}
		for m := range methods {
			allowed[m] = nil
		}
		armMethodNotAllowed(w, r.Method, allowed)
		return true
	}
	if !s.authzScopeValid(w, seg[:i]) {
		return true
	}
	if r.Method != http.MethodGet {
		if scopeSub(a.scope) != "" {
			w.Header().Set("x-ms-ratelimit-remaining-subscription-writes", "1199")
		} else {
			w.Header().Set("x-ms-ratelimit-remaining-tenant-writes", "1199")
		}
	}
	h(s, w, a)
	return true
}

// authzScopeValid answers ARM's errors for a malformed or unknown scope.
func (s *armHost) authzScopeValid(w http.ResponseWriter, seg []string) bool {
	if len(seg) >= 2 && strings.EqualFold(seg[0], "subscriptions") && !s.armSubscriptionExists(w, seg[1]) {
		return false
	}
	scope := "/" + strings.Join(seg, "/")
	if _, err := rbac.ParseScope(scope); err != nil {
		if !strings.EqualFold(seg[0], "subscriptions") && !strings.EqualFold(seg[0], "providers") {
			writeARMError(w, http.StatusBadRequest, "MissingSubscription",
				"The request did not have a subscription or a valid tenant level resource provider.")
			return false
		}
		_, rule, _ := strings.Cut(err.Error(), ": ")
		writeARMError(w, http.StatusBadRequest, "InvalidScope", fmt.Sprintf("The scope '%s' is not valid: %s.", scope, rule))
		return false
	}
	return true
}

// armScopeMissing is the 404 for a scope whose resource group, or modelled
// resource, does not exist; nil when it exists (or is of a type the
// emulator does not model). The caller holds s.mu.
func (s *armHost) armScopeMissing(scope string) *armOutcome {
	sc, err := rbac.ParseScope(scope)
	if err != nil || sc.Level < rbac.AtResourceGroup {
		return nil
	}
	if s.world.ResourceGroups[armKey(rgID(sc.Subscription, sc.ResourceGroup))] == nil {
		o := armFail(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", sc.ResourceGroup)
		return &o
	}
	if sc.Level != rbac.AtResource {
		return nil
	}
	if exists, modelled := s.world.HasResource(sc.Provider+"/"+strings.Join(sc.Types, "/"), armKey(scope)); exists || !modelled {
		return nil
	}
	name := sc.Provider
	for i := range sc.Types {
		name += "/" + sc.Types[i] + "/" + sc.Names[i]
	}
	o := armNotFound(name, sc.ResourceGroup)
	return &o
}

// ---- $filter ----------------------------------------------------------------

var (
	reAtScope         = regexp.MustCompile(`(?i)^atScope\(\)$`)
	reAtScopeAndBelow = regexp.MustCompile(`(?i)^atScopeAndBelow\(\)$`)
	reAssignedTo      = regexp.MustCompile(`(?i)^assignedTo\(\s*'((?:[^']|'')*)'\s*\)$`)
	reEq              = regexp.MustCompile(`(?i)^(\w+)\s+eq\s+'((?:[^']|'')*)'$`)
)

// authzFilter is a parsed Microsoft.Authorization $filter.
type authzFilter struct {
	atScope, atScopeAndBelow bool
	assignedTo               string
	eq                       map[string]string // lower-cased property -> value
}

// parseAuthzFilter reads terms joined by "and" (outside quotes); allowed
// lists the eq properties this collection supports.
func parseAuthzFilter(raw string, functions []string, allowed ...string) (authzFilter, error) {
	f := authzFilter{eq: map[string]string{}}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return f, nil
	}
	var terms []string
	inQuote, start := false, 0
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\'':
			inQuote = !inQuote
		case !inQuote && i+5 <= len(raw) && strings.EqualFold(raw[i:i+5], " and "):
			terms = append(terms, raw[start:i])
			start = i + 5
			i += 4
		}
	}
	terms = append(terms, raw[start:])
	supported := "supported filters are " + strings.Join(functions, ", ")
	for _, p := range allowed {
		supported += ", " + p + " eq '{value}'"
	}
	for _, t := range terms {
		t = strings.TrimSpace(t)
		switch {
		case reAtScope.MatchString(t) && slices.Contains(functions, "atScope()"):
			f.atScope = true
		case reAtScopeAndBelow.MatchString(t) && slices.Contains(functions, "atScopeAndBelow()"):
			f.atScopeAndBelow = true
		case reAssignedTo.MatchString(t) && slices.Contains(functions, "assignedTo('{objectId}')"):
			// An object id is a GUID: anything else (quotes smuggling "or
			// true" into the value) is refused, as Azure refuses it.
			f.assignedTo = strings.ReplaceAll(reAssignedTo.FindStringSubmatch(t)[1], "''", "'")
			if !rbac.IsGUID(f.assignedTo) {
				return f, fmt.Errorf("assignedTo() takes an object id (a GUID), not '%s'; %s (combined with 'and')", f.assignedTo, supported)
			}
		case reEq.MatchString(t):
			m := reEq.FindStringSubmatch(t)
			ok := false
			for _, p := range allowed {
				ok = ok || strings.EqualFold(p, m[1])
			}
			if !ok {
				return f, fmt.Errorf("the property '%s' cannot be filtered on: %s (combined with 'and')", m[1], supported)
			}
			v := strings.ReplaceAll(m[2], "''", "'")
			if strings.HasSuffix(strings.ToLower(m[1]), "principalid") && !rbac.IsGUID(v) {
				return f, fmt.Errorf("%s takes an object id (a GUID), not '%s'; %s (combined with 'and')", m[1], v, supported)
			}
			f.eq[strings.ToLower(m[1])] = v
		default:
			return f, fmt.Errorf("'%s' is not a supported filter: %s (combined with 'and')", t, supported)
		}
	}
	return f, nil
}

func badFilter(raw string, err error) armOutcome {
	return armFail(http.StatusBadRequest, "InvalidQueryParameterValue", "The $filter '%s' is invalid: %v.", raw, err)
}

// ---- role definitions -------------------------------------------------------

type armPermissionJSON struct {
	Actions        []string `json:"actions"`
	NotActions     []string `json:"notActions"`
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
}

type armRoleDefinitionJSON struct {
	ID         string                 `json:"id"`
	Name       string                 `json:"name"`
	Type       string                 `json:"type"`
	Properties armRoleDefinitionProps `json:"properties"`
}

type armRoleDefinitionProps struct {
	RoleName         string              `json:"roleName"`
	Type             string              `json:"type"`
	Description      string              `json:"description"`
	AssignableScopes []string            `json:"assignableScopes"`
	Permissions      []armPermissionJSON `json:"permissions"`
}

func armPermissions(ps []rbac.Permission) []armPermissionJSON {
	out := make([]armPermissionJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, armPermissionJSON{Actions: nonNil(p.Actions), NotActions: nonNil(p.NotActions),
			DataActions: nonNil(p.DataActions), NotDataActions: nonNil(p.NotDataActions)})
	}
	return out
}

// roleDefinitionIDAt is a role's id as ARM names it when asked at scope:
// subscription-prefixed under a subscription, tenant-level otherwise.
func roleDefinitionIDAt(scope, guid string) string {
	if sub := scopeSub(scope); sub != "" {
		return "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
	}
	return "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

func roleGUIDOf(r rbac.RoleDefinition) string { return cmp.Or(r.Name, rbac.RoleGUID(r.ID)) }

func armRoleDefinition(r rbac.RoleDefinition, scope string) armRoleDefinitionJSON {
	g := roleGUIDOf(r)
	return armRoleDefinitionJSON{ID: roleDefinitionIDAt(scope, g), Name: g, Type: "Microsoft.Authorization/roleDefinitions",
		Properties: armRoleDefinitionProps{RoleName: r.RoleName, Type: cmp.Or(r.RoleType, "CustomRole"), Description: r.Description,
			AssignableScopes: nonNil(r.AssignableScopes), Permissions: armPermissions(r.Permissions)}}
}

// resetRoleIndex drops the cached role index after a custom role changed
// in place. The caller holds s.mu (write).
func (s *armHost) resetRoleIndex() {
	s.roleMu.Lock()
	s.roleIdx = nil
	s.roleMu.Unlock()
}

// GET {scope}/providers/Microsoft.Authorization/roleDefinitions: every
// built-in role and the custom roles assignable at (or, with
// atScopeAndBelow(), below) scope. Any signed-in caller may read them.
func (s *armHost) armListRoleDefinitions(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		raw := a.q.r.URL.Query().Get("$filter")
		f, err := parseAuthzFilter(raw, []string{"atScopeAndBelow()"}, "roleName", "type")
		if err != nil {
			return badFilter(raw, err)
		}
		var items []any
		for _, r := range s.roles() {
			if r.RoleType != "BuiltInRole" {
				visible := false
				for _, as := range r.AssignableScopes {
					visible = visible || rbac.ScopeContains(as, a.scope) || (f.atScopeAndBelow && rbac.ScopeContains(a.scope, as))
				}
				if !visible {
					continue
				}
			}
			if v, ok := f.eq["rolename"]; ok && !strings.EqualFold(r.RoleName, v) {
				continue
			}
			if v, ok := f.eq["type"]; ok && !strings.EqualFold(cmp.Or(r.RoleType, "CustomRole"), v) {
				continue
			}
			items = append(items, armRoleDefinition(r, a.scope))
		}
		return armItems(items)
	})
}

// GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{id}, which
// is also GetByID (/subscriptions/{sub}/providers/... or /providers/...).
func (s *armHost) armGetRoleDefinition(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		r, ok := s.roleIndex().Role(a.name)
		if !ok {
			return roleDefinitionMissing(a.name)
		}
		return armOK(armRoleDefinition(r, a.scope))
	})
}

func roleDefinitionMissing(id string) armOutcome {
	return armFail(http.StatusNotFound, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", id)
}

// armRoleDefinitionBody is the PUT body (the SDK's RoleDefinition).
type armRoleDefinitionBody struct {
	Name       string `json:"name"`
	Properties *struct {
		RoleName         string                `json:"roleName"`
		Description      string                `json:"description"`
		Type             string                `json:"type"`
		AssignableScopes []string              `json:"assignableScopes"`
		Permissions      *[]*armPermissionJSON `json:"permissions"` // pointers: null is told apart from a block
	} `json:"properties"`
}

// readBody decodes a JSON request body, or says what ARM says about it.
func readBody(r *http.Request, v any) *armOutcome {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		o := armFail(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: '%v'.", err)
		return &o
	}
	return nil
}

// PUT {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}
// creates or replaces a custom role: 201 either way, as the spec says.
func (s *armHost) armPutRoleDefinition(w http.ResponseWriter, a *authzReq) {
	var body armRoleDefinitionBody
	bad := readBody(a.q.r, &body)
	s.armRespondWrite(w, a.q, func() armOutcome {
		if !rbac.IsGUID(a.name) {
			return armFail(http.StatusBadRequest, "InvalidRoleDefinitionId",
				"The role definition ID '%s' is not valid. The role definition ID must be a GUID.", a.name)
		}
		// Azure's rule: "Users that are granted ... the
		// Microsoft.Authorization/roleDefinitions/write permission on all the
		// AssignableScopes of the custom role can create (or update) custom
		// roles for use in those scopes." The URL scope only addresses the
		// role; the assignable scopes are what it grants at. An update needs
		// the permission on every EXISTING assignable scope as well as on
		// every new one: otherwise a holder could widen a role assigned to
		// them (add "*" to it) from a scope they own.
		// https://learn.microsoft.com/azure/role-based-access-control/custom-roles#who-can-create-delete-update-or-view-a-custom-role
		existing, exists := s.roleIndex().Role(a.name)
		if exists && existing.RoleType == "BuiltInRole" {
			return armFail(http.StatusBadRequest, "CannotModifyBuiltInRole",
				"The built-in role '%s' (%s) cannot be modified; create a custom role instead.", existing.RoleName, a.name)
		}
		if exists {
			for _, as := range existing.AssignableScopes {
				if o := s.armRefuse(a.q.c, actRoleDefinitionsWrite, as); o != nil {
					return *o
				}
			}
		}
		if bad != nil {
			return *bad
		}
		if body.Properties == nil || strings.TrimSpace(body.Properties.RoleName) == "" {
			return armFail(http.StatusBadRequest, "RoleDefinitionNameNullOrEmpty", "The role definition name (properties.roleName) cannot be null or empty.")
		}
		p := body.Properties
		if len(p.AssignableScopes) == 0 {
			return armFail(http.StatusBadRequest, "MissingAssignableScopes",
				"A custom role needs at least one assignable scope (properties.assignableScopes), e.g. '/subscriptions/{subscriptionId}'.")
		}
		var scopes []string
		for _, as := range p.AssignableScopes {
			sc, err := rbac.ParseScope(as)
			switch {
			case err != nil:
				_, rule, _ := strings.Cut(err.Error(), ": ")
				return armFail(http.StatusBadRequest, "InvalidAssignableScope", "The assignable scope '%s' is not valid: %s.", as, rule)
			case sc.Level == rbac.AtRoot:
				return armFail(http.StatusBadRequest, "InvalidAssignableScope",
					"The assignable scope '/' is reserved for built-in roles; a custom role names subscriptions, resource groups, resources or management groups.")
			case sc.Subscription != "" && s.world.Subscriptions[strings.ToLower(sc.Subscription)] == nil:
				return armFail(http.StatusBadRequest, "InvalidAssignableScope", "The assignable scope '%s' is not valid: subscription '%s' could not be found.", as, sc.Subscription)
			}
			if miss := s.armScopeMissing(sc.Raw); miss != nil {
				return armFail(http.StatusBadRequest, "InvalidAssignableScope", "The assignable scope '%s' is not valid: %s", as, miss.msg)
			}
			if o := s.armRefuse(a.q.c, actRoleDefinitionsWrite, sc.Raw); o != nil {
				return *o
			}
			scopes = append(scopes, sc.Raw)
		}
		if p.Permissions == nil {
			return armFail(http.StatusBadRequest, "InvalidRequestContent",
				"The request content was invalid: 'properties.permissions' is required and must be a list of permission blocks, not null.")
		}
		var perms []rbac.Permission
		for i, pb := range *p.Permissions {
			if pb == nil {
				return armFail(http.StatusBadRequest, "InvalidRequestContent",
					"The request content was invalid: 'properties.permissions[%d]' is null; a permission block has actions, notActions, dataActions and notDataActions.", i)
			}
			for _, list := range []struct {
				name, code string
				v          []string
			}{{"actions", "InvalidActionOrNotAction", pb.Actions}, {"notActions", "InvalidActionOrNotAction", pb.NotActions},
				{"dataActions", "InvalidDataActionOrNotDataAction", pb.DataActions}, {"notDataActions", "InvalidDataActionOrNotDataAction", pb.NotDataActions}} {
				for j, pat := range list.v {
					if err := rbac.ValidatePattern(pat); err != nil {
						return armFail(http.StatusBadRequest, list.code, "permissions[%d].%s[%d] is invalid: %v.", i, list.name, j, err)
					}
				}
			}
			perms = append(perms, rbac.Permission{Actions: pb.Actions, NotActions: pb.NotActions, DataActions: pb.DataActions, NotDataActions: pb.NotDataActions})
		}
		for _, r := range s.roles() {
			if !strings.EqualFold(roleGUIDOf(r), a.name) && strings.EqualFold(r.RoleName, strings.TrimSpace(p.RoleName)) {
				return armFail(http.StatusConflict, "RoleDefinitionWithSameNameExists",
					"A role definition cannot be updated with a name that already exists. Role '%s' is %s.", r.RoleName, roleGUIDOf(r))
			}
		}
		role := rbac.RoleDefinition{ID: roleDefinitionIDAt(scopes[0], a.name), Name: a.name, RoleName: strings.TrimSpace(p.RoleName),
			Description: p.Description, RoleType: "CustomRole", Permissions: perms, AssignableScopes: scopes}
		idx := slices.IndexFunc(s.world.CustomRoles, func(r rbac.RoleDefinition) bool { return strings.EqualFold(roleGUIDOf(r), a.name) })
		if idx >= 0 {
			s.world.CustomRoles[idx] = role
		} else {
			s.world.CustomRoles = append(s.world.CustomRoles, role)
		}
		s.resetRoleIndex()
		return armOutcome{status: http.StatusCreated, body: armRoleDefinition(role, a.scope)}
	})
}

// DELETE {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}:
// 200 with the deleted role, 204 when there is none.
func (s *armHost) armDeleteRoleDefinition(w http.ResponseWriter, a *authzReq) {
	s.armRespondWrite(w, a.q, func() armOutcome {
		if o := s.armRefuse(a.q.c, actRoleDefinitionsDelete, a.scope); o != nil {
			return *o
		}
		r, ok := s.roleIndex().Role(a.name)
		if !ok {
			return armOutcome{status: http.StatusNoContent}
		}
		if r.RoleType == "BuiltInRole" {
			return armFail(http.StatusBadRequest, "CannotModifyBuiltInRole", "The built-in role '%s' (%s) cannot be deleted.", r.RoleName, a.name)
		}
		for _, as := range r.AssignableScopes {
			if o := s.armRefuse(a.q.c, actRoleDefinitionsDelete, as); o != nil {
				return *o
			}
		}
		n := 0
		for _, x := range s.world.Assignments {
			if strings.EqualFold(rbac.RoleGUID(x.RoleDefinitionID), roleGUIDOf(r)) {
				n++
			}
		}
		if n > 0 {
			return armFail(http.StatusConflict, "RoleDefinitionHasAssignments",
				"There are existing role assignments referencing role '%s' (%d); remove them before deleting the role definition.", r.RoleName, n)
		}
		s.world.CustomRoles = slices.DeleteFunc(s.world.CustomRoles, func(x rbac.RoleDefinition) bool {
			return strings.EqualFold(roleGUIDOf(x), roleGUIDOf(r))
		})
		s.resetRoleIndex()
		return armOK(armRoleDefinition(r, a.scope))
	})
}

// ---- role assignments -------------------------------------------------------

type armRoleAssignmentJSON struct {
	ID         string                 `json:"id"`
	Name       string                 `json:"name"`
	Type       string                 `json:"type"`
	Properties armRoleAssignmentProps `json:"properties"`
}

type armRoleAssignmentProps struct {
	RoleDefinitionID                   string  `json:"roleDefinitionId"`
	PrincipalID                        string  `json:"principalId"`
	PrincipalType                      string  `json:"principalType"`
	Scope                              string  `json:"scope"`
	Description                        *string `json:"description"`
	Condition                          *string `json:"condition"`
	ConditionVersion                   *string `json:"conditionVersion"`
	CreatedOn                          string  `json:"createdOn,omitempty"`
	UpdatedOn                          string  `json:"updatedOn,omitempty"`
	CreatedBy                          *string `json:"createdBy"`
	UpdatedBy                          *string `json:"updatedBy"`
	DelegatedManagedIdentityResourceID *string `json:"delegatedManagedIdentityResourceId"`
}

func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func assignmentID(x rbac.Assignment) string {
	if x.ID != "" {
		return x.ID
	}
	return strings.TrimSuffix(rbac.NormalizeScope(x.Scope), "/") + "/providers/Microsoft.Authorization/roleAssignments/" + x.Name
}

// armRoleAssignment renders an assignment. The caller holds s.mu.
func (s *armHost) armRoleAssignment(x rbac.Assignment) armRoleAssignmentJSON {
	id := assignmentID(x)
	m := s.raMeta[strings.ToLower(id)]
	if m == nil {
		m = &raMeta{}
	}
	j := armRoleAssignmentJSON{ID: id, Name: x.Name, Type: "Microsoft.Authorization/roleAssignments",
		Properties: armRoleAssignmentProps{
			RoleDefinitionID: roleDefinitionIDAt(x.Scope, rbac.RoleGUID(x.RoleDefinitionID)), PrincipalID: x.PrincipalID,
			PrincipalType: cmp.Or(x.PrincipalType, "User"), Scope: rbac.NormalizeScope(x.Scope), Description: strOrNull(x.Description),
			// The assignment's own condition is what enforcement reads; the
			// metadata has it only when it was created through the API.
			Condition: strOrNull(cmp.Or(m.Condition, x.Condition)), ConditionVersion: strOrNull(cmp.Or(m.ConditionVersion, x.ConditionVersion)),
			CreatedBy: strOrNull(m.CreatedBy), UpdatedBy: strOrNull(cmp.Or(m.UpdatedBy, m.CreatedBy)),
			DelegatedManagedIdentityResourceID: strOrNull(m.DelegatedMI)}}
	if !x.CreatedOn.IsZero() {
		j.Properties.CreatedOn = armTimestamp(x.CreatedOn)
		j.Properties.UpdatedOn = armTimestamp(x.CreatedOn)
	}
	if !m.UpdatedOn.IsZero() {
		j.Properties.UpdatedOn = armTimestamp(m.UpdatedOn)
	}
	return j
}

// findAssignment is the index of the assignment named name at scope, or -1.
func (s *armHost) findAssignment(scope, name string) int {
	return slices.IndexFunc(s.world.Assignments, func(x rbac.Assignment) bool {
		return strings.EqualFold(x.Name, name) && rbac.SameScope(x.Scope, scope)
	})
}

func invalidAssignmentName(name string) armOutcome {
	return armFail(http.StatusBadRequest, "InvalidRoleAssignmentId",
		"The role assignment ID '%s' is not valid. The role assignment ID must be a GUID.", name)
}

// GET {scope}/providers/Microsoft.Authorization/roleAssignments/{name}, also GetByID.
func (s *armHost) armGetRoleAssignment(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		if !rbac.IsGUID(a.name) {
			return invalidAssignmentName(a.name)
		}
		if o := s.armRefuse(a.q.c, actRoleAssignmentsRead, a.scope); o != nil {
			return *o
		}
		i := s.findAssignment(a.scope, a.name)
		if i < 0 {
			return armFail(http.StatusNotFound, "RoleAssignmentNotFound", "The role assignment '%s' is not found.", a.name)
		}
		return armOK(s.armRoleAssignment(s.world.Assignments[i]))
	})
}

type armRoleAssignmentBody struct {
	Properties *struct {
		RoleDefinitionID                   string `json:"roleDefinitionId"`
		PrincipalID                        string `json:"principalId"`
		PrincipalType                      string `json:"principalType"`
		Description                        string `json:"description"`
		Condition                          string `json:"condition"`
		ConditionVersion                   string `json:"conditionVersion"`
		DelegatedManagedIdentityResourceID string `json:"delegatedManagedIdentityResourceId"`
	} `json:"properties"`
}

var reRoleDefinitionID = regexp.MustCompile(`(?i)^(?:/subscriptions/([^/]+))?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)$`)

// principalTypes maps directory kinds to ARM's principalType.
var principalTypes = map[string]string{"user": "User", "group": "Group", "servicePrincipal": "ServicePrincipal"}

// PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}, also
// CreateByID: 201 when created, 200 when the same assignment is re-put.
func (s *armHost) armPutRoleAssignment(w http.ResponseWriter, a *authzReq) {
	var body armRoleAssignmentBody
	bad := readBody(a.q.r, &body)
	s.armRespondWrite(w, a.q, func() armOutcome {
		if !rbac.IsGUID(a.name) {
			return invalidAssignmentName(a.name)
		}
		if o := s.armRefuse(a.q.c, actRoleAssignmentsWrite, a.scope); o != nil {
			return *o
		}
		if miss := s.armScopeMissing(a.scope); miss != nil {
			return *miss
		}
		if bad != nil {
			return *bad
		}
		if body.Properties == nil {
			return armFail(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid: 'properties' is required.")
		}
		p := body.Properties
		if !rbac.IsGUID(p.PrincipalID) {
			return armFail(http.StatusBadRequest, "InvalidPrincipalId", "The Principal ID '%s' is not valid. Principal ID must be a GUID.", p.PrincipalID)
		}
		m := reRoleDefinitionID.FindStringSubmatch(strings.TrimSpace(p.RoleDefinitionID))
		if m == nil || !rbac.IsGUID(m[2]) {
			return armFail(http.StatusBadRequest, "InvalidRoleDefinitionId",
				"The role definition ID '%s' is not valid. It is /subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{guid} or /providers/Microsoft.Authorization/roleDefinitions/{guid}.",
				p.RoleDefinitionID)
		}
		if sub := scopeSub(a.scope); m[1] != "" && sub != "" && !strings.EqualFold(m[1], sub) {
			return armFail(http.StatusBadRequest, "InvalidRoleDefinitionId",
				"The role definition ID '%s' is not valid: it names subscription '%s' but the scope '%s' is in subscription '%s'.", p.RoleDefinitionID, m[1], a.scope, sub)
		}
		role, ok := s.roleIndex().Role(m[2])
		if !ok {
			return armFail(http.StatusBadRequest, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", m[2])
		}
		assignable := false
		for _, as := range role.AssignableScopes {
			assignable = assignable || rbac.ScopeContains(as, a.scope)
		}
		if !assignable {
			return armFail(http.StatusBadRequest, "InvalidRoleDefinitionId",
				"The role definition ID '%s' is not valid at scope '%s': role '%s' is assignable only at %s and below.",
				m[2], a.scope, role.RoleName, strings.Join(role.AssignableScopes, ", "))
		}
		kind, _, found := s.world.DirectoryObject(p.PrincipalID)
		if !found {
			return armFail(http.StatusBadRequest, "PrincipalNotFound",
				"Principal %s does not exist in the directory %s. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
				strings.ReplaceAll(p.PrincipalID, "-", ""), s.world.Tenant.ID)
		}
		ptype := principalTypes[kind]
		if p.PrincipalType != "" {
			if !slices.Contains([]string{"User", "Group", "ServicePrincipal", "ForeignGroup", "Device"}, p.PrincipalType) {
				return armFail(http.StatusBadRequest, "InvalidPrincipalType",
					"The principal type '%s' is not valid: it is one of User, Group, ServicePrincipal, ForeignGroup, Device.", p.PrincipalType)
			}
			if p.PrincipalType != ptype {
				return armFail(http.StatusBadRequest, "UnmatchedPrincipalType",
					"The PrincipalId '%s' has type '%s' , which is different from specified PrincipalType '%s'.", strings.ReplaceAll(p.PrincipalID, "-", ""), ptype, p.PrincipalType)
			}
		}
		condVersion := p.ConditionVersion
		if p.Condition != "" && condVersion == "" {
			condVersion = "2.0"
		}
		now := s.now().UTC()
		caller := a.q.c.ObjectID
		if s.raMeta == nil {
			s.raMeta = map[string]*raMeta{}
		}
		if i := s.findAssignment(a.scope, a.name); i >= 0 {
			x := &s.world.Assignments[i]
			if !strings.EqualFold(x.PrincipalID, p.PrincipalID) || !strings.EqualFold(rbac.RoleGUID(x.RoleDefinitionID), m[2]) {
				return armFail(http.StatusBadRequest, "RoleAssignmentUpdateNotPermitted",
					"Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")
			}
			x.Description = p.Description
			x.Condition, x.ConditionVersion = p.Condition, condVersion // what enforcement reads (auth.go decide)
			key := strings.ToLower(assignmentID(*x))
			meta := s.raMeta[key]
			if meta == nil {
				meta = &raMeta{}
				s.raMeta[key] = meta
			}
			meta.Condition, meta.ConditionVersion, meta.UpdatedBy, meta.UpdatedOn = p.Condition, condVersion, caller, now
			if p.DelegatedManagedIdentityResourceID != "" {
				meta.DelegatedMI = p.DelegatedManagedIdentityResourceID
			}
			return armOK(s.armRoleAssignment(*x))
		}
		for _, x := range s.world.Assignments {
			if strings.EqualFold(x.PrincipalID, p.PrincipalID) && strings.EqualFold(rbac.RoleGUID(x.RoleDefinitionID), m[2]) && rbac.SameScope(x.Scope, a.scope) {
				return armFail(http.StatusConflict, "RoleAssignmentExists",
					"The role assignment already exists. The ID of the existing role assignment is %s.", strings.ReplaceAll(x.Name, "-", ""))
			}
		}
		scope := rbac.NormalizeScope(a.scope)
		x := rbac.Assignment{ID: scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.name, Name: a.name, Scope: scope,
			RoleDefinitionID: roleDefinitionIDAt(scope, roleGUIDOf(role)), PrincipalID: p.PrincipalID, PrincipalType: ptype,
			CreatedOn: now, Description: p.Description, Condition: p.Condition, ConditionVersion: condVersion}
		if d := s.opts.PropagationDelay; d > 0 {
			x.EffectiveAt = now.Add(d) // Azure caches grants: new ones take effect later
		}
		s.world.Assignments = append(s.world.Assignments, x)
		s.raMeta[strings.ToLower(x.ID)] = &raMeta{Condition: p.Condition, ConditionVersion: condVersion, CreatedBy: caller,
			UpdatedBy: caller, UpdatedOn: now, DelegatedMI: p.DelegatedManagedIdentityResourceID}
		return armOutcome{status: http.StatusCreated, body: s.armRoleAssignment(x)}
	})
}

// DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{guid},
// also DeleteByID: 200 with the deleted assignment, 204 when there is none.
func (s *armHost) armDeleteRoleAssignment(w http.ResponseWriter, a *authzReq) {
	s.armRespondWrite(w, a.q, func() armOutcome {
		if !rbac.IsGUID(a.name) {
			return invalidAssignmentName(a.name)
		}
		if o := s.armRefuse(a.q.c, actRoleAssignmentsDelete, a.scope); o != nil {
			return *o
		}
		i := s.findAssignment(a.scope, a.name)
		if i < 0 {
			return armOutcome{status: http.StatusNoContent}
		}
		x := s.world.Assignments[i]
		body := s.armRoleAssignment(x)
		s.world.Assignments = slices.Delete(s.world.Assignments, i, i+1)
		delete(s.raMeta, strings.ToLower(assignmentID(x)))
		// Gone from the lists now; enforced until Azure's caches catch up.
		s.world.revoke(x, s.now(), s.opts.PropagationDelay)
		return armOK(body)
	})
}

// GET {scope}/providers/Microsoft.Authorization/roleAssignments: the
// assignments at, above and below scope; $filter atScope() keeps those at or
// above, assignedTo('{id}') those of the principal and its groups,
// principalId eq '{id}' those of exactly that principal.
func (s *armHost) armListRoleAssignments(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		if o := s.armRefuse(a.q.c, actRoleAssignmentsRead, a.scope); o != nil {
			return *o
		}
		if miss := s.armScopeMissing(a.scope); miss != nil {
			return *miss
		}
		raw := a.q.r.URL.Query().Get("$filter")
		f, err := parseAuthzFilter(raw, []string{"atScope()", "assignedTo('{objectId}')"}, "principalId")
		if err != nil {
			return badFilter(raw, err)
		}
		var members map[string]bool
		if f.assignedTo != "" {
			members = map[string]bool{strings.ToLower(f.assignedTo): true}
			for _, g := range s.world.TransitiveGroups(f.assignedTo) {
				members[strings.ToLower(g)] = true
			}
		}
		var list []rbac.Assignment
		for _, x := range s.world.Assignments {
			above := rbac.ScopeContains(x.Scope, a.scope)
			if !above && (f.atScope || !rbac.ScopeContains(a.scope, x.Scope)) {
				continue
			}
			if members != nil && !members[strings.ToLower(x.PrincipalID)] {
				continue
			}
			if v, ok := f.eq["principalid"]; ok && !strings.EqualFold(x.PrincipalID, v) {
				continue
			}
			list = append(list, x)
		}
		slices.SortStableFunc(list, func(p, q rbac.Assignment) int {
			return cmp.Or(cmp.Compare(len(armSegments(p.Scope)), len(armSegments(q.Scope))),
				compareFold(p.Scope, q.Scope), compareFold(p.Name, q.Name))
		})
		return armItemsOf(list, func(x rbac.Assignment) any { return s.armRoleAssignment(x) })
	})
}

// ---- deny assignments -------------------------------------------------------

type armDenyAssignmentJSON struct {
	ID         string                 `json:"id"`
	Name       string                 `json:"name"`
	Type       string                 `json:"type"`
	Properties armDenyAssignmentProps `json:"properties"`
}

type armPrincipalJSON struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type armDenyAssignmentProps struct {
	DenyAssignmentName      string              `json:"denyAssignmentName"`
	Description             string              `json:"description"`
	Permissions             []armPermissionJSON `json:"permissions"`
	Scope                   string              `json:"scope"`
	DoNotApplyToChildScopes bool                `json:"doNotApplyToChildScopes"`
	Principals              []armPrincipalJSON  `json:"principals"`
	ExcludePrincipals       []armPrincipalJSON  `json:"excludePrincipals"`
	IsSystemProtected       bool                `json:"isSystemProtected"`
}

func armPrincipals(ps []rbac.Principal) []armPrincipalJSON {
	out := make([]armPrincipalJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, armPrincipalJSON{ID: p.ID, Type: p.Type})
	}
	return out
}

func armDenyAssignment(d rbac.DenyAssignment) armDenyAssignmentJSON {
	id := cmp.Or(d.ID, strings.TrimSuffix(rbac.NormalizeScope(d.Scope), "/")+"/providers/Microsoft.Authorization/denyAssignments/"+d.Name)
	return armDenyAssignmentJSON{ID: id, Name: d.Name, Type: "Microsoft.Authorization/denyAssignments",
		Properties: armDenyAssignmentProps{DenyAssignmentName: cmp.Or(d.DenyAssignmentName, d.Name), Description: d.Description,
			Permissions: armPermissions(d.Permissions), Scope: rbac.NormalizeScope(d.Scope), DoNotApplyToChildScopes: d.DoNotApplyToChildScopes,
			Principals: armPrincipals(d.Principals), ExcludePrincipals: armPrincipals(d.ExcludePrincipals), IsSystemProtected: d.IsSystemProtected}}
}

// GET {scope}/providers/Microsoft.Authorization/denyAssignments: those at,
// above and below scope ($filter atScope(), denyAssignmentName eq,
// principalId eq / gdprExportPrincipalId eq: the ones that apply to it).
func (s *armHost) armListDenyAssignments(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		if o := s.armRefuse(a.q.c, actDenyAssignmentsRead, a.scope); o != nil {
			return *o
		}
		if miss := s.armScopeMissing(a.scope); miss != nil {
			return *miss
		}
		raw := a.q.r.URL.Query().Get("$filter")
		f, err := parseAuthzFilter(raw, []string{"atScope()"}, "denyAssignmentName", "principalId", "gdprExportPrincipalId")
		if err != nil {
			return badFilter(raw, err)
		}
		principal := cmp.Or(f.eq["principalid"], f.eq["gdprexportprincipalid"])
		var items []any
		for _, d := range s.world.Denies {
			above := rbac.ScopeContains(d.Scope, a.scope)
			if !above && (f.atScope || !rbac.ScopeContains(a.scope, d.Scope)) {
				continue
			}
			if v, ok := f.eq["denyassignmentname"]; ok && !strings.EqualFold(cmp.Or(d.DenyAssignmentName, d.Name), v) {
				continue
			}
			if principal != "" && !s.denyAppliesTo(d, principal) {
				continue
			}
			items = append(items, armDenyAssignment(d))
		}
		return armItems(items)
	})
}

// denyAppliesTo reports whether d covers the principal (directly, through a
// group or as Everyone) without excluding it: the engine's rule. The caller
// holds s.mu.
func (s *armHost) denyAppliesTo(d rbac.DenyAssignment, principal string) bool {
	return rbac.DenyApplies(d, principal, s.world.TransitiveGroups(principal)).Blocks()
}

// GET {scope}/providers/Microsoft.Authorization/denyAssignments/{id}, also GetByID.
func (s *armHost) armGetDenyAssignment(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		if o := s.armRefuse(a.q.c, actDenyAssignmentsRead, a.scope); o != nil {
			return *o
		}
		for _, d := range s.world.Denies {
			if strings.EqualFold(d.Name, a.name) && rbac.SameScope(d.Scope, a.scope) {
				return armOK(armDenyAssignment(d))
			}
		}
		return armFail(http.StatusNotFound, "DenyAssignmentNotFound", "The deny assignment '%s' is not found.", a.name)
	})
}

// ---- permissions ------------------------------------------------------------

// GET .../providers/Microsoft.Authorization/permissions: the caller's own
// permission blocks, one set per role assigned to it (directly or through a
// group) at or above scope, as Azure enforces them now: already propagated,
// and a deleted assignment until its removal has propagated. Any caller may ask.
func (s *armHost) armListPermissions(w http.ResponseWriter, a *authzReq) {
	s.armRespond(w, a.q, func() armOutcome {
		if miss := s.armScopeMissing(a.scope); miss != nil {
			return *miss
		}
		c := a.q.c
		ids := map[string]bool{strings.ToLower(c.ObjectID): true}
		for _, g := range c.Groups {
			ids[strings.ToLower(g)] = true
		}
		now, roles, seen := s.now(), s.roleIndex(), map[string]bool{}
		items := []any{}
		for _, x := range s.world.enforced(now) {
			if !ids[strings.ToLower(x.PrincipalID)] || !rbac.ScopeContains(x.Scope, a.scope) || x.EffectiveAt.After(now) {
				continue
			}
			r, ok := roles.Role(x.RoleDefinitionID)
			if !ok || seen[strings.ToLower(roleGUIDOf(r))] {
				continue
			}
			g := strings.ToLower(roleGUIDOf(r))
			seen[g] = true
			for _, p := range armPermissions(r.Permissions) {
				items = append(items, p)
			}
		}
		return armItems(items)
	})
}
