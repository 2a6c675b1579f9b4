package rbac

// Fuzz targets for the RBAC parsers: action patterns come from role
// definitions (custom roles are typed by people and returned by servers) and
// scopes from ARM ids and the check wizard's input. Each target compares the
// optimised code with a slow, obviously-right reference. Seeds run as plain
// tests; the long runs are e.g.
// `go test -run XXX -fuzz '^FuzzActionPattern$' -fuzztime 60s -parallel 2 ./azure/rbac/`.

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const (
	fzEP    = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/"
	fzSub   = "/subscriptions/11111111-1111-1111-1111-111111111111"
	fzWS    = fzSub + "/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-churn"
	fzEPKey = fzWS + "/onlineEndpoints/churn-key"
)

// fzGlob is the reference glob: '*' matches any run of bytes, everything
// else itself; a dynamic-programming table over bytes.
func fzGlob(p, s string) bool {
	// m[j] reports whether p[:i] matches s[:j] for the current i.
	m := make([]bool, len(s)+1)
	m[0] = true
	for i := 0; i < len(p); i++ {
		next := make([]bool, len(s)+1)
		if p[i] == '*' {
			next[0] = m[0]
			for j := 1; j <= len(s); j++ {
				next[j] = m[j] || next[j-1]
			}
		} else {
			for j := 1; j <= len(s); j++ {
				next[j] = m[j-1] && p[i] == s[j-1]
			}
		}
		m = next
	}
	return m[len(s)]
}

// fzSwapASCIICase flips the case of ASCII letters (what Azure's
// case-insensitive names allow a caller to send).
func fzSwapASCIICase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 32
		case 'A' <= c && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

// FuzzActionPattern: MatchAction agrees with the reference glob on
// ordinally upper-cased text (.NET OrdinalIgnoreCase: the Kelvin sign is not 'k'); '*' matches everything; a pattern without '*' matches
// itself in any ASCII case and, among lower-case strings, only itself;
// EffectivePermissions agrees with MatchAction (Actions minus NotActions);
// ValidatePattern never panics, explains every refusal, and accepts only
// well-formed patterns.
func FuzzActionPattern(f *testing.F) {
	seen := map[string]bool{}
	for _, r := range BuiltinRoles() {
		for _, p := range r.Permissions {
			for _, a := range append(append(append(p.Actions, p.NotActions...), p.DataActions...), p.NotDataActions...) {
				if !seen[a] && len(seen) < 60 {
					seen[a] = true
					f.Add(a, fzEP+"score/action")
				}
			}
		}
	}
	for _, o := range Operations() {
		f.Add(o.Action, o.Action)
	}
	for _, s := range [][2]string{
		{fzEP + "*/action", fzEP + "listKeys/action"},
		{"Microsoft.MachineLearningServices/workspaces/onlineEndpoints/*/action", "microsoft.machinelearningservices/workspaces/onlineendpoints/token/ACTION"},
		{"Microsoft.MachineLearningServices/*/read", "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/read"},
		{"*/read", "Microsoft.Resources/subscriptions/resourceGroups/read"},
		{"*", ""}, {"", ""}, {"**", "x"}, {"a*b*c", "abbbc"}, {"a*b*c", "acb"}, {"*a*a*a*a*a*b", strings.Repeat("a", 200)},
		{"Microsoft.Storage//read", "Microsoft.Storage//read"}, {"/Microsoft.X/read", ""}, {"Microsoft X/read", ""},
		{"Microsoft.X/\x00read", ""}, {"Microsoft.Ä/read", "microsoft.ä/READ"}, {"Microsoft.X/re$d", ""}, {"\xff/\xfe", "\xfe/\xff"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, a string) {
		got := MatchAction(p, a)
		if want := fzGlob(fzUpper(p), fzUpper(a)); got != want {
			t.Fatalf("MatchAction(%q, %q) = %v, reference glob says %v", p, a, got, want)
		}
		if !MatchAction("*", a) {
			t.Fatalf("'*' does not match %q", a)
		}
		if !strings.Contains(p, "*") {
			if !MatchAction(p, p) || !MatchAction(p, fzSwapASCIICase(p)) || !MatchAction(fzSwapASCIICase(p), p) {
				t.Fatalf("pattern %q does not match itself case-insensitively", p)
			}
			if lp, la := strings.ToLower(p), strings.ToLower(a); MatchAction(lp, la) != (lp == la) {
				t.Fatalf("pattern %q without '*' matched %q: %v", lp, la, !(lp == la))
			}
		}
		if err := ValidatePattern(p); err != nil {
			if !strings.Contains(err.Error(), "action") {
				t.Fatalf("ValidatePattern(%q): unclear refusal %q", p, err)
			}
		} else if p != "*" && !fzWellFormedPattern.MatchString(p) {
			t.Fatalf("ValidatePattern accepted %q", p)
		}

		// One role block: p allowed, a itself as the NotAction (so it always removes a).
		// Empty patterns are left out: firstMatch uses "" for "no match", and
		// ValidatePattern refuses them before they reach a role.
		if p == "" || a == "" {
			return
		}
		perms := []Permission{{Actions: []string{p}, NotActions: []string{a}, DataActions: []string{p}}}
		by, removed, ok := EffectivePermissions(perms, a, false)
		if ok || (got && (by != p || removed != a)) || (!got && (by != "" || removed != "")) {
			t.Fatalf("EffectivePermissions(Actions %q, NotActions %q, %q) = %q, %q, %v", p, a, a, by, removed, ok)
		}
		if by, removed, ok := EffectivePermissions(perms, a, true); ok != got || removed != "" || (got && by != p) {
			t.Fatalf("EffectivePermissions(DataActions %q, %q) = %q, %q, %v; MatchAction says %v", p, a, by, removed, ok, got)
		}
	})
}

