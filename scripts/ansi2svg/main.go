// Command ansi2svg renders a terminal screen captured with colours
// (`tmux capture-pane -e -p -N`) as an SVG image: a dark terminal window
// with one <text> per run of same-styled cells, placed by cell column.
//
//	tmux capture-pane -e -p -N -t demo | go run ./scripts/ansi2svg -cols 120 -rows 36 -o shot.svg
//
// Each text run carries textLength, so columns line up whatever monospace
// font the viewer picks; box-drawing and block characters are drawn as
// lines and rectangles instead of glyphs, so borders and bars join up
// without gaps. Everything taken from the input is XML-escaped and control
// characters are dropped: the capture may hold server strings.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func main() {
	cols := flag.Int("cols", 0, "screen width in cells (default: the widest input line)")
	rows := flag.Int("rows", 0, "screen height in cells (default: the number of input lines)")
	title := flag.String("title", "", "title shown in the window frame")
	frame := flag.Bool("frame", true, "draw a terminal-window frame with a title bar")
	fill := flag.Bool("fill-right", true, "continue a row ending in a background colour to the right edge (tmux 3.3 leaves out cells erased with a colour)")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: ansi2svg [-cols N] [-rows N] [-title T] [-frame=false] [-fill-right=false] [-o out.svg] [capture.txt]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*cols, *rows, *title, *frame, *fill, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "ansi2svg:", err)
		os.Exit(1)
	}
}

