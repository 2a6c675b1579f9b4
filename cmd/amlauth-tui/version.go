package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// printVersion reads module versions from the binary's build info, so it
// reports exactly what was linked and costs no start-up work.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "amlauth-tui %s\n", version)
	fmt.Fprintf(w, "go          %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if version == "dev" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				fmt.Fprintf(w, "commit      %s\n", s.Value[:12])
			}
		}
	}
	for _, d := range info.Deps {
		name := shortModule(d.Path)
		if name == "" {
			continue
		}
		fmt.Fprintf(w, "%-11s %s\n", name, d.Version)
	}
}

// shortModule names the dependencies worth reporting (the Azure SDK and the
// Charm stack); everything else returns "".
func shortModule(path string) string {
	switch {
	case strings.HasSuffix(path, "/sdk/azidentity"):
		return "azidentity"
	case strings.HasSuffix(path, "/sdk/azcore"):
		return "azcore"
	case strings.Contains(path, "/armmachinelearning"):
		return "armml"
	case strings.Contains(path, "/armauthorization"):
		return "armauthz"
	case strings.HasSuffix(path, "/armsubscriptions"):
		return "armsubs"
	case strings.HasSuffix(path, "microsoft-authentication-library-for-go"):
		return "msal"
	case path == "charm.land/bubbletea/v2":
		return "bubbletea"
	case path == "charm.land/bubbles/v2":
		return "bubbles"
	case path == "charm.land/lipgloss/v2":
		return "lipgloss"
	}
	return ""
}
