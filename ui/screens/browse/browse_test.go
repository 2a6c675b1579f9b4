package browse

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/nav/navtest"
	"amlauth-tui/ui/theme"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	time.Local = time.UTC // golden times do not depend on the machine's zone
	os.Exit(m.Run())
}

func env() *nav.Env {
	return &nav.Env{Styles: theme.New(true, false), Now: func() time.Time { return now }}
}

var ws = azure.WorkspaceRef{Subscription: "sub-1", ResourceGroup: "rg-ml", Name: "mlw-churn"}

func endpoint(name, mode string) azure.Endpoint {
	return azure.Endpoint{EndpointRef: azure.EndpointRef{WorkspaceRef: ws, Endpoint: name}, ID: ws.ID() + "/onlineEndpoints/" + name,
		AuthMode: mode, ComputeType: "Managed", ProvisioningState: "Succeeded", Traffic: map[string]int32{"blue": 90, "green": 10}}
}

func plain(s string) string { return ansi.Strip(s) }

// fake is the browser's Azure without HTTPS; it answers with what its
// fields hold when the request runs.
type fake struct {
	subs []azure.Subscription
	wsl  azure.WorkspaceList
	eps  []azure.Endpoint
	ep   azure.Endpoint
	deps []azure.Deployment
	err  error
	// depsErr fails the deployments' list (the endpoint still reads).
	depsErr error
	// envs are the environments by asset id; another id is refused (403).
	envs map[string]azure.EnvironmentVersion
	// pageSize splits eps into pages (0: one page); failPage fails that
	// page (1-based) once; count is Resource Graph's count (0: refused).
	pageSize, failPage, count int
}

func (f *fake) Subscriptions(context.Context) ([]azure.Subscription, error) { return f.subs, f.err }
func (f *fake) Workspaces(context.Context, []string) (azure.WorkspaceList, error) {
	return f.wsl, f.err
}
func (f *fake) EndpointPages(azure.WorkspaceRef) *azure.Pages[azure.Endpoint] {
	read, page := 0, 0
	return azure.NewPages(func(context.Context) ([]azure.Endpoint, bool, error) {
		page++
		if f.err != nil {
			return nil, false, f.err
		}
		if page == f.failPage {
			f.failPage = 0
			return nil, false, errors.New("context deadline exceeded")
		}
		n := len(f.eps) - read
		if f.pageSize > 0 {
			n = min(n, f.pageSize)
		}
		items := f.eps[read : read+n]
		read += n
		return items, read < len(f.eps), nil
	})
}
func (f *fake) EndpointCount(context.Context, azure.WorkspaceRef) (int, error) {
	if f.count == 0 {
		return 0, errors.New("Resource Graph answered 403")
	}
	return f.count, nil
}
func (f *fake) Endpoint(context.Context, azure.EndpointRef) (azure.Endpoint, error) {
	return f.ep, f.err
}
func (f *fake) Deployments(context.Context, azure.EndpointRef) ([]azure.Deployment, error) {
	return f.deps, f.depsErr
}
func (f *fake) Environment(_ context.Context, _ azure.WorkspaceRef, id string) (azure.EnvironmentVersion, error) {
	if ev, ok := f.envs[id]; ok {
		return ev, nil
	}
	return azure.EnvironmentVersion{}, &azure.ForbiddenError{Principal: "alice@contoso.example",
		Action: "Microsoft.MachineLearningServices/workspaces/environments/versions/read", Scope: id}
}

// feed runs cmd and gives its messages (spinner ticks aside) to s; it
// returns the commands s answered with.
func feed(s nav.Screen, cmd tea.Cmd) tea.Cmd {
	var out []tea.Cmd
	for _, m := range navtest.Msgs(cmd) {
		_, c := s.Update(m)
		out = append(out, c)
	}
	return tea.Batch(out...)
}

