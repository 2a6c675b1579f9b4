package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// elem is one element of the rendered SVG, as an XML parser sees it.
type elem struct {
	name  string
	attrs map[string]string
	text  string
}

// render renders input and parses the result back with encoding/xml, which
// fails the test on anything that is not well-formed.
func render(t *testing.T, input string, cols, rows int) []elem {
	t.Helper()
	var buf bytes.Buffer
	Render(&buf, Parse([]byte(input), cols, rows), Options{Title: "test", Frame: false})
	dec := xml.NewDecoder(&buf)
	var (
		out  []elem
		open []int // indexes into out of the elements not yet closed
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, buf.String())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := elem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			open = append(open, len(out))
			out = append(out, e)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 {
				out[open[len(open)-1]].text += string(tok)
			}
		}
	}
}

// texts returns the <text> elements of the screen (not the title).
func texts(es []elem) []elem {
	var out []elem
	for _, e := range es {
		if e.name == "text" {
			out = append(out, e)
		}
	}
	return out
}

func find(t *testing.T, es []elem, text string) elem {
	t.Helper()
	for _, e := range texts(es) {
		if e.text == text {
			return e
		}
	}
	t.Fatalf("no <text> %q among %v", text, texts(es))
	return elem{}
}

func rects(es []elem) []elem {
	var out []elem
	for _, e := range es {
		if e.name == "rect" {
			out = append(out, e)
		}
	}
	return out
}

func TestColours(t *testing.T) {
	in := "\x1b[38;2;68;147;248mtrue\x1b[0m " + // truecolor fg
		"\x1b[38;5;196mred256\x1b[39m " + // 256-colour fg
		"\x1b[31mred16\x1b[91mbright\x1b[0m " + // 16 colours
		"\x1b[48;2;31;58;95mbg\x1b[49m " + // truecolor bg
		"\x1b[38:2::1:2:3mcolon" // ITU colon form
	es := render(t, in, 0, 0)
	for text, fill := range map[string]string{
		"true":   "#4493f8",
		"red256": "#ff0000",
		"red16":  palette16[1],
		"bright": palette16[9],
		"bg":     defaultFg,
		"colon":  "#010203",
	} {
		if got := find(t, es, text).attrs["fill"]; got != fill {
			t.Errorf("%q drawn in %s, want %s", text, got, fill)
		}
	}
	// the background is a rect under exactly the two cells of "bg"
	var bg []elem
	for _, r := range rects(es) {
		if r.attrs["fill"] == "#1f3a5f" {
			bg = append(bg, r)
		}
	}
	if len(bg) != 1 {
		t.Fatalf("want one background rect for \"bg\", got %v", bg)
	}
	// "true red256 red16bright " is 24 cells
	if bg[0].attrs["x"] != num(24*cellW) || bg[0].attrs["width"] != num(2*cellW) || bg[0].attrs["height"] != num(cellH) {
		t.Errorf("background rect at x=%s width=%s height=%s, want x=%s width=%s height=%s",
			bg[0].attrs["x"], bg[0].attrs["width"], bg[0].attrs["height"], num(24*cellW), num(2*cellW), num(cellH))
	}
}

func TestAttributes(t *testing.T) {
	es := render(t, "\x1b[1mbold\x1b[22m \x1b[2mfaint\x1b[22m \x1b[3mital\x1b[23m \x1b[4munder\x1b[24m \x1b[9mgone\x1b[29m \x1b[1;3mboth\x1b[0m plain", 0, 0)
	want := map[string]string{"bold": "b", "faint": "f", "ital": "i", "both": "b i", "plain": ""}
	for text, class := range want {
		if got := find(t, es, text).attrs["class"]; got != class {
			t.Errorf("%q has class %q, want %q", text, got, class)
		}
	}
	if got := find(t, es, "under").attrs["text-decoration"]; got != "underline" {
		t.Errorf("underline: text-decoration %q", got)
	}
	if got := find(t, es, "gone").attrs["text-decoration"]; got != "line-through" {
		t.Errorf("strike: text-decoration %q", got)
	}
	if _, ok := find(t, es, "plain").attrs["text-decoration"]; ok {
		t.Error("24 did not end the underline")
	}
}

