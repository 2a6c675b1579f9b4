package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
)

// Azure Resource Graph answers one query across many subscriptions: the
// workspaces of 1,000 subscriptions in one paged query instead of 1,000 ARM
// lists. Its data lags ARM by seconds to minutes (it is an index), which is
// fine for finding workspaces; endpoints are still read from ARM.
//
// Paging: at most 1,000 rows a page, continued with $skipToken, the request
// otherwise unchanged; the id column must be projected for stable pages
// (https://learn.microsoft.com/azure/governance/resource-graph/concepts/paging-results).
// Throttling: every answer carries x-ms-user-quota-remaining (queries left in
// the window) and x-ms-user-quota-resets-after (hh:mm:ss until the window
// resets); a 429 carries them too
// (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests,
// "Understand throttling headers").
const (
	graphPageRows = 1000
	// graphBatch: Azure CLI and PowerShell forward at most 1,000
	// subscriptions a query (https://learn.microsoft.com/azure/governance/resource-graph/troubleshoot/general,
	// "Too many subscriptions"); more are queried in batches.
	graphBatch = 1000
	// graphMaxWait is the longest the app waits for Resource Graph's quota
	// before it falls back to the per-subscription lists instead.
	graphMaxWait = 5 * time.Second
)

// The KQL the app sends. The emulator serves exactly these shapes and
// refuses any other query as Resource Graph refuses an invalid one.
const graphWorkspacesQuery = "resources" +
	" | where type =~ 'microsoft.machinelearningservices/workspaces'" +
	" | project id, name, resourceGroup, subscriptionId, location, tags," +
	" friendlyName = tostring(properties.friendlyName), description = tostring(properties.description)" +
	" | order by id asc"

// graphEndpointCountQuery counts a workspace's online endpoints (the
// "about N" of a list still loading).
func graphEndpointCountQuery(ws WorkspaceRef) string {
	return "resources" +
		" | where type =~ 'microsoft.machinelearningservices/workspaces/onlineendpoints'" +
		" | where id startswith " + kqlString(strings.ToLower(ws.ID())+"/") +
		" | count"
}

// kqlString quotes s as a KQL string literal: single quotes, with backslash
// and quote escaped (https://learn.microsoft.com/kusto/query/scalar-data-types/string,
// "String literals").
func kqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// GraphError is Resource Graph refusing or failing a query: why the app
// fell back to the per-subscription lists.
type GraphError struct {
	Status     int           // HTTP status (0: no answer)
	Code       string        // Azure's error code, when given
	RetryAfter time.Duration // how long Resource Graph asked to wait (429, or an exhausted quota)
	Err        error
}

func (e *GraphError) Error() string { return GraphWhy(e) }
func (e *GraphError) Unwrap() error { return e.Err }

// GraphWhy says in a few words why Resource Graph did not answer, for the
// line under a list ("Resource Graph answered 403 (AuthorizationFailed)").
func GraphWhy(err error) string {
	var ge *GraphError
	if !errors.As(err, &ge) {
		return "Resource Graph failed: " + err.Error()
	}
	switch {
	case ge.Status == http.StatusTooManyRequests:
		return fmt.Sprintf("Resource Graph throttled the query (429, retry after %s)", ge.RetryAfter)
	case ge.Status == 0 && ge.RetryAfter > 0:
		return fmt.Sprintf("Resource Graph's query quota is used up for %s", ge.RetryAfter)
	case ge.Status == 0:
		return "Resource Graph did not answer: " + ge.Err.Error()
	case ge.Code != "":
		return fmt.Sprintf("Resource Graph answered %d (%s)", ge.Status, ge.Code)
	}
	return fmt.Sprintf("Resource Graph answered %d", ge.Status)
}

