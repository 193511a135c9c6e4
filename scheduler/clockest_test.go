package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// simPinger answers pings like a server whose clock runs offset ahead,
// reached in `in` and answering in `out` (simulated time: the manual
// clock does not move during the exchange; Received is computed).
type simPinger struct {
	clock   *aimhardertest.ManualClock
	offset  time.Duration
	in, out time.Duration
}

func (p *simPinger) Ping(_ context.Context, _ aimharder.BoxRef) (aimharder.Exchange, error) {
	sent := p.clock.Now()
	handled := sent.Add(p.in + p.offset)
	return aimharder.Exchange{Endpoint: "ping", Method: "HEAD", Sent: sent, Received: sent.Add(p.in + p.out),
		RTT: p.in + p.out, ServerDate: handled.UTC().Truncate(time.Second), Status: 200}, nil
}

func probeWith(t *testing.T, c *aimhardertest.ManualClock, e *ClockEstimator, p Pinger) ClockEstimate {
	t.Helper()
	stop := c.AutoAdvance(t.Context(), time.Millisecond)
	defer stop()
	est, err := e.Probe(t.Context(), p, aimharder.BoxRef{Subdomain: "x"}, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return est
}

// Probing locates the second boundary to within a few milliseconds; the
// reported offset is honest (within its error bound) even when the two
// directions of the round trip differ.
func TestProbeFindsTheOffset(t *testing.T) {
	for _, tc := range []struct {
		offset, in, out time.Duration
	}{
		{-1500 * time.Millisecond, 0, 0},
		{0, 20 * time.Millisecond, 20 * time.Millisecond},
		{350 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
		{1500 * time.Millisecond, 5 * time.Millisecond, 60 * time.Millisecond},
		{-42*time.Second - 123*time.Millisecond, 80 * time.Millisecond, 10 * time.Millisecond},
	} {
		t.Run(fmt.Sprintf("%v_%v_%v", tc.offset, tc.in, tc.out), func(t *testing.T) {
			c := aimhardertest.NewManualClock(clockBase.Add(123456789))
			e := NewClockEstimator(c)
			est := probeWith(t, c, e, &simPinger{clock: c, offset: tc.offset, in: tc.in, out: tc.out})
			arrival := tc.offset + tc.in
			if d := absDuration(est.Arrival - arrival); d > est.Spread || est.Spread > 3*time.Millisecond {
				t.Errorf("arrival %v ± %v, true %v", est.Arrival, est.Spread, arrival)
			}
			if d := absDuration(est.Offset - tc.offset); d > est.Error {
				t.Errorf("offset %v ± %v, true %v", est.Offset, est.Error, tc.offset)
			}
			if est.RTT != tc.in+tc.out {
				t.Errorf("rtt %v, want %v", est.RTT, tc.in+tc.out)
			}
			if est.Jitter != 0 {
				t.Errorf("jitter %v on a steady path", est.Jitter)
			}
		})
	}
}

// A clock step after a good estimate is caught by the next probe's
// verification round, and the newest observations win.
func TestProbeFollowsAClockStep(t *testing.T) {
	c := aimhardertest.NewManualClock(clockBase)
	e := NewClockEstimator(c)
	p := &simPinger{clock: c, offset: 250 * time.Millisecond}
	probeWith(t, c, e, p)
	c.Advance(time.Minute)
	p.offset = 2*time.Second + 250*time.Millisecond
	est := probeWith(t, c, e, p)
	if d := absDuration(est.Offset - p.offset); d > 3*time.Millisecond {
		t.Errorf("after the step: %v, want %v", est, p.offset)
	}
}

// Passive observations of slow endpoints (Date stamped after the work)
// never produce a bound that excludes the truth.
func TestPassiveObservationsStayHonest(t *testing.T) {
	c := aimhardertest.NewManualClock(clockBase)
	e := NewClockEstimator(c)
	offset, in, work, out := 730*time.Millisecond, 15*time.Millisecond, 120*time.Millisecond, 15*time.Millisecond
	for i := range 40 {
		sent := clockBase.Add(time.Duration(i) * 137 * time.Millisecond)
		stamped := sent.Add(in + work + offset)
		e.Observe(aimharder.Exchange{Endpoint: "bookings", Sent: sent, Received: sent.Add(in + work + out),
			ServerDate: stamped.Truncate(time.Second)})
	}
	c.Set(clockBase.Add(6 * time.Second))
	est, ok := e.Estimate()
	if !ok {
		t.Fatal("no estimate")
	}
	arrival := offset + in
	if est.Arrival-est.Spread > arrival || est.Arrival+est.Spread < arrival {
		t.Errorf("arrival %v ± %v excludes the truth %v", est.Arrival, est.Spread, arrival)
	}
	e.Observe(aimharder.Exchange{Endpoint: "x", Sent: clockBase}) // no Date: ignored
	if again, _ := e.Estimate(); again.Samples != est.Samples {
		t.Error("an exchange without a Date header was used")
	}
}

func TestPlanFireCoversTheUncertainty(t *testing.T) {
	target := clockBase
	est := ClockEstimate{Arrival: 1520 * time.Millisecond, Spread: 3 * time.Millisecond, Offset: 1500 * time.Millisecond,
		Error: 23 * time.Millisecond, RTT: 40 * time.Millisecond}
	now := target.Add(-10 * time.Second)
	plan := planFire(target, now, est, true, false, 3*time.Second)
	if plan.staggered < 2 || plan.staggered > staggerMax {
		t.Fatalf("%d staggered attempts", plan.staggered)
	}
	// Whatever the true arrival within the estimate, one staggered attempt
	// reaches the server at or after target, and no later than a step after.
	for arrival := est.Arrival - est.Spread; arrival <= est.Arrival+est.Spread; arrival += 500 * time.Microsecond {
		hit := false
		for _, at := range plan.sends[:plan.staggered] {
			if late := at.Add(arrival).Sub(target); late >= 0 && late <= 8*time.Millisecond {
				hit = true
			}
		}
		if !hit {
			t.Errorf("true arrival %v: no attempt lands within 8ms after the opening", arrival)
		}
	}
	for i := 1; i < len(plan.sends); i++ {
		if gap := plan.sends[i].Sub(plan.sends[i-1]); gap <= 0 || (i >= plan.staggered && (gap < retryFast || gap > retrySlow)) {
			t.Errorf("send %d comes %v after the previous", i, gap)
		}
	}
	if last := plan.sends[len(plan.sends)-1]; last.After(plan.end) || plan.end.Sub(plan.opening) != 3*time.Second {
		t.Errorf("burst ends %v, last send %v, opening %v", plan.end, last, plan.opening)
	}

	late := planFire(target, target.Add(time.Minute), est, true, true, 3*time.Second)
	if !late.sends[0].Equal(target.Add(time.Minute)) {
		t.Errorf("a late fire starts %v, want now", late.sends[0])
	}
	broken := planFire(target, now, ClockEstimate{Offset: time.Hour, Arrival: time.Hour}, true, false, 3*time.Second)
	if broken.sends[0].Before(target) {
		t.Errorf("a broken estimate was used: first send %v before the opening", target.Sub(broken.sends[0]))
	}
	tardy := planFire(target, target.Add(time.Second), est, true, false, 3*time.Second)
	if !tardy.sends[0].Equal(target.Add(time.Second)) || tardy.staggered < 1 {
		t.Errorf("planned after the opening: first send %v", tardy.sends[0])
	}
}

// jitterPinger is simPinger on a path whose delay varies per request: each
// way uniform in [in, in+jitter) and [out, out+jitter).
type jitterPinger struct {
	simPinger
	jitter time.Duration
	mu     sync.Mutex // a probe pings concurrently
	rng    *rand.Rand
}

func (p *jitterPinger) Ping(_ context.Context, _ aimharder.BoxRef) (aimharder.Exchange, error) {
	p.mu.Lock()
	in := p.in + time.Duration(p.rng.Int64N(int64(p.jitter)))
	out := p.out + time.Duration(p.rng.Int64N(int64(p.jitter)))
	p.mu.Unlock()
	sent := p.clock.Now()
	handled := sent.Add(in + p.offset)
	return aimharder.Exchange{Endpoint: "ping", Method: "HEAD", Sent: sent, Received: sent.Add(in + out),
		RTT: in + out, ServerDate: handled.UTC().Truncate(time.Second), Status: 200}, nil
}

// On a path whose latency varies per request (10–30 ms each way), the
// estimate says the path jitters (the plan then sends densely), its
// arrival stays within the arrivals the requests really have, and its
// typical arrival is near the true median (20 ms past the offset): a
// burst planned from it has an attempt within 10 ms after the opening in
// nearly every opening.
func TestEstimateOnAJitteryPath(t *testing.T) {
	ms := time.Millisecond
	for seed := range uint64(16) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := aimhardertest.NewManualClock(clockBase.Add(time.Duration(seed) * 77 * ms))
			e := NewClockEstimator(c)
			offset := 1500*ms - time.Duration(seed)*400*ms
			p := &jitterPinger{simPinger: simPinger{clock: c, offset: offset, in: 10 * ms, out: 10 * ms},
				jitter: 20 * ms, rng: rand.New(rand.NewPCG(seed, 99))}
			probeWith(t, c, e, p)
			c.Advance(3 * time.Second)
			est := probeWith(t, c, e, p) // a fire probes again just before its opening
			if est.Jitter < jitterDense || est.Jitter > 20*ms {
				t.Errorf("jitter %v, want between %v and the round trip's variation", est.Jitter, jitterDense)
			}
			if a := est.Arrival - offset; a < 10*ms || a > 30*ms {
				t.Errorf("arrival %v past the offset, want within the way up's 10–30 ms", a)
			}
			if d := absDuration(est.Offset - offset); d > est.Error {
				t.Errorf("offset %v ± %v, true %v", est.Offset, est.Error, offset)
			}
			if d := absDuration(est.Typical - offset - 20*ms); d > 5*ms {
				t.Errorf("typical arrival %v past the offset, true median 20ms", est.Typical-offset)
			}
			target := c.Now().Add(10 * time.Second).Truncate(time.Second)
			plan := planFire(target, c.Now(), est, true, false, 3*time.Second)
			if plan.staggered != staggerJitterMax {
				t.Fatalf("%d staggered attempts, want %d", plan.staggered, staggerJitterMax)
			}
			rng := rand.New(rand.NewPCG(seed, 7))
			hits := 0
			for range 4000 {
				for _, at := range plan.sends[:plan.staggered] {
					arrival := offset + 10*ms + time.Duration(rng.Int64N(int64(20*ms)))
					if late := at.Add(arrival).Sub(target); late >= 0 && late <= 10*ms {
						hits++
						break
					}
				}
			}
			if hits < 3940 {
				t.Errorf("typical arrival %v past the offset: an attempt within 10ms after the opening in %d of 4000 bursts, want ≥ 98.5 %%",
					est.Typical-offset, hits)
			}
		})
	}
}

