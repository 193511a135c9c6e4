package scheduler

import (
	"context"
	"errors"
	"fmt"
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

// ReloginGrace is how long a dead background session may stay dead while
// a password_command is set before it counts as a problem: the keeper
// logs it in again within minutes, so one still dead after this long means
// the re-login keeps failing.
const ReloginGrace = 10 * time.Minute

// SessionProblem is the one session-health rule, shared by the runner's
// warning, `ahtui status` and the TUI header: why the background session
// cannot fire prebookings, or "" when it can. It reads what a screen holds
// (session.Health, no credentials); found is false when there is no
// background session; passwordCommand says whether one is configured. A
// dead session is a problem at once without password_command, and with
// one once it has stayed dead for ReloginGrace — logging in again is
// failing. It died when it was marked dead, which stamps LastErrorAt
// (nothing else writes to a dead session's row).
func SessionProblem(h session.Health, found, passwordCommand bool, now time.Time) string {
	switch {
	case !found:
		return "there is no background session"
	case h.State != session.StateDead:
		return ""
	case !passwordCommand:
		return "the background session has expired"
	}
	if h.LastErrorAt.IsZero() || now.Sub(h.LastErrorAt) >= ReloginGrace {
		return "the background session has expired and logging in again with password_command is not working"
	}
	return ""
}

// CheckHealth reports a problem when a pending prebooking opens within
// horizon (or is already due) while the background session cannot fire it
// (SessionProblem): missing, dead with no password_command, or dead while
// logging in again with password_command keeps failing — that prebooking
// would fail. nil means all is well. `ahtui status` and the runner share it.
func CheckHealth(ctx context.Context, store *session.Store, now time.Time, horizon time.Duration) (*HealthProblem, error) {
	return checkHealth(ctx, store, now, horizon, "")
}

// checkHealth is CheckHealth with what this process's keeper knows: why
// its last attempt to log the dead session in again failed ("" when none
// failed), reported at once instead of after ReloginGrace.
func checkHealth(ctx context.Context, store *session.Store, now time.Time, horizon time.Duration, reloginFailure string) (*HealthProblem, error) {
	if horizon <= 0 {
		horizon = DefaultHealthHorizon
	}
	due, err := store.DuePrebookings(ctx, now.Add(horizon))
	if err != nil || len(due) == 0 {
		return nil, err
	}
	_, hasCommand, err := store.PasswordCommand(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := store.SessionHealth(ctx, session.KindBackground)
	found := err == nil
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return nil, err
	}
	reason := SessionProblem(sess, found, hasCommand, now)
	if reason == "" && found && sess.State == session.StateDead && hasCommand && reloginFailure != "" {
		reason = "the background session has expired and logging in again with password_command failed: " + reloginFailure
	}
	if reason == "" {
		return nil, nil
	}
	hp := &HealthProblem{Others: len(due) - 1, Reason: reason}
	hp.Prebooking = due[0]
	if box, err := store.Box(ctx, hp.Prebooking.BoxID); err == nil {
		hp.Prebooking = hp.Prebooking.InBoxZone(box)
	}
	when := "is due now"
	if left := hp.Prebooking.OpensAt.Sub(now); left > 0 {
		when = "fires in " + shortDuration(left)
	}
	more := ""
	if hp.Others > 0 {
		more = fmt.Sprintf(" (and %d more)", hp.Others)
	}
	fix := "run `ahtui login`, or set password_command so ahtui can log in again by itself"
	if hasCommand {
		fix = "run `ahtui login`, or fix password_command"
	}
	hp.Message = fmt.Sprintf("prebooking %s %s%s but %s: %s",
		describePrebooking(hp.Prebooking), when, more, hp.Reason, fix)
	return hp, nil
}

// checkHealth for the runner, with its keeper's knowledge.
func (r *Runner) checkHealth(ctx context.Context, now time.Time) (*HealthProblem, error) {
	failure := ""
	if r.keeper != nil {
		failure, _ = r.keeper.reloginFailure(session.KindBackground)
	}
	return checkHealth(ctx, r.store, now, r.timing.HealthHorizon, failure)
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
		problem, err := r.checkHealth(ctx, now)
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
		if sleepUntil(ctx, r.clock, now.Add(r.timing.HealthEvery), r.timing.Recheck) != nil {
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
