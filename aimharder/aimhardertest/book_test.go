package aimhardertest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func TestBookSuccess(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp")
	day := date(2026, 10, 21)
	id := c.classID("alpha", day, "07:00", "WOD")
	r := c.postForm(c.box("alpha")+"/api/book", map[string][]string{"day": {day.Compact()}, "familyId": {""}, "id": {strconv.FormatInt(id, 10)}, "insist": {"0"}})
	if r.status != 200 || r.header.Get("Content-Type") != ContentTypeHTML {
		t.Fatalf("status %d", r.status)
	}
	if !regexp.MustCompile(`^\{"clasesContratadas":"BARBELL, OPEN BOX, WOD, YOGA","hasPublicMemberships":1,"bookState":1,"id":"\d+"\}$`).Match(r.body) {
		t.Fatalf("book reply %s", r.body)
	}
	resID := num(r.obj()["id"])
	if resID < reservationIDBase || resID >= reservationIDBase+20_000_000 {
		t.Fatalf("reservation id %d outside its range", resID)
	}
	row := row(t, c.bookings("alpha", day), "07:00", "WOD")
	wantNum(t, "idres", row["idres"], resID)
	wantNum(t, "bookState", row["bookState"], 1)
	wantNum(t, "ocupation", row["ocupation"], 1)
	if n, limited := f.s.Credits("ana@test.es", ""); !limited || n != 9 {
		t.Fatalf("credits %d", n)
	}
	// A request with only id and day works (docs/protocol.md §7).
	id2 := c.classID("alpha", day, "09:00", "OPEN BOX")
	wantBookState(t, c.postForm(c.box("alpha")+"/api/book", map[string][]string{"id": {strconv.FormatInt(id2, 10)}, "day": {day.Compact()}}).obj(), 1)
}

