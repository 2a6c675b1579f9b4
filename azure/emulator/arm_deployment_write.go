package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Online deployment writes: PUT (create or replace), PATCH (tags, scale)
// and DELETE, each a long-running operation like the endpoint's
// (PROTOCOL.md §2.1, §4), and POST getLogs. The order is the endpoint
// writes' (arm_endpoint_write.go): authorize, the endpoint must exist,
// validate the body as the ML service does (400), then 409 while any
// operation runs on the endpoint (a deployment's included).
//
// Provisioning acts as the endpoint identity (endpoint_identity.go): when
// the operation is due, the identity must be able to pull a custom image
// (AcrPull on the workspace registry) and read the model's blobs (the
// Storage Blob Data Reader DataAction on the workspace storage), evaluated
// with azure/rbac at that moment, so a role assigned too recently has not
// propagated yet. A missing permission fails the deployment with the error
// of Azure's troubleshooting guide, and getLogs shows what the containers
// logged.

// RBAC actions of the deployment writes, checked at the deployment's scope.
const (
	actDeploymentWrite  = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/write"
	actDeploymentDelete = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/delete"
	// actDeploymentLogs is the getLogs action. Not seen in a capture: the
	// name follows the provider's naming of its POST actions
	// ({resource type}/{action}/action, as PROTOCOL.md lists
	// onlineEndpoints/listKeys/action, token/action and regenerateKeys/action),
	// but neither builtin-roles.json nor the docs searched list it, and no
	// 403 naming it was found.
	actDeploymentLogs = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments/getLogs/action"
)

// troubleshootURL is Azure's online-endpoint troubleshooting guide: the
// failures below come from its sections.
const troubleshootURL = "https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints"

// deploymentNameRule is the rule for deployment names: the same as
// endpoints' (the azure-ai-ml SDK's validate_endpoint_or_deployment_name
// checks both), without the regional uniqueness.
const deploymentNameRule = "Deployment names must begin with a letter, be 3-32 characters long, " +
	"and consist only of letters, numbers and dashes (-), ending with a letter or number"

// managedInstanceTypes are the VM sizes a managed online deployment may use,
// with their vCPUs (a subset of "Managed online endpoints SKU list",
// https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list).
var managedInstanceTypes = map[string]int{
	"Standard_DS1_v2": 1, "Standard_DS2_v2": 2, "Standard_DS3_v2": 4, "Standard_DS4_v2": 8, "Standard_DS5_v2": 16,
	"Standard_F2s_v2": 2, "Standard_F4s_v2": 4, "Standard_F8s_v2": 8, "Standard_F16s_v2": 16, "Standard_F32s_v2": 32,
	"Standard_E2s_v3": 2, "Standard_E4s_v3": 4, "Standard_E8s_v3": 8, "Standard_E16s_v3": 16,
	"Standard_D2as_v4": 2, "Standard_D4as_v4": 4, "Standard_D8as_v4": 8,
	"Standard_NC6s_v3": 6, "Standard_NC4as_T4_v3": 4,
}

// Quotas. managedVCPUQuota is the emulator's vCPU quota for managed online
// deployments per subscription and region (Azure's default differs by
// subscription; the demo picks one that its seeds fit in). maxInstances
// is the instances one deployment may have.
const (
	managedVCPUQuota = 100
	maxInstances     = 50
	// maxRequestTimeout is request_timeout_ms's maximum, 180000 ms
	// (https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-managed-online#requestsettings).
	maxRequestTimeout = 180 * time.Second
)

var defaultRequestSettings = RequestSettings{MaxConcurrentRequestsPerInstance: 1, RequestTimeout: 5 * time.Second}

