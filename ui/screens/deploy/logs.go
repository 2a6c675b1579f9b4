package deploy

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// containers are the two containers of a deployment whose logs Azure
// serves (getLogs containerType; az ml online-deployment get-logs
// --container). The storage initializer downloads the model; the
// inference server is the image's container.
// https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints#get-container-logs
var containers = []struct{ Type, Name, Note string }{
	{azure.LogsStorageInitializer, "storage-initializer", "downloads the model from the workspace storage"},
	{azure.LogsInferenceServer, "inference-server", "pulls and runs the image, serves /score"},
}

// logLines is how many lines of the end of a log are asked for.
const logLines = 200

// Logs shows a deployment's container logs.
type Logs struct {
	nav.Kit
	env       *nav.Env
	az        Azure
	ep        azure.Endpoint
	deps      []azure.Deployment
	dep       int
	container int
	vp        viewport.Model

	call   nav.Call
	text   string
	err    error
	bottom bool // scroll to the end once laid out
	wrap   struct {
		text, out string
		w         int
	}
}

// NewLogs opens the logs; az nil means the session's.
func NewLogs(env *nav.Env, msg nav.DeploymentLogsMsg, az Azure) *Logs {
	l := &Logs{Kit: nav.NewKit(env), env: env, az: api(env, az), ep: msg.Endpoint, deps: msg.Deployments, vp: viewport.New()}
	l.vp.SoftWrap = true
	for i, d := range l.deps {
		if strings.EqualFold(d.Name, msg.Deployment) {
			l.dep = i
		}
	}
	if len(l.deps) == 0 && msg.Deployment != "" {
		l.deps = []azure.Deployment{{Name: msg.Deployment}}
	}
	return l
}

func (l *Logs) Title() string      { return "Logs" }
func (l *Logs) Typing() bool       { return false }
func (l *Logs) Where() nav.Context { return l.env.Place(l.ep.WorkspaceRef, l.ep.Endpoint) }

func (l *Logs) name() string {
	if len(l.deps) == 0 {
		return ""
	}
	return l.deps[l.dep].Name
}

func (l *Logs) Init() tea.Cmd { return l.read() }

func (l *Logs) read() tea.Cmd {
	if l.az == nil || l.name() == "" {
		return nil
	}
	az, c := l.az, containers[l.container].Type
	ref := azure.DeploymentRef{EndpointRef: l.ep.EndpointRef, Deployment: l.name()}
	l.err = nil
	return nav.Go(&l.Kit, &l.call, timeout, func(ctx context.Context) (logText, error) {
		t, err := az.DeploymentLogs(ctx, ref, c, logLines)
		return logText(t), err
	})
}

var (
	keyContainer  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "other container"))
	keyDeployment = key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[/]", "deployment"))
	keyCopyLogs   = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy"))
	keyLogScroll  = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll"))
)

// Keys offers [ ] only when there is another deployment to switch to.
func (l *Logs) Keys() []key.Binding {
	if len(l.deps) < 2 {
		return []key.Binding{keyContainer, keyLogScroll, keyCopyLogs, keyReload}
	}
	return []key.Binding{keyContainer, keyDeployment, keyLogScroll, keyCopyLogs, keyReload}
}

// onlyOne says why [ ] switch nothing.
func (l *Logs) onlyOne() string {
	if len(l.deps) == 0 {
		return "No deployments: nothing to switch to"
	}
	return "Only one deployment: " + components.Clean(l.name())
}

func (l *Logs) Update(msg tea.Msg) (nav.Screen, tea.Cmd) {
	cmd := l.update(msg)
	l.layout()
	return l, cmd
}

func (l *Logs) update(msg tea.Msg) tea.Cmd {
	if l.Resized(msg) {
		return nil
	}
	if cmd, ok := l.Spin(msg, false); ok {
		return cmd
	}
	switch m := msg.(type) {
	case nav.Result[logText]:
		if l.Done(&l.call, m) {
			l.text, l.err, l.bottom = string(m.Value), m.Err, true
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, keyContainer):
			l.container = (l.container + 1) % len(containers)
			return l.read()
		case key.Matches(m, keyDeployment):
			if len(l.deps) < 2 { // the footer does not offer [ ]; say why they do nothing
				return l.Toast(nav.Info, l.onlyOne())
			}
			step := 1
			if m.String() == "[" {
				step = len(l.deps) - 1
			}
			l.dep = (l.dep + step) % len(l.deps)
			return l.read()
		case key.Matches(m, keyReload):
			return l.read()
		case key.Matches(m, keyCopyLogs):
			if l.text != "" {
				return nav.Cmd(nav.CopyMsg{Text: components.CleanBlock(l.text), Label: "Copied the log"})
			}
		default:
			var cmd tea.Cmd
			l.vp, cmd = l.vp.Update(m)
			return cmd
		}
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		l.vp, cmd = l.vp.Update(m)
		return cmd
	}
	return nil
}

func (l *Logs) head(w int) string {
	st := l.env.Styles
	c := containers[l.container]
	title := st.Title.Render("Logs of "+components.Clean(l.name())) + st.Muted.Render(" on "+components.Clean(l.ep.Endpoint))
	if l.call.Busy() {
		title += "  " + l.Spinner()
	}
	var tabs []string
	for i, x := range containers {
		if i == l.container {
			tabs = append(tabs, st.Accent.Bold(true).Render("["+x.Name+"]"))
		} else {
			tabs = append(tabs, st.Muted.Render(x.Name))
		}
	}
	cmd := fmt.Sprintf("az ml online-deployment get-logs --name %s --endpoint-name %s --container %s --lines %d",
		l.name(), l.ep.Endpoint, c.Name, logLines)
	return components.Fit(title, w) + "\n" + strings.Join(tabs, "  ") + st.Muted.Render("  "+c.Note) + "\n" + st.Muted.Render(components.Fit(components.Clean(cmd), w))
}

func (l *Logs) layout() {
	w, h := l.Size()
	if w == 0 || h == 0 {
		return
	}
	st := l.env.Styles
	var body string
	switch {
	case l.err != nil:
		body = nav.Problem(st, "Reading the logs", nav.RetryWith(l.err, "R"), w)
	case l.name() == "":
		body = st.Muted.Render("No deployments: nothing has logs yet.")
	case l.text == "" && !l.call.Busy():
		body = st.Muted.Render("The log is empty (the container may not have started yet): R reads it again.")
	default:
		body = l.wrapped(w)
	}
	components.Refit(&l.vp, w, max(h-4, 1), body)
	if l.bottom { // a new log: its end is what matters
		l.vp.GotoBottom()
		l.bottom = false
	}
}

// wrapped is the log broken at spaces and hyphens to w cells (a token
// wider than the view, such as a long URL, is broken where it must be);
// the viewport's own soft wrap cuts words at the edge. It is kept for the
// text and width it was made for: layout runs on every message.
func (l *Logs) wrapped(w int) string {
	if l.wrap.text != l.text || l.wrap.w != w {
		l.wrap.text, l.wrap.w = l.text, w
		l.wrap.out = ansi.Wrap(components.CleanBlock(l.text), w, "")
	}
	return l.wrap.out
}

func (l *Logs) View(w, h int) string {
	return components.Block(l.head(w)+"\n"+l.vp.View(), w, h)
}
