package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// aimOffsets, for a given error of the median arrival (unsure) and width
// of each request's own arrival: n sorted offsets, the chance the model
// gives of no attempt landing within lateGoal after the opening, and
// where the attempts go.
func TestAimOffsets(t *testing.T) {
	ms := time.Millisecond
	full := func(early, late, width time.Duration) func(*testing.T, []time.Duration) {
		// Every attempt keeps its best chance whatever the error: its
		// arrivals cover the whole goal for every median in −early…+late.
		return func(t *testing.T, offs []time.Duration) {
			for _, x := range offs {
				if x-early < lateGoal-width/2 || x+late > width/2 {
					t.Errorf("offset %v loses chances for a median %v early or %v late", x, early, late)
				}
			}
		}
	}
	spreadAtLeast := func(d time.Duration) func(*testing.T, []time.Duration) {
		return func(t *testing.T, offs []time.Duration) {
			if got := offs[len(offs)-1] - offs[0]; got < d {
				t.Errorf("offsets span %v, want at least %v: %v", got, d, offs)
			}
		}
	}
	for _, c := range []struct {
		name          string
		unsure, width time.Duration
		skew          time.Duration // more error on the late side
		n             int
		missLo        float64 // the model's miss, within [missLo, missHi]
		missHi        float64
		check         func(*testing.T, []time.Duration)
	}{
		{"20 ms of jitter, median within ±4 ms: all at their best, gathered", 4 * ms, 22 * ms, 0, 8, 0.0077, 0.0079, // (12/22)^8
			full(4*ms, 4*ms, 22*ms)},
		{"20 ms of jitter, median within ±2 ms: all at their best, spread wider", 2 * ms, 22 * ms, 0, 8, 0.0077, 0.0079,
			func(t *testing.T, offs []time.Duration) {
				full(2*ms, 2*ms, 22*ms)(t, offs)
				spreadAtLeast(6*ms)(t, offs)
			}},
		{"20 ms of jitter, median within −3…+5 ms: all at their best, aimed earlier", 3 * ms, 22 * ms, 2 * ms, 8, 0.0077, 0.0079,
			func(t *testing.T, offs []time.Duration) {
				full(3*ms, 5*ms, 22*ms)(t, offs)
				sym, _ := aimOffsets(3*ms, 3*ms, 22*ms, 8)
				if offs[len(offs)-1] >= sym[len(sym)-1] || offs[len(offs)/2] >= sym[len(sym)/2] {
					t.Errorf("offsets %v, not earlier than with a symmetric error (%v)", offs, sym)
				}
			}},
		{"one attempt, 20 ms of jitter: in the middle of the goal", 3 * ms, 20 * ms, 0, 1, 0.49, 0.51,
			func(t *testing.T, offs []time.Duration) {
				if offs[0] != lateGoal/2 {
					t.Errorf("offset %v, want %v", offs[0], lateGoal/2)
				}
			}},
		{"narrow path, median within ±10 ms: the attempts tile the error", 10 * ms, 10 * ms, 0, 8, 0, 0.01,
			spreadAtLeast(15 * ms)},
		{"no jitter, arrival within ±12 ms: three attempts cover it", 12 * ms, 0, 0, 3, 0, 0.001,
			spreadAtLeast(18 * ms)},
		{"no jitter, known exactly: one attempt on time", 0, 0, 0, 1, 0, 0,
			func(t *testing.T, offs []time.Duration) {
				if offs[0] < 0 || offs[0] > lateGoal {
					t.Errorf("offset %v, want within the goal", offs[0])
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			offs, miss := aimOffsets(c.unsure, c.unsure+c.skew, c.width, c.n)
			if len(offs) != c.n || !slices.IsSorted(offs) {
				t.Fatalf("offsets %v, want %d sorted", offs, c.n)
			}
			if miss < c.missLo || miss > c.missHi {
				t.Errorf("miss %.5f, want %.5f–%.5f (offsets %v)", miss, c.missLo, c.missHi, offs)
			}
			c.check(t, offs)
		})
	}
}

// The model's miss is what happens: arrivals drawn as the model says
// (the median's error the same for a whole burst, each request's own
// delay independent) miss the goal about as often as aimOffsets says,
// and no more than the best independent attempts can (half of 20 ms of
// jitter each).
func TestAimOffsetsAgainstDrawnArrivals(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct{ unsure, width time.Duration }{{4 * ms, 20 * ms}, {2 * ms, 22 * ms}, {8 * ms, 12 * ms}} {
		t.Run(fmt.Sprint(c.unsure, "/", c.width), func(t *testing.T) {
			offs, miss := aimOffsets(c.unsure, c.unsure, c.width, staggerJitterMax)
			rng := rand.New(rand.NewPCG(3, 4))
			const bursts = 40000
			missed := 0
			for range bursts {
				delta := time.Duration(rng.Int64N(int64(2*c.unsure+1))) - c.unsure
				hit := false
				for _, x := range offs {
					late := x + delta + time.Duration(rng.Int64N(int64(c.width))) - c.width/2
					hit = hit || (late >= 0 && late <= lateGoal)
				}
				if !hit {
					missed++
				}
			}
			got := float64(missed) / bursts
			if got > miss+0.004 || got < miss-0.004 {
				t.Errorf("missed %.4f of drawn bursts, the model says %.4f (offsets %v)", got, miss, offs)
			}
		})
	}
}

// busyPinger is a steady path (20 ms each way) seen from a busy machine:
// 3 answers in 10 are read 5–30 ms late, the goroutine waiting for them
// not being scheduled.
type busyPinger struct {
	simPinger
	mu  sync.Mutex // a probe pings concurrently
	rng *rand.Rand
}

func (p *busyPinger) Ping(ctx context.Context, box aimharder.BoxRef) (aimharder.Exchange, error) {
	x, err := p.simPinger.Ping(ctx, box)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rng.IntN(10) < 3 {
		late := 5*time.Millisecond + time.Duration(p.rng.Int64N(int64(25*time.Millisecond)))
		x.Received = x.Received.Add(late)
		x.RTT += late
	}
	return x, err
}

// A busy machine delays some answers, which spreads the round trips: the
// path must still be taken for steady (its jitter is read from the lower
// half of the round trips), so the burst covers the interval as on a
// steady path rather than aiming densely by a typical arrival.
func TestBusyMachineKeepsASteadyPathSteady(t *testing.T) {
	ms := time.Millisecond
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := aimhardertest.NewManualClock(clockBase.Add(time.Duration(seed) * 53 * ms))
			e := NewClockEstimator(c)
			offset := 700 * ms
			p := &busyPinger{simPinger: simPinger{clock: c, offset: offset, in: 20 * ms, out: 20 * ms},
				rng: rand.New(rand.NewPCG(seed, 17))}
			probeWith(t, c, e, p)
			c.Advance(3 * time.Second)
			est := probeWith(t, c, e, p)
			if est.Jitter >= jitterDense {
				t.Fatalf("jitter %v on a steady path seen from a busy machine", est.Jitter)
			}
			target := c.Now().Add(10 * time.Second).Truncate(time.Second)
			plan := planFire(target, c.Now(), est, true, false, 3*time.Second)
			if plan.staggered > staggerMax {
				t.Errorf("%d staggered attempts, want at most %d", plan.staggered, staggerMax)
			}
			arrival := offset + 20*ms
			hit := false
			for _, at := range plan.sends[:plan.staggered] {
				late := at.Add(arrival).Sub(target)
				hit = hit || (late >= 0 && late <= lateGoal)
			}
			if !hit {
				t.Errorf("no staggered attempt lands within %v after the opening (estimate %v ± %v, true %v)",
					lateGoal, est.Arrival, est.Spread, arrival)
			}
		})
	}
}
