package azure_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"amlauth-tui/azure"
	"amlauth-tui/azure/emulator"
	"amlauth-tui/azure/rbac"
)

// The endpoint identity against the simulated Azure: who it is, what it
// may do at the workspace's resources (the access engine, data actions and
// deny assignments included), and the fix.

var refChurnCustom = azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-custom"}

func need(t *testing.T, rc azure.RunCheck, key string) azure.Need {
	t.Helper()
	n, ok := rc.Need(key)
	if !ok {
		t.Fatalf("no need %s in %+v", key, rc.Needs)
	}
	return n
}

// The seeded churn-custom runs as id-churn-scoring, which may read the
// workspace's models but has no AcrPull: the pull is denied, with the fix
// AcrPull on the workspace's registry, for that identity.
func TestCanRunUserAssignedWithoutAcrPull(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	olivia := signInAs(t, s, cfg, "olivia")
	res, err := olivia.WorkspaceResources(ctx(t), churnWS())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.ContainerRegistry, "/providers/Microsoft.ContainerRegistry/registries/") ||
		!strings.Contains(res.StorageAccount, "/providers/Microsoft.Storage/storageAccounts/") || res.KeyVault == "" || res.ApplicationInsights == "" {
		t.Fatalf("workspace resources: %+v", res)
	}
	rc, err := olivia.CanRun(ctx(t), refChurnCustom, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := rc.Identity
	if id.Kind != azure.UserAssigned || id.ResourceID != uaiRef || id.Principal.ID == "" || id.Principal.Kind != "ServicePrincipal" {
		t.Fatalf("identity: %+v", id)
	}
	pull := need(t, rc, "identity.pullImage")
	if !pull.Needed || pull.Outcome != rbac.NotGranted || pull.Scope != res.ContainerRegistry || pull.Fix == nil {
		t.Fatalf("pull: %+v", pull)
	}
	if f := pull.Fix; f.Role.RoleName != "AcrPull" || f.Scope != res.ContainerRegistry || f.Principal.ID != id.Principal.ID {
		t.Errorf("fix: %+v", f)
	}
	if !strings.HasPrefix(res.DefaultContainer, res.StorageAccount+"/blobServices/default/containers/azureml-blobstore-") {
		t.Errorf("default container: %q", res.DefaultContainer)
	}
	if model := need(t, rc, "identity.readModel"); model.Outcome != rbac.Allowed || model.Fix != nil || model.Scope != res.DefaultContainer {
		t.Errorf("the identity holds Storage Blob Data Reader: %+v", model)
	}
	if sec := need(t, rc, "identity.readSecrets"); sec.Needed || sec.Outcome != rbac.Allowed {
		t.Errorf("no secret is injected: %+v", sec)
	}
	if rc.Outcome() != rbac.NotGranted {
		t.Errorf("outcome %v", rc.Outcome())
	}

	// The headless check says the same, scoped at the registry.
	v := need(t, rc, "identity.pullImage").Verdict
	if v == nil || v.Decision.Trace.DataAction || len(v.Suggest) == 0 {
		t.Errorf("verdict: %+v", v)
	}

	// The fix, then the check again: granted (listed assignments count at once).
	if _, err := olivia.AssignRole(ctx(t), pull.Fix.Principal, pull.Fix.Role.ID, pull.Fix.Scope); err != nil {
		t.Fatal(err)
	}
	rc, err = olivia.CanRun(ctx(t), refChurnCustom, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := need(t, rc, "identity.pullImage"); p.Outcome != rbac.Allowed || p.Fix != nil {
		t.Errorf("after AcrPull: %+v", p)
	}
}

// A model read is a data action: Reader on the storage account does not
// grant it, and the fix is Storage Blob Data Reader there.
func TestReadModelWithOnlyReaderIsDenied(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	olivia := signInAs(t, s, cfg, "olivia")
	res, err := olivia.WorkspaceResources(ctx(t), churnWS())
	if err != nil {
		t.Fatal(err)
	}
	// An identity with Reader on the storage account only: the batch scoring app.
	apps, err := olivia.FindPrincipals(ctx(t), "churn-batch-scorer")
	if err != nil || len(apps) != 1 {
		t.Fatalf("the scoring app: %v %v", apps, err)
	}
	reader, _ := rbac.RoleByName(rbac.BuiltinRoles(), "Reader")
	if _, err := olivia.AssignRole(ctx(t), apps[0], reader.ID, res.StorageAccount); err != nil {
		t.Fatal(err)
	}
	id := azure.EndpointIdentity{Kind: azure.UserAssigned, Principal: apps[0]}
	model := churnWS().ID() + "/models/churn-key-model/versions/1"
	m := azure.ModelVersion{Name: "churn-key-model", Version: "1", ID: model}
	rc, err := olivia.CheckIdentity(ctx(t), churnWS(), id, azure.Assets{Model: &m})
	if err != nil {
		t.Fatal(err)
	}
	n := need(t, rc, "identity.readModel")
	if n.Outcome != rbac.NotGranted || n.Verdict == nil || !n.Verdict.Decision.Trace.DataAction {
		t.Fatalf("model read with Reader: %+v", n)
	}
	if n.Fix == nil || n.Fix.Role.RoleName != "Storage Blob Data Reader" || n.Fix.Scope != res.StorageAccount {
		t.Errorf("fix: %+v", n.Fix)
	}
	// Reader is no data role: it is not suggested.
	for _, r := range n.Verdict.Suggest {
		if r.RoleName == "Reader" {
			t.Errorf("Reader suggested for a data action: %+v", n.Verdict.Suggest)
		}
	}
}

// An endpoint created with a system-assigned identity gets Azure's
// automatic assignments: everything it needs is granted.
func TestCanRunSystemAssignedAfterCreation(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	olivia := signInAs(t, s, cfg, "olivia")
	sp := spec("churn-sai", azure.AuthKey)
	createEndpoint(t, olivia, sp)
	rc, err := olivia.CanRun(ctx(t), sp.Ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Identity.Kind != azure.SystemAssigned || rc.Identity.Principal.ID == "" {
		t.Fatalf("identity: %+v", rc.Identity)
	}
	for _, key := range []string{"identity.pullImage", "identity.readModel", "identity.writeMetrics"} {
		if n := need(t, rc, key); !n.Needed || n.Outcome != rbac.Allowed || n.Fix != nil {
			t.Errorf("%s: %+v", key, n)
		}
	}
	if rc.Outcome() != rbac.Allowed {
		t.Errorf("outcome %v, partial %v", rc.Outcome(), rc.Partial)
	}
}

// The deploy loop on a new endpoint: create a deployment, route traffic to
// it, refuse to delete it while it has traffic; bad input is refused
// before anything is sent, naming the rule.
func TestDeploymentLifecycle(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	olivia := signInAs(t, s, cfg, "olivia")
	sp := spec("churn-dep", azure.AuthKey)
	op, err := olivia.CreateEndpoint(ctx(t), sp)
	if err != nil {
		t.Fatal(err)
	}
	run(t, op)

	models, err := olivia.Models(ctx(t), churnWS())
	if err != nil || len(models) == 0 {
		t.Fatalf("models: %v %v", models, err)
	}
	// By name, newest version first.
	for i := 1; i < len(models); i++ {
		if a, b := models[i-1], models[i]; a.Name > b.Name || a.Name == b.Name && a.Version <= b.Version {
			t.Errorf("models out of order: %s:%s before %s:%s", a.Name, a.Version, b.Name, b.Version)
		}
	}
	envs, err := olivia.Environments(ctx(t), churnWS())
	if err != nil || len(envs) == 0 {
		t.Fatalf("environments: %v %v", envs, err)
	}
	var public *azure.EnvironmentVersion
	for i := range envs {
		if envs[i].ImageRegistry() == "mcr.microsoft.com" {
			public = &envs[i]
		}
	}
	if public == nil {
		t.Fatalf("no environment on Microsoft's registry: %+v", envs)
	}
	d := azure.DeploymentSpec{Ref: azure.DeploymentRef{EndpointRef: sp.Ref, Deployment: "blue"}, Model: models[0].ID, Environment: public.ID,
		InstanceType: "Standard_DS3_v2", InstanceCount: 1}

	// The preflight: the system-assigned identity may read the model, and
	// the public image needs no pull.
	rc, err := olivia.Preflight(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	if p := need(t, rc, "identity.pullImage"); p.Needed {
		t.Errorf("a public image needs no pull permission: %+v", p)
	}
	if m := need(t, rc, "identity.readModel"); m.Outcome != rbac.Allowed {
		t.Errorf("model read: %+v", m)
	}

	// A model the workspace does not have is refused by name.
	bad := d
	bad.Model = "azureml:no-such-model:1"
	var se *azure.SpecError
	if _, err := olivia.CreateDeployment(ctx(t), bad); !errors.As(err, &se) || se.Field != "model" || !strings.Contains(se.Message, "no-such-model") {
		t.Errorf("missing model: %v", err)
	}

	op, err = olivia.CreateDeployment(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	if op.Deployment != "blue" || op.Kind != "create" {
		t.Errorf("operation: %+v", op)
	}
	// A second write while this one runs is refused before it is sent.
	second := d
	second.Ref.Deployment = "green"
	var ce *azure.ConflictError
	if _, err := olivia.CreateDeployment(ctx(t), second); !errors.As(err, &ce) || ce.Code != "OperationInProgress" {
		t.Errorf("second deployment while one is in progress: %v", err)
	}
	seen := run(t, op)
	last := seen[len(seen)-1]
	if last.State != "Succeeded" || last.Err != nil || last.Deployment == nil || last.Deployment.Name != "blue" ||
		last.Deployment.InstanceType != "Standard_DS3_v2" || last.Deployment.InstanceCount != 1 {
		t.Fatalf("end: %+v %+v", last, last.Deployment)
	}
	// The name is taken now.
	if _, err := olivia.CreateDeployment(ctx(t), d); !errors.As(err, &ce) || ce.Code != "DeploymentExists" {
		t.Errorf("same name again: %v", err)
	}
	// Changing it is an update; changing one that does not exist is refused.
	d.InstanceCount = 2
	op, err = olivia.UpdateDeployment(ctx(t), d)
	if err != nil {
		t.Fatal(err)
	}
	if seen := run(t, op); op.Kind != "update" || seen[len(seen)-1].Deployment == nil || seen[len(seen)-1].Deployment.InstanceCount != 2 {
		t.Errorf("update: %s %+v", op.Kind, seen[len(seen)-1])
	}
	var nf *azure.NotFoundError
	if _, err := olivia.UpdateDeployment(ctx(t), second); !errors.As(err, &nf) || !strings.Contains(nf.Message, "green") {
		t.Errorf("update of a deployment that does not exist: %v", err)
	}

	// Traffic: unknown deployments and bad sums are refused naming the rule.
	var te *azure.TrafficError
	if _, err := olivia.SetTraffic(ctx(t), sp.Ref, map[string]int32{"blue": 50, "green": 50}, nil); !errors.As(err, &te) || te.Rule != azure.TrafficRuleUnknownDeployment {
		t.Errorf("unknown deployment: %v", err)
	}
	if _, err := olivia.SetTraffic(ctx(t), sp.Ref, map[string]int32{"blue": 90}, nil); !errors.As(err, &te) || te.Rule != azure.TrafficRuleSum {
		t.Errorf("sum of 90: %v", err)
	}
	op, err = olivia.SetTraffic(ctx(t), sp.Ref, map[string]int32{"blue": 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen = run(t, op)
	if last := seen[len(seen)-1]; last.Err != nil || last.Endpoint == nil || last.Endpoint.Traffic["blue"] != 100 {
		t.Fatalf("traffic: %+v", last)
	}
	deps, err := olivia.Deployments(ctx(t), sp.Ref)
	if err != nil || len(deps) != 1 || deps[0].TrafficPercent != 100 || deps[0].Environment == "" {
		t.Fatalf("deployments: %+v %v", deps, err)
	}

	// A deployment with traffic is not deleted.
	dref := azure.DeploymentRef{EndpointRef: sp.Ref, Deployment: "blue"}
	if _, err := olivia.DeleteDeployment(ctx(t), dref); !errors.As(err, &te) || te.Rule != azure.TrafficRuleDeleteWithTraffic {
		t.Errorf("delete with traffic: %v", err)
	}
	op, err = olivia.SetTraffic(ctx(t), sp.Ref, map[string]int32{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	run(t, op)
	op, err = olivia.DeleteDeployment(ctx(t), dref)
	if err != nil {
		t.Fatal(err)
	}
	if seen := run(t, op); seen[len(seen)-1].Err != nil {
		t.Fatalf("delete: %+v", seen[len(seen)-1])
	}
	if _, err := olivia.Deployment(ctx(t), dref); !errors.As(err, &nf) {
		t.Errorf("after delete: %v", err)
	}
}

// The seeded failed deployment explains itself: Azure's reason in the
// storage initializer or inference server logs.
func TestDeploymentLogs(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	olivia := signInAs(t, s, cfg, "olivia")
	ref := azure.DeploymentRef{EndpointRef: refChurnCustom, Deployment: "blue"}
	d, err := olivia.Deployment(ctx(t), ref)
	if err != nil || d.ProvisioningState != "Failed" {
		t.Fatalf("seeded deployment: %+v %v", d, err)
	}
	var all string
	for _, c := range []string{azure.LogsStorageInitializer, azure.LogsInferenceServer} {
		logs, err := olivia.DeploymentLogs(ctx(t), ref, c, 0)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		all += logs
	}
	if !strings.Contains(strings.ToLower(all), "pull") {
		t.Errorf("the logs do not say the image could not be pulled:\n%s", all)
	}
	var se *azure.SpecError
	if _, err := olivia.DeploymentLogs(ctx(t), ref, "sidecar", 10); !errors.As(err, &se) || se.Field != "container" {
		t.Errorf("unknown container: %v", err)
	}
	if _, err := olivia.DeploymentLogs(ctx(t), ref, azure.LogsInferenceServer, azure.MaxLogLines+1); !errors.As(err, &se) || se.Field != "lines" {
		t.Errorf("too many lines: %v", err)
	}
}

// For the create wizard: may the signed-in user read connection secrets
// (the enforce flag's condition)? Olivia owns the workspace; bob is Reader.
func TestCanReadConnectionSecrets(t *testing.T) {
	s, cfg := start(t, emulator.Options{})
	for who, want := range map[string]rbac.Outcome{"olivia": rbac.Allowed, "bob": rbac.NotGranted} {
		v, err := signInAs(t, s, cfg, who).CanReadConnectionSecrets(ctx(t), churnWS())
		if err != nil || v.Outcome != want {
			t.Errorf("%s: %v %v, want %v", who, v.Outcome, err, want)
		}
	}
}

// The fix loop: the failed deployment is retried after AcrPull is
// assigned. Until the assignment propagates the retry fails again, with
// Azure's reason, and the check says the grant is recent; once it has
// propagated the retry succeeds.
func TestFixLoopWaitsForPropagation(t *testing.T) {
	clock := &emulator.SkipClock{}
	s, cfg := start(t, emulator.Options{Now: clock.Now, ProvisioningTime: time.Second, PropagationDelay: 5 * time.Minute})
	cfg.Polling = azure.Polling{Now: clock.Now, Wait: clock.Wait}
	olivia := signInAs(t, s, cfg, "olivia")
	ref := azure.DeploymentRef{EndpointRef: refChurnCustom, Deployment: "blue"}
	d, err := olivia.Deployment(ctx(t), ref)
	if err != nil || d.ProvisioningState != "Failed" {
		t.Fatalf("seeded deployment: %+v %v", d, err)
	}
	retry := func() azure.Progress {
		t.Helper()
		op, err := olivia.CreateDeployment(ctx(t), azure.DeploymentSpec{Ref: ref, Model: d.Model, Environment: d.Environment,
			InstanceType: d.InstanceType, InstanceCount: d.InstanceCount})
		if err != nil {
			t.Fatalf("retry refused: %v", err)
		}
		seen := run(t, op)
		return seen[len(seen)-1]
	}
	rc, err := olivia.CanRun(ctx(t), refChurnCustom, nil)
	if err != nil {
		t.Fatal(err)
	}
	fix := need(t, rc, "identity.pullImage").Fix
	if fix == nil {
		t.Fatalf("no fix: %+v", rc.Needs)
	}
	if _, err := olivia.AssignRole(ctx(t), fix.Principal, fix.Role.ID, fix.Scope); err != nil {
		t.Fatal(err)
	}
	if rc, err = olivia.CanRun(ctx(t), refChurnCustom, nil); err != nil {
		t.Fatal(err)
	}
	if p := need(t, rc, "identity.pullImage"); p.Outcome != rbac.Allowed || !p.Recent || !strings.Contains(p.Why, "10 minutes") {
		t.Errorf("just assigned: %+v", p)
	}
	last := retry()
	var fe *azure.OperationFailedError
	if !errors.As(last.Err, &fe) || fe.Deployment != "blue" || !strings.Contains(fe.Message, "AcrPull") {
		t.Fatalf("retry before propagation: %+v", last)
	}
	if ex := azure.Explain(last.Err); !strings.Contains(ex.Title, "deployment 'blue' of endpoint 'churn-custom'") || !strings.Contains(ex.Next, "logs") {
		t.Errorf("explanation: %+v", ex)
	}
	if err := clock.Wait(ctx(t), 11*time.Minute); err != nil {
		t.Fatal(err)
	}
	if rc, err = olivia.CanRun(ctx(t), refChurnCustom, nil); err != nil {
		t.Fatal(err)
	}
	if p := need(t, rc, "identity.pullImage"); p.Outcome != rbac.Allowed || p.Recent {
		t.Errorf("after propagation: %+v", p)
	}
	if last = retry(); last.Err != nil || last.State != "Succeeded" || last.Deployment == nil || last.Deployment.ProvisioningState != "Succeeded" {
		t.Fatalf("retry after propagation: %+v", last)
	}
}

// An answer is a promise: when the deny assignments on the storage cannot
// be read, a model read that a role grants is unknown, not allowed, and
// nothing is offered to assign (the role is there); the check says what it lacks.
func TestCanRunUnknownWhenDeniesUnreadable(t *testing.T) {
	f, err := emulator.ParseFault("route=*/storageAccounts/*/providers/Microsoft.Authorization/denyAssignments,status=403")
	if err != nil {
		t.Fatal(err)
	}
	s, cfg := start(t, emulator.Options{Faults: []emulator.Fault{f}})
	olivia := signInAs(t, s, cfg, "olivia")
	rc, err := olivia.CanRun(ctx(t), azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := need(t, rc, "identity.readModel")
	if m.Outcome != rbac.Unknown || m.Fix != nil || !strings.Contains(m.Why, "deny assignments") {
		t.Errorf("model read with unreadable deny assignments: %+v", m)
	}
	if w := need(t, rc, "identity.writeMetrics"); w.Outcome != rbac.Allowed {
		t.Errorf("metrics are judged at the workspace, where everything was read: %+v", w)
	}
	if rc.Outcome() != rbac.Unknown || len(rc.Partial) == 0 || !strings.Contains(strings.Join(rc.Partial, " "), "deny assignments") {
		t.Errorf("outcome %v, partial %q", rc.Outcome(), rc.Partial)
	}

	// A resolvable identity is needed to check anything.
	_, err = olivia.CheckIdentity(ctx(t), churnWS(), azure.EndpointIdentity{Endpoint: azure.EndpointRef{Endpoint: "x"}, Unresolved: "still creating"}, azure.Assets{})
	var ie *azure.IdentityError
	if !errors.As(err, &ie) || !strings.Contains(azure.Explain(err).Detail, "still creating") {
		t.Errorf("unresolved identity: %v", err)
	}
}

// What AutomaticGrants predicts for the create wizard is what the
// simulated Azure then does: with the enforce flag and a creator who may
// read connection secrets, the system-assigned identity can read them too.
func TestAutomaticGrantsMatchCreation(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	olivia := signInAs(t, s, cfg, "olivia")
	creator, err := olivia.CanReadConnectionSecrets(ctx(t), churnWS())
	if err != nil {
		t.Fatal(err)
	}
	res, err := olivia.WorkspaceResources(ctx(t), churnWS())
	if err != nil {
		t.Fatal(err)
	}
	g := azure.AutomaticGrants(false, true, &creator, res)
	if g.Rejected || g.Unknown || !g.Grants[3].Granted {
		t.Fatalf("prediction: %+v", g)
	}
	sp := spec("churn-secrets", azure.AuthKey)
	sp.EnforceSecretStores = true
	createEndpoint(t, olivia, sp)
	rc, err := olivia.CanRun(ctx(t), sp.Ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Identity.EnforceSecretStores {
		t.Errorf("the flag is not read back: %+v", rc.Identity)
	}
	for _, want := range g.Grants {
		key := map[string]string{"AcrPull": "identity.pullImage", "Storage Blob Data Reader": "identity.readModel",
			"AzureML Metrics Writer (preview)": "identity.writeMetrics", "Azure Machine Learning Workspace Connection Secrets Reader": "identity.readSecrets"}[want.Role.RoleName]
		if n := need(t, rc, key); !n.Needed || n.Outcome != rbac.Allowed {
			t.Errorf("%s predicted granted, but %s: %+v", want.Role.RoleName, key, n)
		}
	}

	// The rule covers deployments: bob, who may write deployments of this
	// endpoint but not read connection secrets, is refused before anything
	// is sent; olivia, who may, deploys.
	ds, _ := rbac.RoleByName(rbac.BuiltinRoles(), "AzureML Data Scientist")
	bobRef, err := olivia.FindPrincipals(ctx(t), "bob@contoso.example")
	if err != nil || len(bobRef) != 1 {
		t.Fatalf("bob: %v %v", bobRef, err)
	}
	if _, err := olivia.AssignRole(ctx(t), bobRef[0], ds.ID, sp.Ref.ID()); err != nil {
		t.Fatal(err)
	}
	dep := azure.DeploymentSpec{Ref: azure.DeploymentRef{EndpointRef: sp.Ref, Deployment: "blue"}, Model: "azureml:churn-key-model:1",
		Environment: "azureml://registries/azureml/environments/sklearn-1.5/versions/14", InstanceType: "Standard_DS2_v2", InstanceCount: 1}
	var sse *azure.SecretStoresError
	if _, err := signInAs(t, s, cfg, "bob").CreateDeployment(ctx(t), dep); !errors.As(err, &sse) || sse.Verdict.Outcome != rbac.NotGranted ||
		!strings.Contains(azure.Explain(err).Detail, rbac.ActionListConnectionSecrets) {
		t.Errorf("bob's deployment: %v", err)
	}
	op, err := olivia.CreateDeployment(ctx(t), dep)
	if err != nil {
		t.Fatal(err)
	}
	if seen := run(t, op); seen[len(seen)-1].Err != nil {
		t.Fatalf("olivia's deployment: %+v", seen[len(seen)-1])
	}

	// Scaling a deployment is a PATCH of its SKU.
	op, err = olivia.ScaleDeployment(ctx(t), azure.DeploymentRef{EndpointRef: azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}, Deployment: "green"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	seen := run(t, op)
	if last := seen[len(seen)-1]; last.Err != nil || last.Deployment == nil || last.Deployment.InstanceCount != 2 {
		t.Fatalf("scale: %+v", last)
	}
	var se *azure.SpecError
	if _, err := olivia.ScaleDeployment(ctx(t), azure.DeploymentRef{EndpointRef: azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}, Deployment: "green"}, 0); !errors.As(err, &se) || se.Field != "instance_count" {
		t.Errorf("scale to 0: %v", err)
	}
}

// Mirror traffic goes to one deployment without live traffic; the
// simulated Azure takes what the client-side rules let through.
func TestSetMirrorTraffic(t *testing.T) {
	s, cfg := start(t, emulator.Options{ProvisioningTime: time.Second})
	olivia := signInAs(t, s, cfg, "olivia")
	ref := azure.EndpointRef{WorkspaceRef: churnWS(), Endpoint: "churn-key"}
	var te *azure.TrafficError
	if _, err := olivia.SetTraffic(ctx(t), ref, map[string]int32{"blue": 90, "green": 10}, map[string]int32{"green": 20}); !errors.As(err, &te) || te.Rule != azure.TrafficRuleMirrorNotLive {
		t.Errorf("mirror to a live deployment: %v", err)
	}
	op, err := olivia.SetTraffic(ctx(t), ref, map[string]int32{"blue": 100, "green": 0}, map[string]int32{"green": 20})
	if err != nil {
		t.Fatal(err)
	}
	seen := run(t, op)
	last := seen[len(seen)-1]
	if last.Err != nil || last.Endpoint == nil || last.Endpoint.MirrorTraffic["green"] != 20 || last.Endpoint.Traffic["blue"] != 100 {
		t.Fatalf("mirror: %+v", last)
	}
	deps, err := olivia.Deployments(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps {
		if want := map[string][2]int32{"blue": {100, 0}, "green": {0, 20}}[d.Name]; d.TrafficPercent != want[0] || d.MirrorPercent != want[1] {
			t.Errorf("%s: traffic %d mirror %d", d.Name, d.TrafficPercent, d.MirrorPercent)
		}
	}
	// A deployment that receives mirrored traffic is not deleted either.
	if _, err := olivia.DeleteDeployment(ctx(t), azure.DeploymentRef{EndpointRef: ref, Deployment: "green"}); !errors.As(err, &te) || te.Rule != azure.TrafficRuleDeleteWithTraffic || !strings.Contains(te.Message, "mirrored") {
		t.Errorf("delete a mirrored deployment: %v", err)
	}
}
