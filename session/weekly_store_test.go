package session

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// planStore opens a store with box 1 in Madrid; the clock reads Monday
// 23 Nov 2026, 10:00 box time.
func planStore(t *testing.T) (*Store, *testClock) {
	t.Helper()
	s, clock := openStore(t)
	if err := s.SyncBoxes(t.Context(), []BoxInfo{{ID: 1, Subdomain: "crossfitx", Name: "CrossFit X"}}); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func wodPlan() NewPlan {
	return NewPlan{BoxID: 1, Days: WeekdaysOf(time.Monday, time.Wednesday, time.Friday), Time: ClockTime{7, 0},
		Class: " WOD ", Waitlist: true, Fallbacks: []Fallback{{Class: "WOD", Time: ClockTime{8, 0}}}}
}

func kinds(t *testing.T, s *Store) []EventKind {
	t.Helper()
	events, err := s.History(t.Context(), HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []EventKind
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, events[i].Kind)
	}
	return out
}

func TestAddPlanStoresAndRefusesTheSameSlot(t *testing.T) {
	s, clock := planStore(t)
	ctx := t.Context()
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.Class != "WOD" || p.Days.String() != "mon,wed,fri" || p.Time.String() != "07:00" || !p.Waitlist ||
		len(p.Fallbacks) != 1 || p.Fallbacks[0].Time.String() != "08:00" || !p.CreatedAt.Equal(clock.Now()) || p.Now {
		t.Errorf("stored %+v", p)
	}
	got, err := s.Plan(ctx, p.ID)
	if err != nil || got.Class != p.Class || len(got.Fallbacks) != 1 {
		t.Errorf("read back %+v, %v", got, err)
	}
	// Same slot, accents and case aside, one shared weekday: refused.
	dup := wodPlan()
	dup.Class, dup.Days, dup.Fallbacks = "wód", WeekdaysOf(time.Friday, time.Saturday), nil
	if _, err := s.AddPlan(ctx, dup); !errors.Is(err, ErrPlanConflict) || !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	other := wodPlan()
	other.Class = "TEAM WOD"
	if _, err := s.AddPlan(ctx, other); err != nil {
		t.Errorf("another class at the same time: %v", err)
	}
	bad := wodPlan()
	bad.Days = 0
	if _, err := s.AddPlan(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("no days: %v", err)
	}
	nobox := wodPlan()
	nobox.BoxID = 9
	if _, err := s.AddPlan(ctx, nobox); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown box: %v", err)
	}
	// Once removed, the slot is free again.
	if _, err := s.RemovePlan(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemovePlan(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed twice: %v", err)
	}
	if _, err := s.AddPlan(ctx, dup); err != nil {
		t.Errorf("after removal: %v", err)
	}
	plans, err := s.Plans(ctx, PlanQuery{})
	if err != nil || len(plans) != 2 {
		t.Errorf("live plans: %d, %v", len(plans), err)
	}
	want := []EventKind{EventPlanAdded, EventPlanAdded, EventPlanRemoved, EventPlanAdded}
	if got := kinds(t, s); len(got) != len(want) {
		t.Errorf("history %v, want %v", got, want)
	}
}

func TestPlansEndedAreLeftOut(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	n := wodPlan()
	n.From, n.Until = day("2026-11-01"), day("2026-11-20")
	if _, err := s.AddPlan(ctx, n); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Plans(ctx, PlanQuery{}); len(all) != 1 {
		t.Errorf("all: %d", len(all))
	}
	if cur, _ := s.Plans(ctx, PlanQuery{EndsFrom: day("2026-11-23")}); len(cur) != 0 {
		t.Errorf("current: %d", len(cur))
	}
	if other, _ := s.Plans(ctx, PlanQuery{BoxID: 2}); len(other) != 0 {
		t.Errorf("box 2: %d", len(other))
	}
}

// linkedPrebooking adds a pending prebooking for plan p on d.
func linkedPrebooking(t *testing.T, s *Store, p Plan, d aimharder.Date, classID int64) Prebooking {
	t.Helper()
	start := p.Time.On(d, madrid(t))
	pb, err := s.AddPrebooking(t.Context(), NewPrebooking{BoxID: 1, ClassID: classID, Day: d, ClassName: p.Class,
		ClassStart: start, OpensAt: start.Add(-96 * time.Hour), PlanID: p.ID, PlanDay: d})
	if err != nil {
		t.Fatal(err)
	}
	if pb.PlanID != p.ID || pb.PlanDay != d {
		t.Fatalf("link not stored: %+v", pb)
	}
	return pb
}

