// Package state keeps what a user expects to survive a restart: preferences,
// the last context, recents, request bodies and history. Never a secret.
// Writes are atomic (temp file + fsync + rename) and every change is a
// read-modify-write under an advisory lock, so two running instances do not
// lose each other's writes.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Version is the current schema version. 2 added the last place per
// identity (Lasts) and when each body was saved (BodyAt); a version-1 file
// loads as it is (see LastFor for its last context).
const Version = 2

// Bounds keep the state file small: it is rewritten whole on every change,
// under a lock, so its size is what every click costs. With these bounds a
// state.json stays under about 4 MB (typically a few KB).
const (
	MaxRecents     = 50
	MaxHistory     = 100      // entries per endpoint
	MaxHistoryBody = 64 << 10 // request or response body per entry (cut, and marked)
	// MaxHistoryBytes bounds the bodies and errors of all endpoints'
	// history together; the oldest entries go first.
	MaxHistoryBytes = 2 << 20
	// MaxSavedBody bounds the remembered request body per endpoint: the
	// state file is rewritten on every change, so megabytes do not belong in it.
	MaxSavedBody = 256 << 10
	// MaxBodies and MaxBodiesBytes bound the remembered bodies of all
	// endpoints together; the least recently saved go first.
	MaxBodies      = 100
	MaxBodiesBytes = 1 << 20
	// MaxLasts is how many identities' last places are kept (the least
	// recently used goes first).
	MaxLasts = 20
	// MaxStateFile and MaxConfigFile are the largest files Load reads: a
	// bigger one was not written by these bounds; it is set aside (not
	// deleted) with a warning instead of being read into memory whole.
	MaxStateFile  = 16 << 20
	MaxConfigFile = 64 << 10
)

// ErrBodyTooLarge means a body was not remembered (over MaxSavedBody).
var ErrBodyTooLarge = fmt.Errorf("bodies over %d KB are not remembered", MaxSavedBody>>10)

// Prefs are the user's preferences (config.json).
type Prefs struct {
	Theme             string `json:"theme,omitempty"`
	RevealSeconds     int    `json:"revealSeconds,omitempty"`
	AutoRefreshTokens *bool  `json:"autoRefreshTokens,omitempty"`
	SignInMethod      string `json:"signInMethod,omitempty"`
}

// Context is where the user was. Identity (the object id) and Tenant say
// whose place it is: the next sign-in of that identity continues there
// (LastFor), another identity does not.
type Context struct {
	Cloud         string    `json:"cloud,omitempty"`
	Tenant        string    `json:"tenant,omitempty"`
	Subscription  string    `json:"subscription,omitempty"`
	SubName       string    `json:"subscriptionName,omitempty"`
	ResourceGroup string    `json:"resourceGroup,omitempty"`
	Workspace     string    `json:"workspace,omitempty"`
	Endpoint      string    `json:"endpoint,omitempty"`
	Identity      string    `json:"identity,omitempty"`
	At            time.Time `json:"at,omitzero"` // when it was last recorded (bounds Lasts)
}

// Recent is a recently opened resource or screen.
type Recent struct {
	Kind  string    `json:"kind"`
	ID    string    `json:"id"`
	Label string    `json:"label"`
	At    time.Time `json:"at"`
}

// HistoryEntry is one scoring request and its result (no credentials:
// CredentialKind says which kind was sent, never its value).
type HistoryEntry struct {
	At                time.Time `json:"at"`
	Target            string    `json:"target,omitempty"`     // deployment asked for; "" = traffic decided
	Deployment        string    `json:"deployment,omitempty"` // deployment that answered
	CredentialKind    string    `json:"credentialKind,omitempty"`
	Status            int       `json:"status"`
	DurationMS        int64     `json:"durationMs"`
	RequestBody       string    `json:"requestBody,omitempty"`
	RequestTruncated  bool      `json:"requestTruncated,omitempty"` // cut at MaxHistoryBody: not re-sendable
	ResponseBody      string    `json:"responseBody,omitempty"`
	ResponseTruncated bool      `json:"responseTruncated,omitempty"`
	ResponseSize      int64     `json:"responseSize,omitempty"`
	RequestID         string    `json:"requestId,omitempty"`
	Error             string    `json:"error,omitempty"`
}

