package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// hidingWorld is testWorld on a box that lists a class only once its
// booking window opens (docs/protocol.md §10B).
func hidingWorld() aimhardertest.World {
	w := testWorld(0)
	w.Boxes[0].HideUntilOpen = true
	return w
}

// prebookByName adds a prebooking without a class id: box, day, start
// and name.
func (h *harness) prebookByName(name string, hour int) session.Prebooking {
	h.t.Helper()
	start := testClassDay.At(hour, 0, madrid)
	opens, ok := h.box.Rule().OpensAt(start)
	if !ok {
		h.t.Fatal("the box's window is unknown")
	}
	p, err := h.store.AddPrebooking(h.t.Context(), session.NewPrebooking{
		BoxID: h.box.ID, Day: testClassDay, ClassName: name, ClassStart: start, OpensAt: opens,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if !p.Unresolved() || p.MatchName != name {
		h.t.Fatalf("prebooking by name stored as %+v", p)
	}
	return p
}

// dayReads counts the fake's class-list requests for testClassDay from
// `from` (server time) on.
func (h *harness) dayReads(from time.Time) int {
	n := 0
	for _, q := range h.fake.Requests() {
		if q.Endpoint == aimhardertest.EndpointBookings && strings.Contains(q.Query, "day="+testClassDay.Compact()) &&
			!q.Arrived.Before(from) {
			n++
		}
	}
	return n
}

// A prebooking by name on a box that hides its classes until their window
// opens: the class is not listed before the opening, the fire finds it by
// start and name at the opening and books it within a second of it.
func TestHiddenClassPrebookedByNameBooksAtTheOpening(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarnessWith(t, testOpening.Add(-70*time.Second), hidingWorld(), "2d@07:00")
	want := h.class("WOD")
	// Before the opening the member cannot see the class at all.
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	v, err := r.svc.Day(ctx, session.KindBackground, h.box, testClassDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Classes) != 0 {
		t.Fatalf("the hiding box lists %d classes before the opening", len(v.Classes))
	}
	p := h.prebookByName("wod", 8) // names match as plans do: case and accents aside
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 || got.Late {
		t.Fatalf("outcome: %s %q %q reservation %d late %v", got.Status, got.OutcomeCode, got.OutcomeMessage,
			got.ReservationID, got.Late)
	}
	if got.ClassID != want.ID || got.ClassName != "WOD" || got.MatchName != "wod" {
		t.Errorf("resolved to class %d %q (match %q), want %d WOD", got.ClassID, got.ClassName, got.MatchName, want.ID)
	}
	var first time.Time
	for _, q := range h.bookRequests(want.ID) {
		if accepted(q) {
			first = q.Arrived
			break
		}
	}
	if first.IsZero() {
		t.Fatalf("no booking was accepted: %v", h.bookRequests(want.ID))
	}
	if late := first.Sub(testOpening); late < 0 || late >= time.Second {
		t.Errorf("the booking arrived %v after the opening, want within [0, 1 s)", late)
	}
	reads := h.dayReads(testOpening.Add(-3 * time.Second))
	if reads == 0 || reads > int(2*time.Second/resolveFast)+4 {
		t.Errorf("%d day reads around the opening, want a few (one every %v from T−2 s)", reads, resolveFast)
	}
	t.Logf("booked %v after the opening; %d day reads around it (%d counted by the runner)", first.Sub(testOpening),
		reads, r.resolveReads.Load())
}

// A class that never appears: the fire reads the day at its cadence until
// 30 s after the opening, then ends failed with no_class and says why.
// The reads stay bounded.
func TestHiddenClassThatNeverAppearsEndsNoClass(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, testOpening.Add(-70*time.Second), hidingWorld(), "2d@07:00")
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	p := h.prebookByName("YOGA", 8)
	got := h.fireNow(r, p)
	if got.Status != session.PrebookFailed || got.OutcomeCode != OutcomeNoClass || got.ClassID != 0 {
		t.Fatalf("outcome: %s %q class %d", got.Status, got.OutcomeCode, got.ClassID)
	}
	if !strings.Contains(got.OutcomeMessage, "YOGA at 08:00") || !strings.Contains(got.OutcomeMessage, "did not appear") {
		t.Errorf("message %q does not say which class did not appear", got.OutcomeMessage)
	}
	if got.Attempts != 0 {
		t.Errorf("%d booking requests sent for a class never found", got.Attempts)
	}
	reads := h.dayReads(testOpening.Add(-3 * time.Second))
	if limit := maxResolveReads(2 * time.Second); reads == 0 || reads > limit {
		t.Errorf("%d day reads, want at most %d", reads, limit)
	}
	if last := h.fake.Requests(); len(last) > 0 {
		if end := last[len(last)-1].Arrived; end.After(testOpening.Add(resolveFor + 2*time.Second)) {
			t.Errorf("still reading at %v after the opening", end.Sub(testOpening))
		}
	}
	t.Logf("no_class after %d day reads (%d counted by the runner): %s", reads, r.resolveReads.Load(), got.OutcomeMessage)
}

// One live prebooking per class: a prebooking by name for a class already
// prebooked by id (same start, matching name) is a duplicate, and so the
// other way round; another name at that time is not.
func TestPrebookingByNameIsOnePerClass(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarnessWith(t, testOpening.Add(-70*time.Second), testWorld(0), "2d@07:00")
	byID := h.prebook(h.store, "WOD", false)
	start := testClassDay.At(8, 0, madrid)
	add := func(name string, id int64) error {
		_, err := h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: h.box.ID, ClassID: id, Day: testClassDay,
			ClassName: name, ClassStart: start, OpensAt: testOpening})
		return err
	}
	if err := add("Wod", 0); err == nil || !isDuplicate(err) {
		t.Errorf("by name after by id: %v, want a duplicate", err)
	}
	if err := add("OPEN BOX", 0); err != nil {
		t.Errorf("another class at that time: %v", err)
	}
	if _, err := h.store.CancelPrebooking(ctx, byID.ID); err != nil {
		t.Fatal(err)
	}
	if err := add("WOD", 0); err != nil {
		t.Fatal(err)
	}
	if err := add("WOD", byID.ClassID); !isDuplicate(err) {
		t.Errorf("by id after by name: %v, want a duplicate", err)
	}
	if err := add("", 0); err == nil {
		t.Error("a prebooking with neither id nor name was stored")
	}
}

