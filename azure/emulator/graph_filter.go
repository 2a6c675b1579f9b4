package emulator

import (
	"fmt"
	"strings"
	"unicode"

	"amlauth-tui/azure/rbac"
)

// Microsoft Graph query options: the small $filter and $search languages the
// TUI's principal pickers use. Only these forms are understood, each the way
// Graph treats it on directory objects:
//
//	startswith(displayName,'ali')                  prefix, case-insensitive
//	startswith(displayName,'a') or startswith(userPrincipalName,'a')
//	appId eq '…'   id eq '…'   displayName eq '…'  equality, case-insensitive
//	endswith(mail,'@contoso.example')              advanced query: needs ConsistencyLevel: eventual
//	"displayName:wa" [AND|OR "mail:x"]             $search, tokenised prefix match (always advanced)
//	servicePrincipalNames/any(c:c eq '…')          lambda on a collection property: some item matches
//	proxyAddresses/any(x:startswith(x,'smtp:'))    (eq or startswith inside; `az` resolves appIds this way)
//
// with and/or (and binds tighter), parentheses, case-insensitive operators
// and function names, and '' as the quote inside a string. Anything else is
// refused with Graph's 400 codes and a message that names the problem.

// graphQueryError is a 400 answer to a query option.
type graphQueryError struct{ code, message string }

func (e *graphQueryError) Error() string { return e.code + ": " + e.message }

// graphAdvancedHint ends Graph's refusals of advanced queries sent without the header.
const graphAdvancedHint = " is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information"

// graphResource describes what a collection's objects can be filtered on.
type graphResource struct {
	name  string            // "User": how Graph names the type in its messages
	props map[string]string // filterable properties: lower-case -> canonical
	// lists are the string-collection properties any() ranges over:
	// lower-case -> canonical (https://learn.microsoft.com/graph/filter-query-parameter,
	// "Filter using lambda operators"; each type's properties list which support any()).
	lists map[string]string
}

// graphValues reads an object's property: a string for the scalar
// properties, a []string for the collections.
type graphValues func(prop string) any

// graphCond is a parsed condition, evaluated against an object's properties.
type graphCond interface {
	eval(get graphValues) bool
}

type (
	graphOr   []graphCond
	graphAnd  []graphCond
	graphTest struct {
		op, prop, value string // op: startswith | endswith | eq | search
	}
	// graphAny is prop/any(x: x <op> value): some item of the collection matches.
	graphAny struct{ test graphTest }
)

func (c graphOr) eval(get graphValues) bool {
	for _, x := range c {
		if x.eval(get) {
			return true
		}
	}
	return false
}

func (c graphAnd) eval(get graphValues) bool {
	for _, x := range c {
		if !x.eval(get) {
			return false
		}
	}
	return true
}

func (t graphTest) eval(get graphValues) bool {
	v, _ := get(t.prop).(string)
	return t.match(v)
}

func (a graphAny) eval(get graphValues) bool {
	items, _ := get(a.test.prop).([]string)
	for _, v := range items {
		if a.test.match(v) {
			return true
		}
	}
	return false
}

// match applies the test's operator to one value.
func (t graphTest) match(v string) bool {
	switch t.op {
	case "startswith":
		return len(v) >= len(t.value) && strings.EqualFold(v[:len(t.value)], t.value)
	case "endswith":
		return len(v) >= len(t.value) && strings.EqualFold(v[len(v)-len(t.value):], t.value)
	case "search":
		return graphTokenPrefix(v, t.value)
	default:
		return strings.EqualFold(v, t.value)
	}
}

// graphTokenPrefix is $search's match: the term starts at a word boundary
// of the value (after a space or punctuation, or at a lower-to-upper case
// change), compared case-insensitively, so "wa" finds "Walter" and "Ann Wade".
func graphTokenPrefix(v, term string) bool {
	if term == "" {
		return true
	}
	prev := rune(-1)
	for i, r := range v {
		boundary := prev == -1 || (!unicode.IsLetter(prev) && !unicode.IsDigit(prev)) ||
			(unicode.IsLower(prev) && unicode.IsUpper(r))
		if boundary && len(v)-i >= len(term) && strings.EqualFold(v[i:i+len(term)], term) {
			return true
		}
		prev = r
	}
	return false
}

