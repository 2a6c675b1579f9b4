package emulator

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I: codes are read aloud and typed

// randomCode is n characters of userCodeAlphabet from crypto/rand (32
// letters divide 256, so every letter is equally likely).
func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b)
}

func (s *entraHost) serveDeviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		s.writeEntraError(w, errNoClientID)
		return
	}
	if !s.checkClient(w, r.PostForm, false) {
		return
	}
	resource, _, ok := resourceFromScope(r.PostForm.Get("scope"))
	if !ok {
		s.writeEntraError(w, errBadScope, r.PostForm.Get("scope"))
		return
	}
	if !s.checkResource(w, resource) {
		return
	}
	dc := &deviceCode{userCode: randomCode(9), deviceCode: "DAQABAAEAAA" + randomID(48), clientID: r.PostForm.Get("client_id"),
		scope: r.PostForm.Get("scope"), expires: s.now().Add(s.opts.DeviceCodeLifetime)}
	s.flows.mu.Lock()
	boundedPut(s.flows.devices, dc.deviceCode, dc, s.flows.limit, s.now(), func(d *deviceCode) time.Time { return d.expires })
	s.flows.mu.Unlock()
	verify := s.url + "/devicelogin"
	writeJSON(w, 200, map[string]any{
		"user_code": dc.userCode, "device_code": dc.deviceCode, "verification_uri": verify,
		"expires_in": int(s.opts.DeviceCodeLifetime.Seconds()), "interval": 5,
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, dc.userCode),
	})
}

// deviceCodeScope is the scope a pending device code was asked with.
func (s *entraHost) deviceCodeScope(code string) string {
	s.flows.mu.Lock()
	defer s.flows.mu.Unlock()
	if dc := s.flows.devices[code]; dc != nil {
		return dc.scope
	}
	return ""
}

// grantDeviceCode answers MSAL's polls: pending until approved (or
// auto-approved), then tokens; declined and expired end the flow.
func (s *entraHost) grantDeviceCode(w http.ResponseWriter, f url.Values, resource, scope string, cae bool) {
	s.flows.mu.Lock()
	dc, ok := s.flows.devices[f.Get("device_code")]
	if !ok {
		s.flows.mu.Unlock()
		s.writeEntraError(w, errBadDevice)
		return
	}
	if !strings.EqualFold(dc.clientID, f.Get("client_id")) { // a device code is redeemed by the client that asked for it
		s.flows.mu.Unlock()
		s.writeEntraError(w, errBadDevice)
		return
	}
	dc.polls++
	if dc.approvedBy == "" && !dc.declined && s.opts.AutoApprove != "" && dc.polls >= s.opts.AutoApproveAfter {
		s.mu.RLock()
		if u := s.world.personaByKey(s.opts.AutoApprove); u != nil {
			dc.approvedBy = u.ID
		}
		s.mu.RUnlock()
	}
	switch {
	case dc.declined:
		delete(s.flows.devices, dc.deviceCode)
		s.flows.mu.Unlock()
		s.writeEntraError(w, errDeclined)
	case s.now().After(dc.expires):
		delete(s.flows.devices, dc.deviceCode)
		s.flows.mu.Unlock()
		s.writeEntraError(w, errExpiredCode)
	case dc.approvedBy == "":
		s.flows.mu.Unlock()
		s.writeEntraError(w, errPending)
	default:
		u := dc.approvedBy
		delete(s.flows.devices, dc.deviceCode)
		s.flows.mu.Unlock()
		s.userTokens(w, u, dc.clientID, resource, scope, "", cae)
	}
}

// findUserCode finds a pending, unexpired code by the code a person typed.
func (s *entraHost) findUserCode(code string) *deviceCode {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	now := s.now()
	for _, dc := range s.flows.devices {
		if dc.userCode == code && now.Before(dc.expires) {
			return dc
		}
	}
	return nil
}

// ApproveDeviceCode approves a pending device code as a persona. It is the
// in-process demo's approval (the sign-in screen's approve key): the person
// at the keyboard started the demo, so it asks for no password. The
// /devicelogin page, which anything on the machine can reach, does
// (approveWithPassword).
func (s *Server) ApproveDeviceCode(userCode, persona string) error {
	return s.entra.approveDeviceCode(userCode, persona)
}