func TestEndpointsDropsStaleResultsAndShowsLatest(t *testing.T) {
	e := env()
	s := NewEndpoints(e, ws)
	az := &fake{}
	s.az = az
	first := s.Init()
	_, second := s.Update(tea.KeyPressMsg{Code: 'R', Text: "R"}) // R pressed before the first answer came
	az.eps = []azure.Endpoint{endpoint("new", azure.AuthKey)}
	feed(s, second)
	az.eps = []azure.Endpoint{endpoint("old", azure.AuthKey)}
	feed(s, first)
	v := plain(s.View(100, 20))
	if !strings.Contains(v, "new") || strings.Contains(v, "old") {
		t.Fatalf("stale result shown:\n%s", v)
	}
	if s.loading() {
		t.Fatal("still loading after the latest result")
	}
}

func TestEndpointsForbiddenShowsActionScopeAndNextStep(t *testing.T) {
	e := env()
	s := NewEndpoints(e, ws)
	err := &azure.ForbiddenError{Principal: "bob@contoso.example", Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/read", Scope: ws.ID()}
	s.az = &fake{err: err}
	feed(s, s.Init())
	v := strings.ReplaceAll(plain(s.View(100, 20)), "\n", "")
	for _, want := range []string{"Listing endpoints: access denied", "bob@contoso.example", "onlineEndpoints/read", "mlw-churn", "R retries"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in:\n%s", want, v)
		}
	}
	if strings.Contains(v, "No endpoints") {
		t.Error("an access error is not an empty list")
	}
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'e', Text: "e"})
	if m, ok := cmd().(nav.ErrorMsg); !ok || m.Err != err {
		t.Fatalf("e opens the error details, got %#v", m)
	}
}

func TestEndpointsKeysOpenCopyRefresh(t *testing.T) {
	e := env()
	s := NewEndpoints(e, ws)
	s.SetEndpoints([]azure.Endpoint{endpoint("a-ep", azure.AuthKey), endpoint("b-ep", azure.AuthAADToken)})
	s.View(100, 20)
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if m, ok := cmd().(nav.CopyMsg); !ok || m.Text != ws.ID()+"/onlineEndpoints/a-ep" {
		t.Fatalf("y copies the endpoint id, got %#v", m)
	}
	s.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	_, cmd = s.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	msgs := navtest.Msgs(cmd)
	var pushed *Details
	for _, m := range msgs {
		if p, ok := m.(nav.PushMsg); ok {
			pushed, _ = p.Screen.(*Details)
		}
	}
	if pushed == nil || pushed.ref.Endpoint != "b-ep" {
		t.Fatalf("enter should open b-ep's details, got %#v", msgs)
	}
	if _, cmd = s.Update(tea.KeyPressMsg{Code: 'R', Text: "R"}); cmd == nil || !s.loading() {
		t.Fatal("R should reload")
	}
}

// Issue 18: a 100,000-endpoint list must stay under 200 MB, so a row keeps
// its cells, its id and a small listed, not the page's azure.Endpoint (it
// held the scoring and swagger URIs, tags, times...); its name is the tail
// of its id, not a second copy, and the row still opens and offers "n" with
// the endpoint's region.
func TestEndpointRowsKeepOnlyWhatTheListNeeds(t *testing.T) {
	s := NewEndpoints(env(), ws)
	ep := endpoint("b-ep", azure.AuthKey)
	ep.Endpoint = strings.Clone(ep.Endpoint) // as decoded: its own allocation
	ep.Location, ep.ScoringURI = "westeurope", "https://b-ep.westeurope.inference.ml.azure.com/score"
	s.SetEndpoints([]azure.Endpoint{ep})
	r, _ := s.table.Selected()
	kept, ok := r.Payload.(*listed)
	if !ok || kept.EndpointRef != ep.EndpointRef || kept.Location != "westeurope" {
		t.Fatalf("row payload %#v", r.Payload)
	}
	if unsafe.StringData(kept.Endpoint) != unsafe.StringData(r.ID[len(r.ID)-len("b-ep"):]) {
		t.Error("the row keeps a second copy of the name; it should be the tail of the id")
	}
	if got := idTail("/x/onlineEndpoints/B-EP", "b-ep"); got != "b-ep" {
		t.Errorf("a name spelled differently in the id stays as decoded, got %q", got)
	}
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'n', Text: "n"})
	if m, ok := cmd().(nav.NewEndpointMsg); !ok || m.Location != "westeurope" {
		t.Fatalf("n should offer the row's region, got %#v", m)
	}
}

