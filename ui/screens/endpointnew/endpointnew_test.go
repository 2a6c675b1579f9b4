package endpointnew

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

const sub = "5b3f1c2e-7a0d-4e8b-9c61-2f4d8a9e0b17"

var ws = azure.WorkspaceRef{Subscription: sub, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}

// sizes are the content areas of 80x24 and 120x40 (header 2 lines, footer 1).
var sizes = [][2]int{{80, 21}, {120, 37}}

func env() *nav.Env {
	return &nav.Env{Styles: theme.New(true, false), Now: func() time.Time { return now },
		Context: nav.Context{TenantID: "t", Subscription: sub, SubscriptionName: "Contoso ML Production"}}
}

func plain(s string) string { return ansi.Strip(s) }

// flat is the view without line breaks (wrapped sentences read whole).
func flat(s string) string { return strings.Join(strings.Fields(plain(s)), " ") }

func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+o":
		return tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// send presses keys; their commands are not run (cursor blinks would wait).
func send(s nav.Screen, keys ...string) {
	for _, k := range keys {
		s.Update(press(k))
	}
}

// ask presses one key and runs its command: the message it sends.
func ask(s nav.Screen, k string) tea.Msg {
	_, cmd := s.Update(press(k))
	if cmd == nil {
		return nil
	}
	return cmd()
}

func typeText(s nav.Screen, text string) {
	for _, r := range text {
		s.Update(press(string(r)))
	}
}

func newWizard() *Create {
	c := newCreate(env(), nav.NewEndpointMsg{Workspace: ws, Location: "eastus"})
	c.Init()
	return c
}

// pending starts a request on call c of kit k that will answer v, err: what a
// real request does, without Azure. Run it with deliver.
func pending[T any](k *nav.Kit, c *nav.Call, v T, err error) tea.Cmd {
	return nav.Go(k, c, 0, func(context.Context) (T, error) { return v, err })
}

// deliver runs cmd and gives its results to s (spinner ticks aside), as the
// root would; it returns what s answered.
func deliver(s nav.Screen, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	var out []tea.Cmd
	switch m := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range m {
			out = append(out, deliver(s, c))
		}
	case spinner.TickMsg, nil:
	default:
		_, c := s.Update(m)
		out = append(out, c)
	}
	return tea.Batch(out...)
}

// answer is pending and deliver in one.
func answer[T any](s nav.Screen, k *nav.Kit, c *nav.Call, v T, err error) tea.Cmd {
	return deliver(s, pending(k, c, v, err))
}

// verdict answers a gate's check with v.
func verdict(k *nav.Kit, g *gate, v azure.Verdict) {
	msg := findMsg(pending(k, &g.call, v, nil), func(m tea.Msg) bool { _, ok := m.(nav.Result[azure.Verdict]); return ok })
	g.update(k, msg.(nav.Result[azure.Verdict]))
}

// denyGate answers the access check with a denial, as Azure would for a Reader.
func denyGate(k *nav.Kit, g *gate) {
	verdict(k, g, azure.Verdict{
		Decision: rbac.Decision{Reason: "no role assignment grants Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write"},
		Suggest:  []rbac.RoleDefinition{{RoleName: "AzureML Data Scientist"}}})
}

// walk fills the wizard up to the auth step: name, no details, the given compute.
func walk(t *testing.T, c *Create, name string, k8s bool) {
	t.Helper()
	typeText(c, name)
	send(c, "enter") // name
	send(c, "enter") // description
	send(c, "enter") // tags
	if k8s {
		send(c, "down", "tab")
		typeText(c, "onprem-k8s")
	}
	send(c, "enter")
	if c.step != cAuth {
		t.Fatalf("walk: at step %d, want auth; view:\n%s", c.step, plain(c.View(100, 30)))
	}
}

