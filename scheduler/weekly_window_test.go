package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// TestWeeklyPlanUnknownWindowNotLost: a plan on a box whose booking window
// ahtui has not learned (nothing was ever prebooked or booked there, and
// the member set no rule) gets prebookings without an opening, which
// nothing arms. Found by the soak: such an occurrence stayed "prebooked"
// after its class had started, lost silently. Once the class starts it is
// recorded missed, saying why and what to do; nothing is sent.
func TestWeeklyPlanUnknownWindowNotLost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	start := d.AddDays(-5).At(9, 0, madrid)
	h := newHarnessWith(t, start, weeklyWorld("2d@07:00"), "", aimhardertest.WithSessionLifetime(2000*time.Hour))
	if rule := h.box.Rule(); rule.Source != session.RuleUnknown {
		t.Fatalf("the box's window is %+v, want unknown", rule)
	}
	p := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 7}, Class: "WOD",
		From: d, Until: d})
	r := h.planRunner(h.store, "runner")
	state := func() session.OccurrenceRecord {
		rec, _ := h.store.OccurrenceRecord(ctx, p.ID, d)
		return rec
	}
	h.runUntil(d.At(8, 0, madrid), func() bool { return state().State.Final() }, r)
	got := h.planStates(p)[p.ID][d]
	if got.State != session.OccMissed || !strings.Contains(got.Detail, "never learned when") ||
		!strings.Contains(got.Detail, "window") {
		h.dumpPlans()
		t.Fatalf("occurrence: %s %q, want missed, saying the box's window is unknown", got.State, got.Detail)
	}
	pbs, err := h.store.PlanPrebookings(ctx, p.ID, d, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, pb := range pbs {
		if pb.Status == session.PrebookPending || pb.Status == session.PrebookFiring {
			t.Errorf("prebooking %d still %s", pb.ID, pb.Status)
		}
	}
	if n := len(h.bookRequests(h.fakeClass(d, "WOD", 7).ID)); n != 0 {
		t.Errorf("%d book requests for a class whose opening ahtui did not know", n)
	}
}
