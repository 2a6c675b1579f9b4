package components

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Wrap word-wraps a sentence to w cells: a sentence is never cut with
// "…" (it may name a key the user needs).
func Wrap(s string, w int) string {
	lines := strings.Split(lipgloss.NewStyle().Width(max(w, 10)).Render(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // lipgloss pads to the width
	}
	return strings.Join(lines, "\n")
}

// Overlay draws body in box (a bordered dialog style) no wider than w
// and no taller than h cells, with hint (how to close it) on its last
// line: every line wraps at words, and a word longer than a line (an id,
// a URL) breaks, so the right border is never cut by the screen's edge.
// A body taller than fits shows a window of it from line top (clamped),
// with where it is, so the border and the hint are never cut either;
// OverlayScroll moves top.
func Overlay(box lipgloss.Style, body, hint string, w, h, top int) string {
	vp, ok := overlayWindow(box, body, hint, w, h)
	inner := lipgloss.NewStyle().Width(max(w-box.GetHorizontalFrameSize(), 1))
	if ok {
		return box.Render(inner.Render(body + "\n\n" + hint))
	}
	vp.SetYOffset(top)
	first, last, total := vp.YOffset()+1, vp.YOffset()+vp.VisibleLineCount(), vp.TotalLineCount()
	where := fmt.Sprintf("lines %d–%d of %d", first, last, total)
	if !vp.AtBottom() {
		where = "↓ more · " + where
	}
	if long := where + " · ↑↓ scroll"; lipgloss.Width(long) <= vp.Width() {
		where = long
	}
	// One line, as overlayWindow counted.
	return box.Render(vp.View() + "\n" + inner.Faint(true).Render(Fit(where, vp.Width())) + "\n" + inner.Render(hint))
}

// Refit sizes vp to w×h and gives it content, keeping its scroll
// position (the viewport clamps it to the new content): how every
// scrolling body follows a resize or a change of what it shows.
func Refit(vp *viewport.Model, w, h int, content string) {
	off := vp.YOffset()
	vp.SetWidth(w)
	vp.SetHeight(h)
	vp.SetContent(content)
	vp.SetYOffset(off)
}

// OverlayScroll is the top line of the Overlay drawn with these arguments
// after msg: ↑/↓ move a line, pgup/pgdn a page, the mouse wheel three
// lines; other messages leave it.
func OverlayScroll(msg tea.Msg, box lipgloss.Style, body, hint string, w, h, top int) int {
	vp, ok := overlayWindow(box, body, hint, w, h)
	if ok {
		return 0
	}
	vp.SetYOffset(top)
	vp, _ = vp.Update(msg)
	return vp.YOffset()
}

// overlayWindow is the viewport an Overlay scrolls body in, and whether
// body and hint fit whole (then no window is needed). A window leaves
// room for a line that says where it is and for the hint.
func overlayWindow(box lipgloss.Style, body, hint string, w, h int) (viewport.Model, bool) {
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := h - box.GetVerticalFrameSize()
	inner := lipgloss.NewStyle().Width(iw)
	wrapped := inner.Render(body)
	if lipgloss.Height(wrapped)+1+lipgloss.Height(inner.Render(hint)) <= ih {
		return viewport.Model{}, true
	}
	none := key.NewBinding(key.WithDisabled())
	vp := viewport.New(viewport.WithWidth(iw), viewport.WithHeight(max(ih-1-lipgloss.Height(inner.Render(hint)), 1)))
	vp.KeyMap = viewport.KeyMap{
		Up:           key.NewBinding(key.WithKeys("up")),
		Down:         key.NewBinding(key.WithKeys("down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown")),
		HalfPageUp:   none,
		HalfPageDown: none,
		Left:         none,
		Right:        none,
	}
	vp.SetContent(wrapped)
	return vp, false
}

// Count says "1 endpoint", "3 endpoints", "1 identity" for a plural noun.
func Count(n int, plural string) string {
	if n != 1 {
		return fmt.Sprintf("%d %s", n, plural)
	}
	switch {
	case strings.HasSuffix(plural, "ies"):
		return "1 " + strings.TrimSuffix(plural, "ies") + "y"
	case strings.HasSuffix(plural, "s"):
		return "1 " + strings.TrimSuffix(plural, "s")
	}
	return "1 " + plural
}

// Countdown formats the time left until t: "14:59", "1h02m", "expired".
func Countdown(now, t time.Time) string {
	d := t.Sub(now).Truncate(time.Second)
	switch {
	case d <= 0:
		return "expired"
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// Block pads or cuts s to exactly h lines of at most w cells.
func Block(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Ago formats a past time relative to now ("3m ago", "2d ago"); "" for zero.
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// ScopeName shortens an ARM scope to its last "type name" for people:
// "workspace mlw-churn", "resource group rg-ml-prod", "/" for the root.
func ScopeName(scope string) string {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) < 2 {
		return "/"
	}
	t := parts[len(parts)-2]
	switch strings.ToLower(t) {
	case "subscriptions":
		t = "subscription"
	case "resourcegroups":
		t = "resource group"
	case "workspaces":
		t = "workspace"
	case "onlineendpoints":
		t = "endpoint"
	}
	return t + " " + parts[len(parts)-1]
}
