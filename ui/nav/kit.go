package nav

import (
	"context"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// Kit is the one way a screen does its chores. Every screen embeds one
// (built by NewKit in its constructor) and so gets:
//   - an identity, so that a confirm reply reaches only the screen that asked;
//   - Toast, Error and Confirm;
//   - requests (Go): a sequence number, a context scoped to the screen
//     (cancelled by Close), spinner gating and a tagged Result per call;
//   - a default Close, which the root calls on every screen it drops.
type Kit struct {
	env    *Env
	id     uint64
	ctx    context.Context
	cancel context.CancelFunc

	w, h     int // the content area, from the last SizeMsg
	spin     spinner.Model
	ticking  bool                // a spinner tick chain is armed
	inflight map[uint64]struct{} // seqs of requests whose results are still wanted
}

// NewKit gives a screen its identity and context.
func NewKit(env *Env) Kit {
	ctx, cancel := context.WithCancel(context.Background())
	return Kit{env: env, id: env.NextSeq(), ctx: ctx, cancel: cancel,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)), inflight: map[uint64]struct{}{}}
}

// ScreenID identifies the screen for addressed messages (confirm replies).
func (k *Kit) ScreenID() uint64 { return k.id }

// Context is the screen's context: it ends when the screen is dropped.
func (k *Kit) Context() context.Context { return k.ctx }

// Close cancels every request the screen still has out. Screens that hold
// more (secrets) override Close and call Kit.Close from theirs.
func (k *Kit) Close() {
	if k.cancel != nil {
		k.cancel()
	}
	clear(k.inflight)
}

// Closed reports that the screen was dropped.
func (k *Kit) Closed() bool { return k.ctx == nil || k.ctx.Err() != nil }

// Resized records a SizeMsg; ok=false when msg is not one.
func (k *Kit) Resized(msg tea.Msg) bool {
	s, ok := msg.(SizeMsg)
	if ok {
		k.w, k.h = s.Width, s.Height
	}
	return ok
}

// Size is the content area the screen was last given (0, 0 before any).
func (k *Kit) Size() (w, h int) { return k.w, k.h }

// Toast shows a short notice.
func (k *Kit) Toast(l Level, text string) tea.Cmd { return Cmd(ToastMsg{Level: l, Text: text}) }

// Error opens the error-detail overlay.
func (k *Kit) Error(title string, err error) tea.Cmd { return Cmd(ErrorMsg{Title: title, Err: err}) }

// Confirm asks; when the user accepts, the root delivers onYes to this
// screen only (not to others on the stack, and not at all if it was dropped).
func (k *Kit) Confirm(title, body, yes string, onYes tea.Msg) tea.Cmd {
	return Cmd(ConfirmMsg{Title: title, Body: body, Yes: yes, OnYes: onYes, To: k.id})
}

// Call is one kind of request a screen makes (load the list, send, delete).
// A new call of the same kind supersedes the one in flight: its context is
// cancelled and its result dropped.
type Call struct {
	seq    uint64
	cancel context.CancelFunc
}

// Busy reports that the latest call of this kind has not answered yet.
func (c *Call) Busy() bool { return c.cancel != nil }

// Result is the tagged message of a request: Seq says which call it answers.
type Result[T any] struct {
	Seq   uint64
	Value T
	Err   error
}

func (r Result[T]) seq() uint64 { return r.Seq }

// Tagged is any Result.
type Tagged interface{ seq() uint64 }

// Go runs fn off the event loop for call c, with the screen's context
// bounded by timeout (0: no bound), and starts the spinner. The answer
// comes back as Result[T]; give it to Done.
func Go[T any](k *Kit, c *Call, timeout time.Duration, fn func(ctx context.Context) (T, error)) tea.Cmd {
	k.drop(c)
	if k.Closed() {
		return nil
	}
	c.seq = k.env.NextSeq()
	ctx, cancel := context.WithCancel(k.ctx)
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(k.ctx, timeout)
	}
	c.cancel = cancel
	k.inflight[c.seq] = struct{}{}
	seq := c.seq
	return tea.Batch(k.StartSpinner(), func() tea.Msg {
		defer cancel()
		v, err := fn(ctx)
		return Result[T]{Seq: seq, Value: v, Err: err}
	})
}

// Done accepts r if it answers c's latest call (and the screen is still
// open); false means drop it: it is stale or another call's.
func (k *Kit) Done(c *Call, r Tagged) bool {
	if c.cancel == nil || r.seq() != c.seq || k.Closed() {
		return false
	}
	k.drop(c)
	return true
}

// Cancel abandons c's call in flight (its result will be dropped).
func (k *Kit) Cancel(c *Call) { k.drop(c) }

func (k *Kit) drop(c *Call) {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	delete(k.inflight, c.seq)
}

// Busy reports that any request of the screen is out.
func (k *Kit) Busy() bool { return len(k.inflight) > 0 }

// StartSpinner arms the spinner unless it already ticks. Screens call it
// themselves only for waits that are not requests (a tracked operation).
func (k *Kit) StartSpinner() tea.Cmd {
	if k.ticking {
		return nil
	}
	k.ticking = true
	return k.spin.Tick
}

// Spin handles the screen's spinner ticks: it keeps ticking only while
// the screen is busy (a request out, or more when the screen says so) and
// then stops. ok=false: msg is not this spinner's tick.
func (k *Kit) Spin(msg tea.Msg, more bool) (cmd tea.Cmd, ok bool) {
	t, isTick := msg.(spinner.TickMsg)
	if !isTick || t.ID != k.spin.ID() {
		return nil, false
	}
	if !k.Busy() && !more || k.Closed() {
		k.ticking = false
		return nil, true
	}
	k.spin, cmd = k.spin.Update(t)
	return cmd, true
}

// Spinner draws the spinner frame in the current theme's accent.
func (k *Kit) Spinner() string {
	if k.env != nil && k.env.Styles != nil {
		return k.env.Styles.Accent.Render(k.spin.View())
	}
	return k.spin.View()
}
