package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/session"
)

// finish stores the job's outcome (see Runner.finish); from then on the
// claim's heartbeat failing means nothing.
func (j *fireJob) finish(ctx context.Context, o session.Outcome, firstSent time.Time) {
	j.settled.Store(true)
	j.r.finishFor(ctx, j.runCtx, j.p, o, firstSent)
}

// finish stores the outcome and only then publishes it (docs/product.md invariant 6). A
// database locked by another program or on a full disk is retried for a
// while (finishRetry), whatever ctx says; an outcome that still cannot be
// stored is published as PrebookingNotStored so the member learns it all
// the same (and the claim, still this runner's, is fired again later by
// takeOverStale: "already booked" then stores the booking).
func (r *Runner) finish(ctx context.Context, p session.Prebooking, o session.Outcome, firstSent time.Time) {
	r.finishFor(ctx, ctx, p, o, firstSent)
}

// finishFor is finish, with run the context a plan's fallback fires under
// (the runner's, which ends when it stops, not when this burst's does).
func (r *Runner) finishFor(ctx, run context.Context, p session.Prebooking, o session.Outcome, firstSent time.Time) {
	if r.beforeFinish != nil {
		r.beforeFinish(p.ID)
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.finishRetry)
	defer cancel()
	var (
		stored       session.Prebooking
		err, busyErr error
	)
	for {
		stored, err = r.store.Finish(bg, p.ID, r.owner, o)
		if err == nil {
			r.storeWritable()
			break
		}
		// A locked database or a full disk: nobody can write, so nobody
		// takes the claim over meanwhile; keep trying, saying why.
		if unwritable(err) != "" {
			busyErr = err
		}
		if !r.storeTrouble(err) || bg.Err() != nil {
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
		q.SentAt, q.LateBy = o.SentAt, o.LateBy
		r.publish(PrebookingNotStored{At: r.clock.Now(), Prebooking: q, Err: err.Error()})
		return
	}
	box, _ := r.store.Box(bg, stored.BoxID)
	stored = stored.InBoxZone(box)
	if stored.Status == session.PrebookMissed {
		r.publish(PrebookingMissed{At: r.clock.Now(), Prebooking: stored})
	} else {
		r.publish(PrebookingOutcome{At: r.clock.Now(), Prebooking: stored, FirstSent: firstSent})
	}
	if stored.PlanID != 0 {
		// Its plan occurrence moves on at once: a fallback fires now.
		r.planAfterFire(bg, run, stored)
	}
}
