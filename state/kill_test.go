package state

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 8, faults: SIGKILL a writer a few hundred times; the state file is
// always one whole version, never torn. The writer is this test binary
// re-executed (TestHelperWriteStateForever), killed at a seeded random
// moment after it has started writing.

const (
	killHelperEnv = "STATE_KILL_HELPER" // dir the helper writes into
	killItersEnv  = "STATE_KILL_ITERATIONS"
	killSeedEnv   = "STATE_KILL_SEED"
	// Kills per run; raise by hand with STATE_KILL_ITERATIONS. A -race
	// binary starts and writes ~6x slower, so it does fewer to stay well
	// under 20 s on 2 cores in CI.
	killIters     = 300
	killItersRace = 80
)

// raceBuild reports whether this test binary was built with -race.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// killVersion is the whole document for counter n. n is written in every
// field and about 30 KB of bodies, so a torn or mixed file cannot match.
func killVersion(n int) Data {
	tag := fmt.Sprintf("n%09d", n)
	d := Data{
		Version: Version,
		Prefs:   Prefs{Theme: "theme-" + tag},
		Last:    Context{Subscription: tag, ResourceGroup: "rg-" + tag, Workspace: "ws-" + tag, Endpoint: "ep-" + tag},
		Bodies:  map[string]string{},
	}
	for i := range MaxRecents {
		d.Recents = append(d.Recents, Recent{Kind: "endpoint", ID: fmt.Sprintf("%s-%02d", tag, i), Label: strings.Repeat(tag, 4), At: time.Unix(int64(n), 0).UTC()})
	}
	for _, k := range []string{"a", "b", "c"} {
		d.Bodies[k] = strings.Repeat(`{"`+k+`":"`+tag+`"}`, 600)
	}
	return d
}

// killCounter reads n back from a field; ok is false if the field is not ours.
func killCounter(s, prefix string) (int, bool) {
	v, ok := strings.CutPrefix(s, prefix+"n")
	if !ok || len(v) != 9 {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

func TestKillDuringStateWriteLeavesOldOrNewVersion(t *testing.T) {
	iters := killIters
	if raceBuild() {
		iters = killItersRace
	}
	if v := os.Getenv(killItersEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", killItersEnv, v)
		}
		iters = n
	}
	seed := uint64(8)
	if v := os.Getenv(killSeedEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a number", killSeedEnv, v)
		}
		seed = n
	}
	rng := rand.New(rand.NewPCG(seed, seed))

	root := t.TempDir()
	s := open(t, root)
	cfgFile, stFile := s.Paths()
	// Version 0 on disk first, so every kill has an old version to fall back to.
	if err := s.Update(func(d *Data) { *d = killVersion(0) }); err != nil {
		t.Fatal(err)
	}

	prev, extra, midWrite := 0, 0, 0
	seenTmp := map[string]bool{}
	start := time.Now()
	for i := range iters {
		// Even kills: at a random moment 0-20 ms into the write loop. Odd
		// kills: aimed at the risky part, 0-0.5 ms after a new state.json
		// temp file appears (write, fsync, rename); under -race most of
		// the loop is JSON work, so random moments rarely land there.
		wait := func() { time.Sleep(time.Duration(rng.IntN(20_001)) * time.Microsecond) }
		if i%2 == 1 {
			wait = func() {
				waitNewTemp(root, seenTmp, 2*time.Second)
				time.Sleep(time.Duration(rng.IntN(501)) * time.Microsecond)
			}
		}
		stderr := killOnce(t, root, wait)

		// Temp files from a write the kill interrupted (counted before
		// Open, in case Open ever learns to clean them up).
		tmps, _ := filepath.Glob(filepath.Join(root, ".*.tmp-*"))
		for _, p := range tmps {
			if !seenTmp[p] {
				seenTmp[p] = true
				midWrite++
			}
		}

		// The normal loading code: no corruption warning...
		s2, warns, err := Open(root)
		if err != nil || len(warns) != 0 {
			t.Fatalf("kill %d: Open: %v %v (helper stderr: %s)", i, err, warns, stderr)
		}
		d, warns := s2.Load()
		if len(warns) != 0 {
			t.Fatalf("kill %d: Load warned: %v", i, warns)
		}
		// ...and exactly one whole version, never older than the last one seen.
		n, ok := killCounter(d.Last.Workspace, "ws-")
		if !ok {
			t.Fatalf("kill %d: state has no version counter: %+v", i, d.Last)
		}
		if got, want := mustJSON(t, d), mustJSON(t, killVersion(n)); !bytes.Equal(got, want) {
			t.Fatalf("kill %d: state is not a whole version %d:\n%.300s", i, n, got)
		}
		// The helper finished a write before the kill: it is never lost.
		if n <= prev {
			t.Fatalf("kill %d: state is version %d, but version %d was written before the kill", i, n, prev+1)
		}
		// config.json is written just before state.json, so it is the
		// same version or the one whose state write was cut short.
		c, ok := killCounter(d.Prefs.Theme, "theme-")
		if !ok || (c != n && c != n+1) {
			t.Fatalf("kill %d: config.json theme %q does not go with state version %d", i, d.Prefs.Theme, n)
		}
		if _, err := os.Stat(stFile); err != nil {
			t.Fatalf("kill %d: state file gone: %v", i, err)
		}
		if _, err := os.Stat(cfgFile); err != nil {
			t.Fatalf("kill %d: config file gone: %v", i, err)
		}
		extra += n - prev - 1 // writes finished after "writing"
		prev = n
	}
	tmps, _ := filepath.Glob(filepath.Join(root, ".*.tmp-*"))
	aside, _ := filepath.Glob(filepath.Join(root, "*.corrupt-*"))
	t.Logf("seed %d: %d kills in %v; last version %d (%d writes finished after the first); %d kills landed mid-write; %d temp files left in the directory",
		seed, iters, time.Since(start).Round(time.Millisecond), prev, extra, midWrite, len(tmps))

	// The test proves nothing unless kills really hit writes in progress.
	if midWrite == 0 {
		t.Fatal("no kill interrupted a write: the test did not exercise anything")
	}
	if len(aside) != 0 {
		t.Fatalf("files were set aside as corrupt: %v", aside)
	}
	// Finished writes remove their temp file: only killed writes leave one.
	if len(tmps) > midWrite {
		t.Fatalf("%d temp files but only %d interrupted writes: a finished write leaked its temp file", len(tmps), midWrite)
	}
	// The next write, under the lock, sweeps up what killed writers left.
	st, _, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(func(*Data) {}); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".*.tmp-*")); len(left) != 0 {
		t.Fatalf("temp files of killed writers survive the next write: %v", left)
	}
}

