package browse

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/nav"
)

// Issue 17 on endpoint details: the deployment keys open the deployment
// screens with the endpoint and its deployments, and an operation on a
// deployment (its delete) is not the endpoint's.
func TestDetailsDeploymentKeysAndOperations(t *testing.T) {
	d := details()
	d.Update(nav.SizeMsg{Width: 120, Height: 37})
	for k, want := range map[string]string{"n": "NewDeploymentMsg", "T": "TrafficMsg", "l": "DeploymentLogsMsg", "i": "CanRunMsg"} {
		_, cmd := d.Update(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
		if cmd == nil {
			t.Fatalf("%s does nothing", k)
		}
		var deps []azure.Deployment
		switch m := cmd().(type) {
		case nav.NewDeploymentMsg:
			deps = m.Deployments
		case nav.TrafficMsg:
			deps = m.Deployments
		case nav.DeploymentLogsMsg:
			deps = m.Deployments
		case nav.CanRunMsg:
			deps = d.deps
		default:
			t.Fatalf("%s sends %T, want %s", k, m, want)
		}
		if len(deps) != 2 {
			t.Fatalf("%s: the deployments travel with it: %v", k, deps)
		}
	}
	op := &azure.Operation{Kind: "delete", Target: d.ref, Deployment: "green"}
	d.Update(nav.OperationMsg{Op: op, Progress: azure.Progress{Done: true, State: "Succeeded"}})
	if d.deleted || strings.Contains(plain(d.View(120, 37)), "This endpoint was deleted") {
		t.Fatal("deleting a deployment is not deleting the endpoint")
	}
}
