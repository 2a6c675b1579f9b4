package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/debuglog"
	"amlauth-tui/state"
	"amlauth-tui/ui"
	"amlauth-tui/ui/nav"
)

// runTUI is the only place that decides real Azure vs the simulated one.
func runTUI(o options, stderr io.Writer) int {
	log, err := debuglog.Open(o.debugFile)
	if err != nil {
		fmt.Fprintf(stderr, "amlauth-tui: %v\n", err)
		return 2
	}
	defer log.Close()

	// Bubble Tea writes every frame to $TEA_TRACE when it is set; revealed
	// secrets would end up in that file, so it never reaches the program.
	if os.Getenv("TEA_TRACE") != "" {
		log.Warn("TEA_TRACE is set; frame tracing disabled so that secrets are never recorded")
		_ = os.Unsetenv("TEA_TRACE")
	}

	var (
		cfg      azure.Config
		personas []azure.Persona
		approve  func(userCode, persona string) error
		warns    []state.Warning // shown as notices at start
	)
	if o.demo {
		srv, err := startDemo(o, log)
		if err != nil {
			fmt.Fprintf(stderr, "amlauth-tui: cannot start the simulated Azure: %v\n", err)
			return 1
		}
		defer srv.Close()
		cfg, err = demoConfig(srv)
		if err != nil {
			fmt.Fprintf(stderr, "amlauth-tui: %v\n", err)
			return 1
		}
		// A role assignment change applies after the simulated Azure's delay, not Azure's 10 minutes.
		cfg.Propagation = o.demoPropagation
		defer os.RemoveAll(filepath.Dir(cfg.CAFile))
		for _, p := range srv.Personas() {
			personas = append(personas, azure.Persona{Key: p.Key, Name: p.Name, UPN: p.UPN, Password: p.Password, Story: p.Story})
		}
		approve = srv.ApproveDeviceCode
		log.Info("demo mode", "url", srv.URL(), "tenant", srv.TenantID(), "retry_after", demoRetryAfter)
		// The demo's banner says what it does faster than Azure.
		warns = append(warns, state.Warning{Message: fmt.Sprintf(
			"Demo: the simulated Azure asks clients to poll operations every %s; Azure asks for 10s or more.", demoRetryAfter)})
	} else {
		cfg, err = azure.ResolveCloud(o.cloud, o.cloudConfig)
		if err != nil {
			fmt.Fprintf(stderr, "amlauth-tui: %v\n", err)
			return 2
		}
		log.Info("cloud", "name", cfg.Cloud, "config", cfg.Source, "arm", cfg.ARMEndpoint, "authority", cfg.AuthorityHost)
		if o.subscription == "" {
			if id, _, ok := azure.CLIDefaultSubscription(""); ok {
				o.subscription = id
			}
		}
	}
	if o.tenant != "" {
		cfg.TenantID = o.tenant
	}
	// The redactor learns every secret value the app obtains; with
	// --debug, every HTTP exchange is logged, and with
	// AMLAUTH_TUI_DEBUG_BODIES=1 the answers' bodies too (redacted).
	cfg.Secrets = log.Redactor
	if o.debugFile != "" {
		cfg = cfg.WithHTTPLog(log.Logger, os.Getenv("AMLAUTH_TUI_DEBUG_BODIES") == "1")
	}

	store, stateWarns, err := state.Open(o.stateDir)
	warns = append(warns, stateWarns...)
	if err != nil {
		if o.stateDir != "" {
			// Asked for by name: an unsafe directory is refused, not worked around.
			fmt.Fprintf(stderr, "amlauth-tui: %v\n", err)
			return 2
		}
		// The app still works without persistence; say so where it is seen.
		warns = append(warns, state.Warning{Message: "Nothing will be remembered this time: " + err.Error()})
		store = nil
	}

	model := ui.New(ui.Options{
		Env: nav.Env{
			Config:   cfg,
			Store:    store,
			Demo:     o.demo,
			Personas: personas,
			// Only the demo has a "browser on another device" the app can drive.
			ApproveDeviceCode: approve,
			Now:               time.Now,
		},
		Start: nav.Context{
			TenantID:      o.tenant,
			Subscription:  o.subscription,
			ResourceGroup: o.resourceGroup,
			Workspace:     o.workspace,
			Endpoint:      o.endpoint,
		},
		NoColor: os.Getenv("NO_COLOR") != "",
		Notices: notices(warns),
		Started: started,
		Logger:  log.Logger,
	})
	// Bubble Tea's own handler turns SIGTERM into a quit and SIGINT into an
	// interrupt and leaves every other signal to kill the process with the
	// terminal still in the alternate screen, the cursor hidden and mouse
	// reports on. Ours catches every signal that ends a process by default.
	p := tea.NewProgram(model, tea.WithoutSignalHandler())
	caught := restoreOnSignals(p, stderr)
	_, err = p.Run()
	model.Close() // what quit saves, also after a signal
	if sig := caught(); sig != nil {
		return exitStatus(sig)
	}
	switch {
	case errors.Is(err, tea.ErrInterrupted): // ctrl+c
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "amlauth-tui: %v\n", err)
		return 1
	}
	return 0
}

