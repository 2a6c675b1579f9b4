package browse

import (
	"charm.land/bubbles/v2/key"

	"amlauth-tui/ui/components"
)

var (
	keyRefresh = key.NewBinding(key.WithKeys("R", "f5"), key.WithHelp("R", "refresh"))
	keyCopy    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy id"))
	keyError   = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "error details"))
	keyNew     = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new endpoint"))
)

var keyAllWorkspaces = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "workspaces in all"))

func (s *Subscriptions) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyAllWorkspaces, keyRefresh, keyCopy}
}

func (s *Workspaces) Keys() []key.Binding {
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyNew, keyRefresh, keyCopy}
}

// keyResume reads the list on from the page that failed (R starts over).
var keyResume = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume loading"))

func (s *Endpoints) Keys() []key.Binding {
	if s.resumable() {
		return []key.Binding{keyResume, components.KeyOpen, components.KeyFilter, keyNew, keyRefresh, keyCopy}
	}
	return []key.Binding{components.KeyOpen, components.KeyFilter, keyNew, keyRefresh, keyCopy}
}

var (
	keyCopyURI     = key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy scoring URI"))
	keyCopySwagger = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "copy swagger URI"))
	keyScroll      = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	keyCheck       = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check access"))
	keyCreds       = key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "keys & tokens"))
	keyTest        = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "test request"))
	keyAuthMode    = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "change auth mode"))
	keyDelete      = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete"))
	// Deployments (issue 17).
	keyNewDep  = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new deployment"))
	keyTraffic = key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "traffic & delete deployments"))
	keyLogs    = key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "deployment logs"))
	keyCanRun  = key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "can it run?"))
)

func (d *Details) Keys() []key.Binding {
	if d.err != nil && !d.deleted { // the endpoint could not be read: nothing to act on
		return []key.Binding{keyError, keyRefresh, keyCopy}
	}
	ks := []key.Binding{keyCreds, keyTest, keyCheck, keyNewDep, keyTraffic, keyLogs, keyCanRun, keyAuthMode, keyDelete, keyScroll, keyCopy, keyCopyURI, keyCopySwagger, keyRefresh}
	if d.erred() {
		return append([]key.Binding{keyError}, ks...)
	}
	return ks
}
