package aimhardertest

import (
	"testing"
	"time"
)

func TestCancel(t *testing.T) {
	f := newFixture(t)
	day := date(2026, 10, 21)
	ana := f.login("ana@test.es", "fp")
	id := ana.classID("alpha", day, "07:00", "WOD")
	res := num(ana.book("alpha", id, day, false)["id"])

	// The session id answers 1 and cancels nothing (the trap of docs/protocol.md §8).
	out := ana.cancel("alpha", id, false)
	if len(out) != 1 || out["cancelState"] != float64(1) {
		t.Fatalf("cancel with the session id: %v", out)
	}
	if r := row(t, ana.bookings("alpha", day), "07:00", "WOD"); r["bookState"] != float64(1) {
		t.Fatalf("the session id must not cancel: %v", r)
	}
	// Someone else's reservation id: 1, nothing happens.
	bob := f.login("bob@test.cat", "fp")
	wantNum(t, "cancelState", bob.cancel("alpha", res, false)["cancelState"], 1)
	// The holder sending the member's id without familyId: nothing either.
	ana.family = "601"
	memberRes := num(ana.book("alpha", id, day, false)["id"])
	ana.family = ""
	wantNum(t, "cancelState", ana.cancel("alpha", memberRes, false)["cancelState"], 1)
	if got := f.s.Reservations("ana@test.es", "601"); !got[0].Active {
		t.Fatalf("member's reservation cancelled without familyId")
	}
	ana.family = "601"
	wantNum(t, "cancelState", ana.cancel("alpha", memberRes, false)["cancelState"], 1)
	ana.family = ""
	if got := f.s.Reservations("ana@test.es", "601"); got[0].Active {
		t.Fatalf("member's reservation not cancelled with familyId")
	}

	// The real cancel: row cleared, counters undone, credit refunded.
	if n, _ := f.s.Credits("ana@test.es", ""); n != 9 {
		t.Fatalf("credits before cancel %d", n)
	}
	wantNum(t, "cancelState", ana.cancel("alpha", res, false)["cancelState"], 1)
	r := row(t, ana.bookings("alpha", day), "07:00", "WOD")
	if r["bookState"] != nil || r["idres"] != nil || r["cancelledId"] != nil {
		t.Fatalf("row after cancel: %v", r)
	}
	wantNum(t, "ocupation", r["ocupation"], 0)
	if n, _ := f.s.Credits("ana@test.es", ""); n != 10 {
		t.Fatalf("credit not refunded: %d", n)
	}
	// Cancelling again: no longer a reservation, 1 and nothing.
	wantNum(t, "cancelState", ana.cancel("alpha", res, false)["cancelState"], 1)
	if out := f.anon().cancel("alpha", res, false); out["logout"] != float64(1) {
		t.Fatalf("logged out cancel: %v", out)
	}
}

