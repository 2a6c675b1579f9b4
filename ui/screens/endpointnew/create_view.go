package endpointnew

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

func (c *Create) View(w, h int) string {
	st := c.env.Styles
	top := []string{c.head(w)}
	if g := c.gate.view(st, c.ws.Name, w); g != "" {
		top = append(top, g)
	}
	if s := c.summary(); s != "" && c.step > cName {
		top = append(top, st.Muted.Render(components.Fit(s, w)))
	}
	top = append(top, "")
	topS := strings.Join(top, "\n")
	rest := h - lipgloss.Height(topS)
	var body string
	switch c.step {
	case cName:
		body = strings.Join(c.nameView(w), "\n")
	case cDetails:
		body = strings.Join(c.detailsView(w), "\n")
	case cCompute:
		body = strings.Join(c.computeView(w), "\n")
	case cAuth:
		body = strings.Join(c.authView(w), "\n")
	case cIdentity:
		lines := c.identityIntro(w)
		c.tableTop = lipgloss.Height(topS) + len(lines)
		body = strings.Join(lines, "\n") + "\n" + c.ids.View(w, max(rest-len(lines), 3))
	case cReview:
		body = c.scroll.window(st, c.reviewView(w), rest)
	case cRun:
		body = strings.Join(c.runView(w), "\n")
	}
	return components.Block(topS+"\n"+body, w, h)
}

// head is the title and the step crumbs (numbers only when narrow).
func (c *Create) head(w int) string {
	st := c.env.Styles
	cur := min(int(c.step), len(stepNames)-1)
	crumbs := func(full bool) string {
		var out []string
		for i, n := range stepNames {
			label := fmt.Sprint(i + 1)
			if full || i == cur {
				label += " " + n
			}
			if i == cur {
				out = append(out, st.Accent.Bold(true).Render(label))
			} else {
				out = append(out, st.Muted.Render(label))
			}
		}
		return strings.Join(out, st.Muted.Render(" › "))
	}
	title := st.Title.Render("New endpoint") + st.Muted.Render(" in "+components.Clean(c.ws.Name)) + "  "
	spin := ""
	if c.active() {
		spin = "  " + c.Spinner()
	}
	head := title + crumbs(true) + spin
	if lipgloss.Width(head) > w {
		head = title + crumbs(false) + spin
	}
	return components.Fit(head, w)
}

// summary is what was chosen so far, on one line.
func (c *Create) summary() string {
	parts := []string{strings.TrimSpace(c.name.Value())}
	if c.location != "" {
		parts = append(parts, c.location)
	}
	if c.step > cCompute {
		ct := c.computeType()
		if c.k8s {
			ct += " (" + strings.TrimSpace(c.compute.Value()) + ")"
		}
		parts = append(parts, ct)
	}
	if c.step > cAuth {
		parts = append(parts, modes()[c.auth].Mode)
	}
	if c.step > cIdentity {
		parts = append(parts, c.identityLabel())
	}
	return components.Clean(strings.Join(parts, " · "))
}

func (c *Create) identityLabel() string {
	if c.uai == nil {
		return "system-assigned identity"
	}
	return "user-assigned identity " + c.uai.Name
}

func (c *Create) hintLine(w int) []string {
	if c.hint == "" {
		return nil
	}
	return []string{c.env.Styles.Err.Render(wrap("✗ "+components.Clean(c.hint), w))}
}

func (c *Create) nameView(w int) []string {
	st := c.env.Styles
	c.name.SetWidth(max(w-10, 10))
	lines := []string{st.Bold.Render("Name the endpoint"), c.name.View()}
	if v := strings.TrimSpace(c.name.Value()); v != "" {
		if err := c.nameErr(); err != nil {
			lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(err.Error()), w)))
		} else {
			lines = append(lines, st.OK.Render("✓ "+components.Clean(v)+" is a valid name"))
		}
	} else {
		lines = append(lines, c.hintLine(w)...)
	}
	lines = append(lines, "", st.Muted.Render(wrap("Rule: "+azure.EndpointNameRule+". The name becomes the host of the scoring URI.", w)))
	if c.location != "" {
		lines = append(lines, st.Muted.Render(wrap("Scoring URI: https://<name>."+components.Clean(c.location)+".inference.ml.azure.com/score", w)))
	}
	return lines
}

