package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// unarmedBackground makes the fake want setrefresh after a JSON login
// (docs/protocol.md §3.1) and logs the background session in again, so it
// has never been armed. It returns the fake's request count so far.
func (h *harness) unarmedBackground() int {
	h.t.Helper()
	ctx := h.t.Context()
	h.fake.SetRefreshRequired(true)
	sess, err := h.store.Session(ctx, session.KindBackground)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.MarkDead(ctx, session.KindBackground, sess.Credentials, "test: a fresh login"); err != nil {
		h.t.Fatal(err)
	}
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Login(ctx, testEmail, testPassword); err != nil {
		h.t.Fatalf("login: %v", err)
	}
	return len(h.fake.Requests())
}

// requestsSince returns the fake's requests from the n-th on, of endpoint.
func (h *harness) requestsSince(n int, endpoint aimhardertest.Endpoint) []aimhardertest.Request {
	var out []aimhardertest.Request
	for _, q := range h.fake.Requests()[n:] {
		if q.Endpoint == endpoint {
			out = append(out, q)
		}
	}
	return out
}

// TestFireArmsTheSessionBeforeTheOpening: on a box that wants setrefresh
// after the JSON login, the fire finds out before the opening (one read
// answered logout while whoami says the session lives), calls setrefresh
// then, and books on time with no login and no booking answered logout.
func TestFireArmsTheSessionBeforeTheOpening(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	since := h.unarmedBackground()
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	claimed, won, err := h.store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	stop := h.clock.AutoAdvance(ctx, 0)
	r.fire(ctx, claimed)
	stop()
	got, err := h.store.Prebooking(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || got.Late {
		t.Fatalf("outcome %s/%s late %v: %s", got.Status, got.OutcomeCode, got.Late, got.OutcomeMessage)
	}
	refreshes := h.requestsSince(since, aimhardertest.EndpointSetRefresh)
	if len(refreshes) != 1 || !refreshes[0].Arrived.Before(testOpening.Add(-time.Second)) {
		t.Fatalf("setrefresh calls %v: want one, before the warm-up", refreshes)
	}
	if logins := h.requestsSince(since, aimhardertest.EndpointLogin); len(logins) != 0 {
		t.Errorf("%d logins: setrefresh should have been enough", len(logins))
	}
	var first time.Time
	for _, q := range h.bookRequests(p.ClassID) {
		if q.Code == "logout" {
			t.Errorf("a booking request was answered logout at %v", q.Arrived)
		}
		if accepted(q) && first.IsZero() {
			first = q.Arrived
		}
	}
	if late := first.Sub(testOpening); first.IsZero() || late < 0 || late > earlyMargin {
		t.Errorf("accepted booking %v after the opening, want within [0, %v]", late, earlyMargin)
	}
}

// TestFireBurstAnsweredLogoutCallsSetRefresh: a fire whose window is
// already open has no warm-up; its first answer is logout from a box that
// wants setrefresh. The fire calls setrefresh once and sends again —
// booked, without logging in again.
func TestFireBurstAnsweredLogoutCallsSetRefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	since := h.unarmedBackground()
	h.clock.Set(testOpening.Add(time.Second))
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if n := len(h.requestsSince(since, aimhardertest.EndpointSetRefresh)); n != 1 {
		t.Errorf("%d setrefresh calls, want 1", n)
	}
	if logins := h.requestsSince(since, aimhardertest.EndpointLogin); len(logins) != 0 {
		t.Errorf("%d logins: setrefresh should have been enough", len(logins))
	}
	books := h.bookRequests(p.ClassID)
	if len(books) < 2 || books[0].Code != "logout" || !accepted(books[len(books)-1]) {
		t.Errorf("book requests %v: want logout first, then booked", books)
	}
	if len(books) != got.Attempts {
		t.Errorf("%d book requests, %d attempts counted", len(books), got.Attempts)
	}
	sess, err := h.store.Session(t.Context(), session.KindBackground)
	if err != nil || sess.State != session.StateLive {
		t.Errorf("background session %v: %v", sess.State, err)
	}
}

// TestFireSetRefreshThatCannotHelp: a logout answer for a session that is
// really over — setrefresh does not confirm its token — goes on to the
// ordinary path: one login with password_command, and the booking.
func TestFireSetRefreshThatCannotHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testOpening.Add(time.Second))
	since := len(h.fake.Requests())
	// After the fire made the session fresh, before its first send.
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLogout, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if n := len(h.requestsSince(since, aimhardertest.EndpointSetRefresh)); n > 2 {
		t.Errorf("%d setrefresh calls: once per token at most", n)
	}
	if logins := h.requestsSince(since, aimhardertest.EndpointLogin); len(logins) != 1 {
		t.Errorf("%d logins, want 1", len(logins))
	}
}
