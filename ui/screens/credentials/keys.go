package credentials

import (
	"charm.land/bubbles/v2/key"

	"amlauth-tui/azure"
)

var (
	keyMove    = key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "select"))
	keyScroll  = key.NewBinding(key.WithKeys("up", "down", "k", "j", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll claims"))
	keyReveal  = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal"))
	keyCopy    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy"))
	keyExport  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "copy as export"))
	keyCurl    = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy as curl"))
	keyEditor  = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "use in request editor"))
	keyRegen   = key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "regenerate"))
	keyRefresh = key.NewBinding(key.WithKeys("R", "f5"), key.WithHelp("R", "refresh"))
	keyAuto    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-refresh"))
	keyMgmt    = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "control-plane token"))
	keyCheck   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check access"))
	keyBack    = key.NewBinding(key.WithKeys("esc"))
)

// Keys are the bindings that apply now, most used first.
func (s *Screen) Keys() []key.Binding {
	ks := []key.Binding{keyReveal, keyCopy, keyExport, keyCurl}
	if !s.showMgmt {
		ks = append(ks, keyEditor)
	}
	switch {
	case s.showMgmt:
		ks = append(ks, key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "data-plane credential")))
	case s.mode == azure.AuthKey:
		ks = append(ks, keyMove, keyRegen)
	case len(s.slots) > 0:
		ks = append(ks, keyAuto) // tokens: AML and Entra
	}
	if s.showMgmt || s.mode != azure.AuthKey {
		ks = append(ks, keyScroll)
	}
	ks = append(ks, keyRefresh, keyCheck)
	if !s.showMgmt {
		ks = append(ks, keyMgmt)
	}
	return ks
}