func isDuplicate(err error) bool {
	return err != nil && strings.Contains(err.Error(), session.ErrDuplicate.Error())
}

// A weekly plan on a box that hides its classes until their window opens:
// right before the opening the class is not listed, so the occurrence is
// prebooked by name and the fire finds and books it within a second of
// the opening. A plan whose class never appears ends no_class, saying so.
func TestHiddenClassWeeklyPlanBooksAtTheOpening(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	world := weeklyWorld("2d@07:00")
	world.Boxes[0].HideUntilOpen = true
	opening := d.AddDays(-2).At(7, 0, madrid)
	// The runner starts inside the two minutes before the opening: its
	// first plan pass (the clock held) is the one right before it.
	h := newHarnessWith(t, opening.Add(-100*time.Second), world, "2d@07:00",
		aimhardertest.WithSessionLifetime(2000*time.Hour))
	wod := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 7}, Class: "WOD",
		From: d, Until: d})
	gone := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 8}, Class: "PILATES",
		From: d, Until: d})
	r := h.shortRunner()
	final := func() bool {
		a, _ := h.store.OccurrenceRecord(ctx, wod.ID, d)
		b, _ := h.store.OccurrenceRecord(ctx, gone.ID, d)
		return a.State.Final() && b.State.Final()
	}
	h.runUntil(opening.Add(time.Minute), final, r)
	states := h.planStates(wod, gone)
	want := h.fakeClass(d, "WOD", 7)
	if got := states[wod.ID][d]; got.State != session.OccBooked || got.ClassID != want.ID {
		h.dumpPlans()
		t.Fatalf("WOD occurrence: %s class %d (%q), want booked class %d", got.State, got.ClassID, got.Detail, want.ID)
	}
	var first time.Time
	for _, q := range h.bookRequests(want.ID) {
		if accepted(q) {
			first = q.Arrived
			break
		}
	}
	if late := first.Sub(opening); first.IsZero() || late < 0 || late >= time.Second {
		t.Errorf("the plan's booking arrived %v after the opening, want within [0, 1 s)", late)
	}
	if got := states[gone.ID][d]; got.State != session.OccNoClass || !strings.Contains(got.Detail, "PILATES at 08:00") {
		h.dumpPlans()
		t.Errorf("PILATES occurrence: %s (%q), want no_class saying which class", got.State, got.Detail)
	}
	pbs, _ := h.store.PlanPrebookings(ctx, wod.ID, d, d)
	if len(pbs) != 1 || pbs[0].MatchName != "WOD" || pbs[0].ClassID != want.ID {
		t.Errorf("WOD prebookings: %+v", pbs)
	}
	h.oneBookingPerClass()
	t.Logf("plan booked %v after the opening; %d day reads at the opening (both prebookings)", first.Sub(opening),
		r.resolveReads.Load())
}

