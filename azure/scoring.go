package azure

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// Scoring: the data plane of online endpoints (PROTOCOL.md §9): one POST
// with "Authorization: Bearer <key or token>", timed stage by stage.

// Credential kinds a scoring request can carry (for diagnosis).
const (
	CredKey        = "key"
	CredAMLToken   = "aml_token"
	CredEntraML    = "aad_token"  // Entra token for MLAudience
	CredManagement = "management" // Entra token for ARMAudience: the classic mistake
	CredNone       = "none"
)

// HeaderDeployment names the deployment to score (bypassing the traffic
// split) and, in the answer, the deployment that answered.
const HeaderDeployment = "azureml-model-deployment"

// ScoreRequest is one scoring call.
type ScoreRequest struct {
	URI            string
	Body           []byte
	Deployment     string            // azureml-model-deployment header; "" = let traffic decide
	Headers        map[string]string // extra headers
	Credential     string            // bearer value: a secret, never logged
	CredentialKind string            // Cred* constant, for Diagnose
	Timeout        time.Duration     // 0 = 30s
	CAFile         string            // exports only: a CA the exported commands must trust (Config.CAFile)
}

// ScoreTrace is where the time went (net/http/httptrace).
type ScoreTrace struct {
	DNS, Connect, TLS, FirstByte, Total time.Duration
	Reused                              bool // connection reused: no DNS/connect/TLS
}

// ScoreResponse is what came back.
type ScoreResponse struct {
	Status     int
	Deployment string // azureml-model-deployment response header
	RequestID  string // x-request-id
	Header     http.Header
	Body       []byte // capped at MaxResponseBody
	Truncated  bool   // Body was cut at MaxResponseBody
	Size       int64  // bytes received in total
	Trace      ScoreTrace
}

// IsBinary reports whether the body is not text (invalid UTF-8 or NULs):
// the viewer then shows its size and a hex preview rather than the bytes.
func (r ScoreResponse) IsBinary() bool {
	b := r.Body
	if r.Truncated && len(b) > utf8.UTFMax {
		b = b[:len(b)-utf8.UTFMax] // the cut may have split a rune
	}
	return !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0
}

// MaxRequestBody and MaxResponseBody bound what is sent and kept.
const (
	MaxRequestBody  = 5 << 20
	MaxResponseBody = 1 << 20
)

// DefaultScoreTimeout applies when ScoreRequest.Timeout is 0.
const DefaultScoreTimeout = 30 * time.Second

// Scorer sends scoring requests over one keep-alive client.
type Scorer struct{ client *http.Client }

