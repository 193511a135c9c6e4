package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// Fire phases.
const (
	sessionRetry     = 10 * time.Second // a fresh session could not be had: try again
	sessionLeaseWait = 15 * time.Second // wait for a rotation in progress before taking the lease
	leaseMargin      = 15 * time.Second // the session lease outlives the planned end of the fire by this
	// After a burst that ended in trouble, persist retries from persistFirst
	// apart, doubling up to persistMax, until persistFor after the opening
	// (well inside burstHardLimit, which must also cover the confirmation).
	persistFirst = 250 * time.Millisecond
	persistMax   = 4 * time.Second
	persistFor   = 20 * time.Second
	// persistSendGrace: how long past persistFor a persisting request may
	// wait for its answer; judgeReserve: what persisting leaves of
	// burstHardLimit for the confirmation and the outcome.
	persistSendGrace = 5 * time.Second
	judgeReserve     = 15 * time.Second
	maxWarmPings     = 6
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
	runCtx        context.Context // the runner's: ends when it stops, not when the claim is lost
	// sent is the credentials the booking requests carry (PrepareBook's).
	sent aimharder.Credentials
	// bg holds work the fire started and must outlive the send (a token
	// refresh that missed its deadline); run waits for it at the end.
	bg sync.WaitGroup
	// statedRule is the window a "too early" answer stated, when it moved
	// the opening (statedOpening).
	statedRule *aimharder.Rule
	plan       firePlan // the burst's plan
}

// fire takes a prebooking this runner claimed to its outcome: arm, make
// the session fresh and take its lease, estimate the server's clock, warm
// the connections, send the staggered burst, store the outcome, publish
// it. The claim's heartbeat runs throughout, so other runners see it is
// alive; if it turns out another runner took the claim over, the fire
// stops before sending anything. If ctx ends before the burst starts, the
// claim goes back to pending for the next runner; a burst under way
// always finishes.
func (r *Runner) fire(ctx context.Context, p session.Prebooking) {
	armCtx, cancelArm := context.WithCancel(ctx)
	defer cancelArm()
	lost, settled := new(atomic.Bool), new(atomic.Bool)
	stopBeat := r.beatClaim(p.ID, func(err error) {
		if !settled.Load() {
			r.log.Warn("the prebooking's claim is no longer this runner's", "prebooking", p.ID, "err", err)
			lost.Store(true)
			cancelArm()
		}
	})
	defer stopBeat()

	box, err := r.store.Box(armCtx, p.BoxID)
	if err != nil {
		j := &fireJob{r: r, p: p, lost: lost, settled: settled}
		if armCtx.Err() != nil {
			j.abort()
			return
		}
		settled.Store(true)
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: "error",
			Message: "its box is not in the database any more: " + err.Error()}, time.Time{})
		return
	}
	p = p.InBoxZone(box)
	ref, err := account.BoxRef(box)
	if err != nil {
		settled.Store(true)
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: "error", Message: err.Error()}, time.Time{})
		return
	}
	j := &fireJob{r: r, p: p, box: box, ref: ref, lost: lost, settled: settled, runCtx: ctx}
	serverNow := r.serverNow()
	if !serverNow.Before(p.ClassStart) {
		j.missed(ctx)
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
// the returned stop is called. When the store says the claim is no longer
// this runner's, it calls onLost once and stops.
func (r *Runner) beatClaim(id int64, onLost func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for Sleep(ctx, r.clock, r.timing.Heartbeat) == nil {
			err := r.store.TouchClaim(ctx, id, r.owner)
			switch {
			case err == nil || ctx.Err() != nil:
			case errors.Is(err, session.ErrConcurrentUpdate) || errors.Is(err, session.ErrNotFound):
				onLost(err)
				return
			default:
				r.log.Warn("cannot refresh the prebooking's claim", "prebooking", id, "err", err)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
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

// localAt is when the local clock shows server time t (best guess).
func (r *Runner) localAt(t time.Time) time.Time {
	if est, ok := r.estimator.Estimate(); ok && !est.Broken() {
		return t.Add(-est.Offset)
	}
	return t
}

// holdSim keeps a simulated clock (ManualClock, with its Hold) from
// moving while the fire does work that must take no time on it — the
// database reads and writes just before a burst; on a real clock it does
// nothing. The returned release may be called more than once.
func (r *Runner) holdSim() (release func()) {
	if h, ok := r.clock.(interface{ Hold() (release func()) }); ok {
		return h.Hold()
	}
	return func() {}
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
	leaseUntil := r.localAt(opening).Add(r.timing.Burst + persistFor + leaseMargin)
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
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: "no_session", Late: j.late,
			Message: "the background session could not be made fresh: " + err.Error()}, time.Time{})
		return
	}
	if !j.late {
		if err := SleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.EstimateAhead)), r.timing.Recheck); err != nil {
			j.abort()
			return
		}
		j.checkSession(ctx, opening, r.localAt(opening.Add(-r.timing.WarmAhead-freshMargin)))
		deadline := r.localAt(opening.Add(-r.timing.WarmAhead))
		if _, err := r.estimator.Probe(ctx, r.client, j.ref, probeTarget, deadline); err != nil && ctx.Err() == nil {
			r.log.Warn("server clock estimate failed; firing by the local clock", "err", err)
		}
		if err := SleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.WarmAhead)), r.timing.Recheck); err != nil {
			j.abort()
			return
		}
	}
	// From the warm-up to the burst nothing waits for the clock: a
	// simulated one must not move meanwhile.
	release := r.holdSim()
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
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: "no_session", Late: j.late,
			Message: "the background session is gone: " + err.Error()}, time.Time{})
		return
	}
	j.sent = sess.Credentials
	prepared, err := r.client.PrepareBook(sess.Credentials, j.ref, j.p.ClassID, j.p.Day,
		aimharder.BookOptions{Insist: j.p.AllowWaitlist, FamilyID: j.p.FamilyID})
	if err != nil {
		j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: "error", Late: j.late, Message: err.Error()}, time.Time{})
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
	if ctx.Err() != nil {
		j.abort()
		return
	}
	if !j.reassertClaim(ctx, plan.sends[0]) {
		j.abort()
		return
	}

	r.publish(PrebookingFiring{At: r.clock.Now(), Prebooking: j.p, Planned: plan.staggered})
	// From here on the fire finishes even if the runner is asked to stop:
	// abandoning a burst could lose the class.
	burstCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), burstHardLimit)
	defer cancel()
	j.plan = plan
	release()
	res := j.burst(burstCtx, prepared, plan)
	j.persist(burstCtx, prepared, &res)
	j.saveCookies(burstCtx, j.sent, res.attempts)
	if j.lost.Load() {
		// Another runner took the claim over and fires it: judging here
		// (day reads, a re-login, a rearm) would only get in its way.
		r.log.Warn("the prebooking's claim went to another runner during the fire; leaving it to that one", "prebooking", j.p.ID)
		j.saveCookies(burstCtx, j.sent, res.rest())
		return
	}
	outcome, rearm := j.judge(burstCtx, &res, true)
	if rearm.IsZero() {
		// Stored as soon as the verdict is known; answers still in flight
		// only bring cookies.
		j.finish(burstCtx, outcome, res.firstSent)
	} else {
		j.rearm(burstCtx, rearm, outcome)
	}
	j.saveCookies(burstCtx, j.sent, res.rest())
}

