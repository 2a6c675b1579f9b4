package endpointnew

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// cstep is a step of the create wizard.
type cstep int

const (
	cName cstep = iota
	cDetails
	cCompute
	cAuth
	cIdentity
	cReview
	cRun
)

var stepNames = []string{"Name", "Details", "Compute", "Auth", "Identity", "Review"}

var (
	keyNext     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	keyField    = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	keyChoose   = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
	keyK8sName  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "compute name"))
	keyReload   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload"))
	keyCreate   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "create"))
	keyCopyYML  = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy yml"))
	keyCopyAz   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy az"))
	keyCopyREST = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "copy REST"))
	keyEditName = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "edit name"))
	keyDetails  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "error details"))
	keyRetry    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "retry"))
)

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
	scroll    scroller
	startCall nav.Call // starting the operation: its answer must find this screen to be tracked
	startErr  error
	watch     watch
	tableTop  int
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
func (c *Create) Where() nav.Context { return placeOf(c.env, c.ws, "") }

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

func (c *Create) Keys() []key.Binding {
	var ks []key.Binding
	switch c.step {
	case cName:
		ks = []key.Binding{keyNext}
	case cDetails:
		ks = []key.Binding{keyField, keyNext}
	case cCompute:
		ks = []key.Binding{keyChoose, keyNext}
		if c.k8s && !c.typingCompute {
			ks = append(ks, keyK8sName)
		}
	case cAuth:
		ks = []key.Binding{keyChoose, keyNext}
	case cIdentity:
		ks = []key.Binding{keyNext, keyReload}
	case cReview:
		ks = []key.Binding{keyCreate, keyCopyYML, keyCopyAz, keyCopyREST, keyEditName}
		if c.startErr != nil {
			ks = append(ks, keyDetails)
		}
	case cRun:
		if c.watch.failed() { // while it runs, the root's esc leaves (it keeps running)
			ks = []key.Binding{keyRetry, keyDetails}
		}
	}
	if c.gate.warns() {
		ks = append(ks, keyCheck)
	}
	return ks
}

func (c *Create) Init() tea.Cmd {
	cmds := []tea.Cmd{c.name.Focus(), c.gate.start(&c.Kit, c.env), c.loadIDs()}
	if c.location == "" && c.env.Session != nil {
		cmds = append(cmds, c.loadLocation())
	}
	if c.active() {
		cmds = append(cmds, c.StartSpinner())
	}
	return tea.Batch(cmds...)
}

// active: something is in flight, so the spinner turns.
func (c *Create) active() bool {
	return c.Busy() || c.watch.running()
}

func (c *Create) loadIDs() tea.Cmd {
	if c.env.Session == nil {
		return nil
	}
	c.idsErr = nil
	c.ids.Loading = true
	sess, sub := c.env.Session, c.ws.Subscription
	return nav.Go(&c.Kit, &c.idsCall, timeout, func(ctx context.Context) ([]azure.ManagedIdentity, error) {
		return sess.UserAssignedIdentities(ctx, sub)
	})
}

// loadLocation finds the workspace's region when the caller did not know it
// (a new endpoint lives in its workspace's region).
func (c *Create) loadLocation() tea.Cmd {
	sess, ws := c.env.Session, c.ws
	return nav.Go(&c.Kit, &c.locCall, timeout, func(ctx context.Context) (location, error) {
		list, err := sess.Workspaces(ctx, []string{ws.Subscription})
		if err != nil {
			return "", err
		}
		for _, w := range list.Items {
			if strings.EqualFold(w.ID, ws.ID()) || (strings.EqualFold(w.Name, ws.Name) && strings.EqualFold(w.ResourceGroup, ws.ResourceGroup)) {
				return location(w.Location), nil
			}
		}
		return "", nil
	})
}

// location is a workspace's region (its own type: a Result of it is told
// apart from other string results).
type location string

func (c *Create) idRows(list []azure.ManagedIdentity) {
	rows := []components.Row{{ID: sysAssigned, Cells: []string{"system-assigned", "created and deleted with the endpoint; nothing to manage"}}}
	for _, m := range list {
		rows = append(rows, components.Row{ID: m.ID, Payload: m, Cells: []string{components.Clean(m.Name),
			components.Clean(fmt.Sprintf("user-assigned · %s · %s · client id %s", m.ResourceGroup, m.Location, m.ClientID))}})
	}
	c.ids.SetRows(rows)
}

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