func run(cols, rows int, title string, frame, fill bool, out string, args []string) error {
	if cols < 0 || rows < 0 || cols > 1000 || rows > 1000 {
		return fmt.Errorf("-cols and -rows must be between 1 and 1000 (got %d x %d)", cols, rows)
	}
	var in io.Reader = os.Stdin
	switch len(args) {
	case 0:
	case 1:
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	default:
		return fmt.Errorf("expected at most one input file, got %d", len(args))
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading the capture: %w", err)
	}
	screen := Parse(data, cols, rows)
	if fill {
		screen.FillRight()
	}
	var buf bytes.Buffer
	Render(&buf, screen, Options{Title: title, Frame: frame})
	if out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// Colour kinds: the terminal default, a palette index (0-255) or RGB.
const (
	colDefault uint8 = iota
	colIndexed
	colRGB
)

// Color is a cell colour as the terminal was told it.
type Color struct {
	Kind    uint8
	Index   uint8
	R, G, B uint8
}

// Attribute bits of a Style.
const (
	Bold uint8 = 1 << iota
	Faint
	Italic
	Underline
	Reverse
	Conceal
	Strike
)

// Style is the SGR state of a cell. It is comparable, so runs are found with ==.
type Style struct {
	Fg, Bg Color
	Attrs  uint8
}

// Cell is one terminal cell. Width is 1 or 2 for a cell that starts a
// character and 0 for the right half of a wide one.
type Cell struct {
	Text  string
	Width int
	Style Style
}

// Screen is the parsed grid, Rows x Cols, padded with blank cells. Used
// is how many cells of each row the input gave.
type Screen struct {
	Cols, Rows int
	Cells      [][]Cell
	Used       []int
}

const tabWidth = 8

// Parse reads capture-pane -e output. The SGR state carries across lines,
// as tmux emits only changes. cols or rows of 0 mean "as wide/tall as the
// input"; content beyond them is clipped.
func Parse(data []byte, cols, rows int) *Screen {
	var (
		grid  [][]Cell
		line  []Cell
		st    Style
		state byte
		p     = ansi.NewParser()
	)
	endLine := func() {
		grid = append(grid, line)
		line = nil
	}
	for len(data) > 0 {
		seq, width, n, next := ansi.DecodeSequenceWc(data, state, p)
		if n <= 0 { // never stall on input the decoder cannot place
			n = 1
		}
		data, state = data[n:], next
		switch {
		case next != ansi.NormalState:
			// in the middle of an unterminated sequence: nothing to draw
		case len(seq) == 1 && (seq[0] < 0x20 || seq[0] == 0x7f):
			switch seq[0] {
			case '\n':
				endLine()
			case '\t':
				for pad := tabWidth - len(line)%tabWidth; pad > 0; pad-- {
					line = append(line, Cell{Text: " ", Width: 1})
				}
			}
			// other C0 controls (bell, backspace, CR...) are dropped
		case ansi.HasCsiPrefix(seq):
			cmd := ansi.Cmd(p.Command())
			if cmd.Final() == 'm' && cmd.Prefix() == 0 && cmd.Intermediate() == 0 {
				st = applySGR(st, p.Params())
			}
		case seq[0] == ansi.ESC || !utf8.Valid(seq):
			// other escape sequences (OSC, DCS, ESC x) and stray bytes are dropped
		case width > 0:
			text := cleanText(string(seq))
			if text == "" {
				text = " "
			}
			line = append(line, Cell{Text: text, Width: width, Style: st})
			if width == 2 {
				line = append(line, Cell{Width: 0, Style: st})
			}
		default:
			// a zero-width grapheme (a lone combining mark): join it to the
			// character before, as a terminal would
			if t := cleanText(string(seq)); t != "" && len(line) > 0 {
				i := len(line) - 1
				for i > 0 && line[i].Width == 0 {
					i--
				}
				line[i].Text += t
			}
		}
	}
	if len(line) > 0 {
		endLine()
	}
	if rows == 0 {
		rows = len(grid)
	}
	if cols == 0 {
		for _, l := range grid {
			cols = max(cols, len(l))
		}
	}
	s := &Screen{Cols: cols, Rows: rows, Cells: make([][]Cell, rows), Used: make([]int, rows)}
	for r := range rows {
		row := make([]Cell, cols)
		for c := range row {
			row[c] = Cell{Text: " ", Width: 1}
		}
		if r < len(grid) {
			src := grid[r]
			for c := 0; c < len(src) && c < cols; c++ {
				if src[c].Width == 2 && c+1 >= cols {
					break // a wide character cut by the right edge is not drawn
				}
				row[c] = src[c]
				s.Used[r] = c + 1
			}
		}
		s.Cells[r] = row
	}
	return s
}

// FillRight continues a row that ends early in a non-default background to
// the right edge. tmux 3.3's capture-pane leaves out cells erased with a
// background colour (the app's renderer clears the rest of a selected row
// with an erase-line, relying on background-colour erase), so a selection
// bar would otherwise stop wherever its text does.
func (s *Screen) FillRight() {
	for r, row := range s.Cells {
		n := s.Used[r]
		if n == 0 || n >= len(row) || row[n-1].Style.Bg.Kind == colDefault {
			continue
		}
		for c := n; c < len(row); c++ {
			row[c] = Cell{Text: " ", Width: 1, Style: row[n-1].Style}
		}
	}
}

// cleanText keeps what can be drawn: no control characters and only runes
// XML 1.0 allows.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || !xmlChar(r) {
			return -1
		}
		return r
	}, s)
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0a || r == 0x0d ||
		(r >= 0x20 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

// applySGR applies one SGR sequence's parameters to st.
func applySGR(st Style, params ansi.Params) Style {
	if len(params) == 0 {
		return Style{}
	}
	for i := 0; i < len(params); i++ {
		switch v := params[i].Param(0); {
		case v == 0:
			st = Style{}
		case v == 1:
			st.Attrs |= Bold
		case v == 2:
			st.Attrs |= Faint
		case v == 3:
			st.Attrs |= Italic
		case v == 4:
			// 4:0 turns underline off; 4:1..4:5 are underline styles
			if params[i].HasMore() && i+1 < len(params) {
				i++
				if params[i].Param(1) == 0 {
					st.Attrs &^= Underline
					continue
				}
			}
			st.Attrs |= Underline
		case v == 7:
			st.Attrs |= Reverse
		case v == 8:
			st.Attrs |= Conceal
		case v == 9:
			st.Attrs |= Strike
		case v == 21:
			st.Attrs |= Underline // double underline, drawn as single
		case v == 22:
			st.Attrs &^= Bold | Faint
		case v == 23:
			st.Attrs &^= Italic
		case v == 24:
			st.Attrs &^= Underline
		case v == 27:
			st.Attrs &^= Reverse
		case v == 28:
			st.Attrs &^= Conceal
		case v == 29:
			st.Attrs &^= Strike
		case v >= 30 && v <= 37:
			st.Fg = Color{Kind: colIndexed, Index: uint8(v - 30)}
		case v >= 90 && v <= 97:
			st.Fg = Color{Kind: colIndexed, Index: uint8(v - 90 + 8)}
		case v == 39:
			st.Fg = Color{}
		case v >= 40 && v <= 47:
			st.Bg = Color{Kind: colIndexed, Index: uint8(v - 40)}
		case v >= 100 && v <= 107:
			st.Bg = Color{Kind: colIndexed, Index: uint8(v - 100 + 8)}
		case v == 49:
			st.Bg = Color{}
		case v == 38, v == 48, v == 58:
			var c color.Color
			n := ansi.ReadStyleColor(params[i:], &c)
			if n == 0 {
				return st // malformed: ignore the rest, as terminals do
			}
			i += n - 1
			switch v {
			case 38:
				st.Fg = toColor(c)
			case 48:
				st.Bg = toColor(c)
			}
			// 58 (underline colour) is read to skip its parameters, not drawn
		default:
			// blink, fonts, overline...: not drawn; skip any sub-parameters
			for params[i].HasMore() && i+1 < len(params) {
				i++
			}
		}
	}
	return st
}

func toColor(c color.Color) Color {
	switch c := c.(type) {
	case nil:
		return Color{}
	case ansi.IndexedColor:
		return Color{Kind: colIndexed, Index: uint8(c)}
	case ansi.BasicColor:
		return Color{Kind: colIndexed, Index: uint8(c)}
	}
	r, g, b, a := c.RGBA()
	if a == 0 { // "transparent" means the default
		return Color{}
	}
	return Color{Kind: colRGB, R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8)}
}

