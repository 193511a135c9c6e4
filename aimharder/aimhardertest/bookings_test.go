package aimhardertest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var rowKeys = []string{"id", "time", "timeid", "classLength", "classId", "className", "classDesc", "color", "boxName", "boxDir",
	"boxPic", "coachName", "coachPic", "ocupation", "limit", "limitc", "waitlist", "bookState", "idres", "cancelledId",
	"resadmin", "enabled", "spotres", "included", "checkAthletesNum", "hidden", "onlineclass", "zoomid", "zoomJoinUrl", "zoomJoinPw"}

func TestBookingsEnvelopeAndRows(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp")
	r := c.get(c.box("alpha") + "/api/bookings?day=20261026&familyId=&box=1001&_=1761000000000")
	if r.status != 200 || r.header.Get("Content-Type") != ContentTypeHTML {
		t.Fatalf("status %d %q", r.status, r.header.Get("Content-Type"))
	}
	env := r.obj()
	for _, k := range []string{"bookings", "timetable", "day", "clasesDisp", "seminars", "resmsgs"} {
		if _, ok := env[k]; !ok {
			t.Fatalf("envelope lacks %s", k)
		}
	}
	if env["day"] != "Lunes, 26 de Octubre de 2026" {
		t.Fatalf("day label %q", env["day"])
	}
	rows := env["bookings"].([]any)
	if len(rows) != 8 {
		t.Fatalf("%d rows, want the 8 of the template", len(rows))
	}
	first := rows[0].(map[string]any)
	for _, k := range rowKeys {
		if _, ok := first[k]; !ok {
			t.Fatalf("row lacks %s: %v", k, first)
		}
	}
	if first["time"] != "07:00 - 08:00" || first["timeid"] != "0700_60" || first["className"] != "WOD" || first["boxName"] != "Alpha Box " {
		t.Fatalf("row: %v", first)
	}
	wantNum(t, "classLength", first["classLength"], 60)
	wantNum(t, "limit", first["limit"], 2)
	wantNum(t, "limitc", first["limitc"], 2)
	wantNum(t, "ocupation", first["ocupation"], 0)
	wantNum(t, "enabled", first["enabled"], 1)
	wantNum(t, "included", first["included"], 1)
	if first["bookState"] != nil || first["idres"] != nil || first["cancelledId"] != nil || first["coachName"] != nil {
		t.Fatalf("nulls: %v", first)
	}
	if !strings.Contains(first["color"].(string), ", ") {
		t.Fatalf("color %q", first["color"])
	}
	if id := num(first["id"]); id < sessionIDBase || id >= reservationIDBase {
		t.Fatalf("session id %d outside its range", id)
	}
	tt := env["timetable"].([]any)
	if len(tt) != 7 { // two 18:00 classes share a slot
		t.Fatalf("timetable %v", tt)
	}
	if s := tt[0].(map[string]any); s["id"] != "0700_60" || s["time"] != "07:00 - 08:00" {
		t.Fatalf("timetable slot %v", s)
	}
	full := row(t, env, "08:00", "WOD")
	wantNum(t, "ocupation", full["ocupation"], 2)
	wantNum(t, "waitlist", full["waitlist"], 1)

	// Days are box-local YYYYMMDD; a closed or unparsable day is an empty list.
	if env := c.bookings("alpha", date(1999, 1, 1)); len(env["bookings"].([]any)) != 0 {
		t.Fatalf("1999 must be empty")
	}
	// `box` is required in practice: without it nothing is listed.
	if env := c.get(c.box("alpha") + "/api/bookings?day=20261026").obj(); len(env["bookings"].([]any)) != 0 {
		t.Fatalf("without box=: %v", env["bookings"])
	}
	if env := c.get(c.box("alpha") + "/api/bookings?day=20261026&box=2002").obj(); len(env["bookings"].([]any)) != 0 {
		t.Fatalf("another box's id must list nothing")
	}
}

