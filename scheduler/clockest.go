package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// MaxSaneOffset is the largest server clock offset the scheduler believes.
// Anything larger means a broken clock (here or a proxy's Date), reported
// and not used.
const MaxSaneOffset = 10 * time.Minute

// ClockEstimate is what the estimator knows about AimHarder's clock.
//
// The Date header only has one-second resolution; what the scheduler
// really estimates is Arrival: how far ahead of a request's local send
// time the server's clock reads when the server handles it (its clock
// offset plus the one-way latency). Requests sent at several phases around
// a second boundary pin it down to a few milliseconds, with no assumption
// about how the round trip splits. Offset is derived from it by assuming
// the two directions take equally long.
type ClockEstimate struct {
	// Arrival is the centre of the interval [Arrival−Spread, Arrival+Spread]
	// that holds (server time at handling − local send time).
	Arrival time.Duration
	Spread  time.Duration
	// Offset is the server's clock minus the local clock; Error bounds its
	// uncertainty, including how the round trip splits.
	Offset time.Duration
	Error  time.Duration
	// RTT is the typical round trip of the cheap requests (median).
	RTT time.Duration
	// Jitter is how far one request's arrival may stray from Arrival on a
	// path whose delay varies from request to request: how far the pings'
	// median round trip lies above their 10th percentile (the way up
	// cannot vary more than the round trip does). Only the lower half is
	// read: a busy local machine only ever adds delay, to some pings, and
	// that must not make a steady path look jittery. Zero on a steady
	// path or with too few pings to tell.
	Jitter time.Duration
	// Typical is, on a jittery path (Jitter at least jitterDense), the
	// median arrival of one request: the Arrival for which as many pings
	// sent that far before a server second boundary reached the server
	// after it as before (typicalArrival). On such a path the interval
	// Arrival ± Spread only holds the pings that happened to agree, and
	// can sit several milliseconds from the median. Equal to Arrival on a
	// steady path.
	Typical time.Duration
	// TypicalError is how far Typical may be from the true median (about
	// two standard errors of its fit; half the arrivals' width when too
	// few pings fit it). Zero on a steady path.
	TypicalError time.Duration
	// MeasuredAt is when the newest observation used came back (local).
	MeasuredAt time.Time
	Samples    int
}

// Broken reports an offset too large to be believed.
func (e ClockEstimate) Broken() bool { return e.Offset > MaxSaneOffset || e.Offset < -MaxSaneOffset }

// String describes the estimate, e.g. "+1.502s ± 21ms (rtt 40ms, 12 samples)".
func (e ClockEstimate) String() string {
	s := fmt.Sprintf("%s ± %s (rtt %s, %d samples)", signedDuration(e.Offset), e.Error.Round(time.Millisecond),
		shortRTT(e.RTT), e.Samples)
	if e.Broken() {
		s += " — broken clock: more than 10 minutes off, not used"
	}
	return s
}

