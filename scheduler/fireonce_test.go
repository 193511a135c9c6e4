package scheduler

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// bookCounter counts the booking requests one runner sends.
type bookCounter struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *bookCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/api/book") {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// countingRunner is h.newRunner whose booking requests are counted.
func (h *harness) countingRunner(store *session.Store, owner string, mutate func(*Config)) (*Runner, *bookCounter) {
	h.t.Helper()
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	h.t.Cleanup(transport.CloseIdleConnections)
	counter := &bookCounter{next: transport}
	est := NewClockEstimator(h.clock)
	client, err := aimharder.New(aimharder.Config{LoginURL: h.urls.Login, PortalURL: h.urls.Portal,
		BoxURLTemplate: h.urls.BoxTemplate, HTTPClient: &http.Client{Transport: h.clock.Transport(counter)},
		Now: h.clock.Now, Observe: est.Observe})
	if err != nil {
		h.t.Fatal(err)
	}
	r := h.newRunner(store, owner, func(c *Config) {
		c.NoKeeper, c.Client, c.Estimator = true, client, est
		if mutate != nil {
			mutate(c)
		}
	})
	return r, counter
}

// TestStalledSenderIsNotTakenOver is the soak's double send on a loaded
// machine (docs/product.md invariant 6, fire once): the leader passes its
// send gate and starts its burst, then its claim's heartbeat stalls for
// two seconds (a process descheduled, a long GC pause, a slow fsync)
// while AimHarder answers its first requests with 503s, so it keeps
// sending. The standby watching the claim sees it silent far beyond
// FastStale — but its runner may be sending, so it must not take it over
// and send too. Exactly one runner sends; the leader books.
func TestStalledSenderIsNotTakenOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}, Times: 6})

	leader, leaderSent := h.countingRunner(h.openStore(), "runner-leader", nil)
	var stallOnce sync.Once
	leader.beforeBeat = func(id int64) {
		got, err := h.store.Prebooking(context.Background(), id)
		if err != nil || got.SendingSince.IsZero() && h.clock.Now().Before(testOpening) {
			return
		}
		stallOnce.Do(func() { _ = Sleep(context.Background(), h.clock, 2*time.Second) })
	}
	standby, standbySent := h.countingRunner(h.openStore(), "runner-standby", nil)

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	release := h.clock.Hold()
	wg.Go(func() { _ = leader.Run(ctx) })
	waitFor(t, "the leader to lead", leader.Leader)
	wg.Go(func() { _ = standby.Run(ctx) })
	waitFor(t, "both runners to wait", func() bool { return h.clock.Waiters() >= 5 })
	drive := h.clock.AutoAdvance(t.Context(), 0)
	release()
	h.waitFinal(p.ID)
	cancel()
	wg.Wait()
	drive()

	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || got.ClaimedBy != "runner-leader" {
		t.Errorf("outcome %s by %q: %s", got.Status, got.ClaimedBy, got.OutcomeMessage)
	}
	if leaderSent.n.Load() == 0 || standbySent.n.Load() != 0 {
		t.Errorf("booking requests: leader %d, standby %d; want the leader's only",
			leaderSent.n.Load(), standbySent.n.Load())
	}
	n := 0
	for _, q := range h.bookRequests(p.ClassID) {
		if accepted(q) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d bookings accepted, want 1", n)
	}
	t.Logf("leader sent %d, standby %d; requests at AimHarder %d", leaderSent.n.Load(), standbySent.n.Load(), len(h.bookRequests(p.ClassID)))
}

// TestMaySendFence: right before each request the fire asks maySend — no
// once the claim is known lost, no once this runner has not refreshed
// its claim for half of StaleAfter while the store could be written (it
// may have been taken over without knowing yet), yes again after the
// next write, and yes while the store cannot be written at all (nobody
// can take the claim over then).
func TestMaySendFence(t *testing.T) {
	clock := aimhardertest.NewManualClock(testOpening)
	r := &Runner{clock: clock, timing: Timing{}.withDefaults(), log: slog.New(slog.DiscardHandler)}
	st := newClaimState(clock.Now())
	j := &fireJob{r: r, lost: new(atomic.Bool), claim: st}
	if !j.maySend() {
		t.Fatal("a fresh claim may not send")
	}
	clock.Advance(r.timing.StaleAfter/2 - time.Millisecond)
	if !j.maySend() {
		t.Error("a claim written just under StaleAfter/2 ago may not send")
	}
	clock.Advance(time.Millisecond)
	if j.maySend() {
		t.Error("a claim silent for StaleAfter/2 may send")
	}
	st.wrote(clock.Now())
	if !j.maySend() {
		t.Error("a claim written again may not send")
	}
	clock.Advance(time.Minute)
	st.failing.Store(true)
	if !j.maySend() {
		t.Error("a claim nobody can write (nobody can take it over) may not send")
	}
	j.lost.Store(true)
	if j.maySend() {
		t.Error("a lost claim may send")
	}
}

// TestTakeoverOfASenderReadsTheDayFirst: a runner passed its send gate,
// its request was accepted, and it was killed before storing the outcome.
// The runner that takes the claim over (after StaleAfter: a claim marked
// sending is never taken on a short silence) reads the day before sending
// anything, finds the class booked and stores that — no second request.
func TestTakeoverOfASenderReadsTheDayFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.deadRunner(p)
	if err := h.store.StartSending(t.Context(), p.ID, "runner-killed"); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testOpening.Add(20 * time.Millisecond))
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Book(t.Context(), session.KindBackground, h.box, p.ClassID, p.Day, false); err != nil {
		t.Fatalf("the killed runner's booking: %v", err)
	}

	r, sent := h.countingRunner(h.store, "runner-new", nil)
	rs := startRunners(t, h, r)
	h.waitFinal(p.ID)
	rs.stop()

	got, _ := h.store.Prebooking(t.Context(), p.ID)
	if got.Status != session.PrebookBooked || got.OutcomeCode != "already_booked" || got.Late || got.ClaimedBy != "runner-new" {
		t.Errorf("outcome %s/%s late=%v by %s: %s", got.Status, got.OutcomeCode, got.Late, got.ClaimedBy, got.OutcomeMessage)
	}
	if n := sent.n.Load(); n != 0 {
		t.Errorf("the runner that took over sent %d booking requests, want none", n)
	}
	if res := h.fake.Reservations(testEmail, ""); len(res) != 1 {
		t.Errorf("%d reservations, want 1", len(res))
	}
}
