package components

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The components know nothing of Azure: owners inject what they need (the
// JSON editor's rules), so the package can be used and tested without it.
func TestComponentsDoNotImportAzure(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "amlauth-tui/azure" || strings.HasPrefix(p, "amlauth-tui/azure/") {
				t.Errorf("%s imports %s", e.Name(), p)
			}
		}
	}
}

func TestCountAgreesWithTheNumber(t *testing.T) {
	for want, got := range map[string]string{
		"1 endpoint": Count(1, "endpoints"), "3 endpoints": Count(3, "endpoints"), "0 endpoints": Count(0, "endpoints"),
		"1 identity": Count(1, "identities"), "2 identities": Count(2, "identities"),
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