// persist keeps trying after a burst that ended in trouble — a 5xx, a cut
// or dropped answer, a timeout — one request at a time and slower each
// time, until an answer that says something or persistFor after the
// opening. AimHarder swamped at a popular opening answers like that for
// seconds, and the class may still have room when it recovers; giving up
// with the burst would leave the member with "unconfirmed". Sending again
// is safe: a booking that went through turns the answer into "already
// booked".
func (j *fireJob) persist(ctx context.Context, prepared *aimharder.PreparedBook, res *burstResult) {
	if res.verdict != verdictRetry || len(res.attempts) == 0 || !ambiguous(res.attempts[len(res.attempts)-1].err) {
		return
	}
	clock := j.r.clock
	// Never once the class has started: a booking then costs a credit for
	// a class the member cannot attend.
	until := j.plan.opening.Add(persistFor)
	if start := j.r.localAt(j.p.ClassStart); start.Before(until) {
		until = start
	}
	for wait := persistFirst; ; wait = min(2*wait, persistMax) {
		at := clock.Now().Add(wait)
		if at.After(until) || SleepUntil(ctx, clock, at, j.r.timing.Recheck) != nil || j.lost.Load() {
			return
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < judgeReserve {
			return // what is left of burstHardLimit is for confirming and storing
		}
		// One slow answer must not eat the time left for judging either.
		sendCtx, cancel := untilClock(ctx, clock, until.Add(persistSendGrace))
		a := attempt{sent: clock.Now()}
		a.res, a.creds, a.err = prepared.Send(sendCtx)
		cancel()
		res.sent++
		res.attempts = append(res.attempts, a)
		if v := judgeAttempt(a); v != verdictRetry || !ambiguous(a.err) {
			res.verdict, res.best = v, a
			return
		}
	}
}

// reassertClaim refreshes the claim right before the burst: a runner that
// took it over fires it, this one must not (false). The store gets until
// the first send (50 ms at least); a database that cannot answer by then
// does not hold the burst up — the claim's heartbeat kept it fresh.
func (j *fireJob) reassertClaim(ctx context.Context, firstSend time.Time) bool {
	r := j.r
	by := firstSend
	if least := r.clock.Now().Add(50 * time.Millisecond); by.Before(least) {
		by = least
	}
	tctx, cancel := untilClock(context.WithoutCancel(ctx), r.clock, by)
	defer cancel()
	err := r.store.TouchClaim(tctx, j.p.ID, r.owner)
	switch {
	case err == nil:
		return true
	case errors.Is(err, session.ErrConcurrentUpdate), errors.Is(err, session.ErrNotFound):
		j.lost.Store(true)
		return false
	}
	r.log.Warn("cannot re-assert the prebooking's claim before firing; firing anyway", "prebooking", j.p.ID, "err", err)
	return true
}

// freshSession makes the background session fresh (refreshing it when
// older than refresh_before_fire, logging in again when AimHarder ended it
// and password_command is set), retrying until by. It never makes the
// fire wait past by: a refresh still running then goes on in the
// background (cutting a tokenUpdate off could lose the rotated token) and
// the fire goes ahead with the current credentials — so does it after any
// failure but an expired or missing session, which it returns.
func (j *fireJob) freshSession(ctx context.Context, by time.Time) error {
	r := j.r
	done := make(chan error, 1)
	// The refresh runs under the runner's context: losing the claim does
	// not cut a tokenUpdate off.
	j.bg.Go(func() { done <- j.freshLoop(j.runCtx, by) })
	err, finished := waitOn(ctx, r.clock, by, r.timing.Recheck, done)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case !finished:
		r.log.Warn("the background session is still being refreshed at the deadline; firing with the current credentials",
			"prebooking", j.p.ID)
		return nil
	case err == nil:
		return nil
	case sessionGone(err):
		return err
	}
	r.log.Warn("the background session could not be refreshed; firing with the current credentials",
		"prebooking", j.p.ID, "err", err)
	return nil
}