func TestParseTags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
		err  string
	}{
		{"", nil, ""},
		{" team=ml , env=dev,", map[string]string{"team": "ml", "env": "dev"}, ""},
		{"empty=", map[string]string{"empty": ""}, ""},
		{"team", nil, `tag "team" has no value`},
		{"=x", nil, `has no name`},
		{"a/b=1", nil, "contains one of"},
		{"Team=a, team=b", nil, "given twice"},
	} {
		got, err := parseTags(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseTags(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseTags(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("k%d=v", i)
	}
	if _, err := parseTags(strings.Join(many, ",")); err == nil || !strings.Contains(err.Error(), "at most 50") {
		t.Errorf("51 tags: %v", err)
	}
}

func TestCreateNameIsValidatedLiveAndBlocksEnter(t *testing.T) {
	c := newWizard()
	if !c.Typing() {
		t.Fatal("the name step types: q and ? must reach the input")
	}
	send(c, "enter")
	if c.step != cName || !strings.Contains(flat(c.View(80, 21)), "enter a name for the endpoint") {
		t.Fatalf("an empty name must not pass:\n%s", plain(c.View(80, 21)))
	}
	typeText(c, "9lives")
	want := azure.ValidateEndpointName("9lives")
	if want == nil {
		t.Fatal("9lives should break Azure's rule (a name starts with a letter)")
	}
	v := flat(c.View(80, 21))
	if !strings.Contains(v, "✗ "+want.Error()) || !strings.Contains(v, "starting with a letter") {
		t.Fatalf("the live error and the rule are shown:\n%s", plain(c.View(80, 21)))
	}
	send(c, "enter")
	if c.step != cName {
		t.Fatal("enter passed an invalid name")
	}
	for range "9lives" {
		send(c, "backspace")
	}
	typeText(c, "churn-v2")
	if v := flat(c.View(80, 21)); !strings.Contains(v, "✓ churn-v2 is a valid name") {
		t.Fatalf("a valid name is confirmed as typed:\n%s", v)
	}
	send(c, "enter")
	if c.step != cDetails {
		t.Fatalf("a valid name goes on; step %d", c.step)
	}
}

func TestCreateEscGoesBackKeepingEverything(t *testing.T) {
	c := newWizard()
	typeText(c, "churn-v2")
	send(c, "enter")
	typeText(c, "Churn v2")
	send(c, "tab")
	typeText(c, "team=ml")
	send(c, "enter", "enter") // tags, then Managed
	if c.step != cAuth {
		t.Fatalf("step %d, want auth", c.step)
	}
	if !c.HandlesEsc() {
		t.Fatal("on a list step esc goes back a step, not out")
	}
	send(c, "esc", "esc")
	if c.step != cDetails || c.desc.Value() != "Churn v2" || c.tags.Value() != "team=ml" {
		t.Fatalf("back at details with input kept: step %d, %q, %q", c.step, c.desc.Value(), c.tags.Value())
	}
	send(c, "esc")
	if c.step != cName || c.name.Value() != "churn-v2" {
		t.Fatalf("back at the name with it kept: step %d %q", c.step, c.name.Value())
	}
	if _, ok := ask(c, "esc").(nav.PopMsg); !ok {
		t.Fatal("esc on the first step leaves the wizard")
	}
}

func TestCreateBadTagsStayOnDetails(t *testing.T) {
	c := newWizard()
	typeText(c, "churn-v2")
	send(c, "enter", "tab")
	typeText(c, "team")
	send(c, "enter")
	if c.step != cDetails {
		t.Fatal("enter passed invalid tags")
	}
	if v := flat(c.View(80, 21)); !strings.Contains(v, `tag "team" has no value`) {
		t.Fatalf("the tag rule is said:\n%s", v)
	}
}

func TestCreateKubernetesNeedsComputeAndDisablesAADToken(t *testing.T) {
	c := newWizard()
	typeText(c, "fraud-v2")
	send(c, "enter", "enter", "enter") // name, description, tags
	send(c, "down")                    // Kubernetes
	send(c, "enter")
	if c.step != cCompute || !c.typingCompute {
		t.Fatalf("Kubernetes without a compute asks for it: step %d typing %v", c.step, c.typingCompute)
	}
	send(c, "enter")
	if v := flat(c.View(80, 21)); !strings.Contains(v, "name the Kubernetes compute") {
		t.Fatalf("the missing compute is said:\n%s", v)
	}
	typeText(c, "onprem-k8s")
	send(c, "enter")
	if c.step != cAuth {
		t.Fatalf("step %d, want auth", c.step)
	}
	if v := flat(c.View(100, 30)); !strings.Contains(v, "aad_token not available on Kubernetes (managed compute only)") {
		t.Fatalf("aad_token is shown disabled in the list:\n%s", v)
	}
	send(c, "up") // wraps to aad_token
	if modes()[c.auth].Mode != azure.AuthAADToken {
		t.Fatalf("cursor on %s", modes()[c.auth].Mode)
	}
	if v := flat(c.View(100, 30)); !strings.Contains(v, "Disabled: not available on Kubernetes compute: aad_token is for managed online endpoints only") {
		t.Fatalf("the highlighted disabled mode says why:\n%s", v)
	}
	send(c, "enter")
	if c.step != cAuth || !strings.Contains(flat(c.View(100, 30)), "Choose key or aml_token") {
		t.Fatalf("a disabled mode cannot be chosen:\n%s", plain(c.View(100, 30)))
	}
	if c.spec().ComputeType != "Kubernetes" || c.spec().Compute != "onprem-k8s" {
		t.Fatalf("spec: %+v", c.spec())
	}
}

func TestCreateSwitchingToKubernetesDropsAADToken(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v2", false)
	send(c, "up") // aad_token
	send(c, "esc", "down", "tab")
	typeText(c, "onprem-k8s")
	send(c, "enter")
	if c.step != cAuth || modes()[c.auth].Mode != azure.AuthKey {
		t.Fatalf("aad_token must not survive a switch to Kubernetes: step %d mode %s", c.step, modes()[c.auth].Mode)
	}
	if v := flat(c.View(100, 30)); !strings.Contains(v, "key is selected instead") {
		t.Fatalf("the switch is said:\n%s", v)
	}
}

func TestCreateAuthModesExplainScoringRolesAndExpiry(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v2", false)
	for _, tc := range []struct{ mode, want string }{
		{azure.AuthKey, "until it is regenerated"},
		{azure.AuthAMLToken, "a token expires"},
		{azure.AuthAADToken, "Yes: onlineEndpoints/score/action on the endpoint"},
	} {
		c.auth = modeIndex(tc.mode)
		if v := flat(c.View(100, 30)); !strings.Contains(v, tc.want) || !strings.Contains(v, "who scores") {
			t.Errorf("%s: missing %q:\n%s", tc.mode, tc.want, v)
		}
	}
}

func TestCreateIdentityListEmptyFailedAndChosen(t *testing.T) {
	c := newWizard()
	c.env.Session = &azure.Session{} // the messages below need only "signed in"
	walk(t, c, "churn-v2", false)
	send(c, "enter")
	if c.step != cIdentity {
		t.Fatalf("step %d", c.step)
	}
	answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity(nil), nil)
	if v := flat(c.View(100, 30)); !strings.Contains(v, "No user-assigned identities in this subscription") {
		t.Fatalf("an empty list is said:\n%s", v)
	}
	answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity(nil), error(&azure.ForbiddenError{Principal: "alice", Action: "Microsoft.ManagedIdentity/userAssignedIdentities/read", Scope: "/subscriptions/" + sub}))
	if v := flat(c.View(100, 30)); !strings.Contains(v, "Listing user-assigned identities: access denied") || !strings.Contains(v, "R retries") {
		t.Fatalf("a failed list is said:\n%s", v)
	}
	uai := azure.ManagedIdentity{ID: "/subscriptions/" + sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring",
		Name: "id-churn-scoring", ResourceGroup: "rg-ml-prod", Location: "eastus", ClientID: "c1"}
	stale := pending(&c.Kit, &c.idsCall, []azure.ManagedIdentity(nil), errors.New("stale"))
	answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity{uai}, nil)
	deliver(c, stale) // an older answer is dropped
	if c.idsErr != nil {
		t.Fatal("a stale answer replaced the latest")
	}
	send(c, "down", "enter")
	if c.step != cReview {
		t.Fatalf("step %d", c.step)
	}
	sp := c.spec()
	if sp.IdentityType != "UserAssigned" || sp.UserIdentity != uai.ID {
		t.Fatalf("spec identity: %+v", sp)
	}
	// ctrl+o from the warning that you may not attach it: the check at the
	// identity (where Azure checks it), already run for attaching it.
	c.idGate = identityGate(uai)
	denyGate(&c.Kit, &c.idGate)
	denyGate(&c.Kit, &c.gate) // both warn: on the review the identity's warning is the one at hand
	if m, ok := ask(c, "ctrl+o").(nav.CheckAccessMsg); !ok || m.Run == nil || m.Run.Scope != uai.ID || m.Run.Action != actAssignIdentity {
		t.Fatalf("ctrl+o should open the check run at the identity: %#v", m)
	}
}

