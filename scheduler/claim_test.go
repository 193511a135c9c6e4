package scheduler

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// checkFiredOnce checks that the class of p was booked by exactly one
// accepted request and that no second fire was answered "already booked".
func checkFiredOnce(t *testing.T, h *harness, p session.Prebooking, owner string) {
	t.Helper()
	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || got.ClaimedBy != owner {
		t.Errorf("outcome %s/%s by %s, want booked by %s (%s)", got.Status, got.OutcomeCode, got.ClaimedBy, owner, got.OutcomeMessage)
	}
	acceptedN := 0
	for _, q := range h.bookRequests(p.ClassID) {
		if accepted(q) {
			acceptedN++
		}
		if strings.Contains(q.Code, "NOPUEDESRESERVAMISMAHORA") {
			t.Errorf("a second fire was answered %q", q.Code)
		}
	}
	if acceptedN != 1 {
		t.Errorf("%d accepted bookings, want 1", acceptedN)
	}
}

// TestArmedClaimIsNotTakenOver: a runner claims a prebooking a minute
// before its opening (ArmAhead) and waits for it. Its claim stays fresh
// (the claim heartbeat), so another runner looking for abandoned claims
// 40 s later — StaleAfter is 10 s — leaves it alone: one fire, not two.
func TestArmedClaimIsNotTakenOver(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	a := h.newRunner(h.store, "runner-a", func(c *Config) { c.NoKeeper = true })
	b := h.newRunner(h.openStore(), "runner-b", func(c *Config) { c.NoKeeper = true })
	// b leads (its lease is the live one), so a's claim is not the leader's.
	if _, err := h.store.AcquireRunnerLease(ctx, RunnerLeaseName, b.Owner(), time.Hour); err != nil {
		t.Fatal(err)
	}
	claimed, won, err := h.store.Claim(ctx, p.ID, a.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	drive := h.clock.AutoAdvance(ctx, 0)
	defer drive()
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.fire(ctx, claimed)
	}()
	waitFor(t, "40 s of waiting for the opening", func() bool {
		return !h.clock.Now().Before(claimed.FiredAt.Add(40 * time.Second))
	})
	if mid, _ := h.store.Prebooking(ctx, p.ID); h.clock.Now().Sub(mid.FiredAt) > b.timing.StaleAfter {
		t.Errorf("the armed claim's fired_at is %v old, beyond StaleAfter %v", h.clock.Now().Sub(mid.FiredAt), b.timing.StaleAfter)
	}
	var fires sync.WaitGroup
	b.takeOverStale(ctx, &fires)
	<-done
	fires.Wait()
	checkFiredOnce(t, h, p, a.Owner())
}

// TestTakeOverSkipsTheLeadersClaims: a claim whose heartbeat is old is
// not taken over while its owner holds the live runner lease; once that
// lease has expired it is, and the new runner fires it.
func TestTakeOverSkipsTheLeadersClaims(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if _, won, err := h.store.Claim(ctx, p.ID, "runner-x"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if _, err := h.store.AcquireRunnerLease(ctx, RunnerLeaseName, "runner-x", time.Minute); err != nil {
		t.Fatal(err)
	}
	b := h.newRunner(h.store, "runner-b", func(c *Config) { c.NoKeeper = true })
	// Nothing waits on the clock until a fire starts, so it stays where it
	// is set; the driver lets a fire run.
	drive := h.clock.AutoAdvance(ctx, 0)
	defer drive()
	var fires sync.WaitGroup
	h.clock.Set(testOpening.Add(-40 * time.Second)) // the claim is 30 s old, the lease live
	b.takeOverStale(ctx, &fires)
	if got, _ := h.store.Prebooking(ctx, p.ID); got.ClaimedBy != "runner-x" || got.Status != session.PrebookFiring {
		t.Errorf("the live leader's claim was taken over: %s by %s", got.Status, got.ClaimedBy)
	}
	fires.Wait()
	if t.Failed() {
		return
	}

	h.clock.Set(testOpening.Add(-5 * time.Second)) // the lease expired 5 s ago
	b.takeOverStale(ctx, &fires)
	fires.Wait()
	checkFiredOnce(t, h, p, b.Owner())
}

// TestFireStopsWhenItsClaimIsTakenOver: while a runner waits for the
// opening, another takes its claim over. The first runner notices — from
// its claim heartbeat, or at the latest when it re-asserts the claim just
// before the burst — and sends nothing: the claim is the other's.
func TestFireStopsWhenItsClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		timing Timing
		takeAt time.Duration // before the opening
	}{
		{"heartbeat", Timing{}, 30 * time.Second},
		// A heartbeat too slow to notice: the re-assertion must.
		{"before the burst", Timing{Heartbeat: time.Hour}, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
			p := h.prebook(h.store, "WOD", false)
			a := h.newRunner(h.store, "runner-a", func(c *Config) { c.NoKeeper = true; c.Timing = tc.timing })
			ev := collect(a.Events())
			claimed, won, err := h.store.Claim(ctx, p.ID, a.Owner())
			if err != nil || !won {
				t.Fatalf("claim: %v %v", won, err)
			}
			drive := h.clock.AutoAdvance(ctx, 0)
			defer drive()
			done := make(chan struct{})
			go func() {
				defer close(done)
				a.fire(ctx, claimed)
			}()
			waitFor(t, "the takeover moment", func() bool { return !h.clock.Now().Before(testOpening.Add(-tc.takeAt)) })
			if _, won, err := h.store.ClaimStale(ctx, p.ID, "runner-b", h.clock.Now().Add(time.Hour)); err != nil || !won {
				t.Fatalf("take over: %v %v", won, err)
			}
			<-done
			evs := ev.stop()
			if n := len(h.bookRequests(p.ClassID)); n != 0 {
				t.Errorf("the runner whose claim was taken over sent %d booking requests", n)
			}
			got, _ := h.store.Prebooking(ctx, p.ID)
			if got.Status != session.PrebookFiring || got.ClaimedBy != "runner-b" {
				t.Errorf("after the takeover: %s by %s, want firing by runner-b", got.Status, got.ClaimedBy)
			}
			for _, e := range evs {
				switch e.(type) {
				case PrebookingFiring, PrebookingOutcome:
					t.Errorf("the runner whose claim was taken over published %v", e)
				}
			}
		})
	}
}

// TestLeaderStopsFiringWhenItCannotRenew: a leader whose lease renewals
// keep failing (its database handle is gone) gives up leading once the
// lease's lifetime has passed, instead of firing on while another runner
// may have taken over.
func TestLeaderStopsFiringWhenItCannotRenew(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-10*time.Minute), 0, 0)
	store := h.openStore()
	r := h.newRunner(store, "runner", func(c *Config) { c.NoKeeper = true; c.Notify.Disabled = true })
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	waitFor(t, "leadership", r.Leader)
	broken := h.clock.Now()
	store.Close()
	waitFor(t, "the leader to stop", func() bool { return !r.Leader() })
	stoppedAt := h.clock.Now()
	rs.stop()
	var reason string
	for _, e := range ev.stop() {
		if l, ok := e.(LeaderChanged); ok && !l.Leader {
			reason = l.Reason
			break
		}
	}
	if reason != "cannot renew the runner lease" {
		t.Errorf("stopped leading because %q", reason)
	}
	if d := stoppedAt.Sub(broken); d > r.timing.LeaseTTL+2*r.timing.Heartbeat {
		t.Errorf("stopped leading %v after the renewals began failing, want about LeaseTTL (%v)", d, r.timing.LeaseTTL)
	}
}
