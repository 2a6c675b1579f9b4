package signin

import (
	"charm.land/bubbles/v2/key"

	"amlauth-tui/ui/components"
)

var (
	keyChoose   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	keyCancel   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keyBrowser  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open browser"))
	keyCopyCode = key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy code"))
	keyApprove  = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve as persona (demo)"))
	keyContinue = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue"))
	keyClaims   = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "claims"))
	keyTenant   = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "switch tenant"))
	keySignOut  = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "sign in again"))
)

func (s *Screen) Keys() []key.Binding {
	switch s.phase {
	case phaseMethods, phasePersonas, phaseTenants:
		return []key.Binding{keyChoose, components.KeyFilter}
	case phaseWorking:
		return []key.Binding{keyCancel}
	case phaseDeviceCode:
		ks := []key.Binding{keyBrowser, keyCopyCode, keyCancel}
		if s.env.ApproveDeviceCode != nil {
			ks = append(ks, keyApprove)
		}
		return ks
	case phaseCard:
		ks := []key.Binding{keyContinue, keyClaims, keySignOut}
		if len(s.tenantsL) > 1 {
			ks = append(ks, keyTenant)
		}
		return ks
	}
	return nil
}
