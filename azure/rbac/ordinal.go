package rbac

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Azure compares resource names, ids and scopes with .NET's
// StringComparison.OrdinalIgnoreCase, not with Unicode case folding. The
// comparer "treats the characters in the strings to compare as if they were
// converted to uppercase by using the conventions of the invariant culture,
// and then performs a simple byte comparison that is independent of
// language" (https://learn.microsoft.com/dotnet/api/system.stringcomparer.ordinalignorecase,
// Remarks; https://learn.microsoft.com/dotnet/standard/base-types/best-practices-strings,
// "Ordinal string operations"). Since .NET 5 the upper-casing is Unicode's
// simple (one-to-one) mapping per code point, surrogate pairs included, except
// that no non-ASCII character maps to ASCII: U+0131 (dotless i) and U+017F
// (long s) stay as they are (dotnet/runtime#32247, OrdinalCasing).
//
// Go's strings.EqualFold folds along Unicode's case orbits instead, so the
// Kelvin sign U+212A matches "k" and U+017F matches "s": a name that Azure
// treats as a different resource would match an existing one.

// ordinalUpper is one code point upper-cased the way OrdinalIgnoreCase does.
func ordinalUpper(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	case r == 0x0131 || r == 0x017F:
		return r
	}
	return unicode.ToUpper(r)
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// EqualOrdinalIgnoreCase reports whether a and b are equal under .NET's
// OrdinalIgnoreCase. Bytes that are not valid UTF-8 compare as themselves.
func EqualOrdinalIgnoreCase(a, b string) bool {
	return CompareOrdinalIgnoreCase(a, b) == 0
}

// CompareOrdinalIgnoreCase orders a and b as .NET's
// string.Compare(a, b, StringComparison.OrdinalIgnoreCase) does: by the
// UTF-16 code units of the upper-cased strings. It returns -1, 0 or +1.
func CompareOrdinalIgnoreCase(a, b string) int {
	// ASCII first, a byte at a time: ids and scopes are almost always ASCII,
	// and decoding runes was most of an RBAC evaluation's time.
	i := 0
	for ; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			break
		}
		if ca == cb {
			continue
		}
		if ua, ub := upperASCII(ca), upperASCII(cb); ua != ub {
			if ua < ub {
				return -1
			}
			return 1
		}
	}
	a, b = a[i:], b[i:]
	for a != "" && b != "" {
		ra, na := decode(a)
		rb, nb := decode(b)
		a, b = a[na:], b[nb:]
		if ra == rb {
			continue
		}
		ua, ub := ordinalUpper(ra), ordinalUpper(rb)
		if ua == ub {
			continue
		}
		// Code points above the BMP sort as their high surrogate (0xD800-0xDBFF), as in UTF-16.
		if c := utf16Order(ua) - utf16Order(ub); c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
		if ua < ub {
			return -1
		}
		return 1
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// OrdinalKey is a map key under OrdinalIgnoreCase: two strings have the same
// key exactly when EqualOrdinalIgnoreCase holds. ASCII letters are
// lower-cased (so an ASCII id's key is strings.ToLower of it, the key the
// world's maps already use) and every other code point is upper-cased;
// the two never meet because no non-ASCII character upper-cases to ASCII.
func OrdinalKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		r, n := decode(s)
		switch {
		case r > unicode.MaxRune:
			b.WriteByte(s[0]) // invalid UTF-8 stays as it is
		case r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(ordinalUpper(r))
		}
		s = s[n:]
	}
	return b.String()
}

// decode is utf8.DecodeRuneInString, except that an invalid byte becomes a
// value no valid code point has (0x110000 + the byte), so it only equals itself.
func decode(s string) (rune, int) {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return 0x110000 + rune(s[0]), 1
	}
	return r, n
}

// utf16Order is the first UTF-16 code unit of r (invalid bytes sort last).
func utf16Order(r rune) int {
	switch {
	case r > unicode.MaxRune:
		return 0x10000 + int(r)
	case r >= 0x10000:
		return 0xD800 + int((r-0x10000)>>10)
	}
	return int(r)
}
