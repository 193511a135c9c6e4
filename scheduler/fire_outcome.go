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
	j.r.finish(ctx, j.p, o, firstSent)
}

// finish stores the outcome and only then publishes it (docs/product.md invariant 6). A
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