func TestSpanishDayLabels(t *testing.T) {
	for d, want := range map[[3]int]string{
		{2026, 9, 26}: "Sábado, 26 de Septiembre de 2026",
		{2026, 3, 1}:  "Domingo, 1 de Marzo de 2026",
		{2027, 2, 3}:  "Miércoles, 3 de Febrero de 2027",
	} {
		if got := dayLabel(date(d[0], time.Month(d[1]), d[2])); got != want {
			t.Errorf("dayLabel(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPublicViewAndAttendees(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	anon := f.anon()
	pub := anon.bookings("alpha", day)
	if len(pub["bookings"].([]any)) != 8 {
		t.Fatalf("the public schedule lists every class")
	}
	for _, r := range pub["bookings"].([]any) {
		m := r.(map[string]any)
		if m["bookState"] != nil || m["idres"] != nil {
			t.Fatalf("public row with user data: %v", m)
		}
		if _, ok := m["athletes"]; ok {
			t.Fatalf("public row with athletes: %v", m)
		}
	}

	c := f.login("ana@test.es", "fp")
	id := c.classID("alpha", day, "09:00", "OPEN BOX")
	// A fresh session on a sharing box: the booked people.
	ath := row(t, c.bookings("alpha", day), "09:00", "OPEN BOX")["athletes"].([]any)
	if len(ath) != 3 {
		t.Fatalf("athletes %v", ath)
	}
	for _, a := range ath {
		m := a.(map[string]any)
		if _, ok := m["pic"]; !ok || m["name"] == "" || num(m["id"]) <= 0 {
			t.Fatalf("athlete shape %v", m)
		}
	}
	wantBookState(t, c.book("alpha", id, day, false), 1)
	r := row(t, c.bookings("alpha", day), "09:00", "OPEN BOX")
	names := athleteNames(r)
	if len(names) != 4 || names[3] != "Ana Test" {
		t.Fatalf("the user must be listed once booked: %v", names)
	}
	// An empty class has [].
	if a, ok := row(t, c.bookings("alpha", day), "07:00", "WOD")["athletes"].([]any); !ok || len(a) != 0 {
		t.Fatalf("empty class athletes: %#v", a)
	}
	// Waitlisted people are not attendees.
	fullID := c.classID("alpha", day, "08:00", "WOD")
	wantBookState(t, c.book("alpha", fullID, day, true), 0)
	fr := row(t, c.bookings("alpha", day), "08:00", "WOD")
	if slices.Contains(athleteNames(fr), "Ana Test") || len(athleteNames(fr)) != 2 {
		t.Fatalf("waitlisted user listed: %v", athleteNames(fr))
	}
	wantNum(t, "bookState", fr["bookState"], 0)
	// A box that does not share: no athletes key at all.
	if _, ok := row(t, c.bookings("beta", day), "09:00", "WOD")["athletes"]; ok {
		t.Fatalf("non-sharing box sent athletes")
	}
	// An expired session: the key is gone.
	f.clock.Advance(31 * time.Minute)
	if _, ok := row(t, c.bookings("alpha", day), "09:00", "OPEN BOX")["athletes"]; ok {
		t.Fatalf("stale session got athletes")
	}
	// Some athletes have no picture: pic is null.
	s := f.s
	nulls := 0
	for _, a := range s.w.athletes {
		if a.pic == "" {
			nulls++
		}
	}
	if nulls == 0 {
		t.Fatalf("the pool should have athletes without a picture")
	}
}

func athleteNames(r map[string]any) []string {
	var out []string
	list, _ := r["athletes"].([]any)
	for _, a := range list {
		out = append(out, a.(map[string]any)["name"].(string))
	}
	return out
}

func TestFamilyMemberView(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	c := f.login("ana@test.es", "fp")
	id := c.classID("alpha", day, "07:00", "WOD")
	c.family = "601"
	wantBookState(t, c.book("alpha", id, day, false), 1)
	if r := row(t, c.bookings("alpha", day), "07:00", "WOD"); r["bookState"] != float64(1) {
		t.Fatalf("member's row: %v", r)
	}
	// The holder's view of the same class: not booked, but the member attends.
	c.family = ""
	r := row(t, c.bookings("alpha", day), "07:00", "WOD")
	if r["bookState"] != nil || !slices.Contains(athleteNames(r), "Leo Test") {
		t.Fatalf("holder's row: %v", r)
	}
	// An unknown familyId acts as the holder.
	c.family = "999999"
	if r := row(t, c.bookings("alpha", day), "07:00", "WOD"); r["bookState"] != nil {
		t.Fatalf("unknown familyId must act as the holder: %v", r)
	}
	// The holder books the same hour: the member's booking does not block it.
	c.family = ""
	wantBookState(t, c.book("alpha", id, day, false), 1)
	if r := row(t, c.bookings("alpha", day), "07:00", "WOD"); r["bookState"] != float64(1) || r["ocupation"] != float64(2) {
		t.Fatalf("holder's row after booking: %v", r)
	}
	wantBookState(t, f.login("bob@test.cat", "fp").book("alpha", id, day, false), -1)
}

func TestNextBookingsAndHistory(t *testing.T) {
	f := newFixture(t, WithSessionLifetime(24*time.Hour))
	c := f.login("ana@test.es", "fp")
	today, tomorrow := date(2026, 10, 20), date(2026, 10, 21)
	early := c.classID("alpha", today, "18:00", "WOD")
	late := c.classID("alpha", today, "19:00", "WOD")
	next := c.classID("alpha", tomorrow, "07:00", "WOD")
	idEarly := c.book("alpha", early, today, false)["id"].(string)
	idLate := c.book("alpha", late, today, false)["id"].(string)
	idNext := c.book("alpha", next, tomorrow, false)["id"].(string)
	f.clock.Set(time.Date(2026, 10, 20, 18, 0, 0, 0, madrid)) // 18:00 started; 19:00 inside the late window
	wantNum(t, "cancelState", c.cancel("alpha", num(idLate), true)["cancelState"], 1)
	r := c.get(c.box("alpha") + "/api/nextBookings?box=1001&familyId=")
	out := r.obj()
	if len(out) != 2 {
		t.Fatalf("nextBookings must be exactly {nextClasses, history}: %v", out)
	}
	nextRows := out["nextClasses"].([]any)
	if len(nextRows) != 1 {
		t.Fatalf("nextClasses %v", nextRows)
	}
	n := nextRows[0].(map[string]any)
	wantNum(t, "nextClasses[0].id (reservation id)", n["id"], num(idNext))
	if n["day"] != "Miércoles, 21 de Octubre de 2026" || n["time"] != "07:00 - 08:00" || n["className"] != "WOD" {
		t.Fatalf("next row %v", n)
	}
	wantNum(t, "bookState", n["bookState"], 1)
	hist := out["history"].([]any)
	if len(hist) != 2 {
		t.Fatalf("history %v", hist)
	}
	h0, h1 := hist[0].(map[string]any), hist[1].(map[string]any)
	wantNum(t, "late-cancelled id", h0["id"], num(idLate))
	wantNum(t, "lateCancel", h0["lateCancel"], 1)
	wantNum(t, "assist", h0["assist"], 0)
	wantNum(t, "attended id", h1["id"], num(idEarly))
	wantNum(t, "assist", h1["assist"], 1)
	wantNum(t, "lateCancel", h1["lateCancel"], 0)
	// Changes show at once; another box's reservations are not listed.
	if out := c.get(c.box("beta") + "/api/nextBookings?box=2002").obj(); len(out["nextClasses"].([]any)) != 0 {
		t.Fatalf("beta lists alpha's reservations")
	}
}

func TestCoachBookings(t *testing.T) {
	f := newFixture(t)
	c := f.login("ana@test.es", "fp")
	r := c.get(c.box("alpha") + "/api/coachBookings?day=20261021&box=1001&familyId=")
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("client role: %d %q", r.status, r.body)
	}
	out := c.get(c.box("gamma") + "/api/coachBookings?day=20261021&box=3003&familyId=").obj()
	rows := out["bookings"].([]any)
	if len(rows) != 2 {
		t.Fatalf("coach rows %v", rows)
	}
	m := rows[0].(map[string]any)
	if _, ok := m["athletes"].([]any); !ok || m["time"] != "09:00 - 10:00" || num(m["id"]) <= 0 {
		t.Fatalf("coach row %v", m)
	}
	if r := f.anon().get(c.box("gamma") + "/api/coachBookings?day=20261021&box=3003"); r.status != 200 || !strings.Contains(string(r.body), "<html") {
		t.Fatalf("logged out coachBookings: %d", r.status)
	}
	_ = http.StatusOK
}
