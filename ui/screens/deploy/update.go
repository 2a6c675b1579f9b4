package deploy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

func (w *Wizard) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := w.update(msg)
	w.layout()
	return w, cmd
}

func (w *Wizard) update(msg tea.Msg) tea.Cmd {
	if w.Resized(msg) {
		return nil
	}
	if _, ok := msg.(nav.ThemeMsg); ok {
		for _, in := range []*textinput.Model{&w.name, &w.count} {
			in.SetStyles(w.env.Styles.Input)
		}
		return nil
	}
	if cmd, ok := w.Spin(msg, w.active()); ok {
		return cmd
	}
	switch m := msg.(type) {
	case nav.Result[[]azure.ModelVersion]:
		if w.Done(&w.modelsCall, m) {
			w.modelsErr, w.models.Loading = m.Err, false
			rows := make([]components.Row, len(m.Value))
			for i, mv := range m.Value {
				rows[i] = components.Row{ID: mv.ID, Payload: mv, Cells: []string{components.Clean(mv.Name), components.Clean(mv.Version),
					components.Clean(mv.Type), components.Clean(mv.Description)}}
			}
			w.models.SetRows(rows)
			if w.model != nil && w.model.Name == "" { // a redeploy's model, known by its id until now
				if i := slices.IndexFunc(m.Value, func(mv azure.ModelVersion) bool { return names(mv.ID, mv.Ref(), w.model.ID) }); i >= 0 {
					w.model = &m.Value[i]
				}
			}
		}
		return nil
	case nav.Result[[]azure.EnvironmentVersion]:
		if w.Done(&w.envsCall, m) {
			w.envsErr, w.envs.Loading = m.Err, false
			rows := make([]components.Row, len(m.Value))
			for i, ev := range m.Value {
				kind := imageKind(ev)
				rows[i] = components.Row{ID: ev.ID, Payload: ev, Cells: []string{components.Clean(ev.Name + ":" + ev.Version), kind, components.Clean(ev.Image)}}
			}
			w.envs.SetRows(rows)
			if w.envir != nil && w.envir.Name == "" { // a redeploy's environment, known by its id until now
				if i := slices.IndexFunc(m.Value, func(ev azure.EnvironmentVersion) bool { return names(ev.ID, ev.Ref(), w.envir.ID) }); i >= 0 {
					w.envir = &m.Value[i]
				}
			}
		}
		return nil
	case nav.Result[deployments]:
		if w.Done(&w.depsCall, m) && m.Err == nil {
			w.deps = m.Value
		}
		return nil
	case nav.Result[azure.RunCheck]:
		if w.Done(&w.pre.call, m) {
			w.pre.err = m.Err
			if m.Err == nil {
				r := m.Value
				w.pre.report = &r
				w.pre.cursor = firstFailing(r.Needs)
			}
		}
		return nil
	case nav.Result[logText]:
		if w.Done(&w.logs.call, m) {
			w.logs.text, w.logs.err, w.logs.read = string(m.Value), m.Err, true
		}
		return nil
	case nav.Result[*azure.Operation]:
		if !w.Done(&w.startCall, m) {
			return nil
		}
		if m.Err != nil {
			w.startErr = m.Err
			w.step = sReview
			return nil
		}
		w.step, w.op, w.last, w.fixed, w.logs = sRun, m.Value, azure.Progress{}, false, logsPane{}
		w.tries++
		return tea.Batch(nav.Cmd(nav.TrackMsg{Op: m.Value, Label: "Deploy " + w.depName() + " to " + w.ep.Endpoint}), w.StartSpinner())
	case nav.OperationMsg:
		if w.op == nil || m.Op != w.op {
			return nil
		}
		w.last = m.Progress
		if w.failed() {
			return w.readLogs() // Azure's reason is in the logs: show them at once
		}
		return nil
	case nav.AccessChangedMsg:
		// A role was assigned (the fix): check again, and offer the retry.
		if w.step == sPreflight || w.failed() {
			w.fixed = w.failed()
			return w.check()
		}
		return nil
	case tea.KeyPressMsg:
		return w.key(m)
	case tea.PasteMsg:
		if in := w.focused(); in != nil {
			var cmd tea.Cmd
			*in, cmd = in.Update(m)
			w.hint = ""
			return cmd
		}
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		w.vp, cmd = w.vp.Update(m)
		return cmd
	}
	return nil
}

