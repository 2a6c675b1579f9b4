package deploy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/nav/navtest"
	"amlauth-tui/ui/theme"
)

var now = time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)

func env() *nav.Env {
	st := theme.New(true, false)
	st.Input.Cursor.Blink = false // a blinking cursor's command waits on the wall clock
	return &nav.Env{Styles: st, Now: func() time.Time { return now }}
}

var ws = azure.WorkspaceRef{Subscription: "sub-1", ResourceGroup: "rg-ml", Name: "mlw-churn"}

func endpoint(traffic map[string]int32) azure.Endpoint {
	return azure.Endpoint{EndpointRef: azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-uai"}, ProvisioningState: "Succeeded",
		IdentityType: "UserAssigned", Traffic: traffic, Location: "eastus", ComputeType: "Managed"}
}

const registry = "/subscriptions/sub-1/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/crchurn"

// fake is the screens' Azure without HTTPS: it answers with what its
// fields hold when the request runs, and records what was asked.
type fake struct {
	ep      azure.Endpoint
	deps    []azure.Deployment
	models  []azure.ModelVersion
	envs    []azure.EnvironmentVersion
	report  azure.RunCheck
	logs    map[string]string
	created []azure.DeploymentSpec
	updated []azure.DeploymentSpec
	traffic []map[string]int32
	deleted []string
	err     error
}

func (f *fake) Endpoint(context.Context, azure.EndpointRef) (azure.Endpoint, error) { return f.ep, nil }
func (f *fake) Deployments(context.Context, azure.EndpointRef) ([]azure.Deployment, error) {
	return f.deps, nil
}
func (f *fake) Models(context.Context, azure.WorkspaceRef) ([]azure.ModelVersion, error) {
	return f.models, nil
}
func (f *fake) Environments(context.Context, azure.WorkspaceRef) ([]azure.EnvironmentVersion, error) {
	return f.envs, nil
}
func (f *fake) CreateDeployment(_ context.Context, sp azure.DeploymentSpec) (*azure.Operation, error) {
	f.created = append(f.created, sp)
	return &azure.Operation{Kind: "create", Target: sp.Ref.EndpointRef, Deployment: sp.Ref.Deployment}, f.err
}
func (f *fake) UpdateDeployment(_ context.Context, sp azure.DeploymentSpec) (*azure.Operation, error) {
	f.updated = append(f.updated, sp)
	return &azure.Operation{Kind: "update", Target: sp.Ref.EndpointRef, Deployment: sp.Ref.Deployment}, f.err
}
func (f *fake) DeleteDeployment(_ context.Context, ref azure.DeploymentRef) (*azure.Operation, error) {
	f.deleted = append(f.deleted, ref.Deployment)
	return &azure.Operation{Kind: "delete"}, nil
}
func (f *fake) SetTraffic(_ context.Context, _ azure.EndpointRef, t, _ map[string]int32) (*azure.Operation, error) {
	f.traffic = append(f.traffic, t)
	return &azure.Operation{Kind: "update"}, nil
}
func (f *fake) DeploymentLogs(_ context.Context, _ azure.DeploymentRef, container string, _ int) (string, error) {
	return f.logs[container], nil
}
func (f *fake) CanRun(context.Context, azure.EndpointRef, *azure.Assets) (azure.RunCheck, error) {
	return f.report, nil
}
func (f *fake) Preflight(context.Context, azure.DeploymentSpec) (azure.RunCheck, error) {
	return f.report, nil
}

// feed runs cmd and gives its messages to s until nothing more comes
// (spinner ticks aside); it returns the messages meant for the root.
func feed(s nav.Screen, cmd tea.Cmd) []tea.Msg {
	var root []tea.Msg
	queue := navtest.Msgs(cmd)
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		switch m.(type) {
		case nav.TrackMsg, nav.PushMsg, nav.PopMsg, nav.ReplaceMsg, nav.AssignMsg, nav.CopyMsg, nav.ToastMsg, nav.ConfirmMsg, nav.ErrorMsg,
			nav.TrafficMsg, nav.DeploymentLogsMsg:
			root = append(root, m)
			continue
		}
		_, c := s.Update(m)
		queue = append(queue, navtest.Msgs(c)...)
	}
	return root
}

