// Package debuglog writes the --debug log. Every line passes through Redact,
// so keys, tokens and client secrets never reach the file even when a
// library logs a request or an error that carries one.
package debuglog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
)

// Patterns that look like credentials. JWTs (three base64url segments
// starting with eyJ), bearer headers, secrets in form bodies and query
// strings, and the long base64 keys Azure ML hands out.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`(?i)(bearer\s+)[^\s"',]+`),
	regexp.MustCompile(`(?i)((?:client_secret|password|refresh_token|access_token|id_token|code|code_verifier|device_code|primaryKey|secondaryKey|keyValue|accessToken)["']?\s*[=:]\s*["']?)[^&\s"',}]+`),
}

// Redactor scrubs known secret values and secret-shaped strings.
type Redactor struct {
	mu     sync.RWMutex
	values []string
}

// Add registers a secret value seen at run time (e.g. a key just fetched) so
// it is scrubbed even if it does not look like one.
func (r *Redactor) Add(secret string) {
	if len(secret) < 6 {
		return
	}
	r.mu.Lock()
	r.values = append(r.values, secret)
	r.mu.Unlock()
}

// Redact returns s with every secret replaced by "[REDACTED]".
func (r *Redactor) Redact(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, v := range r.values {
			s = strings.ReplaceAll(s, v, "[REDACTED]")
		}
		r.mu.RUnlock()
	}
	for i, re := range secretPatterns {
		if i == 0 {
			s = re.ReplaceAllString(s, "[REDACTED]")
			continue
		}
		s = re.ReplaceAllString(s, "${1}[REDACTED]")
	}
	return s
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
