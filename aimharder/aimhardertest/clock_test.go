package aimhardertest

import (
	"sync"
	"testing"
	"time"
)

func TestManualClock(t *testing.T) {
	c := NewManualClock(t0)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("Now = %v", got)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Set")
	}
	if d := time.Since(SystemClock{}.Now()); d < 0 || d > time.Hour {
		t.Fatalf("SystemClock is off by %v", d)
	}
}

func TestManualClockTimers(t *testing.T) {
	c := NewManualClock(t0)
	t1 := c.NewTimer(2 * time.Second)
	t2 := c.NewTimer(time.Second)
	t3 := c.NewTimer(3 * time.Second)
	if n := c.Waiters(); n != 3 {
		t.Fatalf("%d waiters", n)
	}
	if !t3.Stop() || t3.Stop() {
		t.Error("Stop should succeed once")
	}
	if next, ok := c.NextDeadline(); !ok || !next.Equal(t0.Add(time.Second)) {
		t.Errorf("next deadline %v", next)
	}
	c.AdvanceToNext()
	select {
	case at := <-t2.C():
		if !at.Equal(t0.Add(time.Second)) {
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

// AutoAdvance runs the simulation by itself but never while a hold (an
// HTTP round trip) is active. However long the hold lasts in real time,
// the clock stays put; once released, it jumps straight to the timer.
func TestAutoAdvanceRespectsHolds(t *testing.T) {
	c := NewManualClock(t0)
	release := c.Hold()
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	timer := c.NewTimer(time.Hour)
	time.Sleep(20 * time.Millisecond) // real time for the driver to (wrongly) move
	if !c.Now().Equal(t0) {
		t.Fatalf("the clock moved during a hold: %v", c.Now())
	}
	release()
	release() // idempotent
	<-timer.C()
	if !c.Now().Equal(t0.Add(time.Hour)) {
		t.Errorf("clock at %v after the timer, want exactly +1h", c.Now())
	}
}

// AutoAdvance does not move on past a timer it fired until that timer's
// goroutine has taken the time (or stopped the timer): until then the
// goroutine has not run, and the clock jumping would make it late.
func TestAutoAdvanceWaitsForFiredTimersToBeReceived(t *testing.T) {
	c := NewManualClock(t0)
	first, later := c.NewTimer(time.Second), c.NewTimer(time.Hour)
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	for deadline := time.Now().Add(30 * time.Second); len(first.C()) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first timer never fired")
		}
	}
	time.Sleep(20 * time.Millisecond) // real time for the driver to (wrongly) move
	if !c.Now().Equal(t0.Add(time.Second)) {
		t.Fatalf("the clock moved on to %v before the fired time was received", c.Now())
	}
	<-first.C()
	<-later.C()
	if !c.Now().Equal(t0.Add(time.Hour)) {
		t.Errorf("clock at %v after the later timer, want exactly +1h", c.Now())
	}

	// A fired timer whose owner stops it instead no longer holds the clock.
	c2 := NewManualClock(t0)
	abandoned, next := c2.NewTimer(time.Second), c2.NewTimer(time.Hour)
	stop2 := c2.AutoAdvance(t.Context(), time.Millisecond)
	defer stop2()
	for deadline := time.Now().Add(30 * time.Second); len(abandoned.C()) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the timer never fired")
		}
	}
	abandoned.Stop()
	<-next.C()
}

// work keeps the calling goroutine busy for d of real time without
// touching the clock: the database read of a loaded machine.
func work(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// A goroutine woken by a timer works (in real time) before it waits again:
// AutoAdvance does not move the clock meanwhile, however long that takes,
// so its next timer is not late. Without this, the clock jumped to the
// later timer after a few milliseconds of the work, and every wake-up but
// the first came an hour late.
func TestAutoAdvanceWaitsForWokenGoroutinesToSettle(t *testing.T) {
	c := NewManualClock(t0)
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	elsewhere := c.NewTimer(time.Hour) // another goroutine's wait
	go func() { <-elsewhere.C() }()
	woke := make(chan time.Time, 5)
	go func() {
		defer close(woke)
		for range 5 {
			timer := c.NewTimer(time.Second)
			<-timer.C()
			work(20 * time.Millisecond)
			woke <- c.Now()
		}
	}()
	i := 0
	for at := range woke {
		i++
		if want := t0.Add(time.Duration(i) * time.Second); !at.Equal(want) {
			t.Errorf("wake-up %d done at +%v, want +%v", i, at.Sub(t0), want.Sub(t0))
		}
	}

	// Work handed to a goroutine the woken one starts counts too (a
	// runner starting a fire).
	c2 := NewManualClock(t0)
	stop2 := c2.AutoAdvance(t.Context(), time.Millisecond)
	defer stop2()
	elsewhere2 := c2.NewTimer(time.Hour)
	go func() { <-elsewhere2.C() }()
	armed := make(chan time.Time, 1)
	go func() {
		<-c2.NewTimer(time.Second).C()
		go func() {
			work(20 * time.Millisecond)
			armed <- c2.Now()
			<-c2.NewTimer(time.Second).C()
		}()
		select {} // parked for good
	}()
	if at := <-armed; !at.Equal(t0.Add(time.Second)) {
		t.Errorf("the started goroutine worked until +%v, want +1s", at.Sub(t0))
	}
}

// A woken goroutine that ends, blocks on something else or sleeps in real
// time has settled: the simulation goes on.
func TestAutoAdvanceGoesOnWhenWokenGoroutinesPark(t *testing.T) {
	c := NewManualClock(t0)
	never := make(chan struct{})
	armed := make(chan struct{})
	for i, then := range []func(){
		func() {},                               // ends
		func() { <-never },                      // blocks for good
		func() { time.Sleep(10 * time.Second) }, // sleeps in real time
	} {
		go func() {
			timer := c.NewTimer(time.Duration(i+1) * time.Second)
			armed <- struct{}{}
			<-timer.C()
			then()
		}()
		<-armed
	}
	last := c.NewTimer(time.Hour)
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	select {
	case <-last.C():
	case <-time.After(5 * time.Second):
		t.Fatalf("the clock stopped at +%v", c.Now().Sub(t0))
	}
}

func TestGoroutineStates(t *testing.T) {
	me := goroutineID()
	if me == 0 {
		t.Fatal("no goroutine id")
	}
	release, started := make(chan struct{}), make(chan uint64)
	go func() {
		started <- goroutineID()
		<-release
	}()
	child := <-started
	defer close(release)
	for range 100 {
		states := goroutineStates()
		g, ok := states[child]
		if !ok {
			t.Fatalf("goroutine %d missing from %v", child, states)
		}
		if g.parent != me {
			t.Fatalf("goroutine %d's parent is %d, want %d", child, g.parent, me)
		}
		if !g.working {
			if !states[me].working {
				t.Error("the caller is not seen working")
			}
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Error("a goroutine blocked on a channel is never seen parked")
}
