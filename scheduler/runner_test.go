package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// runners runs runners under one simulation until stop.
type runners struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	drive  func()
}

func startRunners(t *testing.T, h *harness, rs ...*Runner) *runners {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := &runners{cancel: cancel}
	for _, r := range rs {
		out.wg.Go(func() { _ = r.Run(ctx) })
	}
	out.drive = h.clock.AutoAdvance(t.Context(), 0)
	return out
}

// stop asks the runners to stop, lets simulated time run while they wind
// down (a fire under way finishes), and returns once they all returned.
func (rs *runners) stop() {
	rs.cancel()
	rs.wg.Wait()
	rs.drive()
}

func (h *harness) waitFinal(ids ...int64) {
	h.t.Helper()
	waitFor(h.t, "prebookings to finish", func() bool {
		for _, id := range ids {
			p, err := h.store.Prebooking(h.t.Context(), id)
			if err != nil || !p.Status.Final() {
				return false
			}
		}
		return true
	})
}

// TestTwoRunnersFireEachPrebookingOnce: two runners on one database (two
// store handles, as two processes would have), three prebookings opening
// at the same instant and one later. Each is fired by exactly one runner:
// the fake sees exactly one accepted booking per class, no "already
// booked" answer that a second fire would cause, and exactly the requests
// the stored outcome counts.
func TestTwoRunnersFireEachPrebookingOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-3*time.Minute), 300*time.Millisecond, 0)
	ps := []session.Prebooking{
		h.prebook(h.store, "WOD", false),
		h.prebook(h.store, "HYROX", false),
		h.prebook(h.store, "GYMNASTICS", false),
	}
	ra := h.newRunner(h.store, "runner-a", nil)
	rb := h.newRunner(h.openStore(), "runner-b", nil)
	evA, evB := collect(ra.Events()), collect(rb.Events())
	rs := startRunners(t, h, ra, rb)
	h.waitFinal(ps[0].ID, ps[1].ID, ps[2].ID)
	rs.stop()
	outcomes := countOutcomes(evA.stop()) + countOutcomes(evB.stop())

	if outcomes != len(ps) {
		t.Errorf("%d outcome events for %d prebookings", outcomes, len(ps))
	}
	for _, p := range ps {
		got, err := h.store.Prebooking(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != session.PrebookBooked || got.Late {
			t.Errorf("%s: %s (%s) late=%v", got.ClassName, got.Status, got.OutcomeMessage, got.Late)
		}
		reqs := h.bookRequests(p.ClassID)
		acceptedN := 0
		for _, q := range reqs {
			if accepted(q) {
				acceptedN++
			}
			if strings.Contains(q.Code, "NOPUEDESRESERVAMISMAHORA") {
				t.Errorf("%s: a second fire was answered %q", got.ClassName, q.Code)
			}
			if q.Arrived.Before(testOpening.Add(-earlyMargin)) {
				t.Errorf("%s: request arrived %v before the opening", got.ClassName, testOpening.Sub(q.Arrived))
			}
		}
		if acceptedN != 1 || len(reqs) != got.Attempts {
			t.Errorf("%s: %d accepted of %d requests; the outcome counts %d attempts", got.ClassName, acceptedN, len(reqs), got.Attempts)
		}
	}
	if _, err := h.store.CurrentRunnerLease(t.Context(), RunnerLeaseName); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("runner lease after both stopped: %v, want released", err)
	}
	if sess, _ := h.store.Session(t.Context(), session.KindBackground); sess.LeaseOwner != "" {
		t.Errorf("background session lease still held by %q", sess.LeaseOwner)
	}
}

func countOutcomes(evs []Event) int {
	n := 0
	for _, e := range evs {
		if _, ok := e.(PrebookingOutcome); ok {
			n++
		}
	}
	return n
}

// deadRunner leaves the database as a runner killed mid-fire would: the
// prebooking claimed (firing) and the runner lease held, neither ever
// renewed nor released.
func (h *harness) deadRunner(p session.Prebooking) {
	h.t.Helper()
	if _, won, err := h.store.Claim(h.t.Context(), p.ID, "runner-killed"); err != nil || !won {
		h.t.Fatalf("claim: %v %v", won, err)
	}
	if _, err := h.store.AcquireRunnerLease(h.t.Context(), RunnerLeaseName, "runner-killed", 10*time.Second); err != nil {
		h.t.Fatal(err)
	}
}

// TestRunnerTakesOverAKilledFire: a runner claimed a prebooking, its
// booking request reached AimHarder and was accepted, and it was killed
// before storing the outcome. A new runner takes the lease once it
// expires, takes the claim over, fires again (late), is answered "already
// booked", confirms it on the day's list and stores a success: nothing
// lost, nothing booked twice. The killed runner booked on time, and when
// is not known to the new one: the success is not called late.
func TestRunnerTakesOverAKilledFire(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.deadRunner(p)
	h.clock.Set(testOpening.Add(20 * time.Millisecond))
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Book(t.Context(), session.KindBackground, h.box, p.ClassID, p.Day, false); err != nil {
		t.Fatalf("the killed runner's booking: %v", err)
	}

	r := h.newRunner(h.store, "runner-new", nil)
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	h.waitFinal(p.ID)
	rs.stop()
	evs := ev.stop()

	got, _ := h.store.Prebooking(t.Context(), p.ID)
	if got.Status != session.PrebookBooked || got.OutcomeCode != "already_booked" || got.Late || got.ClaimedBy != "runner-new" {
		t.Errorf("outcome %s/%s late=%v by %s: %s", got.Status, got.OutcomeCode, got.Late, got.ClaimedBy, got.OutcomeMessage)
	}
	reqs := h.bookRequests(p.ClassID)
	acceptedN := 0
	for _, q := range reqs {
		if accepted(q) {
			acceptedN++
		}
	}
	if acceptedN != 1 || len(reqs) != 1+got.Attempts {
		t.Errorf("%d accepted of %d book requests (the killed runner's 1 + %d)", acceptedN, len(reqs), got.Attempts)
	}
	if res := h.fake.Reservations(testEmail, ""); len(res) != 1 {
		t.Errorf("%d reservations, want 1", len(res))
	}
	assertEventOrder(t, evs, "LeaderChanged", "PrebookingLate", "PrebookingOutcome")
}

