package azure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"

	"amlauth-tui/azure/rbac"
)

// Online deployments: the deploy wizard's spec, its validation and its
// three renderings (deployment.yml, az, REST), the writes as long-running
// operations tracked by Operation (lro.go), traffic and mirror traffic,
// logs, and the models and environments a deployment names.

// DeploymentRef names an online deployment.
type DeploymentRef struct {
	EndpointRef
	Deployment string
}

// ID is the deployment's ARM id.
func (r DeploymentRef) ID() string { return r.EndpointRef.ID() + "/deployments/" + r.Deployment }

// DeploymentNameRule is Azure ML's rule for deployment names: the same as
// for endpoint names ("Manage and increase quotas and limits", section
// "Azure Machine Learning online endpoints and batch endpoints":
// https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#azure-machine-learning-online-endpoints-and-batch-endpoints).
const DeploymentNameRule = "3-32 characters: letters, digits and dashes (-), starting with a letter and ending with a letter or digit; unique in the endpoint"

// Instance counts a managed deployment accepts: at least one instance, and
// at most Azure's default limit of instances per deployment (same quota
// page). The subscription's vCPU quota can refuse fewer: Azure says so
// when the deployment is created (Progress.Err).
const (
	MinInstanceCount = 1
	MaxInstanceCount = 50
)

// Request settings bounds (managed online deployment YAML reference,
// request_settings: request_timeout_ms up to 180000).
// https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-managed-online#requestsettings
const (
	MaxRequestTimeoutMs = 180000
)

// ValidateDeploymentName checks Azure's rule and, when existing lists the
// endpoint's deployments, uniqueness (names compare ignoring case, as
// ARM's do). Cheap enough to run at every keystroke.
func ValidateDeploymentName(name string, existing []string) error {
	if err := validateName("deployment", DeploymentNameRule, name); err != nil {
		return err
	}
	for _, e := range existing {
		if rbac.EqualOrdinalIgnoreCase(e, name) {
			return &SpecError{What: "deployment", Field: "name", Message: fmt.Sprintf(
				"The endpoint already has a deployment named %q. Deployment names are %s.", e, DeploymentNameRule)}
		}
	}
	return nil
}

// InstanceType is a VM size managed online deployments run on.
type InstanceType struct {
	Name     string // Standard_DS3_v2
	Family   string // "General purpose", "Compute optimized", "Memory optimized", "GPU"
	VCPUs    int
	MemoryGB float64
	GPUs     int
	Note     string // when it is a poor fit
}

// instanceTypes is a documented subset of the VM SKUs managed online
// endpoints support ("Managed online endpoints SKU list":
// https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list).
// It is static: Azure has no API that lists them per region for a
// deployment that does not exist yet; Azure refuses a size it lacks in
// the region when the deployment is created.
var instanceTypes = []InstanceType{
	{Name: "Standard_DS1_v2", Family: "General purpose", VCPUs: 1, MemoryGB: 3.5, Note: "for tests only: too small for most models (the container may be ended for lack of memory)"},
	{Name: "Standard_DS2_v2", Family: "General purpose", VCPUs: 2, MemoryGB: 7},
	{Name: "Standard_DS3_v2", Family: "General purpose", VCPUs: 4, MemoryGB: 14},
	{Name: "Standard_DS4_v2", Family: "General purpose", VCPUs: 8, MemoryGB: 28},
	{Name: "Standard_DS5_v2", Family: "General purpose", VCPUs: 16, MemoryGB: 56},
	{Name: "Standard_F2s_v2", Family: "Compute optimized", VCPUs: 2, MemoryGB: 4, Note: "small: may be too little memory for bigger models"},
	{Name: "Standard_F4s_v2", Family: "Compute optimized", VCPUs: 4, MemoryGB: 8},
	{Name: "Standard_F8s_v2", Family: "Compute optimized", VCPUs: 8, MemoryGB: 16},
	{Name: "Standard_F16s_v2", Family: "Compute optimized", VCPUs: 16, MemoryGB: 32},
	{Name: "Standard_E2s_v3", Family: "Memory optimized", VCPUs: 2, MemoryGB: 16},
	{Name: "Standard_E4s_v3", Family: "Memory optimized", VCPUs: 4, MemoryGB: 32},
	{Name: "Standard_E8s_v3", Family: "Memory optimized", VCPUs: 8, MemoryGB: 64},
	{Name: "Standard_E16s_v3", Family: "Memory optimized", VCPUs: 16, MemoryGB: 128},
	{Name: "Standard_NC4as_T4_v3", Family: "GPU", VCPUs: 4, MemoryGB: 28, GPUs: 1},
	{Name: "Standard_NC8as_T4_v3", Family: "GPU", VCPUs: 8, MemoryGB: 56, GPUs: 1},
	{Name: "Standard_NC6s_v3", Family: "GPU", VCPUs: 6, MemoryGB: 112, GPUs: 1},
	{Name: "Standard_NC24ads_A100_v4", Family: "GPU", VCPUs: 24, MemoryGB: 220, GPUs: 1},
}

// InstanceTypes is the catalogue of managed instance types (a copy), smallest first within each family.
func InstanceTypes() []InstanceType { return slices.Clone(instanceTypes) }

// InstanceTypeByName finds a managed instance type (ignoring case).
func InstanceTypeByName(name string) (InstanceType, bool) {
	for _, t := range instanceTypes {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t, true
		}
	}
	return InstanceType{}, false
}

// DeploymentSpec is what the deploy wizard collects.
type DeploymentSpec struct {
	Ref         DeploymentRef
	Location    string // the endpoint's region (CreateDeployment fills it from the endpoint when empty)
	ComputeType string // "Managed" | "Kubernetes": the endpoint's (filled from the endpoint when empty)
	// Model is the model version: its ARM id (ModelVersion.ID), or
	// azureml:name:version for one of the workspace's.
	Model string
	// Environment is the environment version: its ARM id or
	// azureml:name:version (EnvironmentVersion.ID), or a registry asset id
	// azureml://registries/{registry}/environments/{name}/versions/{v}.
	Environment   string
	InstanceType  string
	InstanceCount int32
	Description   string
	// EnvironmentVariables of the container; a value may be a secret
	// reference (${{azureml://connections/...}}), which the endpoint
	// identity resolves (it then needs identity.readSecrets).
	EnvironmentVariables map[string]string
	// RequestTimeoutMs: 0 keeps Azure's default (5000 ms).
	RequestTimeoutMs int32
	// MaxConcurrentRequestsPerInstance: 0 keeps Azure's default (1).
	MaxConcurrentRequestsPerInstance int32
	AppInsightsEnabled               bool
}

