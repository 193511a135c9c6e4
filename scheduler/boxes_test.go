package scheduler

import (
	"context"
	"testing"
	"time"
)

// A rule another process sets while a runner waits for an opening moves
// the pending prebooking's opening within one engine scan (not the half
// minute of the periodic reconcile), on the simulated clock, and the
// runner tells its screens.
func TestRunnerPicksUpAnotherProcessesRuleWithinSeconds(t *testing.T) {
	t.Parallel()
	start := testOpening.Add(-2 * time.Hour)
	h := newHarness(t, start, 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner-a", nil)
	events := collect(r.Events())
	ctx, cancel := context.WithCancel(t.Context())
	rs := &runners{cancel: cancel}
	rs.wg.Go(func() { _ = r.Run(ctx) })
	// A settle longer than the default: the engine's database reads do not
	// wait on the clock, and on a loaded machine a 3 ms settle lets the
	// clock jump past several scans while one read runs.
	rs.drive = h.clock.AutoAdvance(t.Context(), 30*time.Millisecond)

	other := h.openStore()                  // another process: `ahtui config box.<sub>.window 2d@06:30`
	changeAt := start.Add(10 * time.Second) // before the periodic reconcile (30 s)
	set := h.at(changeAt, func() error { return other.SetMemberWindow(t.Context(), h.box.ID, "2d@06:30") })
	if err := set(); err != nil {
		t.Fatal(err)
	}
	want := testOpening.Add(-30 * time.Minute)
	waitFor(t, "the opening to follow the new rule", func() bool {
		got, err := h.store.Prebooking(t.Context(), p.ID)
		return err == nil && got.OpensAt.Equal(want)
	})
	rs.stop()
	var seen *BoxesChanged
	for _, e := range events.stop() {
		if bc, ok := e.(BoxesChanged); ok && bc.Moved > 0 && seen == nil {
			seen = &bc
		}
	}
	if seen == nil {
		t.Fatal("no BoxesChanged event with a moved opening")
	}
	if lag := seen.At.Sub(changeAt); lag < 0 || lag > 2*r.timing.Scan {
		t.Errorf("opening moved %v after the rule changed, want within %v", lag, 2*r.timing.Scan)
	}
}
