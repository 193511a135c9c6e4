package aimharder_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

func TestIntegrationBook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	res := e.mustBook(creds, norte, cl)
	if len(res.PlanClasses) != 5 || res.PlanClasses[0] != "BARBELL" {
		t.Errorf("plan classes %q", res.PlanClasses)
	}
	r, ok := e.active(ana, "", cl.ID)
	if !ok || r.ID != res.ReservationID || r.State != 1 {
		t.Fatalf("the fake has %+v for reservation %d", e.fake.Reservations(ana, ""), res.ReservationID)
	}
	if n, _ := e.fake.Credits(ana, ""); n != 19 {
		t.Errorf("credits %d after a booking, want 19", n)
	}
	if got := e.classOn(creds, norte, d1, "19:00", "WOD"); got.State != aimharder.StateBooked || got.ReservationID != res.ReservationID || got.Occupancy != 1 {
		t.Errorf("row after booking %+v", got)
	}

	// A full class with waitlist room: insist joins the waitlist, using no credit.
	full := e.classOn(creds, norte, d1, "08:00", "WOD")
	wait, err := e.book(creds, norte, full, aimharder.BookOptions{Insist: true})
	if err != nil || wait.State != aimharder.StateWaitlisted || wait.ReservationID <= 0 || wait.ReservationID == res.ReservationID {
		t.Fatalf("insist: %+v, %v", wait, err)
	}
	if r, ok := e.active(ana, "", full.ID); !ok || r.ID != wait.ReservationID || r.State != 0 {
		t.Fatalf("the fake has %+v", r)
	}
	if n, _ := e.fake.Credits(ana, ""); n != 19 {
		t.Errorf("credits %d after joining a waitlist, want 19", n)
	}
}

