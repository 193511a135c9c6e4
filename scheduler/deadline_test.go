package scheduler

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// realWorld is the fake AimHarder, a database logged in to it and a
// client, on the real clock shifted to the test's time (shiftedClock):
// for what only shows with real concurrency and real waits. Tests on it
// assert only what a slow, busy machine cannot break; the real-time
// figures are benchmarks' (BenchmarkSlowNetworkSend).
type realWorld struct {
	clock  *shiftedClock
	fake   *aimhardertest.Server
	store  *session.Store
	client *aimharder.Client
	est    *ClockEstimator
	box    session.Box
}

// newRealWorld logs the member in when the clock shows loginAt.
func newRealWorld(t testing.TB, loginAt time.Time) *realWorld {
	t.Helper()
	ctx := t.Context()
	w := &realWorld{clock: &shiftedClock{}}
	w.clock.set(loginAt)
	var urls aimhardertest.URLs
	w.fake, urls = aimhardertest.Start(t, testWorld(0), aimhardertest.WithClock(w.clock))
	var err error
	w.store, err = session.Open(ctx, filepath.Join(t.TempDir(), "ahtui.db"), session.WithClock(w.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.store.Close() })
	w.est = NewClockEstimator(w.clock)
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(transport.CloseIdleConnections)
	w.client, err = aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, Now: w.clock.Now, Observe: w.est.Observe,
		HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	login, err := account.New(account.Config{Store: w.store, Client: w.client, Now: w.clock.Now}).Login(ctx, testEmail, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.SetMemberWindow(ctx, login.Current.ID, "2d@07:00"); err != nil {
		t.Fatal(err)
	}
	w.box = login.Current
	return w
}

// prebook adds a pending prebooking for the class named name on testClassDay.
func (w *realWorld) prebook(t testing.TB, name string) session.Prebooking {
	t.Helper()
	for _, c := range w.fake.Classes(testBox, testClassDay) {
		if c.Name != name {
			continue
		}
		p, err := w.store.AddPrebooking(t.Context(), session.NewPrebooking{BoxID: w.box.ID, ClassID: c.ID,
			Day: c.Date, ClassName: c.Name, ClassStart: c.Start, OpensAt: c.OpensAt})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Fatalf("no class %s", name)
	return session.Prebooking{}
}

func (w *realWorld) runner(t testing.TB) *Runner {
	t.Helper()
	r, err := NewRunner(Config{Store: w.store, Client: w.client, Clock: w.clock, Estimator: w.est, Owner: "runner",
		NoKeeper: true, Notify: NotifyConfig{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// slowNetworkFire runs on the real clock (shifted to a few seconds before
// the opening): AimHarder's clock answers (pings) take slow and so does
// the token refresh the fire needs. It checks what no machine's speed
// changes — the booking went through, armed, nothing reached AimHarder
// early, and the refresh was not abandoned: it finished after the fire —
// and returns how long after the opening the accepted request arrived.
func slowNetworkFire(t testing.TB, slow time.Duration) time.Duration {
	ctx := t.Context()
	w := newRealWorld(t, testOpening.Add(-27*time.Minute)) // the login: its token is 27 min old at the fire
	clock, fake, store, p := w.clock, w.fake, w.store, w.prebook(t, "WOD")
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{In: slow},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointSchedule}}) // the pings
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{In: slow},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}, Times: 1})

	r := w.runner(t)
	clock.set(testOpening.Add(-4 * time.Second))
	claimed, won, err := store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	r.fire(ctx, claimed)

	got, _ := store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookBooked || got.Late {
		t.Fatalf("outcome %s/%s late=%v: %s", got.Status, got.OutcomeCode, got.Late, got.OutcomeMessage)
	}
	var first *aimhardertest.Request
	for _, q := range fake.Requests() {
		if q.Endpoint != aimhardertest.EndpointBook {
			continue
		}
		// Slowness only ever makes a request later, never earlier.
		if q.Arrived.Before(testOpening.Add(-earlyMargin)) {
			t.Errorf("a booking request arrived %v before the opening", testOpening.Sub(q.Arrived))
		}
		if accepted(q) && first == nil {
			first = &q
		}
	}
	if first == nil {
		t.Fatal("no booking accepted")
	}
	// The fire waited for none of the slow answers: every ping and the
	// refresh reached AimHarder (after their slow way in) only after the
	// booking did. A fire that waited for one would send after it.
	for _, q := range fake.Requests() {
		slowed := q.Endpoint == aimhardertest.EndpointSchedule || q.Endpoint == aimhardertest.EndpointTokenUpdate
		if slowed && q.Arrived.Before(first.Arrived) {
			t.Errorf("%s arrived at %v, before the booking at %v: the fire waited for the slow network",
				q.Endpoint, q.Arrived.Sub(testOpening), first.Arrived.Sub(testOpening))
		}
	}
	// The refresh was not abandoned: it finished after the fire.
	sess, err := store.Session(ctx, session.KindBackground)
	if err != nil || sess.State != session.StateLive || sess.TokenUpdateCount != 1 || sess.LastError != "" {
		t.Errorf("background session after the fire: %v, %v", sess, err)
	}
	return first.Arrived.Sub(testOpening)
}

