package emulator

// Fuzz targets for the emulator's query-option parsers: Graph $filter and
// $search (graph_filter.go) and the Microsoft.Authorization $filter
// (arm_roles.go). They read raw query strings from any client on the
// listener. Seeds run as plain tests; the long runs are e.g.
// `go test -run XXX -fuzz '^FuzzGraphFilterWorld$' -fuzztime 60s -parallel 2 ./azure/emulator/`.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure/rbac"
)

// fzDirectory renders the seeded world's directory objects of each kind,
// as GET /users (etc.) sees them.
func fzDirectory() map[*graphKind][]graphObj {
	s := &graphHost{core: &core{world: newWorld(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}}
	out := map[*graphKind][]graphObj{}
	for _, k := range fzGraphKinds {
		out[k] = s.graphCollection(k)
	}
	return out
}

// fzWithHostile adds to objs one object of kind k whose every filterable
// property is the hostile value v.
func fzWithHostile(objs []graphObj, k *graphKind, v string) []graphObj {
	hostile := graphObj{}
	for _, canon := range k.filter.props {
		hostile[canon] = v
	}
	for _, canon := range k.filter.lists {
		hostile[canon] = []string{"", v}
	}
	return append(slices.Clip(objs), hostile)
}

// fzMatches evaluates c against objs the way the list handler does and
// returns the indexes that match.
func fzMatches(c graphCond, objs []graphObj) []int {
	var out []int
	for i, o := range objs {
		if c.eval(func(p string) any { return o[p] }) {
			out = append(out, i)
		}
	}
	return out
}

// fzQueryError fails unless err is a Graph 400 answer with a code and a message.
func fzQueryError(t *testing.T, what, src string, err error) {
	t.Helper()
	var qe *graphQueryError
	if !errors.As(err, &qe) || (qe.code != "BadRequest" && qe.code != "Request_UnsupportedQuery" && qe.code != "Request_BadRequest") || qe.message == "" {
		t.Fatalf("%s %q: refusal %v is not a Graph query error", what, src, err)
	}
}

var fzGraphKinds = []*graphKind{graphUserKind, graphGroupKind, graphSPKind}

// FuzzGraphFilterWorld: for users, groups and service principals, a $filter
// either parses or is refused with Graph's 400 codes, never a panic; a
// parsed filter evaluates over the seeded directory (and an object made of
// the input itself); ConsistencyLevel: eventual only ever unlocks more, and
// never changes what a filter means; parentheses and "X and X" / "X or X"
// do not change the result.
func FuzzGraphFilterWorld(f *testing.F) {
	for _, s := range []string{
		"startswith(displayName,'ali')", "startswith(displayName,'a') or startswith(userPrincipalName,'a')",
		"appId eq 'c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e'", "id eq '" + idAlice + "'", "displayName eq 'O''Brien'",
		"servicePrincipalType eq 'ManagedIdentity'", "startswith(description,'ml')", "endswith(mail,'@contoso.example')",
		"(startswith(displayName,'a') and (startswith(surname,'c') or mail eq 'x')) or id eq ''",
		"STARTSWITH(DisplayName,'B') AND NOT", "not startswith(displayName,'a')", "contains(displayName,'a')",
		"displayName ne 'a'", "displayName eq", "startswith(displayName 'a')", "startswith(,)", "()", ")(", "'",
		"startswith(displayName,'\x1b]0;t\x07')", "displayName eq '\xff\xfe'", "startswith(displayName,'名')",
		strings.Repeat("(", 40) + "id eq 'x'" + strings.Repeat(")", 40), "a eq 'b' or", "shoeSize eq '9'", "\x00",
		"servicePrincipalNames/any(c:c eq 'c4a2d9e1-7b3f-4c5a-9e8d-1f2a3b4c5d6e')", "proxyAddresses/any(x:startswith(x,'SMTP:'))",
		"groupTypes/any(g:g eq 'Unified') or startswith(displayName,'ml')", "tags/any(t:t eq 'a'') or true or (''x')",
		"alternativeNames/all(x:x eq 'a')", "otherMails/any(x:y eq 'a')", "proxyAddresses/any(x:x eq 'a'", "businessPhones/any(:)",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	dir := fzDirectory()
	f.Fuzz(func(t *testing.T, src string, advanced bool) {
		for _, k := range fzGraphKinds {
			objs := fzWithHostile(dir[k], k, src)
			c, err := parseGraphFilter(src, k.filter, advanced)
			if err != nil {
				fzQueryError(t, "$filter", src, err)
				continue
			}
			got := fzMatches(c, objs)
			if a, err := parseGraphFilter(src, k.filter, true); err != nil || !slices.Equal(fzMatches(a, objs), got) {
				t.Fatalf("$filter %q on %s: with ConsistencyLevel it is refused (%v) or means something else", src, k.collection, err)
			}
			for _, form := range []string{"(" + src + ")", "(" + src + ") and (" + src + ")", "(" + src + ") or (" + src + ")"} {
				w, err := parseGraphFilter(form, k.filter, advanced)
				if err != nil {
					if strings.Contains(err.Error(), "nested too deeply") {
						continue
					}
					t.Fatalf("$filter %q parses but %q is refused: %v", src, form, err)
				}
				if m := fzMatches(w, objs); !slices.Equal(m, got) {
					t.Fatalf("$filter %q on %s matches %v, but %q matches %v", src, k.collection, got, form, m)
				}
			}
		}
	})
}

// fzQuote writes v as an OData string literal (” for a quote).
func fzQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// fzSwapCase flips ASCII letter case byte by byte, leaving any other byte
// (broken UTF-8 included) as it is; Graph compares case-insensitively.
func fzSwapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			b[i] = c ^ 0x20
		}
	}
	return string(b)
}