// On a box that lists its classes ahead, a plan's class missing right
// before its opening is gone (renamed or moved): no_class at once, with no
// search at the opening (its fallback would otherwise wait for it).
func TestMissingClassOnAListingBoxIsNotSearched(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	opening := d.AddDays(-2).At(7, 0, madrid)
	h := newHarnessWith(t, opening.Add(-100*time.Second), weeklyWorld("2d@07:00"), "2d@07:00",
		aimhardertest.WithSessionLifetime(2000*time.Hour))
	gone := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 8}, Class: "PILATES",
		From: d, Until: d})
	r := h.shortRunner()
	h.runUntil(opening.Add(time.Minute), func() bool {
		rec, _ := h.store.OccurrenceRecord(ctx, gone.ID, d)
		return rec.State.Final()
	}, r)
	if got := h.planStates(gone)[gone.ID][d]; got.State != session.OccNoClass {
		t.Errorf("occurrence: %s (%q), want no_class", got.State, got.Detail)
	}
	if n := r.resolveReads.Load(); n != 0 {
		t.Errorf("%d day reads searching for a class the box would have listed", n)
	}
	if pbs, _ := h.store.PlanPrebookings(ctx, gone.ID, d, d); len(pbs) != 0 {
		t.Errorf("prebookings: %+v", pbs)
	}
}

// AimHarder ends the session while the fire looks for its class (its
// reads then get the public schedule, or a logout): the class is still
// found, the fire logs in again once (password_command) and books within
// a second of the opening.
func TestHiddenClassSearchSurvivesALogout(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, testOpening.Add(-70*time.Second), hidingWorld(), "2d@07:00")
	if err := h.store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	p := h.prebookByName("HYROX", 9)
	ended := h.at(testOpening.Add(-time.Second), func() error {
		if h.fake.ForceLogout(testEmail, "") == 0 {
			return fmt.Errorf("no session to end")
		}
		return nil
	})
	got := h.fireNow(r, p)
	if err := ended(); err != nil {
		t.Fatal(err)
	}
	want := h.class("HYROX")
	if got.Status != session.PrebookBooked || got.ClassID != want.ID {
		t.Fatalf("outcome: %s %q %q class %d", got.Status, got.OutcomeCode, got.OutcomeMessage, got.ClassID)
	}
	for _, q := range h.bookRequests(want.ID) {
		if accepted(q) {
			if late := q.Arrived.Sub(testOpening); late < 0 || late >= time.Second {
				t.Errorf("the booking arrived %v after the opening", late)
			}
		}
	}
}

// shortRunner runs plans with the default timing (a beat every few
// seconds): these simulations last minutes, not weeks, and a clock that
// moves on while the engine works after its first pass cannot skip far.
func (h *harness) shortRunner() *Runner {
	return h.newRunner(h.store, "runner", func(c *Config) {
		c.NoKeeper = true
		c.Notify.Disabled = true
	})
}
