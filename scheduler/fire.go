package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	maxWarmPings     = 6
	burstHardLimit   = 45 * time.Second // a burst plus its slowest answers; bounds shutdown
	probeTarget      = DefaultProbeTarget
)

// fireJob is one claimed prebooking on its way to an outcome.
type fireJob struct {
	r    *Runner
	p    session.Prebooking
	box  session.Box
	ref  aimharder.BoxRef
	late bool // its window was already open when it was claimed
}

// fire takes a prebooking this runner claimed to its outcome: arm, make
// the session fresh and take its lease, estimate the server's clock, warm
// the connections, send the staggered burst, store the outcome, publish
// it. If ctx ends before the burst starts, the claim goes back to pending
// for the next runner; a burst under way always finishes.
func (r *Runner) fire(ctx context.Context, p session.Prebooking) {
	box, err := r.store.Box(ctx, p.BoxID)
	if err != nil {
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: "error",
			Message: "its box is not in the database any more: " + err.Error()}, time.Time{})
		return
	}
	p = inBoxZone(p, box)
	ref, err := account.BoxRef(box)
	if err != nil {
		r.finish(ctx, p, session.Outcome{Status: session.PrebookFailed, Code: "error", Message: err.Error()}, time.Time{})
		return
	}
	j := &fireJob{r: r, p: p, box: box, ref: ref}
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
	j.run(ctx)
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

func (j *fireJob) run(ctx context.Context) {
	r := j.r
	opening := j.p.OpensAt
	if j.late {
		opening = r.serverNow()
	}
	leaseUntil := r.localAt(opening).Add(r.timing.Burst + leaseMargin)
	r.holdFireLease(ctx, leaseUntil)
	defer r.releaseFireLease()

	if err := j.freshSession(ctx, opening); err != nil {
		if ctx.Err() != nil {
			j.unclaim()
			return
		}
		r.finish(ctx, j.p, session.Outcome{Status: session.PrebookFailed, Code: "no_session", Late: j.late,
			Message: "the background session could not be made fresh: " + err.Error()}, time.Time{})
		return
	}
	if !j.late {
		if err := SleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.EstimateAhead)), r.timing.Recheck); err != nil {
			j.unclaim()
			return
		}
		deadline := r.localAt(opening.Add(-r.timing.WarmAhead))
		if _, err := r.estimator.Probe(ctx, r.client, j.ref, probeTarget, deadline); err != nil && ctx.Err() == nil {
			r.log.Warn("server clock estimate failed; firing by the local clock", "err", err)
		}
		if err := SleepUntil(ctx, r.clock, r.localAt(opening.Add(-r.timing.WarmAhead)), r.timing.Recheck); err != nil {
			j.unclaim()
			return
		}
	}
	if ctx.Err() != nil {
		j.unclaim()
		return
	}
	est, known := r.estimator.Estimate()
	plan := planFire(opening, r.clock.Now(), est, known, j.late, r.timing.Burst)
	if !j.late {
		j.warm(ctx, min(plan.staggered, maxWarmPings))
		// The warm-up pings refined the estimate: plan again.
		est, known = r.estimator.Estimate()
		plan = planFire(opening, r.clock.Now(), est, known, j.late, r.timing.Burst)
	}
	sess, err := r.store.Session(ctx, session.KindBackground)
	if err != nil {
		if ctx.Err() != nil {
			j.unclaim()
			return
		}
		r.finish(ctx, j.p, session.Outcome{Status: session.PrebookFailed, Code: "no_session", Late: j.late,
			Message: "the background session is gone: " + err.Error()}, time.Time{})
		return
	}
	prepared, err := r.client.PrepareBook(sess.Credentials, j.ref, j.p.ClassID, j.p.Day,
		aimharder.BookOptions{Insist: j.p.AllowWaitlist, FamilyID: j.p.FamilyID})
	if err != nil {
		r.finish(ctx, j.p, session.Outcome{Status: session.PrebookFailed, Code: "error", Late: j.late, Message: err.Error()}, time.Time{})
		return
	}
	if ctx.Err() != nil {
		j.unclaim()
		return
	}

	r.publish(PrebookingFiring{At: r.clock.Now(), Prebooking: j.p, Planned: plan.staggered})
	// From here on the fire finishes even if the runner is asked to stop:
	// abandoning a burst could lose the class.
	burstCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), burstHardLimit)
	defer cancel()
	res := j.burst(burstCtx, prepared, plan)
	j.saveCookies(burstCtx, sess.Credentials, res)
	outcome, rearm := j.judge(burstCtx, res)
	if rearm.IsZero() {
		r.finish(burstCtx, j.p, outcome, res.firstSent)
		return
	}
	j.rearm(burstCtx, rearm, outcome)
}

