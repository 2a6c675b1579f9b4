package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/theme"
)

// The header says which cloud the app talks to unless it is Azure's public
// cloud: a sovereign cloud by name, any --cloud-config cloud always (its
// file may call itself AzureCloud), sanitized, cut to fit, on one line.
func TestHeaderNamesTheCloud(t *testing.T) {
	public, err := azure.CloudConfig("AzureCloud")
	if err != nil {
		t.Fatal(err)
	}
	gov, err := azure.CloudConfig("AzureUSGovernment")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		cfg   azure.Config
		demo  bool
		badge string // "" = no cloud badge
	}{
		{"public", public, false, ""},
		{"sovereign", gov, false, "AzureUSGovernment"},
		{"file named like the public cloud", azure.Config{Cloud: "AzureCloud", Source: "/etc/clouds/corp.json"}, false, "AzureCloud"},
		{"unnamed file", azure.Config{Source: "/etc/clouds/x.json"}, false, "custom cloud"},
		{"hostile name", azure.Config{Cloud: "\x1b]0;pwned\x07corp\x1b[2J-cloud-with-a-name-far-too-long-for-a-header", Source: "f"}, false, "corp-cloud-with-a-n"},
		{"demo", azure.Config{Cloud: "Emulator", Emulated: true}, true, ""},
	} {
		for _, w := range []int{80, 120} {
			m := New(Options{Env: nav.Env{Config: c.cfg, Demo: c.demo, Styles: theme.New(true, true)}})
			m.w, m.h = w, 24
			line1, _, _ := strings.Cut(m.header(), "\n")
			plain := ansi.Strip(line1)
			if ansi.StringWidth(line1) > w || strings.ContainsAny(plain, "\x1b\x07") || strings.Contains(plain, "pwned") {
				t.Errorf("%s at %d: header line %q is not one clean line", c.name, w, plain)
			}
			if !strings.HasSuffix(plain, "not signed in") {
				t.Errorf("%s at %d: the sign-in state was pushed out: %q", c.name, w, plain)
			}
			switch {
			case c.badge == "" && strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(plain, "amlauth-tui"), "not signed in")) != map[bool]string{true: "DEMO", false: ""}[c.demo]:
				t.Errorf("%s at %d: unexpected badge in %q", c.name, w, plain)
			case c.badge != "" && !strings.Contains(plain, "amlauth-tui  "+c.badge):
				t.Errorf("%s at %d: want badge %q in %q", c.name, w, c.badge, plain)
			}
		}
	}
}
