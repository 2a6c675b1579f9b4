package components

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/theme"
)

// Problem renders an error as what failed, why, and what to do next,
// wrapped to w cells. Every part is sanitized: it may quote a server.
func Problem(st *theme.Styles, what string, err error, w int) string {
	e := azure.Explain(err)
	title := e.Title
	if what != "" {
		title = what + ": " + lowerFirstWord(title)
	}
	wrap := lipgloss.NewStyle().Width(max(w, 10))
	parts := []string{st.Err.Render(wrap.Render(Clean(title)))}
	if e.Detail != "" {
		parts = append(parts, st.Text.Render(wrap.Render(Clean(e.Detail))))
	}
	if e.Next != "" {
		parts = append(parts, st.Muted.Render(wrap.Render("→ "+Clean(e.Next))))
	}
	return strings.Join(parts, "\n")
}

// lowerFirstWord lets a title follow "what failed: " ("Creating x: access
// denied"), keeping names and acronyms as written ("Azure is throttling",
// "Microsoft Entra ID answered 429", "403: ...").
func lowerFirstWord(title string) string {
	word, _, _ := strings.Cut(title, " ")
	r, size := utf8.DecodeRuneInString(word)
	rest := word[size:]
	if !unicode.IsUpper(r) || rest == "" || strings.ToLower(rest) != rest || properNouns[word] {
		return title
	}
	return string(unicode.ToLower(r)) + title[size:]
}

// properNouns start titles and stay capitalized.
var properNouns = map[string]bool{"Azure": true, "Microsoft": true, "Entra": true, "Graph": true}

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
