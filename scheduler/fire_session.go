package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

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
// reads only: it never rotates the token under its short deadline. It
// reports whether this fire made the check (and found the session alive).
func (j *fireJob) checkSession(ctx context.Context, opening, by time.Time) bool {
	r := j.r
	if !r.clock.Now().Before(by) || !r.takeSessionCheck(opening) {
		return false
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
	return err == nil && ctx.Err() == nil && !j.lost.Load()
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
		// A refresh AimHarder refuses while the session works will not pass
		// by asking again: fire with the current credentials.
		if err == nil || ctx.Err() != nil || sessionGone(err) || errors.Is(err, account.ErrRefreshRefused) {
			return err
		}
		r.log.Warn("cannot make the background session fresh before a fire", "prebooking", j.p.ID, "err", err)
		next := r.clock.Now().Add(sessionRetry)
		if j.late || !next.Before(by) {
			return err
		}
		if err := sleepUntil(ctx, r.clock, next, r.timing.Recheck); err != nil {
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
	case errors.Is(rerr, account.ErrNoPasswordCommand), errors.Is(rerr, aimharder.ErrBadCredentials), errors.Is(rerr, aimharder.ErrLoginRefused):
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
