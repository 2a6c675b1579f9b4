// Package score is the request editor and response viewer. PLACEHOLDER: being written.
package score

import (
	"amlauth-tui/ui/nav"
)

// New opens the request editor.
func New(env *nav.Env, msg nav.ScoreMsg) nav.Screen { return nav.Placeholder("Test request") }