// fzWellFormedPattern is what ValidatePattern promises for anything but "*":
// letters, digits, '.', '-', '_', '*' in segments separated by single slashes,
// at least two segments.
var fzWellFormedPattern = regexp.MustCompile(`^[\pL\pN._*-]+(/[\pL\pN._*-]+)+$`)

// fzSegments is the reference scope reading: the non-empty '/' separated parts.
func fzSegments(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "/") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FuzzScopeContainment: NormalizeScope is idempotent and gives the canonical
// shape; ScopeContains is reflexive, rooted, insensitive to case and
// slashes, and agrees with "ancestor's segments are a prefix of the scope's"
// (compared per segment, so rg1 does not contain rg10); SameScope is
// symmetric.
func FuzzScopeContainment(f *testing.F) {
	for _, s := range [][2]string{
		{fzSub, fzEPKey}, {fzWS, fzEPKey}, {fzEPKey, fzWS}, {"/", fzEPKey}, {"", ""},
		{fzSub + "/resourceGroups/rg1", fzSub + "/resourceGroups/rg10"},
		{"//subscriptions///x//", "/SUBSCRIPTIONS/X/resourcegroups/y"},
		{strings.ToUpper(fzWS) + "/", fzEPKey + "/deployments/blue"},
		{"/providers/Microsoft.Management/managementGroups/mg", fzSub},
		{"a/b", "a/bc"}, {"/\xff", "/\xfe"}, {"/ß", "/SS"}, {"/K", "/\u212a"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		na := NormalizeScope(a)
		if NormalizeScope(na) != na {
			t.Fatalf("NormalizeScope is not idempotent: %q -> %q -> %q", a, na, NormalizeScope(na))
		}
		if !strings.HasPrefix(na, "/") || strings.Contains(na, "//") || (na != "/" && strings.HasSuffix(na, "/")) {
			t.Fatalf("NormalizeScope(%q) = %q is not canonical", a, na)
		}
		if !reflect.DeepEqual(fzSegments(na), fzSegments(a)) {
			t.Fatalf("NormalizeScope(%q) = %q changed the segments", a, na)
		}
		if !ScopeContains(a, a) || !ScopeContains("/", a) || !ScopeContains("", a) || !SameScope(a, na) ||
			!SameScope(a, fzSwapASCIICase(a)) {
			t.Fatalf("scope %q does not contain itself (in any case or spelling), or the root does not contain it", a)
		}
		got := ScopeContains(a, b)
		sa, sb := fzSegments(a), fzSegments(b)
		want := len(sa) <= len(sb)
		for i := 0; want && i < len(sa); i++ {
			want = fzOrdinalEqual(sa[i], sb[i])
		}
		if got != want {
			t.Fatalf("ScopeContains(%q, %q) = %v, segment prefix says %v", a, b, got, want)
		}
		if ScopeContains(na, NormalizeScope(b)) != got || ScopeContains(fzSwapASCIICase(a), b) != got {
			t.Fatalf("ScopeContains(%q, %q) depends on slashes or case", a, b)
		}
		if SameScope(a, b) != SameScope(b, a) || SameScope(a, b) != (got && ScopeContains(b, a)) {
			t.Fatalf("SameScope(%q, %q) is not symmetric or disagrees with containment", a, b)
		}
		// A child scope is contained; a sibling that merely extends the last name is not.
		if !ScopeContains(a, a+"/x") || (len(sa) > 0 && ScopeContains(a+"/x", a)) {
			t.Fatalf("child of %q: containment wrong", a)
		}
		if len(sa) > 0 && ScopeContains(na, na+"0") {
			t.Fatalf("%q contains %q", na, na+"0")
		}
	})
}

