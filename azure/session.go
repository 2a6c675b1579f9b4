package azure

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	armruntime "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

// Session is a signed-in identity and the clients built for it.
type Session struct {
	cfg     Config
	cred    azcore.TokenCredential
	id      Identity
	subs    *armsubscriptions.Client
	tenants *armsubscriptions.TenantsClient

	mu      sync.Mutex
	ml      map[string]*armmachinelearning.ClientFactory // per subscription
	graphPL *runtime.Pipeline
	armPL   *runtime.Pipeline // nextLink GETs (EndpointPages)
	rg      *armresourcegraph.Client
	authz   map[string]*armauthorization.ClientFactory // per subscription
	removed removals                                   // role assignments this session deleted (assign.go)
}

func buildSession(cfg Config, cred azcore.TokenCredential, id Identity) (*Session, error) {
	subs, err := armsubscriptions.NewClient(cred, cfg.ARMOptions())
	if err != nil {
		return nil, err
	}
	tenants, err := armsubscriptions.NewTenantsClient(cred, cfg.ARMOptions())
	if err != nil {
		return nil, err
	}
	return &Session{cfg: cfg, cred: cred, id: id, subs: subs, tenants: tenants, ml: map[string]*armmachinelearning.ClientFactory{}}, nil
}

// Identity is who this session is.
func (s *Session) Identity() Identity { return s.id }

// Config is where this session talks to.
func (s *Session) Config() Config { return s.cfg }

// Credential is the session's token credential (for the data plane and Graph).
func (s *Session) Credential() azcore.TokenCredential { return s.cred }

func (s *Session) mlFactory(sub string) (*armmachinelearning.ClientFactory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.ml[strings.ToLower(sub)]; ok {
		return f, nil
	}
	f, err := armmachinelearning.NewClientFactory(sub, s.cred, s.cfg.ARMOptions())
	if err != nil {
		return nil, err
	}
	s.ml[strings.ToLower(sub)] = f
	return f, nil
}

// AccessToken is a token with its decoded claims.
type AccessToken struct {
	Token     string
	ExpiresOn time.Time
	Claims    []Claim
}

// Token gets a token for audience (always with CAE, ENTRA.md §4.3).
func (s *Session) Token(ctx context.Context, audience string) (AccessToken, error) {
	t, err := getToken(ctx, s.cred, policy.TokenRequestOptions{Scopes: []string{s.cfg.scope(audience)}, EnableCAE: true})
	if err != nil {
		return AccessToken{}, Classify(err)
	}
	cs, _ := DecodeClaims(t.Token)
	return AccessToken{Token: t.Token, ExpiresOn: t.ExpiresOn, Claims: cs}, nil
}

// Tenants lists the directories the account can see.
func (s *Session) Tenants(ctx context.Context) ([]Tenant, error) {
	var out []Tenant
	pager := s.tenants.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, Classify(err)
		}
		for _, t := range page.Value {
			out = append(out, Tenant{ID: deref(t.TenantID), DisplayName: deref(t.DisplayName), DefaultDomain: deref(t.DefaultDomain), Category: derefEnum(t.TenantCategory)})
		}
	}
	return out, nil
}

// SwitchTenant signs in to another tenant with the same method.
func (s *Session) SwitchTenant(ctx context.Context, tenantID string) (*Session, error) {
	cfg := s.cfg
	cfg.TenantID = tenantID
	return newSession(ctx, cfg, s.cred, s.id.Method)
}

// Subscriptions lists the subscriptions the identity can see.
func (s *Session) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var out []Subscription
	pager := s.subs.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, Classify(err)
		}
		for _, v := range page.Value {
			out = append(out, Subscription{ID: deref(v.SubscriptionID), DisplayName: deref(v.DisplayName), State: derefEnum(v.State), TenantID: deref(v.TenantID)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].DisplayName) < strings.ToLower(out[j].DisplayName) })
	return out, nil
}

// WorkspaceList is what a workspace search found, and per subscription
// what failed (partial results are normal), and which path answered.
type WorkspaceList struct {
	Items  []Workspace
	Failed map[string]error
	// Via is the path that answered: ViaResourceGraph or ViaSubscriptions.
	Via string
	// Note says why that path (Resource Graph refused, throttled, ...) or
	// what it cost (a wait for Resource Graph's quota); "" when nothing to say.
	Note string
}

// The paths a workspace search takes (WorkspaceList.Via).
const (
	ViaResourceGraph = "via Resource Graph"
	ViaSubscriptions = "per subscription"
)

// fanOut bounds concurrent subscription requests: wide enough that 50
// subscriptions cost about one round trip, narrow enough to stay clear of ARM's throttling.
const fanOut = 16

