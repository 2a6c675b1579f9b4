package nav

import (
	"context"
	"errors"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// run executes a Go command and returns its Result (skipping the spinner tick).
func run[T any](t *testing.T, cmd tea.Cmd) Result[T] {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c == nil {
				continue
			}
			if r, ok := c().(Result[T]); ok {
				return r
			}
		}
		t.Fatalf("no Result in %#v", b)
	}
	r, ok := msg.(Result[T])
	if !ok {
		t.Fatalf("got %T, want a Result", msg)
	}
	return r
}

func TestKitStaleResultDropped(t *testing.T) {
	k := NewKit(&Env{})
	var load Call
	first := Go(&k, &load, 0, func(context.Context) (int, error) { return 1, nil })
	second := Go(&k, &load, 0, func(context.Context) (int, error) { return 2, nil })
	r2 := run[int](t, second)
	r1 := run[int](t, first)
	if k.Done(&load, r1) {
		t.Fatal("the superseded call's result was accepted")
	}
	if !k.Busy() || !load.Busy() {
		t.Fatal("not busy while the latest call is out")
	}
	if !k.Done(&load, r2) || r2.Value != 2 {
		t.Fatalf("latest result not accepted: %+v", r2)
	}
	if k.Busy() || load.Busy() {
		t.Fatal("still busy after the answer")
	}
	if k.Done(&load, r2) {
		t.Fatal("the same result was accepted twice")
	}
}

func TestKitSupersededCallIsCancelled(t *testing.T) {
	k := NewKit(&Env{})
	var load Call
	first := Go(&k, &load, 0, func(ctx context.Context) (error, error) { return ctx.Err(), nil })
	Go(&k, &load, 0, func(context.Context) (int, error) { return 0, nil })
	if r := run[error](t, first); !errors.Is(r.Value, context.Canceled) {
		t.Fatalf("superseded call's context not cancelled: %v", r.Value)
	}
}

func TestKitCloseCancelsRequests(t *testing.T) {
	k := NewKit(&Env{})
	var a, b Call
	ca := Go(&k, &a, 0, func(ctx context.Context) (error, error) { return ctx.Err(), nil })
	cb := Go(&k, &b, 0, func(ctx context.Context) (error, error) { return ctx.Err(), nil })
	k.Close()
	for _, c := range []tea.Cmd{ca, cb} {
		r := run[error](t, c)
		if !errors.Is(r.Value, context.Canceled) {
			t.Fatalf("request not cancelled by Close: %v", r.Value)
		}
		if k.Done(&a, r) || k.Done(&b, r) {
			t.Fatal("a result was accepted after Close")
		}
	}
	if k.Busy() {
		t.Fatal("busy after Close")
	}
	if Go(&k, &a, 0, func(context.Context) (int, error) { return 0, nil }) != nil {
		t.Fatal("a closed screen started a request")
	}
}

func TestKitTwoCallsOfOneTypeAreTold(t *testing.T) {
	k := NewKit(&Env{})
	var a, b Call
	ra := run[string](t, Go(&k, &a, 0, func(context.Context) (string, error) { return "a", nil }))
	rb := run[string](t, Go(&k, &b, 0, func(context.Context) (string, error) { return "b", nil }))
	if k.Done(&a, rb) || k.Done(&b, ra) {
		t.Fatal("a result was accepted by the other call")
	}
	if !k.Done(&a, ra) || !k.Done(&b, rb) {
		t.Fatal("results not accepted by their calls")
	}
}

func TestKitSpinnerOnlyWhileBusy(t *testing.T) {
	k := NewKit(&Env{})
	var load Call
	cmd := Go(&k, &load, 0, func(context.Context) (int, error) { return 1, nil })
	var tick spinner.TickMsg
	for _, c := range cmd().(tea.BatchMsg) {
		if m, ok := c().(spinner.TickMsg); ok {
			tick = m
		}
	}
	if tick.ID != k.spin.ID() {
		t.Fatal("Go did not start the spinner")
	}
	if k.StartSpinner() != nil {
		t.Fatal("a second tick chain was armed")
	}
	if next, ok := k.Spin(tick, false); !ok || next == nil {
		t.Fatal("spinner stopped while busy")
	}
	if _, ok := k.Spin(spinner.TickMsg{ID: tick.ID + 1}, true); ok {
		t.Fatal("another spinner's tick was taken")
	}
	k.Done(&load, Result[int]{Seq: load.seq})
	if next, ok := k.Spin(k.spin.Tick().(spinner.TickMsg), false); !ok || next != nil {
		t.Fatal("spinner kept ticking when idle")
	}
	if k.StartSpinner() == nil {
		t.Fatal("spinner could not restart")
	}
	if next, _ := k.Spin(k.spin.Tick().(spinner.TickMsg), true); next == nil {
		t.Fatal("spinner stopped although the screen said it waits")
	}
}

func TestKitConfirmIsAddressed(t *testing.T) {
	env := &Env{}
	a, b := NewKit(env), NewKit(env)
	ca := a.Confirm("Remove?", "", "Remove", "yes")().(ConfirmMsg)
	cb := b.Confirm("Remove?", "", "Remove", "yes")().(ConfirmMsg)
	if ca.To == 0 || ca.To != a.ScreenID() || cb.To == ca.To {
		t.Fatalf("confirm not addressed to its screen: %d %d", ca.To, cb.To)
	}
}
