package score

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// menu is a small pick list in a dialog: arrows move, enter chooses,
// digits choose directly, esc closes.
type menu struct {
	title string
	items []item
	cur   int
	note  string
}

type item struct {
	label, detail string
	value         any
}

func (m *menu) move(d int) {
	if len(m.items) == 0 {
		return
	}
	m.cur = max(0, min(m.cur+d, len(m.items)-1))
}

// open shows a menu with the item equal to sel preselected.
func (s *Screen) open(kind modal, m menu, sel any) {
	for i, it := range m.items {
		if it.value == sel {
			m.cur = i
		}
	}
	s.modal, s.menu = kind, m
}

func (s *Screen) openTargetMenu() {
	split := s.splitText()
	m := menu{title: "Send to which deployment?", items: []item{{label: "let traffic decide", detail: split, value: ""}}}
	deps := append([]azure.Deployment(nil), s.deps...)
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].TrafficPercent > deps[j].TrafficPercent })
	for _, d := range deps {
		detail := fmt.Sprintf("%d%% of traffic", d.TrafficPercent)
		if d.TrafficPercent == 0 {
			detail = "0% of traffic: reachable only by naming it"
		}
		m.items = append(m.items, item{label: components.Clean(d.Name), detail: detail, value: d.Name})
	}
	switch {
	case s.depsErr != nil:
		m.note = "Deployments could not be listed: " + azure.Explain(s.depsErr).Title
	case s.deps == nil:
		m.note = "Deployments are still loading."
	}
	s.open(modalTarget, m, s.target)
}

// splitText is the traffic split: "blue 90% · green 10%".
func (s *Screen) splitText() string {
	type kv struct {
		k string
		v int32
	}
	var parts []kv
	for k, v := range s.ep.Traffic {
		parts = append(parts, kv{k, v})
	}
	if len(parts) == 0 {
		for _, d := range s.deps {
			parts = append(parts, kv{d.Name, d.TrafficPercent})
		}
	}
	sort.Slice(parts, func(i, j int) bool {
		if parts[i].v != parts[j].v {
			return parts[i].v > parts[j].v
		}
		return parts[i].k < parts[j].k
	})
	var out []string
	for _, p := range parts {
		out = append(out, fmt.Sprintf("%s %d%%", components.Clean(p.k), p.v))
	}
	if len(out) == 0 {
		return "no traffic split"
	}
	return strings.Join(out, " · ")
}

func (s *Screen) openCredMenu() {
	m := menu{title: "Send which credential?"}
	auto := autoChoice(s.ep.AuthMode)
	for _, c := range choices {
		label := c.label()
		if c == auto {
			label += " (auto)"
		}
		m.items = append(m.items, item{label: label, detail: c.detail(), value: c})
	}
	m.note = "The endpoint's auth mode is " + components.Clean(s.ep.AuthMode) + ". Values stay in memory, masked."
	s.open(modalCred, m, s.cred.choice)
}

func (s *Screen) openHistory() {
	m := menu{title: fmt.Sprintf("History of %s (%d, newest first)", components.Clean(s.ep.Endpoint), len(s.hist))}
	now := s.env.Now()
	for i := range s.hist {
		e := s.hist[i]
		status := strconv.Itoa(e.Status)
		if e.Error != "" {
			status = "error"
		}
		dep := e.Deployment
		if dep == "" {
			dep = "-"
		}
		target := "traffic"
		if e.Target != "" {
			target = "→ " + components.Clean(e.Target)
		}
		label := fmt.Sprintf("%-8s %-5s %-8s %6dms", e.At.Local().Format("15:04:05"), status, components.Fit(components.Clean(dep), 8), e.DurationMS)
		detail := fmt.Sprintf("%s · %s · %s · %s", target, components.Clean(e.CredentialKind), components.HumanBytes(len(e.RequestBody)), components.Ago(now, e.At))
		m.items = append(m.items, item{label: label, detail: detail, value: i})
	}
	m.note = "enter re-sends it (body and target) · space shows its answer"
	s.open(modalHistory, m, 0)
}

func (s *Screen) openExportMenu() {
	m := menu{title: "Export this request", items: []item{
		{label: "curl", detail: "copied; the credential comes from $" + azure.TokenEnvVar + ", never inline", value: "curl"},
		{label: "Python", detail: "copied; urllib as in the docs, credential from $" + azure.TokenEnvVar, value: "python"},
		{label: "az ml online-endpoint invoke", detail: "writes the body to a request file you name, copies the command", value: "az"},
	}}
	m.note = fmt.Sprintf("Bodies over %s go to %s (curl, Python): you choose where it is written.", components.HumanBytes(azure.InlineBodyLimit), azure.RequestFile)
	s.open(modalExport, m, "curl")
}

// openPrompt opens a one-line prompt.
func (s *Screen) openPrompt(kind modal) tea.Cmd {
	s.editor.Blur()
	s.headers.Blur()
	s.typing = false
	s.modal, s.inputErr = kind, ""
	s.input.Reset()
	switch kind {
	case promptFile:
		s.input.Prompt = "file: "
		s.input.Placeholder = "path of a JSON file (~ works)"
	case promptAzFile:
		// A placeholder, not a value: typing a path must not append to it.
		s.input.Prompt = "request file: "
		s.input.Placeholder = azure.RequestFile + " (enter keeps it)"
	case promptRepeat:
		s.input.Prompt = "requests: "
		s.input.Placeholder = "20, or 50x5 for 50 requests 5 at a time"
	}
	return s.input.Focus()
}

func (s *Screen) closeModal() {
	s.modal = modalNone
	s.input.Blur()
}

