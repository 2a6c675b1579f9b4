package state

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBodiesAndHistoryAreReadBackPerEndpoint(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.SaveBody("/Subs/EP-A", `{"a": 1}`); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendHistory("/subs/ep-a", HistoryEntry{Status: 200, Target: "green", Deployment: "green", CredentialKind: "key", ResponseSize: 14}); err != nil {
		t.Fatal(err)
	}
	d, _ := open(t, dir).Load() // another instance, as after a restart
	if b, ok := d.Body("/subs/ep-a"); !ok || b != `{"a": 1}` {
		t.Fatalf("body %q %v", b, ok)
	}
	if _, ok := d.Body("/subs/ep-b"); ok {
		t.Fatal("a body for an endpoint that has none")
	}
	h := d.HistoryOf("/SUBS/EP-A")
	if len(h) != 1 || h[0].Target != "green" || h[0].CredentialKind != "key" || h[0].ResponseSize != 14 {
		t.Fatalf("history %+v", h)
	}
}

// A body too large to remember replaces nothing: the older one is
// forgotten (it is no longer the last) and the caller is told.
func TestTooLargeBodyIsNotRemembered(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	_ = s.SaveBody("ep", `{"old": true}`)
	err := s.SaveBody("ep", `"`+strings.Repeat("x", MaxSavedBody)+`"`)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err %v", err)
	}
	d, _ := s.Load()
	if _, ok := d.Body("ep"); ok {
		t.Fatal("the older body is still offered as the last one")
	}
	if fi, _ := os.Stat(s.stateFile); fi.Size() > MaxSavedBody {
		t.Fatalf("state file grew to %d bytes", fi.Size())
	}
}

// A request cut to MaxHistoryBody is marked (it cannot be re-sent as it
// was), and the cut never splits a character.
func TestHistoryCutsAtRuneBoundaryAndMarksTheRequest(t *testing.T) {
	s := open(t, t.TempDir())
	body := strings.Repeat("é", MaxHistoryBody) // 2 bytes each
	if err := s.AppendHistory("ep", HistoryEntry{Status: 200, RequestBody: "x" + body, ResponseBody: body}); err != nil {
		t.Fatal(err)
	}
	d, _ := s.Load()
	e := d.HistoryOf("ep")[0]
	if !e.RequestTruncated || !e.ResponseTruncated {
		t.Fatalf("truncation not marked: %+v", e.RequestTruncated)
	}
	for _, b := range []string{e.RequestBody, e.ResponseBody} {
		if !utf8.ValidString(b) || strings.ContainsRune(b, utf8.RuneError) || len(b) > MaxHistoryBody || len(b) < MaxHistoryBody-1 {
			t.Fatalf("cut body: %d bytes, valid %v", len(b), utf8.ValidString(b))
		}
	}
	if err := s.AppendHistory("ep", HistoryEntry{Status: 200, RequestBody: "{}"}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.Load()
	if d.HistoryOf("ep")[0].RequestTruncated {
		t.Fatal("a small request marked truncated")
	}
}
