package score

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
)

// BenchmarkKeystroke1MB is one keystroke to one frame while editing a
// 1 MB pretty-printed body: the screen's Update and its View at 120x37
// (a 120x40 terminal). The editor holds only a window of the body; the
// body is validated after typing pauses, off the event loop, so that is
// not part of a keystroke (see components.BenchmarkValidate1MB).
func BenchmarkKeystroke1MB(b *testing.B) {
	var body strings.Builder
	body.WriteString("{\n  \"data\": [\n")
	for i := 0; body.Len() < 1<<20; i++ {
		fmt.Fprintf(&body, "    [%d, 2, 3, 4, 5, 6, 7, 8, 9, 10],\n", i)
	}
	body.WriteString("    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  ]\n}")
	s := newScreen(b, env(), endpoint(azure.AuthKey, "https://x.example/score"))
	s.editor.SetValue(body.String())
	s.View(120, 37)
	press(s, "enter")
	s.editor.GoTo(s.editor.Lines()/2, 6)
	keys := []tea.KeyPressMsg{{Code: '7', Text: "7"}, {Code: tea.KeyDown}, {Code: tea.KeyBackspace}, {Code: tea.KeyDown}}
	mb := float64(s.editor.Size()) / (1 << 20)
	for i := 0; b.Loop(); i++ {
		s.Update(keys[i%len(keys)]) // its command (the delayed check) is not run
		_ = s.View(120, 37)
	}
	b.ReportMetric(mb, "MB")
}
