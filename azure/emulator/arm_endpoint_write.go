package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"amlauth-tui/azure/rbac"
)

// Online endpoint writes: PUT (create/replace), PATCH (tags, identity) and
// DELETE, each a long-running operation (lro.go, PROTOCOL.md §2.1, §2.2,
// §4). ARM authorizes first (403 whatever the body), then the workspace must
// exist (404), then the body is validated as the ML service does (400), then
// the endpoint must be idle and its name free in the region (409). The
// change is visible at once (GET shows Creating/Updating/Deleting) and
// settles ProvisioningTime later: Succeeded, or Failed when an lro-fail
// fault fired.

// RBAC actions of the endpoint writes, checked at the endpoint's scope.
const (
	actEndpointWrite  = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/write"
	actEndpointDelete = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/delete"
	// actUserIdentityAssign is the linked action for attaching a user-assigned identity.
	actUserIdentityAssign = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
)

// endpointNameRule is the documented rule for online endpoint names (Azure
// ML "Manage resources and quotas", endpoint limits; the azure-ai-ml SDK's
// validate_endpoint_or_deployment_name enforces the same). It is stricter
// than the swagger's pattern ^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,254}$: the name
// becomes a DNS label of the scoring URL.
const endpointNameRule = "Endpoint names must begin with a letter, be 3-32 characters long, " +
	"and consist only of letters, numbers and dashes (-), ending with a letter or number; " +
	"they must be unique within the Azure region"

var reEndpointName = regexp.MustCompile(`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`)

// codeUserError is the ML service's code for a request it refuses (the
// credential calls use it too); the target field names the offending input.
const codeUserError = "UserError"

// armEndpointBody is OnlineEndpointTrackedResource as a PUT carries it.
// Fields the service computes (id, name, type, systemData, scoringUri ...)
// and fields it does not know are ignored, as Azure does.
type armEndpointBody struct {
	Location   *string            `json:"location"`
	Kind       string             `json:"kind"`
	Tags       map[string]string  `json:"tags"`
	Identity   *armIdentityBody   `json:"identity"`
	SKU        *armSKUJSON        `json:"sku"`
	Properties *armEndpointPropIn `json:"properties"`
}

type armEndpointPropIn struct {
	AuthMode            *string           `json:"authMode"`
	Description         *string           `json:"description"`
	Compute             *string           `json:"compute"`
	Properties          map[string]string `json:"properties"`
	Traffic             map[string]int32  `json:"traffic"`
	MirrorTraffic       map[string]int32  `json:"mirrorTraffic"`
	PublicNetworkAccess *string           `json:"publicNetworkAccess"`
	ProvisioningState   *string           `json:"provisioningState"`
}

// armIdentityBody is ManagedServiceIdentity (PUT) or
// PartialManagedServiceIdentity (PATCH) in a request: the values of
// userAssignedIdentities are {} or read-only ids, so they are not read.
type armIdentityBody struct {
	Type                   *string                    `json:"type"`
	UserAssignedIdentities map[string]json.RawMessage `json:"userAssignedIdentities"`
}

// armEndpointPatch is PartialMinimalTrackedResourceWithIdentity, plus the
// traffic maps: the swagger's PATCH body has only tags and identity, but a
// client that sends properties.traffic or properties.mirrorTraffic gets them
// validated and applied as a PUT would (the CLI's `update --traffic` PUTs).
type armEndpointPatch struct {
	Tags       map[string]string `json:"tags"` // nil: unchanged; {}: cleared
	Identity   *armIdentityBody  `json:"identity"`
	Properties *struct {
		Traffic       map[string]int32 `json:"traffic"`
		MirrorTraffic map[string]int32 `json:"mirrorTraffic"`
	} `json:"properties"`
}

// epOutcome is what a write decided under the lock: a refusal (with the
// error's target), or the operation it started and the first answer.
type epOutcome struct {
	armOutcome
	target string
	op     *operation
}

func epFail(status int, code, target, format string, args ...any) *epOutcome {
	return &epOutcome{armOutcome: armFail(status, code, format, args...), target: target}
}

func epOf(o armOutcome) *epOutcome { return &epOutcome{armOutcome: o} }