// Workspaces lists workspaces across subscriptions: with one paged Resource
// Graph query when there are several (resourcegraph.go), else, or when
// Resource Graph refuses or fails, with one ARM list per subscription,
// concurrently. The list says which path answered and why.
func (s *Session) Workspaces(ctx context.Context, subscriptionIDs []string) (WorkspaceList, error) {
	if len(subscriptionIDs) < 2 {
		return s.workspacesFanOut(ctx, subscriptionIDs)
	}
	res, gerr := s.workspacesGraph(ctx, subscriptionIDs)
	if gerr == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	res, err := s.workspacesFanOut(ctx, subscriptionIDs)
	res.Note = GraphWhy(gerr)
	return res, err
}

// WorkspacesFanOut lists workspaces with one ARM list per subscription, the
// path Resource Graph falls back to (exported for the benchmark beside it).
func (s *Session) WorkspacesFanOut(ctx context.Context, subscriptionIDs []string) (WorkspaceList, error) {
	return s.workspacesFanOut(ctx, subscriptionIDs)
}

func (s *Session) workspacesFanOut(ctx context.Context, subscriptionIDs []string) (WorkspaceList, error) {
	res := WorkspaceList{Failed: map[string]error{}, Via: ViaSubscriptions}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, fanOut)
	)
	for _, sub := range subscriptionIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				mu.Lock()
				res.Failed[sub] = ctx.Err()
				mu.Unlock()
				return
			}
			defer func() { <-sem }()
			items, err := s.workspacesIn(ctx, sub)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed[sub] = err
			}
			res.Items = append(res.Items, items...)
		}()
	}
	wg.Wait()
	sortWorkspaces(res.Items)
	if len(subscriptionIDs) > 0 && len(res.Failed) == len(subscriptionIDs) {
		for _, err := range res.Failed {
			return res, err
		}
	}
	return res, nil
}

// sortWorkspaces orders by name (case-insensitive), then id.
func sortWorkspaces(items []Workspace) {
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.ID < b.ID
	})
}

func (s *Session) workspacesIn(ctx context.Context, sub string) ([]Workspace, error) {
	f, err := s.mlFactory(sub)
	if err != nil {
		return nil, err
	}
	var out []Workspace
	pager := f.NewWorkspacesClient().NewListBySubscriptionPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return out, Classify(err)
		}
		for _, w := range page.Value {
			ws := Workspace{ID: deref(w.ID), Location: deref(w.Location), Tags: tags(w.Tags)}
			ws.Subscription, ws.ResourceGroup, ws.Name = sub, resourceGroupOf(deref(w.ID)), deref(w.Name)
			if p := w.Properties; p != nil {
				ws.FriendlyName, ws.Description = deref(p.FriendlyName), deref(p.Description)
			}
			out = append(out, ws)
		}
	}
	return out, nil
}

