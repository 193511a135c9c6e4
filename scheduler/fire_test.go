package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// earlyMargin: no booking request may reach the server more than this
// before the opening (a few staggered attempts just before it are fine:
// AimHarder answers them "too early").
const earlyMargin = 100 * time.Millisecond

// TestFireHitsTheServersInstant fires one prebooking against the fake
// with its clock behind, level with and ahead of ours: the booking must be
// accepted inside the burst, on or just after the opening by the
// server's clock, and nothing may arrive well before it.
func TestFireHitsTheServersInstant(t *testing.T) {
	for _, offset := range []time.Duration{-1500 * time.Millisecond, 0, 1500 * time.Millisecond} {
		t.Run(fmt.Sprintf("offset%+.1fs", offset.Seconds()), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			// The local clock starts 70 s before the opening as the server sees it.
			h := newHarness(t, testOpening.Add(-offset-70*time.Second), offset, 0)
			p := h.prebook(h.store, "WOD", false)
			r := h.newRunner(h.store, "runner-a", func(c *Config) { c.NoKeeper = true })
			events := collect(r.Events())

			claimed, won, err := h.store.Claim(ctx, p.ID, r.Owner())
			if err != nil || !won {
				t.Fatalf("claim: won=%v err=%v", won, err)
			}
			stop := h.clock.AutoAdvance(ctx, 0)
			r.fire(ctx, claimed)
			stop()
			evs := events.stop()

			got, err := h.store.Prebooking(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != session.PrebookBooked || got.ReservationID == 0 || got.Late {
				t.Fatalf("outcome: %s %q %q reservation %d late %v", got.Status, got.OutcomeCode, got.OutcomeMessage, got.ReservationID, got.Late)
			}
			reqs := h.bookRequests(p.ClassID)
			if len(reqs) != got.Attempts {
				t.Errorf("the fake logged %d book requests, the outcome says %d attempts", len(reqs), got.Attempts)
			}
			var first *time.Time
			for _, q := range reqs {
				if q.Arrived.Before(testOpening.Add(-earlyMargin)) {
					t.Errorf("a booking request arrived %v before the opening", testOpening.Sub(q.Arrived))
				}
				if accepted(q) && first == nil {
					at := q.Arrived
					first = &at
				}
			}
			if first == nil {
				t.Fatalf("no booking was accepted; requests: %v", reqs)
			}
			if late := first.Sub(testOpening); late < 0 || late > earlyMargin {
				t.Errorf("accepted booking arrived %v after the opening (server time), want within [0, %v]", late, earlyMargin)
			}
			est, ok := r.Estimator().Estimate()
			if !ok || absDuration(est.Offset-offset) > 5*time.Millisecond {
				t.Errorf("clock estimate %v (known %v), the fake runs %v ahead", est, ok, offset)
			}
			t.Logf("estimate %v; accepted %v after the opening; %d attempts", est, first.Sub(testOpening), got.Attempts)
			assertEventOrder(t, evs, "PrebookingArmed", "PrebookingFiring", "PrebookingOutcome")
		})
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// assertEventOrder checks that events of the named types appear in this
// order (others may come in between).
func assertEventOrder(t *testing.T, evs []Event, names ...string) {
	t.Helper()
	i := 0
	for _, e := range evs {
		if i < len(names) && typeName(e) == names[i] {
			i++
		}
	}
	if i < len(names) {
		var got []string
		for _, e := range evs {
			got = append(got, typeName(e))
		}
		t.Errorf("events %v do not contain %v in order", got, names)
	}
}

func typeName(e Event) string { return fmt.Sprintf("%T", e)[len("scheduler."):] }

// A server clock more than 10 minutes off is reported as broken and not
// used: the fire goes by the local clock (and still books, late).
func TestBrokenServerClockIsNotUsed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const offset = 11 * time.Minute
	h := newHarness(t, testOpening.Add(-70*time.Second), offset, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	claimed, won, err := h.store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	stop := h.clock.AutoAdvance(ctx, 0)
	r.fire(ctx, claimed)
	stop()
	est, ok := r.Estimator().Estimate()
	if !ok || !est.Broken() || !strings.Contains(est.String(), "broken clock") {
		t.Errorf("estimate %v (known %v), want a broken clock", est, ok)
	}
	got, _ := h.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookBooked {
		t.Errorf("outcome %s: %s", got.Status, got.OutcomeMessage)
	}
	for _, q := range h.bookRequests(p.ClassID) {
		// Sent at the opening by the local clock: 11 minutes late by AimHarder's.
		if d := q.Arrived.Sub(testOpening.Add(offset)); d < 0 || d > time.Second {
			t.Errorf("request arrived %v after the local opening", d)
		}
	}
}
