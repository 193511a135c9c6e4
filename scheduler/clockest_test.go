package scheduler

import (
	"context"
	"fmt"
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
