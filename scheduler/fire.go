package scheduler

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// Fire phases.
const (
	sessionRetry     = 10 * time.Second // a fresh session could not be had: try again
	sessionLeaseWait = 15 * time.Second // wait for a rotation in progress before taking the lease
	leaseMargin      = 15 * time.Second // the session lease outlives the planned end of the fire by this
	maxWarmPings     = staggerJitterMax // one warm connection per staggered attempt, the densest plan included
	burstHardLimit   = 45 * time.Second // a burst plus its slowest answers; bounds shutdown
	probeTarget      = DefaultProbeTarget
	// freshMargin: the session must be fresh this long before the warm-up
	// starts (T − WarmAhead); a refresh still running then goes on in the
	// background and the fire uses the current credentials.
	freshMargin = time.Second
	// lateFreshWait bounds the refresh of a fire whose window is already
	// open: every second counts.
	lateFreshWait = 5 * time.Second
	// warmMargin: warm-up pings still unanswered this long before the
	// first send are abandoned.
	warmMargin = 20 * time.Millisecond
	// sessionCheckFor bounds the question of the session check at
	// T − EstimateAhead (a re-login it calls for may take longer).
	sessionCheckFor = 5 * time.Second
	// finishRetryFor bounds the retries of an outcome the database is too
	// busy to store.
	finishRetryFor = time.Minute
)

// fireJob is one claimed prebooking on its way to an outcome.
type fireJob struct {
	r    *Runner
	p    session.Prebooking
	box  session.Box
	ref  aimharder.BoxRef
	late bool // its window was already open when it was claimed
	// lost: another runner took the claim over; settled: the claim is
	// being given up (outcome stored, given back or re-armed), so its
	// heartbeat failing means nothing.
	lost, settled *atomic.Bool
	// claim is what this runner last knew of its claim (the heartbeat's
	// writes): maySend asks it before every booking request.
	claim  *claimState
	runCtx context.Context // the runner's: ends when it stops, not when the claim is lost
	// sent is the credentials the booking requests carry (PrepareBook's).
	sent aimharder.Credentials
	// bg holds work the fire started and must outlive the send (a token
	// refresh that missed its deadline); run waits for it at the end.
	bg sync.WaitGroup
	// lesson is what a "too early" answer taught about the box's window,
	// when it moved the opening (statedOpening).
	lesson *session.WindowLesson
	plan   firePlan // the burst's plan
	// probeAt is the send time (local) of the request sent before the
	// opening of an assumed rule (fire_search.go); zero when none.
	probeAt time.Time
	// unsettled: the outcome a search for the class (fire_resolve.go)
	// decided, to store once the clock's hold is released.
	unsettled *session.Outcome
	// refreshedToken is the token setrefresh was last called for after a
	// logout answer (fire_setrefresh.go): once per token.
	refreshedToken string
	// gated: the fire passed its send gate (passGate); only the burst's
	// sending goroutine sets it, before its first request.
	gated bool
}

// fire takes a prebooking this runner claimed to its outcome: arm, make
// the session fresh and take its lease, estimate the server's clock, warm
// the connections, send the staggered burst, store the outcome, publish
// it. The claim's heartbeat runs throughout, so other runners see it is
// alive; if it turns out another runner took the claim over, the fire
// stops before sending anything. If ctx ends before the burst starts, the
// claim goes back to pending for the next runner; a burst under way
// always finishes.
func (r *Runner) fire(ctx context.Context, p session.Prebooking) { r.fireAs(ctx, p, takeoverKind{}) }

