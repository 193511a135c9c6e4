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
// died is replaced within about that long.
//
// A leader whose renewals have failed for LeaseTTL (the database is busy
// or broken) stops arming and firing at once: its lease may have expired
// and another runner may lead by now. It leads again as soon as it can
// take the lease back.
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
			case errors.Is(err, session.ErrLeaseNotHeld):
				r.log.Warn("lost the runner lease to another process")
				r.setLeader(false, "another runner took over")
				stopEngine()
			case ctx.Err() != nil:
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
