package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Data-plane tests: every auth mode with its right and wrong credentials,
// routing by traffic and by header, the model, and each failure code.

const (
	scoreSample = `{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}`
	mlScope     = "https://ml.azure.com/.default"
)

func scoreURI(ep string) string { return "/inference/eastus/" + ep + "/score" }

// scoreReq POSTs body to endpoint ep with bearer cred (raw Authorization
// value when it has a space, "" for none) and extra headers.
func (e *armtEnv) scoreReq(ep, cred, body string, hdr map[string]string) (int, http.Header, []byte) {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range hdr {
		h[k] = v
	}
	if strings.Contains(cred, " ") {
		h["Authorization"], cred = cred, ""
	}
	return e.do(http.MethodPost, scoreURI(ep), cred, strings.NewReader(body), h)
}

// keysOf reads an endpoint's keys through listKeys, as a user would: the
// keys are random per server, so nothing can compute them. Olivia owns
// rg-ml-prod, so she may read the keys of every endpoint there.
func (e *armtEnv) keysOf(ep string) (primary, secondary string) {
	k := e.keys("olivia", epID(SubProduction, "rg-ml-prod", "mlw-churn", ep))
	return k.PrimaryKey, k.SecondaryKey
}

func wantScoreErr(t *testing.T, status int, hdr http.Header, body []byte, wantStatus int, wantCode string, wantInMsg ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	code, msg := armtError(t, body)
	if code != wantCode {
		t.Errorf("code %q, want %q (%s)", code, wantCode, msg)
	}
	for _, w := range wantInMsg {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
	if hdr.Get("x-request-id") == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Errorf("headers: x-request-id %q, Content-Type %q", hdr.Get("x-request-id"), hdr.Get("Content-Type"))
	}
	if wantStatus == http.StatusUnauthorized && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("401 without WWW-Authenticate: %v", hdr)
	}
}

// predictions checks a 200 and decodes it: predictions(t)(e.scoreReq(...)).
func predictions(t *testing.T) func(status int, hdr http.Header, body []byte) []float64 {
	return func(status int, hdr http.Header, body []byte) []float64 {
		t.Helper()
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		var p []float64
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("body is not an array of numbers: %v: %s", err, body)
		}
		if hdr.Get("x-request-id") == "" || hdr.Get("azureml-model-deployment") == "" || hdr.Get("Content-Type") != "application/json" {
			t.Errorf("missing data-plane headers: %v", hdr)
		}
		return p
	}
}

