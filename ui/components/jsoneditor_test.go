package components

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/theme"
)

func typeKey(e *JSONEditor, k tea.KeyPressMsg) tea.Cmd { return e.Update(k) }

func text(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

var (
	kDown      = tea.KeyPressMsg{Code: tea.KeyDown}
	kUp        = tea.KeyPressMsg{Code: tea.KeyUp}
	kEnter     = tea.KeyPressMsg{Code: tea.KeyEnter}
	kBackspace = tea.KeyPressMsg{Code: tea.KeyBackspace}
	kHome      = tea.KeyPressMsg{Code: tea.KeyHome}
	kDocStart  = tea.KeyPressMsg{Code: tea.KeyHome, Mod: tea.ModCtrl}
	kDocEnd    = tea.KeyPressMsg{Code: tea.KeyEnd, Mod: tea.ModCtrl}
)

// editor returns a focused editor holding body, drawn at 60x8, with a
// window of win lines so that tests cross its edges often.
func editor(t testing.TB, body string, win, margin int) *JSONEditor {
	return editorAt(t, body, 60, 8, win, margin)
}

func editorAt(t testing.TB, body string, w, h, win, margin int) *JSONEditor {
	t.Helper()
	e := NewJSONEditor(theme.New(true, false))
	e.SetSize(w, h) // sizes the window for h; the test then shrinks it
	e.win, e.margin = win, margin
	e.SetValue(body)
	e.Focus()
	return e
}

// jsonRows is a pretty JSON array of n numbered rows.
func jsonRows(n int) string {
	var b strings.Builder
	b.WriteString("{\n  \"data\": [\n")
	for i := 0; i < n; i++ {
		sep := ","
		if i == n-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    [%d, 2, 3]%s\n", i, sep)
	}
	b.WriteString("  ]\n}")
	return b.String()
}

func TestJSONEditorValidatesAsYouType(t *testing.T) {
	e := editor(t, "{\n  \"a\": 1\n}", 120, 20)
	if err, pending := e.Err(); err != nil || pending {
		t.Fatalf("valid body reported %v (pending %v)", err, pending)
	}
	e.Update(kDown)
	e.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	for _, k := range text(" x") {
		e.Update(k)
	}
	err, _ := e.Err()
	if got := DescribeErr(err); !strings.HasPrefix(got, "line 2, column 10:") {
		t.Fatalf("error %q, want line 2, column 10", got)
	}
	e.SetSize(100, 8)
	if v := ansi.Strip(e.View(100, 8)); !strings.Contains(v, "✗ line 2, column 10") || !strings.Contains(v, "ln 2/3 · col 11") {
		t.Fatalf("status line:\n%s", v)
	}
	e.Update(kBackspace)
	e.Update(kBackspace)
	if err, _ := e.Err(); err != nil {
		t.Fatalf("fixed body still invalid: %v", err)
	}
	e.SetSize(100, 8)
	if v := ansi.Strip(e.View(100, 8)); !strings.Contains(v, "✓ valid JSON") {
		t.Fatalf("status line:\n%s", v)
	}
}

func TestJSONEditorEmptyAndOversizeBodies(t *testing.T) {
	e := editor(t, "", 120, 20)
	if err, _ := e.Err(); err == nil || !strings.Contains(DescribeErr(err), "empty") {
		t.Fatalf("empty body: %v", err)
	}
	big := `{"a": "` + strings.Repeat("x", azure.MaxRequestBody) + `"}`
	e.SetValue(big)
	e.SetSize(60, 8)
	if !strings.Contains(ansi.Strip(e.View(60, 8)), "over the 5.0 MB limit") {
		t.Fatalf("oversize body not flagged:\n%s", ansi.Strip(e.View(60, 8)))
	}
}

// Moving through a document larger than the window and editing at its
// far end, then its start, keeps every other line as it was.
func TestJSONEditorWindowKeepsTheWholeDocument(t *testing.T) {
	body := jsonRows(500)
	e := editor(t, body, 12, 4)
	for i := 0; i < 300; i++ {
		e.Update(kDown)
	}
	if l, c := e.Cursor(); l != 301 || c != 1 {
		t.Fatalf("cursor at %d:%d after 300 downs", l, c)
	}
	if e.we-e.ws > 40 {
		t.Fatalf("the textarea holds %d lines; the window is 12", e.we-e.ws)
	}
	for _, k := range text("7") {
		e.Update(k)
	}
	e.Update(kDocEnd)
	e.Update(kEnter)
	e.Update(kDocStart)
	for _, k := range text(" ") {
		e.Update(k)
	}
	lines := strings.Split(body, "\n")
	lines[300] = "7" + lines[300]
	lines[0] = " " + lines[0]
	want := strings.Join(lines, "\n") + "\n"
	if got := e.Value(); got != want {
		t.Fatalf("document changed beyond the edits (len %d, want %d)", len(got), len(want))
	}
	if e.Size() != len(want) || e.Lines() != len(lines)+1 {
		t.Fatalf("size %d lines %d, want %d and %d", e.Size(), e.Lines(), len(want), len(lines)+1)
	}
	if err, _ := e.Err(); err == nil {
		t.Fatal("7 before a row is not valid JSON, yet no error")
	}
}

func TestJSONEditorGoToAndPaste(t *testing.T) {
	body := jsonRows(2000)
	e := editor(t, body, 40, 10)
	e.GoTo(1500, 5)
	if l, c := e.Cursor(); l != 1500 || c != 5 {
		t.Fatalf("GoTo(1500, 5) put the cursor at %d:%d", l, c)
	}
	// A paste too large for the textarea is spliced into the document.
	paste := strings.Repeat("[9],\n", 3000)
	e.Update(tea.PasteMsg{Content: paste})
	lines := strings.Split(body, "\n")
	l := lines[1499]
	lines[1499] = l[:4] + paste + l[4:]
	if got, want := e.Value(), strings.Join(lines, "\n"); got != want {
		t.Fatalf("paste spliced wrong (len %d, want %d)", len(got), len(want))
	}
	if l, c := e.Cursor(); l != 4500 || c != 1 {
		t.Fatalf("cursor after the paste at %d:%d, want 4500:1", l, c)
	}
}

func TestJSONEditorNormalizesLikeTheTextarea(t *testing.T) {
	e := editor(t, "{\r\n\t\"a\": 1\x07\r\n}", 120, 20)
	if got := e.Value(); got != "{\n    \"a\": 1\n}" {
		t.Fatalf("normalized to %q", got)
	}
	if err, _ := e.Err(); err != nil {
		t.Fatalf("CRLF and tabs are JSON whitespace: %v", err)
	}
}

// A body with a very long line is shown read-only with the owner's hint;
// formatting makes it editable.
func TestJSONEditorLongLineIsReadOnlyUntilFormatted(t *testing.T) {
	long := `{"data": [` + strings.TrimSuffix(strings.Repeat("[1,2,3],", 2000), ",") + `]}`
	e := NewJSONEditor(theme.New(true, false))
	e.Hint = "f formats it"
	e.SetValue(long)
	if !e.ReadOnly() || e.Focus() != nil || e.Focused() {
		t.Fatal("a long-lined body must be read-only and unfocusable")
	}
	e.SetSize(80, 10)
	v := ansi.Strip(e.View(80, 10))
	if !strings.Contains(v, "Read-only: line 1 is 15.6 KB long") || !strings.Contains(v, "f formats it") || !strings.Contains(v, `{"data": [[1,2,3]`) {
		t.Fatalf("preview:\n%s", v)
	}
	if e.Value() != long {
		t.Fatal("read-only value changed")
	}
	if err, _ := e.Err(); err != nil {
		t.Fatalf("valid body: %v", err)
	}
	if err := e.Format(); err != nil || e.ReadOnly() || e.Lines() < 2000 {
		t.Fatalf("formatted: err %v, read-only %v, %d lines", err, e.ReadOnly(), e.Lines())
	}
	if e.Focus(); !e.Focused() {
		t.Fatal("formatted body is editable")
	}
}

func TestJSONEditorFormatKeepsInvalidBody(t *testing.T) {
	e := editor(t, `{"a": [1, 2}`, 120, 20)
	err := e.Format()
	if err == nil || !strings.Contains(DescribeErr(err), "line 1, column 12") || e.Value() != `{"a": [1, 2}` {
		t.Fatalf("format of invalid JSON: %v, value %q", err, e.Value())
	}
}

// Large bodies are validated after a pause, off the event loop; an edit
// made meanwhile makes the pending check stale.
func TestJSONEditorLargeBodyChecksAfterPause(t *testing.T) {
	body := jsonRows(8000) // > 64 KB
	if len(body) <= syncCheck {
		t.Fatalf("test body too small: %d", len(body))
	}
	e := editor(t, body, 120, 20)
	calls := 0
	e.validate = func(s string) error { calls++; return validateJSON(s) }
	first := e.Update(text("x")[0])
	if _, pending := e.Err(); !pending || first == nil || calls != 0 {
		t.Fatalf("large edit: pending %v, cmd %v, %d synchronous checks", pending, first != nil, calls)
	}
	e.SetSize(60, 8)
	if !strings.Contains(ansi.Strip(e.View(60, 8)), "checking…") {
		t.Fatal("no checking… while a check is pending")
	}
	second := e.Update(kBackspace)
	staleDue := first() // the tick fires: due for the first edit
	if cmd := e.Update(staleDue); cmd != nil {
		t.Fatal("a check for a superseded edit ran")
	}
	check := e.Update(second())
	e.Update(check())
	if err, pending := e.Err(); pending || err != nil || calls != 1 {
		t.Fatalf("after the check: err %v, pending %v, calls %d", err, pending, calls)
	}
}

// FuzzJSONEditorEdits runs random edits on the windowed editor and on a
// plain textarea holding the whole document: the texts must stay equal,
// and the validation must agree with azure.ValidateJSON. Vertical moves
// start at column 0 (home first), where the textarea has no column memory
// for a re-window to lose.
//
// Every textarea key renders the whole document (about 35 µs a line with
// styles, at 256 columns): 80-line bodies and 120 edits made each exec
// take up to a second (9 execs/s). What matters is the windowing — a
// window of 8 lines with a margin of 3, moved by edits across its edges —
// and 30 lines with 60 edits cross those edges many times; the reference
// renders unstyled, without a virtual cursor, at 110 columns, and only for
// the edits that need its Update (moves call the textarea's methods).
func FuzzJSONEditorEdits(f *testing.F) {
	f.Add(jsonRows(20), []byte{0, 1, 1, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8})
	f.Add("{}", []byte{2, 2, 2, 0, 0, 0, 1, 1, 5, 9})
	f.Add("[\n1,\n2\n]\n", []byte{7, 1, 1, 3, 3, 3, 6, 6, 4})
	f.Fuzz(func(t *testing.T, body string, ops []byte) {
		// Small: the plain textarea re-renders all its lines on every key.
		if len(body) > 1200 || strings.Count(body, "\n") > 30 || len(ops) > 60 || strings.ContainsRune(body, '\uFFFD') {
			return
		}
		for _, l := range strings.Split(body, "\n") {
			if len(l) > 100 {
				return
			}
		}
		// Wide enough for no soft wrap (lines are at most 100): moves are by
		// logical line in both.
		e := editorAt(t, body, 110, 4, 8, 3)
		ref := textarea.New()
		ref.MaxHeight, ref.MaxWidth, ref.ShowLineNumbers, ref.Prompt = 0, 0, false, ""
		ref.SetStyles(textarea.Styles{})
		ref.SetVirtualCursor(false)
		ref.SetWidth(110)
		ref.SetHeight(3)
		ref.SetValue(normalize(body))
		ref.MoveToBegin()
		ref.Focus()
		if e.Value() != ref.Value() {
			t.Fatalf("initial values differ")
		}
		for _, op := range ops {
			var ks []tea.KeyPressMsg
			switch op % 10 {
			case 0:
				ks = []tea.KeyPressMsg{kHome, kDown}
			case 1:
				ks = []tea.KeyPressMsg{kHome, kDown, kDown, kDown}
			case 2:
				ks = []tea.KeyPressMsg{kHome, kUp}
			case 3:
				ks = text("{")
			case 4:
				ks = []tea.KeyPressMsg{kEnter}
			case 5:
				ks = []tea.KeyPressMsg{kBackspace}
			case 6:
				ks = []tea.KeyPressMsg{{Code: tea.KeyRight}}
			case 7:
				ks = []tea.KeyPressMsg{kDocEnd}
			case 8:
				ks = []tea.KeyPressMsg{kDocStart}
			case 9:
				ks = []tea.KeyPressMsg{{Code: tea.KeyDelete}}
			}
			for _, k := range ks {
				e.Update(k)
				// The moves and the typed rune call what the textarea's
				// Update calls for them, without its render of every line.
				switch {
				case k.Code == tea.KeyHome && k.Mod == tea.ModCtrl:
					ref.MoveToBegin()
				case k.Code == tea.KeyEnd && k.Mod == tea.ModCtrl:
					ref.MoveToEnd()
				case k.Code == tea.KeyHome && k.Mod == 0:
					ref.CursorStart()
				case k.Code == tea.KeyDown && k.Mod == 0:
					ref.CursorDown()
				case k.Code == tea.KeyUp && k.Mod == 0:
					ref.CursorUp()
				case k.Text == "{":
					ref.InsertRune('{')
				default:
					ref, _ = ref.Update(k)
				}
			}
			if got, want := e.Value(), ref.Value(); got != want {
				t.Fatalf("after op %d: windowed %q, plain %q", op%10, got, want)
			}
			if l, c := e.Cursor(); l != ref.Line()+1 || c != ref.Column()+1 {
				t.Fatalf("after op %d: cursor %d:%d, plain %d:%d", op%10, l, c, ref.Line()+1, ref.Column()+1)
			}
		}
		if e.Size() != len(e.Value()) || e.Lines() != ref.LineCount() {
			t.Fatalf("size %d (value %d), lines %d (plain %d)", e.Size(), len(e.Value()), e.Lines(), ref.LineCount())
		}
		got, _ := e.Err()
		want := azure.ValidateJSON([]byte(e.Value()))
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Fatalf("validation %v, azure says %v", got, want)
		}
	})
}

// BenchmarkKeystroke1MB is a keystroke to a frame in a 1 MB pretty-printed
// body: the editor's Update plus its View at 120x37, the screen size of a
// 120x40 terminal. Validation of such a body runs after a pause, off the
// keystroke (BenchmarkValidate1MB).
func BenchmarkKeystroke1MB(b *testing.B) {
	body := jsonRows(1 << 20 / 15)
	e := NewJSONEditor(theme.New(true, false))
	e.SetValue(body)
	e.SetSize(120, 30)
	e.View(120, 30)
	e.Focus()
	e.GoTo(e.Lines()/2, 5)
	b.Logf("body %s, %d lines", HumanBytes(e.Size()), e.Lines())
	keys := append(text("1"), kDown, kBackspace, kDown)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.Update(keys[i%len(keys)])
		e.SetSize(120, 30)
		_ = e.View(120, 30)
	}
}

func BenchmarkValidate1MB(b *testing.B) {
	body := jsonRows(1 << 20 / 15)
	for b.Loop() {
		_ = validateJSON(body)
	}
}
