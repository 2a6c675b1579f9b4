package deploy

import "charm.land/bubbles/v2/key"

var (
	keyNext     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	keyChoose   = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
	keyReload   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload"))
	keyFix      = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fix: assign the role"))
	keyDeploy   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "deploy"))
	keyCopyYML  = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy yml"))
	keyCopyAz   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy az"))
	keyCopyREST = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "copy REST"))
	keyEditName = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "edit name"))
	keyRetry    = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "retry"))
	keyDetails  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "error details"))
	keyTraffic  = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set traffic"))
	keyScroll   = key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll"))
)

func (w *Wizard) Keys() []key.Binding {
	switch w.step {
	case sName:
		return []key.Binding{keyNext}
	case sModel, sEnv:
		return []key.Binding{keyNext, keyReload}
	case sCompute:
		return []key.Binding{keyChoose, keyNext}
	case sPreflight:
		ks := []key.Binding{keyNext}
		if r := w.pre.report; r != nil {
			if _, ok := fixable(r.Needs, w.pre.cursor); ok {
				ks = append(ks, keyFix)
			}
		}
		return append(ks, keyChoose, keyReload)
	case sReview:
		return []key.Binding{keyDeploy, keyCopyYML, keyCopyAz, keyCopyREST, keyEditName, keyScroll}
	case sRun:
		switch {
		case w.succeeded():
			return []key.Binding{keyTraffic}
		case w.failed():
			return []key.Binding{keyRetry, keyFix, keyDetails, keyScroll}
		}
	}
	return nil
}
