package azure

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// Creating, changing and deleting online endpoints: the wizard's spec, its
// validation and its three renderings (endpoint.yml, az, REST), and the
// writes as long-running operations tracked by Operation (lro.go).

// EndpointSpec is what the create wizard collects.
type EndpointSpec struct {
	Ref          EndpointRef
	Location     string // the workspace's region
	Description  string
	Tags         map[string]string
	AuthMode     string // AuthKey | AuthAMLToken | AuthAADToken
	ComputeType  string // "Managed" | "Kubernetes"
	Compute      string // Kubernetes only: name or ARM id of the attached Kubernetes compute
	IdentityType string // "SystemAssigned" | "UserAssigned"
	UserIdentity string // UserAssigned only: ARM id of the user-assigned identity
	// EnforceSecretStores sets the flag to enforce access to the default
	// secret stores (secret injection). With a system-assigned identity,
	// Azure then rejects the creation unless the creator may read
	// workspace connection secrets, and otherwise grants the identity
	// the Workspace Connection Secrets Reader role (AutomaticGrants).
	// https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#permissions-for-user-identity-to-enforce-access-to-default-secret-stores
	EnforceSecretStores bool
}

// ManagedIdentity is a user-assigned managed identity an endpoint can run as.
type ManagedIdentity struct {
	ID            string // ARM id
	Name          string
	ResourceGroup string
	Location      string
	PrincipalID   string
	ClientID      string
}

// mlAPIVersion is the api-version armmachinelearning/v4 sends; REST() shows the same.
const mlAPIVersion = "2024-04-01"

// msiAPIVersion is the stable Microsoft.ManagedIdentity api-version for listing identities.
const msiAPIVersion = "2023-01-31"

// EndpointNameRule is Azure ML's documented rule for endpoint names (the
// endpoint limits in "Manage resources and quotas"; the azure-ai-ml SDK
// checks the same). The name becomes a DNS label of the scoring URL,
// hence the stricter rule than the REST spec's pattern.
const EndpointNameRule = "3-32 characters: letters, digits and dashes (-), starting with a letter and ending with a letter or digit; unique in the Azure region"

var (
	endpointNameRE = regexp.MustCompile(`^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$`)
	computeNameRE  = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{1,15}$`)
	uaiIDRE        = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.ManagedIdentity/userAssignedIdentities/[^/]+$`)
)

// SpecError is a wizard input Azure would refuse; Field names the input
// (workspace, name, location, auth_mode, compute, identity, tags; for a
// deployment also model, environment, instance_type, instance_count ...).
type SpecError struct {
	What           string // "deployment" for a deployment's settings; "" is an endpoint's
	Field, Message string
}

func (e *SpecError) Error() string { return e.Message }

// Explanation points at the input to correct.
func (e *SpecError) Explanation() Explanation {
	return Explanation{Title: "Invalid " + cmp.Or(e.What, "endpoint") + " settings", Detail: e.Message, Next: "Correct the " + strings.ReplaceAll(e.Field, "_", " ") + " and try again."}
}

// ValidateEndpointName checks Azure's rule; the error says the rule.
func ValidateEndpointName(name string) error { return validateName("", EndpointNameRule, name) }

// validateName checks an endpoint's (what "") or a deployment's name
// against Azure's rule; the error says the rule.
func validateName(what, rule, name string) error {
	noun := cmp.Or(what, "endpoint")
	bad := func(format string, args ...any) error {
		return &SpecError{What: what, Field: "name", Message: fmt.Sprintf(format, args...) + " " + strings.ToUpper(noun[:1]) + noun[1:] + " names are " + rule + "."}
	}
	if name == "" {
		return bad("The %s name is empty.", noun)
	}
	for i, r := range name {
		if !(r == '-' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return bad("The %s name %q has %q at position %d, which is not allowed.", noun, name, r, i+1)
		}
	}
	switch {
	case !endpointNameRE.MatchString(name[:1]):
		return bad("The %s name %q starts with %q, not a letter.", noun, name, name[:1])
	case name[len(name)-1] == '-':
		return bad("The %s name %q ends with a dash.", noun, name)
	case len(name) < 3 || len(name) > 32:
		return bad("The %s name %q has %d characters.", noun, name, len(name))
	}
	return nil
}