// writeEndpointOutcome answers a write: the error in ARM's shape (with its
// target), or the LRO's first response with its polling headers.
func (s *armHost) writeEndpointOutcome(w http.ResponseWriter, q *armReq, o *epOutcome, async, location bool) {
	switch {
	case o.code != "":
		writeJSON(w, o.status, armErrorBody{Error: armErrorDetail{Code: o.code, Message: o.msg, Target: o.target}})
	case o.op == nil: // nothing to do: DELETE of a missing endpoint
		w.WriteHeader(o.status)
	default:
		s.writeLROHeaders(w, q, o.op, async, location)
		if o.body == nil {
			w.WriteHeader(o.status)
			return
		}
		writeJSON(w, o.status, o.body)
	}
}

// PUT .../onlineEndpoints/{ep}: create or replace. 201 with the endpoint
// (Creating or Updating) and Azure-AsyncOperation; the SDK then GETs the
// endpoint (final-state-via original-uri).
func (s *armHost) armPutEndpoint(w http.ResponseWriter, q *armReq) {
	var body armEndpointBody
	bad := readBody(q.r, &body)
	s.lockedWrite(w, q, true, func(fails bool) *epOutcome { return s.putEndpoint(q, &body, bad, fails) })
}

// lockedWrite runs one endpoint or deployment write under the write lock
// and answers it: created writes answer 201 with Azure-AsyncOperation, the
// others 202 with Location. One write lock makes the checks (idle, name
// free) and the change one step: two concurrent creates of one name cannot
// both start.
func (s *armHost) lockedWrite(w http.ResponseWriter, q *armReq, created bool, write func(fails bool) *epOutcome) {
	fails := s.lroFails(q.r)
	s.mu.Lock()
	o := write(fails)
	s.mu.Unlock()
	s.writeEndpointOutcome(w, q, o, created, !created)
}

// endpointBodyWrite runs a write with a JSON body on an endpoint or below
// one (endpoint PATCH, deployment PUT and PATCH) under the write lock
// (lockedWrite). The body is read first, outside the lock; then, in ARM's
// order, the caller's right to action (403) and the endpoint (404) are
// checked before write sees the body, or why it could not be read (bad).
func endpointBodyWrite[B any](s *armHost, w http.ResponseWriter, q *armReq, created bool, action string,
	write func(q *armReq, scope string, e *Endpoint, b *B, bad *armOutcome, fails bool) *epOutcome) {
	var body B
	bad := readBody(q.r, &body)
	s.lockedWrite(w, q, created, func(fails bool) *epOutcome {
		scope, e, f := s.endpointFor(q, action)
		if f != nil {
			return f
		}
		return write(q, scope, e, &body, bad, fails)
	})
}

// endpointFor checks that the caller may do action at the request's scope
// and finds the request's endpoint: the first steps of every write below
// an endpoint, in ARM's order (403 before 404).
func (s *armHost) endpointFor(q *armReq, action string) (scope string, e *Endpoint, f *epOutcome) {
	scope = q.scope()
	if o := s.armRefuse(q.c, action, scope); o != nil {
		return scope, nil, epOf(*o)
	}
	e, miss := s.armEndpoint(q)
	if miss != nil {
		return scope, nil, epOf(*miss)
	}
	return scope, e, nil
}

// endpointWrite is a validated PUT.
type endpointWrite struct {
	authMode, description, compute string
	tags, props                    map[string]string
	traffic, mirror                map[string]int32 // nil: keep the endpoint's
	identity                       *identityWrite   // nil: keep (replace) or SystemAssigned (create)
	sku                            *SKU             // as sent; nil: none sent
	publicNetworkAccess            string           // "": keep (replace) or Enabled (create)
}

// identityWrite is a validated identity: system-assigned or not, and the
// user-assigned identities' canonical ARM ids.
type identityWrite struct {
	system bool
	user   []string
}

