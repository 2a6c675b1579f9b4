package azure

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"amlauth-tui/azure/rbac"
)

// "Can this endpoint run?": each need of the endpoint identity
// (rbac.IdentityOperations) judged by the access engine at the workspace
// resource it is about, with the fix the assign wizard can be prefilled
// with. And what Azure grants a system-assigned identity by itself.

// Need is one need of the endpoint identity, judged.
type Need struct {
	Op rbac.Operation // identity.pullImage, identity.readModel, identity.writeMetrics, identity.readSecrets
	// Needed is false when this endpoint (or deployment) does not need it
	// (a curated image, no secret injection); Why says why, and Outcome is
	// Allowed.
	Needed bool
	// Scope is where it was judged (the registry, the model's blob
	// container or storage account, the workspace); "" when not needed or
	// when the workspace names no such resource.
	Scope string
	// Outcome: Allowed, NotGranted, DeniedByDenyAssignment, Conditional,
	// Pending, or Unknown when something it needs could not be read.
	Outcome rbac.Outcome
	Why     string   // one sentence: the engine's reason, or why it is not needed / unknown
	Verdict *Verdict // the access engine's verdict (nil when not judged); Verdict.Advice has the next steps past a deny
	Explain []string // the whole evaluation as lines (Access.Explain)
	// Fix is the role assignment that grants it: for NotGranted, and for
	// Unknown in case it is missing. nil when allowed, not needed, pending,
	// or blocked by a deny assignment (no role lifts a deny: see Verdict.Advice).
	Fix *Fix
	// Recent: allowed, but only through role assignments made within the
	// last 10 minutes, which Azure may not apply yet (TypicalPropagation).
	// A managed identity cannot be asked (the Permissions API answers only
	// for the caller), so this is the most that can be said.
	Recent bool
}

// Fix is a role assignment that would meet a need: enough to prefill the
// assign wizard.
type Fix struct {
	Principal PrincipalRef // the endpoint identity (ServicePrincipal, ManagedIdentity)
	Role      rbac.RoleDefinition
	Scope     string // the resource: the registry, the storage account, the workspace
	Text      string // "Assign AcrPull to <identity> on <scope>."
}

// RunCheck is the answer to "can this endpoint run?".
type RunCheck struct {
	Identity  EndpointIdentity
	Resources WorkspaceResources
	Needs     []Need // in catalogue order
	// Partial names what could not be read and what the verdicts lack because of it.
	Partial []string
}

// Outcome is the check's summary: NotGranted (or the deny/pending
// outcome) if any need fails, else Unknown or Conditional if any is
// unsure, else Allowed.
func (r RunCheck) Outcome() rbac.Outcome {
	rank := func(o rbac.Outcome) int {
		switch o {
		case rbac.NotGranted, rbac.DeniedByDenyAssignment, rbac.Pending:
			return 3
		case rbac.Unknown, rbac.Conditional, rbac.Revoking: // Revoking: allowed now, perhaps not for long
			return 2
		}
		return 1
	}
	out := rbac.Allowed
	for _, n := range r.Needs {
		if rank(n.Outcome) > rank(out) {
			out = n.Outcome
		}
	}
	return out
}

// Need finds a need by its operation key.
func (r RunCheck) Need(key string) (Need, bool) {
	for _, n := range r.Needs {
		if n.Op.Key == key {
			return n, true
		}
	}
	return Need{}, false
}

// Assets are what a deployment runs: they decide which needs apply and
// where. A nil field is unknown: the need is judged as for a typical
// deployment (a custom image, a model in the workspace storage).
type Assets struct {
	Model       *ModelVersion
	Environment *EnvironmentVersion
	// UsesSecrets: secrets are injected (the enforce flag, or secret
	// references in the environment variables); SecretsWhy says which.
	UsesSecrets bool
	SecretsWhy  string
}

// CanRun checks the endpoint's identity for what its deployments need.
// assets nil: the endpoint's own deployments decide (their environments,
// their secret references); an endpoint without deployments is judged
// for a typical deployment.
func (s *Session) CanRun(ctx context.Context, ref EndpointRef, assets *Assets) (RunCheck, error) {
	id, err := s.EndpointIdentity(ctx, ref)
	if err != nil {
		return RunCheck{Identity: id}, err
	}
	var a Assets
	if assets != nil {
		a = *assets
	}
	if assets == nil || !a.UsesSecrets {
		deps, err := s.Deployments(ctx, ref)
		if err == nil {
			if uses, why := endpointUsesSecrets(id.EnforceSecretStores, deps); uses {
				a.UsesSecrets, a.SecretsWhy = true, why
			}
			if assets == nil {
				a.Environment = s.commonEnvironment(ctx, ref.WorkspaceRef, deps)
			}
		} else if id.EnforceSecretStores {
			a.UsesSecrets, a.SecretsWhy = true, "the endpoint enforces access to the default secret stores"
		}
	}
	return s.CheckIdentity(ctx, ref.WorkspaceRef, id, a)
}