func (s *entraHost) approveDeviceCode(userCode, persona string) error {
	s.mu.RLock()
	u := s.world.personaByKey(persona)
	s.mu.RUnlock()
	if u == nil {
		return fmt.Errorf("no persona %q", persona)
	}
	if s.lockedOut(u.ID) {
		return lockedPageError
	}
	return s.approveAs(userCode, u)
}

// approveAs approves the pending device code typed as userCode for u.
func (s *entraHost) approveAs(userCode string, u *User) error {
	s.flows.mu.Lock()
	defer s.flows.mu.Unlock()
	dc := s.findUserCode(userCode)
	if dc == nil {
		return fmt.Errorf("no pending sign-in with code %q (it may have expired)", userCode)
	}
	dc.approvedBy = u.ID
	return nil
}

// personaSignIn checks a sign-in on the simulated Entra's own pages: the
// persona's password, as Entra asks for one, unless the server was started
// with AutoApprove naming that persona (then it signs in without asking,
// as it does for device codes) or with PasswordlessPages (the in-process
// demo). It returns the user, or the refusal.
//
// A password counts towards smart lockout, and a locked account signs in
// nowhere, with or without one (lockout.go).
func (s *entraHost) personaSignIn(persona, password string) (*User, error) {
	s.mu.RLock()
	u := s.world.personaByKey(persona)
	asked := u != nil && !s.opts.PasswordlessPages && (s.opts.AutoApprove == "" || !strings.EqualFold(s.opts.AutoApprove, persona))
	right := u != nil && u.checkPassword(password)
	s.mu.RUnlock()
	switch {
	case u == nil:
		return nil, fmt.Errorf("no persona %q", persona)
	case !asked:
		if s.lockedOut(u.ID) {
			return nil, lockedPageError
		}
		return u, nil
	}
	switch s.passwordSignIn(u.ID, password, right) {
	case passwordLocked:
		return nil, lockedPageError
	case passwordWrong:
		return nil, fmt.Errorf("wrong password for %s", u.UserPrincipalName)
	}
	return u, nil
}

// lockedPageError is what Entra's sign-in page says to a locked account
// (howto-password-smart-lockout, "Testing Smart lockout").
var lockedPageError = errors.New("Your account is temporarily locked to prevent unauthorized use. Try again later, and if you still have trouble, contact your admin.")

// approveWithPassword is the /devicelogin page's approval: the persona's
// password is required (personaSignIn).
func (s *entraHost) approveWithPassword(userCode, persona, password string) error {
	u, err := s.personaSignIn(persona, password)
	if err != nil {
		return err
	}
	return s.approveAs(userCode, u)
}

// DeclineDeviceCode declines a pending device code.
func (s *Server) DeclineDeviceCode(userCode string) error { return s.entra.declineDeviceCode(userCode) }