// fireAs is fire for a claim had as takeover says: taken over from a
// runner that may have sent already (its claim was marked sending), the
// fire first reads the day, and a booking found there is the outcome —
// nothing is sent.
func (r *Runner) fireAs(ctx context.Context, p session.Prebooking, takeover takeoverKind) {
	armCtx, cancelArm := context.WithCancel(ctx)
	defer cancelArm()
	lost, settled := new(atomic.Bool), new(atomic.Bool)
	claim := newClaimState(r.clock.Now())
	stopBeat := r.beatClaim(p.ID, p.OpensAt, claim, func(err error) {
		if !settled.Load() {
			r.log.Warn("the prebooking's claim is no longer this runner's", "prebooking", p.ID, "err", err)
			lost.Store(true)
			cancelArm()
		}
	})
	defer stopBeat()

	box, err := r.store.Box(armCtx, p.BoxID)
	if err != nil {
		j := &fireJob{r: r, p: p, lost: lost, settled: settled, claim: claim}
		if armCtx.Err() != nil {
			j.abort()
			return
		}
		settled.Store(true)
		r.log.Warn("cannot fire: its box is not in the database any more", "prebooking", p.ID, "err", err)
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: string(outcome.Error)}, time.Time{})
		return
	}
	p = p.InBoxZone(box)
	ref, err := account.BoxRef(box)
	if err != nil {
		settled.Store(true)
		r.log.Warn("cannot fire: the box has no usable reference", "prebooking", p.ID, "err", err)
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: string(outcome.Error)}, time.Time{})
		return
	}
	j := &fireJob{r: r, p: p, box: box, ref: ref, lost: lost, settled: settled, claim: claim, runCtx: ctx}
	serverNow := r.serverNow()
	if !serverNow.Before(p.ClassStart) {
		j.missed(ctx)
		return
	}
	if takeover.mayHaveSent && j.bookedBefore(armCtx) {
		return
	}
	j.late = p.OpensAt.IsZero() || !serverNow.Before(p.OpensAt)
	if j.late {
		r.publish(PrebookingLate{At: r.clock.Now(), Prebooking: p})
	} else {
		r.publish(PrebookingArmed{At: r.clock.Now(), Prebooking: p})
	}
	j.run(armCtx)
}