// names reports that id (as a deployment names its asset: the ARM id or
// azureml:name:version) is the asset with this ARM id or reference.
func names(armID, ref, id string) bool {
	return strings.EqualFold(armID, id) || ref == id
}

// firstFailing is the need the fix key acts on first: the first that is
// not allowed (0 when all are).
func firstFailing(needs []azure.Need) int {
	for i, n := range needs {
		if n.Needed && n.Outcome != rbac.Allowed {
			return i
		}
	}
	return 0
}

// goTo moves to a step and gives its input the focus.
func (w *Wizard) goTo(s step) tea.Cmd {
	w.name.Blur()
	w.count.Blur()
	w.step, w.hint = s, ""
	w.vp.GotoTop()
	switch s {
	case sName:
		return w.name.Focus()
	case sModel:
		if w.model != nil {
			w.models.Select(w.model.ID)
		}
	case sEnv:
		if w.envir != nil {
			w.envs.Select(w.envir.ID)
		}
	case sCompute:
		return w.count.Focus()
	case sPreflight:
		if w.pre.report == nil || w.pre.spec != checked(w.spec()) {
			w.pre.report = nil
			return w.check()
		}
	}
	return nil
}

func (w *Wizard) key(k tea.KeyPressMsg) tea.Cmd {
	if w.startCall.Busy() {
		return nil // the request is out: its answer must find this screen to be tracked
	}
	s := k.String()
	switch w.step {
	case sName:
		switch s {
		case "esc":
			return nav.Cmd(nav.PopMsg{})
		case "enter", "tab":
			if err := w.nameErr(); err != nil {
				w.hint = err.Error()
				return nil
			}
			return w.goTo(sModel)
		}
		return w.typeInto(&w.name, k)
	case sModel, sEnv:
		t, prev, next := &w.models, sName, sEnv
		if w.step == sEnv {
			t, prev, next = &w.envs, sModel, sCompute
		}
		if s == "esc" && !t.Filtering() && t.Query() == "" {
			return w.goTo(prev)
		}
		if key.Matches(k, keyReload) && !t.Filtering() {
			if w.step == sModel {
				return w.loadModels()
			}
			return w.loadEnvs()
		}
		cmd, _, chosen := t.Update(k)
		if !chosen {
			return cmd
		}
		r, ok := t.Selected()
		if !ok {
			return nil
		}
		switch p := r.Payload.(type) {
		case azure.ModelVersion:
			w.model = &p
		case azure.EnvironmentVersion:
			w.envir = &p
		}
		return w.goTo(next)
	case sCompute:
		switch s {
		case "esc":
			return w.goTo(sEnv)
		case "up":
			w.itype, w.hint = (w.itype+len(w.types)-1)%len(w.types), ""
			return nil
		case "down":
			w.itype, w.hint = (w.itype+1)%len(w.types), ""
			return nil
		case "enter":
			if err := w.countErr(); err != nil {
				w.hint = err.Error()
				return nil
			}
			return w.goTo(sPreflight)
		}
		return w.typeInto(&w.count, k)
	case sPreflight:
		switch {
		case s == "esc":
			return w.goTo(sCompute)
		case s == "enter":
			if w.pre.call.Busy() {
				return nil
			}
			return w.goTo(sReview)
		case key.Matches(k, keyFix):
			return w.fix()
		case key.Matches(k, keyReload):
			return w.check()
		case s == "up" && w.pre.report != nil:
			w.pre.cursor = max(w.pre.cursor-1, 0)
			return nil
		case s == "down" && w.pre.report != nil:
			w.pre.cursor = min(w.pre.cursor+1, len(w.pre.report.Needs)-1)
			return nil
		}
	case sReview:
		sp := w.spec()
		switch {
		case s == "esc":
			return w.goTo(sPreflight)
		case key.Matches(k, keyDeploy):
			return w.deploy()
		case key.Matches(k, keyCopyYML):
			return nav.Cmd(nav.CopyMsg{Text: sp.YAML(), Label: "Copied deployment.yml"})
		case key.Matches(k, keyCopyAz):
			return nav.Cmd(nav.CopyMsg{Text: w.azCommand(sp), Label: "Copied the az command"})
		case key.Matches(k, keyCopyREST):
			return nav.Cmd(nav.CopyMsg{Text: w.env.Config.RESTText(sp.REST()), Label: "Copied the REST request"})
		case key.Matches(k, keyEditName):
			return w.goTo(sName)
		}
		return w.scroll(k)
	case sRun:
		switch {
		case w.succeeded() && key.Matches(k, keyTraffic):
			return w.openTraffic()
		case w.failed() && key.Matches(k, keyRetry):
			return w.start()
		case w.failed() && key.Matches(k, keyFix):
			return w.fix()
		case w.failed() && key.Matches(k, keyDetails):
			return w.Error("Deploying "+w.depName(), w.last.Err)
		case w.failed() && s == "esc":
			return w.goTo(sReview)
		}
		return w.scroll(k)
	}
	return nil
}

