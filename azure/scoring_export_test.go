package azure

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const exportSecret = "Zm9vYmFy-s3cr3t-KEY/+="

func exportReq() ScoreRequest {
	return ScoreRequest{
		URI:        "https://churn-key.eastus.inference.ml.azure.com/score?x=1&y=it's",
		Body:       []byte("{\"data\": [[1,2]],\n \"note\": \"it's $HOME `id` \\\"q\\\" é\"}"),
		Deployment: "blue",
		Headers: map[string]string{
			"x-ms-client-request-id": "req 1",
			"Authorization":          "Bearer " + exportSecret, // never exported
			"api-key":                exportSecret,             // carries the credential: left out
			"x-quote":                `it's "quoted"`,
		},
		Credential:     exportSecret,
		CredentialKind: CredKey,
	}
}

// curlArgs runs the exported command in sh with a curl stand-in that
// prints its arguments: what curl would really receive.
func curlArgs(t *testing.T, cmd string) []string {
	t.Helper()
	script := `curl() { for a in "$@"; do printf '%s\0' "$a"; done; }` + "\n" + cmd
	c := exec.Command("sh", "-c", script)
	c.Env = append(os.Environ(), TokenEnvVar+"="+exportSecret, "HOME=/nowhere")
	out, err := c.Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, cmd)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func TestExportCurlRunsAsSent(t *testing.T) {
	req := exportReq()
	cmd := ExportCurl(req)
	if strings.Contains(cmd, exportSecret) {
		t.Fatalf("the credential is in the command:\n%s", cmd)
	}
	if !strings.Contains(cmd, `"Authorization: Bearer $DATA_PLANE_TOKEN"`) {
		t.Errorf("no env var for the credential:\n%s", cmd)
	}
	got := curlArgs(t, cmd)
	want := []string{"--request", "POST", req.URI,
		"--header", "Authorization: Bearer " + exportSecret, // expanded by the shell, from the environment
		"--header", "Content-Type: application/json",
		"--header", "azureml-model-deployment: blue",
		"--header", "x-ms-client-request-id: req 1",
		"--header", `x-quote: it's "quoted"`,
		"--data-binary", string(req.Body)}
	if !slices.Equal(got, want) {
		t.Errorf("curl would get\n%q\nwant\n%q", got, want)
	}

	req.Body = bytes.Repeat([]byte(" "), InlineBodyLimit+1)
	req.Headers = map[string]string{"Content-Type": "text/csv"}
	req.Deployment = ""
	if !ExportNeedsRequestFile(req) {
		t.Fatal("a large body should go to a file")
	}
	got = curlArgs(t, ExportCurl(req))
	want = []string{"--request", "POST", req.URI, "--header", "Authorization: Bearer " + exportSecret,
		"--header", "Content-Type: text/csv", "--data-binary", "@request.json"}
	if !slices.Equal(got, want) {
		t.Errorf("large body: %q", got)
	}
}

func TestExportPython(t *testing.T) {
	req := exportReq()
	py := ExportPython(req)
	if strings.Contains(py, exportSecret) {
		t.Fatalf("the credential is in the script:\n%s", py)
	}
	for _, want := range []string{"import urllib.request\n", `api_key = os.environ["DATA_PLANE_TOKEN"]`,
		"headers = {'Content-Type':'application/json', 'Authorization':('Bearer '+ api_key), \"azureml-model-deployment\":\"blue\"",
		`"x-quote":"it's \"quoted\""`, "req = urllib.request.Request(url, body, headers)", "except urllib.error.HTTPError as error:"} {
		if !strings.Contains(py, want) {
			t.Errorf("missing %q in\n%s", want, py)
		}
	}
	// The body and URL literals decode back to exactly what is sent.
	lit := regexp.MustCompile(`(?m)^body = str\.encode\((".*")\)$`).FindStringSubmatch(py)
	var body, uri string
	if lit == nil || json.Unmarshal([]byte(lit[1]), &body) != nil || body != string(req.Body) {
		t.Errorf("body literal does not round-trip: %v", lit)
	}
	u := regexp.MustCompile(`(?m)^url = (".*")$`).FindStringSubmatch(py)
	if u == nil || json.Unmarshal([]byte(u[1]), &uri) != nil || uri != req.URI {
		t.Errorf("url literal does not round-trip: %v", u)
	}

	req.Body = bytes.Repeat([]byte("1"), InlineBodyLimit+1)
	req.Headers = map[string]string{"Content-Type": "text/csv"}
	py = ExportPython(req)
	if !strings.Contains(py, "with open(\"request.json\", \"rb\") as f:\n    body = f.read()") || !strings.Contains(py, `headers = {'Content-Type':"text/csv", 'Authorization'`) {
		t.Errorf("large body / content type:\n%s", py)
	}
}

func TestExportAz(t *testing.T) {
	ref := EndpointRef{WorkspaceRef: WorkspaceRef{Subscription: "5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b", ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}, Endpoint: "churn-key"}
	if got, want := ExportAz(ref, "green", ""), "az ml online-endpoint invoke --name churn-key --request-file request.json --resource-group rg-ml-prod --workspace-name mlw-churn --deployment-name green --subscription 5b7d9e11-2c4a-4e6f-9a1b-3c5d7e9f1a2b"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	ref.Subscription = ""
	got := ExportAz(ref, "", "my request's body.json")
	if got != `az ml online-endpoint invoke --name churn-key --request-file 'my request'\''s body.json' --resource-group rg-ml-prod --workspace-name mlw-churn` {
		t.Errorf("quoting: %s", got)
	}
	if args := curlArgs(t, strings.Replace(got, "az ml", "curl ml", 1)); args[6] != "my request's body.json" {
		t.Errorf("the shell reads the file name as %q", args[6])
	}
}
