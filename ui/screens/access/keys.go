package access

import (
	"charm.land/bubbles/v2/key"

	"amlauth-tui/ui/components"
)

// The check's keys.
var (
	keyNext   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	keySearch = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "search / choose"))
	keyToggle = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle"))
	keyAll    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all/none"))
	keyAction = key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "type an action"))
	keyAssign = key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "assign a role that grants it"))
	keyRemove = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "remove the granting assignment"))
	keyRedo   = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "re-check"))
	keyBack   = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "back to what to check"))
	// w opens the whole evaluation behind the selected verdict.
	keyWhy      = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "why: the whole evaluation"))
	keyWhyClose = key.NewBinding(key.WithKeys("w", "esc"), key.WithHelp("w/esc", "back to the verdicts"))
	keyScroll   = key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll"))
)

// The assign wizard's keys.
var (
	keyApply    = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "apply"))
	keyStop     = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop verifying"))
	keyCopyAz   = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "copy az command"))
	keyCopyREST = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "copy REST request"))
	keyCopyRole = key.NewBinding(key.WithKeys("j"), key.WithHelp("j", "copy role.json + az command"))
	keyCopyMe   = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "copy their check command"))
	keyLeave    = key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "back to the check"))
)

// Keys are the check's bindings that apply now.
func (c *Check) Keys() []key.Binding {
	switch c.step {
	case stepWho:
		return []key.Binding{keySearch}
	case stepWhere:
		return []key.Binding{keyNext}
	case stepWhat:
		return []key.Binding{keyToggle, keyAll, keyAction, keyNext}
	}
	if c.explain {
		return []key.Binding{keyWhyClose, keyScroll, keyRedo}
	}
	ks := []key.Binding{keyWhy, keyRedo, keyBack}
	if v, ok := c.selected(); ok && canAssign(v) {
		ks = append(ks, keyAssign)
	}
	if v, ok := c.selected(); ok && removable(v) {
		ks = append(ks, keyRemove)
	}
	return ks
}

// Keys are the assign wizard's bindings that apply now.
func (a *Assign) Keys() []key.Binding {
	switch a.step {
	case aReview:
		ks := []key.Binding{keyApply, keyCopyAz, keyCopyREST}
		if a.create {
			ks = append(ks, keyCopyRole)
		}
		return append(ks, keyScroll)
	case aVerify, aDone:
		var ks []key.Binding
		if a.step == aVerify {
			ks = append(ks, keyStop)
		}
		if a.theirCommand() != "" {
			ks = append(ks, keyCopyMe)
		}
		return append(ks, keyScroll, keyLeave)
	case aApplying:
		return nil
	}
	return []key.Binding{keyNext, components.KeyFilter}
}