func (s *Session) graphClient() (*armresourcegraph.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rg != nil {
		return s.rg, nil
	}
	// 429 is not retried by the SDK here: the app reads the throttling
	// headers itself, then waits (briefly) or falls back, and says which.
	opts := s.cfg.ARMOptions()
	opts.Retry.StatusCodes = []int{http.StatusRequestTimeout, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	c, err := armresourcegraph.NewClient(s.cred, opts)
	if err != nil {
		return nil, err
	}
	s.rg = c
	return c, nil
}

// graphQuery runs query over subs, every page of it, handing each row to
// row. It waits for Resource Graph's quota (with Config.Polling's clock) at
// most graphMaxWait at a time, and returns how long it waited in all.
func (s *Session) graphQuery(ctx context.Context, subs []string, query string, row func(map[string]any)) (waited time.Duration, err error) {
	c, err := s.graphClient()
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(subs); start += graphBatch {
		batch := subs[start:min(start+graphBatch, len(subs))]
		ids := make([]*string, len(batch))
		for i := range batch {
			ids[i] = &batch[i]
		}
		var skip *string
		throttled := false
		for {
			top := int32(graphPageRows)
			opts := &armresourcegraph.QueryRequestOptions{ResultFormat: to.Ptr(armresourcegraph.ResultFormatObjectArray), SkipToken: skip}
			if skip == nil {
				opts.Top = &top
			}
			q := query
			var raw *http.Response
			resp, err := c.Resources(runtime.WithCaptureResponse(ctx, &raw), armresourcegraph.QueryRequest{Query: &q, Subscriptions: ids, Options: opts}, nil)
			if err != nil {
				ge := graphErr(err)
				// One wait for a 429 that names a short one, then fall back.
				if ge.Status == http.StatusTooManyRequests && !throttled && ge.RetryAfter > 0 && ge.RetryAfter <= graphMaxWait {
					throttled = true
					if err := s.cfg.Polling.wait(ctx, ge.RetryAfter); err != nil {
						return waited, err
					}
					waited += ge.RetryAfter
					continue
				}
				return waited, ge
			}
			throttled = false
			rows, _ := resp.Data.([]any)
			for _, r := range rows {
				if m, ok := r.(map[string]any); ok {
					row(m)
				}
			}
			if resp.SkipToken == nil || *resp.SkipToken == "" {
				break
			}
			skip = resp.SkipToken
			// The quota is spent: wait for its window (briefly) before the next page.
			if raw != nil && raw.Header.Get("x-ms-user-quota-remaining") == "0" {
				d := quotaReset(raw.Header)
				if d > graphMaxWait {
					return waited, &GraphError{RetryAfter: d, Err: errors.New("query quota used up")}
				}
				if err := s.cfg.Polling.wait(ctx, d); err != nil {
					return waited, err
				}
				waited += d
			}
		}
	}
	return waited, nil
}

// graphErr turns a failed query into a GraphError with the status, code and
// the wait Resource Graph asked for (Retry-After, else the quota's reset).
func graphErr(err error) *GraphError {
	ge := &GraphError{Err: err}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		ge.Status, ge.Code = re.StatusCode, re.ErrorCode
		if h := re.RawResponse; h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Header.Get("Retry-After"))); err == nil && n >= 0 {
				ge.RetryAfter = time.Duration(n) * time.Second
			} else {
				ge.RetryAfter = quotaReset(h.Header)
			}
		}
	}
	return ge
}

// quotaReset reads x-ms-user-quota-resets-after (hh:mm:ss); 0 if absent or malformed.
func quotaReset(h http.Header) time.Duration {
	parts := strings.Split(strings.TrimSpace(h.Get("x-ms-user-quota-resets-after")), ":")
	if len(parts) != 3 {
		return 0
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 {
			return 0
		}
		d += time.Duration(n) * unit
	}
	return d
}

// workspacesGraph lists the workspaces of subs with one Resource Graph query.
func (s *Session) workspacesGraph(ctx context.Context, subs []string) (WorkspaceList, error) {
	res := WorkspaceList{Failed: map[string]error{}, Via: ViaResourceGraph}
	waited, err := s.graphQuery(ctx, subs, graphWorkspacesQuery, func(r map[string]any) {
		id := str(r["id"])
		ws := Workspace{ID: id, Location: str(r["location"]), FriendlyName: str(r["friendlyName"]), Description: str(r["description"])}
		ws.Subscription, ws.ResourceGroup, ws.Name = str(r["subscriptionId"]), resourceGroupOf(id), str(r["name"])
		if t, ok := r["tags"].(map[string]any); ok && len(t) > 0 {
			ws.Tags = map[string]string{}
			for k, v := range t {
				ws.Tags[k] = str(v)
			}
		}
		res.Items = append(res.Items, ws)
	})
	if err != nil {
		return res, err
	}
	if waited > 0 {
		res.Note = fmt.Sprintf("waited %s for Resource Graph's query quota", waited)
	}
	sortWorkspaces(res.Items)
	return res, nil
}

// EndpointCount asks Resource Graph how many online endpoints ws has: an
// estimate (Resource Graph lags ARM) for a list still loading.
func (s *Session) EndpointCount(ctx context.Context, ws WorkspaceRef) (int, error) {
	n := -1
	_, err := s.graphQuery(ctx, []string{ws.Subscription}, graphEndpointCountQuery(ws), func(r map[string]any) {
		if f, ok := r["Count"].(float64); ok {
			n = int(f)
		}
	})
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errors.New("Resource Graph's count had no Count column")
	}
	return n, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
