package scheduler

import (
	"context"
	"time"
)

// RunnerInfo is one runner on the database: the leader, which fires the
// prebookings, or a standby one, which takes over within LeaseTTL should
// the leader stop (at once when it stops cleanly and gives its lease back).
type RunnerInfo struct {
	Kind      string // "tui", "run", "serve" (session.OwnerKind); "" when unknown
	PID       int
	Host      string
	StartedAt time.Time
	Heartbeat time.Time
	Leader    bool // it holds the runner lease now
	Self      bool // it is this runner
}

// Runners lists the live runners on the database, this one included (once
// its first heartbeat is stored), the leader first, then the oldest.
// Records of runners that stopped without saying so (a crash, a kill) stop
// counting LeaseTTL after their last heartbeat.
func (r *Runner) Runners(ctx context.Context) ([]RunnerInfo, error) {
	list, err := r.store.Runners(ctx)
	if err != nil {
		return nil, err
	}
	lease, err := r.store.CurrentRunnerLease(ctx, RunnerLeaseName)
	leader := ""
	if err == nil && lease.Live(r.clock.Now()) {
		leader = lease.Owner
	}
	out := make([]RunnerInfo, 0, len(list))
	for _, p := range list {
		info := RunnerInfo{Kind: p.Kind, PID: p.PID, Host: p.Host, StartedAt: p.StartedAt,
			Heartbeat: p.HeartbeatAt, Leader: p.Owner == leader, Self: p.Owner == r.owner}
		if info.Leader {
			out = append([]RunnerInfo{info}, out...)
			continue
		}
		out = append(out, info)
	}
	return out, nil
}

// Standby returns the runner that would fire the prebookings once this one
// stops: a live runner other than this one, preferring `ahtui run`, then
// `ahtui serve` (both outlive a terminal), then another TUI; false when
// there is none — quitting then leaves the prebookings unfired.
func (r *Runner) Standby(ctx context.Context) (RunnerInfo, bool, error) {
	list, err := r.Runners(ctx)
	if err != nil {
		return RunnerInfo{}, false, err
	}
	rank := func(kind string) int {
		switch kind {
		case "run":
			return 0
		case "serve":
			return 1
		}
		return 2
	}
	var (
		best  RunnerInfo
		found bool
	)
	for _, p := range list {
		if p.Self {
			continue
		}
		if !found || rank(p.Kind) < rank(best.Kind) {
			best, found = p, true
		}
	}
	return best, found, nil
}

// record keeps this runner in the database's registry until ctx ends,
// leader or not, renewing its record every Heartbeat for LeaseTTL — so
// other processes know it would take over — and removes it on a clean
// stop: a stopping runner takes nothing over. It has a goroutine of its
// own so that a busy database never delays the lease's heartbeat.
func (r *Runner) record(ctx context.Context) {
	for {
		if _, err := r.store.RegisterRunner(ctx, r.owner, r.timing.LeaseTTL); err != nil && ctx.Err() == nil {
			r.log.Debug("cannot record this runner in the registry", "err", err)
		}
		if Sleep(ctx, r.clock, r.timing.Heartbeat) != nil {
			break
		}
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.store.UnregisterRunner(stopCtx, r.owner); err != nil {
		r.log.Warn("cannot remove this runner's record", "err", err)
	}
}
