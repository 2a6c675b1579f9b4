package deploy

import (
	"context"

	"amlauth-tui/azure"
)

// Azure is what the deployment screens need from azure; a *azure.Session
// has it, and screen tests give a fake.
type Azure interface {
	Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error)
	Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error)
	Models(ctx context.Context, ws azure.WorkspaceRef) ([]azure.ModelVersion, error)
	Environments(ctx context.Context, ws azure.WorkspaceRef) ([]azure.EnvironmentVersion, error)
	CreateDeployment(ctx context.Context, spec azure.DeploymentSpec) (*azure.Operation, error)
	// UpdateDeployment puts an existing deployment again (a redeploy).
	UpdateDeployment(ctx context.Context, spec azure.DeploymentSpec) (*azure.Operation, error)
	DeleteDeployment(ctx context.Context, ref azure.DeploymentRef) (*azure.Operation, error)
	SetTraffic(ctx context.Context, ref azure.EndpointRef, traffic, mirror map[string]int32) (*azure.Operation, error)
	DeploymentLogs(ctx context.Context, ref azure.DeploymentRef, container string, lines int) (string, error)
	// CanRun checks the endpoint identity's needs for the endpoint's deployments.
	CanRun(ctx context.Context, ref azure.EndpointRef, assets *azure.Assets) (azure.RunCheck, error)
	// Preflight checks them for one deployment before it is created.
	Preflight(ctx context.Context, spec azure.DeploymentSpec) (azure.RunCheck, error)
}

// session proves that a *azure.Session is the screens' Azure.
var _ Azure = (*azure.Session)(nil)