func TestWorkspacesPartialFailureNamesTheSubscription(t *testing.T) {
	e := env()
	subs := []azure.Subscription{{ID: "sub-1", DisplayName: "Prod"}, {ID: "sub-2", DisplayName: "Sandbox"}}
	s := NewWorkspaces(e, subs)
	s.az = &fake{wsl: azure.WorkspaceList{
		Items:  []azure.Workspace{{WorkspaceRef: ws, ID: ws.ID(), Location: "eastus"}},
		Failed: map[string]error{"sub-2": &azure.ThrottledError{Message: "Too many requests", RetryAfter: 2 * time.Second}},
	}}
	feed(s, s.Init())
	v := plain(s.View(120, 20))
	for _, want := range []string{"1 subscription(s) could not be listed", "Sandbox", "throttling", "mlw-churn", "Prod"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
}

func TestSubscriptionsResolveByName(t *testing.T) {
	e := env()
	s := NewSubscriptions(e)
	s.Resolve(nav.Context{Subscription: "PROD", Workspace: "mlw-churn", ResourceGroup: "rg-ml"})
	s.az = &fake{subs: []azure.Subscription{{ID: "sub-1", DisplayName: "Prod", State: "Enabled"}}}
	cmd := feed(s, s.Init())
	var open *nav.OpenMsg
	for _, m := range navtest.Msgs(cmd) {
		if o, ok := m.(nav.OpenMsg); ok {
			open = &o
		}
	}
	if open == nil || open.Context.Subscription != "sub-1" || open.Context.SubscriptionName != "Prod" || open.Context.Workspace != "mlw-churn" {
		t.Fatalf("resolve by name: %#v", open)
	}
}

// View draws and changes nothing: drawing at another size, or twice, does
// not move where a click lands, and a click lands by the size the root gave.
func TestListViewHasNoSideEffects(t *testing.T) {
	s := NewEndpoints(env(), ws)
	s.SetEndpoints([]azure.Endpoint{endpoint("a-ep", azure.AuthKey), endpoint("b-ep", azure.AuthKey)})
	s.Update(nav.SizeMsg{Width: 100, Height: 20})
	top := s.tableTop()
	first := s.View(100, 20)
	s.View(40, 6)
	if s.View(100, 20) != first || s.tableTop() != top {
		t.Fatal("drawing changed the screen")
	}
	// The second row, clicked where the root drew it (header row under the top).
	s.Update(tea.MouseClickMsg{X: 3, Y: top + 2, Button: tea.MouseLeft})
	if r, ok := s.table.Selected(); !ok || r.Payload.(*listed).Endpoint != "b-ep" {
		t.Fatalf("a click at row %d did not select b-ep", top+2)
	}
}

func TestSanitizedNamesInLists(t *testing.T) {
	e := env()
	s := NewEndpoints(e, ws)
	s.SetEndpoints([]azure.Endpoint{endpoint("ep\x1b]52;c;aGk=\x07\x1b[31mred", azure.AuthKey)})
	raw := s.View(100, 10)
	if strings.Contains(raw, "\x1b]52") || strings.Contains(raw, "\x07") {
		t.Fatalf("escape sequence reached the frame: %q", raw)
	}
}

func details() *Details {
	e := env()
	ep := endpoint("churn-key", azure.AuthKey)
	ep.Location, ep.Description = "eastus", "Churn model behind a key"
	ep.ScoringURI = "https://churn-key.eastus.inference.ml.azure.com/score"
	ep.SwaggerURI = "https://churn-key.eastus.inference.ml.azure.com/swagger.json"
	ep.IdentityType, ep.IdentityPrincipal = "SystemAssigned", "09ec01c3-88ad-4084-8c21-19cbea8f6fbd"
	ep.Tags = map[string]string{"model": "churn", "owner": "ds-team"}
	ep.CreatedAt, ep.CreatedBy = now.Add(-30*24*time.Hour), "alice@contoso.example"
	ep.ModifiedAt, ep.ModifiedBy = now.Add(-2*time.Hour), "olivia@contoso.example"
	d := NewDetails(e, ep.EndpointRef)
	d.az = &fake{ep: ep, deps: []azure.Deployment{
		{Name: "blue", ProvisioningState: "Succeeded", InstanceType: "Standard_DS3_v2", InstanceCount: 1, Model: "azureml:churn:1", TrafficPercent: 90,
			Environment: "azureml:sklearn-env:1"},
		{Name: "green", ProvisioningState: "Updating", InstanceType: "Standard_DS3_v2", InstanceCount: 2, Model: "azureml:churn:2", TrafficPercent: 10,
			Environment: ws.ID() + "/environments/custom-scoring/versions/2"},
	}, envs: map[string]azure.EnvironmentVersion{"azureml:sklearn-env:1": {Name: "sklearn-env", Version: "1",
		Image: "mcr.microsoft.com/azureml/curated/sklearn-1.5:14"}}}
	pump(d, d.Init(), 3) // the endpoint and its deployments, then their environments
	return d
}

func TestGoldenDetails(t *testing.T) {
	for _, sz := range [][2]int{{80, 21}, {120, 37}} { // the content area of 80x24 and 120x40
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, plain(details().View(sz[0], sz[1])))
		})
	}
}

