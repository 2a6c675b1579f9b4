package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// armAudiences are the token audiences ARM accepts. Real ARM tokens carry
// either spelling, with or without the trailing slash (ENTRA.md §8), and the
// SDK's default audience is the classic management.core.windows.net one.
var armAudiences = []string{
	"https://management.azure.com", "https://management.azure.com/",
	"https://management.core.windows.net", "https://management.core.windows.net/",
}

// armReq is one routed ARM request.
type armReq struct {
	r   *http.Request
	c   *Caller
	seg []string          // path segments as sent; scopes and messages use the request's casing
	p   map[string]string // route parameters: sub, rg, ws, ep, dep, name
	// at is the index in seg where each parameter sits, so a handler can cut
	// the requested scope of any ancestor ("the workspace this list is under").
	at map[string]int
}

// scopeThrough returns the requested path up to and including parameter name:
// "/subscriptions/S/resourceGroups/R" for "rg".
func (q *armReq) scopeThrough(name string) string {
	return "/" + strings.Join(q.seg[:q.at[name]+1], "/")
}

// apiVersion is the request's api-version (the front door checked it).
func (q *armReq) apiVersion() string { return q.r.URL.Query().Get("api-version") }

// scope is the whole requested path: the resource (or collection) itself.
func (q *armReq) scope() string { return "/" + strings.Join(q.seg, "/") }

type armHandler func(s *armHost, w http.ResponseWriter, q *armReq)

// armRoute is one path template. Literal segments match case-insensitively,
// as ARM does (specs and clients mix resourceGroups/resourcegroups).
type armRoute struct {
	pattern  []string // literals and {param}s
	versions *armAPIVersions
	methods  map[string]armHandler
}

const (
	mlNS = "Microsoft.MachineLearningServices"
	miNS = "Microsoft.ManagedIdentity"
)

// armRoutes is the routing table. Only what the emulator really
// implements is listed: anything else falls to ARM's own 404/405 answers.
var armRoutes = func() []armRoute {
	sub := []string{"subscriptions", "{sub}"}
	rg := append(sub[:2:2], "resourceGroups", "{rg}")
	ws := append(rg[:4:4], "providers", mlNS, "workspaces", "{ws}")
	ep := append(ws[:8:8], "onlineEndpoints", "{ep}")
	dep := append(ep[:10:10], "deployments", "{dep}")
	cat := func(a []string, b ...string) []string { return append(append([]string(nil), a...), b...) }
	get := func(h armHandler) map[string]armHandler { return map[string]armHandler{http.MethodGet: h} }
	post := func(h armHandler) map[string]armHandler { return map[string]armHandler{http.MethodPost: h} }
	return append([]armRoute{
		{[]string{"tenants"}, apiSubscriptions, get((*armHost).armListTenants)},
		{[]string{"subscriptions"}, apiSubscriptions, get((*armHost).armListSubscriptions)},
		{sub, apiSubscriptions, get((*armHost).armGetSubscription)},
		{cat(sub, "resourceGroups"), apiResourceGroups, get((*armHost).armListResourceGroups)},
		{rg, apiResourceGroups, map[string]armHandler{
			http.MethodGet: (*armHost).armGetResourceGroup, http.MethodHead: (*armHost).armHeadResourceGroup}},
		{cat(sub, "providers", mlNS, "workspaces"), apiWorkspaces, get((*armHost).armListWorkspaces)},
		{cat(rg, "providers", mlNS, "workspaces"), apiWorkspaces, get((*armHost).armListWorkspaces)},
		{ws, apiWorkspaces, get((*armHost).armGetWorkspace)},
		{cat(ws, "onlineEndpoints"), apiOnlineEndpoints, get((*armHost).armListEndpoints)},
		{ep, apiOnlineEndpoints, map[string]armHandler{
			http.MethodGet: (*armHost).armGetEndpoint, http.MethodPut: (*armHost).armPutEndpoint,
			http.MethodPatch: (*armHost).armPatchEndpoint, http.MethodDelete: (*armHost).armDeleteEndpoint}},
		{cat(ep, "deployments"), apiOnlineDeployments, get((*armHost).armListDeployments)},
		{dep, apiOnlineDeployments, map[string]armHandler{
			http.MethodGet: (*armHost).armGetDeployment, http.MethodPut: (*armHost).armPutDeployment,
			http.MethodPatch: (*armHost).armPatchDeployment, http.MethodDelete: (*armHost).armDeleteDeployment}},
		{cat(dep, "getLogs"), apiOnlineDeployments, post((*armHost).armGetDeploymentLogs)},
		// Writes and credentials (arm_endpoint_write.go, arm_endpoint_creds.go) and their operations (lro.go).
		{cat(sub, "providers", mlNS, "locations", "{loc}", "mfeOperationsStatus", "{op}"), apiOnlineEndpoints, get((*armHost).armGetOperationStatus)},
		{cat(sub, "providers", mlNS, "locations", "{loc}", "mfeOperationResults", "{op}"), apiOnlineEndpoints, get((*armHost).armGetOperationResult)},
		{cat(ep, "listKeys"), apiOnlineEndpoints, post((*armHost).armListKeys)},
		{cat(ep, "regenerateKeys"), apiOnlineEndpoints, post((*armHost).armRegenerateKeys)},
		{cat(ep, "token"), apiOnlineEndpoints, post((*armHost).armGetToken)},
		{cat(sub, "providers", miNS, "userAssignedIdentities"), apiUserAssignedIdentities, get((*armHost).armListIdentities)},
		{cat(rg, "providers", miNS, "userAssignedIdentities"), apiUserAssignedIdentities, get((*armHost).armListIdentities)},
		{cat(rg, "providers", miNS, "userAssignedIdentities", "{name}"), apiUserAssignedIdentities, get((*armHost).armGetIdentity)},
	}, append(armWorkspaceResourceRoutes(rg), armAssetRoutes(ws)...)...)
}()