func (s *armHost) putEndpoint(q *armReq, b *armEndpointBody, bad *armOutcome, fails bool) *epOutcome {
	scope := q.scope()
	if o := s.armRefuse(q.c, actEndpointWrite, scope); o != nil {
		return epOf(*o)
	}
	ws, miss := s.armWorkspace(q)
	if miss != nil {
		return epOf(*miss)
	}
	if bad != nil {
		return epOf(*bad)
	}
	name := q.p["ep"]
	if f := checkEndpointName(name); f != nil {
		return f
	}
	key := armKey(scope)
	prev := s.world.Endpoints[key]
	if prev != nil {
		if f := s.endpointBusy(prev); f != nil {
			return f
		}
	}
	spec, f := s.validatePut(ws, prev, name, b)
	if f != nil {
		return f
	}
	if prev == nil && spec.identity == nil {
		spec.identity = &identityWrite{system: true} // the service's default, as the CLI's
	}
	if spec.identity != nil {
		if prev != nil {
			if f := identityChanged(prev, *spec.identity); f != nil {
				return f
			}
		}
		if f := s.linkedIdentityAccess(q.c, prev, *spec.identity, scope); f != nil {
			return f
		}
	}
	var secrets bool
	if prev == nil {
		if secrets, f = s.checkSecretStoreFlag(q.c, ws, spec.props, spec.identity.system, "Endpoint"); f != nil {
			return f
		}
	}
	if other := s.endpointNamedInRegion(name, ws.Location, key); other != nil {
		// The name is the scoring URL's host label, so it is taken region-wide.
		// Which workspace holds it is not said: it may be another tenant's.
		return epFail(http.StatusConflict, "Conflict", "name",
			"There is already an endpoint with this name, Endpoint name needs to be unique within a region. Try some other name. "+
				"(Endpoint '%s' exists in region '%s'.)", epwClip(name), ws.Location)
	}

	now := s.now().UTC()
	e, kind, state := prev, "update", "Updating"
	if e == nil {
		e = &Endpoint{Incarnation: newGUID(), Subscription: ws.Subscription, ResourceGroup: ws.ResourceGroup, Workspace: ws.Name, Name: name,
			Location: ws.Location, CreatedAt: now, CreatedBy: q.c.name(),
			// Fresh keys per incarnation: a re-created endpoint does not take back the old keys.
			PrimaryKey: newEndpointKey(), SecondaryKey: newEndpointKey()}
		kind, state = "create", "Creating"
		s.world.Endpoints[key] = e
		s.epIndex.changed()
	}
	e.AuthMode, e.Description, e.Compute, e.Tags, e.SKU = spec.authMode, spec.description, spec.compute, spec.tags, spec.sku
	e.ComputeType = "Managed"
	if e.Compute != "" {
		e.ComputeType = "Kubernetes"
	}
	// Properties "can be added, not removed or altered".
	if len(spec.props) > 0 {
		merged := map[string]string{}
		for k, v := range spec.props {
			merged[k] = v
		}
		for k, v := range e.Properties {
			merged[k] = v
		}
		e.Properties = merged
	}
	if spec.traffic != nil {
		e.Traffic = spec.traffic
	}
	if spec.mirror != nil {
		e.MirrorTraffic = spec.mirror
	}
	if spec.publicNetworkAccess != "" {
		e.PublicNetworkAccess = spec.publicNetworkAccess
	}
	e.PublicNetworkAccess = cmp.Or(e.PublicNetworkAccess, "Enabled")
	var wait time.Duration
	if kind == "create" {
		s.setEndpointIdentity(e, *spec.identity)
		if spec.identity.system {
			// The service assigns the SAI's roles while it creates the
			// endpoint, and the creation ends once they are in effect: a
			// deployment started after it can use them.
			delay := s.opts.PropagationDelay
			s.world.grantEndpointIdentity(e.Identity.PrincipalID, ws, secrets, now, now.Add(delay))
			wait = max(s.opts.ProvisioningTime, delay)
		}
	}
	e.ProvisioningState, e.ModifiedAt, e.ModifiedBy = state, now, q.c.name()

	op := s.startOp(&operation{Sub: e.Subscription, Location: e.Location, Resource: armEndpointID(e), Kind: kind,
		Duration: wait, Apply: settleEndpoint(key, e)})
	if fails {
		verb, retry := "Provisioning", "delete it, or send the create again to retry"
		if kind == "update" {
			verb, retry = "Updating", "send the update again to retry"
		}
		op.failInternal("%s online endpoint '%s' failed: the inference routes in region '%s' could not be set up. "+
			"The endpoint is left in the Failed state; %s.", verb, e.Name, e.Location, retry)
	}
	return &epOutcome{armOutcome: armOutcome{status: http.StatusCreated, body: s.armEndpointJSON(e)}, op: op}
}