func TestDetailsScrollsAndCopies(t *testing.T) {
	d := details()
	d.Update(nav.SizeMsg{Width: 80, Height: 10}) // the root's, as the screen arrives
	before := plain(d.View(80, 10))
	d.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	d.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if after := plain(d.View(80, 10)); after == before {
		t.Fatal("down did not scroll the details")
	}
	_, cmd := d.Update(tea.KeyPressMsg{Code: 'u', Text: "u"})
	if m, ok := cmd().(nav.CopyMsg); !ok || !strings.HasSuffix(m.Text, "/score") {
		t.Fatalf("u copies the scoring URI: %#v", m)
	}
	d2 := NewDetails(env(), d.ref)
	d2.az = &fake{err: errors.New("connection reset by peer")}
	feed(d2, d2.Init())
	if v := plain(d2.View(80, 10)); !strings.Contains(v, "Reading the endpoint") || !strings.Contains(v, "R retries") {
		t.Fatalf("error view:\n%s", v)
	}
}

// Long sentences wrap instead of being cut with "…": the keys they name
// (esc, R) stay readable at 80 columns.
func TestNoSubscriptionsAdviceWrapsAt80(t *testing.T) {
	s := NewSubscriptions(env())
	s.az = &fake{}
	feed(s, s.Init())
	v := strings.Join(strings.Fields(plain(s.View(80, 21))), " ")
	for _, want := range []string{"switch tenant from the identity card (esc)", "can take a few minutes to appear: R refreshes."} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, plain(s.View(80, 21)))
		}
	}
	if strings.Contains(plain(s.View(80, 21)), "…") {
		t.Errorf("a sentence was cut:\n%s", plain(s.View(80, 21)))
	}
}

// pump feeds s the answers to cmd, then to what s answered, until s asks
// for nothing more (or steps runs out: a page at a time).
func pump(s nav.Screen, cmd tea.Cmd, steps int) {
	for ; cmd != nil && steps > 0; steps-- {
		cmd = feed(s, cmd)
	}
}

// The list shows its first page at once and says how far it is while the
// rest arrives; the filter applies to rows as they arrive.
func TestEndpointsStreamWithProgressAndFilter(t *testing.T) {
	s := NewEndpoints(env(), ws)
	az := &fake{pageSize: 2, count: 5}
	for _, n := range []string{"xx1", "yy1", "xx2", "yy2", "xx3"} {
		az.eps = append(az.eps, endpoint(n, azure.AuthKey))
	}
	s.az = az
	next := feed(s, s.Init()) // the first page and the count
	v := plain(s.View(100, 20))
	if !strings.Contains(v, "xx1") || !strings.Contains(v, "2 of about 5 loaded…") || strings.Contains(v, "xx2") {
		t.Fatalf("after the first page:\n%s", v)
	}
	s.table.SetFilter("xx")
	pump(s, next, 10)
	v = plain(s.View(100, 20))
	if strings.Contains(v, "loaded") || !strings.Contains(v, "xx3") || strings.Contains(v, "yy2") || !strings.Contains(v, "3 of 5 endpoints") {
		t.Fatalf("after every page, filtered on xx:\n%s", v)
	}
}

