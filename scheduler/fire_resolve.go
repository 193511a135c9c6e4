package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Resolving a prebooking made by name (docs/protocol.md §10B): some boxes
// list a class only once its booking window opens, so its id is learnt at
// the opening. From WarmAhead before it the fire reads the class's day
// (one request a read, one at a time) every resolveFast until
// resolveFastFor after the opening, then every resolveSlow until
// resolveFor after it; the burst starts as soon as a read shows the class.
const (
	resolveFast    = 250 * time.Millisecond
	resolveFastFor = 5 * time.Second
	resolveSlow    = time.Second
	resolveFor     = 30 * time.Second
	// resolveAnchor: the reads keep to a grid of the cadence through
	// this instant just after the opening, so one read finds the class
	// as soon as it is listed (a hair later than the opening, in case
	// the clock estimate is a few milliseconds off).
	resolveAnchor = 30 * time.Millisecond
	// resolveReadFor bounds one read: a hung answer must not hold the
	// cadence up.
	resolveReadFor = 2 * time.Second
)

// OutcomeNoClass is the outcome code of a prebooking made by name whose
// class never appeared in the box's schedule around its opening.
const OutcomeNoClass = "no_class"

// maxResolveReads is the most day reads one resolution costs (a class that
// never appears).
func maxResolveReads(warmAhead time.Duration) int {
	// The first read, one a grid point of each cadence, the last at the end.
	return 1 + int((warmAhead+resolveFastFor)/resolveFast) + int((resolveFor-resolveFastFor)/resolveSlow) + 1
}

// resolve finds the class of a prebooking made by name: at its start
// time in the box's zone, with a matching name (session.ClassNameMatches).
// It reports whether the fire goes on; when it does not, the outcome is
// stored (no_class, or a duplicate) or the claim given back.
func (j *fireJob) resolve(ctx context.Context, opening time.Time) bool {
	r := j.r
	loc := j.box.LocationOrDefault()
	want := session.ClockOf(j.p.ClassStart.In(loc))
	fastUntil := opening.Add(resolveFastFor)
	until := opening.Add(resolveFor)
	reads, failed := 0, 0
	var lastErr error
	relogged := false
	for {
		// Reading and judging take no simulated time (Holder): only the
		// wait between reads moves the clock.
		release := holdStill(r.clock)
		sess, err := r.store.Session(ctx, session.KindBackground)
		if err != nil {
			release()
			if ctx.Err() != nil {
				j.abort()
				return false
			}
			j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: "no_session", Late: j.late,
				Message: "the background session is gone: " + err.Error()}, time.Time{})
			return false
		}
		rctx, cancel := untilClock(ctx, r.clock, r.clock.Now().Add(resolveReadFor))
		day, _, err := r.client.Day(rctx, sess.Credentials, j.ref, j.p.Day, j.p.FamilyID)
		cancel()
		reads++
		r.resolveReads.Add(1)
		if err == nil {
			if c, ok := findByName(day, j.p.MatchName, want, loc); ok {
				r.log.Info("class found at its opening", "prebooking", j.p.ID, "class", c.ID, "reads", reads,
					"after_opening", r.serverNow().Sub(opening))
				ok := j.resolved(ctx, c)
				release()
				if !ok {
					j.settle(ctx)
				}
				return ok
			}
		}
		release()
		if err != nil {
			if ctx.Err() != nil {
				j.abort()
				return false
			}
			failed, lastErr = failed+1, err
			r.log.Warn("cannot read the day to find a class listed only at its opening", "prebooking", j.p.ID,
				"read", reads, "err", err)
			armed := false
			if errors.Is(err, aimharder.ErrLoggedOut) && j.refreshedToken != sess.Credentials.Token {
				// A box that wants setrefresh (docs/protocol.md §3.1): once
				// per token, before any login.
				j.refreshedToken = sess.Credentials.Token
				_, armed = j.setRefresh(ctx, sess.Credentials)
			}
			if errors.Is(err, aimharder.ErrLoggedOut) && !armed && !relogged {
				// Once, as a burst does: log in again, then read on.
				relogged = true
				if j.markDead(ctx, sess.Credentials, "AimHarder logged the session out while a fire looked for its class") {
					if err := r.svc.Relogin(ctx, session.KindBackground); err != nil {
						r.log.Warn("cannot log in again to look for the class", "prebooking", j.p.ID, "err", err)
					}
				}
			}
		}
		now := r.serverNow()
		if !now.Before(until) {
			msg := fmt.Sprintf("%s at %s on %s did not appear in the box's schedule by %d s after its booking "+
				"window opened (renamed, moved or cancelled?); nothing was booked", j.p.MatchName, want,
				j.p.Day.In(loc).Format("Mon 2 Jan"), int(resolveFor/time.Second))
			if failed == reads && lastErr != nil {
				msg = fmt.Sprintf("the schedule of %s could not be read around the opening (%v); nothing was booked",
					j.p.Day.In(loc).Format("Mon 2 Jan"), lastErr)
			}
			r.log.Warn("class made by name never appeared", "prebooking", j.p.ID, "reads", reads, "failed", failed)
			j.finish(ctx, session.Outcome{Status: session.PrebookFailed, Code: OutcomeNoClass, Late: j.late,
				Message: msg}, time.Time{})
			return false
		}
		step := resolveFast
		var blocked *aimharder.BlockedError
		if !now.Before(fastUntil) || errors.As(err, &blocked) {
			step = resolveSlow
		}
		next := nextRead(now, opening.Add(resolveAnchor), step)
		if next.After(until) {
			next = until
		}
		next = r.localAt(next)
		if err := sleepUntil(ctx, r.clock, next, r.timing.Recheck); err != nil {
			j.abort()
			return false
		}
	}
}

