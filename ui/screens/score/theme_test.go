package score

import (
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textarea"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// A theme change reaches the bubbles styles the screen copied: the
// headers' textarea and the prompt's text input.
func TestThemeChangeReachesCopiedStyles(t *testing.T) {
	e := env()
	s := newScreen(t, e, endpoint(azure.AuthKey, "https://x.example/score"))
	*e.Styles = *theme.New(!e.Styles.Dark, false) // the root changes the shared styles in place
	s.Update(nav.ThemeMsg{})
	want := textarea.DefaultStyles(e.Styles.Dark)
	want.Cursor.Blink = false
	if !reflect.DeepEqual(s.headers.Styles(), want) {
		t.Fatal("the headers keep the old theme")
	}
	wantIn := e.Styles.Input
	wantIn.Cursor.Blink = false
	if !reflect.DeepEqual(s.input.Styles(), wantIn) {
		t.Fatal("the prompt keeps the old theme")
	}
}

// View changes nothing: drawing at another size leaves the response
// viewport as Update laid it out for the screen's size.
func TestViewLeavesTheResponseLayoutAlone(t *testing.T) {
	s := newScreen(t, env(), endpoint(azure.AuthKey, "https://x.example/score"))
	s.show(sent(200, "blue", strings.Repeat(`{"a": 1}`+"\n", 200), nil))
	s.Update(nav.SizeMsg{Width: 120, Height: 37})
	w, h, lines := s.vp.Width(), s.vp.Height(), s.vp.TotalLineCount()
	first := s.View(120, 37)
	s.View(80, 21)
	if s.vp.Width() != w || s.vp.Height() != h || s.vp.TotalLineCount() != lines || s.View(120, 37) != first {
		t.Fatal("drawing changed the response layout")
	}
	if !s.wide() {
		t.Fatal("the layout follows the size the root gave (120 is wide), not the last drawing (80)")
	}
}
