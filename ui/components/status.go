package components

import (
	"fmt"
	"strings"
	"time"

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
// cells: every line wraps at words, and a word longer than a line (an id,
// a URL) breaks, so the right border is never cut by the screen's edge.
func Overlay(box lipgloss.Style, body string, w int) string {
	inner := max(w-box.GetHorizontalFrameSize(), 1)
	return box.Render(lipgloss.NewStyle().Width(inner).Render(body))
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
