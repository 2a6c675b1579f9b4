package browse

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

var (
	keyCopyURI     = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy scoring URI"))
	keyCopySwagger = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "copy swagger URI"))
	keyScroll      = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	keyCheck       = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check access"))
	keyCreds       = key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keys & tokens"))
	keyTest        = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test request"))
	keyAuthMode    = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "change auth mode"))
	keyDelete      = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete"))
)

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
}

// detail is one read of the endpoint: the endpoint, then its deployments
// (a failure there still shows the endpoint).
type detail struct {
	ep      azure.Endpoint
	deps    []azure.Deployment
	depsErr error
}

// NewDetails opens an endpoint; known may carry the list's copy to draw at once.
func NewDetails(env *nav.Env, ref azure.EndpointRef, known *azure.Endpoint) *Details {
	d := &Details{ref: ref, ep: known, page: newPage(env, "deployments", "Reading the endpoint")}
	d.vp = viewport.New()
	d.vp.SoftWrap = false
	return d
}

func (d *Details) Title() string { return "Endpoint" }
func (d *Details) Typing() bool  { return false }
func (d *Details) Keys() []key.Binding {
	return []key.Binding{keyCreds, keyTest, keyCheck, keyAuthMode, keyDelete, keyScroll, keyCopy, keyCopyURI, keyCopySwagger, keyRefresh}
}

func (d *Details) Init() tea.Cmd { return d.reload() }

func (d *Details) reload() tea.Cmd {
	ref := d.ref
	return fetch(&d.page, func(ctx context.Context, az Azure) (detail, error) {
		ep, err := az.Endpoint(ctx, ref)
		if err != nil {
			return detail{}, err
		}
		r := detail{ep: ep}
		r.deps, r.depsErr = az.Deployments(ctx, ref)
		return r, nil
	})
}

func (d *Details) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if m, ok := msg.(nav.Result[detail]); ok {
		if d.finish(m, m.Err) && m.Err == nil {
			d.ep, d.deps, d.depsErr = &m.Value.ep, m.Value.deps, m.Value.depsErr
		}
		d.layout()
		return d, nil
	}
	if d.Resized(msg) {
		d.layout()
		return d, nil
	}
	switch m := msg.(type) {
	case nav.EndpointsChangedMsg:
		if strings.EqualFold(m.Endpoint.ID(), d.ref.ID()) && !d.deleted {
			return d, d.reload()
		}
		return d, nil
	case nav.OperationMsg:
		if !strings.EqualFold(m.Op.Target.ID(), d.ref.ID()) {
			return d, nil
		}
		if m.Progress.Done && m.Progress.Err == nil && m.Op.Kind == "delete" {
			d.deleted = true
		} else if d.ep != nil && m.Progress.State != "" && !m.Progress.Done {
			d.ep.ProvisioningState = m.Progress.State // live state while an operation runs
		}
		d.layout()
		return d, nil
	}
	if cmd, handled, _ := d.common(msg); handled {
		if _, isKey := msg.(tea.KeyPressMsg); !isKey {
			return d, cmd
		}
	}
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, keyRefresh):
			return d, d.reload()
		case key.Matches(m, keyCheck):
			return d, nav.Cmd(d.checkMsg())
		case key.Matches(m, keyCreds), key.Matches(m, keyTest), key.Matches(m, keyAuthMode), key.Matches(m, keyDelete):
			if d.ep == nil || d.deleted {
				return d, nil // still loading (the auth mode decides what these screens do), or gone: the endpoint's auth mode decides what these screens do
			}
			e := *d.ep
			switch {
			case key.Matches(m, keyCreds):
				return d, nav.Cmd(nav.CredentialsMsg{Endpoint: e})
			case key.Matches(m, keyTest):
				return d, nav.Cmd(nav.ScoreMsg{Endpoint: e})
			case key.Matches(m, keyAuthMode):
				return d, nav.Cmd(nav.ChangeAuthModeMsg{Endpoint: e})
			default:
				return d, nav.Cmd(nav.DeleteEndpointMsg{Endpoint: e})
			}
		case key.Matches(m, keyCopy):
			return d, copyCmd(d.ref.ID(), "Copied endpoint id")
		case key.Matches(m, keyCopyURI):
			if d.ep != nil && d.ep.ScoringURI != "" {
				return d, copyCmd(d.ep.ScoringURI, "Copied scoring URI")
			}
		case key.Matches(m, keyCopySwagger):
			if d.ep != nil && d.ep.SwaggerURI != "" {
				return d, copyCmd(d.ep.SwaggerURI, "Copied swagger URI")
			}
		default:
			var cmd tea.Cmd
			d.vp, cmd = d.vp.Update(m)
			return d, cmd
		}
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		d.vp, cmd = d.vp.Update(m)
		return d, cmd
	}
	return d, nil
}