func TestCreateReviewShowsAndCopiesYAMLAzAndREST(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v2", false)
	send(c, "up", "enter", "enter") // aad_token, system-assigned
	if c.step != cReview {
		t.Fatalf("step %d", c.step)
	}
	sp := c.spec()
	if sp.AuthMode != azure.AuthAADToken || sp.Location != "eastus" || sp.IdentityType != "SystemAssigned" {
		t.Fatalf("spec: %+v", sp)
	}
	method, path, body := sp.REST()
	for _, sz := range sizes {
		c.scroll.off = 0
		v := plain(c.View(sz[0], 200)) // tall: all of it
		for _, want := range []string{"endpoint.yml (y)", "az CLI (a)", "REST (r)", method} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx: missing %q:\n%s", sz[0], want, v)
			}
		}
		if !strings.Contains(flat(v), "az ml online-endpoint create") {
			t.Errorf("%dx: the az command is shown:\n%s", sz[0], v)
		}
	}
	rest := c.env.Config.RESTText(method, path, body)
	for k, want := range map[string]string{"y": sp.YAML(), "a": sp.AzCommand(), "r": rest} {
		m, ok := ask(c, k).(nav.CopyMsg)
		if !ok || m.Text != want || want == "" {
			t.Errorf("%s copies %q, got %#v", k, want, m)
		}
	}
	if !strings.Contains(rest, "https://management.azure.com/subscriptions/") {
		t.Errorf("the REST request names the ARM URL: %s", rest)
	}
}