// NewScorer uses cfg's transport (it trusts the emulator's CA in demo mode),
// so scoring shares its warm connections; real Azure gets a transport like
// http.DefaultTransport.
func NewScorer(cfg Config) *Scorer {
	var rt http.RoundTripper
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		rt = cfg.HTTPClient.Transport
	} else if t, ok := http.DefaultTransport.(*http.Transport); ok {
		rt = t.Clone()
	} else {
		rt = http.DefaultTransport
	}
	return &Scorer{client: &http.Client{
		Transport: rt,
		// A redirect is shown, not followed: following it would resend the
		// body, and Go would drop the credential on another host anyway.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Score sends req. The error is a transport failure (refused URI, timeout,
// dropped connection); any HTTP answer, 4xx/5xx included, is a response.
// A body that is not valid JSON is not sent (a *JSONError) unless the
// extra headers set a Content-Type other than JSON. When the answer breaks
// off mid-body, the partial response comes back with the error.
func (sc *Scorer) Score(ctx context.Context, req ScoreRequest) (ScoreResponse, error) {
	u, err := checkScoringURI(req.URI)
	if err != nil {
		return ScoreResponse{}, err
	}
	if len(req.Body) > MaxRequestBody {
		return ScoreResponse{}, &BodyTooLargeError{Size: len(req.Body), Limit: MaxRequestBody}
	}
	hdr, err := scoringHeaders(req)
	if err != nil {
		return ScoreResponse{}, err
	}
	if isJSONContentType(hdr.Get("Content-Type")) {
		if err := ValidateJSON(req.Body); err != nil {
			return ScoreResponse{}, err
		}
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultScoreTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tr := &scoreTracer{}
	hr, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tr.clientTrace()), http.MethodPost, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		return ScoreResponse{}, &ScoringURIError{URI: req.URI, Reason: err.Error()}
	}
	hr.Header = hdr
	tr.start = time.Now()
	resp, err := sc.client.Do(hr)
	if err != nil {
		return ScoreResponse{}, tr.transportError(ctx, u.Host, timeout, err, "waiting for the answer")
	}
	defer resp.Body.Close()
	out := ScoreResponse{Status: resp.StatusCode, Deployment: resp.Header.Get(HeaderDeployment), Header: resp.Header.Clone()}
	out.RequestID = resp.Header.Get("x-request-id")
	if out.RequestID == "" {
		out.RequestID = resp.Header.Get("x-ms-request-id")
	}
	var kept bytes.Buffer
	n, err := io.Copy(&kept, io.LimitReader(resp.Body, MaxResponseBody))
	out.Size = n
	if err == nil && n == MaxResponseBody {
		// Keep counting what is not kept, so Size is the whole answer.
		var rest int64
		rest, err = io.Copy(io.Discard, resp.Body)
		out.Size += rest
		out.Truncated = rest > 0
	}
	out.Body = kept.Bytes()
	out.Trace = tr.finish()
	if err != nil {
		return out, tr.transportError(ctx, u.Host, timeout, err, "reading the answer")
	}
	return out, nil
}

// checkScoringURI refuses what must not carry a credential: anything but
// https, except plain http to this machine (the emulator, local endpoints).
func checkScoringURI(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, &ScoringURIError{URI: raw, Reason: "it is empty"}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &ScoringURIError{URI: raw, Reason: "it does not parse as a URL"}
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, &ScoringURIError{URI: raw, Reason: "it has no host"}
	}
	if u.User != nil {
		return nil, &ScoringURIError{URI: raw, Reason: "it carries a user name or password; the credential goes in the Authorization header"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return u, nil
		}
		return nil, &ScoringURIError{URI: raw, Reason: "it is plain http: the key or token would cross the network unencrypted (only 127.0.0.1, ::1 and localhost may use http)"}
	}
	return nil, &ScoringURIError{URI: raw, Reason: fmt.Sprintf("scheme %q is not https", u.Scheme)}
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// managedHeaders are set by the client or the transport; an extra header
// cannot override them.
var managedHeaders = map[string]bool{"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true, "Trailer": true, "Upgrade": true}

// scoringHeaders builds the request headers: Content-Type (overridable),
// the extra headers, the deployment, then Authorization (the credential wins).
func scoringHeaders(req ScoreRequest) (http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	for k, v := range req.Headers {
		name := strings.TrimSpace(k)
		if !validHeaderName(name) {
			return nil, &HeaderError{Name: name, Reason: "the name may only hold letters, digits and !#$%&'*+-.^_`|~"}
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, &HeaderError{Name: name, Reason: "the value holds a line break or NUL"}
		}
		if managedHeaders[http.CanonicalHeaderKey(name)] {
			return nil, &HeaderError{Name: name, Reason: "it is set by the HTTP client itself"}
		}
		h.Set(name, v)
	}
	if d := strings.TrimSpace(req.Deployment); d != "" {
		h.Set(HeaderDeployment, d)
	}
	if req.Credential != "" {
		if strings.ContainsAny(req.Credential, "\r\n\x00 ") {
			return nil, &HeaderError{Name: "Authorization", Reason: "the credential holds spaces or line breaks (was it pasted with extra text?)"}
		}
		h.Set("Authorization", "Bearer "+req.Credential)
	}
	return h, nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

func isJSONContentType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(ct)), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// scoreTracer records the stage timings; httptrace may call it from the
// dialing goroutines, hence the lock.
type scoreTracer struct {
	mu                                   sync.Mutex
	start                                time.Time
	dnsStart, connStart, tlsStart        time.Time
	dns, connect, tls, firstByte, total  time.Duration
	reused, gotConn, gotFirstByte, ended bool
}

func (t *scoreTracer) clientTrace() *httptrace.ClientTrace {
	lock := func(f func()) { t.mu.Lock(); f(); t.mu.Unlock() }
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { lock(func() { t.dnsStart = time.Now() }) },
		DNSDone:  func(httptrace.DNSDoneInfo) { lock(func() { t.dns = since(t.dnsStart) }) },
		ConnectStart: func(string, string) {
			lock(func() {
				if t.connStart.IsZero() { // happy eyeballs may dial twice: time from the first
					t.connStart = time.Now()
				}
			})
		},
		ConnectDone:       func(string, string, error) { lock(func() { t.connect = since(t.connStart) }) },
		TLSHandshakeStart: func() { lock(func() { t.tlsStart = time.Now() }) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { lock(func() { t.tls = since(t.tlsStart) }) },
		GotConn:           func(i httptrace.GotConnInfo) { lock(func() { t.gotConn, t.reused = true, i.Reused }) },
		GotFirstResponseByte: func() {
			lock(func() { t.gotFirstByte, t.firstByte = true, time.Since(t.start) })
		},
	}
}

func since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return time.Since(t)
}

func (t *scoreTracer) finish() ScoreTrace {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ended {
		t.total, t.ended = time.Since(t.start), true
	}
	st := ScoreTrace{DNS: t.dns, Connect: t.connect, TLS: t.tls, FirstByte: t.firstByte, Total: t.total, Reused: t.reused}
	if st.Reused {
		// A dial raced against the idle connection that won does not count.
		st.DNS, st.Connect, st.TLS = 0, 0, 0
	}
	return st
}

// transportError turns a failed exchange into a typed error that explains
// itself. err comes from net/http: it names the URL, never the headers.
func (t *scoreTracer) transportError(ctx context.Context, host string, timeout time.Duration, err error, stage string) error {
	tr := t.finish()
	t.mu.Lock()
	gotConn, gotFirstByte := t.gotConn, t.gotFirstByte
	t.mu.Unlock()
	if !gotConn {
		stage = "connecting"
	} else if gotFirstByte && stage != "reading the answer" {
		stage = "reading the answer"
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &ScoreTimeoutError{After: tr.Total, Limit: timeout, Stage: stage, Err: err}
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("scoring cancelled: %w", context.Canceled)
	}
	kind := ConnDropped
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr):
		kind = ConnDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		kind = ConnRefused
	case errors.As(err, &certErr) || errors.As(err, &recErr) || strings.Contains(err.Error(), "tls:"):
		kind = ConnTLS
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &ScoreTimeoutError{After: tr.Total, Limit: timeout, Stage: stage, Err: err}
	}
	return &ConnectionError{Kind: kind, Host: host, Stage: stage, Err: err}
}