// armAuthMode maps an auth mode in the CLI spelling (or ARM's) to ARM's enum.
func armAuthMode(mode string) (armmachinelearning.EndpointAuthMode, bool) {
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case AuthKey:
		return armmachinelearning.EndpointAuthModeKey, true
	case AuthAMLToken, "amltoken":
		return armmachinelearning.EndpointAuthModeAMLToken, true
	case AuthAADToken, "aadtoken":
		return armmachinelearning.EndpointAuthModeAADToken, true
	}
	return "", false
}

// identityKind normalizes the identity type: "" means system-assigned, the
// service's default; ok is false for anything else.
func identityKind(t string) (userAssigned, ok bool) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "", "systemassigned", "system_assigned":
		return false, true
	case "userassigned", "user_assigned":
		return true, true
	}
	return false, false
}

func (sp EndpointSpec) kubernetes() bool {
	return strings.EqualFold(strings.TrimSpace(sp.ComputeType), "Kubernetes")
}

// Validate checks the combination (aad_token needs managed compute, a
// user-assigned identity needs its id, Kubernetes needs a compute).
func (sp EndpointSpec) Validate() error {
	r := sp.Ref
	if r.Subscription == "" || r.ResourceGroup == "" || r.Name == "" {
		return &SpecError{Field: "workspace", Message: "Pick a workspace first: an endpoint needs its subscription, resource group and workspace."}
	}
	if err := ValidateEndpointName(r.Endpoint); err != nil {
		return err
	}
	if strings.TrimSpace(sp.Location) == "" {
		return &SpecError{Field: "location", Message: "The location is empty: an endpoint lives in its workspace's region."}
	}
	mode, ok := armAuthMode(sp.AuthMode)
	if !ok {
		return &SpecError{Field: "auth_mode", Message: fmt.Sprintf("Auth mode %q is not one of key, aml_token, aad_token.", sp.AuthMode)}
	}
	switch ct := strings.ToLower(strings.TrimSpace(sp.ComputeType)); {
	case ct == "kubernetes":
		if strings.TrimSpace(sp.Compute) == "" {
			return &SpecError{Field: "compute", Message: "A Kubernetes endpoint needs the Kubernetes compute attached to the workspace (its name or ARM id)."}
		}
		if _, err := sp.computeID(); err != nil {
			return err
		}
		if mode == armmachinelearning.EndpointAuthModeAADToken {
			return &SpecError{Field: "auth_mode", Message: "aad_token (Microsoft Entra ID tokens) works only on managed online endpoints; on Kubernetes use key or aml_token."}
		}
	case ct != "" && ct != "managed":
		return &SpecError{Field: "compute", Message: fmt.Sprintf("Compute type %q is not Managed or Kubernetes.", sp.ComputeType)}
	case strings.TrimSpace(sp.Compute) != "":
		return &SpecError{Field: "compute", Message: "A compute is only for Kubernetes endpoints; a managed endpoint runs on compute Azure manages. Clear it, or choose Kubernetes."}
	}
	user, ok := identityKind(sp.IdentityType)
	switch {
	case !ok:
		return &SpecError{Field: "identity", Message: fmt.Sprintf("Identity type %q is not SystemAssigned or UserAssigned.", sp.IdentityType)}
	case user && strings.TrimSpace(sp.UserIdentity) == "":
		return &SpecError{Field: "identity", Message: "A user-assigned identity needs its ARM id: pick one from the list."}
	case user && !uaiIDRE.MatchString(strings.TrimSpace(sp.UserIdentity)):
		return &SpecError{Field: "identity", Message: fmt.Sprintf("%q is not the ARM id of a user-assigned identity: "+
			"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}.", sp.UserIdentity)}
	case !user && strings.TrimSpace(sp.UserIdentity) != "":
		return &SpecError{Field: "identity", Message: "A user-assigned identity is set but the identity type is SystemAssigned: choose UserAssigned, or clear the identity."}
	}
	return validateTags(sp.Tags)
}

