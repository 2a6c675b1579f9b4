package components

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/ui/theme"
)

// Column is a table column. Width is the minimum; Flex columns share what is left.
type Column struct {
	Title string
	Width int
	Flex  bool
	// Style, when set, colours this column's cell by its text (a verdict's
	// ✓ or ✗) on rows that are neither selected nor dimmed.
	Style func(cell string) lipgloss.Style
}

// Row is one line of a table. Cells must already be Clean; ID keeps the
// cursor on the same item across refreshes.
type Row struct {
	ID      string
	Cells   []string
	Payload any
	// Style, when set, styles the whole row (e.g. muted for unavailable items).
	Dim   bool
	lower string
}

// Table is a filterable, scrollable list that only draws the visible rows,
// so 10,000 rows cost the same per frame as 40.
type Table struct {
	Noun    string // "endpoints", for "No endpoints" and the counter
	Loading bool   // while true an empty table says so instead of "No endpoints"

	st     *theme.Styles
	cols   []Column
	rows   []Row
	view   []int
	cursor int
	offset int
	height int // rows visible at the last View, for paging

	filter    textinput.Model
	filtering bool
	query     string
}

// NewTable builds an empty table.
func NewTable(st *theme.Styles, noun string, cols ...Column) Table {
	fi := textinput.New()
	fi.Prompt = "/"
	fi.Placeholder = "filter"
	fi.CharLimit = 200
	fi.SetStyles(st.Input)
	return Table{Noun: noun, st: st, cols: cols, filter: fi, height: 10}
}

// SetStyles follows a theme change.
func (t *Table) SetStyles(st *theme.Styles) { t.st = st; t.filter.SetStyles(st.Input) }

// SetRows replaces the rows; the cursor stays on the same ID when it still exists.
func (t *Table) SetRows(rows []Row) {
	cur, hadCur := t.Selected()
	for i := range rows {
		rows[i].lower = strings.ToLower(strings.Join(rows[i].Cells, "\x00"))
	}
	t.rows = rows
	t.applyFilter()
	if hadCur {
		for i, idx := range t.view {
			if t.rows[idx].ID == cur.ID {
				t.cursor = i
				break
			}
		}
	}
	t.clamp()
}

// AppendRows adds rows at the end (a list arriving page by page): only the
// new rows are matched against the filter, and the cursor stays put.
func (t *Table) AppendRows(rows []Row) {
	q := strings.ToLower(strings.TrimSpace(t.query))
	for i := range rows {
		rows[i].lower = strings.ToLower(strings.Join(rows[i].Cells, "\x00"))
		if q == "" || strings.Contains(rows[i].lower, q) {
			t.view = append(t.view, len(t.rows)+i)
		}
	}
	t.rows = append(t.rows, rows...)
	t.clamp()
}

// Rows returns all rows (unfiltered).
func (t *Table) Rows() []Row { return t.rows }

// Len is the number of rows that pass the filter; Total all rows.
func (t *Table) Len() int   { return len(t.view) }
func (t *Table) Total() int { return len(t.rows) }

// Query is the current filter text.
func (t *Table) Query() string { return t.query }

// Selected returns the row under the cursor.
func (t *Table) Selected() (Row, bool) {
	if t.cursor < 0 || t.cursor >= len(t.view) {
		return Row{}, false
	}
	return t.rows[t.view[t.cursor]], true
}

// Select moves the cursor to the row with id; false if it is not visible.
func (t *Table) Select(id string) bool {
	for i, idx := range t.view {
		if strings.EqualFold(t.rows[idx].ID, id) {
			t.cursor = i
			t.clamp()
			return true
		}
	}
	return false
}

// Filtering reports that the filter input has focus (global keys must not fire).
func (t *Table) Filtering() bool { return t.filtering }

// SetFilter sets the filter text (used by tests and restore).
// The cursor stays on the same row when it passes the new filter.
func (t *Table) SetFilter(q string) {
	cur, had := t.Selected()
	t.filter.SetValue(q)
	t.query = q
	t.applyFilter()
	if had {
		t.Select(cur.ID)
	}
}

func (t *Table) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(t.query))
	t.view = t.view[:0]
	if cap(t.view) < len(t.rows) {
		t.view = make([]int, 0, len(t.rows))
	}
	for i := range t.rows {
		if q == "" || strings.Contains(t.rows[i].lower, q) {
			t.view = append(t.view, i)
		}
	}
	t.clamp()
}

