// Command amlauth-tui is a terminal UI for the authentication story of Azure
// Machine Learning online endpoints. main only wires things: flags and
// environment -> azure.Config -> (the simulated Azure when --demo) -> ui.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// started is read by the TUI to log the time to its first frame.
var started = time.Now()

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the subcommands; it returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version":
			printVersion(stdout)
			return 0
		case "emulator":
			return runEmulator(args[1:], stdout, stderr)
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "score":
			return runScore(args[1:], stdout, stderr)
		case "help":
			printUsage(stdout)
			return 0
		}
	}
	opts, err := parseFlags(args, stderr)
	if err == errHelp {
		printUsage(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "amlauth-tui: %v\nRun 'amlauth-tui --help' for the flags.\n", err)
		return 2
	}
	return runTUI(opts, stderr)
}

// demoConfig is the Config for the in-process simulated Azure, with its CA
// in a file that exported curl and Python commands name (they run outside
// this process). The CA is public, not a secret; it lives in a private
// temporary directory that the caller removes on exit.
func demoConfig(srv *emulator.Server) (azure.Config, error) {
	cfg, err := azure.EmulatorConfig(srv.URL(), srv.CAPEM(), srv.TenantID())
	if err != nil {
		return cfg, err
	}
	dir, err := os.MkdirTemp("", "amlauth-tui-demo-*")
	if err != nil {
		return cfg, fmt.Errorf("writing the demo's CA: %w", err)
	}
	cfg.CAFile = filepath.Join(dir, "simulated-azure-ca.pem")
	if err := os.WriteFile(cfg.CAFile, srv.CAPEM(), 0o600); err != nil {
		os.RemoveAll(dir)
		return cfg, fmt.Errorf("writing the demo's CA: %w", err)
	}
	return cfg, nil
}