// FuzzGraphFilterValueRoundTrip: any value, quoted as OData does, comes back
// intact: startswith/endswith/eq on a property holding it (in any ASCII case,
// with text around it for the prefix forms) match, and an object without it
// does not; a $search clause for a term finds an object named by the term.
func FuzzGraphFilterValueRoundTrip(f *testing.F) {
	f.Add("ali", "ce Chen", uint8(1))
	f.Add("O'Brien", "", uint8(0))
	f.Add("'')(or", "x", uint8(2))
	f.Add("\x1b]52;c;ZXZpbA==\x07", "\u009b", uint8(3))
	f.Add("名前", "\xff", uint8(4))
	f.Add("", "", uint8(5))
	f.Fuzz(func(t *testing.T, v, rest string, pick uint8) {
		// id takes a GUID (checked below), so the text round trip is on the others.
		props := slices.Sorted(func(yield func(string) bool) {
			for _, canon := range graphUserKind.filter.props {
				if canon != "id" && !yield(canon) {
					return
				}
			}
		})
		prop := props[int(pick)%len(props)]
		holding := func(val string) graphValues {
			return func(p string) any {
				if p == prop {
					return val
				}
				return ""
			}
		}
		for _, tc := range []struct {
			filter string
			val    string
		}{
			{"startswith(" + prop + "," + fzQuote(v) + ")", fzSwapCase(v) + rest},
			{"endswith(" + strings.ToUpper(prop) + "," + fzQuote(v) + ")", rest + fzSwapCase(v)},
			{prop + " EQ " + fzQuote(v), fzSwapCase(v)},
			{"(" + prop + " eq " + fzQuote(v) + ") or mail eq " + fzQuote(v+"x"), v},
		} {
			c, err := parseGraphFilter(tc.filter, graphUserKind.filter, true)
			if err != nil {
				t.Fatalf("$filter %q refused: %v", tc.filter, err)
			}
			if !c.eval(holding(tc.val)) {
				t.Fatalf("$filter %q does not match %s = %q", tc.filter, prop, tc.val)
			}
			if v != "" && c.eval(holding("")) {
				t.Fatalf("$filter %q matches an empty %s", tc.filter, prop)
			}
		}
		// id eq takes exactly a GUID; anything else is Graph's Invalid object identifier.
		_, err := parseGraphFilter("id eq "+fzQuote(v), graphUserKind.filter, true)
		var qe *graphQueryError
		if isGUID := rbac.IsGUID(v); isGUID != (err == nil) || (!isGUID && (!errors.As(err, &qe) || qe.code != "Request_BadRequest")) {
			t.Fatalf("id eq %q: %v", v, err)
		}
		term := strings.TrimSpace(strings.ReplaceAll(v, `"`, ""))
		search := fmt.Sprintf(`"%s:%s" OR "id:%s"`, strings.ToLower(prop), term, term)
		c, err := parseGraphSearch(search, graphUserKind.filter)
		if err != nil {
			t.Fatalf("$search %q refused: %v", search, err)
		}
		if !c.eval(holding(term)) {
			t.Fatalf("$search %q does not find %s = %q", search, prop, term)
		}
	})
}

// FuzzGraphSearchWorld: $search either parses or is refused with Graph's 400
// codes; a parsed search evaluates over the seeded directory and the input.
func FuzzGraphSearchWorld(f *testing.F) {
	for _, s := range []string{`"displayName:wa"`, `"displayName:alice chen"`, `"mail:contoso" OR "surname:x"`,
		`"displayName:a" AND "mail:b" OR "id:c"`, `"displayName:"`, `"displayName:x" AND`, `"displayName:x"AND"mail:y"`,
		`displayName:a`, `"a"`, `"shoeSize:9"`, `"displayName:a" XOR "mail:b"`, `""`, `"`, "", `"displayName:\x1b[2J"`,
		"\"description:\xff\"", `"servicePrincipalType:Managed"`} {
		f.Add(s)
	}
	dir := fzDirectory()
	f.Fuzz(func(t *testing.T, src string) {
		for _, k := range fzGraphKinds {
			c, err := parseGraphSearch(src, k.filter)
			if err != nil {
				fzQueryError(t, "$search", src, err)
				continue
			}
			_ = fzMatches(c, fzWithHostile(dir[k], k, src))
		}
	})
}

