// Package endpointnew is the create-endpoint wizard and the change-auth-mode
// and delete flows of an endpoint. Each runs its Azure operation as a
// long-running operation handed to the root (nav.TrackMsg), so progress
// survives leaving the screen; the screen follows it through nav.OperationMsg.
package endpointnew

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// timeout bounds one request (the access check, a list, starting an operation).
const timeout = 60 * time.Second

// modeInfo explains one auth mode: who can score, whether scoring needs a
// role, whether the credential expires, and how callers get it.
type modeInfo struct {
	Mode    string // azure.Auth*
	Short   string // one line for the list
	Who     string
	Role    string
	Expires string
	Get     string
}

// modes lists the auth modes in the order the pickers show them.
func modes() []modeInfo {
	return []modeInfo{
		{Mode: azure.AuthKey, Short: "a key; no role to score; keys never expire",
			Who:     "Anyone who holds one of the endpoint's two keys (primary or secondary).",
			Role:    "No role to score: the key is the proof. Reading the keys needs onlineEndpoints/listKeys/action.",
			Expires: "No: a key works until it is regenerated (rotating them is up to you).",
			Get:     "az ml online-endpoint get-credentials"},
		{Mode: azure.AuthAMLToken, Short: "an AML token; no role to score; tokens expire",
			Who:     "Anyone who holds a current AML token of this endpoint.",
			Role:    "No role to score: the token is the proof. Getting a token needs onlineEndpoints/token/action.",
			Expires: "Yes: a token expires (expiryTimeUtc, about an hour); callers fetch a new one.",
			Get:     "az ml online-endpoint get-credentials"},
		{Mode: azure.AuthAADToken, Short: "a Microsoft Entra token; role needed; managed only",
			Who:     "Users, apps and managed identities signed in to Microsoft Entra ID that hold the score role.",
			Role:    "Yes: onlineEndpoints/score/action on the endpoint (e.g. AzureML Data Scientist).",
			Expires: "Yes: Entra tokens last about an hour and the caller's credential renews them; nothing to rotate.",
			Get:     "az account get-access-token --resource https://ml.azure.com"},
	}
}

// k8sNoAAD is why aad_token is disabled on Kubernetes compute; k8sNoAADShort fits the list.
const (
	k8sNoAAD      = "not available on Kubernetes compute: aad_token is for managed online endpoints only"
	k8sNoAADShort = "not available on Kubernetes (managed compute only)"
)

// modeIndex is the position of mode in modes() (0 when unknown).
func modeIndex(mode string) int {
	for i, m := range modes() {
		if m.Mode == mode {
			return i
		}
	}
	return 0
}

// modeDisabled says why mode cannot be chosen for the compute type ("" when it can).
func modeDisabled(mode, computeType string) string {
	if mode == azure.AuthAADToken && strings.EqualFold(computeType, "Kubernetes") {
		return k8sNoAAD
	}
	return ""
}

// impact is what changing the auth mode breaks and what callers must do.
func impact(from, to, computeType string) []string {
	var out []string
	switch from {
	case azure.AuthKey:
		out = append(out, "Existing keys stop working: every caller that sends a key gets 401.")
	case azure.AuthAMLToken:
		out = append(out, "Existing AML tokens stop working: every caller that sends one gets 401.")
	case azure.AuthAADToken:
		out = append(out, "Entra tokens stop being accepted; score role assignments no longer let anyone in.")
	}
	switch to {
	case azure.AuthKey:
		out = append(out, "Callers must switch to a key (reading it needs onlineEndpoints/listKeys/action). Keys do not expire: plan their rotation.")
	case azure.AuthAMLToken:
		out = append(out, "Callers must switch to AML tokens (onlineEndpoints/token/action) and fetch a new one before each expires.")
	case azure.AuthAADToken:
		out = append(out, "Every caller needs onlineEndpoints/score/action on this endpoint (e.g. AzureML Data Scientist) and must send an Entra token for https://ml.azure.com.")
	}
	if strings.EqualFold(computeType, "Kubernetes") {
		out = append(out, "This endpoint runs on Kubernetes: aad_token cannot be used there.")
	}
	return append(out, "There is no grace period: switch the callers as soon as the change succeeds.")
}

