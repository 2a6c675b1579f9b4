package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const rgPath = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01"

// rgPost sends a Resource Graph query as who and decodes the answer.
func (e *armtEnv) rgPost(who string, body any) (int, http.Header, map[string]any) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	code, hdr, out := e.do(http.MethodPost, rgPath, e.token(who, armtScope), bytes.NewReader(b), map[string]string{"Content-Type": "application/json"})
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		e.t.Fatalf("not JSON (%d): %s", code, out)
	}
	return code, hdr, m
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "other"
}

// rgWantInvalidQuery checks Resource Graph's refusal of a query it cannot
// run: 400, code BadRequest, the support text, an InvalidQuery detail.
func rgWantInvalidQuery(t *testing.T, code int, m map[string]any) {
	t.Helper()
	e, _ := m["error"].(map[string]any)
	details, _ := e["details"].([]any)
	first, _ := func() (map[string]any, bool) {
		if len(details) == 0 {
			return nil, false
		}
		d, ok := details[0].(map[string]any)
		return d, ok
	}()
	if code != http.StatusBadRequest || e["code"] != "BadRequest" || !strings.HasPrefix(e["message"].(string), "Please provide below info when asking for support: timestamp = ") ||
		first["code"] != "InvalidQuery" || !strings.HasPrefix(first["message"].(string), "Query is invalid.") {
		t.Fatalf("want Resource Graph's InvalidQuery refusal, got %d %v", code, m)
	}
}