// authModeHelp says in one line what the mode means for a caller.
func authModeHelp(mode string) string {
	switch mode {
	case azure.AuthKey:
		return "callers send a primary or secondary key; keys do not expire"
	case azure.AuthAMLToken:
		return "callers send an Azure ML token (getToken); it expires, typically after 1 hour"
	case azure.AuthAADToken:
		return "callers send a Microsoft Entra token for https://ml.azure.com; RBAC decides (score action)"
	}
	return ""
}

func (d *Details) content(w int) string {
	st := d.env.Styles
	if d.ep == nil {
		return ""
	}
	e := d.ep
	label := func(s string) string { return st.Muted.Render(components.Pad(s, 14)) }
	c := components.Clean
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "%s %s\n", label(k), v) }
	section := func(t string) { fmt.Fprintf(&b, "\n%s\n", st.Title.Render(t)) }

	row("Name", st.Bold.Render(c(e.Endpoint)))
	row("Workspace", c(e.Name)+st.Muted.Render("  ("+c(e.ResourceGroup)+")"))
	row("State", stateStyle(d, e.ProvisioningState))
	row("Compute", c(e.ComputeType))
	row("Location", c(e.Location))
	if e.Description != "" {
		row("Description", c(e.Description))
	}
	section("Calling it")
	row("Scoring URI", st.Accent.Render(c(e.ScoringURI)))
	row("Swagger URI", c(e.SwaggerURI))
	row("Auth mode", st.Bold.Render(c(e.AuthMode))+st.Muted.Render("  "+authModeHelp(e.AuthMode)))
	section("Identity (what the endpoint runs as)")
	switch {
	case e.IdentityType == "" || strings.EqualFold(e.IdentityType, "None"):
		row("Type", "none")
	default:
		row("Type", c(e.IdentityType))
		if e.IdentityPrincipal != "" {
			row("Principal id", c(e.IdentityPrincipal))
		}
		for _, u := range e.UserIdentities {
			name := u[strings.LastIndex(u, "/")+1:]
			row("User-assigned", c(name)+st.Muted.Render("  "+c(u)))
		}
	}
	section("Deployments and traffic")
	switch {
	case d.depsErr != nil:
		b.WriteString(nav.Problem(st, "Listing deployments", d.depsErr, w) + "\n")
	case len(d.deps) == 0 && !d.loading():
		b.WriteString(st.Muted.Render("No deployments yet: traffic has nowhere to go.") + "\n")
	default:
		b.WriteString(st.TableHeader.Render(fmt.Sprintf("%-16s %8s  %-10s %-22s %s", "NAME", "TRAFFIC", "STATE", "INSTANCE", "MODEL")) + "\n")
		for _, dep := range d.deps {
			mirror := ""
			if m := e.MirrorTraffic[dep.Name]; m > 0 {
				mirror = fmt.Sprintf(" (+%d%% mirror)", m)
			}
			fmt.Fprintf(&b, "%-16s %7d%%  %-10s %-22s %s%s\n", components.Fit(c(dep.Name), 16), dep.TrafficPercent,
				components.Fit(c(dep.ProvisioningState), 10), components.Fit(fmt.Sprintf("%s ×%d", c(dep.InstanceType), dep.InstanceCount), 22),
				c(dep.Model), mirror)
		}
	}
	if len(e.Tags) > 0 {
		section("Tags")
		keys := make([]string, 0, len(e.Tags))
		for k := range e.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row(c(k), c(e.Tags[k]))
		}
	}
	section("History")
	now := d.env.Now()
	if !e.CreatedAt.IsZero() {
		row("Created", fmt.Sprintf("%s by %s  %s", e.CreatedAt.Local().Format("2006-01-02 15:04"), c(e.CreatedBy), st.Muted.Render(components.Ago(now, e.CreatedAt))))
	}
	if !e.ModifiedAt.IsZero() {
		row("Modified", fmt.Sprintf("%s by %s  %s", e.ModifiedAt.Local().Format("2006-01-02 15:04"), c(e.ModifiedBy), st.Muted.Render(components.Ago(now, e.ModifiedAt))))
	}
	row("Id", st.Muted.Render(c(e.ID)))
	return strings.TrimRight(b.String(), "\n")
}

