package rbac

import (
	"fmt"
	"strings"
)

// ScopeLevel orders scopes from the root down.
type ScopeLevel int

// Scope levels.
const (
	AtRoot ScopeLevel = iota
	AtManagementGroup
	AtSubscription
	AtResourceGroup
	AtResource
)

func (l ScopeLevel) String() string {
	return [...]string{"root", "management group", "subscription", "resource group", "resource"}[l]
}

// Scope is a parsed ARM scope.
type Scope struct {
	Raw           string
	Level         ScopeLevel
	Subscription  string
	ResourceGroup string
	Provider      string   // resource provider namespace, for resources
	Types, Names  []string // resource type and name segments ("workspaces","onlineEndpoints" / "ws","ep")
}

// NormalizeScope gives a scope a leading slash, no trailing slash and no
// empty segments. "" and "/" are the root.
func NormalizeScope(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' })
	return "/" + strings.Join(parts, "/")
}

// segments splits a normalized scope; the root has none.
func segments(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '/' })
}

// ScopeContains reports whether ancestor is scope or one of its ancestors.
// Comparison is per segment and ordinal ignore-case ("rg1" does not contain "rg10").
// It walks both strings without allocating: RBAC runs it for every
// assignment against every item of a list.
func ScopeContains(ancestor, scope string) bool {
	i, j := 0, 0
	for {
		var a, b string
		a, i = nextSegment(ancestor, i)
		if a == "" {
			return true
		}
		b, j = nextSegment(scope, j)
		if b == "" || !EqualOrdinalIgnoreCase(a, b) {
			return false
		}
	}
}

// nextSegment returns the segment of s starting at or after i (skipping
// empty ones) and the index after it; "" when there are no more.
func nextSegment(s string, i int) (string, int) {
	for i < len(s) && s[i] == '/' {
		i++
	}
	start := i
	for i < len(s) && s[i] != '/' {
		i++
	}
	return s[start:i], i
}

// SameScope reports whether two scopes are equal, ignoring case (ordinally) and slashes.
func SameScope(a, b string) bool {
	return ScopeContains(a, b) && ScopeContains(b, a)
}

// ParseScope validates and parses an ARM scope, saying which rule a bad one breaks.
func ParseScope(raw string) (Scope, error) {
	seg := segments(raw)
	sc := Scope{Raw: NormalizeScope(raw)}
	if len(seg) == 0 {
		return sc, nil
	}
	if EqualOrdinalIgnoreCase(seg[0], "providers") {
		if len(seg) == 4 && EqualOrdinalIgnoreCase(seg[1], "Microsoft.Management") && EqualOrdinalIgnoreCase(seg[2], "managementGroups") {
			sc.Level = AtManagementGroup
			return sc, nil
		}
		return sc, fmt.Errorf("scope %q: a scope starts with /subscriptions/{id} or /providers/Microsoft.Management/managementGroups/{name}", raw)
	}
	if !EqualOrdinalIgnoreCase(seg[0], "subscriptions") || len(seg) < 2 {
		return sc, fmt.Errorf("scope %q: a scope starts with /subscriptions/{subscription id}", raw)
	}
	if !isGUID(seg[1]) {
		return sc, fmt.Errorf("scope %q: %q is not a subscription id (a GUID like 00000000-0000-0000-0000-000000000000)", raw, seg[1])
	}
	sc.Subscription, sc.Level = seg[1], AtSubscription
	rest := seg[2:]
	if len(rest) == 0 {
		return sc, nil
	}
	if !EqualOrdinalIgnoreCase(rest[0], "resourceGroups") || len(rest) < 2 {
		return sc, fmt.Errorf("scope %q: after the subscription comes /resourceGroups/{name}", raw)
	}
	sc.ResourceGroup, sc.Level = rest[1], AtResourceGroup
	rest = rest[2:]
	if len(rest) == 0 {
		return sc, nil
	}
	if !EqualOrdinalIgnoreCase(rest[0], "providers") || len(rest) < 4 || len(rest)%2 != 0 {
		return sc, fmt.Errorf("scope %q: a resource is /providers/{Namespace}/{type}/{name}[/{type}/{name}...]", raw)
	}
	sc.Provider, sc.Level = rest[1], AtResource
	for i := 2; i < len(rest); i += 2 {
		sc.Types = append(sc.Types, rest[i])
		sc.Names = append(sc.Names, rest[i+1])
	}
	return sc, nil
}

// Parent returns the scope one level up.
func (s Scope) Parent() (Scope, bool) {
	seg := segments(s.Raw)
	switch {
	case len(seg) == 0:
		return Scope{}, false
	case s.Level == AtManagementGroup:
		return Scope{Raw: "/"}, true
	case s.Level == AtResource && len(s.Types) > 1:
		seg = seg[:len(seg)-2]
	case s.Level == AtResource:
		seg = seg[:len(seg)-4] // drop providers/{ns}/{type}/{name}
	default:
		seg = seg[:len(seg)-2]
	}
	p, err := ParseScope("/" + strings.Join(seg, "/"))
	return p, err == nil
}

// Ancestors lists the scope itself, then each parent up to "/".
func (s Scope) Ancestors() []string {
	out := []string{s.Raw}
	for cur, ok := s.Parent(); ok; cur, ok = cur.Parent() {
		out = append(out, cur.Raw)
	}
	return out
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// IsGUID reports whether s is a GUID (object ids, subscription ids, role names).
func IsGUID(s string) bool { return isGUID(s) }
