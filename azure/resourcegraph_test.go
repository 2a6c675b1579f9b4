package azure_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/azure/rbac"
)

// scaleWorld starts an emulator (opts) where alice reads nsubs extra
// subscriptions, each holding perSub workspaces, and signs her in with cfg
// changed by tune. It returns the session and the subscription ids.
func scaleWorld(tb testing.TB, opts emulator.Options, nsubs, perSub int, tune func(*azure.Config)) (*azure.Session, []string) {
	tb.Helper()
	s, err := emulator.Start(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	cfg, err := azure.EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	if err != nil {
		tb.Fatal(err)
	}
	if tune != nil {
		tune(&cfg)
	}
	var alice emulator.PersonaInfo
	for _, p := range s.Personas() {
		if p.Key == "alice" {
			alice = p
		}
	}
	ids := make([]string, nsubs)
	s.Mutate(func(w *emulator.World) {
		created := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
		for i := range ids {
			sub := fmt.Sprintf("e0000000-0000-4000-8000-%012d", i)
			ids[i] = sub
			subScope := "/subscriptions/" + sub
			w.Subscriptions[strings.ToLower(sub)] = &emulator.Subscription{ID: sub, DisplayName: fmt.Sprintf("Scale %04d", i), State: "Enabled"}
			w.ResourceGroups[strings.ToLower(subScope+"/resourceGroups/rg-scale")] = &emulator.ResourceGroup{Subscription: sub, Name: "rg-scale", Location: "eastus"}
			for j := range perSub {
				name := fmt.Sprintf("mlw-scale-%04d-%02d", i, j)
				w.Workspaces[strings.ToLower(subScope+"/resourceGroups/rg-scale"+fanOutWorkspace+name)] = &emulator.Workspace{
					Subscription: sub, ResourceGroup: "rg-scale", Name: name, Location: "eastus", FriendlyName: "Scale " + name,
					Tags: map[string]string{"team": "scale"}, CreatedAt: created}
			}
			ra := fmt.Sprintf("ea000000-0000-4000-8000-%012d", i)
			w.Assignments = append(w.Assignments, rbac.Assignment{
				ID: subScope + "/providers/Microsoft.Authorization/roleAssignments/" + ra, Name: ra, Scope: subScope,
				RoleDefinitionID: subScope + "/providers/Microsoft.Authorization/roleDefinitions/" + readerRoleGUID,
				PrincipalID:      alice.ObjectID, PrincipalType: "User", CreatedOn: created,
			})
		}
	})
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess, err := azure.SignIn(c, cfg, azure.SignInOptions{Method: azure.MethodPersona,
		Persona: azure.Persona{Key: alice.Key, Name: alice.Name, UPN: alice.UPN, Password: alice.Password, Story: alice.Story}})
	if err != nil {
		tb.Fatal(err)
	}
	return sess, ids
}

func workspaceIDs(items []azure.Workspace) []string {
	out := make([]string, len(items))
	for i, w := range items {
		out[i] = strings.ToLower(w.ID)
	}
	slices.Sort(out)
	return out
}

// Resource Graph answers for many subscriptions, across pages of 1,000
// rows, with the same workspaces (and fields) the per-subscription lists give.
func TestWorkspacesThroughResourceGraphMatchTheFanOut(t *testing.T) {
	sess, ids := scaleWorld(t, emulator.Options{}, 30, 80, nil) // 2,400 workspaces: three pages
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rg, err := sess.Workspaces(c, ids)
	if err != nil {
		t.Fatal(err)
	}
	if rg.Via != azure.ViaResourceGraph || rg.Note != "" {
		t.Fatalf("answered %q (%s), want via Resource Graph", rg.Via, rg.Note)
	}
	fan, err := sess.WorkspacesFanOut(c, ids)
	if err != nil || len(fan.Failed) > 0 {
		t.Fatal(err, fan.Failed)
	}
	if len(rg.Items) != 2400 || !slices.Equal(workspaceIDs(rg.Items), workspaceIDs(fan.Items)) {
		t.Fatalf("Resource Graph found %d workspaces, the fan-out %d; they differ", len(rg.Items), len(fan.Items))
	}
	w := rg.Items[0]
	if w.Subscription == "" || w.ResourceGroup != "rg-scale" || w.Location != "eastus" || !strings.HasPrefix(w.FriendlyName, "Scale ") || w.Tags["team"] != "scale" {
		t.Fatalf("a workspace from Resource Graph lost fields: %+v", w)
	}
}

// Resource Graph refusing (403) or failing (500) sends the search down the
// per-subscription path, which still answers, and the list says why.
func TestWorkspacesFallBackWhenResourceGraphRefuses(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusInternalServerError} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			sess, ids := scaleWorld(t, emulator.Options{Faults: []emulator.Fault{{Route: "/providers/Microsoft.ResourceGraph/*", Status: status}}},
				3, 1, func(c *azure.Config) { c.Retry.MaxRetries = -1 })
			wl, err := sess.Workspaces(context.Background(), ids)
			if err != nil || len(wl.Items) != 3 {
				t.Fatalf("fallback: %v, %d workspaces", err, len(wl.Items))
			}
			want := fmt.Sprintf("Resource Graph answered %d", status)
			if wl.Via != azure.ViaSubscriptions || !strings.HasPrefix(wl.Note, want) {
				t.Fatalf("answered %q, note %q; want per subscription and %q", wl.Via, wl.Note, want)
			}
		})
	}
}