// deploy starts the operation unless a rule says no; what was chosen stays.
func (w *Wizard) deploy() tea.Cmd {
	if err := w.nameErr(); err != nil {
		w.hint = "Not deployed: " + err.Error() + ". n edits the name."
		return nil
	}
	if err := w.countErr(); err != nil {
		w.hint = "Not deployed: " + err.Error() + ". esc goes back to the compute step."
		return nil
	}
	if w.model == nil || w.envir == nil {
		w.hint = "Not deployed: choose a model and an environment (esc goes back)."
		return nil
	}
	var se *azure.SpecError
	if err := w.spec().Validate(); err != nil && !(errors.As(err, &se) && se.Field == "location" && w.ep.Location == "") {
		w.hint = "Not deployed: " + err.Error() + " (esc goes back step by step; nothing chosen is lost)"
		return nil
	}
	if d, busy := busyDeployment(w.deps); busy {
		w.hint = fmt.Sprintf("Not deployed: deployment %s is %s. Azure runs one operation at a time on an endpoint's deployments: "+
			"wait until it ends, then enter deploys.", components.Clean(d.Name), strings.ToLower(components.Clean(d.ProvisioningState)))
		return w.loadDeployments()
	}
	return w.start()
}

// fix opens the assign wizard prefilled for the need under the cursor:
// the endpoint identity, the role Azure would grant a system-assigned
// identity, and the resource where it is needed.
func (w *Wizard) fix() tea.Cmd {
	r := w.pre.report
	if r == nil {
		return w.Toast(nav.Warn, "The preflight has not answered yet")
	}
	n, ok := fixable(r.Needs, w.pre.cursor)
	if !ok {
		return w.Toast(nav.Info, "Nothing to fix: every need is allowed")
	}
	return nav.Cmd(assignFor(n))
}

// openTraffic offers the traffic change after a success: the traffic
// editor replaces the wizard, the new deployment under the cursor.
func (w *Wizard) openTraffic() tea.Cmd {
	deps := slices.Clone(w.deps)
	if d := w.last.Deployment; d != nil && !w.taken(d.Name) {
		deps = append(deps, *d) // the editor has it at once (it reloads the rest)
	}
	m := nav.TrafficMsg{Endpoint: w.ep, Deployments: deps, Focus: w.depName()}
	return nav.Cmd(nav.ReplaceMsg{Screen: NewTraffic(w.env, m, w.az)})
}

func (w *Wizard) typeInto(in *textinput.Model, k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	*in, cmd = in.Update(k)
	w.hint = ""
	return cmd
}

func (w *Wizard) scroll(k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	w.vp, cmd = w.vp.Update(k)
	return cmd
}

// layout fits the scrolling body to the screen's size and content.
func (w *Wizard) layout() {
	width, h := w.Size()
	if width == 0 || h == 0 {
		return
	}
	components.Refit(&w.vp, width, max(h-w.topHeight(width), 1), strings.Join(w.body(width), "\n"))
}

// imageKind says where an environment's image is pulled from: Microsoft's
// public registry (curated images: no pull permission needed), or the
// workspace's registry (custom images, and images Azure builds).
func imageKind(ev azure.EnvironmentVersion) string {
	switch {
	case ev.PublicImage():
		return "curated"
	case ev.Built:
		return "built"
	}
	return "custom"
}