// Kinds of ConnectionError.
const (
	ConnDNS     = "dns"     // the host name did not resolve
	ConnRefused = "refused" // nothing listens there
	ConnTLS     = "tls"     // the TLS handshake or certificate failed
	ConnDropped = "dropped" // the connection closed or reset before a full answer
)

// ScoringURIError is a scoring URI the client refuses to send a credential to.
type ScoringURIError struct{ URI, Reason string }

func (e *ScoringURIError) Error() string {
	return fmt.Sprintf("scoring URI %q refused: %s", e.URI, e.Reason)
}

// Explanation implements Explainer.
func (e *ScoringURIError) Explanation() Explanation {
	return Explanation{Title: "Scoring URI refused", Detail: fmt.Sprintf("Nothing was sent to %q: %s.", e.URI, e.Reason),
		Next: "Use the endpoint's scoringUri as ARM gives it (https://<endpoint>.<region>.inference.ml.azure.com/score)."}
}

// BodyTooLargeError is a request body over MaxRequestBody.
type BodyTooLargeError struct{ Size, Limit int }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("request body of %d bytes is over the %d byte limit", e.Size, e.Limit)
}

// Explanation implements Explainer.
func (e *BodyTooLargeError) Explanation() Explanation {
	return Explanation{Title: "Request body too large", Detail: fmt.Sprintf("The body is %s; at most %s is sent.", byteSize(int64(e.Size)), byteSize(int64(e.Limit))),
		Next: "Send fewer rows per request (split the batch), or use a batch endpoint for large inputs."}
}