// graphFilterMaxDepth bounds parenthesis nesting (and so the parser's recursion).
const graphFilterMaxDepth = 32

// parseGraphFilter parses a $filter value for res. advanced says the request
// carried ConsistencyLevel: eventual, which unlocks endswith.
func parseGraphFilter(src string, res graphResource, advanced bool) (graphCond, error) {
	p := &graphFilterParser{src: src, res: res, advanced: advanced}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, p.syntax(0, "the filter is empty")
	}
	c, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.syntax(t.pos, fmt.Sprintf("unexpected '%s'", t.text))
	}
	return c, nil
}

type graphTokKind int

const (
	tokEOF graphTokKind = iota
	tokIdent
	tokString
	tokLParen
	tokRParen
	tokComma
	tokColon // the range variable's separator in prop/any(x:…)
)

type graphTok struct {
	kind graphTokKind
	text string // identifiers as written; strings unquoted
	pos  int
}

type graphFilterParser struct {
	src      string
	res      graphResource
	advanced bool
	toks     []graphTok
	i        int
}

// syntax is Graph's answer to a malformed filter: BadRequest, "Invalid filter clause".
func (p *graphFilterParser) syntax(pos int, what string) error {
	return &graphQueryError{"BadRequest", fmt.Sprintf("Invalid filter clause: Syntax error: %s at position %d in '%s'.", epwClip(what), pos, epwClip(p.src))}
}

