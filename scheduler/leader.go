package scheduler

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ahtui/ahtui/session"
)

// lead runs the leader election until ctx ends: it holds the runner lease
// with a heartbeat while this process leads (and runs the engine), and
// tries to take it over every Heartbeat while another process leads — the
// lease expires LeaseTTL after its holder's last heartbeat, so a runner that
// died is replaced within about that long (near an opening, its claims are
// taken over much sooner: watch.go).
//
// A leader whose renewals have failed for LeaseTTL for a reason other than
// a write nobody can make (a broken database) stops arming and firing at
// once: its lease may have expired and another runner may lead by now. It
// leads again as soon as it can take the lease back. A database locked by
// another program or on a full disk is different: nobody can write, so
// nobody can take the lease or a claim over, and the leader goes on —
// its claimed fires fire at their openings from memory and store their
// outcomes once the database can be written (DatabaseUnwritable says so
// meanwhile). A lease that cannot be renewed because nobody can write is
// not a lease lost to someone else.
//
// On shutdown the engine stops first (its fires finish); the heartbeat goes
// on meanwhile, so no other runner mistakes a fire still under way for an
// abandoned one. Only then is the lease given back.
func (r *Runner) lead(ctx context.Context) {
	var (
		engineCancel context.CancelFunc
		engineDone   chan struct{}
	)
	stopEngine := func() {
		if engineCancel == nil {
			return
		}
		engineCancel()
		<-engineDone
		engineCancel, engineDone = nil, nil
	}
	var renewed time.Time // the lease's last successful take or renewal
	for ctx.Err() == nil {
		if r.Leader() {
			_, err := r.store.RenewRunnerLease(ctx, RunnerLeaseName, r.owner, r.timing.LeaseTTL)
			switch {
			case err == nil:
				renewed = r.clock.Now()
				r.storeWritable()
			case errors.Is(err, session.ErrLeaseNotHeld):
				r.log.Warn("lost the runner lease to another process")
				r.setLeader(false, "another runner took over")
				stopEngine()
			case ctx.Err() != nil:
			case unwritable(err) != "":
				// Nobody can write, so nobody can take the lease or a
				// claim over: the fires this runner claimed go on from
				// memory (docs/product.md invariant 5 still holds).
				r.storeTrouble(err)
			case r.clock.Now().Sub(renewed) >= r.timing.LeaseTTL:
				r.log.Warn("the runner lease could not be renewed for its whole lifetime: stopping firing", "err", err)
				r.setLeader(false, "cannot renew the runner lease")
				stopEngine()
			default:
				r.log.Warn("cannot renew the runner lease", "err", err)
			}
		} else {
			_, err := r.store.AcquireRunnerLease(ctx, RunnerLeaseName, r.owner, r.timing.LeaseTTL)
			switch {
			case err == nil:
				renewed = r.clock.Now()
				r.setLeader(true, "")
				engineCtx, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				engineCancel, engineDone = cancel, done
				go func() {
					defer close(done)
					r.engine(engineCtx)
				}()
			case !errors.Is(err, session.ErrLeaseHeld) && ctx.Err() == nil:
				r.log.Warn("cannot take the runner lease", "err", err)
			}
		}
		if Sleep(ctx, r.clock, r.timing.Heartbeat) != nil {
			break
		}
	}
	if engineCancel == nil {
		r.releaseLease(ctx)
		return
	}
	// The heartbeat must outlive ctx while the engine's fires finish.
	beatCtx, stopBeat := context.WithCancel(context.WithoutCancel(ctx))
	var beats sync.WaitGroup
	beats.Go(func() {
		for Sleep(beatCtx, r.clock, r.timing.Heartbeat) == nil {
			if _, err := r.store.RenewRunnerLease(beatCtx, RunnerLeaseName, r.owner, r.timing.LeaseTTL); err != nil && beatCtx.Err() == nil {
				r.log.Warn("cannot renew the runner lease while stopping", "err", err)
			}
		}
	})
	stopEngine()
	stopBeat()
	beats.Wait()
	r.releaseLease(ctx)
}

// releaseLease gives the runner lease back so another process can take
// over at once instead of after LeaseTTL.
func (r *Runner) releaseLease(ctx context.Context) {
	if !r.Leader() {
		return
	}
	releaseCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.store.ReleaseRunnerLease(releaseCtx, RunnerLeaseName, r.owner); err != nil {
		r.log.Warn("cannot release the runner lease", "err", err)
	}
	r.setLeader(false, "stopping")
}

func (r *Runner) setLeader(on bool, reason string) {
	r.mu.Lock()
	changed := r.isLeader != on
	r.isLeader = on
	r.mu.Unlock()
	if changed {
		r.publish(LeaderChanged{At: r.clock.Now(), Leader: on, Owner: r.owner, Reason: reason})
	}
}

// unwritable names, in a member's words, why the database cannot be
// written when err says nobody can write it for now: another program
// holds it locked, or the disk is full. "" for any other error — among
// them "another runner holds the lease", which is not a write failure.
func unwritable(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, session.ErrDiskFull):
		return "the disk is full"
	case errors.Is(err, session.ErrBusy):
		return "the database is locked by another program"
	}
	return ""
}

// storeTrouble says, once per episode, that the database cannot be
// written and why (log and event), when err is such a failure; it
// reports whether it was.
func (r *Runner) storeTrouble(err error) bool {
	reason := unwritable(err)
	if reason == "" {
		return false
	}
	r.mu.Lock()
	first := !r.unwritable
	r.unwritable = true
	r.mu.Unlock()
	if first {
		r.publish(DatabaseUnwritable{At: r.clock.Now(), Reason: reason, Err: err.Error()})
	} else {
		r.log.Warn(reason, "err", err)
	}
	return true
}

// storeWritable ends an episode storeTrouble began.
func (r *Runner) storeWritable() {
	r.mu.Lock()
	was := r.unwritable
	r.unwritable = false
	r.mu.Unlock()
	if was {
		r.publish(DatabaseUnwritable{At: r.clock.Now(), Resolved: true})
	}
}