// A page that fails keeps what arrived, says where loading stopped and that
// r resumes there; r reads on from that page (nothing repeats), R starts over.
func TestEndpointsFailedPageResumes(t *testing.T) {
	s := NewEndpoints(env(), ws)
	az := &fake{pageSize: 2, failPage: 2}
	for _, n := range []string{"e1", "e2", "e3", "e4", "e5"} {
		az.eps = append(az.eps, endpoint(n, azure.AuthKey))
	}
	s.az = az
	pump(s, s.Init(), 10)
	v := strings.ReplaceAll(plain(s.View(100, 20)), "\n", " ")
	for _, want := range []string{"e1", "e2", "Loading stopped: 2 loaded so far", "r resumes at endpoint 3", "R starts over"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q after a failed page:\n%s", want, v)
		}
	}
	if k := s.Keys(); len(k) == 0 || k[0].Help().Key != "r" {
		t.Errorf("the footer does not offer r first: %v", k)
	}
	_, cmd := s.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	pump(s, cmd, 10)
	var names []string
	for _, r := range s.table.Rows() {
		names = append(names, r.Cells[0])
	}
	if strings.Join(names, ",") != "e1,e2,e3,e4,e5" || s.err != nil || s.resumable() {
		t.Fatalf("after r: rows %v, err %v", names, s.err)
	}
}

// A search across subscriptions says which path answered, and why it was
// not Resource Graph when it was not.
func TestWorkspacesSayWhichPathAnswered(t *testing.T) {
	subs := []azure.Subscription{{ID: "sub-1", DisplayName: "Prod"}, {ID: "sub-2", DisplayName: "Sandbox"}}
	for _, c := range []struct{ via, note, want string }{
		{azure.ViaResourceGraph, "", "via Resource Graph"},
		{azure.ViaSubscriptions, "Resource Graph answered 403 (AuthorizationFailed)", "per subscription: Resource Graph answered 403 (AuthorizationFailed)"},
	} {
		s := NewWorkspaces(env(), subs)
		s.az = &fake{wsl: azure.WorkspaceList{Items: []azure.Workspace{{WorkspaceRef: ws, ID: ws.ID()}}, Via: c.via, Note: c.note}}
		feed(s, s.Init())
		if v := plain(s.View(120, 20)); !strings.Contains(v, c.want) {
			t.Errorf("missing %q:\n%s", c.want, v)
		}
	}
}

