// Command amlauth-tui is a terminal UI for the authentication story of Azure
// Machine Learning online endpoints. main only wires things: flags and
// environment -> azure.Config -> (the simulated Azure when --demo) -> ui.
package main

import (
	"fmt"
	"io"
	"os"
)

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
