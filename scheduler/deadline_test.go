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

// TestSlowNetworkDoesNotDelayTheSend runs on the real clock (shifted to
// a few seconds before the opening): AimHarder's clock answers (pings)
// take 8 s and so does the token refresh the fire needs. Neither may push
// the booking past the opening: the refresh goes on in the background
// while the fire uses the current credentials, the probe and the warm-up
// give up on their pings in time, and the request, prepared before the
// warm-up, leaves at the opening.
func TestSlowNetworkDoesNotDelayTheSend(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := &shiftedClock{}
	clock.set(testOpening.Add(-27 * time.Minute)) // the login: its token is 27 min old at the fire
	fake, urls := aimhardertest.Start(t, testWorld(0), aimhardertest.WithClock(clock))
	store, err := session.Open(ctx, filepath.Join(t.TempDir(), "ahtui.db"), session.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	est := NewClockEstimator(clock)
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(transport.CloseIdleConnections)
	client, err := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal,
		BoxURLTemplate: urls.BoxTemplate, Now: clock.Now, Observe: est.Observe,
		HTTPClient: &http.Client{Transport: transport}})
	if err != nil {
		t.Fatal(err)
	}
	login, err := account.New(account.Config{Store: store, Client: client, Now: clock.Now}).Login(ctx, testEmail, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetMemberWindow(ctx, login.Current.ID, "2d@07:00"); err != nil {
		t.Fatal(err)
	}
	var wod aimhardertest.ClassInfo
	for _, c := range fake.Classes(testBox, testClassDay) {
		if c.Name == "WOD" {
			wod = c
		}
	}
	p, err := store.AddPrebooking(ctx, session.NewPrebooking{BoxID: login.Current.ID, ClassID: wod.ID,
		Day: wod.Date, ClassName: wod.Name, ClassStart: wod.Start, OpensAt: wod.OpensAt})
	if err != nil {
		t.Fatal(err)
	}
	const slow = 8 * time.Second
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{In: slow},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointSchedule}}) // the pings
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{In: slow},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}, Times: 1})

	r, err := NewRunner(Config{Store: store, Client: client, Clock: clock, Estimator: est, Owner: "runner",
		NoKeeper: true, Notify: NotifyConfig{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
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
	if late := first.Arrived.Sub(testOpening); late < 0 || late > earlyMargin {
		t.Errorf("the booking was accepted %v after the opening, want within %v", late, earlyMargin)
	}
	// The refresh was not abandoned: it finished after the fire.
	sess, err := store.Session(ctx, session.KindBackground)
	if err != nil || sess.State != session.StateLive || sess.TokenUpdateCount != 1 || sess.LastError != "" {
		t.Errorf("background session after the fire: %v, %v", sess, err)
	}
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
