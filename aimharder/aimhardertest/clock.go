package aimhardertest

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"
)

// Clock is where the fake reads the time. Every decision (booking windows,
// session lifetimes, competitors, the Date header) goes through it, so tests
// can drive hours of schedule without waiting (docs/protocol.md §11.3).
type Clock interface {
	Now() time.Time
}

// SystemClock is the real wall clock; the demo and `ahtui sim` use it.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Timer is a one-shot timer from a ManualClock. It is an alias of the
// unnamed interface scheduler.Timer also names, so a ManualClock is a
// scheduler.Clock without this package importing the scheduler.
type Timer = interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; false when it already fired or
	// was stopped.
	Stop() bool
}

// ManualClock is a clock that moves only when told to: the one simulated
// time of a test. Its Now is the fake's Clock; with NewTimer it is also a
// scheduler.Clock, so one ManualClock drives both sides of a test (the
// fake AimHarder and the client, the scheduler, the TUI). It is safe for
// concurrent use, so a test can move it while requests are in flight.
//
// Besides Set and Advance, it can run a simulation by itself (AutoAdvance):
// whenever nothing is in flight (see Hold and Transport) and every goroutine
// that waits on the clock has settled, it jumps to the earliest timer.
// HTTP round trips through Transport then take no simulated time at all,
// and neither does the work a goroutine does after a timer woke it (see
// AutoAdvance).
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer // sorted by deadline, then creation
	seq    uint64
	holds  int
	// unreceived: timers that fired while AutoAdvance ran and whose
	// goroutine has not taken the time from the channel yet (nor stopped
	// the timer): it has not run, so the clock must not move on.
	unreceived []*manualTimer
	// woken: the goroutines that created the timers AutoAdvance fired,
	// not yet seen settled (see AutoAdvance).
	woken   map[uint64]time.Time // when (real time) the timer fired
	changed chan struct{}        // closed and replaced on every change
	steps   uint64               // AutoAdvance's jumps
	// abandoned: woken goroutines still working MaxWokenWork after their
	// timer fired, no longer waited for.
	abandoned uint64
}

// NewManualClock returns a ManualClock showing t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t, changed: make(chan struct{})}
}

type manualTimer struct {
	c        *ManualClock
	deadline time.Time
	seq      uint64
	owner    uint64 // the goroutine that created it
	ch       chan time.Time
}

func (t *manualTimer) C() <-chan time.Time { return t.ch }

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if i := slices.Index(t.c.unreceived, t); i >= 0 {
		// Fired, but its owner gave up on it (its context ended first).
		t.c.unreceived = slices.Delete(t.c.unreceived, i, i+1)
		t.c.signalLocked()
	}
	for i, other := range t.c.timers {
		if other == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			t.c.signalLocked()
			return true
		}
	}
	return false
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires when the clock reaches now+d.
func (c *ManualClock) NewTimer(d time.Duration) Timer {
	owner := goroutineID()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{c: c, deadline: c.now.Add(d), seq: c.seq, owner: owner, ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	sort.SliceStable(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		if !a.deadline.Equal(b.deadline) {
			return a.deadline.Before(b.deadline)
		}
		return a.seq < b.seq
	})
	c.signalLocked()
	return t
}

// Set moves the clock to t (backwards too) and fires the timers due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	c.fireDueLocked()
	c.signalLocked()
}

// Advance moves the clock forward by d, fires the timers due and returns
// the new time.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireDueLocked()
	c.signalLocked()
	return c.now
}

// Steps is how many times AutoAdvance has moved the clock (each costs at
// least the settle time of real time): what a long simulation spends.
func (c *ManualClock) Steps() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.steps
}

// Abandoned is how many goroutines AutoAdvance stopped waiting for
// because they still worked MaxWokenWork after their timer woke them: the
// clock may have moved on while they worked (a simulation no longer
// faithful to the code it runs).
func (c *ManualClock) Abandoned() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.abandoned
}

// Waiters is the number of timers waiting to fire.
func (c *ManualClock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextDeadline returns when the earliest waiting timer fires.
func (c *ManualClock) NextDeadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	return c.timers[0].deadline, true
}

// AdvanceToNext moves the clock to the earliest timer's deadline and fires
// it (and any due with it). It reports false when no timer waits.
func (c *ManualClock) AdvanceToNext() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return c.now, false
	}
	if d := c.timers[0].deadline; d.After(c.now) {
		c.now = d
	}
	c.fireDueLocked()
	c.signalLocked()
	return c.now, true
}

// WaitForWaiters blocks until at least n timers wait, or ctx ends.
func (c *ManualClock) WaitForWaiters(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		enough, changed := len(c.timers) >= n, c.changed
		c.mu.Unlock()
		if enough {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Hold marks work in flight that must not see simulated time pass (an
// HTTP round trip): AutoAdvance waits until every hold is released. The
// returned function releases the hold; calling it again does nothing.
func (c *ManualClock) Hold() (release func()) {
	c.mu.Lock()
	c.holds++
	c.signalLocked()
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.holds--
			c.signalLocked()
			c.mu.Unlock()
		})
	}
}

// Transport wraps rt (http.DefaultTransport when nil) so that every round
// trip holds the clock until its response headers arrive.
func (c *ManualClock) Transport(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return holdingTransport{clock: c, next: rt}
}

