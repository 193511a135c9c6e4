package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// keeperHarness runs a keeper for kinds on h's database.
type keeperHarness struct {
	*harness
	keeper *keeper
	events *collector
	cancel context.CancelFunc
	done   chan struct{}
}

func startKeeper(t *testing.T, h *harness, kinds ...session.Kind) *keeperHarness {
	t.Helper()
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Owner: "keeper-test", Now: h.clock.Now,
		PasswordCommand: func(context.Context, string) (string, error) { return testPassword, nil }})
	broker := newBroker()
	kh := &keeperHarness{harness: h, events: collect(broker), done: make(chan struct{})}
	k, err := newKeeper(keeperConfig{Account: svc, Clock: h.clock, Events: broker, Kinds: kinds})
	if err != nil {
		t.Fatal(err)
	}
	kh.keeper = k
	ctx, cancel := context.WithCancel(t.Context())
	kh.cancel = cancel
	go func() {
		defer close(kh.done)
		_ = kh.keeper.Run(ctx)
	}()
	return kh
}

// runUntil steps the simulation timer by timer until the clock reaches
// end; waiters is how many goroutines wait on the clock between steps (one
// per kept session), so no step is taken while one of them is mid-request.
func (kh *keeperHarness) runUntil(t *testing.T, end time.Time, waiters int) {
	t.Helper()
	for kh.clock.Now().Before(end) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := kh.clock.WaitForWaiters(ctx, waiters)
		cancel()
		if err != nil {
			t.Fatalf("at %v the keeper stopped waiting on the clock: %v", kh.clock.Now(), err)
		}
		kh.clock.AdvanceToNext()
	}
}

func (kh *keeperHarness) stop() []Event {
	kh.cancel()
	<-kh.done
	return kh.events.stop()
}

func (kh *keeperHarness) tokenUpdates(fingerprint string) []aimhardertest.Request {
	var out []aimhardertest.Request
	for _, r := range kh.fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointTokenUpdate && r.Fingerprint == fingerprint {
			out = append(out, r)
		}
	}
	return out
}

// TestKeeperFortyEightHours drives two simulated days of the keeper's
// cadence against the fake, whose sessions die after 30 idle minutes:
// both sessions must stay alive, each refreshed once it is 18 minutes old
// (plus the jitter), never logged out.
func TestKeeperFortyEightHours(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, madrid)
	h := newHarness(t, start, 0, 0)
	kh := startKeeper(t, h, session.KindBackground, session.KindDevice)
	kh.runUntil(t, start.Add(48*time.Hour), 2)
	events := kh.stop()

	refreshed := map[session.Kind]int{}
	for _, e := range events {
		switch e := e.(type) {
		case SessionRefreshed:
			refreshed[e.Kind]++
		case SessionDead, SessionRefreshFailed, SessionRelogged:
			t.Errorf("unexpected event: %v", e)
		}
	}
	for _, kind := range session.Kinds {
		sess, err := h.store.Session(t.Context(), kind)
		if err != nil {
			t.Fatal(err)
		}
		if sess.State != session.StateLive || sess.LastError != "" {
			t.Errorf("%s session after 48 h: %s, last error %q", kind, sess.State, sess.LastError)
		}
		updates := kh.tokenUpdates(sess.Credentials.Fingerprint)
		// One refresh every 18–18.5 minutes: about 156 in 48 hours.
		if len(updates) < 150 || len(updates) > 160 {
			t.Errorf("%s: %d token updates in 48 h, want about 156", kind, len(updates))
		}
		if refreshed[kind] != len(updates) {
			t.Errorf("%s: %d refresh events for %d token updates", kind, refreshed[kind], len(updates))
		}
		last := start
		for _, u := range updates {
			if u.Code != "newToken" {
				t.Errorf("%s: token update at %v answered %q", kind, u.Arrived, u.Code)
			}
			// The store keeps times to the millisecond, so a token's age
			// may read up to 1 ms more than the gap between requests.
			if gap := u.Arrived.Sub(last); gap < 18*time.Minute-time.Millisecond || gap > 19*time.Minute {
				t.Errorf("%s: refreshed %v after the previous one, want 18–19 min", kind, gap)
			}
			last = u.Arrived
		}
		if sess.TokenUpdateCount != int64(len(updates)) {
			t.Errorf("%s: token_update_count %d, %d updates sent", kind, sess.TokenUpdateCount, len(updates))
		}
	}
}