func (sp DeploymentSpec) kubernetes() bool {
	return strings.EqualFold(strings.TrimSpace(sp.ComputeType), "Kubernetes")
}

var envVarNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate checks what Azure would refuse, field by field (SpecError.Field:
// workspace, endpoint, name, location, compute, model, environment,
// instance_type, instance_count, request_settings, environment_variables).
func (sp DeploymentSpec) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &SpecError{What: "deployment", Field: field, Message: fmt.Sprintf(format, args...)}
	}
	r := sp.Ref
	if r.Subscription == "" || r.ResourceGroup == "" || r.Name == "" {
		return bad("workspace", "Pick a workspace first: a deployment needs its subscription, resource group and workspace.")
	}
	if strings.TrimSpace(r.Endpoint) == "" {
		return bad("endpoint", "Pick the endpoint the deployment belongs to.")
	}
	if err := ValidateDeploymentName(r.Deployment, nil); err != nil {
		return err
	}
	if strings.TrimSpace(sp.Location) == "" {
		return bad("location", "The location is empty: a deployment lives in its endpoint's region.")
	}
	if ct := strings.ToLower(strings.TrimSpace(sp.ComputeType)); ct != "" && ct != "managed" && ct != "kubernetes" {
		return bad("compute", "Compute type %q is not Managed or Kubernetes.", sp.ComputeType)
	}
	if _, _, err := assetName(sp.Model, "models"); err != nil {
		return bad("model", "%s", err.Error())
	}
	if _, _, err := assetName(sp.Environment, "environments"); err != nil {
		return bad("environment", "%s", err.Error())
	}
	it := strings.TrimSpace(sp.InstanceType)
	switch _, known := InstanceTypeByName(it); {
	case it == "":
		return bad("instance_type", "Choose an instance type (the VM size each instance runs on).")
	case !sp.kubernetes() && !known:
		return bad("instance_type", "%q is not an instance type of managed online endpoints; choose one from the list (e.g. Standard_DS3_v2).", it)
	}
	switch n := sp.InstanceCount; {
	case n < MinInstanceCount:
		return bad("instance_count", "The instance count is %d: a deployment needs at least %d instance.", n, MinInstanceCount)
	case n > MaxInstanceCount:
		return bad("instance_count", "The instance count is %d: Azure allows at most %d instances per deployment.", n, MaxInstanceCount)
	}
	switch {
	case sp.RequestTimeoutMs < 0 || sp.RequestTimeoutMs > MaxRequestTimeoutMs:
		return bad("request_settings", "The request timeout is %d ms: it must be between 1 and %d ms (0 keeps Azure's default of 5000 ms).", sp.RequestTimeoutMs, MaxRequestTimeoutMs)
	case sp.MaxConcurrentRequestsPerInstance < 0:
		return bad("request_settings", "Max concurrent requests per instance is %d: it must be at least 1 (0 keeps Azure's default of 1).", sp.MaxConcurrentRequestsPerInstance)
	}
	for k := range sp.EnvironmentVariables {
		if !envVarNameRE.MatchString(k) {
			return bad("environment_variables", "Environment variable name %q is not valid: letters, digits and underscores, not starting with a digit.", k)
		}
	}
	return nil
}

// assetName reads an asset id of kind ("models" or "environments"): an ARM
// id .../workspaces/{ws}/{kind}/{name}/versions/{v}, azureml:name:version,
// or azureml://registries/{r}/{kind}/{name}/versions/{v}.
func assetName(id, kind string) (name, version string, err error) {
	what := strings.TrimSuffix(kind, "s")
	id = strings.TrimSpace(id)
	if id == "" {
		return "", "", fmt.Errorf("Choose a %s.", what)
	}
	if rest, ok := strings.CutPrefix(id, "azureml:"); ok && !strings.HasPrefix(rest, "//") {
		name, version, ok = strings.Cut(rest, ":")
		if !ok || name == "" || version == "" || strings.Contains(version, ":") {
			return "", "", fmt.Errorf("%q is not a %s reference: write azureml:NAME:VERSION.", id, what)
		}
		return name, version, nil
	}
	seg := strings.Split(strings.Trim(strings.TrimPrefix(id, "azureml:"), "/"), "/")
	for i := 0; i+3 < len(seg); i++ {
		if strings.EqualFold(seg[i], kind) && strings.EqualFold(seg[i+2], "versions") && i+4 == len(seg) {
			return seg[i+1], seg[i+3], nil
		}
	}
	return "", "", fmt.Errorf("%q is not a %s version: pick one from the list, or write azureml:NAME:VERSION.", id, what)
}

// assetID is the ARM id the REST body names: a workspace asset as its ARM
// id, a registry asset as given.
func (sp DeploymentSpec) assetID(id, kind string) string {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "azureml:") && !strings.HasPrefix(id, "azureml://") {
		if name, version, err := assetName(id, kind); err == nil {
			return sp.Ref.WorkspaceRef.ID() + "/" + kind + "/" + name + "/versions/" + version
		}
	}
	return id
}

// yamlAsset is how deployment.yml names an asset: azureml:name:version for
// the workspace's own, the id as given otherwise.
func (sp DeploymentSpec) yamlAsset(id, kind string) string {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "/") {
		if name, version, err := assetName(id, kind); err == nil && strings.HasPrefix(strings.ToLower(id), strings.ToLower(sp.Ref.WorkspaceRef.ID()+"/")) {
			return "azureml:" + name + ":" + version
		}
	}
	return id
}