var reK8sInstanceType = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// armDeploymentBody is OnlineDeploymentTrackedResource as a PUT carries it.
type armDeploymentBody struct {
	Location   *string           `json:"location"`
	Kind       string            `json:"kind"`
	Tags       map[string]string `json:"tags"`
	SKU        *armSKUJSON       `json:"sku"`
	Properties *struct {
		EndpointComputeType *string `json:"endpointComputeType"`
		Description         *string `json:"description"`
		Model               *string `json:"model"`
		EnvironmentID       *string `json:"environmentId"`
		InstanceType        *string `json:"instanceType"`
		ScaleSettings       *struct {
			ScaleType *string `json:"scaleType"`
		} `json:"scaleSettings"`
		RequestSettings *struct {
			MaxConcurrentRequestsPerInstance *int32  `json:"maxConcurrentRequestsPerInstance"`
			RequestTimeout                   *string `json:"requestTimeout"`
			MaxQueueWait                     *string `json:"maxQueueWait"`
		} `json:"requestSettings"`
		ProvisioningState *string `json:"provisioningState"`
	} `json:"properties"`
}

// armDeploymentPatch is PartialMinimalTrackedResourceWithSku.
type armDeploymentPatch struct {
	Tags map[string]string `json:"tags"`
	SKU  *armSKUJSON       `json:"sku"`
}

// deploymentSpec is a validated PUT.
type deploymentSpec struct {
	computeType, instanceType, model, environment, description, scaleType string
	count                                                                 int32
	settings                                                              RequestSettings
	tags                                                                  map[string]string
}

// PUT .../deployments/{dep}: 201 with the deployment (Creating or
// Updating) and Azure-AsyncOperation; the SDK then GETs it.
func (s *armHost) armPutDeployment(w http.ResponseWriter, q *armReq) {
	endpointBodyWrite(s, w, q, true, actDeploymentWrite, s.putDeployment)
}

func (s *armHost) putDeployment(q *armReq, scope string, e *Endpoint, b *armDeploymentBody, bad *armOutcome, fails bool) *epOutcome {
	if bad != nil {
		return epOf(*bad)
	}
	name := q.p["dep"]
	if n := len(name); n < 3 || n > 32 || !reEndpointName.MatchString(name) {
		return epFail(http.StatusBadRequest, codeUserError, "name", "The deployment name '%s' is not valid. %s.", epwClip(name), deploymentNameRule)
	}
	if f := s.endpointBusy(e); f != nil {
		return f
	}
	ws := s.world.Workspaces[armKey(q.scopeThrough("ws"))]
	key := armKey(scope)
	prev := s.world.Deployments[key]
	spec, f := s.validateDeployment(ws, e, prev, b)
	if f != nil {
		return f
	}
	// The enforce flag's rule covers deployments too: "the endpoint, or
	// deployment creation is rejected" (concept page, "Permissions for user
	// identity to enforce access to default secret stores").
	if prev == nil {
		if _, f := s.checkSecretStoreFlag(q.c, ws, e.Properties, strings.Contains(e.Identity.Type, "SystemAssigned"), "Deployment"); f != nil {
			return f
		}
	}
	now := s.now().UTC()
	d, kind, state := prev, "update", "Updating"
	if d == nil {
		d = &Deployment{Subscription: e.Subscription, ResourceGroup: e.ResourceGroup, Workspace: e.Workspace, Endpoint: e.Name, Name: name,
			Location: e.Location, CreatedAt: now, CreatedBy: q.c.name(), NeverReady: true}
		d.Weights, d.Bias = modelWeights(e.Name+"/"+name+"/"+spec.model, 0)
		kind, state = "create", "Creating"
		s.world.Deployments[key] = d
	}
	d.ComputeType, d.InstanceType, d.InstanceCount = spec.computeType, spec.instanceType, spec.count
	d.Model, d.EnvironmentID, d.Description, d.ScaleType = spec.model, spec.environment, spec.description, spec.scaleType
	d.RequestSettings, d.Tags, d.ProvisioningState = spec.settings, spec.tags, state
	op := s.provisionDeployment(e, d, key, kind, fails)
	return &epOutcome{armOutcome: armOutcome{status: http.StatusCreated, body: s.armDeploymentJSON(d)}, op: op}
}