// commonEnvironment is, for an endpoint's deployments, the environment
// that decides the pull need: the first custom one (it needs the pull
// permission), else a curated one when every deployment's is curated;
// nil when there are none or one cannot be read (judged as custom).
func (s *Session) commonEnvironment(ctx context.Context, ws WorkspaceRef, deps []Deployment) *EnvironmentVersion {
	var curated *EnvironmentVersion
	for _, d := range deps {
		e, err := s.Environment(ctx, ws, d.Environment)
		if err != nil {
			return nil
		}
		if !e.Curated {
			return &e
		}
		curated = &e
	}
	return curated
}

// Preflight checks the endpoint identity for one deployment before it is
// created: this model, this environment, these environment variables.
func (s *Session) Preflight(ctx context.Context, spec DeploymentSpec) (RunCheck, error) {
	id, err := s.EndpointIdentity(ctx, spec.Ref.EndpointRef)
	if err != nil {
		return RunCheck{Identity: id}, err
	}
	var a Assets
	ws := spec.Ref.WorkspaceRef
	if m, err := s.modelOf(ctx, ws, spec.assetID(spec.Model, "models")); err == nil {
		a.Model = &m
	}
	if e, err := s.Environment(ctx, ws, spec.assetID(spec.Environment, "environments")); err == nil {
		a.Environment = &e
	}
	if name, ok := secretReference(spec.EnvironmentVariables); ok {
		a.UsesSecrets, a.SecretsWhy = true, "the deployment maps "+name+" to a secret reference"
	} else if id.EnforceSecretStores {
		a.UsesSecrets, a.SecretsWhy = true, "the endpoint enforces access to the default secret stores"
	}
	return s.CheckIdentity(ctx, ws, id, a)
}

// modelOf reads a model version by asset id (a workspace's).
func (s *Session) modelOf(ctx context.Context, ws WorkspaceRef, id string) (ModelVersion, error) {
	name, version, err := assetName(id, "models")
	if err != nil {
		return ModelVersion{}, err
	}
	if strings.HasPrefix(id, "azureml://") {
		return ModelVersion{Name: name, Version: version, ID: id, URI: id}, nil
	}
	f, err := s.mlFactory(ws.Subscription)
	if err != nil {
		return ModelVersion{}, err
	}
	r, err := f.NewModelVersionsClient().Get(ctx, ws.ResourceGroup, ws.Name, name, version, nil)
	if err != nil {
		return ModelVersion{}, Classify(err)
	}
	return modelFrom(name, &r.ModelVersion), nil
}

// Environment reads an environment version by asset id (what a deployment
// names: Deployment.Environment), with its image. A registry's environment
// (azureml://registries/...) is not read: it comes back by name, Curated
// when it is the azureml registry's, with no Image.
func (s *Session) Environment(ctx context.Context, ws WorkspaceRef, id string) (EnvironmentVersion, error) {
	name, version, err := assetName(id, "environments")
	if err != nil {
		return EnvironmentVersion{}, err
	}
	if strings.HasPrefix(id, "azureml://") {
		return EnvironmentVersion{Name: name, Version: version, ID: id, Curated: strings.HasPrefix(strings.ToLower(id), curatedRegistry)}, nil
	}
	f, err := s.mlFactory(ws.Subscription)
	if err != nil {
		return EnvironmentVersion{}, err
	}
	r, err := f.NewEnvironmentVersionsClient().Get(ctx, ws.ResourceGroup, ws.Name, name, version, nil)
	if err != nil {
		return EnvironmentVersion{}, Classify(err)
	}
	return environmentFrom(name, &r.EnvironmentVersion), nil
}