// FuzzParseScopeLevels: ParseScope never panics; a refusal quotes the input
// and says what a scope looks like; an accepted scope is canonical, re-parses
// to the same value, has fields that fit its level, and its ancestors climb
// level by level to the root, each containing it.
func FuzzParseScopeLevels(f *testing.F) {
	for _, s := range []string{
		"/", "", fzSub, fzSub + "/resourceGroups/rg-ml-prod", fzWS, fzEPKey, fzEPKey + "/deployments/blue",
		"/providers/Microsoft.Management/managementGroups/mg1", "/providers/Microsoft.Management/managementGroups/mg1/x",
		"/subscriptions/not-a-guid", "/subscriptions", "/subscriptions/" + strings.Repeat("1", 36),
		fzSub + "/resourceGroups", fzSub + "/resourceGroups/rg/providers/Microsoft.X/t", fzSub + "/rg/x",
		"//SUBSCRIPTIONS//11111111-1111-1111-1111-111111111111//RESOURCEGROUPS/rg/", "/\xff/\x00", "/providers",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		sc, err := ParseScope(raw)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", raw)) || !strings.Contains(err.Error(), "/") {
				t.Fatalf("ParseScope(%q): refusal %q does not quote the scope or show the expected form", raw, err)
			}
			return
		}
		if sc.Raw != NormalizeScope(raw) {
			t.Fatalf("ParseScope(%q).Raw = %q, want %q", raw, sc.Raw, NormalizeScope(raw))
		}
		again, err := ParseScope(sc.Raw)
		if err != nil || !reflect.DeepEqual(again, sc) {
			t.Fatalf("ParseScope(%q) = %+v, but its Raw re-parses to %+v, %v", raw, sc, again, err)
		}
		n := len(fzSegments(raw))
		switch sc.Level {
		case AtRoot:
			if n != 0 {
				t.Fatalf("%q parsed as the root", raw)
			}
		case AtManagementGroup:
			if n != 4 || sc.Subscription != "" {
				t.Fatalf("%q parsed as a management group: %+v", raw, sc)
			}
		case AtSubscription, AtResourceGroup, AtResource:
			// subscriptions/{id} [resourceGroups/{rg} [providers/{ns} ({type}/{name})+]]
			want := map[ScopeLevel]int{AtSubscription: 2, AtResourceGroup: 4, AtResource: 6 + 2*len(sc.Types)}[sc.Level]
			if !IsGUID(sc.Subscription) || n != want || (sc.Level == AtSubscription) != (sc.ResourceGroup == "") ||
				(sc.Level == AtResource) != (sc.Provider != "" && len(sc.Types) > 0) || len(sc.Types) != len(sc.Names) {
				t.Fatalf("%q: fields %+v do not fit level %v", raw, sc, sc.Level)
			}
		default:
			t.Fatalf("%q: unknown level %d", raw, sc.Level)
		}
		_ = sc.Level.String()
		anc := sc.Ancestors()
		if anc[0] != sc.Raw || anc[len(anc)-1] != "/" {
			t.Fatalf("Ancestors(%q) = %q: want itself first and the root last", raw, anc)
		}
		for i := 1; i < len(anc); i++ {
			up, err := ParseScope(anc[i])
			down, _ := ParseScope(anc[i-1])
			if err != nil || !ScopeContains(anc[i], sc.Raw) || SameScope(anc[i], anc[i-1]) ||
				up.Level > down.Level || len(fzSegments(anc[i])) >= len(fzSegments(anc[i-1])) {
				t.Fatalf("Ancestors(%q) = %q: %q is not a proper parent of %q (%v)", raw, anc, anc[i], anc[i-1], err)
			}
		}
	})
}

var fzGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// FuzzIsGUID: IsGUID is exactly the 8-4-4-4-12 hex form, in either case.
func FuzzIsGUID(f *testing.F) {
	for _, s := range []string{"11111111-1111-1111-1111-111111111111", "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
		"8e3af657a8ff443ca75c2fe8c4bcb635", "{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}", "8e3af657-a8ff-443c-a75c-2fe8c4bcb63g",
		"8e3af657-a8ff-443c-a75c-2fe8c4bcb63\u00e9", "", "--------------------------------------------"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsGUID(s), fzGUID.MatchString(s); got != want {
			t.Fatalf("IsGUID(%q) = %v, want %v", s, got, want)
		}
		if IsGUID(s) && (!IsGUID(strings.ToUpper(s)) || !IsGUID(strings.ToLower(s))) {
			t.Fatalf("IsGUID(%q) depends on case", s)
		}
	})
}

// fzUpper is .NET's OrdinalIgnoreCase reading, written independently of
// fold.go: each rune upper-cased by the simple mapping; bytes that are not
// UTF-8 stay as they are (so two different ones never compare equal).
func fzUpper(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[i])
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
		i += n
	}
	return b.String()
}