func (s *entraHost) declineDeviceCode(userCode string) error {
	s.flows.mu.Lock()
	defer s.flows.mu.Unlock()
	dc := s.findUserCode(userCode)
	if dc == nil {
		return fmt.Errorf("no pending sign-in with code %q (it may have expired)", userCode)
	}
	dc.declined = true
	return nil
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} — simulated Microsoft Entra ID</title>
<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;color:#1f2328}
label{display:block;margin:.4em 0}small{color:#59636e}.msg{padding:.6em;border:1px solid #d1d9e0}</style></head>
<body><h1>{{.Title}}</h1><p><small>amlauth-tui simulated Azure — no real account is involved.</small></p>
{{if .Message}}<p class="msg">{{.Message}}</p>{{end}}
{{if .Form}}<form method="POST" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{if .AskCode}}<label>Code <input name="user_code" autofocus autocomplete="off"></label>{{end}}
<p>Sign in as:</p>
{{range $i, $p := .Personas}}<label><input type="radio" name="persona" value="{{$p.Key}}" {{if eq $i 0}}checked{{end}}>
<b>{{$p.Name}}</b> ({{$p.UPN}}) — <small>{{$p.Story}}</small></label>{{end}}
<label>Password <input type="password" name="password" autocomplete="off"></label>
<p><button name="action" value="approve">Approve</button> <button name="action" value="decline">Decline</button></p>
</form>{{end}}
</body></html>`))

type pageData struct {
	Title, Message, Action string
	Form, AskCode          bool
	Hidden                 map[string]string
	Personas               []PersonaInfo
}

// serveDeviceLogin is the page a person opens to approve or decline a code.
func (s *entraHost) serveDeviceLogin(w http.ResponseWriter, r *http.Request) {
	d := pageData{Title: "Enter code", Action: "/devicelogin", Form: true, AskCode: true, Personas: s.Personas()}
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		code, persona := r.PostForm.Get("user_code"), r.PostForm.Get("persona")
		var err error
		if r.PostForm.Get("action") == "decline" {
			err = s.declineDeviceCode(code)
			d.Message = "You declined the sign-in. You can close this window."
		} else {
			err = s.approveWithPassword(code, persona, r.PostForm.Get("password"))
			d.Message = fmt.Sprintf("You signed in as %s. You can close this window and return to the application.", persona)
		}
		switch {
		case errors.Is(err, lockedPageError):
			d.Message = err.Error() // Entra's own words for it, nothing about the code
		case err != nil:
			d.Message = "That code did not work: " + err.Error()
		default:
			d.Form = false
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, d)
}

// serveAuthorize is the browser flow (auth code + PKCE, response_mode=form_post):
// a persona picker, then Entra's auto-submitting form to the redirect URI.
func (s *entraHost) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	q := r.Form
	redirect := q.Get("redirect_uri")
	// A public client's redirect URI is the loopback address over http
	// (https://learn.microsoft.com/entra/identity-platform/reply-url,
	// "Localhost exceptions"): any other scheme, e.g. javascript:, would run
	// in this page's origin once the form posts.
	if ru, err := url.Parse(redirect); err != nil || (ru.Scheme != "http" && ru.Scheme != "https") || (ru.Hostname() != "localhost" && ru.Hostname() != "127.0.0.1") {
		s.writeEntraError(w, entraErr{400, "invalid_request", 50011, "The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application."}, redirect)
		return
	}
	if !s.checkClient(w, q, false) {
		return
	}
	persona, password, message := s.opts.AutoApprove, "", ""
	if r.Method == http.MethodPost && r.PostForm.Get("persona") != "" {
		persona, password = r.PostForm.Get("persona"), r.PostForm.Get("password")
		if r.PostForm.Get("action") == "decline" {
			s.formPost(w, redirect, map[string]string{"error": "access_denied", "error_description": "AADSTS65004: User declined to consent to access the app.", "state": q.Get("state")})
			return
		}
	}
	var u *User
	if persona != "" {
		var err error
		if u, err = s.personaSignIn(persona, password); errors.Is(err, lockedPageError) {
			message = err.Error()
		} else if err != nil {
			message = "That did not work: " + err.Error()
		}
	}
	if u == nil {
		hidden := map[string]string{}
		for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope", "response_mode", "response_type", "nonce"} {
			hidden[k] = q.Get(k)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTmpl.Execute(w, pageData{Title: "Pick an account", Message: message, Action: r.URL.Path, Form: true, Hidden: hidden, Personas: s.Personas()})
		return
	}
	code := "0.A" + randomID(48)
	now := s.now()
	s.flows.mu.Lock()
	boundedPut(s.flows.codes, code, &authCode{userID: u.ID, clientID: q.Get("client_id"), redirectURI: redirect, challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), expires: now.Add(10 * time.Minute)},
		s.flows.limit, now, func(c *authCode) time.Time { return c.expires })
	s.flows.mu.Unlock()
	s.formPost(w, redirect, map[string]string{"code": code, "state": q.Get("state"), "session_state": newGUID()})
}

var formPostTmpl = template.Must(template.New("fp").Parse(`<html><head><title>Working...</title></head><body>
<form method="POST" name="hiddenform" action="{{.Action}}">{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}"/>{{end}}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form>
<script language="javascript">document.forms[0].submit();</script></body></html>`))

func (s *entraHost) formPost(w http.ResponseWriter, action string, fields map[string]string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = formPostTmpl.Execute(w, map[string]any{"Action": template.URL(action), "Fields": fields})
}