// CheckIdentity judges an identity's needs in a workspace: for an
// existing endpoint (CanRun, Preflight) or, in the create wizard, for the
// user-assigned identity an endpoint is about to get (it cannot be
// changed later). Each need is judged by Session.Access at its own scope,
// deny assignments and data actions included.
func (s *Session) CheckIdentity(ctx context.Context, ws WorkspaceRef, id EndpointIdentity, a Assets) (RunCheck, error) {
	res, err := s.WorkspaceResources(ctx, ws)
	out := RunCheck{Identity: id, Resources: res}
	if err != nil {
		return out, err
	}
	if id.Principal.ID == "" {
		return out, &IdentityError{Endpoint: id.Endpoint.Endpoint, Message: id.Unresolved}
	}
	needs := make([]Need, 0, 4)
	scopes := map[string]bool{}
	for _, op := range rbac.IdentityOperations() {
		n := Need{Op: op, Needed: true}
		n.Scope, _ = res.ScopeOf(op)
		switch op.Key {
		case "identity.pullImage":
			judgePull(&n, a.Environment, res)
		case "identity.readModel":
			judgeModel(&n, a.Model, res)
		case "identity.readSecrets":
			if !a.UsesSecrets {
				n.Needed, n.Scope = false, ""
				n.Why = "Not needed: no secret is injected (no secret references, and the endpoint does not enforce access to the default secret stores)."
			} else {
				n.Why = "Needed: " + a.SecretsWhy + "."
			}
		}
		if !n.Needed {
			n.Outcome = rbac.Allowed
		} else if n.Scope == "" && n.Outcome != rbac.Unknown {
			n.Outcome = rbac.Unknown
			n.Why = fmt.Sprintf("Unknown: workspace %s names no %s, so there is nothing to check it against.", ws.Name, op.Level)
		}
		if n.Needed && n.Scope != "" {
			scopes[n.Scope] = true
		}
		needs = append(needs, n)
	}
	access := s.accessAt(ctx, id.Principal, scopes)
	seen := map[string]bool{}
	for i := range needs {
		n := &needs[i]
		if !n.Needed || n.Scope == "" {
			continue
		}
		acc := access[n.Scope]
		if acc.err != nil {
			n.Outcome = rbac.Unknown
			n.Why = "Unknown: the access at " + n.Scope + " could not be read: " + Explain(acc.err).Detail
			n.Fix = fixFor(*n, id, res, nil)
			continue
		}
		for _, p := range acc.a.Partial {
			if !seen[p] {
				seen[p] = true
				out.Partial = append(out.Partial, p)
			}
		}
		v := acc.a.Check([]rbac.Operation{n.Op})[0]
		n.Verdict, n.Outcome, n.Why = &v, v.Outcome, v.Decision.Reason
		n.Explain = acc.a.Explain(v)
		if n.Recent = v.Outcome == rbac.Allowed && recentGrants(v.Decision.Grants, s.cfg.Polling.now(), s.cfg.PropagationWindow()); n.Recent {
			n.Why += ". The role assignment was made in the last 10 minutes: " + TypicalPropagation
		}
		// Unknown with a grant found (the deny assignments could not be
		// read) has nothing to assign: the role is there already.
		if v.Outcome == rbac.NotGranted || v.Outcome == rbac.Unknown && len(v.Decision.Grants) == 0 {
			n.Fix = fixFor(*n, id, res, v.Suggest)
		}
	}
	out.Needs = needs
	return out, nil
}

// judgePull decides whether the image is pulled from the workspace
// registry: curated images, and images on Microsoft's public registry,
// need no permission; custom images in the workspace's registry, and
// environments Azure builds (into that registry), need the pull permission.
func judgePull(n *Need, env *EnvironmentVersion, res WorkspaceResources) {
	host := ""
	if env != nil {
		host = env.ImageRegistry()
	}
	switch {
	case env == nil:
		n.Why = "Needed for custom images, which are pulled from the workspace's container registry."
	case env.Curated:
		n.Needed, n.Scope = false, ""
		n.Why = "Not needed: environment " + env.Name + " is curated; its image comes from Microsoft's public registry."
	case env.Built || env.Image == "":
		n.Why = "Needed: Azure builds environment " + env.Name + " into the workspace's container registry and pulls it from there."
	case env.PublicImage(): // curated ones were answered above
		n.Needed, n.Scope = false, ""
		n.Why = "Not needed: the image " + env.Image + " comes from Microsoft's public registry."
	case res.ContainerRegistry != "" && !inRegistry(host, res.ContainerRegistry):
		n.Outcome, n.Scope = rbac.Unknown, ""
		n.Why = "Unknown: the image " + env.Image + " is not in the workspace's registry; its pull permission is not checked here."
	default:
		n.Why = "Needed: the image " + env.Image + " is pulled from the workspace's container registry."
	}
}