func (t *Table) clamp() {
	if t.cursor >= len(t.view) {
		t.cursor = len(t.view) - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	h := max(t.height, 1)
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	if t.offset > max(len(t.view)-h, 0) {
		t.offset = max(len(t.view)-h, 0)
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

// Table keys, for footers.
var (
	KeyFilter = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
	KeyOpen   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
)

// Update handles navigation, filter typing and the mouse (coordinates
// relative to the table's top-left). It reports whether msg was consumed and
// whether the user chose the row under the cursor (enter or a click on it).
func (t *Table) Update(msg tea.Msg) (cmd tea.Cmd, handled, chosen bool) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if t.filtering {
			t.filter, cmd = t.filter.Update(msg)
			t.query = t.filter.Value()
			t.applyFilter()
			return cmd, true, false
		}
	case tea.KeyPressMsg:
		if t.filtering {
			switch msg.String() {
			case "enter":
				t.filtering = false
				t.filter.Blur()
				return nil, true, false
			case "esc":
				t.filtering = false
				t.filter.Blur()
				t.SetFilter("")
				return nil, true, false
			case "up", "down", "pgup", "pgdown":
				// fall through to navigation while typing
			default:
				t.filter, cmd = t.filter.Update(msg)
				if v := t.filter.Value(); v != t.query {
					t.query = v
					t.cursor, t.offset = 0, 0
					t.applyFilter()
				}
				return cmd, true, false
			}
		}
		switch msg.String() {
		case "/":
			t.filtering = true
			return t.filter.Focus(), true, false
		case "esc":
			if t.query != "" {
				t.SetFilter("")
				return nil, true, false
			}
			return nil, false, false
		case "up", "k":
			t.move(-1)
		case "down", "j":
			t.move(1)
		case "pgup", "ctrl+u":
			t.move(-max(t.height-1, 1))
		case "pgdown", "ctrl+d":
			t.move(max(t.height-1, 1))
		case "home", "g":
			t.cursor = 0
			t.clamp()
		case "end", "G":
			t.cursor = len(t.view) - 1
			t.clamp()
		case "enter":
			_, ok := t.Selected()
			return nil, true, ok
		default:
			return nil, false, false
		}
		return nil, true, false
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			t.move(-3)
		case tea.MouseWheelDown:
			t.move(3)
		}
		return nil, true, false
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft {
			return nil, false, false
		}
		i := t.offset + msg.Y - 1 // row 0 is the header
		if msg.Y < 1 || i < 0 || i >= len(t.view) || i >= t.offset+t.height {
			return nil, false, false
		}
		again := i == t.cursor
		t.cursor = i
		t.clamp()
		return nil, true, again
	}
	return nil, false, false
}

func (t *Table) move(d int) {
	t.cursor += d
	t.clamp()
}

// widths lays the columns out in w cells with two-space gutters.
func (t *Table) widths(w int) []int {
	ws := make([]int, len(t.cols))
	used, flex := 0, 0
	for i, c := range t.cols {
		ws[i] = c.Width
		used += c.Width
		if c.Flex {
			flex++
		}
	}
	used += 2 * max(len(t.cols)-1, 0)
	if rest := w - used; rest > 0 && flex > 0 {
		for i, c := range t.cols {
			if c.Flex {
				ws[i] += rest / flex
			}
		}
	}
	return ws
}

// View draws the table in exactly w x h cells: header, rows, and the
// filter/counter line at the bottom.
func (t *Table) View(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	t.height = max(h-2, 1)
	t.clamp()
	ws := t.widths(w)
	lines := make([]string, 0, h)
	lines = append(lines, t.st.TableHeader.Render(fit(t.line(headerCells(t.cols), ws), w)))
	switch {
	case len(t.rows) == 0 && t.Loading:
		lines = append(lines, t.st.Muted.Render(fit("Loading "+t.Noun+"…", w)))
	case len(t.rows) == 0:
		lines = append(lines, t.st.Muted.Render(fit("No "+t.Noun, w)))
	case len(t.view) == 0:
		lines = append(lines, t.st.Muted.Render(fit(fmt.Sprintf("No %s match %q — esc clears the filter", t.Noun, t.query), w)))
	}
	end := min(t.offset+t.height, len(t.view))
	for i := t.offset; i < end; i++ {
		r := &t.rows[t.view[i]]
		s := fit(t.line(r.Cells, ws), w)
		switch {
		case i == t.cursor:
			s = t.st.Selected.Render(s)
		case r.Dim:
			s = t.st.Muted.Render(s)
		case t.styled():
			s = fit(t.cellLine(r.Cells, ws, true), w)
		default:
			s = t.st.Cell.Render(s)
		}
		lines = append(lines, s)
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:h-1], t.footer(w))
	return strings.Join(lines, "\n")
}

func (t *Table) footer(w int) string {
	count := Count(len(t.rows), t.Noun)
	if t.query != "" || t.filtering {
		count = fmt.Sprintf("%d of %s", len(t.view), Count(len(t.rows), t.Noun))
	}
	if len(t.view) > t.height {
		count += fmt.Sprintf(" · %d%%", (t.cursor+1)*100/max(len(t.view), 1))
	}
	switch {
	case t.filtering:
		t.filter.SetWidth(max(w-ansi.StringWidth(count)-6, 10))
		return fit(t.filter.View()+"  "+t.st.Muted.Render(count), w)
	case t.query != "":
		return fit(t.st.Accent.Render("/"+t.query)+"  "+t.st.Muted.Render(count+" · esc clears"), w)
	default:
		return t.st.Muted.Render(fit(count, w))
	}
}

func headerCells(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.ToUpper(c.Title)
	}
	return out
}

func (t *Table) line(cells []string, ws []int) string { return t.cellLine(cells, ws, false) }

// cellLine joins the cells, each padded or cut to its width; styled draws
// each in its column's style (or the plain cell style) one by one, so no
// style's reset cuts another short.
func (t *Table) cellLine(cells []string, ws []int, styled bool) string {
	var b strings.Builder
	for i, wd := range ws {
		if i > 0 {
			b.WriteString("  ")
		}
		raw := ""
		if i < len(cells) {
			raw = cells[i]
		}
		c := pad(raw, wd)
		if styled {
			st := t.st.Cell
			if i < len(t.cols) && t.cols[i].Style != nil {
				st = t.cols[i].Style(raw)
			}
			c = st.Render(c)
		}
		b.WriteString(c)
	}
	return b.String()
}

// styled reports whether a column colours its cells.
func (t *Table) styled() bool {
	for _, c := range t.cols {
		if c.Style != nil {
			return true
		}
	}
	return false
}

// pad truncates or pads s to exactly w cells.
func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// fit truncates s to w cells (no padding; styles that need full width pad themselves).
func fit(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// Pad is pad for screens: exactly w cells.
func Pad(s string, w int) string { return pad(s, w) }

// Fit is fit for screens: at most w cells.
func Fit(s string, w int) string { return fit(s, w) }