// --- the up-front permission check ---------------------------------------

// gate asks, before the user types anything, whether the signed-in identity
// may do the operation here. It only warns: the verdict may be unknown, and
// Azure has the last word.
type gate struct {
	op    rbac.Operation // what is checked: endpoint.write, endpoint.delete, identity assign
	what  string         // "create endpoints"
	scope string
	call  nav.Call

	done    bool
	allowed bool
	unknown bool
	reason  string
	roles   []string // roles that would grant it
	err     error
}

func newGate(opKey, what, scope string) gate {
	op, _ := rbac.OperationByKey(opKey)
	return gate{op: op, what: what, scope: scope}
}

// actAssignIdentity is ARM's linked action for attaching a user-assigned
// identity to a resource; it is checked on the identity, not the endpoint.
const actAssignIdentity = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"

// identityGate asks whether you may attach the user-assigned identity
// (Azure refuses the create with LinkedAuthorizationFailed otherwise).
func identityGate(id azure.ManagedIdentity) gate {
	op := rbac.Operation{Key: "identity.assign", Name: "Attach a user-assigned identity", Action: actAssignIdentity}
	return gate{op: op, what: "attach identity " + id.Name, scope: id.ID}
}

func (g *gate) busy() bool { return g.call.Busy() }

// warns reports a verdict that is not a clear allow.
func (g *gate) warns() bool { return g.done && !g.allowed }

// --- following a tracked operation ---------------------------------------

// watch follows one operation the root tracks, from its nav.OperationMsg reports.
type watch struct {
	op    *azure.Operation
	label string
	last  azure.Progress
}

func (w *watch) running() bool   { return w.op != nil && !w.last.Done }
func (w *watch) succeeded() bool { return w.op != nil && w.last.Done && w.last.Err == nil }
func (w *watch) failed() bool    { return w.op != nil && w.last.Done && w.last.Err != nil }

// scroller keeps a scroll offset over a list of lines.
type scroller struct{ off int }

// New opens the create wizard.
func New(env *nav.Env, msg nav.NewEndpointMsg) nav.Screen { return newCreate(env, msg) }

// NewAuthMode opens the change-auth-mode flow.
func NewAuthMode(env *nav.Env, msg nav.ChangeAuthModeMsg) nav.Screen { return newAuthMode(env, msg) }

// NewDelete opens the delete flow.
func NewDelete(env *nav.Env, msg nav.DeleteEndpointMsg) nav.Screen { return newDelete(env, msg) }

// cstep is a step of the create wizard.
type cstep int

var stepNames = []string{"Name", "Details", "Compute", "Auth", "Identity", "Review"}

// sysAssigned is the identity table's row id for the system-assigned identity.
const sysAssigned = "system-assigned"

// Create is the create-endpoint wizard.
type Create struct {
	nav.Kit
	env      *nav.Env
	ws       azure.WorkspaceRef
	location string
	step     cstep

	name, desc, tags, compute textinput.Model
	onTags                    bool // details: the tags field has focus
	k8s                       bool
	typingCompute             bool
	auth                      int // index in modes()
	ids                       components.Table
	idsCall                   nav.Call
	idsErr                    error
	uai                       *azure.ManagedIdentity // chosen; nil = system-assigned
	hint                      string                 // why the last enter was refused
	locCall                   nav.Call

	gate      gate
	idGate    gate // may I attach the chosen user-assigned identity (zero: none chosen)
	enforce   bool // enforce access to the default secret stores (identity.go)
	facts     identityFacts
	scroll    scroller
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
}

func newCreate(env *nav.Env, msg nav.NewEndpointMsg) *Create {
	st := env.Styles
	input := func(prompt, placeholder string, limit int) textinput.Model {
		in := textinput.New()
		in.Prompt = prompt
		in.Placeholder = placeholder
		in.CharLimit = limit
		in.SetStyles(st.Input)
		return in
	}
	c := &Create{Kit: nav.NewKit(env), env: env, ws: msg.Workspace, location: msg.Location,
		name:    input("name: ", "e.g. churn-v2", 64),
		desc:    input("description: ", "optional: what this endpoint serves", 512),
		tags:    input("tags: ", "optional: team=ml, env=dev", 1024),
		compute: input("compute: ", "the Kubernetes compute attached to the workspace, e.g. onprem-k8s", 512),
		ids: components.NewTable(st, "identities", components.Column{Title: "Identity", Width: 22},
			components.Column{Title: "Details", Width: 30, Flex: true}),
		gate: newGate("endpoint.write", "create endpoints", msg.Workspace.ID()),
	}
	c.idRows(nil)
	return c
}