// e on the details is the whole error while one is shown (the endpoint's
// read, or its deployments' list), as on the lists; with no error it opens
// nothing. The details have no table: / and j do not reach a hidden one,
// which would then keep esc from going back.
func TestDetailsErrorKey(t *testing.T) {
	e := tea.KeyPressMsg{Code: 'e', Text: "e"}
	errorMsg := func(d *Details) (nav.ErrorMsg, bool) {
		_, cmd := d.Update(e)
		for _, m := range navtest.Msgs(cmd) {
			if em, ok := m.(nav.ErrorMsg); ok {
				return em, true
			}
		}
		return nav.ErrorMsg{}, false
	}
	failed := NewDetails(env(), endpoint("churn-key", azure.AuthKey).EndpointRef)
	failed.az = &fake{err: errors.New("connection reset by peer")}
	feed(failed, failed.Init())
	if m, ok := errorMsg(failed); !ok || m.Title != "Reading the endpoint" || m.Err == nil || !strings.Contains(m.Err.Error(), "connection reset") {
		t.Fatalf("e on a failed read: %#v, %v", m, ok)
	}
	if v := plain(failed.View(80, 10)); !strings.Contains(v, "e shows the full error") {
		t.Fatalf("the error view does not offer e:\n%s", v)
	}

	noDeps := NewDetails(env(), endpoint("churn-key", azure.AuthKey).EndpointRef)
	noDeps.az = &fake{ep: endpoint("churn-key", azure.AuthKey), depsErr: errors.New("Forbidden: deployments/read")}
	feed(noDeps, noDeps.Init())
	if m, ok := errorMsg(noDeps); !ok || m.Title != "Listing deployments" || m.Err == nil {
		t.Fatalf("e on a failed deployments list: %#v, %v", m, ok)
	}

	d := details()
	if m, ok := errorMsg(d); ok {
		t.Fatalf("e with no error shown opened %#v", m)
	}
	for _, k := range []string{"/", "j"} {
		d.Update(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
	}
	if d.HandlesEsc() {
		t.Fatal("a key reached the details' hidden table: esc no longer goes back")
	}
}

// A deployment's environment shows as its asset and the image it runs; an
// image that could not be read, or that Azure does not name, says so.
func TestDetailsShowTheImageEachDeploymentRuns(t *testing.T) {
	d := details()
	v := strings.Join(strings.Fields(plain(d.View(120, 37))), " ")
	for _, want := range []string{
		"environment sklearn-env:1 · mcr.microsoft.com/azureml/curated/sklearn-1.5:14",
		"environment custom-scoring:2 · image not read: Access denied",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, plain(d.View(120, 37)))
		}
	}
	const registry = "azureml://registries/azureml/environments/sklearn-1.5/versions/14"
	d.envs[registry] = envRead{ev: azure.EnvironmentVersion{Name: "sklearn-1.5", Version: "14", Curated: true}}
	d.envs["azureml:conda-env:3"] = envRead{ev: azure.EnvironmentVersion{Name: "conda-env", Version: "3", Built: true}}
	for id, want := range map[string]string{
		registry:              "sklearn-1.5:14 · curated (azureml registry): its image is not read here",
		"azureml:conda-env:3": "conda-env:3 · built by Azure into the workspace registry",
		"":                    "not stated by Azure",
	} {
		if got := d.environment(id); got != want {
			t.Errorf("environment(%q) = %q, want %q", id, got, want)
		}
	}
}

// A failed read of the endpoint names R once: nav.Problem says "R retries."
// when retrying may help, and the line of keys under it names R only when
// Problem did not. Drawn at 80x24 and 120x40 (their content areas).
func TestGoldenDetailsErrorNamesRetryOnce(t *testing.T) {
	for name, err := range map[string]error{
		"retryable": errors.New("connection reset by peer"),
		"rejected":  &azure.ServiceError{Status: 400, Code: "BadRequest", Message: "The request is invalid."},
	} {
		for _, sz := range [][2]int{{80, 21}, {120, 37}} {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				d := NewDetails(env(), endpoint("churn-key", azure.AuthKey).EndpointRef)
				d.az = &fake{err: err}
				feed(d, d.Init())
				v := plain(d.View(sz[0], sz[1]))
				if n := strings.Count(strings.Join(strings.Fields(v), " "), "R retries"); n != 1 {
					t.Errorf("R retries is said %d times, want once:\n%s", n, v)
				}
				for _, want := range []string{"e shows the full error", "esc goes back"} {
					if !strings.Contains(v, want) {
						t.Errorf("%q missing:\n%s", want, v)
					}
				}
				golden.RequireEqual(t, v)
			})
		}
	}
}

// The lists say it once too.
func TestListErrorNamesRetryOnce(t *testing.T) {
	s := NewSubscriptions(env())
	s.az = &fake{err: errors.New("connection reset by peer")}
	feed(s, s.Init())
	if v := plain(s.View(80, 21)); strings.Count(strings.Join(strings.Fields(v), " "), "R retries") != 1 || !strings.Contains(v, "e shows the full error") {
		t.Errorf("the list should say R retries once and offer e:\n%s", v)
	}
}