// demoRetryAfter is the polling interval the demo's operations ask for:
// Azure asks for 10 s or more, which would keep a presenter waiting.
const demoRetryAfter = time.Second

// restoreOnSignals kills p on the first of terminatingSignals: Kill
// restores the terminal (main screen, cursor, mouse and keyboard modes,
// tty mode), and Run returns. A second signal exits at once. caught says
// which signal came, if one did.
func restoreOnSignals(p *tea.Program, stderr io.Writer) (caught func() os.Signal) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, terminatingSignals...)
	var mu sync.Mutex
	var first os.Signal
	go func() {
		for sig := range ch {
			mu.Lock()
			again := first != nil
			if !again {
				first = sig
			}
			mu.Unlock()
			if again {
				fmt.Fprintf(stderr, "amlauth-tui: %v again; exiting\n", sig)
				os.Exit(exitStatus(sig))
			}
			go p.Kill()
		}
	}()
	return func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
}

// exitStatus is the shell's convention for death by a signal: 128 + its number.
func exitStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// startDemo starts the in-process simulated Azure with the demo's options.
func startDemo(o options, log *debuglog.Logger) (*emulator.Server, error) {
	opts := emulator.Options{
		AutoApprove: o.demoAutoApprove,
		FaultSeed:   o.demoFaultSeed,
		// The demo never shows the personas' passwords; its user picks one.
		PasswordlessPages: true,
		RetryAfter:        demoRetryAfter,
		// The server's own errors go to the --debug log, never over the UI.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if o.demoEndpoints < 0 || o.demoEndpoints > 100_000 {
		return nil, fmt.Errorf("--demo-endpoints %d: use 0 to 100000", o.demoEndpoints)
	}
	opts.ExtraEndpoints = o.demoEndpoints
	opts.PropagationDelay = o.demoPropagation
	if o.demoAMLTokens < 10*time.Second || o.demoAMLTokens > 24*time.Hour {
		return nil, fmt.Errorf("--demo-aml-token-lifetime %s: use a duration from 10s to 24h", o.demoAMLTokens)
	}
	opts.AMLTokenLifetime = o.demoAMLTokens
	for _, spec := range o.demoFaults {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			return nil, fmt.Errorf("--demo-fault %q: %w", spec, err)
		}
		opts.Faults = append(opts.Faults, f)
	}
	return emulator.Start(opts)
}

// runEmulator serves the simulated Azure standalone.
func runEmulator(args []string, stdout, stderr io.Writer) int {
	if err := emulator.RunStandalone(args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "amlauth-tui emulator: %v\n", err)
		return 1
	}
	return 0
}

func notices(ws []state.Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Message
	}
	return out
}