// The window's colours: GitHub's dark palette, which the app's own dark
// theme is built on, and a matching 16-colour set.
const (
	defaultFg = "#e6edf3"
	defaultBg = "#0d1117"
	frameBar  = "#161b22"
	frameLine = "#30363d"
	titleFg   = "#9198a1"
)

var palette16 = [16]string{
	"#484f58", "#ff7b72", "#3fb950", "#d29922", "#58a6ff", "#bc8cff", "#39c5cf", "#b1bac4",
	"#6e7681", "#ffa198", "#56d364", "#e3b341", "#79c0ff", "#d2a8ff", "#56d4dd", "#ffffff",
}

// hex resolves c to #rrggbb, or def for the terminal default.
func hex(c Color, def string) string {
	switch c.Kind {
	case colIndexed:
		if c.Index < 16 {
			return palette16[c.Index]
		}
		r, g, b, _ := ansi.IndexedColor(c.Index).RGBA()
		return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	case colRGB:
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	return def
}

// colours returns the fg and bg a cell is drawn with ("" bg = the default).
func colours(st Style) (fg, bg string) {
	fg, bg = hex(st.Fg, defaultFg), hex(st.Bg, "")
	if st.Attrs&Reverse != 0 {
		fg, bg = hex(st.Bg, defaultBg), hex(st.Fg, defaultFg)
	}
	return fg, bg
}

// Options shape the picture.
type Options struct {
	Title string
	Frame bool
}

// Cell geometry in px: a 14 px monospace font advances ~0.6 em per cell.
const (
	fontSize = 14.0
	cellW    = 8.4
	cellH    = 18.0
	baseline = 13.5 // from the top of a cell
	pad      = 14.0
	barH     = 30.0
)

const fontStack = `ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace`

// Render writes s as a standalone SVG document.
func Render(w io.Writer, s *Screen, o Options) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	top := pad
	if o.Frame {
		top += barH
	}
	width := float64(s.Cols)*cellW + 2*pad
	height := top + float64(s.Rows)*cellH + pad
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %[1]s %[2]s">`+"\n", num(width), num(height))
	fmt.Fprintf(bw, "<style>text{font-family:%s;font-size:%spx;white-space:pre}.b{font-weight:bold}.i{font-style:italic}.f{opacity:.6}</style>\n",
		escape(fontStack), num(fontSize))
	fmt.Fprintf(bw, `<rect width="%s" height="%s" rx="8" fill="%s"/>`+"\n", num(width), num(height), defaultBg)
	if o.Frame {
		fmt.Fprintf(bw, `<path d="M0 8a8 8 0 0 1 8-8h%sa8 8 0 0 1 8 8v%sh-%sz" fill="%s"/>`+"\n",
			num(width-16), num(barH-8), num(width), frameBar)
		fmt.Fprintf(bw, `<line x1="0" y1="%s" x2="%s" y2="%[1]s" stroke="%s"/>`+"\n", num(barH), num(width), frameLine)
		for i, c := range []string{"#ff5f57", "#febc2e", "#28c840"} {
			fmt.Fprintf(bw, `<circle cx="%s" cy="%s" r="6" fill="%s"/>`+"\n", num(pad+6+float64(i)*20), num(barH/2), c)
		}
		if t := cleanText(o.Title); t != "" {
			fmt.Fprintf(bw, `<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`+"\n",
				num(width/2), num(barH/2+5), titleFg, escape(t))
		}
		fmt.Fprintf(bw, `<rect x=".5" y=".5" width="%s" height="%s" rx="8" fill="none" stroke="%s"/>`+"\n",
			num(width-1), num(height-1), frameLine)
	}
	fmt.Fprintf(bw, `<g transform="translate(%s %s)" xml:space="preserve">`+"\n", num(pad), num(top))
	for r, row := range s.Cells {
		renderBackgrounds(bw, r, row)
	}
	for r, row := range s.Cells {
		renderShapes(bw, r, row)
		renderText(bw, r, row)
	}
	fmt.Fprintln(bw, "</g>\n</svg>")
}