// nextRead is the first instant on the grid of step through anchor
// (server time) at least a quarter step after now.
func nextRead(now, anchor time.Time, step time.Duration) time.Time {
	d := anchor.Sub(now) % step
	if d <= 0 {
		d += step
	}
	if d < step/4 {
		d += step // a timer that woke a hair early: not twice on one point
	}
	return now.Add(d)
}

// findByName is the class of day at start (box-local clock time) whose
// name matches (session.FindClass).
func findByName(day aimharder.Day, name string, start session.ClockTime, loc *time.Location) (aimharder.Class, bool) {
	return session.FindClass(day.Classes, session.ClassAt{Name: name, At: start, Loc: loc}, session.NameAndStart)
}

// resolveStoreWait bounds the write of the class found (resolved).
const resolveStoreWait = 250 * time.Millisecond

// resolved stores the class found and goes on with it (true). Another
// live prebooking of the same class (made by its id) fires it instead:
// this one is to end failed, saying so (settle, after the clock's hold).
// A store too busy to answer does not hold the burst up: the fire goes on
// with the id it found.
func (j *fireJob) resolved(ctx context.Context, c aimharder.Class) bool {
	r := j.r
	// Bounded: a store held by another writer must not keep the burst
	// for a class that has just appeared waiting (busy_timeout is 5 s).
	sctx, cancel := context.WithTimeout(ctx, resolveStoreWait)
	p, err := r.store.ResolvePrebooking(sctx, j.p.ID, r.owner, c.ID, c.Name)
	cancel()
	switch {
	case err == nil:
		j.p = p.InBoxZone(j.box)
		return true
	case errors.Is(err, session.ErrDuplicate):
		j.unsettled = &session.Outcome{Status: session.PrebookFailed, Code: "duplicate", Late: j.late,
			Message: "another prebooking of yours, made by the class's id, books this class"}
		return false
	case errors.Is(err, session.ErrConcurrentUpdate), errors.Is(err, session.ErrNotFound):
		j.lost.Store(true)
		return false
	}
	r.log.Warn("cannot store the class found for a prebooking; firing it anyway", "prebooking", j.p.ID, "err", err)
	j.p.ClassID, j.p.ClassName = c.ID, c.Name
	return true
}

// settle ends a fire resolved stopped: the outcome it left, or the claim
// given up (abort: another runner has it).
func (j *fireJob) settle(ctx context.Context) {
	if o := j.unsettled; o != nil {
		j.unsettled = nil
		j.finish(ctx, *o, time.Time{})
		return
	}
	j.abort()
}
