package endpointnew

import (
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
)

// The review scrolls in Update at the screen's size: drawing changes
// nothing, and end then up moves up at once (no offset left past the end).
func TestReviewScrollIsClampedInUpdateNotView(t *testing.T) {
	a := newAuthMode(env(), nav.ChangeAuthModeMsg{Endpoint: endpoint("churn-key", azure.AuthKey, "Managed")})
	a.Update(nav.SizeMsg{Width: 80, Height: 12})
	send(a, "down", "enter") // aml_token: the confirm step, longer than 12 lines
	if a.step != amConfirm {
		t.Fatalf("step %d", a.step)
	}
	send(a, "end")
	end := a.scroll.off
	if end <= 0 || end > 100 {
		t.Fatalf("end left the offset at %d", end)
	}
	before := a.View(80, 12)
	a.View(80, 40)
	if a.scroll.off != end || a.View(80, 12) != before {
		t.Fatal("drawing moved the scroll offset")
	}
	send(a, "up")
	if a.scroll.off != end-1 {
		t.Fatalf("up after end: offset %d, want %d", a.scroll.off, end-1)
	}
}
