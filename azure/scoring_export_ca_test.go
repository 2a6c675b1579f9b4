package azure_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// In the demo, a copied curl command runs as copied: it names the simulated
// Azure's CA file. The same request for real Azure names no CA. This runs
// the real curl (CI installs it) against a live simulated Azure.
func TestExportedCurlTrustsTheDemoCA(t *testing.T) {
	s, _ := start(t, emulator.Options{})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	req := azure.ScoreRequest{URI: s.URL() + "/inference/eastus/churn-key/score", Body: azure.SampleBody(0), CAFile: ca}
	status := func(cmd string) (string, error) {
		// The exported command as copied, plus curl's own report of the status.
		c := exec.Command("sh", "-c", cmd+" --silent --output /dev/null --write-out '%{http_code}'")
		c.Env = append(os.Environ(), azure.TokenEnvVar+"=not-a-key", "SSL_CERT_FILE=/nonexistent", "CURL_CA_BUNDLE=")
		out, err := c.Output()
		return string(out), err
	}
	cmd := azure.ExportCurl(req)
	if !strings.Contains(cmd, "--cacert "+ca) {
		t.Fatalf("no --cacert in\n%s", cmd)
	}
	got, err := status(cmd)
	if err != nil || got != "401" {
		t.Errorf("the copied command did not reach the simulated Azure: status %q, %v\n%s", got, err, cmd)
	}

	// Real Azure: no CA in the command; against the simulated Azure that
	// fails the TLS handshake, which is what the CA file is for.
	req.CAFile = ""
	cmd = azure.ExportCurl(req)
	if strings.Contains(cmd, "--cacert") {
		t.Fatalf("a CA in an export for real Azure:\n%s", cmd)
	}
	if got, err := status(cmd); err == nil || got != "000" {
		t.Errorf("without the CA the handshake should fail: status %q, %v", got, err)
	}

	py := azure.ExportPython(azure.ScoreRequest{URI: req.URI, Body: req.Body, CAFile: ca})
	for _, want := range []string{"import ssl\n", "context = ssl.create_default_context(cafile=\"" + ca + "\")", "urllib.request.urlopen(req, context=context)"} {
		if !strings.Contains(py, want) {
			t.Errorf("Python export lacks %q:\n%s", want, py)
		}
	}
	if py := azure.ExportPython(req); strings.Contains(py, "ssl") || strings.Contains(py, "cafile") {
		t.Errorf("a CA in a Python export for real Azure:\n%s", py)
	}
}