// TestResourceGraphConformance replays the spec's examples: the examples'
// own KQL is refused as Resource Graph refuses a query it cannot run; the
// same requests with the app's query answer in the examples' shape (the same
// top-level fields with the same JSON types), and a $skipToken continues
// the query where the page ended.
func TestResourceGraphConformance(t *testing.T) {
	e := newARMT(t, Options{})
	var subs []string
	for _, s := range e.s.world.Subscriptions {
		subs = append(subs, s.ID)
	}
	files, _ := filepath.Glob("testdata/examples/resourcegraph/*.json")
	if len(files) != 5 {
		t.Fatalf("want the 5 Resource Graph examples, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var ex struct {
				Parameters struct {
					Query map[string]any `json:"query"`
				} `json:"parameters"`
				Responses map[string]struct {
					Body map[string]any `json:"body"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(raw, &ex); err != nil {
				t.Fatal(err)
			}
			req := ex.Parameters.Query
			code, _, m := e.rgPost("alice", req)
			if _, facets := req["facets"]; facets {
				if code != http.StatusBadRequest {
					t.Fatalf("facets: want 400, got %d %v", code, m)
				}
				return
			}
			rgWantInvalidQuery(t, code, m)

			// The app's query in the example's envelope.
			req["query"] = rgWorkspacesQuery
			req["subscriptions"] = subs
			if opts, ok := req["options"].(map[string]any); ok {
				if _, cont := opts["$skipToken"]; cont {
					delete(opts, "$skipToken") // first ask for a page, then continue it below
					opts["$top"] = 1
				}
			}
			code, hdr, m := e.rgPost("alice", req)
			if code != http.StatusOK {
				t.Fatalf("the app's query: %d %v", code, m)
			}
			want := ex.Responses["200"].Body
			for k, v := range want {
				if k == "$skipToken" && m["count"].(float64) == m["totalRecords"].(float64) {
					continue // one page held everything
				}
				if jsonKind(m[k]) != jsonKind(v) {
					t.Errorf("field %s: %s, the example has %s", k, jsonKind(m[k]), jsonKind(v))
				}
			}
			for k := range m {
				if _, ok := want[k]; !ok && k != "$skipToken" {
					t.Errorf("field %s is not in the example", k)
				}
			}
			if hdr.Get("x-ms-user-quota-remaining") == "" || hdr.Get("x-ms-user-quota-resets-after") == "" {
				t.Errorf("no throttling headers: %v", hdr)
			}
			if tok, ok := m["$skipToken"].(string); ok {
				first := m["data"].([]any)
				req["options"] = map[string]any{"$skipToken": tok}
				code, _, next := e.rgPost("alice", req)
				if code != http.StatusOK {
					t.Fatalf("next page: %d %v", code, next)
				}
				rest := next["data"].([]any)
				if len(rest) == 0 || rest[0].(map[string]any)["id"] == first[len(first)-1].(map[string]any)["id"] {
					t.Fatalf("the next page did not continue after the first: %v then %v", first, rest)
				}
			}
		})
	}
}

// The app's queries answer only what the caller may read; other queries,
// malformed bodies and $top over 1,000 are refused.
func TestResourceGraphRBACAndRefusals(t *testing.T) {
	e := newARMT(t, Options{ExtraEndpoints: 20})
	var subs []string
	for _, s := range e.s.world.Subscriptions {
		subs = append(subs, s.ID)
	}
	names := func(who string) []string {
		code, _, m := e.rgPost(who, map[string]any{"subscriptions": subs, "query": rgWorkspacesQuery, "options": map[string]any{"$top": 1000}})
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", who, code, m)
		}
		var out []string
		for _, r := range m["data"].([]any) {
			out = append(out, r.(map[string]any)["name"].(string))
		}
		return out
	}
	// What each persona may read, by the ARM list of each subscription.
	for _, who := range []string{"alice", "bob", "olivia", "nina", "gary"} {
		var want []string
		for _, sub := range subs {
			code, b := e.get(who, "/subscriptions/"+sub+"/providers/Microsoft.MachineLearningServices/workspaces?api-version=2024-04-01")
			if code != http.StatusOK {
				continue
			}
			var l struct{ Value []struct{ Name string } }
			_ = json.Unmarshal(b, &l)
			for _, w := range l.Value {
				want = append(want, w.Name)
			}
		}
		got := names(who)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: Resource Graph shows %v, ARM %v", who, got, want)
		}
	}

	ws := "/subscriptions/" + SubSandbox + "/resourcegroups/rg-sandbox/providers/microsoft.machinelearningservices/workspaces/mlw-sandbox/"
	count := "resources | where type =~ 'microsoft.machinelearningservices/workspaces/onlineendpoints' | where id startswith '" + ws + "' | count"
	code, _, m := e.rgPost("alice", map[string]any{"subscriptions": []string{SubSandbox}, "query": count})
	rows, _ := m["data"].([]any)
	var n float64
	for _, x := range e.s.world.Endpoints {
		if strings.EqualFold(x.Workspace, "mlw-sandbox") {
			n++
		}
	}
	if code != http.StatusOK || len(rows) != 1 || rows[0].(map[string]any)["Count"] != n {
		t.Fatalf("count: %d %v, want %v", code, m, n)
	}

	for name, body := range map[string]any{
		"other KQL":         map[string]any{"query": "Resources | project id, name"},
		"injected literal":  map[string]any{"query": strings.Replace(count, ws, ws+"' or 1==1 or id == '", 1)},
		"appended operator": map[string]any{"query": rgWorkspacesQuery + " | take 1"},
	} {
		code, _, m := e.rgPost("alice", body)
		if t.Run(name, func(t *testing.T) { rgWantInvalidQuery(t, code, m) }) {
			continue
		}
	}
	for name, body := range map[string]any{
		"no query": map[string]any{"subscriptions": subs},
		"$top":     map[string]any{"query": rgWorkspacesQuery, "options": map[string]any{"$top": 1001}},
		"token":    map[string]any{"query": rgWorkspacesQuery, "options": map[string]any{"$skipToken": "not-ours"}},
		"table":    map[string]any{"query": rgWorkspacesQuery, "options": map[string]any{"resultFormat": "table"}},
	} {
		if code, _, m := e.rgPost("alice", body); code != http.StatusBadRequest || m["error"] == nil {
			t.Errorf("%s: want 400 with an error, got %d %v", name, code, m)
		}
	}
}

// Resource Graph needs an api-version as every ARM request does (after the
// method: a GET is 405 first).
func TestResourceGraphNeedsAPIVersion(t *testing.T) {
	t.Parallel()
	e := newARMT(t, Options{})
	path := strings.TrimSuffix(rgPath, "?api-version=2024-04-01")
	code, _, b := e.do(http.MethodPost, path, e.token("alice", armtScope), strings.NewReader(`{"query":"resources"}`),
		map[string]string{"Content-Type": "application/json"})
	if c, msg := armtError(t, b); code != http.StatusBadRequest || c != "MissingApiVersionParameter" ||
		msg != "The api-version query parameter (?api-version=) is required for all requests." {
		t.Fatalf("POST without api-version: %d %s", code, b)
	}
	if code, _, b := e.do(http.MethodGet, path, e.token("alice", armtScope), nil, nil); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET without api-version: %d %s", code, b)
	}
}
