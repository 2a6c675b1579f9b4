package score

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// result is what the response pane shows: an answer, a transport error,
// or an entry of the history.
type result struct {
	at     time.Time
	req    azure.ScoreRequest // the credential is blanked once diagnosed
	kind   string             // credential kind sent
	resp   *azure.ScoreResponse
	err    error
	diag   azure.Diagnosis
	claims []azure.Claim // of the token sent, when the answer is 401
	hist   *state.HistoryEntry
}

// sendAnswer is the answer to ctrl+s.
type sendAnswer struct {
	res     result
	fresh   *fresh // the token was refreshed before sending
	credErr error  // the refresh failed: nothing was sent
}

// saved is the history as stored after a send.
type saved struct {
	entries []state.HistoryEntry
	err     error
	bodyErr error
}

// parseHeaders reads the extra headers: "Name: value" lines; blank lines
// and lines starting with # are skipped.
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]int{}
	for i, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		name, val, ok := strings.Cut(t, ":")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			return nil, fmt.Errorf("header line %d: %q is not \"Name: value\"", i+1, components.Fit(t, 40))
		case name == "":
			return nil, fmt.Errorf("header line %d has no name before the colon", i+1)
		case strings.EqualFold(name, "authorization"):
			return nil, fmt.Errorf("header line %d: Authorization is set from the credential (a chooses it); remove it here", i+1)
		case strings.EqualFold(name, azure.HeaderDeployment):
			return nil, fmt.Errorf("header line %d: choose the deployment with d (target), not a header", i+1)
		}
		if prev, dup := seen[strings.ToLower(name)]; dup {
			return nil, fmt.Errorf("header line %d: %s is already set on line %d", i+1, name, prev)
		}
		seen[strings.ToLower(name)] = i + 1
		out[name] = strings.TrimSpace(val)
	}
	return out, nil
}

// request builds the request from the editor, or says why it cannot be sent.
func (s *Screen) request() (azure.ScoreRequest, error) {
	body := s.editor.Value()
	if len(body) > azure.MaxRequestBody {
		return azure.ScoreRequest{}, fmt.Errorf("the body is %d bytes (%s); at most %d bytes are sent", len(body), components.HumanBytes(len(body)), azure.MaxRequestBody)
	}
	if err := s.editor.Check(); err != nil {
		return azure.ScoreRequest{}, fmt.Errorf("the body is not valid JSON: %s", components.DescribeErr(err))
	}
	hdrs, err := parseHeaders(s.headers.Value())
	if err != nil {
		return azure.ScoreRequest{}, err
	}
	c := s.cred
	switch {
	case c.loading:
		return azure.ScoreRequest{}, errors.New("the credential is still being fetched; send again in a moment")
	case c.err != nil && !c.choice.isToken() && !azure.Temporary(c.err): // a passing failure is fetched again (sendReq)
		return azure.ScoreRequest{}, fmt.Errorf("no %s: %s. Choose another credential with a (none sends without one)",
			c.choice.label(), strings.ToLower(azure.Explain(c.err).Title))
	}
	return azure.ScoreRequest{URI: s.ep.ScoringURI, Body: []byte(body), Deployment: s.target, Headers: hdrs,
		Credential: c.value, CredentialKind: c.choice.kind, CAFile: s.env.Config.CAFile}, nil
}

// send sends the editor's request (ctrl+s). Nothing is sent while the body
// is invalid: the cursor goes to the error.
func (s *Screen) send() tea.Cmd {
	if s.sending() || (s.rep != nil && !s.rep.done) {
		return s.Toast(nav.Info, "A request is already running")
	}
	req, err := s.request()
	if err != nil {
		s.notice = "Not sent: " + err.Error()
		var je *azure.JSONError
		if errors.As(s.editorErr(), &je) && !s.editor.ReadOnly() {
			focus := s.focusPane(paneBody) // first: a focused editor scrolls to the cursor
			s.editor.GoTo(je.Line, je.Column)
			return tea.Batch(focus, s.Toast(nav.Warn, s.notice))
		}
		return s.Toast(nav.Warn, s.notice)
	}
	return s.sendReq(req)
}

func (s *Screen) editorErr() error { err, _ := s.editor.Err(); return err }

// sendReq sends req, refreshing a token that expired first.
func (s *Screen) sendReq(req azure.ScoreRequest) tea.Cmd {
	s.notice = ""
	refresh := s.cred.needsRefresh(s.env.Now())
	sc, sess, ref, ch, now := s.scorer, s.api(), s.ep.EndpointRef, s.cred.choice, s.env.Now
	// No bound of its own: the scorer has its timeout, and Close cancels.
	return nav.Go(&s.Kit, &s.sendCall, 0, func(ctx context.Context) (msg sendAnswer, _ error) {
		if refresh {
			cctx, cancel := context.WithTimeout(ctx, credTimeout)
			got, err := getCred(cctx, sess, ref, ch)
			cancel()
			if err != nil {
				msg.credErr = err
				return msg, nil
			}
			msg.fresh = &got
			req.Credential = got.value
		}
		msg.res = score(ctx, sc, req, now)
		return msg, nil
	})
}

