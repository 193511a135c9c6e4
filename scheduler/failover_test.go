package scheduler

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// TestStandbyFiresAtTheOpeningWhenTheLeaderDies: two runners on one
// database; the leader arms the prebooking and is killed (no goodbye: no
// request, no write) shortly before the opening. The standby sees the
// claim's heartbeat stop, takes the claim over and books at the opening —
// within 100 ms of it, on the simulated clock — exactly once.
func TestStandbyFiresAtTheOpeningWhenTheLeaderDies(t *testing.T) {
	t.Parallel()
	for _, before := range []time.Duration{10 * time.Second, 5 * time.Second, time.Second, 200 * time.Millisecond} {
		t.Run(fmt.Sprintf("kill=T-%s", before), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
			p := h.prebook(h.store, "HYROX", false)

			leaderStore := h.openStore()
			sw := &killSwitch{next: &http.Transport{}}
			est := NewClockEstimator(h.clock)
			leaderClient, err := aimharder.New(aimharder.Config{LoginURL: h.urls.Login, PortalURL: h.urls.Portal,
				BoxURLTemplate: h.urls.BoxTemplate, HTTPClient: &http.Client{Transport: h.clock.Transport(sw)},
				Now: h.clock.Now, Observe: est.Observe})
			if err != nil {
				t.Fatal(err)
			}
			leader := h.newRunner(leaderStore, "runner-leader", func(c *Config) {
				c.NoKeeper, c.Client, c.Estimator = true, leaderClient, est
			})
			standby := h.newRunner(h.openStore(), "runner-standby", func(c *Config) { c.NoKeeper = true })
			killed := h.at(testOpening.Add(-before), func() error {
				sw.killed.Store(true)
				return leaderStore.Close()
			})

			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			release := h.clock.Hold()
			wg.Go(func() { _ = leader.Run(ctx) })
			waitFor(t, "the leader to lead", leader.Leader)
			wg.Go(func() { _ = standby.Run(ctx) })
			waitFor(t, "both runners to wait", func() bool { return h.clock.Waiters() >= 5 })
			drive := h.clock.AutoAdvance(t.Context(), 0)
			release()
			_ = killed()
			h.waitFinal(p.ID)
			cancel()
			wg.Wait()
			drive()

			got, err := h.store.Prebooking(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != session.PrebookBooked || got.ClaimedBy != "runner-standby" || got.Late {
				t.Errorf("outcome %s by %q late=%v: %s", got.Status, got.ClaimedBy, got.Late, got.OutcomeMessage)
			}
			var arrived []time.Time
			for _, q := range h.bookRequests(p.ClassID) {
				if accepted(q) {
					arrived = append(arrived, q.Arrived)
				}
			}
			if len(arrived) != 1 {
				t.Fatalf("%d bookings accepted, want 1", len(arrived))
			}
			t.Logf("booked %v after the opening", arrived[0].Sub(testOpening))
			if late := arrived[0].Sub(testOpening); late < 0 || late > 100*time.Millisecond {
				t.Errorf("booked %v after the opening, want within 100 ms", late)
			}
		})
	}
}
