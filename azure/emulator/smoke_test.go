package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/golang-jwt/jwt/v5"
)

func clientOptions(s *Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL() + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: s.URL(), Audience: "https://management.azure.com"}}},
		Transport: s.HTTPClient(),
	}
}

func claimsOf(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, c); err != nil {
		t.Fatalf("token does not parse: %v", err)
	}
	return c
}

// The real azidentity credentials get tokens from the simulated Entra ID.
func TestSmokeRealCredentials(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mgmt := policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}, EnableCAE: true}

	tid, cid, secret := s.ServicePrincipalCredentials()
	sp, err := azidentity.NewClientSecretCredential(tid, cid, secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sp.GetToken(ctx, mgmt)
	if err != nil {
		t.Fatalf("client secret: %v", err)
	}
	c := claimsOf(t, tok.Token)
	if c["aud"] != "https://management.azure.com" || c["appid"] != cid || c["idtyp"] != "app" || c["tid"] != tid {
		t.Errorf("app token claims wrong: %v", c)
	}
	bad, _ := azidentity.NewClientSecretCredential(tid, cid, "wrong", &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if _, err := bad.GetToken(ctx, mgmt); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: want invalid_client, got %v", err)
	}

	// Device code: one prompt, then the ML token silently through the refresh token.
	prompts := 0
	dc, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: clientOptions(s), DisableInstanceDiscovery: true, DisableAutomaticAuthentication: true, TenantID: tid,
		UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
			prompts++
			if !strings.Contains(m.Message, s.URL()+"/devicelogin") {
				t.Errorf("device code message %q lacks our URL", m.Message)
			}
			return s.ApproveDeviceCode(m.UserCode, "alice")
		}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := dc.Authenticate(ctx, &mgmt)
	if err != nil {
		t.Fatalf("device code: %v", err)
	}
	if rec.Username != "alice@contoso.example" {
		t.Errorf("record username %q", rec.Username)
	}
	ml, err := dc.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://ml.azure.com/.default"}, EnableCAE: true})
	if err != nil {
		t.Fatalf("ml token: %v", err)
	}
	mc := claimsOf(t, ml.Token)
	if mc["aud"] != "https://ml.azure.com" || mc["upn"] != "alice@contoso.example" || prompts != 1 {
		t.Errorf("ml token aud=%v upn=%v prompts=%d", mc["aud"], mc["upn"], prompts)
	}
	if cc, ok := mc["xms_cc"].([]any); !ok || len(cc) != 1 || cc[0] != "CP1" {
		t.Errorf("CAE request should carry xms_cc CP1, got %v", mc["xms_cc"])
	}

	// Declined device code ends the flow.
	dec, _ := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: clientOptions(s), DisableInstanceDiscovery: true, DisableAutomaticAuthentication: true, TenantID: tid,
		UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error { return s.DeclineDeviceCode(m.UserCode) }})
	if _, err := dec.Authenticate(ctx, &mgmt); err == nil {
		t.Errorf("declined device code signed in")
	}

	// Password grant (the demo persona picker).
	//lint:ignore SA1019 the simplest headless user flow for tests
	up, err := azidentity.NewUsernamePasswordCredential(tid, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "bob@contoso.example", personaPassword(t, s, "bob"),
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := up.GetToken(ctx, mgmt)
	if err != nil {
		t.Fatalf("password: %v", err)
	}
	if claimsOf(t, bt.Token)["oid"] != idBob {
		t.Errorf("bob's token has the wrong oid")
	}
}