// publicRegistry is Microsoft's public container registry (curated images).
const publicRegistry = "mcr.microsoft.com"

// inRegistry reports whether an image host is the registry's login server
// ({name}.azurecr.io, or the sovereign clouds' azurecr.cn, azurecr.us).
func inRegistry(host, registryID string) bool {
	name, domain, _ := strings.Cut(host, ".")
	return strings.EqualFold(name, lastSegment(registryID)) && strings.HasPrefix(domain, "azurecr.")
}

// judgeModel decides where the model is read from: the workspace storage's
// default container (a datastore path of workspaceblobstore), a blob
// container of the workspace storage (a blob URL), or elsewhere.
func judgeModel(n *Need, m *ModelVersion, res WorkspaceResources) {
	if m == nil {
		n.Why = "Needed: models are read from the workspace's storage."
		return
	}
	uri := strings.TrimSpace(m.URI)
	low := strings.ToLower(uri)
	switch {
	case strings.HasPrefix(low, "azureml://registries/"):
		n.Needed, n.Scope = false, ""
		n.Why = "Not needed on the workspace storage: model " + m.Name + " comes from a registry."
	case strings.HasPrefix(low, "https://"):
		u, err := url.Parse(uri)
		account, _, _ := strings.Cut(u.Host, ".")
		container, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if err != nil || res.StorageAccount == "" || !strings.EqualFold(account, lastSegment(res.StorageAccount)) || container == "" {
			n.Outcome, n.Scope = rbac.Unknown, ""
			n.Why = "Unknown: model " + m.Name + " is stored at " + uri + ", outside the workspace's storage; its read permission is not checked here."
			return
		}
		n.Scope = res.StorageAccount + "/blobServices/default/containers/" + container
		n.Why = "Needed: model " + m.Name + " is read from container " + container + " of the workspace's storage."
	case strings.Contains(low, "/datastores/") && !strings.Contains(low, "/datastores/workspaceblobstore/"):
		n.Scope = res.StorageAccount
		n.Why = "Needed: model " + m.Name + " is read through a datastore other than the default; judged at the workspace's storage account."
	default:
		n.Why = "Needed: model " + m.Name + " is read from the workspace's default blob container."
	}
}

// recentGrants reports whether every grant rests on an assignment made
// within window before at (a zero CreatedOn is old).
func recentGrants(grants []rbac.Grant, at time.Time, window time.Duration) bool {
	if len(grants) == 0 {
		return false
	}
	for _, g := range grants {
		c := g.Assignment.CreatedOn
		if c.IsZero() || at.Sub(c) >= window {
			return false
		}
	}
	return true
}

type scopedAccess struct {
	a   Access
	err error
}