// TestKeeperBacksOffAndRevives: three failed refreshes back off 5, 10 and
// 20 seconds; a logout marks the session dead at once and password_command
// brings it back.
func TestKeeperBacksOffAndRevives(t *testing.T) {
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, madrid)
	h := newHarness(t, start, 0, 0)
	if err := h.store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass show aimharder"); err != nil {
		t.Fatal(err)
	}
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}, Times: 3})
	kh := startKeeper(t, h, session.KindBackground)
	kh.runUntil(t, start.Add(20*time.Minute), 1)

	sess, err := h.store.Session(t.Context(), session.KindBackground)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ForceLogout(testEmail, sess.Credentials.Fingerprint)
	kh.runUntil(t, start.Add(45*time.Minute), 1)
	events := kh.stop()

	var retries []time.Duration
	var sawRelogin bool
	for _, e := range events {
		switch e := e.(type) {
		case SessionRefreshFailed:
			retries = append(retries, e.RetryIn)
		case SessionRelogged:
			sawRelogin = true
		}
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}
	if len(retries) != len(want) {
		t.Fatalf("backoffs %v, want %v", retries, want)
	}
	for i := range want {
		if retries[i] != want[i] {
			t.Errorf("backoff %d: %v, want %v", i, retries[i], want[i])
		}
	}
	if !sawRelogin {
		t.Errorf("no SessionRelogged event after the forced logout; events: %v", events)
	}
	after, err := h.store.Session(t.Context(), session.KindBackground)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != session.StateLive || !after.CreatedAt.After(sess.CreatedAt) {
		t.Errorf("background session after the logout: %s, created %v (before: %v)", after.State, after.CreatedAt, sess.CreatedAt)
	}
}

// TestKeeperReportsDeadSession: without password_command a logout leaves
// the session dead; the keeper says so once and does not hammer the login.
func TestKeeperReportsDeadSession(t *testing.T) {
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, madrid)
	h := newHarness(t, start, 0, 0)
	sess, err := h.store.Session(t.Context(), session.KindBackground)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ForceLogout(testEmail, sess.Credentials.Fingerprint)
	kh := startKeeper(t, h, session.KindBackground)
	kh.runUntil(t, start.Add(3*time.Hour), 1)
	events := kh.stop()

	dead := 0
	for _, e := range events {
		switch e.(type) {
		case SessionDead:
			dead++
		case SessionRelogged, SessionRefreshed:
			t.Errorf("unexpected %v", e)
		}
	}
	if dead != 1 {
		t.Errorf("%d SessionDead events, want 1", dead)
	}
	after, _ := h.store.Session(t.Context(), session.KindBackground)
	if after.State != session.StateDead {
		t.Errorf("session state %s, want dead", after.State)
	}
	logins := 0
	for _, r := range h.fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointLogin {
			logins++
		}
	}
	if logins != 2 { // the two of newHarness's login
		t.Errorf("%d logins, want only the first two", logins)
	}
}