// validateDeployment checks a PUT body against the endpoint, the workspace's
// assets and the quota. The caller holds s.mu.
func (s *armHost) validateDeployment(ws *Workspace, e *Endpoint, prev *Deployment, b *armDeploymentBody) (deploymentSpec, *epOutcome) {
	var out deploymentSpec
	fail := func(target, format string, args ...any) (deploymentSpec, *epOutcome) {
		return out, epFail(http.StatusBadRequest, codeUserError, target, format, args...)
	}
	if b.Location == nil || strings.TrimSpace(*b.Location) == "" {
		return out, epFail(http.StatusBadRequest, "LocationRequired", "location", "The location property is required for this definition.")
	}
	if !sameLocation(*b.Location, e.Location) {
		return fail("location", "Location '%s' is not the location of endpoint '%s' ('%s'): a deployment lives in its endpoint's region.",
			epwClip(*b.Location), e.Name, e.Location)
	}
	p := b.Properties
	if p == nil {
		return fail("properties", "The request needs 'properties' with at least 'endpointComputeType' (Managed or Kubernetes).")
	}
	var cur *string
	if prev != nil {
		cur = &prev.ProvisioningState
	}
	if f := readOnlyProvisioningState(p.ProvisioningState, cur, "deployment"); f != nil {
		return out, f
	}
	if p.EndpointComputeType == nil {
		return fail("properties.endpointComputeType", "properties.endpointComputeType is required: Managed or Kubernetes.")
	}
	switch {
	case strings.EqualFold(*p.EndpointComputeType, "Managed"):
		out.computeType = "Managed"
	case strings.EqualFold(*p.EndpointComputeType, "Kubernetes"):
		out.computeType = "Kubernetes"
	default:
		return fail("properties.endpointComputeType", "properties.endpointComputeType '%s' is not valid: use Managed or Kubernetes.", epwClip(*p.EndpointComputeType))
	}
	if endpoint := cmp.Or(e.ComputeType, "Managed"); out.computeType != endpoint {
		return fail("properties.endpointComputeType", "A %s deployment cannot run behind endpoint '%s', which is a %s online endpoint.",
			out.computeType, e.Name, endpoint)
	}
	if prev != nil && cmp.Or(prev.ComputeType, "Managed") != out.computeType {
		return fail("properties.endpointComputeType", "The compute type of deployment '%s' cannot be changed.", prev.Name)
	}

	// Model and environment must exist in the workspace.
	if p.Model == nil || strings.TrimSpace(*p.Model) == "" {
		return fail("properties.model", "properties.model is required: the ARM id of a model version of workspace '%s' "+
			"(%s/models/{name}/versions/{version}) or azureml:{name}:{version}.", ws.Name, wsID(ws.Subscription, ws.ResourceGroup, ws.Name))
	}
	if resolveModel(s.world, ws, *p.Model) == nil {
		return fail("properties.model", "Model '%s' was not found in workspace '%s'. Register the model in the workspace the deployment belongs to, or name an existing version.",
			epwClip(*p.Model), ws.Name)
	}
	out.model = strings.TrimSpace(*p.Model)
	if p.EnvironmentID == nil || strings.TrimSpace(*p.EnvironmentID) == "" {
		return fail("properties.environmentId", "properties.environmentId is required: a curated environment "+
			"(azureml://registries/azureml/environments/{name}/versions/{version}) or an environment version of workspace '%s' "+
			"(%s/environments/{name}/versions/{version} or azureml:{name}:{version}).", ws.Name, wsID(ws.Subscription, ws.ResourceGroup, ws.Name))
	}
	if resolveEnvironment(s.world, ws, *p.EnvironmentID) == nil {
		return fail("properties.environmentId", "Environment '%s' was not found (in workspace '%s' or among the curated environments).",
			epwClip(*p.EnvironmentID), ws.Name)
	}
	out.environment = strings.TrimSpace(*p.EnvironmentID)

	// Instance type and count.
	var vcpus int
	it := ""
	if p.InstanceType != nil {
		it = strings.TrimSpace(*p.InstanceType)
	}
	if out.computeType == "Managed" {
		if it == "" {
			return fail("properties.instanceType", "properties.instanceType is required for a managed online deployment, e.g. Standard_DS3_v2.")
		}
		for k, v := range managedInstanceTypes {
			if strings.EqualFold(k, it) {
				it, vcpus = k, v
			}
		}
		if vcpus == 0 {
			return fail("properties.instanceType", "Instance type '%s' is not supported for managed online deployments. "+
				"See the supported VM SKUs: https://learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list.", epwClip(it))
		}
	} else {
		it = cmp.Or(strings.ToLower(it), "defaultinstancetype")
		if !reK8sInstanceType.MatchString(it) {
			return fail("properties.instanceType", "Instance type '%s' is not a valid Kubernetes instance type name (lower-case letters, numbers and dashes, at most 63).", epwClip(it))
		}
	}
	out.instanceType = it
	out.count = 1
	if b.SKU != nil && b.SKU.Capacity != nil {
		out.count = *b.SKU.Capacity
	}
	if f := s.checkInstanceCount(e, prev, out.computeType, it, vcpus, out.count); f != nil {
		return out, f
	}

	out.scaleType = "Default"
	if ss := p.ScaleSettings; ss != nil && ss.ScaleType != nil {
		switch {
		case strings.EqualFold(*ss.ScaleType, "Default"):
		case strings.EqualFold(*ss.ScaleType, "TargetUtilization"):
			out.scaleType = "TargetUtilization"
		default:
			return fail("properties.scaleSettings.scaleType", "properties.scaleSettings.scaleType '%s' is not valid: use Default or TargetUtilization.", epwClip(*ss.ScaleType))
		}
	}
	out.settings = defaultRequestSettings
	if rs := p.RequestSettings; rs != nil {
		if v := rs.MaxConcurrentRequestsPerInstance; v != nil {
			if *v < 1 || *v > 1000 {
				return fail("properties.requestSettings.maxConcurrentRequestsPerInstance",
					"properties.requestSettings.maxConcurrentRequestsPerInstance is %d: it must be between 1 and 1000.", *v)
			}
			out.settings.MaxConcurrentRequestsPerInstance = *v
		}
		if v := rs.RequestTimeout; v != nil {
			d, ok := parseISODuration(*v)
			if !ok || d <= 0 || d > maxRequestTimeout {
				return fail("properties.requestSettings.requestTimeout",
					"properties.requestSettings.requestTimeout '%s' is not valid: an ISO 8601 duration above 0 and at most PT180S (request_timeout_ms at most 180000).", epwClip(*v))
			}
			out.settings.RequestTimeout = d
		}
		if v := rs.MaxQueueWait; v != nil {
			if _, ok := parseISODuration(*v); !ok {
				return fail("properties.requestSettings.maxQueueWait", "properties.requestSettings.maxQueueWait '%s' is not an ISO 8601 duration (e.g. PT0.5S).", epwClip(*v))
			}
		}
	}
	if p.Description != nil {
		out.description = *p.Description
	}
	out.tags = b.Tags
	return out, nil
}

