package scheduler

import (
	"context"
	"testing"
	"time"
)

var clockBase = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

func TestManualClockTimers(t *testing.T) {
	c := NewManualClock(clockBase)
	t1 := c.NewTimer(2 * time.Second)
	t2 := c.NewTimer(time.Second)
	t3 := c.NewTimer(3 * time.Second)
	if n := c.Waiters(); n != 3 {
		t.Fatalf("%d waiters", n)
	}
	if !t3.Stop() || t3.Stop() {
		t.Error("Stop should succeed once")
	}
	if next, ok := c.NextDeadline(); !ok || !next.Equal(clockBase.Add(time.Second)) {
		t.Errorf("next deadline %v", next)
	}
	c.AdvanceToNext()
	select {
	case at := <-t2.C():
		if !at.Equal(clockBase.Add(time.Second)) {
			t.Errorf("fired at %v", at)
		}
	default:
		t.Fatal("the earliest timer did not fire")
	}
	select {
	case <-t1.C():
		t.Fatal("a later timer fired early")
	default:
	}
	c.Advance(time.Hour)
	<-t1.C()
	if c.Waiters() != 0 {
		t.Errorf("%d waiters left", c.Waiters())
	}
	if c0 := c.NewTimer(0); len(c0.C()) != 1 {
		t.Error("a zero timer fires at once")
	}
}

// SleepUntil never sleeps past its deadline in one go: when the wall clock
// jumps (a suspend, a clock step), it notices at its next recheck.
func TestSleepUntilNoticesAClockJump(t *testing.T) {
	c := NewManualClock(clockBase)
	deadline := clockBase.Add(time.Hour)
	done := make(chan error, 1)
	go func() { done <- SleepUntil(t.Context(), c, deadline, 2*time.Second) }()
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
	c := NewManualClock(clockBase)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- SleepUntil(ctx, c, clockBase.Add(time.Hour), 0) }()
	if err := c.WaitForWaiters(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("SleepUntil returned nil after cancel")
	}
	if c.Waiters() != 0 {
		t.Error("a cancelled sleep left its timer behind")
	}
}

// AutoAdvance runs the simulation by itself but never while a hold (an
// HTTP round trip) is active.
func TestAutoAdvanceRespectsHolds(t *testing.T) {
	c := NewManualClock(clockBase)
	release := c.Hold()
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	done := make(chan struct{})
	go func() {
		_ = Sleep(t.Context(), c, time.Hour)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	if !c.Now().Equal(clockBase) {
		t.Fatalf("the clock moved during a hold: %v", c.Now())
	}
	release()
	release() // idempotent
	<-done
	if !c.Now().Equal(clockBase.Add(time.Hour)) {
		t.Errorf("clock at %v after the sleep, want exactly +1h", c.Now())
	}
}

func TestRealClock(t *testing.T) {
	var c Clock = RealClock{}
	start := time.Now()
	if err := Sleep(t.Context(), c, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if c.Now().Before(start) {
		t.Error("real clock went backwards")
	}
	tm := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Error("stopping a pending real timer should report true")
	}
}
