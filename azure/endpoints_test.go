package azure_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
)

// The endpoint wizard's backend: the spec (validation and its three
// renderings) as pure functions, and the writes against the simulated
// Azure through the real SDK pollers.

func churnWS() azure.WorkspaceRef {
	return azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-churn"}
}

func spec(name, mode string) azure.EndpointSpec {
	return azure.EndpointSpec{Ref: azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: name}, Location: "eastus", AuthMode: mode,
		ComputeType: "Managed", IdentityType: "SystemAssigned", Description: "made by a test", Tags: map[string]string{"team": "ml"}}
}

const uaiRef = "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-churn-scoring"

func TestValidateEndpointName(t *testing.T) {
	for _, name := range []string{"abc", "churn-aad-2", "A1b", strings.Repeat("a", 32), "a--b"} {
		if err := azure.ValidateEndpointName(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, tc := range []struct{ name, why string }{
		{"", "empty"},
		{"ab", "has 2 characters"},
		{strings.Repeat("a", 33), "has 33 characters"},
		{"1churn", "starts with \"1\""},
		{"-churn", "starts with \"-\""},
		{"churn-", "ends with a dash"},
		{"churn_aad", "'_' at position 6"},
		{"churn.aad", "'.' at position 6"},
		{"chürn", "'ü' at position 3"},
	} {
		err := azure.ValidateEndpointName(tc.name)
		var se *azure.SpecError
		if !errors.As(err, &se) || se.Field != "name" || !strings.Contains(se.Message, tc.why) || !strings.Contains(se.Message, azure.EndpointNameRule) {
			t.Errorf("%q: want a name error saying %q and the rule, got %v", tc.name, tc.why, err)
		}
	}
}

func TestEndpointSpecValidate(t *testing.T) {
	if err := spec("churn-new", azure.AuthAADToken).Validate(); err != nil {
		t.Fatalf("a valid spec: %v", err)
	}
	k8s := func(s azure.EndpointSpec) azure.EndpointSpec {
		s.ComputeType, s.Compute = "Kubernetes", "onprem-k8s"
		return s
	}
	if err := k8s(spec("fraud-new", azure.AuthKey)).Validate(); err != nil {
		t.Fatalf("a valid Kubernetes spec: %v", err)
	}
	for _, tc := range []struct {
		name, field, why string
		edit             func(*azure.EndpointSpec)
	}{
		{"no workspace", "workspace", "Pick a workspace", func(s *azure.EndpointSpec) { s.Ref.WorkspaceRef = azure.WorkspaceRef{} }},
		{"bad name", "name", "starts with", func(s *azure.EndpointSpec) { s.Ref.Endpoint = "9lives" }},
		{"no location", "location", "region", func(s *azure.EndpointSpec) { s.Location = " " }},
		{"unknown auth mode", "auth_mode", `"password" is not one of`, func(s *azure.EndpointSpec) { s.AuthMode = "password" }},
		{"aad_token on Kubernetes", "auth_mode", "only on managed", func(s *azure.EndpointSpec) { *s = k8s(*s); s.AuthMode = azure.AuthAADToken }},
		{"Kubernetes without compute", "compute", "needs the Kubernetes compute", func(s *azure.EndpointSpec) { s.ComputeType = "Kubernetes" }},
		{"compute of another workspace", "compute", "not a compute of workspace mlw-churn", func(s *azure.EndpointSpec) {
			*s = k8s(*s)
			s.Compute = "/subscriptions/" + emulator.SubProduction + "/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud/computes/onprem-k8s"
		}},
		{"bad compute name", "compute", "2-16 characters", func(s *azure.EndpointSpec) { *s = k8s(*s); s.Compute = "azureml:my_cluster" }},
		{"compute on managed", "compute", "only for Kubernetes", func(s *azure.EndpointSpec) { s.Compute = "onprem-k8s" }},
		{"unknown compute type", "compute", "not Managed or Kubernetes", func(s *azure.EndpointSpec) { s.ComputeType = "Serverless" }},
		{"user-assigned without id", "identity", "needs its ARM id", func(s *azure.EndpointSpec) { s.IdentityType = "UserAssigned" }},
		{"user-assigned with a name", "identity", "is not the ARM id", func(s *azure.EndpointSpec) { s.IdentityType, s.UserIdentity = "UserAssigned", "id-churn-scoring" }},
		{"id with system-assigned", "identity", "choose UserAssigned", func(s *azure.EndpointSpec) { s.UserIdentity = uaiRef }},
		{"unknown identity type", "identity", "not SystemAssigned or UserAssigned", func(s *azure.EndpointSpec) { s.IdentityType = "None" }},
		{"bad tag name", "tags", "does not allow", func(s *azure.EndpointSpec) { s.Tags = map[string]string{"a/b": "x"} }},
		{"empty tag name", "tags", "empty name", func(s *azure.EndpointSpec) { s.Tags = map[string]string{"": "x"} }},
		{"long tag value", "tags", "allows 256", func(s *azure.EndpointSpec) { s.Tags = map[string]string{"k": strings.Repeat("v", 257)} }},
	} {
		s := spec("churn-new", azure.AuthKey)
		tc.edit(&s)
		err := s.Validate()
		var se *azure.SpecError
		if !errors.As(err, &se) || se.Field != tc.field || !strings.Contains(se.Message, tc.why) {
			t.Errorf("%s: want %s error saying %q, got %v", tc.name, tc.field, tc.why, err)
			continue
		}
		if ex := azure.Explain(err); ex.Detail != se.Message || ex.Next == "" {
			t.Errorf("%s: explanation %+v", tc.name, ex)
		}
	}
}

func TestEndpointSpecRenderings(t *testing.T) {
	s := spec("churn-new", azure.AuthAADToken)
	s.Tags = map[string]string{"team": "ml", "cost center": "42", "note": "yes: #1"}
	want := `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
name: churn-new
auth_mode: aad_token
description: "made by a test"
tags:
  "cost center": "42"
  note: "yes: #1"
  team: ml
identity:
  type: system_assigned
`
	if got := s.YAML(); got != want {
		t.Errorf("managed YAML:\n%s\nwant:\n%s", got, want)
	}
	if got := s.AzCommand(); got != "az ml online-endpoint create --name churn-new --file endpoint.yml --resource-group rg-ml-prod --workspace-name mlw-churn --subscription "+emulator.SubProduction {
		t.Errorf("az: %s", got)
	}

	k := spec("fraud-new", azure.AuthAMLToken)
	k.Ref.Name, k.Description, k.Tags = "mlw-fraud", "", nil
	k.ComputeType, k.Compute = "Kubernetes", k.Ref.WorkspaceRef.ID()+"/computes/onprem-k8s"
	k.IdentityType, k.UserIdentity = "UserAssigned", uaiRef
	want = `$schema: https://azuremlschemas.azureedge.net/latest/kubernetesOnlineEndpoint.schema.json
name: fraud-new
auth_mode: aml_token
compute: azureml:onprem-k8s
identity:
  type: user_assigned
  user_assigned_identities:
    - resource_id: ` + uaiRef + "\n"
	if got := k.YAML(); got != want {
		t.Errorf("Kubernetes YAML:\n%s\nwant:\n%s", got, want)
	}

	method, path, body := k.REST()
	if method != "PUT" || path != k.Ref.ID()+"?api-version=2024-04-01" {
		t.Errorf("REST: %s %s", method, path)
	}
	var b struct {
		Location string
		Identity struct {
			Type                   string
			UserAssignedIdentities map[string]map[string]any
		}
		Properties struct{ AuthMode, Compute, Description string }
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("REST body: %v\n%s", err, body)
	}
	if b.Location != "eastus" || b.Properties.AuthMode != "AMLToken" || b.Properties.Compute != k.Ref.WorkspaceRef.ID()+"/computes/onprem-k8s" ||
		b.Identity.Type != "UserAssigned" || b.Identity.UserAssignedIdentities[uaiRef] == nil || strings.Contains(body, "provisioningState") {
		t.Errorf("REST body: %s", body)
	}
	// Odd input is quoted for the shell and escaped in YAML, never broken out of.
	odd := spec("churn-new", azure.AuthKey)
	odd.Ref.ResourceGroup = "rg it's"
	odd.Description = "line 1\nline 2"
	if got := odd.AzCommand(); !strings.Contains(got, `--resource-group 'rg it'\''s'`) {
		t.Errorf("shell quoting: %s", got)
	}
	if got := odd.YAML(); !strings.Contains(got, `description: "line 1\nline 2"`+"\n") {
		t.Errorf("YAML escaping: %s", got)
	}
}

// createEndpoint creates the endpoint and polls its operation to a
// successful end: the setup of tests about what follows a creation.
func createEndpoint(t *testing.T, sess *azure.Session, sp azure.EndpointSpec) {
	t.Helper()
	op, err := sess.CreateEndpoint(ctx(t), sp)
	if err != nil {
		t.Fatal(err)
	}
	if seen := run(t, op); seen[len(seen)-1].Err != nil {
		t.Fatal(seen[len(seen)-1].Err)
	}
}

// run polls an operation to the end as a screen would, one Next per
// message, and returns the reports.
func run(t *testing.T, op *azure.Operation) []azure.Progress {
	t.Helper()
	var seen []azure.Progress
	for i := 0; i < 30; i++ {
		p := op.Next(ctx(t))
		seen = append(seen, p)
		if p.Done {
			return seen
		}
		if p.Err != nil {
			t.Fatalf("poll %d: %v", i, p.Err)
		}
	}
	t.Fatalf("not done after 30 polls: %+v", seen)
	return nil
}

func TestCreateEndpointInEachAuthMode(t *testing.T) {
	// Retry-After is 1 s and provisioning takes 1 s: Done must come by the
	// second poll (provisioning time plus one polling interval).
	// Olivia (Owner of the resource group): attaching the user-assigned
	// identity needs assign/action on it, which alice lacks.
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{azure.AuthKey, azure.AuthAMLToken, azure.AuthAADToken} {
		// Not parallel: the subtests share the server's skipping clock, so one
		// subtest's wait would finish another's operation before it looks.
		t.Run(mode, func(t *testing.T) {
			sp := spec("new-"+strings.ReplaceAll(mode, "_", "-"), mode)
			if mode == azure.AuthAADToken {
				sp.IdentityType, sp.UserIdentity = "UserAssigned", uaiRef
			}
			op, err := sess.CreateEndpoint(ctx(t), sp)
			if err != nil {
				t.Fatal(err)
			}
			// It polls at the server's pace: the simulated Azure's Retry-After is 1 s.
			if op.Kind != "create" || op.Target != sp.Ref || op.State() != "Creating" || op.Interval() != time.Second {
				t.Fatalf("operation: %s %+v %s every %s", op.Kind, op.Target, op.State(), op.Interval())
			}
			// It exists at once, Creating.
			if ep, err := sess.Endpoint(ctx(t), sp.Ref); err != nil || ep.ProvisioningState != "Creating" {
				t.Fatalf("while creating: %+v %v", ep, err)
			}
			seen := run(t, op)
			if len(seen) > 2 {
				t.Errorf("%d polls for a 1 s operation with Retry-After 1: %+v", len(seen), seen)
			}
			for _, p := range seen[:len(seen)-1] {
				if p.Done || (p.State != "Creating" && p.State != "InProgress") {
					t.Errorf("intermediate report: %+v", p)
				}
			}
			last := seen[len(seen)-1]
			if last.State != "Succeeded" || last.Err != nil || last.Endpoint == nil || last.Elapsed <= 0 {
				t.Fatalf("last report: %+v", last)
			}
			ep := last.Endpoint
			if ep.AuthMode != mode || ep.ProvisioningState != "Succeeded" || ep.ScoringURI == "" || ep.Description != "made by a test" ||
				ep.Tags["team"] != "ml" || ep.CreatedBy != "olivia@contoso.example" {
				t.Fatalf("endpoint: %+v", ep)
			}
			if mode == azure.AuthAADToken && (ep.IdentityType != "UserAssigned" || !slices.Equal(ep.UserIdentities, []string{uaiRef})) {
				t.Errorf("user-assigned identity: %+v", ep)
			}
			if mode != azure.AuthAADToken && (ep.IdentityType != "SystemAssigned" || ep.IdentityPrincipal == "") {
				t.Errorf("system-assigned identity: %+v", ep)
			}
			// After the end, Next reports the end again without polling.
			if again := op.Next(ctx(t)); !again.Done || again.Endpoint != ep {
				t.Errorf("after the end: %+v", again)
			}
		})
	}
}

func TestCreateEndpointFailedProvisioning(t *testing.T) {
	f, err := emulator.ParseFault("route=*/onlineEndpoints/*,method=PUT,lro-fail")
	if err != nil {
		t.Fatal(err)
	}
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second, Faults: []emulator.Fault{f}})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	sp := spec("churn-broken", azure.AuthKey)
	op, err := sess.CreateEndpoint(ctx(t), sp)
	if err != nil {
		t.Fatal(err)
	}
	seen := run(t, op)
	last := seen[len(seen)-1]
	var fe *azure.OperationFailedError
	if last.State != "Failed" || !errors.As(last.Err, &fe) || fe.Code != "InternalServerError" || !strings.Contains(fe.Message, "churn-broken") || fe.Kind != "create" {
		t.Fatalf("a failed provisioning: %+v (%T)", last, last.Err)
	}
	if ex := azure.Explain(last.Err); ex.Title != "Creating endpoint 'churn-broken' failed" || !strings.Contains(ex.Detail, fe.Message) || !strings.Contains(ex.Next, "Delete it") {
		t.Errorf("explanation: %+v", ex)
	}
	if ep, err := sess.Endpoint(ctx(t), sp.Ref); err != nil || ep.ProvisioningState != "Failed" {
		t.Errorf("the endpoint after: %+v %v", ep, err)
	}
	// As the explanation says: creating it again is the retry.
	s.SetFaults(nil)
	op, err = sess.CreateEndpoint(ctx(t), sp)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if seen := run(t, op); seen[len(seen)-1].State != "Succeeded" {
		t.Fatalf("retry: %+v", seen)
	}
}