// TestIntegrationBookRefusals: every refusal the fake produces maps to its
// sentinel, and nothing is booked.
func TestIntegrationBookRefusals(t *testing.T) {
	t.Parallel()
	byName := func(hhmm, name string) func(*env, aimharder.Credentials) aimharder.Class {
		return func(e *env, creds aimharder.Credentials) aimharder.Class {
			return e.classOn(creds, norte, d1, hhmm, name)
		}
	}
	tests := []struct {
		name   string
		user   string
		insist bool
		// setup prepares the situation and returns the class to book.
		setup func(*env, aimharder.Credentials) aimharder.Class
		want  error
		code  int
		key   string
		max   int
	}{
		{name: "full", user: ana, setup: byName("08:00", "WOD"), want: aimharder.ErrFull, code: -1},
		{name: "full, waitlist full", user: ana, insist: true, setup: byName("12:00", "BARBELL"), want: aimharder.ErrFull, code: -1},
		{name: "no credit", user: broke, setup: byName("07:00", "WOD"), want: aimharder.ErrNoCredit, code: -2},
		{name: "not in the plan", user: plan, setup: byName("07:00", "WOD"), want: aimharder.ErrNoCredit, code: -2},
		{name: "payment pending", user: pay, setup: byName("07:00", "WOD"), want: aimharder.ErrPaymentPending, code: -5},
		{name: "too close", user: ana, want: aimharder.ErrTooLate, code: -7,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				e.clock.Set(t0.Add(20 * time.Minute)) // the 09:30 class starts in 10 minutes
				return e.classOn(creds, norte, d0, "09:30", "")
			}},
		{name: "started", user: ana, want: aimharder.ErrTooLate, code: -7,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				return e.classOn(creds, norte, d0, "08:00", "")
			}},
		{name: "daily maximum", user: ana, want: aimharder.ErrDailyLimit, code: -8, max: 3,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				for _, hhmm := range []string{"07:00", "09:30", "18:00"} {
					e.mustBook(creds, norte, e.classOn(creds, norte, d1, hhmm, ""))
				}
				return e.classOn(creds, norte, d1, "19:00", "")
			}},
		{name: "already booked: this class", user: ana, want: aimharder.ErrAlreadyBooked, code: -12, key: aimharder.KeyAlreadyBooked,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				cl := e.classOn(creds, norte, d1, "18:00", "WOD")
				e.mustBook(creds, norte, cl)
				return cl
			}},
		{name: "already booked: another class at that hour", user: ana, want: aimharder.ErrAlreadyBooked, code: -12, key: aimharder.KeyAlreadyBooked,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				e.mustBook(creds, norte, e.classOn(creds, norte, d1, "18:00", "WOD"))
				return e.classOn(creds, norte, d1, "18:00", "YOGA")
			}},
		{name: "already waitlisted at that hour", user: ana, insist: true, want: aimharder.ErrAlreadyBooked, code: -12, key: aimharder.KeyAlreadyBooked,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				cl := e.classOn(creds, norte, d1, "08:00", "WOD")
				if _, err := e.book(creds, norte, cl, aimharder.BookOptions{Insist: true}); err != nil {
					e.t.Fatal(err)
				}
				return cl
			}},
		{name: "quota", user: quota, want: aimharder.ErrQuota, code: -12, key: aimharder.KeyQuotaExceeded,
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				e.mustBook(creds, norte, e.classOn(creds, norte, d1, "07:00", "WOD"))
				return e.classOn(creds, norte, d1.AddDays(1), "19:00", "WOD") // same week
			}},
		// A key the client does not know: a refusal, and nothing more specific.
		{name: "unknown class", user: ana, want: aimharder.ErrRefused, code: -12, key: "ERROR_CLASE_NO_ENCONTRADA",
			setup: func(*env, aimharder.Credentials) aimharder.Class { return aimharder.Class{ID: 123456, Date: d1} }},
		{name: "class of another day", user: ana, want: aimharder.ErrRefused, code: -12, key: "ERROR_CLASE_NO_ENCONTRADA",
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				cl := e.classOn(creds, norte, d1, "19:00", "WOD")
				cl.Date = d1.AddDays(1)
				return cl
			}},
	}
	specific := []error{aimharder.ErrFull, aimharder.ErrNoCredit, aimharder.ErrPaymentPending, aimharder.ErrTooLate,
		aimharder.ErrDailyLimit, aimharder.ErrAlreadyBooked, aimharder.ErrQuota, aimharder.ErrTooEarly, aimharder.ErrLoggedOut}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			creds := e.login(tt.user, fpUI)
			cl := tt.setup(e, creds)
			before := len(e.fake.Reservations(tt.user, ""))
			res, err := e.book(creds, norte, cl, aimharder.BookOptions{Insist: tt.insist})
			var be *aimharder.BookingError
			if !errors.As(err, &be) || !errors.Is(err, aimharder.ErrRefused) || !errors.Is(err, tt.want) {
				t.Fatalf("%+v, %v; want a BookingError matching %v", res, err, tt.want)
			}
			if be.Code != tt.code || be.Key != tt.key || be.Max != tt.max || be.TooEarly != nil {
				t.Errorf("booking error %+v, want code %d key %q max %d", be, tt.code, tt.key, tt.max)
			}
			for _, other := range specific {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("%v also matches %v", err, other)
				}
			}
			if after := len(e.fake.Reservations(tt.user, "")); after != before {
				t.Errorf("a refused booking changed the reservations: %d → %d", before, after)
			}
		})
	}

	t.Run("logged out", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d1, "19:00", "WOD")
		e.fake.ForceLogout(ana, fpUI)
		_, err := e.book(creds, norte, cl, aimharder.BookOptions{})
		var lo *aimharder.LoggedOutError
		if !errors.Is(err, aimharder.ErrLoggedOut) || errors.Is(err, aimharder.ErrRefused) || !errors.As(err, &lo) || lo.Endpoint != "book" {
			t.Fatalf("%v, want a LoggedOutError from book", err)
		}
		if _, err := e.book(aimharder.Credentials{}, norte, cl, aimharder.BookOptions{}); !errors.Is(err, aimharder.ErrLoggedOut) {
			t.Fatalf("without credentials: %v", err)
		}
	})
}

