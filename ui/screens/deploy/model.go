// Package deploy is the deployments of an endpoint: the deployment wizard
// (name, model, environment, compute, a preflight of the endpoint identity,
// review, the long-running operation, and the fix loop when it fails), the
// traffic editor, the logs viewer and "Can this endpoint run?".
package deploy

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// timeout bounds one request (a list, a check, starting an operation).
const timeout = 60 * time.Second

// Open builds the screen a deployment message asks for; nil for any other.
func Open(env *nav.Env, msg tea.Msg) nav.Screen {
	switch m := msg.(type) {
	case nav.NewDeploymentMsg:
		return NewWizard(env, m, nil)
	case nav.TrafficMsg:
		return NewTraffic(env, m, nil)
	case nav.DeploymentLogsMsg:
		return NewLogs(env, m, nil)
	case nav.CanRunMsg:
		return NewCanRun(env, m, nil)
	}
	return nil
}

// api is the screen's Azure: the fake a test gave, or the session's.
func api(env *nav.Env, az Azure) Azure {
	if az != nil {
		return az
	}
	if env.Session == nil {
		return nil // not signed in: the screens say so
	}
	return env.Session
}

// busyDeployment is a deployment Azure is still working on: a second
// deployment is refused until it ends ("A second deployment started while
// one is in progress" in issue 17; Azure answers 409 Conflict).
func busyDeployment(deps []azure.Deployment) (azure.Deployment, bool) {
	for _, d := range deps {
		switch strings.ToLower(d.ProvisioningState) {
		case "creating", "updating", "scaling", "deleting":
			return d, true
		}
	}
	return azure.Deployment{}, false
}

// step is a step of the wizard.
type step int

const (
	sName step = iota
	sModel
	sEnv
	sCompute
	sPreflight
	sReview
	sRun
)

var stepNames = []string{"Name", "Model", "Environment", "Compute", "Preflight", "Review", "Deploy"}

// defaultInstanceType is the size the azureml-examples deploy with.
const defaultInstanceType = "Standard_DS3_v2"

// Wizard creates a deployment on an endpoint.
type Wizard struct {
	nav.Kit
	env  *nav.Env
	az   Azure
	ep   azure.Endpoint
	deps []azure.Deployment
	step step

	name       textinput.Model
	models     components.Table
	modelsCall nav.Call
	modelsErr  error
	model      *azure.ModelVersion
	envs       components.Table
	envsCall   nav.Call
	envsErr    error
	envir      *azure.EnvironmentVersion
	types      []azure.InstanceType
	itype      int
	count      textinput.Model
	hint       string
	depsCall   nav.Call

	pre     preflight
	vp      viewport.Model
	reviewN int // the review's lines (scroll bounds)

	startCall nav.Call
	startErr  error
	op        *azure.Operation
	last      azure.Progress
	logs      logsPane
	fixed     bool // a role was assigned since the failure: enter retries
	tries     int

	// redeploy is the failed deployment this wizard puts again (the fix
	// loop of "Can it run?"): its name, model, environment, instances and
	// variables, sent as an update. Edited to another name, it is a new one.
	redeploy *azure.Deployment
}

// preflight is the endpoint identity checked for this deployment.
type preflight struct {
	call   nav.Call
	report *azure.RunCheck
	err    error
	cursor int
	spec   string // what was checked (a change of model or image checks again)
}

// logsPane is the failed deployment's logs, read once it failed.
type logsPane struct {
	call nav.Call
	text string
	err  error
	read bool
}

// NewWizard opens the wizard; az nil means the session's.
func NewWizard(env *nav.Env, msg nav.NewDeploymentMsg, az Azure) *Wizard {
	st := env.Styles
	in := func(prompt, placeholder string, limit int) textinput.Model {
		t := textinput.New()
		t.Prompt, t.Placeholder, t.CharLimit = prompt, placeholder, limit
		t.SetStyles(st.Input)
		return t
	}
	w := &Wizard{Kit: nav.NewKit(env), env: env, az: api(env, az), ep: msg.Endpoint, deps: msg.Deployments,
		name:  in("name: ", "e.g. blue", 32),
		count: in("instances: ", "1", 3),
		models: components.NewTable(st, "models", components.Column{Title: "Model", Width: 24, Flex: true},
			components.Column{Title: "Version", Width: 8}, components.Column{Title: "Type", Width: 14},
			components.Column{Title: "Description", Width: 30, Flex: true}),
		envs: components.NewTable(st, "environments", components.Column{Title: "Environment", Width: 24, Flex: true},
			components.Column{Title: "Kind", Width: 8}, components.Column{Title: "Image", Width: 30, Flex: true}),
		vp:    viewport.New(),
		types: azure.InstanceTypes(),
	}
	for i, t := range w.types {
		if t.Name == defaultInstanceType {
			w.itype = i
		}
	}
	w.count.SetValue("1")
	if len(w.deps) == 0 {
		w.name.SetValue("blue")
	} else if !w.taken("green") {
		w.name.SetValue("green")
	}
	return w
}