func TestDeleteEndpoint(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	sess, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	ref := azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-aml"}
	op, err := sess.DeleteEndpoint(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	if ep, err := sess.Endpoint(ctx(t), ref); err != nil || ep.ProvisioningState != "Deleting" {
		t.Fatalf("while deleting: %+v %v", ep, err)
	}
	seen := run(t, op)
	if last := seen[len(seen)-1]; len(seen) > 2 || last.State != "Succeeded" || last.Err != nil || last.Endpoint != nil {
		t.Fatalf("delete: %+v", seen)
	}
	var nf *azure.NotFoundError
	if _, err := sess.Endpoint(ctx(t), ref); !errors.As(err, &nf) {
		t.Fatalf("after delete: %v", err)
	}
	// Deleting what is gone ends at once (ARM's 204).
	op, err = sess.DeleteEndpoint(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	if op.Interval() != 0 {
		t.Errorf("an operation over at its first answer should report at once, not in %s", op.Interval())
	}
	if seen := run(t, op); len(seen) != 1 || seen[0].State != "Succeeded" {
		t.Fatalf("delete of a missing endpoint: %+v", seen)
	}
}

func TestEndpointWriteConflicts(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	alice, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	sp := spec("churn-busy", azure.AuthKey)
	op, err := alice.CreateEndpoint(ctx(t), sp)
	if err != nil {
		t.Fatal(err)
	}
	// While it runs, every other write is refused: wait for it.
	var ce *azure.ConflictError
	if _, err = alice.DeleteEndpoint(ctx(t), sp.Ref); !errors.As(err, &ce) || ce.NameTaken() || !strings.Contains(azure.Explain(err).Next, "Wait for it to finish") {
		t.Errorf("delete while creating: %T %v", err, err)
	}
	if _, err = alice.SetAuthMode(ctx(t), sp.Ref, azure.AuthAMLToken); !errors.As(err, &ce) || ce.NameTaken() {
		t.Errorf("change while creating: %T %v", err, err)
	}
	// Creating what exists is refused rather than silently replacing it.
	_, err = alice.CreateEndpoint(ctx(t), sp)
	if !errors.As(err, &ce) || ce.Code != "EndpointExists" || !ce.NameTaken() || !strings.Contains(azure.Explain(err).Next, "Choose another name") {
		t.Errorf("create of an existing endpoint: %T %v", err, err)
	}
	run(t, op)

	// Endpoint names are unique per region: mlw-fraud is in eastus too.
	olivia, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	taken := spec("churn-key", azure.AuthKey)
	taken.Ref.Name = "mlw-fraud"
	_, err = olivia.CreateEndpoint(ctx(t), taken)
	if !errors.As(err, &ce) || !ce.NameTaken() || !strings.Contains(azure.Explain(err).Next, "choose another name") {
		t.Errorf("a taken name: %T %v", err, err)
	}
}

func TestEndpointWriteRefusals(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	alice, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	// What only Azure can know comes back typed, with Azure's code, message and target.
	gone := spec("churn-new", azure.AuthKey)
	gone.IdentityType, gone.UserIdentity = "UserAssigned", strings.Replace(uaiRef, "id-churn-scoring", "id-deleted", 1)
	_, err = alice.CreateEndpoint(ctx(t), gone)
	var ir *azure.InvalidRequestError
	if !errors.As(err, &ir) || ir.Code != "UserError" || ir.Target != "identity.userAssignedIdentities" || !strings.Contains(ir.Message, "id-deleted' was not found") ||
		!strings.Contains(azure.Explain(err).Next, "user-assigned identity") {
		t.Errorf("unknown identity: %T %v", err, err)
	}
	// Alice may create endpoints but not lend them the team's identity:
	// ARM's linked authorization names the action on the identity.
	borrow := spec("churn-new", azure.AuthKey)
	borrow.IdentityType, borrow.UserIdentity = "UserAssigned", uaiRef
	var fe *azure.ForbiddenError
	if _, err = alice.CreateEndpoint(ctx(t), borrow); !errors.As(err, &fe) || fe.Action != "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action" ||
		!strings.EqualFold(fe.Scope, uaiRef) || fe.Principal != "alice@contoso.example" {
		t.Errorf("alice attaches the identity: %T %v", err, err)
	}
	elsewhere := spec("churn-new", azure.AuthKey)
	elsewhere.Location = "westus"
	if _, err = alice.CreateEndpoint(ctx(t), elsewhere); !errors.As(err, &ir) || ir.Target != "location" {
		t.Errorf("wrong region: %T %v", err, err)
	}
	// The client refuses what it can tell is wrong, before any request.
	var se *azure.SpecError
	if _, err = alice.CreateEndpoint(ctx(t), spec("x", azure.AuthKey)); !errors.As(err, &se) {
		t.Errorf("bad name: %T %v", err, err)
	}

	bob, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "bob")})
	if err != nil {
		t.Fatal(err)
	}
	sp := spec("churn-bob", azure.AuthKey)
	if _, err = bob.CreateEndpoint(ctx(t), sp); !errors.As(err, &fe) || fe.Action != "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write" || fe.Scope != sp.Ref.ID() {
		t.Errorf("bob creates: %T %v", err, err)
	}
	key := azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}
	if _, err = bob.DeleteEndpoint(ctx(t), key); !errors.As(err, &fe) || fe.Action != "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete" {
		t.Errorf("bob deletes: %T %v", err, err)
	}
	if _, err = bob.SetAuthMode(ctx(t), key, azure.AuthAADToken); !errors.As(err, &fe) || !strings.HasSuffix(fe.Action, "/onlineEndpoints/write") {
		t.Errorf("bob changes the auth mode: %T %v", err, err)
	}
}

