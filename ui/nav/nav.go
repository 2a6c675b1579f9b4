// Package nav is the contract between the root UI model and its screens:
// the Screen interface and the messages screens send to navigate, notify and
// ask. Screens import nav, never each other and never the root package.
package nav

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/state"
	"amlauth-tui/ui/theme"
)

// Screen is one page on the root model's stack.
type Screen interface {
	// Init starts the screen's first I/O (called when pushed).
	Init() tea.Cmd
	// Update handles keys (only when on top) and async results (always).
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View renders the content area (between header and footer) at exactly width x height.
	View(width, height int) string
	// Title is the short name shown in the header and the palette ("Workspaces").
	Title() string
	// Keys are the screen's bindings for the footer and full help.
	Keys() []key.Binding
	// Typing reports that a text input has focus: global single-letter keys (q, ?, :) go to the screen.
	Typing() bool
}

// EscHandler is implemented by screens that sometimes use esc themselves
// (clearing a filter, leaving a sub-step); otherwise esc goes back.
type EscHandler interface{ HandlesEsc() bool }

// Closer is implemented by every screen that embeds a Kit (its requests
// are cancelled) and by screens that hold more (secrets to wipe). The root
// calls Close on every screen it drops: pop, replace, reset, a rebuilt
// stack, a palette jump and signing in again.
type Closer interface{ Close() }

// Discarder is implemented by screens that hold input the user would lose
// by quitting (a form, a review): Discards names it ("the new endpoint
// churn-v2"), or is "" when there is nothing to lose. q then asks first.
type Discarder interface{ Discards() string }

// Locator is implemented by screens that stand for a place (a subscription,
// workspace or endpoint); the root shows it in the breadcrumbs and saves it.
type Locator interface{ Where() Context }

// Env is what every screen may use. It is built once by the root model.
type Env struct {
	Config   azure.Config
	Session  *azure.Session // nil until signed in
	Store    *state.Store   // may be nil (tests)
	Styles   *theme.Styles
	Demo     bool
	Personas []azure.Persona
	// ApproveDeviceCode approves a pending device code as a persona: the
	// demo's stand-in for a browser on another device. nil against real Azure.
	ApproveDeviceCode func(userCode, persona string) error
	Now               func() time.Time
	Context           Context // where the user is (breadcrumbs)

	// Poll is how often a screen re-asks Azure while it waits for a change
	// to apply (0: the screen's default); tests make it short.
	Poll time.Duration
	// Ticks is tea.Every on the clock Now reads (nil: the wall clock's);
	// a test that moves its clock gives ticks that fire as it moves.
	Ticks func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

	seq uint64 // only touched in Update, on the event loop
}

// Every ticks each d on the env's clock (Ticks; else tea.Every).
func (e *Env) Every(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if e.Ticks != nil {
		return e.Ticks(d, fn)
	}
	return tea.Every(d, fn)
}

// NextSeq numbers a request; a result whose number is not the screen's
// latest is stale (the user refreshed or moved on) and is dropped.
func (e *Env) NextSeq() uint64 { e.seq++; return e.seq }

// Context is the current subscription › workspace › endpoint.
type Context struct {
	TenantID         string
	Subscription     string // id
	SubscriptionName string
	ResourceGroup    string
	Workspace        string
	Endpoint         string
}

// Cmd is a command that sends m: how a screen hands a message to the root.
func Cmd(m tea.Msg) tea.Cmd { return func() tea.Msg { return m } }

// Navigation messages.
type (
	// PushMsg puts a screen on top of the stack.
	PushMsg struct{ Screen Screen }
	// PopMsg removes the top screen (esc).
	PopMsg struct{}
	// ReplaceMsg replaces the top screen.
	ReplaceMsg struct{ Screen Screen }
	// ResetMsg replaces the whole stack with one screen.
	ResetMsg struct{ Screen Screen }
)

// SizeMsg is the content area a screen draws in (between header and
// footer). The root sends it to every screen when the terminal is resized
// and to each screen as it arrives on the stack, so that screens lay out in
// Update (mouse hit areas, viewports) and View only draws.
type SizeMsg struct{ Width, Height int }

// CoveredMsg tells a screen that another was pushed over it: it is no
// longer seen (a revealed secret must not wait there).
type CoveredMsg struct{}

// ThemeMsg says the theme changed (the terminal's background, or the
// palette's toggle). Env.Styles already holds the new styles; screens
// that copied bubbles styles (text inputs, text areas) apply them again.
type ThemeMsg struct{}

// SignedInMsg reports a new session; the root stores it in Env and shows the identity in the header.
type SignedInMsg struct{ Session *azure.Session }

// Level is a toast's severity.
type Level int

// Toast levels.
const (
	Info Level = iota
	Success
	Warn
	Error
)

// ToastMsg shows a short non-fatal notice.
type ToastMsg struct {
	Level Level
	Text  string
}

// ErrorMsg opens the error-detail overlay: what failed, the details, what to do next.
type ErrorMsg struct {
	Title string
	Err   error
}

// ConfirmMsg opens a confirm overlay; OnYes is sent when the user accepts:
// to the screen whose ScreenID is To (Kit.Confirm sets it), and to no
// other; a confirm with no screen to answer goes to nobody (the root's own
// confirms answer the root).
type ConfirmMsg struct {
	Title string
	Body  string
	Yes   string // button label, default "Yes"
	OnYes tea.Msg
	To    uint64
}

// Addressed is implemented by screens that can receive addressed messages
// (every screen that embeds a Kit).
type Addressed interface{ ScreenID() uint64 }

// CopyMsg copies text to the clipboard (OSC52) and toasts Label ("Copied endpoint id").
// Secret copies set Secret so nothing of the value is echoed.
type CopyMsg struct {
	Text   string
	Label  string
	Secret bool
}

