package emulator

import (
	"context"
	"sync/atomic"
	"time"
)

// SkipClock is the real clock, moved forward whenever a client waits on it
// (azure.Config.Polling.Wait): give Now to Options.Now and the simulated
// Azure sees an operation's polling interval pass while nothing waits.
// Tests use it; so could a demo that wants operations to finish at once.
type SkipClock struct{ skipped atomic.Int64 }

// Now is the real time plus every interval waited so far.
func (c *SkipClock) Now() time.Time { return time.Now().Add(time.Duration(c.skipped.Load())) }

// Wait moves the clock d forward at once; it reports a context that has ended.
func (c *SkipClock) Wait(ctx context.Context, d time.Duration) error {
	c.skipped.Add(int64(d))
	return ctx.Err()
}