// The REST equivalents come from the cloud's own ARM endpoint: a sovereign
// cloud's are not management.azure.com.
func TestRESTTextFollowsTheCloud(t *testing.T) {
	cfg, err := azure.CloudConfig("AzureUSGovernment")
	if err != nil {
		t.Fatal(err)
	}
	e := env()
	e.Config = cfg
	ep := endpoint("churn-key", azure.AuthKey, "Managed")
	c := newCreate(e, nav.NewEndpointMsg{Workspace: ws, Location: "usgovvirginia"})
	d := newDelete(e, nav.DeleteEndpointMsg{Endpoint: ep})
	a := newAuthMode(e, nav.ChangeAuthModeMsg{Endpoint: ep})
	for what, text := range map[string]string{"create": cfg.RESTText(c.spec().REST()), "delete": d.restText(), "auth mode": a.restText()} {
		if !strings.Contains(text, "https://management.usgovcloudapi.net/subscriptions/") || strings.Contains(text, "management.azure.com") {
			t.Errorf("%s: not the cloud's ARM endpoint:\n%s", what, text)
		}
		if !strings.Contains(text, "api-version=") {
			t.Errorf("%s: no api-version:\n%s", what, text)
		}
	}
}

func TestCreateInvalidCombinationIsRefusedAtReview(t *testing.T) {
	c := newWizard()
	walk(t, c, "fraud-v2", true)
	c.auth = modeIndex(azure.AuthAADToken) // as if forced: the review is the last guard
	c.step = cReview
	if err := c.spec().Validate(); err == nil {
		t.Fatal("Validate accepts aad_token on Kubernetes")
	}
	send(c, "enter")
	if c.startCall.Busy() || !strings.Contains(flat(c.View(120, 37)), "cannot be created as it is") {
		t.Fatalf("an invalid combination was sent:\n%s", plain(c.View(120, 37)))
	}
}

