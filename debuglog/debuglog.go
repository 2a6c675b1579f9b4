// Package debuglog writes the --debug log. Every line passes through Redact,
// so keys, tokens and client secrets never reach the file even when a
// library logs a request or an error that carries one.
package debuglog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// secretName is a field, header, variable or parameter name whose value is
// a credential: primaryKey, api-key, access_token, refreshToken, id_token,
// client_secret, password, DATA_PLANE_TOKEN, client_assertion, device_code,
// code_verifier, sig (a SAS signature)... A name like "tokenType" or
// "keyName" does not end with one of them and is left alone.
const secretName = `[A-Za-z0-9_.-]*(?i:key|keys|keyvalue|token|secret|password|passwd|pwd|assertion|credential|code_verifier|device_code|devicecode|sig|signature)`

// Patterns that look like credentials, in the shapes they take in logs:
// JWTs (three base64url segments starting with eyJ), authorization
// schemes, JSON members (also inside a quoted, escaped log value), shell
// assignments and form/query parameters, and passwords in URLs.
var secretPatterns = []struct {
	re   *regexp.Regexp
	keep string // the replacement, "[REDACTED]" in place of the secret
}{
	{regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), "[REDACTED]"},
	// "primaryKey": "…": the value runs to its closing quote, escapes included.
	{regexp.MustCompile(`(^|[^\\])("` + secretName + `"\s*:\s*")(?:[^"\\]|\\.)*`), "${1}${2}[REDACTED]"},
	// {\"access_token\":\"…\"}: JSON inside a quoted log value (slog's
	// text handler quotes it), so its escapes are escaped again: \\\" is a
	// quote in the value, \\\\ a backslash, \\n an escape; \" ends it.
	{regexp.MustCompile(`(\\"` + secretName + `\\"\s*:\s*\\")(?:\\\\\\"|\\\\\\\\|\\\\[^"\\]|\\[^"\\]|[^"\\])*`), "${1}[REDACTED]"},
	{regexp.MustCompile(`('` + secretName + `'\s*:\s*')[^']*`), "${1}[REDACTED]"},
	// Authorization: Bearer …, Basic …, SharedAccessSignature …: the whole value.
	{regexp.MustCompile(`(?i)((?:authorization|proxy-authorization)\\*["']?\s*[:=]\s*\\*["']?)[^"'\\\r\n]+`), "${1}[REDACTED]"},
	{regexp.MustCompile(`(?i)\b(bearer\s+)[^\s"',\\]+`), "${1}[REDACTED]"},
	// export DATA_PLANE_TOKEN=…, client_secret=…&, api-key: …, password='…'.
	{regexp.MustCompile(`(` + secretName + `\s*[=:]\s*)("[^"]*"|'[^']*'|[^&\s"',;}\\]+)`), "${1}[REDACTED]"},
	// An authorization code in a query or form: ?code=… / &code=… (a JSON
	// "code" is an error code and stays).
	{regexp.MustCompile(`([?&]code=)[^&\s"']+`), "${1}[REDACTED]"},
	// https://user:password@host
	{regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@"']+:)[^/\s@"']+@`), "${1}[REDACTED]@"},
}

// basicAuth is an HTTP Basic credential outside an Authorization header
// (RFC 7617 §2: base64 of user-id ":" password). Only what decodes to a
// user:password pair is redacted, so "basic authentication" stays.
var basicAuth = regexp.MustCompile(`(?i)\b(basic\s+)([A-Za-z0-9+/]{4,}={0,2})`)

func redactBasic(s string) string {
	return basicAuth.ReplaceAllStringFunc(s, func(m string) string {
		sub := basicAuth.FindStringSubmatch(m)
		if b, err := base64.StdEncoding.DecodeString(sub[2]); err == nil && bytes.IndexByte(b, ':') >= 0 {
			return sub[1] + "[REDACTED]"
		}
		return m
	})
}

