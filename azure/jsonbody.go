package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Request bodies: validation with a line:column, pretty printing, and the
// seeds' sample input.

// JSONError is invalid JSON at Line:Column (1-based; the column counts
// characters, not bytes, so it matches what an editor shows).
type JSONError struct {
	Line, Column int
	Msg          string
}

func (e *JSONError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Explanation implements Explainer.
func (e *JSONError) Explanation() Explanation {
	return Explanation{Title: "The body is not valid JSON", Detail: e.Error() + ". Nothing was sent.",
		Next: "Fix the body at that position (or start again from the sample), then send."}
}

// ValidateJSON checks that body is exactly one JSON value (whitespace
// around it allowed); otherwise it returns a *JSONError pointing at the
// first offending character. It agrees with encoding/json.Valid.
func ValidateJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &JSONError{Line: 1, Column: 1, Msg: "the body is empty; a JSON value is expected"}
	}
	if json.Valid(body) { // the fast path: one scan, no allocation
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw) // the same scanner as json.Valid, and it reports the offset
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &JSONError{Line: 1, Column: 1, Msg: err.Error()}
	}
	// Offset counts the bytes read, the offending one included; at the end
	// of the input it is len(body): point just past the last character.
	pos := int(se.Offset) - 1
	msg := se.Error()
	switch {
	case se.Offset >= int64(len(body)) && strings.Contains(msg, "unexpected end"):
		pos, msg = len(body), "the JSON ends too early (an unclosed string, } or ]?)"
	case strings.Contains(msg, "after top-level value"):
		msg = "unexpected data after the JSON value (" + msg + ")"
	}
	pos = min(max(pos, 0), len(body))
	line, col := lineColumn(body, pos)
	return &JSONError{Line: line, Column: col, Msg: msg}
}

// lineColumn turns a byte offset into a 1-based line and character column.
func lineColumn(b []byte, pos int) (int, int) {
	before := b[:pos]
	line := 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// PrettyJSON indents body with two spaces. Invalid JSON is a *JSONError.
func PrettyJSON(body []byte) ([]byte, error) {
	if err := ValidateJSON(body); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(body), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// SampleBody is the seeds' sample input for a model taking width numbers
// per row (≤ 0 means the seeds' 10): two rows, 1..width and width..1,
// i.e. {"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}.
func SampleBody(width int) []byte {
	if width <= 0 {
		width = 10
	}
	var b bytes.Buffer
	b.WriteString(`{"data": [[`)
	for i := 1; i <= width; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteString(`],[`)
	for i := width; i >= 1; i-- {
		b.WriteString(strconv.Itoa(i))
		if i > 1 {
			b.WriteByte(',')
		}
	}
	b.WriteString(`]]}`)
	return b.Bytes()
}