// sessionGone reports an error that no retry fixes without the member:
// the session is missing, or expired and could not be logged in again.
func sessionGone(err error) bool {
	return errors.Is(err, account.ErrSessionExpired) || errors.Is(err, account.ErrNotLoggedIn) ||
		errors.Is(err, session.ErrNoSession) || errors.Is(err, session.ErrSessionDead)
}

// checkSession asks AimHarder whether the background session is still
// alive, once for all the fires of an opening. It was made fresh a minute
// ago, but a logout since (one on another device ends every session) would
// otherwise show only at the instant, when logging in again costs the
// class; found now, password_command logs in again in time. The check
// reads only: it never rotates the token under its short deadline.
func (j *fireJob) checkSession(ctx context.Context, opening, by time.Time) {
	r := j.r
	if !r.clock.Now().Before(by) || !r.takeSessionCheck(opening) {
		return
	}
	// The question gets sessionCheckFor, so that the clock probe after it
	// keeps its time; a re-login it calls for (password_command may take
	// seconds) may run until the warm-up.
	ctx, cancel := untilClock(ctx, r.clock, by)
	defer cancel()
	err := r.svc.CheckAlive(ctx, session.KindBackground, sessionCheckFor)
	switch {
	case err == nil || j.lost.Load():
	case ctx.Err() != nil && j.runCtx.Err() == nil:
		r.log.Warn("checking the background session before a fire took too long; going on", "prebooking", j.p.ID)
	case ctx.Err() == nil:
		r.log.Warn("checking the background session before a fire failed", "prebooking", j.p.ID, "err", err)
	}
}

// takeSessionCheck reports whether this fire should check the session:
// no other fire of this runner has for the same opening.
func (r *Runner) takeSessionCheck(opening time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sessionChecked.Equal(opening) {
		return false
	}
	r.sessionChecked = opening
	return true
}

func (j *fireJob) freshLoop(ctx context.Context, by time.Time) error {
	r := j.r
	for {
		err := j.freshOnce(ctx)
		if err == nil || ctx.Err() != nil || sessionGone(err) {
			return err
		}
		r.log.Warn("cannot make the background session fresh before a fire", "prebooking", j.p.ID, "err", err)
		next := r.clock.Now().Add(sessionRetry)
		if j.late || !next.Before(by) {
			return err
		}
		if err := SleepUntil(ctx, r.clock, next, r.timing.Recheck); err != nil {
			return err
		}
	}
}

func (j *fireJob) freshOnce(ctx context.Context) error {
	r := j.r
	th, err := r.store.Thresholds(ctx)
	if err != nil {
		return err
	}
	_, err = r.svc.Fresh(ctx, session.KindBackground, th.RefreshBeforeFire)
	if !errors.Is(err, account.ErrSessionExpired) {
		return err
	}
	rerr := r.svc.Relogin(ctx, session.KindBackground)
	switch {
	case rerr == nil:
		_, err = r.svc.Fresh(ctx, session.KindBackground, th.RefreshBeforeFire)
		return err
	case errors.Is(rerr, account.ErrNoPasswordCommand), errors.Is(rerr, aimharder.ErrBadCredentials):
		return err // the member has to act
	}
	// A failure that may pass (network, AimHarder trouble): try again.
	return fmt.Errorf("the session expired and logging in again failed: %w", rerr)
}