// validatePut checks a PUT body against the workspace and, for a replace,
// the endpoint as it is. The caller holds s.mu.
func (s *armHost) validatePut(ws *Workspace, prev *Endpoint, name string, b *armEndpointBody) (endpointWrite, *epOutcome) {
	var out endpointWrite
	fail := func(target, format string, args ...any) (endpointWrite, *epOutcome) {
		return out, epFail(http.StatusBadRequest, codeUserError, target, format, args...)
	}
	if b.Location == nil || strings.TrimSpace(*b.Location) == "" {
		return out, epFail(http.StatusBadRequest, "LocationRequired", "location", "The location property is required for this definition.")
	}
	loc := *b.Location
	if prev != nil && !sameLocation(loc, prev.Location) {
		return out, epFail(http.StatusBadRequest, "InvalidResourceLocation", "location",
			"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
			prev.Name, prev.Location, prev.ResourceGroup, epwClip(loc))
	}
	if !sameLocation(loc, ws.Location) {
		return fail("location", "Location '%s' is not the location of workspace '%s' ('%s'): an online endpoint lives in its workspace's region.",
			epwClip(loc), ws.Name, ws.Location)
	}
	if k := b.SKU; k != nil {
		// common-types v3 Sku: name is required, tier is a closed enum.
		if strings.TrimSpace(k.Name) == "" {
			return fail("sku.name", "sku.name is required when sku is given.")
		}
		tier := ""
		for _, t := range []string{"Free", "Basic", "Standard", "Premium"} {
			if strings.EqualFold(k.Tier, t) {
				tier = t
			}
		}
		if k.Tier != "" && tier == "" {
			return fail("sku.tier", "sku.tier '%s' is not valid: use Free, Basic, Standard or Premium.", epwClip(k.Tier))
		}
		if k.Capacity != nil && *k.Capacity < 0 {
			return fail("sku.capacity", "sku.capacity must not be negative.")
		}
		out.sku = &SKU{Name: k.Name, Tier: tier, Size: k.Size, Family: k.Family, Capacity: k.Capacity}
	}
	p := b.Properties
	if p == nil {
		return fail("properties", "The request needs 'properties' with at least 'authMode' (Key, AMLToken or AADToken).")
	}
	if p.AuthMode == nil || strings.TrimSpace(*p.AuthMode) == "" {
		return fail("properties.authMode", "properties.authMode is required: Key, AMLToken or AADToken.")
	}
	for _, m := range []string{"Key", "AMLToken", "AADToken"} {
		if strings.EqualFold(strings.TrimSpace(*p.AuthMode), m) {
			out.authMode = m
		}
	}
	if out.authMode == "" {
		return fail("properties.authMode", "Auth mode '%s' is not valid: use Key, AMLToken or AADToken.", epwClip(*p.AuthMode))
	}
	var cur *string
	if prev != nil {
		cur = &prev.ProvisioningState
	}
	if f := readOnlyProvisioningState(p.ProvisioningState, cur, "endpoint"); f != nil {
		return out, f
	}

	kubernetes := strings.EqualFold(b.Kind, "K8S") || strings.EqualFold(b.Kind, "Kubernetes")
	if p.Compute != nil && strings.TrimSpace(*p.Compute) != "" {
		kubernetes = true
		c, ok := computeOf(ws, *p.Compute)
		if !ok {
			return fail("properties.compute",
				"Compute '%s' is not a compute of workspace '%s': give the ARM id of a Kubernetes compute attached to it, %s/computes/{computeName}.",
				epwClip(*p.Compute), ws.Name, wsID(ws.Subscription, ws.ResourceGroup, ws.Name))
		}
		out.compute = c
	}
	if kubernetes && out.compute == "" {
		return fail("properties.compute", "A Kubernetes online endpoint needs properties.compute: the ARM id of the Kubernetes compute attached to workspace '%s'.", ws.Name)
	}
	if prev != nil && !rbac.EqualOrdinalIgnoreCase(prev.Compute, out.compute) {
		return fail("properties.compute", "The compute of online endpoint '%s' cannot be changed (it is '%s'); create a new endpoint instead.",
			prev.Name, cmp.Or(prev.Compute, "managed"))
	}
	if kubernetes && out.authMode == "AADToken" {
		return fail("properties.authMode",
			"Auth mode 'AADToken' is supported only for managed online endpoints; a Kubernetes online endpoint uses Key or AMLToken.")
	}
	if b.Identity != nil {
		id, f := s.validateIdentity(b.Identity)
		if f != nil {
			return out, f
		}
		out.identity = &id
	}
	var f *epOutcome
	if out.traffic, f = s.validateTraffic(ws, name, "traffic", p.Traffic, 100); f != nil {
		return out, f
	}
	if out.mirror, f = s.validateTraffic(ws, name, "mirrorTraffic", p.MirrorTraffic, 50); f != nil {
		return out, f
	}
	if f := checkMirror(prev, out.traffic, out.mirror); f != nil {
		return out, f
	}
	if p.Description != nil {
		out.description = *p.Description
	}
	if v := p.PublicNetworkAccess; v != nil {
		switch {
		case strings.EqualFold(*v, "Enabled"):
			out.publicNetworkAccess = "Enabled"
		case strings.EqualFold(*v, "Disabled"):
			out.publicNetworkAccess = "Disabled"
		default:
			return fail("properties.publicNetworkAccess", "properties.publicNetworkAccess '%s' is not valid: use Enabled or Disabled.", epwClip(*v))
		}
	}
	out.tags, out.props = b.Tags, p.Properties
	return out, nil
}

