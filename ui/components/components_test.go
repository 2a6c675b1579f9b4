package components

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/ui/theme"
)

func TestCleanRemovesEscapesAndControls(t *testing.T) {
	cases := map[string]string{
		"churn-key":                              "churn-key",
		"ep\x1b]52;c;ZXZpbA==\x07name":           "epname", // OSC 52 clipboard write
		"\x1b[2J\x1b[Hwiped":                     "wiped",  // clear screen
		"red\x1b[31mtext\x1b[0m":                 "redtext",
		"tab\there\nnew\rline":                   "tab here new line",
		"bell\x07 del\x7f c1\u009b31m":           "bell del c1", // a C1 CSI goes whole, parameters too
		"bidi\u202egnp.exe":                      "bidignp.exe",
		"日本語 endpoint":                           "日本語 endpoint",
		"\x1bP+q\x1b\\dcs":                       "dcs",
		strings.Repeat("a", 3) + "\x1b[999;999H": "aaa",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	if got := CleanBlock("a\x1b[31m\nb\tc"); got != "a\nb c" {
		t.Errorf("CleanBlock kept lines wrong: %q", got)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("x\x1b]8;;http://evil\x07link\x1b]8;;\x07")
	f.Add("\x9b\x1b[")
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("control %U survived in %q -> %q", r, s, out)
			}
		}
	})
}

func TestBigTextRendersCodesAndRefusesUnknown(t *testing.T) {
	out, ok := BigText("AB-2")
	if !ok || strings.Count(out, "\n") != 2 {
		t.Fatalf("BigText: ok=%v %q", ok, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w != 4*4-1 {
			t.Errorf("row width %d, want 15: %q", w, l)
		}
	}
	if _, ok := BigText("a?"); ok {
		t.Error("BigText accepted a rune without a glyph")
	}
}

func TestCountdown(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Second: "expired", 0: "expired", 59 * time.Second: "00:59", 14*time.Minute + 59*time.Second: "14:59",
		time.Hour + 2*time.Minute: "1h02m",
	} {
		if got := Countdown(now, now.Add(d)); got != want {
			t.Errorf("Countdown(%s) = %q, want %q", d, got, want)
		}
	}
}

func rows(n int) []Row {
	out := make([]Row, n)
	for i := range out {
		mode := []string{"key", "aml_token", "aad_token"}[i%3]
		out[i] = Row{ID: fmt.Sprintf("ep-%05d", i), Cells: []string{fmt.Sprintf("endpoint-%05d", i), mode, "Managed", "Succeeded", "blue 100%"}}
	}
	return out
}

