package score

import (
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// sampleBody is the seeds' sample input, one row a line.
func sampleBody(azure.Endpoint) string {
	raw := azure.SampleBody(0)
	var v struct {
		Data [][]float64 `json:"data"`
	}
	if json.Unmarshal(raw, &v) != nil || len(v.Data) == 0 {
		return string(raw)
	}
	rows := make([]string, len(v.Data))
	for i, r := range v.Data {
		b, _ := json.Marshal(r)
		rows[i] = "    " + strings.ReplaceAll(string(b), ",", ", ")
	}
	return "{\n  \"data\": [\n" + strings.Join(rows, ",\n") + "\n  ]\n}"
}

// Update handles keys (when on top) and the results of its commands.
func (s *Screen) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	if cmd, ok := s.Spin(msg, false); ok {
		return s, cmd
	}
	s.Resized(msg)
	cmd := s.update(msg)
	s.layoutResponse() // after any change: size, answer, notice
	s.layoutRequest()
	return s, cmd
}

func (s *Screen) update(msg tea.Msg) tea.Cmd {
	_, cmd := s.route(msg)
	return cmd
}

func (s *Screen) route(msg tea.Msg) (nav.Screen, tea.Cmd) {
	switch m := msg.(type) {
	case nav.ThemeMsg:
		s.applyTheme()
		return s, nil
	case nav.Result[[]azure.Deployment]:
		if s.Done(&s.depsCall, m) {
			s.deps, s.depsErr = m.Value, m.Err
		}
		return s, nil
	case nav.Result[fresh]:
		s.onCred(m)
		return s, nil
	case nav.Result[sendAnswer]:
		return s, s.onSent(m)
	case nav.Result[saved]:
		return s, s.onHistory(m)
	case repeatProgressMsg:
		return s, s.onRepeatProgress(m)
	case repeatDoneMsg:
		return s, s.onRepeatDone(m)
	case bodyMsg:
		return s, s.onBody(m)
	case editorReadyMsg:
		return s, s.onEditorReady(m)
	case editorDoneMsg:
		return s, s.onEditorDone(m)
	case exportMsg:
		return s, s.onExport(m)
	case tea.KeyPressMsg:
		return s, s.onKey(m)
	case tea.PasteMsg:
		switch {
		case s.isPrompt():
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(m)
			return s, cmd
		case s.typing && s.focus == paneHeaders:
			var cmd tea.Cmd
			s.headers, cmd = s.headers.Update(m)
			return s, cmd
		}
		cmd := s.editor.Update(m)
		s.syncTyping() // a huge paste may make the body read-only
		return s, cmd
	case tea.MouseWheelMsg:
		if s.modal == modalNone && !s.typing {
			var cmd tea.Cmd
			s.vp, cmd = s.vp.Update(m)
			return s, cmd
		}
	}
	return s, s.editor.Update(msg) // its validation results, and its own messages while focused
}

// setBody replaces the body.
func (s *Screen) setBody(text string) {
	s.editor.SetValue(text)
	s.syncTyping()
}

// syncTyping: a body too long-lined to edit here takes the keyboard away
// from the editor (the editor says so, and offers f and e).
func (s *Screen) syncTyping() {
	if s.editor.ReadOnly() && s.typing && s.focus == paneBody {
		s.typing = false
	}
}

func (s *Screen) isPrompt() bool {
	return s.modal == promptFile || s.modal == promptAzFile || s.modal == promptRepeat
}

// focusPane moves the keyboard: the body and headers take typing.
func (s *Screen) focusPane(p pane) tea.Cmd {
	s.focus = p
	s.editor.Blur()
	s.headers.Blur()
	s.typing = false
	switch p {
	case paneBody:
		if s.editor.ReadOnly() {
			return s.Toast(nav.Info, "This body is too long-lined to edit here: f formats it, e opens it in $EDITOR")
		}
		cmd := s.editor.Focus()
		s.typing = true
		return cmd
	case paneHeaders:
		s.typing = true
		return s.headers.Focus()
	}
	return nil
}

func (s *Screen) nextPane(d int) tea.Cmd {
	return s.focusPane(pane((int(s.focus) + d + 3) % 3))
}

func (s *Screen) onKey(k tea.KeyPressMsg) tea.Cmd {
	if s.modal != modalNone {
		return s.modalKey(k)
	}
	if key.Matches(k, keySend) {
		return s.send()
	}
	if s.typing {
		switch {
		case k.String() == "esc":
			s.typing = false
			s.editor.Blur()
			s.headers.Blur()
			return nil
		case key.Matches(k, keyPane):
			return s.nextPane(1)
		case key.Matches(k, keyPaneBck):
			return s.nextPane(-1)
		case key.Matches(k, keyOpenT):
			return s.openPrompt(promptFile)
		case key.Matches(k, keyEditorT):
			return s.toEditor()
		}
		if s.focus == paneHeaders {
			var cmd tea.Cmd
			s.headers, cmd = s.headers.Update(k)
			return cmd
		}
		return s.editor.Update(k)
	}
	switch {
	case k.String() == "esc":
		if s.rep != nil && !s.rep.done {
			s.rep.cancel()
		}
		return nil
	case key.Matches(k, keyEdit):
		return s.focusPane(paneBody)
	case key.Matches(k, keyPane):
		return s.nextPane(1)
	case key.Matches(k, keyPaneBck):
		return s.nextPane(-1)
	case key.Matches(k, keyTarget):
		s.openTargetMenu()
	case key.Matches(k, keyCred):
		s.openCredMenu()
	case key.Matches(k, keyFormat):
		if s.editor.Value() == "" {
			return nil
		}
		if err := s.editor.Format(); err != nil {
			return s.Toast(nav.Warn, "Not formatted: "+components.DescribeErr(err))
		}
	case key.Matches(k, keyOpen):
		return s.openPrompt(promptFile)
	case key.Matches(k, keyEditor):
		return s.toEditor()
	case key.Matches(k, keyHistory):
		if len(s.hist) == 0 {
			return s.Toast(nav.Info, "No requests sent to this endpoint yet")
		}
		s.openHistory()
	case key.Matches(k, keyExport):
		s.openExportMenu()
	case key.Matches(k, keyRepeat):
		return s.openPrompt(promptRepeat)
	case key.Matches(k, keyCheck):
		m := nav.CheckAccessMsg{Context: s.Where(), AuthMode: s.ep.AuthMode}
		if s.res != nil && s.res.diag.CheckAccess { // a 403: open the check already run for scoring
			m.Run = &nav.CheckRun{Operation: "endpoint.score"}
		}
		return nav.Cmd(m)
	case key.Matches(k, keyCopy):
		return s.copyResponse()
	default:
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(k)
		return cmd
	}
	return nil
}

// copyResponse copies the shown response body (never a binary one).
func (s *Screen) copyResponse() tea.Cmd {
	switch {
	case s.res == nil:
		return nil
	case s.res.hist != nil:
		return nav.Cmd(nav.CopyMsg{Text: s.res.hist.ResponseBody, Label: "Copied the response body"})
	case s.res.resp == nil:
		return s.Toast(nav.Info, "No response body: the request got no answer")
	case s.res.resp.IsBinary():
		return s.Toast(nav.Info, "The response body is binary; it is not copied")
	}
	return nav.Cmd(nav.CopyMsg{Text: string(s.res.resp.Body), Label: fmt.Sprintf("Copied the response body (%s)", components.HumanBytes(len(s.res.resp.Body)))})
}
