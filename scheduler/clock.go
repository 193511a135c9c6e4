package scheduler

import (
	"context"
	"time"
)

// Clock is where the scheduler reads the time and waits. Every decision
// that depends on time goes through it, so tests drive days of schedule in
// milliseconds with a simulated clock (aimhardertest.ManualClock, which
// the fake AimHarder reads too, so one clock drives both sides of a test).
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that delivers the time on its channel once,
	// after d.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer from a Clock. It is an alias of an unnamed
// interface so that a clock defined elsewhere (aimhardertest.ManualClock)
// can return one without importing this package.
type Timer = interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; false when it already fired or
	// was stopped.
	Stop() bool
}

// Holder is a Clock that may be kept from moving: a simulated one that
// runs by itself, jumping to its next timer whenever everything waiting on
// it looks idle (aimhardertest.ManualClock with AutoAdvance). Work that
// must take no time on the clock — the database reads and writes just
// before a burst — holds it. The real clock does not implement Holder:
// it cannot be held, and need not be.
type Holder interface {
	// Hold keeps the clock still until release is called; calling release
	// again does nothing.
	Hold() (release func())
}

// holdStill holds c while the caller works, when c is a Holder; on any
// other clock the release does nothing. The returned release may be
// called more than once.
func holdStill(c Clock) (release func()) {
	if h, ok := c.(Holder); ok {
		return h.Hold()
	}
	return func() {}
}

// FuncClock is a Clock that reads the time from a function (time.Now
// shifted, or a command's injected now) and waits on real timers.
type FuncClock func() time.Time

// Now returns f().
func (f FuncClock) Now() time.Time { return f() }

// NewTimer returns a real timer.
func (FuncClock) NewTimer(d time.Duration) Timer { return RealClock{}.NewTimer(d) }

// RealClock is the system clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (RealClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }

// Sleep waits for d on c, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C():
		return nil
	}
}

// DefaultRecheck is the longest single wait of sleepUntil.
const DefaultRecheck = 2 * time.Second

// sleepUntil waits until c shows at least deadline, or until ctx ends.
//
// It never sleeps longer than recheck at a time (DefaultRecheck when
// recheck <= 0) and reads the wall clock again after each nap. Go timers
// run on the monotonic clock, which stops during a system suspend and
// ignores wall-clock steps: one long sleep could wake well past deadline.
func sleepUntil(ctx context.Context, c Clock, deadline time.Time, recheck time.Duration) error {
	if recheck <= 0 {
		recheck = DefaultRecheck
	}
	for {
		// Round(0) drops any monotonic reading, so the comparison is in wall
		// time, the time AimHarder's windows are stated in.
		left := deadline.Round(0).Sub(c.Now().Round(0))
		if left <= 0 {
			return ctx.Err()
		}
		if err := Sleep(ctx, c, min(left, recheck)); err != nil {
			return err
		}
	}
}
