package score

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// wide: the screen's size (from the root's nav.SizeMsg) puts request and
// response side by side.
func (s *Screen) wide() bool { w, _ := s.Size(); return w >= wideMin }

// responsePane is the response pane's size in a w x h screen.
func responsePane(w, h int) (rw, rh int) {
	if w >= wideMin {
		return w - w*11/20 - 2, h
	}
	return w, h - 1
}

// View draws the request and the response side by side when wide, one at
// a time (tab switches) when narrow, and the open dialog on top. It
// changes nothing: the response viewport is laid out in Update.
func (s *Screen) View(w, h int) string {
	var out string
	rw, rh := responsePane(w, h)
	if w >= wideMin {
		lw, _ := requestPane(w, h)
		sep := strings.TrimRight(strings.Repeat(s.env.Styles.Subtle.Render("│ ")+"\n", h), "\n")
		resp, _ := s.responseView(rw, rh, true)
		out = lipgloss.JoinHorizontal(lipgloss.Top, components.Block(s.requestView(lw, h), lw, h), sep, components.Block(resp, rw, rh))
	} else {
		body, scroll := s.responseView(rw, rh, false)
		if s.focus != paneResponse {
			body, scroll = s.requestView(w, h-1), ""
		}
		out = s.tabs(w, scroll) + "\n" + body
	}
	out = components.Block(out, w, h)
	if s.modal != modalNone {
		d := s.modalView(w, h)
		dw, dh := lipgloss.Size(d)
		out = lipgloss.NewCompositor(lipgloss.NewLayer(out),
			lipgloss.NewLayer(d).X(max((w-dw)/2, 0)).Y(max((h-dh)/3, 0)).Z(1)).Render()
	}
	return out
}

// tabs is the narrow layout's pane switcher; scroll is the response's
// scroll position.
func (s *Screen) tabs(w int, scroll string) string {
	st := s.env.Styles
	req, resp := " Request ", " Response "
	if s.res != nil && s.res.resp != nil {
		resp = fmt.Sprintf(" Response %d ", s.res.resp.Status)
	}
	if s.sending() {
		resp = " Response " + s.Spinner() + " "
	}
	if s.focus == paneResponse {
		return components.Fit(st.Muted.Render(req)+st.Selected.Render(resp)+st.Muted.Render("  tab switches"+scroll), w)
	}
	return components.Fit(st.Selected.Render(req)+st.Muted.Render(resp)+st.Muted.Render("  tab switches"), w)
}

// requestPane is the request pane's size in a w x h screen.
func requestPane(w, h int) (lw, lh int) {
	if w >= wideMin {
		return w * 11 / 20, h
	}
	return w, h - 1
}

// layoutRequest sizes the headers field and the body editor for the
// screen's size and what the request pane shows above the editor (called
// from Update after every message: View changes nothing).
func (s *Screen) layoutRequest() {
	w, h := s.Size()
	if w == 0 || h == 0 {
		return
	}
	lw, lh := requestPane(w, h)
	s.headers.SetWidth(max(lw-2, 10))
	s.headers.SetHeight(3)
	s.editor.SetSize(lw, max(lh-lipgloss.Height(s.requestTop(lw)), 3))
}

// requestView: the URI, target, credential and headers, then the body editor.
func (s *Screen) requestView(w, h int) string {
	top := s.requestTop(w)
	return top + "\n" + s.editor.View(w, max(h-lipgloss.Height(top), 3))
}

// requestTop is everything the request pane shows above the body editor.
func (s *Screen) requestTop(w int) string {
	st := s.env.Styles
	label := func(l string, p pane) string {
		if s.focus == p {
			return st.Cursor.Render(components.Pad(l, 11))
		}
		return st.Muted.Render(components.Pad(l, 11))
	}
	cred, credMore := s.describeCred()
	lines := []string{
		components.Fit(st.Bold.Render("POST ")+st.Accent.Render(components.Clean(s.ep.ScoringURI)), w),
		components.Fit(st.Muted.Render(components.Pad("Deployment", 11))+s.targetText(), w),
		components.Fit(st.Muted.Render(components.Pad("Credential", 11))+cred, w),
	}
	if credMore != "" {
		lines = append(lines, components.Fit(strings.Repeat(" ", 11)+credMore, w))
	}
	if s.focus == paneHeaders && s.typing {
		lines = append(lines, label("Headers", paneHeaders)+st.Muted.Render("extra headers, Name: value a line"))
		lines = append(lines, components.Block(s.headers.View(), w, 3)) // sized in layoutRequest
	} else {
		lines = append(lines, components.Fit(label("Headers", paneHeaders)+s.headersText(), w))
	}
	hint := st.Muted.Render("  enter edits")
	switch {
	case s.typing && s.focus == paneBody:
		hint = st.Muted.Render("  editing · esc stops · ctrl+s sends")
	case s.editor.ReadOnly():
		hint = ""
	}
	lines = append(lines, s.paneTitle("Body", paneBody)+hint)
	return strings.Join(lines, "\n")
}

