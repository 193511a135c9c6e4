package scheduler

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// weeklyBenchBoxes: three boxes, one of each kind of window.
var weeklyBenchBoxes = []struct{ sub, rule string }{{"slidebox", "4d"}, {"hourbox", "48h"}, {"fixbox", "2d@07:00"}}

// weeklyBenchSlots are the classes every bench box holds every day.
var weeklyBenchSlots = []struct {
	name string
	hour int
}{{"WOD", 7}, {"HYROX", 8}, {"OPEN BOX", 9}, {"YOGA", 18}, {"WOD", 19}, {"STRENGTH", 20}}

func weeklyBenchWorld() aimhardertest.World {
	w := aimhardertest.World{Seed: 9, Users: []aimhardertest.UserConfig{{ID: 7201, Email: testEmail,
		Password: testPassword, Name: "Bench Member"}}}
	for i, bx := range weeklyBenchBoxes {
		var tmpl []aimhardertest.ClassTemplate
		for _, s := range weeklyBenchSlots {
			tmpl = append(tmpl, aimhardertest.ClassTemplate{Start: time.Date(0, 1, 1, s.hour, 0, 0, 0, time.UTC).Format("15:04"),
				Name: s.name, Capacity: 20, Coach: "Coach"})
		}
		w.Boxes = append(w.Boxes, aimhardertest.BoxConfig{ID: int64(801 + i), Sub: bx.sub, Name: bx.sub,
			Timezone: "Europe/Madrid", Window: aimhardertest.MustParseWindowRule(bx.rule), Template: tmpl})
		w.Users[0].Roles = append(w.Users[0].Roles, aimhardertest.RoleConfig{Box: bx.sub})
	}
	return w
}

// weeklyBench is a logged-in database with the three boxes and a runner
// that is never started: the benchmark drives its plan pass itself.
type weeklyBench struct {
	clock *aimhardertest.ManualClock
	store *session.Store
	boxes []session.Box
	r     *Runner
}

func newWeeklyBench(b *testing.B, start time.Time) *weeklyBench {
	ctx := b.Context()
	wb := &weeklyBench{clock: aimhardertest.NewManualClock(start)}
	_, urls := aimhardertest.Start(b, weeklyBenchWorld(), aimhardertest.WithClock(wb.clock),
		aimhardertest.WithSessionLifetime(5000*time.Hour))
	store, err := session.Open(ctx, filepath.Join(b.TempDir(), "ahtui.db"), session.WithClock(wb.clock.Now),
		session.WithLeaseWait(0))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	wb.store = store
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	b.Cleanup(transport.CloseIdleConnections)
	client, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, HTTPClient: &http.Client{Transport: wb.clock.Transport(transport)},
		Now: wb.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	svc := account.New(account.Config{Store: store, Client: client, Now: wb.clock.Now})
	if _, err := svc.Login(ctx, testEmail, testPassword); err != nil {
		b.Fatal(err)
	}
	boxes, err := store.Boxes(ctx)
	if err != nil || len(boxes) != len(weeklyBenchBoxes) {
		b.Fatalf("boxes: %v, %v", boxes, err)
	}
	for i, bx := range weeklyBenchBoxes {
		for _, box := range boxes {
			if box.Subdomain == bx.sub {
				if err := store.SetMemberWindow(ctx, box.ID, bx.rule); err != nil {
					b.Fatal(err)
				}
				if wb.boxes = append(wb.boxes, box); i+1 != len(wb.boxes) {
					b.Fatal("boxes out of order")
				}
			}
		}
	}
	for i := range wb.boxes {
		wb.boxes[i], _ = store.Box(ctx, wb.boxes[i].ID)
	}
	wb.r, err = NewRunner(Config{Store: store, Client: client, Clock: wb.clock, Owner: "bench", NoKeeper: true,
		Notify: NotifyConfig{Disabled: true}})
	if err != nil {
		b.Fatal(err)
	}
	return wb
}

// addPlans adds the benchmark's 20 plans: box i%3, a class slot each,
// on Mon/Wed/Fri or Tue/Thu (never the same slot on a shared day).
func (wb *weeklyBench) addPlans(b *testing.B) []session.Plan {
	mwf := session.WeekdaysOf(time.Monday, time.Wednesday, time.Friday)
	tt := session.WeekdaysOf(time.Tuesday, time.Thursday)
	var plans []session.Plan
	for i := range 20 {
		n := i / len(wb.boxes)
		slot := weeklyBenchSlots[n%len(weeklyBenchSlots)]
		days := mwf
		if n >= len(weeklyBenchSlots) {
			days = tt
		}
		p, err := wb.store.AddPlan(b.Context(), session.NewPlan{BoxID: wb.boxes[i%len(wb.boxes)].ID, Days: days,
			Time: session.ClockTime{Hour: slot.hour}, Class: slot.name, Waitlist: i%2 == 0,
			Fallbacks: []session.Fallback{{Class: "OPEN BOX", Time: session.ClockTime{Hour: 10 + n}}}})
		if err != nil {
			b.Fatal(err)
		}
		plans = append(plans, p)
	}
	return plans
}