// beatClaim refreshes the claim on prebooking id every Heartbeat until
// the returned stop is called — every FastBeat near its opening (server
// time; Timing.Near), where a standby takes a claim whose heartbeat stops
// over within FastStale, as long as its runner has not started sending
// (watch.go). Each write is noted in st (maySend); once the fire has
// passed its send gate (startSending) without the store taking the mark,
// the heartbeat writes it. When the store says the claim is no longer
// this runner's, it calls onLost once and stops.
func (r *Runner) beatClaim(id int64, opening time.Time, st *claimState, onLost func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for Sleep(ctx, r.clock, r.claimBeatFor(opening, st)) == nil {
			if r.beforeBeat != nil {
				r.beforeBeat(id)
			}
			// Held still: a simulated clock must not see the write take
			// time (a beat late by the simulation looks like a death).
			release := holdStill(r.clock)
			at := r.clock.Now()
			var err error
			if st.wantMark.Load() && !st.marked.Load() {
				if err = r.store.StartSending(ctx, id, r.owner); err == nil {
					st.marked.Store(true)
				}
			} else {
				err = r.store.TouchClaim(ctx, id, r.owner)
			}
			release()
			switch {
			case err == nil:
				st.wrote(at)
			case ctx.Err() != nil:
			case errors.Is(err, session.ErrConcurrentUpdate) || errors.Is(err, session.ErrNotFound):
				onLost(err)
				return
			default:
				st.failing.Store(true)
				r.log.Warn("cannot refresh the prebooking's claim", "prebooking", id, "err", err)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// claimState is what a fire knows of its claim between the store's
// answers.
type claimState struct {
	// lastWrite: when (local clock, Unix ns) the last claim write that
	// succeeded was issued; failing: the last write failed without saying
	// the claim is gone (a locked database, a full disk).
	lastWrite atomic.Int64
	failing   atomic.Bool
	// wantMark: the fire passed its send gate; marked: the store holds the
	// claim as sending (session.Store.StartSending).
	wantMark, marked atomic.Bool
}

func newClaimState(claimed time.Time) *claimState {
	st := &claimState{}
	st.lastWrite.Store(claimed.UnixNano())
	return st
}

// wrote notes a claim write issued at `at` that succeeded.
func (st *claimState) wrote(at time.Time) {
	if n := at.UnixNano(); n > st.lastWrite.Load() {
		st.lastWrite.Store(n)
	}
	st.failing.Store(false)
}

// takeoverKind says how a fire got its claim.
type takeoverKind struct {
	// mayHaveSent: taken over from a runner whose claim was marked
	// sending, or that may have fired from memory while the database was
	// locked (takeStalled): it may have booked already.
	mayHaveSent bool
}

// maySend is asked right before every booking request of a fire
// (docs/product.md invariant 6, fire once): not when the claim is known
// lost, and not when this runner has not managed to refresh it for half
// of StaleAfter while the store could be written — a process that stalled
// that long (swapped out, stopped, a pause) may have been taken over
// without knowing it yet, and must not send before its heartbeat has
// asked the store. A store nobody can write lets nobody take the claim
// over either: then the fire goes on from memory.
func (j *fireJob) maySend() bool {
	if j.lost != nil && j.lost.Load() {
		return false
	}
	if j.claim == nil || j.claim.failing.Load() {
		return true
	}
	silent := j.r.clock.Now().Sub(time.Unix(0, j.claim.lastWrite.Load()))
	if silent < j.r.timing.StaleAfter/2 {
		return true
	}
	j.r.log.Warn("not sending: this runner has not refreshed the prebooking's claim for too long, another may hold it now",
		"prebooking", j.p.ID, "silent_for", silent)
	return false
}

// bookedBefore reads the day before a takeover sends anything, when the
// runner it was taken from may have sent (docs/product.md invariant 6):
// a booking found there is the outcome. True when it stored one.
func (j *fireJob) bookedBefore(ctx context.Context) bool {
	c, ok, err := j.confirmBooked(ctx)
	if err != nil || !ok {
		return false
	}
	j.r.log.Info("taken over from a runner that may have sent: the day shows the class booked, nothing sent",
		"prebooking", j.p.ID)
	j.finish(ctx, confirmedOutcome(session.Outcome{}, c), time.Time{})
	return true
}

// claimBeatFor is claimBeat for a fire past its send gate too: there the
// heartbeat comes at least every StaleAfter/8, so a runner that is only
// slow keeps well inside maySend's StaleAfter/2.
func (r *Runner) claimBeatFor(opening time.Time, st *claimState) time.Duration {
	wait := r.claimBeat(opening)
	if st.wantMark.Load() {
		wait = min(wait, max(r.timing.StaleAfter/8, r.timing.FastBeat))
	}
	return wait
}

// claimBeat is the wait before the claim's next heartbeat: FastBeat in
// the fast window around opening (Timing.Near), else Heartbeat — cut
// short where the fast window begins.
func (r *Runner) claimBeat(opening time.Time) time.Duration {
	if opening.IsZero() {
		return r.timing.Heartbeat
	}
	now := r.clock.Now()
	from := r.localAt(opening.Add(-r.timing.Near))
	until := r.localAt(opening.Add(r.timing.Burst))
	switch {
	case now.Before(from):
		return max(min(r.timing.Heartbeat, from.Sub(now)), time.Millisecond)
	case now.Before(until):
		return r.timing.FastBeat
	}
	return r.timing.Heartbeat
}

// serverNow is the local clock corrected by the estimate, when there is a
// believable one.
func (r *Runner) serverNow() time.Time {
	now := r.clock.Now()
	if est, ok := r.estimator.Estimate(); ok && !est.Broken() {
		return now.Add(est.Offset)
	}
	return now
}

// serverAt is AimHarder's time when the local clock showed t (best
// guess, with the estimate as it is now).
func (r *Runner) serverAt(t time.Time) time.Time {
	if est, ok := r.estimator.Estimate(); ok && !est.Broken() {
		return t.Add(est.Offset)
	}
	return t
}

// localAt is when the local clock shows server time t (best guess).
func (r *Runner) localAt(t time.Time) time.Time {
	if est, ok := r.estimator.Estimate(); ok && !est.Broken() {
		return t.Add(-est.Offset)
	}
	return t
}

// untilClock bounds ctx by the moment the clock shows t. The wait runs in
// real time, which is the clock's own for a real clock.
func untilClock(ctx context.Context, c Clock, t time.Time) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.Round(0).Sub(c.Now().Round(0)))
}

func (j *fireJob) run(ctx context.Context) {
	r := j.r
	opening := j.p.OpensAt
	if j.late {
		opening = r.serverNow()
	}
	leaseUntil := r.localAt(opening).Add(r.timing.Burst + keepTryingFor + leaseMargin)
	if j.p.Unresolved() {
		// The burst may start only when the class appears, up to
		// resolveFor after the opening (fire_resolve.go).
		leaseUntil = leaseUntil.Add(resolveFor)
	}
	r.holdFireLease(ctx, leaseUntil)
	defer r.releaseFireLease()
	defer j.bg.Wait() // a refresh that missed its deadline ends inside the lease

	freshBy := r.localAt(opening.Add(-r.timing.WarmAhead - freshMargin))
	if j.late {
		freshBy = r.clock.Now().Add(lateFreshWait)
	}
	if err := j.freshSession(ctx, freshBy); err != nil {
		if ctx.Err() != nil {
			j.abort()
			return
		}
		r.log.Warn("cannot fire: the background session could not be made fresh", "prebooking", j.p.ID, "err", err)
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: string(outcome.NoSession), Late: j.late}, time.Time{})
		return
	}
	if !j.late {
		if err := sleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.EstimateAhead)), r.timing.Recheck); err != nil {
			j.abort()
			return
		}
		armBy := r.localAt(opening.Add(-r.timing.WarmAhead - freshMargin))
		armed := j.armAside(ctx, j.checkSession(ctx, opening, armBy), armBy)
		deadline := r.localAt(opening.Add(-r.timing.WarmAhead))
		if _, err := r.estimator.Probe(ctx, r.client, j.ref, probeTarget, deadline); err != nil && ctx.Err() == nil {
			r.log.Warn("server clock estimate failed; firing by the local clock", "err", err)
		}
		select { // done by armBy, before the warm-up
		case <-armed:
		case <-ctx.Done():
		}
		if err := sleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.WarmAhead)), r.timing.Recheck); err != nil {
			j.abort()
			return
		}
	}
	if j.p.Unresolved() && !j.resolve(ctx, cmp.Or(j.p.OpensAt, opening)) {
		return // listed only at its opening: not found, or given back
	}
	// From the warm-up to the burst nothing waits for the clock: a
	// simulated one must not move meanwhile (Holder).
	release := holdStill(r.clock)
	defer release()
	if ctx.Err() != nil {
		j.abort()
		return
	}
	// The request is prepared before the warm-up, so nothing but the send
	// itself is left for the instant.
	sess, err := r.store.Session(ctx, session.KindBackground)
	if err != nil {
		if ctx.Err() != nil {
			j.abort()
			return
		}
		j.r.log.Warn("cannot fire: the background session is gone", "prebooking", j.p.ID, "err", err)
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: string(outcome.NoSession), Late: j.late}, time.Time{})
		return
	}
	j.sent = sess.Credentials
	prepared, err := r.client.PrepareBook(sess.Credentials, j.ref, j.p.ClassID, j.p.Day,
		aimharder.BookOptions{Insist: j.p.AllowWaitlist, FamilyID: j.p.FamilyID})
	if err != nil {
		j.r.log.Warn("cannot fire: the booking could not be prepared", "prebooking", j.p.ID, "err", err)
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: string(outcome.Classify(err)), Late: j.late}, time.Time{})
		return
	}
	est, known := r.estimator.Estimate()
	plan := planFire(opening, r.clock.Now(), est, known, j.late, r.timing.Burst)
	if !j.late {
		j.warm(ctx, min(plan.staggered, maxWarmPings), plan.sends[0].Add(-warmMargin))
		// The warm-up pings refined the estimate: plan again.
		est, known = r.estimator.Estimate()
		plan = planFire(opening, r.clock.Now(), est, known, j.late, r.timing.Burst)
	}
	plan = j.shapePlan(plan)
	if ctx.Err() != nil {
		j.abort()
		return
	}
	// From here on the fire finishes even if the runner is asked to stop:
	// abandoning a burst could lose the class. The burst passes the send
	// gate (passGate) right before its first request; a claim taken over
	// before that sends nothing (j.lost, below).
	burstCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), burstHardLimit)
	defer cancel()
	j.plan = plan
	release()
	res := j.burst(burstCtx, prepared, plan)
	j.keepTrying(burstCtx, prepared, &res)
	j.saveCookies(burstCtx, j.sent, res.attempts)
	if j.lost.Load() {
		// Another runner took the claim over and fires it: judging here
		// (day reads, a re-login, a rearm) would only get in its way.
		r.log.Warn("the prebooking's claim went to another runner during the fire; leaving it to that one", "prebooking", j.p.ID)
		j.saveCookies(burstCtx, j.sent, res.rest())
		return
	}
	outcome, rearm := j.conclude(burstCtx, &res, true)
	outcome = j.lateness(&res, outcome)
	code := session.OutcomeOpeningStated
	if rearm.IsZero() {
		rearm, code = j.afterOpening(burstCtx, &res, outcome)
	}
	if rearm.IsZero() {
		// Stored as soon as the verdict is known; answers still in flight
		// only bring cookies.
		j.finish(burstCtx, outcome, res.firstSent)
	} else {
		j.rearm(burstCtx, rearm, code, outcome)
	}
	j.saveCookies(burstCtx, j.sent, res.rest())
}

