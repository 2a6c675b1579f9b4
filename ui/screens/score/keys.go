package score

import (
	"charm.land/bubbles/v2/key"
)

var (
	keySend    = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send"))
	keyEdit    = key.NewBinding(key.WithKeys("enter", "i"), key.WithHelp("enter", "edit body"))
	keyPane    = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane"))
	keyPaneBck = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane"))
	keyTarget  = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deployment"))
	keyCred    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "credential"))
	keyFormat  = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "format"))
	keyOpen    = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "load file"))
	keyEditor  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "$EDITOR"))
	keyHistory = key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history"))
	keyExport  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export"))
	keyRepeat  = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "repeat N"))
	keyCheck   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check access"))
	keyCopy    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy response"))
	keyScroll  = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown", "home", "end"), key.WithHelp("↑/↓", "scroll"))
	// While typing: letters are text, so the file actions move to ctrl keys
	// the textarea leaves free.
	keyOpenT   = key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "load file"))
	keyEditorT = key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "$EDITOR"))
)

// Keys are the footer's bindings for what has the keyboard.
func (s *Screen) Keys() []key.Binding {
	switch {
	case s.modal == promptFile || s.modal == promptAzFile || s.modal == promptRepeat:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok"))}
	case s.modal == modalHistory:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "re-send")),
			key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "show")), keyScroll}
	case s.modal != modalNone:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), keyScroll}
	case s.typing:
		return []key.Binding{keySend, keyPane, keyOpenT, keyEditorT}
	}
	ks := []key.Binding{keySend, keyEdit, keyPane, keyTarget, keyCred, keyHistory, keyExport, keyRepeat, keyFormat, keyOpen, keyEditor, keyCheck}
	if s.res != nil {
		ks = append(ks, keyCopy, keyScroll)
	}
	return ks
}