// TestIntegrationTooEarly: the window the refusal states, read from the
// message in each language, for days and hours boxes. The fixed-hour box
// answers with the days key and the text's N (docs/protocol.md §9), which is what the
// client reports.
func TestIntegrationTooEarly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	boxes := []struct {
		box  aimharder.BoxRef
		key  string
		rule string
	}{
		{norte, aimharder.KeyTooEarlyDays, "4d"},
		{isla, aimharder.KeyTooEarlyHours, "48h"},
		{fijo, aimharder.KeyTooEarlyDays, "2d"},
	}
	for _, user := range []string{ana, bea, eve} {
		creds := e.login(user, fpUI)
		for _, b := range boxes {
			cl := e.mustDay(creds, b.box, d5).Classes[0]
			_, err := e.book(creds, b.box, cl, aimharder.BookOptions{})
			var be *aimharder.BookingError
			var te *aimharder.TooEarlyError
			if !errors.Is(err, aimharder.ErrTooEarly) || !errors.Is(err, aimharder.ErrRefused) || errors.Is(err, aimharder.ErrAlreadyBooked) ||
				!errors.As(err, &be) || !errors.As(err, &te) {
				t.Errorf("%s %s: %v, want a too-early BookingError", user, b.box.Subdomain, err)
				continue
			}
			if be.Code != -12 || be.Key != b.key || be.TooEarly != te || te.Key != b.key || te.Message != be.Message {
				t.Errorf("%s %s: %+v / %+v", user, b.box.Subdomain, be, te)
			}
			if !te.WindowKnown || te.Window.String() != b.rule {
				t.Errorf("%s %s: window %q (known %v) from %q, want %s", user, b.box.Subdomain, te.Window, te.WindowKnown, te.Message, b.rule)
			}
		}
	}
	if n := len(e.fake.Reservations(ana, "")); n != 0 {
		t.Errorf("%d reservations after refusals", n)
	}
}

// TestIntegrationWindowAgreement: for each demo box rule, the client's
// Rule.OpensAt predicts the instant the fake starts accepting, to the
// millisecond: a booking 1 ms before is too early, one at the instant
// books. The cases around Sun 25 Oct 2026 are the protocol's worked
// example (docs/protocol.md §9.1).
func TestIntegrationWindowAgreement(t *testing.T) {
	t.Parallel()
	demoMadrid := aimharder.BoxRef{ID: 10122, Subdomain: aimhardertest.DemoBoxMadrid, Location: madrid}
	demoCanarias := aimharder.BoxRef{ID: 20455, Subdomain: aimhardertest.DemoBoxCanarias, Location: canary}
	demoBarcelona := aimharder.BoxRef{ID: 30871, Subdomain: aimhardertest.DemoBoxBarcelona, Location: madrid}
	date := func(day int) aimharder.Date { return aimharder.Date{Year: 2026, Month: time.October, Day: day} }
	utc := func(day, hour int) time.Time { return time.Date(2026, time.October, day, hour, 0, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		box   aimharder.BoxRef
		rule  string
		day   aimharder.Date
		hhmm  string
		opens time.Time // the worked example's instant, when it gives one
		says  string    // the window the too-early message states
	}{
		{"4d", demoMadrid, "4d", date(14), "19:00", time.Time{}, "4d"},
		{"4d across the change", demoMadrid, "4d", date(27), "19:00", utc(23, 17), "4d"},
		{"48h Canary", demoCanarias, "48h", date(14), "18:00", time.Time{}, "48h"},
		{"48h Canary across the change", demoCanarias, "48h", date(26), "09:00", utc(24, 9), "48h"},
		{"2d@12:00", demoBarcelona, "2d@12:00", date(14), "18:30", time.Time{}, "2d"},
		{"2d@12:00 before the change", demoBarcelona, "2d@12:00", date(26), "07:00", utc(24, 10), "2d"},
		{"2d@12:00 on the change day", demoBarcelona, "2d@12:00", date(27), "07:00", utc(25, 11), "2d"},
	}
	world := aimhardertest.DemoWorld(time.Date(2026, 10, 1, 3, 0, 0, 0, madrid), 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEnv(t, world, tt.day.At(12, 0, tt.box.Location).AddDate(0, 0, -7), nil)
			login := func() aimharder.Credentials {
				res, err := e.tryLogin(aimhardertest.DemoEmail, aimhardertest.DemoPassword, fpUI)
				if err != nil {
					t.Fatal(err)
				}
				return res.Credentials
			}
			cl := e.classOn(login(), tt.box, tt.day, tt.hhmm, "")
			if cl.Start.Location() != tt.box.Location || cl.Start.Format("15:04") != tt.hhmm {
				t.Fatalf("class starts %v", cl.Start)
			}
			rule, err := aimharder.ParseRule(tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			opens := rule.OpeningIn(tt.box.Location, cl.Start)
			if !tt.opens.IsZero() && !opens.Equal(tt.opens) {
				t.Fatalf("OpensAt %v, the protocol says %v", opens.UTC(), tt.opens)
			}
			if info, ok := e.fake.Class(tt.box.Subdomain, cl.ID); !ok || !info.OpensAt.Equal(opens) {
				t.Errorf("the fake's opening %v, the client's %v", info.OpensAt, opens)
			}

			e.clock.Set(opens.Add(-time.Minute))
			creds := login()
			e.clock.Set(opens.Add(-time.Millisecond))
			_, err = e.book(creds, tt.box, cl, aimharder.BookOptions{})
			var te *aimharder.TooEarlyError
			if !errors.As(err, &te) || te.Window.String() != tt.says {
				t.Fatalf("1 ms before the opening: %v, want too early (%s)", err, tt.says)
			}
			if r := e.lastRequest(aimhardertest.EndpointBook); !r.Arrived.Equal(opens.Add(-time.Millisecond)) {
				t.Fatalf("the fake judged it at %v", r.Arrived)
			}
			e.clock.Set(opens)
			res, err := e.book(creds, tt.box, cl, aimharder.BookOptions{})
			if err != nil || res.State != aimharder.StateBooked {
				t.Fatalf("at the opening: %+v, %v", res, err)
			}
			if r := e.lastRequest(aimhardertest.EndpointBook); !r.Arrived.Equal(opens) || r.Code != "bookState=1" {
				t.Fatalf("the fake judged %q at %v", r.Code, r.Arrived)
			}
		})
	}

	// Four days before a 02:30 class on Thu 29 Oct is a 02:30 that happens
	// twice, and before Thu 2 Apr one that never happens. The protocol does
	// not say which instant opens then; the client picks the earliest, and
	// the fake refuses such seeds rather than pick one (docs/protocol.md §9.1).
	t.Run("ambiguous openings", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			day   aimharder.Date
			start string
			valid bool
		}{
			{aimharder.Date{Year: 2026, Month: time.October, Day: 29}, "02:30", false},
			{aimharder.Date{Year: 2026, Month: time.April, Day: 2}, "02:30", false},
			{aimharder.Date{Year: 2026, Month: time.October, Day: 29}, "03:00", true},
			{aimharder.Date{Year: 2026, Month: time.October, Day: 30}, "02:30", true},
		} {
			w := aimhardertest.World{Boxes: []aimhardertest.BoxConfig{{ID: 1, Sub: "night", Window: aimhardertest.MustParseWindowRule("4d"),
				Extra: []aimhardertest.ExtraClass{{Date: tt.day, ClassTemplate: aimhardertest.ClassTemplate{Start: tt.start, Name: "NIGHT WOD"}}}}}}
			if err := w.Validate(); (err == nil) != tt.valid {
				t.Errorf("class at %s on %s: Validate() = %v, want valid %v", tt.start, tt.day, err, tt.valid)
			}
		}
	})
}

