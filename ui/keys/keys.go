// Package keys holds the global key bindings (k9s/lazygit habits).
package keys

import "charm.land/bubbles/v2/key"

// Global are the bindings the root model handles on every screen.
type Global struct {
	Quit, ForceQuit, Help, Palette, Back, Redraw key.Binding
}

// New returns the global bindings.
func New() Global {
	return Global{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:   key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":", "go to")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Redraw:    key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "redraw")),
	}
}

// List is the bindings in footer order.
func (g Global) List() []key.Binding { return []key.Binding{g.Back, g.Palette, g.Help, g.Quit} }
