package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

var clockBase = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

// The simulated clock the tests drive is a scheduler Clock, and a Holder
// (so a fire keeps it still before its burst); the real clock is not.
var (
	_ Clock  = (*aimhardertest.ManualClock)(nil)
	_ Holder = (*aimhardertest.ManualClock)(nil)
)

// sleepUntil never sleeps past its deadline in one go: when the wall clock
// jumps (a suspend, a clock step), it notices at its next recheck.
func TestSleepUntilNoticesAClockJump(t *testing.T) {
	c := aimhardertest.NewManualClock(clockBase)
	deadline := clockBase.Add(time.Hour)
	done := make(chan error, 1)
	go func() { done <- sleepUntil(t.Context(), c, deadline, 2*time.Second) }()
	if err := c.WaitForWaiters(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if next, _ := c.NextDeadline(); next.After(clockBase.Add(2 * time.Second)) {
		t.Errorf("first nap ends %v after the start, want at most 2s", next.Sub(clockBase))
	}
	// The machine slept through the deadline; its wall clock now reads past it.
	c.Set(deadline.Add(10 * time.Minute))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSleepUntilStopsWithContext(t *testing.T) {
	c := aimhardertest.NewManualClock(clockBase)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- sleepUntil(ctx, c, clockBase.Add(time.Hour), 0) }()
	if err := c.WaitForWaiters(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("sleepUntil returned nil after cancel")
	}
	if c.Waiters() != 0 {
		t.Error("a cancelled sleep left its timer behind")
	}
}

// holdStill holds a clock that can be held, and does nothing on one that
// cannot (the real clock).
func TestHoldStill(t *testing.T) {
	c := aimhardertest.NewManualClock(clockBase)
	release := holdStill(c)
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	timer := c.NewTimer(time.Hour)
	release()
	release() // idempotent
	<-timer.C()
	if !c.Now().Equal(clockBase.Add(time.Hour)) {
		t.Errorf("clock at %v after the timer, want exactly +1h", c.Now())
	}

	var real Clock = RealClock{}
	if _, ok := real.(Holder); ok {
		t.Error("the real clock claims it can be held")
	}
	holdStill(real)() // a no-op, and it does not panic
}

// The real clock, without waiting on it: Sleep gives up when its context
// has ended and returns at once for no wait, and a pending timer stops.
func TestRealClock(t *testing.T) {
	var c Clock = RealClock{}
	if err := Sleep(t.Context(), c, 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	ended, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Sleep(ended, c, time.Hour); err == nil {
		t.Error("Sleep on an ended context returned nil")
	}
	if err := sleepUntil(ended, c, c.Now().Add(time.Hour), 0); err == nil {
		t.Error("sleepUntil on an ended context returned nil")
	}
	tm := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Error("stopping a pending real timer should report true")
	}
	if tm.Stop() {
		t.Error("stopping a stopped real timer should report false")
	}
}
