package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"amlauth-tui/azure/rbac"
)

// Microsoft Graph v1.0, the part the TUI uses to name principals: the
// signed-in user, user / group / service principal search, ids -> objects,
// and transitive memberships. Any signed-in principal may read the
// directory, as members of a real tenant can by default.

const graphPrefix = "/graph/v1.0"

// graphObj is a directory object as Graph renders it.
type graphObj map[string]any

// graphKind describes one object type: its collection, its properties in
// Graph's default order, and what $filter / $search may name.
type graphKind struct {
	collection string   // "users"
	odataType  string   // "#microsoft.graph.user"
	typeName   string   // "microsoft.graph.user" (in $select errors)
	defaults   []string // the properties returned without $select
	extra      []string // more properties $select may ask for
	filter     graphResource
}

var (
	graphUserKind = &graphKind{collection: "users", odataType: "#microsoft.graph.user", typeName: "microsoft.graph.user",
		defaults: []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
			"preferredLanguage", "surname", "userPrincipalName", "id"},
		extra: []string{"accountEnabled", "userType", "mailNickname", "createdDateTime", "proxyAddresses", "otherMails", "imAddresses"},
		filter: graphResource{name: "User", props: graphProps("id", "displayName", "userPrincipalName", "mail", "givenName",
			"surname", "jobTitle", "mailNickname", "userType"),
			lists: graphProps("businessPhones", "proxyAddresses", "otherMails", "imAddresses")}}
	graphGroupKind = &graphKind{collection: "groups", odataType: "#microsoft.graph.group", typeName: "microsoft.graph.group",
		defaults: []string{"id", "createdDateTime", "description", "displayName", "groupTypes", "mail", "mailEnabled",
			"mailNickname", "securityEnabled", "visibility"},
		extra: []string{"proxyAddresses"},
		filter: graphResource{name: "Group", props: graphProps("id", "displayName", "description", "mail", "mailNickname"),
			lists: graphProps("groupTypes", "proxyAddresses")}}
	graphSPKind = &graphKind{collection: "servicePrincipals", odataType: "#microsoft.graph.servicePrincipal", typeName: "microsoft.graph.servicePrincipal",
		defaults: []string{"id", "accountEnabled", "alternativeNames", "appDisplayName", "appId", "appOwnerOrganizationId",
			"displayName", "servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags"},
		filter: graphResource{name: "ServicePrincipal", props: graphProps("id", "appId", "displayName", "servicePrincipalType"),
			lists: graphProps("servicePrincipalNames", "alternativeNames", "tags")}}
)

func graphProps(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}

// serveGraph routes /graph/v1.0/... after authenticating a Graph token.
func (s *graphHost) serveGraph(w http.ResponseWriter, r *http.Request) {
	reqID := newGUID()
	w.Header().Set("request-id", reqID)
	w.Header().Set("client-request-id", cmp.Or(r.Header.Get("client-request-id"), reqID))
	c, ok := s.authenticate(w, r, graphAudiences...)
	if !ok {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, graphPrefix+"/")
	if !ok {
		version, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/graph/"), "/")
		writeGraphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid version: %s", version))
		return
	}
	seg := armSegments(rest)
	if len(seg) == 0 {
		writeGraphError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment ''.")
		return
	}
	g := &graphReq{w: w, r: r, c: c, s: s}
	switch {
	case len(seg) == 1 && seg[0] == "me":
		g.only(http.MethodGet, g.me)
	case len(seg) == 1 && graphKindOf(seg[0]) != nil:
		k := graphKindOf(seg[0])
		g.only(http.MethodGet, func() { g.list(k) })
	case len(seg) == 2 && seg[0] == "directoryObjects" && seg[1] == "getByIds":
		g.only(http.MethodPost, g.getByIds)
	case len(seg) == 2 && (graphKindOf(seg[0]) != nil || seg[0] == "directoryObjects"):
		g.only(http.MethodGet, func() { g.get(seg[0], seg[1]) })
	case len(seg) == 2 && seg[0] == "me" && seg[1] == "getMemberObjects":
		g.only(http.MethodPost, func() { g.memberObjects("me", "") })
	case len(seg) == 3 && seg[2] == "getMemberObjects" && (graphKindOf(seg[0]) != nil || seg[0] == "directoryObjects"):
		g.only(http.MethodPost, func() { g.memberObjects(seg[0], seg[1]) })
	default:
		writeGraphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", graphFirstUnknown(seg)))
	}
}

