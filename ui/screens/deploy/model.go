// Package deploy is the deployments of an endpoint: the deployment wizard
// (name, model, environment, compute, a preflight of the endpoint identity,
// review, the long-running operation, and the fix loop when it fails), the
// traffic editor, the logs viewer and "Can this endpoint run?".
package deploy

import (
	"errors"
	"fmt"
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
		return nil
	}
	return session{env.Session}
}

// place is the endpoint's context (breadcrumbs).
func place(env *nav.Env, ref azure.EndpointRef) nav.Context {
	c := nav.Context{TenantID: env.Context.TenantID, Subscription: ref.Subscription, ResourceGroup: ref.ResourceGroup,
		Workspace: ref.Name, Endpoint: ref.Endpoint}
	if strings.EqualFold(env.Context.Subscription, ref.Subscription) {
		c.SubscriptionName = env.Context.SubscriptionName
	}
	return c
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

// instanceType is a VM size a managed deployment can run on.
type instanceType struct {
	Name string
	Note string
}

// instanceTypes are common sizes of the managed online endpoints SKU list
// (https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list).
var instanceTypes = []instanceType{
	{"Standard_DS3_v2", "4 vCPU, 14 GiB: the documented default for most models"},
	{"Standard_DS2_v2", "2 vCPU, 7 GiB: small models"},
	{"Standard_DS4_v2", "8 vCPU, 28 GiB"},
	{"Standard_F4s_v2", "4 vCPU, 8 GiB, compute optimized"},
	{"Standard_E4s_v3", "4 vCPU, 32 GiB, memory optimized"},
	{"Standard_NC6s_v3", "6 vCPU, 1 V100 GPU"},
}

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
	model      *ModelVersion
	envs       components.Table
	envsCall   nav.Call
	envsErr    error
	envir      *EnvironmentVersion
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
}

// preflight is the endpoint identity checked for this deployment.
type preflight struct {
	call   nav.Call
	report *Report
	err    error
	cursor int
	spec   Spec // what was checked (a change of model or image checks again)
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
			components.Column{Title: "Version", Width: 8}, components.Column{Title: "Asset id", Width: 30, Flex: true}),
		envs: components.NewTable(st, "environments", components.Column{Title: "Environment", Width: 24, Flex: true},
			components.Column{Title: "Kind", Width: 8}, components.Column{Title: "Image", Width: 30, Flex: true}),
		vp: viewport.New(),
	}
	w.count.SetValue("1")
	if len(w.deps) == 0 {
		w.name.SetValue("blue")
	} else if !w.taken("green") {
		w.name.SetValue("green")
	}
	return w
}

func (w *Wizard) Title() string { return "New deployment" }

// Where keeps the breadcrumbs on the endpoint.
func (w *Wizard) Where() nav.Context { return place(w.env, w.ep.EndpointRef) }

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
	return "the new deployment " + components.Clean(w.spec().Name)
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
	if err := validateName(n); err != nil {
		return err
	}
	if w.taken(n) {
		return fmt.Errorf("endpoint %s already has a deployment named %s: deployment names are unique within an endpoint (ignoring case)",
			w.ep.Endpoint, n)
	}
	return nil
}

// maxInstances is the default quota of instances per deployment.
const maxInstances = 20

// countErr is the verdict on the instance count.
func (w *Wizard) countErr() error {
	v := strings.TrimSpace(w.count.Value())
	n, err := strconv.Atoi(v)
	switch {
	case v == "":
		return errors.New("enter how many instances to run (at least 1)")
	case err != nil:
		return fmt.Errorf("instance count %q is not a whole number", v)
	case n < 1:
		return fmt.Errorf("instance count %d: a deployment runs at least 1 instance", n)
	case n > maxInstances:
		return fmt.Errorf("instance count %d is over the quota of %d instances per deployment: ask for more quota, or deploy fewer", n, maxInstances)
	}
	return nil
}

// spec is what the wizard has collected.
func (w *Wizard) spec() Spec {
	sp := Spec{Ref: w.ep.EndpointRef, Name: strings.TrimSpace(w.name.Value()), InstanceType: instanceTypes[w.itype].Name}
	if w.model != nil {
		sp.Model = w.model.ID
	}
	if w.envir != nil {
		sp.Environment = w.envir.ID
	}
	if n, err := strconv.Atoi(strings.TrimSpace(w.count.Value())); err == nil {
		sp.InstanceCount = int32(n)
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