// BenchmarkWeeklyPlans: 20 plans over 3 boxes (sliding days, hours, fixed
// hour).
//
// day-reads/box/day is how many class days the runner read per box per
// simulated day outside openings, over four weeks of hourly plan passes
// after the plans' first day (the goal: at most 1); first-day-reads/box
// the reads of the day the plans were made (their first week at once);
// opening-reads/box/day the reads right before openings. ns/op is
// materialising a week: one plan pass turning a week of occurrences (the
// class lists cached) into prebookings and records (the goal: ≤ 10 ms);
// occurrences/op how many it decided.
func BenchmarkWeeklyPlans(b *testing.B) {
	ctx := context.WithoutCancel(b.Context())
	start := aimharder.Date{Year: 2026, Month: time.November, Day: 2}.At(9, 0, madrid)

	// Four weeks of plan passes on the simulated clock, hourly.
	sim := newWeeklyBench(b, start)
	sim.addPlans(b)
	sim.r.runPlans(ctx)
	first := sim.r.planReadCounts()
	const days = 28
	for range days * 24 {
		sim.clock.Advance(time.Hour)
		sim.r.runPlans(ctx)
	}
	last := sim.r.planReadCounts()
	var routine, opening, firstDay float64
	for _, box := range sim.boxes {
		routine += float64(last[box.ID].Routine - first[box.ID].Routine)
		opening += float64(last[box.ID].Opening - first[box.ID].Opening)
		firstDay += float64(first[box.ID].Routine)
	}
	nBoxes := float64(len(sim.boxes))
	for _, box := range sim.boxes {
		if per := float64(last[box.ID].Routine-first[box.ID].Routine) / days; per > 1 {
			b.Errorf("box %s: %.2f day reads a day outside openings", box.Subdomain, per)
		}
	}

	// Materialising a week: each round opens a copy of a database holding
	// the 20 plans and the coming week's class lists (cached, as the
	// runner's reads leave them); one pass then decides every occurrence
	// of the week.
	wb := newWeeklyBench(b, start)
	svc := account.New(account.Config{Store: wb.store, Client: wb.r.client, Now: wb.clock.Now})
	today := aimharder.DateOf(start.In(madrid))
	for _, box := range wb.boxes {
		if _, err := svc.Week(ctx, session.KindBackground, box, today); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Day(ctx, session.KindBackground, box, today.AddDays(7)); err != nil {
			b.Fatal(err)
		}
	}
	plans := wb.addPlans(b)
	template := wb.store.Path()
	if err := wb.store.Close(); err != nil {
		b.Fatal(err)
	}
	decided := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "copy.db")
		body, err := os.ReadFile(template)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, body, 0o600); err != nil {
			b.Fatal(err)
		}
		store, err := session.Open(ctx, path, session.WithClock(wb.clock.Now), session.WithLeaseWait(0))
		if err != nil {
			b.Fatal(err)
		}
		r, err := NewRunner(Config{Store: store, Client: wb.r.client, Clock: wb.clock, Owner: "bench", NoKeeper: true,
			Notify: NotifyConfig{Disabled: true}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r.runPlans(ctx)
		b.StopTimer()
		for id, c := range r.planReadCounts() {
			if c != (planReads{}) {
				b.Fatalf("materialising a week read the server (box %d: %+v): the lists were cached", id, c)
			}
		}
		recs, err := store.OccurrenceRecords(ctx, 0, today, today.AddDays(planListAhead))
		if err != nil {
			b.Fatal(err)
		}
		if len(recs) < len(plans) {
			b.Fatalf("a week of %d plans decided only %d occurrences", len(plans), len(recs))
		}
		decided += len(recs)
		store.Close()
		b.StartTimer()
	}
	b.ReportMetric(routine/nBoxes/days, "day-reads/box/day")
	b.ReportMetric(firstDay/nBoxes, "first-day-reads/box")
	b.ReportMetric(opening/nBoxes/days, "opening-reads/box/day")
	b.ReportMetric(float64(decided)/float64(b.N), "occurrences/op")
}