// TestIntegrationCompetitors: competitors who book seconds after the
// opening lose to a booking at the opening and fill the class for later ones.
func TestIntegrationCompetitors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cl := e.classOn(e.login(ana, fpUI), norte, d5, "07:00", "WOD") // 10 places, 3 taken
	rule, _ := aimharder.ParseRule("4d")
	opens := rule.OpeningIn(cl.Start.Location(), cl.Start)
	n, err := e.fake.AddCompetitors(aimhardertest.Competitors{Box: "norte", ClassID: cl.ID, Count: 9, Delay: time.Second, Spread: 2 * time.Second})
	if err != nil || n != 9 {
		t.Fatalf("competitors: %d, %v", n, err)
	}
	e.clock.Set(opens.Add(-time.Minute))
	anaCreds, eveCreds := e.login(ana, fpUI), e.login(eve, fpUI)
	e.clock.Set(opens)
	e.mustBook(anaCreds, norte, cl)
	e.clock.Set(opens.Add(5 * time.Second))
	after := e.classOn(eveCreds, norte, d5, "07:00", "WOD")
	if after.Occupancy != 10 || after.Waitlist != 2 {
		t.Fatalf("after the rush: %d booked, %d waiting", after.Occupancy, after.Waitlist)
	}
	if _, err := e.book(eveCreds, norte, cl, aimharder.BookOptions{Insist: true}); !errors.Is(err, aimharder.ErrFull) {
		t.Fatalf("after the rush: %v, want ErrFull", err)
	}
}