// renderBackgrounds draws one rect per run of cells sharing a non-default background.
func renderBackgrounds(w io.Writer, r int, row []Cell) {
	for c := 0; c < len(row); {
		_, bg := colours(row[c].Style)
		end := c + 1
		for end < len(row) {
			if _, b := colours(row[end].Style); b != bg {
				break
			}
			end++
		}
		if bg != "" {
			fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n",
				num(float64(c)*cellW), num(float64(r)*cellH), num(float64(end-c)*cellW), num(cellH), bg)
		}
		c = end
	}
}

// Run classes: text runs break where the class changes, so a glyph from a
// fallback font (✓, •, a wide character) is scaled to its own cells only.
const (
	classASCII = iota
	classOther
	classWide
	classShape // drawn by renderShapes, not as text
)

func class(c Cell) int {
	switch {
	case c.Width == 2:
		return classWide
	case len(c.Text) == 1 && c.Text[0] < 0x80:
		return classASCII
	}
	if r, _ := utf8.DecodeRuneInString(c.Text); shape(r) != nil && utf8.RuneCountInString(c.Text) == 1 {
		return classShape
	}
	return classOther
}

// textKey is what a text run must share: colour, visible attributes, class.
type textKey struct {
	fg    string
	attrs uint8
	class int
}

func keyOf(c Cell) textKey {
	fg, _ := colours(c.Style)
	return textKey{fg: fg, attrs: c.Style.Attrs &^ Reverse, class: class(c)}
}

// renderText writes one <text> per run of same-styled cells in a row.
func renderText(w io.Writer, r int, row []Cell) {
	for c := 0; c < len(row); {
		if row[c].Width == 0 { // right half of a wide char, drawn with its left
			c++
			continue
		}
		k := keyOf(row[c])
		end := c + row[c].Width
		for end < len(row) && row[end].Width != 0 && keyOf(row[end]) == k && k.class != classWide {
			end += row[end].Width
		}
		writeRun(w, r, c, row[c:end], k)
		c = end
	}
}

