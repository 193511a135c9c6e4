package scheduler

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// watch is every runner's guard against a leader dying right before an
// opening (docs/product.md invariant 6 holds throughout). The runner
// lease and the StaleAfter takeover (engine) replace a dead leader within
// LeaseTTL — seconds a popular class does not wait. So near each opening
// (Timing.Near before it until Burst after), the runner firing a
// prebooking refreshes its claim every FastBeat (beatClaim), and every
// other runner — leader or standby — reads the claim every FastBeat/2.
// A claim whose heartbeat is older than FastStale there, and whose runner
// has not started sending, belongs to a runner that died or hung: the
// watcher takes it over at once, with the same atomic compare-and-swap as
// any claim (ClaimStaleUnsent on the heartbeat it read), so of all
// watchers one wins. The fire-once rule is by construction, not by
// timing: a runner sends only after its send gate (startSending), the
// store's one update that marks the claim as sending on the condition
// that it is still its own; the takeover is one update on the condition
// that the claim is not marked. Whichever the database applies first, the
// other fails, so however long a runner stalls between its gate and its
// request, nobody else is past the gate meanwhile. A claim marked sending
// is taken over only once its runner's own requests are over and its
// heartbeat is StaleAfter silent (takeOverStale, sendingQuiet), the
// taker's first action being a read of the day; its runner, if it is
// alive after all, sends nothing while it has not refreshed the claim for
// half of StaleAfter (fireJob.maySend).
//
// A claim nobody can refresh because nobody can write (a locked database,
// a full disk) cannot be taken either: the takeover is a write. But its
// runner fires from memory when its gate cannot write the mark, so a
// takeover that follows a lock (the watcher's own writes failed or waited
// during the claim's silence) is one whose runner may have sent: the
// taker reads the day first, like a takeover of a claim marked sending
// (takeStalled).
func (r *Runner) watch(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	watching := map[int64]bool{}
	var mu sync.Mutex
	for {
		due, err := r.store.Prebookings(ctx, session.PrebookingQuery{
			Statuses: []session.PrebookingStatus{session.PrebookPending, session.PrebookFiring}})
		if err == nil {
			horizon := r.serverNow().Add(r.timing.Near + r.timing.Scan)
			for _, p := range due {
				if p.OpensAt.IsZero() || p.OpensAt.After(horizon) || !r.serverNow().Before(p.OpensAt.Add(r.timing.Burst)) {
					continue
				}
				mu.Lock()
				seen := watching[p.ID]
				watching[p.ID] = true
				mu.Unlock()
				if seen {
					continue
				}
				wg.Go(func() {
					r.watchClaim(ctx, &wg, p)
					mu.Lock()
					delete(watching, p.ID)
					mu.Unlock()
				})
			}
		}
		if Sleep(ctx, r.clock, r.timing.Scan) != nil {
			return
		}
	}
}

// watchClaim watches prebooking p's claim through the fast window around
// its opening and takes it over when its runner stops refreshing it.
func (r *Runner) watchClaim(ctx context.Context, fires *sync.WaitGroup, p session.Prebooking) {
	from := r.localAt(p.OpensAt.Add(-r.timing.Near))
	until := r.localAt(p.OpensAt.Add(r.timing.Burst))
	if sleepUntil(ctx, r.clock, from, r.timing.Recheck) != nil {
		return
	}
	r.readyClock(ctx, fires, p)
	poll := max(r.timing.FastBeat/2, time.Millisecond)
	var w claimWatch
	for r.clock.Now().Before(until) {
		if Sleep(ctx, r.clock, poll) != nil {
			return
		}
		release := holdStill(r.clock)
		taken, ok := r.takeStalled(ctx, p.ID, &w)
		release()
		switch {
		case !ok:
			return // finished, gone, or this runner's
		case taken != nil:
			r.startTakeover(ctx, fires, *taken, takeoverKind{mayHaveSent: w.mayHaveSent})
			return
		}
	}
}

// lockedWrite is how long a claim write must take to show the database
// locked: far beyond a write's own time (a few ms, on an SD card too),
// and short, since the holder's mark may wait for the same lock — the
// takeover coming at the end of a lock it barely waited for is what
// this catches.
func lockedWrite(t Timing) time.Duration { return max(t.FastBeat/4, 5*time.Millisecond) }