// checkInstanceCount applies the instance count rules: at least 1, at
// most maxInstances, and for managed deployments within the vCPU quota of
// the subscription in the region, counting every other managed deployment
// there. The message is Azure's OutOfQuota text
// (troubleshooting guide, "ERROR: OutOfQuota").
func (s *armHost) checkInstanceCount(e *Endpoint, prev *Deployment, computeType, instanceType string, vcpus int, count int32) *epOutcome {
	if count < 1 || count > maxInstances {
		return epFail(http.StatusBadRequest, codeUserError, "sku.capacity",
			"The instance count (sku.capacity) is %d: a deployment runs between 1 and %d instances.", count, maxInstances)
	}
	if computeType != "Managed" {
		return nil
	}
	used := 0
	for _, d := range s.world.Deployments {
		if d == prev || cmp.Or(d.ComputeType, "Managed") != "Managed" || !strings.EqualFold(d.Subscription, e.Subscription) || !sameLocation(d.Location, e.Location) {
			continue
		}
		used += managedInstanceTypes[d.InstanceType] * int(d.InstanceCount)
	}
	need := vcpus * int(count)
	if used+need > managedVCPUQuota {
		return epFail(http.StatusBadRequest, "OutOfQuota", "sku.capacity",
			"Not enough quota available for %s in SubscriptionId %s. Current usage/limit: %d/%d. Additional needed: %d "+
				"Please see troubleshooting guide, available here: %s#error-outofquota",
			instanceType, e.Subscription, used, managedVCPUQuota, need, troubleshootURL)
	}
	return nil
}

