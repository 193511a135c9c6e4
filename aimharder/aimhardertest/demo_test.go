package aimhardertest

import (
	"testing"
	"time"
)

func TestDemoWorldValidAtAnyTime(t *testing.T) {
	var starts []time.Time
	for _, day := range []time.Time{
		time.Date(2026, 3, 27, 0, 0, 0, 0, madrid), // windows open across the March change
		time.Date(2026, 10, 23, 0, 0, 0, 0, madrid),
		time.Date(2026, 10, 24, 23, 0, 0, 0, madrid),
		time.Date(2026, 12, 31, 23, 0, 0, 0, madrid),
	} {
		for m := 0; m < 6*60; m += 7 {
			starts = append(starts, day.Add(time.Duration(m)*time.Minute))
		}
	}
	for _, now := range starts {
		if err := DemoWorld(now, 1).Validate(); err != nil {
			t.Fatalf("DemoWorld(%v): %v", now, err)
		}
	}
}

func TestDemoWorld(t *testing.T) {
	now := time.Date(2026, 11, 3, 18, 41, 27, 0, madrid)
	w := DemoWorld(now, 3)
	if len(w.Boxes) != 3 || w.Boxes[1].Timezone != "Atlantic/Canary" {
		t.Fatalf("boxes %+v", w.Boxes)
	}
	clock := NewManualClock(now)
	s, u := Start(t, w, WithClock(clock))
	f := &fixture{t: t, s: s, u: u, clock: clock}
	c := f.anon()
	out := c.loginJSON(u.Login+"/api/login", DemoEmail, DemoPassword, "demo-fp").obj()
	if dig(out, "data", "auth", "authOK") != true {
		t.Fatalf("demo login: %v", out)
	}
	// A week of classes on every box, fewer at weekends.
	for _, b := range []string{DemoBoxMadrid, DemoBoxCanarias, DemoBoxBarcelona} {
		for i := range 7 {
			d := date(2026, 11, 3+i)
			n := len(s.Classes(b, d))
			if n == 0 && d.Weekday() != time.Sunday {
				t.Fatalf("%s has no classes on %s", b, d)
			}
		}
	}
	if n := len(s.Classes(DemoBoxMadrid, date(2026, 11, 4))); n < 6 || n > 10 {
		t.Fatalf("weekday classes %d", n)
	}
	// Extra classes open at +2, +5 and +10 minutes, rounded down to the minute.
	want := map[time.Time]string{
		time.Date(2026, 11, 3, 18, 43, 0, 0, madrid).UTC(): DemoBoxMadrid,
		time.Date(2026, 11, 3, 18, 46, 0, 0, madrid).UTC(): DemoBoxCanarias,
		time.Date(2026, 11, 3, 18, 51, 0, 0, madrid).UTC(): DemoBoxMadrid,
	}
	found := map[time.Time]ClassInfo{}
	for _, b := range []string{DemoBoxMadrid, DemoBoxCanarias} {
		for i := range 4 {
			for _, cl := range s.Classes(b, date(2026, 11, 4+i)) {
				if want[cl.OpensAt.UTC()] == b {
					found[cl.OpensAt.UTC()] = cl
				}
			}
		}
	}
	if len(found) != 3 {
		t.Fatalf("extra classes found: %v", found)
	}
	// Watch the +2 min one open: too early 1 ms before, booked at the instant,
	// and the competitors fill it seconds later.
	first := found[time.Date(2026, 11, 3, 18, 43, 0, 0, madrid).UTC()]
	day := date(first.Date.Year, first.Date.Month, first.Date.Day)
	clock.Set(first.OpensAt.Add(-time.Millisecond))
	wantRule(t, c.book(DemoBoxMadrid, first.ID, day, false), KeyTooEarlyDays)
	clock.Set(first.OpensAt)
	wantBookState(t, c.book(DemoBoxMadrid, first.ID, day, false), 1)
	clock.Set(first.OpensAt.Add(15 * time.Second))
	info, _ := s.Class(DemoBoxMadrid, first.ID)
	if len(info.Booked) != info.Capacity || len(info.Waiting) == 0 {
		t.Fatalf("competitors should fill it: %+v", info)
	}
	// Some regular classes are full with a waitlist once open.
	full := 0
	for _, b := range []string{DemoBoxMadrid, DemoBoxCanarias, DemoBoxBarcelona} {
		for _, cl := range s.Classes(b, date(2026, 11, 4)) {
			if len(cl.Booked) == cl.Capacity && len(cl.Waiting) > 0 {
				full++
			}
		}
	}
	if full == 0 {
		t.Fatalf("no full class with a waitlist tomorrow")
	}
	// The demo user coaches at Barcelona and has a family member.
	r := c.get(u.Box(DemoBoxBarcelona) + "/api/coachBookings?day=20261104&box=30871")
	if len(r.body) == 0 {
		t.Fatalf("demo coach gets no coach view")
	}
	c.family = DemoFamilyID
	if env := c.bookings(DemoBoxMadrid, date(2026, 11, 4)); len(env["bookings"].([]any)) == 0 {
		t.Fatalf("family view empty")
	}
}
