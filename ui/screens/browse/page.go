// Package browse is the resource browser: subscriptions › workspaces ›
// endpoints › endpoint details. Each list is a components.Table fed by one
// azure call in a Cmd; results carry a sequence number and stale ones
// (the user refreshed or left) are dropped.
package browse

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// requestTimeout bounds one list call; ARM answers in well under a second
// when healthy, and the SDK's retries for 429/5xx fit inside this.
const requestTimeout = 90 * time.Second

var (
	keyRefresh = key.NewBinding(key.WithKeys("R", "f5"), key.WithHelp("R", "refresh"))
	keyCopy    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy id"))
	keyError   = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "error details"))
	keyNew     = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new endpoint"))
)

// Azure is what the browser needs from azure; a *azure.Session has it,
// and screen tests give a fake.
type Azure interface {
	Subscriptions(ctx context.Context) ([]azure.Subscription, error)
	Workspaces(ctx context.Context, subscriptions []string) (azure.WorkspaceList, error)
	Endpoints(ctx context.Context, ws azure.WorkspaceRef) ([]azure.Endpoint, error)
	Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error)
	Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error)
}

// page is what every list screen shares: the kit (request, spinner), the
// table, the last error.
type page struct {
	nav.Kit
	env   *nav.Env
	az    Azure // nil: the session's
	table components.Table
	load  nav.Call // the screen's one request: list, or read the endpoint
	err   error
	what  string // "list workspaces", for error titles
	asked bool   // a load was started (the empty list is an answer, not a blank)

	// heading is the screen's title and the lines under it at a width
	// (the list screens' View is the page's: it draws them over the table).
	heading func(w int) (title, extra string)
}

func newPage(env *nav.Env, noun, what string, cols ...components.Column) page {
	return page{
		Kit:   nav.NewKit(env),
		env:   env,
		table: components.NewTable(env.Styles, noun, cols...),
		what:  what,
	}
}

func (p *page) api() Azure {
	if p.az != nil {
		return p.az
	}
	return p.env.Session
}

// fetch starts the screen's request (a refresh supersedes the one out).
func fetch[T any](p *page, fn func(ctx context.Context, az Azure) (T, error)) tea.Cmd {
	p.asked = true
	p.table.Loading = true
	az := p.api()
	return nav.Go(&p.Kit, &p.load, requestTimeout, func(ctx context.Context) (T, error) { return fn(ctx, az) })
}

// finish accepts a result if it answers the latest request; false means drop it.
func (p *page) finish(r nav.Tagged, err error) bool {
	if !p.Done(&p.load, r) {
		return false
	}
	p.err = err
	p.table.Loading = false
	return true
}

func (p *page) loading() bool { return p.load.Busy() }

// common handles the spinner and table navigation. handled=false means the
// screen should look at msg itself; chosen reports enter/click on a row.
func (p *page) common(msg tea.Msg) (cmd tea.Cmd, handled, chosen bool) {
	if c, ok := p.Spin(msg, false); ok {
		return c, true, false
	}
	if p.Resized(msg) {
		return nil, true, false
	}
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if p.err != nil && key.Matches(m, keyError) && !p.table.Filtering() {
			return p.Error(p.what, p.err), true, false
		}
		return p.table.Update(msg)
	case tea.MouseClickMsg:
		m.Y -= p.tableTop() // screen coordinates -> table coordinates
		return p.table.Update(m)
	case tea.MouseWheelMsg, tea.PasteMsg:
		return p.table.Update(msg)
	}
	return nil, false, false
}

// listInput is a list screen's input: navigation, enter/click to open, R
// to reload, y to copy the selected row's id. handled=false leaves msg to
// the screen's own keys.
func (p *page) listInput(msg tea.Msg, load, open func() tea.Cmd, copyLabel string) (cmd tea.Cmd, handled bool) {
	cmd, handled, chosen := p.common(msg)
	switch {
	case chosen:
		return open(), true
	case handled:
		return cmd, true
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, keyRefresh):
			return load(), true
		case key.Matches(k, keyCopy):
			if r, ok := p.table.Selected(); ok {
				return copyCmd(r.ID, copyLabel), true
			}
			return nil, true
		}
	}
	return nil, false
}

// top is what View draws above the table: the title, the spinner, the
// screen's extra lines and the error. tableless: the error is the content.
func (p *page) top(w, h int) (top string, tableless bool) {
	st := p.env.Styles
	title, extra := p.heading(w)
	head := st.Title.Render(title)
	if p.loading() {
		head += "  " + p.Spinner() + st.Muted.Render(" loading…")
	}
	lines := head
	if extra != "" {
		lines += "\n" + extra
	}
	if p.err != nil {
		lines += "\n" + nav.Problem(st, p.what, p.err, w) + "\n" + st.Muted.Render("R retries · e shows the full error")
	}
	if p.err != nil && p.table.Total() == 0 {
		// The error is the content: an empty table under it would say "No endpoints", which is not true.
		return lines, true
	}
	return components.Block(lines, w, min(lipgloss.Height(lines), h-3)), false
}

// tableTop is how many rows the top takes at the screen's size: where a
// mouse click on the table starts.
func (p *page) tableTop() int {
	w, h := p.Size()
	if p.heading == nil {
		return 0 // not a list screen (the details)
	}
	top, tableless := p.top(w, h)
	if tableless {
		return h
	}
	return lipgloss.Height(top)
}

// View draws the top over the table. It changes nothing.
func (p *page) View(w, h int) string {
	top, tableless := p.top(w, h)
	if tableless {
		return components.Block(top, w, h)
	}
	return top + "\n" + p.table.View(w, h-lipgloss.Height(top))
}

func copyCmd(text, label string) tea.Cmd {
	return func() tea.Msg { return nav.CopyMsg{Text: text, Label: label} }
}

// HandlesEsc: esc first leaves or clears the filter.
func (p *page) HandlesEsc() bool { return p.table.Filtering() || p.table.Query() != "" }