// Endpoints lists a workspace's online endpoints (every page; see
// EndpointPages for a list read as it arrives).
func (s *Session) Endpoints(ctx context.Context, ws WorkspaceRef) ([]Endpoint, error) {
	pages := s.EndpointPages(ws)
	var out []Endpoint
	for pages.More() {
		items, err := pages.Next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// EndpointPages reads a workspace's endpoints one ARM page at a time. The
// first page comes from the SDK's pager; each later one is a GET of the
// previous page's nextLink (what the pager does), kept here because the
// SDK's pager cannot resume after a failed page and a failed page must be
// retried without starting over.
func (s *Session) EndpointPages(ws WorkspaceRef) *Pages[Endpoint] {
	var next string // the nextLink of the last page read
	return NewPages(func(ctx context.Context) ([]Endpoint, bool, error) {
		var values []*armmachinelearning.OnlineEndpoint
		if next == "" {
			f, err := s.mlFactory(ws.Subscription)
			if err != nil {
				return nil, false, err
			}
			r, err := f.NewOnlineEndpointsClient().NewListPager(ws.ResourceGroup, ws.Name, nil).NextPage(ctx)
			if err != nil {
				return nil, false, Classify(err)
			}
			values, next = r.Value, deref(r.NextLink)
		} else {
			var page endpointPageJSON // endpointpage.go: one decoding pass
			if err := s.armGetJSON(ctx, next, &page); err != nil {
				return nil, false, err
			}
			values, next = page.models(), page.NextLink
		}
		out := make([]Endpoint, 0, len(values))
		for _, e := range values {
			out = append(out, endpointFrom(ws, e))
		}
		return out, next != "", nil
	})
}

// armGetJSON GETs an absolute ARM URL (a nextLink) through the ARM pipeline
// (bearer token, retries) and decodes the answer into out.
func (s *Session) armGetJSON(ctx context.Context, u string, out any) error {
	pl, err := s.armPipeline()
	if err != nil {
		return err
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return err
	}
	resp, err := pl.Do(req)
	if err != nil {
		return Classify(err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return Classify(runtime.NewResponseError(resp))
	}
	if err := runtime.UnmarshalAsJSON(resp, out); err != nil {
		return fmt.Errorf("reading %s: %w", resp.Request.URL.Path, err)
	}
	return nil
}

func (s *Session) armPipeline() (runtime.Pipeline, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.armPL == nil {
		pl, err := armruntime.NewPipeline("amlauth-tui", "dev", s.cred, runtime.PipelineOptions{}, s.cfg.ARMOptions())
		if err != nil {
			return runtime.Pipeline{}, err
		}
		s.armPL = &pl
	}
	return *s.armPL, nil
}

// Endpoint gets one endpoint.
func (s *Session) Endpoint(ctx context.Context, ref EndpointRef) (Endpoint, error) {
	f, err := s.mlFactory(ref.Subscription)
	if err != nil {
		return Endpoint{}, err
	}
	r, err := f.NewOnlineEndpointsClient().Get(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return Endpoint{}, Classify(err)
	}
	return endpointFrom(ref.WorkspaceRef, &r.OnlineEndpoint), nil
}

// Deployments lists an endpoint's deployments with their traffic shares (deployments.go).
func (s *Session) Deployments(ctx context.Context, ref EndpointRef) ([]Deployment, error) {
	f, err := s.mlFactory(ref.Subscription)
	if err != nil {
		return nil, err
	}
	ep, err := s.Endpoint(ctx, ref)
	if err != nil {
		return nil, err
	}
	var out []Deployment
	pager := f.NewOnlineDeploymentsClient().NewListPager(ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, Classify(err)
		}
		for _, d := range page.Value {
			out = append(out, deploymentFrom(d, ep))
		}
	}
	return out, nil
}

// authModeCLI maps ARM's enum to the spelling users know from the CLI/YAML.
func authModeCLI(m *armmachinelearning.EndpointAuthMode) string {
	switch derefEnum(m) {
	case string(armmachinelearning.EndpointAuthModeKey):
		return AuthKey
	case string(armmachinelearning.EndpointAuthModeAMLToken):
		return AuthAMLToken
	case string(armmachinelearning.EndpointAuthModeAADToken):
		return AuthAADToken
	}
	return strings.ToLower(derefEnum(m))
}

func endpointFrom(ws WorkspaceRef, e *armmachinelearning.OnlineEndpoint) Endpoint {
	out := Endpoint{EndpointRef: EndpointRef{WorkspaceRef: ws, Endpoint: deref(e.Name)}, ID: deref(e.ID), Location: deref(e.Location),
		Tags: tags(e.Tags), ComputeType: "Managed"}
	if k := deref(e.Kind); strings.EqualFold(k, "K8S") || strings.EqualFold(k, "Kubernetes") {
		out.ComputeType = "Kubernetes"
	}
	if p := e.Properties; p != nil {
		out.AuthMode = authModeCLI(p.AuthMode)
		out.Description = deref(p.Description)
		out.ProvisioningState = derefEnum(p.ProvisioningState)
		out.ScoringURI, out.SwaggerURI = deref(p.ScoringURI), deref(p.SwaggerURI)
		out.Traffic, out.MirrorTraffic = int32s(p.Traffic), int32s(p.MirrorTraffic)
		if deref(p.Compute) != "" {
			out.ComputeType = "Kubernetes"
		}
	}
	if id := e.Identity; id != nil {
		out.IdentityType = derefEnum(id.Type)
		out.IdentityPrincipal = deref(id.PrincipalID)
		for k := range id.UserAssignedIdentities {
			out.UserIdentities = append(out.UserIdentities, k)
		}
		sort.Strings(out.UserIdentities)
	}
	if sd := e.SystemData; sd != nil {
		out.CreatedBy, out.ModifiedBy = deref(sd.CreatedBy), deref(sd.LastModifiedBy)
		if sd.CreatedAt != nil {
			out.CreatedAt = *sd.CreatedAt
		}
		if sd.LastModifiedAt != nil {
			out.ModifiedAt = *sd.LastModifiedAt
		}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func derefEnum[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func tags(m map[string]*string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = deref(v)
	}
	return out
}

func int32s(m map[string]*int32) map[string]int32 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int32, len(m))
	for k, v := range m {
		out[k] = deref(v)
	}
	return out
}

// resourceGroupOf reads the resource group from an ARM id.
func resourceGroupOf(id string) string {
	seg := strings.Split(id, "/")
	for i := 0; i+1 < len(seg); i++ {
		if strings.EqualFold(seg[i], "resourceGroups") {
			return seg[i+1]
		}
	}
	return ""
}
