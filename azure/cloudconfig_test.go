package azure

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The output of `az cloud show` for a registered Azure Stack Hub cloud: az's
// own shape, with keys this app does not read.
const azStackCloud = `{
  "endpoints": {
    "activeDirectory": "https://login.microsoftonline.com",
    "activeDirectoryGraphResourceId": "https://graph.windows.net/",
    "activeDirectoryResourceId": "https://management.contoso.onmicrosoft.com/51234-abcd",
    "gallery": "https://providers.local.azurestack.external:30016/",
    "management": "https://management.contoso.onmicrosoft.com/51234-abcd",
    "microsoftGraphResourceId": "https://graph.microsoft.com/",
    "resourceManager": "https://management.local.azurestack.external/"
  },
  "isActive": false,
  "name": "AzureStackUser",
  "profile": "2020-09-01-hybrid",
  "suffixes": {"keyvaultDns": ".vault.local.azurestack.external", "storageEndpoint": "local.azurestack.external"}
}`

func TestParseCloudConfigAzShape(t *testing.T) {
	c, err := ParseCloudConfig([]byte(azStackCloud))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Cloud: "AzureStackUser", AuthorityHost: "https://login.microsoftonline.com/",
		ARMEndpoint: "https://management.local.azurestack.external", ARMAudience: "https://management.contoso.onmicrosoft.com/51234-abcd",
		GraphEndpoint: "https://graph.microsoft.com/v1.0", GraphAudience: "https://graph.microsoft.com/"}
	if c.Cloud != want.Cloud || c.AuthorityHost != want.AuthorityHost || c.ARMEndpoint != want.ARMEndpoint ||
		c.ARMAudience != want.ARMAudience || c.GraphEndpoint != want.GraphEndpoint || c.GraphAudience != want.GraphAudience || c.MLAudience != "" {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if c.Emulated || c.HTTPClient != nil {
		t.Error("a cloud from a file is a real cloud: system trust, no emulator shortcuts")
	}
	// login.microsoftonline.com is a host MSAL knows: discovery stays on.
	if c.InstanceDiscoveryOff() {
		t.Error("instance discovery turned off for login.microsoftonline.com")
	}
}

func TestCloudFileRoundTrip(t *testing.T) {
	// The simulated Azure's shape: Graph under a path, with Graph's real audience.
	emu := Config{Cloud: "AmlauthEmulator", AuthorityHost: "https://127.0.0.1:8443/", ARMEndpoint: "https://127.0.0.1:8443",
		ARMAudience: "https://management.core.windows.net/", GraphEndpoint: "https://127.0.0.1:8443/graph/v1.0",
		GraphAudience: "https://graph.microsoft.com/", MLAudience: "https://ml.azure.com"}
	b, err := json.Marshal(emu.CloudFile())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "emulator.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCloudConfig(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if c.AuthorityHost != emu.AuthorityHost || c.ARMEndpoint != emu.ARMEndpoint || c.ARMAudience != emu.ARMAudience ||
		c.GraphEndpoint != emu.GraphEndpoint || c.GraphAudience != emu.GraphAudience || c.MLAudience != emu.MLAudience || c.Cloud != "AmlauthEmulator" {
		t.Errorf("round trip changed the cloud:\n got %+v\nwant %+v", c, emu)
	}
	if c.Source != path {
		t.Errorf("Source = %q", c.Source)
	}
	// 127.0.0.1 is not a Microsoft host: asking login.microsoftonline.com about it would fail offline.
	if !c.InstanceDiscoveryOff() {
		t.Error("instance discovery left on for a private authority host")
	}
}

func TestParseCloudConfigErrorsNameTheField(t *testing.T) {
	ok := map[string]string{
		KeyResourceManager: "https://arm.example/", KeyActiveDirectory: "https://login.example",
		KeyARMAudience: "https://arm.example/", KeyGraphAudience: "https://graph.example/",
	}
	with := func(k, v string) string {
		ep := map[string]any{}
		for kk, vv := range ok {
			ep[kk] = vv
		}
		if v == "<delete>" {
			delete(ep, k)
		} else {
			ep[k] = json.RawMessage(v)
		}
		b, _ := json.Marshal(map[string]any{"endpoints": ep})
		return string(b)
	}
	cases := []struct{ doc, want string }{
		{`{"endpoints": {"resourceManager": "https://x/",}}`, "not JSON"},
		{`[1,2]`, "expected an object"},
		{`{"name": "x"}`, `no "endpoints" object`},
		{`{"endpoints": ["https://x"]}`, "endpoints: expected an object"},
		{with(KeyResourceManager, "<delete>"), "endpoints.resourceManager is missing"},
		{with(KeyActiveDirectory, `null`), "endpoints.activeDirectory is missing"},
		{with(KeyARMAudience, `42`), "endpoints.activeDirectoryResourceId: expected a string"},
		{with(KeyResourceManager, `"http://arm.example/"`), "endpoints.resourceManager: \"http://arm.example/\" must use https"},
		{with(KeyGraphAudience, `"graph.example"`), "endpoints.microsoftGraphResourceId: \"graph.example\" is not an absolute URL"},
		{with(KeyMLAudience, `"https://ml.example/?x=1"`), "endpoints.machineLearningResourceId: \"https://ml.example/?x=1\" must not have a query"},
	}
	for _, tc := range cases {
		_, err := ParseCloudConfig([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want it to say %q", tc.doc, err, tc.want)
		}
	}
	// Every problem is reported at once, not one per run.
	_, err := ParseCloudConfig([]byte(`{"endpoints": {"resourceManager": "http://a/"}}`))
	for _, k := range []string{KeyResourceManager, KeyActiveDirectory, KeyARMAudience, KeyGraphAudience} {
		if err == nil || !strings.Contains(err.Error(), "endpoints."+k) {
			t.Errorf("error %v does not mention endpoints.%s", err, k)
		}
	}
}

func TestResolveCloud(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stack.json")
	if err := os.WriteFile(path, []byte(azStackCloud), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(CloudConfigEnv, "")
	t.Setenv("AZURE_CLOUD", "")
	if c, err := ResolveCloud("", ""); err != nil || c.Cloud != "AzureCloud" {
		t.Errorf("default cloud: %+v, %v", c.Cloud, err)
	}
	if c, err := ResolveCloud("", path); err != nil || c.Cloud != "AzureStackUser" {
		t.Errorf("file: %v, %v", c.Cloud, err)
	}
	t.Setenv(CloudConfigEnv, path)
	if c, err := ResolveCloud("", ""); err != nil || c.ARMEndpoint != "https://management.local.azurestack.external" {
		t.Errorf("$%s: %+v, %v", CloudConfigEnv, c, err)
	}
	t.Setenv("AZURE_CLOUD", "AzureChinaCloud")
	if c, err := ResolveCloud("", ""); err != nil || c.Cloud != "AzureStackUser" {
		t.Errorf("$%s beats $AZURE_CLOUD: %v, %v", CloudConfigEnv, c.Cloud, err)
	}
	if c, err := ResolveCloud("AzureUSGovernment", ""); err != nil || c.Cloud != "AzureUSGovernment" {
		t.Errorf("--cloud beats the variables: %v, %v", c.Cloud, err)
	}
	if _, err := ResolveCloud("AzureChinaCloud", path); err == nil || !strings.Contains(err.Error(), "use one") {
		t.Errorf("a name and a file: %v", err)
	}
	if _, err := ResolveCloud("", filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing file: %v", err)
	}
}