// The typical arrival comes from how often pings sent at each distance
// before a second boundary got past it. Pings whose arrivals lie evenly
// in 10–30 ms, each sent at a chosen distance h before a boundary, pass
// it about (30 ms − h)/20 ms of the time; however the interval of the
// constraints ends up, Typical finds the median, 20 ms.
func TestTypicalArrivalFromPings(t *testing.T) {
	ms := time.Millisecond
	for _, shift := range []time.Duration{-6 * ms, 0, 5 * ms} {
		t.Run(fmt.Sprint(shift), func(t *testing.T) {
			c := aimhardertest.NewManualClock(clockBase.Add(500 * ms))
			e := NewClockEstimator(c)
			// Distances 12, 14, …, 28 ms (shifted): at each, the arrivals
			// pass the boundary in the proportion their spread says,
			// out of 7 pings, and the round trips vary as they would.
			for k := range 9 {
				h := 12*ms + time.Duration(k)*2*ms + shift
				passed := int(((30*ms-(h-shift))*7 + 10*ms) / (20 * ms))
				for i := range 7 {
					boundary := c.Now().Add(time.Second).Truncate(time.Second)
					sent := boundary.Add(-h)
					date := boundary
					if i >= passed {
						date = boundary.Add(-time.Second)
					}
					rtt := 20*ms + time.Duration((i*7+k*3)%21)*ms
					e.Record(aimharder.Exchange{Endpoint: "ping", Method: "HEAD", Sent: sent, Received: sent.Add(rtt),
						RTT: rtt, ServerDate: date.UTC(), Status: 200})
					c.Set(boundary.Add(100 * ms))
				}
			}
			est, _ := e.Estimate()
			if est.Jitter < jitterDense {
				t.Fatalf("jitter %v: the path looks steady", est.Jitter)
			}
			t.Logf("typical %v, interval %v ± %v, jitter %v, %d samples", est.Typical, est.Arrival, est.Spread, est.Jitter, est.Samples)
			if d := absDuration(est.Typical - 20*ms - shift); d > ms {
				t.Errorf("typical arrival %v, want %v (the interval says %v ± %v)", est.Typical, 20*ms+shift, est.Arrival, est.Spread)
			}
		})
	}
}

