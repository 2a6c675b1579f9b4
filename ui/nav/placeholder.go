package nav

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Placeholder is a screen that says it is not built yet. TEMPORARY: removed
// once the endpoint screens exist.
func Placeholder(title string) Screen { return placeholder(title) }

type placeholder string

func (p placeholder) Init() tea.Cmd                    { return nil }
func (p placeholder) Update(tea.Msg) (Screen, tea.Cmd) { return p, nil }
func (p placeholder) View(w, h int) string             { return string(p) + ": not built yet" }
func (p placeholder) Title() string                    { return string(p) }
func (p placeholder) Keys() []key.Binding              { return nil }
func (p placeholder) Typing() bool                     { return false }
