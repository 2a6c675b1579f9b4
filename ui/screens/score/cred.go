package score

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// choice is a credential to send: a Cred* kind and, for keys, which one.
type choice struct {
	kind      string
	secondary bool
}

// choices are what the credential picker offers, for experiments too:
// a management token or none at all show what the endpoint answers then.
var choices = []choice{
	{kind: azure.CredKey}, {kind: azure.CredKey, secondary: true}, {kind: azure.CredAMLToken},
	{kind: azure.CredEntraML}, {kind: azure.CredManagement}, {kind: azure.CredNone},
}

func (c choice) label() string {
	switch c.kind {
	case azure.CredKey:
		if c.secondary {
			return "key (secondary)"
		}
		return "key (primary)"
	case azure.CredAMLToken:
		return "AML token"
	case azure.CredEntraML:
		return "Entra token for ML"
	case azure.CredManagement:
		return "management token"
	}
	return "none"
}

// detail says where the credential comes from and who takes it.
func (c choice) detail() string {
	switch c.kind {
	case azure.CredKey:
		return "listKeys; key endpoints take either key"
	case azure.CredAMLToken:
		return "the endpoint's token call; aml_token endpoints; expires"
	case azure.CredEntraML:
		return "your sign-in, audience https://ml.azure.com; aad_token endpoints"
	case azure.CredManagement:
		return "your sign-in, audience ARM: the classic mistake, expect 401"
	}
	return "no Authorization header: expect 401"
}

// isToken: the credential expires and can be fetched again.
func (c choice) isToken() bool {
	return c.kind == azure.CredAMLToken || c.kind == azure.CredEntraML || c.kind == azure.CredManagement
}

// autoChoice is the credential an auth mode takes.
func autoChoice(mode string) choice { return choice{kind: azure.CredKindFor(mode)} }

// credential is the chosen credential and its state. The value is a secret:
// kept in memory only, drawn masked, never written or logged.
type credential struct {
	choice  choice
	auto    bool // chosen from the auth mode, not by the user
	given   bool // handed over by the credentials screen
	value   string
	expires time.Time // tokens
	refresh time.Time // AML tokens: refreshAfterTimeUtc
	claims  []azure.Claim
	loading bool
	err     error
}

// preselected is a credential handed over by the credentials screen. A
// token's expiry is read from its claims when it is a JWT.
func preselected(kind, value string) credential {
	c := credential{choice: choice{kind: kind}, value: value, given: true}
	if cs, err := azure.DecodeClaims(value); err == nil {
		c.claims = cs
		if exp := azure.IdentityFromClaims(cs).ExpiresOn; !exp.IsZero() {
			c.expires = exp
		}
	}
	return c
}

// fresh is a fetched credential (it travels in a message to Update).
type fresh struct {
	value            string
	expires, refresh time.Time
	claims           []azure.Claim
}

// A fetched credential passes through the root: should anything ever
// print the message, it must not print the value.
func (fresh) String() string   { return "score.fresh{[secret]}" }
func (fresh) GoString() string { return "score.fresh{[secret]}" }

// getCred fetches a credential of the choice's kind.
func getCred(ctx context.Context, sess Azure, ref azure.EndpointRef, c choice) (fresh, error) {
	if c.kind == azure.CredNone {
		return fresh{}, nil
	}
	if sess == nil {
		return fresh{}, azure.ErrNotSignedIn
	}
	cr, err := azure.ScoringCredential(ctx, sess, ref, c.kind, c.secondary)
	return fresh{value: cr.Value, expires: cr.ExpiresOn, refresh: cr.RefreshAfter, claims: cr.Claims}, err
}

// fetchCred starts getting the credential c.
func (s *Screen) fetchCred(c choice) tea.Cmd {
	s.Cancel(&s.credCall)
	s.cred = credential{choice: c, auto: c == autoChoice(s.ep.AuthMode), loading: c.kind != azure.CredNone}
	if c.kind == azure.CredNone {
		return nil
	}
	sess, ref := s.api(), s.ep.EndpointRef
	return nav.Go(&s.Kit, &s.credCall, credTimeout, func(ctx context.Context) (fresh, error) { return getCred(ctx, sess, ref, c) })
}

func (s *Screen) onCred(m nav.Result[fresh]) {
	if !s.Done(&s.credCall, m) {
		return
	}
	s.cred.loading, s.cred.err = false, m.Err
	if m.Err == nil {
		s.cred.value, s.cred.expires, s.cred.refresh, s.cred.claims = m.Value.value, m.Value.expires, m.Value.refresh, m.Value.claims
	}
}

// needsRefresh: a token that expired, or will within refreshAhead, or is
// past its refresh-after time, is fetched again before sending.
func (c credential) needsRefresh(now time.Time) bool {
	if !c.choice.isToken() {
		// A key whose fetch hit a passing failure is fetched again on send.
		return c.choice.kind == azure.CredKey && c.value == "" && c.err != nil && azure.Temporary(c.err)
	}
	if c.value == "" {
		return true
	}
	if !c.expires.IsZero() && now.Add(refreshAhead).After(c.expires) {
		return true
	}
	return !c.refresh.IsZero() && now.After(c.refresh)
}

// describeCred is the credential in two lines: what is sent (masked) and
// where it stands (audience, expiry, or what went wrong).
func (s *Screen) describeCred() (main, detail string) {
	st := s.env.Styles
	c := s.cred
	label := c.choice.label()
	if c.given && c.choice.kind == azure.CredKey {
		label = "key" // primary or secondary: the credentials screen knows
	}
	parts := []string{st.Bold.Render(label)}
	var more []string
	switch {
	case c.loading:
		parts = append(parts, s.Spinner()+st.Muted.Render(" getting it…"))
	case c.err != nil:
		ex := azure.Explain(c.err)
		parts = append(parts, st.Err.Render("✗ "+components.Clean(ex.Title)))
		more = append(more, st.Muted.Render(components.Clean(ex.Detail)))
		if azure.Temporary(c.err) {
			more = append(more, st.Muted.Render("ctrl+s fetches it again and sends"))
		}
	case c.choice.kind == azure.CredNone:
		parts = append(parts, st.Muted.Render("no Authorization header"))
	default:
		parts = append(parts, st.Secret.Render("••••••••"))
		if aud := claim(c.claims, "aud"); aud != "" && c.choice.kind != azure.CredAMLToken {
			more = append(more, st.Muted.Render("aud "+components.Clean(aud)))
		}
		if !c.expires.IsZero() {
			left := components.Countdown(s.env.Now(), c.expires)
			if left == "expired" {
				more = append(more, st.Warn.Render("expired: refreshed on send"))
			} else {
				more = append(more, st.Muted.Render("expires "+c.expires.Local().Format("15:04")+" (in "+left+")"))
			}
		}
	}
	switch {
	case c.given:
		parts = append(parts, st.Muted.Render("· from the credentials screen"))
	case c.auto:
		parts = append(parts, st.Muted.Render("· auto for "+components.Clean(s.ep.AuthMode)))
	case c.choice.kind == azure.CredManagement || c.choice.kind == azure.CredNone:
		parts = append(parts, st.Warn.Render("· experiment: expect 401"))
	}
	return strings.Join(parts, " "), strings.Join(more, st.Muted.Render(" · "))
}

func claim(cs []azure.Claim, name string) string {
	for _, c := range cs {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
