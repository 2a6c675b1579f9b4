package score

import (
	"reflect"
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
