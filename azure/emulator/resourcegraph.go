package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"amlauth-tui/azure/rbac"
)

// resourceGraphHost serves Azure Resource Graph's query API,
// POST /providers/Microsoft.ResourceGraph/resources, for exactly the query
// shapes amlauth-tui sends (azure/resourcegraph.go): the workspaces of the
// asked subscriptions, and the count of one workspace's online endpoints.
// It is not a KQL engine: any other query gets Resource Graph's own
// refusal (400 BadRequest with an InvalidQuery detail). Rows are what the
// caller may read (the resource type's read action at the row's id), as
// Resource Graph filters by the caller's RBAC.
//
// Paging follows https://learn.microsoft.com/azure/governance/resource-graph/concepts/paging-results:
// $top (at most 1,000 rows, 100 by default), $skip, and a $skipToken
// continuing the same query. Throttling follows
// https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests:
// a quota of graphQuota queries per caller per graphQuotaWindow, told in
// x-ms-user-quota-remaining and x-ms-user-quota-resets-after (hh:mm:ss) on
// every answer, and a 429 when it is spent.
type resourceGraphHost struct {
	arm *armHost // RBAC, the ARM headers, authentication

	quotaMu sync.Mutex
	quota   map[string]*rgWindow // caller object id -> this window's use
}

type rgWindow struct {
	start time.Time
	used  int
}

const (
	rgQuota       = 15
	rgQuotaWindow = 5 * time.Second
	rgMaxTop      = 1000
	rgDefaultTop  = 100
	rgMaxCallers  = 10000 // the quota map's bound; a full map drops windows that ended
)

// rgAPIVersions are the stable and preview versions of Resources (the
// query API) that Resource Graph accepts.
var rgAPIVersions = armAPIVersions{namespace: "Microsoft.ResourceGraph", typ: "resources",
	versions: []string{"2024-04-01", "2022-10-01", "2021-06-01-preview", "2021-03-01", "2020-04-01-preview", "2019-04-01"}}

// The queries served, whitespace-normalised (the app's text, azure/resourcegraph.go).
const rgWorkspacesQuery = "resources | where type =~ 'microsoft.machinelearningservices/workspaces'" +
	" | project id, name, resourceGroup, subscriptionId, location, tags," +
	" friendlyName = tostring(properties.friendlyName), description = tostring(properties.description)" +
	" | order by id asc"

var rgEndpointCountQuery = regexp.MustCompile(`^resources \| where type =~ 'microsoft\.machinelearningservices/workspaces/onlineendpoints'` +
	` \| where id startswith '((?:[^'\\]|\\.)*)' \| count$`)

// rgRequest is the QueryRequest body.
type rgRequest struct {
	Subscriptions []string `json:"subscriptions"`
	Query         string   `json:"query"`
	Facets        []any    `json:"facets"`
	Options       struct {
		Top          *int   `json:"$top"`
		Skip         *int   `json:"$skip"`
		SkipToken    string `json:"$skipToken"`
		ResultFormat string `json:"resultFormat"`
	} `json:"options"`
}

type rgResponse struct {
	TotalRecords    int              `json:"totalRecords"`
	Count           int              `json:"count"`
	ResultTruncated string           `json:"resultTruncated"`
	SkipToken       string           `json:"$skipToken,omitempty"`
	Facets          []any            `json:"facets"`
	Data            []map[string]any `json:"data"`
}