// fzAuthzCollections are the three $filter dialects arm_roles.go accepts.
var fzAuthzCollections = []struct {
	functions, allowed []string
}{
	{[]string{"atScopeAndBelow()"}, []string{"roleName", "type"}},                                   // role definitions
	{[]string{"atScope()", "assignedTo('{objectId}')"}, []string{"principalId"}},                    // role assignments
	{[]string{"atScope()"}, []string{"denyAssignmentName", "principalId", "gdprExportPrincipalId"}}, // deny assignments
}

// FuzzAuthzFilter: the Microsoft.Authorization $filter either parses or is
// refused with a message listing what is supported, never a panic; what it
// parses only uses the functions and properties that collection supports.
func FuzzAuthzFilter(f *testing.F) {
	for _, s := range []string{
		"atScope()", "atScopeAndBelow()", "assignedTo('6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c')",
		"atScope() and principalId eq '6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c'", "roleName eq 'AzureML Data Scientist'",
		"type eq 'CustomRole' AND atScopeAndBelow()", "roleName eq 'a and b'", "roleName eq 'O''Brien'",
		"principalId eq '", "principalId eq 'a' and", " and ", "atscope( )", "assignedTo(' x '' y ')",
		"principalId eq \"x\"", "shoeSize eq '9'", "principalId ne 'x'", "'''", "\x1b]0;t\x07", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, col := range fzAuthzCollections {
			fl, err := parseAuthzFilter(raw, col.functions, col.allowed...)
			if err != nil {
				if !strings.Contains(err.Error(), "supported filters are "+col.functions[0]) {
					t.Fatalf("$filter %q: refusal %q does not say what is supported", raw, err)
				}
				continue
			}
			if (fl.atScope && !slices.Contains(col.functions, "atScope()")) ||
				(fl.atScopeAndBelow && !slices.Contains(col.functions, "atScopeAndBelow()")) ||
				(fl.assignedTo != "" && !slices.Contains(col.functions, "assignedTo('{objectId}')")) {
				t.Fatalf("$filter %q with functions %v parsed to %+v", raw, col.functions, fl)
			}
			for k := range fl.eq {
				if !slices.ContainsFunc(col.allowed, func(a string) bool { return strings.ToLower(a) == k }) {
					t.Fatalf("$filter %q parsed property %q, not one of %v", raw, k, col.allowed)
				}
			}
		}
	})
}

// FuzzAuthzFilterRoundTrip: a role-assignment $filter built from any object
// id and principal id (quoted with ”) in any order and case comes back with
// exactly those values when they are GUIDs, and is refused otherwise (an
// object id is a GUID; "assignedTo('a”) or true or (”x')" must not pass).
func FuzzAuthzFilterRoundTrip(f *testing.F) {
	f.Add("6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c", "0a0b0c0d-1111-2222-3333-444455556666", uint8(0))
	f.Add("x' and atScope() and '", "''", uint8(3))
	f.Add(" and ", "a and b", uint8(5))
	f.Add("\xff\n", "\x1b]52;c;eA==\x07", uint8(6))
	f.Fuzz(func(t *testing.T, obj, principal string, order uint8) {
		terms := []string{"atScope()", "assignedTo(" + fzQuote(obj) + ")", "principalId eq " + fzQuote(principal)}
		if order&1 != 0 {
			terms[0], terms[2] = terms[2], terms[0]
		}
		if order&2 != 0 {
			terms[0], terms[1] = terms[1], terms[0]
		}
		sep := " and "
		if order&4 != 0 {
			sep = " AND "
		}
		raw := strings.Join(terms, sep)
		col := fzAuthzCollections[1]
		fl, err := parseAuthzFilter(raw, col.functions, col.allowed...)
		if guids := rbac.IsGUID(obj) && rbac.IsGUID(principal); !guids {
			if err == nil {
				t.Fatalf("$filter %q with a non-GUID object id accepted: %+v", raw, fl)
			}
			return
		}
		if err != nil {
			t.Fatalf("$filter %q refused: %v", raw, err)
		}
		if !fl.atScope || fl.assignedTo != obj || fl.eq["principalid"] != principal || len(fl.eq) != 1 {
			t.Fatalf("$filter %q parsed to %+v, want atScope, assignedTo %q, principalId %q", raw, fl, obj, principal)
		}
	})
}