// validateTags applies ARM's tag limits: at most 50, names up to 512
// characters without < > % & \ ? /, values up to 256 characters.
func validateTags(tags map[string]string) error {
	if len(tags) > 50 {
		return &SpecError{Field: "tags", Message: fmt.Sprintf("There are %d tags; Azure allows at most 50 per resource.", len(tags))}
	}
	for k, v := range tags {
		switch {
		case strings.TrimSpace(k) == "":
			return &SpecError{Field: "tags", Message: "A tag has an empty name."}
		case len(k) > 512:
			return &SpecError{Field: "tags", Message: fmt.Sprintf("Tag name %.20q… is %d characters; Azure allows 512.", k, len(k))}
		case strings.ContainsAny(k, `<>%&\?/`):
			return &SpecError{Field: "tags", Message: fmt.Sprintf("Tag name %q contains one of < > %% & \\ ? /, which Azure does not allow in tag names.", k)}
		case len(v) > 256:
			return &SpecError{Field: "tags", Message: fmt.Sprintf("The value of tag %q is %d characters; Azure allows 256.", k, len(v))}
		}
	}
	return nil
}

// computeID is the ARM id of the Kubernetes compute: Compute as given when
// it is an id of the workspace's, else the workspace's id plus the name
// (an "azureml:" prefix, as endpoint.yml writes it, is accepted).
func (sp EndpointSpec) computeID() (string, error) {
	c := strings.TrimSpace(sp.Compute)
	base := sp.Ref.WorkspaceRef.ID() + "/computes/"
	name := strings.TrimPrefix(c, "azureml:")
	if strings.HasPrefix(c, "/") {
		if len(c) <= len(base) || !strings.EqualFold(c[:len(base)], base) {
			return "", &SpecError{Field: "compute", Message: fmt.Sprintf("Compute %q is not a compute of workspace %s: its ARM id starts with %s.", c, sp.Ref.Name, base)}
		}
		name = c[len(base):]
	}
	if !computeNameRE.MatchString(name) {
		return "", &SpecError{Field: "compute", Message: fmt.Sprintf("Compute name %q is not valid: 2-16 characters, letters, digits and dashes, starting with a letter.", name)}
	}
	return base + name, nil
}

// armBody is the PUT body CreateEndpoint sends (and REST shows).
func (sp EndpointSpec) armBody() armmachinelearning.OnlineEndpoint {
	mode, _ := armAuthMode(sp.AuthMode)
	props := &armmachinelearning.OnlineEndpointProperties{AuthMode: to.Ptr(mode)}
	if sp.Description != "" {
		props.Description = to.Ptr(sp.Description)
	}
	if sp.kubernetes() {
		id, _ := sp.computeID()
		props.Compute = to.Ptr(id)
	}
	if sp.EnforceSecretStores {
		props.Properties = map[string]*string{EnforceSecretStoresProperty: to.Ptr("enabled")}
	}
	id := &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(armmachinelearning.ManagedServiceIdentityTypeSystemAssigned)}
	if user, _ := identityKind(sp.IdentityType); user {
		id = &armmachinelearning.ManagedServiceIdentity{Type: to.Ptr(armmachinelearning.ManagedServiceIdentityTypeUserAssigned),
			UserAssignedIdentities: map[string]*armmachinelearning.UserAssignedIdentity{strings.TrimSpace(sp.UserIdentity): {}}}
	}
	body := armmachinelearning.OnlineEndpoint{Location: to.Ptr(strings.TrimSpace(sp.Location)), Properties: props, Identity: id}
	if len(sp.Tags) > 0 {
		body.Tags = map[string]*string{}
		for k, v := range sp.Tags {
			body.Tags[k] = to.Ptr(v)
		}
	}
	return body
}

// The JSON schemas endpoint.yml and deployment.yml files name (CLI v2
// online endpoint and online deployment YAML references).
const (
	schemaManagedEndpoint      = "https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json"
	schemaKubernetesEndpoint   = "https://azuremlschemas.azureedge.net/latest/kubernetesOnlineEndpoint.schema.json"
	schemaManagedDeployment    = "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json"
	schemaKubernetesDeployment = "https://azuremlschemas.azureedge.net/latest/kubernetesOnlineDeployment.schema.json"
)