// paneTitle marks the focused pane.
func (s *Screen) paneTitle(t string, p pane) string {
	st := s.env.Styles
	if s.focus == p {
		return st.Title.Render("▍" + t)
	}
	return st.Bold.Render(" " + t)
}

func (s *Screen) targetText() string {
	st := s.env.Styles
	if s.target == "" {
		return "traffic decides " + st.Muted.Render("("+s.splitText()+")")
	}
	pct := ""
	for _, d := range s.deps {
		if d.Name == s.target {
			pct = fmt.Sprintf(" (%d%% of traffic)", d.TrafficPercent)
		}
	}
	return st.Bold.Render(components.Clean(s.target)) + st.Muted.Render(pct+" · azureml-model-deployment header")
}

func (s *Screen) headersText() string {
	st := s.env.Styles
	h, err := parseHeaders(s.headers.Value())
	switch {
	case err != nil:
		return st.Err.Render("✗ " + err.Error())
	case len(h) == 0:
		return st.Muted.Render("none (tab to add)")
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("%d extra: %s", len(h), components.Clean(strings.Join(names, ", ")))
}

// responseTop is what the response pane draws over the answer's body:
// its title (wide; narrow, the tabs name the pane), the notice and the
// status line. "" before an answer.
func (s *Screen) responseTop(w int, wide bool) (top, head string) {
	st := s.env.Styles
	if wide {
		head = s.paneTitle("Response", paneResponse)
	}
	var notice string
	if s.notice != "" {
		notice = lipgloss.NewStyle().Width(w).Render(st.Warn.Render(components.Clean(s.notice)))
	}
	if s.res == nil {
		return strings.Join(nonEmpty(head, notice), "\n"), head
	}
	return strings.Join(nonEmpty(head, notice, s.statusLine(w)), "\n"), head
}

// layoutResponse fits the response viewport to the screen's size (so that
// the scroll keys know how far they may go); the content is laid out
// again only when the width or the answer changed.
func (s *Screen) layoutResponse() {
	w, h := s.Size()
	if w == 0 || h == 0 || s.res == nil {
		return
	}
	rw, rh := responsePane(w, h)
	top, _ := s.responseTop(rw, w >= wideMin)
	if s.vpFor != rw {
		s.vp.SetContent(s.content(rw))
		s.vpFor = rw
	}
	s.vp.SetWidth(rw)
	s.vp.SetHeight(max(rh-lipgloss.Height(top), 1))
}

// responseView: the answer's status line over a scrollable body of
// diagnosis, timing, headers and body; scroll is the position ("" when
// it all fits), which the narrow layout's tabs show.
func (s *Screen) responseView(w, h int, wide bool) (view, scroll string) {
	st := s.env.Styles
	top, head := s.responseTop(w, wide)
	switch {
	case s.sending():
		return strings.Join(nonEmpty(head, s.Spinner()+st.Muted.Render(" sending to "+components.Clean(s.ep.Endpoint)+"…")), "\n"), ""
	case s.rep != nil:
		return strings.Join(nonEmpty(head, s.repeatView(w)), "\n"), ""
	case s.res == nil:
		hint := st.Muted.Render(lipgloss.NewStyle().Width(w).Render(
			"ctrl+s sends the body. The answer shows here: status, the deployment that answered, timing, headers and body, and what a failure means."))
		return strings.Join(nonEmpty(top, hint), "\n"), ""
	}
	vh := max(h-lipgloss.Height(top), 1)
	vp := s.vp // laid out by Update; drawn at another size, a copy is laid out here
	if s.vpFor != w || vp.Width() != w || vp.Height() != vh {
		components.Refit(&vp, w, vh, s.content(w))
	}
	if vp.TotalLineCount() > vh {
		scroll = fmt.Sprintf(" · ↑/↓ scroll %d%%", int(vp.ScrollPercent()*100))
		if head != "" {
			top = strings.Replace(top, head, head+st.Muted.Render(scroll), 1)
		}
	}
	return top + "\n" + vp.View(), scroll
}

func nonEmpty(parts ...string) []string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func statusStyle(st *theme.Styles, code int) lipgloss.Style {
	switch {
	case code >= 200 && code < 300:
		return st.OK
	case code >= 500:
		return st.Err
	default:
		return st.Warn
	}
}

// statusLine: "200 OK · blue · 12.3 ms · 54 B · id 7c0e…".
func (s *Screen) statusLine(w int) string {
	st := s.env.Styles
	r := s.res
	var parts []string
	switch {
	case r.hist != nil:
		e := r.hist
		if e.Error != "" {
			parts = append(parts, st.Err.Render("no answer"))
		} else {
			parts = append(parts, statusStyle(st, e.Status).Render(fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))))
		}
		if e.Deployment != "" {
			parts = append(parts, components.Clean(e.Deployment))
		}
		parts = append(parts, fmt.Sprintf("%d ms", e.DurationMS), st.Muted.Render("from history, "+e.At.Local().Format("Jan 2 15:04:05")))
	case r.err != nil:
		parts = append(parts, st.Err.Render("✗ no answer"))
	default:
		p := r.resp
		parts = append(parts, statusStyle(st, p.Status).Render(fmt.Sprintf("%d %s", p.Status, http.StatusText(p.Status))))
		if p.Deployment != "" {
			parts = append(parts, "answered by "+st.Bold.Render(components.Clean(p.Deployment)))
		}
		parts = append(parts, dur(p.Trace.Total), components.HumanBytes(int(p.Size)))
		if p.RequestID != "" {
			parts = append(parts, st.Muted.Render("id "+components.Clean(p.RequestID)))
		}
	}
	return components.Fit(strings.Join(parts, st.Muted.Render(" · ")), w)
}

