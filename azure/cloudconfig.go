package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// A cloud-config file describes a cloud that is not one of the three
// public ones: Azure Stack Hub, a private cloud, or the simulated Azure run
// standalone. Its shape is the one `az cloud register --cloud-config` reads
// (and `az cloud show` prints), so one file serves az and this app:
//
//	{"endpoints": {
//	   "resourceManager":           "https://management.local.azurestack.external/",
//	   "activeDirectory":           "https://login.microsoftonline.com",
//	   "activeDirectoryResourceId": "https://management.core.windows.net/",
//	   "microsoftGraphResourceId":  "https://graph.microsoft.com/",
//	   "machineLearningResourceId": "https://ml.azure.com/"}}
//
// The shape: https://learn.microsoft.com/cli/azure/cloud#az-cloud-register (the
// --cloud-config parameter), as az 2.45's _build_cloud reads it (endpoint
// keys in camelCase). Azure Stack Hub's use of it:
// https://learn.microsoft.com/azure-stack/user/azure-stack-version-profiles-azurecli2
// ("Connect to Azure Stack Hub").
//
// az has no key for the Azure ML audience, so this app reads its own,
// endpoints.machineLearningResourceId (az ignores it). The simulated Azure
// serves Graph under a path of its own host while tokens name Graph's real
// audience; endpoints.microsoftGraphEndpoint (also ignored by az) says where.

// CloudConfigEnv names the cloud-config file when --cloud-config is not given.
const CloudConfigEnv = "AZURE_CLOUD_CONFIG"

// Keys of a cloud-config file's endpoints object that this app reads.
const (
	KeyResourceManager  = "resourceManager"
	KeyActiveDirectory  = "activeDirectory"
	KeyARMAudience      = "activeDirectoryResourceId"
	KeyGraphAudience    = "microsoftGraphResourceId"
	KeyGraphEndpoint    = "microsoftGraphEndpoint"    // this app's: Graph's base URL when it differs from the audience
	KeyMLAudience       = "machineLearningResourceId" // this app's: the Azure ML scoring (aad_token) audience
	graphAPIVersionPath = "v1.0"
)

// CloudFile is the JSON written and read: az's shape, endpoints only.
type CloudFile struct {
	Name      string            `json:"name,omitempty"`
	Endpoints map[string]string `json:"endpoints"`
}

// LoadCloudConfig reads a cloud-config file.
func LoadCloudConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("cloud config: %w", err)
	}
	c, err := ParseCloudConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("cloud config %s: %w", path, err)
	}
	c.Source = path
	if c.Cloud == "" {
		c.Cloud = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return c, nil
}

