package session

import (
	"errors"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func TestEditPlanChangesItsSettingsAndTheRunnersWork(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	n := wodPlan()
	n.Fallbacks = []Fallback{{Class: "WOD", Time: ClockTime{8, 0}}, {Class: "Open Box", Time: ClockTime{7, 0}}}
	p, err := s.AddPlan(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	mon, wed, fri := day("2026-11-30"), day("2026-11-25"), day("2026-11-27")
	monPB := linkedPrebooking(t, s, p, mon, 701)
	wedPB := linkedPrebooking(t, s, p, wed, 702)
	// Friday is on its second fallback (Open Box at 07:00), prebooked.
	start := ClockTime{7, 0}.On(fri, madrid(t))
	friPB, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: 703, Day: fri, ClassName: "Open Box",
		ClassStart: start, OpensAt: start.Add(-96 * time.Hour), PlanID: p.ID, PlanDay: fri})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutOccurrence(ctx, OccurrenceRecord{PlanID: p.ID, Day: fri, State: OccPrebooked, ClassID: 703,
		PrebookingID: friPB.ID, Choice: 2}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.PlansVersion(ctx)

	// Wednesday out, no waitlist, the fallbacks swapped and a third added,
	// an end date.
	e := p.EditOf()
	e.Days = WeekdaysOf(time.Monday, time.Friday)
	e.Waitlist = false
	e.Fallbacks = []Fallback{{Class: " open box ", Time: ClockTime{7, 0}}, {Class: "WOD", Time: ClockTime{8, 0}},
		{Class: "WOD", Time: ClockTime{9, 0}}}
	e.Until = day("2027-06-30")
	got, err := s.EditPlan(ctx, p.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	if got.Days.String() != "mon,fri" || got.Waitlist || len(got.Fallbacks) != 3 || got.Fallbacks[0].Class != "open box" ||
		got.Until != day("2027-06-30") || got.Class != "WOD" || got.Time != (ClockTime{7, 0}) {
		t.Fatalf("edited %+v", got)
	}
	if read, err := s.Plan(ctx, p.ID); err != nil || read.Days != got.Days || len(read.Fallbacks) != 3 ||
		read.Fallbacks[2].Time != (ClockTime{9, 0}) || read.Until != got.Until || read.Waitlist {
		t.Errorf("read back %+v, %v", read, err)
	}
	if after, _ := s.PlansVersion(ctx); after <= before {
		t.Errorf("plans version %d → %d: the runner would not see the edit", before, after)
	}
	if pb, _ := s.Prebooking(ctx, wedPB.ID); pb.Status != PrebookCancelled || pb.OutcomeCode != OutcomePlanStopped {
		t.Errorf("Wednesday's prebooking: %+v", pb)
	}
	if pb, _ := s.Prebooking(ctx, monPB.ID); pb.Status != PrebookPending || pb.AllowWaitlist {
		t.Errorf("Monday's prebooking keeps waiting, without the waitlist: %+v", pb)
	}
	// Friday's Open Box is now the first fallback: the occurrence follows it.
	if rec, err := s.OccurrenceRecord(ctx, p.ID, fri); err != nil || rec.Choice != 1 || rec.PrebookingID != friPB.ID ||
		rec.State != OccPrebooked {
		t.Errorf("Friday's record: %+v, %v", rec, err)
	}
	if k := kinds(t, s); k[len(k)-1] != EventPlanEdited {
		t.Errorf("history %v", k)
	}

	// Open Box taken out: Friday's prebooking is withdrawn and the
	// occurrence starts again from the first choice.
	e = got.EditOf()
	e.Fallbacks = e.Fallbacks[1:]
	if got, err = s.EditPlan(ctx, p.ID, e); err != nil {
		t.Fatal(err)
	}
	if pb, _ := s.Prebooking(ctx, friPB.ID); pb.Status != PrebookCancelled || pb.OutcomeCode != OutcomePlanStopped {
		t.Errorf("Friday's prebooking: %+v", pb)
	}
	if rec, _ := s.OccurrenceRecord(ctx, p.ID, fri); rec.Choice != 0 || rec.PrebookingID != 0 || rec.State != OccPlanned {
		t.Errorf("Friday's record after its fallback went: %+v", rec)
	}
}

// TestEditPlanSkipsTheDaysItWasAskedTo: a day the edit adds whose booking
// is open can be skipped in the same change, so nothing books it.
func TestEditPlanSkipsTheDaysItWasAskedTo(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	e := p.EditOf()
	e.Days |= WeekdaysOf(time.Tuesday)
	e.Skip = []aimharder.Date{day("2026-11-24"), day("2026-11-26")} // a Tuesday, and a Thursday (not a plan day: ignored)
	got, err := s.EditPlan(ctx, p.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Skips) != 1 || got.Skips[0] != day("2026-11-24") {
		t.Fatalf("skips %v", got.Skips)
	}
	if read, _ := s.Plan(ctx, p.ID); len(read.Skips) != 1 {
		t.Errorf("stored skips %v", read.Skips)
	}
	if occ := occurrencesOf(t, s, got, "2026-11-24", "2026-11-24"); len(occ) != 1 || occ[0].State != OccSkipped {
		t.Errorf("Tuesday: %+v", occ)
	}
	k := kinds(t, s)
	if len(k) < 2 || k[len(k)-2] != EventPlanSkipped || k[len(k)-1] != EventPlanEdited {
		t.Errorf("history %v", k)
	}
}

// TestEditPlanStoresTheDaysToBookAtOnce: a day the edit adds that the
// member said to book although its booking was open is kept with the
// plan, so the runner may book it (MayBookOpen); a day not in the plan,
// or also skipped, is not; a consent goes with its day when an edit takes
// the day out.
func TestEditPlanStoresTheDaysToBookAtOnce(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	tue, wed, thu := day("2026-11-24"), day("2026-11-25"), day("2026-11-26")
	e := p.EditOf()
	e.Days |= WeekdaysOf(time.Tuesday, time.Wednesday)
	e.BookOpen = []aimharder.Date{wed, tue, thu} // Thursday is not a plan day
	e.Skip = []aimharder.Date{wed}               // skipped wins
	if _, err := s.EditPlan(ctx, p.ID, e); err != nil {
		t.Fatal(err)
	}
	read, err := s.Plan(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.BookOpen) != 1 || read.BookOpen[0] != tue {
		t.Fatalf("stored consent %v, want [%s]", read.BookOpen, tue)
	}
	early := read.CreatedAt.Add(-time.Hour)
	if !read.MayBookOpen(tue, early) || read.MayBookOpen(wed, early) {
		t.Errorf("MayBookOpen: Tuesday %v, Wednesday %v", read.MayBookOpen(tue, early), read.MayBookOpen(wed, early))
	}
	// A later edit keeps it; one that takes Tuesdays out drops it.
	e = read.EditOf()
	e.Waitlist = !e.Waitlist
	if got, err := s.EditPlan(ctx, p.ID, e); err != nil || len(got.BookOpen) != 1 {
		t.Fatalf("after an unrelated edit: %v, %v", got.BookOpen, err)
	}
	e.Days &^= WeekdaysOf(time.Tuesday)
	if _, err := s.EditPlan(ctx, p.ID, e); err != nil {
		t.Fatal(err)
	}
	if read, _ = s.Plan(ctx, p.ID); len(read.BookOpen) != 0 {
		t.Errorf("consent for a day taken out: %v", read.BookOpen)
	}
}

func TestEditPlanRefusesWhatAddRefuses(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	a, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	n := wodPlan()
	n.Days, n.Fallbacks = WeekdaysOf(time.Tuesday), nil
	b, err := s.AddPlan(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	e := b.EditOf()
	e.Days |= WeekdaysOf(time.Friday) // plan a's Friday
	if _, err := s.EditPlan(ctx, b.ID, e); !errors.Is(err, ErrPlanConflict) {
		t.Errorf("a's slot: %v", err)
	}
	// Not a conflict once a ends before b starts.
	ea := a.EditOf()
	ea.Until = day("2026-12-31")
	if _, err := s.EditPlan(ctx, a.ID, ea); err != nil {
		t.Fatal(err)
	}
	e.From = day("2027-01-01")
	if _, err := s.EditPlan(ctx, b.ID, e); err != nil {
		t.Errorf("after a ends: %v", err)
	}
	bad := []PlanEdit{
		{Days: 0},
		{Days: WeekdaysOf(time.Monday), From: day("2027-02-01"), Until: day("2027-01-01")},
		{Days: WeekdaysOf(time.Monday), Fallbacks: []Fallback{{Class: "wód", Time: ClockTime{7, 0}}}}, // the first choice
		{Days: WeekdaysOf(time.Monday), Fallbacks: []Fallback{{Class: "Yoga", Time: ClockTime{9, 0}}, {Class: "yoga", Time: ClockTime{9, 0}}}},
	}
	for _, e := range bad {
		if _, err := s.EditPlan(ctx, a.ID, e); !errors.Is(err, ErrInvalid) {
			t.Errorf("EditPlan(%+v) = %v, want ErrInvalid", e, err)
		}
	}
	if _, err := s.EditPlan(ctx, 99, a.EditOf()); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
}
