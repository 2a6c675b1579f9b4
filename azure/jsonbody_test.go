package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateJSONPositions(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		line, col  int
		msg        string
	}{
		{"missing value", `{"a":}`, 1, 6, "invalid character '}'"},
		{"second line", "{\n  \"a\": 1,\n  \"b\": x\n}", 3, 8, "invalid character 'x'"},
		{"unclosed", "{\"data\": [[1,2,3]\n", 2, 1, "ends too early"},
		{"unclosed string", `{"a": "abc`, 1, 11, "ends too early"},
		{"trailing data", `[1,2]]`, 1, 6, "after the JSON value"},
		{"two values", "{\"a\":1}\n{\"b\":2}", 2, 1, "after the JSON value"},
		{"trailing comma", `[1,]`, 1, 4, "invalid character ']'"},
		{"runes count as one column", "{\"é€\": x}", 1, 8, "invalid character 'x'"},
		{"empty", ``, 1, 1, "empty"},
		{"blank", " \n\t", 1, 1, "empty"},
		{"single quotes", `{'a': 1}`, 1, 2, "invalid character '\\''"},
		{"NaN", `{"a": NaN}`, 1, 7, "invalid character 'N'"},
	} {
		err := ValidateJSON([]byte(tc.body))
		var je *JSONError
		if !errors.As(err, &je) {
			t.Errorf("%s: want *JSONError, got %v", tc.name, err)
			continue
		}
		if je.Line != tc.line || je.Column != tc.col || !strings.Contains(je.Msg, tc.msg) {
			t.Errorf("%s: got %d:%d %q, want %d:%d ~%q", tc.name, je.Line, je.Column, je.Msg, tc.line, tc.col, tc.msg)
		}
		if !strings.HasPrefix(err.Error(), "line ") || Explain(err).Title != "The body is not valid JSON" {
			t.Errorf("%s: error text %q / explanation %+v", tc.name, err, Explain(err))
		}
	}
	for _, ok := range []string{`{"data": [[1,2]]}`, "  [1, 2]\n", `"x"`, `1e999`, `null`} {
		if err := ValidateJSON([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestPrettyJSON(t *testing.T) {
	got, err := PrettyJSON([]byte(` {"data":[[1,2],[3,4]],"k":"v"} `))
	want := "{\n  \"data\": [\n    [\n      1,\n      2\n    ],\n    [\n      3,\n      4\n    ]\n  ],\n  \"k\": \"v\"\n}"
	if err != nil || string(got) != want {
		t.Fatalf("got %q, %v", got, err)
	}
	var je *JSONError
	if _, err := PrettyJSON([]byte(`{"a":`)); !errors.As(err, &je) {
		t.Errorf("invalid JSON: want *JSONError, got %v", err)
	}
}

func TestSampleBody(t *testing.T) {
	if got := string(SampleBody(0)); got != `{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}` {
		t.Errorf("seeds' sample: %s", got)
	}
	if got := string(SampleBody(3)); got != `{"data": [[1,2,3],[3,2,1]]}` {
		t.Errorf("width 3: %s", got)
	}
	if !json.Valid(SampleBody(1)) {
		t.Error("width 1 is not JSON")
	}
}

// FuzzValidateJSON: never panics, agrees with json.Valid, and points
// inside the input.
func FuzzValidateJSON(f *testing.F) {
	for _, s := range []string{
		`{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}`, `{"a":}`, "{\n\"a\": x}", `[1,2]]`, ``, " ", `"\u00e9"`,
		"\"\xff\"", "{\"é\":\n\n]", `[[[[`, `1e999`, "\r\n{}\r\n", "{\"a\":1}\n{\"b\":2}", `{"a":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := ValidateJSON(body)
		if (err == nil) != json.Valid(body) {
			t.Fatalf("ValidateJSON=%v but json.Valid=%v for %q", err, json.Valid(body), body)
		}
		if err == nil {
			return
		}
		var je *JSONError
		if !errors.As(err, &je) {
			t.Fatalf("not a *JSONError: %T %v", err, err)
		}
		lines := bytes.Split(body, []byte{'\n'})
		if je.Line < 1 || je.Line > len(lines) {
			t.Fatalf("line %d outside 1..%d for %q", je.Line, len(lines), body)
		}
		if n := utf8.RuneCount(lines[je.Line-1]); je.Column < 1 || je.Column > n+1 {
			t.Fatalf("column %d outside 1..%d on line %d of %q", je.Column, n+1, je.Line, body)
		}
		if je.Msg == "" {
			t.Fatal("empty message")
		}
	})
}