// Data is everything the store keeps.
type Data struct {
	Version int   `json:"version"`
	Prefs   Prefs `json:"-"`
	// Last is the most recent place of whoever signed in last (the hint
	// before sign-in); Lasts has one per tenant and identity, newest first.
	Last    Context                   `json:"last"`
	Lasts   []Context                 `json:"lasts,omitempty"`
	Recents []Recent                  `json:"recents,omitempty"`
	Bodies  map[string]string         `json:"bodies,omitempty"`
	BodyAt  map[string]time.Time      `json:"bodyAt,omitempty"` // when each body was saved (bounds Bodies)
	History map[string][]HistoryEntry `json:"history,omitempty"`
}

type prefsFile struct {
	Version int   `json:"version"`
	Prefs   Prefs `json:"prefs"`
}

// Warning is a problem the UI shows as a toast (nothing is lost silently).
type Warning struct {
	File    string
	Message string
}

// Store is the state on disk.
type Store struct {
	configFile, stateFile string
	now                   func() time.Time

	// Close stops later writes and waits for the ones under way: the app
	// saves from background commands (history, saved bodies, preferences),
	// and none of them may write after quit has saved the last place.
	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

// ErrClosed is what a write after Close gets.
var ErrClosed = errors.New("state: the store is closed (the app is quitting)")

// Close refuses later writes and returns once every write under way has finished.
func (s *Store) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
}

// begin registers a write, unless the store is closed.
func (s *Store) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Open creates the directories (0700). root "" means the XDG locations;
// otherwise both files live under root. A directory that already exists is
// used only if it is safe (see privateDir) and never has its mode changed:
// it may be shared (--state-dir /tmp would otherwise lose its sticky bit).
func Open(root string) (*Store, []Warning, error) {
	cfgDir, stDir := root, root
	if root == "" {
		c, err := xdg("XDG_CONFIG_HOME", ".config")
		if err != nil {
			return nil, nil, err
		}
		s, err := xdg("XDG_STATE_HOME", filepath.Join(".local", "state"))
		if err != nil {
			return nil, nil, err
		}
		cfgDir, stDir = c, s
	}
	for _, d := range []string{cfgDir, stDir} {
		if err := privateDir(d); err != nil {
			return nil, nil, err
		}
	}
	s := &Store{configFile: filepath.Join(cfgDir, "config.json"), stateFile: filepath.Join(stDir, "state.json"), now: time.Now}
	_, warns := s.Load()
	return s, warns, nil
}

func xdg(env, fallback string) (string, error) {
	if v := os.Getenv(env); v != "" && filepath.IsAbs(v) {
		return filepath.Join(v, "amlauth-tui"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the state files: %w (use --state-dir)", err)
	}
	return filepath.Join(home, fallback, "amlauth-tui"), nil
}

// Paths are the two files.
func (s *Store) Paths() (configFile, stateFile string) { return s.configFile, s.stateFile }

// Load reads both files. A corrupt, oversized or symlinked file is set
// aside and reported.
func (s *Store) Load() (Data, []Warning) {
	d, warns, _ := s.load()
	return d, warns
}

// load is Load, and whether a file was written by a newer version.
func (s *Store) load() (Data, []Warning, bool) {
	var warns []Warning
	d := Data{Version: Version}
	var pf prefsFile
	w, newerCfg := s.read(s.configFile, MaxConfigFile, &pf)
	if w != nil {
		warns = append(warns, *w)
	} else {
		d.Prefs = pf.Prefs
	}
	var sd Data
	w, newerState := s.read(s.stateFile, MaxStateFile, &sd)
	if w != nil {
		warns = append(warns, *w)
	} else if sd.Version != 0 {
		sd.Prefs = d.Prefs
		d = sd
	}
	return d, warns, newerCfg || newerState
}

// read decodes path into v. Missing is fine; corrupt is moved aside; newer
// (written by a newer version) is reported and left alone.
func (s *Store) read(path string, limit int64, v any) (w *Warning, newer bool) {
	b, w := s.readFile(path, limit)
	if w != nil || b == nil {
		return w, false
	}
	var probe struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err == nil && probe.Version > Version {
		return &Warning{File: path, Message: fmt.Sprintf("%s was written by a newer amlauth-tui (schema %d); it is left untouched and not updated", filepath.Base(path), probe.Version)}, true
	}
	if err := json.Unmarshal(b, v); err != nil {
		return s.setAside(path, "corrupt", fmt.Sprintf("was corrupt (%v)", err)), false
	}
	return nil, false
}

// readFile reads path without following a symbolic link (one planted there
// would make the app read, chmod or later replace another file) and
// without reading more than limit bytes. nil, nil: there is no file.
func (s *Store) readFile(path string, limit int64) ([]byte, *Warning) {
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			return nil, s.setAside(path, "symlink", "is a symbolic link, which amlauth-tui never follows")
		}
		return nil, &Warning{File: path, Message: fmt.Sprintf("cannot read %s: %v", filepath.Base(path), err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Warning{File: path, Message: fmt.Sprintf("cannot read %s: %v", filepath.Base(path), err)}
	}
	if !st.Mode().IsRegular() {
		return nil, s.setAside(path, "notfile", "is not a regular file")
	}
	if st.Size() > limit {
		return nil, s.setAside(path, "toolarge", fmt.Sprintf("is %s, over the %s limit", mb(st.Size()), mb(limit)))
	}
	if st.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600) // the open file itself: never a link's target
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &Warning{File: path, Message: fmt.Sprintf("cannot read %s: %v", filepath.Base(path), err)}
	}
	if int64(len(b)) > limit { // it grew while we read
		return nil, s.setAside(path, "toolarge", fmt.Sprintf("is over the %s limit", mb(limit)))
	}
	return b, nil
}

