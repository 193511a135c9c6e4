package scheduler

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// runPlanKinds runs one plan on each of three boxes side by side — sliding
// days, hours and a fixed hour (weeklyBenchBoxes) — in one simulation of
// fourteen hours: Friday's 19:00 WOD on the 4-day box and Wednesday's on
// the 48-hour and the 2-days-at-07:00 ones, whose windows open on Monday
// at 19:00, 19:00 and 07:00. Each is prebooked once listed and booked at
// its own box's opening, once: a cheap cover of every kind of window,
// which the multi-week test runs only one of under the race detector.
func runPlanKinds(t *testing.T) {
	ctx := t.Context()
	day := func(d int) aimharder.Date { return aimharder.Date{Year: 2026, Month: time.November, Day: d} }
	start := day(2).At(6, 0, madrid) // Mon 2 Nov 2026
	classDays := map[string]aimharder.Date{"slidebox": day(6), "hourbox": day(4), "fixbox": day(4)}
	h := &harness{t: t, clock: aimhardertest.NewManualClock(start), dbPath: filepath.Join(t.TempDir(), "ahtui.db")}
	h.fake, h.urls = aimhardertest.Start(t, weeklyBenchWorld(), aimhardertest.WithClock(h.clock),
		aimhardertest.WithSessionLifetime(2000*time.Hour))
	h.store = h.openStore()
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Login(ctx, testEmail, testPassword); err != nil {
		t.Fatalf("login: %v", err)
	}
	boxes, err := h.store.Boxes(ctx)
	if err != nil || len(boxes) != len(weeklyBenchBoxes) {
		t.Fatalf("boxes: %v, %v", boxes, err)
	}
	type kind struct {
		box   session.Box
		plan  session.Plan
		day   aimharder.Date
		class aimhardertest.ClassInfo
	}
	var kinds []kind
	for _, bx := range weeklyBenchBoxes {
		for _, box := range boxes {
			if box.Subdomain != bx.sub {
				continue
			}
			if err := h.store.SetMemberWindow(ctx, box.ID, bx.rule); err != nil {
				t.Fatal(err)
			}
			if box, err = h.store.Box(ctx, box.ID); err != nil {
				t.Fatal(err)
			}
			d := classDays[bx.sub]
			p, err := h.store.AddPlan(ctx, session.NewPlan{BoxID: box.ID, Days: session.WeekdaysOf(d.Weekday()),
				Time: session.ClockTime{Hour: 19}, Class: "wod"})
			if err != nil {
				t.Fatal(err)
			}
			k := kind{box: box, plan: p, day: d}
			for _, c := range h.fake.Classes(bx.sub, d) {
				if c.Name == "WOD" && c.Start.Hour() == 19 {
					k.class = c
				}
			}
			if k.class.ID == 0 {
				t.Fatalf("%s: no WOD at 19:00 on %s", bx.sub, d)
			}
			kinds = append(kinds, k)
		}
	}
	h.box = kinds[0].box
	var plans []session.Plan
	for _, k := range kinds {
		plans = append(plans, k.plan)
	}
	r := h.planRunner(h.store, "runner")
	allBooked := func() bool {
		states := h.planStates(plans...)
		for _, k := range kinds {
			if states[k.plan.ID][k.day].State != session.OccBooked {
				return false
			}
		}
		return true
	}
	h.runUntil(day(3).At(0, 0, madrid), allBooked, r)

	states := h.planStates(plans...)
	for i, k := range kinds {
		name := weeklyBenchBoxes[i].sub + " (" + weeklyBenchBoxes[i].rule + ")"
		got := states[k.plan.ID][k.day]
		if got.State != session.OccBooked || got.ClassID != k.class.ID {
			t.Errorf("%s: %s class %d (%q), want booked class %d", name, got.State, got.ClassID, got.Detail, k.class.ID)
			continue
		}
		opens, ok := k.box.Rule().OpensAt(k.class.Start)
		if !ok || !opens.After(start) {
			t.Fatalf("%s: opens at %v (%v), want after the start", name, opens, ok)
		}
		var arrived []time.Time
		for _, q := range h.fake.Requests() {
			if q.Endpoint == aimhardertest.EndpointBook && q.Form["id"] == itoa(k.class.ID) && accepted(q) {
				arrived = append(arrived, q.Arrived)
			}
		}
		if len(arrived) != 1 {
			t.Errorf("%s: %d bookings accepted, want 1", name, len(arrived))
			continue
		}
		if late := arrived[0].Sub(opens); late < 0 || late > time.Second {
			t.Errorf("%s: booked %v after its opening %v, want at it", name, late, opens.In(madrid).Format("Mon 15:04"))
		}
		t.Logf("%s: opened %s, booked %v after", name, opens.In(madrid).Format("Mon 15:04"), arrived[0].Sub(opens))
	}
}

// TestWeeklyPlansOnEveryKindOfBox: a plan on a box of each kind of
// window, side by side (runPlanKinds); the race detector's cover of the
// kinds TestWeeklyPlansOverWeeks leaves out there.
func TestWeeklyPlansOnEveryKindOfBox(t *testing.T) {
	t.Parallel()
	runPlanKinds(t)
}
