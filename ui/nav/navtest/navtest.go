// Package navtest helps screen tests run commands the way the root would,
// synchronously: one helper instead of a copy per test package.
package navtest

import (
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Msgs runs cmd and returns its messages, batches expanded and spinner
// ticks dropped (they re-arm forever).
func Msgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, Msgs(c)...)
		}
		return out
	case spinner.TickMsg, nil:
		return nil
	default:
		return []tea.Msg{m}
	}
}