// gateLead is how long before its first request a burst passes its send
// gate: the warm-up's own margin, so on a real clock the gate follows the
// warm-up at once.
const gateLead = warmMargin

// passGate waits until gateLead before firstSend and passes the send gate
// (startSending), once per fire; only then is the fire announced
// (PrebookingFiring). False: the claim is no longer this runner's, or ctx
// ended: send nothing.
func (j *fireJob) passGate(ctx context.Context, firstSend time.Time, plan firePlan) bool {
	if j.gated {
		return true
	}
	r := j.r
	if sleepUntil(ctx, r.clock, firstSend.Add(-gateLead), r.timing.Recheck) != nil {
		return false
	}
	release := holdStill(r.clock)
	defer release()
	if !j.startSending(ctx, firstSend) {
		return false
	}
	j.gated = true
	r.publish(PrebookingFiring{At: r.clock.Now(), Prebooking: j.p, Planned: plan.staggered})
	return true
}

// startSending is the fire's send gate, right before the first request: the
// store marks the claim as sending (session.Store.StartSending) in one
// update that either comes before any takeover — which then cannot happen
// on a short silence (watch.go) — or finds the claim taken over, and then
// this runner must not send (false): of the runners that held the claim
// at most one passes the gate. The store gets until the first send (50 ms
// at least); a database nobody can write by then does not hold the burst
// up (nobody can take the claim over meanwhile): the heartbeat writes the
// mark as soon as it can. A watcher that takes the claim over when the
// lock ends, before that mark, saw the lock too and reads the day before
// it sends (takeStalled).
func (j *fireJob) startSending(ctx context.Context, firstSend time.Time) bool {
	r := j.r
	by := firstSend
	if least := r.clock.Now().Add(50 * time.Millisecond); by.Before(least) {
		by = least
	}
	tctx, cancel := untilClock(context.WithoutCancel(ctx), r.clock, by)
	defer cancel()
	at := r.clock.Now()
	j.claim.wantMark.Store(true)
	err := r.store.StartSending(tctx, j.p.ID, r.owner)
	switch {
	case err == nil:
		j.claim.marked.Store(true)
		j.claim.wrote(at)
		return true
	case errors.Is(err, session.ErrConcurrentUpdate), errors.Is(err, session.ErrNotFound):
		j.lost.Store(true)
		return false
	}
	j.claim.failing.Store(true)
	r.log.Warn("cannot mark the prebooking's claim as sending before firing; firing anyway", "prebooking", j.p.ID, "err", err)
	return true
}

