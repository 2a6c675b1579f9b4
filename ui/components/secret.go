package components

import (
	"log/slog"
	"strings"
	"time"

	"amlauth-tui/ui/theme"
)

// Secret holds one key or token for display. It is masked unless revealed,
// and every reveal has an end: Reveal takes a duration and Expire (called
// on each clock tick) masks it again once the time is up. Printing, logging
// or marshalling a Secret never shows the value; only Value does.
type Secret struct {
	value string
	until time.Time // the reveal ends here; zero = masked
}

// Mask is what a masked secret shows: a fixed width, so it says nothing of the value's length.
const Mask = "••••••••••••••••••••••••"

// redacted is what fmt, slog and encoders print instead of the value.
const redacted = "[secret]"

// NewSecret holds v, masked.
func NewSecret(v string) Secret { return Secret{value: v} }

// Set replaces the value and masks it (a new key is not revealed by the old reveal).
func (s *Secret) Set(v string) { *s = Secret{value: v} }

// Clear forgets the value.
func (s *Secret) Clear() { *s = Secret{} }

// Value is the secret itself: for copying and sending, never for logging.
func (s Secret) Value() string { return s.value }

// Empty reports that there is no value.
func (s Secret) Empty() bool { return s.value == "" }

// Reveal shows the value until now+d.
func (s *Secret) Reveal(now time.Time, d time.Duration) {
	if s.value != "" && d > 0 {
		s.until = now.Add(d)
	}
}

// Hide masks the value now.
func (s *Secret) Hide() { s.until = time.Time{} }

// Revealed reports whether the value is shown at now.
func (s Secret) Revealed(now time.Time) bool { return s.value != "" && now.Before(s.until) }

// Left is how long the reveal still lasts (0 when masked).
func (s Secret) Left(now time.Time) time.Duration {
	if !s.Revealed(now) {
		return 0
	}
	return s.until.Sub(now)
}

// Expire masks the value if its reveal is over; it reports whether it did.
func (s *Secret) Expire(now time.Time) bool {
	if !s.until.IsZero() && !now.Before(s.until) {
		s.until = time.Time{}
		return true
	}
	return false
}

// String, GoString, LogValue and the marshallers keep the value out of
// fmt, %#v, slog and any encoder it might be handed to by mistake.
func (s Secret) String() string               { return redacted }
func (s Secret) GoString() string             { return redacted }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Lines renders the value for display in w cells: the mask, or when revealed
// the value cut into lines of w cells (keys and tokens have no spaces to
// wrap at). The value is sanitized: it came from a server.
func (s Secret) Lines(st *theme.Styles, now time.Time, w int) []string {
	if !s.Revealed(now) {
		return []string{st.Muted.Render(Fit(Mask, w))}
	}
	v := []rune(Clean(s.value))
	w = max(w, 8)
	var out []string
	for len(v) > 0 {
		n := min(w, len(v))
		out = append(out, st.Secret.Render(string(v[:n])))
		v = v[n:]
	}
	return out
}

// ExpiryBar draws a credential's life as w cells: full when issued, empty at
// expiry, shrinking from the right as time passes. A mark (│) sits where the
// remaining life reaches refreshAfter (if set): when the bar shrinks past
// it, it is time to get a new token.
func ExpiryBar(st *theme.Styles, w int, issued, refreshAfter, expires, now time.Time) string {
	w = max(w, 4)
	life := expires.Sub(issued)
	if life <= 0 {
		return st.Err.Render(strings.Repeat("░", w))
	}
	frac := func(t time.Time) float64 { return min(max(float64(expires.Sub(t))/float64(life), 0), 1) }
	full := int(frac(now)*float64(w) + 0.5)
	if full == 0 && now.Before(expires) {
		full = 1 // a live token never shows an empty bar
	}
	mark := -1
	if !refreshAfter.IsZero() && refreshAfter.After(issued) && refreshAfter.Before(expires) {
		mark = min(int(frac(refreshAfter)*float64(w)), w-1)
	}
	fill := st.OK
	switch {
	case !now.Before(expires):
		fill = st.Err
	case mark >= 0 && !now.Before(refreshAfter):
		fill = st.Warn
	}
	var b strings.Builder
	for i := range w {
		switch {
		case i == mark:
			b.WriteString(st.Warn.Render("│"))
		case i < full:
			b.WriteString(fill.Render("█"))
		default:
			b.WriteString(st.Subtle.Render("░"))
		}
	}
	return b.String()
}
