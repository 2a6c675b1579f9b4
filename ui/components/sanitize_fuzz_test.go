package components

// Fuzz targets for the sanitizer every server string passes through before
// it is drawn: resource names, descriptions, error messages and scoring
// responses are hostile input. Seeds run as plain tests; the long runs are
// e.g. `go test -run XXX -fuzz '^FuzzCleanLine$' -fuzztime 60s -parallel 2 ./ui/components/`.

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// fzHostile are the strings a malicious server would send: clipboard write
// (OSC 52), title change, hyperlinks, screen clear, cursor moves, 8-bit C1
// controls as runes and as raw bytes, bidi overrides, broken UTF-8 that tries
// to swallow an ESC, and unterminated sequences.
var fzHostile = []string{
	"\x1b]52;c;ZXZpbA==\x07", "\x1b]0;title\x07", "\x1b]2;title\x1b\\", "\x1b[2J", "\x1b[H\x1b[3J", "\u009b31m", "\x9b31m",
	"\u009d0;t\u009c", "\x9d0;t\x9c", "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "\x1bP+q544e\x1b\\",
	"\x1b_Gf=100;AAAA\x1b\\", "\x1b^pm\x1b\\", "\x1bXsos\x1b\\", "\x1b7\x1b[1;1H\x1b8", "\x1bc", "\x1b(0lqk\x1b(B",
	"ep\x07\x08\x7f\x00", "a\r\nb\rc\n\td", "\u202eevil\u202c", "\u2066x\u2069", "\xe2\x1b]52;c;eA==\x07", "\xf0\x9f\x98",
	"\x1b]0;unterminated", "\x1b[", "\x1b", "\xc2", "\xc2\x9b6n", "ok ✓ 名前 émoji 🙂", "plain-ascii_name.01", "",
}

// fzUnsafe reports the runes Clean promises never to emit (CleanBlock
// allows '\n' too): C0 including ESC and BEL, DEL, C1, bidi embeddings and
// isolates, and U+FFFD (what broken UTF-8 decodes to).
func fzUnsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError
}

// fzSafeOnly keeps the runes of s that Clean is meant to leave alone.
func fzSafeOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !fzUnsafe(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fzCheckLine fails if out is not drawable on one line.
func fzCheckLine(t *testing.T, fn, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q is not valid UTF-8", fn, in, out)
	}
	for _, r := range out {
		if fzUnsafe(r) {
			t.Fatalf("%s(%q) = %q keeps %U", fn, in, out, r)
		}
	}
}

// FuzzCleanLine: Clean never panics; its output is valid UTF-8 with no ESC,
// BEL or other C0, no DEL, no C1, no bidi override; it never grows the
// string; it is idempotent; and it leaves text that has nothing unsafe in it
// exactly as it was (it strips sequences, not names).
func FuzzCleanLine(f *testing.F) {
	for _, s := range fzHostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		fzCheckLine(t, "Clean", s, out)
		if len(out) > len(s) {
			t.Fatalf("Clean(%q) = %q grew", s, out)
		}
		if again := Clean(out); again != out {
			t.Fatalf("Clean is not idempotent: %q -> %q -> %q", s, out, again)
		}
		if safe := fzSafeOnly(s); Clean(safe) != safe {
			t.Fatalf("Clean(%q) = %q: it removed text that was safe", safe, Clean(safe))
		}
	})
}

// FuzzCleanBlockLines: CleanBlock never panics; its output has no control
// but '\n'; it keeps the line structure ("\r\n" counts as one break) with
// each line cleaned as Clean cleans it, so a sequence on one line cannot eat
// the next; and it is idempotent.
func FuzzCleanBlockLines(f *testing.F) {
	for _, s := range fzHostile {
		f.Add(s)
	}
	f.Add("line one\x1b]0;swallow\nline two\x07\r\nline three\x1b[31m\n")
	f.Add("{\n  \"error\": \"\x1b]52;c;ZXZpbA==\x07\"\n}")
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanBlock(s)
		in := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		lines := strings.Split(out, "\n")
		if len(lines) != len(in) {
			t.Fatalf("CleanBlock(%q) = %q: %d lines, want %d", s, out, len(lines), len(in))
		}
		for i, l := range lines {
			fzCheckLine(t, "CleanBlock", s, l)
			if l != Clean(in[i]) {
				t.Fatalf("CleanBlock(%q) line %d = %q, want Clean(%q) = %q", s, i, l, in[i], Clean(in[i]))
			}
		}
		if again := CleanBlock(out); again != out {
			t.Fatalf("CleanBlock is not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}

// FuzzCleanStripsSequences puts one whole escape sequence of each family
// between two pieces of safe text: Clean must remove the sequence and its
// payload entirely and keep the text on both sides, so a server cannot hide
// a clipboard write, a title change or a cursor move inside a name.
//
// It found that an empty DCS, "ESC P ESC \", hid all the text after it
// (x/ansi keeps an ESC right after ESC P as DCS data); sanitize.go now drops
// such an "ESC P" first, and testdata/fuzz/FuzzCleanStripsSequences keeps
// the input.
func FuzzCleanStripsSequences(f *testing.F) {
	f.Add("ep-", "evil", "-blue", uint8(0))
	f.Add("", "title", "", uint8(1))
	f.Add("see ", "https://evil.example", "link", uint8(2))
	f.Add("a", "2", "b", uint8(3))
	f.Add("名前", "+q544e", "✓", uint8(4))
	f.Add("x", "Gf=100;AAAA", "y", uint8(5))
	f.Add("x", "pm", "y", uint8(6))
	f.Add("x", "sos", "y", uint8(7))
	f.Add("x", "", "y", uint8(8))
	f.Add("x", "1;1", "y", uint8(9))
	f.Fuzz(func(t *testing.T, before, payload, after string, kind uint8) {
		before, after = fzSafeOnly(before), fzSafeOnly(after)
		// The payload stays inside its sequence: printable ASCII only, which
		// cannot terminate a string sequence early.
		p := strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, payload)
		digits := strings.Map(func(r rune) rune {
			if (r >= '0' && r <= '9') || r == ';' {
				return r
			}
			return -1
		}, payload)
		const st = "\x1b\\"
		seq := [...]string{
			"\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(payload)) + "\x07", // clipboard write
			"\x1b]0;" + p + st,              // window title
			"\x1b]8;;" + p + "\x07",         // hyperlink (opening half)
			"\x1b[" + digits + "J",          // erase display
			"\x1bP" + p + st,                // DCS (terminal queries)
			"\x1b_" + p + st,                // APC (kitty graphics)
			"\x1b^" + p + st,                // PM
			"\x1bX" + p + st,                // SOS
			"\x1b7\x1b8\x1bc",               // save/restore cursor, full reset
			"\x1b[" + digits + "H\x1b[?25l", // cursor position, hide cursor
		}[int(kind)%10]
		in := before + seq + after
		if got := Clean(in); got != before+after {
			t.Fatalf("Clean(%q) = %q, want %q", in, got, before+after)
		}
		if got := CleanBlock(in + "\n" + in); got != before+after+"\n"+before+after {
			t.Fatalf("CleanBlock(%q) = %q", in+"\n"+in, got)
		}
	})
}
