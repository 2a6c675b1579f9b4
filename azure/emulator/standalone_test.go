package emulator

import (
	"path/filepath"
	"testing"

	"amlauth-tui/azure"
)

// The cloud-config file the standalone emulator writes attaches the app as
// any custom cloud would (what `amlauth-tui --cloud-config FILE` does, with
// SSL_CERT_FILE trusting the CA): device-code sign-in with no instance
// discovery, ARM, Graph (at its own endpoint, with Graph's audience) and
// the ML audience all work.
func TestCloudConfigFileAttachesTheApp(t *testing.T) {
	s, err := Start(Options{SigningKey: testSigningKey(), AutoApprove: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	path := cloudConfigPath(filepath.Join(t.TempDir(), "ca.pem"))
	if filepath.Base(path) != "ca.cloud.json" {
		t.Errorf("cloud config at %s, want ca.cloud.json next to the CA", path)
	}
	if err := writeCloudConfig(path, s.URL()); err != nil {
		t.Fatal(err)
	}
	cfg, err := azure.LoadCloudConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Emulated || !cfg.InstanceDiscoveryOff() {
		t.Fatalf("a cloud from a file: Emulated=%v, discovery off=%v", cfg.Emulated, cfg.InstanceDiscoveryOff())
	}
	cfg.HTTPClient = s.HTTPClient() // what SSL_CERT_FILE=ca.pem does for the binary
	ctx := armtCtx(t)
	sess, err := azure.SignIn(ctx, cfg, azure.SignInOptions{Method: azure.MethodDeviceCode, TenantID: s.TenantID()})
	if err != nil {
		t.Fatalf("device-code sign-in through the cloud config: %v", err)
	}
	if got := sess.Identity().UPN; got != "bob@contoso.example" {
		t.Errorf("signed in as %q", got)
	}
	subs, err := sess.Subscriptions(ctx)
	if err != nil || len(subs) == 0 {
		t.Fatalf("subscriptions: %v, %v", subs, err)
	}
	found, err := sess.FindPrincipals(ctx, "alice@contoso.example")
	if err != nil || len(found) != 1 {
		t.Fatalf("Graph lookup: %v, %v", found, err)
	}
	if _, err := sess.EntraToken(ctx, cfg.MLAudience); err != nil {
		t.Errorf("a token for the ML audience %q: %v", cfg.MLAudience, err)
	}
}
