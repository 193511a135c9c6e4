package scheduler

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// TestLatenessIsJudgedWhenTheRequestIsSent: the runner is stopped from
// T−20 s to T+25 s (a SIGSTOP, a laptop asleep: its clock jumps when it
// runs again) after it armed the fire on time. It books at T+25 s, and
// that is what is stored and said: late, by about 25 s.
func TestLatenessIsJudgedWhenTheRequestIsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.openStore(), "runner", func(c *Config) { c.NoKeeper = true })
	ev := collect(r.Events())
	stopped := h.at(testOpening.Add(-20*time.Second), func() error {
		h.clock.Set(testOpening.Add(25 * time.Second))
		return nil
	})
	rs := startLeading(t, h, 1, r)
	_ = stopped()
	h.waitFinal(p.ID)
	rs.stop()

	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || !got.Late || !got.LateKnown() {
		t.Fatalf("outcome %s late=%v known=%v: %s", got.Status, got.Late, got.LateKnown(), got.OutcomeMessage)
	}
	// The truth is when the accepted request reached the fake; the stored
	// lateness is the send time corrected by the clock estimate, whose
	// error is within a second (Date headers count whole seconds).
	var arrived []time.Time
	for _, q := range h.bookRequests(p.ClassID) {
		if accepted(q) {
			arrived = append(arrived, q.Arrived)
		}
	}
	if len(arrived) != 1 {
		t.Fatalf("%d bookings accepted, want 1", len(arrived))
	}
	truth := arrived[0].Sub(testOpening)
	if got.LateBy < 25*time.Second || (got.LateBy-truth).Abs() > time.Second {
		t.Errorf("late by %v; the booking reached AimHarder %v after the opening", got.LateBy, truth)
	}
	if !got.SentAt.Equal(testOpening.Add(got.LateBy)) {
		t.Errorf("sent at %v, late by %v: they disagree", got.SentAt, got.LateBy)
	}
	said := ""
	for _, e := range ev.stop() {
		if e, ok := e.(PrebookingOutcome); ok {
			said = e.String()
			n, _ := notificationOf(e)
			if !strings.HasPrefix(n.Title, "Booked "+got.Lateness()+": ") || n.LateMS != got.LateBy.Milliseconds() ||
				!slices.Contains(n.env(), fmt.Sprintf("AHTUI_LATE_MS=%d", n.LateMS)) {
				t.Errorf("notification %q, late_ms %d", n.Title, n.LateMS)
			}
		}
	}
	if l := got.Lateness(); !strings.HasSuffix(l, " s late") || !strings.Contains(said, "booked ("+l+")") {
		t.Errorf("outcome event %q, lateness %q: want it to say how many seconds late", said, l)
	}
}

// TestSuccessorDoesNotCallAnOnTimeBookingLate: a runner booked the class
// at the opening and was killed before storing it; its successor fires
// the prebooking 12 s later, AimHarder answers "already booked" and the
// day shows the booking. When it was made is not known: not late.
func TestSuccessorDoesNotCallAnOnTimeBookingLate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	c := h.class("WOD")
	h.clock.Set(testOpening)
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Book(ctx, session.KindBackground, h.box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testOpening.Add(12 * time.Second))
	r := h.newRunner(h.store, "successor", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.OutcomeCode != "already_booked" {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if got.Late || got.LateKnown() || got.Lateness() != "" {
		t.Errorf("late=%v known=%v (%q): a booking made before this fire is not late without evidence",
			got.Late, got.LateKnown(), got.Lateness())
	}
}

// TestOnTimeFireStoresItsSendTime: an ordinary fire stores when its
// accepted request left — at the opening — and is not late.
func TestOnTimeFireStoresItsSendTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.openStore(), "runner", func(c *Config) { c.NoKeeper = true })
	rs := startRunners(t, h, r)
	h.waitFinal(p.ID)
	rs.stop()
	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || got.Late || !got.LateKnown() {
		t.Fatalf("outcome %s late=%v known=%v", got.Status, got.Late, got.LateKnown())
	}
	if got.LateBy < -time.Second || got.LateBy > 100*time.Millisecond {
		t.Errorf("late by %v, want the accepted request at the opening", got.LateBy)
	}
}