// HeaderError is an extra header (or the credential) that cannot be sent.
// It names the header, never its value.
type HeaderError struct{ Name, Reason string }

func (e *HeaderError) Error() string {
	return fmt.Sprintf("header %q cannot be sent: %s", e.Name, e.Reason)
}

// Explanation implements Explainer.
func (e *HeaderError) Explanation() Explanation {
	return Explanation{Title: "Header refused", Detail: fmt.Sprintf("Header %q: %s. Nothing was sent.", e.Name, e.Reason), Next: "Fix or remove the header."}
}

// ScoreTimeoutError is a scoring request that ran out of time.
type ScoreTimeoutError struct {
	After, Limit time.Duration
	Stage        string // "connecting", "waiting for the answer", "reading the answer"
	Err          error
}

func (e *ScoreTimeoutError) Error() string {
	return fmt.Sprintf("scoring timed out after %s while %s", e.After.Round(time.Millisecond), e.Stage)
}

func (e *ScoreTimeoutError) Unwrap() error { return e.Err }

// Explanation implements Explainer.
func (e *ScoreTimeoutError) Explanation() Explanation {
	next := "Retry. Raise the timeout if the model is slow; a managed endpoint answers 408 itself when the model exceeds request_timeout_ms."
	if e.Stage == "connecting" {
		next = "Check the network path to the endpoint (VPN, proxy, private endpoint) and retry."
	}
	return Explanation{Title: "Scoring timed out", Detail: fmt.Sprintf("No complete answer within %s (%s).", e.Limit, e.Stage), Next: next}
}

// ConnectionError is a scoring request that got no (complete) HTTP answer.
type ConnectionError struct {
	Kind  string // ConnDNS, ConnRefused, ConnTLS, ConnDropped
	Host  string
	Stage string
	Err   error
}

