package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// After a burst that ended in trouble, keepTrying sends again from
// keepTryingFirst apart, doubling up to keepTryingMax, until keepTryingFor
// after the opening (well inside burstHardLimit, which must also cover the
// confirmation).
const (
	keepTryingFirst = 250 * time.Millisecond
	keepTryingMax   = 4 * time.Second
	keepTryingFor   = 20 * time.Second
	// keepTryingSendGrace: how long past keepTryingFor a request sent by
	// keepTrying may wait for its answer; judgeReserve: what keepTrying
	// leaves of burstHardLimit for the confirmation and the outcome.
	keepTryingSendGrace = 5 * time.Second
	judgeReserve        = 15 * time.Second
)

// keepTrying goes on sending after a burst that ended in trouble — a 5xx,
// a cut or dropped answer, a timeout — one request at a time and slower
// each time, until an answer that says something or keepTryingFor after
// the opening. AimHarder swamped at a popular opening answers like that
// for seconds, and the class may still have room when it recovers; giving
// up with the burst would leave the member with "unconfirmed". Sending
// again is safe: a booking that went through turns the answer into
// "already booked".
func (j *fireJob) keepTrying(ctx context.Context, prepared *aimharder.PreparedBook, res *burstResult) {
	if res.verdict != verdictRetry || len(res.attempts) == 0 || !aimharder.Ambiguous(res.attempts[len(res.attempts)-1].err) {
		return
	}
	clock := j.r.clock
	// Never once the class has started: a booking then costs a credit for
	// a class the member cannot attend.
	until := j.plan.opening.Add(keepTryingFor)
	if start := j.r.localAt(j.p.ClassStart); start.Before(until) {
		until = start
	}
	for wait := keepTryingFirst; ; wait = min(2*wait, keepTryingMax) {
		at := clock.Now().Add(wait)
		if at.After(until) || sleepUntil(ctx, clock, at, j.r.timing.Recheck) != nil || j.lost.Load() {
			return
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < judgeReserve {
			return // what is left of burstHardLimit is for confirming and storing
		}
		if !j.maySend() {
			continue // the claim's heartbeat is behind: not this time
		}
		// One slow answer must not eat the time left for judging either.
		sendCtx, cancel := untilClock(ctx, clock, until.Add(keepTryingSendGrace))
		a := attempt{sent: clock.Now()}
		a.res, a.creds, a.err = prepared.Send(sendCtx)
		cancel()
		res.sent++
		res.attempts = append(res.attempts, a)
		if v := judgeAttempt(a); v != verdictRetry || !aimharder.Ambiguous(a.err) {
			res.verdict, res.best = v, a
			return
		}
	}
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
	r.log.Info("logged in again after AimHarder ended the session mid-fire; sending the booking again", "prebooking", j.p.ID)
	return j.resend(ctx, res, sess.Credentials)
}

// resend sends the booking again with creds — once now, then at the
// burst's remaining planned times while AimHarder says "too early" (the
// logout may have come before the opening) — and returns the burst with
// the retry's verdict.
func (j *fireJob) resend(ctx context.Context, res *burstResult, creds aimharder.Credentials) (*burstResult, error) {
	r := j.r
	prepared, err := r.client.PrepareBook(creds, j.ref, j.p.ClassID, j.p.Day,
		aimharder.BookOptions{Insist: j.p.AllowWaitlist, FamilyID: j.p.FamilyID})
	if err != nil {
		return nil, err
	}
	now := r.clock.Now()
	retry := firePlan{sends: []time.Time{now}, staggered: 1, end: j.plan.end, opening: j.plan.opening}
	for _, at := range j.plan.sends {
		if at.After(now) {
			retry.sends = append(retry.sends, at)
		}
	}
	again := j.burst(ctx, prepared, retry)
	j.keepTrying(ctx, prepared, &again)
	j.saveCookies(ctx, creds, again.attempts)
	j.sent = creds
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