func TestIntegrationCancel(t *testing.T) {
	t.Parallel()
	t.Run("in time", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d1, "19:00", "WOD")
		res := e.mustBook(creds, norte, cl)
		if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{}); err != nil {
			t.Fatal(err)
		}
		row := e.classOn(creds, norte, d1, "19:00", "WOD")
		if row.State != aimharder.StateNone || row.ReservationID != 0 || row.Cancelled || row.Occupancy != 0 {
			t.Errorf("row after cancel %+v", row)
		}
		if _, ok := e.active(ana, "", cl.ID); ok {
			t.Error("the fake still has the reservation")
		}
		if n, _ := e.fake.Credits(ana, ""); n != 20 {
			t.Errorf("credits %d, want the credit back (20)", n)
		}
	})
	t.Run("late", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d0, "09:30", "") // in 30 minutes: inside the 90-minute late window
		res := e.mustBook(creds, norte, cl)
		err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{})
		var ce *aimharder.CancelError
		if !errors.Is(err, aimharder.ErrLateCancel) || errors.Is(err, aimharder.ErrRefused) || !errors.As(err, &ce) || ce.State != 2 || ce.Message == "" {
			t.Fatalf("%v, want the late-cancel warning", err)
		}
		if r, ok := e.active(ana, "", cl.ID); !ok || r.LateCancel {
			t.Fatal("the warning cancelled the reservation")
		}
		if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{Late: true}); err != nil {
			t.Fatalf("confirmed late cancel: %v", err)
		}
		if _, ok := e.active(ana, "", cl.ID); ok {
			t.Fatal("not cancelled with late=1")
		}
		if rs := e.fake.Reservations(ana, ""); len(rs) != 1 || !rs[0].LateCancel {
			t.Errorf("reservations %+v", rs)
		}
		if n, _ := e.fake.Credits(ana, ""); n != 19 {
			t.Errorf("credits %d: a late cancel forfeits the credit (want 19)", n)
		}
	})
	t.Run("started", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.clock.Set(t0.Add(10 * time.Minute)) // 09:10
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d0, "09:30", "")
		res := e.mustBook(creds, norte, cl)
		e.clock.Set(cl.Start.Add(5 * time.Minute))
		err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{Late: true})
		var ce *aimharder.CancelError
		if !errors.Is(err, aimharder.ErrRefused) || errors.Is(err, aimharder.ErrLateCancel) || !errors.As(err, &ce) || ce.State != 3 {
			t.Fatalf("%v, want cancelState 3", err)
		}
		if _, ok := e.active(ana, "", cl.ID); !ok {
			t.Fatal("a started class was cancelled")
		}
	})
	t.Run("session id instead of reservation id", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d1, "19:00", "WOD")
		res := e.mustBook(creds, norte, cl)
		// The trap of docs/protocol.md §8: the server answers cancelState 1 and cancels nothing.
		if err := e.cancel(creds, norte, cl.ID, aimharder.CancelOptions{}); err != nil {
			t.Fatalf("cancel with the session id: %v", err)
		}
		if r, ok := e.active(ana, "", cl.ID); !ok || r.ID != res.ReservationID {
			t.Fatalf("the session id cancelled something: %+v", e.fake.Reservations(ana, ""))
		}
		if row := e.classOn(creds, norte, d1, "19:00", "WOD"); row.State != aimharder.StateBooked || row.ReservationID != res.ReservationID {
			t.Fatalf("re-read after the wrong cancel: %+v", row)
		}
	})
	t.Run("logged out", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		res := e.mustBook(creds, norte, e.classOn(creds, norte, d1, "19:00", "WOD"))
		e.fake.ForceLogout(ana, "")
		if err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{}); !errors.Is(err, aimharder.ErrLoggedOut) {
			t.Fatalf("%v, want ErrLoggedOut", err)
		}
		if rs := e.fake.Reservations(ana, ""); len(rs) != 1 || !rs[0].Active {
			t.Fatalf("reservations %+v", rs)
		}
	})
}

// TestIntegrationWaitlistPromotion: a freed place goes to the first in the
// waitlist (on by default), or stays free with promotion off.
func TestIntegrationWaitlistPromotion(t *testing.T) {
	t.Parallel()
	for _, promote := range []bool{true, false} {
		t.Run(fmt.Sprint("promotion=", promote), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.fake.SetPromotion(promote)
			first, waiting := e.login(racer(0), fpUI), e.login(ana, fpUI)
			cl := e.classOn(first, carrera, d1, "07:00", "LAST PLACE")
			res := e.mustBook(first, carrera, cl)
			if w, err := e.book(waiting, carrera, cl, aimharder.BookOptions{Insist: true}); err != nil || w.State != aimharder.StateWaitlisted {
				t.Fatalf("insist: %+v, %v", w, err)
			}
			if err := e.cancel(first, carrera, res.ReservationID, aimharder.CancelOptions{}); err != nil {
				t.Fatal(err)
			}
			row := e.classOn(waiting, carrera, d1, "07:00", "LAST PLACE")
			want, occupancy := aimharder.StateWaitlisted, 2
			if promote {
				want, occupancy = aimharder.StateBooked, 3
			}
			if row.State != want || row.Occupancy != occupancy || row.ReservationID == 0 {
				t.Fatalf("after the cancel: %+v", row)
			}
		})
	}
}