func (s *resourceGraphHost) serve(w http.ResponseWriter, r *http.Request) {
	s.arm.armHeaders(w, r)
	c, ok := s.arm.authenticate(w, r, armAudiences...)
	if !ok {
		return
	}
	if r.Method != http.MethodPost {
		armMethodNotAllowed(w, r.Method, map[string]armHandler{http.MethodPost: nil})
		return
	}
	v, ok := armAPIVersion(w, r)
	if !ok {
		return
	}
	if !rgAPIVersions.accepts(v) {
		rgAPIVersions.reject(w, v, "")
		return
	}
	if !s.spend(w, c) {
		return
	}
	var req rgRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil || strings.TrimSpace(req.Query) == "" {
		rgBadRequest(w, "InvalidRequestContent", "The request content was invalid and could not be deserialized: a JSON body with a non-empty query is required.")
		return
	}
	if len(req.Facets) > 0 {
		rgBadRequest(w, "UnsupportedFacets", "The simulated Resource Graph does not compute facets.")
		return
	}
	if f := req.Options.ResultFormat; f != "" && !strings.EqualFold(f, "objectArray") {
		rgBadRequest(w, "UnsupportedResultFormat", "The simulated Resource Graph answers in the objectArray result format only.")
		return
	}
	top := rgDefaultTop
	if t := req.Options.Top; t != nil {
		if *t < 1 || *t > rgMaxTop {
			rgBadRequest(w, "InvalidTopValue", fmt.Sprintf("The $top value must be between 1 and %d.", rgMaxTop))
			return
		}
		top = *t
	}

	q := strings.Join(strings.Fields(req.Query), " ")
	s.arm.mu.RLock()
	rows, ok := s.rows(c, q, req.Subscriptions)
	s.arm.mu.RUnlock()
	if !ok {
		rgInvalidQuery(w, s.arm.now())
		return
	}
	start := 0
	if req.Options.Skip != nil && *req.Options.Skip > 0 {
		start = *req.Options.Skip
	}
	if tok := req.Options.SkipToken; tok != "" {
		after, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !strings.HasPrefix(string(after), "rg:") {
			rgBadRequest(w, "InvalidSkipToken", "The $skipToken is not one this query issued.")
			return
		}
		last := strings.TrimPrefix(string(after), "rg:")
		start = sort.Search(len(rows), func(i int) bool { return strings.ToLower(rows[i]["id"].(string)) > last })
	}
	if rows == nil {
		rows = []map[string]any{} // "data": [], never null
	}
	start = min(start, len(rows))
	end := min(start+top, len(rows))
	res := rgResponse{TotalRecords: len(rows), Count: end - start, ResultTruncated: "false", Facets: []any{}, Data: rows[start:end]}
	if end < len(rows) {
		if id, ok := rows[end-1]["id"].(string); ok && end > start {
			res.SkipToken = base64.RawURLEncoding.EncodeToString([]byte("rg:" + strings.ToLower(id)))
		}
	}
	writeJSON(w, http.StatusOK, res)
}

// rows answers q for the caller over subs (empty: every subscription), in
// id order; false when q is not a shape this host serves. The caller holds
// the world's read lock.
func (s *resourceGraphHost) rows(c *Caller, q string, subs []string) ([]map[string]any, bool) {
	scope := make(map[string]bool, len(subs))
	for _, x := range subs {
		scope[rbac.OrdinalKey(x)] = true
	}
	inScope := func(sub string) bool { return len(subs) == 0 || scope[rbac.OrdinalKey(sub)] }
	w := s.arm.world
	switch {
	case strings.EqualFold(q, rgWorkspacesQuery):
		can := s.readChecks(c)
		type row struct {
			key string // the lower-cased id: the order
			m   map[string]any
		}
		var rows []row
		for _, x := range w.Workspaces {
			id := wsID(x.Subscription, x.ResourceGroup, x.Name)
			if !inScope(x.Subscription) || !can(x.Subscription, actWorkspaceRead, id) {
				continue
			}
			tags := map[string]any{}
			for k, v := range x.Tags {
				tags[k] = v
			}
			rows = append(rows, row{strings.ToLower(id), map[string]any{"id": id, "name": x.Name, "resourceGroup": strings.ToLower(x.ResourceGroup),
				"subscriptionId": x.Subscription, "location": x.Location, "tags": tags,
				"friendlyName": x.FriendlyName, "description": x.Description}})
		}
		slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.key, b.key) })
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			out[i] = r.m
		}
		return out, true
	}
	m := rgEndpointCountQuery.FindStringSubmatch(q)
	if m == nil {
		return nil, false
	}
	prefix := strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(m[1])
	n := 0
	// The prefix names a workspace ("/subscriptions/…/workspaces/{ws}/"): count from its index.
	seg := armSegments(prefix)
	if len(seg) == 8 && strings.HasSuffix(prefix, "/") && inScope(seg[1]) {
		parent := wsID(seg[1], seg[3], seg[7])
		can := s.arm.armCanEach(c, actEndpointRead, parent)
		for _, e := range s.arm.epIndex.sorted(w, seg[1], seg[3], seg[7]) {
			if id := armEndpointID(e); strings.HasPrefix(strings.ToLower(id), strings.ToLower(prefix)) && can(id) {
				n++
			}
		}
	}
	return []map[string]any{{"Count": n}}, true
}

