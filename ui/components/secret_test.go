package components

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/ui/theme"
)

const fakeKey = "k3yV4lu3-not-a-real-key-0123456789abcdef=="

func TestSecretMaskedUntilRevealedAndOnlyForTheDuration(t *testing.T) {
	st := theme.New(true, true)
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := NewSecret(fakeKey)
	if s.Revealed(t0) || strings.Contains(strings.Join(s.Lines(st, t0, 80), ""), fakeKey) {
		t.Fatal("a new secret must be masked")
	}
	s.Reveal(t0, 30*time.Second)
	if got := strings.Join(s.Lines(st, t0, 80), ""); got != fakeKey {
		t.Fatalf("revealed lines %q, want the value", got)
	}
	if l := s.Left(t0.Add(10 * time.Second)); l != 20*time.Second {
		t.Fatalf("left %s, want 20s", l)
	}
	if s.Expire(t0.Add(29 * time.Second)) {
		t.Fatal("expired a second early")
	}
	if !s.Expire(t0.Add(30*time.Second)) || s.Revealed(t0.Add(30*time.Second)) {
		t.Fatal("the reveal must end at its deadline")
	}
	// Expire masks for good: going back in time does not bring it back.
	if s.Revealed(t0.Add(5 * time.Second)) {
		t.Fatal("an expired reveal came back")
	}
	s.Reveal(t0, time.Minute)
	s.Set("new-value-1234")
	if s.Revealed(t0) {
		t.Fatal("a replaced value must start masked")
	}
	s.Clear()
	if !s.Empty() || s.Value() != "" {
		t.Fatal("Clear must forget the value")
	}
	var empty Secret
	empty.Reveal(t0, time.Minute)
	if empty.Revealed(t0) {
		t.Fatal("nothing to reveal")
	}
}

func TestSecretWrapsLongValuesAndSanitizes(t *testing.T) {
	st := theme.New(true, true)
	t0 := time.Unix(0, 0)
	s := NewSecret(strings.Repeat("a", 25) + "\x1b]52;c;ZXZpbA==\x07" + strings.Repeat("b", 5))
	s.Reveal(t0, time.Second)
	lines := s.Lines(st, t0, 10)
	if len(lines) != 3 || lines[0] != "aaaaaaaaaa" || lines[2] != "aaaaabbbbb" {
		t.Fatalf("lines %q", lines)
	}
	for _, l := range lines {
		if strings.ContainsRune(l, 0x1b) {
			t.Fatalf("escape sequence reached the screen: %q", l)
		}
	}
}

func TestSecretNeverPrintsItsValue(t *testing.T) {
	s := NewSecret(fakeKey)
	holder := struct{ Key Secret }{s}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("fetched", "key", s, "holder", holder)
	js, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s), "%s": fmt.Sprintf("%s", s), "%q": fmt.Sprintf("%q", s), "%#v": fmt.Sprintf("%#v", s),
		"%+v struct": fmt.Sprintf("%+v", holder), "slog": logged.String(), "json": string(js),
	} {
		if strings.Contains(out, fakeKey) || strings.Contains(out, "k3yV4") {
			t.Errorf("%s printed the secret: %s", name, out)
		}
	}
}

func TestExpiryBarShrinksWithTheClockAndMarksRefreshAfter(t *testing.T) {
	st := theme.New(true, true)
	issued := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	exp, refresh := issued.Add(20*time.Minute), issued.Add(10*time.Minute)
	bar := func(now time.Time) string { return ansi.Strip(ExpiryBar(st, 20, issued, refresh, exp, now)) }
	if got := bar(issued); got != "██████████│█████████" {
		t.Fatalf("at issue: %q", got)
	}
	if got := bar(issued.Add(5 * time.Minute)); got != "██████████│████░░░░░" {
		t.Fatalf("a quarter through: %q", got)
	}
	if got := bar(issued.Add(15 * time.Minute)); got != "█████░░░░░│░░░░░░░░░" {
		t.Fatalf("past refresh-after: %q", got)
	}
	if got := bar(exp.Add(-time.Second)); !strings.HasPrefix(got, "█") {
		t.Fatalf("a live token never shows an empty bar: %q", got)
	}
	if got := bar(exp); strings.Contains(got, "█") {
		t.Fatalf("expired: %q", got)
	}
	if got := ansi.Strip(ExpiryBar(st, 8, issued, time.Time{}, exp, issued.Add(10*time.Minute))); got != "████░░░░" {
		t.Fatalf("no refresh-after, half-way: %q", got)
	}
	if w := ansi.StringWidth(ExpiryBar(st, 30, issued, refresh, exp, issued)); w != 30 {
		t.Fatalf("width %d, want 30", w)
	}
}