// NewRedeploy opens the wizard on the preflight of dep as it is, to put it
// again once what it lacked is granted; az nil means the session's.
func NewRedeploy(env *nav.Env, ep azure.Endpoint, deps []azure.Deployment, dep azure.Deployment, az Azure) *Wizard {
	w := NewWizard(env, nav.NewDeploymentMsg{Endpoint: ep, Deployments: deps}, az)
	w.redeploy = &dep
	w.name.SetValue(dep.Name)
	// Until the workspace's lists arrive (pick), the ids are all that is known.
	w.model = &azure.ModelVersion{ID: dep.Model}
	w.envir = &azure.EnvironmentVersion{ID: dep.Environment}
	w.itype = slices.IndexFunc(w.types, func(t azure.InstanceType) bool { return strings.EqualFold(t.Name, dep.InstanceType) })
	if w.itype < 0 { // a type the app does not list is kept as it is
		w.types = append(w.types, azure.InstanceType{Name: dep.InstanceType})
		w.itype = len(w.types) - 1
	}
	w.count.SetValue(strconv.Itoa(int(max(dep.InstanceCount, azure.MinInstanceCount))))
	w.step = sPreflight
	return w
}

// updating: the deployment sent is the failed one, put again (an update).
func (w *Wizard) updating() bool {
	return w.redeploy != nil && strings.EqualFold(w.depName(), w.redeploy.Name)
}

func (w *Wizard) Title() string {
	if w.updating() {
		return "Redeploy " + components.Clean(w.redeploy.Name)
	}
	return "New deployment"
}

// Where keeps the breadcrumbs on the endpoint.
func (w *Wizard) Where() nav.Context { return w.env.Place(w.ep.WorkspaceRef, w.ep.Endpoint) }

func (w *Wizard) Typing() bool {
	switch w.step {
	case sName, sCompute:
		return true
	case sModel:
		return w.models.Filtering()
	case sEnv:
		return w.envs.Filtering()
	}
	return false
}

// HandlesEsc: esc steps back; while the operation runs it leaves (it goes on).
func (w *Wizard) HandlesEsc() bool {
	return w.step != sRun || w.failed()
}

// Discards: until it is sent, quitting loses what was chosen (q asks first).
func (w *Wizard) Discards() string {
	if w.step == sRun || w.step == sName {
		return ""
	}
	if w.updating() {
		return "the redeploy of " + components.Clean(w.depName())
	}
	return "the new deployment " + components.Clean(w.spec().Ref.Deployment)
}

func (w *Wizard) running() bool   { return w.op != nil && !w.last.Done }
func (w *Wizard) failed() bool    { return w.op != nil && w.last.Done && w.last.Err != nil }
func (w *Wizard) succeeded() bool { return w.op != nil && w.last.Done && w.last.Err == nil }

func (w *Wizard) active() bool { return w.Busy() || w.running() }

// taken reports a deployment of this endpoint with the name (names ignore case).
func (w *Wizard) taken(name string) bool {
	for _, d := range w.deps {
		if strings.EqualFold(d.Name, name) {
			return true
		}
	}
	return false
}

// nameErr is the live verdict on the name: Azure's rule, then uniqueness.
func (w *Wizard) nameErr() error {
	n := strings.TrimSpace(w.name.Value())
	if n == "" {
		return errors.New("enter a name for the deployment")
	}
	names := make([]string, 0, len(w.deps))
	for _, d := range w.deps {
		if !(w.redeploy != nil && strings.EqualFold(d.Name, w.redeploy.Name)) { // its own name is the point of a redeploy
			names = append(names, d.Name)
		}
	}
	return azure.ValidateDeploymentName(n, names)
}

// countErr is the verdict on the instance count.
func (w *Wizard) countErr() error {
	v := strings.TrimSpace(w.count.Value())
	n, err := strconv.Atoi(v)
	switch {
	case v == "":
		return errors.New("enter how many instances to run (at least 1)")
	case err != nil:
		return fmt.Errorf("instance count %q is not a whole number", v)
	case n < azure.MinInstanceCount:
		return fmt.Errorf("instance count %d: a deployment runs at least %d instance", n, azure.MinInstanceCount)
	case n > azure.MaxInstanceCount:
		return fmt.Errorf("instance count %d is over the quota of %d instances per deployment: deploy fewer, or ask Azure for more quota", n, azure.MaxInstanceCount)
	}
	return nil
}

// spec is what the wizard has collected.
func (w *Wizard) spec() azure.DeploymentSpec {
	sp := azure.DeploymentSpec{Ref: azure.DeploymentRef{EndpointRef: w.ep.EndpointRef, Deployment: strings.TrimSpace(w.name.Value())},
		Location: w.ep.Location, ComputeType: w.ep.ComputeType, InstanceType: w.types[w.itype].Name}
	if w.model != nil {
		sp.Model = w.model.ID
	}
	if w.envir != nil {
		sp.Environment = w.envir.ID
	}
	if n, err := strconv.Atoi(strings.TrimSpace(w.count.Value())); err == nil {
		sp.InstanceCount = int32(n)
	}
	if w.redeploy != nil { // what the wizard does not ask for is kept as Azure has it
		sp.Description, sp.EnvironmentVariables = w.redeploy.Description, w.redeploy.EnvironmentVariables
	}
	return sp
}

// focused is the text input that has focus, if any.
func (w *Wizard) focused() *textinput.Model {
	switch w.step {
	case sName:
		return &w.name
	case sCompute:
		return &w.count
	}
	return nil
}

// depName is the deployment's name as typed.
func (w *Wizard) depName() string { return strings.TrimSpace(w.name.Value()) }

// checked is what the preflight depends on: the model and the environment.
func checked(sp azure.DeploymentSpec) string { return sp.Model + "\x00" + sp.Environment }