func press(s nav.Screen, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		_, c := s.Update(msg)
		out = append(out, feed(s, c)...)
	}
	return out
}

func typeText(s nav.Screen, text string) {
	for _, r := range text {
		press(s, string(r))
	}
}

func view(s nav.Screen) string { return ansi.Strip(s.View(120, 40)) }

var uai = azure.PrincipalRef{ID: "0000-uai", DisplayName: "id-churn-uai", Kind: "ServicePrincipal", SPType: "ManagedIdentity"}

func pullNeed(allowed bool) azure.Need {
	op, _ := rbac.OperationByKey("identity.pullImage")
	n := azure.Need{Op: op, Needed: true, Scope: registry, Outcome: rbac.Allowed, Why: "AcrPull at crchurn"}
	if !allowed {
		acrPull, _ := rbac.RoleByName(rbac.BuiltinRoles(), "AcrPull")
		n.Outcome, n.Why = rbac.NotGranted, "no role assignment of id-churn-uai grants it"
		n.Fix = &azure.Fix{Principal: uai, Role: acrPull, Scope: registry, Text: "Assign AcrPull to id-churn-uai on crchurn."}
	}
	return n
}

func uaiReport(allowed bool) azure.RunCheck {
	return azure.RunCheck{Identity: azure.EndpointIdentity{Kind: azure.UserAssigned, ResourceID: "/x/userAssignedIdentities/id-churn-uai", Principal: uai},
		Needs: []azure.Need{pullNeed(allowed)}}
}

func newFake() *fake {
	return &fake{ep: endpoint(nil),
		deps:   []azure.Deployment{{Name: "blue", ProvisioningState: "Succeeded"}},
		models: []azure.ModelVersion{{Name: "churn-model", Version: "3", ID: ws.ID() + "/models/churn-model/versions/3"}},
		envs: []azure.EnvironmentVersion{{Name: "churn-env", Version: "1", ID: ws.ID() + "/environments/churn-env/versions/1",
			Image: "crchurn.azurecr.io/churn:1"}},
		report: uaiReport(false),
		logs:   map[string]string{azure.LogsInferenceServer: "Failed to pull image crchurn.azurecr.io/churn:1: unauthorized"},
	}
}

func sized(s nav.Screen) { s.Update(nav.SizeMsg{Width: 120, Height: 40}) }