func (c *Create) Title() string { return "New endpoint" }

// Discards: until it is sent, quitting loses what was typed (q asks first).
func (c *Create) Discards() string {
	if c.step == cRun || strings.TrimSpace(c.name.Value()) == "" {
		return ""
	}
	return "the new endpoint " + components.Clean(c.name.Value())
}

// Where keeps the breadcrumbs on the workspace.
func (c *Create) Where() nav.Context { return c.env.Place(c.ws, "") }

func (c *Create) Typing() bool {
	switch c.step {
	case cName, cDetails:
		return true
	case cCompute:
		return c.typingCompute
	case cIdentity:
		return c.ids.Filtering()
	}
	return false
}

// HandlesEsc: esc goes back a step; while the operation runs it leaves (the root pops).
func (c *Create) HandlesEsc() bool { return c.step != cRun || c.watch.failed() }

// active: something is in flight, so the spinner turns.
func (c *Create) active() bool {
	return c.Busy() || c.watch.running()
}

// location is a workspace's region (its own type: a Result of it is told
// apart from other string results).
type location string

// nameErr is the live verdict on the name ("" is reported only on enter).
func (c *Create) nameErr() error {
	n := strings.TrimSpace(c.name.Value())
	if n == "" {
		return errors.New("enter a name for the endpoint")
	}
	return azure.ValidateEndpointName(n)
}

func (c *Create) tagsErr() error { _, err := parseTags(c.tags.Value()); return err }

func (c *Create) computeErr() error {
	v := strings.TrimSpace(c.compute.Value())
	switch {
	case !c.k8s:
		return nil
	case v == "":
		return errors.New("name the Kubernetes compute attached to the workspace (or its ARM id)")
	}
	// Azure's own rule for the compute, judged with the other fields set to
	// values that pass (they have their own steps).
	sp := c.spec()
	sp.Location, sp.AuthMode, sp.IdentityType, sp.UserIdentity, sp.Tags = "eastus", azure.AuthKey, "SystemAssigned", "", nil
	var se *azure.SpecError
	if err := sp.Validate(); errors.As(err, &se) && se.Field == "compute" {
		return err
	}
	return nil
}

func (c *Create) computeType() string {
	if c.k8s {
		return "Kubernetes"
	}
	return "Managed"
}

// spec is what the wizard has collected so far.
func (c *Create) spec() azure.EndpointSpec {
	sp := azure.EndpointSpec{
		Ref:         azure.EndpointRef{WorkspaceRef: c.ws, Endpoint: strings.TrimSpace(c.name.Value())},
		Location:    c.location,
		Description: strings.TrimSpace(c.desc.Value()),
		AuthMode:    modes()[c.auth].Mode,
		ComputeType: c.computeType(), IdentityType: "SystemAssigned",
	}
	sp.Tags, _ = parseTags(c.tags.Value())
	if c.k8s {
		sp.Compute = strings.TrimSpace(c.compute.Value())
	}
	if c.uai != nil {
		sp.IdentityType, sp.UserIdentity = "UserAssigned", c.uai.ID
	}
	sp.EnforceSecretStores = c.enforce
	return sp
}

// parseTags reads "k=v, k2=v2" with Azure's tag rules.
func parseTags(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]string{}
	seen := map[string]bool{} // tag names are case-insensitive in Azure
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			return nil, fmt.Errorf("tag %q has no value: write tags as name=value, separated by commas", part)
		case k == "":
			return nil, fmt.Errorf("tag %q has no name: write tags as name=value, separated by commas", part)
		case strings.ContainsAny(k, `<>%&\?/`):
			return nil, fmt.Errorf("tag name %q contains one of < > %% & \\ ? / (Azure refuses them)", k)
		case len(k) > 512:
			return nil, fmt.Errorf("tag name %.20q… is longer than 512 characters", k)
		case len(v) > 256:
			return nil, fmt.Errorf("the value of tag %q is longer than 256 characters", k)
		case seen[strings.ToLower(k)]:
			return nil, fmt.Errorf("tag %q is given twice (tag names ignore case)", k)
		}
		seen[strings.ToLower(k)] = true
		out[k] = v
	}
	if len(out) > 50 {
		return nil, fmt.Errorf("%d tags: Azure allows at most 50 per resource", len(out))
	}
	return out, nil
}