// waitNewTemp polls until a state.json temp file not in seen exists, or for at most
// limit (then the kill simply lands wherever the helper is).
func waitNewTemp(root string, seen map[string]bool, limit time.Duration) {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(50 * time.Microsecond) {
		tmps, _ := filepath.Glob(filepath.Join(root, ".state.json.tmp-*"))
		for _, p := range tmps {
			if !seen[p] {
				return
			}
		}
	}
}

// killOnce runs the helper until it is writing, calls wait, kills it with
// SIGKILL and reaps it. It returns the helper's stderr for messages.
func killOnce(t *testing.T, root string, wait func()) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriteStateForever$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	// The helper says "writing" after its first whole write: the kill then
	// lands in the warm write loop, not in process start-up.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "writing\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		killed = true
		t.Fatalf("helper did not start writing: %q %v; stderr: %s", line, err, stderr.String())
	}
	wait()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	killed = true
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("helper: %v; stderr: %s", err, stderr.String())
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended by itself (%v), not by the kill; stderr: %s", err, stderr.String())
	}
	return stderr.String()
}

// TestHelperWriteStateForever is the writer process: it does nothing unless
// re-executed by TestKillDuringStateWriteLeavesOldOrNewVersion.
func TestHelperWriteStateForever(t *testing.T) {
	root := os.Getenv(killHelperEnv)
	if root == "" {
		return
	}
	s, warns, err := Open(root)
	if err != nil || len(warns) != 0 {
		fmt.Fprintln(os.Stderr, "helper Open:", err, warns)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		if i == 1 {
			fmt.Println("writing")
		}
		// Each write is the version after the one on disk (read under the
		// lock), so versions only go up across helpers.
		err := s.Update(func(d *Data) {
			n, ok := killCounter(d.Last.Workspace, "ws-")
			if !ok {
				n = -1
			}
			*d = killVersion(n + 1)
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper Update:", err)
			os.Exit(2)
		}
	}
}

func mustJSON(t *testing.T, d Data) []byte {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