func TestWizardNameIsCheckedAsYouTypeAndKept(t *testing.T) {
	f := newFake()
	w := NewWizard(env(), nav.NewDeploymentMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	sized(w)
	feed(w, w.Init())
	w.name.SetValue("")
	typeText(w, "Blue")
	if v := view(w); !strings.Contains(v, "already has a deployment named \"blue\"") {
		t.Fatalf("a taken name (ignoring case) is refused as you type:\n%s", v)
	}
	press(w, "enter")
	if w.step != sName || !strings.Contains(view(w), "unique in the endpoint") {
		t.Fatalf("enter does not go on with a taken name:\n%s", view(w))
	}
	press(w, "backspace", "backspace", "backspace", "backspace")
	typeText(w, "9x")
	if v := view(w); !strings.Contains(v, "not a letter") {
		t.Fatalf("a name that breaks the rule says which rule:\n%s", v)
	}
	press(w, "backspace", "backspace")
	typeText(w, "green")
	if v := view(w); !strings.Contains(v, "✓ green is a valid name") {
		t.Fatalf("a good name is confirmed:\n%s", v)
	}
}

func TestWizardPreflightFixLoop(t *testing.T) {
	f := newFake()
	w := NewWizard(env(), nav.NewDeploymentMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	sized(w)
	feed(w, w.Init())
	press(w, "enter") // green
	press(w, "enter") // the model
	press(w, "enter") // the environment
	if w.step != sCompute {
		t.Fatalf("step %v, want compute", w.step)
	}
	if v := view(w); !strings.Contains(v, "environment churn-env:1 (crchurn.azurecr.io/churn:1)") {
		t.Fatalf("the summary names the environment's image:\n%s", v)
	}
	press(w, "backspace")
	typeText(w, "0")
	press(w, "enter")
	if v := view(w); w.step != sCompute || !strings.Contains(v, "at least 1 instance") {
		t.Fatalf("instance count 0 is refused with the rule:\n%s", v)
	}
	press(w, "backspace")
	typeText(w, "99")
	press(w, "enter")
	if v := view(w); w.step != sCompute || !strings.Contains(v, "over the quota") {
		t.Fatalf("instance count over the quota is refused:\n%s", v)
	}
	press(w, "backspace", "backspace")
	typeText(w, "2")
	press(w, "enter")
	v := view(w)
	for _, want := range []string{"Preflight", "user-assigned identity id-churn-uai", "0000-uai", "✗ not granted", "fix (f): Assign AcrPull to id-churn-uai"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the preflight shows %q:\n%s", want, v)
		}
	}
	out := press(w, "f")
	var assign *nav.AssignMsg
	for _, m := range out {
		if a, ok := m.(nav.AssignMsg); ok {
			assign = &a
		}
	}
	if assign == nil || assign.Principal.ID != "0000-uai" || len(assign.Scopes) != 1 || assign.Scopes[0] != registry ||
		len(assign.Suggest) == 0 || assign.Suggest[0].RoleName != "AcrPull" {
		t.Fatalf("f opens the assign wizard with the identity, AcrPull and the registry: %+v", assign)
	}
	press(w, "enter")
	if w.step != sReview || !strings.Contains(view(w), "deployment.yml (y)") {
		t.Fatalf("enter goes on to the review:\n%s", view(w))
	}
	press(w, "enter")
	if len(f.created) != 1 || f.created[0].Ref.Deployment != "green" || f.created[0].InstanceCount != 2 {
		t.Fatalf("the deployment asked for: %+v", f.created)
	}
	op := w.op
	feed(w, func() tea.Msg {
		return nav.OperationMsg{Op: op, Progress: azure.Progress{Done: true, State: "Failed",
			Err: &azure.OperationFailedError{Kind: "create", Endpoint: "churn-uai", Code: "ImagePullFailure", Message: "the identity cannot pull"}}}
	})
	v = view(w)
	for _, want := range []string{"ImagePullFailure", "unauthorized", "f fixes"} {
		if !strings.Contains(v, want) {
			t.Fatalf("a failure shows %q (reason, logs, fix):\n%s", want, v)
		}
	}
	f.report = uaiReport(true)
	feed(w, nav.Cmd(nav.AccessChangedMsg{}))
	if v := view(w); !strings.Contains(v, "enter retries the deployment") || !strings.Contains(v, "✓ allowed") {
		t.Fatalf("after the fix the identity is checked again and the retry offered:\n%s", v)
	}
	press(w, "enter")
	if len(f.created) != 2 || f.created[1].Ref != f.created[0].Ref || f.created[1].Model != f.created[0].Model {
		t.Fatalf("the retry sends the same deployment: %+v", f.created)
	}
}

func TestWizardRefusesASecondDeploymentWhileOneIsInProgress(t *testing.T) {
	f := newFake()
	f.deps[0].ProvisioningState = "Updating"
	w := NewWizard(env(), nav.NewDeploymentMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	sized(w)
	feed(w, w.Init())
	press(w, "enter", "enter", "enter", "enter", "enter")
	if w.step != sReview {
		t.Fatalf("step %v, want review", w.step)
	}
	press(w, "enter")
	if len(f.created) != 0 || !strings.Contains(view(w), "blue is updating") {
		t.Fatalf("a second deployment is refused while one is in progress:\n%s", view(w))
	}
	if w.depName() != "green" || w.model == nil || w.envir == nil {
		t.Fatalf("nothing chosen is lost: %+v", w.spec())
	}
}

func TestTrafficRulesAndDelete(t *testing.T) {
	f := newFake()
	f.ep.Traffic = map[string]int32{"blue": 100}
	f.deps = append(f.deps, azure.Deployment{Name: "green", ProvisioningState: "Succeeded"})
	tr := NewTraffic(env(), nav.TrafficMsg{Endpoint: f.ep, Deployments: f.deps, Focus: "green"}, f)
	sized(tr)
	feed(tr, tr.Init())
	typeText(tr, "10")
	press(tr, "enter")
	if len(f.traffic) != 0 || !strings.Contains(view(tr), "add up to 100%") {
		t.Fatalf("traffic that does not sum to 100 is refused with the rule:\n%s", view(tr))
	}
	press(tr, "up")
	typeText(tr, "90")
	press(tr, "enter")
	if len(f.traffic) != 1 || f.traffic[0]["blue"] != 90 || f.traffic[0]["green"] != 10 {
		t.Fatalf("the split sent: %v", f.traffic)
	}
	press(tr, "D")
	if len(f.deleted) != 0 || !strings.Contains(view(tr), "Azure refuses to delete a deployment") {
		t.Fatalf("deleting a deployment with traffic is refused, naming the rule:\n%s", view(tr))
	}
}

func TestLogsSwitchContainers(t *testing.T) {
	f := newFake()
	f.logs[azure.LogsStorageInitializer] = "model downloaded"
	l := NewLogs(env(), nav.DeploymentLogsMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	sized(l)
	feed(l, l.Init())
	if v := view(l); !strings.Contains(v, "model downloaded") || !strings.Contains(v, "[storage-initializer]") {
		t.Fatalf("the storage initializer's log first:\n%s", v)
	}
	press(l, "tab")
	if v := view(l); !strings.Contains(v, "unauthorized") {
		t.Fatalf("tab shows the inference server's log:\n%s", v)
	}
}

func TestCanRunNamesTheIdentityAndFixes(t *testing.T) {
	f := newFake()
	c := NewCanRun(env(), nav.CanRunMsg{Endpoint: f.ep}, f)
	sized(c)
	feed(c, c.Init())
	v := view(c)
	for _, want := range []string{"user-assigned identity id-churn-uai", "principal id 0000-uai", "✗ not granted", "gets no role automatically"} {
		if !strings.Contains(v, want) {
			t.Fatalf("can-run shows %q:\n%s", want, v)
		}
	}
	out := press(c, "f")
	if len(out) != 1 {
		t.Fatalf("f asks for the assign wizard: %v", out)
	}
	if _, ok := out[0].(nav.AssignMsg); !ok {
		t.Fatalf("f asks for the assign wizard: %T", out[0])
	}
}

// The log breaks at spaces, never inside a word; a token wider than the
// view (a long URL) is broken only because it must be, and nothing of it is
// lost.
func TestLogsWrapAtWords(t *testing.T) {
	f := newFake()
	url := "https://crchurn.azurecr.io/v2/churn/manifests/sha256:" + strings.Repeat("0123456789abcdef", 4)
	line := "2026-12-03T08:00:00Z INFO Downloading the model from the workspace default datastore before starting the inference server"
	f.logs[azure.LogsStorageInitializer] = line + "\nERROR pulling " + url + " failed"
	l := NewLogs(env(), nav.DeploymentLogsMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	const w = 50
	l.Update(nav.SizeMsg{Width: w, Height: 20})
	feed(l, l.Init())
	v := ansi.Strip(l.View(w, 20))
	var body []string
	for _, row := range strings.Split(v, "\n")[3:] { // under the title, the tabs and the command
		if lipgloss.Width(row) > w {
			t.Fatalf("a row wider than the view: %q", row)
		}
		body = append(body, strings.TrimRight(row, " "))
	}
	words := map[string]bool{}
	for _, row := range body {
		for _, word := range strings.Fields(row) {
			words[word] = true
		}
	}
	for _, word := range strings.Fields(line) {
		if !words[word] {
			t.Fatalf("%q was broken across rows:\n%s", word, v)
		}
	}
	if joined := strings.Join(strings.Fields(strings.Join(body, "")), " "); !strings.Contains(joined, url) {
		t.Fatalf("the long URL lost characters:\n%s", v)
	}
}

// [ ] switch deployments; with one deployment the footer does not offer
// them and pressing one says why nothing changed.
func TestLogsDeploymentKeys(t *testing.T) {
	offers := func(l *Logs) bool {
		for _, k := range l.Keys() {
			if k.Help().Key == "[/]" {
				return true
			}
		}
		return false
	}
	f := newFake()
	l := NewLogs(env(), nav.DeploymentLogsMsg{Endpoint: f.ep, Deployments: f.deps}, f)
	sized(l)
	feed(l, l.Init())
	if offers(l) {
		t.Fatal("the footer offers [/] with one deployment")
	}
	for _, k := range []string{"[", "]"} {
		out := press(l, k)
		if len(out) != 1 {
			t.Fatalf("%s with one deployment: %v", k, out)
		}
		if m, ok := out[0].(nav.ToastMsg); !ok || m.Text != "Only one deployment: blue" {
			t.Fatalf("%s with one deployment says %#v", k, out[0])
		}
	}
	f.deps = append(f.deps, azure.Deployment{Name: "green"}, azure.Deployment{Name: "red"})
	l = NewLogs(env(), nav.DeploymentLogsMsg{Endpoint: f.ep, Deployments: f.deps, Deployment: "green"}, f)
	sized(l)
	feed(l, l.Init())
	if !offers(l) {
		t.Fatal("the footer does not offer [/] with three deployments")
	}
	for _, step := range []struct{ key, want string }{{"]", "red"}, {"]", "blue"}, {"[", "red"}} {
		press(l, step.key)
		if !strings.Contains(view(l), "Logs of "+step.want) {
			t.Fatalf("%s: want the logs of %s:\n%s", step.key, step.want, view(l))
		}
	}
}

// The traffic editor at 80x24 and 120x40 (content areas 80x21 and 120x37):
// the split stays in view and the az and REST panes under it scroll with
// pgup/pgdn to the REST pane's last line; nothing is cut at the edge.
func TestGoldenTraffic(t *testing.T) {
	for _, sz := range [][2]int{{80, 21}, {120, 37}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			w, h := sz[0], sz[1]
			f := newFake()
			f.ep.Traffic = map[string]int32{"blue": 90, "green": 10}
			f.deps = append(f.deps, azure.Deployment{Name: "green", ProvisioningState: "Succeeded"})
			tr := NewTraffic(env(), nav.TrafficMsg{Endpoint: f.ep, Deployments: f.deps}, f)
			tr.Update(nav.SizeMsg{Width: w, Height: h})
			feed(tr, tr.Init())
			frames := []string{ansi.Strip(tr.View(w, h))}
			for range 10 {
				press(tr, "pgdown")
			}
			end := ansi.Strip(tr.View(w, h))
			frames = append(frames, end)
			// The heading is said whole at every width, never cut with "…".
			if top := strings.Join(strings.Fields(frames[0]), " "); !strings.Contains(top,
				"Traffic of churn-uai live requests are split; mirrored ones are copied, their answers dropped DEPLOYMENT") {
				t.Errorf("the heading is cut:\n%s", frames[0])
			}
			for _, f := range frames {
				rows := strings.Split(f, "\n")
				if len(rows) > h {
					t.Fatalf("%d rows in %d:\n%s", len(rows), h, f)
				}
				for _, r := range rows {
					if lipgloss.Width(r) > w {
						t.Fatalf("a row wider than %d: %q", w, r)
					}
				}
			}
			for _, want := range []string{"DEPLOYMENT", "total", "the PUT replaces the endpoint."} {
				if !strings.Contains(strings.Join(strings.Fields(end), " "), want) {
					t.Fatalf("scrolled to the end, %q is not in view:\n%s", want, end)
				}
			}
			golden.RequireEqual(t, strings.Join(frames, "\n---- pgdown ----\n"))
		})
	}
}

// The fix loop of "Can it run?" ends where it started: once what the
// failed deployment lacked is assigned, enter puts that deployment again
// (an update of blue, with its model, environment, instances and
// variables), not a new green beside it; n there names a new one instead.
func TestCanRunFixRedeploysTheFailedDeployment(t *testing.T) {
	f := newFake()
	secret := map[string]string{"API_KEY": "${{azureml://connections/scoring/credentials/key}}"}
	f.deps = []azure.Deployment{{Name: "blue", ProvisioningState: "Failed", Model: "azureml:churn-model:3", Environment: "azureml:churn-env:1",
		InstanceType: "Standard_F4s_v2", InstanceCount: 2, EnvironmentVariables: secret}}
	f.report = uaiReport(false)
	c := NewCanRun(env(), nav.CanRunMsg{Endpoint: f.ep}, f)
	sized(c)
	feed(c, c.Init())
	if v := view(c); !strings.Contains(v, "Deployment blue failed. Fix what is missing (f)") {
		t.Fatalf("the failed deployment is named with the fix first:\n%s", v)
	}
	if out := press(c, "f"); len(out) != 1 {
		t.Fatalf("f asks for the assign wizard: %v", out)
	}
	f.report = uaiReport(true)
	feed(c, nav.Cmd(nav.AccessChangedMsg{}))
	if v := strings.Join(strings.Fields(view(c)), " "); !strings.Contains(v, "A role was assigned since deployment blue failed: enter redeploys blue") {
		t.Fatalf("after the fix the redeploy of blue is offered:\n%s", view(c))
	}
	out := press(c, "enter")
	if len(out) != 1 {
		t.Fatalf("enter opens the redeploy: %v", out)
	}
	push, ok := out[0].(nav.PushMsg)
	w, isWizard := push.Screen.(*Wizard)
	if !ok || !isWizard {
		t.Fatalf("enter opens the redeploy wizard: %#v", out[0])
	}
	sized(w)
	feed(w, w.Init())
	v := view(w)
	for _, want := range []string{"Redeploy blue", "model churn-model:3", "environment churn-env:1 (crchurn.azurecr.io/churn:1)", "Standard_F4s_v2 ×2", "✓ allowed"} {
		if w.step != sPreflight || !strings.Contains(v, want) {
			t.Fatalf("the redeploy opens on the preflight of blue as it is (%q):\n%s", want, v)
		}
	}
	press(w, "enter")
	if v := view(w); w.step != sReview || !strings.Contains(v, "az ml online-deployment update --name blue") {
		t.Fatalf("the review is of an update of blue:\n%s", v)
	}
	press(w, "enter")
	if len(f.created) != 0 || len(f.updated) != 1 {
		t.Fatalf("a redeploy updates blue: created %v, updated %v", f.created, f.updated)
	}
	sp := f.updated[0]
	if sp.Ref.Deployment != "blue" || sp.InstanceType != "Standard_F4s_v2" || sp.InstanceCount != 2 || !strings.HasSuffix(sp.Model, "/models/churn-model/versions/3") ||
		!strings.HasSuffix(sp.Environment, "/environments/churn-env/versions/1") || sp.EnvironmentVariables["API_KEY"] != secret["API_KEY"] {
		t.Fatalf("blue is put again as it was: %+v", sp)
	}

	// The user chooses otherwise: n names a new deployment, created beside blue.
	w = NewRedeploy(env(), f.ep, f.deps, f.deps[0], f)
	sized(w)
	feed(w, w.Init())
	press(w, "enter", "n")
	for range 4 {
		press(w, "backspace")
	}
	typeText(w, "green")
	press(w, "enter", "enter", "enter", "enter", "enter", "enter")
	if len(f.created) != 1 || f.created[0].Ref.Deployment != "green" || len(f.updated) != 1 {
		t.Fatalf("renamed, it is a new deployment: created %v, updated %v (step %v)\n%s", f.created, f.updated, w.step, view(w))
	}
}
