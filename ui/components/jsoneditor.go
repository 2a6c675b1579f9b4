package components

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"amlauth-tui/ui/theme"
)

// JSONEditor edits a JSON request body on bubbles' textarea, with live
// validation (line:column) and a size shown as it changes.
//
// Large bodies stay responsive: the textarea re-wraps and re-styles every
// line it holds on every keystroke (about 30 µs a line), so it only ever
// holds a window of the document around the cursor; the rest waits in a
// slice of lines and is spliced back when the cursor nears the window's
// edge. Very long lines cannot be windowed (soft-wrapping one costs about
// 125 µs per screen row on every keystroke): a body with a line longer than
// LongLine is shown read-only, to be formatted or edited in $EDITOR.
type JSONEditor struct {
	st *theme.Styles
	ta textarea.Model

	lines   []string // the document; lines[ws:we] are stale while they are in the textarea
	ws, we  int
	winText string // the textarea's text at the last look, to notice edits
	outside int    // bytes of the lines outside the window, without separators

	raw      string // the whole body while read-only
	readOnly bool
	longLine int // 1-based line that made it read-only
	longLen  int

	err     error // validation result; nil = valid
	checked bool  // err matches the text
	gen     int   // validation generation: later edits supersede pending checks

	win, margin int // lines given to the textarea; distance to its edge that re-windows
	w, h        int

	// Hint is drawn under a read-only body: the owner's keys for it.
	Hint string
	// validate is rules.Validate (a field so tests can count calls).
	validate func(string) error
	rules    JSONRules
}

// JSONRules are what the editor checks a body against. The owner injects
// them (the request editor: azure's validator, formatter and size limit),
// so this package knows nothing of Azure.
type JSONRules struct {
	// Validate returns nil for a valid body, else an error whose text
	// says where ("line 3, column 5: …").
	Validate func(string) error
	// Format pretty-prints a valid body, or returns Validate's error.
	Format func(string) (string, error)
	// MaxSize is the largest body that may be sent (bytes; 0: no limit).
	MaxSize int
}

// defaultRules are given to new editors (none in the app: every owner
// injects its own with SetRules; the package's tests set them).
var defaultRules JSONRules

// Editor limits.
const (
	// LongLine is the longest line edited in place (bytes).
	LongLine = 4096
	// syncCheck is the largest body validated on every keystroke; larger
	// ones are validated shortly after typing pauses, off the event loop.
	syncCheck = 64 << 10
	// checkDelay is that pause.
	checkDelay = 150 * time.Millisecond
	// directPaste is the largest paste handed to the textarea as is; larger
	// ones are spliced into the document (the textarea holds 10,000 lines at most).
	directPaste = 4 << 10
)

type (
	checkDueMsg struct {
		ed  *JSONEditor
		gen int
	}
	checkedMsg struct {
		ed  *JSONEditor
		gen int
		err error
	}
)

// NewJSONEditor returns an empty, unfocused editor.
func NewJSONEditor(st *theme.Styles) *JSONEditor {
	ta := textarea.New()
	ta.ShowLineNumbers = false // numbers would be the window's; the status line shows the real ones
	ta.Prompt = ""
	ta.MaxHeight = 0 // no line limit (the default stops Enter at line 99)
	ta.MaxWidth = 0
	ta.CharLimit = 0
	e := &JSONEditor{st: st, ta: ta, lines: []string{""}, we: 1, win: 60, margin: 20}
	e.SetStyles(st)
	e.SetRules(defaultRules)
	return e
}

// SetRules injects the validator, formatter and size limit, and checks
// the body again.
func (e *JSONEditor) SetRules(r JSONRules) {
	if r.Validate == nil {
		r.Validate = func(string) error { return nil }
	}
	e.rules, e.validate = r, r.Validate
	e.SetValue(e.Value())
}

