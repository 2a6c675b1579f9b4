package deploy

import (
	"context"

	"amlauth-tui/azure"
)

// Azure is what the deployment screens need from azure; a *azure.Session
// has it (session.go), and screen tests give a fake.
type Azure interface {
	Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error)
	Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error)
	Models(ctx context.Context, ws azure.WorkspaceRef) ([]ModelVersion, error)
	Environments(ctx context.Context, ws azure.WorkspaceRef) ([]EnvironmentVersion, error)
	CreateDeployment(ctx context.Context, spec Spec) (*azure.Operation, error)
	DeleteDeployment(ctx context.Context, ref azure.EndpointRef, name string) (*azure.Operation, error)
	SetTraffic(ctx context.Context, ref azure.EndpointRef, traffic, mirror map[string]int32) (*azure.Operation, error)
	Logs(ctx context.Context, ref azure.EndpointRef, deployment, container string, tail int) (string, error)
	// CanRun checks the endpoint identity's needs; with a deployment spec,
	// only what that deployment needs (its image and its model).
	CanRun(ctx context.Context, ep azure.Endpoint, spec *Spec) (Report, error)
}