func TestBookCodes(t *testing.T) {
	f := newFixture(t)
	tomorrow := date(2026, 10, 21)
	ana := f.login("ana@test.es", "fp")
	id := func(start, name string) int64 { return ana.classID("alpha", tomorrow, start, name) }

	t.Run("logout", func(t *testing.T) {
		if out := f.anon().book("alpha", id("07:00", "WOD"), tomorrow, false); len(out) != 1 || out["logout"] != float64(1) {
			t.Fatalf("%v", out)
		}
	})
	t.Run("unknown class", func(t *testing.T) {
		wantRule(t, ana.book("alpha", 12345, tomorrow, false), KeyClassNotFound)
		wantRule(t, ana.book("alpha", id("07:00", "WOD"), date(2026, 10, 22), false), KeyClassNotFound) // wrong day
		wantRule(t, ana.book("beta", id("07:00", "WOD"), tomorrow, false), KeyClassNotFound)            // another box's class
		wantRule(t, ana.book("alpha", id("07:00", "WOD")+63, tomorrow, false), KeyClassNotFound)        // past the day's slots
	})
	t.Run("same hour, this class included", func(t *testing.T) {
		wantBookState(t, ana.book("alpha", id("18:00", "WOD"), tomorrow, false), 1)
		wantRule(t, ana.book("alpha", id("18:00", "WOD"), tomorrow, false), KeySameHour)
		out := ana.book("alpha", id("18:00", "YOGA"), tomorrow, false)
		wantRule(t, out, KeySameHour)
		if out["errorMssg"] != "No puedes hacer más de una reserva a la misma hora" {
			t.Fatalf("%v", out)
		}
	})
	t.Run("too early, days", func(t *testing.T) {
		far := date(2026, 10, 25)
		out := ana.book("alpha", ana.classID("alpha", far, "07:00", "WOD"), far, false)
		wantRule(t, out, KeyTooEarlyDays)
		if out["errorMssg"] != "No puedes reservar clases con más de 4 días de antelación" {
			t.Fatalf("%v", out)
		}
		if !strings.Contains(out["clasesContratadas"].(string), "WOD") {
			t.Fatalf("errors carry clasesContratadas: %v", out)
		}
		if _, ok := out["hasPublicMemberships"]; ok {
			t.Fatalf("hasPublicMemberships is absent from errors")
		}
	})
	t.Run("too early, hours", func(t *testing.T) {
		d := date(2026, 10, 23)
		out := ana.book("epsilon", ana.classID("epsilon", d, "09:00", "WOD"), d, false)
		wantRule(t, out, KeyTooEarlyHours)
		if out["errorMssg"] != "No puedes reservar clases con más de 48 horas de antelación" {
			t.Fatalf("%v", out)
		}
	})
	t.Run("started and minimum notice", func(t *testing.T) {
		today := date(2026, 10, 20)
		wantBookState(t, ana.book("alpha", ana.classID("alpha", today, "10:00", "BARBELL"), today, false), -7) // starts now
		wantBookState(t, ana.book("alpha", ana.classID("alpha", today, "09:00", "OPEN BOX"), today, false), -7)
		f.clock.Set(time.Date(2026, 10, 20, 17, 44, 59, 999e6, madrid))
		g := f.login("eve@test.uk", "fp")
		cls := g.classID("alpha", today, "18:00", "YOGA")
		f.clock.Set(time.Date(2026, 10, 20, 17, 45, 0, 0, madrid)) // 15 min before: closed
		wantBookState(t, g.book("alpha", cls, today, false), -7)
		f.clock.Set(time.Date(2026, 10, 20, 17, 44, 59, 999e6, madrid))
		wantBookState(t, g.book("alpha", cls, today, false), 1)
		f.clock.Set(t0)
		ana = f.login("ana@test.es", "fp")
	})
	t.Run("payment pending", func(t *testing.T) {
		wantBookState(t, f.login("pay@test.es", "fp").book("alpha", id("07:00", "WOD"), tomorrow, false), -5)
	})
	t.Run("no credit or not in plan", func(t *testing.T) {
		wantBookState(t, f.login("broke@test.es", "fp").book("alpha", id("07:00", "WOD"), tomorrow, false), -2)
		p := f.login("plan@test.es", "fp")
		out := p.book("alpha", id("07:00", "WOD"), tomorrow, false)
		wantBookState(t, out, -2)
		if out["clasesContratadas"] != "OPEN BOX" {
			t.Fatalf("%v", out)
		}
		wantBookState(t, p.book("alpha", id("09:00", "OPEN BOX"), tomorrow, false), 1)
		if r := row(t, p.bookings("alpha", tomorrow), "07:00", "WOD"); r["included"] != float64(0) {
			t.Fatalf("included %v", r["included"])
		}
	})
	t.Run("quota", func(t *testing.T) {
		q := f.login("quota@test.es", "fp")
		wantBookState(t, q.book("alpha", id("07:00", "WOD"), tomorrow, false), 1)
		d := date(2026, 10, 22) // same Monday–Sunday week
		out := q.book("alpha", q.classID("alpha", d, "07:00", "WOD"), d, false)
		wantRule(t, out, KeyQuota)
		if out["errorMssg"] != "Has superado el límite de reservas de tu tarifa" {
			t.Fatalf("%v", out)
		}
	})
	t.Run("daily maximum", func(t *testing.T) {
		b := f.login("bob@test.cat", "fp")
		for _, start := range []string{"07:00", "09:00", "19:00"} {
			name := "WOD"
			if start == "09:00" {
				name = "OPEN BOX"
			}
			wantBookState(t, b.book("alpha", id(start, name), tomorrow, false), 1)
		}
		out := b.book("alpha", id("20:00", "WOD"), tomorrow, false)
		wantBookState(t, out, -8)
		wantNum(t, "max", out["max"], 3)
	})
	t.Run("full and waitlist", func(t *testing.T) {
		e := f.login("eve@test.uk", "fp2")
		full := id("08:00", "WOD")
		wantBookState(t, e.book("alpha", full, tomorrow, false), -1)
		out := e.book("alpha", full, tomorrow, true)
		wantBookState(t, out, 0)
		if _, ok := out["id"].(string); !ok {
			t.Fatalf("waitlist reply needs the reservation id as a string: %v", out)
		}
		r := row(t, e.bookings("alpha", tomorrow), "08:00", "WOD")
		wantNum(t, "bookState", r["bookState"], 0)
		wantNum(t, "idres", r["idres"], num(out["id"]))
		wantNum(t, "waitlist", r["waitlist"], 2)
		wantNum(t, "ocupation", r["ocupation"], 2)
		// Waitlist capacity 2 is now used up.
		wantBookState(t, f.login("racer00@test.es", "fp").book("alpha", full, tomorrow, true), -1)
	})
}

