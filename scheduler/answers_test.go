package scheduler

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// TestStrayPageInABurstKeepsTheSession: AimHarder books the class but
// answers the request with a page (HTML) instead of JSON. That is an
// unexpected answer, not a logout (docs/protocol.md §10): the burst goes
// on, the next answer is "already booked", the day confirms the booking,
// the background session stays alive and the next prebooking fires.
func TestStrayPageInABurstKeepsTheSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	next := h.prebook(h.store, "GYMNASTICS", false)
	h.clock.Set(testOpening.Add(time.Second))
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, AfterProcessing: true, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	before, _ := h.store.Session(ctx, session.KindBackground)

	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if reqs := h.bookRequests(p.ClassID); len(reqs) < 2 || len(reqs[0].Faults) == 0 {
		t.Errorf("booking requests %+v: want the page first, then more", reqs)
	}
	after, _ := h.store.Session(ctx, session.KindBackground)
	if after.State != session.StateLive || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Fatalf("background session %s (%s), created %v (before %v): the page ended it", after.State, after.DeadReason, after.CreatedAt, before.CreatedAt)
	}
	if got := h.fireNow(r, next); got.Status != session.PrebookBooked || got.Attempts == 0 {
		t.Errorf("the next prebooking: %s/%s after %d attempts: %s", got.Status, got.OutcomeCode, got.Attempts, got.OutcomeMessage)
	}
	if res := h.fake.Reservations(testEmail, ""); len(res) != 2 {
		t.Errorf("%d reservations, want 2", len(res))
	}
}

// TestPageWhileLoggedOutLogsInAgain: the session really is over and the
// booking gets a page: whoami confirms the logout, and the fire logs in
// once with password_command and books.
func TestPageWhileLoggedOutLogsInAgain(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testOpening.Add(time.Second))
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	before, _ := h.store.Session(ctx, session.KindBackground)
	h.fake.ForceLogout(testEmail, "")
	// Pages for as long as the burst lasts: a logged-out book answers
	// {"logout":1} on the fake, a page here.
	id := h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	defer h.fake.RemoveFault(id)
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	after, _ := h.store.Session(ctx, session.KindBackground)
	if after.State != session.StateLive || !after.CreatedAt.After(before.CreatedAt) {
		t.Errorf("background session %s, created %v (before %v): not logged in again", after.State, after.CreatedAt, before.CreatedAt)
	}
}

// TestBurstConfirmsALogoutBehindAPage: a burst that ended on a page asks
// whoami once: alive, it stays a retry (keepTrying and the day go on);
// over, it becomes the logout conclude handles.
func TestBurstConfirmsALogoutBehindAPage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	sess, _ := h.store.Session(ctx, session.KindBackground)
	ref, _ := account.BoxRef(h.box)
	j := &fireJob{r: r, p: p, box: h.box, ref: ref, sent: sess.Credentials}
	page := attempt{err: &aimharder.UnexpectedAnswerError{Endpoint: "book", Status: 200, HTML: true}}
	res := burstResult{verdict: verdictRetry, sent: 1, best: page, attempts: []attempt{page}}
	j.confirmLogout(ctx, &res)
	if res.verdict != verdictRetry || !errors.Is(res.best.err, aimharder.ErrUnexpectedAnswer) {
		t.Fatalf("alive: verdict %v, %v", res.verdict, res.best.err)
	}
	h.fake.ForceLogout(testEmail, "")
	j.confirmLogout(ctx, &res)
	if res.verdict != verdictRefused || !errors.Is(res.best.err, aimharder.ErrLoggedOut) {
		t.Fatalf("logged out: verdict %v, %v", res.verdict, res.best.err)
	}
}

// TestBlockInABurstIsRetried: a 403 that lasts three requests must not
// end the fire (it did after one attempt); one that lasts is given up
// after maxBlockedAnswers, not hammered.
func TestBlockInABurstIsRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		times int
		want  session.PrebookingStatus
	}{
		{"three", 3, session.PrebookBooked},
		{"lasting", 0, session.PrebookFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
			p := h.prebook(h.store, "WOD", false)
			h.clock.Set(testOpening.Add(time.Second))
			h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultGeoBlock, Times: tc.times,
				Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
			r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
			got := h.fireNow(r, p)
			if got.Status != tc.want {
				t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
			}
			n := len(h.bookRequests(p.ClassID))
			switch tc.want {
			case session.PrebookBooked:
				if got.ReservationID == 0 || n < 4 {
					t.Errorf("reservation %d after %d requests", got.ReservationID, n)
				}
			default:
				if got.OutcomeCode != "blocked" || n < maxBlockedAnswers || n > maxBlockedAnswers+maxInFlight {
					t.Errorf("%s after %d requests, want blocked after %d (+ in flight)", got.OutcomeCode, n, maxBlockedAnswers)
				}
			}
		})
	}
}

