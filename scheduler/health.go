package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/session"
)

// DefaultHealthHorizon is how long before a prebooking's opening a dead
// background session is worth a warning.
const DefaultHealthHorizon = 6 * time.Hour

// healthRepeat re-publishes a warning that still holds.
const healthRepeat = 30 * time.Minute

// HealthProblem is a prebooking that will fail unless the member acts.
type HealthProblem struct {
	Prebooking session.Prebooking // the soonest one affected
	Others     int                // more prebookings affected
	Reason     string             // e.g. "the background session has expired"
	Message    string             // the whole warning, for the member
}

// CheckHealth reports a problem when a pending prebooking opens within
// horizon (or is already due) while the background session is missing or
// dead and no password_command can log it in again — that prebooking
// would fail. nil means all is well. `ahtui status` and the runner share it.
func CheckHealth(ctx context.Context, store *session.Store, now time.Time, horizon time.Duration) (*HealthProblem, error) {
	if horizon <= 0 {
		horizon = DefaultHealthHorizon
	}
	due, err := store.DuePrebookings(ctx, now.Add(horizon))
	if err != nil || len(due) == 0 {
		return nil, err
	}
	command, ok, err := store.Setting(ctx, session.SettingPasswordCommand)
	if err != nil {
		return nil, err
	}
	if ok && strings.TrimSpace(command) != "" {
		return nil, nil // the scheduler can log in again by itself
	}
	sess, err := store.Session(ctx, session.KindBackground)
	hp := &HealthProblem{Others: len(due) - 1}
	switch {
	case errors.Is(err, session.ErrNoSession):
		hp.Reason = "there is no background session"
	case err != nil:
		return nil, err
	case sess.State == session.StateDead:
		hp.Reason = "the background session has expired"
	default:
		return nil, nil
	}
	hp.Prebooking = due[0]
	if box, err := store.Box(ctx, hp.Prebooking.BoxID); err == nil {
		hp.Prebooking = inBoxZone(hp.Prebooking, box)
	}
	when := "is due now"
	if left := hp.Prebooking.OpensAt.Sub(now); left > 0 {
		when = "fires in " + shortDuration(left)
	}
	more := ""
	if hp.Others > 0 {
		more = fmt.Sprintf(" (and %d more)", hp.Others)
	}
	hp.Message = fmt.Sprintf("prebooking %s %s%s but %s: run `ahtui login`, or set password_command so ahtui can log in again by itself",
		describePrebooking(hp.Prebooking), when, more, hp.Reason)
	return hp, nil
}

// watchHealth checks the session's health every HealthEvery and publishes
// a warning when the problem appears or changes, again every half hour
// while it holds, and once more when it is gone.
func (r *Runner) watchHealth(ctx context.Context) {
	var (
		lastKey       string
		lastPublished time.Time
	)
	for {
		now := r.clock.Now()
		problem, err := CheckHealth(ctx, r.store, now, r.timing.HealthHorizon)
		if err == nil {
			key := ""
			if problem != nil {
				key = fmt.Sprintf("%d/%s", problem.Prebooking.ID, problem.Reason)
			}
			switch {
			case problem != nil && (key != lastKey || now.Sub(lastPublished) >= healthRepeat):
				r.publish(HealthWarning{At: now, Problem: problem.Message})
				lastPublished = now
			case problem == nil && lastKey != "":
				r.publish(HealthWarning{At: now, Resolved: true})
			}
			lastKey = key
		}
		if SleepUntil(ctx, r.clock, now.Add(r.timing.HealthEvery), r.timing.Recheck) != nil {
			return
		}
	}
}

// shortDuration writes 2d 3h, 4h 12m, 5m 3s or 40s.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	mins, secs := int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm %ds", mins, secs)
	}
	return fmt.Sprintf("%ds", secs)
}