type holdingTransport struct {
	clock *ManualClock
	next  http.RoundTripper
}

func (h holdingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	release := h.clock.Hold()
	defer release()
	return h.next.RoundTrip(r)
}

// MaxWokenWork is how long, in real time, AutoAdvance waits at most for a
// goroutine a timer woke to settle.
const MaxWokenWork = 2 * time.Second

// DefaultSettle is how long AutoAdvance waits, in real time, for the
// goroutines a timer woke to settle before it moves the clock again.
const DefaultSettle = 3 * time.Millisecond

// AutoAdvance runs the clock by itself until ctx ends or stop is called:
// whenever no hold is active, every timer it fired has been received (or
// stopped), every goroutine it woke has settled, at least one timer waits
// and nothing has changed for settle (real time; DefaultSettle when <= 0),
// it jumps to the earliest deadline. stop ends the driver and waits for it.
//
// A goroutine woken by a timer works until it waits again, and that work
// must take no simulated time even when it takes many milliseconds of
// real time (a database read on a loaded machine), or the clock would
// jump past the timer it is about to set, making it late by whatever the
// next deadline elsewhere is. So a fired timer keeps the clock still until
// the goroutine that created it (the one that waits on it, as in
// scheduler.Sleep) has settled: it is parked (on the clock's next timer, a
// channel, a lock, the network) or gone, and so is every goroutine it
// started that is still a descendant of it. Running, runnable or
// preempted counts as working; a real-time sleep or a system call counts
// as parked (a test goroutine polling in real time, one waiting for a
// child process, must not stop the simulation). A goroutine still seen
// working MaxWokenWork after its timer fired is no longer waited for (a
// goroutine that never stops: the old behaviour, rather than a stall).
// The driver looks at the goroutines' states (runtime.Stack) only after a
// jump, until they have all settled once. Work that a goroutine woken by
// the clock hands to one it did not start (through a channel or a lock)
// is not seen: it should hold the clock (scheduler.Holder) as the
// database writes before a burst do.
func (c *ManualClock) AutoAdvance(ctx context.Context, settle time.Duration) (stop func()) {
	if settle <= 0 {
		settle = DefaultSettle
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.drive(ctx, settle)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (c *ManualClock) drive(ctx context.Context, settle time.Duration) {
	quiet := time.NewTimer(settle)
	defer quiet.Stop()
	for {
		c.mu.Lock()
		waiting := c.unreceivedLocked()
		ready, changed := c.holds == 0 && len(c.timers) > 0 && !waiting, c.changed
		c.mu.Unlock()
		if !ready {
			// Taking a fired time from its channel signals nothing: while
			// one waits to be taken, look again after settle.
			var poll <-chan time.Time
			if waiting {
				quiet.Reset(settle)
				poll = quiet.C
			}
			select {
			case <-ctx.Done():
				return
			case <-changed:
			case <-poll:
			}
			continue
		}
		quiet.Reset(settle)
		select {
		case <-ctx.Done():
			return
		case <-changed:
			continue
		case <-quiet.C:
		}
		// Neither does settling: while a woken goroutine works, look
		// again after settle.
		if !c.wokenSettled() {
			continue
		}
		c.mu.Lock()
		if c.changed == changed && c.holds == 0 && len(c.timers) > 0 && !c.unreceivedLocked() {
			if d := c.timers[0].deadline; d.After(c.now) {
				c.now = d
			}
			c.steps++
			fired := c.fireDueLocked()
			c.unreceived = append(c.unreceived, fired...)
			for _, t := range fired {
				if c.woken == nil {
					c.woken = map[uint64]time.Time{}
				}
				c.woken[t.owner] = time.Now()
			}
			c.signalLocked()
		}
		c.mu.Unlock()
	}
}

// wokenSettled forgets the woken goroutines that have settled (see
// AutoAdvance) and reports whether none is left.
func (c *ManualClock) wokenSettled() bool {
	c.mu.Lock()
	woken := maps.Clone(c.woken)
	c.mu.Unlock()
	if len(woken) == 0 {
		return true
	}
	busy := busyGoroutines(woken)
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, since := range woken {
		switch {
		case !busy[id]:
			delete(c.woken, id)
		case time.Since(since) > MaxWokenWork:
			c.abandoned++
			delete(c.woken, id)
		}
	}
	return len(c.woken) == 0
}

// unreceivedLocked forgets the fired timers whose time was taken and
// reports whether any is left.
func (c *ManualClock) unreceivedLocked() bool {
	c.unreceived = slices.DeleteFunc(c.unreceived, func(t *manualTimer) bool { return len(t.ch) == 0 })
	return len(c.unreceived) > 0
}

// fireDueLocked delivers every timer whose deadline has come and returns
// them.
func (c *ManualClock) fireDueLocked() []*manualTimer {
	n := 0
	for n < len(c.timers) && !c.timers[n].deadline.After(c.now) {
		t := c.timers[n]
		select {
		case t.ch <- c.now:
		default:
		}
		n++
	}
	fired := slices.Clone(c.timers[:n])
	c.timers = append(c.timers[:0], c.timers[n:]...)
	return fired
}

func (c *ManualClock) signalLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}
