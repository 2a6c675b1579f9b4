package deploy

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
)

func (w *Wizard) Init() tea.Cmd {
	if w.az == nil {
		w.hint = "Sign in first."
		return nil
	}
	if w.redeploy != nil { // it opens on the preflight of the deployment as it is
		return tea.Batch(w.loadModels(), w.loadEnvs(), w.loadDeployments(), w.check())
	}
	return tea.Batch(w.name.Focus(), w.loadModels(), w.loadEnvs(), w.loadDeployments())
}

func (w *Wizard) loadModels() tea.Cmd {
	w.modelsErr, w.models.Loading = nil, true
	az, ws := w.az, w.ep.WorkspaceRef
	return nav.Go(&w.Kit, &w.modelsCall, timeout, func(ctx context.Context) ([]azure.ModelVersion, error) { return az.Models(ctx, ws) })
}

func (w *Wizard) loadEnvs() tea.Cmd {
	w.envsErr, w.envs.Loading = nil, true
	az, ws := w.az, w.ep.WorkspaceRef
	return nav.Go(&w.Kit, &w.envsCall, timeout, func(ctx context.Context) ([]azure.EnvironmentVersion, error) {
		return az.Environments(ctx, ws)
	})
}

// deployments is the endpoint's deployments as read now (uniqueness, a
// deployment still in progress); its own type so that its Result is told apart.
type deployments []azure.Deployment

func (w *Wizard) loadDeployments() tea.Cmd {
	az, ref := w.az, w.ep.EndpointRef
	return nav.Go(&w.Kit, &w.depsCall, timeout, func(ctx context.Context) (deployments, error) { return az.Deployments(ctx, ref) })
}

// check runs the preflight: the endpoint identity, for this deployment.
func (w *Wizard) check() tea.Cmd {
	sp, az := w.spec(), w.az
	w.pre.spec, w.pre.err = checked(sp), nil
	return nav.Go(&w.Kit, &w.pre.call, timeout, func(ctx context.Context) (azure.RunCheck, error) { return az.Preflight(ctx, sp) })
}

// start sends the PUT (an update when it is the failed deployment put
// again); the answer is the running operation or Azure's refusal.
func (w *Wizard) start() tea.Cmd {
	w.startErr, w.hint = nil, ""
	sp, az, put := w.spec(), w.az, w.az.CreateDeployment
	if w.updating() {
		put = az.UpdateDeployment
	}
	return nav.Go(&w.Kit, &w.startCall, timeout, func(ctx context.Context) (*azure.Operation, error) { return put(ctx, sp) })
}

// readLogs reads the failed deployment's logs: the storage initializer
// (model download) and the inference server (image, container start).
func (w *Wizard) readLogs() tea.Cmd {
	az, ref := w.az, w.spec().Ref
	return nav.Go(&w.Kit, &w.logs.call, timeout, func(ctx context.Context) (logText, error) {
		var out string
		for _, c := range containers {
			t, err := az.DeploymentLogs(ctx, ref, c.Type, 40)
			if err != nil {
				return "", err
			}
			out += "── " + c.Name + " ──\n" + t + "\n"
		}
		return logText(out), nil
	})
}

// logText is a deployment's logs (its own type for its Result).
type logText string