// SetStyles follows a theme change.
func (e *JSONEditor) SetStyles(st *theme.Styles) {
	e.st = st
	s := textarea.DefaultStyles(st.Dark)
	if st.NoColor {
		s = textarea.Styles{}
	}
	s.Cursor.Blink = false // a blinking cursor redraws twice a second for nothing
	e.ta.SetStyles(s)
}

// normalize makes text what the textarea would hold after typing it:
// CRLF and CR become LF, tabs four spaces, other control characters go.
// None of this changes the meaning of valid JSON (they are whitespace or
// not allowed raw), and the document stays identical inside and outside
// the window.
func normalize(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n') || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString("    ")
		case r == '\n':
			b.WriteByte('\n')
		case r == utf8.RuneError, unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SetValue replaces the body; the cursor goes to the start.
func (e *JSONEditor) SetValue(s string) {
	s = normalize(s)
	e.readOnly, e.raw, e.longLine, e.longLen = false, "", 0, 0
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if len(l) > LongLine {
			e.readOnly, e.raw, e.longLine, e.longLen = true, s, i+1, len(l)
			e.lines, e.ws, e.we, e.outside, e.winText = []string{""}, 0, 1, 0, ""
			e.ta.SetValue("")
			e.ta.Blur()
			e.Check()
			return
		}
	}
	e.lines = lines
	e.load(0, 0, 0)
	e.Check() // once, also for a large body: this is not a keystroke
}