// A 429 asking for a short wait is waited for (on the injected clock) and
// the query retried; one asking for a long wait is not: the search falls
// back at once. Both say so.
func TestResourceGraphThrottlingWaitsOrFallsBack(t *testing.T) {
	t.Run("short wait", func(t *testing.T) {
		// A clock that moves only when the client waits: the quota's window
		// cannot pass by itself on a slow machine.
		base := time.Now()
		var skipped atomic.Int64
		now := func() time.Time { return base.Add(time.Duration(skipped.Load())) }
		var mu sync.Mutex
		var waits []time.Duration
		sess, ids := scaleWorld(t, emulator.Options{Now: now}, 3, 1, func(c *azure.Config) {
			c.Polling = azure.Polling{Now: now, Wait: func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				skipped.Add(int64(d))
				return ctx.Err()
			}}
		})
		// Spend the caller's quota (15 queries a window): the 16th is a 429
		// whose Retry-After is the rest of the window.
		for range 15 {
			if wl, err := sess.Workspaces(context.Background(), ids); err != nil || wl.Via != azure.ViaResourceGraph {
				t.Fatalf("warm-up query: %v %q %s", err, wl.Via, wl.Note)
			}
		}
		wl, err := sess.Workspaces(context.Background(), ids)
		if err != nil || len(wl.Items) != 3 {
			t.Fatal(err, len(wl.Items))
		}
		mu.Lock()
		defer mu.Unlock()
		if wl.Via != azure.ViaResourceGraph || len(waits) != 1 || waits[0] <= 0 || waits[0] > 5*time.Second ||
			!strings.Contains(wl.Note, "waited "+waits[0].String()) {
			t.Fatalf("via %q, note %q, waits %v: want one wait of at most 5s, told", wl.Via, wl.Note, waits)
		}
	})
	t.Run("long wait", func(t *testing.T) {
		var waits int
		sess, ids := scaleWorld(t, emulator.Options{Faults: []emulator.Fault{{Route: "/providers/Microsoft.ResourceGraph/*", Status: http.StatusTooManyRequests, RetryAfter: 60}}},
			3, 1, func(c *azure.Config) {
				c.Polling = azure.Polling{Wait: func(context.Context, time.Duration) error { waits++; return nil }}
			})
		wl, err := sess.Workspaces(context.Background(), ids)
		if err != nil || len(wl.Items) != 3 {
			t.Fatal(err, len(wl.Items))
		}
		if wl.Via != azure.ViaSubscriptions || waits != 0 || !strings.Contains(wl.Note, "throttled the query (429, retry after 1m0s)") {
			t.Fatalf("via %q, note %q, %d waits: want an immediate fallback that says 429", wl.Via, wl.Note, waits)
		}
	})
}

// EndpointCount is Resource Graph's count of a workspace's endpoints, and
// EndpointPages reads the list a page at a time; a failed page is read
// again by the next call, not skipped, and nothing repeats.
func TestEndpointPagesAndCount(t *testing.T) {
	fail := emulator.Fault{Route: "/subscriptions/*/onlineEndpoints", Status: http.StatusServiceUnavailable}
	s, err := emulator.Start(emulator.Options{ExtraEndpoints: 250})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	cfg, _ := azure.EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	cfg.Retry.MaxRetries = -1
	sess, err := azure.SignIn(context.Background(), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	ws := azure.WorkspaceRef{Subscription: emulator.SubSandbox, ResourceGroup: "rg-sandbox", Name: "mlw-sandbox"}
	n, err := sess.EndpointCount(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	pages := sess.EndpointPages(ws)
	var names []string
	for i := 0; pages.More(); i++ {
		if i == 1 {
			s.SetFaults([]emulator.Fault{fail})
			if _, err := pages.Next(context.Background()); err == nil {
				t.Fatal("the faulted page succeeded")
			}
			s.SetFaults(nil)
		}
		items, err := pages.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range items {
			names = append(names, e.Endpoint)
		}
	}
	if len(names) != n || n < 250 || pages.Read() != n {
		t.Fatalf("read %d endpoints (%d counted by the pages), Resource Graph counted %d", len(names), pages.Read(), n)
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) || len(slices.Compact(slices.Clone(names))) != n {
		t.Fatal("pages repeated or reordered endpoints")
	}
}

// Pages after the first are decoded in one pass into plain structs
// (endpointpage.go); every endpoint must come out as the SDK's own decoding
// of a GET gives it: identity, traffic, system data and all.
func TestEndpointPagesDecodeAsTheSDK(t *testing.T) {
	s, cfg := start(t, emulator.Options{PageSize: 1})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	ws := azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}
	eps, err := sess.Endpoints(ctx(t), ws)
	if err != nil || len(eps) < 3 {
		t.Fatalf("%d endpoints, %v", len(eps), err)
	}
	for i, e := range eps {
		got, err := sess.Endpoint(ctx(t), e.EndpointRef)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e, got) {
			t.Errorf("endpoint %d (%s), listed:\n%+v\ngot:\n%+v", i, e.Endpoint, e, got)
		}
	}
}
