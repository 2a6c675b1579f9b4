package state

// Fuzz target for loading the state files from arbitrary bytes: they are
// edited by people, truncated by crashes of other tools and written by
// other versions. Seeds run as plain tests; the long run is
//
//	TMPDIR=/dev/shm go test -run XXX -fuzz '^FuzzStateFiles$' -fuzztime 60s -fuzzminimizetime 5s -parallel 2 ./state/
//
// Every exec writes and fsyncs real files: on a disk that makes each one a
// few milliseconds, and the fuzzer then spends its whole budget minimizing
// new inputs (0 execs/sec); tmpfs and a bounded minimize time avoid that.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fzSnapshot is what a load means, for comparing two loads: the stored
// shape (Data's JSON plus the preferences) with the schema version left out.
func fzSnapshot(t *testing.T, d Data) string {
	t.Helper()
	d.Version = 0
	b, err := json.Marshal(struct {
		D Data
		P Prefs
	}{d, d.Prefs})
	if err != nil {
		t.Fatalf("loaded data cannot be encoded: %v", err)
	}
	return string(b)
}

// FuzzStateFiles writes arbitrary bytes as state.json (or config.json) and
// loads them. Load never panics, and exactly one of these holds:
//   - the file is refused with a warning naming it and nothing of it is
//     loaded; a corrupt file is moved aside byte for byte, a file from a
//     newer version is left untouched and never overwritten;
//   - there is no warning, the bytes are a complete, well-typed document,
//     and what loaded is all of it (never a part); it saves and re-loads
//     equal, without a warning.
func FuzzStateFiles(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"last":{"cloud":"AzureCloud","tenant":"72f988bf-86f1-41af-91ab-2d7cd011db47","subscription":"11111111-1111-1111-1111-111111111111","resourceGroup":"rg-ml-prod","workspace":"mlw-churn","endpoint":"churn-key"},"recents":[{"kind":"endpoint","id":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints/e","label":"e","at":"2026-01-01T10:00:00+02:00"}],"bodies":{"e":"{\"data\":[[1,2]]}"},"history":{"e":[{"at":"2026-01-01T10:00:00Z","status":200,"durationMs":12,"responseBody":"[1]"}]}}`,
		`{"version":1,"prefs":{"theme":"light","revealSeconds":10,"autoRefreshTokens":true,"signInMethod":"device-code"}}`,
		`{"version":1,"last":{"workspace":"w"}`, // truncated by a crash
		`{"version":1,"last":{"workspace":5}}`, `{"version":"one"}`, `{"version":2,"last":{"workspace":"w"}}`,
		`{"version":1}garbage`, `{"version":1,"recents":[{"at":"yesterday"}]}`, `{"version":1,"recents":[{"at":"0000-01-01T00:00:00+23:59"}]}`,
		`{"version":1,"history":{"ep":[{"status":"x"}]}}`, `{"version":1e400}`, `{"version":-1,"last":{"workspace":"w"}}`,
		`{"VERSION":1,"Last":{"Workspace":"w"}}`, `{"version":1,"version":3}`, `{"version":1,"bodies":{}}`,
		`{}`, `null`, `[]`, `""`, "", "\xef\xbb\xbf{\"version\":1}", "\x00\xff", `{"version":1,"last":{"endpoint":"\u001b]52;c;ZXZpbA==\u0007"}}`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, config bool) {
		root := t.TempDir()
		s, warns, err := Open(root)
		if err != nil || len(warns) != 0 {
			t.Fatalf("Open(empty dir): %v %v", err, warns)
		}
		s.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
		path := s.stateFile
		if config {
			path = s.configFile
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, warns := s.Load()
		fresh := fzSnapshot(t, Data{})

		if len(warns) > 0 {
			if len(warns) != 1 || warns[0].File != path || !strings.Contains(warns[0].Message, filepath.Base(path)) {
				t.Fatalf("%q: warnings %+v do not name %s", b, warns, filepath.Base(path))
			}
			if got := fzSnapshot(t, d); got != fresh || d.Version != Version {
				t.Fatalf("%q was refused (%s) but loaded %s", b, warns[0].Message, got)
			}
			if strings.Contains(warns[0].Message, "newer") {
				if err := s.Update(func(d *Data) { d.Last.Workspace = "x" }); err == nil {
					t.Fatalf("%q: a newer file was overwritten", b)
				}
				if now, _ := os.ReadFile(path); !bytes.Equal(now, b) {
					t.Fatalf("%q: a newer file was changed to %q", b, now)
				}
				return
			}
			aside, _ := os.ReadFile(path + ".corrupt-20260102T030405")
			if _, err := os.Stat(path); err == nil || !bytes.Equal(aside, b) {
				t.Fatalf("%q: corrupt file not moved aside intact (aside %q)", b, aside)
			}
			if _, warns := s.Load(); len(warns) != 0 {
				t.Fatalf("%q: still warned after setting the file aside: %v", b, warns)
			}
			return
		}

		// No warning: the file must be a complete document of the right
		// shape, left where it was, and loaded whole.
		if now, _ := os.ReadFile(path); !bytes.Equal(now, b) {
			t.Fatalf("%q: loading changed the file to %q", b, now)
		}
		var whole Data
		var pf prefsFile
		if config {
			err = json.Unmarshal(b, &pf)
			whole.Prefs = pf.Prefs
		} else {
			err = json.Unmarshal(b, &whole)
		}
		if err != nil {
			t.Fatalf("%q loaded without a warning but is not a valid document: %v", b, err)
		}
		if !config && whole.Version == 0 {
			whole = Data{} // no schema version: not ours, ignored (and replaced on the next save)
		}
		want := fzSnapshot(t, whole)
		if got := fzSnapshot(t, d); got != want {
			t.Fatalf("%q loaded as %s, want all of it: %s", b, got, want)
		}

		// Round trip: whatever loads saves and loads back the same.
		if err := s.Update(func(*Data) {}); err != nil {
			t.Fatalf("%q loaded but cannot be saved: %v", b, err)
		}
		again, warns := s.Load()
		if len(warns) != 0 || fzSnapshot(t, again) != want || again.Version != Version {
			t.Fatalf("%q: after a save it loads as %s (version %d), %v; want %s", b, fzSnapshot(t, again), again.Version, warns, want)
		}
	})
}
