// Package components holds the reusable widgets screens are built from:
// the filterable resource table, the countdown and the sanitizer every
// server string passes through before it is drawn.
package components

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Clean makes a server-supplied string harmless to draw on one line: escape
// sequences (CSI, OSC, DCS...) are removed, remaining control characters
// (C0, DEL, C1) and bidi overrides are dropped, newlines and tabs become
// spaces. A name like "ep\x1b]52;c;...\a" cannot reach the terminal.
func Clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = ansi.Strip(dropEmptyDCS(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings/isolates
		case r == unicode.ReplacementChar:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dropEmptyDCS: a terminal ends a DCS at an ESC right after "ESC P", but
// x/ansi keeps that ESC as DCS data and hides everything up to the next
// string terminator — text a terminal would show (found by fuzzing).
// A raw 0x90 byte is not matched: it can be a UTF-8 continuation byte.
func dropEmptyDCS(s string) string {
	for strings.Contains(s, "\x1bP\x1b") {
		s = strings.ReplaceAll(s, "\x1bP\x1b", "\x1b")
	}
	// A C1 CSI written as the character U+009B is a whole sequence to a
	// terminal: spell it ESC [ so Strip drops its parameters too ("31m").
	return strings.ReplaceAll(s, "\u009b", "\x1b[")
}

// CleanBlock is Clean for multi-line text: newlines survive, tabs become spaces.
func CleanBlock(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return strings.Join(lines, "\n")
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
