package emulator

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// faultList collects repeated --fault flags.
type faultList []Fault

func (f *faultList) String() string { return fmt.Sprint(len(*f)) }
func (f *faultList) Set(v string) error {
	x, err := ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, x)
	return nil
}

// RunStandalone serves the simulated Azure until SIGINT/SIGTERM
// (`amlauth-tui emulator`), printing what a curl user or another client
// needs: the endpoints, the CA, the personas and ready-to-run commands.
// It returns flag.ErrHelp after printing help for -h/--help.
func RunStandalone(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8443", "loopback address to listen on (127.0.0.1:0 picks a free port)")
	caOut := fs.String("ca-out", "", "write the CA certificate (PEM) to this file, for curl --cacert or SSL_CERT_FILE")
	auto := fs.String("auto-approve", "", "approve device codes and browser sign-ins as this persona (alice, bob, olivia, nina, gary)")
	tokenLife := fs.Duration("token-lifetime", time.Hour, "lifetime of issued access tokens")
	propagation := fs.Duration("propagation-delay", 0, "delay before role assignment and group membership changes take effect, additions and removals alike")
	amlTokenLife := fs.Duration("aml-token-lifetime", time.Hour, "lifetime of AML tokens from the token call, 10s to 24h (clients refresh at half of it)")
	proxyAddr := fs.String("proxy", "", "also serve an HTTPS proxy on this loopback address (e.g. 127.0.0.1:8444): clients with HTTPS_PROXY set to it\nreach login.microsoftonline.com, management.azure.com and graph.microsoft.com here, no cloud registration needed")
	endpoints := fs.Int("endpoints", 0, "add N generated endpoints (0 to 100000) to workspace mlw-sandbox, as --demo-endpoints does for the demo (try a big list)")
	var faults faultList
	fs.Var(&faults, "fault", "inject failures, repeatable: route=/subscriptions/*,status=429,rate=0.2,retry-after=1 | latency=50ms | drop,rate=0.1")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: amlauth-tui emulator [flags]\n\nServe the simulated Azure (Entra ID, ARM, Graph) over HTTPS on loopback.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *amlTokenLife < 10*time.Second || *amlTokenLife > 24*time.Hour {
		return fmt.Errorf("--aml-token-lifetime %s: use a duration from 10s to 24h", *amlTokenLife)
	}
	if *endpoints < 0 || *endpoints > 100_000 {
		return fmt.Errorf("--endpoints %d: use 0 to 100000", *endpoints)
	}
	srv, err := Start(Options{
		Addr:                *listen,
		ExtraEndpoints:      *endpoints,
		AutoApprove:         *auto,
		AccessTokenLifetime: *tokenLife,
		AMLTokenLifetime:    *amlTokenLife,
		PropagationDelay:    *propagation,
		Faults:              faults,
		ProxyHosts:          *proxyAddr != "",
		// A client that does not trust the CA fails its handshake: say so here.
		ErrorLog: log.New(stderr, "emulator: ", log.LstdFlags),
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	if *auto != "" && srv.world.personaByKey(*auto) == nil {
		return fmt.Errorf("--auto-approve %q: no such persona (alice, bob, olivia, nina, gary)", *auto)
	}
	if *caOut == "" {
		// The printed commands need the CA in a file; without --ca-out it goes
		// to a temporary one that is removed when the server stops.
		f, err := os.CreateTemp("", "amlauth-tui-emulator-ca-*.pem")
		if err != nil {
			return fmt.Errorf("writing the CA: %w (use --ca-out FILE)", err)
		}
		f.Close()
		*caOut = f.Name()
		defer os.Remove(*caOut)
	}
	if err := os.WriteFile(*caOut, srv.CAPEM(), 0o644); err != nil {
		return fmt.Errorf("--ca-out: %w", err)
	}
	cloudFile := cloudConfigPath(*caOut)
	if err := writeCloudConfig(cloudFile, srv.URL()); err != nil {
		return fmt.Errorf("writing the cloud config: %w", err)
	}
	defer os.Remove(cloudFile)
	var proxy *Proxy
	if *proxyAddr != "" {
		if proxy, err = srv.StartProxy(*proxyAddr); err != nil {
			return err
		}
		defer proxy.Close()
	}
	printBanner(stdout, srv, *caOut, cloudFile, proxy)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Fprintln(stdout, "simulated Azure stopped")
	return nil
}

// cloudConfigPath is where the cloud-config file goes: next to the CA.
func cloudConfigPath(caFile string) string {
	return strings.TrimSuffix(caFile, filepath.Ext(caFile)) + ".cloud.json"
}

// writeCloudConfig writes the file `amlauth-tui --cloud-config` (and az
// cloud register --cloud-config) reads; its keys are azure/cloudconfig.go's.
// Tokens name Azure's real audiences (Entra here issues them); Graph is
// served under /graph on this host, which endpoints.microsoftGraphEndpoint says.
func writeCloudConfig(path, base string) error {
	doc := map[string]any{"endpoints": map[string]string{
		"resourceManager":           base + "/",
		"activeDirectory":           base,
		"activeDirectoryResourceId": armAudiences[0],
		"microsoftGraphResourceId":  "https://graph.microsoft.com/",
		"microsoftGraphEndpoint":    base + graphPrefix,
		"machineLearningResourceId": mlAudience,
		// az cloud register requires Azure AD Graph's (retired) id to be set,
		// else it asks resourceManager/metadata/endpoints for it; nothing calls it.
		"activeDirectoryGraphResourceId": "https://graph.windows.net/",
	}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func printBanner(w io.Writer, s *Server, caFile, cloudFile string, proxy *Proxy) {
	u, t := s.URL(), s.TenantID()
	_, clientID, secret := s.ServicePrincipalCredentials()
	ca := caFile
	var b strings.Builder
	fmt.Fprintf(&b, "Simulated Azure listening on %s  (tenant %s)\n\n", u, t)
	fmt.Fprintf(&b, "  Entra ID   %s/%s/v2.0/.well-known/openid-configuration\n", u, t)
	fmt.Fprintf(&b, "  token      %s/%s/oauth2/v2.0/token\n", u, t)
	fmt.Fprintf(&b, "  ARM        %s/subscriptions?api-version=2022-12-01\n", u)
	fmt.Fprintf(&b, "  Graph      %s/graph/v1.0/me\n", u)
	fmt.Fprintf(&b, "  sign-in    %s/devicelogin  (approve device codes as a persona, with its password)\n", u)
	fmt.Fprintf(&b, "  CA         %s  (trust it: curl --cacert, or SSL_CERT_FILE for other clients)\n\n", ca)
	b.WriteString("Personas (password sign-in):\n")
	for _, p := range s.Personas() {
		fmt.Fprintf(&b, "  %-7s %-28s %-22s %s\n", p.Key, p.UPN, p.Password, p.Story)
	}
	fmt.Fprintf(&b, "\nService principal (demo secret): client_id=%s client_secret=%s\n\n", clientID, secret)
	b.WriteString("Try it:\n")
	fmt.Fprintf(&b, "  TOKEN=$(curl -s --cacert %s -d grant_type=client_credentials -d client_id=%s -d client_secret=%s \\\n", ca, clientID, secret)
	fmt.Fprintf(&b, "      -d scope=https://management.azure.com/.default %s/%s/oauth2/v2.0/token | jq -r .access_token)\n", u, t)
	fmt.Fprintf(&b, "  curl -s --cacert %s -H \"Authorization: Bearer $TOKEN\" '%s/subscriptions?api-version=2022-12-01'\n\n", ca, u)
	fmt.Fprintf(&b, "Attach the TUI (cloud config %s; sign in with device code, approve at %s/devicelogin):\n", cloudFile, u)
	fmt.Fprintf(&b, "  SSL_CERT_FILE=%s amlauth-tui --cloud-config %s --tenant %s\n\n", ca, cloudFile, t)
	if proxy != nil {
		fmt.Fprintf(&b, "Attach az, the Python SDK or any client: no registration; the HTTPS proxy %s serves\n", proxy.URL())
		b.WriteString("login.microsoftonline.com, management.azure.com and graph.microsoft.com from this simulated Azure:\n")
		fmt.Fprintf(&b, "  export HTTPS_PROXY=%s REQUESTS_CA_BUNDLE=%s SSL_CERT_FILE=%s\n", proxy.URL(), ca, ca)
		fmt.Fprintf(&b, "  az login --service-principal -u %s -p '%s' --tenant %s\n", clientID, secret, t)
		if ps := s.Personas(); len(ps) > 0 {
			fmt.Fprintf(&b, "  az login -u %s -p '%s'        (or as a persona)\n", ps[0].UPN, ps[0].Password)
		}
		fmt.Fprintf(&b, "Or register it as a cloud (az still needs the proxy, for MSAL's instance discovery):\n")
		fmt.Fprintf(&b, "  az cloud register -n AmlauthEmulator --cloud-config @%s && az cloud set -n AmlauthEmulator\n\n", cloudFile)
	} else {
		b.WriteString("Attach az or the Python SDK: restart with --proxy 127.0.0.1:8444. Their MSAL asks\n")
		b.WriteString("login.microsoftonline.com about any other sign-in host, which fails offline; the proxy serves it.\n\n")
	}
	b.WriteString("Ctrl+C stops the server.\n")
	io.WriteString(w, b.String())
}
