package azure

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// maxLoggedBody is how much of a response body WithHTTPLog writes.
const maxLoggedBody = 64 << 10

// WithHTTPLog returns c with every HTTP exchange (Azure Resource Manager,
// Microsoft Entra ID, Graph, scoring) written to log at debug level: the
// method, the URL path (never the query: it can carry an authorization
// code), the status and the time taken; with bodies, the response body
// too (up to 64 KB). The log must redact (debuglog does): bodies carry keys
// and tokens, and Config.Secrets tells the redactor the values the app
// obtains.
func (c Config) WithHTTPLog(log *slog.Logger, bodies bool) Config {
	var next http.RoundTripper = http.DefaultTransport
	if c.HTTPClient != nil && c.HTTPClient.Transport != nil {
		next = c.HTTPClient.Transport
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		next = t.Clone()
	}
	hc := &http.Client{}
	if c.HTTPClient != nil {
		*hc = *c.HTTPClient
	}
	hc.Transport = &logTransport{next: next, log: log, bodies: bodies}
	c.HTTPClient = hc
	return c
}

type logTransport struct {
	next   http.RoundTripper
	log    *slog.Logger
	bodies bool
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs := []any{"method", req.Method, "host", req.URL.Host, "path", req.URL.Path, "ms", time.Since(start).Milliseconds()}
	if err != nil {
		t.log.Debug("http", append(attrs, "error", err.Error())...)
		return resp, err
	}
	attrs = append(attrs, "status", resp.StatusCode, "requestId", resp.Header.Get("x-ms-request-id"))
	if t.bodies && resp.Body != nil {
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, maxLoggedBody))
		// The caller reads what was logged, then the rest.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
		if rerr == nil {
			attrs = append(attrs, "body", string(b))
		}
	}
	t.log.Debug("http", attrs...)
	return resp, nil
}
