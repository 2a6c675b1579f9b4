package deploy

import (
	"errors"
	"fmt"

	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
)

// Placeholders for the azure API of deployments (branch deployclient):
// replaced by azure's own types when it lands.

// ModelVersion is a model version in the workspace.
type ModelVersion struct {
	Name, Version, ID string
}

// EnvironmentVersion is an environment version: a curated image (public
// registry) or a custom one (the workspace registry).
type EnvironmentVersion struct {
	Name, Version, ID, Image string
	Curated                  bool
}

// Spec is a deployment to create.
type Spec struct {
	Ref           azure.EndpointRef
	Name          string
	Model         string // asset id
	Environment   string // asset id
	InstanceType  string
	InstanceCount int32
}

// Report is "can this endpoint run?".
type Report struct {
	Identity azure.PrincipalRef
	Type     string // SystemAssigned | UserAssigned
	Needs    []Need
}

// Need is one thing the endpoint identity must be allowed to do.
type Need struct {
	Op      rbac.Operation
	Scope   string
	Verdict azure.Verdict
	Skip    string // why it is not needed here ("" when it is)
	Role    string // the usual fix
	Data    bool   // Op.Action is a DataAction
	Err     error
}

// validateName is Azure's rule for deployment names (placeholder until azure has it).
func validateName(n string) error {
	ok := len(n) >= 3 && len(n) <= 32 && (n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') && n[len(n)-1] != '-'
	for _, r := range n {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
	}
	if !ok {
		return errors.New("a deployment name is 3 to 32 letters, digits and hyphens, begins with a letter and does not end with a hyphen")
	}
	return nil
}

// YAML is deployment.yml (placeholder until azure has it).
func (sp Spec) YAML() string {
	return fmt.Sprintf("$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: %s\nendpoint_name: %s\nmodel: %s\nenvironment: %s\ninstance_type: %s\ninstance_count: %d\n",
		sp.Name, sp.Ref.Endpoint, sp.Model, sp.Environment, sp.InstanceType, sp.InstanceCount)
}

// AzCommand is the az command (placeholder until azure has it).
func (sp Spec) AzCommand() string {
	r := sp.Ref
	return fmt.Sprintf("az ml online-deployment create --file deployment.yml --endpoint-name %s --resource-group %s --workspace-name %s --subscription %s",
		r.Endpoint, r.ResourceGroup, r.Name, r.Subscription)
}

// REST is the ARM request (placeholder until azure has it).
func (sp Spec) REST() (method, path, body string) {
	return "PUT", "/subscriptions/" + sp.Ref.Subscription + "/deployments/" + sp.Name, "{}"
}