// waitOn waits until ch delivers, the clock shows deadline, or ctx ends;
// false when ch did not deliver.
func waitOn[T any](ctx context.Context, c Clock, deadline time.Time, recheck time.Duration, ch <-chan T) (T, bool) {
	var zero T
	if recheck <= 0 {
		recheck = DefaultRecheck
	}
	for {
		left := deadline.Round(0).Sub(c.Now().Round(0))
		if left <= 0 {
			select {
			case v := <-ch:
				return v, true
			default:
				return zero, false
			}
		}
		t := c.NewTimer(min(left, recheck))
		select {
		case v := <-ch:
			t.Stop()
			return v, true
		case <-ctx.Done():
			t.Stop()
			return zero, false
		case <-t.C():
		}
	}
}

// warm opens n connections to the box (concurrent pings) so the staggered
// attempts, which overlap in flight, each find a connection ready; their
// answers also refine the clock estimate. Pings still unanswered when the
// clock shows by are abandoned: the burst does not wait for them.
func (j *fireJob) warm(ctx context.Context, n int, by time.Time) {
	ctx, cancel := untilClock(ctx, j.r.clock, by)
	defer cancel()
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Go(func() {
			x, err := j.r.client.Ping(ctx, j.ref)
			if err == nil {
				j.r.estimator.Record(x)
			}
		})
	}
	wg.Wait()
}

// attempt is one booking request of a burst and its answer.
type attempt struct {
	sent  time.Time
	res   aimharder.BookResult
	creds aimharder.Credentials
	err   error
}

// verdict is what an answer means for the burst.
type verdict int

const (
	verdictRetry   verdict = iota // too early, or no usable answer: keep going
	verdictRefused                // a definitive refusal: stop
	verdictAlready                // "already booked at that time": stop, then confirm
	verdictBooked                 // booked or waitlisted: stop
)

func judgeAttempt(a attempt) verdict {
	switch {
	case a.err == nil:
		return verdictBooked
	case errors.Is(a.err, aimharder.ErrTooEarly):
		return verdictRetry
	case errors.Is(a.err, aimharder.ErrAlreadyBooked):
		return verdictAlready
	case errors.Is(a.err, aimharder.ErrRefused), errors.Is(a.err, aimharder.ErrLoggedOut), errors.Is(a.err, aimharder.ErrBlocked):
		return verdictRefused
	}
	// A network failure, a 5xx or a cut answer: the booking may or may
	// not have happened. Sending again is safe — a booking that happened
	// turns the next answer into "already booked".
	return verdictRetry
}

// ambiguous reports an answer that says nothing about whether AimHarder
// booked the class (a 5xx, a cut or unreadable answer, a dropped
// connection, a timeout): it may have.
func ambiguous(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var h *aimharder.HTTPError
	var t *aimharder.TransportError
	return errors.As(err, &h) || errors.As(err, &t) || errors.Is(err, aimharder.ErrProtocol)
}

// burstResult is everything a burst learned by the time its verdict was
// known.
type burstResult struct {
	attempts  []attempt // answered, in answer order
	sent      int       // requests sent, answered or not
	best      attempt
	verdict   verdict
	firstSent time.Time
	// rest waits for the answers still in flight when the verdict came
	// (their cookies are worth saving) and returns them.
	rest func() []attempt
}

// anyAmbiguous reports whether an answer of the burst may hide a booking.
func (b *burstResult) anyAmbiguous() bool {
	for _, a := range b.attempts {
		if ambiguous(a.err) {
			return true
		}
	}
	return false
}

// burst sends the planned attempts, stopping the schedule at the first
// answer that settles the matter. A booking, or "already booked", is the
// verdict at once (the answers still in flight cannot change it: rest
// collects them); after a refusal the answers in flight are awaited, since
// one of them may be a booking.
func (j *fireJob) burst(ctx context.Context, prepared *aimharder.PreparedBook, plan firePlan) burstResult {
	clock := j.r.clock
	scheduleCtx, stopSchedule := context.WithCancel(ctx)
	answers := make(chan attempt, len(plan.sends))
	sendingDone := make(chan struct{})
	var (
		sent      int
		firstSent time.Time
	)
	go func() {
		var inFlight sync.WaitGroup
		slots := make(chan struct{}, maxInFlight)
		for _, at := range plan.sends {
			if SleepUntil(scheduleCtx, clock, at, j.r.timing.Recheck) != nil {
				break
			}
			if j.lost.Load() {
				// Another runner took the claim over (this one stalled past
				// StaleAfter): it fires now; two bursts would only collide.
				break
			}
			select {
			case slots <- struct{}{}:
			case <-scheduleCtx.Done():
			}
			if scheduleCtx.Err() != nil {
				break
			}
			// A slot can take long to free (slow answers): the claim may be
			// gone by then, and sends past the burst's end are persist's —
			// once one has gone: a burst that starts late (a slow machine)
			// still sends.
			if j.lost.Load() || (sent > 0 && clock.Now().After(plan.end)) {
				<-slots
				break
			}
			at := clock.Now()
			if firstSent.IsZero() {
				firstSent = at
			}
			sent++
			inFlight.Go(func() {
				defer func() { <-slots }()
				res, creds, err := prepared.Send(ctx)
				answers <- attempt{sent: at, res: res, creds: creds, err: err}
			})
		}
		close(sendingDone)
		inFlight.Wait()
		close(answers)
	}()

	out := burstResult{verdict: verdictRetry, rest: func() []attempt { return nil }}
	decided := false
	for a := range answers {
		out.attempts = append(out.attempts, a)
		v := judgeAttempt(a)
		if v > out.verdict || len(out.attempts) == 1 {
			out.verdict, out.best = v, a
		}
		if v != verdictRetry {
			stopSchedule()
		}
		if v == verdictBooked || v == verdictAlready {
			decided = true
			break
		}
	}
	stopSchedule()
	<-sendingDone // sent and firstSent are final
	out.sent, out.firstSent = sent, firstSent
	if decided {
		out.rest = func() []attempt {
			var rest []attempt
			for a := range answers {
				rest = append(rest, a)
			}
			return rest
		}
	}
	return out
}