// On a jittery path each staggered attempt lands at its own random
// instant, so the plan sends more of them, aimed by the typical arrival
// rather than the interval's centre: with each request's way up uniform
// over 20 ms around the typical arrival, some attempt lands within 10 ms
// after the opening in nearly every burst, and in clearly more than with
// the steady path's plan.
func TestPlanFireOnAJitteryPath(t *testing.T) {
	ms := time.Millisecond
	target := clockBase
	now := target.Add(-10 * time.Second)
	steady := ClockEstimate{Arrival: 1520 * ms, Spread: ms, Offset: 1500 * ms, Error: 21 * ms, RTT: 40 * ms, Typical: 1520 * ms}
	jittery := steady
	jittery.Jitter = 11 * ms
	jittery.TypicalError = 3 * ms
	jittery.Arrival = 1515 * ms // the interval sits 5 ms early
	dense := planFire(target, now, jittery, true, false, 3*time.Second)
	sparse := planFire(target, now, steady, true, false, 3*time.Second)
	if dense.staggered != staggerJitterMax || dense.staggered > maxInFlight || sparse.staggered > staggerMax {
		t.Fatalf("%d staggered attempts on a jittery path, %d on a steady one", dense.staggered, sparse.staggered)
	}
	for i := 1; i < dense.staggered; i++ {
		if gap := dense.sends[i].Sub(dense.sends[i-1]); gap <= 0 {
			t.Errorf("staggered sends %d and %d %v apart", i-1, i, gap)
		}
	}
	for i, at := range dense.sends[:dense.staggered] {
		if typ := at.Add(jittery.Typical).Sub(target); typ < 0 || typ > lateGoal {
			t.Errorf("attempt %d typically arrives %v after the opening, want 0–%v", i, typ, lateGoal)
		}
	}
	if gap := dense.sends[dense.staggered].Sub(dense.sends[dense.staggered-1]); gap < retryFast {
		t.Errorf("first retry %v after the last attempt", gap)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	hits := func(plan firePlan) int {
		n := 0
		for range 10000 {
			for _, at := range plan.sends[:plan.staggered] {
				arrival := steady.Typical - 10*ms + time.Duration(rng.Int64N(int64(20*ms)))
				if late := at.Add(arrival).Sub(target); late >= 0 && late <= 10*ms {
					n++
					break
				}
			}
		}
		return n
	}
	d, s := hits(dense), hits(sparse)
	if d < 9900 || d <= s {
		t.Errorf("an attempt within 10ms after the opening in %d of 10000 bursts (steady plan: %d), want ≥ 9900", d, s)
	}
}

// A ping held up 40 ms on the way there comes back last, so it is the
// newest observation; its Date must not drag the estimate 40 ms late (the
// burst would be aimed before the opening): its round trip, well past the
// usual, marks it as held up.
func TestEstimateIgnoresAHeldUpPing(t *testing.T) {
	ms := time.Millisecond
	c := aimhardertest.NewManualClock(clockBase.Add(123 * ms))
	e := NewClockEstimator(c)
	p := &simPinger{clock: c, offset: 700 * ms, in: 20 * ms, out: 20 * ms}
	probeWith(t, c, e, p)
	probeWith(t, c, e, p) // enough pings to know the usual round trip
	arrival := p.offset + p.in
	// Sent so that, on time, it is handled 20 ms before a server second
	// boundary; held up 40 ms, it is handled 20 ms after it.
	boundary := c.Now().Add(p.offset + 2*time.Second).Truncate(time.Second) // server time
	sent := boundary.Add(-arrival - 20*ms)
	c.Set(sent.Add(100 * ms))
	e.Record(aimharder.Exchange{Endpoint: "ping", Method: "HEAD", Sent: sent, Received: sent.Add(80 * ms),
		RTT: 80 * ms, ServerDate: boundary.UTC(), Status: 200})
	est, _ := e.Estimate()
	if d := absDuration(est.Arrival - arrival); d > est.Spread+ms || est.Spread > 3*ms {
		t.Errorf("after a held-up ping: arrival %v ± %v, true %v", est.Arrival, est.Spread, arrival)
	}
}

// The first retry waits for the staggered attempts still in flight (one
// may be the booking), and goes when the last answer comes in, or, if one
// never does, after firstRetryWait (simulated clock).
func TestFirstRetryAwaitsTheStaggeredAnswers(t *testing.T) {
	for _, answered := range []bool{true, false} {
		t.Run(fmt.Sprint("answered=", answered), func(t *testing.T) {
			c := aimhardertest.NewManualClock(clockBase)
			j := &fireJob{r: &Runner{clock: c}}
			slots, freed := make(chan struct{}, maxInFlight), make(chan struct{}, 1)
			slots <- struct{}{}
			slots <- struct{}{}
			done := make(chan struct{})
			go func() {
				j.awaitStaggered(t.Context(), slots, freed)
				close(done)
			}()
			if err := c.WaitForWaiters(t.Context(), 1); err != nil {
				t.Fatal(err)
			}
			free := func() {
				<-slots
				select {
				case freed <- struct{}{}:
				default:
				}
			}
			free() // one answer in, one still awaited
			c.Advance(firstRetryWait - time.Millisecond)
			select {
			case <-done:
				t.Fatal("the retry went with an answer still awaited")
			default:
			}
			if answered {
				free()
			} else {
				c.Advance(time.Millisecond)
			}
			select {
			case <-done:
			case <-t.Context().Done():
				t.Fatal("the retry never went")
			}
		})
	}
}