// armBody is the PUT body CreateDeployment sends (and REST shows). The SKU
// carries the instance count, as the CLI sends it (sku name "Default").
func (sp DeploymentSpec) armBody() armmachinelearning.OnlineDeployment {
	base := armmachinelearning.OnlineDeploymentProperties{
		Model:         to.Ptr(sp.assetID(sp.Model, "models")),
		EnvironmentID: to.Ptr(sp.assetID(sp.Environment, "environments")),
		InstanceType:  to.Ptr(strings.TrimSpace(sp.InstanceType)),
	}
	if sp.Description != "" {
		base.Description = to.Ptr(sp.Description)
	}
	if len(sp.EnvironmentVariables) > 0 {
		base.EnvironmentVariables = map[string]*string{}
		for k, v := range sp.EnvironmentVariables {
			base.EnvironmentVariables[k] = to.Ptr(v)
		}
	}
	if sp.RequestTimeoutMs > 0 || sp.MaxConcurrentRequestsPerInstance > 0 {
		rs := &armmachinelearning.OnlineRequestSettings{}
		if sp.RequestTimeoutMs > 0 {
			rs.RequestTimeout = to.Ptr(isoMillis(sp.RequestTimeoutMs))
		}
		if sp.MaxConcurrentRequestsPerInstance > 0 {
			rs.MaxConcurrentRequestsPerInstance = to.Ptr(sp.MaxConcurrentRequestsPerInstance)
		}
		base.RequestSettings = rs
	}
	if sp.AppInsightsEnabled {
		base.AppInsightsEnabled = to.Ptr(true)
	}
	var props armmachinelearning.OnlineDeploymentPropertiesClassification
	if sp.kubernetes() {
		props = &armmachinelearning.KubernetesOnlineDeployment{EndpointComputeType: to.Ptr(armmachinelearning.EndpointComputeTypeKubernetes),
			Model: base.Model, EnvironmentID: base.EnvironmentID, InstanceType: base.InstanceType, Description: base.Description,
			EnvironmentVariables: base.EnvironmentVariables, RequestSettings: base.RequestSettings, AppInsightsEnabled: base.AppInsightsEnabled}
	} else {
		props = &armmachinelearning.ManagedOnlineDeployment{EndpointComputeType: to.Ptr(armmachinelearning.EndpointComputeTypeManaged),
			Model: base.Model, EnvironmentID: base.EnvironmentID, InstanceType: base.InstanceType, Description: base.Description,
			EnvironmentVariables: base.EnvironmentVariables, RequestSettings: base.RequestSettings, AppInsightsEnabled: base.AppInsightsEnabled}
	}
	return armmachinelearning.OnlineDeployment{Location: to.Ptr(strings.TrimSpace(sp.Location)), Properties: props,
		SKU: &armmachinelearning.SKU{Name: to.Ptr("Default"), Capacity: to.Ptr(sp.InstanceCount)}}
}

// isoMillis writes milliseconds as an ISO 8601 duration (PT5S, PT0.5S).
func isoMillis(ms int32) string {
	return "PT" + strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + "S"
}

// YAML is the deployment.yml for `az ml online-deployment create -f`.
func (sp DeploymentSpec) YAML() string {
	var b yamlWriter
	b.head(sp.kubernetes(), schemaManagedDeployment, schemaKubernetesDeployment, sp.Ref.Deployment)
	b.line("", "endpoint_name", sp.Ref.Endpoint)
	if sp.Description != "" {
		b.line("", "description", sp.Description)
	}
	b.line("", "model", sp.yamlAsset(sp.Model, "models"))
	b.line("", "environment", sp.yamlAsset(sp.Environment, "environments"))
	b.line("", "instance_type", strings.TrimSpace(sp.InstanceType))
	b.WriteString("instance_count: " + strconv.Itoa(int(sp.InstanceCount)) + "\n")
	b.mapping("environment_variables", sp.EnvironmentVariables)
	if sp.RequestTimeoutMs > 0 || sp.MaxConcurrentRequestsPerInstance > 0 {
		b.WriteString("request_settings:\n")
		if sp.RequestTimeoutMs > 0 {
			b.WriteString("  request_timeout_ms: " + strconv.Itoa(int(sp.RequestTimeoutMs)) + "\n")
		}
		if sp.MaxConcurrentRequestsPerInstance > 0 {
			b.WriteString("  max_concurrent_requests_per_instance: " + strconv.Itoa(int(sp.MaxConcurrentRequestsPerInstance)) + "\n")
		}
	}
	if sp.AppInsightsEnabled {
		b.WriteString("app_insights_enabled: true\n")
	}
	return b.String()
}

// AzCommand is the equivalent `az ml online-deployment create` command.
func (sp DeploymentSpec) AzCommand() string { return sp.azCommand("create") }

// AzUpdateCommand is the `az ml online-deployment update` command that puts
// an existing deployment to the spec: create fails when the deployment
// exists ("If you want to update the existing deployment, use az ml
// online-deployment update").
// https://learn.microsoft.com/cli/azure/ml/online-deployment#az-ml-online-deployment-create
func (sp DeploymentSpec) AzUpdateCommand() string { return sp.azCommand("update") }

func (sp DeploymentSpec) azCommand(verb string) string {
	r := sp.Ref
	return "az ml online-deployment " + verb + " --name " + azArg(r.Deployment) + " --endpoint-name " + azArg(r.Endpoint) +
		" --file deployment.yml --resource-group " + azArg(r.ResourceGroup) + " --workspace-name " + azArg(r.Name) +
		" --subscription " + azArg(r.Subscription)
}

// REST is the equivalent ARM request: method, URL path (with api-version)
// and JSON body, as EndpointSpec.REST gives it (Config.RESTText, rest.go, adds the cloud's host).
func (sp DeploymentSpec) REST() (method, path, body string) {
	return http.MethodPut, deploymentPath(sp.Ref) + "?api-version=" + mlAPIVersion, indentedJSON(sp.armBody())
}

// deploymentPath is the deployment's ARM path with each name escaped.
func deploymentPath(r DeploymentRef) string {
	return endpointPath(r.EndpointRef) + "/deployments/" + url.PathEscape(r.Deployment)
}

