package deploy

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

func (w *Wizard) View(width, h int) string {
	top := w.top(width)
	rest := h - lipgloss.Height(top)
	switch w.step {
	case sModel, sEnv:
		intro := w.body(width)
		t := &w.models
		if w.step == sEnv {
			t = &w.envs
		}
		return components.Block(top+"\n"+strings.Join(intro, "\n")+"\n"+t.View(width, max(rest-len(intro), 3)), width, h)
	}
	return components.Block(top+"\n"+w.vp.View(), width, h)
}

// top is the title with the step crumbs and the summary of what was chosen.
func (w *Wizard) top(width int) string {
	st := w.env.Styles
	cur := int(w.step)
	var crumbs []string
	for i, n := range stepNames {
		label := fmt.Sprint(i + 1)
		if i == cur || width >= 120 {
			label += " " + n
		}
		if i == cur {
			crumbs = append(crumbs, st.Accent.Bold(true).Render(label))
		} else {
			crumbs = append(crumbs, st.Muted.Render(label))
		}
	}
	head := st.Title.Render(w.Title()) + st.Muted.Render(" on "+components.Clean(w.ep.Endpoint)) + "  " + strings.Join(crumbs, st.Muted.Render(" › "))
	if w.active() {
		head += "  " + w.Spinner()
	}
	lines := []string{components.Fit(head, width)}
	if s := w.summary(); s != "" && w.step > sName {
		lines = append(lines, st.Muted.Render(components.Fit(s, width)))
	}
	return strings.Join(lines, "\n") + "\n"
}

func (w *Wizard) topHeight(width int) int { return lipgloss.Height(w.top(width)) }

// summary is what was chosen so far, on one line.
func (w *Wizard) summary() string {
	sp := w.spec()
	parts := []string{sp.Ref.Deployment}
	if w.model != nil && w.step > sModel {
		parts = append(parts, "model "+asset(w.model.Name, w.model.Version, w.model.ID))
	}
	if w.envir != nil && w.step > sEnv {
		env := "environment " + asset(w.envir.Name, w.envir.Version, w.envir.ID)
		switch { // the image is what runs
		case w.envir.Built:
			env += " (built by Azure)"
		case w.envir.Image != "":
			env += " (" + w.envir.Image + ")"
		}
		parts = append(parts, env)
	}
	if w.step > sCompute {
		parts = append(parts, fmt.Sprintf("%s ×%d", sp.InstanceType, sp.InstanceCount))
	}
	return components.Clean(strings.Join(parts, " · "))
}

// asset is name:version, or the id while only that is known (a redeploy's
// asset before the workspace's lists arrive, or a registry's).
func asset(name, version, id string) string {
	if name == "" {
		return id
	}
	return name + ":" + version
}

func (w *Wizard) hintLines(width int) []string {
	if w.hint == "" {
		return nil
	}
	return strings.Split(w.env.Styles.Err.Render(components.Wrap("✗ "+components.Clean(w.hint), width)), "\n")
}

func wrapped(style lipgloss.Style, s string, width int) []string {
	return strings.Split(style.Render(components.Wrap(s, width)), "\n")
}

