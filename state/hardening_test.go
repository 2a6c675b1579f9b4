//go:build unix

package state

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An existing directory is never chmod-ed: a shared one (sticky, world
// writable) is refused with a message naming it and the fix, and keeps its mode.
func TestUnsafeStateDirIsRefusedAndNotChanged(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(shared)
	if err == nil || !strings.Contains(err.Error(), shared) || !strings.Contains(err.Error(), "writable by other users") ||
		!strings.Contains(err.Error(), "--state-dir") {
		t.Fatalf("Open(world-writable dir): %v", err)
	}
	if st, _ := os.Stat(shared); st.Mode().Perm() != 0o777 || st.Mode()&os.ModeSticky == 0 {
		t.Fatalf("the shared directory's mode changed to %v", st.Mode())
	}
	if m, _ := filepath.Glob(filepath.Join(shared, "*")); len(m) != 0 {
		t.Fatalf("files written into a refused directory: %v", m)
	}

	real := filepath.Join(t.TempDir(), "real")
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(link); err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), link) {
		t.Fatalf("Open(symlink): %v", err)
	}

	// A private directory of ours that exists keeps its mode (0750 is not
	// unsafe: the files in it are 0600).
	mine := filepath.Join(t.TempDir(), "mine")
	if err := os.Mkdir(mine, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(mine, 0o750); err != nil {
		t.Fatal(err)
	}
	open(t, mine)
	if st, _ := os.Stat(mine); st.Mode().Perm() != 0o750 {
		t.Fatalf("an existing directory was chmod-ed to %v", st.Mode())
	}
}

// fakeInfo is a directory owned by someone else (without needing root).
type fakeInfo struct {
	os.FileInfo
	uid uint32
}

func (f fakeInfo) Sys() any { return &syscall.Stat_t{Uid: f.uid} }

func TestDirOfAnotherUserIsUnsafe(t *testing.T) {
	dir := t.TempDir()
	st, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if why := unsafeDir(dir, st); why != "" {
		t.Fatalf("own temp dir refused: %s", why)
	}
	if why := unsafeDir(dir, fakeInfo{st, uint32(os.Geteuid() + 1)}); !strings.Contains(why, "another user") {
		t.Fatalf("another user's dir: %q", why)
	}
}

// A state.json linked to another file is not followed: the other file
// keeps its mode and content, the link is set aside with a warning, and
// the next save writes a real file.
func TestSymlinkedStateFileIsNotFollowed(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	victim := filepath.Join(t.TempDir(), "victim.json")
	content := `{"version":1,"last":{"workspace":"not-yours"}}`
	if err := os.WriteFile(victim, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(victim, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, s.stateFile); err != nil {
		t.Fatal(err)
	}
	d, warns := s.Load()
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "symbolic link") || !strings.Contains(warns[0].Message, "moved aside") ||
		d.Last.Workspace != "" {
		t.Fatalf("load through a link: %+v %v", d.Last, warns)
	}
	if err := s.SetLast(Context{Workspace: "mine"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(s.stateFile); !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
		t.Fatalf("state.json after save: %v", st.Mode())
	}
	if st, _ := os.Stat(victim); st.Mode().Perm() != 0o644 {
		t.Fatalf("the linked file's mode changed to %v", st.Mode())
	}
	if b, _ := os.ReadFile(victim); string(b) != content {
		t.Fatalf("the linked file changed: %s", b)
	}
}

// A lock file linked elsewhere creates nothing there; the save fails with a message.
func TestSymlinkedLockCreatesNothing(t *testing.T) {
	s := open(t, t.TempDir())
	target := filepath.Join(t.TempDir(), "planted")
	if err := os.Symlink(target, s.stateFile+".lock"); err != nil {
		t.Fatal(err)
	}
	err := s.SetLast(Context{Workspace: "w"})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("save with a planted lock link: %v", err)
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("a file was created where the lock link points: %v", err)
	}
}

// A state file over the limit is not read: it is set aside whole, with a
// warning, and the preferences in config.json are kept.
func TestOversizedStateFileIsSetAside(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	s.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	if err := s.SetPrefs(Prefs{Theme: "light"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.stateFile, MaxStateFile+1); err != nil { // sparse: nothing to write
		t.Fatal(err)
	}
	d, warns := s.Load()
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "limit") || !strings.Contains(warns[0].Message, "state.json.toolarge-20260102T030405") {
		t.Fatalf("warnings: %v", warns)
	}
	if d.Prefs.Theme != "light" {
		t.Fatalf("preferences lost with the oversized state: %+v", d.Prefs)
	}
	if st, err := os.Stat(s.stateFile + ".toolarge-20260102T030405"); err != nil || st.Size() != MaxStateFile+1 {
		t.Fatalf("the oversized file was not kept aside whole: %v", err)
	}
}