func newTable() Table {
	return NewTable(theme.New(true, false), "endpoints",
		Column{Title: "Name", Width: 16, Flex: true}, Column{Title: "Auth", Width: 9},
		Column{Title: "Compute", Width: 8}, Column{Title: "State", Width: 9}, Column{Title: "Traffic", Width: 12, Flex: true})
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestTableFilterNavigateAndChoose(t *testing.T) {
	tb := newTable()
	tb.SetRows(rows(100))
	tb.View(100, 20)
	if _, handled, _ := tb.Update(press("/")); !handled || !tb.Filtering() {
		t.Fatal("/ did not start filtering")
	}
	for _, c := range "aml_token" {
		tb.Update(press(string(c)))
	}
	if tb.Len() != 33 || tb.Total() != 100 {
		t.Fatalf("filter aml_token: %d of %d, want 33 of 100", tb.Len(), tb.Total())
	}
	view := ansi.Strip(tb.View(100, 20))
	if !strings.Contains(view, "33 of 100 endpoints") || strings.Contains(view, "endpoint-00000") {
		t.Fatalf("filtered view wrong:\n%s", view)
	}
	tb.Update(press("enter")) // leaves the filter, keeps it
	if tb.Filtering() || tb.Query() != "aml_token" {
		t.Fatalf("enter should keep the filter: filtering=%v query=%q", tb.Filtering(), tb.Query())
	}
	tb.Update(press("down"))
	r, _ := tb.Selected()
	if r.ID != "ep-00004" {
		t.Fatalf("second aml_token row is ep-00004, got %s", r.ID)
	}
	if _, _, chosen := tb.Update(press("enter")); !chosen {
		t.Fatal("enter did not choose the row")
	}
	if _, handled, _ := tb.Update(press("esc")); !handled || tb.Query() != "" || tb.Len() != 100 {
		t.Fatal("esc should clear the filter first")
	}
	if _, handled, _ := tb.Update(press("esc")); handled {
		t.Fatal("esc with no filter must be left to the screen (back)")
	}
	if r, _ := tb.Selected(); r.ID != "ep-00004" {
		t.Fatalf("clearing the filter lost the cursor: %s", r.ID)
	}
}

func TestTableKeepsCursorAcrossRefreshAndClamps(t *testing.T) {
	tb := newTable()
	tb.SetRows(rows(50))
	tb.View(100, 12)
	tb.Update(press("end"))
	if r, _ := tb.Selected(); r.ID != "ep-00049" {
		t.Fatalf("end: %s", r.ID)
	}
	tb.SetRows(append(rows(10), rows(50)[40:]...)) // ep-00049 still there, at a new index
	if r, _ := tb.Selected(); r.ID != "ep-00049" {
		t.Fatalf("refresh moved the cursor to %s", r.ID)
	}
	tb.SetRows(rows(3))
	if r, ok := tb.Selected(); !ok || r.ID != "ep-00002" {
		t.Fatalf("cursor not clamped after shrink: %v %s", ok, r.ID)
	}
	tb.SetRows(nil)
	if _, ok := tb.Selected(); ok {
		t.Fatal("empty table has a selection")
	}
	if v := ansi.Strip(tb.View(60, 5)); !strings.Contains(v, "No endpoints") {
		t.Fatalf("empty table should say so:\n%s", v)
	}
}

func TestTableMouse(t *testing.T) {
	tb := newTable()
	tb.SetRows(rows(30))
	tb.View(100, 10)
	// Row 0 is the header; y=3 is the third data row.
	_, _, chosen := tb.Update(tea.MouseClickMsg{X: 5, Y: 3, Button: tea.MouseLeft})
	if r, _ := tb.Selected(); r.ID != "ep-00002" || chosen {
		t.Fatalf("first click selects without opening: %s chosen=%v", r.ID, chosen)
	}
	if _, _, chosen := tb.Update(tea.MouseClickMsg{X: 5, Y: 3, Button: tea.MouseLeft}); !chosen {
		t.Fatal("second click on the selected row opens it")
	}
	tb.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if r, _ := tb.Selected(); r.ID != "ep-00005" {
		t.Fatalf("wheel moves 3 rows: %s", r.ID)
	}
	if _, handled, _ := tb.Update(tea.MouseClickMsg{X: 5, Y: 0, Button: tea.MouseLeft}); handled {
		t.Fatal("a click on the header selects nothing")
	}
}

func TestTableViewIsExactlySized(t *testing.T) {
	tb := newTable()
	tb.SetRows(rows(5))
	for _, sz := range [][2]int{{80, 10}, {120, 30}, {20, 3}, {1, 1}} {
		v := tb.View(sz[0], sz[1])
		lines := strings.Split(v, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Errorf("%dx%d: line %d cells wide: %q", sz[0], sz[1], w, ansi.Strip(l))
			}
		}
	}
}

// The numbers: a frame of a 10,000-row list under 2 ms, a filter
// keystroke to the new frame under 16 ms.
func BenchmarkTableView10k(b *testing.B) {
	tb := newTable()
	tb.SetRows(rows(10_000))
	tb.Update(press("end"))
	b.ReportAllocs()
	for b.Loop() {
		_ = tb.View(120, 36)
	}
}

