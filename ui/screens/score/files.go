package score

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// bodyMsg is a body read from a file or back from $EDITOR.
type bodyMsg struct {
	from string // what to call the source in messages
	text string
	err  error
	same bool // $EDITOR: nothing changed
}

// readBody reads a request body from path: a regular file of UTF-8 text
// within the request size limit.
func readBody(path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		return "", fmt.Errorf("%s cannot be read: permission denied", path)
	case err != nil:
		return "", fmt.Errorf("%s cannot be read: %v", path, err)
	case fi.IsDir():
		return "", fmt.Errorf("%s is a directory, not a file", path)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("%s is not a regular file", path)
	case fi.Size() > azure.MaxRequestBody:
		return "", fmt.Errorf("%s is %s; a request body is at most %s", path, components.HumanBytes(int(fi.Size())), components.HumanBytes(azure.MaxRequestBody))
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s cannot be opened: %v", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, azure.MaxRequestBody+1)) // it may grow after the stat
	if err != nil {
		return "", fmt.Errorf("%s could not be read: %v", path, err)
	}
	if len(b) > azure.MaxRequestBody {
		return "", fmt.Errorf("%s is over the %s request body limit", path, components.HumanBytes(azure.MaxRequestBody))
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%s is not UTF-8 text (a binary file?)", path)
	}
	return string(b), nil
}

func loadFile(path string) tea.Cmd {
	p := expandHome(path)
	return func() tea.Msg {
		text, err := readBody(p)
		return bodyMsg{from: filepath.Base(p), text: text, err: err}
	}
}

func (s *Screen) onBody(m bodyMsg) tea.Cmd {
	switch {
	case m.err != nil:
		return s.Toast(nav.Error, "Body not loaded: "+m.err.Error())
	case m.same:
		return s.Toast(nav.Info, "No changes from "+m.from)
	}
	s.setBody(m.text)
	msg := fmt.Sprintf("Loaded %s (%s)", m.from, components.HumanBytes(len(m.text)))
	if err, _ := s.editor.Err(); err != nil {
		return s.Toast(nav.Warn, msg+": not valid JSON yet — "+components.DescribeErr(err))
	}
	return s.Toast(nav.Success, msg)
}

// $EDITOR hand-off: the body goes to a private temp file, the editor runs
// on the terminal (tea.ExecProcess), and the file comes back as the body.
// The child gets the file path and an environment without the secrets
// sign-in may have put there; the credential is never in either.
type (
	editorReadyMsg struct {
		path, before string
		err          error
	}
	editorDoneMsg struct {
		path, before string
		err          error
	}
)

// secretEnv names variables that hold secrets for sign-in; an editor has no use for them.
func secretEnv(name string) bool {
	switch strings.ToUpper(name) {
	case "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD", "AZURE_USERNAME_PASSWORD",
		"IDENTITY_HEADER", "MSI_SECRET", "ARM_CLIENT_SECRET", "TEA_TRACE":
		return true
	}
	return false
}

// editorCommand builds the $VISUAL / $EDITOR command for path. The editor
// variable may carry arguments ("code --wait").
func editorCommand(environ []string, path string) (*exec.Cmd, error) {
	ed := ""
	for _, v := range []string{"VISUAL", "EDITOR"} {
		for _, kv := range environ {
			if k, val, ok := strings.Cut(kv, "="); ok && k == v && strings.TrimSpace(val) != "" && ed == "" {
				ed = val
			}
		}
	}
	if ed == "" {
		ed = "vi"
	}
	args := strings.Fields(ed)
	bin, err := exec.LookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("editor %q not found: set $EDITOR (or $VISUAL) to an installed editor", args[0])
	}
	cmd := exec.Command(bin, append(args[1:], path)...)
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); !secretEnv(k) {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	return cmd, nil
}

// toEditor writes the body to a temp file, then hands the terminal over.
func (s *Screen) toEditor() tea.Cmd {
	body := s.editor.Value()
	return func() tea.Msg {
		f, err := os.CreateTemp("", "amlauth-body-*.json") // 0600
		if err != nil {
			return editorReadyMsg{err: err}
		}
		_, err = f.WriteString(body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return editorReadyMsg{err: err}
		}
		return editorReadyMsg{path: f.Name(), before: body}
	}
}

func (s *Screen) onEditorReady(m editorReadyMsg) tea.Cmd {
	if m.err != nil {
		return s.Toast(nav.Error, "Could not hand the body to $EDITOR: "+m.err.Error())
	}
	cmd, err := editorCommand(os.Environ(), m.path)
	if err != nil {
		os.Remove(m.path)
		return s.Toast(nav.Error, err.Error())
	}
	path, before := m.path, m.before
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return editorDoneMsg{path: path, before: before, err: err} })
}

// onEditorDone reads the file back (and removes it) off the event loop.
func (s *Screen) onEditorDone(m editorDoneMsg) tea.Cmd {
	return func() tea.Msg {
		defer os.Remove(m.path)
		if m.err != nil {
			return bodyMsg{from: "$EDITOR", err: fmt.Errorf("the editor failed (%v); the body is unchanged", m.err)}
		}
		text, err := readBody(m.path)
		return bodyMsg{from: "$EDITOR", text: text, err: err, same: err == nil && text == m.before}
	}
}