func TestCreateRefusedByAzureKeepsInputAndSaysWhatToDo(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-key", false)
	send(c, "enter", "enter")
	taken := &azure.ServiceError{Status: 409, Code: "Conflict", Message: "An endpoint named churn-key already exists in eastus.\x1b]52;c;ZXZpbA==\a"}
	answer[*azure.Operation](c, &c.Kit, &c.startCall, nil, taken)
	raw := c.View(120, 37)
	if strings.Contains(raw, "\x1b]52") {
		t.Fatal("a server string reached the terminal unsanitized")
	}
	v := flat(raw)
	for _, want := range []string{"already exists in eastus", "n changes the name", "Azure answered 409 Conflict"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if _, ok := ask(c, "e").(nav.ErrorMsg); !ok {
		t.Error("e opens the error details")
	}
	send(c, "n")
	if c.step != cName || c.name.Value() != "churn-key" {
		t.Fatalf("n goes to the name with it kept: step %d %q", c.step, c.name.Value())
	}
	c.step = cReview
	answer[*azure.Operation](c, &c.Kit, &c.startCall, nil, &azure.ThrottledError{RetryAfter: 5 * time.Second, Message: "Too many requests"})
	if v := flat(c.View(120, 37)); !strings.Contains(v, "Wait 5s, then try again. enter retries.") || strings.Count(v, "enter retries") != 1 {
		t.Fatalf("429 says how long to wait:\n%s", v)
	}
}

func runningOp(kind string, ref azure.EndpointRef) *azure.Operation {
	return &azure.Operation{Kind: kind, Target: ref, Started: now.Add(-3 * time.Second)}
}

func TestCreateTracksOperationThenOpensTheEndpoint(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v2", false)
	send(c, "up", "enter", "enter")
	op := runningOp("create", azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-v2"})
	cmd := answer(c, &c.Kit, &c.startCall, op, nil)
	if tr, ok := findMsg(cmd, func(m tea.Msg) bool { _, ok := m.(nav.TrackMsg); return ok }).(nav.TrackMsg); !ok || tr.Op != op || tr.Label != "Create churn-v2" {
		t.Fatalf("the operation is handed to the root: %#v", tr)
	}
	if c.step != cRun || c.HandlesEsc() {
		t.Fatal("while it runs, esc leaves (the root pops; the operation goes on)")
	}
	other := runningOp("delete", azure.EndpointRef{WorkspaceRef: ws, Endpoint: "x"})
	c.Update(nav.OperationMsg{Op: other, Progress: azure.Progress{State: "Deleting"}})
	c.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Creating", Elapsed: time.Second}})
	v := flat(c.View(80, 21))
	if !strings.Contains(v, "state Creating") || !strings.Contains(v, "elapsed 3s") || strings.Contains(v, "Deleting") {
		t.Fatalf("live state and elapsed of its own operation:\n%s", v)
	}
	_, cmd = c.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Succeeded", Done: true, Elapsed: 3200 * time.Millisecond}})
	open, ok := cmd().(nav.OpenMsg)
	if !ok || open.Context.Endpoint != "churn-v2" || open.Context.Workspace != "mlw-churn" || open.Context.SubscriptionName != "Contoso ML Production" {
		t.Fatalf("success opens the endpoint's details: %#v", open)
	}
}

func TestCreateFailedProvisioningShowsAzuresErrorAndAllowsRetry(t *testing.T) {
	c := newWizard()
	walk(t, c, "churn-v2", false)
	send(c, "enter", "enter")
	op := runningOp("create", azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-v2"})
	answer(c, &c.Kit, &c.startCall, op, nil)
	c.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Failed", Done: true, Elapsed: 3 * time.Second,
		Err: &azure.OperationFailedError{Code: "EndpointProvisioningFailed", Message: "Quota exceeded for Standard_DS3_v2 in eastus"}}})
	v := flat(c.View(120, 37))
	for _, want := range []string{"EndpointProvisioningFailed", "Quota exceeded for Standard_DS3_v2", "enter retries the create", "state Failed"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	if !c.HandlesEsc() {
		t.Fatal("after a failure esc goes back to the review")
	}
	if _, ok := ask(c, "e").(nav.ErrorMsg); !ok {
		t.Error("e opens the details")
	}
	send(c, "esc")
	if c.step != cReview || c.name.Value() != "churn-v2" {
		t.Fatalf("esc goes back to the review with everything kept: step %d", c.step)
	}
}

func TestCreateAccessDeniedIsSaidFirstWithTheCheckOneKeyAway(t *testing.T) {
	c := newWizard()
	denyGate(&c.Kit, &c.gate)
	v := flat(c.View(80, 21))
	for _, want := range []string{"✗ You may not create endpoints in mlw-churn", "onlineEndpoints/write", "AzureML Data Scientist", "ctrl+o checks access", "you can still continue"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	typeText(c, "ok") // typing still works
	m, ok := ask(c, "ctrl+o").(nav.CheckAccessMsg)
	if !ok || m.Context.Workspace != "mlw-churn" || m.Context.ResourceGroup != "rg-ml-prod" || m.Context.Endpoint != "" ||
		m.Run == nil || m.Run.Operation != "endpoint.write" {
		t.Fatalf("ctrl+o opens the check at the workspace, already run for creating endpoints: %#v", m)
	}
	if c.name.Value() != "ok" {
		t.Fatalf("ctrl+o typed into the name: %q", c.name.Value())
	}
	// A stale or foreign answer does not change the verdict.
	c.gate.update(&c.Kit, nav.Result[azure.Verdict]{Seq: 999, Value: azure.Verdict{Decision: rbac.Decision{Allowed: true}}})
	if c.gate.allowed {
		t.Fatal("a foreign answer was taken")
	}
}

func TestGateUnknownWhenThePermissionsAPIDisagrees(t *testing.T) {
	g := newGate("endpoint.write", "create endpoints", ws.ID())
	k := nav.NewKit(env())
	no := false
	verdict(&k, &g, azure.Verdict{Decision: rbac.Decision{Allowed: true}, PermissionsAPI: &no})
	if g.allowed || !g.unknown || !g.warns() {
		t.Fatalf("a disagreement is not an allow: %+v", g)
	}
}

// findMsg runs cmd (expanding batches, skipping spinner ticks) and returns the first message that matches.
func findMsg(cmd tea.Cmd, match func(tea.Msg) bool) tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if m := findMsg(c, match); m != nil {
				return m
			}
		}
		return nil
	}
	if match(msg) {
		return msg
	}
	return nil
}

func endpoint(name, mode, compute string) azure.Endpoint {
	ref := azure.EndpointRef{WorkspaceRef: ws, Endpoint: name}
	return azure.Endpoint{EndpointRef: ref, ID: ref.ID(), Location: "eastus", AuthMode: mode, ComputeType: compute,
		ProvisioningState: "Succeeded", ScoringURI: "https://" + name + ".eastus.inference.ml.azure.com/score",
		Traffic: map[string]int32{"blue": 90, "green": 10}, IdentityType: "SystemAssigned", Tags: map[string]string{"model": "churn"}}
}