// conclude judges the burst (judge), doing the reading and writing that
// judging calls for: after AimHarder logged the session out mid-burst,
// one login and retry (relogin allows it) or, on a second logout, marking
// the session dead; the class's day re-read when the outcome depends on
// it; and a later opening learnt from a final "too early". A non-zero
// rearm means the server stated a later opening than the one fired at:
// the prebooking goes back to pending for it instead.
func (j *fireJob) conclude(ctx context.Context, res *burstResult, relogin bool) (o session.Outcome, rearm time.Time) {
	if res.verdict == verdictRefused && errors.Is(res.best.err, aimharder.ErrLoggedOut) {
		// A box that wants setrefresh (docs/protocol.md §3.1) says logout
		// to a live session: once per token, before any login.
		if retried, ok := j.refreshAndRetry(ctx, res); ok {
			*res = *retried
			return j.conclude(ctx, res, relogin)
		}
		if relogin {
			retried, err := j.reloginAndRetry(ctx, res)
			if err != nil {
				j.r.log.Warn("AimHarder logged the background session out during the fire, and logging in again failed",
					"prebooking", j.p.ID, "err", err)
				return loggedOutFailure(res, j.late), time.Time{}
			}
			*res = *retried
			return j.conclude(ctx, res, false)
		}
		j.markDead(ctx, j.sent, "AimHarder logged the session out again right after logging in during a fire")
	}
	var day dayRead
	if needsDay(res) {
		day.class, day.booked, day.err = j.confirmBooked(ctx)
	}
	o, tooEarly := judge(res, j.late, day)
	if o.Status == session.PrebookFailed || day.err != nil {
		// The outcome stores a code and AimHarder's words: the detail is here.
		j.r.log.Info("fire judged", "prebooking", j.p.ID, "outcome", o.Status, "code", o.Code,
			"last_err", res.best.err, "day_err", day.err)
	}
	if tooEarly != nil {
		if later := j.statedOpening(ctx, tooEarly); !later.IsZero() {
			return o, later
		}
	}
	return o, time.Time{}
}