// deploymentFrom reads an SDK deployment; ep gives its traffic shares.
func deploymentFrom(d *armmachinelearning.OnlineDeployment, ep Endpoint) Deployment {
	name := deref(d.Name)
	dep := Deployment{Name: name, ID: deref(d.ID), TrafficPercent: trafficOf(ep.Traffic, name), MirrorPercent: trafficOf(ep.MirrorTraffic, name)}
	if d.SKU != nil && d.SKU.Capacity != nil {
		dep.InstanceCount = *d.SKU.Capacity
	}
	if d.Properties != nil {
		b := d.Properties.GetOnlineDeploymentProperties()
		dep.ProvisioningState = derefEnum(b.ProvisioningState)
		dep.Model = deref(b.Model)
		dep.Environment = deref(b.EnvironmentID)
		dep.InstanceType = deref(b.InstanceType)
		dep.ComputeType = derefEnum(b.EndpointComputeType)
		dep.Description = deref(b.Description)
		dep.EnvironmentVariables = tags(b.EnvironmentVariables)
	}
	if sd := d.SystemData; sd != nil {
		dep.CreatedBy = deref(sd.CreatedBy)
		if sd.CreatedAt != nil {
			dep.CreatedAt = *sd.CreatedAt
		}
	}
	return dep
}

// trafficOf is a deployment's share; traffic keys compare ignoring case.
func trafficOf(m map[string]int32, name string) int32 {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if rbac.EqualOrdinalIgnoreCase(k, name) {
			return v
		}
	}
	return 0
}

func (s *Session) deploymentsClient(sub string) (*armmachinelearning.OnlineDeploymentsClient, error) {
	f, err := s.mlFactory(sub)
	if err != nil {
		return nil, err
	}
	return f.NewOnlineDeploymentsClient(), nil
}

// Deployment gets one deployment, with its traffic shares.
func (s *Session) Deployment(ctx context.Context, ref DeploymentRef) (Deployment, error) {
	c, err := s.deploymentsClient(ref.Subscription)
	if err != nil {
		return Deployment{}, err
	}
	ep, err := s.Endpoint(ctx, ref.EndpointRef)
	if err != nil {
		return Deployment{}, err
	}
	r, err := c.Get(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, ref.Deployment, nil)
	if err != nil {
		return Deployment{}, Classify(err)
	}
	return deploymentFrom(&r.OnlineDeployment, ep), nil
}

// transitional is a provisioning state of a write still running.
func transitional(state string) bool {
	switch strings.ToLower(state) {
	case "creating", "updating", "deleting", "scaling", "provisioning":
		return true
	}
	return false
}

// CreateDeployment starts the create (PUT) and returns the running
// operation (Progress.Deployment at the end). Before anything is sent it
// refuses, typed: a spec Azure would refuse (*SpecError), a model or
// environment the workspace does not have (*SpecError, field model or
// environment), a name taken (*ConflictError DeploymentExists), a write
// already running on the endpoint or one of its deployments
// (*ConflictError OperationInProgress), and a creator the enforce-secret-
// stores rule rejects (*SecretStoresError). A deployment of that name that
// failed is created again: that PUT is the retry.
func (s *Session) CreateDeployment(ctx context.Context, spec DeploymentSpec) (*Operation, error) {
	return s.putDeployment(ctx, spec, false)
}

// UpdateDeployment replaces an existing deployment's settings (a PUT of
// the whole spec: model, environment, instance type and count, variables)
// and returns the running operation, refused as CreateDeployment refuses,
// except that the deployment must exist (*NotFoundError).
func (s *Session) UpdateDeployment(ctx context.Context, spec DeploymentSpec) (*Operation, error) {
	return s.putDeployment(ctx, spec, true)
}