func TestAuthModeSaysWhatItBreaksAndShowsTheEquivalents(t *testing.T) {
	a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
	if v := flat(a.View(100, 30)); !strings.Contains(v, "now: key") || !strings.Contains(v, "(current)") {
		t.Fatalf("the current mode is shown:\n%s", v)
	}
	send(a, "enter")
	if a.step != amPick || !strings.Contains(flat(a.View(100, 30)), "already uses key") {
		t.Fatal("choosing the current mode is refused with a reason")
	}
	send(a, "up") // aad_token
	v := flat(a.View(100, 40))
	for _, want := range []string{"Existing keys stop working", "onlineEndpoints/score/action on this endpoint", "no grace period"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	send(a, "enter")
	if a.step != amConfirm {
		t.Fatalf("step %d", a.step)
	}
	v = flat(a.View(120, 37))
	if !strings.Contains(v, "Change churn-key from key to aad_token?") || !strings.Contains(v, "--set auth_mode=aad_token") {
		t.Fatalf("confirm shows the change and the az command:\n%s", v)
	}
	if m, ok := ask(a, "a").(nav.CopyMsg); !ok || !strings.Contains(m.Text, "az ml online-endpoint update --name churn-key") {
		t.Fatalf("a copies the az command: %#v", m)
	}
	url := "https://management.azure.com" + ws.ID() + "/onlineEndpoints/churn-key?api-version=2024-04-01"
	m, ok := ask(a, "r").(nav.CopyMsg)
	if !ok || !strings.HasPrefix(m.Text, "GET "+url) || !strings.Contains(m.Text, "PUT "+url) || !strings.Contains(m.Text, `"authMode": "AADToken"`) {
		t.Fatalf("r copies the REST equivalent (read, change, put back whole): %#v", m)
	}
	if !strings.Contains(m.Text, "traffic") {
		t.Fatal("the REST equivalent must warn that a PUT without the traffic loses it")
	}
	if !a.HandlesEsc() {
		t.Fatal("esc goes back to the list from the confirmation")
	}
	send(a, "esc")
	if a.step != amPick {
		t.Fatal("esc did not go back")
	}
}

func TestAuthModeOnKubernetesCannotChooseAADToken(t *testing.T) {
	a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("fraud-k8s", azure.AuthKey, "Kubernetes")})
	send(a, "up", "enter")
	if a.step != amPick || !strings.Contains(flat(a.View(100, 30)), "not available on Kubernetes compute") {
		t.Fatalf("aad_token is refused on Kubernetes:\n%s", plain(a.View(100, 30)))
	}
	send(a, "up", "enter") // aml_token
	if a.step != amConfirm || !strings.Contains(flat(a.View(100, 40)), "Existing keys stop working") {
		t.Fatalf("aml_token is allowed:\n%s", plain(a.View(100, 40)))
	}
}

func TestAuthModeRunsTrackedAndReportsTheResult(t *testing.T) {
	a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
	send(a, "down", "enter") // aml_token
	op := runningOp("update", a.ep.EndpointRef)
	cmd := answer(a, &a.Kit, &a.startCall, op, nil)
	if tr, ok := findMsg(cmd, func(m tea.Msg) bool { _, ok := m.(nav.TrackMsg); return ok }).(nav.TrackMsg); !ok || tr.Op != op {
		t.Fatalf("tracked: %#v", tr)
	}
	a.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Updating"}})
	if v := flat(a.View(80, 21)); !strings.Contains(v, "state Updating") {
		t.Fatalf("live state:\n%s", v)
	}
	a.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Succeeded", Done: true, Elapsed: 2 * time.Second}})
	if v := flat(a.View(80, 21)); !strings.Contains(v, "churn-key now uses aml_token") {
		t.Fatalf("the result is said:\n%s", v)
	}
	if a.HandlesEsc() {
		t.Fatal("after success esc leaves")
	}
}

