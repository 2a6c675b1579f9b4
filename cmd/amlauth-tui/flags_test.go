package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"amlauth-tui/azure/emulator"
)

func TestCloudConfigFlags(t *testing.T) {
	t.Setenv("AZURE_CLOUD_CONFIG", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--cloud-config", "x.json"}, "--cloud-config does not apply with --demo"},
		{[]string{"--cloud", "AzureCloud", "--cloud-config", "x.json"}, "use one"},
	} {
		if _, err := parseFlags(tc.args, io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	// The variable names the cloud only when no flag does, and never for the demo.
	t.Setenv("AZURE_CLOUD_CONFIG", "from-env.json")
	if o, err := parseFlags([]string{"--demo"}, io.Discard); err != nil || o.cloudConfig != "" {
		t.Errorf("--demo with $AZURE_CLOUD_CONFIG: %+v, %v", o.cloudConfig, err)
	}
}

// A bad cloud-config file stops every subcommand before anything starts,
// with the field and what is wrong with it.
func TestBadCloudConfigIsExplained(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "stack.json")
	if err := os.WriteFile(bad, []byte(`{"endpoints": {"resourceManager": "http://arm.example/"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AZURE_CLOUD_CONFIG", "")
	for _, args := range [][]string{
		{"--cloud-config", bad, "--state-dir", t.TempDir()},
		{"check", "--scope", "/subscriptions/5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", "--cloud-config", bad},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.Contains(msg, bad) || !strings.Contains(msg, `endpoints.resourceManager: "http://arm.example/" must use https`) ||
			!strings.Contains(msg, "endpoints.activeDirectory is missing") {
			t.Errorf("%v: exit %d, stderr:\n%s", args[0], code, msg)
		}
	}
}

// The demo's CA is a real file for the exports to name, in a private
// directory, holding exactly the simulated Azure's CA.
func TestDemoConfigWritesTheCA(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg, err := demoConfig(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(filepath.Dir(cfg.CAFile))
	b, err := os.ReadFile(cfg.CAFile)
	if err != nil || !bytes.Equal(b, srv.CAPEM()) {
		t.Fatalf("CA file %s: %v (same as the server's: %v)", cfg.CAFile, err, bytes.Equal(b, srv.CAPEM()))
	}
	if fi, err := os.Stat(filepath.Dir(cfg.CAFile)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("CA directory mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if !cfg.Emulated || cfg.HTTPClient == nil {
		t.Error("the demo config lost its in-process trust")
	}
}
