package score

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"amlauth-tui/azure"
	"amlauth-tui/state"
	"amlauth-tui/ui/nav"
)

// Screen sizes of 80x24 and 120x40 terminals (the root takes 3 lines).
var sizes = [][2]int{{80, 21}, {120, 37}}

// goldenScreen is an AML-token endpoint with its deployments and a token
// that expires in 42 minutes.
func goldenScreen(t *testing.T) *Screen {
	t.Helper()
	ep := endpoint(azure.AuthAMLToken, "https://churn-aml.eastus.inference.ml.azure.com/score")
	ep.Endpoint = "churn-aml"
	s := newScreen(t, env(), ep)
	withDeployments(s, azure.Deployment{Name: "blue", TrafficPercent: 90}, azure.Deployment{Name: "green", TrafficPercent: 10})
	s.cred = credential{choice: choice{kind: azure.CredAMLToken}, auto: true, value: "opaque-token", expires: now.Add(42 * time.Minute)}
	return s
}

func sent(status int, dep string, body string, hdr map[string]string) result {
	h := http.Header{}
	for k, v := range hdr {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/json")
	h.Set("x-request-id", "5f0c9a1e-1111-4222-8333-944445555666")
	if dep != "" {
		h.Set("azureml-model-deployment", dep)
	}
	resp := &azure.ScoreResponse{Status: status, Deployment: dep, RequestID: h.Get("x-request-id"), Header: h, Body: []byte(body), Size: int64(len(body)),
		Trace: azure.ScoreTrace{DNS: 300 * time.Microsecond, Connect: 2100 * time.Microsecond, TLS: 6400 * time.Microsecond, FirstByte: 18200 * time.Microsecond, Total: 18900 * time.Microsecond}}
	req := azure.ScoreRequest{Body: []byte(`{"data": [[1]]}`), CredentialKind: azure.CredAMLToken}
	return result{at: now, kind: azure.CredAMLToken, resp: resp, req: req, diag: azure.Diagnose(req, *resp)}
}

func goldenAt(t *testing.T, s *Screen) {
	t.Helper()
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			s.Update(nav.SizeMsg{Width: sz[0], Height: sz[1]}) // the root's, as in the app: View lays nothing out
			golden.RequireEqual(t, []byte(ansi.Strip(s.View(sz[0], sz[1]))))
		})
	}
}

func TestGoldenEditor(t *testing.T) {
	goldenAt(t, goldenScreen(t))
}

func TestGoldenEditing(t *testing.T) {
	s := goldenScreen(t)
	press(s, "enter", "down", "end")
	typeText(s, " x")
	goldenAt(t, s)
}

func TestGoldenAnswer(t *testing.T) {
	s := goldenScreen(t)
	s.show(sent(200, "blue", `[0.31, -0.58]`, nil))
	s.focus = paneResponse
	goldenAt(t, s)
}

func TestGoldenDiagnosis424(t *testing.T) {
	s := goldenScreen(t)
	s.show(sent(424, "green", `{"error":{"code":"ModelError","message":"The model container returned a non-200 answer."}}`,
		map[string]string{"ms-azureml-model-error-statuscode": "500", "ms-azureml-model-error-reason": "model_error"}))
	s.focus = paneResponse
	goldenAt(t, s)
}

func TestGoldenHistory(t *testing.T) {
	s := goldenScreen(t)
	s.hist = []state.HistoryEntry{
		{At: now.Add(-2 * time.Minute), Deployment: "blue", CredentialKind: "aml_token", Status: 200, DurationMS: 19, RequestBody: `{"data": [[1]]}`},
		{At: now.Add(-3 * time.Hour), Target: "green", Deployment: "green", CredentialKind: "aml_token", Status: 424, DurationMS: 7, RequestBody: `{"data": [[1]]}`},
		{At: now.Add(-50 * time.Hour), CredentialKind: "management", Status: 401, DurationMS: 4, RequestBody: `{}`},
	}
	press(s, "h")
	goldenAt(t, s)
}

func TestGoldenRepeat(t *testing.T) {
	s := goldenScreen(t)
	s.rep = &repeatRun{n: 50, conc: 5, done: true, stats: azure.RepeatStats{Count: 50, StatusCounts: map[int]int{200: 47, 429: 3},
		P50: 12 * time.Millisecond, P95: 31 * time.Millisecond, Min: 8 * time.Millisecond, Max: 40 * time.Millisecond, Elapsed: 180 * time.Millisecond,
		Histogram: []azure.Bucket{{Lo: 8 * time.Millisecond, Hi: 16 * time.Millisecond, Count: 30}, {Lo: 16 * time.Millisecond, Hi: 24 * time.Millisecond, Count: 14},
			{Lo: 24 * time.Millisecond, Hi: 32 * time.Millisecond, Count: 5}, {Lo: 32 * time.Millisecond, Hi: 40 * time.Millisecond, Count: 1}}}}
	s.focus = paneResponse
	goldenAt(t, s)
}

func TestGoldenPreselectedManagementToken(t *testing.T) {
	ep := endpoint(azure.AuthAADToken, "https://churn-aad.eastus.inference.ml.azure.com/score")
	tok := "eyJhbGciOiJub25lIn0." + b64(`{"aud":"https://management.azure.com","exp":1795438800}`) + ".sig"
	s := newScreen(t, env(), ep, nav.ScoreMsg{CredentialKind: azure.CredManagement, Credential: tok})
	goldenAt(t, s)
}
