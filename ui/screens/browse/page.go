// Package browse is the resource browser: subscriptions › workspaces ›
// endpoints › endpoint details. Each list is a components.Table fed by one
// azure call in a Cmd; results carry a sequence number and stale ones
// (the user refreshed or left) are dropped.
package browse

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

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

// page is what every list screen shares: the table, a spinner while
// loading, the last error, and the sequence number of the request in flight.
type page struct {
	env     *nav.Env
	table   components.Table
	spin    spinner.Model
	loading bool
	err     error
	seq     uint64
	what    string // "list workspaces", for error titles

	tableTop int // rows above the table at the last View, for mouse clicks
}

func newPage(env *nav.Env, noun, what string, cols ...components.Column) page {
	return page{
		env:   env,
		table: components.NewTable(env.Styles, noun, cols...),
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(env.Styles.Accent)),
		what:  what,
	}
}

// start begins a load: a new sequence number and the spinner.
func (p *page) start() (uint64, tea.Cmd) {
	p.seq = p.env.NextSeq()
	p.loading = true
	return p.seq, p.spin.Tick
}

// finish accepts a result if it is the latest; false means drop it.
func (p *page) finish(seq uint64, err error) bool {
	if seq != p.seq {
		return false
	}
	p.loading = false
	p.err = err
	return true
}

// common handles the spinner and table navigation. handled=false means the
// screen should look at msg itself; chosen reports enter/click on a row.
func (p *page) common(msg tea.Msg) (cmd tea.Cmd, handled, chosen bool) {
	if t, ok := msg.(spinner.TickMsg); ok {
		if !p.loading {
			return nil, true, false
		}
		var c tea.Cmd
		p.spin, c = p.spin.Update(t)
		return c, true, false
	}
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if p.err != nil && key.Matches(m, keyError) && !p.table.Filtering() {
			err, what := p.err, p.what
			return func() tea.Msg { return nav.ErrorMsg{Title: what, Err: err} }, true, false
		}
		return p.table.Update(msg)
	case tea.MouseClickMsg:
		m.Y -= p.tableTop // screen coordinates -> table coordinates
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

// view draws the status line (spinner or error) above the table.
func (p *page) view(w, h int, title string, extra string) string {
	st := p.env.Styles
	head := st.Title.Render(title)
	if p.loading {
		head += "  " + p.spin.View() + st.Muted.Render(" loading…")
	}
	lines := head
	if extra != "" {
		lines += "\n" + extra
	}
	if p.err != nil {
		lines += "\n" + components.Problem(st, p.what, p.err, w) + "\n" + st.Muted.Render("R retries · e shows the full error")
	}
	if p.err != nil && p.table.Total() == 0 {
		// The error is the content: an empty table under it would say "No endpoints", which is not true.
		p.tableTop = h
		return components.Block(lines, w, h)
	}
	top := components.Block(lines, w, min(lipgloss.Height(lines), h-3))
	p.tableTop = lipgloss.Height(top)
	th := h - p.tableTop
	p.table.Loading = p.loading
	return top + "\n" + p.table.View(w, th)
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), requestTimeout)
}

func copyCmd(text, label string) tea.Cmd {
	return func() tea.Msg { return nav.CopyMsg{Text: text, Label: label} }
}

// HandlesEsc: esc first leaves or clears the filter.
func (p *page) HandlesEsc() bool { return p.table.Filtering() || p.table.Query() != "" }
