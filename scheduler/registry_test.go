package scheduler

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestRunnersNameTheStandby: a TUI's runner and an `ahtui run` on one
// database both record themselves; each sees the other as the one that
// would take over, and once the run stops cleanly, nothing would.
func TestRunnersNameTheStandby(t *testing.T) {
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	quiet := func(c *Config) { c.NoKeeper, c.Notify.Disabled = true, true }
	tui := h.newRunner(h.store, session.NewOwner("tui"), quiet)
	run := h.newRunner(h.openStore(), session.NewOwner("run"), quiet)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	runCtx, stopRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = tui.Run(ctx) })
	waitFor(t, "the tui's runner to lead", tui.Leader)
	runDone := make(chan struct{})
	wg.Go(func() { defer close(runDone); _ = run.Run(runCtx) })

	var standby RunnerInfo
	waitFor(t, "the run to be recorded", func() bool {
		var ok bool
		var err error
		standby, ok, err = tui.Standby(ctx)
		return err == nil && ok
	})
	host, _ := os.Hostname()
	if standby.Kind != "run" || standby.PID != os.Getpid() || standby.Host != host || standby.Leader || standby.Self {
		t.Fatalf("standby %+v; want the run, not leading", standby)
	}
	// Each record is renewed by its runner's own goroutine: on a loaded
	// machine the simulated clock can pass one's expiry before it renews,
	// for a moment.
	var list []RunnerInfo
	waitFor(t, "both runners listed", func() bool {
		var err error
		list, err = run.Runners(ctx)
		return err == nil && len(list) == 2
	})
	if !list[0].Leader || list[0].Kind != "tui" || list[0].Self || !list[1].Self || list[1].Leader {
		t.Fatalf("runners %+v; want the leading tui first, then the run (self)", list)
	}
	if other, ok, _ := run.Standby(ctx); !ok || other.Kind != "tui" {
		t.Fatalf("the run's standby %+v, %v; want the tui", other, ok)
	}

	stopRun()
	<-runDone
	if other, ok, err := tui.Standby(ctx); err != nil || ok {
		t.Fatalf("after the run stopped: %+v, %v, %v; want no standby", other, ok, err)
	}
	cancel()
	wg.Wait()
	if left, err := h.store.Runners(t.Context()); err != nil || len(left) != 0 {
		t.Fatalf("after both stopped: %+v, %v; want no records", left, err)
	}
}