// TestRunnerRefiresAKilledFireThatSentNothing: killed after the claim but
// before any request: the next runner books the class (late).
func TestRunnerRefiresAKilledFireThatSentNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.deadRunner(p)
	h.clock.Set(testOpening.Add(-5 * time.Second))

	r := h.newRunner(h.store, "runner-new", nil)
	rs := startRunners(t, h, r)
	h.waitFinal(p.ID)
	rs.stop()

	got, _ := h.store.Prebooking(t.Context(), p.ID)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if res := h.fake.Reservations(testEmail, ""); len(res) != 1 {
		t.Errorf("%d reservations, want 1", len(res))
	}
}

// TestLateAndMissedAfterDowntime: the runner starts after two windows
// opened. The class that has not started is fired at once and marked
// late; the one that has started is marked missed. Neither is dropped.
func TestLateAndMissedAfterDowntime(t *testing.T) {
	t.Parallel()
	classStart := time.Date(2026, 11, 25, 8, 0, 0, 0, madrid) // WOD
	h := newHarness(t, classStart.Add(-20*time.Minute), 0, 0)
	missedP := h.prebook(h.store, "WOD", false) // starts in 20 minutes
	lateP := h.prebook(h.store, "HYROX", false) // starts in 80 minutes
	// Down for 25 minutes (the session survives: AimHarder ends it after
	// 30 idle minutes): the WOD has started, the HYROX has not.
	h.clock.Set(classStart.Add(5 * time.Minute))

	r := h.newRunner(h.store, "runner", nil)
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	h.waitFinal(missedP.ID, lateP.ID)
	rs.stop()
	evs := ev.stop()

	late, _ := h.store.Prebooking(t.Context(), lateP.ID)
	if late.Status != session.PrebookBooked || !late.Late {
		t.Errorf("late prebooking: %s late=%v (%s)", late.Status, late.Late, late.OutcomeMessage)
	}
	missed, _ := h.store.Prebooking(t.Context(), missedP.ID)
	if missed.Status != session.PrebookMissed || !missed.Late || missed.OutcomeCode != string(outcome.Missed) {
		t.Errorf("missed prebooking: %s late=%v (%q)", missed.Status, missed.Late, missed.OutcomeMessage)
	}
	if n := len(h.bookRequests(missedP.ClassID)); n != 0 {
		t.Errorf("%d booking requests for a class that had started", n)
	}
	var sawLate, sawMissed bool
	for _, e := range evs {
		switch e := e.(type) {
		case PrebookingLate:
			sawLate = sawLate || e.Prebooking.ID == lateP.ID
		case PrebookingMissed:
			sawMissed = sawMissed || e.Prebooking.ID == missedP.ID
		}
	}
	if !sawLate || !sawMissed {
		t.Errorf("late event %v, missed event %v", sawLate, sawMissed)
	}
}

// TestFireOutcomes: a full class fails with the server's reason, and with
// waitlist allowed the member joins the waitlist.
func TestFireOutcomes(t *testing.T) {
	t.Parallel()
	// 12 competitors fill the 10 places of the HYROX class from 150 ms
	// after the opening; by the time this runner starts, it is full.
	h := newHarness(t, testOpening.Add(10*time.Minute), 0, 12)
	full := h.prebook(h.store, "HYROX", false)
	r := h.newRunner(h.store, "runner", nil)
	rs := startRunners(t, h, r)
	h.waitFinal(full.ID)
	got, _ := h.store.Prebooking(t.Context(), full.ID)
	if got.Status != session.PrebookFailed || got.OutcomeCode != "full" {
		t.Errorf("full class: %s/%s (%s)", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	wait := h.prebook(h.store, "HYROX", true)
	h.waitFinal(wait.ID)
	rs.stop()
	got, _ = h.store.Prebooking(t.Context(), wait.ID)
	if got.Status != session.PrebookWaitlisted || got.ReservationID == 0 {
		t.Errorf("waitlist allowed: %s/%s (%s)", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
}

// TestHealthWarning: a prebooking fires within hours, the background
// session is dead and nothing can log it in: warn, and say when it is
// fixed.
func TestHealthWarning(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-2*time.Hour), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	sess, _ := h.store.Session(t.Context(), session.KindBackground)
	if err := h.store.MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	problem, err := CheckHealth(t.Context(), h.store, h.clock.Now(), 0)
	if err != nil || problem == nil || problem.Prebooking.ID != p.ID || !strings.Contains(problem.Message, "fires in 2h 0m") {
		t.Fatalf("CheckHealth: %+v, %v", problem, err)
	}

	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	start := h.clock.Now()
	waitFor(t, "a health check", func() bool { return h.clock.Now().After(start.Add(30 * time.Second)) })
	if err := h.store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the next health checks", func() bool { return h.clock.Now().After(start.Add(150 * time.Second)) })
	rs.stop()
	var warnings, resolved int
	for _, e := range ev.stop() {
		if w, ok := e.(HealthWarning); ok {
			if w.Resolved {
				resolved++
			} else {
				warnings++
			}
		}
	}
	if warnings != 1 || resolved != 1 {
		t.Errorf("%d warnings and %d all-clear events, want 1 and 1", warnings, resolved)
	}
}
