package scheduler

import "time"

// Firing plan parameters.
const (
	// staggerMax caps the attempts sent around the opening before the
	// first answer can be back.
	staggerMax     = 5
	staggerMinStep = 4 * time.Millisecond
	// On a jittery path (ClockEstimate.Jitter at least jitterDense) each
	// attempt reaches the server at its own random instant, so each is an
	// independent chance to land in the lateGoal after the opening: with
	// arrivals spread over 20 ms, at best half the time, when its median
	// arrival (ClockEstimate.Typical) falls inside those 10 ms.
	// staggerJitterMax attempts are placed by aimOffsets, each where it
	// keeps the best chance over the error of Typical. They fill
	// maxInFlight, and the first retry waits for their answers (up to
	// firstRetryWait), so a burst whose attempt was accepted sends nothing
	// more.
	jitterDense      = 5 * time.Millisecond
	staggerJitterMax = maxInFlight
	// lateGoal is how late after the opening an accepted booking may
	// arrive and still count as on time; aimOffsets places the attempts
	// of a jittery burst so that one lands within it.
	lateGoal = 10 * time.Millisecond
	// busySkew: a busy machine wakes a burst's sends late and handles its
	// eight requests one after another, so its attempts arrive later than
	// the pings (sent a few at a time) measured; the benchmark saw their
	// median 0.5–2 ms past the aim. aimOffsets counts up to this much more
	// error on the late side, which aims the attempts earlier: an early
	// arrival costs only a "too early" answer.
	busySkew = 2 * time.Millisecond
	// sendGuard keeps the earliest attempt just after the opening rather
	// than on it.
	sendGuard = time.Millisecond
	// splitAllowanceMax: a ping's Date may be stamped a little after the
	// server handled it (more than a booking is judged after arrival), so
	// the last staggered attempt goes up to RTT/4 (at most this) later
	// than the estimate alone says. Larger gaps fall to the retries.
	splitAllowanceMax = 10 * time.Millisecond
	// Retries after "too early": every 50 ms for the first second after
	// the opening, then every 100 ms to the end of the burst.
	retryFast     = 50 * time.Millisecond
	retrySlow     = 100 * time.Millisecond
	retryFastSpan = time.Second
	// maxInFlight bounds the booking requests awaiting an answer.
	maxInFlight = 8
)

// firePlan is when a fire sends its booking requests, on the local clock.
type firePlan struct {
	sends     []time.Time // sorted; the first `staggered` straddle the opening
	staggered int
	end       time.Time // no attempt after this
	opening   time.Time // the opening on the local clock (best guess)
}

// planFire places the attempts so that one of them reaches AimHarder just
// after target (its opening, server time): with the estimate, a request
// sent at local s is handled at server time s+Arrival, Arrival within
// ±Spread. Attempts run from the send time that would arrive on time if
// Arrival were at its highest to the one for its lowest, a few
// milliseconds apart; then retries follow until the burst ends. On a
// jittery path staggerJitterMax attempts are aimed by the typical arrival
// instead (see jitterDense). Without a usable estimate the local clock
// stands in for the server's. A late fire (the window already open)
// starts now.
func planFire(target, now time.Time, est ClockEstimate, known, late bool, burst time.Duration) firePlan {
	arrival, spread, allowance := time.Duration(0), time.Duration(0), time.Duration(0)
	jittery := false
	var unsure, width time.Duration // jittery: Typical's error, the arrivals' width
	if known && !est.Broken() {
		arrival, spread = est.Arrival, est.Spread
		allowance = min(est.RTT/4, splitAllowanceMax)
		if est.Jitter >= jitterDense {
			jittery = true
			width = jitterWidth(est.Jitter)
			unsure = est.TypicalError
			if est.Typical != 0 { // zero: an estimate from before Typical
				arrival = est.Typical
			} else {
				unsure = est.Spread + width/2
			}
		}
	}
	plan := firePlan{opening: target.Add(-arrival)}
	var last time.Time
	switch {
	case late:
		last = now
		plan.opening = now
		plan.sends = []time.Time{now}
	case jittery:
		// A request sent at s typically arrives at s+arrival: an attempt
		// meant to arrive typically x after the opening goes at
		// target−arrival+x.
		offsets, _ := aimOffsets(unsure, unsure+busySkew, width, staggerJitterMax)
		for _, x := range offsets {
			plan.sends = append(plan.sends, target.Add(-arrival+x))
		}
		last = plan.sends[len(plan.sends)-1]
	default:
		first := target.Add(-(arrival + spread) + sendGuard)
		last = target.Add(-(arrival - spread) + sendGuard + allowance)
		span := last.Sub(first)
		n := 1
		if span > 0 {
			step := min(max(span/time.Duration(staggerMax-1), staggerMinStep), retryFast)
			n = int((span+step-1)/step) + 1
		}
		for i := range n {
			at := last
			if n > 1 {
				at = first.Add(span * time.Duration(i) / time.Duration(n-1))
			}
			plan.sends = append(plan.sends, at)
		}
	}
	plan.end = plan.opening.Add(burst)
	plan.staggered = len(plan.sends)
	for at := last.Add(retryFast); at.Before(plan.end); {
		plan.sends = append(plan.sends, at)
		if at.Before(plan.opening.Add(retryFastSpan)) {
			at = at.Add(retryFast)
		} else {
			at = at.Add(retrySlow)
		}
	}
	// Planned late (the estimate came in late): drop the sends already
	// past, keeping one now.
	kept := plan.sends[:0]
	for _, at := range plan.sends {
		if !at.Before(now) {
			kept = append(kept, at)
		}
	}
	if dropped := len(plan.sends) - len(kept); dropped > 0 {
		plan.staggered = max(plan.staggered-dropped, 0)
		kept = append([]time.Time{now}, kept...)
		plan.staggered++
	}
	plan.sends = kept
	return plan
}