// shortRTT keeps a tenth of a millisecond for a fast network.
func shortRTT(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

func signedDuration(d time.Duration) string {
	if d >= 0 {
		return "+" + d.Round(time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// Estimator defaults.
const (
	// driftPPM widens old observations: quartz clocks drift up to tens of
	// parts per million; 50 ppm is 3 ms a minute.
	driftPPM = 50
	// observationSlack absorbs timestamping noise (the Sent time is read on
	// a transport goroutine, a little after the bytes left).
	observationSlack  = time.Millisecond
	maxObservations   = 64
	maxObservationAge = 15 * time.Minute
	// minJitterPings: fewer pings than this say nothing about jitter, or
	// about which ping was slow.
	minJitterPings = 8
	// slowPingMargin: a ping is slow (possibly held up on the way there)
	// when its round trip passes the median by more than this, and by more
	// than twice the jitter.
	slowPingMargin = 5 * time.Millisecond
	// DefaultProbeTarget is the Spread active probing aims for.
	DefaultProbeTarget = 2 * time.Millisecond
	probesPerRound     = 7
	maxProbeRounds     = 6
	probeLead          = 40 * time.Millisecond // scheduling headroom before the first probe of a round
	// jitterProbeRounds: on a jittery path a probe runs at least this many
	// rounds (if its deadline allows) however tight the interval looks,
	// to learn ClockEstimate.Typical.
	jitterProbeRounds = 3
)

// observation is one exchange with a Date header.
type observation struct {
	sent, received time.Time
	date           time.Time // server's second (UTC), from Date
	// ping: a cheap request whose Date is stamped right after it is
	// handled. Other endpoints may stamp it after slow work, so only the
	// lower bound they give is weakened by their round trip.
	ping bool
}

// Pinger sends the cheap request used for active probing and warming
// (*aimharder.Client).
type Pinger interface {
	Ping(ctx context.Context, box aimharder.BoxRef) (aimharder.Exchange, error)
}

// ClockEstimator estimates AimHarder's clock from Date headers: passively
// from every exchange (wire Observe into aimharder.Config.Observe) and
// actively with Probe before a fire. It is safe for concurrent use.
type ClockEstimator struct {
	clock Clock

	mu  sync.Mutex
	obs []observation // oldest first

	probing chan struct{} // holds a token while a probe runs: one at a time

	// OnUpdate, when set, is called (outside the lock) after an active
	// probe and when passive traffic changes the estimate noticeably.
	onUpdate    func(ClockEstimate)
	lastShown   ClockEstimate
	lastShownOK bool
}

// NewClockEstimator returns an estimator reading time from clock (the
// clock the aimharder client stamps its exchanges with). A Runner using it
// publishes and persists its new estimates.
func NewClockEstimator(clock Clock) *ClockEstimator {
	return &ClockEstimator{clock: clock, probing: make(chan struct{}, 1)}
}

// Observe records a passive observation; pass it as aimharder.Config.Observe.
// Pings are left to Probe and Warm, which record their own.
func (e *ClockEstimator) Observe(x aimharder.Exchange) {
	if x.Endpoint == "ping" {
		return
	}
	e.add(x, false)
	e.maybeNotify(false)
}

// Record adds the result of a ping sent by someone else (the engine's
// warm-up), as an active observation.
func (e *ClockEstimator) Record(x aimharder.Exchange) {
	e.add(x, true)
}

func (e *ClockEstimator) add(x aimharder.Exchange, ping bool) {
	if x.ServerDate.IsZero() || x.Sent.IsZero() || x.Received.Before(x.Sent) {
		return
	}
	o := observation{sent: x.Sent, received: x.Received, date: x.ServerDate.Truncate(time.Second), ping: ping}
	e.mu.Lock()
	defer e.mu.Unlock()
	// Keep the log in arrival order; concurrent callers may race by a hair.
	i := len(e.obs)
	for i > 0 && e.obs[i-1].received.After(o.received) {
		i--
	}
	e.obs = slices.Insert(e.obs, i, o)
	if len(e.obs) > maxObservations {
		e.obs = slices.Delete(e.obs, 0, len(e.obs)-maxObservations)
	}
}

// Estimate returns the current estimate, widened for clock drift since
// the observations were made; false when nothing is known yet.
func (e *ClockEstimator) Estimate() (ClockEstimate, bool) {
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.estimateLocked(now)
}

// estimateLocked intersects the observations' constraints, newest first.
// An observation that contradicts the newer ones (a clock step, or a
// delayed request) is skipped: the newest picture wins.
//
// For a request sent at local s and answered with Date D, the server
// handled it during second D: D <= s + Arrival < D+1.
//
// A ping that took clearly longer than the others (its round trip past
// the median by more than twice the jitter, and slowPingMargin) may have
// been held up on the way there, which puts its lower bound too high; and
// being the last to come back it would be the newest, so its picture would
// win. Its lower bound is weakened by its round trip, as a slow
// endpoint's is; its upper bound stays (a delay never makes that wrong).
func (e *ClockEstimator) estimateLocked(now time.Time) (ClockEstimate, bool) {
	var (
		lo, hi   time.Duration // Arrival bounds, valid once used > 0
		used     int
		newest   time.Time
		rtts     []time.Duration
		pingRTTs []time.Duration
	)
	typical, jitter := e.pingStatsLocked(now)
	slowPing := time.Duration(0) // 0: too few pings to tell
	if typical > 0 {
		slowPing = typical + max(2*jitter, slowPingMargin)
	}
	for i := len(e.obs) - 1; i >= 0; i-- {
		o := e.obs[i]
		age := now.Sub(o.received)
		if age > maxObservationAge {
			break
		}
		widen := observationSlack + max(age, 0)/1e6*driftPPM
		rtt := o.received.Sub(o.sent)
		oLo := o.date.Sub(o.sent) - widen
		oHi := o.date.Add(time.Second).Sub(o.sent) + widen
		if !o.ping || (slowPing > 0 && rtt > slowPing) {
			oLo -= rtt
		}
		nLo, nHi := oLo, oHi
		if used > 0 {
			nLo, nHi = max(lo, oLo), min(hi, oHi)
		}
		if nLo >= nHi {
			continue
		}
		lo, hi = nLo, nHi
		if used == 0 {
			newest = o.received
		}
		used++
		rtts = append(rtts, rtt)
		if o.ping {
			pingRTTs = append(pingRTTs, rtt)
		}
	}
	if used == 0 {
		return ClockEstimate{}, false
	}
	if len(pingRTTs) > 0 {
		rtts = pingRTTs
	}
	rtt := median(rtts)
	arrival := lo + (hi-lo)/2
	spread := (hi - lo) / 2
	typicalArrival, typicalError := arrival, time.Duration(0)
	if jitter >= jitterDense {
		typicalArrival, typicalError = e.typicalArrivalLocked(now, arrival, jitter)
		// A request's arrival strays at most half the width from the
		// median, and the interval holds arrivals the pings really had:
		// the median cannot be further out (a guard against a fit
		// misled by a few held-up pings).
		half := jitterWidth(jitter) / 2
		typicalArrival = min(max(typicalArrival, lo-half), hi+half)
	}
	return ClockEstimate{
		Arrival:      arrival,
		Spread:       spread,
		Offset:       arrival - rtt/2,
		Error:        spread + rtt/2,
		RTT:          rtt,
		Jitter:       jitter,
		Typical:      typicalArrival,
		TypicalError: typicalError,
		MeasuredAt:   newest,
		Samples:      used,
	}, true
}

// typicalArrivalLocked estimates ClockEstimate.Typical on a jittery path
// from the recent pings near the estimate centre. A ping sent at s and
// answered with Date D says one thing about a boundary near centre:
// either it reached the server after boundary D although sent D−s before
// it (its arrival at least D−s), or it reached it before D+1 although sent
// D+1−s before that one (its arrival less than D+1−s). With each request's
// arrival spread evenly over jitterWidth(jitter) around the median m, a
// ping sent h before a boundary gets past it with probability
// 1/2 + (m−h)/width (within 0 and 1); m is the value whose predictions
// fit what the pings saw best (least squares). Its error is about two
// standard errors of such a fit: with n pings spread over the width, each
// says about as much as a fifth of a direct measure, so
// 2·width/√(5n). Fewer than minJitterPings pings near centre: centre,
// with half the width as its error.
func (e *ClockEstimator) typicalArrivalLocked(now time.Time, centre, jitter time.Duration) (typical, errBound time.Duration) {
	width := jitterWidth(jitter)
	reach := width + 10*time.Millisecond // pings sent further from the boundary say nothing
	type seen struct {
		h      time.Duration // sent this long before the boundary (server time)
		passed bool          // handled after it
	}
	var pings []seen
	for i := len(e.obs) - 1; i >= 0; i-- {
		o := e.obs[i]
		if now.Sub(o.received) > maxObservationAge {
			break
		}
		if !o.ping {
			continue
		}
		p := seen{h: o.date.Sub(o.sent), passed: true}
		if centre-p.h >= time.Second/2 {
			p = seen{h: p.h + time.Second, passed: false}
		}
		if absDur(p.h-centre) <= reach {
			pings = append(pings, p)
		}
	}
	if len(pings) < minJitterPings {
		return centre, width / 2
	}
	loss := func(m time.Duration) float64 {
		sum := 0.0
		for _, p := range pings {
			pr := min(max(0.5+float64(m-p.h)/float64(width), 0), 1)
			if p.passed {
				pr = 1 - pr
			}
			sum += pr * pr
		}
		return sum
	}
	const step = 100 * time.Microsecond
	best, bestLo, bestHi := math.Inf(1), centre, centre
	for m := centre - reach; m <= centre+reach; m += step {
		switch l := loss(m); {
		case l < best-1e-9:
			best, bestLo, bestHi = l, m, m
		case l <= best+1e-9 && m > bestHi:
			bestHi = m // a flat minimum: its middle
		}
	}
	errBound = time.Duration(2 * float64(width) / math.Sqrt(5*float64(len(pings))))
	return bestLo + (bestHi-bestLo)/2, max(errBound, time.Millisecond)
}

// jitterWidth is how widely one request's arrival varies on a path with
// this ClockEstimate.Jitter, taking the round trip's variation to be
// split evenly between the two ways: twice the Jitter (for each way
// uniform over 20 ms, Jitter is about 11 ms).
func jitterWidth(jitter time.Duration) time.Duration { return 2 * jitter }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// pingStatsLocked returns the recent pings' median round trip and
// ClockEstimate.Jitter (median less 10th percentile: for each way
// uniform over 20 ms, about 11 ms); zeros with fewer than minJitterPings
// pings.
func (e *ClockEstimator) pingStatsLocked(now time.Time) (typical, jitter time.Duration) {
	var rtts []time.Duration
	for i := len(e.obs) - 1; i >= 0; i-- {
		o := e.obs[i]
		if now.Sub(o.received) > maxObservationAge {
			break
		}
		if o.ping {
			rtts = append(rtts, o.received.Sub(o.sent))
		}
	}
	if len(rtts) < minJitterPings {
		return 0, 0
	}
	slices.Sort(rtts)
	return rtts[len(rtts)/2], rtts[len(rtts)/2] - rtts[len(rtts)/10]
}

// maybeNotify tells onUpdate about an estimate worth showing: after a
// probe (force), or when passive traffic moved it by more than its error
// or tightened it a lot.
func (e *ClockEstimator) maybeNotify(force bool) {
	est, ok := e.Estimate()
	if !ok {
		return
	}
	e.mu.Lock()
	onUpdate := e.onUpdate
	notify := onUpdate != nil && (force || !e.lastShownOK)
	if !notify && onUpdate != nil {
		last := e.lastShown
		moved := est.Offset - last.Offset
		if moved < 0 {
			moved = -moved
		}
		notify = onUpdate != nil && (moved > max(last.Error, 50*time.Millisecond) || est.Error < last.Error/2)
	}
	if notify {
		e.lastShown, e.lastShownOK = est, true
	}
	e.mu.Unlock()
	if notify {
		onUpdate(est)
	}
}

// setOnUpdate sets who hears about new estimates (the runner).
func (e *ClockEstimator) setOnUpdate(fn func(ClockEstimate)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onUpdate = fn
}

// Probe refines the estimate with pings to box sent at chosen phases
// around the server's second boundaries, until Spread is at most target
// (DefaultProbeTarget when <= 0), the rounds run out, or deadline is near.
// Pings still unanswered at deadline are abandoned, so Probe returns by
// then whatever the network does.
// Each round takes about one second: its pings straddle one boundary at
// evenly spaced hypotheses of Arrival, and the boundary falls between the
// last ping answered with the old second and the first with the new one.
// A tight estimate still gets one round, which catches a clock step.
// Concurrent calls run one at a time; a caller that waited reuses a
// probe that finished moments ago.
func (e *ClockEstimator) Probe(ctx context.Context, p Pinger, box aimharder.BoxRef, target time.Duration, deadline time.Time) (ClockEstimate, error) {
	if target <= 0 {
		target = DefaultProbeTarget
	}
	requested := e.clock.Now()
	pingCtx := ctx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		pingCtx, cancel = untilClock(ctx, e.clock, deadline)
		defer cancel()
	}
	select {
	case e.probing <- struct{}{}:
	case <-pingCtx.Done():
		if ctx.Err() != nil {
			return ClockEstimate{}, ctx.Err()
		}
		// Another probe is still running at the deadline: use what it has.
		if est, ok := e.Estimate(); ok {
			return est, nil
		}
		return ClockEstimate{}, errors.New("estimating AimHarder's clock: another probe is still running")
	}
	defer func() { <-e.probing }()
	if est, ok := e.Estimate(); ok && est.Spread <= target && !est.MeasuredAt.Before(requested) {
		return est, nil // someone probed while we waited
	}
	var lastErr error
	for round := 0; round < maxProbeRounds; round++ {
		est, ok := e.Estimate()
		jittery := ok && est.Jitter >= jitterDense
		if ok && round > 0 && est.Spread <= target && (!jittery || round >= jitterProbeRounds) {
			break
		}
		var hypotheses []time.Duration
		switch {
		case !ok:
			hypotheses = nil // one ping, any time: it gives the second
		case jittery:
			// Typical comes from how many pings get past a boundary
			// when sent at each distance before it: spread them over
			// the whole width of the arrivals.
			n := probesPerRound
			width := jitterWidth(est.Jitter)
			for j := 1; j <= n; j++ {
				hypotheses = append(hypotheses, est.Typical-width/2+width*time.Duration(j)/time.Duration(n+1))
			}
		case est.Spread <= target:
			// Verify: the boundary must fall between these two.
			hypotheses = []time.Duration{est.Arrival - est.Spread - target, est.Arrival + est.Spread + target}
		default:
			n := probesPerRound
			width := 2 * est.Spread
			for j := 1; j <= n; j++ {
				hypotheses = append(hypotheses, est.Arrival-est.Spread+width*time.Duration(j)/time.Duration(n+1))
			}
		}
		if !deadline.IsZero() && !e.roundFits(hypotheses, deadline) {
			break
		}
		if err := e.probeRound(pingCtx, p, box, hypotheses); err != nil {
			if ctx.Err() != nil {
				return ClockEstimate{}, ctx.Err()
			}
			lastErr = err
		}
		if pingCtx.Err() != nil {
			break // the deadline came
		}
	}
	e.maybeNotify(true)
	est, ok := e.Estimate()
	if !ok {
		if lastErr == nil {
			lastErr = fmt.Errorf("no answer carried a Date header")
		}
		return ClockEstimate{}, fmt.Errorf("estimating AimHarder's clock: %w", lastErr)
	}
	return est, nil
}

// sendTimes places one ping per hypothesis around the next server second
// boundary N that leaves room to schedule them: a ping sent at N−h is
// handled in second N or later exactly when Arrival >= h.
func (e *ClockEstimator) sendTimes(hypotheses []time.Duration) []time.Time {
	now := e.clock.Now()
	if len(hypotheses) == 0 {
		return []time.Time{now}
	}
	maxH := slices.Max(hypotheses)
	// The earliest send is N − maxH; it must be at least now + probeLead.
	earliest := now.Add(probeLead).Add(maxH)
	n := earliest.Truncate(time.Second)
	if n.Before(earliest) {
		n = n.Add(time.Second)
	}
	times := make([]time.Time, len(hypotheses))
	for i, h := range hypotheses {
		times[i] = n.Add(-h)
	}
	return times
}

func (e *ClockEstimator) roundFits(hypotheses []time.Duration, deadline time.Time) bool {
	last := slices.MaxFunc(e.sendTimes(hypotheses), func(a, b time.Time) int { return a.Compare(b) })
	return last.Add(time.Second / 2).Before(deadline)
}

// probeRound sends one ping at each planned time, concurrently, and
// records the answers.
func (e *ClockEstimator) probeRound(ctx context.Context, p Pinger, box aimharder.BoxRef, hypotheses []time.Duration) error {
	times := e.sendTimes(hypotheses)
	var (
		wg      sync.WaitGroup
		errMu   sync.Mutex
		lastErr error
	)
	for _, at := range times {
		wg.Go(func() {
			if err := sleepUntil(ctx, e.clock, at, 0); err != nil {
				return
			}
			x, err := p.Ping(ctx, box)
			if err != nil {
				errMu.Lock()
				lastErr = err
				errMu.Unlock()
				return
			}
			e.Record(x)
		})
	}
	wg.Wait()
	return lastErr
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