func writeRun(w io.Writer, r, col int, cells []Cell, k textKey) {
	if k.class == classShape || k.attrs&Conceal != 0 {
		return
	}
	// Trim blank edges (unless a line is drawn through them) so spaces cost nothing.
	lines := k.attrs&(Underline|Strike) != 0
	for !lines && len(cells) > 0 && cells[0].Text == " " {
		cells, col = cells[1:], col+1
	}
	for !lines && len(cells) > 0 && cells[len(cells)-1].Text == " " {
		cells = cells[:len(cells)-1]
	}
	if len(cells) == 0 {
		return
	}
	var text strings.Builder
	span := 0
	for _, c := range cells {
		text.WriteString(c.Text)
		span += c.Width
	}
	var cls []string
	if k.attrs&Bold != 0 {
		cls = append(cls, "b")
	}
	if k.attrs&Italic != 0 {
		cls = append(cls, "i")
	}
	if k.attrs&Faint != 0 {
		cls = append(cls, "f")
	}
	attrs := ""
	if len(cls) > 0 {
		attrs = ` class="` + strings.Join(cls, " ") + `"`
	}
	var deco []string
	if k.attrs&Underline != 0 {
		deco = append(deco, "underline")
	}
	if k.attrs&Strike != 0 {
		deco = append(deco, "line-through")
	}
	if len(deco) > 0 {
		attrs += ` text-decoration="` + strings.Join(deco, " ") + `"`
	}
	fmt.Fprintf(w, `<text x="%s" y="%s" textLength="%s" lengthAdjust="spacingAndGlyphs" fill="%s"%s>%s</text>`+"\n",
		num(float64(col)*cellW), num(float64(r)*cellH+baseline), num(float64(span)*cellW), k.fg, attrs, escape(text.String()))
}

// A drawing is how a box-drawing or block character is drawn in its cell:
// line arms from the centre (0 none, 1 light, 2 heavy) or a filled box.
type drawing struct {
	left, right, up, down uint8
	round                 bool
	// box, in eighths of the cell: x0, y0, x1, y1; opacity for shades
	box     *[4]float64
	opacity float64
}

var shapes = map[rune]drawing{
	'─': {left: 1, right: 1}, '━': {left: 2, right: 2},
	'│': {up: 1, down: 1}, '┃': {up: 2, down: 2},
	'┌': {right: 1, down: 1}, '┐': {left: 1, down: 1}, '└': {right: 1, up: 1}, '┘': {left: 1, up: 1},
	'┏': {right: 2, down: 2}, '┓': {left: 2, down: 2}, '┗': {right: 2, up: 2}, '┛': {left: 2, up: 2},
	'├': {up: 1, down: 1, right: 1}, '┤': {up: 1, down: 1, left: 1},
	'┬': {left: 1, right: 1, down: 1}, '┴': {left: 1, right: 1, up: 1}, '┼': {left: 1, right: 1, up: 1, down: 1},
	'┣': {up: 2, down: 2, right: 2}, '┫': {up: 2, down: 2, left: 2},
	'┳': {left: 2, right: 2, down: 2}, '┻': {left: 2, right: 2, up: 2}, '╋': {left: 2, right: 2, up: 2, down: 2},
	'╭': {right: 1, down: 1, round: true}, '╮': {left: 1, down: 1, round: true},
	'╰': {right: 1, up: 1, round: true}, '╯': {left: 1, up: 1, round: true},
	'╴': {left: 1}, '╵': {up: 1}, '╶': {right: 1}, '╷': {down: 1},
	'█': {box: &[4]float64{0, 0, 8, 8}, opacity: 1},
	'▀': {box: &[4]float64{0, 0, 8, 4}, opacity: 1},
	'▐': {box: &[4]float64{4, 0, 8, 8}, opacity: 1},
	'░': {box: &[4]float64{0, 0, 8, 8}, opacity: .25},
	'▒': {box: &[4]float64{0, 0, 8, 8}, opacity: .5},
	'▓': {box: &[4]float64{0, 0, 8, 8}, opacity: .75},
}

