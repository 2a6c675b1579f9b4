package emulator

import (
	"strings"
	"testing"

	"amlauth-tui/azure/rbac"
)

// rbac.EqualOrdinalIgnoreCase is .NET's OrdinalIgnoreCase (azure/rbac may
// only gain ordinal.go in this change, so its table lives here).
func TestOrdinalIgnoreCase(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		eq   bool
	}{
		{"churn-key", "CHURN-KEY", true},
		{"churn-\u212Aey", "churn-key", false}, // Kelvin sign: Unicode folds it to k, .NET does not
		{"\u212A", "K", false},
		{"\u017Fandbox", "sandbox", false}, // long s: no non-ASCII character upper-cases to ASCII
		{"\u0131d", "ID", false},           // dotless i
		{"caf\u00e9", "CAF\u00c9", true},   // é/É: simple upper-casing of non-ASCII letters
		{"\u03c3", "\u03a3", true},         // σ/Σ
		{"\u03c2", "\u03a3", true},         // final sigma upper-cases to Σ too
		{"stra\u00dfe", "STRASSE", false},  // ß has no simple upper-case mapping
		{"\U00010428", "\U00010400", true}, // Deseret: a surrogate pair in UTF-16, still folded
		{"a\xffb", "A\xffB", true},         // invalid bytes compare as themselves
		{"a\xff", "a\xfe", false},
		{"", "", true},
		{"a", "", false},
	} {
		if got := rbac.EqualOrdinalIgnoreCase(tc.a, tc.b); got != tc.eq {
			t.Errorf("EqualOrdinalIgnoreCase(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.eq)
		}
		if got := rbac.OrdinalKey(tc.a) == rbac.OrdinalKey(tc.b); got != tc.eq {
			t.Errorf("OrdinalKey(%q) == OrdinalKey(%q): %v, want %v", tc.a, tc.b, got, tc.eq)
		}
	}
	// Order is by the upper-cased UTF-16 code units: a supplementary
	// character (high surrogate 0xD800+) sorts before U+FF21.
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a", "B", -1}, {"B", "a", 1}, {"abc", "ABD", -1}, {"ab", "ABC", -1},
		{"\U00010400", "\uff21", -1}, {"_", "a", 1}, // '_' (0x5F) sorts after 'A' (0x41), as in .NET
	} {
		if got := rbac.CompareOrdinalIgnoreCase(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareOrdinalIgnoreCase(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// An ASCII id keeps the key the world's maps use.
	id := epID(SubProduction, "rg-ml-prod", "mlw-churn", "Churn-Key")
	if rbac.OrdinalKey(id) != strings.ToLower(id) {
		t.Error("OrdinalKey of an ASCII id must be its lower case")
	}
}