// body is the step's content under the top (scrolled by the viewport;
// for the table steps, the lines above the table).
func (w *Wizard) body(width int) []string {
	st := w.env.Styles
	var lines []string
	switch w.step {
	case sName:
		w.name.SetWidth(max(width-10, 10))
		lines = append(lines, st.Bold.Render("Name the deployment"), w.name.View())
		if v := strings.TrimSpace(w.name.Value()); v != "" {
			if err := w.nameErr(); err != nil {
				lines = append(lines, wrapped(st.Err, "✗ "+components.Clean(err.Error()), width)...)
			} else {
				lines = append(lines, st.OK.Render("✓ "+components.Clean(v)+" is a valid name, new on this endpoint"))
			}
		} else {
			lines = append(lines, w.hintLines(width)...)
		}
		lines = append(lines, "")
		lines = append(lines, wrapped(st.Muted, "Rule: "+azure.DeploymentNameRule+". "+
			"Blue/green: name the new one after the color it takes (blue, green).", width)...)
		if len(w.deps) > 0 {
			var names []string
			for _, d := range w.deps {
				names = append(names, components.Clean(d.Name)+" ("+components.Clean(d.ProvisioningState)+")")
			}
			lines = append(lines, wrapped(st.Muted, "Deployments now: "+strings.Join(names, ", "), width)...)
		}
		lines = append(lines, w.busyLines(width)...)
	case sModel:
		lines = append(lines, st.Bold.Render("Which model it serves")+st.Muted.Render("  (model versions registered in workspace "+components.Clean(w.ep.Name)+")"))
		if w.modelsErr != nil {
			lines = append(lines, nav.Problem(st, "Listing models", w.modelsErr, width))
		} else if !w.modelsCall.Busy() && w.models.Total() == 0 {
			lines = append(lines, wrapped(st.Warn, "No models in this workspace: register one first (az ml model create), then R reloads.", width)...)
		}
	case sEnv:
		lines = append(lines, st.Bold.Render("Which environment (image) it runs in"))
		lines = append(lines, wrapped(st.Muted, "Curated images come from Microsoft's public registry: nothing to pull-authorize. "+
			"Custom images live in the workspace's container registry: the endpoint identity must be allowed to pull them (AcrPull).", width)...)
		if w.envsErr != nil {
			lines = append(lines, nav.Problem(st, "Listing environments", w.envsErr, width))
		} else if !w.envsCall.Busy() && w.envs.Total() == 0 {
			lines = append(lines, wrapped(st.Warn, "No environments in this workspace: create one first (az ml environment create), then R reloads.", width)...)
		}
	case sCompute:
		lines = append(lines, st.Bold.Render("What it runs on"))
		for i, t := range w.types {
			mark, name := "  ", fmt.Sprintf("%-24s", t.Name)
			if i == w.itype {
				mark, name = st.Cursor.Render("› "), st.Bold.Render(name)
			}
			desc := fmt.Sprintf("%-18s %2d vCPU %5.1f GiB", t.Family, t.VCPUs, t.MemoryGB)
			if t.GPUs > 0 {
				desc += fmt.Sprintf(" %d GPU", t.GPUs)
			}
			if t.Note != "" && i == w.itype {
				desc += "  " + t.Note
			}
			lines = append(lines, components.Fit(mark+name+" "+desc, width))
		}
		w.count.SetWidth(max(width-14, 10))
		lines = append(lines, "", w.count.View())
		if err := w.countErr(); err != nil && strings.TrimSpace(w.count.Value()) != "" {
			lines = append(lines, wrapped(st.Err, "✗ "+components.Clean(err.Error()), width)...)
		}
		lines = append(lines, w.hintLines(width)...)
		lines = append(lines, "", st.Muted.Render(components.Wrap(fmt.Sprintf("↑/↓ chooses the instance type; type the count (%d to %d, the default limit per deployment). "+
			"Azure reserves vCPU quota for every instance and refuses the deployment when the subscription has too little.", azure.MinInstanceCount, azure.MaxInstanceCount), width)))
	case sPreflight:
		lines = append(lines, w.preflightLines(width)...)
	case sReview:
		lines = append(lines, w.reviewLines(width)...)
	case sRun:
		lines = append(lines, w.runLines(width)...)
	}
	return lines
}

// busyLines warn that a deployment is still in progress (Azure refuses a second).
func (w *Wizard) busyLines(width int) []string {
	d, busy := busyDeployment(w.deps)
	if !busy {
		return nil
	}
	return wrapped(w.env.Styles.Warn, fmt.Sprintf("! Deployment %s is %s: Azure runs one deployment operation at a time on an endpoint, "+
		"so deploying waits until it ends (nothing you choose here is lost).", components.Clean(d.Name), strings.ToLower(components.Clean(d.ProvisioningState))), width)
}

func (w *Wizard) preflightLines(width int) []string {
	st := w.env.Styles
	lines := []string{st.Bold.Render("Preflight: can the endpoint identity run this deployment?")}
	lines = append(lines, wrapped(st.Muted, "The deployment's container runs as the endpoint identity: it pulls the image and reads the model. "+
		"Checked now with the same engine as access checks (role assignments, DataActions and deny assignments).", width)...)
	switch {
	case w.pre.call.Busy():
		lines = append(lines, "", st.Accent.Render(w.Spinner()+" Reading the identity's role assignments…"))
	case w.pre.err != nil:
		lines = append(lines, "", nav.Problem(st, "Checking the endpoint identity", nav.RetryWith(w.pre.err, "R"), width),
			st.Muted.Render("enter goes on to the review anyway; Azure has the last word."))
	case w.pre.report != nil:
		r := *w.pre.report
		lines = append(lines, "", st.Bold.Render("Runs as ")+identityLine(r), "")
		lines = append(lines, needLines(st, r, w.pre.cursor, width)...)
		lines = append(lines, "")
		if _, ok := fixable(r.Needs, -1); ok {
			lines = append(lines, wrapped(st.Warn, "As it is, this deployment would fail. f assigns the role (the assign wizard, prefilled); "+
				"enter goes on to the review anyway.", width)...)
		} else {
			lines = append(lines, st.OK.Render("✓ Nothing missing that the engine can see. enter goes on to the review."))
		}
	}
	return lines
}