// parseISODuration reads the ISO 8601 durations deployments use (PT5S,
// PT0.5S, PT1M30S, PT1H).
func parseISODuration(v string) (time.Duration, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	rest, ok := strings.CutPrefix(v, "PT")
	if !ok || rest == "" {
		return 0, false
	}
	var total float64
	for _, unit := range []struct {
		suffix string
		scale  float64
	}{{"H", 3600}, {"M", 60}, {"S", 1}} {
		i := strings.Index(rest, unit.suffix)
		if i < 0 {
			continue
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || !(n >= 0) || math.IsInf(n, 0) || strings.ContainsAny(rest[:i], "+-eEnNxX_") { // no NaN, signs, exponents or hex
			return 0, false
		}
		total += n * unit.scale
		rest = rest[i+1:]
	}
	if rest != "" || total > 1e9 {
		return 0, false
	}
	return time.Duration(total * float64(time.Second)), true
}

// provisionFailure is why a provisioning failed, and what the containers logged.
type provisionFailure struct {
	code, msg             string
	storageLog, serverLog string
}

// provisioningFailure runs a deployment's provisioning as its endpoint's
// identity: pull the image (a custom one needs AcrPull on its registry),
// then download the model (the storage initializer needs the blob read
// DataAction on the model's container). can evaluates one permission for a
// principal. nil: it succeeds. The caller holds the world's lock.
//
// The codes and texts follow the troubleshooting guide
// (https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-online-endpoints,
// "ERROR: BadArgument" > "Authorization error": a user-assigned identity
// needs AcrPull on the workspace registry and Storage Blob Data Reader on
// the workspace storage; "Container registry authorization error"; "Unable
// to download user model", whose storage initializer logs show the storage
// service's 403 AuthorizationPermissionMismatch).
func provisioningFailure(w *World, e *Endpoint, d *Deployment, can func(principal, action string, data bool, scope string) bool) *provisionFailure {
	ws := w.Workspaces[armKey(wsID(d.Subscription, d.ResourceGroup, d.Workspace))]
	if ws == nil {
		return &provisionFailure{code: "ResourceNotFound", msg: "The deployment's workspace no longer exists."}
	}
	principal, who, hasIdentity := w.endpointPrincipal(e)
	if !hasIdentity {
		who = "endpoint '" + e.Name + "' (it has no managed identity)"
	}
	env := resolveEnvironment(w, ws, cmp.Or(d.EnvironmentID, seedEnvironment))
	model := resolveModel(w, ws, d.Model)
	if env == nil || model == nil {
		return &provisionFailure{code: "ResourceNotFound", msg: fmt.Sprintf(
			"The model '%s' or environment '%s' of deployment '%s' no longer exists in workspace '%s'. See %s#error-resourcenotfound",
			d.Model, d.EnvironmentID, d.Name, ws.Name, troubleshootURL)}
	}
	modelLog := storageInitializerLog(w, model, true)
	if env.Registry != "" && !(hasIdentity && can(principal, actRegistryPull, false, env.Registry)) {
		reg := env.Registry[strings.LastIndex(env.Registry, "/")+1:]
		return &provisionFailure{code: "BadArgument",
			msg: fmt.Sprintf("Startup task failed due to incorrect role assignments on resource: the endpoint identity, %s (principal id '%s'), "+
				"could not pull image '%s' from container registry '%s'. It needs the AcrPull role (%s) on %s. "+
				"Role assignments can take a few minutes to take effect. See %s#authorization-error",
				who, principal, env.Image, reg, actRegistryPull, env.Registry, troubleshootURL),
			storageLog: modelLog,
			serverLog: fmt.Sprintf("Failed to pull image \"%s\": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.\n"+
				"The inference server did not start: its container image could not be pulled.\n", env.Image)}
	}
	if !(hasIdentity && can(principal, actBlobRead, true, model.Container)) {
		account := ws.StorageAccount[strings.LastIndex(ws.StorageAccount, "/")+1:]
		return &provisionFailure{code: "BadArgument",
			msg: fmt.Sprintf("Startup task failed due to authorization error: the storage initializer, running as the endpoint identity, %s (principal id '%s'), "+
				"could not download model '%s' from storage account '%s': 403 AuthorizationPermissionMismatch. "+
				"It needs a role with the data action %s on the storage account, such as Storage Blob Data Reader (Reader is not enough). "+
				"Role assignments can take a few minutes to take effect. See %s#authorization-error",
				who, principal, model.Name+":"+model.Version, account, actBlobRead, troubleshootURL),
			storageLog: storageInitializerLog(w, model, false),
			serverLog:  "The inference server did not start: the storage initializer (an init container) failed to download the model.\n"}
	}
	return nil
}

// storageInitializerLog is what the storage initializer logs for model:
// a download, or the storage service's 403 for a missing data action.
func storageInitializerLog(w *World, m *ModelVersion, ok bool) string {
	account := m.Container
	if c := w.BlobContainers[armKey(m.Container)]; c != nil {
		account = c.Account[strings.LastIndex(c.Account, "/")+1:]
	}
	container := m.Container[strings.LastIndex(m.Container, "/")+1:]
	url := "https://" + account + ".blob.core.windows.net/" + container + "/" + m.Path
	if ok {
		return fmt.Sprintf("Downloading model %s:%s from %s\nDownload complete: 3 files, 48213 bytes.\nStorage initializer finished successfully.\n",
			m.Name, m.Version, url)
	}
	return fmt.Sprintf("Downloading model %s:%s from %s\n"+
		"ERROR: Download failed: 403 This request is not authorized to perform this operation using this permission.\n"+
		"ErrorCode: AuthorizationPermissionMismatch\n"+
		"Storage initializer failed: the identity has no permission to read blobs in this container (it needs Storage Blob Data Reader).\n",
		m.Name, m.Version, url)
}

// healthyServerLog is the inference server's start-up log.
func healthyServerLog(d *Deployment) string {
	return fmt.Sprintf("Azure ML Inferencing HTTP server v1.3.4\nServer Settings\n---------------\nEntry Script Name: score.py\nModel Directory: /var/azureml-app/azureml-models/%s\n"+
		"Worker Count: 1\nWorker Timeout (seconds): 300\nServer Port: 31311\n\nInitializing logger\nStarting up app insights client\nUsers's init has completed successfully\n"+
		"Scoring timeout is set to %d ms\nListening at: http://0.0.0.0:31311 (1)\n", d.Model, d.RequestSettings.RequestTimeout.Milliseconds())
}

// provisionDeployment starts the operation that provisions d and settles it
// as the endpoint identity's permissions decide when it is due. The caller holds s.mu.
func (s *armHost) provisionDeployment(e *Endpoint, d *Deployment, key, kind string, fails bool) *operation {
	var found *provisionFailure
	op := &operation{Sub: e.Subscription, Location: e.Location, Resource: armEndpointID(e), Kind: "deployment " + kind}
	op.Check = func(at time.Time) (string, string) {
		found = provisioningFailure(s.world, e, d, func(principal, action string, data bool, scope string) bool {
			return s.identityCan(principal, action, data, scope, at)
		})
		if found == nil {
			return "", ""
		}
		return found.code, found.msg
	}
	op.Apply = func(w *World, failed bool) {
		if w.Deployments[key] != d {
			return
		}
		d.ProvisioningState = "Succeeded"
		d.StorageInitializerLog, d.InferenceServerLog = "", ""
		if found != nil {
			d.StorageInitializerLog, d.InferenceServerLog = found.storageLog, found.serverLog
		}
		if failed {
			d.ProvisioningState = "Failed"
			return
		}
		d.NeverReady = false
	}
	s.startOp(op)
	if fails {
		op.failInternal("Provisioning online deployment '%s' failed: the service could not allocate its instances in region '%s'. "+
			"The deployment is left in the Failed state; send the request again to retry. See %s#error-internalservererror", d.Name, e.Location, troubleshootURL)
	}
	return op
}

// PATCH .../deployments/{dep}: tags and scale (sku.capacity). 202 with
// Location; the Location answers 200 with the deployment when done.
func (s *armHost) armPatchDeployment(w http.ResponseWriter, q *armReq) {
	endpointBodyWrite(s, w, q, false, actDeploymentWrite, s.patchDeployment)
}

func (s *armHost) patchDeployment(q *armReq, scope string, e *Endpoint, b *armDeploymentPatch, bad *armOutcome, fails bool) *epOutcome {
	d, miss := s.armDeployment(q)
	if miss != nil {
		return epOf(*miss)
	}
	key := armKey(scope)
	if bad != nil {
		return epOf(*bad)
	}
	if f := s.endpointBusy(e); f != nil {
		return f
	}
	state := "Updating"
	if b.SKU != nil && b.SKU.Capacity != nil && *b.SKU.Capacity != d.InstanceCount {
		if f := s.checkInstanceCount(e, d, cmp.Or(d.ComputeType, "Managed"), d.InstanceType, managedInstanceTypes[d.InstanceType], *b.SKU.Capacity); f != nil {
			return f
		}
		d.InstanceCount, state = *b.SKU.Capacity, "Scaling"
	}
	if b.Tags != nil {
		d.Tags = b.Tags
	}
	d.ProvisioningState = state
	op := s.provisionDeployment(e, d, key, "update", fails)
	op.Result = func() (int, any) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if s.world.Deployments[key] != d {
			return http.StatusNoContent, nil
		}
		return http.StatusOK, s.armDeploymentJSON(d)
	}
	return &epOutcome{armOutcome: armOutcome{status: http.StatusAccepted}, op: op}
}