// focused is the text input that has focus, if any.
func (c *Create) focused() *textinput.Model {
	switch {
	case c.step == cName:
		return &c.name
	case c.step == cDetails && c.onTags:
		return &c.tags
	case c.step == cDetails:
		return &c.desc
	case c.step == cCompute && c.typingCompute:
		return &c.compute
	}
	return nil
}

type amStep int

// AuthMode changes the auth mode of an existing endpoint.
type AuthMode struct {
	nav.Kit
	env    *nav.Env
	ep     azure.Endpoint
	step   amStep
	cursor int
	hint   string

	gate      gate
	scroll    scroller
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
}

func newAuthMode(env *nav.Env, msg nav.ChangeAuthModeMsg) *AuthMode {
	ep := msg.Endpoint
	return &AuthMode{Kit: nav.NewKit(env), env: env, ep: ep, cursor: modeIndex(ep.AuthMode),
		gate: newGate("endpoint.write", "change endpoints", ep.EndpointRef.ID())}
}

func (a *AuthMode) Title() string { return "Auth mode" }

// Discards: the change under review is lost by quitting (q asks first).
func (a *AuthMode) Discards() string {
	if a.step != amConfirm {
		return ""
	}
	return "the change to " + a.target()
}

func (a *AuthMode) Typing() bool { return false }

func (a *AuthMode) Where() nav.Context {
	return a.env.Place(a.ep.WorkspaceRef, a.ep.Endpoint)
}

// HandlesEsc: esc steps back inside the flow; from the list, while the
// operation runs (it goes on) and after success, it leaves.
func (a *AuthMode) HandlesEsc() bool {
	return a.step == amConfirm || (a.step == amRun && a.watch.failed())
}

func (a *AuthMode) active() bool { return a.gate.busy() || a.startCall.Busy() || a.watch.running() }

func (a *AuthMode) target() string { return modes()[a.cursor].Mode }

// armMode is ARM's spelling of an auth mode.
func armMode(mode string) string {
	switch mode {
	case azure.AuthKey:
		return "Key"
	case azure.AuthAMLToken:
		return "AMLToken"
	case azure.AuthAADToken:
		return "AADToken"
	}
	return mode
}

// Delete deletes an endpoint after the user typed its name.
type Delete struct {
	nav.Kit
	env     *nav.Env
	ep      azure.Endpoint
	input   textinput.Model
	running bool // the confirmation is done; the operation is ours to follow
	hint    string

	gate      gate
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
}

func newDelete(env *nav.Env, msg nav.DeleteEndpointMsg) *Delete {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "the endpoint's name"
	in.CharLimit = 64
	in.SetStyles(env.Styles.Input)
	return &Delete{Kit: nav.NewKit(env), env: env, ep: msg.Endpoint, input: in,
		gate: newGate("endpoint.delete", "delete endpoints", msg.Endpoint.EndpointRef.ID())}
}

func (d *Delete) Title() string { return "Delete endpoint" }

func (d *Delete) Typing() bool { return !d.running }

func (d *Delete) Where() nav.Context { return d.env.Place(d.ep.WorkspaceRef, d.ep.Endpoint) }

// HandlesEsc: after a failure esc goes back to the confirmation; while it
// runs esc leaves (the delete goes on). While typing, esc reaches Update.
func (d *Delete) HandlesEsc() bool { return d.running && d.watch.failed() }

func (d *Delete) active() bool { return d.gate.busy() || d.startCall.Busy() || d.watch.running() }

const (
	cName cstep = iota
	cDetails
	cCompute
	cAuth
	cIdentity
	cReview
	cRun
)

const (
	amPick amStep = iota
	amConfirm
	amRun
)
