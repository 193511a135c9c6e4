package scheduler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A warp plan is simulated time as a function of real time, shared by
// several processes: the soak's fake AimHarder, its store and the runner
// processes it kills and restarts all read the same plan, so they agree on
// "now" without talking to each other. Simulated time runs at real speed
// around each opening (where milliseconds matter) and leaps elsewhere, so
// days pass in minutes.
//
// The plan is a list of segments. In a segment starting at real offset At
// (from Epoch), simulated time starts at Sim and then either advances Rate
// times faster than real time, or, when Step > 0, stands still and leaps
// Step every Every of real time — like a machine that works in bursts: a
// timer never fires in the middle of a leap, and everything woken by one
// leap has Every of real time to settle before the next.
type warpPlan struct {
	Epoch    time.Time     `json:"epoch"` // wall time at real offset 0
	Segments []warpSegment `json:"segments"`
}

type warpSegment struct {
	At    time.Duration `json:"at"`
	Sim   time.Time     `json:"sim"`
	Rate  int64         `json:"rate,omitempty"`
	Step  time.Duration `json:"step,omitempty"`
	Every time.Duration `json:"every,omitempty"`
}

// simAt is the simulated time at real offset off.
func (p *warpPlan) simAt(off time.Duration) time.Time {
	i := p.segmentAt(off)
	s := p.Segments[i]
	if off < s.At {
		return s.Sim
	}
	if s.Step > 0 {
		return s.Sim.Add(time.Duration((off-s.At)/s.Every) * s.Step)
	}
	return s.Sim.Add((off - s.At) * time.Duration(s.Rate))
}

// realAt is the earliest real offset at which simulated time reaches t.
func (p *warpPlan) realAt(t time.Time) time.Duration {
	for i, s := range p.Segments {
		if !t.After(s.Sim) {
			return s.At
		}
		if i+1 < len(p.Segments) && !t.Before(p.Segments[i+1].Sim) {
			continue
		}
		ahead := t.Sub(s.Sim)
		if s.Step > 0 {
			steps := (ahead + s.Step - 1) / s.Step
			return s.At + time.Duration(steps)*s.Every
		}
		rate := time.Duration(s.Rate)
		return s.At + (ahead+rate-1)/rate
	}
	return p.Segments[len(p.Segments)-1].At // unreachable: the last segment is open-ended
}

// segmentAt is the index of the segment in force at real offset off.
func (p *warpPlan) segmentAt(off time.Duration) int {
	i := 0
	for i+1 < len(p.Segments) && p.Segments[i+1].At <= off {
		i++
	}
	return i
}

func (p *warpPlan) save(path string) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func loadWarpPlan(path string) (*warpPlan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p warpPlan
	return &p, json.Unmarshal(b, &p)
}

// warpBuilder lays segments end to end.
type warpBuilder struct {
	plan warpPlan
	real time.Duration // real offset where the next segment starts
	sim  time.Time     // and its simulated time
}

func newWarpBuilder(start time.Time) *warpBuilder {
	return &warpBuilder{sim: start.UTC()}
}

// run adds d of simulated time passing rate times faster than real time.
func (b *warpBuilder) run(d time.Duration, rate int64) {
	if d <= 0 {
		return
	}
	b.plan.Segments = append(b.plan.Segments, warpSegment{At: b.real, Sim: b.sim, Rate: rate})
	b.real += (d + time.Duration(rate) - 1) / time.Duration(rate)
	b.sim = b.sim.Add(d)
}

// leap adds at least d of simulated time passing in leaps of step, one
// every `every` of real time; it ends on a whole number of leaps.
func (b *warpBuilder) leap(d, step, every time.Duration) {
	if d <= 0 {
		return
	}
	n := (d + step - 1) / step
	b.plan.Segments = append(b.plan.Segments, warpSegment{At: b.real, Sim: b.sim, Step: step, Every: every})
	b.real += time.Duration(n) * every
	b.sim = b.sim.Add(time.Duration(n) * step)
}

// until returns how much simulated time is left before t.
func (b *warpBuilder) until(t time.Time) time.Duration { return t.Sub(b.sim) }

// finish closes the plan with an open-ended real-speed segment and fixes
// its epoch at epoch (wall time, no monotonic reading: other processes
// read it back from a file).
func (b *warpBuilder) finish(epoch time.Time) *warpPlan {
	b.plan.Segments = append(b.plan.Segments, warpSegment{At: b.real, Sim: b.sim, Rate: 1})
	b.plan.Epoch = epoch.Round(0)
	return &b.plan
}

// warpClock is a Clock (and an aimhardertest.Clock) that reads a warp plan.
type warpClock struct{ plan *warpPlan }

func (c warpClock) offset() time.Duration { return time.Since(c.plan.Epoch) }

// Now returns the simulated time.
func (c warpClock) Now() time.Time { return c.plan.simAt(c.offset()) }

