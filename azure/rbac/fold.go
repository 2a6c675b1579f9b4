package rbac

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Azure compares action names, scopes and ids ordinal-ignore-case (.NET
// StringComparison.OrdinalIgnoreCase: each character is compared after the
// invariant culture's simple upper-case mapping, no Unicode case folding).
// Go's strings.EqualFold folds by Unicode orbits, so the Kelvin sign U+212A
// would match 'k'; U+212A upper-cases to itself, so ordinally it does not.
// Upper-casing each rune (unicode.ToUpper, the simple mapping) is the rule.
// https://learn.microsoft.com/dotnet/api/system.stringcomparison#fields (OrdinalIgnoreCase)

// upperOrdinal is the simple upper-case mapping of one rune.
func upperOrdinal(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}
	return unicode.ToUpper(r)
}

// equalFold reports whether a and b are equal under ordinal ignore-case.
// It does not allocate: ScopeContains runs it for every assignment.
func equalFold(a, b string) bool {
	for a != "" && b != "" {
		var ra, rb rune
		ra, a = nextRune(a)
		rb, b = nextRune(b)
		if ra != rb && upperOrdinal(ra) != upperOrdinal(rb) {
			return false
		}
	}
	return a == b
}

// nextRune decodes the first rune of s; a byte that is not UTF-8 comes back
// as its negated value, so two different invalid bytes never compare equal
// and no invalid byte equals a real rune.
func nextRune(s string) (rune, string) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), s[1:]
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return -rune(s[0]), s[1:]
	}
	return r, s[n:]
}

// foldKey is s under the ordinal upper-case mapping: a map key that
// compares as equalFold does.
func foldKey(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'a' || s[i] > 'z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for rest := s[i:]; rest != ""; {
		r, tail := nextRune(rest)
		if r < 0 { // an invalid byte stays as it is
			b.WriteByte(rest[0])
		} else {
			b.WriteRune(upperOrdinal(r))
		}
		rest = tail
	}
	return b.String()
}
