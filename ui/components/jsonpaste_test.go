package components

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// A pasted escape sequence goes whole, small paste or large: nothing like
// "[H" or "]52;c;…" is left in the body (the name field strips it the same way).
func TestJSONEditorPasteDropsEscapeSequencesWhole(t *testing.T) {
	for _, n := range []int{1, 2000} {
		e := editor(t, "", 40, 10)
		paste := strings.Repeat("{\"a\":\x1b[H 1}\x1b]52;c;aGk=\x07\n", n)
		e.Update(tea.PasteMsg{Content: paste})
		got := e.Value()
		for _, bad := range []string{"[H", "]52", "\x1b", "\x07"} {
			if strings.Contains(got, bad) {
				t.Fatalf("paste of %d lines left %q in the body: %q", n, bad, got[:min(len(got), 80)])
			}
		}
		if !strings.Contains(got, "{\"a\": 1}") {
			t.Fatalf("the text around the sequences was lost: %q", got[:min(len(got), 80)])
		}
	}
}