// lateness judges how late the fire was from when its decisive request
// left (docs/product.md invariant 7: outcomes are honest): the accepted
// request; for a booking found already made, the first request of this
// fire whose answer was lost (it may be the one that booked) — else the
// booking predates this fire and its time is not known, so it is not
// called late; for a failure, the first request. The send time is taken
// in AimHarder's time (the local clock corrected by the estimate), the
// way the fire aimed at the opening.
func (j *fireJob) lateness(res *burstResult, o session.Outcome) session.Outcome {
	var sent time.Time
	switch {
	case res.verdict == verdictBooked:
		sent = res.best.sent
	case o.Status == session.PrebookBooked || o.Status == session.PrebookWaitlisted:
		for _, a := range res.attempts {
			if aimharder.Ambiguous(a.err) && (sent.IsZero() || a.sent.Before(sent)) {
				sent = a.sent
			}
		}
	default:
		sent = res.firstSent
	}
	return j.withLateness(o, sent)
}

// withLateness records the send time (local clock) and the lateness it
// means. A zero sent leaves a failure's Late as it was (the fire started
// after the opening, or not) and clears a booking's: no evidence.
func (j *fireJob) withLateness(o session.Outcome, sent time.Time) session.Outcome {
	o.SentAt, o.LateBy = time.Time{}, 0
	if sent.IsZero() {
		if o.Status == session.PrebookBooked || o.Status == session.PrebookWaitlisted {
			o.Late = false
		}
		return o
	}
	o.SentAt = j.r.serverAt(sent)
	if j.p.OpensAt.IsZero() {
		return o
	}
	o.LateBy = o.SentAt.Sub(j.p.OpensAt)
	o.Late = o.LateBy >= session.LateAfter
	if o.Late {
		j.r.log.Warn("the booking request left late", "prebooking", j.p.ID, "late_by", o.LateBy)
	}
	return o
}

// confirmBooked re-reads the class's day as the family member the
// prebooking books for: is that member in the class?
func (j *fireJob) confirmBooked(ctx context.Context) (account.ClassView, bool, error) {
	c, booked, err := j.r.svc.ConfirmBooked(ctx, session.KindBackground, j.box, j.p.ClassID, j.p.Day, j.p.FamilyID)
	if err != nil {
		j.r.log.Warn("cannot re-read the day to confirm a booking", "prebooking", j.p.ID, "err", err)
	}
	return c, booked && err == nil, err
}

// missed stores that the window passed while no runner ran and the class
// has started — unless the day shows the member booked after all (a
// runner that died mid-fire may have booked it).
func (j *fireJob) missed(ctx context.Context) {
	if c, ok, _ := j.confirmBooked(ctx); ok {
		// Booked by a runner that stopped after sending: when, is not
		// known, so it is not called late.
		o := confirmedOutcome(session.Outcome{}, c)
		j.finish(ctx, o, time.Time{})
		return
	}
	j.r.log.Info("missed: the booking window opened while no runner was running, and the class has started",
		"prebooking", j.p.ID, "opened", j.p.OpensAt)
	j.finish(ctx, session.Outcome{Status: session.PrebookMissed, Code: string(outcome.Missed), Late: true}, time.Time{})
}

// abort stops a fire before its burst: the claim goes back to pending
// (the runner is stopping), unless another runner took it over — then it
// is that runner's to fire and report.
func (j *fireJob) abort() {
	if j.lost.Load() {
		j.r.log.Warn("another runner took the prebooking's claim over: not firing it", "prebooking", j.p.ID)
		return
	}
	j.settled.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := j.r.store.Unclaim(ctx, j.p.ID, j.r.owner); err != nil {
		j.r.log.Warn("cannot give the prebooking back", "prebooking", j.p.ID, "err", err)
		return
	}
	j.r.log.Info("prebooking given back to pending: the runner is stopping", "prebooking", j.p.ID)
}
