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

// TestWeeklyPlanFallbackFiredByTheRunnerThatFired: the first choice comes
// back full at its opening and the fallback opens at the same instant.
// The runner that fired the first choice — here one whose engine does not
// run, as a standby's does not — fires the fallback itself before it
// returns, instead of leaving it for the leader's next look (found by the
// soak: hundreds of milliseconds later, when the rush had filled the
// fallback too).
func TestWeeklyPlanFallbackFiredByTheRunnerThatFired(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	h := newHarnessWith(t, d.AddDays(-3).At(9, 0, madrid), weeklyWorld("2d@07:00"), "2d@07:00",
		aimhardertest.WithSessionLifetime(2000*time.Hour))
	p := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 7}, Class: "WOD",
		Fallbacks: []session.Fallback{{Class: "HYROX", Time: session.ClockTime{Hour: 8}}}, From: d, Until: d})
	r := h.planRunner(h.store, "standby")
	r.runPlans(ctx)
	first, err := h.store.OccurrenceRecord(ctx, p.ID, d)
	if err != nil || first.State != session.OccPrebooked {
		t.Fatalf("before the opening: %+v, %v", first, err)
	}
	// The opening: the first choice is fired and found full.
	h.clock.Set(d.AddDays(-2).At(7, 0, madrid).Add(50 * time.Millisecond))
	if _, won, err := h.store.Claim(ctx, first.PrebookingID, "standby"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	stored, err := h.store.Finish(ctx, first.PrebookingID, "standby",
		session.Outcome{Status: session.PrebookFailed, Code: "full", Message: "the class is full"})
	if err != nil {
		t.Fatal(err)
	}
	r.planAfterFire(ctx, ctx, stored)

	got := h.planStates(p)[p.ID][d]
	hyrox := h.fakeClass(d, "HYROX", 8)
	if got.State != session.OccBooked || got.Choice != 1 || got.ClassID != hyrox.ID {
		h.dumpPlans()
		t.Fatalf("after the first choice came back full: %s choice %d class %d (%q), want the fallback %d booked",
			got.State, got.Choice, got.ClassID, got.Detail, hyrox.ID)
	}
	if n := len(h.bookRequests(hyrox.ID)); n != 1 {
		t.Errorf("%d book requests for the fallback, want 1", n)
	}
}
