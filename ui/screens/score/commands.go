package score

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
)

func (s *Screen) loadDeployments() tea.Cmd {
	az, ref := s.api(), s.ep.EndpointRef
	if az == nil {
		return nil
	}
	return nav.Go(&s.Kit, &s.depsCall, credTimeout, func(ctx context.Context) ([]azure.Deployment, error) {
		return az.Deployments(ctx, ref)
	})
}

// Init reads the deployments (for the target) and gets the credential.
func (s *Screen) Init() tea.Cmd {
	cmds := []tea.Cmd{s.loadDeployments()}
	if s.cred.value == "" {
		cmds = append(cmds, s.fetchCred(s.cred.choice))
	}
	return tea.Batch(cmds...)
}