func (p *graphFilterParser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			p.toks = append(p.toks, graphTok{tokLParen, "(", i})
			i++
		case c == ')':
			p.toks = append(p.toks, graphTok{tokRParen, ")", i})
			i++
		case c == ',':
			p.toks = append(p.toks, graphTok{tokComma, ",", i})
			i++
		case c == ':':
			p.toks = append(p.toks, graphTok{tokColon, ":", i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(s) {
					return p.syntax(i, "the string starting here is not closed with '")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' { // '' is a quote inside the string
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			p.toks = append(p.toks, graphTok{tokString, b.String(), i})
			i = j + 1
		case isGraphIdentByte(c):
			j := i
			for j < len(s) && isGraphIdentByte(s[j]) {
				j++
			}
			p.toks = append(p.toks, graphTok{tokIdent, s[i:j], i})
			i = j
		default:
			return p.syntax(i, fmt.Sprintf("character '%c' is not valid", rune(c)))
		}
	}
	return nil
}

func isGraphIdentByte(c byte) bool {
	return c == '_' || c == '.' || c == '/' || c == '-' || c == '@' ||
		('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func (p *graphFilterParser) peek() graphTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return graphTok{kind: tokEOF, text: "end of filter", pos: len(p.src)}
}

func (p *graphFilterParser) next() graphTok {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *graphFilterParser) keyword(word string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, word)
}

func (p *graphFilterParser) or(depth int) (graphCond, error) {
	var out graphOr
	for {
		c, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if !p.keyword("or") {
			break
		}
		p.next()
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *graphFilterParser) and(depth int) (graphCond, error) {
	var out graphAnd
	for {
		c, err := p.primary(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if !p.keyword("and") {
			break
		}
		p.next()
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

func (p *graphFilterParser) primary(depth int) (graphCond, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		if depth >= graphFilterMaxDepth {
			return nil, p.syntax(t.pos, "parentheses are nested too deeply")
		}
		c, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if r := p.next(); r.kind != tokRParen {
			return nil, p.syntax(r.pos, fmt.Sprintf("expected ')' but found '%s'", r.text))
		}
		return c, nil
	case tokIdent:
	default:
		return nil, p.syntax(t.pos, fmt.Sprintf("expected a property or a function but found '%s'", t.text))
	}
	word := strings.ToLower(t.text)
	if p.peek().kind == tokLParen {
		if prop, lambda, ok := strings.Cut(t.text, "/"); ok {
			return p.lambda(t, prop, lambda)
		}
		return p.function(t, word)
	}
	if word == "not" {
		return nil, &graphQueryError{"Request_UnsupportedQuery", "Operator 'not'" + graphAdvancedHint}
	}
	prop, err := p.property(t)
	if err != nil {
		return nil, err
	}
	return p.comparison(t, prop)
}

// comparison parses "<operator> 'value'" after the property (or range
// variable) t, which resolved to prop.
func (p *graphFilterParser) comparison(t graphTok, prop string) (graphTest, error) {
	op := p.next()
	if op.kind != tokIdent {
		return graphTest{}, p.syntax(op.pos, fmt.Sprintf("expected an operator after '%s' but found '%s'", t.text, op.text))
	}
	switch o := strings.ToLower(op.text); o {
	case "eq":
	case "ne", "gt", "ge", "lt", "le", "in", "has":
		return graphTest{}, &graphQueryError{"Request_UnsupportedQuery", fmt.Sprintf(
			"Operator '%s' is not supported on this emulated directory: use eq or startswith(property,'value').", o)}
	default:
		return graphTest{}, p.syntax(op.pos, fmt.Sprintf("'%s' is not an operator", op.text))
	}
	v := p.next()
	if v.kind != tokString {
		return graphTest{}, p.syntax(v.pos, fmt.Sprintf("expected a quoted string after 'eq' but found '%s'", v.text))
	}
	if prop == "id" && !rbac.IsGUID(v.text) {
		// An object id is a GUID: Graph refuses anything else instead of
		// matching nothing, so text smuggled into the literal is an error.
		return graphTest{}, &graphQueryError{"Request_BadRequest", fmt.Sprintf("Invalid object identifier '%s'.", epwClip(v.text))}
	}
	return graphTest{op: "eq", prop: prop, value: v.text}, nil
}

// function parses name(property,'value') for startswith and endswith.
func (p *graphFilterParser) function(name graphTok, word string) (graphCond, error) {
	switch word {
	case "startswith":
	case "endswith":
		if !p.advanced {
			return nil, &graphQueryError{"Request_UnsupportedQuery", "Operator 'endsWith'" + graphAdvancedHint}
		}
	case "contains", "substringof", "any", "all", "tolower", "toupper", "length", "indexof", "concat", "trim":
		return nil, &graphQueryError{"Request_UnsupportedQuery", fmt.Sprintf(
			"Unsupported Query: function '%s' is not supported on directory objects; use startswith(property,'value').", name.text)}
	default:
		return nil, p.syntax(name.pos, fmt.Sprintf("unknown function '%s'", name.text))
	}
	p.next() // (
	pt := p.next()
	if pt.kind != tokIdent {
		return nil, p.syntax(pt.pos, fmt.Sprintf("expected a property name in %s() but found '%s'", name.text, pt.text))
	}
	prop, err := p.property(pt)
	if err != nil {
		return nil, err
	}
	return p.functionValue(name, word, prop)
}

// functionValue parses ",'value')" of a string function on prop.
func (p *graphFilterParser) functionValue(name graphTok, word, prop string) (graphTest, error) {
	if c := p.next(); c.kind != tokComma {
		return graphTest{}, p.syntax(c.pos, fmt.Sprintf("expected ',' but found '%s'", c.text))
	}
	v := p.next()
	if v.kind != tokString {
		return graphTest{}, p.syntax(v.pos, fmt.Sprintf("expected a quoted string in %s() but found '%s'", name.text, v.text))
	}
	if r := p.next(); r.kind != tokRParen {
		return graphTest{}, p.syntax(r.pos, fmt.Sprintf("expected ')' but found '%s'", r.text))
	}
	return graphTest{op: word, prop: prop, value: v.text}, nil
}

// property resolves a property name case-insensitively, or refuses it with
// Graph's own wording (a collection needs a lambda: it has no single value).
func (p *graphFilterParser) property(t graphTok) (string, error) {
	if canon, ok := p.res.props[strings.ToLower(t.text)]; ok {
		return canon, nil
	}
	return "", p.unsupported(t.text)
}

func (p *graphFilterParser) unsupported(prop string) error {
	return &graphQueryError{"Request_UnsupportedQuery", fmt.Sprintf(
		"Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, p.res.name)}
}

// lambda parses prop/any(x:x eq 'v') and prop/any(x:startswith(x,'v')), t
// being the "prop/any" token. Only any() over the string collections of the
// resource is understood; all() and lambdas on anything else are refused.
func (p *graphFilterParser) lambda(t graphTok, prop, op string) (graphCond, error) {
	canon, ok := p.res.lists[strings.ToLower(prop)]
	if !ok {
		return nil, p.unsupported(prop)
	}
	switch strings.ToLower(op) {
	case "any":
	case "all":
		return nil, &graphQueryError{"Request_UnsupportedQuery", "Operator 'all'" + graphAdvancedHint}
	default:
		return nil, p.syntax(t.pos, fmt.Sprintf("'%s' is not a lambda operator (any)", op))
	}
	p.next() // (
	v := p.next()
	if v.kind != tokIdent || strings.Contains(v.text, "/") {
		return nil, p.syntax(v.pos, fmt.Sprintf("expected a range variable in %s() but found '%s'", t.text, v.text))
	}
	if c := p.next(); c.kind != tokColon {
		return nil, p.syntax(c.pos, fmt.Sprintf("expected ':' after the range variable but found '%s'", c.text))
	}
	var test graphTest
	var err error
	switch b := p.next(); {
	case b.kind == tokIdent && b.text == v.text: // x eq 'v' (the variable is case-sensitive)
		test, err = p.comparison(b, canon)
	case b.kind == tokIdent && strings.EqualFold(b.text, "startswith") && p.peek().kind == tokLParen:
		p.next() // (
		if x := p.next(); x.kind != tokIdent || x.text != v.text {
			return nil, p.syntax(x.pos, fmt.Sprintf("expected the range variable '%s' but found '%s'", v.text, x.text))
		}
		test, err = p.functionValue(b, "startswith", canon)
	default:
		return nil, p.syntax(b.pos, fmt.Sprintf("expected '%s eq' or startswith(%s,…) but found '%s'", v.text, v.text, b.text))
	}
	if err != nil {
		return nil, err
	}
	if r := p.next(); r.kind != tokRParen {
		return nil, p.syntax(r.pos, fmt.Sprintf("expected ')' but found '%s'", r.text))
	}
	return graphAny{test}, nil
}

// parseGraphSearch parses $search: quoted "property:term" clauses joined by
// AND / OR (AND binds tighter). Graph requires the quotes.
func parseGraphSearch(src string, res graphResource) (graphCond, error) {
	bad := func(what string) error {
		return &graphQueryError{"BadRequest", fmt.Sprintf("Invalid $search clause '%s': %s. Use $search=\"property:term\".", src, what)}
	}
	var or graphOr
	var and graphAnd
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, bad("it is empty")
	}
	for {
		if !strings.HasPrefix(s, `"`) {
			return nil, bad("each clause must be in double quotes")
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return nil, bad("a quote is not closed")
		}
		clause := s[1 : end+1]
		s = strings.TrimSpace(s[end+2:])
		prop, term, ok := strings.Cut(clause, ":")
		if !ok {
			return nil, bad(fmt.Sprintf("clause \"%s\" has no property (\"property:term\")", clause))
		}
		canon, ok := res.props[strings.ToLower(strings.TrimSpace(prop))]
		if !ok {
			return nil, &graphQueryError{"Request_UnsupportedQuery", fmt.Sprintf(
				"Unsupported or invalid query search clause specified for property '%s' of resource '%s'.", prop, res.name)}
		}
		and = append(and, graphTest{op: "search", prop: canon, value: strings.TrimSpace(term)})
		if s == "" {
			break
		}
		word, rest, _ := strings.Cut(s, " ")
		switch strings.ToUpper(word) {
		case "AND":
		case "OR":
			or, and = append(or, and), nil
		default:
			return nil, bad(fmt.Sprintf("expected AND or OR but found '%s'", word))
		}
		s = strings.TrimSpace(rest)
	}
	return append(or, and), nil
}
