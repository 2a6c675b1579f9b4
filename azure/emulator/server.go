// Package emulator is the simulated Azure: a real HTTPS server on 127.0.0.1
// speaking Entra ID, ARM, Microsoft Graph and (later) the scoring data plane,
// enforcing RBAC with azure/rbac. Demos, training and the tests run against it;
// the client code cannot tell it from Azure except by its endpoints and CA.
package emulator

import (
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"amlauth-tui/azure/rbac"
)

// Options configure the simulated Azure. The zero value is a sensible demo.
type Options struct {
	Addr                string        // listen address, default "127.0.0.1:0"; must be loopback
	AutoApprove         string        // persona key: device codes and browser logins are approved as them
	AutoApproveAfter    int           // device-code polls before auto-approval (default 1)
	AccessTokenLifetime time.Duration // default 1h
	DeviceCodeLifetime  time.Duration // default 15m
	AMLTokenLifetime    time.Duration // default 1h
	PropagationDelay    time.Duration // new role assignments take effect after this, deleted ones stop after this
	ProvisioningTime    time.Duration // LRO duration, default 3s
	// RetryAfter is the polling interval operations ask for, default 10s
	// (Azure's documented minimum). Whole seconds; under a second asks
	// clients to poll at once. Tests and the demo shorten it.
	RetryAfter     time.Duration
	PageSize       int // ARM and Graph page size, default 100
	ExtraEndpoints int // generated endpoints added to mlw-sandbox (big-list demos and measurements)
	Faults         []Fault
	FaultSeed      int64
	Now            func() time.Time
	// SigningKey reuses an RSA key instead of generating one (tests start
	// hundreds of servers, and RSA generation is most of a start-up).
	SigningKey *rsa.PrivateKey
	Log        io.Writer // request log (method, path, status, caller); never secrets

	// PasswordlessPages lets the sign-in pages (/devicelogin, the browser
	// sign-in) approve a persona without its password: only for the
	// in-process demo, whose user started it and is never shown passwords.
	// The standalone server asks for them.
	PasswordlessPages bool
	// ErrorLog gets the HTTP server's own errors (a client that does not
	// trust the CA fails its TLS handshake); nil discards them, so they never
	// print over a terminal UI.
	ErrorLog *log.Logger
	// ProxyHosts: the certificate also covers the Microsoft host names, for
	// the HTTPS-proxy mode (StartProxy); off, it names only loopback.
	ProxyHosts bool

	// Connection limits (defaults in Start). A client that trickles a body
	// or parks idle connections must not hold the server's resources.
	ReadHeaderTimeout time.Duration // request line and headers, default 10s
	ReadTimeout       time.Duration // the whole request including its body, default 15s
	IdleTimeout       time.Duration // an idle keep-alive connection is closed after this, default 60s
	MaxHeaderBytes    int           // request line plus headers, default 1 MiB (Go answers 431 above it)
	MaxURLLength      int           // path plus query, default 16384 (answered 414 above it)
}

// maxURLSegment is the longest path segment served. Azure's front ends run
// on http.sys, whose UrlSegmentMaxLength default is 260 characters
// (https://learn.microsoft.com/troubleshoot/developer/webapps/iis/iisadmin-service-inetinfo/httpsys-registry-windows,
// "Registry keys"); MaxFieldLength, the URL limit, defaults to 16384.
const maxURLSegment = 260

// Server is a running simulated Azure: the listener, the options, the
// injected faults and the front door (ServeHTTP), which routes each request
// to the handler of its host (hosts.go). The world and everything the hosts
// share live in core.
type Server struct {
	*core

	caPEM  []byte
	pool   *x509.CertPool
	ln     net.Listener
	srv    *http.Server
	client *http.Client

	faults *faultSet // faults.go

	// One handler per simulated host, over the shared core (hosts.go).
	entra   *entraHost
	arm     *armHost
	graph   *graphHost
	scoring *scoringHost
	rg      *resourceGraphHost

	handlers inflight // handlers running (Close waits for them, not for clients)
}

// Start listens and serves HTTPS in the background.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AccessTokenLifetime <= 0 {
		opts.AccessTokenLifetime = time.Hour
	}
	if opts.DeviceCodeLifetime <= 0 {
		opts.DeviceCodeLifetime = 15 * time.Minute
	}
	if opts.AMLTokenLifetime <= 0 {
		opts.AMLTokenLifetime = time.Hour
	}
	if opts.ProvisioningTime <= 0 {
		opts.ProvisioningTime = 3 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = defaultRetryAfter
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.AutoApproveAfter <= 0 {
		opts.AutoApproveAfter = 1
	}
	opts.ReadHeaderTimeout = cmp.Or(opts.ReadHeaderTimeout, 10*time.Second)
	opts.ReadTimeout = cmp.Or(opts.ReadTimeout, 15*time.Second)
	opts.IdleTimeout = cmp.Or(opts.IdleTimeout, 60*time.Second)
	opts.MaxHeaderBytes = cmp.Or(opts.MaxHeaderBytes, 1<<20)
	opts.MaxURLLength = cmp.Or(opts.MaxURLLength, 16384)
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	s := &Server{core: &core{opts: opts}, faults: &faultSet{seed: opts.FaultSeed}}
	s.faults.set(opts.Faults)

	// The RSA signing key is generated in the background and awaited by
	// its first use (signingkey.go); the ECDSA TLS keys take microseconds.
	s.signer = newLazyKey(opts.SigningKey)
	var (
		tlsCert tls.Certificate
		tlsErr  error
	)
	var names []string
	if opts.ProxyHosts {
		names = proxyHostNames()
	}
	s.caPEM, tlsCert, s.pool, tlsErr = newTLS(opts.Now(), names...)
	if tlsErr != nil {
		return nil, fmt.Errorf("emulator keys: %w", tlsErr)
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator listen on %s: %w", opts.Addr, err)
	}
	s.ln = ln
	s.url = "https://" + ln.Addr().String()
	s.world = newWorld(opts.Now())
	s.world.addLoadEndpoints(opts.ExtraEndpoints)
	if opts.ExtraEndpoints > 0 {
		go s.warmEndpointIndex() // arm_endpoint_index.go: the big list's first page need not sort it
	}
	s.mountHosts()
	s.srv = &http.Server{
		Handler:           s,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{tlsCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ErrorLog:          cmp.Or(opts.ErrorLog, log.New(io.Discard, "", 0)),
	}
	s.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
		ForceAttemptHTTP2:   true,
	}}
	go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w (use 127.0.0.1:PORT)", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q is not a loopback address: the simulated Azure only serves 127.0.0.1 or ::1", addr)
	}
	return nil
}