func TestCheckOrder(t *testing.T) {
	f := newFixture(t)
	tomorrow, far := date(2026, 10, 21), date(2026, 10, 25)
	ana := f.login("ana@test.es", "fp")
	id := func(d aimharder.Date, start, name string) int64 { return ana.classID("alpha", d, start, name) }
	pay := f.login("pay@test.es", "fp")
	// 2 before 6: an unknown class for a member with a payment due.
	wantRule(t, pay.book("alpha", 7, tomorrow, false), KeyClassNotFound)
	// 4 before 6 and 7: window closed for a member with a payment due / no credit.
	wantRule(t, pay.book("alpha", id(far, "07:00", "WOD"), far, false), KeyTooEarlyDays)
	wantRule(t, f.login("broke@test.es", "fp").book("alpha", id(far, "07:00", "WOD"), far, false), KeyTooEarlyDays)
	// 5 before 6: a started class.
	today := date(2026, 10, 20)
	wantBookState(t, pay.book("alpha", ana.classID("alpha", today, "07:00", "WOD"), today, false), -7)
	// 7 before 10: no credit on a full class.
	wantBookState(t, f.login("broke@test.es", "fp").book("alpha", id(tomorrow, "08:00", "WOD"), tomorrow, true), -2)
	// 3 before 9: same hour wins over the daily limit.
	for _, s := range [][2]string{{"07:00", "WOD"}, {"18:00", "WOD"}, {"20:00", "WOD"}} {
		wantBookState(t, ana.book("alpha", id(tomorrow, s[0], s[1]), tomorrow, false), 1)
	}
	wantRule(t, ana.book("alpha", id(tomorrow, "18:00", "YOGA"), tomorrow, false), KeySameHour)
	// 9 before 10: the daily limit wins over a full class.
	wantBookState(t, ana.book("alpha", id(tomorrow, "08:00", "WOD"), tomorrow, true), -8)
	// 8 before 9: quota before the daily limit.
	q := f.login("quota@test.es", "fp")
	wantBookState(t, q.book("alpha", id(tomorrow, "07:00", "WOD"), tomorrow, false), 1)
	wantRule(t, q.book("alpha", id(tomorrow, "08:00", "WOD"), tomorrow, true), KeyQuota)
}