// readOnlyProvisioningState refuses a PUT whose properties.provisioningState
// (sent) differs from the resource's own (current; nil when the PUT creates
// it): the service sets it, but a body read back from a GET carries it, and
// sending that back unchanged is accepted. what is "endpoint" or "deployment".
func readOnlyProvisioningState(sent, current *string, what string) *epOutcome {
	if sent == nil || *sent == "" {
		return nil
	}
	cur := ""
	if current != nil {
		cur = cmp.Or(*current, "Succeeded")
	}
	if strings.EqualFold(*sent, cur) {
		return nil
	}
	return epFail(http.StatusBadRequest, codeUserError, "properties.provisioningState",
		"properties.provisioningState is read-only: the request says '%s' but the %s's is '%s'. Leave it out of the request.",
		epwClip(*sent), what, cmp.Or(cur, "(none: it does not exist yet)"))
}

// checkEndpointName applies EndpointNameRule.
func checkEndpointName(name string) *epOutcome {
	if n := len(name); n < 3 || n > 32 || !reEndpointName.MatchString(name) {
		return epFail(http.StatusBadRequest, codeUserError, "name", "The endpoint name '%s' is not valid. %s.", epwClip(name), endpointNameRule)
	}
	return nil
}

// sameLocation compares Azure locations as ARM does: "East US" is eastus.
func sameLocation(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	return norm(a) == norm(b)
}

// computeOf resolves properties.compute: the ARM id of a compute of the
// workspace (returned as the workspace's id plus the compute's name).
func computeOf(ws *Workspace, c string) (string, bool) {
	base := wsID(ws.Subscription, ws.ResourceGroup, ws.Name) + "/computes/"
	c = strings.TrimSpace(c)
	if len(c) <= len(base) || !rbac.EqualOrdinalIgnoreCase(c[:len(base)], base) {
		return "", false
	}
	name := c[len(base):]
	if strings.Contains(name, "/") || !reComputeName.MatchString(name) {
		return "", false
	}
	return base + name, true
}

