package scheduler

import (
	"errors"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// The minority answer shapes of docs/protocol.md §10B inside a firing burst.

// TestAnswersVerdicts: a refusal stating its reason without bookState ends
// the burst (it is final, not ambiguous); a bare −12 — no key, no
// recognisable words — is retried like "too early"; a −12 read as too early
// or same hour by its words is judged as such.
func TestAnswersVerdicts(t *testing.T) {
	noState := &aimharder.BookingError{NoState: true, Message: "Has alcanzado el máximo de reservas"}
	bare := &aimharder.BookingError{Code: -12}
	tooEarlyWords := &aimharder.BookingError{Code: -12, Message: "No puedes reservar clases con más de 4 días de antelación"}
	sameHourWords := &aimharder.BookingError{Code: -12, Message: "No puedes hacer más de una reserva a la misma hora"}
	unknownText := &aimharder.BookingError{Code: -12, Message: "Clase no encontrada"}
	for _, tc := range []struct {
		name string
		err  error
		want verdict
	}{
		{"no state", noState, verdictRefused},
		{"bare −12", bare, verdictRetry},
		{"too early by its words", tooEarlyWords, verdictRetry},
		{"same hour by its words", sameHourWords, verdictAlready},
		{"unknown words, no key", unknownText, verdictRetry},
	} {
		if got := judgeAttempt(attempt{err: tc.err}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if aimharder.Ambiguous(noState) {
		t.Error("a stated refusal is ambiguous")
	}
	// A burst that met only bare −12s fails in words, not with a Go error.
	res := &burstResult{verdict: verdictRetry, sent: 3, attempts: []attempt{{err: bare}, {err: bare}, {err: bare}}, best: attempt{err: bare}}
	o, tooEarly := judge(res, false, dayRead{})
	if o.Status != session.PrebookFailed || tooEarly != nil || outcome.Parse(o.Code) != outcome.Refused || o.Message != "" {
		t.Errorf("bare burst: %+v (too early %v)", o, tooEarly)
	}
	// A no-state refusal is stored with AimHarder's words.
	res = &burstResult{verdict: verdictRefused, sent: 1, attempts: []attempt{{err: noState}}, best: attempt{err: noState}}
	if needsDay(res) {
		t.Error("a stated refusal after clear answers needs no day")
	}
	if o, _ := judge(res, false, dayRead{}); o.Status != session.PrebookFailed || o.Code != "refused_box_rule" || o.Message != noState.Message {
		t.Errorf("no-state refusal: %+v", o)
	}
}

// TestJudgeSettlesBookStateZero: a bookState 0 answer is told as the day
// shows it (account.SettleState): booked, waitlisted, or — the day
// unreadable — waitlisted as answered, flagged unconfirmed.
func TestJudgeSettlesBookStateZero(t *testing.T) {
	zero := attempt{res: aimharder.BookResult{State: aimharder.StateWaitlisted, ReservationID: 77}}
	res := &burstResult{verdict: verdictBooked, sent: 1, attempts: []attempt{zero}, best: zero}
	if !needsDay(res) {
		t.Fatal("a bookState 0 answer must be settled against the day")
	}
	listed := func(s aimharder.UserState) dayRead {
		return dayRead{class: account.ClassView{Class: aimharder.Class{State: s, ReservationID: 77}}, booked: true}
	}
	for _, tc := range []struct {
		name string
		day  dayRead
		want session.PrebookingStatus
		code string
	}{
		{"listed booked", listed(aimharder.StateBooked), session.PrebookBooked, "booked"},
		{"listed waitlisted", listed(aimharder.StateWaitlisted), session.PrebookWaitlisted, "waitlisted"},
		{"day unreadable", dayRead{err: errors.New("HTTP 503")}, session.PrebookWaitlisted, codeWaitlistUnsettled},
	} {
		o, _ := judge(res, false, tc.day)
		if o.Status != tc.want || o.Code != tc.code || o.ReservationID != 77 {
			t.Errorf("%s: %+v, want %s/%s", tc.name, o, tc.want, tc.code)
		}
	}
	one := attempt{res: aimharder.BookResult{State: aimharder.StateBooked, ReservationID: 78}}
	if needsDay(&burstResult{verdict: verdictBooked, best: one}) {
		t.Error("a bookState 1 answer needs no day")
	}
}

// TestFireAnswersBookedAsWaitlisted: against the fake answering a place
// with bookState 0, the fire reads the day and stores "booked".
func TestFireAnswersBookedAsWaitlisted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.clock.Set(testOpening.Add(time.Second))
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{BookedAsWaitlisted: true},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 || got.OutcomeCode != "booked" {
		t.Fatalf("outcome %s/%s (reservation %d): %s", got.Status, got.OutcomeCode, got.ReservationID, got.OutcomeMessage)
	}
}

// TestFireAnswersRefusalWithoutState: a box rule refusing without
// bookState ends the burst at once with AimHarder's words.
func TestFireAnswersRefusalWithoutState(t *testing.T) {
	t.Parallel()
	w := testWorld(0)
	none := 0
	w.Users[0].Credits = &none
	h := newHarnessWith(t, testOpening.Add(-40*time.Second), w, "2d@07:00")
	p := h.prebook(h.store, "WOD", false)
	h.clock.Set(testOpening.Add(time.Second))
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{RefusalsWithoutState: true},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookFailed || got.OutcomeCode != "refused_box_rule" ||
		got.OutcomeMessage != "Tu tarifa no te permite reservar esta clase. Consulta con tu centro." {
		t.Fatalf("outcome %s/%s: %q", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if n := len(h.bookRequests(p.ClassID)); n > 1+maxInFlight {
		t.Errorf("%d book requests: a stated refusal was re-sent", n)
	}
}
