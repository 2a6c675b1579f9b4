package azure

import (
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
