package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// A plan that books for a family member reads the day as that person
// sees it: the account holder's own booking in the same class is not
// "booked by hand" for the plan, and the family member is booked.
func TestWeeklyPlanForAFamilyMemberBooksThem(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	start := d.AddDays(-1).At(9, 0, madrid) // the window is open
	world := weeklyWorld("2d@07:00")
	world.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Test"}}
	h := newHarnessWith(t, start, world, "2d@07:00", aimhardertest.WithSessionLifetime(2000*time.Hour))
	holder := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	wod := h.fakeClass(d, "WOD", 7)
	if _, err := holder.Book(ctx, session.KindDevice, h.box, wod.ID, d, false); err != nil {
		t.Fatalf("the holder books the WOD: %v", err)
	}
	p := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 7}, Class: "WOD",
		From: d, Until: d, Now: true, FamilyID: "4243"})

	r := h.planRunner(h.store, "runner")
	h.runUntil(d.At(6, 0, madrid), func() bool {
		rec, _ := h.store.OccurrenceRecord(ctx, p.ID, d)
		return rec.State.Final()
	}, r)

	got := h.planStates(p)[p.ID][d]
	if got.State != session.OccBooked {
		h.dumpPlans()
		t.Fatalf("occurrence: %s (%q), want booked for the family member", got.State, got.Detail)
	}
	booked := false
	for _, res := range h.fake.Reservations(testEmail, "4243") {
		if res.ClassID == wod.ID && res.Active {
			booked = true
		}
	}
	if !booked {
		t.Errorf("the family member has no reservation in the WOD: %+v", h.fake.Reservations(testEmail, "4243"))
	}
}

// A plan made for the account holder by choice (session.PlanForHolder)
// books the holder even while the family_id setting names a family
// member: the setting decides only for plans that follow it.
func TestWeeklyPlanForTheHolderByChoice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := aimharder.Date{Year: 2026, Month: time.November, Day: 25}
	start := d.AddDays(-1).At(9, 0, madrid) // the window is open
	world := weeklyWorld("2d@07:00")
	world.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Test"}}
	h := newHarnessWith(t, start, world, "2d@07:00", aimhardertest.WithSessionLifetime(2000*time.Hour))
	if err := h.store.SetSetting(ctx, session.SettingFamilyID, "4243"); err != nil {
		t.Fatal(err)
	}
	wod := h.fakeClass(d, "WOD", 7)
	p := h.addPlan(session.NewPlan{Days: session.AllWeekdays, Time: session.ClockTime{Hour: 7}, Class: "WOD",
		From: d, Until: d, Now: true, FamilyID: session.PlanForHolder})

	r := h.planRunner(h.store, "runner")
	h.runUntil(d.At(6, 0, madrid), func() bool {
		rec, _ := h.store.OccurrenceRecord(ctx, p.ID, d)
		return rec.State.Final()
	}, r)

	if got := h.planStates(p)[p.ID][d]; got.State != session.OccBooked {
		h.dumpPlans()
		t.Fatalf("occurrence: %s (%q), want booked for the holder", got.State, got.Detail)
	}
	active := func(who string) bool {
		for _, res := range h.fake.Reservations(testEmail, who) {
			if res.ClassID == wod.ID && res.Active {
				return true
			}
		}
		return false
	}
	if !active("") || active("4243") {
		t.Errorf("holder booked %v, family member booked %v; want only the holder", active(""), active("4243"))
	}
}
