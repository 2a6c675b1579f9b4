package score

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
)

// exportMsg is the result of writing the az request file.
type exportMsg struct {
	path, kind, command string
	err                 error
}

// export copies the request as curl or Python, or writes the request file
// that `az ml online-endpoint invoke` (and curl or Python, for bodies too
// large to inline) read, then copies the command. The credential never goes
// into an export: the commands read it from $DATA_PLANE_TOKEN (az fetches
// its own).
func (s *Screen) export(kind string) tea.Cmd {
	req, err := s.request()
	if err != nil {
		s.notice = "Not exported: " + err.Error()
		return s.Toast(nav.Warn, s.notice)
	}
	req.Credential = ""
	if kind == "az" || azure.ExportNeedsRequestFile(req) {
		s.exportKind = kind
		return s.openPrompt(promptAzFile)
	}
	return nav.Cmd(nav.CopyMsg{Text: exportText(kind, req, s.ep.EndpointRef, ""), Label: "Copied the " + kindName(kind) + " (set $" + azure.TokenEnvVar + " first)"})
}

func kindName(kind string) string {
	switch kind {
	case "curl":
		return "curl command"
	case "python":
		return "Python script"
	}
	return "az command"
}

func exportText(kind string, req azure.ScoreRequest, ref azure.EndpointRef, file string) string {
	switch kind {
	case "curl":
		return azure.ExportCurl(req)
	case "python":
		return azure.ExportPython(req)
	}
	return azure.ExportAz(ref, req.Deployment, file)
}

// writeRequestFile writes the body to path (not over a file this screen did
// not write itself) and builds the command that reads it. curl and Python
// read request.json from where they run, so only its directory is free.
func (s *Screen) writeRequestFile(path string, req azure.ScoreRequest) tea.Cmd {
	kind := s.exportKind
	p := expandHome(path)
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	mayOverwrite := s.written[p]
	req.Credential = ""
	ref := s.ep.EndpointRef
	return func() tea.Msg {
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if mayOverwrite {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(p, flags, 0o600)
		switch {
		case errors.Is(err, fs.ErrExist):
			return exportMsg{path: p, err: fmt.Errorf("%s already exists; choose another name (or delete it)", p)}
		case err != nil:
			return exportMsg{path: p, err: fmt.Errorf("cannot write %s: %v", p, err)}
		}
		_, err = f.Write(req.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return exportMsg{path: p, err: fmt.Errorf("cannot write %s: %v", p, err)}
		}
		return exportMsg{path: p, kind: kind, command: exportText(kind, req, ref, p)}
	}
}

func (s *Screen) onExport(m exportMsg) tea.Cmd {
	if m.err != nil {
		return s.Toast(nav.Error, "Not exported: "+m.err.Error())
	}
	s.written[m.path] = true
	label := "Wrote " + m.path + "; copied the " + kindName(m.kind)
	if m.kind != "az" {
		label += " (run it in " + filepath.Dir(m.path) + "; set $" + azure.TokenEnvVar + " first)"
	}
	return nav.Cmd(nav.CopyMsg{Text: m.command, Label: label})
}
