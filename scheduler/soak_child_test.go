//go:build soak

package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Environment of a soak runner process (the test binary re-executed, see
// TestMain).
const (
	envSoakChild    = "AHTUI_SOAK_CHILD"
	envSoakDB       = "AHTUI_SOAK_DB"
	envSoakURLs     = "AHTUI_SOAK_URLS" // login|portal|box template, space-separated
	envSoakPlan     = "AHTUI_SOAK_PLAN" // the warp plan file
	envSoakOwner    = "AHTUI_SOAK_OWNER"
	envSoakEvents   = "AHTUI_SOAK_EVENTS" // where the runner's events go, one JSON line each
	envSoakPassword = "AHTUI_SOAK_PASSWORD"
)

func init() { childModes[envSoakChild] = soakChild }

// soakEvent is one runner event as a soak runner writes it down: the parent
// reads every runner's file to tell who fired what, and when.
type soakEvent struct {
	At         time.Time `json:"at"`
	Owner      string    `json:"owner"`
	Type       string    `json:"type"`
	Prebooking int64     `json:"pb,omitempty"`
	Status     string    `json:"status,omitempty"`
	Code       string    `json:"code,omitempty"`
	FirstSent  time.Time `json:"first_sent,omitzero"`
	Leader     bool      `json:"leader,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

func soakEventOf(owner string, e Event) (soakEvent, bool) {
	out := soakEvent{At: e.Time(), Owner: owner}
	switch e := e.(type) {
	case PrebookingArmed:
		out.Type, out.Prebooking = "armed", e.Prebooking.ID
	case PrebookingFiring:
		out.Type, out.Prebooking = "firing", e.Prebooking.ID
	case PrebookingLate:
		out.Type, out.Prebooking = "late", e.Prebooking.ID
	case PrebookingMissed:
		out.Type, out.Prebooking = "missed", e.Prebooking.ID
	case PrebookingOutcome:
		out.Type, out.Prebooking, out.FirstSent = "outcome", e.Prebooking.ID, e.FirstSent
		out.Status, out.Code = string(e.Prebooking.Status), e.Prebooking.OutcomeCode
	case LeaderChanged:
		out.Type, out.Leader, out.Detail = "leader", e.Leader, e.Reason
	case SessionRefreshed:
		if e.ByOther {
			return out, false
		}
		out.Type, out.Detail = "refreshed", string(e.Kind)
	case SessionRefreshFailed:
		out.Type, out.Detail = "refresh-failed", string(e.Kind)
	case SessionDead:
		out.Type, out.Detail = "dead", string(e.Kind)
	case SessionRelogged:
		out.Type, out.Detail = "relogged", string(e.Kind)
	case HealthWarning:
		out.Type, out.Detail = "health", e.Problem
		if e.Resolved {
			out.Detail = "resolved"
		}
	default:
		return out, false
	}
	return out, true
}

// soakChild is a runner process as `ahtui run` builds it — default timing,
// keeper on, password_command answered from the environment — on the warp
// plan's clock. It runs until it is killed or told to stop.
func soakChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, orphaned := context.WithCancel(ctx)
	defer orphaned()
	go func() {
		// A soak that dies (a go test timeout kills it) must not leave its
		// runners behind: stop when the parent is gone.
		parent := os.Getppid()
		for ctx.Err() == nil && os.Getppid() == parent {
			time.Sleep(500 * time.Millisecond)
		}
		orphaned()
	}()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "soak runner:", err)
		return 1
	}
	plan, err := loadWarpPlan(os.Getenv(envSoakPlan))
	if err != nil {
		return fail(err)
	}
	clock := warpClock{plan: plan}
	urls := strings.Fields(os.Getenv(envSoakURLs))
	if len(urls) != 3 {
		return fail(fmt.Errorf("%s: want three URLs", envSoakURLs))
	}
	owner := os.Getenv(envSoakOwner)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	store, err := session.Open(ctx, os.Getenv(envSoakDB), session.WithClock(clock.Now))
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	est := NewClockEstimator(clock)
	client, err := aimharder.New(aimharder.Config{LoginURL: urls[0], PortalURL: urls[1], BoxURLTemplate: urls[2],
		Now: clock.Now, Observe: est.Observe, Logger: logger})
	if err != nil {
		return fail(err)
	}
	password := os.Getenv(envSoakPassword)
	r, err := NewRunner(Config{
		Store: store, Client: client, Clock: clock, Estimator: est, Owner: owner, Logger: logger,
		PasswordCommand: func(context.Context, string) (string, error) { return password, nil },
	})
	if err != nil {
		return fail(err)
	}

	events, err := os.OpenFile(os.Getenv(envSoakEvents), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fail(err)
	}
	defer events.Close()
	sub := r.Events().Subscribe(4096)
	var writer sync.WaitGroup
	writer.Go(func() {
		for e := range sub.Events() {
			if rec, ok := soakEventOf(owner, e); ok {
				line, _ := json.Marshal(rec)
				// One write per line: a kill can only cut the last one.
				_, _ = events.Write(append(line, '\n'))
			}
		}
	})
	runErr := r.Run(ctx)
	sub.Close()
	writer.Wait()
	if runErr != nil {
		return fail(runErr)
	}
	if n := sub.Dropped(); n > 0 {
		// The soak reads who fired what from these events.
		return fail(fmt.Errorf("%d events dropped", n))
	}
	return 0
}
