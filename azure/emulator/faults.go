package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is an injected failure for requests whose path matches Route.
type Fault struct {
	Route      string        // path glob, case-insensitive, '*' spans segments; "" = every path
	Method     string        // "" = any method
	Rate       float64       // probability 0..1 (0 means 1)
	Latency    time.Duration // added before answering
	Status     int           // answer with this status (429, 500, 502, 503, 504, ...); 0 = pass through
	RetryAfter int           // seconds, sent with 429/503
	Drop       bool          // close the connection without an answer
	// LROFail lets the request start its long-running operation, which then
	// ends Failed (a failed provisioning). Only writes that start an LRO use it.
	LROFail bool
}

// ParseFault reads "route=/subscriptions/*,status=429,rate=0.2,retry-after=1",
// "latency=50ms" or "drop,rate=0.1".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	if strings.TrimSpace(spec) == "" {
		return f, fmt.Errorf("empty fault; e.g. status=429,rate=0.2 or latency=50ms")
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, hasV := strings.Cut(strings.TrimSpace(part), "=")
		var err error
		switch strings.ToLower(k) {
		case "route":
			f.Route = v
		case "method":
			f.Method = strings.ToUpper(v)
		case "rate":
			f.Rate, err = strconv.ParseFloat(v, 64)
			if err == nil && (f.Rate < 0 || f.Rate > 1) {
				err = fmt.Errorf("must be between 0 and 1")
			}
		case "latency":
			f.Latency, err = time.ParseDuration(v)
		case "status":
			f.Status, err = strconv.Atoi(v)
			if err == nil && (f.Status < 400 || f.Status > 599) {
				err = fmt.Errorf("must be an error status 400-599")
			}
		case "retry-after":
			f.RetryAfter, err = strconv.Atoi(v)
		case "drop":
			f.Drop = !hasV || v == "true"
		case "lro-fail":
			f.LROFail = !hasV || v == "true"
		default:
			return f, fmt.Errorf("unknown fault field %q (route, method, rate, latency, status, retry-after, drop, lro-fail)", k)
		}
		if err != nil {
			return f, fmt.Errorf("fault field %s=%q: %v", k, v, err)
		}
	}
	if f.Latency == 0 && f.Status == 0 && !f.Drop && !f.LROFail {
		return f, fmt.Errorf("fault %q does nothing: give status=, latency=, drop or lro-fail", spec)
	}
	return f, nil
}

func (f Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	return f.Route == "" || matchGlob(strings.ToLower(f.Route), strings.ToLower(r.URL.Path))
}

// matchGlob matches with '*' spanning any characters (as RBAC actions do).
func matchGlob(p, s string) bool {
	if p == "" {
		return s == ""
	}
	if p[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if matchGlob(p[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && p[0] == s[0] && matchGlob(p[1:], s[1:])
}

// armedFault is a fault with its own dice. Each fault (each route) draws
// from its own source, seeded from the seed and the fault's place in the
// list: requests to other routes, in whatever order they interleave, do
// not change which requests of this route fail, so a seed reproduces a run.
type armedFault struct {
	Fault
	mu  *sync.Mutex
	rng *rand.Rand
}

func armFaults(fs []Fault, seed int64) []armedFault {
	out := make([]armedFault, len(fs))
	for i, f := range fs {
		out[i] = armedFault{Fault: f, mu: &sync.Mutex{}, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed+uint64(i)))}
	}
	return out
}

// roll draws from the fault's dice; deterministic for a given seed and
// order of the requests this fault matches.
func (f armedFault) roll() bool {
	if f.Rate <= 0 || f.Rate >= 1 {
		return true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < f.Rate
}

// SetFaults replaces the injected faults while the server runs (tests that
// show an error and then the recovery; a demo that turns trouble on and
// off). Their dice start again from the server's seed.
func (s *Server) SetFaults(fs []Fault) { s.faults.set(fs) }

// faultSet is the armed faults: the front door applies them (Server) and the
// ARM host asks whether an operation it starts must fail (lroFails).
type faultSet struct {
	mu   sync.Mutex
	seed int64
	list []armedFault
}

func (f *faultSet) set(fs []Fault) {
	armed := armFaults(fs, f.seed)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list = armed
}

func (f *faultSet) active() []armedFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list
}

// applyFaults injects the first matching fault; true means the request was answered.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request) bool {
	for _, f := range s.faults.active() {
		if f.LROFail || !f.matches(r) || !f.roll() {
			continue
		}
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return true
			}
		}
		switch {
		case f.Drop:
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			} else {
				panic(http.ErrAbortHandler) // HTTP/2: abort the stream
			}
			return true
		case f.Status != 0:
			if f.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
			}
			code, msg := faultError(f.Status)
			if strings.HasPrefix(r.URL.Path, "/inference/") {
				s.scoring.writeScoringFault(w, r, f.Status) // the data plane answers in its own shape (scoring.go)
			} else if strings.HasPrefix(r.URL.Path, "/graph/") {
				writeGraphError(w, f.Status, code, msg)
			} else {
				writeARMError(w, f.Status, code, msg)
			}
			return true
		}
	}
	return false
}

// lroFails reports whether an lro-fail fault fires for r: the operation r
// starts must end Failed.
func (s *armHost) lroFails(r *http.Request) bool {
	for _, f := range s.faults.active() {
		if f.LROFail && f.matches(r) && f.roll() {
			return true
		}
	}
	return false
}

func faultError(status int) (code, msg string) {
	switch status {
	case 429:
		return "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits"
	case 500:
		return "InternalServerError", "Encountered internal server error. Diagnostic information: timestamp '', subscription id '', tracking id '', request correlation id ''."
	case 502:
		return "BadGateway", "The server received an invalid response from an upstream server."
	case 503:
		return "ServiceUnavailable", "The service is temporarily unavailable. Please retry later."
	case 504:
		return "GatewayTimeout", "The gateway did not receive a response within the specified time period."
	}
	return http.StatusText(status), "Injected fault."
}