// TestBlockedVerdict: blocks are retried up to the limit; a 429 that says
// when to come back ends the burst at once; other errors are not blocks.
func TestBlockedVerdict(t *testing.T) {
	forbidden := &aimharder.BlockedError{Endpoint: "book", Status: 403}
	for n := 1; n < maxBlockedAnswers; n++ {
		if v := blockedVerdict(forbidden, n); v != verdictRetry {
			t.Errorf("403 number %d: %v, want retry", n, v)
		}
	}
	if v := blockedVerdict(forbidden, maxBlockedAnswers); v != verdictRefused {
		t.Errorf("403 number %d: %v, want refused", maxBlockedAnswers, v)
	}
	if v := blockedVerdict(&aimharder.BlockedError{Endpoint: "book", Status: 429, RetryAfter: time.Minute}, 1); v != verdictRefused {
		t.Errorf("429 with Retry-After: %v, want refused", v)
	}
	if v := judgeAttempt(attempt{err: forbidden}); v != verdictRetry {
		t.Errorf("judgeAttempt(403) = %v, want retry", v)
	}
	if v := judgeAttempt(attempt{err: &aimharder.UnexpectedAnswerError{Endpoint: "book", HTML: true}}); v != verdictRetry {
		t.Errorf("judgeAttempt(page) = %v, want retry", v)
	}
}

// TestRefusalsStoreCodesAndAimHardersWords: what a failed fire stores (and
// the member reads in status, the TUI and notifications) is a code each
// screen words in its language, plus AimHarder's own words only: never
// "EOF" or "blocked (geo-block?)", never an English sentence of ahtui's
// that a Spanish screen would quote as AimHarder's, never a country.
func TestRefusalsStoreCodesAndAimHardersWords(t *testing.T) {
	te := func(cause error) error { return &aimharder.TransportError{Endpoint: "book", Err: cause} }
	for _, tc := range []struct {
		err     error
		code    outcome.Code
		words   string // in the code's English words
		message string // AimHarder's words, stored
	}{
		{&aimharder.BlockedError{Endpoint: "book", Status: 403}, outcome.GeoBlocked, "refused connections from this network", ""},
		{&aimharder.BlockedError{Endpoint: "book", Status: 429}, outcome.RateLimited, "limiting requests", ""},
		{&aimharder.HTTPError{Endpoint: "book", Status: 503}, outcome.ServerTrouble, "having trouble", ""},
		{&aimharder.UnexpectedAnswerError{Endpoint: "book", HTML: true}, outcome.UnexpectedPage, "web page instead of data", ""},
		{te(io.EOF), outcome.NetCut, "cut before it answered", ""},
		{te(errors.New("net/http: timeout awaiting response headers")), outcome.NetTimeout, "did not answer in time", ""},
		{te(errors.New("interrupt signal received")), outcome.Interrupted, "interrupted before AimHarder answered", ""},
		{&aimharder.BookingError{Code: -1, Message: " Clase completa "}, outcome.Full, "full", "Clase completa"},
		{aimharder.ErrLoggedOut, outcome.LoggedOut, "ended the session", ""},
	} {
		code, msg := refusalCode(tc.err), refusalMessage(tc.err)
		words := outcome.Stored(code, msg, outcome.EN)
		if outcome.Parse(code) != tc.code || msg != tc.message || !strings.Contains(words, tc.words) ||
			strings.Contains(words, "EOF") || strings.Contains(words, "Spain") || strings.Contains(words, "aimharder book") {
			t.Errorf("%v: code %q, message %q, words %q; want %s, %q, %q", tc.err, code, msg, words, tc.code, tc.message, tc.words)
		}
		if es := outcome.Stored(code, msg, outcome.ES); es == words && tc.message == "" {
			t.Errorf("%v: the same words in Spanish: %q", tc.err, es)
		}
	}
	if got := outcome.GeoBlocked.Words(outcome.EN); !strings.Contains(got, "HTTPS_PROXY") {
		t.Errorf("the 403 does not say what works: %q", got)
	}
	// A code ahtui does not know keeps AimHarder's code for bug reports.
	if got := refusalCode(&aimharder.BookingError{Code: -12, Key: "odd"}); got != "refused -12 odd" || outcome.Parse(got) != outcome.Refused {
		t.Errorf("an unknown refusal is stored as %q", got)
	}
}
