package nav

import (
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/theme"
)

// ClaimChecks draws a token's checks (the ones the docs ask users to make
// with jwt.ms: audience, identity, expiry, tenant) as ✓/✗ lines, each
// detail wrapped under itself: it says what to do when a check fails.
// The credentials screen and the identity card draw them the same way.
func ClaimChecks(st *theme.Styles, checks []azure.ClaimCheck, w int) []string {
	var out []string
	for _, c := range checks {
		mark, style := st.OK.Render("✓ "), st.OK
		if !c.OK {
			mark, style = st.Err.Render("✗ "), st.Err
		}
		detail := strings.Split(style.Width(max(w-7, 10)).Render(components.Clean(c.Detail)), "\n")
		for i, d := range detail {
			lead := strings.Repeat(" ", 7)
			if i == 0 {
				lead = mark + st.Bold.Render(components.Pad(components.Clean(c.Name), 5))
			}
			out = append(out, lead+d)
		}
	}
	return out
}