func (w *Wizard) reviewLines(width int) []string {
	st := w.env.Styles
	sp := w.spec()
	var lines []string
	lines = append(lines, w.busyLines(width)...)
	if r := w.pre.report; r != nil {
		if _, ok := fixable(r.Needs, -1); ok {
			lines = append(lines, wrapped(st.Warn, "! The preflight found a missing permission: this deployment will fail until it is granted (esc, then f).", width)...)
		}
	}
	if w.updating() {
		lines = append(lines, wrapped(st.Muted, "Redeploys "+components.Clean(w.depName())+": the same deployment, put again with the model, environment, "+
			"instances and environment variables shown (what this app does not read, such as request settings and probes, goes back to Azure's defaults). "+
			"n names a new deployment instead.", width)...)
	}
	lines = append(lines, w.hintLines(width)...)
	switch {
	case w.startCall.Busy() && w.updating():
		lines = append(lines, st.Accent.Render(w.Spinner()+" Sending the update request…"))
	case w.startCall.Busy():
		lines = append(lines, st.Accent.Render(w.Spinner()+" Sending the create request…"))
	case w.startErr != nil:
		lines = append(lines, nav.Problem(st, "Deploying "+sp.Ref.Deployment, nav.RetryWith(w.startErr, "enter"), width),
			st.Muted.Render(components.Wrap("Everything chosen is kept: n edits the name, esc goes back step by step.", width)))
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	method, path, body := sp.REST()
	lines = append(lines, pane(st, "az CLI (a)", w.azCommand(sp), width)...)
	lines = append(lines, "")
	lines = append(lines, pane(st, "deployment.yml (y)", sp.YAML(), width)...)
	lines = append(lines, "")
	return append(lines, pane(st, "REST (r)", w.env.Config.RESTText(method, path, body), width)...)
}

// azCommand is az's create, or its update for a redeploy (create fails on
// a deployment that exists).
func (w *Wizard) azCommand(sp azure.DeploymentSpec) string {
	if w.updating() {
		return sp.AzUpdateCommand()
	}
	return sp.AzCommand()
}

// pane is a titled block, wrapped (never cut) so that what is copied is what is seen.
func pane(st *theme.Styles, title, body string, width int) []string {
	out := []string{st.Bold.Render(title), st.Muted.Render(strings.Repeat("─", min(width, 40)))}
	for _, l := range strings.Split(components.CleanBlock(body), "\n") {
		out = append(out, strings.Split(components.Wrap(l, width), "\n")...)
	}
	return out
}

func (w *Wizard) runLines(width int) []string {
	st := w.env.Styles
	if w.op == nil {
		return nil
	}
	p := w.last
	state := p.State
	if state == "" {
		state = w.op.State()
	}
	elapsed := p.Elapsed
	if elapsed == 0 {
		elapsed = w.env.Now().Sub(w.op.Started)
	}
	name := components.Clean(w.depName())
	head := fmt.Sprintf("Deploying %s to %s · %s · %s", name, components.Clean(w.ep.Endpoint), components.Clean(state), elapsed.Round(time.Second))
	if w.tries > 1 {
		head += fmt.Sprintf(" · attempt %d", w.tries)
	}
	var lines []string
	switch {
	case w.succeeded():
		lines = append(lines, st.OK.Render("✓ "+head), "")
		if w.updating() { // the traffic is the endpoint's: a deployment's PUT leaves it
			lines = append(lines, wrapped(st.Accent, name+" keeps its share of the endpoint's traffic: t opens the traffic editor with it selected.", width)...)
		} else {
			lines = append(lines, wrapped(st.Accent, "A new deployment gets no traffic until you give it some: t opens the traffic editor with "+name+" selected.", width)...)
		}
	case w.failed():
		lines = append(lines, st.Err.Render("✗ "+head), "", nav.Problem(st, "Deploying "+name, nav.RetryWith(p.Err, "enter"), width))
		if w.fixed {
			lines = append(lines, wrapped(st.OK, "A role was assigned since it failed. enter retries the deployment (a PUT replaces the failed one). "+
				"Azure can take a few minutes to apply a new assignment: if it fails the same way, wait a little and retry.", width)...)
		}
		lines = append(lines, wrapped(st.Accent, "f fixes (assign the role, prefilled) · enter retries · e details · esc back to the review", width)...)
		lines = append(lines, "")
		lines = append(lines, w.logLines(width)...)
		if r := w.pre.report; r != nil && !w.pre.call.Busy() {
			lines = append(lines, "", st.Bold.Render("The endpoint identity now:"))
			lines = append(lines, needLines(st, *r, w.pre.cursor, width)...)
		}
	default:
		lines = append(lines, st.Accent.Render(w.Spinner()+" "+head), "",
			st.Muted.Render(components.Wrap("It keeps running if you leave (esc): the header shows it, and a toast says when it ends.", width)))
	}
	return lines
}

// logLines are the failed deployment's logs, or why they are not shown.
func (w *Wizard) logLines(width int) []string {
	st := w.env.Styles
	switch {
	case w.logs.call.Busy():
		return []string{st.Accent.Render(w.Spinner() + " Reading the deployment's logs…")}
	case w.logs.err != nil:
		return []string{nav.Problem(st, "Reading the logs", w.logs.err, width)}
	case !w.logs.read:
		return nil
	}
	out := []string{st.Bold.Render("Logs (az ml online-deployment get-logs)")}
	for _, l := range strings.Split(strings.TrimRight(components.CleanBlock(w.logs.text), "\n"), "\n") {
		out = append(out, strings.Split(components.Wrap(l, width), "\n")...)
	}
	return out
}