func stateStyle(d *Details, s string) string {
	st := d.env.Styles
	switch strings.ToLower(s) {
	case "succeeded":
		return st.OK.Render("✓ " + s)
	case "failed", "canceled":
		return st.Err.Render("✗ " + s)
	default:
		return st.Warn.Render("… " + components.Clean(s))
	}
}

func (d *Details) View(w, h int) string {
	st := d.env.Styles
	head := st.Title.Render("Endpoint " + components.Clean(d.ref.Endpoint))
	if d.loading() {
		head += "  " + d.Spinner() + st.Muted.Render(" loading…")
	}
	if d.deleted {
		body := head + "\n" + st.Muted.Render("This endpoint was deleted. esc goes back to the list.")
		return components.Block(body, w, h)
	}
	if d.err != nil {
		body := head + "\n" + nav.Problem(st, d.what, d.err, w) + "\n" + st.Muted.Render("R retries · esc goes back")
		return components.Block(body, w, h)
	}
	// A copy, drawn at this size with the content as of now ("3m ago"):
	// View changes nothing; scrolling moves d.vp, laid out in Update.
	vp := d.vp
	vp.SetWidth(w)
	vp.SetHeight(max(h-1, 1))
	vp.SetContent(d.content(w))
	vp.SetYOffset(d.vp.YOffset())
	if vp.TotalLineCount() > vp.Height() {
		head += st.Muted.Render(fmt.Sprintf("  ↑/↓ scroll · %d%%", int(vp.ScrollPercent()*100)))
	}
	return components.Block(head+"\n"+vp.View(), w, h)
}

// layout fits the viewport to the screen's size and content, so that the
// scroll keys know how far they may go.
func (d *Details) layout() {
	w, h := d.Size()
	if w == 0 || h == 0 {
		return
	}
	off := d.vp.YOffset()
	d.vp.SetWidth(w)
	d.vp.SetHeight(max(h-1, 1))
	d.vp.SetContent(d.content(w))
	d.vp.SetYOffset(off)
}

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

// checkMsg opens the access check here, offering the endpoint's own identity.
func (d *Details) checkMsg() nav.CheckAccessMsg {
	m := nav.CheckAccessMsg{Context: d.Where()}
	if d.ep != nil {
		m.AuthMode = d.ep.AuthMode
		if d.ep.IdentityPrincipal != "" {
			m.Identity = &azure.PrincipalRef{ID: d.ep.IdentityPrincipal, Kind: "ServicePrincipal", SPType: "ManagedIdentity",
				DisplayName: components.Clean(d.ep.Endpoint)}
		}
	}
	return m
}