func (c *Create) detailsView(w int) []string {
	st := c.env.Styles
	c.desc.SetWidth(max(w-16, 10))
	c.tags.SetWidth(max(w-9, 10))
	lines := []string{st.Bold.Render("Describe it (both optional)"), c.desc.View(), c.tags.View()}
	tags, err := parseTags(c.tags.Value())
	switch {
	case err != nil:
		lines = append(lines, st.Err.Render(wrap("✗ "+components.Clean(err.Error()), w)))
	case len(tags) > 0:
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			keys[i] = k + "=" + tags[k]
		}
		lines = append(lines, st.OK.Render(components.Fit(components.Clean(fmt.Sprintf("✓ %d tag(s): %s", len(tags), strings.Join(keys, ", "))), w)))
	}
	lines = append(lines, "", st.Muted.Render(wrap("Tags are name=value pairs separated by commas (names ignore case; at most 50). tab switches fields, enter goes on.", w)))
	return lines
}

func (c *Create) computeView(w int) []string {
	st := c.env.Styles
	opts := [][2]string{
		{"Managed", "Azure runs, patches and scales the machines for you."},
		{"Kubernetes", "Your AKS or Arc cluster, attached to the workspace."},
	}
	lines := []string{st.Bold.Render("Where it runs")}
	for i, o := range opts {
		sel := (i == 1) == c.k8s
		mark, name := "  ", fmt.Sprintf("%-11s", o[0])
		if sel {
			mark, name = st.Cursor.Render("› "), st.Bold.Render(name)
		}
		lines = append(lines, components.Fit(mark+name+" "+o[1], w))
	}
	if c.k8s {
		c.compute.SetWidth(max(w-14, 10))
		lines = append(lines, "", "    "+c.compute.View())
		if v := strings.TrimSpace(c.compute.Value()); v != "" {
			if err := c.computeErr(); err != nil {
				lines = append(lines, st.Err.Render(wrap("    ✗ "+err.Error(), w)))
			}
		}
		lines = append(lines, c.hintLine(w)...)
		lines = append(lines, "", st.Warn.Render(wrap("Kubernetes endpoints cannot use aad_token (managed compute only). tab types the compute name.", w)))
	} else {
		lines = append(lines, c.hintLine(w)...)
	}
	return lines
}

func (c *Create) authView(w int) []string {
	st := c.env.Styles
	lines := []string{st.Bold.Render("How callers authenticate")}
	lines = append(lines, modeList(st, c.auth, c.computeType(), "", w)...)
	lines = append(lines, "")
	m := modes()[c.auth]
	if why := modeDisabled(m.Mode, c.computeType()); why != "" {
		lines = append(lines, st.Bold.Render(m.Mode), st.Warn.Render(wrap("Disabled: "+why+".", w)))
	} else {
		lines = append(lines, modeDetail(st, m, w)...)
	}
	return append(lines, c.hintLine(w)...)
}

func (c *Create) identityIntro(w int) []string {
	st := c.env.Styles
	lines := []string{st.Bold.Render("Which identity it runs as"),
		st.Muted.Render(wrap("It pulls the image and reads the model and secrets. It is not who may score: the auth mode decides that.", w))}
	switch {
	case c.idsCall.Busy():
		lines = append(lines, st.Muted.Render("Loading the user-assigned identities of the subscription…"))
	case c.idsErr != nil:
		lines = append(lines, nav.Problem(st, "Listing user-assigned identities", c.idsErr, w),
			st.Muted.Render(wrap("R retries. System-assigned needs no list.", w)))
	case c.env.Session != nil && c.ids.Total() == 1:
		lines = append(lines, st.Warn.Render(wrap("No user-assigned identities in this subscription: system-assigned is the choice here "+
			"(az identity create makes one).", w)))
	}
	return lines
}