// score sends and diagnoses; the credential leaves the request before it
// travels on as a message.
func score(ctx context.Context, sc *azure.Scorer, req azure.ScoreRequest, now func() time.Time) result {
	r := result{at: now(), kind: req.CredentialKind}
	resp, err := sc.Score(ctx, req)
	if err != nil {
		r.err = err
	} else {
		r.resp = &resp
		r.diag = azure.Diagnose(req, resp)
		if resp.Status == 401 && req.Credential != "" {
			r.claims, _ = azure.DecodeClaims(req.Credential)
		}
	}
	r.req = req
	r.req.Credential = ""
	return r
}

// onSent shows the answer and records it.
func (s *Screen) onSent(r nav.Result[sendAnswer]) tea.Cmd {
	if !s.Done(&s.sendCall, r) {
		return nil
	}
	m := r.Value
	if m.credErr != nil {
		s.cred.err = m.credErr
		s.notice = "Not sent: the " + s.cred.choice.label() + " could not be refreshed: " + strings.ToLower(azure.Explain(m.credErr).Title)
		return s.Toast(nav.Warn, s.notice)
	}
	secret := s.cred.value
	if m.fresh != nil {
		s.cred.value, s.cred.expires, s.cred.refresh, s.cred.claims, s.cred.err = m.fresh.value, m.fresh.expires, m.fresh.refresh, m.fresh.claims, nil
	}
	s.show(m.res)
	if s.focus != paneResponse && !s.wide() {
		s.focusPane(paneResponse) // narrow: the answer is in the other pane
	}
	e := historyEntry(m.res, []string{secret, s.cred.value})
	s.hist = append([]state.HistoryEntry{e}, s.hist...)
	if len(s.hist) > state.MaxHistory {
		s.hist = s.hist[:state.MaxHistory]
	}
	return s.save(e, e.RequestBody) // the body as kept in the history: without the credential
}

// show puts a result in the response pane; it replaces a finished repeat
// run's summary (else a send after a repeat would not be shown).
func (s *Screen) show(r result) {
	s.rep = nil
	s.res = &r
	s.vpFor = 0 // lay out again
	s.vp.GotoTop()
}

// historyEntry records a result without its credential: the secrets (the
// credential sent, and a refreshed one) are cut out of the bodies too, in
// case the endpoint echoed them; state scrubs secret shapes on top.
func historyEntry(r result, secrets []string) state.HistoryEntry {
	redact := func(s string) string {
		for _, x := range secrets {
			if len(x) >= 8 {
				s = strings.ReplaceAll(s, x, "[REDACTED]")
			}
		}
		return s
	}
	e := state.HistoryEntry{At: r.at, Target: r.req.Deployment, CredentialKind: r.kind, RequestBody: redact(string(r.req.Body))}
	if r.err != nil {
		e.Error = redact(azure.Explain(r.err).Title + ": " + r.err.Error())
		return e
	}
	resp := r.resp
	e.Status, e.Deployment, e.RequestID = resp.Status, resp.Deployment, resp.RequestID
	e.DurationMS = resp.Trace.Total.Milliseconds()
	e.ResponseSize = resp.Size
	e.ResponseTruncated = resp.Truncated
	if !resp.IsBinary() {
		e.ResponseBody = redact(string(resp.Body))
	} else {
		e.ResponseBody = fmt.Sprintf("(binary, %d bytes)", resp.Size)
	}
	return e
}

// save appends to the history and remembers the body, off the event loop;
// the answer carries the history as stored (other instances' entries too).
func (s *Screen) save(e state.HistoryEntry, body string) tea.Cmd {
	store := s.env.Store
	if store == nil {
		return nil
	}
	id := s.id
	return nav.Go(&s.Kit, &s.histCall, 0, func(context.Context) (saved, error) {
		berr, err := store.RecordSend(id, e, body)
		d, _ := store.Load()
		return saved{entries: d.HistoryOf(id), err: err, bodyErr: berr}, nil
	})
}

func (s *Screen) onHistory(r nav.Result[saved]) tea.Cmd {
	if !s.Done(&s.histCall, r) {
		return nil
	}
	m := r.Value
	var cmds []tea.Cmd
	if m.err != nil {
		cmds = append(cmds, s.Toast(nav.Warn, "History not saved: "+m.err.Error()))
	} else {
		s.hist = m.entries
	}
	if errors.Is(m.bodyErr, state.ErrBodyTooLarge) {
		cmds = append(cmds, s.Toast(nav.Info, "This body is not remembered for next time: "+m.bodyErr.Error()))
	}
	return tea.Batch(cmds...)
}
