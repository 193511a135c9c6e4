package session

import (
	"errors"
	"testing"
	"time"
)

// A plan pass decides with what it read before its AimHarder reads: if
// the member skipped the day, paused it or removed the plan meanwhile,
// its prebooking is refused in the same transaction that would store it,
// so nothing is booked that day.
func TestWriteOccurrencesRefusesAPrebookingTheMemberStoppedMeanwhile(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	write := func(p Plan, d string, classID int64) error {
		t.Helper()
		wd := day(d)
		start := p.Time.On(wd, madrid(t))
		out, err := s.WriteOccurrences(ctx, []OccurrenceWrite{{
			Record: OccurrenceRecord{PlanID: p.ID, Day: wd, State: OccPrebooked, ClassID: classID},
			Prebook: &NewPrebooking{BoxID: 1, ClassID: classID, Day: wd, ClassName: p.Class, ClassStart: start,
				OpensAt: start.Add(-96 * time.Hour), PlanID: p.ID, PlanDay: wd},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return out[0].Err
	}
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SkipPlanDay(ctx, p.ID, day("2026-11-25")); err != nil {
		t.Fatal(err)
	}
	if err := write(p, "2026-11-25", 501); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("a skipped day: %v, want refused", err)
	}
	if _, err := s.PausePlans(ctx, p.ID, DayRange{From: day("2026-11-27"), Until: day("2026-11-27")}); err != nil {
		t.Fatal(err)
	}
	if err := write(p, "2026-11-27", 502); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("a paused day: %v, want refused", err)
	}
	if err := write(p, "2026-11-30", 503); err != nil {
		t.Errorf("a plain day: %v", err)
	}
	if _, err := s.RemovePlan(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := write(p, "2026-12-02", 504); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("a removed plan: %v, want refused", err)
	}
	pbs, err := s.Prebookings(ctx, PrebookingQuery{Statuses: []PrebookingStatus{PrebookPending}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pbs) != 0 {
		t.Errorf("pending prebookings left: %+v", pbs)
	}
}