// YAML is the endpoint.yml for `az ml online-endpoint create -f`.
func (sp EndpointSpec) YAML() string {
	var b yamlWriter
	b.head(sp.kubernetes(), schemaManagedEndpoint, schemaKubernetesEndpoint, sp.Ref.Endpoint)
	mode := strings.ToLower(strings.TrimSpace(sp.AuthMode))
	if m, ok := armAuthMode(sp.AuthMode); ok {
		mode = authModeCLI(&m)
	}
	b.line("", "auth_mode", mode)
	if sp.Description != "" {
		b.line("", "description", sp.Description)
	}
	if sp.kubernetes() {
		name := strings.TrimPrefix(strings.TrimSpace(sp.Compute), "azureml:")
		if id, err := sp.computeID(); err == nil {
			name = id[strings.LastIndex(id, "/")+1:]
		}
		b.line("", "compute", "azureml:"+name)
	}
	b.mapping("tags", sp.Tags)
	if sp.EnforceSecretStores {
		b.WriteString("properties:\n  " + EnforceSecretStoresProperty + ": enabled\n")
	}
	b.WriteString("identity:\n")
	if user, _ := identityKind(sp.IdentityType); user {
		b.WriteString("  type: user_assigned\n  user_assigned_identities:\n")
		b.line("    - ", "resource_id", strings.TrimSpace(sp.UserIdentity))
	} else {
		b.WriteString("  type: system_assigned\n")
	}
	return b.String()
}

// yamlWriter writes the CLI v2 YAML files (endpoint.yml, deployment.yml).
type yamlWriter struct{ strings.Builder }

// line writes "key: value", the value quoted where YAML would misread it.
func (y *yamlWriter) line(indent, key, value string) {
	y.WriteString(indent + key + ": " + yamlValue(value) + "\n")
}

// head writes the lines every file starts with: the JSON schema (the
// managed or the Kubernetes one) and the name.
func (y *yamlWriter) head(kubernetes bool, managedSchema, kubernetesSchema, name string) {
	schema := managedSchema
	if kubernetes {
		schema = kubernetesSchema
	}
	y.line("", "$schema", schema)
	y.line("", "name", name)
}

// mapping writes key and m's entries below it, sorted; nothing when m is empty.
func (y *yamlWriter) mapping(key string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	y.WriteString(key + ":\n")
	for _, k := range sortedTagKeys(m) {
		y.WriteString("  " + yamlValue(k) + ": " + yamlValue(m[k]) + "\n")
	}
}

// yamlPlainRE is what may stay unquoted: no indicator first, nothing YAML
// reads as another type (numbers, dates, booleans, null).
var yamlPlainRE = regexp.MustCompile(`^[A-Za-z_/$][A-Za-z0-9_./:@+$-]*$`)

