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
//
// A '*' that is a whole segment ("/*/") also stands for no segment:
// "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action" grants
// the operation Microsoft.ManagedIdentity/userAssignedIdentities/assign/action.
// Microsoft's own texts rely on it: the managed identities FAQ
// (https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq,
// "Which Azure RBAC permissions are required to use a managed identity on a
// resource?") names that pattern as the permission to assign an identity and
// Managed Identity Operator as the role that has it, and AzureML Data
// Scientist grants "workspaces/*/write" while its NotActions remove
// "workspaces/write", "workspaces/delete" and "workspaces/listKeys/action",
// which they would not need to if the pattern could not match them
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning#azureml-data-scientist).
func MatchAction(pattern, action string) bool {
	return matchFold(OrdinalKey(pattern), OrdinalKey(action))
}

// matchFold matches already folded (OrdinalKey) strings: a glob with '*'
// only, where each whole-segment "/*/" from index from on may also be
// dropped to "/".
func matchFold(p, s string) bool { return matchSegments(p, s, 0) }

func matchSegments(p, s string, from int) bool {
	j := strings.Index(p[from:], "/*/")
	if j < 0 {
		return globFold(p, s)
	}
	i := from + j
	return matchSegments(p, s, i+2) || matchSegments(p[:i]+p[i+2:], s, i)
}

// globFold is glob matching with '*' only. Iterative with backtracking to
// the last star: linear for typical patterns.
func globFold(p, s string) bool {
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