// claimWatch is what watching one claim has learnt of the database.
type claimWatch struct {
	// troubleAt: when (local clock) this watch last failed to read or
	// write the claim, or waited lockedWrite or more for a write — the
	// database was locked or full, and so, maybe, for the claim's holder.
	troubleAt time.Time
	// mayHaveSent: the claim this watch took was silent while the
	// database could not be written (takeStalled).
	mayHaveSent bool
}

// takeStalled reads the claim and takes it over when its heartbeat is
// older than FastStale and its runner has not started sending. ok false:
// nothing left to watch.
//
// A holder whose send gate could not write the mark (the database locked
// or full) fires from memory (startSending), and its heartbeat is as stuck
// as its gate: its claim looks unmarked and silent, like a dead runner's,
// and once the database can be written this takeover may come before the
// holder's mark. So a claim taken after this watch saw the database
// refuse or hold up a write during the claim's silence is taken as one
// whose runner may have sent (w.mayHaveSent): the fire reads the day
// first, and a booking found there is the outcome (docs/product.md
// invariant 6). What this cannot see: a lock that ended before the claim
// was FastStale silent (this watch never wrote during it), followed by a
// holder whose mark still comes after this claim — stalled, or its write
// asleep in SQLite's busy backoff (up to 100 ms between tries). Such a
// takeover fires without reading the day, and the holder stops sending
// once its mark finds the claim gone.
func (r *Runner) takeStalled(ctx context.Context, id int64, w *claimWatch) (taken *session.Prebooking, ok bool) {
	cur, err := r.store.Prebooking(ctx, id)
	switch {
	case err != nil:
		if ctx.Err() == nil && !isNotFound(err) {
			w.troubleAt = r.clock.Now()
		}
		return nil, ctx.Err() == nil && !isNotFound(err)
	case cur.Status.Final() || cur.ClaimedBy == r.owner || r.isActive(id):
		return nil, false
	case cur.Status != session.PrebookFiring:
		return nil, true // not claimed yet
	case !cur.SendingSince.IsZero():
		// Its runner passed its send gate: it may be sending now. A
		// silence is only a stall until StaleAfter (takeOverStale).
		return nil, true
	}
	before := r.clock.Now().Add(-r.timing.FastStale)
	if !cur.FiredAt.Before(before) {
		return nil, true
	}
	asked := r.clock.Now()
	claimed, won, err := r.store.ClaimStaleUnsent(ctx, id, r.owner, before)
	if took := r.clock.Now().Sub(asked); (err != nil && ctx.Err() == nil) || took >= lockedWrite(r.timing) {
		w.troubleAt = r.clock.Now()
	}
	if err != nil || !won {
		return nil, err == nil || ctx.Err() == nil
	}
	w.mayHaveSent = !w.troubleAt.IsZero() && !w.troubleAt.Before(cur.FiredAt)
	r.log.Warn("the runner firing a prebooking stopped refreshing its claim right before the opening: firing it here",
		"prebooking", id, "previous", cur.ClaimedBy, "silent_for", r.clock.Now().Sub(cur.FiredAt),
		"database_troubled", w.mayHaveSent)
	// It held the background session's lease for its fire: give it back
	// for it rather than wait for it to expire.
	if err := r.store.ReleaseSessionLease(ctx, session.KindBackground, cur.ClaimedBy); err == nil {
		r.log.Info("released the session lease the previous runner held", "previous", cur.ClaimedBy)
	}
	return &claimed, true
}

// readyClock makes sure this runner knows AimHarder's clock before an
// opening it may have to fire (reads only: a probe of pings), so a
// takeover at the last instant aims as well as the leader would have.
func (r *Runner) readyClock(ctx context.Context, wg *sync.WaitGroup, p session.Prebooking) {
	if est, ok := r.estimator.Estimate(); ok && !est.Broken() && r.clock.Now().Sub(est.MeasuredAt) < time.Hour {
		return
	}
	box, err := r.store.Box(ctx, p.BoxID)
	if err != nil {
		return
	}
	ref, err := account.BoxRef(box)
	if err != nil {
		return
	}
	deadline := r.localAt(p.OpensAt.Add(-r.timing.WarmAhead))
	wg.Go(func() {
		if _, err := r.estimator.Probe(ctx, r.client, ref, probeTarget, deadline); err != nil && ctx.Err() == nil {
			r.log.Debug("standby clock probe before an opening failed", "err", err)
		}
	})
}

func isNotFound(err error) bool { return errors.Is(err, session.ErrNotFound) }
