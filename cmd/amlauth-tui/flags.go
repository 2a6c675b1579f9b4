package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// options are the parsed command line, with az-style environment defaults applied.
type options struct {
	demo            bool
	subscription    string
	resourceGroup   string
	workspace       string
	endpoint        string
	tenant          string
	cloud           string
	cloudConfig     string
	debugFile       string
	stateDir        string
	demoFaults      []string
	demoFaultSeed   int64
	demoEndpoints   int
	demoPropagation time.Duration
	demoAMLTokens   time.Duration // lifetime of AML tokens: short, so the countdown visibly moves
	demoAutoApprove string
}

var errHelp = errors.New("help requested")

// repeated collects a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// parseFlags follows az's habits: long names as az spells them, the short
// aliases az ml accepts (-g, -w, -n), and az's environment defaults.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("amlauth-tui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.StringVar(&o.subscription, "subscription", "", "")
	fs.StringVar(&o.resourceGroup, "resource-group", "", "")
	fs.StringVar(&o.resourceGroup, "g", "", "")
	fs.StringVar(&o.workspace, "workspace-name", "", "")
	fs.StringVar(&o.workspace, "w", "", "")
	fs.StringVar(&o.endpoint, "name", "", "")
	fs.StringVar(&o.endpoint, "n", "", "")
	fs.StringVar(&o.tenant, "tenant", "", "")
	fs.StringVar(&o.cloud, "cloud", "", "")
	fs.StringVar(&o.cloudConfig, "cloud-config", "", "")
	fs.StringVar(&o.debugFile, "debug", "", "")
	fs.StringVar(&o.stateDir, "state-dir", "", "")
	fs.Var((*repeated)(&o.demoFaults), "demo-fault", "")
	fs.Int64Var(&o.demoFaultSeed, "demo-fault-seed", 1, "")
	fs.StringVar(&o.demoAutoApprove, "demo-auto-approve", "", "")
	fs.IntVar(&o.demoEndpoints, "demo-endpoints", 0, "")
	fs.DurationVar(&o.demoPropagation, "demo-propagation", 5*time.Second, "")
	fs.DurationVar(&o.demoAMLTokens, "demo-aml-token-lifetime", 2*time.Minute, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, errHelp
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// az's own defaults (az configure --defaults group=... workspace=...).
	if o.resourceGroup == "" {
		o.resourceGroup = os.Getenv("AZURE_DEFAULTS_GROUP")
	}
	if o.workspace == "" {
		o.workspace = os.Getenv("AZURE_DEFAULTS_WORKSPACE")
	}
	if o.subscription == "" {
		o.subscription = os.Getenv("AZURE_SUBSCRIPTION_ID")
	}
	if o.tenant == "" {
		o.tenant = os.Getenv("AZURE_TENANT_ID")
	}
	if o.demo && o.cloudConfig != "" {
		return o, errors.New("--cloud-config does not apply with --demo (the demo is its own cloud); attach to a standalone emulator instead: amlauth-tui emulator")
	}
	if o.cloud != "" && o.cloudConfig != "" {
		return o, errors.New("--cloud and --cloud-config both name a cloud: use one")
	}
	if !o.demo && (len(o.demoFaults) > 0 || o.demoAutoApprove != "") {
		return o, errors.New("--demo-fault and --demo-auto-approve only apply with --demo")
	}
	if o.endpoint != "" && o.workspace == "" {
		return o, errors.New("-n/--name (endpoint) needs -w/--workspace-name too")
	}
	return o, nil
}

const usage = `amlauth-tui — sign in, browse, check RBAC, get credentials and score Azure ML online endpoints.

Usage:
  amlauth-tui [flags]              start the terminal UI (real Azure)
  amlauth-tui --demo [flags]       start it against the built-in simulated Azure (no account needed)
  amlauth-tui emulator [flags]     serve the simulated Azure standalone (see 'amlauth-tui emulator --help')
  amlauth-tui check [flags]        print who may do what at a scope (see 'amlauth-tui check --help')
  amlauth-tui score [flags]        send a scoring request, as curl would, with the right credential (see 'amlauth-tui score --help')
  amlauth-tui version              print version information

Open directly at a context (as az and az ml spell them):
      --subscription ID|NAME   subscription (default: $AZURE_SUBSCRIPTION_ID, else az login's default)
  -g, --resource-group NAME    resource group (default: $AZURE_DEFAULTS_GROUP)
  -w, --workspace-name NAME    Azure ML workspace (default: $AZURE_DEFAULTS_WORKSPACE)
  -n, --name NAME              online endpoint (needs -w)

Sign-in and cloud:
      --tenant ID              tenant to sign in to (default: $AZURE_TENANT_ID, else your home tenant)
      --cloud NAME             AzureCloud (default), AzureChinaCloud or AzureUSGovernment (or $AZURE_CLOUD)
      --cloud-config FILE      any other cloud: Azure Stack Hub, a private cloud, or a standalone simulated
                               Azure (or $AZURE_CLOUD_CONFIG). The JSON az cloud register --cloud-config
                               takes: endpoints.resourceManager, activeDirectory, activeDirectoryResourceId,
                               microsoftGraphResourceId, plus machineLearningResourceId (the ML scoring
                               audience). Its certificates must be trusted: SSL_CERT_FILE=CA.pem
  The service principal and managed identity methods read the AZURE_* variables as azidentity does:
  AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
  AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST.

Demo:
      --demo                   run against the simulated Azure on 127.0.0.1 (in-process)
      --demo-auto-approve P    approve device-code and browser sign-ins as persona P (alice, bob, olivia, nina, gary)
      --demo-fault SPEC        inject faults, repeatable; e.g. 'status=429,rate=0.2,retry-after=1',
                               'latency=200ms', 'route=/subscriptions/*,drop,rate=0.1'
      --demo-fault-seed N      seed for the fault dice (default 1)
      --demo-endpoints N       add N generated endpoints to workspace mlw-sandbox (try a big list)
      --demo-propagation D     how long a role assignment, added or removed, takes to apply (default 5s)
      --demo-aml-token-lifetime D
                               lifetime of AML tokens, 10s to 24h (default 2m, so the expiry countdown
                               visibly moves; Azure's is longer); clients refresh at half of it

Files:
      --debug FILE             write a debug log (every key, token and secret redacted)
      --state-dir DIR          keep preferences and state in DIR instead of the XDG directories

  -h, --help                   show this help

Environment: NO_COLOR disables colour.
`

func printUsage(w io.Writer) { fmt.Fprint(w, usage) }
