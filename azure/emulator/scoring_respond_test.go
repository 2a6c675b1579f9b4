package emulator

import (
	"bytes"
	"strings"
	"testing"
)

// Deployment.Respond, the test hook for hostile answers: the canned body
// and headers go out byte for byte, after the credential was checked and
// the deployment chosen; deployments without it still run the model.
func TestScoringRespondOverride(t *testing.T) {
	e := newARMT(t, Options{})
	primary, _ := e.keysOf("churn-key")
	body := []byte("hA\x1b]0;pwned\x07\u009b31m\x9b hB") // raw ESC, C1 as UTF-8 and a lone 0x9b byte
	e.s.Mutate(func(w *World) {
		d := w.Deployments[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-key")+"/deployments/green")]
		d.Respond = &ScoringResponse{Status: 502, ContentType: "text/plain", Body: body,
			Header: map[string]string{"x-request-id": "rid\u009b2J", "x-hostile": "v\u009d0;pwned\u009c"}}
	})
	st, h, b := e.scoreReq("churn-key", primary, scoreSample, map[string]string{headerDeployment: "green"})
	if st != 502 || !bytes.Equal(b, body) {
		t.Fatalf("green: %d %q, want 502 %q", st, b, body)
	}
	if h.Get("Content-Type") != "text/plain" || h.Get("x-request-id") != "rid\u009b2J" || h.Get("x-hostile") != "v\u009d0;pwned\u009c" || h.Get(headerDeployment) != "green" {
		t.Errorf("headers %v", h)
	}
	// The hook answers only after authentication and routing.
	st, h, b = e.scoreReq("churn-key", primary+"x", scoreSample, map[string]string{headerDeployment: "green"})
	wantScoreErr(t, st, h, b, 401, "InvalidKey")
	st, h, b = e.scoreReq("churn-key", primary, scoreSample, map[string]string{headerDeployment: "blue"})
	if p := predictions(t)(st, h, b); len(p) != 2 {
		t.Errorf("blue (no override): %v", p)
	}

	// No content type given: none is sent (net/http would sniff one).
	e.s.Mutate(func(w *World) {
		d := w.Deployments[strings.ToLower(epID(SubProduction, "rg-ml-prod", "mlw-churn", "churn-key")+"/deployments/green")]
		d.Respond = &ScoringResponse{Body: []byte("<html>")}
	})
	st, h, b = e.scoreReq("churn-key", primary, scoreSample, map[string]string{headerDeployment: "green"})
	if st != 200 || string(b) != "<html>" || h.Get("Content-Type") != "" {
		t.Errorf("bare override: %d %q %v", st, b, h)
	}
}