// DELETE .../deployments/{dep}: 202 with Location; 204 when there is none.
// A deployment that still gets live or mirrored traffic is not deleted.
func (s *armHost) armDeleteDeployment(w http.ResponseWriter, q *armReq) {
	s.lockedWrite(w, q, false, func(fails bool) *epOutcome { return s.deleteDeployment(q, fails) })
}

func (s *armHost) deleteDeployment(q *armReq, fails bool) *epOutcome {
	scope, e, f := s.endpointFor(q, actDeploymentDelete)
	if f != nil {
		return f
	}
	key := armKey(scope)
	d := s.world.Deployments[key]
	if d == nil {
		return &epOutcome{armOutcome: armOutcome{status: http.StatusNoContent}}
	}
	for field, m := range map[string]map[string]int32{"traffic": e.Traffic, "mirrorTraffic": e.MirrorTraffic} {
		for dep, v := range m {
			if v > 0 && strings.EqualFold(dep, d.Name) {
				// The rule is the safe-rollout guide's
				// (https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints,
				// "Remove the old deployment": its traffic goes to 0% first).
				// Azure's refusal is not seen in a capture: the status, the
				// code (the ML service's UserError), the target and the
				// wording are the emulator's.
				return epFail(http.StatusBadRequest, codeUserError, "properties."+field,
					"Deployment '%s' cannot be deleted while it gets %d%% of endpoint '%s''s %s. Set its share to 0 in the endpoint's %s first, then delete it.",
					d.Name, v, e.Name, map[string]string{"traffic": "traffic", "mirrorTraffic": "mirrored traffic"}[field], field)
			}
		}
	}
	return s.startDelete(e, &d.ProvisioningState, "deployment delete", fails,
		func(w *World) bool { return w.Deployments[key] == d },
		func(w *World) { delete(w.Deployments, key) },
		fmt.Sprintf("Deleting online deployment '%s' failed: its instances in region '%s' could not be released. "+
			"The deployment is left in the Failed state; delete it again to retry.", d.Name, e.Location))
}

