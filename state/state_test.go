package state

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func open(t *testing.T, root string) *Store {
	t.Helper()
	s, warns, err := Open(root)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Open: %v %v", err, warns)
	}
	return s
}

func TestRoundTripAndPermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "st")
	s := open(t, root)
	yes := true
	if err := s.SetPrefs(Prefs{Theme: "light", RevealSeconds: 10, AutoRefreshTokens: &yes, SignInMethod: "device-code"}); err != nil {
		t.Fatal(err)
	}
	ctx := Context{Cloud: "AzureCloud", Tenant: "t", Subscription: "s", ResourceGroup: "rg", Workspace: "ws", Endpoint: "ep"}
	if err := s.SetLast(ctx); err != nil {
		t.Fatal(err)
	}
	d, warns := open(t, root).Load()
	if len(warns) != 0 || d.Last != ctx || d.Prefs.Theme != "light" || d.Prefs.RevealSeconds != 10 || !*d.Prefs.AutoRefreshTokens {
		t.Fatalf("round trip lost data: %+v %v", d, warns)
	}
	for _, p := range []string{s.configFile, s.stateFile} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v %v", p, st.Mode(), err)
		}
	}
	if st, _ := os.Stat(root); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode())
	}
}

func TestRecentsDedupAndBound(t *testing.T) {
	s := open(t, t.TempDir())
	for i := 0; i < MaxRecents+10; i++ {
		if err := s.AddRecent(Recent{Kind: "endpoint", ID: fmt.Sprint("id", i%(MaxRecents+5)), Label: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.AddRecent(Recent{Kind: "endpoint", ID: "ID3"})
	d, _ := s.Load()
	if len(d.Recents) != MaxRecents || d.Recents[0].ID != "ID3" {
		t.Fatalf("recents: %d first %+v", len(d.Recents), d.Recents[0])
	}
	seen := map[string]bool{}
	for _, r := range d.Recents {
		k := strings.ToLower(r.ID)
		if seen[k] {
			t.Fatalf("duplicate recent %s", r.ID)
		}
		seen[k] = true
	}
}

func TestCorruptFileSetAsideWithWarning(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	_ = s.SetLast(Context{Workspace: "ws"})
	if err := os.WriteFile(s.stateFile, []byte(`{"version":1,"last":{"workspace":`), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, warns, err := Open(root)
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0].Message, "moved aside") {
		t.Fatalf("want one corrupt warning, got %v %v", warns, err)
	}
	matches, _ := filepath.Glob(s.stateFile + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt file not kept aside: %v", matches)
	}
	if d, w := s2.Load(); d.Last.Workspace != "" || len(w) != 0 {
		t.Fatalf("after set-aside: %+v %v", d, w)
	}
	if err := s2.SetLast(Context{Workspace: "again"}); err != nil {
		t.Fatal(err)
	}
}

func TestNewerVersionIsNotOverwritten(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	future := `{"version": 99, "last": {"workspace": "from-the-future"}, "somethingNew": true}`
	_ = os.WriteFile(s.stateFile, []byte(future), 0o600)
	_, warns := s.Load()
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "newer") {
		t.Fatalf("warns: %v", warns)
	}
	if err := s.SetLast(Context{Workspace: "x"}); err == nil {
		t.Fatal("overwrote a newer file")
	}
	if b, _ := os.ReadFile(s.stateFile); string(b) != future {
		t.Fatalf("newer file changed: %s", b)
	}
}

func TestSecretsNeverWritten(t *testing.T) {
	s := open(t, t.TempDir())
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJtbCJ9.c2lnbmF0dXJlc2ln"
	_ = s.SaveBody("/subs/ep", `{"data": [[1,2]], "note": "`+jwt+`"}`)
	_ = s.AppendHistory("/subs/ep", HistoryEntry{Status: 200, RequestBody: "Authorization: Bearer abc.def.ghi", ResponseBody: `{"primaryKey":"K1K1K1"}`})
	b, _ := os.ReadFile(s.stateFile)
	for _, secret := range []string{jwt, "abc.def.ghi", "K1K1K1"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("state file contains %q", secret)
		}
	}
	if !strings.Contains(string(b), `[[1,2]]`) {
		t.Errorf("non-secret body lost")
	}
}