// modalKey handles keys while a dialog is open.
func (s *Screen) modalKey(k tea.KeyPressMsg) tea.Cmd {
	ks := k.String()
	if s.isPrompt() {
		switch ks {
		case "esc":
			s.closeModal()
			return nil
		case "enter":
			return s.submitPrompt()
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(k)
		s.inputErr = ""
		return cmd
	}
	m := &s.menu
	switch ks {
	case "esc":
		s.closeModal()
		return nil
	case "up", "k":
		m.move(-1)
	case "down", "j":
		m.move(1)
	case "pgup":
		m.move(-10)
	case "pgdown":
		m.move(10)
	case "home":
		m.move(-len(m.items))
	case "end":
		m.move(len(m.items))
	case "enter":
		return s.choose(false)
	case "space":
		if s.modal == modalHistory {
			return s.choose(true)
		}
	default:
		if n, err := strconv.Atoi(ks); err == nil && n >= 1 && n <= len(m.items) && s.modal != modalHistory {
			m.cur = n - 1
			return s.choose(false)
		}
	}
	return nil
}

// choose acts on the menu's current item; show (history) displays instead of re-sending.
func (s *Screen) choose(show bool) tea.Cmd {
	if len(s.menu.items) == 0 {
		s.closeModal()
		return nil
	}
	it := s.menu.items[s.menu.cur]
	kind := s.modal
	s.closeModal()
	switch kind {
	case modalTarget:
		s.target = it.value.(string)
	case modalCred:
		return s.fetchCred(it.value.(choice))
	case modalExport:
		return s.export(it.value.(string))
	case modalHistory:
		e := s.hist[it.value.(int)]
		if show {
			s.rep = nil
			s.show(result{at: e.At, kind: e.CredentialKind, hist: &e, req: azure.ScoreRequest{Deployment: e.Target}})
			return nil
		}
		return s.resend(e)
	}
	return nil
}

// resend puts a history entry's body and target back and sends it.
func (s *Screen) resend(e state.HistoryEntry) tea.Cmd {
	if e.RequestTruncated {
		return s.Toast(nav.Warn, fmt.Sprintf("That body was cut at %s when saved; it cannot be re-sent as it was", components.HumanBytes(state.MaxHistoryBody)))
	}
	s.setBody(e.RequestBody)
	s.target = e.Target
	s.rep = nil
	return s.send()
}

// submitPrompt acts on a prompt's text.
func (s *Screen) submitPrompt() tea.Cmd {
	v := strings.TrimSpace(s.input.Value())
	switch s.modal {
	case promptFile:
		if v == "" {
			s.inputErr = "type a path"
			return nil
		}
		s.closeModal()
		return loadFile(v)
	case promptAzFile:
		if v == "" {
			v = azure.RequestFile // the placeholder's default
		}
		if s.exportKind != "az" && filepath.Base(v) != azure.RequestFile {
			s.inputErr = fmt.Sprintf("the %s reads %s: keep that file name (choose its directory)", kindName(s.exportKind), azure.RequestFile)
			return nil
		}
		req, err := s.request()
		if err != nil {
			s.closeModal()
			s.notice = "Not exported: " + err.Error()
			return s.Toast(nav.Warn, s.notice)
		}
		s.closeModal()
		return s.writeRequestFile(v, req)
	case promptRepeat:
		n, conc, err := parseRepeat(v)
		if err != nil {
			s.inputErr = err.Error()
			return nil
		}
		s.closeModal()
		return s.startRepeat(n, conc)
	}
	return nil
}

// expandHome turns a leading ~ into the home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// modalView draws the open dialog.
func (s *Screen) modalView(w, h int) string {
	st := s.env.Styles
	bw := min(w-4, 84)
	inner := bw - st.Dialog.GetHorizontalFrameSize()
	var b strings.Builder
	if s.isPrompt() {
		title := map[modal]string{promptFile: "Load the body from a file", promptAzFile: "Write the request file for the " + kindName(s.exportKind),
			promptRepeat: "Repeat the request"}[s.modal]
		b.WriteString(st.Title.Render(title) + "\n\n")
		s.input.SetWidth(inner - lipgloss.Width(s.input.Prompt) - 1)
		b.WriteString(s.input.View())
		if s.inputErr != "" {
			b.WriteString("\n" + st.Err.Render("✗ "+s.inputErr))
		}
		hint := map[modal]string{
			promptFile:   fmt.Sprintf("At most %s. enter loads it · esc cancels", components.HumanBytes(azure.MaxRequestBody)),
			promptAzFile: "The body is written there (not the credential); the az command is copied. enter writes · esc cancels",
			promptRepeat: "Sequential unless you give a concurrency (at most 32). enter starts · esc cancels; esc stops a run",
		}[s.modal]
		b.WriteString("\n\n" + st.Muted.Render(lipgloss.NewStyle().Width(inner).Render(hint)))
		return st.Dialog.Width(bw).Render(b.String())
	}
	m := s.menu
	b.WriteString(st.Title.Render(m.title) + "\n\n")
	rows := max(h-8, 3)
	first := max(0, min(m.cur-rows/2, len(m.items)-rows))
	for i := first; i < len(m.items) && i < first+rows; i++ {
		it := m.items[i]
		num := "  "
		if s.modal != modalHistory && i < 9 {
			num = strconv.Itoa(i+1) + " "
		}
		line := num + it.label
		if it.detail != "" {
			line += "  " + st.Muted.Render(it.detail)
		}
		line = components.Fit(line, inner-2)
		if i == m.cur {
			line = st.Selected.Render("› " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	if m.note != "" {
		b.WriteString("\n" + st.Muted.Render(lipgloss.NewStyle().Width(inner).Render(components.Clean(m.note))))
	}
	return st.Dialog.Width(bw).Render(strings.TrimRight(b.String(), "\n"))
}
