package browse

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// top is what View draws above the table: the title, the spinner, the
// screen's extra lines and the error. tableless: the error is the content.
func (p *page) top(w, h int) (top string, tableless bool) {
	st := p.env.Styles
	title, extra := p.heading(w)
	head := st.Title.Render(title)
	if p.loading() {
		head += "  " + p.Spinner() + st.Muted.Render(" loading…")
	}
	lines := head
	if extra != "" {
		lines += "\n" + extra
	}
	if p.err != nil {
		retry := nav.AfterProblem(p.err, "", "e shows the full error")
		if p.resume != nil {
			if r := p.resume(); r != "" {
				retry = r
			}
		}
		lines += "\n" + nav.Problem(st, p.what, p.err, w) + "\n" + st.Muted.Render(components.Wrap(retry, w))
	}
	if p.err != nil && p.table.Total() == 0 {
		// The error is the content: an empty table under it would say "No endpoints", which is not true.
		return lines, true
	}
	return components.Block(lines, w, min(lipgloss.Height(lines), h-3)), false
}

// tableTop is how many rows the top takes at the screen's size: where a
// mouse click on the table starts.
func (p *page) tableTop() int {
	w, h := p.Size()
	if p.heading == nil {
		return 0 // not a list screen (the details)
	}
	top, tableless := p.top(w, h)
	if tableless {
		return h
	}
	return lipgloss.Height(top)
}

// View draws the top over the table. It changes nothing.
func (p *page) View(w, h int) string {
	top, tableless := p.top(w, h)
	if tableless {
		return components.Block(top, w, h)
	}
	return top + "\n" + p.table.View(w, h-lipgloss.Height(top))
}

func (s *Subscriptions) heading(w int) (title, extra string) {
	if !s.loading() && s.err == nil && len(s.items) == 0 && s.asked {
		who := "This identity"
		if sess := s.env.Session; sess != nil {
			who = components.Clean(sess.Identity().Name())
		}
		extra = s.env.Styles.Warn.Render(components.Wrap(who+" sees no subscriptions: it has no role assignment on any subscription or anything in one.", w)) + "\n" +
			s.env.Styles.Muted.Render(components.Wrap("→ Ask an Owner to assign a role (Reader to look around; AzureML Data Scientist on a workspace to work with its endpoints), "+
				"or switch tenant from the identity card (esc). New assignments can take a few minutes to appear: R refreshes.", w))
	}
	return "Subscriptions", extra
}

func (s *Workspaces) heading(w int) (title, extra string) {
	title = "Workspaces in " + s.subName(s.subs[0].ID)
	if len(s.subs) != 1 {
		title = fmt.Sprintf("Workspaces across %d subscriptions", len(s.subs))
	}
	var lines []string
	if len(s.subs) > 1 && s.via != "" && s.err == nil {
		// Which path answered: one Resource Graph query, or one list per
		// subscription (and why Resource Graph did not answer).
		lines = append(lines, s.env.Styles.Muted.Render(components.Wrap(components.Clean(s.via), w)))
	}
	if len(s.failed) > 0 {
		lines = append(lines, s.env.Styles.Warn.Render(fmt.Sprintf("%d subscription(s) could not be listed (R retries):", len(s.failed))))
		for i, f := range s.failed {
			if i == 3 {
				lines = append(lines, s.env.Styles.Muted.Render(fmt.Sprintf("  … and %d more", len(s.failed)-3)))
				break
			}
			lines = append(lines, s.env.Styles.Muted.Render(components.Wrap("  "+f, w)))
		}
	}
	return title, strings.Join(lines, "\n")
}