func BenchmarkTableFilterKeystroke10k(b *testing.B) {
	tb := newTable()
	tb.SetRows(rows(10_000))
	tb.Update(press("/"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			tb.Update(press("7"))
		} else {
			tb.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		_ = tb.View(120, 36)
	}
}

// A column with a Style colours its cells by their text on plain rows; the
// selected row keeps the selection style whole (no cell's reset cuts its
// background short), and the text is unchanged.
func TestTableColumnStyleColoursCells(t *testing.T) {
	st := theme.New(true, false)
	tb := NewTable(st, "checks", Column{Title: " ", Width: 2, Style: func(c string) lipgloss.Style {
		if c == "✗" {
			return st.Err
		}
		return st.OK
	}}, Column{Title: "Operation", Width: 20, Flex: true})
	tb.SetRows([]Row{{ID: "a", Cells: []string{"✓", "read"}}, {ID: "b", Cells: []string{"✗", "list keys"}}, {ID: "c"}}) // c: no cells at all
	lines := strings.Split(tb.View(40, 5), "\n")
	if got := ansi.Strip(lines[1]); !strings.HasPrefix(got, "✓   read") {
		t.Fatalf("selected row text: %q", got)
	}
	if strings.Count(lines[1], "\x1b[0m")+strings.Count(lines[1], "\x1b[m") > 1 {
		t.Errorf("the selected row is styled whole, once: %q", lines[1])
	}
	if want := st.Err.Render("✗ "); !strings.HasPrefix(lines[2], want) || !strings.Contains(ansi.Strip(lines[2]), "✗   list keys") {
		t.Errorf("plain row: the mark in the error colour (%q), got %q", want, lines[2])
	}
}

// An overlay fits the width it is given, down to narrow terminals, and
// loses no text: long sentences wrap at words, a long id breaks.
func TestOverlayFitsItsWidthAndKeepsTheText(t *testing.T) {
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(1, 2)
	id := "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b/providers/Microsoft.Authorization/roleAssignments/ba3ca2e1-0281-4061-b357-b3a33bc1faa6"
	body := "Removing the role assignment: access denied\n\ncorrelation id (x-ms-correlation-request-id): a345f43c-09cd-4a27-8eb6-7eb13d3393d6\n" + id
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for _, w := range []int{32, 40, 60, 72, 76} {
		v := Overlay(box, body, "esc closes", w, 40, 0)
		for i, l := range strings.Split(v, "\n") {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("width %d: line %d is %d cells:\n%s", w, i, lw, v)
			}
		}
		inside := strings.NewReplacer("│", "", "╭", "", "╮", "", "╰", "", "╯", "", "─", "").Replace(v)
		if !strings.Contains(squash(inside), squash(body)) {
			t.Errorf("width %d: text lost:\n%s", w, v)
		}
	}
}

// An overlay taller than the terminal shows a window of its text: the
// border and the closing hint are never cut, it says there is more, and
// ↓, pgdn and the wheel reach the last line (drawn at 80x24 and 40x12;
// the goldens show the top and the bottom).
func TestGoldenOverlayFitsItsHeightAndScrolls(t *testing.T) {
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(1, 2)
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, fmt.Sprintf("line %d of the error details", i))
	}
	body, hint := strings.Join(lines, "\n"), "y copies the ids · esc closes"
	for _, sz := range [][2]int{{80, 24}, {40, 12}} {
		w, h := min(sz[0]-8, 76), sz[1]-2
		squash := func(s string) string {
			return strings.Join(strings.Fields(strings.NewReplacer("│", "", "╭", "", "╮", "", "─", "").Replace(s)), "")
		}
		check := func(t *testing.T, v string) {
			t.Helper()
			rows := strings.Split(v, "\n")
			if len(rows) > h {
				t.Errorf("%d rows, want at most %d:\n%s", len(rows), h, v)
			}
			for i, l := range rows {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("line %d is %d cells, want at most %d:\n%s", i, lw, w, v)
				}
			}
			if !strings.HasPrefix(rows[len(rows)-1], "╰") || !strings.HasSuffix(squash(strings.Join(rows[:len(rows)-1], "")), squash(hint)) {
				t.Errorf("the bottom border or the hint is cut:\n%s", v)
			}
		}
		for _, how := range []struct {
			name string
			msg  tea.Msg
		}{
			{"down", tea.KeyPressMsg{Code: tea.KeyDown}},
			{"pgdown", tea.KeyPressMsg{Code: tea.KeyPgDown}},
			{"wheel", tea.MouseWheelMsg{Button: tea.MouseWheelDown}},
		} {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], how.name), func(t *testing.T) {
				top := 0
				v := ansi.Strip(Overlay(box, body, hint, w, h, top))
				check(t, v)
				if !strings.Contains(v, "line 1 of") || !strings.Contains(v, "↓ more") {
					t.Errorf("the top should show line 1 and say there is more:\n%s", v)
				}
				first := v
				for range 100 {
					top = OverlayScroll(how.msg, box, body, hint, w, h, top)
				}
				v = ansi.Strip(Overlay(box, body, hint, w, h, top))
				check(t, v)
				if !strings.Contains(v, "line 40 of") || strings.Contains(v, "↓ more") {
					t.Errorf("scrolling did not reach the last line:\n%s", v)
				}
				if up := OverlayScroll(tea.KeyPressMsg{Code: tea.KeyUp}, box, body, hint, w, h, top); up != top-1 {
					t.Errorf("↑ from the bottom: top %d, want %d", up, top-1)
				}
				if how.name == "down" {
					golden.RequireEqual(t, first+"\n\n"+v)
				}
			})
		}
	}
	// A short body is drawn whole, with no window.
	if v := ansi.Strip(Overlay(box, "short", hint, 72, 22, 5)); strings.Contains(v, "more") || strings.Contains(v, "lines") || !strings.Contains(v, hint) {
		t.Errorf("a short overlay should be drawn whole:\n%s", v)
	}
}