// TestKeeperHonoursAShortRefreshAfter: with sessions AimHarder ends after
// 3 idle minutes and refresh_after of 1 or 2 minutes, the keeper refreshes
// by the token's age, not every check interval, and the session never
// dies over hours of simulated time.
func TestKeeperHonoursAShortRefreshAfter(t *testing.T) {
	for _, refreshAfter := range []time.Duration{time.Minute, 2 * time.Minute} {
		t.Run(refreshAfter.String(), func(t *testing.T) {
			t.Parallel()
			start := time.Date(2026, 11, 20, 8, 0, 0, 0, madrid)
			h := newHarness(t, start, 0, 0)
			h.fake.SetSessionLifetime(3 * time.Minute)
			if err := h.store.SetSetting(t.Context(), session.SettingRefreshAfter, refreshAfter.String()); err != nil {
				t.Fatal(err)
			}
			kh := startKeeper(t, h, session.KindBackground)
			kh.runUntil(t, start.Add(6*time.Hour), 1)
			events := kh.stop()
			for _, e := range events {
				switch e.(type) {
				case SessionDead, SessionRefreshFailed, SessionRelogged:
					t.Errorf("unexpected event: %v", e)
				}
			}
			sess, err := h.store.Session(t.Context(), session.KindBackground)
			if err != nil {
				t.Fatal(err)
			}
			if sess.State != session.StateLive {
				t.Fatalf("background session after 6 h: %v", sess)
			}
			updates := kh.tokenUpdates(sess.Credentials.Fingerprint)
			if want := int(6 * time.Hour / (refreshAfter * 5 / 4)); len(updates) < want {
				t.Errorf("%d token updates in 6 h, want at least %d", len(updates), want)
			}
			last := start
			for _, u := range updates {
				if u.Code != "newToken" {
					t.Errorf("token update at %v answered %q", u.Arrived, u.Code)
				}
				// The store keeps a token's age in whole milliseconds, so a
				// wake may come up to 1 ms before the exact 2 minutes.
				if gap := u.Arrived.Sub(last); gap < refreshAfter-time.Millisecond || gap > refreshAfter*5/4+time.Second {
					t.Errorf("refreshed %v after the previous one, want %v to %v", gap, refreshAfter, refreshAfter*5/4)
				}
				last = u.Arrived
			}
			if logins := countLogins(h); logins != 2 {
				t.Errorf("%d logins, want only newHarness's two", logins)
			}
		})
	}
}

func countLogins(h *harness) int {
	n := 0
	for _, r := range h.fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointLogin {
			n++
		}
	}
	return n
}

// TestKeeperStopsAfterARefusedPassword: once AimHarder refused the
// password (seen by any process: the state is in the session row), the
// keeper logs nothing in until the member does; then it goes on.
func TestKeeperStopsAfterARefusedPassword(t *testing.T) {
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, madrid)
	h := newHarness(t, start, 0, 0)
	if err := h.store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass show aimharder"); err != nil {
		t.Fatal(err)
	}
	sess, err := h.store.Session(t.Context(), session.KindBackground)
	if err != nil {
		t.Fatal(err)
	}
	h.fake.ForceLogout(testEmail, sess.Credentials.Fingerprint)
	if err := h.store.MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	if err := h.store.RecordReloginFailure(t.Context(), "refused", start, true); err != nil {
		t.Fatal(err)
	}
	kh := startKeeper(t, h, session.KindBackground)
	kh.runUntil(t, start.Add(3*time.Hour), 1)
	if n := countLogins(h); n != 2 {
		t.Fatalf("%d logins with a refused password, want only newHarness's two", n)
	}

	// The member logs in (another process): the keeper carries on.
	svc := account.New(account.Config{Store: h.openStore(), Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Login(t.Context(), testEmail, testPassword); err != nil {
		t.Fatal(err)
	}
	kh.runUntil(t, start.Add(5*time.Hour), 1)
	events := kh.stop()
	failed := 0
	for _, e := range events {
		if _, ok := e.(SessionRefreshFailed); ok {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d SessionRefreshFailed events, want 1 (said once, not every check)", failed)
	}
	after, _ := h.store.Session(t.Context(), session.KindBackground)
	if after.State != session.StateLive || after.Relogin.Refused {
		t.Errorf("after the member's login: %v %+v", after, after.Relogin)
	}
}
