package emulator

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The HTTPS-proxy mode: unmodified clients (az 2.45 and the Python SDK were
// tried; Go's azidentity in the tests) reach the simulated Azure under Azure's own host names,
// with HTTPS_PROXY pointing here and the emulator's CA trusted. No cloud is
// registered, so MSAL's instance discovery
// (https://login.microsoftonline.com/common/discovery/instance), which it
// asks about any authority host it does not know, never leaves the machine:
// login.microsoftonline.com is the simulated Azure too.
//
// The proxy accepts CONNECT only for those host names and the emulator's own
// address. It terminates TLS itself, with a certificate the emulator's CA
// signed, and serves the requests from the same world. It never opens an
// outbound connection: every other host is refused with 403.
//
// CONNECT: RFC 9110 §9.3.6 (https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6)
// asks the recipient to open a tunnel to the destination origin server; here
// the tunnel's far end is in-process.

// proxiedHosts maps each Microsoft host name the proxy serves to the path
// prefix that host has on the emulator's listener.
var proxiedHosts = map[string]string{
	"login.microsoftonline.com":   "", // Entra ID (v2.0 endpoints, instance discovery)
	"login.windows.net":           "", // the older authority host some clients still default to
	"management.azure.com":        "", // ARM
	"management.core.windows.net": "", // ARM's classic audience host
	"graph.microsoft.com":         strings.TrimSuffix(graphPrefix, "/v1.0"),
}

// proxyHostNames are the names the proxy's certificate must cover.
func proxyHostNames() []string {
	names := make([]string, 0, len(proxiedHosts))
	for h := range proxiedHosts {
		names = append(names, h)
	}
	return names
}

// Proxy is the running HTTPS-proxy front of a Server.
type Proxy struct {
	s     *Server
	ln    net.Listener
	front *http.Server // CONNECT only
	inner *http.Server // HTTPS inside the tunnels
	conns *tunnelListener
}

// StartProxy serves the proxy on addr (loopback only). The Server must have
// been started with Options.ProxyHosts, so its certificate covers the
// Microsoft host names.
func (s *Server) StartProxy(addr string) (*Proxy, error) {
	if !s.opts.ProxyHosts {
		return nil, errors.New("the HTTPS proxy needs a server started with ProxyHosts (its certificate must name the Microsoft hosts)")
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("proxy listen on %s: %w", addr, err)
	}
	errLog := s.srv.ErrorLog
	p := &Proxy{s: s, ln: ln, conns: newTunnelListener(ln.Addr())}
	p.front = &http.Server{Handler: http.HandlerFunc(p.serveConnect), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog}
	// Inside a tunnel the same limits hold as on the emulator's own listener.
	p.inner = &http.Server{
		Handler: http.HandlerFunc(p.serveTunnelled),
		// The emulator's certificate (never Clone the config: its own server is
		// still adding its ALPN protocols to it concurrently).
		TLSConfig:         &tls.Config{Certificates: s.srv.TLSConfig.Certificates, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: s.srv.ReadHeaderTimeout,
		ReadTimeout:       s.srv.ReadTimeout,
		IdleTimeout:       cmp.Or(s.srv.IdleTimeout, 2*time.Minute),
		MaxHeaderBytes:    s.srv.MaxHeaderBytes,
		ErrorLog:          errLog,
	}
	go func() { _ = p.front.Serve(ln) }()
	go func() { _ = p.inner.ServeTLS(p.conns, "", "") }()
	return p, nil
}

// URL is the proxy's address for HTTPS_PROXY, e.g. "http://127.0.0.1:8444".
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops accepting tunnels and closes the open ones.
func (p *Proxy) Close() error {
	err := errors.Join(p.front.Close(), p.inner.Close())
	p.conns.Close()
	return err
}

// target returns the path prefix for a CONNECT authority (host:port), and
// whether the proxy serves it at all.
func (p *Proxy) target(authority string) (string, bool) {
	host, port, err := net.SplitHostPort(authority)
	if err != nil {
		return "", false
	}
	if strings.EqualFold(authority, p.s.ln.Addr().String()) {
		return "", true // the emulator itself: the absolute URLs in its answers point here
	}
	prefix, ok := proxiedHosts[strings.ToLower(host)]
	return prefix, ok && port == "443"
}

func (p *Proxy) serveConnect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "This proxy only tunnels HTTPS (CONNECT) to the simulated Azure's hosts; it forwards nothing.", http.StatusMethodNotAllowed)
		return
	}
	if _, ok := p.target(r.Host); !ok {
		http.Error(w, fmt.Sprintf("The simulated Azure's proxy refuses %q: it serves only %s (port 443) and opens no outbound connections.",
			r.Host, strings.Join(sortedHosts(), ", ")), http.StatusForbidden)
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot open the tunnel", http.StatusInternalServerError)
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	// A client may send its TLS hello without waiting for the 200: keep
	// whatever the front server has already read.
	p.conns.push(&bufferedConn{Conn: conn, r: rw.Reader})
}

// serveTunnelled serves one request that came through a tunnel: the Host
// header names the Microsoft host, which selects the emulator's path prefix.
func (p *Proxy) serveTunnelled(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "443")
	}
	prefix, ok := p.target(host)
	if !ok {
		http.Error(w, fmt.Sprintf("misdirected request for %q", r.Host), http.StatusMisdirectedRequest)
		return
	}
	if prefix != "" {
		r.URL.Path = prefix + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = prefix + r.URL.RawPath
		}
	}
	if strings.HasSuffix(strings.ToLower(r.URL.Path), "/.well-known/openid-configuration") && !strings.EqualFold(host, p.s.ln.Addr().String()) {
		p.serveDiscoveryAs(w, r)
		return
	}
	p.s.ServeHTTP(w, r)
}

// serveDiscoveryAs answers OIDC discovery under the host the client asked.
// MSAL accepts a discovery document only if its issuer is on the authority's
// host (MSAL Go: authority.go, "issuer … does not match authority"), and the
// client's authority here is https://login.microsoftonline.com/{tenant}. The
// document's endpoints move to that host too, so the token requests come
// back through the proxy. Tokens keep the emulator's own issuer, which MSAL
// does not compare (it does not validate ID tokens it receives directly from
// the token endpoint).
func (p *Proxy) serveDiscoveryAs(w http.ResponseWriter, r *http.Request) {
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	p.s.ServeHTTP(rec, r)
	body := rec.body.Bytes()
	if rec.status == http.StatusOK {
		body = bytes.ReplaceAll(body, []byte(p.s.URL()+"/"), []byte("https://"+strings.ToLower(hostOnly(r.Host))+"/"))
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// bufferedResponse holds a small response (a discovery document) to rewrite.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(code int)        { b.status = code }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

func sortedHosts() []string {
	hosts := proxyHostNames()
	slices.Sort(hosts)
	return hosts
}

// tunnelListener hands hijacked CONNECT tunnels to the inner HTTPS server.
type tunnelListener struct {
	addr net.Addr
	ch   chan net.Conn
	once sync.Once
	done chan struct{}
}

func newTunnelListener(addr net.Addr) *tunnelListener {
	return &tunnelListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *tunnelListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *tunnelListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *tunnelListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *tunnelListener) Addr() net.Addr { return l.addr }

// bufferedConn reads first what the CONNECT parser buffered.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
