package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// TestWeeklyPlanEditedWhileRunning: a plan edited while the runner runs
// it is run as edited — a weekday taken out is not booked (its waiting
// prebooking withdrawn), and a full first choice falls back to the new
// fallback, not the old one.
func TestWeeklyPlanEditedWhileRunning(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	day := func(d int) aimharder.Date { return aimharder.Date{Year: 2026, Month: time.November, Day: d} }
	start := day(1).At(9, 0, madrid) // Sun 1 Nov 2026
	h := newHarnessWith(t, start, weeklyWorld("2d@07:00"), "2d@07:00", aimhardertest.WithSessionLifetime(2000*time.Hour))
	p := h.addPlan(session.NewPlan{
		Days: session.WeekdaysOf(time.Wednesday, time.Thursday, time.Friday), Time: session.ClockTime{Hour: 7}, Class: "WOD",
		Fallbacks: []session.Fallback{{Class: "HYROX", Time: session.ClockTime{Hour: 8}}}, Until: day(6)})
	// Thu 5: competitors take every place of the WOD at its opening.
	full := h.fakeClass(day(5), "WOD", 7)
	if n, err := h.fake.AddCompetitors(aimhardertest.Competitors{Box: testBox, ClassID: full.ID, Count: 12}); err != nil || n != 12 {
		t.Fatalf("competitors: %d, %v", n, err)
	}
	// Mon 2 06:00, before Wednesday's opening: Wednesday out, YOGA at 19:00
	// in place of HYROX.
	edited := h.at(day(2).At(6, 0, madrid), func() error {
		e := p.EditOf()
		e.Days = session.WeekdaysOf(time.Thursday, time.Friday)
		e.Fallbacks = []session.Fallback{{Class: "yoga", Time: session.ClockTime{Hour: 19}}}
		_, err := h.store.EditPlan(ctx, p.ID, e)
		return err
	})
	r := h.planRunner(h.store, "runner")
	h.runUntil(day(6).At(20, 0, madrid), nil, r)
	if err := edited(); err != nil {
		t.Fatal(err)
	}
	p, _ = h.store.Plan(ctx, p.ID)
	states := h.planStates(p)[p.ID]
	if _, ok := states[day(4)]; ok {
		t.Errorf("Wednesday is still an occurrence: %+v", states[day(4)])
	}
	if n := len(h.bookRequests(h.fakeClass(day(4), "WOD", 7).ID)); n != 0 {
		h.dumpPlans()
		t.Errorf("Wednesday's WOD: %d book requests after it left the plan", n)
	}
	yoga, hyrox := h.fakeClass(day(5), "YOGA", 19), h.fakeClass(day(5), "HYROX", 8)
	if got := states[day(5)]; got.State != session.OccBooked || got.Choice != 1 || got.ClassID != yoga.ID {
		h.dumpPlans()
		t.Errorf("Thursday: %s choice %d class %d (%q), want booked YOGA %d", got.State, got.Choice, got.ClassID, got.Detail, yoga.ID)
	}
	if n := len(h.bookRequests(hyrox.ID)); n != 0 {
		t.Errorf("the old fallback got %d book requests", n)
	}
	if got := states[day(6)]; got.State != session.OccBooked || got.ClassID != h.fakeClass(day(6), "WOD", 7).ID {
		t.Errorf("Friday: %s class %d (%q)", got.State, got.ClassID, got.Detail)
	}
	h.oneBookingPerClass()
}

// TestWeeklyPlanEditAddsOpenDays: an edit adds two days whose booking was
// already open when the plan was made. The one the member said to book at
// once is booked; the one refused is skipped, not booked.
func TestWeeklyPlanEditAddsOpenDays(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	day := func(d int) aimharder.Date { return aimharder.Date{Year: 2026, Month: time.November, Day: d} }
	start := day(4).At(9, 0, madrid) // Wed 4 Nov 2026: Thursday's and Friday's 07:00 are open
	h := newHarnessWith(t, start, weeklyWorld("2d@07:00"), "2d@07:00", aimhardertest.WithSessionLifetime(2000*time.Hour))
	// Made without --now ("n"), Mondays only.
	p := h.addPlan(session.NewPlan{Days: session.WeekdaysOf(time.Monday), Time: session.ClockTime{Hour: 7}, Class: "WOD", Until: day(6)})
	edited := h.at(day(4).At(9, 30, madrid), func() error {
		e := p.EditOf()
		e.Days = session.WeekdaysOf(time.Monday, time.Thursday, time.Friday)
		e.BookOpen = []aimharder.Date{day(5)} // "yes" to Thursday
		e.Skip = []aimharder.Date{day(6)}     // Friday refused
		_, err := h.store.EditPlan(ctx, p.ID, e)
		return err
	})
	r := h.planRunner(h.store, "runner")
	h.runUntil(day(6).At(20, 0, madrid), nil, r)
	if err := edited(); err != nil {
		t.Fatal(err)
	}
	p, _ = h.store.Plan(ctx, p.ID)
	states := h.planStates(p)[p.ID]
	thu, fri := h.fakeClass(day(5), "WOD", 7), h.fakeClass(day(6), "WOD", 7)
	if got := states[day(5)]; got.State != session.OccBooked || got.ClassID != thu.ID {
		h.dumpPlans()
		t.Errorf("Thursday (the member said book it now): %s class %d (%q), want booked %d", got.State, got.ClassID, got.Detail, thu.ID)
	}
	if got := states[day(6)]; got.State != session.OccSkipped {
		t.Errorf("Friday (refused): %s (%q), want skipped", got.State, got.Detail)
	}
	if n := len(h.bookRequests(fri.ID)); n != 0 {
		t.Errorf("Friday's WOD got %d book requests", n)
	}
	h.oneBookingPerClass()
}
