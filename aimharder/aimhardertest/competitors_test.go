package aimhardertest

import (
	"testing"
	"time"
)

func rushWorld() World {
	w := testWorld()
	w.Boxes = append(w.Boxes, BoxConfig{ID: 6006, Sub: "rush", Name: "Rush", Window: MustParseWindowRule("4d"), WaitlistCapacity: 2,
		Template: []ClassTemplate{{Start: "19:00", Name: "WOD", Capacity: 3, Rush: 5, RushDelay: 2 * time.Second, RushSpread: 4 * time.Second}}})
	w.Users[0].Roles = append(w.Users[0].Roles, RoleConfig{Box: "rush"})
	w.Users[1].Roles = append(w.Users[1].Roles, RoleConfig{Box: "rush"})
	return w
}

func TestTemplateCompetitors(t *testing.T) {
	day := date(2026, 10, 24)
	opens := time.Date(2026, 10, 20, 19, 0, 0, 0, madrid)
	clock := NewManualClock(opens.Add(-time.Minute))
	s, u := Start(t, rushWorld(), WithClock(clock))
	f := &fixture{t: t, s: s, u: u, clock: clock}
	ana := f.login("ana@test.es", "fp")
	id := ana.classID("rush", day, "19:00", "WOD")
	if info, _ := s.Class("rush", id); len(info.Booked) != 0 || info.Pending != 5 {
		t.Fatalf("before opening: %+v", info)
	}
	clock.Set(opens.Add(time.Second)) // first competitor at +2 s
	res := num(ana.book("rush", id, day, false)["id"])
	clock.Set(opens.Add(3 * time.Second)) // competitors at +2.0 s and +2.8 s
	r := row(t, ana.bookings("rush", day), "19:00", "WOD")
	wantNum(t, "ocupation", r["ocupation"], 3)
	wantNum(t, "waitlist", r["waitlist"], 0)
	clock.Set(opens.Add(10 * time.Second)) // the other three: two wait, one gives up
	r = row(t, ana.bookings("rush", day), "19:00", "WOD")
	wantNum(t, "waitlist", r["waitlist"], 2)
	bob := f.login("bob@test.cat", "fp")
	wantBookState(t, bob.book("rush", id, day, true), -1)
	// The user leaves: the first waiting competitor takes the place.
	wantNum(t, "cancelState", ana.cancel("rush", res, false)["cancelState"], 1)
	info, _ := s.Class("rush", id)
	if len(info.Booked) != 3 || len(info.Waiting) != 1 || info.Pending != 0 {
		t.Fatalf("after cancel: %+v", info)
	}
}

func TestAddCompetitors(t *testing.T) {
	f := newFixture(t)
	ana := f.login("ana@test.es", "fp")
	// A class whose window opens later today (Sat 24 Oct 18:00 opens Tue 20 Oct 18:00).
	day := date(2026, 10, 24)
	id := ana.classID("alpha", day, "18:00", "WOD")
	n, err := f.s.AddCompetitors(Competitors{Box: "alpha", ClassID: id, Count: 4, Delay: 3 * time.Second, Spread: 2 * time.Second})
	if err != nil || n != 4 {
		t.Fatalf("AddCompetitors = %d, %v", n, err)
	}
	opens := time.Date(2026, 10, 20, 18, 0, 0, 0, madrid)
	f.clock.Set(opens.Add(-time.Minute))
	ana = f.login("ana@test.es", "fp")
	f.clock.Set(opens.Add(2999 * time.Millisecond))
	if info, _ := f.s.Class("alpha", id); len(info.Booked) != 0 {
		t.Fatalf("competitors came early: %+v", info)
	}
	f.clock.Set(opens.Add(3 * time.Second))
	wantNum(t, "ocupation", row(t, ana.bookings("alpha", day), "18:00", "WOD")["ocupation"], 1)
	f.clock.Set(opens.Add(5 * time.Second))
	r := row(t, ana.bookings("alpha", day), "18:00", "WOD")
	wantNum(t, "ocupation", r["ocupation"], 3)
	wantNum(t, "waitlist", r["waitlist"], 1)
	wantBookState(t, ana.book("alpha", id, day, false), -1)
	wantBookState(t, ana.book("alpha", id, day, true), 0)

	// A class already open: competitors come Delay after now.
	tomorrow := date(2026, 10, 21)
	id2 := ana.classID("alpha", tomorrow, "20:00", "WOD")
	if n, _ := f.s.AddCompetitors(Competitors{Box: "alpha", ClassID: id2, Count: 2}); n != 2 {
		t.Fatalf("scheduled %d", n)
	}
	wantNum(t, "ocupation", row(t, ana.bookings("alpha", tomorrow), "20:00", "WOD")["ocupation"], 2)

	if _, err := f.s.AddCompetitors(Competitors{Box: "nope", ClassID: id}); err == nil {
		t.Fatalf("unknown box accepted")
	}
	if _, err := f.s.AddCompetitors(Competitors{Box: "alpha", ClassID: 5}); err == nil {
		t.Fatalf("unknown class accepted")
	}
}