// TestWindowOpenings checks every rule to the millisecond, with the
// worked examples of docs/protocol.md §9.1 across the October 2026 DST change.
func TestWindowOpenings(t *testing.T) {
	cases := []struct {
		name  string
		box   string
		day   aimharder.Date
		start string
		opens time.Time
		key   string
	}{
		// Sliding 4 days: Tue 27 Oct 19:00 CET (18:00Z) opens Fri 23 Oct 19:00 CEST (17:00Z).
		{"4d across DST", "alpha", date(2026, 10, 27), "19:00", time.Date(2026, 10, 23, 17, 0, 0, 0, time.UTC), KeyTooEarlyDays},
		// Fixed 12:00 D+2: Mon 26 opens Sat 24 12:00 CEST (10:00Z); Tue 27 opens on the change day, 12:00 CET (11:00Z).
		{"2d@12:00 before", "gamma", date(2026, 10, 26), "09:00", time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC), KeyTooEarlyDays},
		{"2d@12:00 on change day", "gamma", date(2026, 10, 27), "09:00", time.Date(2026, 10, 25, 11, 0, 0, 0, time.UTC), KeyTooEarlyDays},
		// 48 h: Mon 26 Oct 09:00 CET (08:00Z): elapsed opens 08:00Z, wall-clock 07:00Z.
		{"48h elapsed", "epsilon", date(2026, 10, 26), "09:00", time.Date(2026, 10, 24, 8, 0, 0, 0, time.UTC), KeyTooEarlyHours},
		{"48h wall clock", "delta", date(2026, 10, 26), "09:00", time.Date(2026, 10, 24, 7, 0, 0, 0, time.UTC), KeyTooEarlyHours},
		// Canary: 09:00 WET on Tue 27 Oct is 09:00Z; 48 elapsed hours before.
		{"Canary 48h", "beta", date(2026, 10, 27), "09:00", time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC), KeyTooEarlyHours},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.clock.Set(tc.opens.Add(-time.Minute))
			c := f.login("ana@test.es", "fp")
			id := c.classID(tc.box, tc.day, tc.start, "WOD")
			if info, _ := f.s.Class(tc.box, id); !info.OpensAt.Equal(tc.opens) {
				t.Fatalf("OpensAt %v, want %v", info.OpensAt.UTC(), tc.opens)
			}
			f.clock.Set(tc.opens.Add(-time.Millisecond))
			wantRule(t, c.book(tc.box, id, tc.day, false), tc.key)
			f.clock.Set(tc.opens)
			wantBookState(t, c.book(tc.box, id, tc.day, false), 1)
			arrived := f.s.Requests()[len(f.s.Requests())-1].Arrived
			if !arrived.Equal(tc.opens) {
				t.Fatalf("logged arrival %v", arrived)
			}
		})
	}
}

func TestLocalisedMessages(t *testing.T) {
	f := newFixture(t)
	far := date(2026, 10, 25)
	days := map[string]*regexp.Regexp{
		"bob@test.cat": regexp.MustCompile(`(?i)(\d+)\s+dies\s+d.?\s*antelaci[oó]`),
		"eve@test.uk":  regexp.MustCompile(`(?i)(\d+)\s+days?\s+(of\s+anticipation|in\s+advance|of\s+advance)`),
		"ana@test.es":  regexp.MustCompile(`(?i)(\d+)\s+d[ií]as?\s+de\s+antelaci[oó]n`),
	}
	for email, re := range days {
		c := f.login(email, "fp")
		out := c.book("alpha", c.classID("alpha", far, "07:00", "WOD"), far, false)
		wantRule(t, out, KeyTooEarlyDays)
		if m := re.FindStringSubmatch(out["errorMssg"].(string)); m == nil || m[1] != "4" {
			t.Fatalf("%s: %q does not give N=4", email, out["errorMssg"])
		}
	}
	hours := map[string]*regexp.Regexp{
		"eve@test.uk": regexp.MustCompile(`(?i)(\d+)\s+hours?\s+(of\s+anticipation|in\s+advance|of\s+advance)`),
	}
	for email, re := range hours {
		c := f.login(email, "fp")
		d := date(2026, 10, 23)
		out := c.book("beta", c.classID("beta", d, "09:00", "WOD"), d, false)
		if m := re.FindStringSubmatch(out["errorMssg"].(string)); m == nil || m[1] != "48" {
			t.Fatalf("%s: %q", email, out["errorMssg"])
		}
	}
	// Every language has every key.
	for lang, table := range messages {
		for _, key := range []string{KeyTooEarlyDays, KeyTooEarlyHours, KeySameHour, KeyQuota, KeyClassNotFound} {
			if table[key] == "" {
				t.Errorf("%s lacks %s", lang, key)
			}
		}
	}
}