// readChecks returns RBAC's verdict for many rows across subscriptions at
// the cost of the rows, not rows x assignments: a row in subscription X can
// only be granted or denied by an assignment at or above X (the root, a
// management group) or under X, so each row is evaluated against those
// alone. (With 1,000 subscriptions, each with its own assignment, checking
// every row against every assignment was most of a query's time.) The
// caller holds the world's read lock.
func (s *resourceGraphHost) readChecks(c *Caller) func(sub, action, id string) bool {
	w := s.arm.world
	subOf := func(scope string) (string, bool) {
		seg := armSegments(scope)
		if len(seg) >= 2 && strings.EqualFold(seg[0], "subscriptions") {
			return rbac.OrdinalKey(seg[1]), true
		}
		return "", false
	}
	roles, now := s.arm.roleIndex(), s.arm.now()
	var allA []rbac.Assignment
	bySubA := map[string][]rbac.Assignment{}
	for _, a := range w.enforced(now) {
		if sub, ok := subOf(a.Scope); ok {
			bySubA[sub] = append(bySubA[sub], a)
		} else {
			allA = append(allA, a)
		}
	}
	var allD []rbac.DenyAssignment
	bySubD := map[string][]rbac.DenyAssignment{}
	for _, d := range w.Denies {
		if sub, ok := subOf(d.Scope); ok {
			bySubD[sub] = append(bySubD[sub], d)
		} else {
			allD = append(allD, d)
		}
	}
	return func(sub, action, id string) bool {
		k := rbac.OrdinalKey(sub)
		as := append(slices.Clip(allA), bySubA[k]...)
		ds := append(slices.Clip(allD), bySubD[k]...)
		return rbac.Evaluate(rbac.Request{PrincipalID: c.ObjectID, GroupIDs: c.Groups, Action: action, Scope: id, At: now}, as, roles, ds).Allowed
	}
}

// spend counts one query against the caller's quota and writes the
// throttling headers; false (a 429 written) when the window's quota is spent.
func (s *resourceGraphHost) spend(w http.ResponseWriter, c *Caller) bool {
	now := s.arm.now()
	s.quotaMu.Lock()
	if s.quota == nil {
		s.quota = map[string]*rgWindow{}
	}
	win := s.quota[c.ObjectID]
	if win == nil || now.Sub(win.start) >= rgQuotaWindow {
		if len(s.quota) >= rgMaxCallers {
			for k, x := range s.quota {
				if now.Sub(x.start) >= rgQuotaWindow {
					delete(s.quota, k)
				}
			}
		}
		win = &rgWindow{start: now}
		s.quota[c.ObjectID] = win
	}
	ok := win.used < rgQuota
	if ok {
		win.used++
	}
	remaining, reset := rgQuota-win.used, rgQuotaWindow-now.Sub(win.start)
	s.quotaMu.Unlock()
	secs := int((reset + time.Second - 1) / time.Second)
	w.Header().Set("x-ms-user-quota-remaining", fmt.Sprint(remaining))
	w.Header().Set("x-ms-user-quota-resets-after", fmt.Sprintf("%02d:%02d:%02d", secs/3600, secs/60%60, secs%60))
	if !ok {
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		writeJSON(w, http.StatusTooManyRequests, rgErrorBody("RateLimiting", rgSupportText(w, now),
			rgDetail{Code: "RateLimiting", Message: "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. " +
				"Please see https://aka.ms/resourcegraph-throttling for help."}))
	}
	return ok
}

// rgSupportText is the message of Resource Graph's errors: the request's
// timestamp and correlation id, for a support case.
func rgSupportText(w http.ResponseWriter, now time.Time) string {
	return "Please provide below info when asking for support: timestamp = " + now.UTC().Format(time.RFC3339Nano) +
		", correlationId = " + w.Header().Get("x-ms-correlation-request-id") + "."
}

type rgDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func rgErrorBody(code, msg string, details ...rgDetail) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": msg, "details": details}}
}

// rgInvalidQuery is Resource Graph's refusal of a query it cannot run
// (the shape quoted in azure-powershell#9850 and #13762), with a second
// detail saying that this is the simulated service's limit.
func rgInvalidQuery(w http.ResponseWriter, now time.Time) {
	writeJSON(w, http.StatusBadRequest, rgErrorBody("BadRequest", rgSupportText(w, now),
		rgDetail{Code: "InvalidQuery", Message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."},
		rgDetail{Code: "UnsupportedQuery", Message: "The simulated Resource Graph serves only the queries amlauth-tui sends."}))
}

func rgBadRequest(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusBadRequest, rgErrorBody("BadRequest", msg, rgDetail{Code: code, Message: msg}))
}