// Value is the whole body.
func (e *JSONEditor) Value() string {
	if e.readOnly {
		return e.raw
	}
	var b strings.Builder
	b.Grow(e.Size())
	for _, l := range e.lines[:e.ws] {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString(e.winText)
	for _, l := range e.lines[e.we:] {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	return b.String()
}

// Size is the body's length in bytes.
func (e *JSONEditor) Size() int {
	if e.readOnly {
		return len(e.raw)
	}
	return e.outside + len(e.winText) + len(e.lines) - (e.we - e.ws)
}

// Lines is the number of lines of the body.
func (e *JSONEditor) Lines() int {
	if e.readOnly {
		return strings.Count(e.raw, "\n") + 1
	}
	return len(e.lines) - (e.we - e.ws) + e.ta.LineCount()
}

// Cursor is the cursor's 1-based line and column (runes).
func (e *JSONEditor) Cursor() (line, col int) {
	if e.readOnly {
		return 1, 1
	}
	return e.ws + e.ta.Line() + 1, e.ta.Column() + 1
}

// ReadOnly reports a body too long-lined to edit here.
func (e *JSONEditor) ReadOnly() bool { return e.readOnly }

// Err is the validation result: nil when the body is valid JSON, else an
// error (an *azure.JSONError for syntax errors). Pending means a check of
// a large body has not finished yet.
func (e *JSONEditor) Err() (err error, pending bool) { return e.err, !e.checked }

// Check validates now (before sending) and returns the result.
func (e *JSONEditor) Check() error {
	e.gen++ // a pending background check is now stale
	e.err, e.checked = e.validate(e.Value()), true
	return e.err
}

// Focus gives the editor the keyboard (not while read-only).
func (e *JSONEditor) Focus() tea.Cmd {
	if e.readOnly {
		return nil
	}
	return e.ta.Focus()
}

// Blur takes the keyboard away.
func (e *JSONEditor) Blur() { e.ta.Blur() }

// Focused reports whether keys go to the editor.
func (e *JSONEditor) Focused() bool { return e.ta.Focused() && !e.readOnly }

// load puts lines [ws, ws+win) in the textarea with the cursor at (row, col)
// of the document. The caller has committed the old window.
func (e *JSONEditor) load(ws, row, col int) {
	ws = max(0, min(ws, len(e.lines)-1))
	e.ws, e.we = ws, min(ws+e.win, len(e.lines))
	e.winText = strings.Join(e.lines[e.ws:e.we], "\n")
	e.outside = 0
	for _, l := range e.lines[:e.ws] {
		e.outside += len(l)
	}
	for _, l := range e.lines[e.we:] {
		e.outside += len(l)
	}
	e.ta.SetValue(e.winText)
	e.place(row-e.ws, col)
}

// place moves the textarea's cursor to a window row and rune column.
// CursorDown moves by screen rows, so wrapped lines take several steps.
func (e *JSONEditor) place(row, col int) {
	e.ta.MoveToBegin()
	row = max(0, min(row, e.ta.LineCount()-1))
	for guard := 0; e.ta.Line() < row && guard < 1_000_000; guard++ {
		e.ta.CursorDown()
	}
	e.ta.SetCursorColumn(col)
	if e.ta.Focused() {
		e.ta, _ = e.ta.Update(nil) // scrolls the cursor into view
	}
}

// commit writes the textarea's text back into the document.
func (e *JSONEditor) commit() {
	win := strings.Split(e.ta.Value(), "\n")
	e.lines = slices.Replace(e.lines, e.ws, e.we, win...)
	e.we = e.ws + len(win)
}

// recenter re-windows around the cursor when it nears an edge that has
// more document beyond it.
func (e *JSONEditor) recenter() {
	r, n := e.ta.Line(), e.ta.LineCount()
	if !(r < e.margin && e.ws > 0) && !(r >= n-e.margin && e.we < len(e.lines)) {
		return
	}
	row, col := e.ws+r, e.ta.Column()
	e.commit()
	e.load(row-e.win/2, row, col)
}

// GoTo moves the cursor to a 1-based line and column (an error's place).
func (e *JSONEditor) GoTo(line, col int) {
	if e.readOnly {
		return
	}
	e.commit()
	row := max(0, min(line-1, len(e.lines)-1))
	e.load(row-e.win/2, row, max(col-1, 0))
}

// Update handles keys and paste while focused, and validation results.
// It returns a command only for background validation.
func (e *JSONEditor) Update(msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case checkDueMsg:
		if m.ed != e || m.gen != e.gen {
			return nil
		}
		text, gen, validate := e.Value(), e.gen, e.validate
		return func() tea.Msg { return checkedMsg{ed: e, gen: gen, err: validate(text)} }
	case checkedMsg:
		if m.ed == e && m.gen == e.gen {
			e.err, e.checked = m.err, true
		}
		return nil
	case tea.KeyPressMsg:
		if !e.Focused() {
			return nil
		}
		switch {
		case key.Matches(m, e.ta.KeyMap.InputBegin):
			e.commit()
			e.load(0, 0, 0)
			return nil
		case key.Matches(m, e.ta.KeyMap.InputEnd):
			e.commit()
			last := len(e.lines) - 1
			e.load(last-e.win+1, last, len([]rune(e.lines[last])))
			return nil
		}
	case tea.PasteMsg:
		if !e.Focused() {
			return nil
		}
		// Escape sequences go whole: the textarea drops only the ESC byte
		// and would leave "[H" or "]52;c;…" in the body.
		m.Content = CleanBlock(m.Content)
		msg = m
		if len(m.Content) > directPaste {
			return e.paste(m.Content)
		}
	default: // the textarea's own messages (clipboard paste) matter only while focused
		if !e.Focused() {
			return nil
		}
	}
	var cmd tea.Cmd
	e.ta, cmd = e.ta.Update(msg)
	changed := e.ta.Value() != e.winText
	if changed {
		e.winText = e.ta.Value()
	}
	e.recenter()
	if changed {
		return tea.Batch(cmd, e.check())
	}
	return cmd
}

// paste splices a large paste into the document at the cursor.
func (e *JSONEditor) paste(s string) tea.Cmd {
	row, col := e.ws+e.ta.Line(), e.ta.Column()
	e.commit()
	line := []rune(e.lines[row])
	col = min(col, len(line))
	text := string(line[:col]) + normalize(s)
	after := string(line[col:])
	ins := strings.Split(text, "\n")
	endRow, endCol := row+len(ins)-1, len([]rune(ins[len(ins)-1]))
	ins[len(ins)-1] += after
	e.lines = slices.Replace(e.lines, row, row+1, ins...)
	for _, l := range ins {
		if len(l) > LongLine { // now too long to edit here
			e.SetValue(strings.Join(e.lines, "\n"))
			return nil
		}
	}
	e.load(endRow-e.win/2, endRow, endCol)
	return e.check()
}

// check re-validates after a change: at once for small bodies, after a
// pause and off the event loop for large ones.
func (e *JSONEditor) check() tea.Cmd {
	e.gen++
	if e.Size() <= syncCheck {
		e.err, e.checked = e.validate(e.Value()), true
		return nil
	}
	e.checked = false
	ed, gen := e, e.gen
	return tea.Tick(checkDelay, func(time.Time) tea.Msg { return checkDueMsg{ed: ed, gen: gen} })
}

// Format pretty-prints the body (2-space indent). Invalid JSON is left as
// it is and the error returned.
func (e *JSONEditor) Format() error {
	if e.rules.Format == nil {
		return nil
	}
	out, err := e.rules.Format(e.Value())
	if err != nil {
		e.err, e.checked = err, true
		return err
	}
	e.SetValue(out)
	return nil
}

// DescribeErr renders a validation error as "line 3, column 5: message".
func DescribeErr(err error) string {
	if err == nil {
		return ""
	}
	return Clean(err.Error())
}

// View draws the editor in w x h: the text and a status line.
// SetSize lays the editor out for w x h (status line included). Call it
// from Update when the size changes: View changes nothing.
func (e *JSONEditor) SetSize(w, h int) {
	w, h = max(w, 10), max(h, 2)
	if w == e.w && h == e.h {
		return
	}
	e.w, e.h = w, h
	e.ta.SetWidth(w)
	e.ta.SetHeight(h - 1)
	// A page move must stay inside the window: keep a page of margin.
	e.margin = h + 1
	e.win = max(60, 3*h)
}

// View draws the editor in w x h; the textarea inside is drawn at the size
// SetSize gave it (they agree when the caller sizes it in Update).
func (e *JSONEditor) View(w, h int) string {
	w, h = max(w, 10), max(h, 2)
	var body string
	if e.readOnly {
		body = e.preview(w, h-1)
	} else {
		body = e.ta.View()
	}
	return Block(body, w, h-1) + "\n" + e.status(w)
}

// preview shows the start of a read-only body, each line cut to the width.
func (e *JSONEditor) preview(w, h int) string {
	st := e.st
	note := st.Warn.Render(fmt.Sprintf("Read-only: line %d is %s long, too long to edit here.", e.longLine, HumanBytes(e.longLen)))
	if e.Hint != "" {
		note += " " + st.Muted.Render(e.Hint)
	}
	note = lipgloss.NewStyle().Width(w).Render(note)
	out := []string{note}
	rest := e.raw
	for len(out) < h && rest != "" {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if len(line) > 4*w { // cut before measuring: the line may be a megabyte
			line = line[:4*w]
		}
		out = append(out, Fit(Clean(line), w))
	}
	return strings.Join(out, "\n")
}

// status is "ln 3/40 · col 5 · 1.2 KB   ✓ valid JSON" or the error.
func (e *JSONEditor) status(w int) string {
	st := e.st
	l, c := e.Cursor()
	left := st.Muted.Render(fmt.Sprintf("ln %d/%d · col %d · %s", l, e.Lines(), c, HumanBytes(e.Size())))
	var right string
	switch {
	case e.rules.MaxSize > 0 && e.Size() > e.rules.MaxSize:
		right = st.Err.Render("✗ over the " + HumanBytes(e.rules.MaxSize) + " limit")
	case !e.checked:
		right = st.Muted.Render("checking…")
	case e.err == nil:
		right = st.OK.Render("✓ valid JSON")
	default:
		right = st.Err.Render("✗ " + DescribeErr(e.err))
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 { // the error matters more than the position
		return Fit(right, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

// HumanBytes formats a size: "512 B", "1.2 KB", "5.0 MB".
func HumanBytes(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}
