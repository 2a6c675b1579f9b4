package azure

import (
	"context"
	"net/http"
	"time"
)

// Scoring: the data plane of online endpoints. SKELETON: the bodies are
// being written; the signatures are the contract the UI codes against.

// Credential kinds a scoring request can carry (for diagnosis).
const (
	CredKey        = "key"
	CredAMLToken   = "aml_token"
	CredEntraML    = "aad_token"  // Entra token for MLAudience
	CredManagement = "management" // Entra token for ARMAudience: the classic mistake
	CredNone       = "none"
)

// ScoreRequest is one scoring call.
type ScoreRequest struct {
	URI            string
	Body           []byte
	Deployment     string            // azureml-model-deployment header; "" = let traffic decide
	Headers        map[string]string // extra headers
	Credential     string            // bearer value: a secret, never logged
	CredentialKind string            // Cred* constant, for Diagnose
	Timeout        time.Duration     // 0 = 30s
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

// MaxRequestBody and MaxResponseBody bound what is sent and kept.
const (
	MaxRequestBody  = 5 << 20
	MaxResponseBody = 1 << 20
)

// Scorer sends scoring requests over one keep-alive client.
type Scorer struct{ client *http.Client }

// NewScorer uses cfg's transport (it trusts the emulator's CA in demo mode).
func NewScorer(cfg Config) *Scorer { return &Scorer{} }

// Score sends req. The error is a transport failure (refused URI, timeout,
// dropped connection); any HTTP answer, 4xx/5xx included, is a response.
func (sc *Scorer) Score(ctx context.Context, req ScoreRequest) (ScoreResponse, error) {
	return ScoreResponse{}, errNotYet
}
