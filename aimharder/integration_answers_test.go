package aimharder_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// The minority answer shapes other clients report (docs/protocol.md §10B),
// each switched on in the fake as an opt-in Shape.

func (e *env) shape(sh aimhardertest.Shape, eps ...aimhardertest.Endpoint) {
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultShape, Shape: sh, Endpoints: eps})
}

// TestIntegrationAnswersRefusalWithoutState: a box rule refusing with its
// reason in errorMssg (HTML) and no bookState/cancelState is a refusal in
// AimHarder's words — never an unreadable (ambiguous) answer.
func TestIntegrationAnswersRefusalWithoutState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user string
		setup      func(*env, aimharder.Credentials) aimharder.Class
		want       string
	}{
		{name: "plan", user: plan, want: "Tu tarifa no te permite reservar esta clase. Consulta con tu centro.",
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				return e.classOn(creds, norte, d1, "07:00", "WOD")
			}},
		{name: "no credit", user: broke, want: "Tu tarifa no te permite reservar esta clase. Consulta con tu centro.",
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				return e.classOn(creds, norte, d1, "07:00", "WOD")
			}},
		{name: "class maximum", user: ana, want: "Has alcanzado el número máximo de reservas por día (3).",
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				for _, hhmm := range []string{"07:00", "09:30", "18:00"} {
					e.mustBook(creds, norte, e.classOn(creds, norte, d1, hhmm, ""))
				}
				return e.classOn(creds, norte, d1, "19:00", "")
			}},
		{name: "plan quota", user: quota, want: "Has superado el límite de reservas de tu tarifa.",
			setup: func(e *env, creds aimharder.Credentials) aimharder.Class {
				e.mustBook(creds, norte, e.classOn(creds, norte, d1, "07:00", "WOD"))
				return e.classOn(creds, norte, d1.AddDays(1), "19:00", "WOD")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			creds := e.login(tt.user, fpUI)
			cl := tt.setup(e, creds)
			e.shape(aimhardertest.Shape{RefusalsWithoutState: true}, aimhardertest.EndpointBook)
			_, err := e.book(creds, norte, cl, aimharder.BookOptions{})
			var be *aimharder.BookingError
			if !errors.As(err, &be) || !be.NoState || !errors.Is(err, aimharder.ErrRefused) {
				t.Fatalf("%v, want a no-state BookingError", err)
			}
			if aimharder.Ambiguous(err) || errors.Is(err, aimharder.ErrProtocol) || errors.Is(err, aimharder.ErrTooEarly) || be.Bare() {
				t.Errorf("%v: a stated refusal must be neither ambiguous, unreadable, too early nor bare", err)
			}
			if be.Message != tt.want {
				t.Errorf("message %q, want %q", be.Message, tt.want)
			}
			if got := e.lastRequest(aimhardertest.EndpointBook).Code; !strings.Contains(got, "no bookState") {
				t.Errorf("the fake answered %q, not the no-state shape", got)
			}
		})
	}
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.clock.Set(t0.Add(10 * time.Minute))
		creds := e.login(bea, fpUI)
		cl := e.classOn(creds, norte, d0, "09:30", "")
		res := e.mustBook(creds, norte, cl)
		e.clock.Set(cl.Start.Add(5 * time.Minute))
		e.shape(aimhardertest.Shape{RefusalsWithoutState: true}, aimhardertest.EndpointCancelBook)
		err := e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{Late: true})
		var ce *aimharder.CancelError
		if !errors.As(err, &ce) || !ce.NoState || !errors.Is(err, aimharder.ErrRefused) || errors.Is(err, aimharder.ErrLateCancel) ||
			aimharder.Ambiguous(err) {
			t.Fatalf("%v, want a no-state cancel refusal", err)
		}
		if ce.Message != "No es pot cancel·lar: la classe ja ha començat" {
			t.Errorf("message %q", ce.Message)
		}
	})
}

