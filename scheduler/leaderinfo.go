package scheduler

import (
	"context"
	"errors"
	"strings"

	"github.com/ahtui/ahtui/session"
)

// Leader is the process that fires the prebookings of the database.
type Leader struct {
	// Role is the kind of process, from its lease owner name
	// (session.NewOwner's role: "tui", "run", "serve"…); empty when the
	// owner was not named that way.
	Role string
	PID  int
	Host string
	// Self is true when it is this runner.
	Self bool
}

// CurrentLeader reads which process holds the runner lease now; false when
// none does (the lease is free or expired: a runner takes it within its
// heartbeat).
func (r *Runner) CurrentLeader(ctx context.Context) (Leader, bool, error) {
	l, err := r.store.CurrentRunnerLease(ctx, RunnerLeaseName)
	if errors.Is(err, session.ErrNotFound) {
		return Leader{}, false, nil
	}
	if err != nil {
		return Leader{}, false, err
	}
	if !l.Live(r.clock.Now()) {
		return Leader{}, false, nil
	}
	role, _, ok := strings.Cut(l.Owner, "@")
	if !ok {
		role = ""
	}
	return Leader{Role: role, PID: l.PID, Host: l.Host, Self: l.Owner == r.owner}, true, nil
}