func init() {
	// ▁▂▃▄▅▆▇: lower eighths; ▏▎▍▌▋▊▉: left eighths
	for i := 1; i <= 7; i++ {
		shapes['▁'+rune(i-1)] = drawing{box: &[4]float64{0, 8 - float64(i), 8, 8}, opacity: 1}
		shapes['▏'-rune(i-1)] = drawing{box: &[4]float64{0, 0, float64(i), 8}, opacity: 1}
	}
}

func shape(r rune) *drawing {
	if d, ok := shapes[r]; ok {
		return &d
	}
	return nil
}

// renderShapes draws a row's box-drawing and block characters. Horizontal
// runs of the same character merge into one element: no seams between cells.
func renderShapes(w io.Writer, r int, row []Cell) {
	y0 := float64(r) * cellH
	for c := 0; c < len(row); {
		if class(row[c]) != classShape {
			c++
			continue
		}
		ch, st := row[c].Text, row[c].Style
		end := c + 1
		for end < len(row) && row[end].Text == ch && row[end].Style == st {
			end++
		}
		rn, _ := utf8.DecodeRuneInString(ch)
		d := shape(rn)
		fg, _ := colours(st)
		x0, x1 := float64(c)*cellW, float64(end)*cellW
		if st.Attrs&Conceal != 0 {
			c = end
			continue
		}
		op := ""
		if st.Attrs&Faint != 0 {
			op = ` opacity=".6"`
		}
		if d.box != nil {
			b := *d.box
			if d.opacity < 1 {
				op = fmt.Sprintf(` opacity="%s"`, num(d.opacity))
			}
			// only boxes spanning the full width merge; others repeat per cell
			step := cellW
			if b[0] == 0 && b[2] == 8 {
				step = x1 - x0
			}
			for x := x0; x < x1-0.01; x += step {
				fmt.Fprintf(w, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`+"\n",
					num(x+b[0]/8*cellW), num(y0+b[1]/8*cellH), num((b[2]-b[0])/8*step), num((b[3]-b[1])/8*cellH), fg, op)
			}
			c = end
			continue
		}
		var path strings.Builder
		for cc := c; cc < end; cc++ {
			x := float64(cc) * cellW
			// a straight horizontal run is one segment
			if d.left == d.right && d.left > 0 && d.up == 0 && d.down == 0 {
				fmt.Fprintf(&path, "M%s %sH%s", num(x0), num(y0+cellH/2), num(x1))
				break
			}
			path.WriteString(arms(d, x, y0))
		}
		weight := max(d.left, d.right, d.up, d.down)
		fmt.Fprintf(w, `<path d="%s" stroke="%s" stroke-width="%s" fill="none"%s/>`+"\n", path.String(), fg, num(1.2*float64(weight)), op)
		c = end
	}
}

// arms is the path of one line-drawing cell at (x, y).
func arms(d *drawing, x, y float64) string {
	cx, cy := x+cellW/2, y+cellH/2
	if d.round {
		// a quarter circle joining the two arms
		rad := cellW / 2
		hx, vy := x, y // the arm ends on the cell edges
		dx, dy := -rad, -rad
		if d.right > 0 {
			hx, dx = x+cellW, rad
		}
		if d.down > 0 {
			vy, dy = y+cellH, rad
		}
		return fmt.Sprintf("M%s %sH%sQ%s %s %s %sV%s", num(hx), num(cy), num(cx+dx), num(cx), num(cy), num(cx), num(cy+dy), num(vy))
	}
	var b strings.Builder
	if d.left > 0 || d.right > 0 {
		from, to := cx, cx
		if d.left > 0 {
			from = x
		}
		if d.right > 0 {
			to = x + cellW
		}
		fmt.Fprintf(&b, "M%s %sH%s", num(from), num(cy), num(to))
	}
	if d.up > 0 || d.down > 0 {
		from, to := cy, cy
		if d.up > 0 {
			from = y
		}
		if d.down > 0 {
			to = y + cellH
		}
		fmt.Fprintf(&b, "M%s %sV%s", num(cx), num(from), num(to))
	}
	return b.String()
}

// num prints a coordinate with at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// escape makes s safe as XML text or attribute value.
func escape(s string) string {
	var b strings.Builder
	for _, r := range cleanText(s) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
