package emulator

import (
	"errors"
	"strings"
	"testing"
)

func graphtUser(prop string) string {
	return map[string]string{"displayName": "Alice Chen", "userPrincipalName": "alice@contoso.example", "mail": "alice@contoso.example",
		"givenName": "Alice", "surname": "Chen", "id": idAlice}[prop]
}

func TestGraphFilterSemantics(t *testing.T) {
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{"startswith(displayName,'al')", true},
		{"STARTSWITH(DISPLAYNAME,'AL')", true}, // operators, functions and properties are case-insensitive
		{"startswith(displayName,'Chen')", false},
		{"startswith(displayName,'x') or startswith(userPrincipalName,'alice@')", true},
		{"startswith(displayName,'a') and startswith(surname,'x')", false},
		{"startswith(displayName,'x') or startswith(displayName,'a') and startswith(surname,'c')", true}, // and binds tighter
		{"(startswith(displayName,'x') or startswith(displayName,'a')) and startswith(surname,'x')", false},
		{"id eq '" + strings.ToUpper(idAlice) + "'", true},
		{"displayName eq 'alice chen'", true},
		{"surname eq 'O''Brien'", false},
		{"endswith(mail,'.EXAMPLE')", true},
	} {
		c, err := parseGraphFilter(tc.filter, graphUserKind.filter, true)
		if err != nil {
			t.Errorf("%q: %v", tc.filter, err)
			continue
		}
		if got := c.eval(graphtUser); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.filter, got, tc.want)
		}
	}
	c, err := parseGraphFilter("displayName eq 'O''Brien'", graphUserKind.filter, false)
	if err != nil || !c.eval(func(string) string { return "o'brien" }) {
		t.Errorf("'' escape: %v", err)
	}
}

func TestGraphSearchSemantics(t *testing.T) {
	for _, tc := range []struct {
		search string
		want   bool
	}{
		{`"displayName:ch"`, true},   // word start
		{`"displayName:hen"`, false}, // not inside a word
		{`"displayName:alice chen"`, true},
		{`"mail:contoso"`, true}, // after punctuation
		{`"displayName:x" OR "surname:chen"`, true},
		{`"displayName:alice" AND "surname:x"`, false},
	} {
		c, err := parseGraphSearch(tc.search, graphUserKind.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.search, err)
			continue
		}
		if got := c.eval(graphtUser); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.search, got, tc.want)
		}
	}
	for _, bad := range []string{`displayName:a`, `"displayName:a`, `"a"`, `"shoeSize:9"`, `"displayName:a" XOR "mail:b"`, ``} {
		if _, err := parseGraphSearch(bad, graphUserKind.filter); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// FuzzGraphFilter: $filter is untrusted input; the parser must never panic,
// must answer every refusal as a Graph query error, and a filter that
// parses must evaluate.
func FuzzGraphFilter(f *testing.F) {
	for _, seed := range []string{
		"startswith(displayName,'ali')",
		"startswith(displayName,'a') or startswith(userPrincipalName,'a')",
		"appId eq 'c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e'",
		"displayName eq 'O''Brien'",
		"(startswith(displayName,'a') and (id eq 'x'))",
		"endswith(mail,'@contoso.example')",
		"startswith(displayName,\"a\")",
		"contains(displayName,'a')",
		"not startswith(displayName,'a')",
		"displayName ne 'a'",
		"startswith(displayName,'",
		"((((((((((",
		"'unterminated",
		"",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, src string, advanced bool) {
		for _, res := range []graphResource{graphUserKind.filter, graphSPKind.filter} {
			c, err := parseGraphFilter(src, res, advanced)
			if err != nil {
				var qe *graphQueryError
				if !errors.As(err, &qe) || qe.code == "" || qe.message == "" {
					t.Fatalf("%q: error %v is not a Graph query error", src, err)
				}
				continue
			}
			_ = c.eval(graphtUser)
		}
		if c, err := parseGraphSearch(src, graphUserKind.filter); err == nil {
			_ = c.eval(graphtUser)
		}
	})
}