// Traffic renders a traffic map as "blue 90% · green 10%", largest first.
func Traffic(t map[string]int32) string {
	if len(t) == 0 {
		return "no traffic"
	}
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if t[names[i]] != t[names[j]] {
			return t[names[i]] > t[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d%%", components.Clean(n), t[n])
	}
	return strings.Join(parts, " · ")
}

func (s *Endpoints) heading(w int) (title, extra string) {
	extra = s.env.Styles.Muted.Render(components.Fit("resource group "+components.Clean(s.ws.ResourceGroup), w))
	if p := s.progress(); p != "" {
		extra += "\n" + s.env.Styles.Accent.Render(components.Fit(p, w))
	}
	return "Endpoints in " + components.Clean(s.ws.Name), extra
}

// progress is the loading line: "12,300 of about 100,000 loaded" while
// pages arrive (the estimate is Resource Graph's count, which lags ARM), or
// where loading stopped; "" once the whole list is in.
func (s *Endpoints) progress() string {
	if s.pages == nil || s.fresh || !s.pages.More() {
		return ""
	}
	n := s.table.Total()
	of := thousands(n) + " loaded so far"
	if s.about > n {
		of = thousands(n) + " of about " + thousands(s.about) + " loaded"
	}
	if s.err != nil {
		return "Loading stopped: " + of
	}
	return of + "…"
}

// resumeHint is the retry line when a page failed part-way.
func (s *Endpoints) resumeHint() string {
	if !s.resumable() {
		return ""
	}
	return fmt.Sprintf("r resumes at endpoint %s · R starts over · e shows the full error", thousands(s.table.Total()+1))
}

// thousands writes n with comma separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
		b.WriteString(nav.Problem(st, listingDeployments, d.depsErr, w) + "\n" + st.Muted.Render("e shows the full error") + "\n")
	case len(d.deps) == 0 && !d.loading():
		b.WriteString(st.Muted.Render("No deployments yet: traffic has nowhere to go. n creates one; i checks that the endpoint identity can run it.") + "\n")
	default:
		b.WriteString(st.TableHeader.Render(fmt.Sprintf("%-14s %8s  %-10s %-22s %s", "NAME", "TRAFFIC", "STATE", "INSTANCE", "MODEL")) + "\n")
		for _, dep := range d.deps {
			mirror := ""
			if m := e.MirrorTraffic[dep.Name]; m > 0 {
				mirror = fmt.Sprintf(" (+%d%% mirror)", m)
			}
			fmt.Fprintf(&b, "%-14s %7d%%  %-10s %-22s %s%s\n", components.Fit(c(dep.Name), 14), dep.TrafficPercent,
				components.Fit(c(dep.ProvisioningState), 10), components.Fit(fmt.Sprintf("%s ×%d", c(dep.InstanceType), dep.InstanceCount), 22),
				c(assetLabel(dep.Model)), mirror)
			// The environment on a line of its own: the image is what runs,
			// and it is too long for a column.
			indent := strings.Repeat(" ", envIndent)
			env := components.Wrap("environment "+c(d.environment(dep.Environment)), w-envIndent)
			b.WriteString(st.Muted.Render(indent+strings.ReplaceAll(env, "\n", "\n"+indent)) + "\n")
		}
		b.WriteString(st.Muted.Render("n new deployment · T traffic and delete · l logs · i can it run?") + "\n")
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
		body := head + "\n" + nav.Problem(st, d.what, d.err, w) + "\n" + st.Muted.Render(components.Wrap(nav.AfterProblem(d.err, "", "e shows the full error", "esc goes back"), w))
		return components.Block(body, w, h)
	}
	// A copy, drawn at this size with the content as of now ("3m ago"):
	// View changes nothing; scrolling moves d.vp, laid out in Update.
	vp := d.vp
	components.Refit(&vp, w, max(h-1, 1), d.content(w))
	if vp.TotalLineCount() > vp.Height() {
		head += st.Muted.Render(fmt.Sprintf("  ↑/↓ scroll · %d%%", int(vp.ScrollPercent()*100)))
	}
	return components.Block(head+"\n"+vp.View(), w, h)
}

// envIndent sets a deployment's environment line under its name.
const envIndent = 2

// environment is a deployment's environment as its asset and the image it
// runs ("sklearn-env:1 · mcr.microsoft.com/azureml/curated/sklearn-1.5:14"),
// or why the image is not shown: it is still being read, could not be
// read, or Azure builds it.
func (d *Details) environment(id string) string {
	if id == "" {
		return "not stated by Azure"
	}
	label := assetLabel(id)
	r, ok := d.envs[id]
	switch {
	case !ok && d.envCall.Busy():
		return label + " · reading its image…"
	case !ok:
		return label + " · image not read"
	case r.err != nil:
		e := azure.Explain(r.err)
		return label + " · image not read: " + strings.TrimSuffix(e.Title, ".")
	case r.ev.Built:
		if r.ev.Image != "" {
			return label + " · built by Azure on " + r.ev.Image + " into the workspace registry"
		}
		return label + " · built by Azure into the workspace registry"
	case r.ev.Image != "":
		return label + " · " + r.ev.Image
	case r.ev.Curated:
		return label + " · curated (azureml registry): its image is not read here"
	}
	return label + " · no image named"
}

// assetLabel is a model or environment asset id as name:version
// (".../models/churn/versions/3" and "azureml:churn:3" are "churn:3").
func assetLabel(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if n := len(parts); n >= 4 && strings.EqualFold(parts[n-2], "versions") {
		return parts[n-3] + ":" + parts[n-1]
	}
	return strings.TrimPrefix(id, "azureml:")
}