func occurrencesOf(t *testing.T, s *Store, p Plan, from, until string) []PlanOccurrence {
	t.Helper()
	loc := madrid(t)
	m, err := s.PlanOccurrences(t.Context(), []Plan{p}, day(from), day(until), func(int64) *time.Location { return loc })
	if err != nil {
		t.Fatal(err)
	}
	return m[p.ID]
}

func TestSkipWithdrawsThePrebookingAndUnskipRestores(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	wed := day("2026-11-25")
	pb := linkedPrebooking(t, s, p, wed, 501)
	if occ := occurrencesOf(t, s, p, "2026-11-25", "2026-11-25"); len(occ) != 1 || occ[0].State != OccPrebooked || occ[0].PrebookingID != pb.ID || occ[0].ClassID != 501 {
		t.Fatalf("before skip: %+v", occ)
	}
	if _, err := s.SkipPlanDay(ctx, p.ID, day("2026-11-24")); !errors.Is(err, ErrInvalid) {
		t.Errorf("a Tuesday: %v", err)
	}
	if _, err := s.SkipPlanDay(ctx, 99, wed); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
	got, err := s.SkipPlanDay(ctx, p.ID, wed)
	if err != nil || len(got.Skips) != 1 || got.Skips[0] != wed {
		t.Fatalf("skip: %+v, %v", got, err)
	}
	if _, err := s.SkipPlanDay(ctx, p.ID, wed); err != nil {
		t.Errorf("skipping twice: %v", err)
	}
	after, _ := s.Prebooking(ctx, pb.ID)
	if after.Status != PrebookCancelled || after.OutcomeCode != OutcomePlanStopped {
		t.Errorf("prebooking after skip: %+v", after)
	}
	if occ := occurrencesOf(t, s, got, "2026-11-25", "2026-11-25"); occ[0].State != OccSkipped {
		t.Errorf("after skip: %+v", occ)
	}
	got, err = s.UnskipPlanDay(ctx, p.ID, wed)
	if err != nil || len(got.Skips) != 0 {
		t.Fatalf("unskip: %+v, %v", got, err)
	}
	if _, err := s.UnskipPlanDay(ctx, p.ID, wed); !errors.Is(err, ErrNotFound) {
		t.Errorf("unskip twice: %v", err)
	}
	// The withdrawn prebooking is not a member's cancel: planned again.
	if occ := occurrencesOf(t, s, got, "2026-11-25", "2026-11-25"); occ[0].State != OccPlanned {
		t.Errorf("after unskip: %+v", occ)
	}
}

