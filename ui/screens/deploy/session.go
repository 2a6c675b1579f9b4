package deploy

import (
	"context"
	"errors"

	"amlauth-tui/azure"
)

// session is a *azure.Session as the screens' Azure.
type session struct{ s *azure.Session }

// errNotYet: the azure API of deployments is not merged yet (placeholder).
var errNotYet = errors.New("not available in this build")

func (x session) Endpoint(ctx context.Context, ref azure.EndpointRef) (azure.Endpoint, error) {
	return x.s.Endpoint(ctx, ref)
}

func (x session) Deployments(ctx context.Context, ref azure.EndpointRef) ([]azure.Deployment, error) {
	return x.s.Deployments(ctx, ref)
}

func (x session) Models(ctx context.Context, ws azure.WorkspaceRef) ([]ModelVersion, error) {
	return nil, errNotYet
}

func (x session) Environments(ctx context.Context, ws azure.WorkspaceRef) ([]EnvironmentVersion, error) {
	return nil, errNotYet
}

func (x session) CreateDeployment(ctx context.Context, spec Spec) (*azure.Operation, error) {
	return nil, errNotYet
}

func (x session) DeleteDeployment(ctx context.Context, ref azure.EndpointRef, name string) (*azure.Operation, error) {
	return nil, errNotYet
}

func (x session) SetTraffic(ctx context.Context, ref azure.EndpointRef, traffic, mirror map[string]int32) (*azure.Operation, error) {
	return nil, errNotYet
}

func (x session) Logs(ctx context.Context, ref azure.EndpointRef, deployment, container string, tail int) (string, error) {
	return "", errNotYet
}

func (x session) CanRun(ctx context.Context, ep azure.Endpoint, spec *Spec) (Report, error) {
	return Report{}, errNotYet
}