func TestLateCancelAndStarted(t *testing.T) {
	f := newFixture(t)
	today := date(2026, 10, 20)
	ana := f.login("ana@test.es", "fp")
	res := num(ana.book("alpha", ana.classID("alpha", today, "18:00", "WOD"), today, false)["id"])
	started := num(ana.book("alpha", ana.classID("alpha", today, "19:00", "WOD"), today, false)["id"])

	f.clock.Set(time.Date(2026, 10, 20, 16, 29, 59, 999e6, madrid)) // 1 ms before the late window
	ana = f.login("ana@test.es", "fp")
	f.clock.Set(time.Date(2026, 10, 20, 16, 30, 0, 0, madrid)) // 90 min before 18:00: late
	out := ana.cancel("alpha", res, false)
	wantNum(t, "cancelState", out["cancelState"], 2)
	if msg, _ := out["errorMssg"].(string); msg == "" {
		t.Fatalf("late warning without text: %v", out)
	}
	if r := row(t, ana.bookings("alpha", today), "18:00", "WOD"); r["bookState"] != float64(1) {
		t.Fatalf("a late warning must not cancel: %v", r)
	}
	wantNum(t, "cancelState", ana.cancel("alpha", res, true)["cancelState"], 1)
	if n, _ := f.s.Credits("ana@test.es", ""); n != 8 {
		t.Fatalf("a late cancel must not refund: %d credits", n)
	}
	if info := f.s.Reservations("ana@test.es", ""); !info[0].LateCancel || info[0].Active {
		t.Fatalf("reservation after late cancel: %+v", info[0])
	}

	// late=1 outside the late window is a normal cancel with refund.
	day := date(2026, 10, 22)
	r2 := num(ana.book("alpha", ana.classID("alpha", day, "07:00", "WOD"), day, false)["id"])
	wantNum(t, "cancelState", ana.cancel("alpha", r2, true)["cancelState"], 1)
	if n, _ := f.s.Credits("ana@test.es", ""); n != 8 {
		t.Fatalf("timely late=1 cancel must refund: %d credits", n)
	}

	// A started class: 3, nothing cancelled.
	f.clock.Set(time.Date(2026, 10, 20, 19, 0, 0, 0, madrid))
	ana = f.login("ana@test.es", "fp")
	out = ana.cancel("alpha", started, true)
	wantNum(t, "cancelState", out["cancelState"], 3)
	if r := row(t, ana.bookings("alpha", today), "19:00", "WOD"); r["bookState"] != float64(1) {
		t.Fatalf("started class cancelled: %v", r)
	}
}

func TestWaitlistCancelAndPromotion(t *testing.T) {
	for _, promote := range []bool{true, false} {
		f := newFixture(t)
		f.s.SetPromotion(promote)
		today := date(2026, 10, 20)
		// 18:00 today, capacity 3: at 17:00 the late window (90 min) is open.
		bob, eve, r0 := f.login("bob@test.cat", "fp"), f.login("eve@test.uk", "fp"), f.login("racer00@test.es", "fp")
		id := bob.classID("alpha", today, "18:00", "WOD")
		bobRes := num(bob.book("alpha", id, today, false)["id"])
		wantBookState(t, eve.book("alpha", id, today, false), 1)
		wantBookState(t, r0.book("alpha", id, today, false), 1)
		ana := f.login("ana@test.es", "fp")
		waitRes := num(ana.book("alpha", id, today, true)["id"])
		r1 := f.login("racer01@test.es", "fp")
		wantBookState(t, r1.book("alpha", id, today, true), 0)
		if n, _ := f.s.Credits("ana@test.es", ""); n != 10 {
			t.Fatalf("a waitlist entry uses no credit: %d", n)
		}
		f.clock.Set(time.Date(2026, 10, 20, 17, 0, 0, 0, madrid))
		bob, ana = f.login("bob@test.cat", "fp"), f.login("ana@test.es", "fp")
		wantNum(t, "cancelState", bob.cancel("alpha", bobRes, true)["cancelState"], 1)
		r := row(t, ana.bookings("alpha", today), "18:00", "WOD")
		if promote {
			// The oldest waiting person takes the place and pays for it.
			wantNum(t, "bookState", r["bookState"], 1)
			wantNum(t, "idres", r["idres"], waitRes)
			wantNum(t, "ocupation", r["ocupation"], 3)
			wantNum(t, "waitlist", r["waitlist"], 1)
			if n, _ := f.s.Credits("ana@test.es", ""); n != 9 {
				t.Fatalf("promotion uses a credit: %d", n)
			}
			if names := athleteNames(r); names[len(names)-1] != "Ana Test" {
				t.Fatalf("promoted user not an attendee: %v", names)
			}
			continue
		}
		wantNum(t, "bookState", r["bookState"], 0)
		wantNum(t, "ocupation", r["ocupation"], 2)
		// A waitlist entry inside the late window: no warning, removed at once.
		out := ana.cancel("alpha", waitRes, false)
		wantNum(t, "cancelState", out["cancelState"], 1)
		r = row(t, ana.bookings("alpha", today), "18:00", "WOD")
		if r["bookState"] != nil || r["waitlist"] != float64(1) {
			t.Fatalf("after leaving the waitlist: %v", r)
		}
	}
}
