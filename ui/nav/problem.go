package nav

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/theme"
)

// Problem renders an error as what failed, why, and what to do next,
// wrapped to w cells. azure's advice names no keys: when retrying may help,
// the screen's retry key is added here (R, or the one RetryWith names).
// Every part is sanitized: it may quote a server.
func Problem(st *theme.Styles, what string, err error, w int) string {
	e := azure.Explain(err)
	title := e.Title
	if what != "" {
		title = what + ": " + lowerFirstWord(title)
	}
	next := e.Next
	if e.Retry {
		next = strings.TrimSpace(next + " " + retryKey(err) + " retries.")
	}
	wrap := lipgloss.NewStyle().Width(max(w, 10))
	parts := []string{st.Err.Render(wrap.Render(components.Clean(title)))}
	if e.Detail != "" {
		parts = append(parts, st.Text.Render(wrap.Render(components.Clean(e.Detail))))
	}
	if next != "" {
		parts = append(parts, st.Muted.Render(wrap.Render("→ "+components.Clean(next))))
	}
	return strings.Join(parts, "\n")
}

// AfterProblem is the line of keys under Problem(err): keys, after the
// one that retries when Problem has not said "R retries." already (it does
// when retrying may help), so the key is named once. retry says what that
// key does; "" is "R retries" (or the key RetryWith named).
func AfterProblem(err error, retry string, keys ...string) string {
	if !azure.Explain(err).Retry {
		if retry == "" {
			retry = retryKey(err) + " retries"
		}
		keys = append([]string{retry}, keys...)
	}
	return strings.Join(keys, " · ")
}

// RetryWith names the key that retries err on this screen: R on lists and
// details, another where R means something else (a search box, a review).
func RetryWith(err error, key string) error {
	if err == nil {
		return nil
	}
	return &retryWith{err: err, key: key}
}

type retryWith struct {
	err error
	key string
}

func (r *retryWith) Error() string { return r.err.Error() }
func (r *retryWith) Unwrap() error { return r.err }

func retryKey(err error) string {
	var rw *retryWith
	if errors.As(err, &rw) {
		return rw.key
	}
	return "R"
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