func TestSetAuthMode(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	alice, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	ref := azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}
	before, err := alice.Endpoint(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	var se *azure.SpecError
	if _, err := alice.SetAuthMode(ctx(t), ref, azure.AuthKey); !errors.As(err, &se) || !strings.Contains(se.Message, "already uses key") {
		t.Errorf("same mode: %v", err)
	}
	op, err := alice.SetAuthMode(ctx(t), ref, azure.AuthAMLToken)
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != "update" || op.State() != "Updating" {
		t.Errorf("operation: %s %s", op.Kind, op.State())
	}
	seen := run(t, op)
	after := seen[len(seen)-1].Endpoint
	if after == nil || after.AuthMode != azure.AuthAMLToken || after.ProvisioningState != "Succeeded" {
		t.Fatalf("after: %+v", seen)
	}
	// Everything else is as it was: a PUT replaces, so the client must send it all back.
	if after.Description != before.Description || after.Tags["model"] != before.Tags["model"] || after.Traffic["green"] != before.Traffic["green"] ||
		after.Traffic["blue"] != before.Traffic["blue"] || after.IdentityPrincipal != before.IdentityPrincipal || after.ScoringURI != before.ScoringURI {
		t.Errorf("changed more than the auth mode:\nbefore %+v\nafter  %+v", before, after)
	}

	olivia, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "olivia")})
	if err != nil {
		t.Fatal(err)
	}
	k8s := azure.EndpointRef{WorkspaceRef: azure.WorkspaceRef{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "mlw-fraud"}, Endpoint: "fraud-k8s"}
	if _, err := olivia.SetAuthMode(ctx(t), k8s, azure.AuthAADToken); !errors.As(err, &se) || !strings.Contains(se.Message, "Kubernetes") {
		t.Errorf("aad_token on Kubernetes: %v", err)
	}
}

