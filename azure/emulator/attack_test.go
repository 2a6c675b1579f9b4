package emulator

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Attacks from issue 15, each over real HTTPS against a running server:
// they failed before the fix they name.

// formerKey is how seeded keys used to be derived: anyone who could read an
// endpoint's id could compute its key.
func formerKey(endpointID, n string) string {
	sum := sha256.Sum256([]byte("key|" + endpointID + "|" + n))
	return base64.RawStdEncoding.EncodeToString(sum[:])[:32]
}

func TestAttackDerivedKeyDoesNotScore(t *testing.T) {
	e := newARMT(t, Options{})
	// Bob is a Reader: he sees the endpoint's id but may not list its keys.
	if code, _, b := e.post("bob", churnKey+"/listKeys", ""); code != http.StatusForbidden {
		t.Fatalf("bob listKeys: %d %s", code, b)
	}
	for _, n := range []string{"1", "2"} {
		st, h, b := e.scoreReq("churn-key", formerKey(churnKey, n), scoreSample, nil)
		wantScoreErr(t, st, h, b, http.StatusUnauthorized, "InvalidKey")
	}
	primary, secondary := e.keysOf("churn-key")
	if primary == formerKey(churnKey, "1") || secondary == formerKey(churnKey, "2") {
		t.Fatal("seeded keys are still derived from the endpoint id")
	}
}

func TestAttackSecretsDifferPerInstance(t *testing.T) {
	a, b := newARMT(t, Options{}), newARMT(t, Options{})
	ka, kb := a.keys("olivia", churnKey), b.keys("olivia", churnKey)
	if ka.PrimaryKey == kb.PrimaryKey || ka.SecondaryKey == kb.SecondaryKey {
		t.Error("two servers minted the same endpoint keys")
	}
	_, _, sa := a.s.ServicePrincipalCredentials()
	_, _, sb := b.s.ServicePrincipalCredentials()
	if sa == sb {
		t.Error("two servers minted the same client secret")
	}
	// The other server's key is worth nothing here.
	st, h, body := a.scoreReq("churn-key", kb.PrimaryKey, scoreSample, nil)
	wantScoreErr(t, st, h, body, http.StatusUnauthorized, "InvalidKey")
	// and the app still signs in with its (random) secret.
	if tok := a.token("sp", armtScope); tok == "" {
		t.Error("no token for the app")
	}
}

// The data plane sees finished operations at once: no ARM request needs to
// arrive in between (before the fix, the old key scored until one did).
func TestAttackStaleStateAfterRegenerateAndDelete(t *testing.T) {
	e, clock := epwEnv(t)
	before, _ := e.keysOf("churn-key")
	if code, _, b := e.post("olivia", churnKey+"/regenerateKeys", `{"keyType":"Primary"}`); code != http.StatusAccepted {
		t.Fatalf("regenerate: %d %s", code, b)
	}
	// While the operation runs the old key still works, as in Azure.
	predictions(t)(e.scoreReq("churn-key", before, scoreSample, nil))
	clock.Advance(3 * time.Second)
	st, h, b := e.scoreReq("churn-key", before, scoreSample, nil)
	wantScoreErr(t, st, h, b, http.StatusUnauthorized, "InvalidKey")

	after, _ := e.keysOf("churn-key")
	predictions(t)(e.scoreReq("churn-key", after, scoreSample, nil))
	sai := e.endpoint(churnKey).Identity.PrincipalID
	g := e.graph(t, "olivia")
	if code, body := g.call(http.MethodGet, "/servicePrincipals/"+sai, nil, nil); code != http.StatusOK {
		t.Fatalf("the endpoint's identity before the delete: %d %v", code, body)
	}
	if code, _, b := e.epwSend("olivia", http.MethodDelete, churnKey, nil); code != http.StatusAccepted {
		t.Fatalf("delete: %d %s", code, b)
	}
	clock.Advance(3 * time.Second)
	// Graph, first to look: the system-assigned identity went with the endpoint.
	if code, body := g.call(http.MethodGet, "/servicePrincipals/"+sai, nil, nil); code != http.StatusNotFound {
		t.Errorf("the deleted endpoint's identity in Graph: %d %v", code, body)
	}
	st, h, b = e.scoreReq("churn-key", after, scoreSample, nil)
	wantScoreErr(t, st, h, b, http.StatusNotFound, "EndpointNotFound")
}

