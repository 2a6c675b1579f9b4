// Package credentials shows an endpoint's data-plane credential the way
// `az ml online-endpoint get-credentials` would, made safe and visible:
// keys (key), an AML token (aml_token) or the caller's own Entra token
// (aad_token), masked by default, revealed for a limited time, copied
// without being shown, with the expiry counting down from the wall clock.
//
// Secret handling: values live only in components.Secret fields, masked
// unless revealed; a reveal ends after its timeout, on the first tick after
// another screen is pushed on top (nav.CoveredMsg), when the terminal
// loses focus (tea.BlurMsg), and when the screen is closed (esc, Close).
// Nothing here logs or persists a value, and reveals are refused while
// Bubble Tea records frames (TEA_TRACE).
package credentials

import (
	"context"
	"errors"
	"os"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

const (
	// defaultReveal is how long r shows a secret unless the prefs say otherwise.
	defaultReveal = 30 * time.Second
	// requestTimeout bounds one credential call (ARM answers in well under a second when healthy).
	requestTimeout = 60 * time.Second
	// retryAfterFailure spaces automatic refreshes after one failed: a
	// broken network must not be hammered once a second.
	retryAfterFailure = 30 * time.Second
)

// group is one call that fills slots.
type group int

const (
	gKeys group = iota // listKeys: primary and secondary
	gAML               // token: the AML token
	gML                // Entra token for the ML audience (aad_token)
	gMgmt              // Entra token for ARM: the control-plane token
	nGroups
)

// loader is a group's request in flight and its last failure.
type loader struct {
	call   nav.Call
	err    error
	errAt  time.Time
	denied bool // a 403: c runs the access check for it
}

// slot is one credential on screen.
type slot struct {
	name   string // "Primary key"
	kind   string // azure.Cred*: what the request editor is told it is
	which  string // keys: "Primary" | "Secondary" (regenerateKeys' keyType)
	group  group
	secret components.Secret
	meta   azure.Credential // the credential without its value (that lives in secret)
	issued time.Time        // iat, or when it arrived: the left end of the expiry bar
	// nextAuto is the earliest automatic refresh after a failed one.
	nextAuto time.Time
}

// Screen is the credentials screen of one endpoint.
type Screen struct {
	nav.Kit
	env  *nav.Env
	ep   azure.Endpoint
	mode string // the auth mode the screen is built for

	slots    []*slot // the data-plane credential(s) of the mode
	mgmt     *slot   // the control-plane token, on demand
	showMgmt bool
	sel      int
	scroll   int // claims
	loads    [nGroups]loader

	auto   bool          // refresh AML tokens at refresh-after
	reveal time.Duration // how long r shows a secret

	notice    string   // the last refusal or hint, until the next key
	modeNote  string   // the auth mode changed under the screen
	reread    nav.Call // endpoint re-read after an auth-mode mismatch
	rereadErr error
	switches  int // auth-mode changes followed without the user asking

	regen       *azure.Operation
	regenWhich  string
	regenCall   nav.Call // waiting for regenerateKeys to answer
	regenLast   azure.Progress
	regenErr    error
	regenDenied bool

	lookupEnv func(string) (string, bool) // os.LookupEnv; tests replace it
	fake      service                     // tests: stands in for env.Session
}

// service is what the screen asks of the session (*azure.Session).
type service interface {
	Config() azure.Config
	Identity() azure.Identity
	Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error)
	Keys(ctx context.Context, ref azure.EndpointRef) (azure.EndpointKeys, error)
	RegenerateKey(ctx context.Context, ref azure.EndpointRef, which string) (*azure.Operation, error)
	AMLToken(ctx context.Context, ref azure.EndpointRef) (azure.Credential, error)
	EntraToken(ctx context.Context, audience string) (azure.Credential, error)
	// CheckToken checks an Entra token's claims for this identity (aud, oid, exp, tid).
	CheckToken(c azure.Credential, wantAudience string, now time.Time) []azure.ClaimCheck
}

// svc is the signed-in session, or nil (a nil *Session must not become a non-nil interface).
func (s *Screen) svc() service {
	if s.fake != nil {
		return s.fake
	}
	if s.env.Session == nil {
		return nil
	}
	return s.env.Session
}

// Messages. Requests answer with nav.Result (the kit drops stale ones);
// the clock's ticks carry the screen's id (another credentials screen has
// its own chain).
type (
	tickMsg struct{ id uint64 }
	// loaded is a group's credential (keys, or one token).
	loaded struct {
		keys azure.EndpointKeys
		cred azure.Credential
	}
	regenConfirmMsg struct{ which string }
	savedPrefMsg    struct{ err error }
)