// NewTimer fires when simulated time reaches now+d.
func (c warpClock) NewTimer(d time.Duration) Timer {
	t := &warpTimer{ch: make(chan time.Time, 1)}
	deadline := c.Now().Add(d)
	t.arm(c, deadline)
	return t
}

type warpTimer struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
	ch      chan time.Time
}

// arm waits, in real time, for the plan to reach deadline; a wake-up that
// comes a hair early (real timers and the wall clock disagree by
// microseconds) waits again.
func (t *warpTimer) arm(c warpClock, deadline time.Time) {
	wait := c.plan.realAt(deadline) - c.offset()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.t = time.AfterFunc(max(wait, 0), func() {
		if now := c.Now(); now.Before(deadline) {
			t.arm(c, deadline)
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.stopped {
			t.stopped = true
			t.ch <- c.Now()
		}
	})
}

func (t *warpTimer) C() <-chan time.Time { return t.ch }

func (t *warpTimer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	if t.t != nil {
		t.t.Stop()
	}
	return true
}

func TestWarpPlanMapsBothWays(t *testing.T) {
	start := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	b := newWarpBuilder(start)
	b.leap(b.until(start.Add(time.Hour)), 30*time.Second, 10*time.Millisecond) // 120 leaps, 1.2 s real
	b.run(10*time.Second, 10)                                                  // 1 s real
	b.run(5*time.Second, 1)                                                    // 5 s real
	p := b.finish(time.Now())

	cases := []struct {
		real time.Duration
		sim  time.Duration // after start
	}{
		{-time.Second, 0},
		{0, 0},
		{9 * time.Millisecond, 0},
		{10 * time.Millisecond, 30 * time.Second},
		{1199 * time.Millisecond, 3570 * time.Second},
		{1200 * time.Millisecond, time.Hour},
		{1700 * time.Millisecond, time.Hour + 5*time.Second},
		{2200 * time.Millisecond, time.Hour + 10*time.Second},
		{4200 * time.Millisecond, time.Hour + 12*time.Second},
		{10 * time.Second, time.Hour + 17800*time.Millisecond},
	}
	for _, c := range cases {
		if got := p.simAt(c.real); !got.Equal(start.Add(c.sim)) {
			t.Errorf("simAt(%v) = +%v, want +%v", c.real, got.Sub(start), c.sim)
		}
	}
	// realAt is the earliest real offset showing at least the time.
	for _, sim := range []time.Duration{0, time.Second, 30 * time.Second, 31 * time.Second, time.Hour,
		time.Hour + 3*time.Second, time.Hour + 10*time.Second, time.Hour + 13*time.Second, 2 * time.Hour} {
		want := start.Add(sim)
		r := p.realAt(want)
		if got := p.simAt(r); got.Before(want) {
			t.Errorf("realAt(+%v) = %v shows +%v, before the time", sim, r, got.Sub(start))
		}
		if r > 0 {
			if got := p.simAt(r - 1); !got.Before(want) {
				t.Errorf("realAt(+%v) = %v is not the earliest: %v shows +%v", sim, r, r-1, got.Sub(start))
			}
		}
	}
	saved := filepath.Join(t.TempDir(), "plan.json")
	if err := p.save(saved); err != nil {
		t.Fatal(err)
	}
	back, err := loadWarpPlan(saved)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []time.Duration{0, 777 * time.Millisecond, 3 * time.Second, time.Minute} {
		if !back.simAt(off).Equal(p.simAt(off)) {
			t.Errorf("the saved plan disagrees at %v: %v vs %v", off, back.simAt(off), p.simAt(off))
		}
	}
}

func TestWarpTimerFiresAtTheSimulatedDeadline(t *testing.T) {
	t.Parallel()
	b := newWarpBuilder(time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC))
	b.leap(10*time.Minute, 30*time.Second, 5*time.Millisecond) // 100 ms real
	c := warpClock{plan: b.finish(time.Now())}
	startedAt := c.Now()
	timer := c.NewTimer(2 * time.Minute)
	stopped := c.NewTimer(time.Minute)
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop reports the first stop only")
	}
	// The plan runs in real time: on a loaded machine the timer's real
	// wake-up may come leaps late, so only "not early" is exact. That it
	// aims at the first leap reaching the deadline is realAt's
	// (TestWarpPlanMapsBothWays).
	select {
	case at := <-timer.C():
		if at.Before(startedAt.Add(2 * time.Minute)) {
			t.Errorf("fired at +%v, before +2m", at.Sub(startedAt))
		}
		if now := c.Now(); at.After(now) {
			t.Errorf("fired at +%v, later than the plan shows after it fired (+%v)", at.Sub(startedAt), now.Sub(startedAt))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the timer never fired")
	}
	if timer.Stop() {
		t.Error("Stop after firing reports true")
	}
	select {
	case <-stopped.C():
		t.Error("a stopped timer fired")
	case <-time.After(50 * time.Millisecond):
	}
}
