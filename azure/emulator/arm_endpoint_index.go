package emulator

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"amlauth-tui/azure/rbac"
)

// endpointIndex keeps each workspace's endpoints sorted by name, so a page
// of OnlineEndpoints_List costs the page, not the workspace: without it
// every page of 100 re-read, re-checked and re-sorted all endpoints, and a
// 100,000-endpoint list was quadratic. Every change to World.Endpoints
// bumps the generation (changed, under the world's write lock) and the next
// list rebuilds the workspace's index once.
type endpointIndex struct {
	mu   sync.Mutex
	gen  uint64
	byWS map[string]*wsEndpoints // armKey(workspace id) -> sorted endpoints
}

type wsEndpoints struct {
	gen  uint64
	list []*Endpoint // by name, compareFold (names are unique in a workspace, ignoring case)
}

// changed says World.Endpoints changed (an endpoint created, deleted, or a
// test's Mutate): every index is stale.
func (x *endpointIndex) changed() {
	x.mu.Lock()
	x.gen++
	x.byWS = nil
	x.mu.Unlock()
}

// sorted returns ws's endpoints by name. The caller holds the world's read lock.
func (x *endpointIndex) sorted(w *World, sub, rg, ws string) []*Endpoint {
	key := armKey(wsID(sub, rg, ws))
	x.mu.Lock()
	defer x.mu.Unlock()
	if c := x.byWS[key]; c != nil && c.gen == x.gen {
		return c.list
	}
	var list []*Endpoint
	for _, e := range w.Endpoints {
		if rbac.EqualOrdinalIgnoreCase(e.Workspace, ws) && rbac.EqualOrdinalIgnoreCase(e.ResourceGroup, rg) &&
			rbac.EqualOrdinalIgnoreCase(e.Subscription, sub) {
			list = append(list, e)
		}
	}
	sort.Slice(list, func(i, j int) bool { return compareFold(list[i].Name, list[j].Name) < 0 })
	if x.byWS == nil {
		x.byWS = map[string]*wsEndpoints{}
	}
	x.byWS[key] = &wsEndpoints{gen: x.gen, list: list}
	return list
}

// warmEndpointIndex sorts the generated endpoints' workspace in the
// background at start, so a big list's first page does not wait for it.
func (s *core) warmEndpointIndex() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.epIndex.sorted(s.world, SubSandbox, "rg-sandbox", "mlw-sandbox")
}

// endpointCursorPrefix marks a continuation token that names the last
// endpoint written (base64url of "ep:" + name): the next page starts after
// that name, so an endpoint created or deleted between two pages neither
// repeats nor hides another, as an offset would.
const endpointCursorPrefix = "ep:"

func endpointCursor(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(endpointCursorPrefix + name))
}

// armEndpointPage serves OnlineEndpoints_List in its default order (by
// name, no filters) from the index, one page at a time; false leaves the
// other shapes (filters, orderBy) to the full listing.
func (s *armHost) armEndpointPage(w http.ResponseWriter, q *armReq) bool {
	qv := q.r.URL.Query()
	for _, k := range []string{"name", "computeType", "tags", "properties", "orderBy"} {
		if qv.Get(k) != "" {
			return false
		}
	}
	size := s.opts.PageSize
	if v := qv.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return false // armWriteList words the error
		}
		size = min(size, n)
	}
	after, start := "", 0 // the cursor, or (old tokens, the SDK's $skip) an offset
	for _, name := range armSkipParams {
		v := qv.Get(name)
		if v == "" {
			continue
		}
		if b, err := base64.RawURLEncoding.DecodeString(v); err == nil && strings.HasPrefix(string(b), endpointCursorPrefix) {
			after = strings.TrimPrefix(string(b), endpointCursorPrefix)
		} else if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			start = n
		} else {
			return false // armWriteList words the error
		}
	}

	s.armRespond(w, q, func() armOutcome {
		parent := q.scopeThrough("ws")
		if _, miss := s.armWorkspace(q); miss != nil {
			return s.armMissing(q.c, *miss, actEndpointRead, parent)
		}
		list := s.epIndex.sorted(s.world, q.p["sub"], q.p["rg"], q.p["ws"])
		if after != "" {
			start = sort.Search(len(list), func(i int) bool { return compareFold(list[i].Name, after) > 0 })
		}
		can := s.armCanEach(q.c, actEndpointRead, parent)
		page := armList{Value: make([]any, 0, min(size, max(len(list)-start, 0)))}
		last := ""
		i := min(start, len(list))
		for ; i < len(list) && len(page.Value) < size; i++ {
			if e := list[i]; can(armEndpointID(e)) {
				page.Value = append(page.Value, s.armEndpointJSON(e))
				last = e.Name
			}
		}
		// More remain when an item after the page is readable; look only as
		// far as the first one (for a reader of the workspace, the next item).
		more := false
		for j := i; j < len(list) && !more; j++ {
			more = can(armEndpointID(list[j]))
		}
		if len(page.Value) == 0 && !more {
			if o := s.armRefuse(q.c, actEndpointRead, parent); o != nil {
				return *o
			}
		}
		if more {
			page.NextLink = s.url + q.r.URL.EscapedPath() + "?" + withSkipTokenValue(q.r.URL.RawQuery, armSkipParams, "$skipToken", endpointCursor(last))
		}
		return armOutcome{status: http.StatusOK, body: page}
	})
	return true
}