func TestScoringKeyAuth(t *testing.T) {
	e := newARMT(t, Options{})
	primary, secondary := e.keysOf("churn-key")
	for _, k := range []string{primary, secondary} {
		st, h, b := e.scoreReq("churn-key", k, scoreSample, map[string]string{"x-ms-client-request-id": "my-id-1"})
		if p := predictions(t)(st, h, b); len(p) != 2 {
			t.Errorf("want 2 predictions, got %v", p)
		}
		if h.Get("x-ms-client-request-id") != "my-id-1" {
			t.Errorf("client request id not echoed: %v", h)
		}
	}
	st, h, b := e.scoreReq("churn-key", primary+"x", scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidKey", "regenerated")
	if bytes.Contains(b, []byte(primary)) || strings.Contains(h.Get("WWW-Authenticate"), primary) {
		t.Error("the answer repeats the key")
	}
	st, h, b = e.scoreReq("churn-key", e.token("alice", mlScope), scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidKey", "token was sent")
	st, h, b = e.scoreReq("churn-key", "", scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "MissingAuthorization", "missing")
	st, h, b = e.scoreReq("churn-key", "Basic "+primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidAuthorization", "Bearer")
	st, h, b = e.scoreReq("churn-key", "Bearer ", scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidAuthorization")

	// A regenerated key stops working at once.
	e.s.Mutate(func(w *World) {
		w.Endpoints[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-key"))].PrimaryKey = "rotated-primary-key-000000000000"
	})
	st, h, b = e.scoreReq("churn-key", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidKey")
}

func TestScoringAMLTokenAuth(t *testing.T) {
	var skew atomic.Int64
	e := newARMT(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }, AMLTokenLifetime: time.Hour})
	tok, exp, err := e.s.ScoringAMLToken(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml"))
	if err != nil || time.Until(exp) < 50*time.Minute {
		t.Fatalf("token: %v, expires %v", err, exp)
	}
	predictions(t)(e.scoreReq("churn-aml", tok, scoreSample, nil))

	other, _, _ := e.s.ScoringAMLToken(epID(SubProduction, "rg-ml-shared", "mlw-shared", "shared-sentiment"))
	st, h, b := e.scoreReq("churn-aml", other, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "another endpoint")
	st, h, b = e.scoreReq("churn-aml", e.token("alice", mlScope), scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "not an AML token")
	primary, _ := e.keysOf("churn-key")
	st, h, b = e.scoreReq("churn-aml", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "not a token")

	// Deleted and re-created under the same name, within the same second: the old token is refused.
	e.s.Mutate(func(w *World) {
		w.Endpoints[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml"))].Incarnation = newGUID()
	})
	st, h, b = e.scoreReq("churn-aml", tok, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "another endpoint")
	tok, _, _ = e.s.ScoringAMLToken(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml"))

	skew.Store(int64(2 * time.Hour))
	st, h, b = e.scoreReq("churn-aml", tok, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "TokenExpired", "expired")
}

func TestScoringEntraAuth(t *testing.T) {
	e := newARMT(t, Options{})
	scope := epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aad")
	// alice (workspace role), gary (through the ml-scorers group) and the app may score.
	for _, who := range []string{"alice", "gary", "sp"} {
		predictions(t)(e.scoreReq("churn-aad", e.token(who, mlScope), scoreSample, nil))
	}
	// A management token: the classic mistake.
	st, h, b := e.scoreReq("churn-aad", e.token("alice", armtScope), scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidAuthenticationTokenAudience", "wrong audience", "https://management.azure.com", "https://ml.azure.com")
	// bob reads everything but holds no score/action.
	st, h, b = e.scoreReq("churn-aad", e.token("bob", mlScope), scoreSample, nil)
	wantScoreErr(t, st, h, b, 403, "AuthorizationFailed")
	if _, msg := armtError(t, b); msg != armtForbidden("bob@contoso.example", idBob, actScore, scope) {
		t.Errorf("403 message: %s", msg)
	}
	st, h, b = e.scoreReq("churn-aad", e.token("nina", mlScope), scoreSample, nil)
	wantScoreErr(t, st, h, b, 403, "AuthorizationFailed", actScore)
	// Keys and AML tokens are refused.
	primary, _ := e.keysOf("churn-key") // an AADToken endpoint has no keys to list
	st, h, b = e.scoreReq("churn-aad", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "not a token")
	aml, _, _ := e.s.ScoringAMLToken(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml"))
	st, h, b = e.scoreReq("churn-aad", aml, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidToken", "AML token")
	st, h, b = e.scoreReq("churn-aad", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "InvalidAuthenticationToken")
}

func TestScoringEntraTokenExpired(t *testing.T) {
	var skew atomic.Int64
	e := newARMT(t, Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	tok := e.token("alice", mlScope)
	predictions(t)(e.scoreReq("churn-aad", tok, scoreSample, nil))
	skew.Store(int64(3 * time.Hour))
	st, h, b := e.scoreReq("churn-aad", tok, scoreSample, nil)
	wantScoreErr(t, st, h, b, 401, "ExpiredAuthenticationToken", "earlier than current UTC time")
}

func TestScoringRoutesByTrafficDeterministically(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key") // blue 90, green 10
	counts := map[string]int{}
	var seq []string
	for range 100 {
		_, h, _ := e.scoreReq("churn-key", primary, scoreSample, nil)
		d := h.Get("azureml-model-deployment")
		counts[d]++
		seq = append(seq, d)
	}
	if counts["blue"] != 90 || counts["green"] != 10 {
		t.Fatalf("100 requests: want blue 90 green 10, got %v", counts)
	}
	// Smooth: green never answers twice in a row.
	for i := 1; i < len(seq); i++ {
		if seq[i] == "green" && seq[i-1] == "green" {
			t.Fatalf("green twice in a row at %d: %v", i, seq)
		}
	}
	// The rotation is the same on another server.
	e2 := newARMT(t, Options{})
	primary2, _ := e2.keysOf("churn-key") // keys are random per server
	for i := range 20 {
		if _, h, _ := e2.scoreReq("churn-key", primary2, scoreSample, nil); h.Get("azureml-model-deployment") != seq[i] {
			t.Fatalf("request %d went to %s on a fresh server, %s before", i, h.Get("azureml-model-deployment"), seq[i])
		}
	}
}

func TestScoringRoutesByHeaderAndModelsDiffer(t *testing.T) {
	e := newARMT(t, Options{})
	tok, _, _ := e.s.ScoringAMLToken(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml")) // green has 0% traffic
	for range 5 {
		if _, h, _ := e.scoreReq("churn-aml", tok, scoreSample, nil); h.Get("azureml-model-deployment") != "blue" {
			t.Fatalf("traffic blue=100 answered by %q", h.Get("azureml-model-deployment"))
		}
	}
	got := map[string][]float64{}
	for _, d := range []string{"blue", "GREEN"} {
		st, h, b := e.scoreReq("churn-aml", tok, scoreSample, map[string]string{"azureml-model-deployment": d})
		got[strings.ToLower(d)] = predictions(t)(st, h, b)
		if !strings.EqualFold(h.Get("azureml-model-deployment"), d) {
			t.Errorf("header %s answered by %s", d, h.Get("azureml-model-deployment"))
		}
	}
	// The predictions are the deployment's linear model.
	e.s.Mutate(func(w *World) {
		for _, name := range []string{"blue", "green"} {
			d := w.Deployments[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-aml")+"/deployments/"+name)]
			rows := [][]float64{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}}
			for i, row := range rows {
				want := d.Bias
				for j, x := range row {
					want += d.Weights[j] * x
				}
				if math.Abs(got[name][i]-want) > 1e-6 {
					t.Errorf("%s row %d: got %v want %v", name, i, got[name][i], want)
				}
			}
		}
	})
	if fmt.Sprint(got["blue"]) == fmt.Sprint(got["green"]) {
		t.Errorf("blue and green answer alike: %v", got)
	}

	st, h, b := e.scoreReq("churn-aml", tok, scoreSample, map[string]string{"azureml-model-deployment": "purple"})
	wantScoreErr(t, st, h, b, 404, "DeploymentNotFound", "purple", "blue, green")
}

func TestScoringNotFound(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key")
	st, h, b := e.scoreReq("no-such-endpoint", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 404, "EndpointNotFound", "no-such-endpoint")
	st, h, b = e.do(http.MethodPost, "/inference/westeurope/churn-key/score", primary, strings.NewReader(scoreSample), nil)
	wantScoreErr(t, st, h, b, 404, "EndpointNotFound", "westeurope")
	// Case does not matter.
	predictions(t)(e.do(http.MethodPost, "/inference/EastUS/Churn-Key/score", primary, strings.NewReader(scoreSample), nil))

	// No deployment with traffic: 404, but the header still reaches one.
	e.s.Mutate(func(w *World) {
		w.Endpoints[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-key"))].Traffic = map[string]int32{"blue": 0, "green": 0}
	})
	st, h, b = e.scoreReq("churn-key", primary, scoreSample, nil)
	wantScoreErr(t, st, h, b, 404, "NoValidDeployment", "positive weight")
	predictions(t)(e.scoreReq("churn-key", primary, scoreSample, map[string]string{"azureml-model-deployment": "green"}))

	st, h, b = e.do(http.MethodGet, scoreURI("churn-key"), primary, nil, nil)
	wantScoreErr(t, st, h, b, 405, "MethodNotAllowed", "POST")
	if h.Get("Allow") != "POST" {
		t.Errorf("405 without Allow: %v", h)
	}
	st, h, b = e.do(http.MethodPost, "/inference/eastus/churn-key/predict", primary, nil, nil)
	wantScoreErr(t, st, h, b, 404, "NotFound", "/score")
}

func TestScoringBadInput(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key")
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "empty"},
		{"invalid JSON", `{"data": [[1,2,3}`, "not valid JSON"},
		{"not an object", `[[1,2,3,4,5,6,7,8,9,10]]`, "not an object"},
		{"no data", `{"input_data": [[1,2,3,4,5,6,7,8,9,10]]}`, `no "data" field`},
		{"data not rows", `{"data": "1,2,3"}`, "not an array of rows"},
		{"no rows", `{"data": []}`, "no rows"},
		{"row of strings", `{"data": [["a","b","c","d","e","f","g","h","i","j"]]}`, "Row 1"},
		{"short row", `{"data": [[1,2,3,4,5,6,7,8,9,10],[1,2,3]]}`, "Row 2 of \"data\" has 3 numbers; this model takes 10"},
	} {
		st, h, b := e.scoreReq("churn-key", primary, tc.body, map[string]string{"azureml-model-deployment": "blue"})
		wantScoreErr(t, st, h, b, 400, "BadRequest", tc.want)
		if _, msg := armtError(t, b); !strings.Contains(msg, `{"data": [[1,2,...,10], ...]}`) {
			t.Errorf("%s: the message does not show the expected shape: %s", tc.name, msg)
		}
		if h.Get("azureml-model-deployment") != "blue" {
			t.Errorf("%s: 400 does not name the deployment", tc.name)
		}
	}
	// Huge numbers still give a JSON answer (no Inf, no empty 200).
	huge := `{"data": [[1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308]]}`
	if p := predictions(t)(e.scoreReq("churn-key", primary, huge, nil)); len(p) != 1 || math.IsInf(p[0], 0) {
		t.Errorf("huge input: %v", p)
	}
	big := `{"data": [[` + strings.Repeat("1,", maxScoringBody/2) + `1]]}`
	st, h, b := e.scoreReq("churn-key", primary, big, nil)
	wantScoreErr(t, st, h, b, 413, "RequestTooLarge", "5 MB")
}

func TestScoringFaults(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key")
	for _, tc := range []struct {
		status     int
		code       string
		retryAfter string
	}{
		{424, "ModelError", ""}, {408, "RequestTimeout", ""}, {429, "TooManyRequests", "2"}, {500, "InternalServerError", ""}, {503, "ServiceUnavailable", "1"},
	} {
		ra := 0
		fmt.Sscan(tc.retryAfter, &ra)
		e.s.SetFaults([]Fault{{Route: "/inference/*/score", Status: tc.status, RetryAfter: ra}})
		st, h, b := e.scoreReq("churn-key", primary, scoreSample, nil)
		wantScoreErr(t, st, h, b, tc.status, tc.code)
		if h.Get("Retry-After") != tc.retryAfter {
			t.Errorf("%d: Retry-After %q, want %q", tc.status, h.Get("Retry-After"), tc.retryAfter)
		}
		if tc.status == 424 && (h.Get("ms-azureml-model-error-statuscode") != "500" || h.Get("ms-azureml-model-error-reason") == "") {
			t.Errorf("424 without the model error headers: %v", h)
		}
		if tc.status != 424 && h.Get("ms-azureml-model-error-statuscode") != "" {
			t.Errorf("%d carries model error headers", tc.status)
		}
	}
	// The fault is scoped to scoring: ARM still answers, and the data plane recovers.
	e.s.SetFaults(nil)
	predictions(t)(e.scoreReq("churn-key", primary, scoreSample, nil))
}

func TestScoringSwagger(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key")
	st, _, b := e.do(http.MethodGet, "/inference/eastus/churn-key/swagger.json", primary, nil, nil)
	if st != 200 {
		t.Fatalf("swagger: %d %s", st, b)
	}
	var doc struct {
		Swagger string
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Swagger != "2.0" || doc.Paths["/score"]["post"] == nil {
		t.Fatalf("not a swagger document for POST /score: %v %s", err, b)
	}
	if !bytes.Contains(b, []byte(`"maxItems":10`)) {
		t.Errorf("swagger does not give the row width: %s", b)
	}
	st, h, b := e.do(http.MethodGet, "/inference/eastus/churn-key/swagger.json", "", nil, nil)
	wantScoreErr(t, st, h, b, 401, "MissingAuthorization")
	st, h, b = e.do(http.MethodPost, "/inference/eastus/churn-key/swagger.json", primary, nil, nil)
	wantScoreErr(t, st, h, b, 405, "MethodNotAllowed")
}

func TestSWRRSpreadsExactly(t *testing.T) {
	for _, w := range [][]int{{90, 10}, {50, 50}, {75, 25}, {1, 2, 3}, {100}} {
		total := 0
		for _, x := range w {
			total += x
		}
		got := make([]int, len(w))
		for n := range total {
			got[swrr(w, total, n)]++
		}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("weights %v: one round gave %v", w, got)
		}
	}
}

// FuzzRunModel: any body gives predictions (finite, one per row) or a 400
// message that says what was expected; never a panic.
func FuzzRunModel(f *testing.F) {
	for _, s := range []string{scoreSample, ``, `{"data": []}`, `{"data": [[1,2,3]]}`, `{"data": [[1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308,1e308]]}`, `[1]`, `{"data": null}`, `{"data": [null]}`} {
		f.Add([]byte(s))
	}
	weights, bias := modelWeights("churn-key/blue", 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := runModel(body, weights, bias)
		if err != nil {
			if !strings.Contains(err.Error(), `Expected a JSON object like {"data"`) && !strings.Contains(err.Error(), "overflows") {
				t.Fatalf("unhelpful message: %v", err)
			}
			return
		}
		if len(out) == 0 {
			t.Fatal("no predictions and no error")
		}
		for _, p := range out {
			if math.IsInf(p, 0) || math.IsNaN(p) {
				t.Fatalf("non-finite prediction %v", p)
			}
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("predictions do not encode: %v", err)
		}
	})
}