// TestSlowNetworkDoesNotDelayTheSend: AimHarder's clock answers and the
// token refresh the fire needs each take 10 s, and the fire starts 4 s
// before the opening. Neither may push the booking past the opening: the
// refresh goes on in the background while the fire uses the current
// credentials, the probe and the warm-up give up on their pings in time,
// and the request, prepared before the warm-up, leaves at the opening.
// The test judges by order, not by time: the booking reached AimHarder
// before any of the slow requests did (how close to the opening it lands
// is BenchmarkSlowNetworkSend's).
func TestSlowNetworkDoesNotDelayTheSend(t *testing.T) {
	t.Parallel()
	slowNetworkFire(t, 10*time.Second)
}

// BenchmarkSlowNetworkSend measures how long after the opening the
// booking of TestSlowNetworkDoesNotDelayTheSend's fire (5 s pings and
// refresh) is accepted, on the real clock: late-ms, which should stay
// well under 100 ms. Each op takes the 5 s of the refresh, so run it
// with a fixed count, e.g.
//
//	go test ./scheduler -run '^$' -bench BenchmarkSlowNetworkSend -benchtime 3x
func BenchmarkSlowNetworkSend(b *testing.B) {
	var total time.Duration
	for range b.N {
		total += slowNetworkFire(b, 5*time.Second)
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(time.Millisecond), "late-ms")
}

// TestTransientRefreshFailureStillFires: the token is old enough to be
// refreshed before the fire, and every refresh fails with a 503. The
// session is still alive, so the fire goes ahead with the current
// credentials — armed at the opening, and late (one failure, not a
// reason to give the class up) — and books.
func TestTransientRefreshFailureStillFires(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		at   time.Duration // the fire starts this long after the opening
		late bool
	}{
		{"armed", -70 * time.Second, false},
		{"late", 2 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			h := newHarness(t, testOpening.Add(-27*time.Minute), 0, 0) // logged in 27 minutes before
			p := h.prebook(h.store, "WOD", false)
			h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
				Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}})
			h.clock.Set(testOpening.Add(tc.at))
			r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
			claimed, won, err := h.store.Claim(ctx, p.ID, r.Owner())
			if err != nil || !won {
				t.Fatalf("claim: %v %v", won, err)
			}
			drive := h.clock.AutoAdvance(ctx, 0)
			r.fire(ctx, claimed)
			drive()
			got, _ := h.store.Prebooking(ctx, p.ID)
			if got.Status != session.PrebookBooked || got.Late != tc.late {
				t.Errorf("outcome %s/%s late=%v: %s", got.Status, got.OutcomeCode, got.Late, got.OutcomeMessage)
			}
			sess, _ := h.store.Session(ctx, session.KindBackground)
			if sess.TokenUpdateCount == 0 || sess.LastError == "" {
				t.Errorf("no refresh was tried: %d token updates, last error %q", sess.TokenUpdateCount, sess.LastError)
			}
		})
	}
}

// TestHeldSessionLeaseStillFires: another process holds the background
// session's lease (a rotation that hangs) through the fire, so the token
// cannot be refreshed (ErrLeaseHeld). The session is alive: the fire goes
// ahead with the current credentials and books.
func TestHeldSessionLeaseStillFires(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-27*time.Minute), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.clock.Set(testOpening.Add(-70 * time.Second))
	if _, err := h.store.AcquireSessionLease(ctx, session.KindBackground, "someone-else", time.Hour); err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	r.leaseWait = 50 * time.Millisecond
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
}

// TestExpiredSessionFailsWithoutFiring: a dead session with no
// password_command is the one case where the fire gives up before
// sending: nothing could book.
func TestExpiredSessionFailsWithoutFiring(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	sess, _ := h.store.Session(ctx, session.KindBackground)
	if err := h.store.MarkDead(ctx, session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	claimed, _, _ := h.store.Claim(ctx, p.ID, r.Owner())
	drive := h.clock.AutoAdvance(ctx, 0)
	r.fire(ctx, claimed)
	drive()
	got, _ := h.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookFailed || got.OutcomeCode != "no_session" {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if n := len(h.bookRequests(p.ClassID)); n != 0 {
		t.Errorf("%d booking requests with a dead session", n)
	}
}
