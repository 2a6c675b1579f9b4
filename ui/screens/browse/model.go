// Package browse is the resource browser: subscriptions › workspaces ›
// endpoints › endpoint details. Each list is a components.Table fed by one
// azure call in a Cmd; results carry a sequence number and stale ones
// (the user refreshed or left) are dropped.
package browse

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/viewport"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// requestTimeout bounds one list call; ARM answers in well under a second
// when healthy, and the SDK's retries for 429/5xx fit inside this.
const requestTimeout = 90 * time.Second

// pageTimeout bounds one page of a list read page by page (the endpoints):
// a 100,000-endpoint list takes a thousand pages, and a timeout for the
// whole list would end it however healthy each page was.
const pageTimeout = 30 * time.Second

// pagesPerBatch is how many pages one answer of a streaming list carries
// after the first: about 1,000 endpoints per screen update.
const pagesPerBatch = 10

// Azure is what the browser needs from azure; a *azure.Session has it,
// and screen tests give a fake.
type Azure interface {
	Subscriptions(ctx context.Context) ([]azure.Subscription, error)
	Workspaces(ctx context.Context, subscriptions []string) (azure.WorkspaceList, error)
	EndpointPages(ws azure.WorkspaceRef) *azure.Pages[azure.Endpoint]
	EndpointCount(ctx context.Context, ws azure.WorkspaceRef) (int, error)
	Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error)
	Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error)
	Environment(ctx context.Context, ws azure.WorkspaceRef, id string) (azure.EnvironmentVersion, error)
}

// page is what every list screen shares: the kit (request, spinner), the
// table, the last error.
type page struct {
	nav.Kit
	env   *nav.Env
	az    Azure // nil: the session's
	table components.Table
	load  nav.Call // the screen's one request: list, or read the endpoint
	err   error
	what  string // "list workspaces", for error titles
	// resume, when set, is the retry line under an error (a list read page
	// by page resumes at the failed page); "" says R retries.
	resume func() string
	asked  bool // a load was started (the empty list is an answer, not a blank)

	// heading is the screen's title and the lines under it at a width
	// (the list screens' View is the page's: it draws them over the table).
	heading func(w int) (title, extra string)
}

func newPage(env *nav.Env, noun, what string, cols ...components.Column) page {
	return page{
		Kit:   nav.NewKit(env),
		env:   env,
		table: components.NewTable(env.Styles, noun, cols...),
		what:  what,
	}
}

func (p *page) api() Azure {
	if p.az != nil {
		return p.az
	}
	return p.env.Session
}

func (p *page) loading() bool { return p.load.Busy() }

// HandlesEsc: esc first leaves or clears the filter.
func (p *page) HandlesEsc() bool { return p.table.Filtering() || p.table.Query() != "" }

// Subscriptions lists the subscriptions the signed-in identity can see.
type Subscriptions struct {
	page
	items []azure.Subscription
	// pending is a place asked for by name (flags): resolved once the list arrives.
	pending *nav.Context
}

// Resolve makes the screen open c once subscriptions are listed; c may name
// the subscription by display name, or leave it out and name a workspace.
func (s *Subscriptions) Resolve(c nav.Context) { s.pending = &c }

// NewSubscriptions builds the first browse screen.
func NewSubscriptions(env *nav.Env) *Subscriptions {
	s := &Subscriptions{page: newPage(env, "subscriptions", "Listing subscriptions",
		components.Column{Title: "Name", Width: 20, Flex: true},
		components.Column{Title: "Subscription id", Width: 36},
		components.Column{Title: "State", Width: 9},
	)}
	s.page.heading = s.heading
	return s
}

func (s *Subscriptions) Title() string { return "Subscriptions" }

func (s *Subscriptions) Typing() bool { return s.table.Filtering() }

func subContext(sub azure.Subscription) nav.Context {
	return nav.Context{TenantID: sub.TenantID, Subscription: sub.ID, SubscriptionName: components.Clean(sub.DisplayName)}
}

// Where is the subscriptions level: no subscription chosen yet.
func (s *Subscriptions) Where() nav.Context { return nav.Context{TenantID: s.env.Context.TenantID} }

// Workspaces lists ML workspaces in one subscription or across several,
// fanned out concurrently; a subscription that fails is reported by name
// while the others still show.
type Workspaces struct {
	page
	subs   []azure.Subscription
	failed []string // rendered failure lines, one per subscription
	via    string   // which path answered (Resource Graph or per subscription), and why
	// pending is a workspace asked for by name without a subscription (flags).
	pending *nav.Context
}

// NewWorkspaces lists the workspaces of subs.
func NewWorkspaces(env *nav.Env, subs []azure.Subscription) *Workspaces {
	s := &Workspaces{subs: subs, page: newPage(env, "workspaces", "Listing workspaces",
		components.Column{Title: "Name", Width: 16, Flex: true},
		components.Column{Title: "Resource group", Width: 18, Flex: true},
		components.Column{Title: "Region", Width: 12},
		components.Column{Title: "Subscription", Width: 16},
	)}
	s.page.heading = s.heading
	return s
}

