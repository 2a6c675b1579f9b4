package score

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
)

// Repeat bounds: enough for a latency picture, not a load test.
const (
	maxRepeat      = 1000
	maxConcurrency = 32
)

// repeatRun is a run of N identical requests. Progress and the end come
// through ch (buffered for every message, so the run never blocks on a
// screen that is gone).
type repeatRun struct {
	seq      uint64
	n, conc  int
	finished int
	done     bool
	stats    azure.RepeatStats
	cancel   context.CancelFunc
	ch       chan tea.Msg
	started  time.Time
	target   string
}

type (
	repeatProgressMsg struct {
		seq  uint64
		done int
	}
	repeatDoneMsg struct {
		seq     uint64
		stats   azure.RepeatStats
		fresh   *fresh
		credErr error
	}
)

// parseRepeat reads "20", "50x5", "50 x 5" or "50/5".
func parseRepeat(s string) (n, conc int, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, b, two := strings.Cut(strings.NewReplacer("/", "x", " ", "").Replace(s), "x")
	n, err = strconv.Atoi(a)
	if err != nil || n < 1 || n > maxRepeat {
		return 0, 0, fmt.Errorf("the count must be a number from 1 to %d", maxRepeat)
	}
	conc = 1
	if two {
		conc, err = strconv.Atoi(b)
		if err != nil || conc < 1 || conc > maxConcurrency {
			return 0, 0, fmt.Errorf("the concurrency must be a number from 1 to %d", maxConcurrency)
		}
	}
	return n, min(conc, n), nil
}

func waitRepeat(ch chan tea.Msg) tea.Cmd { return func() tea.Msg { return <-ch } }

// startRepeat sends the editor's request n times, conc at a time.
func (s *Screen) startRepeat(n, conc int) tea.Cmd {
	if s.sending() || (s.rep != nil && !s.rep.done) {
		return s.Toast(nav.Info, "A request is already running")
	}
	req, err := s.request()
	if err != nil {
		s.notice = "Not sent: " + err.Error()
		return s.Toast(nav.Warn, s.notice)
	}
	s.notice = ""
	ctx, cancel := context.WithCancel(s.Context())
	r := &repeatRun{seq: s.env.NextSeq(), n: n, conc: conc, cancel: cancel, ch: make(chan tea.Msg, n+1), started: s.env.Now(), target: req.Deployment}
	s.rep = r
	refresh := s.cred.needsRefresh(s.env.Now())
	sc, sess, ref, ch := s.scorer, s.api(), s.ep.EndpointRef, s.cred.choice
	go func() {
		defer cancel()
		done := repeatDoneMsg{seq: r.seq}
		if refresh {
			cctx, ccancel := context.WithTimeout(ctx, credTimeout)
			got, err := getCred(cctx, sess, ref, ch)
			ccancel()
			if err != nil {
				done.credErr = err
				r.ch <- done
				return
			}
			done.fresh = &got
			req.Credential = got.value
		}
		done.stats = sc.Repeat(ctx, req, n, conc, func(d int) { r.ch <- repeatProgressMsg{seq: r.seq, done: d} })
		r.ch <- done
	}()
	return waitRepeat(r.ch)
}

func (s *Screen) onRepeatProgress(m repeatProgressMsg) tea.Cmd {
	if s.rep == nil || m.seq != s.rep.seq {
		return nil
	}
	s.rep.finished = m.done
	return waitRepeat(s.rep.ch)
}

func (s *Screen) onRepeatDone(m repeatDoneMsg) tea.Cmd {
	if s.rep == nil || m.seq != s.rep.seq {
		return nil
	}
	r := s.rep
	r.done, r.stats = true, m.stats
	if m.fresh != nil {
		s.cred.value, s.cred.expires, s.cred.refresh, s.cred.claims, s.cred.err = m.fresh.value, m.fresh.expires, m.fresh.refresh, m.fresh.claims, nil
	}
	if m.credErr != nil {
		s.rep = nil
		s.cred.err = m.credErr
		s.notice = "Not sent: the " + s.cred.choice.label() + " could not be refreshed: " + strings.ToLower(azure.Explain(m.credErr).Title)
		return s.Toast(nav.Warn, s.notice)
	}
	if !s.wide() {
		s.focusPane(paneResponse)
	}
	if m.stats.Count < r.n {
		return s.Toast(nav.Info, fmt.Sprintf("Repeat stopped after %d of %d requests", m.stats.Count, r.n))
	}
	return nil
}

// repeatView draws a run: progress while it runs, then the summary.
func (s *Screen) repeatView(w int) string {
	st := s.env.Styles
	r := s.rep
	var b strings.Builder
	target := "traffic decides"
	if r.target != "" {
		target = "→ " + components.Clean(r.target)
	}
	fmt.Fprintf(&b, "%s %s\n", st.Title.Render(fmt.Sprintf("Repeat: %d requests, %d at a time", r.n, r.conc)), st.Muted.Render("("+target+")"))
	if !r.done {
		s.prog.SetWidth(max(w-16, 10))
		fmt.Fprintf(&b, "%s %d/%d\n%s\n", s.prog.ViewAs(float64(r.finished)/float64(max(r.n, 1))), r.finished, r.n, st.Muted.Render("esc stops the run"))
		return b.String()
	}
	x := r.stats
	if x.Count < r.n {
		b.WriteString(st.Warn.Render(fmt.Sprintf("Stopped after %d of %d.", x.Count, r.n)) + "\n")
	}
	fmt.Fprintf(&b, "%s %s · %s %s · %s %s · %s %s\n", st.Muted.Render("p50"), dur(x.P50), st.Muted.Render("p95"), dur(x.P95),
		st.Muted.Render("max"), dur(x.Max), st.Muted.Render("wall"), dur(x.Elapsed))
	codes := make([]int, 0, len(x.StatusCounts))
	for c := range x.StatusCounts {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, statusStyle(st, c).Render(fmt.Sprintf("%d ×%d", c, x.StatusCounts[c])))
	}
	if x.Errors > 0 {
		parts = append(parts, st.Err.Render(fmt.Sprintf("no answer ×%d", x.Errors)))
	}
	b.WriteString(strings.Join(parts, "  ") + "\n")
	if x.FirstError != nil {
		b.WriteString(nav.Problem(st, "First failure", nav.RetryWith(x.FirstError, "n"), w) + "\n")
	}
	if len(x.Histogram) > 0 {
		b.WriteString("\n" + st.Bold.Render("Latency") + "\n")
		peak := 1
		for _, h := range x.Histogram {
			peak = max(peak, h.Count)
		}
		barW := max(w-30, 5)
		for _, h := range x.Histogram {
			n := h.Count * barW / peak
			bar := strings.Repeat("█", n)
			if n == 0 && h.Count > 0 {
				bar = "▏"
			}
			fmt.Fprintf(&b, "%9s–%-9s %s %d\n", dur(h.Lo), dur(h.Hi), st.Accent.Render(components.Pad(bar, barW)), h.Count)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// dur formats a latency: "0.4 ms", "12.3 ms", "1.24 s".
func dur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}