func TestDeleteNeedsTheExactNameAndRunsTracked(t *testing.T) {
	e := env()
	d := newDelete(e, nav.DeleteEndpointMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
	d.Init()
	v := flat(d.View(80, 21))
	for _, want := range []string{"cannot be undone", "blue (90%), green (10%)", "az ml online-endpoint delete --name churn-key", "DELETE https://management.azure.com", "Type churn-key to confirm"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	typeText(d, "Churn-key")
	send(d, "enter")
	if d.startCall.Busy() || !strings.Contains(flat(d.View(80, 21)), "Type the endpoint's name exactly") {
		t.Fatal("a name that differs (case included) does not delete")
	}
	if _, ok := ask(d, "esc").(nav.PopMsg); !ok {
		t.Fatal("esc cancels")
	}
	op := runningOp("delete", d.ep.EndpointRef)
	cmd := answer(d, &d.Kit, &d.startCall, op, nil)
	if tr, ok := findMsg(cmd, func(m tea.Msg) bool { _, ok := m.(nav.TrackMsg); return ok }).(nav.TrackMsg); !ok || tr.Label != "Delete churn-key" {
		t.Fatalf("tracked: %#v", tr)
	}
	if d.Typing() {
		t.Fatal("once running, nothing is typed")
	}
	d.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Deleting"}})
	if v := flat(d.View(80, 21)); !strings.Contains(v, "state Deleting") {
		t.Fatalf("live state:\n%s", v)
	}
	_, cmd = d.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Succeeded", Done: true}})
	m, ok := cmd().(nav.OpenMsg)
	if !ok || m.Context.Workspace != "mlw-churn" || m.Context.Endpoint != "" {
		t.Fatalf("done: back to the workspace's endpoints: %#v", m)
	}
}

func TestDeleteFailureAllowsRetryAndBack(t *testing.T) {
	d := newDelete(env(), nav.DeleteEndpointMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
	answer[*azure.Operation](d, &d.Kit, &d.startCall, nil, &azure.ForbiddenError{Principal: "bob@contoso.example",
		Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete", Scope: d.ep.EndpointRef.ID()})
	v := flat(d.View(120, 37))
	if !strings.Contains(v, "onlineEndpoints/delete") || !strings.Contains(v, "ctrl+o checks your access") {
		t.Fatalf("a refusal says who lacks what and the way out:\n%s", v)
	}
	if m, ok := ask(d, "ctrl+o").(nav.CheckAccessMsg); !ok || m.Context.Endpoint != "churn-key" {
		t.Fatalf("ctrl+o opens the check at the endpoint: %#v", m)
	}
}

// --- golden views -----------------------------------------------------------

func goldens(t *testing.T, build func() nav.Screen) {
	t.Helper()
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, plain(build().View(sz[0], sz[1])))
		})
	}
}

func TestGoldenCreateNameDenied(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		denyGate(&c.Kit, &c.gate)
		typeText(c, "churn-v2")
		return c
	})
}

func TestGoldenCreateAuthKubernetes(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		walk(t, c, "fraud-v2", true)
		send(c, "up") // the disabled aad_token, with its reason
		return c
	})
}

func TestGoldenCreateAuthManaged(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		walk(t, c, "churn-v2", false)
		send(c, "up")
		return c
	})
}

func TestGoldenCreateIdentity(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		c.env.Session = &azure.Session{}
		walk(t, c, "churn-v2", false)
		send(c, "enter")
		answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity{{ID: "/subscriptions/" + sub + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring",
			Name: "id-churn-scoring", ResourceGroup: "rg-ml-prod", Location: "eastus", ClientID: "8d1e5c3a-0b7f-4d2e-9a61-3c5f7e9b1d24"}}, nil)
		return c
	})
}

func TestGoldenCreateReview(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		typeText(c, "churn-v2")
		send(c, "enter")
		typeText(c, "Churn v2 for apps")
		send(c, "tab")
		typeText(c, "team=ml, env=dev")
		send(c, "enter", "enter")
		send(c, "up", "enter", "enter")
		return c
	})
}

func TestGoldenCreateRunning(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		walk(t, c, "churn-v2", false)
		send(c, "up", "enter", "enter")
		op := runningOp("create", azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-v2"})
		answer(c, &c.Kit, &c.startCall, op, nil)
		c.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Creating", Elapsed: 2 * time.Second}})
		return c
	})
}

func TestGoldenAuthModeConfirm(t *testing.T) {
	goldens(t, func() nav.Screen {
		a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
		send(a, "up", "enter")
		return a
	})
}

func TestGoldenAuthModePickKubernetes(t *testing.T) {
	goldens(t, func() nav.Screen {
		a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("fraud-k8s", azure.AuthKey, "Kubernetes")})
		send(a, "down")
		return a
	})
}

func TestGoldenDelete(t *testing.T) {
	goldens(t, func() nav.Screen {
		d := newDelete(env(), nav.DeleteEndpointMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
		d.Init()
		typeText(d, "churn")
		return d
	})
}

func TestGoldenCreateDetailsBadTags(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		typeText(c, "churn-v2")
		send(c, "enter")
		typeText(c, "Churn v2 for apps")
		send(c, "tab")
		typeText(c, "team=ml, env")
		return c
	})
}