// Outcome codes of the unsure cases.
const (
	// codeAlreadyUnconfirmed: "already booked at that time" (a success, by
	// invariant 7) that could not be confirmed to be this class.
	codeAlreadyUnconfirmed = "already_booked_unconfirmed"
	// codeUnconfirmed: a failure after an answer that may hide a booking,
	// which the day could not be read to rule out.
	codeUnconfirmed = "unconfirmed"
)

// judge turns a burst into the outcome to store. A non-zero rearm means
// the server stated a later opening than the one fired at: the
// prebooking goes back to pending for it instead. relogin allows one
// login and retry after AimHarder logged the session out mid-burst.
func (j *fireJob) judge(ctx context.Context, res *burstResult, relogin bool) (session.Outcome, time.Time) {
	o := session.Outcome{Attempts: res.sent, Late: j.late}
	best := res.best
	switch res.verdict {
	case verdictBooked:
		o.Status, o.Code, o.ReservationID = session.PrebookBooked, "booked", best.res.ReservationID
		if best.res.State == aimharder.StateWaitlisted {
			o.Status, o.Code = session.PrebookWaitlisted, "waitlisted"
		}
		return o, time.Time{}
	case verdictAlready:
		c, booked, err := j.confirmBooked(ctx)
		switch {
		case booked:
			return j.confirmedOutcome(o, c), time.Time{}
		case err != nil:
			o.Status, o.Code = session.PrebookBooked, codeAlreadyUnconfirmed
			o.Message = "AimHarder said you are already booked at that time, but the day could not be read to " +
				"confirm it is this class (" + err.Error() + "): check your bookings in AimHarder"
			return o, time.Time{}
		}
		o.Status, o.Code, o.Message = session.PrebookFailed, "already_booked_other", refusalMessage(best.err)
		return o, time.Time{}
	case verdictRefused:
		if errors.Is(best.err, aimharder.ErrLoggedOut) {
			if !relogin {
				j.markDead(ctx, j.sent, "AimHarder logged the session out again right after logging in during a fire")
			} else if retried, err := j.reloginAndRetry(ctx, res); err == nil {
				*res = *retried
				return j.judge(ctx, res, false)
			} else {
				o.Status, o.Code = session.PrebookFailed, "logged_out"
				o.Message = "AimHarder logged the background session out during the fire: " + err.Error()
				return o, time.Time{}
			}
		}
		o.Status, o.Code, o.Message = session.PrebookFailed, refusalCode(best.err), refusalMessage(best.err)
		return j.unlessBooked(ctx, res, o), time.Time{}
	}
	// Only "too early" or unusable answers. A lost answer may hide a
	// booking that happened: look before calling it a failure.
	c, booked, cerr := j.confirmBooked(ctx)
	if booked {
		return j.confirmedOutcome(o, c), time.Time{}
	}
	// Report the server's "too early" when it said so, else the last trouble.
	var lastErr error
	for _, a := range res.attempts {
		if lastErr == nil || !errors.Is(lastErr, aimharder.ErrTooEarly) || errors.Is(a.err, aimharder.ErrTooEarly) {
			lastErr = a.err
		}
	}
	o.Status, o.Code, o.Message = session.PrebookFailed, refusalCode(lastErr), refusalMessage(lastErr)
	if cerr != nil && res.anyAmbiguous() {
		return unconfirmed(o, cerr), time.Time{}
	}
	if errors.Is(lastErr, aimharder.ErrTooEarly) {
		o.Message = "AimHarder still said too early at the end of the burst — " + o.Message
		if later := j.statedOpening(ctx, lastErr); !later.IsZero() {
			return o, later
		}
	}
	return o, time.Time{}
}