// reviewView is the review: problems first, then endpoint.yml, the az
// command and the REST request (side by side when wide).
func (c *Create) reviewView(w int) []string {
	st := c.env.Styles
	sp := c.spec()
	var lines []string
	if c.uai != nil {
		if g := c.idGate.view(st, "resource group "+c.uai.ResourceGroup, w); g != "" {
			lines = append(lines, g)
		}
	}
	if err := sp.Validate(); err != nil {
		lines = append(lines, st.Err.Render(wrap("✗ This endpoint cannot be created as it is: "+components.Clean(err.Error())+". esc goes back to fix it.", w)))
	}
	lines = append(lines, c.hintLine(w)...)
	switch {
	case c.startCall.Busy():
		lines = append(lines, st.Accent.Render(c.Spinner()+" Sending the create request…"))
	case c.startErr != nil:
		lines = append(lines, nav.Problem(st, "Creating "+sp.Ref.Endpoint, nav.RetryWith(c.startErr, "enter"), w),
			st.Accent.Render(wrap(startAdvice(c.startErr), w)))
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	method, path, body := sp.REST()
	// The az command is one long line: full width first. The two documents
	// go side by side when there is room.
	lines = append(lines, panes(st, w, false, []string{"az CLI (a)"}, []string{components.CleanBlock(sp.AzCommand())})...)
	lines = append(lines, "")
	return append(lines, panes(st, w, true, []string{"endpoint.yml (y)", "REST (r)"},
		[]string{components.CleanBlock(sp.YAML()), components.CleanBlock(c.env.Config.RESTText(method, path, body))})...)
}

// startAdvice says what to do about a refused create; nothing typed is lost.
func startAdvice(err error) string {
	var (
		fe *azure.ForbiddenError
		th *azure.ThrottledError
		ce *azure.ConflictError
		ie *azure.InvalidRequestError
		pe *azure.SpecError
		se *azure.ServiceError
	)
	const kept = " Everything typed is kept."
	switch {
	case errors.As(err, &fe):
		return "ctrl+o checks your access and finds the role that grants it; enter retries once it is granted." + kept
	case errors.As(err, &th):
		wait := "a moment"
		if th.RetryAfter > 0 {
			wait = th.RetryAfter.String()
		}
		return "Azure is throttling: wait " + wait + ", then enter retries." + kept
	case errors.As(err, &ce) && (ce.NameTaken() || ce.Code == "EndpointExists"):
		return "n changes the name, then enter creates." + kept
	case errors.As(err, &ce):
		return "Another operation on this endpoint is still running: wait until it ends, then enter retries." + kept
	case errors.As(err, &ie) && strings.EqualFold(ie.Target, "name"), errors.As(err, &pe) && pe.Field == "name":
		return "n edits the name." + kept
	case errors.As(err, &ie), errors.As(err, &pe):
		return "esc goes back step by step to fix it." + kept
	case errors.As(err, &se) && se.Status == 409:
		return "The name is taken in this region, or another operation on this endpoint is still running: n changes the name, or wait and enter retries." + kept
	case errors.As(err, &se) && se.Status == 400:
		return "Azure rejected the request: fix what it names (n edits the name, esc goes back step by step)." + kept
	}
	return "enter retries; e shows the details." + kept
}

func (c *Create) runView(w int) []string {
	st := c.env.Styles
	if c.watch.op == nil {
		return nil
	}
	lines := c.watch.view(st, c.Spinner(), c.env.Now(), w)
	lines = append(lines, "")
	switch {
	case c.watch.failed():
		lines = append(lines, nav.Problem(st, "Provisioning failed", nav.RetryWith(c.watch.last.Err, "enter"), w), "",
			st.Accent.Render(wrap("enter retries the create (a PUT replaces the failed endpoint) · e details · esc back to the review", w)))
	case c.watch.succeeded():
		lines = append(lines, st.OK.Render("Opening the endpoint…"))
	default:
		lines = append(lines, st.Muted.Render(wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", w)))
	}
	return lines
}
