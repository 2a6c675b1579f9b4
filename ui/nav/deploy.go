package nav

import (
	"amlauth-tui/azure"
	"amlauth-tui/azure/rbac"
	"amlauth-tui/ui/theme"
)

// Deployment screens (issue 17). The root builds each screen from its
// message (ui/screens/deploy.Open), so endpoint details open them without
// importing the package.
type (
	// NewDeploymentMsg opens the deployment wizard of an endpoint.
	// Deployments are the ones it has now (the name must be new; a second
	// deployment is refused while one is still provisioning).
	NewDeploymentMsg struct {
		Endpoint    azure.Endpoint
		Deployments []azure.Deployment
	}
	// TrafficMsg opens the traffic editor (live split and mirror) of an
	// endpoint. Focus preselects a deployment ("" for the first), e.g. the
	// one the wizard just created.
	TrafficMsg struct {
		Endpoint    azure.Endpoint
		Deployments []azure.Deployment
		Focus       string
	}
	// DeploymentLogsMsg opens the logs of a deployment (Deployment "" picks
	// the first of Deployments).
	DeploymentLogsMsg struct {
		Endpoint    azure.Endpoint
		Deployments []azure.Deployment
		Deployment  string
	}
	// CanRunMsg opens "Can this endpoint run?": the endpoint identity's
	// needs (pull images, read models, write metrics, read secrets) checked.
	CanRunMsg struct{ Endpoint azure.Endpoint }
)

// NeedVerdict is how a need of the endpoint identity reads in one word
// with its mark (✓ allowed, ✗ not granted, ? unknown...), in the theme:
// the deployment screens and the create wizard's identity step say it alike.
func NeedVerdict(st *theme.Styles, n azure.Need) string {
	switch {
	case !n.Needed:
		return st.Muted.Render("– not needed")
	case n.Outcome == rbac.Allowed && n.Recent:
		return st.Warn.Render("✓ allowed, just assigned")
	case n.Outcome == rbac.Allowed:
		return st.OK.Render("✓ allowed")
	case n.Outcome == rbac.Unknown:
		return st.Warn.Render("? unknown")
	case n.Outcome == rbac.DeniedByDenyAssignment:
		return st.Err.Render("✗ denied")
	case n.Outcome == rbac.Pending, n.Outcome == rbac.Conditional, n.Outcome == rbac.Revoking:
		return st.Warn.Render("… " + n.Outcome.String())
	}
	return st.Err.Render("✗ not granted")
}