// graphKindOf maps a collection segment to its kind (Graph segments are case-sensitive).
func graphKindOf(collection string) *graphKind {
	for _, k := range []*graphKind{graphUserKind, graphGroupKind, graphSPKind} {
		if k.collection == collection {
			return k
		}
	}
	return nil
}

// graphFirstUnknown names the segment Graph would complain about.
func graphFirstUnknown(seg []string) string {
	if seg[0] != "me" && seg[0] != "directoryObjects" && graphKindOf(seg[0]) == nil {
		return seg[0]
	}
	return seg[len(seg)-1]
}

// graphReq is one routed Graph request.
type graphReq struct {
	w http.ResponseWriter
	r *http.Request
	c *Caller
	s *graphHost
}

func (g *graphReq) only(method string, h func()) {
	if g.r.Method != method {
		g.w.Header().Set("Allow", method)
		writeGraphError(g.w, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		return
	}
	h()
}

func (g *graphReq) context(fragment string) string {
	return g.s.url + graphPrefix + "/$metadata#" + fragment
}

// notFound is Graph's 404 for an unknown id, in its own words.
func (g *graphReq) notFound(id string) {
	writeGraphError(g.w, http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

// GET /me: the signed-in user. App-only tokens have no "me".
func (g *graphReq) me() {
	if g.c.Kind == "app" {
		writeGraphError(g.w, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
		return
	}
	g.get("users", g.c.ObjectID)
}

// get answers GET /{collection}/{id}; users may also be named by UPN.
func (g *graphReq) get(collection, id string) {
	sel, err := g.selectOption(graphKindOf(collection))
	if err != nil {
		graphWriteQueryError(g.w, err)
		return
	}
	g.s.mu.RLock()
	k, obj := g.s.graphLookup(collection, id)
	g.s.mu.RUnlock()
	if obj == nil {
		g.notFound(id)
		return
	}
	if collection == "directoryObjects" {
		out := graphProject(obj, k, nil)
		out["@odata.type"] = k.odataType
		out["@odata.context"] = g.context("directoryObjects/$entity")
		writeJSON(g.w, http.StatusOK, out)
		return
	}
	out := graphProject(obj, k, sel)
	out["@odata.context"] = g.context(k.collection + graphSelectSuffix(sel) + "/$entity")
	writeJSON(g.w, http.StatusOK, out)
}

// graphLookup finds a directory object by id (any collection for
// directoryObjects) or, for users, by UPN. The caller holds s.mu (read).
func (s *graphHost) graphLookup(collection, id string) (*graphKind, graphObj) {
	key := rbac.OrdinalKey(id)
	if collection == "users" || collection == "directoryObjects" {
		u := s.world.Users[key]
		if u == nil && collection == "users" {
			u = s.world.userByUPN(id)
		}
		if u != nil {
			return graphUserKind, s.graphUser(u)
		}
	}
	if gr := s.world.Groups[key]; gr != nil && (collection == "groups" || collection == "directoryObjects") {
		return graphGroupKind, s.graphGroup(gr)
	}
	if sp := s.world.ServicePrincipals[key]; sp != nil && (collection == "servicePrincipals" || collection == "directoryObjects") {
		return graphSPKind, s.graphSP(sp)
	}
	return nil, nil
}

func (s *graphHost) graphUser(u *User) graphObj {
	nick, _, _ := strings.Cut(u.UserPrincipalName, "@")
	return graphObj{
		"id": u.ID, "businessPhones": []string{}, "displayName": u.DisplayName, "givenName": nullable(u.GivenName),
		"jobTitle": nullable(u.JobTitle), "mail": nullable(u.Mail), "mobilePhone": nil, "officeLocation": nil,
		"preferredLanguage": nil, "surname": nullable(u.Surname), "userPrincipalName": u.UserPrincipalName,
		"accountEnabled": true, "userType": "Member", "mailNickname": nick, "createdDateTime": nil,
		"proxyAddresses": graphProxyAddresses(u.Mail), "otherMails": []string{}, "imAddresses": []string{},
	}
}

func (s *graphHost) graphGroup(gr *Group) graphObj {
	return graphObj{
		"id": gr.ID, "createdDateTime": nil, "description": nullable(gr.Description), "displayName": gr.DisplayName,
		"groupTypes": []string{}, "mail": nil, "mailEnabled": false, "mailNickname": graphNickname(gr.DisplayName),
		"securityEnabled": true, "visibility": nil, "proxyAddresses": []string{},
	}
}

// graphProxyAddresses is a mailbox's primary SMTP address as Exchange lists it.
func graphProxyAddresses(mail string) []string {
	if mail == "" {
		return []string{}
	}
	return []string{"SMTP:" + mail}
}

func (s *graphHost) graphSP(sp *ServicePrincipal) graphObj {
	names := append([]string{sp.AppID}, sp.AlternativeNames...)
	audience := "AzureADMyOrg"
	if sp.ServicePrincipalType == "ManagedIdentity" {
		audience = ""
	}
	return graphObj{
		"id": sp.ID, "accountEnabled": true, "alternativeNames": nonNil(sp.AlternativeNames), "appDisplayName": nullable(sp.DisplayName),
		"appId": sp.AppID, "appOwnerOrganizationId": s.world.Tenant.ID, "displayName": sp.DisplayName,
		"servicePrincipalNames": names, "servicePrincipalType": cmp.Or(sp.ServicePrincipalType, "Application"),
		"signInAudience": nullable(audience), "tags": []string{},
	}
}

// graphNickname is a mail nickname made of the name's letters and digits.
func graphNickname(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, name)
}

// nullable renders "" as JSON null, as Graph does for unset properties.
func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// graphProject keeps the selected properties (or the defaults).
func graphProject(obj graphObj, k *graphKind, sel []string) graphObj {
	if sel == nil {
		sel = k.defaults
	}
	out := make(graphObj, len(sel)+2)
	for _, p := range sel {
		out[p] = obj[p]
	}
	return out
}

func graphSelectSuffix(sel []string) string {
	if sel == nil {
		return ""
	}
	return "(" + strings.Join(sel, ",") + ")"
}

// selectOption parses $select into canonical property names (nil: defaults).
func (g *graphReq) selectOption(k *graphKind) ([]string, error) {
	raw := g.r.URL.Query().Get("$select")
	if raw == "" || k == nil {
		return nil, nil
	}
	var out []string
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		canon := ""
		for _, known := range append(append([]string(nil), k.defaults...), k.extra...) {
			if strings.EqualFold(known, p) {
				canon = known
			}
		}
		if canon == "" {
			return nil, &graphQueryError{"BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", p, k.typeName)}
		}
		if !slices.Contains(out, canon) {
			out = append(out, canon)
		}
	}
	return out, nil
}

func graphWriteQueryError(w http.ResponseWriter, err error) {
	if qe, ok := err.(*graphQueryError); ok {
		writeGraphError(w, http.StatusBadRequest, qe.code, qe.message)
		return
	}
	writeGraphError(w, http.StatusBadRequest, "BadRequest", err.Error())
}

// list answers GET /users, /groups, /servicePrincipals with $filter,
// $search (advanced: needs ConsistencyLevel: eventual), $count, $orderby,
// $select, $top and @odata.nextLink paging.
func (g *graphReq) list(k *graphKind) {
	q := g.r.URL.Query()
	advanced := strings.EqualFold(g.r.Header.Get("ConsistencyLevel"), "eventual")
	var conds []graphCond
	if f := q.Get("$filter"); q.Has("$filter") {
		c, err := parseGraphFilter(f, k.filter, advanced)
		if err != nil {
			graphWriteQueryError(g.w, err)
			return
		}
		conds = append(conds, c)
	}
	if q.Has("$search") {
		if !advanced {
			writeGraphError(g.w, http.StatusBadRequest, "Request_UnsupportedQuery",
				"Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
			return
		}
		c, err := parseGraphSearch(q.Get("$search"), k.filter)
		if err != nil {
			graphWriteQueryError(g.w, err)
			return
		}
		conds = append(conds, c)
	}
	count := strings.EqualFold(q.Get("$count"), "true")
	if count && !advanced {
		writeGraphError(g.w, http.StatusBadRequest, "Request_UnsupportedQuery", "$count"+graphAdvancedHint)
		return
	}
	sel, err := g.selectOption(k)
	if err != nil {
		graphWriteQueryError(g.w, err)
		return
	}
	size := g.s.opts.PageSize
	if t := q.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 999 {
			writeGraphError(g.w, http.StatusBadRequest, "Request_UnsupportedQuery",
				fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", t))
			return
		}
		size = n
	}
	order, desc, err := graphOrderBy(q.Get("$orderby"), k)
	if err != nil {
		graphWriteQueryError(g.w, err)
		return
	}
	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			writeGraphError(g.w, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid $skiptoken '%s': use @odata.nextLink as given.", tok))
			return
		}
		start = n
	}

	g.s.mu.RLock()
	objs := g.s.graphCollection(k)
	g.s.mu.RUnlock()
	matched := objs[:0]
	for _, o := range objs {
		if (graphAnd(conds)).eval(func(p string) any { return o[p] }) {
			matched = append(matched, o)
		}
	}
	slices.SortStableFunc(matched, func(a, b graphObj) int {
		x, _ := a[order].(string)
		y, _ := b[order].(string)
		c := strings.Compare(strings.ToLower(x), strings.ToLower(y))
		if desc {
			c = -c
		}
		return c
	})
	start = min(start, len(matched))
	end := min(start+size, len(matched))
	value := make([]graphObj, 0, end-start)
	for _, o := range matched[start:end] {
		value = append(value, graphProject(o, k, sel))
	}
	out := map[string]any{"@odata.context": g.context(k.collection + graphSelectSuffix(sel)), "value": value}
	if count {
		out["@odata.count"] = len(matched)
	}
	if end < len(matched) {
		out["@odata.nextLink"] = g.s.url + g.r.URL.EscapedPath() + "?" + withSkipToken(g.r.URL.RawQuery, []string{"$skiptoken"}, "$skiptoken", end)
	}
	writeJSON(g.w, http.StatusOK, out)
}

// graphCollection renders every object of kind k. The caller holds s.mu (read).
func (s *graphHost) graphCollection(k *graphKind) []graphObj {
	var out []graphObj
	switch k {
	case graphUserKind:
		for _, u := range s.world.Users {
			out = append(out, s.graphUser(u))
		}
	case graphGroupKind:
		for _, gr := range s.world.Groups {
			out = append(out, s.graphGroup(gr))
		}
	default:
		for _, sp := range s.world.ServicePrincipals {
			out = append(out, s.graphSP(sp))
		}
	}
	// A stable base order (by id) keeps pages consistent whatever the sort key.
	slices.SortFunc(out, func(a, b graphObj) int { return strings.Compare(a["id"].(string), b["id"].(string)) })
	return out
}

// graphOrderBy parses "$orderby=displayName [asc|desc]"; the default order is displayName.
func graphOrderBy(raw string, k *graphKind) (prop string, desc bool, err error) {
	if raw == "" {
		return "displayName", false, nil
	}
	f := strings.Fields(raw)
	canon, ok := k.filter.props[strings.ToLower(f[0])]
	if !ok || len(f) > 2 || (len(f) == 2 && !strings.EqualFold(f[1], "asc") && !strings.EqualFold(f[1], "desc")) {
		return "", false, &graphQueryError{"Request_UnsupportedQuery", fmt.Sprintf("Unsupported sort property or direction in $orderby '%s'.", raw)}
	}
	return canon, len(f) == 2 && strings.EqualFold(f[1], "desc"), nil
}

// graphReadBody decodes a JSON request body, with Graph's words for a bad one.
func (g *graphReq) readBody(v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(g.w, g.r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeGraphError(g.w, http.StatusBadRequest, "BadRequest",
			"Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return false
	}
	return true
}

// graphDirectoryTypes are the types getByIds' "types" may name, lower-cased:
// "Any object that derives from directoryObject may be specified ... The
// values are not case-sensitive" (https://learn.microsoft.com/graph/api/directoryobject-getbyids,
// "Request body"); the list is directoryObject and its v1.0 derived types
// (https://learn.microsoft.com/graph/api/resources/directoryobject). `az`
// always sends user, group, servicePrincipal, directoryObjectPartnerReference.
// The emulated directory holds only users, groups and service principals:
// the other types are valid and find nothing.
var graphDirectoryTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{"directoryObject", "user", "group", "servicePrincipal", "application", "device",
		"orgContact", "directoryRole", "directoryRoleTemplate", "administrativeUnit", "appRoleAssignment",
		"contract", "directoryObjectPartnerReference", "endpoint", "extensionProperty", "groupSettingTemplate",
		"organization", "resourceSpecificPermissionGrant", "multiTenantOrganizationMember", "policyBase",
		"appManagementPolicy", "authorizationPolicy", "claimsMappingPolicy", "homeRealmDiscoveryPolicy",
		"identitySecurityDefaultsEnforcementPolicy", "permissionGrantPolicy", "tokenIssuancePolicy",
		"tokenLifetimePolicy", "activityBasedTimeoutPolicy", "crossTenantAccessPolicy", "tenantAppManagementPolicy",
		"featureRolloutPolicy", "stsPolicy", "certificateBasedAuthPki", "certificateAuthorityDetail"} {
		m[strings.ToLower(t)] = true
	}
	return m
}()

// POST /directoryObjects/getByIds {"ids":[…],"types":[…]}: the objects that
// exist, each with @odata.type; unknown ids are left out, as Graph does.
func (g *graphReq) getByIds() {
	var body struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if !g.readBody(&body) {
		return
	}
	if len(body.IDs) == 0 || len(body.IDs) > 1000 {
		writeGraphError(g.w, http.StatusBadRequest, "Request_BadRequest", "The 'ids' parameter must contain between 1 and 1000 object ids.")
		return
	}
	want := map[string]bool{}
	for _, t := range body.Types {
		lt := strings.ToLower(t)
		if !graphDirectoryTypes[lt] {
			writeGraphError(g.w, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid type '%s' specified.", t))
			return
		}
		want[lt] = true
	}
	for _, id := range body.IDs {
		if !rbac.IsGUID(id) {
			writeGraphError(g.w, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid object identifier '%s'.", id))
			return
		}
	}
	value := []graphObj{}
	g.s.mu.RLock()
	for _, id := range body.IDs {
		k, obj := g.s.graphLookup("directoryObjects", id)
		if obj == nil || (len(body.Types) > 0 && !want["directoryobject"] && !want[strings.ToLower(strings.TrimPrefix(k.odataType, "#microsoft.graph."))]) {
			continue
		}
		out := graphProject(obj, k, nil)
		out["@odata.type"] = k.odataType
		value = append(value, out)
	}
	g.s.mu.RUnlock()
	writeJSON(g.w, http.StatusOK, map[string]any{"@odata.context": g.context("directoryObjects"), "value": value})
}

// POST /{users|servicePrincipals|directoryObjects}/{id}/getMemberObjects and
// /me/getMemberObjects: the transitive group ids (every emulated group is a
// security group, so securityEnabledOnly changes nothing).
func (g *graphReq) memberObjects(collection, id string) {
	var body struct {
		SecurityEnabledOnly *bool `json:"securityEnabledOnly"`
	}
	if !g.readBody(&body) {
		return
	}
	if body.SecurityEnabledOnly == nil {
		writeGraphError(g.w, http.StatusBadRequest, "Request_BadRequest", "The parameter 'securityEnabledOnly' is required.")
		return
	}
	if collection == "me" {
		if g.c.Kind == "app" {
			writeGraphError(g.w, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
			return
		}
		collection, id = "users", g.c.ObjectID
	}
	g.s.mu.RLock()
	_, obj := g.s.graphLookup(collection, id)
	var groups []string
	if obj != nil {
		groups = g.s.world.TransitiveGroups(obj["id"].(string))
	}
	g.s.mu.RUnlock()
	if obj == nil {
		g.notFound(id)
		return
	}
	writeJSON(g.w, http.StatusOK, map[string]any{"@odata.context": g.context("Collection(Edm.String)"), "value": nonNil(groups)})
}