// putDeployment is CreateDeployment (update false) and UpdateDeployment.
func (s *Session) putDeployment(ctx context.Context, spec DeploymentSpec, update bool) (*Operation, error) {
	r := spec.Ref
	if strings.TrimSpace(r.Endpoint) == "" || r.Name == "" {
		return nil, spec.Validate()
	}
	ec, err := s.endpointWriter(r.Subscription)
	if err != nil {
		return nil, err
	}
	raw, err := ec.Get(ctx, r.ResourceGroup, r.Name, r.Endpoint, nil)
	if err != nil {
		return nil, Classify(err)
	}
	ep := endpointFrom(r.WorkspaceRef, &raw.OnlineEndpoint)
	spec.Location = cmp.Or(strings.TrimSpace(spec.Location), ep.Location)
	spec.ComputeType = cmp.Or(strings.TrimSpace(spec.ComputeType), ep.ComputeType)
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	deps, err := s.Deployments(ctx, r.EndpointRef)
	if err != nil {
		return nil, err
	}
	if transitional(ep.ProvisioningState) {
		return nil, &ConflictError{Code: "OperationInProgress", Message: fmt.Sprintf(
			"Endpoint %s is %s; Azure runs one write at a time on an endpoint and its deployments.", r.Endpoint, strings.ToLower(ep.ProvisioningState))}
	}
	exists := slices.ContainsFunc(deps, func(d Deployment) bool { return rbac.EqualOrdinalIgnoreCase(d.Name, r.Deployment) })
	if update && !exists {
		return nil, &NotFoundError{What: "deployment", Message: fmt.Sprintf("Endpoint %s has no deployment named %s to change.", r.Endpoint, r.Deployment)}
	}
	for _, d := range deps {
		switch {
		case !update && rbac.EqualOrdinalIgnoreCase(d.Name, r.Deployment) && !strings.EqualFold(d.ProvisioningState, "Failed"):
			return nil, &ConflictError{Code: "DeploymentExists", Target: "name", Message: fmt.Sprintf(
				"Endpoint %s already has a deployment named %s; creating it again would replace it.", r.Endpoint, d.Name)}
		case transitional(d.ProvisioningState):
			return nil, &ConflictError{Code: "OperationInProgress", Message: fmt.Sprintf(
				"Deployment %s of endpoint %s is %s; Azure runs one write at a time on an endpoint and its deployments.", d.Name, r.Endpoint, strings.ToLower(d.ProvisioningState))}
		}
	}
	if err := s.assetsExist(ctx, spec); err != nil {
		return nil, err
	}
	if err := s.secretStoresRule(ctx, r, raw.OnlineEndpoint, exists); err != nil {
		return nil, err
	}
	c, err := s.deploymentsClient(r.Subscription)
	if err != nil {
		return nil, err
	}
	var first *http.Response
	p, err := c.BeginCreateOrUpdate(runtime.WithCaptureResponse(ctx, &first), r.ResourceGroup, r.Name, r.Endpoint, r.Deployment, spec.armBody(), nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	kind, state := "create", "Creating" // the first answer's state wins (a retried create is Updating)
	if update {
		kind, state = "update", "Updating"
	}
	op := trackPoller(s.cfg.Polling, kind, r.EndpointRef, p, first, state, deploymentResult[armmachinelearning.OnlineDeploymentsClientCreateOrUpdateResponse](s, r))
	op.Deployment = r.Deployment
	return op, nil
}

// SecretStoresError is a deployment Azure would reject: its endpoint runs
// as a system-assigned identity and enforces access to the default secret
// stores, and whoever creates the deployment must then be allowed to read
// the workspace's connection secrets
// (https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#permissions-for-user-identity-to-enforce-access-to-default-secret-stores).
type SecretStoresError struct {
	Endpoint  string
	Workspace string
	Verdict   Verdict // the creator's connections.listSecrets verdict on the workspace
}

func (e *SecretStoresError) Error() string {
	return "endpoint " + e.Endpoint + " enforces access to the default secret stores, and you may not read the connection secrets of workspace " + e.Workspace
}

// Explanation says the rule and the ways out.
func (e *SecretStoresError) Explanation() Explanation {
	return Explanation{Title: "Azure would reject this deployment",
		Detail: "Endpoint " + e.Endpoint + " runs as a system-assigned identity and enforces access to the default secret stores, so whoever creates its deployments must be allowed " +
			rbac.ActionListConnectionSecrets + " on workspace " + e.Workspace + ": " + e.Verdict.Decision.Reason + ".",
		Next: "Ask an Owner or User Access Administrator of the workspace for Azure Machine Learning Workspace Connection Secrets Reader, or have someone who holds it create the deployment."}
}

// secretStoresRule applies that rule before a new deployment is sent: a
// creator known not to have the permission is refused; unknown, Azure decides.
func (s *Session) secretStoresRule(ctx context.Context, r DeploymentRef, e armmachinelearning.OnlineEndpoint, exists bool) error {
	if exists {
		return nil // a change, or a retry, of an existing deployment is not a creation
	}
	sai := e.Identity != nil && strings.Contains(strings.ToLower(derefEnum(e.Identity.Type)), "systemassigned")
	if !sai || e.Properties == nil || !strings.EqualFold(deref(e.Properties.Properties[EnforceSecretStoresProperty]), "enabled") {
		return nil
	}
	v, err := s.CanReadConnectionSecrets(ctx, r.WorkspaceRef)
	if err != nil || (v.Outcome != rbac.NotGranted && v.Outcome != rbac.DeniedByDenyAssignment) {
		return nil
	}
	return &SecretStoresError{Endpoint: r.Endpoint, Workspace: r.Name, Verdict: v}
}

// deploymentResult reads the deployment at the end of a write, with the
// endpoint's traffic as it is then.
func deploymentResult[T any](s *Session, ref DeploymentRef) func(context.Context, T) (Progress, error) {
	return func(ctx context.Context, _ T) (Progress, error) {
		d, err := s.Deployment(ctx, ref)
		if err != nil {
			return Progress{}, nil // the write succeeded; the screen reads the list again
		}
		return Progress{Deployment: &d}, nil
	}
}

// assetsExist refuses a model or environment of the workspace that does
// not exist (registry assets are Azure's to check).
func (s *Session) assetsExist(ctx context.Context, spec DeploymentSpec) error {
	f, err := s.mlFactory(spec.Ref.Subscription)
	if err != nil {
		return err
	}
	ws := spec.Ref.WorkspaceRef
	for _, a := range []struct{ id, kind string }{{spec.Model, "models"}, {spec.Environment, "environments"}} {
		id := spec.assetID(a.id, a.kind)
		if !strings.HasPrefix(strings.ToLower(id), strings.ToLower(ws.ID()+"/")) {
			continue
		}
		name, version, _ := assetName(id, a.kind)
		if a.kind == "models" {
			_, err = f.NewModelVersionsClient().Get(ctx, ws.ResourceGroup, ws.Name, name, version, nil)
		} else {
			_, err = f.NewEnvironmentVersionsClient().Get(ctx, ws.ResourceGroup, ws.Name, name, version, nil)
		}
		var nf *NotFoundError
		if errors.As(Classify(err), &nf) {
			what := strings.TrimSuffix(a.kind, "s")
			return &SpecError{What: "deployment", Field: what, Message: fmt.Sprintf(
				"Workspace %s has no %s %s version %s. Pick one from the list.", ws.Name, what, name, version)}
		}
		// Anything else (no read access, a hiccup): the PUT decides.
	}
	return nil
}

// ScaleDeployment sets the instance count (a PATCH of the SKU, as
// `az ml online-deployment update --set instance_count=N`).
func (s *Session) ScaleDeployment(ctx context.Context, ref DeploymentRef, count int32) (*Operation, error) {
	if count < MinInstanceCount || count > MaxInstanceCount {
		return nil, &SpecError{What: "deployment", Field: "instance_count", Message: fmt.Sprintf(
			"The instance count is %d: it must be between %d and %d.", count, MinInstanceCount, MaxInstanceCount)}
	}
	c, err := s.deploymentsClient(ref.Subscription)
	if err != nil {
		return nil, err
	}
	var first *http.Response
	p, err := c.BeginUpdate(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, ref.Deployment,
		armmachinelearning.PartialMinimalTrackedResourceWithSKU{SKU: &armmachinelearning.PartialSKU{Capacity: to.Ptr(count)}}, nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	op := trackPoller(s.cfg.Polling, "update", ref.EndpointRef, p, first, "Scaling", deploymentResult[armmachinelearning.OnlineDeploymentsClientUpdateResponse](s, ref))
	op.Deployment = ref.Deployment
	return op, nil
}

// DeleteDeployment starts the delete. A deployment that still receives
// traffic or mirrored traffic is refused before anything is sent
// (*TrafficError, rule TrafficRuleDeleteWithTraffic), as Azure refuses it.
func (s *Session) DeleteDeployment(ctx context.Context, ref DeploymentRef) (*Operation, error) {
	ep, err := s.Endpoint(ctx, ref.EndpointRef)
	if err != nil {
		return nil, err
	}
	if live, mirror := trafficOf(ep.Traffic, ref.Deployment), trafficOf(ep.MirrorTraffic, ref.Deployment); live > 0 || mirror > 0 {
		share := fmt.Sprintf("%d%% of the traffic", live)
		if mirror > 0 {
			share = fmt.Sprintf("%d%% mirrored traffic", mirror)
		}
		return nil, &TrafficError{Rule: TrafficRuleDeleteWithTraffic, Deployment: ref.Deployment, Message: fmt.Sprintf(
			"Deployment %s still receives %s. Move its traffic to other deployments (set it to 0) first, then delete it.", ref.Deployment, share)}
	}
	c, err := s.deploymentsClient(ref.Subscription)
	if err != nil {
		return nil, err
	}
	var first *http.Response
	p, err := c.BeginDelete(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, ref.Deployment, nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	op := trackPoller(s.cfg.Polling, "delete", ref.EndpointRef, p, first, "Deleting", nil)
	op.Deployment = ref.Deployment
	return op, nil
}

// The traffic rules, as Azure validates an endpoint's traffic and mirror
// traffic ("Perform safe rollout of new deployments", sections "Send all
// traffic to your new deployment" and "Test the deployment with mirrored
// traffic", whose limitations list the mirror rules:
// https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints#test-the-deployment-with-mirrored-traffic).
const (
	TrafficRuleRange             = "range"                  // each share is 0-100
	TrafficRuleSum               = "sum-100"                // live shares add up to 100 (or are all 0)
	TrafficRuleUnknownDeployment = "known-deployment"       // a share names a deployment of the endpoint
	TrafficRuleMirrorMax         = "mirror-at-most-50"      // mirrored shares add up to at most 50
	TrafficRuleMirrorOne         = "mirror-one-deployment"  // traffic is mirrored to one deployment at most
	TrafficRuleMirrorNotLive     = "mirror-not-live"        // a deployment gets live or mirrored traffic, not both
	TrafficRuleMirrorManaged     = "mirror-managed-only"    // Kubernetes endpoints do not mirror
	TrafficRuleDeleteWithTraffic = "no-delete-with-traffic" // a deployment with traffic cannot be deleted
)

// TrafficError is traffic Azure would refuse; Rule names the rule broken
// (TrafficRule*), Deployment the deployment it is about, when one.
type TrafficError struct{ Rule, Deployment, Message string }

func (e *TrafficError) Error() string { return e.Message }

// Explanation says the rule and what to change.
func (e *TrafficError) Explanation() Explanation {
	next := "Correct the shares and apply again."
	switch e.Rule {
	case TrafficRuleDeleteWithTraffic:
		return Explanation{Title: "The deployment still has traffic", Detail: e.Message, Next: "Set its traffic share to 0, apply that, then delete it."}
	case TrafficRuleSum:
		next = "Make the live shares add up to 100."
	case TrafficRuleUnknownDeployment:
		next = "Route traffic only to the endpoint's deployments."
	case TrafficRuleMirrorMax, TrafficRuleMirrorOne, TrafficRuleMirrorNotLive, TrafficRuleMirrorManaged:
		next = "Mirror at most 50% of the traffic, to one deployment that receives no live traffic."
	}
	return Explanation{Title: "Azure would refuse this traffic", Detail: e.Message, Next: next}
}

// ValidateTraffic checks live and mirrored shares against the endpoint's
// deployments with Azure's rules; the error names the rule. kubernetes is
// the endpoint's compute (mirroring is for managed endpoints only).
func ValidateTraffic(deployments []string, traffic, mirror map[string]int32, kubernetes bool) error {
	known := func(name string) bool {
		return slices.ContainsFunc(deployments, func(d string) bool { return rbac.EqualOrdinalIgnoreCase(d, name) })
	}
	var sum, msum int32
	for _, k := range slices.Sorted(maps.Keys(traffic)) {
		v := traffic[k]
		switch {
		case !known(k):
			return &TrafficError{Rule: TrafficRuleUnknownDeployment, Deployment: k, Message: fmt.Sprintf("The traffic names %q, which is not a deployment of this endpoint (it has: %s).", k, namesOrNone(deployments))}
		case v < 0 || v > 100:
			return &TrafficError{Rule: TrafficRuleRange, Deployment: k, Message: fmt.Sprintf("The share of %s is %d%%: a share is between 0 and 100.", k, v)}
		}
		sum += v
	}
	if sum != 0 && sum != 100 {
		return &TrafficError{Rule: TrafficRuleSum, Message: fmt.Sprintf("The live shares add up to %d%%: they must add up to 100%% (or all be 0, which routes nothing).", sum)}
	}
	var mirrored []string
	for _, k := range slices.Sorted(maps.Keys(mirror)) {
		v := mirror[k]
		switch {
		case !known(k):
			return &TrafficError{Rule: TrafficRuleUnknownDeployment, Deployment: k, Message: fmt.Sprintf("The mirror traffic names %q, which is not a deployment of this endpoint (it has: %s).", k, namesOrNone(deployments))}
		case v < 0 || v > 100:
			return &TrafficError{Rule: TrafficRuleRange, Deployment: k, Message: fmt.Sprintf("The mirrored share of %s is %d%%: a share is between 0 and 100.", k, v)}
		case v == 0:
			continue
		case kubernetes:
			return &TrafficError{Rule: TrafficRuleMirrorManaged, Deployment: k, Message: "Kubernetes online endpoints do not support mirrored traffic."}
		case trafficOf(traffic, k) > 0:
			return &TrafficError{Rule: TrafficRuleMirrorNotLive, Deployment: k, Message: fmt.Sprintf("%s gets %d%% of the live traffic: a deployment receives live traffic or mirrored traffic, not both.", k, trafficOf(traffic, k))}
		}
		mirrored = append(mirrored, k)
		msum += v
	}
	switch {
	case len(mirrored) > 1:
		return &TrafficError{Rule: TrafficRuleMirrorOne, Message: fmt.Sprintf("Traffic is mirrored to %s: Azure mirrors to one deployment only.", strings.Join(mirrored, " and "))}
	case msum > 50:
		return &TrafficError{Rule: TrafficRuleMirrorMax, Deployment: mirrored[0], Message: fmt.Sprintf("%d%% of the traffic is mirrored: Azure mirrors at most 50%%.", msum)}
	}
	return nil
}

func namesOrNone(names []string) string {
	if len(names) == 0 {
		return "no deployments"
	}
	return strings.Join(names, ", ")
}

// SetTraffic sets the endpoint's live and mirrored traffic (a PUT of the
// endpoint as it is, with the new shares: the endpoint's PATCH carries no
// traffic in this api-version; az does the same). nil mirror keeps the
// endpoint's mirror traffic; an empty map clears it. The shares are
// checked first (*TrafficError naming the rule).
func (s *Session) SetTraffic(ctx context.Context, ref EndpointRef, traffic, mirror map[string]int32) (*Operation, error) {
	c, err := s.endpointWriter(ref.Subscription)
	if err != nil {
		return nil, err
	}
	cur, err := c.Get(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return nil, Classify(err)
	}
	ep := endpointFrom(ref.WorkspaceRef, &cur.OnlineEndpoint)
	if mirror == nil {
		mirror = ep.MirrorTraffic
	}
	deps, err := s.Deployments(ctx, ref)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(deps))
	for i, d := range deps {
		names[i] = d.Name
	}
	if err := ValidateTraffic(names, traffic, mirror, ep.ComputeType == "Kubernetes"); err != nil {
		return nil, err
	}
	body := restatedEndpoint(cur.OnlineEndpoint)
	body.Properties.Traffic, body.Properties.MirrorTraffic = int32Ptrs(traffic), int32Ptrs(mirror)
	var first *http.Response
	p, err := c.BeginCreateOrUpdate(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, body, nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	return trackPoller(s.cfg.Polling, "update", ref, p, first, "Updating", endpointResult(ref)), nil
}

func int32Ptrs(m map[string]int32) map[string]*int32 {
	out := make(map[string]*int32, len(m))
	for k, v := range m {
		out[k] = to.Ptr(v)
	}
	return out
}

// The containers whose logs getLogs returns (ContainerType).
const (
	LogsStorageInitializer = string(armmachinelearning.ContainerTypeStorageInitializer) // downloads the model (and code) before the server starts
	LogsInferenceServer    = string(armmachinelearning.ContainerTypeInferenceServer)    // the scoring server
)

// Log line bounds: DefaultLogLines when 0 is asked; at most MaxLogLines.
const (
	DefaultLogLines = 100
	MaxLogLines     = 5000
)

// DeploymentLogs returns the last lines of a deployment container's log
// (getLogs; `az ml online-deployment get-logs --container
// storage-initializer|inference-server --lines N`). The text is Azure's:
// sanitize it before drawing it.
// https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints#get-container-logs
func (s *Session) DeploymentLogs(ctx context.Context, ref DeploymentRef, container string, lines int) (string, error) {
	var ct armmachinelearning.ContainerType
	switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(container, "-", ""), "_", "")) {
	case "storageinitializer":
		ct = armmachinelearning.ContainerTypeStorageInitializer
	case "inferenceserver", "":
		ct = armmachinelearning.ContainerTypeInferenceServer
	default:
		return "", &SpecError{What: "deployment", Field: "container", Message: fmt.Sprintf("Container %q is not %s or %s.", container, LogsStorageInitializer, LogsInferenceServer)}
	}
	switch {
	case lines == 0:
		lines = DefaultLogLines
	case lines < 0 || lines > MaxLogLines:
		return "", &SpecError{What: "deployment", Field: "lines", Message: fmt.Sprintf("%d lines: ask for 1 to %d.", lines, MaxLogLines)}
	}
	c, err := s.deploymentsClient(ref.Subscription)
	if err != nil {
		return "", err
	}
	r, err := c.GetLogs(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, ref.Deployment,
		armmachinelearning.DeploymentLogsRequest{ContainerType: to.Ptr(ct), Tail: to.Ptr(int32(lines))}, nil)
	if err != nil {
		return "", Classify(err)
	}
	return deref(r.Content), nil
}

// ModelVersion is a registered model version of a workspace.
type ModelVersion struct {
	Name, Version string
	ID            string // ARM id: what DeploymentSpec.Model takes
	URI           string // where the model's files are (modelUri): the workspace storage, usually
	Type          string // custom_model, mlflow_model, triton_model
	Description   string
}

// Ref is the model as deployment.yml names it.
func (m ModelVersion) Ref() string { return "azureml:" + m.Name + ":" + m.Version }

// EnvironmentVersion is an environment (the container image) a deployment runs.
type EnvironmentVersion struct {
	Name, Version string
	ID            string // ARM id or registry asset id: what DeploymentSpec.Environment takes
	Image         string // the image (registry/repository:tag); "" when Azure builds it
	// Curated: maintained by Azure ML and pulled from Microsoft's public
	// registry; the endpoint identity needs no pull permission.
	Curated bool
	// Built: Azure builds the image (from a conda file or a build
	// context) into the workspace's container registry, so it is pulled
	// from there like a custom image.
	Built       bool
	Description string
}

// Ref is the environment as deployment.yml names it.
func (e EnvironmentVersion) Ref() string {
	if strings.HasPrefix(e.ID, "azureml://") {
		return e.ID
	}
	return "azureml:" + e.Name + ":" + e.Version
}

// ImageRegistry is the host of the image's registry ("mcr.microsoft.com",
// "myacr.azurecr.io"); "" when the image has none (Docker Hub) or none is set.
func (e EnvironmentVersion) ImageRegistry() string {
	host, _, ok := strings.Cut(e.Image, "/")
	if !ok || !(strings.ContainsAny(host, ".:") || host == "localhost") {
		return ""
	}
	return strings.ToLower(host)
}

// PublicImage: the image comes from Microsoft's public registry (a curated
// environment, or an image on mcr.microsoft.com), so pulling it needs no
// permission on the workspace's registry.
func (e EnvironmentVersion) PublicImage() bool {
	return e.Curated || e.ImageRegistry() == publicRegistry
}

// assetsFanOut bounds the version listings run at once.
const assetsFanOut = 8

// Models lists the workspace's model versions (archived ones left out),
// by name then newest version first.
func (s *Session) Models(ctx context.Context, ws WorkspaceRef) ([]ModelVersion, error) {
	f, err := s.mlFactory(ws.Subscription)
	if err != nil {
		return nil, err
	}
	names, err := collect(ctx, f.NewModelContainersClient().NewListPager(ws.ResourceGroup, ws.Name, nil),
		func(p armmachinelearning.ModelContainersClientListResponse) []*armmachinelearning.ModelContainer {
			return p.Value
		},
		func(c *armmachinelearning.ModelContainer) string { return deref(c.Name) })
	if err != nil {
		return nil, err
	}
	vc := f.NewModelVersionsClient()
	out, err := fanOutVersions(ctx, names, func(ctx context.Context, name string) ([]ModelVersion, error) {
		return collect(ctx, vc.NewListPager(ws.ResourceGroup, ws.Name, name, nil),
			func(p armmachinelearning.ModelVersionsClientListResponse) []*armmachinelearning.ModelVersion {
				return p.Value
			},
			func(v *armmachinelearning.ModelVersion) ModelVersion { return modelFrom(name, v) })
	})
	return byNameNewestFirst(out, func(m ModelVersion) (string, string) { return m.Name, m.Version }), err
}

func modelFrom(name string, v *armmachinelearning.ModelVersion) ModelVersion {
	m := ModelVersion{Name: name, Version: deref(v.Name), ID: deref(v.ID)}
	if p := v.Properties; p != nil {
		if deref(p.IsArchived) {
			return ModelVersion{}
		}
		m.URI, m.Type, m.Description = deref(p.ModelURI), deref(p.ModelType), deref(p.Description)
	}
	return m
}

// Environments lists the workspace's environment versions (archived ones
// left out), by name then newest version first.
func (s *Session) Environments(ctx context.Context, ws WorkspaceRef) ([]EnvironmentVersion, error) {
	f, err := s.mlFactory(ws.Subscription)
	if err != nil {
		return nil, err
	}
	names, err := collect(ctx, f.NewEnvironmentContainersClient().NewListPager(ws.ResourceGroup, ws.Name, nil),
		func(p armmachinelearning.EnvironmentContainersClientListResponse) []*armmachinelearning.EnvironmentContainer {
			return p.Value
		},
		func(c *armmachinelearning.EnvironmentContainer) string { return deref(c.Name) })
	if err != nil {
		return nil, err
	}
	vc := f.NewEnvironmentVersionsClient()
	out, err := fanOutVersions(ctx, names, func(ctx context.Context, name string) ([]EnvironmentVersion, error) {
		return collect(ctx, vc.NewListPager(ws.ResourceGroup, ws.Name, name, nil),
			func(p armmachinelearning.EnvironmentVersionsClientListResponse) []*armmachinelearning.EnvironmentVersion {
				return p.Value
			},
			func(v *armmachinelearning.EnvironmentVersion) EnvironmentVersion { return environmentFrom(name, v) })
	})
	return byNameNewestFirst(out, func(e EnvironmentVersion) (string, string) { return e.Name, e.Version }), err
}

// curatedRegistry is where Azure ML's curated environments live.
// https://learn.microsoft.com/azure/machine-learning/resource-curated-environments
const curatedRegistry = "azureml://registries/azureml/"

func environmentFrom(name string, v *armmachinelearning.EnvironmentVersion) EnvironmentVersion {
	e := EnvironmentVersion{Name: name, Version: deref(v.Name), ID: deref(v.ID)}
	if p := v.Properties; p != nil {
		if deref(p.IsArchived) {
			return EnvironmentVersion{}
		}
		e.Image, e.Description = deref(p.Image), deref(p.Description)
		e.Curated = derefEnum(p.EnvironmentType) == string(armmachinelearning.EnvironmentTypeCurated)
		e.Built = p.Build != nil || (deref(p.CondaFile) != "" && !e.Curated)
	}
	e.Curated = e.Curated || strings.HasPrefix(strings.ToLower(e.ID), curatedRegistry)
	return e
}

// fanOutVersions runs list for each name, a few at a time; what failed is
// the error (with what was read).
func fanOutVersions[T any](ctx context.Context, names []string, list func(context.Context, string) ([]T, error)) ([]T, error) {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		out   []T
		first error
		sem   = make(chan struct{}, assetsFanOut)
	)
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			items, err := list(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			out = append(out, items...)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	return out, first
}

// byNameNewestFirst drops the archived versions (left nameless) and orders
// the rest by name, then newest version first.
func byNameNewestFirst[T any](items []T, key func(T) (name, version string)) []T {
	items = slices.DeleteFunc(items, func(x T) bool { n, _ := key(x); return n == "" })
	slices.SortFunc(items, func(a, b T) int {
		an, av := key(a)
		bn, bv := key(b)
		return cmp.Or(cmp.Compare(strings.ToLower(an), strings.ToLower(bn)), compareVersions(bv, av))
	})
	return items
}

// compareVersions orders asset versions: numerically when both are
// numbers (10 after 9), else as text.
func compareVersions(a, b string) int {
	x, ex := strconv.Atoi(a)
	y, ey := strconv.Atoi(b)
	if ex == nil && ey == nil {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(a, b)
}
