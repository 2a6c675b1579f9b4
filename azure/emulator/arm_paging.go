package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// armList is ARM's list envelope (x-ms-pageable, nextLinkName nextLink).
type armList struct {
	Value    []any  `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}

// armSkipParams are the continuation parameters a list accepts: the token
// the emulator writes into nextLink, and the ML SDKs' $skip option (which
// carries the same continuation in the ML API).
var armSkipParams = []string{"$skipToken", "$skip"}

// armLazy is a list item rendered only if it lands on the page written: a
// list of 10,000 endpoints costs one page of JSON per request, not 10,000.
type armLazy func() any

// armWriteList writes one page of items with an absolute nextLink while more
// remain. The page size is the server's, or smaller when the client asked
// for fewer ($top on resource groups and deployments, count on endpoints).
func (s *armHost) armWriteList(w http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	size := s.opts.PageSize
	for _, name := range []string{"$top", "count"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				writeARMError(w, http.StatusBadRequest, "InvalidQueryParameterValue",
					fmt.Sprintf("The value '%s' of query parameter '%s' is not valid: a positive integer is required.", v, name))
				return
			}
			size = min(size, n)
		}
	}
	start := 0
	for _, name := range armSkipParams {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeARMError(w, http.StatusBadRequest, "InvalidQueryParameterValue",
					fmt.Sprintf("The value '%s' of query parameter '%s' is not a continuation token this list issued.", v, name))
				return
			}
			start = n
		}
	}
	start = min(start, len(items))
	end := min(start+size, len(items))
	page := armList{Value: make([]any, 0, end-start)}
	s.mu.RLock() // lazy items read the world
	for _, it := range items[start:end] {
		if f, ok := it.(armLazy); ok {
			it = f()
		}
		page.Value = append(page.Value, it)
	}
	s.mu.RUnlock()
	if end < len(items) {
		page.NextLink = s.url + r.URL.EscapedPath() + "?" + withSkipToken(r.URL.RawQuery, armSkipParams, "$skipToken", end)
	}
	writeJSON(w, http.StatusOK, page)
}

// withSkipToken returns rawQuery with every parameter named in drop removed
// (case-insensitively) and param=n appended. It edits the raw string so the
// client's own encoding of the other parameters (a $filter, say) survives.
func withSkipToken(rawQuery string, drop []string, param string, n int) string {
	return withSkipTokenValue(rawQuery, drop, param, strconv.Itoa(n))
}

// withSkipTokenValue is withSkipToken with an opaque token (a cursor).
func withSkipTokenValue(rawQuery string, drop []string, param, token string) string {
	var keep []string
	for _, kv := range strings.Split(rawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		dropped := false
		for _, d := range drop {
			dropped = dropped || strings.EqualFold(k, d)
		}
		if !dropped {
			keep = append(keep, kv)
		}
	}
	return strings.Join(append(keep, param+"="+url.QueryEscape(token)), "&")
}