// armNamespaces are the providers the emulator knows; other namespaces get
// ARM's InvalidResourceNamespace, known ones with an unknown type get
// InvalidResourceType.
var armNamespaces = []string{mlNS, miNS, "Microsoft.Authorization", "Microsoft.Resources", storageNS, registryNS, keyVaultNS, insightsNS}

// match reports whether seg fits the route, returning parameters and their positions.
func (rt *armRoute) match(seg []string) (map[string]string, map[string]int, bool) {
	if len(seg) != len(rt.pattern) {
		return nil, nil, false
	}
	var p map[string]string
	var at map[string]int
	for i, want := range rt.pattern {
		if strings.HasPrefix(want, "{") {
			if p == nil {
				p, at = map[string]string{}, map[string]int{}
			}
			name := want[1 : len(want)-1]
			p[name], at[name] = seg[i], i
			continue
		}
		if !rbac.EqualOrdinalIgnoreCase(want, seg[i]) {
			return nil, nil, false
		}
	}
	return p, at, true
}

// serveARM is the ARM front door: headers, authentication, api-version,
// routing, then the handler (which authorizes at the resource scope).
func (s *armHost) serveARM(w http.ResponseWriter, r *http.Request) {
	s.armHeaders(w, r)
	c, ok := s.authenticate(w, r, armAudiences...)
	if !ok {
		return
	}
	// ARM checks presence before routing: every request needs it, even an unknown path.
	v, ok := armAPIVersion(w, r)
	if !ok {
		return
	}
	seg := armSegments(r.URL.Path)
	if s.serveAuthorization(w, r, c, seg, v) {
		return
	}
	for i := range armRoutes {
		rt := &armRoutes[i]
		p, at, ok := rt.match(seg)
		if !ok {
			continue
		}
		q := &armReq{r: r, c: c, seg: seg, p: p, at: at}
		if !rt.versions.accepts(v) {
			rt.versions.reject(w, v, s.armLocationOf(q))
			return
		}
		h, ok := rt.methods[r.Method]
		if !ok {
			armMethodNotAllowed(w, r.Method, rt.methods)
			return
		}
		if sub, ok := p["sub"]; ok && !s.armSubscriptionExists(w, sub) {
			return
		}
		h(s, w, q)
		return
	}
	armNoRoute(w, seg, v)
}

// armAPIVersion is the request's api-version, or false after ARM's 400 for
// a request without one.
func armAPIVersion(w http.ResponseWriter, r *http.Request) (string, bool) {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		writeARMError(w, http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
	}
	return v, v != ""
}

// armSegments splits a path into its non-empty segments.
func armSegments(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
}

// armHeaders sets the headers every ARM response carries. Clients quote
// x-ms-request-id and x-ms-correlation-request-id in support cases; the
// correlation id is the caller's when it sent one, as ARM does.
func (s *armHost) armHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	reqID := newGUID()
	corr := r.Header.Get("x-ms-correlation-request-id")
	if corr == "" {
		corr = reqID
	}
	h.Set("x-ms-request-id", reqID)
	h.Set("x-ms-correlation-request-id", corr)
	h.Set("x-ms-routing-request-id", "EMULATOR:"+s.now().UTC().Format("20060102T150405Z")+":"+corr)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		// The budget is not tracked: real values start at 11999 and only
		// matter when a client throttles itself on them.
		if len(armSegments(r.URL.Path)) >= 2 {
			h.Set("x-ms-ratelimit-remaining-subscription-reads", "11999")
		} else {
			h.Set("x-ms-ratelimit-remaining-tenant-reads", "11999")
		}
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "-1")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
}

// armSubscriptionExists answers 400 for a malformed and 404 for an unknown
// subscription id. ARM resolves the subscription (to find its tenant) before
// any authorization, so this comes first.
func (s *armHost) armSubscriptionExists(w http.ResponseWriter, sub string) bool {
	if !rbac.IsGUID(sub) {
		writeARMError(w, http.StatusBadRequest, "InvalidSubscriptionId",
			fmt.Sprintf("The provided subscription identifier '%s' is malformed or invalid.", sub))
		return false
	}
	s.mu.RLock()
	_, ok := s.world.Subscriptions[rbac.OrdinalKey(sub)]
	s.mu.RUnlock()
	if !ok {
		writeARMError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", sub))
	}
	return ok
}