// TestIntegrationAnswersWithoutKey: −12 without errorMssgLang is read by
// its words in es, ca and en; a −12 with neither key nor text is Bare.
func TestIntegrationAnswersWithoutKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.shape(aimhardertest.Shape{RuleRefusalsWithoutKey: true}, aimhardertest.EndpointBook)
	for _, user := range []string{ana, bea, eve} {
		creds := e.login(user, fpUI)
		for _, b := range []struct {
			box  aimharder.BoxRef
			rule string
		}{{norte, "4d"}, {isla, "48h"}} {
			cl := e.mustDay(creds, b.box, d5).Classes[0]
			_, err := e.book(creds, b.box, cl, aimharder.BookOptions{})
			var te *aimharder.TooEarlyError
			if !errors.Is(err, aimharder.ErrTooEarly) || !errors.As(err, &te) || te.Key != "" {
				t.Errorf("%s %s: %v, want too early without a key", user, b.box.Subdomain, err)
				continue
			}
			if !te.WindowKnown || te.Window.String() != b.rule {
				t.Errorf("%s %s: window %v from %q, want %s", user, b.box.Subdomain, te.Window, te.Message, b.rule)
			}
		}
		cl := e.classOn(creds, norte, d1, "18:00", "WOD")
		e.mustBook(creds, norte, cl)
		_, err := e.book(creds, norte, cl, aimharder.BookOptions{})
		var be *aimharder.BookingError
		if !errors.Is(err, aimharder.ErrAlreadyBooked) || !errors.As(err, &be) || be.Key != "" || be.Bare() {
			t.Errorf("%s same hour: %v, want already booked read from the words", user, err)
		}
	}

	bare := newEnv(t)
	bare.shape(aimhardertest.Shape{BareRuleRefusals: true}, aimhardertest.EndpointBook)
	creds := bare.login(ana, fpUI)
	_, err := bare.book(creds, norte, bare.mustDay(creds, norte, d5).Classes[0], aimharder.BookOptions{})
	var be *aimharder.BookingError
	if !errors.As(err, &be) || !be.Bare() || be.Message != "" || !errors.Is(err, aimharder.ErrRefused) || errors.Is(err, aimharder.ErrTooEarly) {
		t.Fatalf("%v, want a bare −12", err)
	}
}

// TestIntegrationAnswersRowTimes: rows with only `timeid` ("900_60") or
// only the start in `time` give the same classes, none skipped.
func TestIntegrationAnswersRowTimes(t *testing.T) {
	t.Parallel()
	shapes := map[aimharder.TimeSource]aimhardertest.Shape{
		aimharder.TimeFromTimeID: {TimeIDOnly: true}, aimharder.TimeFromStart: {StartTimeOnly: true},
	}
	for from, sh := range shapes {
		e := newEnv(t)
		creds := e.login(ana, fpUI)
		want := e.mustDay(creds, norte, d1)
		e.shape(sh, aimhardertest.EndpointBookings)
		got := e.mustDay(creds, norte, d1)
		if len(got.Warnings) != 0 || len(got.Classes) != len(want.Classes) || len(want.Classes) == 0 {
			t.Fatalf("%+v: %d classes (warnings %q), want %d", sh, len(got.Classes), got.Warnings, len(want.Classes))
		}
		for i, c := range got.Classes {
			w := want.Classes[i]
			if c.ID != w.ID || !c.Start.Equal(w.Start) || !c.End.Equal(w.End) || c.End.IsZero() ||
				c.TimeFrom != from || w.TimeFrom != aimharder.TimeFromRange {
				t.Errorf("%+v: class %d %v–%v, want %d %v–%v", sh, c.ID, c.Start, c.End, w.ID, w.Start, w.End)
			}
		}
	}
}

// TestIntegrationAnswersBookedAsWaitlisted: the kiru22 shape — a place
// answered with bookState 0 — reads as waitlisted on the wire; the day's
// listing is what tells booked (session/account decides).
func TestIntegrationAnswersBookedAsWaitlisted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	e.shape(aimhardertest.Shape{BookedAsWaitlisted: true}, aimhardertest.EndpointBook)
	res, err := e.book(creds, norte, cl, aimharder.BookOptions{})
	if err != nil || res.State != aimharder.StateWaitlisted || res.ReservationID == 0 {
		t.Fatalf("%+v, %v; want the answer's bookState 0", res, err)
	}
	if row := e.classOn(creds, norte, d1, "19:00", "WOD"); row.State != aimharder.StateBooked || row.ReservationID != res.ReservationID {
		t.Errorf("row %+v, want booked with reservation %d", row, res.ReservationID)
	}
}
