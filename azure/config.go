package azure

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Config is where Azure is: the cloud's endpoints and, for the simulated
// Azure, the transport that trusts its CA. Nothing else differs between
// real and simulated Azure.
type Config struct {
	Cloud         string
	AuthorityHost string
	ARMEndpoint   string
	ARMAudience   string
	GraphEndpoint string
	GraphAudience string
	MLAudience    string
	TenantID      string
	ClientID      string       // public client; "" = the Azure CLI's app id
	HTTPClient    *http.Client // nil = default transport
	Emulated      bool
	// CAFile is a CA certificate file that commands exported for use
	// outside this process must trust (the simulated Azure's); "" for
	// clouds whose certificates the system already trusts.
	CAFile string
	// Source is the cloud-config file this came from ("" for a built-in cloud).
	Source string
	// Retry tunes the SDK's retry policy (tests lower it; zero value = SDK defaults).
	Retry policy.RetryOptions
	// Polling is the clock long-running operations wait on (zero = real
	// time). An injected Now also decides when the session's tokens have
	// expired and are renewed (clockedCredential).
	Polling Polling
	// Propagation is how long a role assignment change may take to apply
	// (zero = Azure's 10 minutes; the demo sets its simulated Azure's delay).
	Propagation time.Duration
	// Secrets is told every secret value this package obtains (nil: nobody
	// listens); the debug log's redactor listens (debuglog.Redactor.Hold).
	Secrets SecretHook
}

// SecretHook learns the secret values the app holds, so that a log can
// redact them even when they do not look like secrets: endpoint keys, AML
// and Entra tokens (every token the session's credential returns), the
// client secret, a persona's password. Each value has a slot (a key of an
// endpoint, the token for a scope); a new value for a slot replaces the
// old one, which is then forgotten; "" empties the slot.
type SecretHook interface{ Hold(slot, value string) }

func (c Config) hold(slot, value string) {
	if c.Secrets != nil {
		c.Secrets.Hold(slot, value)
	}
}

// AzureCLIClientID is the public client azidentity (and az) use by default.
const AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

// CloudConfig returns a real cloud by az's name for it.
func CloudConfig(name string) (Config, error) {
	switch strings.ToLower(name) {
	case "", "azurecloud", "public", "azurepublic":
		return cloudFrom("AzureCloud", cloud.AzurePublic, "https://management.azure.com", "https://graph.microsoft.com", "https://ml.azure.com"), nil
	case "azurechinacloud", "china":
		return cloudFrom("AzureChinaCloud", cloud.AzureChina, "https://management.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "https://ml.azure.cn"), nil
	case "azureusgovernment", "usgov", "azuregovernment":
		return cloudFrom("AzureUSGovernment", cloud.AzureGovernment, "https://management.usgovcloudapi.net", "https://graph.microsoft.us", "https://ml.azure.us"), nil
	}
	return Config{}, fmt.Errorf("unknown cloud %q: use AzureCloud, AzureChinaCloud or AzureUSGovernment", name)
}

// cloudFrom builds a real cloud's Config. AZURE_AUTHORITY_HOST overrides the
// sign-in host as azidentity reads it (azidentity itself ignores it once a
// cloud is set, and we always set one).
func cloudFrom(name string, c cloud.Configuration, armAud, graph, ml string) Config {
	authority := c.ActiveDirectoryAuthorityHost
	if h := os.Getenv("AZURE_AUTHORITY_HOST"); h != "" {
		authority = h
	}
	return Config{Cloud: name, AuthorityHost: authority, ARMEndpoint: c.Services[cloud.ResourceManager].Endpoint,
		ARMAudience: armAud, GraphEndpoint: graph + "/v1.0", GraphAudience: graph, MLAudience: ml}
}

// EmulatorConfig points at the simulated Azure at baseURL, trusting caPEM.
func EmulatorConfig(baseURL string, caPEM []byte, tenantID string) (Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return Config{}, errors.New("emulator CA: no certificate in the PEM")
	}
	base := strings.TrimSuffix(baseURL, "/")
	return Config{
		Cloud: "Emulator", AuthorityHost: base + "/", ARMEndpoint: base, ARMAudience: "https://management.azure.com",
		GraphEndpoint: base + "/graph/v1.0", GraphAudience: "https://graph.microsoft.com", MLAudience: "https://ml.azure.com",
		TenantID: tenantID, Emulated: true,
		HTTPClient: &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 32,
			ForceAttemptHTTP2: true, IdleConnTimeout: 90 * time.Second,
		}},
	}, nil
}

// knownAuthorityHosts are the Microsoft sign-in hosts MSAL knows without
// asking login.microsoftonline.com (instance discovery). Any other host (the
// simulated Azure, Azure Stack Hub, a private cloud) is asked about only if
// discovery stays on, which fails offline and for ADFS, so it is turned off.
var knownAuthorityHosts = []string{"login.microsoftonline.com", "login.chinacloudapi.cn", "login.microsoftonline.us",
	"login.windows.net", "login.microsoft.com", "sts.windows.net", "login.partner.microsoftonline.cn"}

// InstanceDiscoveryOff reports whether credentials must not ask Entra's
// instance discovery about the authority host.
func (c Config) InstanceDiscoveryOff() bool {
	if c.Emulated {
		return true
	}
	u, err := url.Parse(c.AuthorityHost)
	if err != nil {
		return true
	}
	return !slices.Contains(knownAuthorityHosts, strings.ToLower(u.Hostname()))
}

// cloudConfiguration is the azcore view of the endpoints.
func (c Config) cloudConfiguration() cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: c.ARMEndpoint, Audience: c.ARMAudience}}}
}

// ClientOptions are shared by the credentials and the ARM clients; one
// transport carries MSAL's calls too (ENTRA.md §1).
func (c Config) ClientOptions() azcore.ClientOptions {
	o := azcore.ClientOptions{Cloud: c.cloudConfiguration(), Retry: c.Retry}
	if c.HTTPClient != nil {
		o.Transport = c.HTTPClient
	}
	return o
}

// ARMOptions are the ARM clients' options.
func (c Config) ARMOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: c.ClientOptions()}
}

func (c Config) clientID() string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return AzureCLIClientID
}

func (c Config) scope(audience string) string { return strings.TrimSuffix(audience, "/") + "/.default" }

// CLIDefaultSubscription reads az login's default subscription from
// azureProfile.json (which az writes with a UTF-8 BOM).
func CLIDefaultSubscription(azureConfigDir string) (id, tenant string, ok bool) {
	if azureConfigDir == "" {
		azureConfigDir = os.Getenv("AZURE_CONFIG_DIR")
	}
	if azureConfigDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", false
		}
		azureConfigDir = filepath.Join(home, ".azure")
	}
	b, err := os.ReadFile(filepath.Join(azureConfigDir, "azureProfile.json"))
	if err != nil {
		return "", "", false
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var p struct {
		Subscriptions []struct {
			ID        string `json:"id"`
			TenantID  string `json:"tenantId"`
			IsDefault bool   `json:"isDefault"`
		} `json:"subscriptions"`
	}
	if json.Unmarshal(b, &p) != nil {
		return "", "", false
	}
	for _, s := range p.Subscriptions {
		if s.IsDefault {
			return s.ID, s.TenantID, true
		}
	}
	return "", "", false
}
