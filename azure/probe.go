package azure

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// chainSource is one source of DefaultAzureCredential, in azidentity v1.15's order.
type chainSource struct {
	name    string
	timeout time.Duration
	build   func(cfg Config) (azcore.TokenCredential, error)
	skip    func(cfg Config) string // non-empty: not tried, with this reason
}

func chainSources() []chainSource {
	return []chainSource{
		{name: "EnvironmentCredential", timeout: 20 * time.Second,
			skip: func(Config) string {
				if m := missingEnv(); m != "" {
					return m + " not set"
				}
				return ""
			},
			build: func(cfg Config) (azcore.TokenCredential, error) {
				return azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: cfg.ClientOptions(), DisableInstanceDiscovery: cfg.InstanceDiscoveryOff()})
			}},
		{name: "WorkloadIdentityCredential", timeout: 20 * time.Second,
			skip: func(Config) string {
				if os.Getenv("AZURE_FEDERATED_TOKEN_FILE") == "" {
					return "AZURE_FEDERATED_TOKEN_FILE not set (not running in a workload-identity pod)"
				}
				return ""
			},
			build: func(cfg Config) (azcore.TokenCredential, error) {
				return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: cfg.ClientOptions(), DisableInstanceDiscovery: cfg.InstanceDiscoveryOff()})
			}},
		{name: "ManagedIdentityCredential", timeout: 3 * time.Second,
			skip: func(cfg Config) string {
				if cfg.Emulated {
					return "no managed identity endpoint: the simulated Azure has no Azure compute behind it (IMDS is not probed)"
				}
				return ""
			},
			build: func(cfg Config) (azcore.TokenCredential, error) {
				return azidentity.NewManagedIdentityCredential(managedIdentityOptions(cfg))
			}},
		{name: "AzureCLICredential", timeout: 20 * time.Second,
			skip: func(cfg Config) string {
				if cfg.Emulated {
					return "az signs in to real Azure only, not to the simulated Azure"
				}
				if _, err := exec.LookPath("az"); err != nil {
					return "Azure CLI (az) not found on PATH"
				}
				return ""
			},
			build: func(cfg Config) (azcore.TokenCredential, error) {
				return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID})
			}},
		{name: "AzureDeveloperCLICredential", timeout: 20 * time.Second,
			skip: func(cfg Config) string {
				if cfg.Emulated {
					return "azd signs in to real Azure only, not to the simulated Azure"
				}
				if _, err := exec.LookPath("azd"); err != nil {
					return "Azure Developer CLI (azd) not found on PATH"
				}
				return ""
			},
			build: func(cfg Config) (azcore.TokenCredential, error) {
				return azidentity.NewAzureDeveloperCLICredential(&azidentity.AzureDeveloperCLICredentialOptions{TenantID: cfg.TenantID})
			}},
	}
}

// Probe tries every source of the chain and reports each, with its time.
func Probe(ctx context.Context, cfg Config) []ProbeResult {
	results, _ := probe(ctx, cfg, nil, true)
	return results
}

// probe runs the sources in order, reports each through onResult, and
// returns the first credential that produced a token. With all it keeps
// going after a success, so the sign-in screen can show every source.
// Without it, it stops at the first success, as DefaultAzureCredential
// does: "By default, it tries all the credentials until one authenticates,
// after which it always uses that credential"
// (https://pkg.go.dev/github.com/Azure/azure-sdk-for-go/sdk/azidentity#ChainedTokenCredential).
// A script must not wait for a managed-identity timeout and an az
// subprocess after the environment's service principal answered.
func probe(ctx context.Context, cfg Config, onResult func(ProbeResult), all bool) ([]ProbeResult, azcore.TokenCredential) {
	var (
		results []ProbeResult
		winner  azcore.TokenCredential
	)
	for _, src := range chainSources() {
		start := time.Now()
		r := ProbeResult{Source: src.name}
		if why := src.skip(cfg); why != "" {
			r.Reason = why
		} else if cred, err := src.build(cfg); err != nil {
			r.Reason = readable(err)
		} else {
			tctx, cancel := context.WithTimeout(ctx, src.timeout)
			tok, err := cred.GetToken(tctx, policy.TokenRequestOptions{Scopes: []string{cfg.scope(cfg.ARMAudience)}, EnableCAE: true})
			cancel()
			if err != nil {
				r.Reason = readable(err)
			} else {
				r.OK = true
				r.Reason = "signed in"
				if cs, err := DecodeClaims(tok.Token); err == nil {
					r.Reason = "signed in as " + IdentityFromClaims(cs).Name()
				}
				if winner == nil {
					winner = cred
				}
			}
		}
		r.Took = time.Since(start)
		results = append(results, r)
		if onResult != nil {
			onResult(r)
		}
		if ctx.Err() != nil || (winner != nil && !all) {
			break
		}
	}
	return results, winner
}

// readable turns azidentity's multi-line errors into one sentence.
func readable(err error) string {
	if e, ok := EntraErrorOf(err); ok { // Entra refused: say why in words, with the code
		reason, _ := entraAdvice(e, signInFacts{})
		return reason
	}
	s := firstLine(err.Error())
	for _, p := range []string{"EnvironmentCredential: ", "ManagedIdentityCredential: ", "AzureCLICredential: ", "AzureDeveloperCLICredential: ", "WorkloadIdentityCredential: "} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "" {
		return "failed"
	}
	return s
}