// fzOrdinalEqual is .NET's OrdinalIgnoreCase equality.
func fzOrdinalEqual(a, b string) bool { return fzUpper(a) == fzUpper(b) }

// FuzzEvaluateInvariants: whatever the action, scopes and principals, a
// deny assignment that blocks decides the outcome; "allowed" needs an
// unconditional grant and no blocking deny; a blocked verdict's reason
// names no role; every assignment at a valid scope at or above the scope appears
// once in the trace; a deny of everything for Everyone lets nothing through
// unless the principal is excluded.
func FuzzEvaluateInvariants(f *testing.F) {
	f.Add(fzEP+"listKeys/action", fzEP+"*", fzWS, uint8(0))
	f.Add(fzEP+"regenerateKeys/action", "*", "/", uint8(7))
	f.Add("Microsoft.Storage/x/read", "*/read", fzSub, uint8(12))
	f.Add("", "", "", uint8(255))
	f.Fuzz(func(t *testing.T, action, pattern, scope string, flags uint8) {
		roles := RoleSet{
			{ID: "/providers/Microsoft.Authorization/roleDefinitions/r1", Name: "r1", RoleName: "Fuzz Role One",
				Permissions: []Permission{{Actions: []string{pattern}, DataActions: []string{pattern}}}},
			{ID: "/providers/Microsoft.Authorization/roleDefinitions/r2", Name: "r2", RoleName: "Fuzz Role Two",
				Permissions: []Permission{{Actions: []string{"*"}, NotActions: []string{pattern}}}},
		}
		a1 := Assignment{Name: "a1", Scope: scope, RoleDefinitionID: "r1", PrincipalID: alice}
		a2 := Assignment{Name: "a2", Scope: fzWS, RoleDefinitionID: "r2", PrincipalID: group}
		if flags&1 != 0 {
			a1.Condition = "@Resource[x] StringEquals 'y'"
		}
		var exclude []Principal
		if flags&2 != 0 {
			exclude = []Principal{{ID: alice, Type: "User"}}
		}
		deny := DenyAssignment{Name: "d", Scope: scope, Principals: []Principal{{ID: Everyone}}, ExcludePrincipals: exclude,
			DoNotApplyToChildScopes: flags&4 != 0, Permissions: []Permission{{Actions: []string{pattern}, DataActions: []string{pattern}}}}
		req := Request{PrincipalID: alice, GroupIDs: []string{group}, Action: action, DataAction: flags&8 != 0, Scope: fzEPKey}
		d := Evaluate(req, []Assignment{a1, a2}, roles, []DenyAssignment{deny})

		blocks := 0
		inTrace := map[string]int{}
		for _, l := range d.Trace.Levels {
			for _, dt := range l.Denies {
				if dt.Blocks {
					blocks++
				}
			}
			for _, at := range l.Assignments {
				inTrace[at.Assignment.Name]++
			}
		}
		if (blocks > 0) != (d.Outcome == DeniedByDenyAssignment) || blocks != len(d.Denies) {
			t.Fatalf("%d blocking denies in the trace, outcome %v, denies %d", blocks, d.Outcome, len(d.Denies))
		}
		if d.Allowed != (d.Outcome == Allowed) || (d.Allowed && (len(d.Grants) == 0 || d.Denied != nil)) {
			t.Fatalf("allowed %v outcome %v grants %d denied %v", d.Allowed, d.Outcome, len(d.Grants), d.Denied)
		}
		if d.Outcome == DeniedByDenyAssignment && (strings.Contains(d.Reason, "Fuzz Role") || d.Reason == "") {
			t.Fatalf("a blocked verdict names a role: %q", d.Reason)
		}
		for _, a := range []Assignment{a1, a2} {
			want := 0 // a scope Azure would not accept ("/subscriptions") is no level of the request
			if _, err := ParseScope(a.Scope); err == nil && ScopeContains(a.Scope, req.Scope) {
				want = 1
			}
			if inTrace[a.Name] != want {
				t.Fatalf("assignment %s at %q appears %d times in the trace of %q", a.Name, a.Scope, inTrace[a.Name], req.Scope)
			}
		}
		all := DenyAssignment{Name: "all", Scope: "/", Principals: []Principal{{ID: Everyone}}, ExcludePrincipals: exclude,
			Permissions: []Permission{{Actions: []string{"*"}, DataActions: []string{"*"}}}}
		if d2 := Evaluate(req, []Assignment{a1, a2}, roles, []DenyAssignment{all}); d2.Outcome == Allowed && exclude == nil {
			t.Fatalf("a deny of everything for Everyone let %q through", action)
		}
	})
}