// content is everything under the status line, laid out for width w.
func (s *Screen) content(w int) string {
	st := s.env.Styles
	r := s.res
	wrap := lipgloss.NewStyle().Width(w)
	var b strings.Builder
	section := func(t string) { b.WriteString("\n" + st.Bold.Render(t) + "\n") }
	if r.hist != nil {
		e := r.hist
		fmt.Fprintf(&b, "%s\n", st.Muted.Render(fmt.Sprintf("Sent with %s to %s.", orNone(e.CredentialKind), targetName(e.Target))))
		if e.Error != "" {
			b.WriteString(st.Err.Render(wrap.Render(components.Clean(e.Error))) + "\n")
		}
		if e.RequestID != "" {
			fmt.Fprintf(&b, "%s\n", st.Muted.Render("x-request-id: "+components.Clean(e.RequestID)))
		}
		section("Body")
		b.WriteString(bodyText(st, []byte(e.ResponseBody), "", e.ResponseTruncated, e.ResponseSize, w))
		return b.String()
	}
	if r.err != nil {
		b.WriteString(nav.Problem(st, "", nav.RetryWith(r.err, "ctrl+s"), w) + "\n")
		fmt.Fprintf(&b, "%s\n", st.Muted.Render(wrap.Render(fmt.Sprintf("Sent with %s to %s. The attempt is in the history.", orNone(r.kind), targetName(r.req.Deployment)))))
		return b.String()
	}
	p := r.resp
	if p.Status >= 300 {
		b.WriteString(s.diagnosis(w) + "\n")
	}
	section("Timing")
	b.WriteString(traceView(st, p.Trace, w))
	section("Headers")
	names := make([]string, 0, len(p.Header))
	for k := range p.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range p.Header[k] {
			b.WriteString(components.Fit(st.Muted.Render(components.Clean(strings.ToLower(k))+": ")+components.Clean(v), w) + "\n")
		}
	}
	section("Body")
	b.WriteString(bodyText(st, p.Body, p.Header.Get("Content-Type"), p.Truncated, p.Size, w))
	return strings.TrimRight(b.String(), "\n")
}

func orNone(kind string) string {
	if kind == "" {
		return "no credential"
	}
	return kind
}

func targetName(t string) string {
	if t == "" {
		return "the traffic split"
	}
	return "deployment " + components.Clean(t)
}