// unlessBooked checks a definitive refusal that followed an answer that
// may hide a booking (a 5xx, a cut answer, a dropped connection): the
// day decides. It returns the refusal when nothing was ambiguous or the
// day shows no booking.
func (j *fireJob) unlessBooked(ctx context.Context, res *burstResult, refusal session.Outcome) session.Outcome {
	if !res.anyAmbiguous() {
		return refusal
	}
	c, booked, err := j.confirmBooked(ctx)
	switch {
	case booked:
		return j.confirmedOutcome(refusal, c)
	case err != nil:
		return unconfirmed(refusal, err)
	}
	return refusal
}

// unconfirmed is a failure whose earlier lost answer may have booked the
// class, unchecked because the day could not be read.
func unconfirmed(o session.Outcome, readErr error) session.Outcome {
	o.Status, o.Code = session.PrebookFailed, codeUnconfirmed
	if o.Message != "" {
		o.Message += "; "
	}
	o.Message += "an earlier attempt got no clear answer and the day could not be read to check it (" +
		readErr.Error() + "): check in AimHarder whether you are booked"
	return o
}

// reloginAndRetry follows the protocol after AimHarder logged the session
// out mid-burst: mark it dead (keyed on the credentials the burst sent),
// log in once with password_command, and send the booking again — once
// now, then at the burst's remaining planned times while AimHarder says
// "too early" (the logout may have come before the opening). It returns
// the burst with the retry's verdict, or why it could not.
func (j *fireJob) reloginAndRetry(ctx context.Context, res *burstResult) (*burstResult, error) {
	r := j.r
	if j.markDead(ctx, j.sent, "AimHarder logged the session out during a fire") {
		if err := r.svc.Relogin(ctx, session.KindBackground); err != nil {
			if errors.Is(err, account.ErrNoPasswordCommand) {
				return nil, errors.New("run `ahtui login`, or set password_command so ahtui can log in again by itself")
			}
			return nil, fmt.Errorf("logging in again with password_command failed: %w", err)
		}
	}
	sess, err := r.store.Session(ctx, session.KindBackground)
	if err != nil {
		return nil, fmt.Errorf("reading the session after logging in again: %w", err)
	}
	prepared, err := r.client.PrepareBook(sess.Credentials, j.ref, j.p.ClassID, j.p.Day,
		aimharder.BookOptions{Insist: j.p.AllowWaitlist, FamilyID: j.p.FamilyID})
	if err != nil {
		return nil, err
	}
	r.log.Info("logged in again after AimHarder ended the session mid-fire; sending the booking again", "prebooking", j.p.ID)
	now := r.clock.Now()
	retry := firePlan{sends: []time.Time{now}, staggered: 1, end: j.plan.end, opening: j.plan.opening}
	for _, at := range j.plan.sends {
		if at.After(now) {
			retry.sends = append(retry.sends, at)
		}
	}
	again := j.burst(ctx, prepared, retry)
	j.persist(ctx, prepared, &again)
	j.saveCookies(ctx, sess.Credentials, again.attempts)
	j.sent = sess.Credentials
	firstRest, againRest := res.rest, again.rest
	out := &burstResult{
		attempts:  append(slices.Clone(res.attempts), again.attempts...),
		sent:      res.sent + again.sent,
		best:      again.best,
		verdict:   again.verdict,
		firstSent: res.firstSent,
		rest: func() []attempt {
			return append(firstRest(), againRest()...)
		},
	}
	return out, nil
}

// markDead records that AimHarder ended the session the fire used. It
// returns false when the session had already moved on (rotated or logged
// in again since), so the answer was about credentials nobody holds.
func (j *fireJob) markDead(ctx context.Context, used aimharder.Credentials, reason string) bool {
	err := j.r.store.MarkDead(ctx, session.KindBackground, used, reason)
	if errors.Is(err, session.ErrConcurrentUpdate) || errors.Is(err, session.ErrNoSession) {
		// Rotated or logged in again meanwhile — or gone: the member ran
		// `ahtui logout`, and nothing may log them back in.
		return false
	}
	if err != nil {
		j.r.log.Warn("cannot mark the background session dead", "err", err)
	}
	return true
}