func (c *Create) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if _, ok := msg.(nav.ThemeMsg); ok {
		for _, in := range []*textinput.Model{&c.name, &c.desc, &c.tags, &c.compute} {
			in.SetStyles(c.env.Styles.Input)
		}
		return c, nil
	}
	if cmd, ok := c.Spin(msg, c.active()); ok {
		return c, cmd
	}
	switch m := msg.(type) {
	case nav.Result[azure.Verdict]:
		if !c.gate.update(&c.Kit, m) {
			c.idGate.update(&c.Kit, m)
		}
		return c, nil
	case nav.Result[[]azure.ManagedIdentity]:
		if c.Done(&c.idsCall, m) {
			c.idsErr = m.Err
			c.ids.Loading = false
			c.idRows(m.Value)
			if c.uai != nil && !c.ids.Select(c.uai.ID) {
				c.uai = nil // it is gone: back to system-assigned
			}
		}
		return c, nil
	case nav.Result[location]:
		if c.Done(&c.locCall, m) && c.location == "" {
			c.location = string(m.Value) // a failure leaves it to the user
		}
		return c, nil
	case nav.Result[*azure.Operation]:
		if !c.Done(&c.startCall, m) {
			return c, nil
		}
		if m.Err != nil {
			c.startErr = m.Err
			c.step = cReview
			return c, nil
		}
		c.step = cRun
		return c, tea.Batch(c.watch.track(m.Value, "Create "+c.spec().Ref.Endpoint), c.StartSpinner())
	case nav.OperationMsg:
		if !c.watch.update(m) {
			return c, nil
		}
		if c.watch.succeeded() && c.step == cRun {
			// The endpoint's details replace the wizard.
			return c, nav.Cmd(nav.OpenMsg{Context: placeOf(c.env, c.ws, c.watch.op.Target.Endpoint)})
		}
		return c, nil
	case tea.KeyPressMsg:
		return c, c.key(m)
	case tea.PasteMsg:
		if in := c.focused(); in != nil {
			var cmd tea.Cmd
			*in, cmd = in.Update(m)
			c.hint = ""
			return c, cmd
		}
	case tea.MouseWheelMsg:
		switch c.step {
		case cReview:
			if m.Button == tea.MouseWheelUp {
				c.scroll.key("up", 1)
			} else {
				c.scroll.key("down", 1)
			}
		case cIdentity:
			c.ids.Update(m)
		}
	case tea.MouseClickMsg:
		if c.step == cIdentity {
			m.Y -= c.tableTop
			if _, _, chosen := c.ids.Update(m); chosen {
				return c, c.chooseIdentity()
			}
		}
	}
	return c, nil
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

// goTo moves to a step and gives its input the focus.
func (c *Create) goTo(s cstep) tea.Cmd {
	c.name.Blur()
	c.desc.Blur()
	c.tags.Blur()
	c.compute.Blur()
	c.typingCompute = false
	c.step, c.hint = s, ""
	switch s {
	case cName:
		return c.name.Focus()
	case cDetails:
		if c.onTags {
			return c.tags.Focus()
		}
		return c.desc.Focus()
	case cAuth:
		if why := modeDisabled(modes()[c.auth].Mode, c.computeType()); why != "" {
			c.auth = modeIndex(azure.AuthKey)
			c.hint = "aad_token is " + why + "; key is selected instead."
		}
	case cIdentity:
		if c.uai != nil {
			c.ids.Select(c.uai.ID)
		} else {
			c.ids.Select(sysAssigned)
		}
	case cReview:
		c.scroll.off = 0
	}
	return nil
}

func (c *Create) checkAccess() tea.Cmd {
	return nav.Cmd(nav.CheckAccessMsg{Context: placeOf(c.env, c.ws, "")})
}

