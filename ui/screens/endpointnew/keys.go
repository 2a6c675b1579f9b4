package endpointnew

import (
	"charm.land/bubbles/v2/key"
)

// keyCheck opens the access check. A ctrl chord, so it works while typing.
var keyCheck = key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "check access"))

var (
	keyNext     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	keyField    = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	keyChoose   = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
	keyK8sName  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "compute name"))
	keyReload   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload"))
	keyCreate   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "create"))
	keyCopyYML  = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy yml"))
	keyCopyAz   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy az"))
	keyCopyREST = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "copy REST"))
	keyEditName = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "edit name"))
	keyDetails  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "error details"))
	keyRetry    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "retry"))
)

func (c *Create) Keys() []key.Binding {
	var ks []key.Binding
	switch c.step {
	case cName:
		ks = []key.Binding{keyNext}
	case cDetails:
		ks = []key.Binding{keyField, keyNext}
	case cCompute:
		ks = []key.Binding{keyChoose, keyNext}
		if c.k8s && !c.typingCompute {
			ks = append(ks, keyK8sName)
		}
	case cAuth:
		ks = []key.Binding{keyChoose, keyNext}
	case cIdentity:
		ks = []key.Binding{keyNext, keySecrets, keyReload}
	case cReview:
		ks = []key.Binding{keyCreate, keyCopyYML, keyCopyAz, keyCopyREST, keyEditName}
		if c.startErr != nil {
			ks = append(ks, keyDetails)
		}
	case cRun:
		if c.watch.failed() { // while it runs, the root's esc leaves (it keeps running)
			ks = []key.Binding{keyRetry, keyDetails}
		}
	}
	if c.gate.warns() {
		ks = append(ks, keyCheck)
	}
	return ks
}

var (
	keyApply = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "change it"))
)

func (a *AuthMode) Keys() []key.Binding {
	var ks []key.Binding
	switch a.step {
	case amPick:
		ks = []key.Binding{keyChoose, keyNext}
	case amConfirm:
		ks = []key.Binding{keyApply, keyCopyAz, keyCopyREST}
		if a.startErr != nil {
			ks = append(ks, keyDetails)
		}
	case amRun:
		if a.watch.failed() {
			ks = []key.Binding{keyRetry, keyDetails}
		}
	}
	if a.gate.warns() || a.step == amRun {
		ks = append(ks, keyCheck)
	}
	return ks
}

var keyDelete = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "delete"))

func (d *Delete) Keys() []key.Binding {
	var ks []key.Binding
	switch {
	case !d.running:
		ks = []key.Binding{keyDelete}
		if d.startErr != nil {
			ks = append(ks, keyCheck)
		}
	case d.watch.failed():
		ks = []key.Binding{keyRetry, keyDetails}
	}
	if d.gate.warns() && !d.running && d.startErr == nil {
		ks = append(ks, keyCheck)
	}
	return ks
}