func (s *Workspaces) Title() string {
	if len(s.subs) == 1 {
		return "Workspaces"
	}
	return "Workspaces (all subscriptions)"
}

func (s *Workspaces) Typing() bool { return s.table.Filtering() }

func (s *Workspaces) subName(id string) string {
	for _, sub := range s.subs {
		if strings.EqualFold(sub.ID, id) && sub.DisplayName != "" {
			return components.Clean(sub.DisplayName)
		}
	}
	return id
}

func (s *Workspaces) wsContext(ref azure.WorkspaceRef) nav.Context {
	return nav.Context{TenantID: s.env.Context.TenantID, Subscription: ref.Subscription, SubscriptionName: s.subName(ref.Subscription),
		ResourceGroup: ref.ResourceGroup, Workspace: ref.Name}
}

// Where is the subscription whose workspaces are listed (none for all).
func (s *Workspaces) Where() nav.Context {
	c := nav.Context{TenantID: s.env.Context.TenantID}
	if len(s.subs) == 1 {
		c.Subscription, c.SubscriptionName = s.subs[0].ID, s.subName(s.subs[0].ID)
	}
	return c
}

// Endpoints lists the online endpoints of a workspace.
type Endpoints struct {
	page
	ws       azure.WorkspaceRef
	location string // the workspace's region when known (the create wizard's default)
	shown    map[*azure.Operation]bool

	// The list arrives a page at a time: pages reads it (each page its own
	// request, with its own timeout); a failed page is read again by r.
	pages  *azure.Pages[azure.Endpoint]
	fresh  bool     // the next page starts the list over (a refresh keeps the old rows until then)
	count  nav.Call // Resource Graph's count: the "about N" while loading
	about  int      // that count; 0 unknown
	picked bool     // the context's endpoint was selected (or the user moved)
	jumps  int      // endpoints offered to the palette so far (at most maxJumps)
}

// maxJumps bounds the endpoints one list offers the palette: a workspace's
// 100,000 endpoints would drown its other places and hold tens of MB; the
// list's own filter finds any of them.
const maxJumps = 1000

// NewEndpoints lists the endpoints of ws.
func NewEndpoints(env *nav.Env, ws azure.WorkspaceRef) *Endpoints {
	s := &Endpoints{ws: ws, page: newPage(env, "endpoints", "Listing endpoints",
		components.Column{Title: "Name", Width: 16, Flex: true},
		components.Column{Title: "Auth mode", Width: 9},
		components.Column{Title: "Compute", Width: 10},
		components.Column{Title: "State", Width: 9},
		components.Column{Title: "Traffic", Width: 16, Flex: true},
	)}
	s.page.heading = s.heading
	s.page.resume = s.resumeHint
	return s
}

func (s *Endpoints) Title() string { return "Endpoints" }

func (s *Endpoints) Typing() bool { return s.table.Filtering() }

func (s *Endpoints) epContext(name string) nav.Context {
	c := s.env.Context
	return nav.Context{TenantID: c.TenantID, Subscription: s.ws.Subscription, SubscriptionName: nameIf(c, s.ws.Subscription),
		ResourceGroup: s.ws.ResourceGroup, Workspace: s.ws.Name, Endpoint: name}
}

// Where is the workspace.
func (s *Endpoints) Where() nav.Context {
	c := s.epContext("")
	return c
}

// Details shows one endpoint: how it is called, how it authenticates, who it
// runs as, and its deployments with their traffic share.
type Details struct {
	page
	ref     azure.EndpointRef
	ep      *azure.Endpoint
	deps    []azure.Deployment
	depsErr error
	vp      viewport.Model
	deleted bool // a delete of this endpoint succeeded: nothing left to show
	// envs are the deployments' environments by asset id, read after the
	// deployments (a deployment names its environment; the image is the
	// environment's): nil while they are read.
	envs    environments
	envCall nav.Call
}

// environments are environment reads by asset id: the version, or why it
// could not be read.
type environments map[string]envRead

type envRead struct {
	ev  azure.EnvironmentVersion
	err error
}

// detail is one read of the endpoint: the endpoint, then its deployments
// (a failure there still shows the endpoint).
type detail struct {
	ep      azure.Endpoint
	deps    []azure.Deployment
	depsErr error
}

// NewDetails opens an endpoint; it reads it afresh (the list keeps only its
// columns).
func NewDetails(env *nav.Env, ref azure.EndpointRef) *Details {
	d := &Details{ref: ref, page: newPage(env, "deployments", "Reading the endpoint")}
	d.vp = viewport.New()
	d.vp.SoftWrap = false
	return d
}

func (d *Details) Title() string { return "Endpoint" }

func (d *Details) Typing() bool { return false }

// Where is the endpoint.
func (d *Details) Where() nav.Context {
	c := d.env.Context
	return nav.Context{TenantID: c.TenantID, Subscription: d.ref.Subscription, SubscriptionName: nameIf(c, d.ref.Subscription),
		ResourceGroup: d.ref.ResourceGroup, Workspace: d.ref.Name, Endpoint: d.ref.Endpoint}
}

func nameIf(c nav.Context, sub string) string {
	if c.Subscription == sub {
		return c.SubscriptionName
	}
	return ""
}
