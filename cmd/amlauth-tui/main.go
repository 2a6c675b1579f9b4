// Command amlauth-tui is a terminal UI for the authentication story of Azure
// Machine Learning online endpoints. main only wires things: flags and
// environment -> azure.Config -> (the simulated Azure when --demo) -> ui.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"
)

// started is read by the TUI to log the time to its first frame.
var started = time.Now()

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit (not a cap): the GC returns memory sooner, which keeps
		// a 10,000-endpoint demo (app plus in-process simulated Azure) near
		// 60 MB resident instead of 80. The live heap is far below it.
		debug.SetMemoryLimit(48 << 20)
	}
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