// setAside renames path (the link itself, if it is one) out of the way and
// says so: the user's file is kept, the app starts fresh.
func (s *Store) setAside(path, tag, why string) *Warning {
	aside := fmt.Sprintf("%s.%s-%s", path, tag, s.now().UTC().Format("20060102T150405"))
	if err := os.Rename(path, aside); err != nil {
		return &Warning{File: path, Message: fmt.Sprintf("%s %s and could not be moved aside: %v", filepath.Base(path), why, err)}
	}
	return &Warning{File: path, Message: fmt.Sprintf("%s %s; moved aside to %s; starting fresh", filepath.Base(path), why, filepath.Base(aside))}
}

func mb(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d MB", n>>20)
}

// Update applies fn to a fresh copy read under the lock, then writes both
// files atomically. Concurrent instances serialize here.
func (s *Store) Update(fn func(*Data)) error {
	if !s.begin() {
		return ErrClosed
	}
	defer s.inflight.Done()
	unlock, err := lock(s.stateFile + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	// Temp files left by a writer that was killed mid-write: every write
	// happens under this lock, so any present now belong to a dead one.
	for _, f := range []string{s.stateFile, s.configFile} {
		left, _ := filepath.Glob(filepath.Join(filepath.Dir(f), "."+filepath.Base(f)+".tmp-*"))
		for _, p := range left {
			_ = os.Remove(p)
		}
	}
	d, _, newer := s.load()
	if newer {
		return fmt.Errorf("state files were written by a newer amlauth-tui; not overwriting them")
	}
	before := d.Prefs
	fn(&d)
	d.Version = Version
	d.bound(s.now())
	if d.Prefs != before || !exists(s.configFile) {
		if err := writeAtomic(s.configFile, prefsFile{Version: Version, Prefs: d.Prefs}); err != nil {
			return err
		}
	}
	return writeAtomic(s.stateFile, d)
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// writeAtomic writes v as JSON to a temp file in the same directory, syncs
// it, renames it over path and syncs the directory: a crash leaves the old
// file or the new one, never a torn one. Neither step follows a symbolic
// link: CreateTemp creates with O_EXCL (a planted link is "exists", and it
// tries another name) and rename replaces a link at path, not its target.
func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(path), err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("save %s: %w", filepath.Base(path), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save %s: %w", filepath.Base(path), err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// SetPrefs replaces the preferences.
func (s *Store) SetPrefs(p Prefs) error { return s.Update(func(d *Data) { d.Prefs = p }) }

// SetLast records where the user is.
func (s *Store) SetLast(c Context) error { return s.Update(func(d *Data) { d.Last = c }) }

// LastFor is where this identity (object id) of this tenant left off.
// A version-1 file has one last place and no owner: the first identity of
// its tenant to ask gets it (it becomes that identity's on the next save);
// every other identity starts fresh.
func (d *Data) LastFor(tenant, identity string) (Context, bool) {
	if tenant == "" || identity == "" {
		return Context{}, false
	}
	for _, c := range d.Lasts {
		if strings.EqualFold(c.Tenant, tenant) && strings.EqualFold(c.Identity, identity) {
			return c, true
		}
	}
	if l := d.Last; l.Identity == "" && (l.Tenant == "" || strings.EqualFold(l.Tenant, tenant)) && l != (Context{}) {
		return l, true
	}
	return Context{}, false
}

// AddRecent puts r first, dropping an older entry of the same kind and id.
func (s *Store) AddRecent(r Recent) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	return s.Update(func(d *Data) { d.AddRecent(r) })
}

// AddRecent puts r first, dropping an older entry for the same resource, bounded.
func (d *Data) AddRecent(r Recent) {
	out := []Recent{r}
	for _, x := range d.Recents {
		if !(x.Kind == r.Kind && strings.EqualFold(x.ID, r.ID)) {
			out = append(out, x)
		}
	}
	d.Recents = out[:min(len(out), MaxRecents)]
}

// SaveBody remembers the last request body for an endpoint. A body over
// MaxSavedBody replaces nothing: the previous one is forgotten (it is not
// the last one any more) and ErrBodyTooLarge says why.
func (s *Store) SaveBody(endpointID, body string) error {
	k := strings.ToLower(endpointID)
	if err := s.Update(func(d *Data) { d.setBody(k, body, s.now()) }); err != nil {
		return err
	}
	if len(body) > MaxSavedBody {
		return ErrBodyTooLarge
	}
	return nil
}

// setBody remembers body as the endpoint's (k, lower-cased) last body; one
// over MaxSavedBody is not kept, and neither is an older one.
func (d *Data) setBody(k, body string, at time.Time) {
	if len(body) > MaxSavedBody {
		delete(d.Bodies, k)
		delete(d.BodyAt, k)
		return
	}
	if d.Bodies == nil {
		d.Bodies = map[string]string{}
	}
	if d.BodyAt == nil {
		d.BodyAt = map[string]time.Time{}
	}
	d.Bodies[k] = scrub(body)
	d.BodyAt[k] = at
}

// Body is the remembered request body of an endpoint.
func (d *Data) Body(endpointID string) (string, bool) {
	b, ok := d.Bodies[strings.ToLower(endpointID)]
	return b, ok
}

// HistoryOf is an endpoint's scoring history, newest first.
func (d *Data) HistoryOf(endpointID string) []HistoryEntry {
	return d.History[strings.ToLower(endpointID)]
}

// AppendHistory adds a scoring result, newest first, bounded.
func (s *Store) AppendHistory(endpointID string, e HistoryEntry) error {
	e = cleanEntry(e)
	return s.Update(func(d *Data) { d.pushHistory(strings.ToLower(endpointID), e) })
}

// RecordSend is a sent request, in one write: the entry goes on top of the
// endpoint's history and body becomes its remembered body (what
// AppendHistory and SaveBody do, which would read and rewrite the files
// twice, and could be split by a quit). bodyErr is ErrBodyTooLarge when the
// body is too large to remember.
func (s *Store) RecordSend(endpointID string, e HistoryEntry, body string) (bodyErr, err error) {
	e, k := cleanEntry(e), strings.ToLower(endpointID)
	if err := s.Update(func(d *Data) {
		d.pushHistory(k, e)
		d.setBody(k, body, s.now())
	}); err != nil {
		return nil, err
	}
	if len(body) > MaxSavedBody {
		return ErrBodyTooLarge, nil
	}
	return nil, nil
}

// cleanEntry scrubs and truncates an entry on the way in, so what is on
// disk is always clean and an update never has to rescan the whole history.
func cleanEntry(e HistoryEntry) HistoryEntry {
	var cut bool
	e.RequestBody, cut = truncate(scrub(e.RequestBody))
	e.RequestTruncated = e.RequestTruncated || cut
	e.ResponseBody, cut = truncate(scrub(e.ResponseBody))
	e.Error = scrub(e.Error)
	e.ResponseTruncated = e.ResponseTruncated || cut
	return e
}

// pushHistory puts e on top of the endpoint's (k, lower-cased) history.
func (d *Data) pushHistory(k string, e HistoryEntry) {
	if d.History == nil {
		d.History = map[string][]HistoryEntry{}
	}
	h := append([]HistoryEntry{e}, d.History[k]...)
	d.History[k] = h[:min(len(h), MaxHistory)]
}

// truncate cuts s to MaxHistoryBody bytes at a rune boundary (a cut
// rune would be written as U+FFFD).
func truncate(s string) (string, bool) {
	if len(s) <= MaxHistoryBody {
		return s, false
	}
	n := MaxHistoryBody
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
