package rbac

import (
	"fmt"
	"strings"
	"unicode"
)

// MatchAction reports whether an Actions/NotActions pattern matches action.
// Matching is ordinal ignore-case and '*' matches any run of characters,
// slashes included, anywhere in the pattern, as Azure does
// ("Microsoft.X/*/read" matches "Microsoft.X/a/b/read").
// https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions-format
func MatchAction(pattern, action string) bool {
	return matchFold(OrdinalKey(pattern), OrdinalKey(action))
}

// matchFold is glob matching on already folded (OrdinalKey) strings with '*' only.
// Iterative with backtracking to the last star: linear for typical patterns.
func matchFold(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && p[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// ValidatePattern checks an action pattern typed by a person and says which
// rule it breaks.
func ValidatePattern(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("an action pattern cannot be empty")
	case p == "*":
		return nil
	case strings.ContainsFunc(p, unicode.IsSpace):
		return fmt.Errorf("action %q contains white space; actions look like Provider.Namespace/type/operation", p)
	case strings.ContainsFunc(p, unicode.IsControl):
		return fmt.Errorf("action %q contains control characters", p)
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		return fmt.Errorf("action %q must not start or end with '/'", p)
	case strings.Contains(p, "//"):
		return fmt.Errorf("action %q has an empty segment ('//')", p)
	case !strings.Contains(p, "/"):
		return fmt.Errorf("action %q needs a provider and an operation, e.g. Microsoft.MachineLearningServices/workspaces/read", p)
	}
	for _, r := range p {
		if !(r == '.' || r == '/' || r == '*' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return fmt.Errorf("action %q contains %q; only letters, digits, '.', '-', '_', '/' and '*' are allowed", p, r)
		}
	}
	return nil
}

// EffectivePermissions evaluates one set of permission blocks (one role, or
// one Permissions API answer) for action. It returns the pattern that allowed
// it, or the allowing pattern and the NotAction that removed it.
func EffectivePermissions(perms []Permission, action string, data bool) (allowedBy, removedBy string, ok bool) {
	a := OrdinalKey(action)
	for _, p := range perms {
		allow, deny := p.Actions, p.NotActions
		if data {
			allow, deny = p.DataActions, p.NotDataActions
		}
		by := firstMatch(allow, a)
		if by == "" {
			continue
		}
		if not := firstMatch(deny, a); not != "" {
			if allowedBy == "" {
				allowedBy, removedBy = by, not
			}
			continue
		}
		return by, "", true
	}
	return allowedBy, removedBy, false
}

func firstMatch(patterns []string, foldedAction string) string {
	for _, p := range patterns {
		if matchFold(OrdinalKey(p), foldedAction) {
			return p
		}
	}
	return ""
}