// confirmedOutcome is the success an "already booked" (or lost) answer
// turns out to be once the day shows the class booked.
func (j *fireJob) confirmedOutcome(o session.Outcome, c account.ClassView) session.Outcome {
	o.Status, o.Code, o.ReservationID = session.PrebookBooked, "already_booked", c.ReservationID
	if c.Class.State == aimharder.StateWaitlisted {
		o.Status = session.PrebookWaitlisted
	}
	o.Message = "AimHarder shows you booked in this class"
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

// statedOpening is the opening the server's "too early" message implies,
// when it is later than the one fired at (the rule was wrong). The rule
// it states is recorded as the box's learned window.
func (j *fireJob) statedOpening(ctx context.Context, err error) time.Time {
	var te *aimharder.TooEarlyError
	if !errors.As(err, &te) || !te.WindowKnown {
		return time.Time{}
	}
	opens := te.Window.OpensAt(j.p.ClassStart)
	if opens.IsZero() || !opens.After(j.p.OpensAt.Add(j.r.timing.Burst)) || !opens.Before(j.p.ClassStart) {
		return time.Time{}
	}
	rule := te.Window
	j.statedRule = &rule
	if j.box.LearnedWindow != te.Window.String() {
		if err := j.r.store.SetLearnedWindow(ctx, j.box.ID, te.Window.String()); err == nil {
			j.r.log.Info("learned the box's booking window from a fire", "box", j.box.Subdomain, "rule", te.Window.String())
		}
	}
	return opens
}

// rearm puts the prebooking back to pending with the opening the server
// stated, marked as stated so the box's rule does not move it back. If
// that fails, the burst's outcome is stored instead. A rule the member set
// that disagrees is reported.
func (j *fireJob) rearm(ctx context.Context, opens time.Time, fallback session.Outcome) {
	r := j.r
	j.settled.Store(true)
	if err := r.store.Rearm(ctx, j.p.ID, r.owner, opens); err != nil {
		r.log.Warn("cannot put the prebooking back for the opening AimHarder stated", "prebooking", j.p.ID, "err", err)
		j.finish(ctx, fallback, time.Time{})
		return
	}
	p := j.p
	p.Status, p.ClaimedBy, p.FiredAt, p.OutcomeCode = session.PrebookPending, "", time.Time{}, session.OutcomeOpeningStated
	p.OpensAt = opens
	p = p.InBoxZone(j.box)
	r.log.Info("AimHarder said too early: the prebooking waits for the opening it stated", "prebooking", p.ID, "opens_at", opens)
	r.publish(PrebookingArmed{At: r.clock.Now(), Prebooking: p})
	if member, ok := memberRule(j.box); ok && j.statedRule != nil && member.String() != j.statedRule.String() {
		r.publish(WindowRuleWrong{At: r.clock.Now(), Box: j.box.Subdomain, MemberRule: member.String(),
			ServerRule: j.statedRule.String(), Prebooking: p})
	}
}

// memberRule is the window rule the member set for the box, if any.
func memberRule(b session.Box) (aimharder.Rule, bool) {
	if strings.TrimSpace(b.MemberWindow) == "" {
		return aimharder.Rule{}, false
	}
	rule, err := aimharder.ParseRule(b.MemberWindow)
	return rule, err == nil
}

// missed stores that the window passed while no runner ran and the class
// has started — unless the day shows the member booked after all (a
// runner that died mid-fire may have booked it).
func (j *fireJob) missed(ctx context.Context) {
	if c, ok, _ := j.confirmBooked(ctx); ok {
		o := j.confirmedOutcome(session.Outcome{Late: true}, c)
		j.finish(ctx, o, time.Time{})
		return
	}
	msg := fmt.Sprintf("its booking window opened %s while no runner was running, and the class has started",
		j.p.OpensAt.Format("Mon 2 Jan 15:04"))
	j.finish(ctx, session.Outcome{Status: session.PrebookMissed, Code: "missed", Message: msg, Late: true}, time.Time{})
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

// saveCookies persists the cookies the booking answers changed, merged in
// answer order (a later answer's value wins), onto the credentials sent.
func (j *fireJob) saveCookies(ctx context.Context, sent aimharder.Credentials, attempts []attempt) {
	merged, changed := sent.Clone(), false
	for _, a := range attempts {
		got := a.creds
		if got.Token == "" || got.Token != sent.Token || got.Equal(sent) {
			continue
		}
		diff := map[string]string{}
		for name, v := range got.Cookies {
			if sent.Cookies[name] != v {
				diff[name] = v
			}
		}
		for name := range sent.Cookies {
			if _, ok := got.Cookies[name]; !ok {
				diff[name] = "" // the answer expired it
			}
		}
		if len(diff) > 0 {
			merged, changed = merged.WithCookies(diff), true
		}
	}
	if !changed || merged.Equal(sent) {
		return
	}
	if err := j.r.store.SaveCookies(ctx, session.KindBackground, sent, merged); err != nil && !errors.Is(err, session.ErrConcurrentUpdate) {
		j.r.log.Warn("cannot save the cookies a booking answer set", "err", err)
	}
}

// finish stores the job's outcome (see Runner.finish); from then on the
// claim's heartbeat failing means nothing.
func (j *fireJob) finish(ctx context.Context, o session.Outcome, firstSent time.Time) {
	j.settled.Store(true)
	j.r.finish(ctx, j.p, o, firstSent)
}

// finish stores the outcome and only then publishes it (invariant 6). A
// database too busy to store it is retried for a while, whatever ctx
// says; an outcome that still cannot be stored is published as
// PrebookingNotStored so the member learns it all the same.
func (r *Runner) finish(ctx context.Context, p session.Prebooking, o session.Outcome, firstSent time.Time) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.finishRetry)
	defer cancel()
	var (
		stored       session.Prebooking
		err, busyErr error
	)
	for {
		stored, err = r.store.Finish(bg, p.ID, r.owner, o)
		if errors.Is(err, session.ErrBusy) {
			busyErr = err
		}
		if err == nil || !errors.Is(err, session.ErrBusy) || bg.Err() != nil {
			break
		}
		// Real time on purpose: the writer in the way is another process.
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil && bg.Err() != nil && busyErr != nil {
		err = busyErr // the retries ran out: the database was busy
	}
	if err != nil {
		r.log.Warn("cannot store the prebooking's outcome", "prebooking", p.ID, "outcome", o.Status, "err", err)
		if errors.Is(err, session.ErrConcurrentUpdate) || errors.Is(err, session.ErrNotFound) {
			// Another runner took the claim over (this one was thought
			// dead): its outcome is the one stored and reported.
			return
		}
		q := p
		q.Status, q.OutcomeCode, q.OutcomeMessage = o.Status, o.Code, o.Message
		q.ReservationID, q.Late, q.Attempts = o.ReservationID, o.Late, p.Attempts+o.Attempts
		r.publish(PrebookingNotStored{At: r.clock.Now(), Prebooking: q, Err: err.Error()})
		return
	}
	box, _ := r.store.Box(bg, stored.BoxID)
	stored = stored.InBoxZone(box)
	if stored.Status == session.PrebookMissed {
		r.publish(PrebookingMissed{At: r.clock.Now(), Prebooking: stored})
		return
	}
	r.publish(PrebookingOutcome{At: r.clock.Now(), Prebooking: stored, FirstSent: firstSent})
}

// holdFireLease takes (or extends) the background session's lease for
// the fires under way, so nothing rotates its token mid-flight. A rotation
// in progress elsewhere is waited for; if the lease cannot be had the
// fire goes ahead without it (missing the class would be worse). The
// wait does not hold leaseMu, so fires arming at the same instant wait
// side by side; each store call on the lease does, so a release by the
// last fire of a previous round cannot undo a take.
func (r *Runner) holdFireLease(ctx context.Context, until time.Time) {
	r.leaseMu.Lock()
	r.leaseUsers++
	r.leaseMu.Unlock()
	// The scheduler's clock, like the lease's expiry (the real one outside
	// tests): a simulation sees the wait as time, not as a stall.
	giveUp := r.clock.Now().Add(r.leaseWait)
	for {
		ttl := max(until.Sub(r.clock.Now()), time.Minute)
		r.leaseMu.Lock()
		_, err := r.store.AcquireSessionLease(ctx, session.KindBackground, r.owner, ttl)
		r.leaseMu.Unlock()
		if err == nil || !errors.Is(err, session.ErrLeaseHeld) || !r.clock.Now().Before(giveUp) || ctx.Err() != nil {
			if err != nil && ctx.Err() == nil {
				r.log.Warn("firing without the background session lease", "err", err)
			}
			return
		}
		if Sleep(ctx, r.clock, 200*time.Millisecond) != nil {
			return
		}
	}
}

// releaseFireLease gives the lease back when the last fire using it ends.
func (r *Runner) releaseFireLease() {
	r.leaseMu.Lock()
	defer r.leaseMu.Unlock()
	r.leaseUsers--
	if r.leaseUsers > 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := r.store.ReleaseSessionLease(ctx, session.KindBackground, r.owner)
	if err != nil && !errors.Is(err, session.ErrLeaseNotHeld) && !errors.Is(err, session.ErrNoSession) {
		r.log.Warn("cannot release the background session lease", "err", err)
	}
}

// refusalCode is a short machine-readable reason for an outcome.
func refusalCode(err error) string {
	var be *aimharder.BookingError
	switch {
	case err == nil:
		return "error"
	case errors.Is(err, aimharder.ErrTooEarly):
		return "too_early"
	case errors.Is(err, aimharder.ErrFull):
		return "full"
	case errors.Is(err, aimharder.ErrNoCredit):
		return "no_credit"
	case errors.Is(err, aimharder.ErrPaymentPending):
		return "payment_pending"
	case errors.Is(err, aimharder.ErrTooLate):
		return "too_late"
	case errors.Is(err, aimharder.ErrDailyLimit):
		return "daily_limit"
	case errors.Is(err, aimharder.ErrQuota):
		return "quota"
	case errors.Is(err, aimharder.ErrAlreadyBooked):
		return "already_booked_other"
	case errors.Is(err, aimharder.ErrLoggedOut):
		return "logged_out"
	case errors.Is(err, aimharder.ErrBlocked):
		return "blocked"
	case errors.As(err, &be):
		code := fmt.Sprintf("refused %d", be.Code)
		if be.Key != "" {
			code += " " + be.Key
		}
		return code
	}
	return "error"
}

// refusalMessage keeps the server's words when it gave some.
func refusalMessage(err error) string {
	var be *aimharder.BookingError
	if errors.As(err, &be) && strings.TrimSpace(be.Message) != "" {
		return strings.TrimSpace(be.Message)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
