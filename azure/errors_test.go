package azure_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// Each failure a real Azure gives comes back as a typed error whose
// explanation says what failed and what to do next.
func TestTypedErrorsFromTheSimulatedAzure(t *testing.T) {
	f429, _ := emulator.ParseFault("route=/subscriptions/*/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud/*,status=429,retry-after=7")
	f503, _ := emulator.ParseFault("route=/subscriptions/*/resourceGroups/rg-ml-shared/*,status=503")
	s, cfg := start(t, emulator.Options{Faults: []emulator.Fault{f429, f503}})
	cfg.Retry = policy.RetryOptions{MaxRetries: -1} // see the first answer, not the SDK's retries
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	ws := func(sub, rg, name string) azure.WorkspaceRef {
		return azure.WorkspaceRef{Subscription: sub, ResourceGroup: rg, Name: name}
	}

	_, err = sess.Endpoints(ctx(t), ws(emulator.SubProduction, "rg-ml-prod", "mlw-fraud"))
	var th *azure.ThrottledError
	if !errors.As(err, &th) || th.RetryAfter != 7*time.Second {
		t.Errorf("429: %T %v", err, err)
	} else if e := azure.Explain(err); !strings.Contains(e.Next, "7s") {
		t.Errorf("429 explanation should say how long to wait: %+v", e)
	}

	_, err = sess.Endpoints(ctx(t), ws(emulator.SubProduction, "rg-ml-shared", "mlw-shared"))
	var se *azure.ServiceError
	if !errors.As(err, &se) || se.Status != 503 || !azure.Explain(err).Retry || strings.Contains(azure.Explain(err).Next, "(R)") {
		t.Errorf("503: %T %v", err, err)
	}
	// The typed error keeps the SDK's, and with it Azure's ids for a support ticket.
	var re *azcore.ResponseError
	if req, corr := azure.RequestIDs(err); !errors.As(err, &re) || re.StatusCode != 503 || req == "" || corr == "" {
		t.Errorf("503 lost the SDK error or its ids: %T %q %q", err, req, corr)
	}

	_, err = sess.Endpoint(ctx(t), azure.EndpointRef{WorkspaceRef: ws(emulator.SubProduction, "rg-ml-prod", "mlw-churn"), Endpoint: "no-such-endpoint"})
	var nf *azure.NotFoundError
	if !errors.As(err, &nf) || azure.Explain(err).Title != "Not found" {
		t.Errorf("unknown endpoint: %T %v", err, err)
	}

	_, err = sess.Endpoints(ctx(t), ws("00000000-0000-0000-0000-00000000dead", "rg", "ws"))
	if err == nil || azure.Explain(err).Next == "" {
		t.Errorf("unknown subscription: %T %v", err, err)
	}

	// Bob is Reader on production only: the sandbox is forbidden, with the action and scope.
	bob, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "bob")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bob.Endpoints(ctx(t), ws(emulator.SubSandbox, "rg-sandbox", "mlw-sandbox"))
	var fe *azure.ForbiddenError
	if !errors.As(err, &fe) || !strings.HasSuffix(fe.Action, "/read") || !strings.Contains(fe.Scope, "mlw-sandbox") {
		t.Errorf("forbidden: %T %v", err, err)
	}
}

func TestWrongClientSecretSaysWhichSecret(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	tenant, client, _ := s.ServicePrincipalCredentials()
	t.Setenv("AZURE_TENANT_ID", tenant)
	t.Setenv("AZURE_CLIENT_ID", client)
	t.Setenv("AZURE_CLIENT_SECRET", "not-the-secret")
	_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodEnvironment})
	var ae *azure.AuthError
	if !errors.As(err, &ae) || !strings.Contains(ae.Reason, "AADSTS7000215") || !strings.Contains(ae.Next, "AZURE_CLIENT_SECRET") {
		t.Fatalf("wrong secret: %T %v", err, err)
	}
}

func TestExpiredDeviceCode(t *testing.T) {
	s, cfg := start(t, emulator.Options{DeviceCodeLifetime: time.Second})
	_ = s
	prompted := false
	_, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodDeviceCode, OnDeviceCode: func(azure.DeviceCode) {
		prompted = true
		_ = cfg.Polling.Wait(context.Background(), 2*time.Second) // nobody approves while the code's second passes
	}})
	var ae *azure.AuthError
	if !prompted || !errors.As(err, &ae) || !strings.Contains(ae.Reason, "expired before anyone approved it (AADSTS70020)") || !strings.Contains(ae.Next, "new code") {
		t.Fatalf("expired code: prompted=%v %T %v", prompted, err, err)
	}
}