func (e *ConnectionError) Error() string {
	return fmt.Sprintf("scoring %s: %s while %s: %v", e.Host, e.Kind, e.Stage, e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// Explanation implements Explainer.
func (e *ConnectionError) Explanation() Explanation {
	switch e.Kind {
	case ConnDNS:
		return Explanation{Title: "Endpoint host not found", Detail: fmt.Sprintf("%s does not resolve.", e.Host),
			Next: "Check the scoring URI (the endpoint may have been deleted); private endpoints resolve only inside their network."}
	case ConnRefused:
		return Explanation{Title: "Connection refused", Detail: fmt.Sprintf("Nothing accepts connections at %s.", e.Host),
			Next: "Check the scoring URI and port; in demo mode, is the simulated Azure still running?"}
	case ConnTLS:
		return Explanation{Title: "TLS failed", Detail: fmt.Sprintf("The secure connection to %s failed: %s.", e.Host, firstLine(e.Err.Error())),
			Next: "A proxy that inspects TLS needs its CA trusted (SSL_CERT_FILE); check the host name in the URI."}
	}
	return Explanation{Title: "Connection dropped", Detail: fmt.Sprintf("%s closed the connection while %s.", e.Host, e.Stage),
		Next: "Retry: the request may or may not have been scored. If it keeps happening, the deployment may be restarting (check its logs)."}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Diagnosis explains a scoring answer to a person.
type Diagnosis struct {
	Title, Detail, Next string
	// CheckAccess: the fix is an RBAC permission (score/action); the UI
	// offers its access check for the endpoint.
	CheckAccess bool
	// Headers are the diagnostic headers present in the answer, as
	// "name: value" lines in a fixed order (server text: sanitize to draw).
	Headers []string
}

// diagnosticHeaders are shown with a diagnosis, in this order.
var diagnosticHeaders = []string{
	"x-request-id", "x-ms-request-id", "x-ms-client-request-id", HeaderDeployment,
	"ms-azureml-model-error-statuscode", "ms-azureml-model-error-reason", "Retry-After",
	"ms-azureml-bandwidth-request-delay-ms", "ms-azureml-bandwidth-response-delay-ms", "WWW-Authenticate",
}

// ActionScore is the data-plane permission aad_token endpoints check.
const ActionScore = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/score/action"

// Diagnose says what a scoring answer means and what to do about it,
// using what was sent (the credential's kind; a token's claims, decoded
// but never shown whole) and what came back (status, message, headers).
func Diagnose(req ScoreRequest, resp ScoreResponse) Diagnosis {
	return diagnoseAt(req, resp, time.Now())
}

func diagnoseAt(req ScoreRequest, resp ScoreResponse, now time.Time) Diagnosis {
	d := Diagnosis{Headers: pickHeaders(resp.Header)}
	msg := serverMessage(resp.Body)
	withMsg := func(s string) string {
		if msg == "" {
			return s
		}
		return strings.TrimSpace(s + " The endpoint says: " + msg)
	}
	st := resp.Status
	switch {
	case st >= 200 && st < 300:
		d.Title = fmt.Sprintf("%d %s", st, http.StatusText(st))
		d.Detail = "The endpoint scored the request"
		if resp.Deployment != "" {
			d.Detail += " on deployment " + resp.Deployment
		}
		d.Detail += "."
	case st == http.StatusUnauthorized:
		d = diagnose401(req, msg, now, d)
	case st == http.StatusForbidden:
		d.Title, d.CheckAccess = "403 Forbidden: no permission to score", true
		if m := authzRE.FindStringSubmatch(msg); m != nil {
			d.Detail = fmt.Sprintf("%s (object id %s) lacks %s on %s.", m[1], m[2], m[3], m[4])
		} else {
			d.Detail = withMsg("The Entra token is valid, but its identity may not score this endpoint.")
		}
		d.Next = "aad_token endpoints need " + ActionScore + " (AzureML Data Scientist has it, or a custom role) at the endpoint, its workspace or above. Run the access check for this endpoint, or ask an Owner to assign the role; a new assignment can take a few minutes to apply."
	case st == http.StatusNotFound:
		switch {
		case strings.Contains(msg, "No valid deployments") || strings.Contains(msg, "positive weight"):
			d.Title = "404: no deployment takes traffic"
			d.Detail = withMsg("The endpoint has no deployment with a positive traffic weight.")
			d.Next = `Give a deployment traffic (az ml online-endpoint update --name <endpoint> --traffic "blue=100"), or target a deployment by name (the azureml-model-deployment header).`
		case req.Deployment != "" && strings.Contains(strings.ToLower(msg), "deployment"):
			d.Title = fmt.Sprintf("404: no deployment %q", req.Deployment)
			d.Detail = withMsg("")
			d.Next = "Pick one of the endpoint's deployments, or clear the target to let the traffic split decide."
		default:
			d.Title = "404 Not Found"
			d.Detail = withMsg("Nothing answers at this scoring URI.")
			d.Next = "Use the endpoint's scoringUri as ARM gives it; the endpoint may have been deleted or re-created."
		}
	case st == http.StatusBadRequest:
		d.Title = "400 Bad Request: the input was refused"
		d.Detail = withMsg("The model or its scoring script rejected the body.")
		d.Next = "Fix the body to the shape the message expects (the sample body is a good start) and send again."
	case st == http.StatusRequestTimeout:
		d.Title = "408: the model took too long"
		d.Detail = withMsg("The model ran longer than request_timeout_ms (request_settings of the deployment).")
		d.Next = "Retry; send fewer rows per request, or raise request_settings.request_timeout_ms of the deployment."
	case st == http.StatusRequestEntityTooLarge:
		d.Title = "413: request too large"
		d.Detail = withMsg("The endpoint refused the body's size.")
		d.Next = "Send fewer rows per request."
	case st == http.StatusFailedDependency:
		d.Title = "424: the model failed"
		code, reason := resp.Header.Get("ms-azureml-model-error-statuscode"), resp.Header.Get("ms-azureml-model-error-reason")
		if code != "" || reason != "" {
			d.Detail = fmt.Sprintf("The model container answered %s (%s) instead of 200.", orDash(code), orDash(reason))
		} else {
			d.Detail = "The model container answered with a non-200 status."
		}
		d.Detail = withMsg(d.Detail)
		d.Next = "Read the deployment's logs (az ml online-deployment get-logs --endpoint-name <endpoint> --name <deployment>): the scoring script raised or returned an error. If liveness or readiness probes fail too, adjust the probe settings."
	case st == http.StatusTooManyRequests:
		d.Title = "429: too many requests"
		d.Detail = withMsg("More requests are in flight than the deployment takes (2 × max_concurrent_requests_per_instance × instance_count), or the endpoint's rate limit was hit.")
		d.Next = "Slow down and retry"
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			d.Next += " after " + ra + " s (Retry-After)"
		}
		d.Next += "; lower the concurrency, or scale the deployment out (instance_count) or up (max_concurrent_requests_per_instance)."
	case st == http.StatusInternalServerError:
		d.Title = "500: the scoring service failed"
		d.Detail = withMsg("An internal error, on the platform's side or in the scoring script.")
		d.Next = "Retry. If it persists, check the deployment's logs and quote the x-request-id to support."
	case st == http.StatusBadGateway:
		d.Title = "502: the scoring script failed"
		d.Detail = withMsg("The model's run() or init() raised (Kubernetes endpoints answer 502 for this).")
		d.Next = "Send again: a one-off crash (a container restarting) passes. If it fails again, read the deployment's logs (az ml online-deployment get-logs) for the traceback."
	case st == http.StatusServiceUnavailable:
		d.Title = "503: the deployment is unavailable"
		d.Detail = withMsg("The deployment cannot take requests now (a load spike the autoscaler has not caught up with, a restart).")
		d.Next = "Retry after a moment (honour Retry-After if given); scale the deployment out if it happens under load."
	case st == http.StatusGatewayTimeout:
		d.Title = "504: gateway timeout"
		d.Detail = withMsg("The request timed out on its way to or inside the model (Kubernetes endpoints: 5 s by default).")
		d.Next = "Retry; send fewer rows per request, or raise the deployment's request timeout."
	case st >= 300 && st < 400:
		d.Title = fmt.Sprintf("%d: redirected", st)
		d.Detail = "The endpoint redirected to " + orDash(resp.Header.Get("Location")) + "; the request was not followed, so the credential stayed here."
		d.Next = "Use the endpoint's scoringUri as ARM gives it."
	default:
		d.Title = fmt.Sprintf("%d %s", st, http.StatusText(st))
		d.Detail = withMsg("")
		d.Next = "Check the status code against the endpoint's documentation; quote the x-request-id to support."
	}
	return d
}

// diagnose401 tells the 401s apart by what was sent.
func diagnose401(req ScoreRequest, msg string, now time.Time, d Diagnosis) Diagnosis {
	d.Title = "401 Unauthorized"
	said := ""
	if msg != "" {
		said = " The endpoint says: " + msg
	}
	if req.Credential == "" || req.CredentialKind == CredNone {
		d.Detail = "No credential was sent." + said
		d.Next = "Send the credential of the endpoint's auth mode: a key (key), an AML token (aml_token) or an Entra token for https://ml.azure.com (aad_token)."
		return d
	}
	claims, err := DecodeClaims(req.Credential)
	if err != nil { // a key, or something opaque
		switch req.CredentialKind {
		case CredKey:
			d.Title = "401: the key was refused"
			d.Detail = "The key does not match the endpoint's primary or secondary key." + said
			d.Next = "Keys stay valid until regenerated: if someone regenerated them, fetch the keys again. If the endpoint's auth mode is not key, send its token instead."
		default:
			d.Detail = "The credential is not a token (it does not decode as a JWT)." + said
			d.Next = "Send the credential of the endpoint's auth mode; a key works only with key endpoints."
		}
		return d
	}
	tf := readTokenFacts(claims)
	aud := strings.TrimSuffix(tf.aud, "/")
	expired := !tf.exp.IsZero() && !now.Before(tf.exp)
	isAML := claimValue(claims, "typ") == "aml_token" || req.CredentialKind == CredAMLToken
	switch {
	case isAML && expired:
		d.Title = "401: the AML token expired"
		d.Detail = fmt.Sprintf("The token expired at %s (%s ago).%s", tf.exp.UTC().Format("15:04:05 UTC"), now.Sub(tf.exp).Round(time.Second), said)
		d.Next = "Get a new AML token from the endpoint (token/action); clients should refresh it after refreshAfterTimeUtc."
	case isAML:
		d.Title = "401: the AML token was refused"
		d.Detail = "The token is not accepted here: it may be for another endpoint, the endpoint may have been re-created, or its auth mode is not aml_token." + said
		d.Next = "Get a new token from this endpoint, and check its auth mode."
	case req.CredentialKind == CredManagement || isManagementAudience(aud):
		d.Title = "401: a management token was sent"
		d.Detail = fmt.Sprintf("The token's audience is %s: it is for Azure Resource Manager, and the data plane accepts only tokens for https://ml.azure.com.%s", orDash(tf.aud), said)
		d.Next = "Send an Entra token for https://ml.azure.com (scope https://ml.azure.com/.default) to aad_token endpoints, or the key / AML token to the others."
	case expired:
		d.Title = "401: the token expired"
		d.Detail = fmt.Sprintf("The Entra token expired at %s (%s ago).%s", tf.exp.UTC().Format("15:04:05 UTC"), now.Sub(tf.exp).Round(time.Second), said)
		d.Next = "Get a fresh token and send again."
	case aud != "" && !strings.Contains(aud, "ml.azure"):
		d.Title = "401: token for the wrong audience"
		d.Detail = fmt.Sprintf("The token's audience is %s; the data plane accepts https://ml.azure.com.%s", tf.aud, said)
		d.Next = "Get a token for https://ml.azure.com/.default."
	default:
		d.Title = "401: the Entra token was refused"
		d.Detail = fmt.Sprintf("A valid-looking token for %s (%s) was refused.%s", orDash(tf.aud), orDash(tf.who), said)
		d.Next = "Check the endpoint's auth mode: key and aml_token endpoints do not take Entra tokens (send the key or the AML token)."
	}
	return d
}

// tokenFacts are the claims a 401 diagnosis needs. Read here rather than
// through IdentityFromClaims: a pasted credential can be any JWT-shaped
// text, and this must never fail on it.
type tokenFacts struct {
	aud, who string
	exp      time.Time
}

func readTokenFacts(cs []Claim) tokenFacts {
	tf := tokenFacts{aud: claimValue(cs, "aud")}
	for _, k := range []string{"upn", "preferred_username", "appid", "azp", "oid"} {
		if tf.who = claimValue(cs, k); tf.who != "" {
			break
		}
	}
	if f := strings.Fields(claimValue(cs, "exp")); len(f) > 0 {
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			tf.exp = time.Unix(n, 0)
		}
	}
	return tf
}

func isManagementAudience(aud string) bool {
	a := strings.ToLower(strings.TrimSuffix(aud, "/"))
	return strings.HasPrefix(a, "https://management.") // azure.com, core.windows.net, usgovcloudapi.net, chinacloudapi.cn
}

// serverMessage digs the human message out of an error body:
// {"error":{"message"}}, {"message"}, {"error":"..."} or short plain text.
func serverMessage(body []byte) string {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return ""
	}
	var v struct {
		Error   any    `json:"error"`
		Message string `json:"message"`
	}
	if b[0] == '{' && json.Unmarshal(b, &v) == nil {
		switch e := v.Error.(type) {
		case map[string]any:
			if m, ok := e["message"].(string); ok {
				return m
			}
		case string:
			return e
		}
		return v.Message
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return ""
	}
	s := string(b)
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

func pickHeaders(h http.Header) []string {
	var out []string
	for _, k := range diagnosticHeaders {
		if v := h.Get(k); v != "" {
			out = append(out, strings.ToLower(k)+": "+v)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// RepeatStats summarises a run of identical requests.
type RepeatStats struct {
	Count        int            // requests that finished (answers and errors)
	StatusCounts map[int]int    // by HTTP status
	Errors       int            // requests without an HTTP answer
	FirstError   error          // the first of them (typed; explains itself)
	First        *ScoreResponse // the first answer that came back (its body and diagnosis); nil when none did
	P50, P95     time.Duration
	P90, P99     time.Duration
	Min, Max     time.Duration
	Elapsed      time.Duration // wall time of the whole run
	Histogram    []Bucket
}

// Bucket is one bar of the latency histogram: Count requests took [Lo, Hi).
type Bucket struct {
	Lo, Hi time.Duration
	Count  int
}

// Repeat sends req n times, concurrency at a time (≤1 = sequential).
// Latencies are the answers' Trace.Total; errors are counted, not timed.
// progress (may be nil) gets the number finished so far, one call at a
// time. Cancelling ctx stops the run; the stats cover what finished.
func (sc *Scorer) Repeat(ctx context.Context, req ScoreRequest, n, concurrency int, progress func(done int)) RepeatStats {
	stats := RepeatStats{StatusCounts: map[int]int{}}
	if n <= 0 {
		return stats
	}
	concurrency = min(max(concurrency, 1), n)
	start := time.Now()
	var (
		mu    sync.Mutex
		lat   []time.Duration
		next  int
		wg    sync.WaitGroup
		pmu   sync.Mutex // progress is called one at a time, in order
		pdone int
	)
	worker := func() {
		defer wg.Done()
		for {
			mu.Lock()
			if next >= n || ctx.Err() != nil {
				mu.Unlock()
				return
			}
			next++
			mu.Unlock()
			resp, err := sc.Score(ctx, req)
			mu.Lock()
			if ctx.Err() != nil && err != nil {
				mu.Unlock()
				return // cancelled mid-flight: not a result
			}
			stats.Count++
			if err != nil {
				stats.Errors++
				if stats.FirstError == nil {
					stats.FirstError = err
				}
			} else {
				stats.StatusCounts[resp.Status]++
				lat = append(lat, resp.Trace.Total)
				if stats.First == nil {
					stats.First = &resp
				}
			}
			mu.Unlock()
			if progress != nil {
				pmu.Lock()
				pdone++
				progress(pdone)
				pmu.Unlock()
			}
		}
	}
	wg.Add(concurrency)
	for range concurrency {
		go worker()
	}
	wg.Wait()
	stats.Elapsed = time.Since(start)
	stats.P50, stats.P95, stats.Min, stats.Max, stats.Histogram = latencySummary(lat, 8)
	if len(lat) > 0 {
		slices.Sort(lat)
		stats.P90, stats.P99 = percentile(lat, 90), percentile(lat, 99)
	}
	return stats
}

// latencySummary sorts ds and gives nearest-rank percentiles (the smallest
// value with at least p% of the samples at or below it) and a histogram of
// `buckets` equal-width bars from min to max.
func latencySummary(ds []time.Duration, buckets int) (p50, p95, lo, hi time.Duration, hist []Bucket) {
	if len(ds) == 0 {
		return
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	lo, hi = s[0], s[len(s)-1]
	p50, p95 = percentile(s, 50), percentile(s, 95)
	if lo == hi || buckets <= 1 {
		return p50, p95, lo, hi, []Bucket{{Lo: lo, Hi: hi + 1, Count: len(s)}}
	}
	width := (hi-lo)/time.Duration(buckets) + 1 // +1: the last bar [Lo, Hi) must hold hi
	hist = make([]Bucket, buckets)
	for i := range hist {
		hist[i] = Bucket{Lo: lo + time.Duration(i)*width, Hi: lo + time.Duration(i+1)*width}
	}
	for _, d := range s {
		hist[min(int((d-lo)/width), buckets-1)].Count++
	}
	return p50, p95, lo, hi, hist
}

// percentile is the nearest-rank percentile of sorted s: rank ⌈p/100·n⌉.
func percentile(s []time.Duration, p int) time.Duration {
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}