// URL is the base of every simulated host, e.g. "https://127.0.0.1:41234".
func (s *Server) URL() string { return s.url }

// CAPEM is the PEM of the CA that signed the server certificate.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.caPEM...) }

// HTTPClient is a keep-alive client that trusts the CA.
func (s *Server) HTTPClient() *http.Client { return s.client }

// TenantID is the simulated tenant.
func (s *Server) TenantID() string { return s.world.Tenant.ID }

// Mutate changes the world under the write lock (tests, benchmarks, fixtures).
func (s *Server) Mutate(fn func(w *World)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.world)
	s.epIndex.changed()
	s.roleMu.Lock()
	s.roleIdx = nil // fn may have edited a custom role in place
	s.roleMu.Unlock()
}

// Close stops the server and drops idle client connections. It waits for
// running handlers (up to 2 s), not for clients to hang up: after its
// GOAWAY an HTTP/2 server waits a second for the client to close the
// connection, and every test's server would pay that second.
func (s *Server) Close() error {
	s.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stop, cancelStop := context.WithCancel(ctx)
	defer cancelStop()
	go func() {
		select {
		case <-s.handlers.idle():
			cancelStop()
		case <-stop.Done():
		}
	}()
	err := s.srv.Shutdown(stop)
	s.entra.flows.stop()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	return err
}

// inflight counts running handlers.
type inflight struct {
	mu    sync.Mutex
	n     int
	waits []chan struct{}
}

func (f *inflight) start() { f.mu.Lock(); f.n++; f.mu.Unlock() }

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 {
		for _, c := range f.waits {
			close(c)
		}
		f.waits = nil
	}
}

// idle is closed when no handler runs.
func (f *inflight) idle() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan struct{})
	if f.n == 0 {
		close(c)
	} else {
		f.waits = append(f.waits, c)
	}
	return c
}

// ServeHTTP routes by path prefix: each simulated "host" lives under its own
// prefix on the one listener.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handlers.start()
	defer s.handlers.done()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	if s.urlTooLong(rec, r) {
		s.logRequest(r, rec.status)
		return
	}
	// Operations that are due finish before any surface looks at the world:
	// a regenerated key or a deleted endpoint must stop scoring the moment
	// its operation ends, not when the next ARM request happens to arrive.
	s.settle()
	if s.applyFaults(rec, r) {
		s.logRequest(r, rec.status)
		return
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/graph/"):
		s.graph.serveGraph(rec, r)
	case strings.HasPrefix(p, "/inference/"):
		s.scoring.serveScoring(rec, r)
	case p == "/devicelogin":
		s.entra.serveDeviceLogin(rec, r)
	case isEntraPath(p):
		s.entra.serveEntra(rec, r)
	case strings.EqualFold(p, "/providers/Microsoft.ResourceGraph/resources"):
		s.rg.serve(rec, r) // Resource Graph (resourcegraph.go), before the ARM catch-all
	default:
		s.arm.serveARM(rec, r)
	}
	s.logRequest(r, rec.status)
}

// urlTooLong refuses an over-long URL or path segment before anything
// routes it, so no handler ever echoes unbounded input in an error message.
// The answer names the limit, never the URL.
func (s *Server) urlTooLong(w http.ResponseWriter, r *http.Request) bool {
	if len(r.RequestURI) > s.opts.MaxURLLength {
		writeARMError(w, http.StatusRequestURITooLong, "RequestUriTooLong",
			fmt.Sprintf("The request URL is longer than %d characters.", s.opts.MaxURLLength))
		return true
	}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if len(seg) > maxURLSegment {
			writeARMError(w, http.StatusRequestURITooLong, "RequestUriTooLong",
				fmt.Sprintf("A segment of the request path is longer than %d characters.", maxURLSegment))
			return true
		}
	}
	return false
}

// logRequest writes one line per request: never query values, bodies or headers.
func (s *Server) logRequest(r *http.Request, status int) {
	if s.opts.Log == nil {
		return
	}
	fmt.Fprintf(s.opts.Log, "%s %s %s %d\n", s.now().UTC().Format(time.RFC3339), r.Method, epwClip(r.URL.Path), status)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (Hijack for dropped connections).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// roleIndex returns the role definitions indexed by GUID, rebuilt only when
// the custom roles change (the hot read path evaluates RBAC on every request).
func (s *core) roleIndex() rbac.RoleIndex {
	s.roleMu.Lock()
	defer s.roleMu.Unlock()
	if s.roleIdx == nil || s.roleGen != len(s.world.CustomRoles) {
		s.roleIdx, s.roleGen = s.roles().Index(), len(s.world.CustomRoles)
	}
	return s.roleIdx
}