// A loaded credential passes through the root: should anything ever print
// the message, it must not print the value.
func (loaded) String() string   { return "credentials.loaded{[secret]}" }
func (loaded) GoString() string { return "credentials.loaded{[secret]}" }

// New opens the credentials screen of msg.Endpoint.
func New(env *nav.Env, msg nav.CredentialsMsg) nav.Screen { return newScreen(env, msg.Endpoint) }

func newScreen(env *nav.Env, ep azure.Endpoint) *Screen {
	s := &Screen{Kit: nav.NewKit(env), env: env, ep: ep, auto: true, reveal: defaultReveal, lookupEnv: os.LookupEnv,
		mgmt: &slot{name: "Control-plane token", kind: azure.CredManagement, group: gMgmt}}
	if env.Store != nil {
		// A small local file, read once (the root reads it the same way at start).
		d, _ := env.Store.Load()
		if n := d.Prefs.RevealSeconds; n > 0 {
			s.reveal = time.Duration(n) * time.Second
		}
		if a := d.Prefs.AutoRefreshTokens; a != nil {
			s.auto = *a
		}
	}
	s.setMode(ep.AuthMode)
	return s
}

// setMode builds the slots of an auth mode (forgetting any old values).
func (s *Screen) setMode(mode string) {
	for _, sl := range s.slots {
		sl.secret.Clear()
	}
	s.mode, s.sel, s.scroll = mode, 0, 0
	switch mode {
	case azure.AuthKey:
		s.slots = []*slot{
			{name: "Primary key", kind: azure.CredKey, which: "Primary", group: gKeys},
			{name: "Secondary key", kind: azure.CredKey, which: "Secondary", group: gKeys},
		}
	case azure.AuthAMLToken:
		s.slots = []*slot{{name: "AML token", kind: azure.CredAMLToken, group: gAML}}
	case azure.AuthAADToken:
		s.slots = []*slot{{name: "Entra token", kind: azure.CredEntraML, group: gML}}
	default:
		s.slots = nil
	}
}

func (s *Screen) Title() string { return "Credentials" }
func (s *Screen) Typing() bool  { return false }

// HandlesEsc: esc is ours, to wipe the secrets before asking to be popped.
func (s *Screen) HandlesEsc() bool { return true }

// Where is the endpoint (breadcrumbs).
func (s *Screen) Where() nav.Context {
	c := s.env.Context
	out := nav.Context{TenantID: c.TenantID, Subscription: s.ep.Subscription, ResourceGroup: s.ep.ResourceGroup,
		Workspace: s.ep.Name, Endpoint: s.ep.Endpoint}
	if c.Subscription == s.ep.Subscription {
		out.SubscriptionName = c.SubscriptionName
	}
	return out
}

// Close forgets every secret and stops the clock. The screen calls it when
// esc leaves it; the root may call it when it drops the screen otherwise.
func (s *Screen) Close() {
	for _, sl := range s.all() {
		sl.secret.Clear()
		sl.meta = azure.Credential{}
	}
	s.Kit.Close()
}

func (s *Screen) all() []*slot { return append(append([]*slot{}, s.slots...), s.mgmt) }

// visible are the slots on screen: the mode's, or the control-plane token.
func (s *Screen) visible() []*slot {
	if s.showMgmt {
		return []*slot{s.mgmt}
	}
	return s.slots
}

func (s *Screen) current() *slot {
	v := s.visible()
	if len(v) == 0 {
		return nil
	}
	return v[min(s.sel, len(v)-1)]
}

// hideAll masks every secret.
func (s *Screen) hideAll() {
	for _, sl := range s.all() {
		sl.secret.Hide()
	}
}

// maxSwitches bounds how often one screen follows a changed auth mode on
// its own (an endpoint flipping modes must not make it loop).
const maxSwitches = 3

// forbidden reports a 403. The screen names no role for it: a role that
// includes the action may still be blocked by a deny assignment, which
// only the access check (c) reads.
func forbidden(err error) bool {
	var fe *azure.ForbiddenError
	return errors.As(azure.Classify(err), &fe)
}

// issuedAt is the token's iat claim, or when it arrived.
func issuedAt(cs []azure.Claim, fallback time.Time) time.Time {
	if t, ok := azure.ClaimTime(cs, "iat"); ok && !t.After(fallback) {
		return t
	}
	return fallback
}
