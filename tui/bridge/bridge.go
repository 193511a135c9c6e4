// Package bridge connects the scheduler to the TUI: it turns the
// scheduler's events into tui.Events (through a goroutine of its own, so
// the scheduler never waits for the screen) and presents the runner as the
// TUI's Engine. cmd/ahtui and the TUI's flow tests share it, so tests run
// the production event path.
package bridge

import (
	"context"
	"time"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui"
)

// convert turns a scheduler event into what the TUI needs to know; false
// for events that change nothing the TUI shows.
func convert(e scheduler.Event) (tui.Event, bool) {
	prebooking := func(k tui.EventKind, p session.Prebooking) tui.Event {
		return tui.Event{
			Kind: k, BoxID: p.BoxID, Day: p.Day, PrebookingID: p.ID, Status: p.Status,
			Class: p.ClassName, ClassStart: p.ClassStart, Code: p.OutcomeCode, Message: p.OutcomeMessage,
		}
	}
	switch e := e.(type) {
	case scheduler.PrebookingOutcome:
		return prebooking(tui.EventPrebookingFinished, e.Prebooking), true
	case scheduler.PrebookingMissed:
		ev := prebooking(tui.EventPrebookingFinished, e.Prebooking)
		ev.Status = session.PrebookMissed
		return ev, true
	case scheduler.PrebookingArmed, scheduler.PrebookingFiring, scheduler.PrebookingLate:
		// Only the prebooking's status changed (the store has it): the
		// class itself changes with the outcome.
		return tui.Event{Kind: tui.EventChanged}, true
	case scheduler.SessionRefreshed, scheduler.SessionRefreshFailed, scheduler.SessionDead, scheduler.SessionRelogged:
		return tui.Event{Kind: tui.EventSession}, true
	case scheduler.PrebookingNotStored:
		// The outcome is real even though the database could not keep it.
		return prebooking(tui.EventPrebookingFinished, e.Prebooking), true
	case scheduler.WindowRuleWrong:
		return tui.Event{Kind: tui.EventWarning, Message: e.String(),
			Rule: &tui.RuleWarning{Box: e.Box, MemberRule: e.MemberRule, ServerRule: e.ServerRule}}, true
	case scheduler.HealthWarning:
		if e.Resolved {
			return tui.Event{Kind: tui.EventChanged}, true
		}
		return tui.Event{Kind: tui.EventWarning, Message: e.Problem, Health: true}, true
	case scheduler.LeaderChanged, scheduler.ClassWatchOutcome:
		// A watch that booked changed the class: the screen reads it again.
		return tui.Event{Kind: tui.EventChanged}, true
	case scheduler.BoxesChanged:
		// A rule or zone changed: the screen reads the boxes again and
		// shows the classes under it at once.
		return tui.Event{Kind: tui.EventBoxes}, true
	}
	// ClockEstimated and the rest: the header reads the engine each second.
	return tui.Event{}, false
}

// Subscription is what Forward reads: a *scheduler.Subscription.
type Subscription interface {
	Events() <-chan scheduler.Event
	Close()
}

// Forward converts a subscription's events until ctx ends or the
// subscription closes. The returned channel is what tui.Run relays; a slow
// screen only ever delays this goroutine, never the scheduler (its publish
// drops events for a full subscriber, which costs the TUI a reload).
func Forward(ctx context.Context, sub Subscription) <-chan tui.Event {
	out := make(chan tui.Event)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.Events():
				if !ok {
					return
				}
				ev, ok := convert(e)
				if !ok {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// Engine presents a runner as the TUI's firing engine.
func Engine(r *scheduler.Runner) tui.Engine { return engine{r} }

type engine struct{ r *scheduler.Runner }

func (e engine) Leading() bool { return e.r.Leader() }

// FiringProcess names the process that fires the prebookings; the owner
// roles are the ones cmd/ahtui gives its runners.
func (e engine) FiringProcess(ctx context.Context) (tui.FiringProcess, bool, error) {
	l, ok, err := e.r.CurrentLeader(ctx)
	if err != nil || !ok {
		return tui.FiringProcess{}, false, err
	}
	return tui.FiringProcess{Program: program(l.Role), PID: l.PID, Host: l.Host}, true, nil
}

// Standby names the runner that would fire the prebookings once this
// one stops (scheduler.Runner.Standby).
func (e engine) Standby(ctx context.Context) (tui.FiringProcess, bool, error) {
	s, ok, err := e.r.Standby(ctx)
	if err != nil || !ok {
		return tui.FiringProcess{}, false, err
	}
	return tui.FiringProcess{Program: program(s.Kind), PID: s.PID, Host: s.Host}, true, nil
}

// program names a runner's kind as the member started it.
func program(kind string) string {
	switch kind {
	case "run", "serve":
		return "ahtui " + kind
	}
	return "ahtui"
}

func (e engine) ClockOffset() (offset, bound time.Duration, ok bool) {
	est, ok := e.r.Estimator().Estimate()
	if !ok {
		return 0, 0, false
	}
	return est.Offset, est.Error, true
}
