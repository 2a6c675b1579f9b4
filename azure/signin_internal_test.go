package azure

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// On a VM or pod with several user-assigned identities, AZURE_CLIENT_ID
// says which one to use (as DefaultAzureCredential reads it); without it
// the system-assigned identity answers.
func TestManagedIdentityHonoursAzureClientID(t *testing.T) {
	t.Setenv("AZURE_CLIENT_ID", "")
	if o := managedIdentityOptions(Config{}); o.ID != nil {
		t.Fatalf("no AZURE_CLIENT_ID: want the system-assigned identity, got %v", o.ID)
	}
	t.Setenv("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
	o := managedIdentityOptions(Config{})
	if id, ok := o.ID.(azidentity.ClientID); !ok || string(id) != "11111111-2222-3333-4444-555555555555" {
		t.Fatalf("AZURE_CLIENT_ID set: got ID %#v", o.ID)
	}
}

// AZURE_AUTHORITY_HOST (a private or sovereign authority) wins over the
// cloud's default sign-in host, as the help text promises.
func TestAuthorityHostFromEnvironment(t *testing.T) {
	t.Setenv("AZURE_AUTHORITY_HOST", "")
	cfg, err := CloudConfig("AzureChinaCloud")
	if err != nil || cfg.AuthorityHost != "https://login.chinacloudapi.cn/" {
		t.Fatalf("China cloud authority %q, %v", cfg.AuthorityHost, err)
	}
	t.Setenv("AZURE_AUTHORITY_HOST", "https://login.example.test/")
	if cfg, _ := CloudConfig(""); cfg.AuthorityHost != "https://login.example.test/" {
		t.Fatalf("AZURE_AUTHORITY_HOST ignored: %q", cfg.AuthorityHost)
	}
}

// An access-denied explanation names the smallest built-in roles that grant
// the missing action, not a generic hint (an identity's assign/action is
// not in AzureML Data Scientist, whatever the screen).
func TestForbiddenExplanationNamesRolesThatGrant(t *testing.T) {
	keys := Explain(&ForbiddenError{Principal: "bob", Action: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action", Scope: "/x"})
	if !strings.Contains(keys.Next, "(built-in roles that do: AzureML Data Scientist, ") || !strings.Contains(keys.Detail, "bob lacks the permission") {
		t.Errorf("listKeys: %+v", keys)
	}
	assign := Explain(&ForbiddenError{Principal: "alice", Action: "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", Scope: "/x"})
	if strings.Contains(assign.Next, "AzureML Data Scientist") || !strings.Contains(assign.Next, "Owner") {
		t.Errorf("assign/action: %+v", assign)
	}
	// NotActions count: Contributor cannot assign roles.
	if ra := Explain(&ForbiddenError{Principal: "a", Action: "Microsoft.Authorization/roleAssignments/write", Scope: "/x"}); strings.Contains(ra.Next, "Contributor") ||
		!strings.Contains(ra.Next, "Role Based Access Control Administrator") {
		t.Errorf("roleAssignments/write: %+v", ra)
	}
}