// TestIntegrationLastPlaceRace: many members booking the last place at
// once through the client (prepared requests sent together): exactly one
// gets it; with insist the waitlist takes exactly its capacity.
func TestIntegrationLastPlaceRace(t *testing.T) {
	t.Parallel()
	for _, insist := range []bool{false, true} {
		t.Run(fmt.Sprint("insist=", insist), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var prepared []*aimharder.PreparedBook
			var cl aimharder.Class
			for i := range racers {
				creds := e.login(racer(i), fpUI)
				if i == 0 {
					cl = e.classOn(creds, carrera, d1, "07:00", "LAST PLACE") // 3 places, 2 taken
				}
				p, err := e.c.PrepareBook(creds, carrera, cl.ID, cl.Date, aimharder.BookOptions{Insist: insist})
				if err != nil {
					t.Fatal(err)
				}
				prepared = append(prepared, p)
			}
			results := make([]aimharder.BookResult, len(prepared))
			errs := make([]error, len(prepared))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, p := range prepared {
				wg.Go(func() {
					<-start
					res, after, err := p.Send(e.ctx)
					e.keep(after)
					results[i], errs[i] = res, e.note(err)
				})
			}
			close(start)
			wg.Wait()

			count := map[string]int{}
			winner := -1
			for i := range prepared {
				switch {
				case errs[i] == nil && results[i].State == aimharder.StateBooked:
					count["booked"]++
					winner = i
				case errs[i] == nil && results[i].State == aimharder.StateWaitlisted:
					count["waitlisted"]++
				case errors.Is(errs[i], aimharder.ErrFull):
					count["full"]++
				default:
					t.Errorf("racer %d: %+v, %v", i, results[i], errs[i])
				}
			}
			waitlisted := map[bool]int{true: 3}[insist]
			want := map[string]int{"booked": 1, "waitlisted": waitlisted, "full": racers - 1 - waitlisted}
			for k, v := range want {
				if count[k] != v {
					t.Errorf("%s: %d, want %d (all: %v)", k, count[k], v, count)
				}
			}
			info, _ := e.fake.Class("carrera", cl.ID)
			if len(info.Booked) != 3 || len(info.Waiting) != waitlisted || winner < 0 || info.Booked[2] != fmt.Sprintf("Racer %02d", winner) {
				t.Errorf("the fake's class %+v; the client says racer %d won", info, winner)
			}
		})
	}
}

// TestIntegrationSameHourRace: one member booking every class of one hour
// at once ends up in exactly one of them.
func TestIntegrationSameHourRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	var classes []aimharder.Class
	for _, c := range e.mustDay(creds, carrera, d1).Classes {
		if c.Start.Format("15:04") == "18:00" {
			classes = append(classes, c)
		}
	}
	if len(classes) != 8 {
		t.Fatalf("%d classes at 18:00", len(classes))
	}
	results := make([]aimharder.BookResult, len(classes))
	errs := make([]error, len(classes))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, cl := range classes {
		wg.Go(func() {
			<-start
			results[i], errs[i] = e.book(creds, carrera, cl, aimharder.BookOptions{})
		})
	}
	close(start)
	wg.Wait()
	booked := -1
	for i := range classes {
		switch {
		case errs[i] == nil && results[i].State == aimharder.StateBooked:
			if booked >= 0 {
				t.Errorf("booked both %s and %s", classes[booked].Name, classes[i].Name)
			}
			booked = i
		case !errors.Is(errs[i], aimharder.ErrAlreadyBooked):
			t.Errorf("%s: %+v, %v; want booked or ErrAlreadyBooked", classes[i].Name, results[i], errs[i])
		}
	}
	rs := e.fake.Reservations(ana, "")
	if booked < 0 || len(rs) != 1 || rs[0].ClassID != classes[booked].ID || rs[0].ID != results[booked].ReservationID {
		t.Fatalf("the fake has %+v", rs)
	}
}
