package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// apiVersionPaths is one path per provider and type the emulator serves.
var apiVersionPaths = []string{
	"/subscriptions",
	"/subscriptions/" + SubProduction + "/resourceGroups/rg-ml-prod",
	wsID(SubProduction, "rg-ml-prod", "mlw-churn"),
	churnKey,
	churnKey + "/deployments/blue",
	uaiID(SubProduction, "rg-ml-prod", "id-churn-scoring"),
	"/subscriptions/" + SubProduction + "/providers/Microsoft.Authorization/roleAssignments",
	"/subscriptions/" + SubProduction + "/providers/Microsoft.Authorization/roleDefinitions",
	"/subscriptions/" + SubProduction + "/providers/Microsoft.Authorization/denyAssignments",
	"/subscriptions/" + SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.Authorization/permissions",
	storageID(SubProduction, "rg-ml-prod", "anyname"),
	storageID(SubProduction, "rg-ml-prod", "anyname") + "/blobServices/default/containers",
	registryID(SubProduction, "rg-ml-prod", "anyname"),
	keyVaultID(SubProduction, "rg-ml-prod", "anyname"),
	insightsID(SubProduction, "rg-ml-prod", "anyname"),
}

// An unsupported api-version is a malformed request on every provider: 400,
// with the supported versions named.
func TestInvalidAPIVersionIs400Everywhere(t *testing.T) {
	e := newARMT(t, Options{})
	tok := e.token("olivia", armtScope)
	for _, p := range apiVersionPaths {
		code, _, b := e.do(http.MethodGet, p+"?api-version=2099-13-01", tok, nil, nil)
		if code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", p, code, b)
			continue
		}
		if _, msg := armtError(t, b); !strings.Contains(msg, "2099-13-01") || !strings.Contains(msg, "supported") {
			t.Errorf("%s: message %q", p, msg)
		}
	}
	// A 10 KB version is refused without being echoed whole.
	long := strings.Repeat("9", 10_000)
	code, _, b := e.do(http.MethodGet, churnKey+"?api-version="+long, tok, nil, nil)
	if code != http.StatusBadRequest || len(b) > 4096 {
		t.Errorf("a 10 KB api-version: %d, %d-byte answer", code, len(b))
	}
}