func TestReverseSwapsColours(t *testing.T) {
	es := render(t, "\x1b[7mrev\x1b[27m \x1b[7;38;2;255;0;0mred", 0, 0)
	if got := find(t, es, "rev").attrs["fill"]; got != defaultBg {
		t.Errorf("reversed default text drawn in %s, want the background %s", got, defaultBg)
	}
	if got := find(t, es, "red").attrs["fill"]; got != defaultBg {
		t.Errorf("reversed red text drawn in %s, want %s", got, defaultBg)
	}
	fills := map[string]bool{}
	for _, r := range rects(es) {
		fills[r.attrs["fill"]] = true
	}
	if !fills[defaultFg] || !fills["#ff0000"] {
		t.Errorf("reverse should paint the foreground colours as backgrounds, got rect fills %v", fills)
	}
}

// tmux emits only changes, so a style set on one line holds on the next.
func TestStyleCarriesAcrossLines(t *testing.T) {
	s := Parse([]byte("\x1b[1;32mone\ntwo\x1b[0m\nthree"), 0, 0)
	if s.Rows != 3 || s.Cols != 5 {
		t.Fatalf("screen %dx%d, want 5x3", s.Cols, s.Rows)
	}
	if st := s.Cells[1][0].Style; st.Attrs&Bold == 0 || st.Fg != (Color{Kind: colIndexed, Index: 2}) {
		t.Errorf("line 2 lost the style of line 1: %+v", st)
	}
	if st := s.Cells[2][0].Style; st != (Style{}) {
		t.Errorf("line 3 should be back to default: %+v", st)
	}
}

func TestCellPositions(t *testing.T) {
	es := render(t, "ab\x1b[31mcd\x1b[0m\n   x", 0, 0)
	ab, cd, x := find(t, es, "ab"), find(t, es, "cd"), find(t, es, "x")
	check := func(name string, e elem, x, y, length float64) {
		t.Helper()
		if e.attrs["x"] != num(x) || e.attrs["y"] != num(y) || e.attrs["textLength"] != num(length) {
			t.Errorf("%s at x=%s y=%s length=%s, want x=%s y=%s length=%s", name,
				e.attrs["x"], e.attrs["y"], e.attrs["textLength"], num(x), num(y), num(length))
		}
	}
	check("ab", ab, 0, baseline, 2*cellW)
	check("cd", cd, 2*cellW, baseline, 2*cellW)
	check("x", x, 3*cellW, cellH+baseline, cellW) // leading blanks are skipped, not drawn
}

func TestWideCharacters(t *testing.T) {
	s := Parse([]byte("世x"), 0, 0)
	if s.Cols != 3 {
		t.Fatalf("世x should take 3 cells, got %d", s.Cols)
	}
	if c := s.Cells[0]; c[0].Width != 2 || c[1].Width != 0 || c[2].Text != "x" {
		t.Fatalf("cells %+v", c)
	}
	es := render(t, "世x", 0, 0)
	wide := find(t, es, "世")
	if wide.attrs["x"] != "0" || wide.attrs["textLength"] != num(2*cellW) {
		t.Errorf("世 at x=%s length=%s, want 0 and two cells", wide.attrs["x"], wide.attrs["textLength"])
	}
	if got := find(t, es, "x").attrs["x"]; got != num(2*cellW) {
		t.Errorf("x after a wide character at %s, want column 2 (%s)", got, num(2*cellW))
	}
	// a wide character that does not fit at the right edge is dropped
	if s := Parse([]byte("a世"), 2, 1); s.Cells[0][1].Text != " " {
		t.Errorf("half a wide character drawn at the edge: %+v", s.Cells[0])
	}
}

func TestXMLEscaping(t *testing.T) {
	in := `<script>alert("x")</script> & 'q'`
	var buf bytes.Buffer
	Render(&buf, Parse([]byte(in), 0, 0), Options{Title: `a<b>&"c"`, Frame: true})
	out := buf.String()
	if strings.Contains(out, "<script") || strings.Contains(out, "a<b>") {
		t.Fatalf("unescaped markup in the SVG:\n%s", out)
	}
	es := render(t, in, 0, 0)
	var got strings.Builder
	for _, e := range texts(es) {
		got.WriteString(e.text)
	}
	// the text reads back exactly (blanks between runs are positions, not text)
	if want := strings.ReplaceAll(in, " ", ""); strings.ReplaceAll(got.String(), " ", "") != want {
		t.Errorf("text read back as %q, want %q", got.String(), want)
	}
}