// armLocationOf names the location ARM quotes in NoRegisteredProviderFound:
// the resource group's, when the request is under one that exists.
func (s *armHost) armLocationOf(q *armReq) string {
	if _, ok := q.p["rg"]; !ok {
		return ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if g := s.world.ResourceGroups[rbac.OrdinalKey(q.scopeThrough("rg"))]; g != nil {
		return g.Location
	}
	return ""
}

// armMethodNotAllowed is ARM's answer to a verb a route does not have.
func armMethodNotAllowed(w http.ResponseWriter, method string, methods map[string]armHandler) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete} {
		if _, ok := methods[m]; ok {
			allow = append(allow, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeARMError(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
		fmt.Sprintf("The requested resource does not support http method '%s'.", method))
}

// armNoRoute answers a path no route matched, the way ARM words it: an
// unknown provider namespace, a known namespace without that type, or a path
// that names neither a subscription nor a tenant-level provider.
func armNoRoute(w http.ResponseWriter, seg []string, version string) {
	for i := 0; i+1 < len(seg); i++ {
		if !rbac.EqualOrdinalIgnoreCase(seg[i], "providers") {
			continue
		}
		ns := seg[i+1]
		known := false
		for _, k := range armNamespaces {
			known = known || rbac.EqualOrdinalIgnoreCase(k, ns)
		}
		if !known {
			writeARMError(w, http.StatusBadRequest, "InvalidResourceNamespace", fmt.Sprintf("The resource namespace '%s' is invalid.", ns))
			return
		}
		// The type is every type segment after the namespace: workspaces/onlineEndpoints.
		var types []string
		for j := i + 2; j < len(seg); j += 2 {
			types = append(types, seg[j])
		}
		writeARMError(w, http.StatusNotFound, "InvalidResourceType", fmt.Sprintf(
			"The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", strings.Join(types, "/"), ns, version))
		return
	}
	if len(seg) >= 2 && rbac.EqualOrdinalIgnoreCase(seg[0], "subscriptions") {
		typ := ""
		if len(seg) > 2 {
			typ = seg[2]
		}
		if len(seg) > 4 && rbac.EqualOrdinalIgnoreCase(seg[2], "resourceGroups") {
			typ = seg[4]
		}
		writeARMError(w, http.StatusNotFound, "InvalidResourceType", fmt.Sprintf(
			"The resource type '%s' could not be found in the namespace 'Microsoft.Resources' for api version '%s'.", typ, version))
		return
	}
	writeARMError(w, http.StatusBadRequest, "MissingSubscription",
		"The request did not have a subscription or a valid tenant level resource provider.")
}

// armTimestamp is the RFC 3339 form ARM uses in systemData and createdTime.
func armTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// armOutcome is what a handler decided under the read lock. It is written
// after the lock is released, so a slow client never holds up writers.
type armOutcome struct {
	status    int
	body      any
	list      []any // a collection: paged by armWriteList
	isList    bool
	code, msg string // an ARM error (a 403 among them: armRefuse)
}

func armOK(body any) armOutcome { return armOutcome{status: http.StatusOK, body: body} }
func armItems(items []any) armOutcome {
	return armOutcome{status: http.StatusOK, list: items, isList: true}
}

// armItemsOf is a list whose items are rendered only if they land on the
// page written (armLazy): a list of 10,000 costs one page of JSON.
func armItemsOf[T any](list []T, render func(T) any) armOutcome {
	items := make([]any, len(list))
	for i, x := range list {
		items[i] = armLazy(func() any { return render(x) })
	}
	return armItems(items)
}
func armFail(status int, code, format string, args ...any) armOutcome {
	return armOutcome{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// armRespond runs decide under the read lock and writes its outcome.
func (s *armHost) armRespond(w http.ResponseWriter, q *armReq, decide func() armOutcome) {
	s.mu.RLock()
	o := decide()
	s.mu.RUnlock()
	s.armWriteOutcome(w, q, o)
}

// armRespondWrite is armRespond under the write lock.
func (s *armHost) armRespondWrite(w http.ResponseWriter, q *armReq, decide func() armOutcome) {
	s.mu.Lock()
	o := decide()
	s.mu.Unlock()
	s.armWriteOutcome(w, q, o)
}

// armWriteOutcome writes what a handler decided: the error, a page of the
// list, or the body (none with 204).
func (s *armHost) armWriteOutcome(w http.ResponseWriter, q *armReq, o armOutcome) {
	switch {
	case o.code != "":
		writeARMError(w, o.status, o.code, o.msg)
	case o.isList:
		s.armWriteList(w, q.r, o.list)
	case o.status == http.StatusNoContent:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, o.status, o.body)
	}
}

// armKey is the world's map key for a scope: ARM ids compare case-insensitively.
func armKey(scope string) string { return rbac.OrdinalKey(rbac.NormalizeScope(scope)) }
