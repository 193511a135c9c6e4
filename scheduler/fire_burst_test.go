package scheduler

import (
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestNoRequestAfterTheBookingAnswer: a burst whose attempt was accepted
// sends nothing more (docs/product.md invariant 6), even when the
// goroutine that judges the answers is slow (a busy machine) and the
// accepted attempt's slot has freed the first retry meanwhile. The
// judging of the accepted answer is held here until the burst's end by
// the simulated clock: no request may follow the accepted one but the
// staggered attempts already on their way.
func TestNoRequestAfterTheBookingAnswer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	events := collect(r.Events())
	var (
		once       sync.Once
		sentByThen int
	)
	r.beforeJudge = func(err error) {
		if err != nil {
			return
		}
		once.Do(func() {
			sentByThen = len(h.bookRequests(p.ClassID))
			// Past every retry the burst planned (Burst after the opening).
			<-h.clock.NewTimer(2 * r.timing.Burst).C()
		})
	}
	claimed, won, err := h.store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: won=%v err=%v", won, err)
	}
	stop := h.clock.AutoAdvance(ctx, 0)
	r.fire(ctx, claimed)
	stop()
	planned := 0
	for _, e := range events.stop() {
		if f, ok := e.(PrebookingFiring); ok {
			planned = f.Planned
		}
	}

	got, err := h.store.Prebooking(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked {
		t.Fatalf("outcome %s %q", got.Status, got.OutcomeMessage)
	}
	reqs := h.bookRequests(p.ClassID)
	first := -1
	for i, q := range reqs {
		if accepted(q) {
			first = i
			break
		}
	}
	if first < 0 || first >= planned {
		t.Fatalf("accepted request %d of %d, %d staggered planned: the test wants a staggered one accepted", first, len(reqs), planned)
	}
	if sentByThen == 0 {
		t.Fatal("the accepted answer was never judged")
	}
	// Sent after the accepted one: only staggered attempts planned before
	// its answer (they go at their instants, answered "already booked").
	if len(reqs) > planned {
		t.Errorf("%d booking requests, %d staggered planned: %d sent after the booking was answered (%d had been sent when it was judged)",
			len(reqs), planned, len(reqs)-planned, sentByThen)
	}
}
