package ui

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"amlauth-tui/azure"
	"amlauth-tui/ui/components"
	"amlauth-tui/ui/nav"
	"amlauth-tui/ui/screens/credentials"
	"amlauth-tui/ui/screens/endpointnew"
	"amlauth-tui/ui/screens/score"
)

// endpointScreen builds the screen an endpoint message asks for; nil for any other message.
func (m *Model) endpointScreen(msg tea.Msg) nav.Screen {
	switch msg := msg.(type) {
	case nav.NewEndpointMsg:
		return endpointnew.New(m.env, msg)
	case nav.ChangeAuthModeMsg:
		return endpointnew.NewAuthMode(m.env, msg)
	case nav.DeleteEndpointMsg:
		return endpointnew.NewDelete(m.env, msg)
	case nav.CredentialsMsg:
		return credentials.New(m.env, msg)
	case nav.ScoreMsg:
		return score.New(m.env, msg)
	}
	return nil // not an endpoint message (the root's case list and this switch name the same ones)
}

// opPollTimeout bounds one poll (a hung connection must not stall the operation forever).
const opPollTimeout = 60 * time.Second

// pollOp waits for the operation's next report.
func pollOp(op *azure.Operation, label string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), opPollTimeout)
		defer cancel()
		return nav.OperationMsg{Op: op, Label: label, Progress: op.Next(ctx)}
	}
}

// onOperation records a report, passes it to every screen, and either polls
// again or ends the operation with a toast (and tells lists to reload).
func (m *Model) onOperation(msg nav.OperationMsg) tea.Cmd {
	cmds := []tea.Cmd{m.broadcast(msg)}
	for i := range m.ops {
		if m.ops[i].op != msg.Op {
			continue
		}
		if !msg.Progress.Done {
			return tea.Batch(append(cmds, pollOp(msg.Op, msg.Label))...)
		}
		m.ops = append(m.ops[:i], m.ops[i+1:]...)
		if m.quitAsked() {
			m.overlay.confirm = m.quitConfirm() // it must not name an operation that has finished
		}
		p := msg.Progress
		if p.Err != nil {
			m.log.Warn("operation failed", "kind", msg.Op.Kind, "endpoint", msg.Op.Target.Endpoint)
			cmds = append(cmds, m.toast(nav.Error, fmt.Sprintf("%s failed after %s: %s", msg.Label, p.Elapsed.Round(time.Second), azure.Explain(p.Err).Title)))
		} else {
			cmds = append(cmds, m.toast(nav.Success, fmt.Sprintf("%s: Succeeded in %s", msg.Label, p.Elapsed.Round(100*time.Millisecond))))
		}
		ref := msg.Op.Target
		cmds = append(cmds, func() tea.Msg { return nav.EndpointsChangedMsg{Endpoint: ref} })
		return tea.Batch(cmds...)
	}
	return tea.Batch(cmds...)
}

// opsIndicator is the header's note of running operations ("⟳ Create churn-v2 · Creating 3s").
func (m *Model) opsIndicator() string {
	if len(m.ops) == 0 {
		return ""
	}
	t := m.ops[0]
	s := fmt.Sprintf("⟳ %s · %s %s", t.label, t.op.State(), m.env.Now().Sub(t.op.Started).Round(time.Second))
	if len(m.ops) > 1 {
		s += fmt.Sprintf(" (+%d)", len(m.ops)-1)
	}
	return m.env.Styles.Warn.Render(components.Clean(s))
}