// dialTLS opens a raw TLS connection to the server (no HTTP client in the
// way), with a guard deadline far beyond the limits the test sets: reaching
// it means the server held the connection.
func dialTLS(t *testing.T, s *Server) *tls.Conn {
	t.Helper()
	conn, err := tls.Dial("tcp", strings.TrimPrefix(s.URL(), "https://"), &tls.Config{RootCAs: s.pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	return conn
}

// closedByServer reads until the connection ends and fails if it ended by
// the test's guard deadline instead of the server closing it.
func closedByServer(t *testing.T, conn *tls.Conn, what string) {
	t.Helper()
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: the server held the connection", what)
	}
}

func TestAttackSlowBodyIsCutOff(t *testing.T) {
	e := newARMT(t, Options{ReadTimeout: 300 * time.Millisecond})
	conn := dialTLS(t, e.s)
	// A body announced as 100 bytes, of which one arrives: the server must
	// not wait for the rest beyond its read timeout.
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", scoreURI("churn-key"))
	closedByServer(t, conn, "a trickled body")
}

func TestAttackIdleConnectionIsClosed(t *testing.T) {
	e := newARMT(t, Options{IdleTimeout: 300 * time.Millisecond})
	conn := dialTLS(t, e.s)
	fmt.Fprintf(conn, "GET /common/discovery/instance HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	closedByServer(t, conn, "an idle keep-alive connection")
}

func TestAttackLongURLIsRefusedWithoutEcho(t *testing.T) {
	e := newARMT(t, Options{})
	tok := e.token("olivia", armtScope)
	long := strings.Repeat("k", 100_000)
	for _, path := range []string{
		wsID(SubProduction, "rg-ml-prod", "mlw-churn") + "/onlineEndpoints/" + long + "?api-version=2024-04-01",
		wsID(SubProduction, "rg-ml-prod", "mlw-churn") + "/onlineEndpoints/" + long[:300] + "?api-version=2024-04-01",
		scoreURI(long[:1000]),
		"/graph/v1.0/users/" + long[:5000],
	} {
		code, _, b := e.do(http.MethodGet, path, tok, nil, nil)
		if code != http.StatusRequestURITooLong {
			t.Errorf("%d-character URL: %d, want 414", len(path), code)
		}
		if c, _ := armtError(t, b); c != "RequestUriTooLong" || bytes.Contains(b, []byte("kkkk")) {
			t.Errorf("%d-character URL: %s %.200s", len(path), c, b)
		}
	}
	// A header block over MaxHeaderBytes is refused by the HTTP server itself.
	small := newARMT(t, Options{MaxHeaderBytes: 4096})
	conn := dialTLS(t, small.s)
	fmt.Fprintf(conn, "GET /subscriptions?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("h", 8192))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized headers: %d, want 431", resp.StatusCode)
	}
}

// Azure compares names ordinal ignore-case: a Kelvin sign (U+212A) is not
// a "k" and a long s (U+017F) is not an "s", though Unicode folds them so.
func TestAttackUnicodeFoldedNamesDoNotMatch(t *testing.T) {
	e := newARMT(t, Options{})
	tok := e.token("alice", armtScope)
	kelvin := wsID(SubProduction, "rg-ml-prod", "mlw-churn") + "/onlineEndpoints/churn-\u212Aey"
	if code, _, b := e.do(http.MethodGet, kelvin+"?api-version=2024-04-01", tok, nil, nil); code != http.StatusNotFound {
		t.Errorf("GET with a Kelvin sign: %d %s", code, b)
	}
	if code, _, b := e.do(http.MethodPost, kelvin+"/listKeys?api-version=2024-04-01", tok, nil, nil); code == http.StatusOK {
		t.Errorf("listKeys with a Kelvin sign: %d %s", code, b)
	}
	longS := "/\u017Fubscriptions/" + SubProduction + "/resourceGroups/rg-ml-prod?api-version=2022-12-01"
	if code, _, b := e.do(http.MethodGet, longS, tok, nil, nil); code == http.StatusOK {
		t.Errorf("a long s in a literal segment: %d %s", code, b)
	}
	primary, _ := e.keysOf("churn-key")
	st, h, b := e.scoreReq("churn-\u212Aey", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, http.StatusNotFound, "EndpointNotFound")
	// Plain case differences still match, as in Azure.
	if code, _, b := e.do(http.MethodGet, strings.ToUpper(churnKey)+"?api-version=2024-04-01", tok, nil, nil); code != http.StatusOK {
		t.Errorf("GET in upper case: %d %s", code, b)
	}
}