// freshSession makes the background session fresh (refreshing it when
// older than refresh_before_fire, logging in again when AimHarder ended it
// and password_command is set), retrying until shortly before the opening.
func (j *fireJob) freshSession(ctx context.Context, opening time.Time) error {
	r := j.r
	giveUp := r.localAt(opening).Add(-3 * time.Second)
	for {
		err := j.freshOnce(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		r.log.Warn("cannot make the background session fresh before a fire", "prebooking", j.p.ID, "err", err)
		next := r.clock.Now().Add(sessionRetry)
		if j.late || !next.Before(giveUp) {
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
	if errors.Is(err, account.ErrSessionExpired) {
		if rerr := r.svc.Relogin(ctx, session.KindBackground); rerr == nil {
			_, err = r.svc.Fresh(ctx, session.KindBackground, th.RefreshBeforeFire)
		}
	}
	return err
}

// warm opens n connections to the box (concurrent pings) so the staggered
// attempts, which overlap in flight, each find a connection ready; their
// answers also refine the clock estimate.
func (j *fireJob) warm(ctx context.Context, n int) {
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

// burstResult is everything a burst learned.
type burstResult struct {
	attempts  []attempt // in answer order
	best      attempt
	verdict   verdict
	firstSent time.Time
}

// burst sends the planned attempts, stopping the schedule at the first
// answer that settles the matter; answers still in flight are awaited.
func (j *fireJob) burst(ctx context.Context, prepared *aimharder.PreparedBook, plan firePlan) burstResult {
	clock := j.r.clock
	scheduleCtx, stopSchedule := context.WithCancel(ctx)
	defer stopSchedule()
	answers := make(chan attempt, len(plan.sends))
	var firstSent time.Time
	var firstMu sync.Mutex

	go func() {
		var inFlight sync.WaitGroup
		slots := make(chan struct{}, maxInFlight)
		for _, at := range plan.sends {
			if SleepUntil(scheduleCtx, clock, at, j.r.timing.Recheck) != nil {
				break
			}
			select {
			case slots <- struct{}{}:
			case <-scheduleCtx.Done():
			}
			if scheduleCtx.Err() != nil {
				break
			}
			inFlight.Go(func() {
				defer func() { <-slots }()
				sent := clock.Now()
				firstMu.Lock()
				if firstSent.IsZero() {
					firstSent = sent
				}
				firstMu.Unlock()
				res, creds, err := prepared.Send(ctx)
				answers <- attempt{sent: sent, res: res, creds: creds, err: err}
			})
		}
		inFlight.Wait()
		close(answers)
	}()

	out := burstResult{verdict: verdictRetry}
	for a := range answers {
		out.attempts = append(out.attempts, a)
		v := judgeAttempt(a)
		if v > out.verdict || len(out.attempts) == 1 {
			out.verdict, out.best = v, a
		}
		if v != verdictRetry {
			stopSchedule()
		}
	}
	firstMu.Lock()
	out.firstSent = firstSent
	firstMu.Unlock()
	return out
}

// judge turns a burst into the outcome to store. A non-zero rearm means
// the server stated a later opening than the one fired at: the
// prebooking goes back to pending for it instead.
func (j *fireJob) judge(ctx context.Context, res burstResult) (session.Outcome, time.Time) {
	o := session.Outcome{Attempts: len(res.attempts), Late: j.late}
	best := res.best
	switch res.verdict {
	case verdictBooked:
		o.Status, o.Code, o.ReservationID = session.PrebookBooked, "booked", best.res.ReservationID
		if best.res.State == aimharder.StateWaitlisted {
			o.Status, o.Code = session.PrebookWaitlisted, "waitlisted"
		}
		return o, time.Time{}
	case verdictAlready:
		if c, ok := j.confirmBooked(ctx); ok {
			return j.confirmedOutcome(o, c), time.Time{}
		}
		o.Status, o.Code, o.Message = session.PrebookFailed, "already_booked_other", refusalMessage(best.err)
		return o, time.Time{}
	case verdictRefused:
		o.Status, o.Code, o.Message = session.PrebookFailed, refusalCode(best.err), refusalMessage(best.err)
		if errors.Is(best.err, aimharder.ErrLoggedOut) {
			sess, err := j.r.store.Session(ctx, session.KindBackground)
			if err == nil {
				_ = j.r.store.MarkDead(ctx, session.KindBackground, sess.Credentials, "AimHarder logged the session out during a fire")
			}
		}
		return o, time.Time{}
	}
	// Only "too early" or unusable answers. A lost answer may hide a
	// booking that happened: look before calling it a failure.
	if c, ok := j.confirmBooked(ctx); ok {
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
	if errors.Is(lastErr, aimharder.ErrTooEarly) {
		o.Message = "AimHarder still said too early at the end of the burst — " + o.Message
		if later := j.statedOpening(ctx, lastErr); !later.IsZero() {
			return o, later
		}
	}
	return o, time.Time{}
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

// confirmBooked re-reads the class's day: is the member in it?
func (j *fireJob) confirmBooked(ctx context.Context) (account.ClassView, bool) {
	day, err := j.r.svc.Day(ctx, session.KindBackground, j.box, j.p.Day)
	if err != nil {
		j.r.log.Warn("cannot re-read the day to confirm a booking", "prebooking", j.p.ID, "err", err)
		return account.ClassView{}, false
	}
	c, ok := day.FindClass(j.p.ClassID)
	if !ok || c.Class.State == aimharder.StateNone {
		return account.ClassView{}, false
	}
	return c, true
}

// statedOpening is the opening the server's "too early" message implies,
// when it is later than the one fired at (the rule was wrong).
func (j *fireJob) statedOpening(ctx context.Context, err error) time.Time {
	var te *aimharder.TooEarlyError
	if !errors.As(err, &te) || !te.WindowKnown {
		return time.Time{}
	}
	opens := te.Window.OpensAt(j.p.ClassStart)
	if opens.IsZero() || !opens.After(j.p.OpensAt.Add(j.r.timing.Burst)) || !opens.Before(j.p.ClassStart) {
		return time.Time{}
	}
	if j.box.MemberWindow == "" {
		if err := j.r.store.SetLearnedWindow(ctx, j.box.ID, te.Window.String()); err == nil {
			j.r.log.Info("learned the box's booking window from a fire", "box", j.box.Subdomain, "rule", te.Window.String())
		}
	}
	return opens
}

// rearm puts the prebooking back to pending with the opening the server
// stated. If that fails, the burst's outcome is stored instead.
func (j *fireJob) rearm(ctx context.Context, opens time.Time, fallback session.Outcome) {
	r := j.r
	if err := r.store.Unclaim(ctx, j.p.ID, r.owner); err != nil {
		r.finish(ctx, j.p, fallback, time.Time{})
		return
	}
	if err := r.store.SetOpensAt(ctx, j.p.ID, opens); err != nil {
		r.log.Warn("cannot move the prebooking's opening", "prebooking", j.p.ID, "err", err)
		return
	}
	p := j.p
	p.OpensAt = opens
	r.log.Info("AimHarder said too early: the prebooking waits for the opening it stated", "prebooking", p.ID, "opens_at", opens)
	r.publish(PrebookingArmed{At: r.clock.Now(), Prebooking: inBoxZone(p, j.box)})
}

// missed stores that the window passed while no runner ran and the class
// has started — unless the day shows the member booked after all (a
// runner that died mid-fire may have booked it).
func (j *fireJob) missed(ctx context.Context) {
	if c, ok := j.confirmBooked(ctx); ok {
		o := j.confirmedOutcome(session.Outcome{Late: true}, c)
		j.r.finish(ctx, j.p, o, time.Time{})
		return
	}
	msg := fmt.Sprintf("its booking window opened %s while no runner was running, and the class has started",
		j.p.OpensAt.Format("Mon 2 Jan 15:04"))
	j.r.finish(ctx, j.p, session.Outcome{Status: session.PrebookMissed, Code: "missed", Message: msg, Late: true}, time.Time{})
}

// unclaim gives a prebooking back (the runner stops before firing it).
func (j *fireJob) unclaim() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := j.r.store.Unclaim(ctx, j.p.ID, j.r.owner); err != nil {
		j.r.log.Warn("cannot give the prebooking back", "prebooking", j.p.ID, "err", err)
		return
	}
	j.r.log.Info("prebooking given back to pending: the runner is stopping", "prebooking", j.p.ID)
}

// saveCookies persists cookies the booking answers changed.
func (j *fireJob) saveCookies(ctx context.Context, sent aimharder.Credentials, res burstResult) {
	for i := len(res.attempts) - 1; i >= 0; i-- {
		got := res.attempts[i].creds
		if got.Token == "" || got.Equal(sent) {
			continue
		}
		if err := j.r.store.SaveCookies(ctx, session.KindBackground, sent, got); err != nil && !errors.Is(err, session.ErrConcurrentUpdate) {
			j.r.log.Warn("cannot save the cookies a booking answer set", "err", err)
		}
		return
	}
}

// finish stores the outcome and only then publishes it (invariant 6).
func (r *Runner) finish(ctx context.Context, p session.Prebooking, o session.Outcome, firstSent time.Time) {
	ctx = context.WithoutCancel(ctx)
	stored, err := r.store.Finish(ctx, p.ID, r.owner, o)
	if err != nil {
		// Most likely another runner took the claim over (this one was
		// thought dead); its outcome is the one stored and reported.
		r.log.Warn("cannot store the prebooking's outcome", "prebooking", p.ID, "outcome", o.Status, "err", err)
		return
	}
	box, _ := r.store.Box(ctx, stored.BoxID)
	stored = inBoxZone(stored, box)
	if stored.Status == session.PrebookMissed {
		r.publish(PrebookingMissed{At: r.clock.Now(), Prebooking: stored})
		return
	}
	r.publish(PrebookingOutcome{At: r.clock.Now(), Prebooking: stored, FirstSent: firstSent})
}

// holdFireLease takes (or extends) the background session's lease for
// the fires under way, so nothing rotates its token mid-flight. A rotation
// in progress elsewhere is waited for; if the lease cannot be had the
// fire goes ahead without it (missing the class would be worse).
func (r *Runner) holdFireLease(ctx context.Context, until time.Time) {
	r.leaseMu.Lock()
	defer r.leaseMu.Unlock()
	r.leaseUsers++
	giveUp := time.Now().Add(sessionLeaseWait)
	for {
		ttl := max(until.Sub(r.clock.Now()), time.Minute)
		_, err := r.store.AcquireSessionLease(ctx, session.KindBackground, r.owner, ttl)
		if err == nil || !errors.Is(err, session.ErrLeaseHeld) || time.Now().After(giveUp) || ctx.Err() != nil {
			if err != nil && ctx.Err() == nil {
				r.log.Warn("firing without the background session lease", "err", err)
			}
			return
		}
		// Real time on purpose: the holder is another process.
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
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
