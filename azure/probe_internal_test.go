package azure

import (
	"context"
	"testing"

	"amlauth-tui/azure/emulator"
)

// The chain stops at the first source that signs in, as
// DefaultAzureCredential does; the sign-in screen (OnProbe) still gets a
// report of every source.
func TestChainStopsAtFirstCredential(t *testing.T) {
	s, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg, err := EmulatorConfig(s.URL(), s.CAPEM(), s.TenantID())
	if err != nil {
		t.Fatal(err)
	}
	tid, cid, secret := s.ServicePrincipalCredentials()
	t.Setenv("AZURE_TENANT_ID", tid)
	t.Setenv("AZURE_CLIENT_ID", cid)
	t.Setenv("AZURE_CLIENT_SECRET", secret)
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", "")
	ctx := context.Background()

	fast, cred := probe(ctx, cfg, nil, false)
	if cred == nil || len(fast) != 1 || fast[0].Source != "EnvironmentCredential" || !fast[0].OK {
		t.Fatalf("fast path: %+v", fast)
	}
	full, cred := probe(ctx, cfg, nil, true)
	if cred == nil || len(full) != len(chainSources()) || !full[0].OK {
		t.Fatalf("full probe: %+v", full)
	}

	var seen []ProbeResult
	if _, err := SignIn(ctx, cfg, SignInOptions{Method: MethodChain, OnProbe: func(r ProbeResult) { seen = append(seen, r) }}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(chainSources()) {
		t.Errorf("the sign-in screen's report has %d sources, want all %d", len(seen), len(chainSources()))
	}
	sess, err := SignIn(ctx, cfg, SignInOptions{Method: MethodChain})
	if err != nil || sess.Identity().AppID != cid {
		t.Errorf("chain sign-in: %v", err)
	}
}