// reComputeName is Azure ML's compute name rule (2-16 characters).
var reComputeName = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{1,15}$`)

// linkedIdentityAccess is ARM's linked authorization: attaching a
// user-assigned identity to a resource also needs
// userAssignedIdentities/assign/action on the identity, or anyone who can
// write an endpoint could borrow any identity's permissions. Identities the
// endpoint already has are not re-checked (an assumption: the documented
// failure is about assigning one). The caller holds s.mu.
func (s *armHost) linkedIdentityAccess(c *Caller, prev *Endpoint, id identityWrite, scope string) *epOutcome {
	for _, uai := range id.user {
		if prev != nil && slices.ContainsFunc(prev.Identity.UserAssigned, func(have string) bool { return rbac.EqualOrdinalIgnoreCase(have, uai) }) {
			continue
		}
		if !s.armCan(c, actUserIdentityAssign, uai) {
			return epFail(http.StatusForbidden, "LinkedAuthorizationFailed", "",
				"The client '%s' with object id '%s' has permission to perform action '%s' on scope '%s'; however, it does not have permission to perform action(s) '%s' on the linked scope(s) '%s' (respectively) or the linked scope(s) are invalid.",
				c.name(), c.ObjectID, actEndpointWrite, scope, actUserIdentityAssign, uai)
		}
	}
	return nil
}

// validateIdentity checks a requested managed identity: a known type, and
// user-assigned identities that exist. The caller holds s.mu.
func (s *armHost) validateIdentity(b *armIdentityBody) (identityWrite, *epOutcome) {
	var out identityWrite
	fail := func(target, format string, args ...any) (identityWrite, *epOutcome) {
		return out, epFail(http.StatusBadRequest, codeUserError, target, format, args...)
	}
	if b.Type == nil || strings.TrimSpace(*b.Type) == "" {
		return fail("identity.type", "identity.type is required: SystemAssigned, UserAssigned, 'SystemAssigned,UserAssigned' or None.")
	}
	var user, none bool
	for _, part := range strings.Split(*b.Type, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "systemassigned":
			out.system = true
		case "userassigned":
			user = true
		case "none":
			none = true
		default:
			return fail("identity.type", "Identity type '%s' is not valid: use SystemAssigned, UserAssigned, 'SystemAssigned,UserAssigned' or None.", epwClip(*b.Type))
		}
	}
	if none && (out.system || user) {
		return fail("identity.type", "Identity type '%s' is not valid: None cannot be combined with another type.", epwClip(*b.Type))
	}
	if !user {
		if len(b.UserAssignedIdentities) > 0 {
			return fail("identity.userAssignedIdentities",
				"identity.userAssignedIdentities is given but identity.type '%s' does not include UserAssigned.", epwClip(*b.Type))
		}
		return out, nil
	}
	if len(b.UserAssignedIdentities) == 0 {
		return fail("identity.userAssignedIdentities",
			"Identity type UserAssigned needs at least one identity in identity.userAssignedIdentities, keyed by its ARM id (/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}).")
	}
	for ref := range b.UserAssignedIdentities {
		x := s.world.Identities[armKey(ref)]
		if x == nil {
			return fail("identity.userAssignedIdentities",
				"The user-assigned identity '%s' was not found. Give the ARM id of an existing identity: /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}.",
				epwClip(ref))
		}
		out.user = append(out.user, uaiID(x.Subscription, x.ResourceGroup, x.Name))
	}
	slices.Sort(out.user)
	return out, nil
}

// validateTraffic checks traffic (total 0 or 100) or mirrorTraffic (total
// at most 50): every name must be a deployment of the endpoint. nil stays
// nil (keep the endpoint's). The caller holds s.mu.
func (s *armHost) validateTraffic(ws *Workspace, endpoint, field string, m map[string]int32, limit int32) (map[string]int32, *epOutcome) {
	if m == nil {
		return nil, nil
	}
	var sum int32
	out := map[string]int32{}
	for dep, v := range m {
		d := s.world.Deployments[armKey(epID(ws.Subscription, ws.ResourceGroup, ws.Name, endpoint)+"/deployments/"+dep)]
		if d == nil {
			return nil, epFail(http.StatusBadRequest, codeUserError, "properties."+field,
				"properties.%s names deployment '%s', which does not exist under endpoint '%s'. Create the deployment first, then route traffic to it.",
				field, epwClip(dep), endpoint)
		}
		if v < 0 || v > 100 {
			return nil, epFail(http.StatusBadRequest, codeUserError, "properties."+field,
				"properties.%s gives deployment '%s' %d%%: each value is a percentage from 0 to 100.", field, d.Name, v)
		}
		sum += v
		out[d.Name] = v
	}
	if limit == 100 && sum != 0 && sum != 100 {
		return nil, epFail(http.StatusBadRequest, codeUserError, "properties.traffic",
			"properties.traffic adds up to %d%%: the values must add up to 100 (or all be 0).", sum)
	}
	if limit < 100 {
		for dep, v := range out {
			if v > limit {
				return nil, epFail(http.StatusBadRequest, codeUserError, "properties."+field,
					"properties.%s gives deployment '%s' %d%%: a deployment gets at most %d%% of mirrored traffic.", field, dep, v, limit)
			}
		}
	}
	if sum > limit {
		return nil, epFail(http.StatusBadRequest, codeUserError, "properties."+field,
			"properties.%s adds up to %d%%: mirrored traffic is at most %d%%.", field, sum, limit)
	}
	return out, nil
}

// checkMirror applies the safe-rollout rules that tie mirrored traffic to
// live traffic: a deployment that gets live traffic cannot also get mirrored
// traffic ("Test the deployment with mirrored traffic",
// https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints#test-the-deployment-with-mirrored-traffic).
// nil maps are the endpoint's current ones (prev may be nil on create).
func checkMirror(prev *Endpoint, traffic, mirror map[string]int32) *epOutcome {
	if traffic == nil && prev != nil {
		traffic = prev.Traffic
	}
	if mirror == nil && prev != nil {
		mirror = prev.MirrorTraffic
	}
	for dep, m := range mirror {
		for live, t := range traffic {
			if m > 0 && t > 0 && rbac.EqualOrdinalIgnoreCase(dep, live) {
				return epFail(http.StatusBadRequest, codeUserError, "properties.mirrorTraffic",
					"Deployment '%s' gets %d%% of live traffic, so it cannot also get mirrored traffic: mirror traffic to a deployment that takes no live traffic.", dep, t)
			}
		}
	}
	return nil
}

// setEndpointIdentity gives a new endpoint the identity asked for (it is
// fixed from then on: identityChanged). A system-assigned identity is a
// managed-identity service principal in the directory (so roles can be
// assigned to it, and Graph shows it); it goes with the endpoint. The caller holds s.mu.
func (s *armHost) setEndpointIdentity(e *Endpoint, id identityWrite) {
	if id.system {
		pid := newGUID()
		s.world.ServicePrincipals[pid] = &ServicePrincipal{ID: pid, AppID: newGUID(), DisplayName: e.Name,
			ServicePrincipalType: "ManagedIdentity", AlternativeNames: []string{armEndpointID(e)}}
		e.Identity.PrincipalID = pid
	}
	var types []string
	if id.system {
		types = append(types, "SystemAssigned")
	}
	if len(id.user) > 0 {
		types = append(types, "UserAssigned")
	}
	e.Identity.Type = cmp.Or(strings.Join(types, ","), "None")
	e.Identity.UserAssigned = id.user
	e.Identity.TenantID = s.world.Tenant.ID
}

// endpointBusy is ARM's 409 while another operation runs on the endpoint.
// The caller holds s.mu (busy takes only the operation store's lock).
func (s *armHost) endpointBusy(e *Endpoint) *epOutcome {
	op := s.busy(armEndpointID(e))
	if op == nil {
		return nil
	}
	return epFail(http.StatusConflict, "Conflict", "",
		"Endpoint '%s' has an operation in progress (%s, provisioning state %s); wait for it to finish and retry.",
		e.Name, op.Kind, cmp.Or(e.ProvisioningState, "Succeeded"))
}

// endpointNamedInRegion finds another endpoint (not the one at key) with
// this name in this region, in any workspace. The caller holds s.mu.
func (s *armHost) endpointNamedInRegion(name, location, key string) *Endpoint {
	for k, e := range s.world.Endpoints {
		if k != key && rbac.EqualOrdinalIgnoreCase(e.Name, name) && sameLocation(e.Location, location) {
			return e
		}
	}
	return nil
}

// settleEndpoint ends a create or update: Succeeded, or Failed when the
// operation failed. It does nothing when the endpoint was replaced meanwhile.
func settleEndpoint(key string, e *Endpoint) func(w *World, failed bool) {
	return func(w *World, failed bool) {
		if w.Endpoints[key] != e {
			return
		}
		e.ProvisioningState = "Succeeded"
		if failed {
			e.ProvisioningState = "Failed"
		}
	}
}

// PATCH .../onlineEndpoints/{ep}: tags and identity only. 202 with
// Location; the Location answers 200 with the endpoint when done.
func (s *armHost) armPatchEndpoint(w http.ResponseWriter, q *armReq) {
	endpointBodyWrite(s, w, q, false, actEndpointWrite, s.patchEndpoint)
}

func (s *armHost) patchEndpoint(q *armReq, scope string, e *Endpoint, b *armEndpointPatch, bad *armOutcome, fails bool) *epOutcome {
	if bad != nil {
		return epOf(*bad)
	}
	if f := s.endpointBusy(e); f != nil {
		return f
	}
	if b.Identity != nil {
		x, f := s.validateIdentity(b.Identity)
		if f != nil {
			return f
		}
		if f := identityChanged(e, x); f != nil {
			return f
		}
	}
	var traffic, mirror map[string]int32
	if p := b.Properties; p != nil {
		ws := s.world.Workspaces[armKey(q.scopeThrough("ws"))]
		var f *epOutcome
		if traffic, f = s.validateTraffic(ws, e.Name, "traffic", p.Traffic, 100); f != nil {
			return f
		}
		if mirror, f = s.validateTraffic(ws, e.Name, "mirrorTraffic", p.MirrorTraffic, 50); f != nil {
			return f
		}
		if f := checkMirror(e, traffic, mirror); f != nil {
			return f
		}
	}
	if b.Tags != nil {
		e.Tags = b.Tags
	}
	if traffic != nil {
		e.Traffic = traffic
	}
	if mirror != nil {
		e.MirrorTraffic = mirror
	}
	e.ProvisioningState, e.ModifiedAt, e.ModifiedBy = "Updating", s.now().UTC(), q.c.name()
	key := armKey(scope)
	op := s.startOp(&operation{Sub: e.Subscription, Location: e.Location, Resource: armEndpointID(e), Kind: "update",
		Apply: settleEndpoint(key, e),
		Result: func() (int, any) {
			s.mu.RLock()
			defer s.mu.RUnlock()
			if s.world.Endpoints[key] != e {
				return http.StatusNoContent, nil
			}
			return http.StatusOK, s.armEndpointJSON(e)
		}})
	if fails {
		op.failInternal("Updating online endpoint '%s' failed: its identity could not be updated in region '%s'. "+
			"The endpoint is left in the Failed state; send the update again to retry.", e.Name, e.Location)
	}
	return &epOutcome{armOutcome: armOutcome{status: http.StatusAccepted}, op: op}
}

// DELETE .../onlineEndpoints/{ep}: 202 with Location; when done the
// endpoint, its deployments and its system-assigned identity are gone.
// A missing endpoint answers 204, ARM's rule for deleting what is not there.
func (s *armHost) armDeleteEndpoint(w http.ResponseWriter, q *armReq) {
	s.lockedWrite(w, q, false, func(fails bool) *epOutcome { return s.deleteEndpoint(q, fails) })
}

func (s *armHost) deleteEndpoint(q *armReq, fails bool) *epOutcome {
	scope := q.scope()
	if o := s.armRefuse(q.c, actEndpointDelete, scope); o != nil {
		return epOf(*o)
	}
	if _, miss := s.armWorkspace(q); miss != nil {
		return epOf(*miss)
	}
	key := armKey(scope)
	e := s.world.Endpoints[key]
	if e == nil {
		return &epOutcome{armOutcome: armOutcome{status: http.StatusNoContent}}
	}
	return s.startDelete(e, &e.ProvisioningState, "delete", fails,
		func(w *World) bool { return w.Endpoints[key] == e },
		func(w *World) {
			delete(w.Endpoints, key)
			s.epIndex.changed()
			for k, d := range w.Deployments {
				if armDeploymentOf(d, e) {
					delete(w.Deployments, k)
				}
			}
			if strings.Contains(e.Identity.Type, "SystemAssigned") && e.Identity.PrincipalID != "" {
				delete(w.ServicePrincipals, rbac.OrdinalKey(e.Identity.PrincipalID))
				w.forgetPrincipal(e.Identity.PrincipalID)
			}
		},
		fmt.Sprintf("Deleting online endpoint '%s' failed: its inference routes in region '%s' could not be removed. "+
			"The endpoint is left in the Failed state; delete it again to retry.", e.Name, e.Location))
}

// startDelete is what deleting an endpoint or one of its deployments shares
// once the resource is found: ARM's 409 while another operation runs on the
// endpoint, then the resource shows Deleting at once and an operation on
// the endpoint settles it ProvisioningTime later. When due, current tells
// whether the resource is still the one deleted (it may have been replaced
// meanwhile; then the operation leaves it alone); remove takes it out of the
// world, or, when an injected fault fails the operation (failure is the
// message), the resource is left Failed. The caller holds s.mu.
func (s *armHost) startDelete(e *Endpoint, state *string, kind string, fails bool,
	current func(*World) bool, remove func(*World), failure string) *epOutcome {
	if f := s.endpointBusy(e); f != nil {
		return f
	}
	*state = "Deleting"
	op := s.startOp(&operation{Sub: e.Subscription, Location: e.Location, Resource: armEndpointID(e), Kind: kind,
		Apply: func(w *World, failed bool) {
			if !current(w) {
				return
			}
			if failed {
				*state = "Failed"
				return
			}
			remove(w)
		}})
	if fails {
		op.failInternal("%s", failure)
	}
	return &epOutcome{armOutcome: armOutcome{status: http.StatusAccepted}, op: op}
}

// epwClip bounds and cleans a client value quoted back in a message.
func epwClip(v string) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v)
	if r := []rune(v); len(r) > 256 { // room for an ARM id, not for a flood
		v = string(r[:256]) + "…"
	}
	return v
}