// Redactor scrubs known secret values and secret-shaped strings. Values
// are held by slot (an endpoint's primary key, the token for one scope): a
// new value for a slot replaces the old one, so the redactor knows what
// the app holds now, not everything it ever saw.
type Redactor struct {
	mu     sync.RWMutex
	counts map[string]int    // value -> how many holds
	slots  map[string]string // slot -> value
	rep    *strings.Replacer // built from counts, longest first
}

// minSecret is the shortest value registered: shorter ones would redact
// ordinary words (and no key or token is that short).
const minSecret = 6

// Add registers a secret value seen at run time (e.g. a key just fetched) so
// it is scrubbed even if it does not look like one. Forget undoes one Add.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[secret]++
	r.rep = nil
}

// Forget drops one registration of secret (the app let go of the value).
func (r *Redactor) Forget(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forget(secret)
}

func (r *Redactor) forget(secret string) {
	if n := r.counts[secret]; n > 1 {
		r.counts[secret] = n - 1
	} else if n == 1 {
		delete(r.counts, secret)
		r.rep = nil
	}
}

// Hold sets the value of a slot: the previous value is forgotten, the new
// one added; "" empties the slot. It is the hook the azure package calls
// (azure.Config.Secrets) for every secret it obtains.
func (r *Redactor) Hold(slot, secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.slots[slot]; ok {
		if old == secret {
			return
		}
		r.forget(old)
		delete(r.slots, slot)
	}
	if len(secret) < minSecret {
		return
	}
	if r.slots == nil {
		r.slots = map[string]string{}
	}
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.slots[slot] = secret
	r.counts[secret]++
	r.rep = nil
}

// replacer replaces every registered value, longest first (one value may
// contain another).
func (r *Redactor) replacer() *strings.Replacer {
	r.mu.RLock()
	rep := r.rep
	r.mu.RUnlock()
	if rep != nil {
		return rep
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rep == nil {
		vals := make([]string, 0, len(r.counts))
		for v := range r.counts {
			vals = append(vals, v)
		}
		sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
		pairs := make([]string, 0, 2*len(vals))
		for _, v := range vals {
			pairs = append(pairs, v, "[REDACTED]")
		}
		r.rep = strings.NewReplacer(pairs...)
	}
	return r.rep
}

// Redact returns s with every secret replaced by "[REDACTED]".
func (r *Redactor) Redact(s string) string {
	if r != nil {
		s = r.replacer().Replace(s)
	}
	return RedactShapes(s)
}

// RedactShapes replaces what looks like a credential (no registered
// values): for text that is about to be stored, such as saved request bodies.
func RedactShapes(s string) string {
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.keep)
	}
	return redactBasic(s)
}

// Logger is an slog.Logger whose output is redacted, plus the Redactor to
// register run-time secrets with.
type Logger struct {
	*slog.Logger
	Redactor *Redactor
	closer   io.Closer
}

// Close closes the log file.
func (l *Logger) Close() error {
	if l == nil || l.closer == nil {
		return nil
	}
	return l.closer.Close()
}

// Open creates (0600) or appends to path. An empty path gives a logger that discards.
func Open(path string) (*Logger, error) {
	red := &Redactor{}
	if path == "" {
		return &Logger{Logger: slog.New(slog.DiscardHandler), Redactor: red}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open debug log: %w", err)
	}
	_ = f.Chmod(0o600)
	return New(f, red, f), nil
}

// New builds a redacting logger on w.
func New(w io.Writer, red *Redactor, closer io.Closer) *Logger {
	h := slog.NewTextHandler(&redactingWriter{w: w, r: red}, &slog.HandlerOptions{Level: slog.LevelDebug})
	return &Logger{Logger: slog.New(h), Redactor: red, closer: closer}
}

// redactingWriter redacts each formatted record before it is written, so
// nothing depends on callers remembering which attributes are sensitive.
type redactingWriter struct {
	mu sync.Mutex
	w  io.Writer
	r  *Redactor
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	out := rw.r.Redact(string(p))
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if _, err := io.WriteString(rw.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}
