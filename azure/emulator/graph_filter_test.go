package emulator

import (
	"errors"
	"strings"
	"testing"
)

func graphtUser(prop string) any {
	return map[string]any{"displayName": "Alice Chen", "userPrincipalName": "alice@contoso.example", "mail": "alice@contoso.example",
		"givenName": "Alice", "surname": "Chen", "id": idAlice,
		"proxyAddresses": []string{"SMTP:alice@contoso.example", "smtp:achen@contoso.example"}, "otherMails": []string{}}[prop]
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
		{"proxyAddresses/any(x:x eq 'smtp:ACHEN@contoso.example')", true}, // any item, case-insensitive
		{"proxyAddresses/any(x:startswith(x,'smtp:achen'))", true},
		{"proxyAddresses/ANY(p:startswith(p,'x:'))", false},
		{"otherMails/any(m:m eq 'alice@contoso.example')", false}, // an empty collection matches nothing
		{"startswith(displayName,'x') or proxyAddresses/any(x:x eq 'SMTP:alice@contoso.example')", true},
		{"(proxyAddresses/any(x:x eq 'nope')) and startswith(displayName,'a')", false},
		// '' is a quote inside the string: what looks like "or true" is text, so nothing matches.
		{"proxyAddresses/any(x:x eq 'a'') or true or (''x')", false},
		{"startswith(displayName,'a'') or true or (''x')", false},
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
	if err != nil || !c.eval(func(string) any { return "o'brien" }) {
		t.Errorf("'' escape: %v", err)
	}
}

// Lambdas are understood on the collections only, with eq or startswith
// on the range variable; everything else is refused with Graph's codes.
func TestGraphFilterLambdaRefusals(t *testing.T) {
	for _, tc := range []struct{ filter, code string }{
		{"displayName/any(x:x eq 'a')", "Request_UnsupportedQuery"},                          // not a collection
		{"proxyAddresses eq 'a'", "Request_UnsupportedQuery"},                                // a collection has no single value
		{"proxyAddresses/all(x:x eq 'a')", "Request_UnsupportedQuery"},                       // all() is not supported on directory objects
		{"proxyAddresses/any(x:y eq 'a')", "BadRequest"},                                     // not the range variable
		{"proxyAddresses/any(x:X eq 'a')", "BadRequest"},                                     // range variables are case-sensitive
		{"proxyAddresses/any(x x eq 'a')", "BadRequest"},                                     // no colon
		{"proxyAddresses/any(x:startswith(y,'a'))", "BadRequest"},                            // not the range variable
		{"proxyAddresses/any(x:x eq 'a'", "BadRequest"},                                      // not closed
		{"proxyAddresses/any(x:x eq 'a' or x eq 'b')", "BadRequest"},                         // one comparison only
		{"proxyAddresses/any(x:x ne 'a')", "Request_UnsupportedQuery"},                       // eq only
		{"proxyAddresses/some(x:x eq 'a')", "BadRequest"},                                    // not a lambda operator
		{"proxyAddresses/any(x:endswith(x,'a'))", "BadRequest"},                              // startswith only
		{"shoeSizes/any(x:x eq '9')", "Request_UnsupportedQuery"},                            // unknown property
		{"proxyAddresses/any(x:x eq 'a') or true or (x eq 'b')", "Request_UnsupportedQuery"}, // true is no property
		{"startswith(displayName,'a'') or true or ('x')", "BadRequest"},                      // a string left open
		{"id eq 'a'') or true or (''x'", "Request_BadRequest"},                               // an object id is a GUID
		{"id eq '" + idAlice + "x'", "Request_BadRequest"},
	} {
		_, err := parseGraphFilter(tc.filter, graphUserKind.filter, true)
		var qe *graphQueryError
		if !errors.As(err, &qe) || qe.code != tc.code {
			t.Errorf("%q: %v, want %s", tc.filter, err, tc.code)
		}
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
		"servicePrincipalNames/any(c:c eq 'x')",
		"proxyAddresses/any(x:startswith(x,'smtp:'))",
		"otherMails/any(x:x eq 'a'') or true or (''x')",
		"proxyAddresses/any(x:",
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