// The bounds: bodies and history of all endpoints together, oldest first.
func TestBodiesAndHistoryAreBoundedOverAllEndpoints(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := Data{Bodies: map[string]string{}, BodyAt: map[string]time.Time{}, History: map[string][]HistoryEntry{}}
	big := strings.Repeat("b", MaxSavedBody)
	for i := range MaxBodies + 20 {
		k := fmt.Sprint("ep", i)
		d.Bodies[k], d.BodyAt[k] = "{}", t0.Add(time.Duration(i)*time.Minute)
	}
	d.Bodies["legacy"] = "{}" // from a version-1 file: no time, the oldest
	for i := range 3 {
		k := fmt.Sprint("big", i)
		d.Bodies[k], d.BodyAt[k] = big, t0.Add(time.Hour+time.Duration(i)*time.Minute)
	}
	entry := strings.Repeat("h", MaxHistoryBody)
	for i := range 40 {
		k := fmt.Sprint("ep", i%4)
		// newest first per endpoint: prepend
		d.History[k] = append([]HistoryEntry{{At: t0.Add(time.Duration(i) * time.Minute), ResponseBody: entry, RequestBody: "{}"}}, d.History[k]...)
	}
	d.bound(t0)

	if len(d.Bodies) > MaxBodies || len(d.BodyAt) != len(d.Bodies) {
		t.Fatalf("%d bodies (%d times)", len(d.Bodies), len(d.BodyAt))
	}
	total := 0
	for _, b := range d.Bodies {
		total += len(b)
	}
	if total > MaxBodiesBytes {
		t.Fatalf("bodies total %d bytes", total)
	}
	for _, k := range []string{"big2", "big1", "big0", fmt.Sprint("ep", MaxBodies+19)} {
		if _, ok := d.Bodies[k]; !ok {
			t.Errorf("a recent body %s was dropped", k)
		}
	}
	for _, k := range []string{"legacy", "ep0"} {
		if _, ok := d.Bodies[k]; ok {
			t.Errorf("the oldest body %s was kept", k)
		}
	}

	total, n := 0, 0
	oldestKept := t0.Add(time.Hour)
	for _, h := range d.History {
		for _, e := range h {
			total += len(e.RequestBody) + len(e.ResponseBody)
			n++
			if e.At.Before(oldestKept) {
				oldestKept = e.At
			}
		}
	}
	if total > MaxHistoryBytes || n == 0 {
		t.Fatalf("history total %d bytes in %d entries", total, n)
	}
	// Every dropped entry is older than every kept one.
	wantKept := MaxHistoryBytes / (MaxHistoryBody + 2)
	if n != wantKept || !oldestKept.Equal(t0.Add(time.Duration(40-wantKept)*time.Minute)) {
		t.Fatalf("kept %d entries from %s; want the newest %d", n, oldestKept, wantKept)
	}
}

// The last place is per identity: bob does not continue at olivia's
// endpoint. A version-1 file's single last place goes to the first
// identity of its tenant that signs in.
func TestLastPlaceIsPerIdentity(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	legacy := `{"version":1,"last":{"tenant":"T1","subscription":"s","workspace":"w","endpoint":"olivias"}}`
	if err := os.WriteFile(s.stateFile, []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Load()
	if c, ok := d.LastFor("t1", "olivia-oid"); !ok || c.Endpoint != "olivias" {
		t.Fatalf("migration: the legacy place was not offered: %+v %v", c, ok)
	}
	if _, ok := d.LastFor("other-tenant", "olivia-oid"); ok {
		t.Fatal("a legacy place offered in another tenant")
	}
	// Olivia continues there; it becomes hers.
	if err := s.SetLast(Context{Tenant: "T1", Identity: "olivia-oid", Subscription: "s", Workspace: "w", Endpoint: "olivias"}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.Load()
	if _, ok := d.LastFor("T1", "bob-oid"); ok {
		t.Fatal("bob is offered olivia's place")
	}
	if err := s.SetLast(Context{Tenant: "T1", Identity: "bob-oid", Subscription: "s", Workspace: "w2"}); err != nil {
		t.Fatal(err)
	}
	d, _ = open(t, root).Load()
	if c, ok := d.LastFor("T1", "OLIVIA-OID"); !ok || c.Endpoint != "olivias" {
		t.Fatalf("olivia's place after bob's: %+v %v", c, ok)
	}
	if c, ok := d.LastFor("T1", "bob-oid"); !ok || c.Workspace != "w2" || c.Endpoint != "" {
		t.Fatalf("bob's place: %+v %v", c, ok)
	}
	if d.Version != Version || len(d.Lasts) != 2 {
		t.Fatalf("saved as version %d with %d places", d.Version, len(d.Lasts))
	}
	// Bounded: the least recently used identity goes first.
	for i := range MaxLasts {
		_ = s.SetLast(Context{Tenant: "T1", Identity: fmt.Sprint("user", i)})
	}
	d, _ = s.Load()
	if _, ok := d.LastFor("T1", "olivia-oid"); ok || len(d.Lasts) != MaxLasts {
		t.Fatalf("%d places kept; olivia's (the oldest) still there: %v", len(d.Lasts), ok)
	}
}