func TestGoldenCreateComputeKubernetes(t *testing.T) {
	goldens(t, func() nav.Screen {
		c := newWizard()
		typeText(c, "fraud-v2")
		send(c, "enter", "enter", "enter", "down", "tab")
		typeText(c, "on prem")
		return c
	})
}

func TestServerStringsAreSanitized(t *testing.T) {
	evil := "ep\x1b]52;c;ZXZpbA==\a\x1b[2J"
	ep := endpoint(evil, azure.AuthKey, "Managed")
	ep.Description = "d\x1b]8;;http://x\a"
	screens := []nav.Screen{
		newDelete(env(), nav.DeleteEndpointMsg{Endpoint: ep}),
		newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: ep}),
	}
	a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: ep})
	send(a, "down", "enter")
	screens = append(screens, a)
	c := newWizard()
	c.env.Session = &azure.Session{}
	walk(t, c, "churn-v2", false)
	send(c, "enter")
	answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity{{ID: "/x", Name: "id\x1b]52;c;ZXZpbA==\a", ResourceGroup: "rg\x1b[31m"}}, nil)
	screens = append(screens, c)
	for i, s := range screens {
		for _, sz := range sizes {
			if v := s.View(sz[0], sz[1]); strings.Contains(v, "\x1b]") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\a") {
				t.Errorf("screen %d (%s) at %dx%d draws a server's escape sequence: %q", i, s.Title(), sz[0], sz[1], v)
			}
		}
	}
}

// After a failure the key that retries is named once: nav.Problem says
// "enter retries." when retrying may help, and the line of keys under it
// names it only when Problem did not (a failed provisioning, auth-mode
// change and delete; the identity list names R the same way).
func TestGoldenFailureNamesRetryOnce(t *testing.T) {
	for name, err := range map[string]error{
		"retryable": &azure.ServiceError{Status: 500, Code: "InternalServerError", Message: "The server had an internal error."},
		"rejected":  &azure.OperationFailedError{Code: "EndpointProvisioningFailed", Message: "Quota exceeded for Standard_DS3_v2 in eastus"},
	} {
		once := func(t *testing.T, v, key string) {
			t.Helper()
			if n := strings.Count(v, key+" retries"); n != 1 {
				t.Errorf("%q is said %d times, want once:\n%s", key+" retries", n, v)
			}
		}
		t.Run(name+"/create", func(t *testing.T) {
			c := newWizard()
			walk(t, c, "churn-v2", false)
			send(c, "enter", "enter")
			op := runningOp("create", azure.EndpointRef{WorkspaceRef: ws, Endpoint: "churn-v2"})
			answer(c, &c.Kit, &c.startCall, op, nil)
			c.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Failed", Done: true, Elapsed: 3 * time.Second, Err: err}})
			v := plain(c.View(80, 21))
			once(t, flat(v), "enter")
			if !strings.Contains(flat(v), "e details · esc back to the review") {
				t.Errorf("the keys are missing:\n%s", v)
			}
			golden.RequireEqual(t, v)
		})
		t.Run(name+"/create refused", func(t *testing.T) {
			c := newWizard()
			walk(t, c, "churn-v2", false)
			send(c, "enter", "enter")
			answer[*azure.Operation](c, &c.Kit, &c.startCall, nil, err)
			v := flat(c.View(120, 37))
			once(t, v, "enter")
			if !strings.Contains(v, "e shows the details. Everything typed is kept.") {
				t.Errorf("the keys are missing:\n%s", v)
			}
		})
		t.Run(name+"/authmode", func(t *testing.T) {
			a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
			send(a, "down", "enter")
			op := runningOp("update", a.ep.EndpointRef)
			answer(a, &a.Kit, &a.startCall, op, nil)
			a.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Failed", Done: true, Err: err}})
			once(t, flat(a.View(80, 21)), "enter")
		})
		t.Run(name+"/delete", func(t *testing.T) {
			d := newDelete(env(), nav.DeleteEndpointMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
			d.Init()
			op := runningOp("delete", d.ep.EndpointRef)
			answer(d, &d.Kit, &d.startCall, op, nil)
			d.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{State: "Failed", Done: true, Err: err}})
			once(t, flat(d.View(80, 21)), "enter")
		})
		t.Run(name+"/identities", func(t *testing.T) {
			c := newWizard()
			c.env.Session = &azure.Session{}
			walk(t, c, "churn-v2", false)
			send(c, "enter")
			answer(c, &c.Kit, &c.idsCall, []azure.ManagedIdentity(nil), err)
			v := flat(c.View(100, 30))
			once(t, v, "R")
			if !strings.Contains(v, "System-assigned needs no list.") {
				t.Errorf("the list is not said to be optional:\n%s", v)
			}
		})
	}
}