func TestHistoryBoundedAndTruncated(t *testing.T) {
	s := open(t, t.TempDir())
	big := strings.Repeat("x", MaxHistoryBody+10)
	// Only the newest entry is big: the bound and the truncation are both
	// checked without rewriting megabytes a hundred times under -race.
	for i := 0; i < MaxHistory+3; i++ {
		body := "{}"
		if i == MaxHistory+2 {
			body = big
		}
		if err := s.AppendHistory("EP", HistoryEntry{Status: 200 + i, ResponseBody: body}); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := s.Load()
	h := d.History["ep"]
	if len(h) != MaxHistory || h[0].Status != 200+MaxHistory+2 || !h[0].ResponseTruncated || len(h[0].ResponseBody) != MaxHistoryBody ||
		h[1].ResponseTruncated || h[MaxHistory-1].Status != 203 {
		t.Fatalf("history: len %d first %+v", len(h), h[0].Status)
	}
}

// Two processes and many goroutines add recents at once: nothing is lost.
func TestConcurrentInstancesLoseNothing(t *testing.T) {
	root := t.TempDir()
	const perWorker = MaxBodies / 4 // all of them fit in the bounds
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, _ := Open(root)
			for i := 0; i < perWorker; i++ {
				if err := s.SaveBody(fmt.Sprintf("g%d-%d", g, i), "{}"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	cmd := exec.Command(os.Args[0], "-test.run=TestHelperProcess")
	cmd.Env = append(os.Environ(), "STATE_HELPER=append", "STATE_ROOT="+root, "STATE_N="+strconv.Itoa(perWorker))
	out, err := cmd.CombinedOutput()
	wg.Wait()
	if err != nil {
		t.Fatalf("helper process: %v %s", err, out)
	}
	d, _ := open(t, root).Load()
	if n := len(d.Bodies); n != 4*perWorker {
		t.Fatalf("lost writes: %d of %d", n, 4*perWorker)
	}
}

func TestHelperProcess(t *testing.T) {
	root := os.Getenv("STATE_ROOT")
	switch os.Getenv("STATE_HELPER") {
	case "append":
		s, _, _ := Open(root)
		n, _ := strconv.Atoi(os.Getenv("STATE_N"))
		for i := 0; i < n; i++ {
			if err := s.SaveBody(fmt.Sprintf("p-%d", i), "{}"); err != nil {
				fmt.Println(err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"version":1,"last":{"workspace":"w"}}`))
	f.Add([]byte(`{"version":"one"}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(`{"version":1,"history":{"ep":[{"status":"x"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		root := t.TempDir()
		s, _, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(s.stateFile, b, 0o600)
		d, _ := s.Load()
		if d.Version == 0 {
			t.Fatalf("Load returned no version for %q", b)
		}
	})
}

// After Close (quit), background writes are refused and nothing more
// lands on disk: a history write that races the quit must not recreate the
// files after the app (or a test's temp dir) is gone.
func TestCloseRefusesLaterWrites(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLast(Context{Workspace: "before"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.AppendHistory("/x", HistoryEntry{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("a write after Close: %v, want ErrClosed", err)
	}
	d, _ := s.Load()
	if d.Last.Workspace != "before" || len(d.HistoryOf("/x")) != 0 {
		t.Fatalf("the store changed after Close: %+v", d.Last)
	}
	var nilStore *Store
	nilStore.Close() // the app runs without a store when the state dir is refused
}

// A sent request is one write: its history entry and its body land
// together; a body too large to remember still leaves the entry.
func TestRecordSendWritesEntryAndBodyTogether(t *testing.T) {
	s, _, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if berr, err := s.RecordSend("/EP", HistoryEntry{Status: 200, RequestBody: `{"a":1}`}, `{"a":1}`); berr != nil || err != nil {
		t.Fatal(berr, err)
	}
	d, _ := s.Load()
	if b, _ := d.Body("/ep"); b != `{"a":1}` || len(d.HistoryOf("/ep")) != 1 {
		t.Fatalf("body %q, history %d", b, len(d.HistoryOf("/ep")))
	}
	big := strings.Repeat("x", MaxSavedBody+1)
	if berr, err := s.RecordSend("/ep", HistoryEntry{Status: 200}, big); !errors.Is(berr, ErrBodyTooLarge) || err != nil {
		t.Fatalf("too large: %v %v", berr, err)
	}
	d, _ = s.Load()
	if _, ok := d.Body("/ep"); ok || len(d.HistoryOf("/ep")) != 2 {
		t.Fatalf("a body too large is not kept (nor the older one); the entry is: %d", len(d.HistoryOf("/ep")))
	}
}
