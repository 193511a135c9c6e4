package scheduler

import (
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
	rs := startRunners(t, h, r)

	other := h.openStore() // another process: `ahtui config box.<sub>.window 2d@06:30`
	changeAt := start.Add(10 * time.Minute)
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
