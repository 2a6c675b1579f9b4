package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// Sign-in and failure reporting shared by the script commands (check, score).

// authMethods are the --auth names, spelled as scripts would type them.
var authMethods = []authMethod{
	{"chain", azure.MethodChain},
	{"cli", azure.MethodCLI},
	{"env", azure.MethodEnvironment},
	{"msi", azure.MethodManagedIdentity},
	{"device", azure.MethodDeviceCode},
	{"browser", azure.MethodBrowser},
}

type authMethod struct {
	name   string
	method azure.Method
}

func authNames() string {
	var n []string
	for _, a := range authMethods {
		n = append(n, a.name)
	}
	return strings.Join(n, ", ")
}

// startCLIDemo starts the in-process simulated Azure of --demo (tests
// replace it to shape the world).
var startCLIDemo = func() (*emulator.Server, error) { return emulator.Start(emulator.Options{}) }

// cliSignIn is how a script command signs in: the flags and what they mean.
type cliSignIn struct {
	demo                       bool
	as, auth                   string
	cloud, cloudConfig, tenant string
}

func (c *cliSignIn) register(fs *flag.FlagSet) {
	fs.BoolVar(&c.demo, "demo", false, "ask the built-in simulated Azure")
	fs.StringVar(&c.as, "as", "alice", "with --demo: the persona that signs in")
	fs.StringVar(&c.auth, "auth", "chain", "sign-in method: "+authNames()+"; chain stops at the first source that signs in (environment, workload identity, managed identity, az, azd)")
	fs.StringVar(&c.cloud, "cloud", "", "AzureCloud (default), AzureChinaCloud or AzureUSGovernment (or $AZURE_CLOUD)")
	fs.StringVar(&c.cloudConfig, "cloud-config", "", "a cloud-config file for any other cloud (or $"+azure.CloudConfigEnv+"); see amlauth-tui --help")
	fs.StringVar(&c.tenant, "tenant", "", "tenant to sign in to (default $AZURE_TENANT_ID, else the home tenant)")
}

// method resolves --auth; it is checked before anything starts.
func (c *cliSignIn) method() (azure.Method, error) {
	i := slices.IndexFunc(authMethods, func(a authMethod) bool {
		return strings.EqualFold(a.name, c.auth) || strings.EqualFold(string(a.method), c.auth)
	})
	if i < 0 {
		return "", fmt.Errorf("--auth %q: not a sign-in method (%s)", c.auth, authNames())
	}
	if c.demo && authMethods[i].method != azure.MethodChain {
		return "", fmt.Errorf("--auth does not apply with --demo: the demo signs in as --as PERSONA")
	}
	return authMethods[i].method, nil
}

// signIn signs in (starting the in-process simulated Azure first for
// --demo). done releases everything; call it once the work is finished.
func (c *cliSignIn) signIn(ctx context.Context, stderr io.Writer) (sess *azure.Session, done func(), fail *cliFail) {
	done = func() {}
	m, err := c.method()
	if err != nil {
		return nil, done, badInput(err)
	}
	if c.demo && (c.cloud != "" || c.cloudConfig != "") {
		return nil, done, failf("--cloud and --cloud-config do not apply with --demo (the demo is its own cloud)")
	}
	var cfg azure.Config
	opts := azure.SignInOptions{Method: m, TenantID: cmp.Or(c.tenant, os.Getenv("AZURE_TENANT_ID"))}
	if c.demo {
		srv, err := startCLIDemo()
		if err != nil {
			return nil, done, failErr(err)
		}
		cfg, err = azure.EmulatorConfig(srv.URL(), srv.CAPEM(), srv.TenantID())
		if err != nil {
			srv.Close()
			return nil, done, failErr(err)
		}
		// The client hangs up first: an HTTP/2 server that sent GOAWAY
		// waits up to a second for its clients to close their connections,
		// and a script would wait with it.
		done = func() {
			cfg.HTTPClient.CloseIdleConnections()
			srv.Close()
		}
		i := slices.IndexFunc(srv.Personas(), func(p emulator.PersonaInfo) bool { return strings.EqualFold(p.Key, c.as) })
		if i < 0 {
			var keys []string
			for _, p := range srv.Personas() {
				keys = append(keys, p.Key)
			}
			return nil, done, failf("no persona %q (%s)", c.as, strings.Join(keys, ", "))
		}
		p := srv.Personas()[i]
		opts = azure.SignInOptions{Method: azure.MethodPersona, Persona: azure.Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password}}
	} else if cfg, err = azure.ResolveCloud(c.cloud, c.cloudConfig); err != nil {
		return nil, done, badInput(err) // the file, the field and what is wrong with it
	}
	if m == azure.MethodDeviceCode {
		opts.OnDeviceCode = func(dc azure.DeviceCode) { fmt.Fprintln(stderr, dc.Message) }
	}
	sess, err = azure.SignIn(ctx, cfg, opts)
	if err != nil {
		return nil, done, failErr(err)
	}
	return sess, done, nil
}

// cliFail is why a script command could not answer, for stderr and for
// --output json.
type cliFail struct {
	Title  string `json:"title,omitempty"`
	Detail string `json:"message"`
	Next   string `json:"next,omitempty"`
}

func failf(format string, a ...any) *cliFail { return &cliFail{Detail: fmt.Sprintf(format, a...)} }

// badInput is a flag or argument the command refuses: its message says it all.
func badInput(err error) *cliFail { return &cliFail{Detail: err.Error()} }

// failErr explains err the way the TUI does (title, detail, next step).
func failErr(err error) *cliFail {
	e := azure.Explain(err)
	if e.Detail == "" {
		return &cliFail{Title: e.Title, Detail: err.Error(), Next: e.Next}
	}
	return &cliFail{Title: e.Title, Detail: e.Detail, Next: e.Next}
}

// print writes the failure for a person: "amlauth-tui CMD: title: detail", then the next step.
func (f *cliFail) print(w io.Writer, cmd string) {
	msg := f.Detail
	if f.Title != "" {
		msg = f.Title + ": " + msg
	}
	fmt.Fprintf(w, "amlauth-tui %s: %s\n", cmd, msg)
	if f.Next != "" {
		fmt.Fprintln(w, f.Next)
	}
}

// wantsJSON reports whether args ask for --output json, read before the
// flags are parsed so that a flag error is reported as JSON too.
func wantsJSON(args []string) bool {
	for i, a := range args {
		if a == "--" {
			return false
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "output" && name != "o") {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		return val == "json"
	}
	return false
}

// outputFlag registers --output (and -o).
func outputFlag(fs *flag.FlagSet) *string {
	out := fs.String("output", "text", "text, or json (a stable, versioned document on stdout; see below)")
	fs.StringVar(out, "o", "text", "short for --output")
	return out
}

// parseScriptFlags parses a script command's flags (score, check). help is
// set after -h or --help (exit status 0); otherwise f is what is wrong with
// the flags, a stray argument or the --output value, nil when nothing is.
func parseScriptFlags(fs *flag.FlagSet, args []string, output *string) (help bool, f *cliFail) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, badInput(err)
	}
	if fs.NArg() > 0 {
		return false, failf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkOutput(*output); err != nil {
		return false, badInput(err)
	}
	return false, nil
}

func checkOutput(v string) error {
	if v != "text" && v != "json" {
		return fmt.Errorf("--output %q: use text or json", v)
	}
	return nil
}

// writeJSON prints v as indented JSON, one document, to w.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