func (c *Create) key(k tea.KeyPressMsg) tea.Cmd {
	if c.startCall.Busy() {
		return nil // the request is out: its answer must find this screen to be tracked
	}
	if key.Matches(k, keyCheck) {
		return c.checkAccess()
	}
	s := k.String()
	switch c.step {
	case cName:
		switch s {
		case "esc":
			return nav.Cmd(nav.PopMsg{})
		case "enter", "tab":
			if err := c.nameErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cDetails)
		}
		return c.typeInto(&c.name, k)
	case cDetails:
		switch s {
		case "esc":
			return c.goTo(cName)
		case "tab", "shift+tab", "up", "down":
			c.onTags = !c.onTags
			return c.goTo(cDetails)
		case "enter":
			if !c.onTags {
				c.onTags = true
				return c.goTo(cDetails)
			}
			if err := c.tagsErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cCompute)
		}
		if c.onTags {
			return c.typeInto(&c.tags, k)
		}
		return c.typeInto(&c.desc, k)
	case cCompute:
		return c.computeKey(k)
	case cAuth:
		switch s {
		case "esc":
			return c.goTo(cCompute)
		case "up", "k":
			c.auth, c.hint = (c.auth+len(modes())-1)%len(modes()), ""
		case "down", "j":
			c.auth, c.hint = (c.auth+1)%len(modes()), ""
		case "enter":
			m := modes()[c.auth]
			if why := modeDisabled(m.Mode, c.computeType()); why != "" {
				c.hint = m.Mode + " is " + why + ". Choose key or aml_token, or go back (esc) and choose Managed compute."
				return nil
			}
			return c.goTo(cIdentity)
		}
		return nil
	case cIdentity:
		if s == "esc" && !c.ids.Filtering() && c.ids.Query() == "" {
			return c.goTo(cAuth)
		}
		if key.Matches(k, keyReload) && !c.ids.Filtering() {
			return tea.Batch(c.loadIDs(), c.StartSpinner())
		}
		cmd, _, chosen := c.ids.Update(k)
		if chosen {
			return c.chooseIdentity()
		}
		return cmd
	case cReview:
		return c.reviewKey(k)
	case cRun:
		if !c.watch.failed() {
			return nil
		}
		switch {
		case key.Matches(k, keyRetry):
			return c.start()
		case key.Matches(k, keyDetails):
			return nav.Cmd(nav.ErrorMsg{Title: "Creating " + c.watch.op.Target.Endpoint, Err: c.watch.last.Err})
		case s == "esc":
			return c.goTo(cReview)
		}
	}
	return nil
}

func (c *Create) typeInto(in *textinput.Model, k tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	*in, cmd = in.Update(k)
	c.hint = ""
	return cmd
}

func (c *Create) computeKey(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	if c.typingCompute {
		switch s {
		case "esc":
			c.typingCompute = false
			c.compute.Blur()
			return nil
		case "enter":
			if err := c.computeErr(); err != nil {
				c.hint = err.Error()
				return nil
			}
			return c.goTo(cAuth)
		case "up", "shift+tab":
			c.typingCompute = false
			c.compute.Blur()
			return nil
		}
		return c.typeInto(&c.compute, k)
	}
	switch s {
	case "esc":
		return c.goTo(cDetails)
	case "up", "down", "k", "j":
		c.k8s, c.hint = !c.k8s, ""
	case "tab":
		if c.k8s {
			c.typingCompute = true
			return c.compute.Focus()
		}
	case "enter":
		if c.k8s && c.computeErr() != nil {
			c.typingCompute = true // the compute name is what is missing
			return c.compute.Focus()
		}
		return c.goTo(cAuth)
	}
	return nil
}

func (c *Create) chooseIdentity() tea.Cmd {
	r, ok := c.ids.Selected()
	if !ok {
		return nil
	}
	c.uai = nil
	var check tea.Cmd
	if r.ID != sysAssigned {
		m := r.Payload.(azure.ManagedIdentity)
		c.uai = &m
		if c.idGate.scope != m.ID || (!c.idGate.busy() && !c.idGate.done) {
			c.idGate = identityGate(m)
			check = c.idGate.start(&c.Kit, c.env)
		}
	} else {
		c.idGate = gate{}
	}
	return tea.Batch(check, c.goTo(cReview))
}

func (c *Create) reviewKey(k tea.KeyPressMsg) tea.Cmd {
	sp := c.spec()
	switch {
	case k.String() == "esc":
		return c.goTo(cIdentity)
	case key.Matches(k, keyCreate):
		if err := sp.Validate(); err != nil {
			c.hint = "Not created: " + err.Error()
			return nil
		}
		return c.start()
	case key.Matches(k, keyCopyYML):
		return nav.Cmd(nav.CopyMsg{Text: sp.YAML(), Label: "Copied endpoint.yml"})
	case key.Matches(k, keyCopyAz):
		return nav.Cmd(nav.CopyMsg{Text: sp.AzCommand(), Label: "Copied the az command"})
	case key.Matches(k, keyCopyREST):
		return nav.Cmd(nav.CopyMsg{Text: c.env.Config.RESTText(sp.REST()), Label: "Copied the REST request"})
	case key.Matches(k, keyEditName):
		return c.goTo(cName)
	case key.Matches(k, keyDetails) && c.startErr != nil:
		return nav.Cmd(nav.ErrorMsg{Title: "Creating " + sp.Ref.Endpoint, Err: c.startErr})
	}
	c.scroll.key(k.String(), 10)
	return nil
}

// start sends the PUT; the answer is the running operation or Azure's refusal.
func (c *Create) start() tea.Cmd {
	if c.env.Session == nil {
		c.hint = "Sign in first."
		return nil
	}
	c.startErr, c.hint = nil, ""
	c.step = cReview
	sess, sp := c.env.Session, c.spec()
	return nav.Go(&c.Kit, &c.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return sess.CreateEndpoint(ctx, sp) })
}