func TestPauseEveryPlanAndResume(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	a, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	n := wodPlan()
	n.Class, n.Days = "Halterofilia", WeekdaysOf(time.Tuesday)
	b, err := s.AddPlan(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	inside, outside := linkedPrebooking(t, s, a, day("2026-12-02"), 601), linkedPrebooking(t, s, a, day("2026-12-09"), 602)
	if _, err := s.PausePlans(ctx, 0, DayRange{From: day("2026-12-05"), Until: day("2026-12-01")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("reversed: %v", err)
	}
	paused, err := s.PausePlans(ctx, 0, DayRange{From: day("2026-11-30"), Until: day("2026-12-06")})
	if err != nil || len(paused) != 2 || len(paused[0].Pauses) != 1 || len(paused[1].Pauses) != 1 {
		t.Fatalf("pause all: %+v, %v", paused, err)
	}
	if p, _ := s.Prebooking(ctx, inside.ID); p.Status != PrebookCancelled {
		t.Errorf("prebooking in the pause: %s", p.Status)
	}
	if p, _ := s.Prebooking(ctx, outside.ID); p.Status != PrebookPending {
		t.Errorf("prebooking after the pause: %s", p.Status)
	}
	a, _ = s.Plan(ctx, a.ID)
	states := map[string]OccurrenceState{}
	for _, o := range occurrencesOf(t, s, a, "2026-11-30", "2026-12-09") {
		states[o.Day.String()] = o.State
	}
	want := map[string]OccurrenceState{"2026-11-30": OccPaused, "2026-12-02": OccPaused, "2026-12-04": OccPaused,
		"2026-12-07": OccPlanned, "2026-12-09": OccPrebooked}
	for d, st := range want {
		if states[d] != st {
			t.Errorf("%s: %s, want %s", d, states[d], st)
		}
	}
	if _, err := s.PausePlans(ctx, b.ID, DayRange{From: day("2026-12-15"), Until: day("2026-12-15")}); err != nil {
		t.Fatal(err)
	}
	resumed, err := s.ResumePlans(ctx, b.ID)
	if err != nil || len(resumed) != 1 || len(resumed[0].Pauses) != 0 {
		t.Fatalf("resume one: %+v, %v", resumed, err)
	}
	if a, _ := s.Plan(ctx, a.ID); len(a.Pauses) != 1 {
		t.Errorf("the other plan's pause went too: %+v", a.Pauses)
	}
	if resumed, err := s.ResumePlans(ctx, 0); err != nil || len(resumed) != 1 || resumed[0].ID != a.ID {
		t.Errorf("resume all: %+v, %v", resumed, err)
	}
	if resumed, err := s.ResumePlans(ctx, 0); err != nil || len(resumed) != 0 {
		t.Errorf("nothing left to resume: %+v, %v", resumed, err)
	}
	if _, err := s.ResumePlans(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
}

func TestPauseWithNoPlans(t *testing.T) {
	s, _ := planStore(t)
	if _, err := s.PausePlans(t.Context(), 0, DayRange{From: day("2026-12-01"), Until: day("2026-12-02")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plans: %v", err)
	}
}

func TestPutOccurrenceIsACompareAndSet(t *testing.T) {
	s, clock := planStore(t)
	ctx := t.Context()
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	fri := day("2026-11-27")
	rec, err := s.OccurrenceRecord(ctx, p.ID, fri)
	if err != nil || rec.Version != 0 || rec.State != "" || rec.PlanID != p.ID || rec.Day != fri {
		t.Fatalf("no record yet: %+v, %v", rec, err)
	}
	// Two processes race to act on the same occurrence: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for i := range 4 {
		wg.Go(func() {
			r := rec
			r.State, r.ClassID = OccPrebooked, int64(700+i)
			_, err := s.PutOccurrence(ctx, r)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, ErrConcurrentUpdate):
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || conflicts != 3 {
		t.Fatalf("wins %d, conflicts %d", wins, conflicts)
	}
	cur, err := s.OccurrenceRecord(ctx, p.ID, fri)
	if err != nil || cur.Version != 1 || cur.State != OccPrebooked || !cur.UpdatedAt.Equal(clock.Now()) {
		t.Fatalf("after the race: %+v, %v", cur, err)
	}
	pb := linkedPrebooking(t, s, p, fri, cur.ClassID)
	cur.State, cur.PrebookingID, cur.ReservationID, cur.Choice, cur.Detail = OccBooked, pb.ID, 9001, 1, "07:00 was full"
	done, err := s.PutOccurrence(ctx, cur)
	if err != nil || done.Version != 2 || done.Choice != 1 || done.ReservationID != 9001 {
		t.Fatalf("booked: %+v, %v", done, err)
	}
	if _, err := s.PutOccurrence(ctx, cur); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("stale version: %v", err)
	}
	for _, st := range []OccurrenceState{OccSkipped, OccPaused, "", "gone"} {
		bad := done
		bad.State = st
		if _, err := s.PutOccurrence(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("state %q: %v", st, err)
		}
	}
	if _, err := s.PutOccurrence(ctx, OccurrenceRecord{PlanID: 99, Day: fri, State: OccPlanned}); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
	found, err := s.OccurrenceOfPrebooking(ctx, pb.ID)
	if err != nil || found.Version != 2 || found.State != OccBooked {
		t.Errorf("occurrence of the prebooking: %+v, %v", found, err)
	}
	oneOff := addPrebookings(t, s, 1)[0]
	if _, err := s.OccurrenceOfPrebooking(ctx, oneOff); !errors.Is(err, ErrNotFound) {
		t.Errorf("one-off prebooking: %v", err)
	}
	occ := occurrencesOf(t, s, p, "2026-11-27", "2026-11-27")
	if len(occ) != 1 || occ[0].State != OccBooked || occ[0].ReservationID != 9001 || occ[0].PrebookingID != pb.ID || occ[0].Choice != 1 {
		t.Errorf("joined: %+v", occ)
	}
	// A booking stays booked when the day is skipped afterwards.
	if _, err := s.SkipPlanDay(ctx, p.ID, fri); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Plan(ctx, p.ID)
	if occ := occurrencesOf(t, s, p, "2026-11-27", "2026-11-27"); occ[0].State != OccBooked {
		t.Errorf("booked then skipped: %+v", occ)
	}
	events, err := s.History(ctx, HistoryQuery{Kinds: []EventKind{EventPlanOccurrence}})
	if err != nil || len(events) != 2 || events[0].Message != "WOD on 2026-11-27 (plan #1): booked — fallback WOD at 08:00 — 07:00 was full" {
		t.Errorf("history: %+v, %v", events, err)
	}
	recs, err := s.OccurrenceRecords(ctx, 0, day("2026-11-01"), day("2026-11-30"))
	if err != nil || len(recs) != 1 {
		t.Errorf("records: %+v, %v", recs, err)
	}
}

func TestLinkNeedsPlanAndDay(t *testing.T) {
	s, clock := planStore(t)
	_, err := s.AddPrebooking(t.Context(), NewPrebooking{BoxID: 1, ClassID: 1, Day: classDay, ClassStart: clock.Now(), PlanID: 3})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("plan without day: %v", err)
	}
}

func TestPlansVersionMovesOnEveryPlanChange(t *testing.T) {
	s, _ := planStore(t)
	ctx := t.Context()
	last, err := s.PlansVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moved := func(what string) {
		t.Helper()
		v, err := s.PlansVersion(ctx)
		if err != nil || v <= last {
			t.Errorf("%s: version %d (was %d), %v", what, v, last, err)
		}
		last = v
	}
	p, err := s.AddPlan(ctx, wodPlan())
	if err != nil {
		t.Fatal(err)
	}
	moved("add")
	fri := day("2026-11-27")
	if _, err := s.SkipPlanDay(ctx, p.ID, fri); err != nil {
		t.Fatal(err)
	}
	moved("skip")
	if _, err := s.UnskipPlanDay(ctx, p.ID, fri); err != nil {
		t.Fatal(err)
	}
	moved("unskip")
	if _, err := s.PausePlans(ctx, p.ID, DayRange{From: fri, Until: fri}); err != nil {
		t.Fatal(err)
	}
	moved("pause")
	if _, err := s.ResumePlans(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	moved("resume")
	if _, err := s.PutOccurrence(ctx, OccurrenceRecord{PlanID: p.ID, Day: fri, State: OccPrebooked}); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.PlansVersion(ctx); v != last {
		t.Errorf("an occurrence record moved the version")
	}
	if _, err := s.RemovePlan(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	moved("remove")
}

// BenchmarkPlanOccurrences materialises a week of 20 plans over 3 boxes,
// each with a record and a linked prebooking on some days.
func BenchmarkPlanOccurrences(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "ahtui.db"), WithClock(newTestClock().Now))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := b.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "a"}, {ID: 2, Subdomain: "b"}, {ID: 3, Subdomain: "c"}}); err != nil {
		b.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Madrid")
	var plans []Plan
	for i := range 20 {
		p, err := s.AddPlan(ctx, NewPlan{BoxID: int64(i%3 + 1), Days: AllWeekdays, Time: ClockTime{6 + i%14, 0},
			Class: "WOD " + string(rune('A'+i))})
		if err != nil {
			b.Fatal(err)
		}
		plans = append(plans, p)
		for _, o := range p.Occurrences(day("2026-11-24"), day("2026-11-30"), loc) {
			if o.Day.Day%2 == 0 {
				if _, err := s.PutOccurrence(ctx, OccurrenceRecord{PlanID: p.ID, Day: o.Day, State: OccPrebooked, ClassID: int64(i)}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	zone := func(int64) *time.Location { return loc }
	b.ResetTimer()
	for b.Loop() {
		m, err := s.PlanOccurrences(ctx, plans, day("2026-11-24"), day("2026-11-30"), zone)
		if err != nil || len(m) != 20 {
			b.Fatal(len(m), err)
		}
	}
}