// accessAt reads the principal's access at each scope, concurrently.
func (s *Session) accessAt(ctx context.Context, p PrincipalRef, scopes map[string]bool) map[string]scopedAccess {
	out := map[string]scopedAccess{}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for sc := range scopes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := s.Access(ctx, p, sc)
			mu.Lock()
			out[sc] = scopedAccess{a, err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// fixFor is the assignment that meets n: the operation's usual role (the
// one Azure assigns a system-assigned identity) when the engine suggests
// it or could not judge, else the smallest role it suggests; at the
// resource Azure's own assignment uses.
func fixFor(n Need, id EndpointIdentity, res WorkspaceResources, suggest []rbac.RoleDefinition) *Fix {
	role, ok := rbac.RoleByName(builtinRoles(), n.Op.Role)
	if len(suggest) > 0 && (!ok || !slices.ContainsFunc(suggest, func(r rbac.RoleDefinition) bool { return r.RoleName == role.RoleName })) {
		role, ok = suggest[0], true
	}
	scope := res.FixScope(n.Op)
	if !ok || scope == "" || id.Principal.ID == "" {
		return nil
	}
	return &Fix{Principal: id.Principal, Role: role, Scope: scope,
		Text: "Assign " + role.RoleName + " to the " + id.Label() + " on " + scope + "."}
}

// AutoGrant is one row of Azure's automatic role assignments for a
// system-assigned endpoint identity.
type AutoGrant struct {
	Role      rbac.RoleDefinition
	Scope     string // "" when the workspace names no such resource
	For       string // what it allows
	Condition string // Azure's documented condition
	Granted   bool   // Azure will make this assignment
	Why       string // why it will or will not
}

// AutoGrants is what Azure will grant an endpoint's identity when the
// endpoint is created, and whether it will reject the creation.
// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#automatic-role-assignment-for-endpoint-identity
type AutoGrants struct {
	Grants []AutoGrant // the concept page's four rows, in its order
	// Rejected: Azure will reject creating the endpoint (a system-assigned
	// identity, the enforce flag, and a creator who may not read
	// connection secrets). RejectWhy says so, with the way out.
	Rejected  bool
	RejectWhy string
	// Unknown: the creator's right to read connection secrets could not
	// be read, so whether the secrets row is granted, or the creation
	// rejected, is unknown.
	Unknown bool
}

// AutomaticGrants says what Azure grants an endpoint identity by itself.
// userAssigned: a user-assigned identity gets nothing. creator is the
// verdict of CanReadConnectionSecrets for whoever creates the endpoint
// (nil: not known); it matters only with enforce.
func AutomaticGrants(userAssigned, enforce bool, creator *Verdict, res WorkspaceResources) AutoGrants {
	rows := []struct{ role, scope, what, cond string }{
		{"AcrPull", res.ContainerRegistry, "pull images from the workspace's container registry", "The endpoint identity is system-assigned."},
		{"Storage Blob Data Reader", res.StorageAccount, "read blobs (models) from the workspace's default datastore", "The endpoint identity is system-assigned."},
		{"AzureML Metrics Writer (preview)", res.ID, "write metrics to the workspace", "The endpoint identity is system-assigned."},
		{"Azure Machine Learning Workspace Connection Secrets Reader", res.ID, "read secrets from workspace connections",
			"The endpoint identity is system-assigned, the endpoint enforces access to the default secret stores, and its creator may read workspace connection secrets."},
	}
	var out AutoGrants
	creatorMay := creator != nil && creator.Outcome == rbac.Allowed
	creatorMayNot := creator != nil && (creator.Outcome == rbac.NotGranted || creator.Outcome == rbac.DeniedByDenyAssignment || creator.Outcome == rbac.Pending)
	for i, r := range rows {
		role, _ := rbac.RoleByName(builtinRoles(), r.role)
		g := AutoGrant{Role: role, Scope: r.scope, For: r.what, Condition: r.cond}
		switch {
		case userAssigned:
			g.Why = "A user-assigned identity gets no role automatically: assign it yourself."
		case i < 3:
			g.Granted, g.Why = true, "Azure assigns it when it creates the system-assigned identity."
		case !enforce:
			g.Why = "Not assigned: the endpoint does not enforce access to the default secret stores (assign it yourself if deployments inject secrets)."
		case creatorMay:
			g.Granted, g.Why = true, "Assigned: the endpoint enforces access to the default secret stores and you may read workspace connection secrets."
		case creatorMayNot:
			g.Why = "Not assigned: you may not read workspace connection secrets, so Azure rejects the creation."
		default:
			g.Why = "Unknown: whether you may read workspace connection secrets could not be read."
		}
		if g.Granted && g.Scope == "" {
			g.Why += " (the workspace names no such resource yet, so there is no scope to show.)"
		}
		out.Grants = append(out.Grants, g)
	}
	if !userAssigned && enforce {
		switch {
		case creatorMayNot:
			out.Rejected = true
			out.RejectWhy = "Azure will reject this endpoint: with a system-assigned identity and access to the default secret stores enforced, " +
				"its creator must be allowed " + rbac.ActionListConnectionSecrets + " on the workspace, and you are not. " +
				"Turn the flag off, use a user-assigned identity, or get the Azure Machine Learning Workspace Connection Secrets Reader role on the workspace first."
		case !creatorMay:
			out.Unknown = true
		}
	}
	return out
}

// CanReadConnectionSecrets judges whether the signed-in identity may read
// workspace connection secrets (connections.listSecrets) on the workspace:
// the creator's right Azure checks before it creates an endpoint that
// enforces access to the default secret stores with a system-assigned
// identity.
func (s *Session) CanReadConnectionSecrets(ctx context.Context, ws WorkspaceRef) (Verdict, error) {
	a, err := s.Access(ctx, s.id.Principal(), ws.ID())
	if err != nil {
		return Verdict{}, err
	}
	op, _ := rbac.OperationByKey("connections.listSecrets")
	return a.Check([]rbac.Operation{op})[0], nil
}