// ParseCloudConfig reads a cloud-config document; every error names the
// field and what is wrong with it.
func ParseCloudConfig(b []byte) (Config, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // az writes JSON with a BOM on Windows
	var raw struct {
		Name      string                     `json:"name"`
		Endpoints map[string]json.RawMessage `json:"endpoints"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
			return Config{}, fmt.Errorf("not JSON: %v (line %d)", se, line)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Config{}, fmt.Errorf("%s: expected %s, found a JSON %s", fieldName(te.Field), jsonKind(te.Type.Kind().String()), te.Value)
		}
		return Config{}, fmt.Errorf("not JSON: %v", err)
	}
	if raw.Endpoints == nil {
		return Config{}, errors.New(`no "endpoints" object: the file must look like {"endpoints": {"resourceManager": "https://…", "activeDirectory": "https://…", …}} (the shape az cloud register --cloud-config takes)`)
	}
	get := func(key string, required bool, what string) (string, error) {
		v, ok := raw.Endpoints[key]
		if !ok || string(v) == "null" {
			if required {
				return "", fmt.Errorf("endpoints.%s is missing: %s", key, what)
			}
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("endpoints.%s: expected a string (%s), found %s", key, what, clip(string(v)))
		}
		u, err := url.Parse(strings.TrimSpace(s))
		switch {
		case s == "" && !required:
			return "", nil
		case err != nil || u.Host == "":
			return "", fmt.Errorf("endpoints.%s: %q is not an absolute URL (%s)", key, clip(s), what)
		case u.Scheme != "https":
			return "", fmt.Errorf("endpoints.%s: %q must use https (tokens are only ever sent over TLS)", key, clip(s))
		case u.RawQuery != "" || u.Fragment != "":
			return "", fmt.Errorf("endpoints.%s: %q must not have a query or fragment", key, clip(s))
		}
		return strings.TrimSpace(s), nil
	}
	var c Config
	var errs []error
	field := func(dst *string, key string, required bool, what string) {
		v, err := get(key, required, what)
		errs = append(errs, err)
		*dst = v
	}
	field(&c.ARMEndpoint, KeyResourceManager, true, "the Azure Resource Manager URL, e.g. https://management.azure.com/")
	field(&c.AuthorityHost, KeyActiveDirectory, true, "the Entra ID (sign-in) authority host, e.g. https://login.microsoftonline.com")
	field(&c.ARMAudience, KeyARMAudience, true, "the audience of management tokens, e.g. https://management.core.windows.net/")
	field(&c.GraphAudience, KeyGraphAudience, true, "the Microsoft Graph audience, e.g. https://graph.microsoft.com/")
	field(&c.GraphEndpoint, KeyGraphEndpoint, false, "where Graph is served, when not at its audience")
	field(&c.MLAudience, KeyMLAudience, false, "the Azure ML scoring audience, e.g. https://ml.azure.com/")
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	// The SDKs want the authority host with a trailing slash and ARM without one.
	c.AuthorityHost = strings.TrimSuffix(c.AuthorityHost, "/") + "/"
	c.ARMEndpoint = strings.TrimSuffix(c.ARMEndpoint, "/")
	if c.GraphEndpoint == "" {
		// As az does: Graph is served at its resource id.
		c.GraphEndpoint = strings.TrimSuffix(c.GraphAudience, "/") + "/" + graphAPIVersionPath
	}
	c.GraphEndpoint = strings.TrimSuffix(c.GraphEndpoint, "/")
	c.Cloud = raw.Name
	return c, nil
}

// CloudFile is the cloud-config document for c (what ParseCloudConfig reads back).
func (c Config) CloudFile() CloudFile {
	ep := map[string]string{
		KeyResourceManager: c.ARMEndpoint + "/",
		KeyActiveDirectory: strings.TrimSuffix(c.AuthorityHost, "/"),
		KeyARMAudience:     c.ARMAudience,
		KeyGraphAudience:   c.GraphAudience,
		KeyMLAudience:      c.MLAudience,
	}
	if c.GraphEndpoint != strings.TrimSuffix(c.GraphAudience, "/")+"/"+graphAPIVersionPath {
		ep[KeyGraphEndpoint] = c.GraphEndpoint
	}
	return CloudFile{Name: c.Cloud, Endpoints: ep}
}

// ResolveCloud picks the cloud for every subcommand from --cloud NAME and
// --cloud-config FILE. A flag beats the environment: with neither,
// $AZURE_CLOUD_CONFIG names a file, else $AZURE_CLOUD a public cloud, else
// it is AzureCloud.
func ResolveCloud(name, file string) (Config, error) {
	if name != "" && file != "" {
		return Config{}, fmt.Errorf("both a cloud name (%s) and a cloud-config file (%s) are given: use one", name, file)
	}
	if name == "" && file == "" {
		if file = os.Getenv(CloudConfigEnv); file == "" {
			name = os.Getenv("AZURE_CLOUD")
		}
	}
	if file == "" {
		return CloudConfig(name)
	}
	return LoadCloudConfig(file)
}

func fieldName(f string) string {
	if f == "" {
		return "the document"
	}
	return f
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "string":
		return "a string"
	}
	return k
}

func clip(s string) string {
	if len(s) > 80 {
		return strings.ToValidUTF8(s[:77], "") + "..."
	}
	return s
}