// diagnosis explains a failed answer: what it means, what to do, the
// headers that matter and, for a 401 with a token, the token's claims.
func (s *Screen) diagnosis(w int) string {
	st := s.env.Styles
	r := s.res
	d := r.diag
	wrap := lipgloss.NewStyle().Width(w)
	parts := []string{st.Err.Render(wrap.Render(components.Clean(d.Title)))}
	if d.Detail != "" {
		parts = append(parts, st.Text.Render(wrap.Render(components.Clean(d.Detail))))
	}
	if d.Next != "" {
		parts = append(parts, st.Muted.Render(wrap.Render("→ "+components.Clean(d.Next))))
	}
	if d.CheckAccess {
		parts = append(parts, st.Key.Render("c")+" "+st.Accent.Render("opens the access check for this endpoint (who may score it, and why not)"))
	}
	parts = append(parts, st.Muted.Render(fmt.Sprintf("Sent with %s to %s.", orNone(r.kind), targetName(r.req.Deployment))))
	if len(d.Headers) > 0 {
		parts = append(parts, st.Bold.Render("What the answer says"))
		for _, h := range d.Headers {
			parts = append(parts, "  "+components.Fit(components.Clean(h), w-2))
		}
	}
	if len(r.claims) > 0 {
		parts = append(parts, st.Bold.Render("The token that was sent (decoded claims)"))
		now := s.env.Now()
		for _, name := range []string{"aud", "iss", "typ", "upn", "appid", "oid", "scp", "roles", "exp"} {
			v := claim(r.claims, name)
			if v == "" {
				continue
			}
			if name == "exp" {
				if exp := azure.IdentityFromClaims(r.claims).ExpiresOn; !exp.IsZero() {
					v = exp.Local().Format("15:04:05") + " (" + components.Countdown(now, exp) + ")"
				}
			}
			parts = append(parts, "  "+components.Fit(st.Muted.Render(components.Pad(name, 6))+components.Clean(v), w-2))
		}
	}
	return strings.Join(parts, "\n")
}

// traceView draws where the time went, a bar per stage.
func traceView(st *theme.Styles, t azure.ScoreTrace, w int) string {
	stages := []struct {
		name string
		d    time.Duration
	}{{"DNS", t.DNS}, {"Connect", t.Connect}, {"TLS", t.TLS}, {"First byte", t.FirstByte}, {"Total", t.Total}}
	barW := max(w-23, 5)
	var b strings.Builder
	for _, s := range stages {
		n := 0
		if t.Total > 0 {
			n = int(float64(s.d) / float64(t.Total) * float64(barW))
		}
		bar := strings.Repeat("█", min(n, barW))
		if n == 0 && s.d > 0 {
			bar = "▏"
		}
		fmt.Fprintf(&b, "%s %s %9s\n", st.Muted.Render(components.Pad(s.name, 10)), st.Accent.Render(components.Pad(bar, barW)), dur(s.d))
	}
	if t.Reused {
		b.WriteString(st.Muted.Render("connection reused: no DNS, connect or TLS") + "\n")
	}
	return b.String()
}

// bodyText shows a body safely: JSON pretty-printed, other text
// sanitized, binary as a hex summary; long lines are wrapped here once
// (the viewport then draws only what is visible).
func bodyText(st *theme.Styles, body []byte, contentType string, truncated bool, size int64, w int) string {
	var b strings.Builder
	if truncated {
		b.WriteString(st.Warn.Render(fmt.Sprintf("Showing the first %s of %s.", components.HumanBytes(len(body)), components.HumanBytes(int(size)))) + "\n")
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case len(body) == 0:
		b.WriteString(st.Muted.Render("(empty body)"))
	case isBinary(body, truncated):
		fmt.Fprintf(&b, "%s\n%s", st.Muted.Render(fmt.Sprintf("Binary body (%s, %s); the first bytes:", orDash(mt), components.HumanBytes(int(size)))), hexDump(body, 256))
	default:
		text := string(body)
		if pretty, err := azure.PrettyJSON(body); err == nil {
			text = string(pretty)
		} else if mt != "" && !strings.Contains(mt, "json") {
			b.WriteString(st.Muted.Render("Not JSON ("+components.Clean(mt)+"):") + "\n")
		} else if !truncated {
			b.WriteString(st.Muted.Render("Not valid JSON: "+components.DescribeErr(err)) + "\n")
		}
		b.WriteString(ansi.Hardwrap(components.CleanBlock(text), max(w, 10), true))
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}

// isBinary: not UTF-8 (allowing a rune cut by truncation) or holding NULs.
func isBinary(b []byte, truncated bool) bool {
	if truncated && len(b) > utf8.UTFMax {
		b = b[:len(b)-utf8.UTFMax]
	}
	return !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0
}

// hexDump is a classic 16-bytes-a-line dump of the first n bytes.
func hexDump(b []byte, n int) string {
	b = b[:min(len(b), n)]
	var out strings.Builder
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		fmt.Fprintf(&out, "%04x  ", off)
		for i := 0; i < 16; i++ {
			if i < len(row) {
				fmt.Fprintf(&out, "%02x ", row[i])
			} else {
				out.WriteString("   ")
			}
		}
		out.WriteString(" ")
		for _, c := range row {
			if c >= 0x20 && c < 0x7f {
				out.WriteByte(c)
			} else {
				out.WriteByte('.')
			}
		}
		out.WriteByte('\n')
	}
	return strings.TrimRight(out.String(), "\n")
}