func TestUserAssignedIdentities(t *testing.T) {
	s, cfg := start(t, emulator.Options{PageSize: 1}) // one per page: the nextLink is followed
	s.Mutate(func(w *emulator.World) {
		id := &emulator.UserAssignedIdentity{Subscription: emulator.SubProduction, ResourceGroup: "rg-ml-prod", Name: "id-batch",
			Location: "eastus", PrincipalID: "0b0b0b0b-0000-4000-8000-000000000001", ClientID: "0b0b0b0b-0000-4000-8000-000000000002"}
		w.Identities[strings.ToLower("/subscriptions/"+id.Subscription+"/resourceGroups/rg-ml-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-batch")] = id
	})
	alice, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := alice.UserAssignedIdentities(ctx(t), emulator.SubProduction)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0].Name != "id-batch" || ids[1].Name != "id-churn-scoring" {
		t.Fatalf("identities: %+v", ids)
	}
	if id := ids[1]; id.ID != uaiRef || id.ResourceGroup != "rg-ml-prod" || id.Location != "eastus" || id.PrincipalID == "" || id.ClientID == "" {
		t.Errorf("seeded identity: %+v", id)
	}
	nina, err := azure.SignIn(ctx(t), cfg, azure.SignInOptions{Method: azure.MethodPersona, Persona: persona(t, s, "nina")})
	if err != nil {
		t.Fatal(err)
	}
	var fe *azure.ForbiddenError
	if _, err := nina.UserAssignedIdentities(ctx(t), emulator.SubProduction); !errors.As(err, &fe) {
		t.Errorf("nina: %T %v", err, err)
	}
}