// yamlValue writes s as a YAML scalar: plain when unambiguous, else a
// double-quoted string (JSON's escapes are valid YAML escapes).
func yamlValue(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
	default:
		if yamlPlainRE.MatchString(s) && !strings.HasSuffix(s, ":") {
			return s
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

func sortedTagKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AzCommand is the equivalent `az ml online-endpoint create` command.
func (sp EndpointSpec) AzCommand() string {
	r := sp.Ref
	return "az ml online-endpoint create --name " + azArg(r.Endpoint) + " --file endpoint.yml" +
		" --resource-group " + azArg(r.ResourceGroup) + " --workspace-name " + azArg(r.Name) +
		" --subscription " + azArg(r.Subscription)
}

var azArgSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// azArg quotes a word for POSIX shells: in single quotes, where a
// quote is written as close-quote, escaped quote, open-quote.
func azArg(s string) string {
	if azArgSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// REST is the equivalent ARM request: method, URL path (with api-version) and JSON body.
func (sp EndpointSpec) REST() (method, path, body string) {
	return http.MethodPut, endpointPath(sp.Ref) + "?api-version=" + mlAPIVersion, indentedJSON(sp.armBody())
}

// indentedJSON is a REST body: the SDK model through the SDK's own
// serializer (exactly what the write sends), indented; "" if it fails.
func indentedJSON(v any) string {
	b, err := json.Marshal(v)
	var out bytes.Buffer
	if err == nil {
		err = json.Indent(&out, b, "", "  ")
	}
	if err != nil {
		return ""
	}
	return out.String()
}

// endpointPath is the endpoint's ARM path with each name escaped.
func endpointPath(r EndpointRef) string {
	e := url.PathEscape
	return "/subscriptions/" + e(r.Subscription) + "/resourceGroups/" + e(r.ResourceGroup) +
		"/providers/Microsoft.MachineLearningServices/workspaces/" + e(r.Name) + "/onlineEndpoints/" + e(r.Endpoint)
}

// InvalidRequestError is Azure's 400 refusal of an endpoint write, with its
// error code, message and target (the field it names, when it says).
type InvalidRequestError struct{ Code, Message, Target string }

func (e *InvalidRequestError) Error() string {
	return "Azure rejected the request: " + e.Code + ": " + e.Message
}

// Explanation says which input to change.
func (e *InvalidRequestError) Explanation() Explanation {
	next := "Correct the request and try again."
	switch t := strings.ToLower(e.Target); {
	case t == "name":
		next = "Choose a name of " + EndpointNameRule + "."
	case t == "location":
		next = "Create the endpoint in its workspace's region."
	case t == "properties.authmode":
		next = "Choose key, aml_token or aad_token (aad_token only on managed endpoints)."
	case t == "properties.compute":
		next = "Name a Kubernetes compute attached to this workspace, or choose a managed endpoint."
	case strings.HasPrefix(t, "identity"):
		next = "Pick an existing user-assigned identity from the list, or use a system-assigned identity."
	case strings.Contains(t, "traffic"):
		next = "Route traffic only to existing deployments, with shares adding up to 100 (mirrored: at most 50)."
	case strings.Contains(t, "instancetype"):
		next = "Choose an instance type managed online endpoints offer in this region."
	case t == "sku.capacity" || strings.Contains(t, "instancecount"):
		next = fmt.Sprintf("Choose %d to %d instances, within your subscription's quota for the instance type.", MinInstanceCount, MaxInstanceCount)
	case strings.Contains(t, "model") || strings.Contains(t, "environment"):
		next = "Pick a model and an environment that exist in the workspace."
	}
	return Explanation{Title: "Azure rejected the endpoint (" + e.Code + ")", Detail: e.Message, Next: next}
}

// ConflictError is a 409 on an endpoint write: another operation is running
// on the endpoint, or (NameTaken) another endpoint in the region has the name.
type ConflictError struct{ Code, Message, Target string }

func (e *ConflictError) Error() string { return "conflict: " + e.Message }

// NameTaken reports a name clash: in the region, or an endpoint of that
// name in the workspace already (the other case is an operation in progress).
func (e *ConflictError) NameTaken() bool {
	return strings.EqualFold(e.Target, "name") || strings.Contains(strings.ToLower(e.Message), "unique within a region")
}

// Explanation says what to do: wait, or choose another name.
func (e *ConflictError) Explanation() Explanation {
	switch {
	case e.Code == "DeploymentExists":
		return Explanation{Title: "A deployment of that name exists", Detail: e.Message,
			Next: "Choose another name (deployment names are unique in the endpoint)."}
	case e.Code == "OperationInProgress":
		return Explanation{Title: "Another operation is running on this endpoint", Detail: e.Message,
			Next: "Wait for it to finish (the provisioning states show it), then try again.", Retry: true}
	case e.Code == "EndpointExists":
		return Explanation{Title: "An endpoint of that name exists", Detail: e.Message,
			Next: "Choose another name, or open the existing endpoint to change its auth mode."}
	case e.NameTaken():
		return Explanation{Title: "The endpoint name is taken in this region", Detail: e.Message,
			Next: "Endpoint names are unique per Azure region (the name is part of the scoring URL): choose another name."}
	}
	return Explanation{Title: "Another operation is running on this endpoint", Detail: e.Message,
		Next: "Wait for it to finish (the endpoint's provisioning state shows it), then try again.", Retry: true}
}

// classifyWrite types a refused endpoint write: 400 and 409 carry Azure's
// code, message and target; anything else goes through Classify (403 is a
// ForbiddenError with the action and scope).
func classifyWrite(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) && (re.StatusCode == http.StatusBadRequest || re.StatusCode == http.StatusConflict) {
		d := armErrorOf(re)
		msg := cmp.Or(d.Message, responseMessage(re))
		if re.StatusCode == http.StatusConflict {
			return &ConflictError{Code: d.Code, Message: msg, Target: d.Target}
		}
		return &InvalidRequestError{Code: d.Code, Message: msg, Target: d.Target}
	}
	return Classify(err)
}

// endpointWriter is the client of the endpoint writes.
func (s *Session) endpointWriter(sub string) (*armmachinelearning.OnlineEndpointsClient, error) {
	f, err := s.mlFactory(sub)
	if err != nil {
		return nil, err
	}
	return f.NewOnlineEndpointsClient(), nil
}

func endpointMissing(err error) bool {
	var nf *NotFoundError
	return errors.As(Classify(err), &nf)
}

// endpointResult turns a create/replace's result into the endpoint shown at the end.
func endpointResult(ref EndpointRef) func(context.Context, armmachinelearning.OnlineEndpointsClientCreateOrUpdateResponse) (Progress, error) {
	return func(_ context.Context, res armmachinelearning.OnlineEndpointsClientCreateOrUpdateResponse) (Progress, error) {
		ep := endpointFrom(ref.WorkspaceRef, &res.OnlineEndpoint)
		return Progress{Endpoint: &ep}, nil
	}
}

// CreateEndpoint starts the create (PUT) and returns the running operation.
// A synchronous refusal (400 validation, 403, 409 name taken or busy) is the error.
func (s *Session) CreateEndpoint(ctx context.Context, spec EndpointSpec) (*Operation, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	c, err := s.endpointWriter(spec.Ref.Subscription)
	if err != nil {
		return nil, err
	}
	r := spec.Ref
	// A PUT would silently replace an endpoint of that name: refuse, as
	// `az ml online-endpoint create` does (changes go through SetAuthMode),
	// unless its create failed: creating it again is the retry.
	switch cur, err := c.Get(ctx, r.ResourceGroup, r.Name, r.Endpoint, nil); {
	case err == nil && cur.Properties != nil && derefEnum(cur.Properties.ProvisioningState) == string(armmachinelearning.EndpointProvisioningStateFailed):
	case err == nil:
		return nil, &ConflictError{Code: "EndpointExists", Target: "name", Message: fmt.Sprintf(
			"Endpoint %s already exists in workspace %s; creating it again would replace it.", r.Endpoint, r.Name)}
	case !endpointMissing(err):
		var fe *ForbiddenError
		if !errors.As(Classify(err), &fe) { // without read access the PUT decides
			return nil, Classify(err)
		}
	}
	// The first answer gives the starting state and the Retry-After the
	// Operation honours; the poller itself does the protocol.
	var first *http.Response
	p, err := c.BeginCreateOrUpdate(runtime.WithCaptureResponse(ctx, &first), r.ResourceGroup, r.Name, r.Endpoint, spec.armBody(), nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	return trackPoller(s.cfg.Polling, "create", r, p, first, "Creating", endpointResult(r)), nil
}

// SetAuthMode changes the auth mode of an existing endpoint (a PUT of the
// endpoint as it is, with the new mode).
func (s *Session) SetAuthMode(ctx context.Context, ref EndpointRef, mode string) (*Operation, error) {
	want, ok := armAuthMode(mode)
	if !ok {
		return nil, &SpecError{Field: "auth_mode", Message: fmt.Sprintf("Auth mode %q is not one of key, aml_token, aad_token.", mode)}
	}
	c, err := s.endpointWriter(ref.Subscription)
	if err != nil {
		return nil, err
	}
	cur, err := c.Get(ctx, ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return nil, Classify(err)
	}
	e := cur.OnlineEndpoint
	p := e.Properties
	if p == nil {
		p = &armmachinelearning.OnlineEndpointProperties{}
	}
	switch {
	case strings.EqualFold(derefEnum(p.AuthMode), string(want)):
		return nil, &SpecError{Field: "auth_mode", Message: fmt.Sprintf("Endpoint %s already uses %s.", ref.Endpoint, authModeCLI(&want))}
	case deref(p.Compute) != "" && want == armmachinelearning.EndpointAuthModeAADToken:
		return nil, &SpecError{Field: "auth_mode", Message: fmt.Sprintf("Endpoint %s runs on Kubernetes, where aad_token is not available; use key or aml_token.", ref.Endpoint)}
	}
	body := restatedEndpoint(e)
	body.Properties.AuthMode = to.Ptr(want)
	var first *http.Response
	poller, err := c.BeginCreateOrUpdate(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, body, nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	return trackPoller(s.cfg.Polling, "update", ref, poller, first, "Updating", endpointResult(ref)), nil
}

// restatedEndpoint is the endpoint as a PUT restates it: everything it
// has, except what the service computes (a PUT replaces the resource, so
// anything left out would be lost). Callers change what they change.
func restatedEndpoint(e armmachinelearning.OnlineEndpoint) armmachinelearning.OnlineEndpoint {
	p := e.Properties
	if p == nil {
		p = &armmachinelearning.OnlineEndpointProperties{}
	}
	return armmachinelearning.OnlineEndpoint{Location: e.Location, Kind: e.Kind, Tags: e.Tags, Identity: requestIdentity(e.Identity),
		Properties: &armmachinelearning.OnlineEndpointProperties{AuthMode: p.AuthMode, Description: p.Description, Compute: p.Compute,
			Traffic: p.Traffic, MirrorTraffic: p.MirrorTraffic, Properties: p.Properties, PublicNetworkAccess: p.PublicNetworkAccess}}
}

// requestIdentity is the identity as a request states it: its type and the
// user-assigned ids (their principal and client ids are the service's).
func requestIdentity(id *armmachinelearning.ManagedServiceIdentity) *armmachinelearning.ManagedServiceIdentity {
	if id == nil || id.Type == nil {
		return nil
	}
	out := &armmachinelearning.ManagedServiceIdentity{Type: id.Type}
	if len(id.UserAssignedIdentities) > 0 {
		out.UserAssignedIdentities = map[string]*armmachinelearning.UserAssignedIdentity{}
		for k := range id.UserAssignedIdentities {
			out.UserAssignedIdentities[k] = &armmachinelearning.UserAssignedIdentity{}
		}
	}
	return out
}

// DeleteEndpoint starts the delete.
func (s *Session) DeleteEndpoint(ctx context.Context, ref EndpointRef) (*Operation, error) {
	c, err := s.endpointWriter(ref.Subscription)
	if err != nil {
		return nil, err
	}
	var first *http.Response
	p, err := c.BeginDelete(runtime.WithCaptureResponse(ctx, &first), ref.ResourceGroup, ref.Name, ref.Endpoint, nil)
	if err != nil {
		return nil, classifyWrite(err)
	}
	return trackPoller(s.cfg.Polling, "delete", ref, p, first, "Deleting", nil), nil
}

// UserAssignedIdentities lists the user-assigned identities of a subscription.
func (s *Session) UserAssignedIdentities(ctx context.Context, subscription string) ([]ManagedIdentity, error) {
	if strings.TrimSpace(subscription) == "" {
		return nil, &SpecError{Field: "subscription", Message: "Pick a subscription to list its user-assigned identities."}
	}
	// No Microsoft.ManagedIdentity SDK is in the build: an ARM pipeline
	// (auth, retries) and one pageable GET.
	cl, err := arm.NewClient("amlauth-tui", "v0.1.0", s.cred, s.cfg.ARMOptions())
	if err != nil {
		return nil, err
	}
	next := runtime.JoinPaths(cl.Endpoint(), "/subscriptions/"+url.PathEscape(subscription)+"/providers/Microsoft.ManagedIdentity/userAssignedIdentities") +
		"?api-version=" + msiAPIVersion
	var out []ManagedIdentity
	seen := map[string]bool{}
	for next != "" && !seen[next] { // a nextLink that repeats would loop forever
		seen[next] = true
		req, err := runtime.NewRequest(ctx, http.MethodGet, next)
		if err != nil {
			return nil, err
		}
		resp, err := cl.Pipeline().Do(req)
		if err != nil {
			return nil, Classify(err)
		}
		if !runtime.HasStatusCode(resp, http.StatusOK) {
			return nil, Classify(runtime.NewResponseError(resp))
		}
		var page struct {
			Value []struct {
				ID, Name, Location string
				Properties         struct{ PrincipalID, ClientID string }
			}
			NextLink string
		}
		if err := runtime.UnmarshalAsJSON(resp, &page); err != nil {
			return nil, err
		}
		for _, v := range page.Value {
			out = append(out, ManagedIdentity{ID: v.ID, Name: v.Name, ResourceGroup: resourceGroupOf(v.ID), Location: v.Location,
				PrincipalID: v.Properties.PrincipalID, ClientID: v.Properties.ClientID})
		}
		next = page.NextLink
	}
	slices.SortFunc(out, func(a, b ManagedIdentity) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
