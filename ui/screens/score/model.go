// Package score is the request editor and response viewer of an endpoint:
// a JSON body, a deployment target, extra headers and a credential chosen
// from the endpoint's auth mode; ctrl+s sends, and the answer is timed,
// shown, explained and kept in the endpoint's history (never the
// credential). The body is remembered per endpoint; history entries can be
// re-sent; requests export as curl, Python or az; repeat sends N requests
// and summarises their latency.
package score

import (
	"context"
	"time"

	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// pane is what has the keyboard: the body, the extra headers (both are
// typing) or the response (scrolls).
type pane int

const (
	paneBody pane = iota
	paneHeaders
	paneResponse
)

// modal is a dialog over the screen.
type modal int

const (
	modalNone modal = iota
	modalTarget
	modalCred
	modalHistory
	modalExport
	promptFile   // load the body from a file
	promptAzFile // where to write the request file of the az export
	promptRepeat // how many requests, how many at once
)

const (
	credTimeout = 60 * time.Second
	// refreshAhead: a token that expires within this is refreshed before
	// sending (the request itself may take a while, and clocks drift).
	refreshAhead = 2 * time.Minute
	// wideMin is the width from which request and response sit side by side.
	wideMin = 110
)

// Azure is what the request editor needs from azure's session (a
// *azure.Session has it); tests give a fake.
type Azure interface {
	Config() azure.Config
	Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error)
	Keys(ctx context.Context, ref azure.EndpointRef) (azure.EndpointKeys, error)
	AMLToken(ctx context.Context, ref azure.EndpointRef) (azure.Credential, error)
	EntraToken(ctx context.Context, audience string) (azure.Credential, error)
}

// Screen is the request editor of one endpoint.
type Screen struct {
	nav.Kit
	env    *nav.Env
	az     Azure // nil: the session's
	ep     azure.Endpoint
	id     string // endpoint ARM id: the key of its body and history
	scorer *azure.Scorer

	editor  *components.JSONEditor
	headers textarea.Model
	focus   pane
	typing  bool // the focused pane (body or headers) has the keyboard

	deps     []azure.Deployment
	depsErr  error
	depsCall nav.Call
	target   string // deployment to score; "" = the traffic split decides

	cred     credential
	credCall nav.Call

	sendCall nav.Call
	notice   string // why the last ctrl+s sent nothing

	res   *result
	vp    viewport.Model
	vpFor int // width the response content was laid out for

	hist     []state.HistoryEntry
	histCall nav.Call

	modal      modal
	menu       menu
	input      textinput.Model
	inputErr   string
	written    map[string]bool // request files this screen wrote (may overwrite)
	exportKind string          // the export waiting for its request file

	rep  *repeatRun
	prog progress.Model
}

// New opens the request editor of msg.Endpoint. The body is the last one
// sent to this endpoint, else a sample; the credential is the one the
// message carries, else the one the auth mode needs (fetched in Init).
func New(env *nav.Env, msg nav.ScoreMsg) nav.Screen {
	st := env.Styles
	s := &Screen{Kit: nav.NewKit(env), env: env, ep: msg.Endpoint, id: msg.Endpoint.ID, written: map[string]bool{}}
	if s.id == "" {
		s.id = msg.Endpoint.EndpointRef.ID()
	}
	s.scorer = azure.NewScorer(env.Config)
	s.editor = components.NewJSONEditor(st)
	s.editor.SetRules(jsonRules)
	s.editor.Hint = "f formats it (then it is editable here) · e opens it in $EDITOR"
	s.headers = textarea.New()
	s.headers.ShowLineNumbers = false
	s.headers.Prompt = ""
	s.headers.MaxHeight = 0
	s.headers.Placeholder = "Name: value, one a line (e.g. x-ms-client-request-id: demo-1)"
	s.prog = progress.New(progress.WithDefaultBlend(), progress.WithoutPercentage())
	s.vp = viewport.New()
	s.input = textinput.New()
	s.applyTheme()

	body, restored := "", false
	if env.Store != nil {
		d, _ := env.Store.Load() // a small local file; the first frame shows the right body
		body, restored = d.Body(s.id)
		s.hist = d.HistoryOf(s.id)
	}
	if !restored || body == "" {
		body = sampleBody(s.ep)
	}
	s.editor.SetValue(body)

	s.cred.choice = autoChoice(s.ep.AuthMode)
	s.cred.auto = true
	if msg.Credential != "" && msg.CredentialKind != "" {
		s.cred = preselected(msg.CredentialKind, msg.Credential)
	}
	return s
}

// Title names the screen.
func (s *Screen) Title() string { return "Test request" }

// Typing: the body or the headers have the keyboard, or a prompt is open.
func (s *Screen) Typing() bool {
	return s.typing || s.modal == promptFile || s.modal == promptAzFile || s.modal == promptRepeat
}

// HandlesEsc: esc closes a dialog, stops typing or stops a repeat run first.
func (s *Screen) HandlesEsc() bool {
	return s.modal != modalNone || s.typing || (s.rep != nil && !s.rep.done)
}

// Where is the endpoint.
func (s *Screen) Where() nav.Context {
	c := s.env.Context
	name := ""
	if c.Subscription == s.ep.Subscription {
		name = c.SubscriptionName
	}
	return nav.Context{TenantID: c.TenantID, Subscription: s.ep.Subscription, SubscriptionName: name,
		ResourceGroup: s.ep.ResourceGroup, Workspace: s.ep.Name, Endpoint: s.ep.Endpoint}
}

// jsonRules are the request body's: what azure sends and how it reports
// a syntax error (line and column), injected into the editor.
var jsonRules = components.JSONRules{
	Validate: func(s string) error { return azure.ValidateJSON([]byte(s)) },
	Format: func(s string) (string, error) {
		b, err := azure.PrettyJSON([]byte(s))
		return string(b), err
	},
	MaxSize: azure.MaxRequestBody,
}

// api is the session, or the tests' fake (a nil *Session must not become
// a non-nil interface).
func (s *Screen) api() Azure {
	if s.az != nil {
		return s.az
	}
	if s.env.Session == nil {
		return nil
	}
	return s.env.Session
}

// applyTheme gives the copied bubbles styles (body, headers, prompt) the
// current theme: at start and on every nav.ThemeMsg.
func (s *Screen) applyTheme() {
	st := s.env.Styles
	s.editor.SetStyles(st)
	hs := textarea.DefaultStyles(st.Dark)
	hs.Cursor.Blink = false
	if st.NoColor {
		hs = textarea.Styles{}
	}
	s.headers.SetStyles(hs)
	is := st.Input
	is.Cursor.Blink = false // a blinking cursor redraws twice a second for nothing
	s.input.SetStyles(is)
}

// sending: a single request is out.
func (s *Screen) sending() bool { return s.sendCall.Busy() }

// Close lets go of the credential and stops what the screen has out
// (the request, a repeat run).
func (s *Screen) Close() {
	if s.rep != nil && !s.rep.done {
		s.rep.cancel()
	}
	s.cred = credential{choice: s.cred.choice}
	s.Kit.Close()
}