// POST .../deployments/{dep}/getLogs: DeploymentLogsRequest
// {containerType: StorageInitializer|InferenceServer, tail} -> {content}.
func (s *armHost) armGetDeploymentLogs(w http.ResponseWriter, q *armReq) {
	var body struct {
		ContainerType *string `json:"containerType"`
		Tail          *int32  `json:"tail"`
	}
	// The docs' curl examples POST with no body (Content-Length: 0): the
	// defaults then apply, as for a body of {}.
	var bad *armOutcome
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 1<<20))
	if err == nil && len(bytes.TrimSpace(raw)) > 0 {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		o := armFail(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: '%v'.", err)
		bad = &o
	}
	s.armRespond(w, q, func() armOutcome {
		scope := q.scopeThrough("dep")
		if o := s.armRefuse(q.c, actDeploymentLogs, scope); o != nil {
			return *o
		}
		d, miss := s.armDeployment(q)
		if miss != nil {
			return *miss
		}
		if bad != nil {
			return *bad
		}
		storage := true
		if body.ContainerType != nil {
			switch strings.ToLower(strings.ReplaceAll(*body.ContainerType, "-", "")) {
			case "storageinitializer":
			case "inferenceserver":
				storage = false
			default:
				return armFail(http.StatusBadRequest, codeUserError,
					"containerType '%s' is not valid: use StorageInitializer or InferenceServer.", epwClip(*body.ContainerType))
			}
		} else {
			storage = false // the swagger's default: InferenceServer
		}
		if body.Tail != nil && *body.Tail < 0 {
			return armFail(http.StatusBadRequest, codeUserError, "tail is %d: give the number of lines to return, 0 or more.", *body.Tail)
		}
		content := s.deploymentLog(d, storage)
		if body.Tail != nil {
			content = tailLines(content, int(*body.Tail))
		}
		return armOK(map[string]any{"content": content})
	})
}

// deploymentLog is one container's log: the last provisioning's, or the
// healthy start-up of a deployment that came up. The caller holds s.mu.
func (s *armHost) deploymentLog(d *Deployment, storage bool) string {
	if storage && d.StorageInitializerLog != "" {
		return d.StorageInitializerLog
	}
	if !storage && d.InferenceServerLog != "" {
		return d.InferenceServerLog
	}
	if d.ProvisioningState == "Creating" || (d.NeverReady && d.ProvisioningState != "Failed") {
		return ""
	}
	if storage {
		ws := s.world.Workspaces[armKey(wsID(d.Subscription, d.ResourceGroup, d.Workspace))]
		if m := resolveModel(s.world, ws, d.Model); ws != nil && m != nil {
			return storageInitializerLog(s.world, m, true)
		}
		return ""
	}
	return healthyServerLog(d)
}

// tailLines keeps the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n < len(lines) {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}
