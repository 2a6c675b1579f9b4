package credentials

import (
	"time"

	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// claimLines are a token's checks (Entra tokens: the ones the docs ask
// users to make with jwt.ms — audience, identity, expiry, tenant) and its
// decoded claims. Everything is sanitized: the token came from a server.
func (s *Screen) claimLines(sl *slot, w int, now time.Time) []string {
	st := s.env.Styles
	if len(sl.meta.Claims) == 0 {
		return nil
	}
	var out []string
	if sess := s.svc(); sess != nil && (sl.group == gML || sl.group == gMgmt) {
		out = append(out, "", st.Title.Render("Checks"))
		out = append(out, nav.ClaimChecks(st, sess.CheckToken(sl.meta, s.audience(sl.group), now), w)...)
	}
	out = append(out, "", st.Title.Render("Claims")+st.Muted.Render("  decoded as jwt.ms would; not verified here"))
	vw := min(max(w-14-28, 24), 60)
	for _, c := range sl.meta.Claims {
		out = append(out, components.Fit("  "+st.Bold.Render(components.Pad(components.Clean(c.Name), 11))+" "+
			components.Pad(components.Fit(components.Clean(c.Value), vw), vw)+"  "+st.Muted.Render(components.Clean(c.Help)), w))
	}
	return out
}