func TestControlsAndOtherSequencesDropped(t *testing.T) {
	in := "a\x07b\x1b]0;evil title\x07c\x1b]52;c;c2VjcmV0\x07d\x1b[2J\x1b[10;10He\x00\x7f\xff\xc2\x9bf\x1bPq#0\x1b\\g"
	s := Parse([]byte(in), 0, 0)
	var got strings.Builder
	for _, c := range s.Cells[0] {
		got.WriteString(c.Text)
	}
	if got.String() != "abcdefg" {
		t.Errorf("drawn text %q, want \"abcdefg\"", got.String())
	}
	var buf bytes.Buffer
	Render(&buf, s, Options{})
	for _, bad := range []string{"evil", "c2VjcmV0", "\x07", "\x00", "\x1b"} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("the SVG contains %q", bad)
		}
	}
}

func TestBoxDrawingIsDrawnNotTyped(t *testing.T) {
	es := render(t, "╭─╮\n│x│\n╰─╯\n█▍", 0, 0)
	for _, e := range texts(es) {
		if strings.ContainsAny(e.text, "╭─╮│╰╯█▍") {
			t.Errorf("box character set as text: %q", e.text)
		}
	}
	paths := 0
	for _, e := range es {
		if e.name == "path" {
			paths++
		}
	}
	if paths < 6 {
		t.Errorf("want a path per border piece, got %d", paths)
	}
	// █ fills its whole cell; ▍ is the left 3/8 of one
	var full, part bool
	for _, r := range rects(es) {
		if r.attrs["y"] == num(3*cellH) && r.attrs["x"] == "0" && r.attrs["width"] == num(cellW) && r.attrs["height"] == num(cellH) {
			full = true
		}
		if r.attrs["x"] == num(cellW) && r.attrs["width"] == num(3*cellW/8) {
			part = true
		}
	}
	if !full || !part {
		t.Errorf("block elements not drawn as rects (full %v, partial %v): %v", full, part, rects(es))
	}
	if got := find(t, es, "x").attrs["x"]; got != num(cellW) {
		t.Errorf("x inside the box at %s, want %s", got, num(cellW))
	}
}

func TestClipAndPad(t *testing.T) {
	s := Parse([]byte("abcdef\nxyz\nmore\n"), 3, 4)
	if s.Cols != 3 || s.Rows != 4 || len(s.Cells) != 4 {
		t.Fatalf("screen %dx%d", s.Cols, s.Rows)
	}
	row := func(r int) string {
		var b strings.Builder
		for _, c := range s.Cells[r] {
			b.WriteString(c.Text)
		}
		return b.String()
	}
	for r, want := range []string{"abc", "xyz", "mor", "   "} {
		if got := row(r); got != want {
			t.Errorf("row %d = %q, want %q", r, got, want)
		}
	}
}

func TestRunFlags(t *testing.T) {
	if err := run(-1, 10, "", false, false, "", nil); err == nil || !strings.Contains(err.Error(), "between 1 and 1000") {
		t.Errorf("negative -cols: %v", err)
	}
	if err := run(0, 0, "", false, false, "", []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "at most one input file") {
		t.Errorf("two inputs: %v", err)
	}
}

func TestFillRight(t *testing.T) {
	// row 0 ends in a selection colour: continued; row 1 ends in explicit
	// default blanks after a coloured word: left alone; row 2 is empty.
	s := Parse([]byte("\x1b[48;5;24msel\n\x1b[41mx\x1b[49m  \n"), 6, 3)
	s.FillRight()
	for c := 3; c < 6; c++ {
		if bg := s.Cells[0][c].Style.Bg; bg != (Color{Kind: colIndexed, Index: 24}) {
			t.Errorf("row 0 cell %d has bg %+v, want the selection colour", c, bg)
		}
	}
	for c := 1; c < 6; c++ {
		if bg := s.Cells[1][c].Style.Bg; bg != (Color{}) {
			t.Errorf("row 1 cell %d has bg %+v, want the default", c, bg)
		}
	}
	for c := range 6 {
		if bg := s.Cells[2][c].Style.Bg; bg != (Color{}) {
			t.Errorf("row 2 cell %d has bg %+v, want the default", c, bg)
		}
	}
}