// OpenMsg asks the root to rebuild the browse stack at a context
// (subscriptions › workspaces › endpoints › details, as deep as it names).
type OpenMsg struct{ Context Context }

// Jump is a place the palette can go: a resource seen in this session or a recent.
type Jump struct {
	Kind    string // "subscription" | "workspace" | "endpoint"
	Label   string // what the user types to find it
	Detail  string // shown dimmed: resource group, subscription
	Context Context
}

// SeenMsg tells the root about resources a screen listed, for the palette.
type SeenMsg struct{ Jumps []Jump }

// Breadcrumb renders a context as "subscription › workspace › endpoint".
func (c Context) Breadcrumb() []string {
	var out []string
	if c.Subscription != "" {
		name := c.SubscriptionName
		if name == "" {
			name = c.Subscription
		}
		out = append(out, name)
	}
	if c.Workspace != "" {
		out = append(out, c.Workspace)
	}
	if c.Endpoint != "" {
		out = append(out, c.Endpoint)
	}
	return out
}

// Key identifies a context for deduplication (recents, palette).
func (c Context) Key() string {
	return c.Subscription + "/" + c.ResourceGroup + "/" + c.Workspace + "/" + c.Endpoint
}

// Place is the context (breadcrumbs) of a workspace, or of one of its
// endpoints: the subscription's display name comes from the current context
// when it is the same subscription.
func (e *Env) Place(ws azure.WorkspaceRef, endpoint string) Context {
	c := Context{TenantID: e.Context.TenantID, Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup,
		Workspace: ws.Name, Endpoint: endpoint}
	if strings.EqualFold(e.Context.Subscription, ws.Subscription) {
		c.SubscriptionName = e.Context.SubscriptionName
	}
	return c
}

// ContextFromID reads a subscription, workspace or endpoint ARM id
// (case-insensitive segment names, as ARM returns them).
func ContextFromID(id string) (Context, bool) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	var c Context
	for i := 0; i+1 < len(parts); i += 2 {
		v := parts[i+1]
		switch strings.ToLower(parts[i]) {
		case "subscriptions":
			c.Subscription = v
		case "resourcegroups":
			c.ResourceGroup = v
		case "workspaces":
			c.Workspace = v
		case "onlineendpoints":
			c.Endpoint = v
		}
	}
	return c, c.Subscription != ""
}

// ID is the ARM id of the deepest resource the context names.
func (c Context) ID() string {
	id := "/subscriptions/" + c.Subscription
	if c.Workspace == "" {
		return id
	}
	id += "/resourceGroups/" + c.ResourceGroup + "/providers/Microsoft.MachineLearningServices/workspaces/" + c.Workspace
	if c.Endpoint != "" {
		id += "/onlineEndpoints/" + c.Endpoint
	}
	return id
}

// CheckAccessMsg opens the access check at a context (root builds the screen).
type CheckAccessMsg struct {
	Context  Context
	AuthMode string              // the endpoint's auth mode, to preselect the operations that matter
	Identity *azure.PrincipalRef // the endpoint's own managed identity, offered as a "who"
	Run      *CheckRun           // non-nil: answer at once for the signed-in identity (access.go)
}

// AssignMsg opens the assign wizard, prefilled.
type AssignMsg struct {
	Principal azure.PrincipalRef
	Scopes    []string // candidate scopes, narrowest first; the first is preselected
	Action    string   // the action the assignment is for (verify re-checks it); "" when none
	Suggest   []rbac.RoleDefinition
	// Role preselects a role by name ("AcrPull"; Azure's definition when it
	// lists one, else the built-in's): with it the wizard opens on the
	// review of Role for Principal at Scopes[0], and esc goes back to
	// choose another role or scope.
	Role string
}

// AccessChangedMsg tells screens that role assignments changed (re-check).
type AccessChangedMsg struct{}

// Endpoint screens (issues 5–7). The root builds each screen from its message.
type (
	// NewEndpointMsg opens the create-endpoint wizard in a workspace.
	NewEndpointMsg struct {
		Workspace azure.WorkspaceRef
		Location  string // the workspace's region, when known
	}
	// ChangeAuthModeMsg opens the change-auth-mode flow of an endpoint.
	ChangeAuthModeMsg struct{ Endpoint azure.Endpoint }
	// DeleteEndpointMsg opens the typed-confirmation delete of an endpoint.
	DeleteEndpointMsg struct{ Endpoint azure.Endpoint }
	// CredentialsMsg opens the credentials screen of an endpoint.
	CredentialsMsg struct{ Endpoint azure.Endpoint }
	// ScoreMsg opens the request editor of an endpoint. CredentialKind and
	// Credential optionally preselect what to send ("use in the request
	// editor" on the credentials screen); the value stays in memory only.
	ScoreMsg struct {
		Endpoint       azure.Endpoint
		CredentialKind string // azure.Cred* or ""
		Credential     string
	}
)

// Long-running operations: a screen that starts one hands it to the root,
// which polls it, shows it in the header (so it survives leaving the
// screen), broadcasts every report and toasts the end.
type (
	// TrackMsg asks the root to follow op. Label says what it does ("Create churn-v2").
	TrackMsg struct {
		Op    *azure.Operation
		Label string
	}
	// OperationMsg is one report of a tracked operation, sent to every screen.
	OperationMsg struct {
		Op       *azure.Operation
		Label    string
		Progress azure.Progress
	}
	// EndpointsChangedMsg tells screens that an endpoint was created, changed
	// or deleted (lists and details reload).
	EndpointsChangedMsg struct{ Endpoint azure.EndpointRef }
)
