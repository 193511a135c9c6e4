package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// fireNow claims p for r and fires it under the auto-advancing clock.
func (h *harness) fireNow(r *Runner, p session.Prebooking) session.Prebooking {
	h.t.Helper()
	ctx := h.t.Context()
	claimed, won, err := r.store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		h.t.Fatalf("claim: %v %v", won, err)
	}
	drive := h.clock.AutoAdvance(ctx, 0)
	r.fire(ctx, claimed)
	drive()
	got, err := h.store.Prebooking(ctx, p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// TestRefusalAfterALostAnswerIsChecked: the burst's first answer is lost
// (a 503 after AimHarder booked the class), the next ones are a lasting
// rate limit (429), a refusal once the burst has had maxBlockedAnswers of
// them. The lost one may have booked: the day is read before
// anything is stored, and it shows the booking. When the day cannot be
// read either, the failure says so and tells the member to check.
func TestRefusalAfterALostAnswerIsChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		dayFails   bool
		wantStatus session.PrebookingStatus
		wantCode   string
	}{
		{"confirmed", false, session.PrebookBooked, "already_booked"},
		{"day unreadable", true, session.PrebookFailed, codeUnconfirmed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
			p := h.prebook(h.store, "WOD", false)
			h.clock.Set(testOpening.Add(time.Second)) // a late fire: one attempt every 50 ms
			book := []aimhardertest.Endpoint{aimhardertest.EndpointBook}
			h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503, AfterProcessing: true, Endpoints: book, Times: 1})
			h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultRateLimit, Endpoints: book})
			if tc.dayFails {
				h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
					Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}})
			}
			r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
			got := h.fireNow(r, p)
			if got.Status != tc.wantStatus || got.OutcomeCode != tc.wantCode {
				t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
			}
			if words := outcome.Stored(got.OutcomeCode, got.OutcomeMessage, outcome.EN); tc.dayFails && !strings.Contains(words, "check") {
				t.Errorf("the unconfirmed failure does not tell the member to check: %q", got.OutcomeMessage)
			}
			if res := h.fake.Reservations(testEmail, ""); len(res) != 1 {
				t.Errorf("%d reservations, want the lost answer's 1", len(res))
			}
			// The 503, the blocks up to the limit, and at most what was in
			// flight when the limit came.
			if n := len(h.bookRequests(p.ClassID)); n != got.Attempts || n < 1+maxBlockedAnswers || n > 1+maxBlockedAnswers+maxInFlight {
				t.Errorf("%d booking requests, %d attempts counted; want 1+%d (+ in flight)", n, got.Attempts, maxBlockedAnswers)
			}
		})
	}
}

// TestLogoutMidBurstLogsInAgainAndRetries: AimHarder answers the first
// booking request "logged out". As the protocol says, the scheduler logs
// in once with password_command and sends the booking again, which books.
func TestLogoutMidBurstLogsInAgainAndRetries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	before, _ := h.store.Session(ctx, session.KindBackground)
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLogout, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	after, _ := h.store.Session(ctx, session.KindBackground)
	if after.State != session.StateLive || !after.CreatedAt.After(before.CreatedAt) {
		t.Errorf("background session: %s, created %v (before %v): not logged in again", after.State, after.CreatedAt, before.CreatedAt)
	}
	reqs := h.bookRequests(p.ClassID)
	if len(reqs) != got.Attempts || reqs[0].Code != "logout" {
		t.Errorf("%d booking requests (first %q), %d attempts counted", len(reqs), reqs[0].Code, got.Attempts)
	}
}

// TestLogoutMarksTheSentSessionDead: a "logged out" answer is about the
// credentials the burst sent. If the session was logged in again since
// (another process), the new session is left alone.
func TestLogoutMarksTheSentSessionDead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	sent, _ := h.store.Session(ctx, session.KindBackground)
	// Meanwhile the session moved on (here: a rotation).
	if _, err := h.store.Rotate(ctx, session.KindBackground, "test", h.client(nil).RefreshToken); err != nil {
		t.Fatal(err)
	}
	ref, _ := account.BoxRef(h.box)
	j := &fireJob{r: r, p: p, box: h.box, ref: ref, sent: sent.Credentials}
	res := burstResult{verdict: verdictRefused, sent: 1, rest: func() []attempt { return nil },
		best: attempt{err: &aimharder.LoggedOutError{Endpoint: "book", Reason: "test"}}}
	res.attempts = []attempt{res.best}
	o, _ := j.conclude(ctx, &res, false)
	if o.Status != session.PrebookFailed || o.Code != "logged_out" {
		t.Errorf("outcome %s/%s", o.Status, o.Code)
	}
	if now, _ := h.store.Session(ctx, session.KindBackground); now.State != session.StateLive {
		t.Errorf("the session logged in since was marked dead: %s (%s)", now.State, now.DeadReason)
	}
	// The credentials that were sent are the ones marked — once AimHarder
	// ended the session (a setrefresh confirming it would send again,
	// docs/protocol.md §3.1).
	j.sent, _ = r.svc.Fresh(ctx, session.KindBackground, time.Hour)
	h.fake.ForceLogout(testEmail, "")
	j.conclude(ctx, &res, false)
	if now, _ := h.store.Session(ctx, session.KindBackground); now.State != session.StateDead {
		t.Errorf("the session the logout was about is %s", now.State)
	}
}

// TestAlreadyBookedUnconfirmed: "already booked at that time", and the
// day cannot be read to check it is this class: the outcome says exactly
// that and asks the member to check, instead of a plain failure.
func TestAlreadyBookedUnconfirmed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.clock.Set(testOpening.Add(time.Second))
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Book(ctx, session.KindBackground, h.box, p.ClassID, p.Day, false); err != nil {
		t.Fatal(err)
	}
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.OutcomeCode != codeAlreadyUnconfirmed ||
		!strings.Contains(outcome.Stored(got.OutcomeCode, got.OutcomeMessage, outcome.EN), "check") {
		t.Errorf("outcome %s/%s: %q", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
}

// TestConfirmationReadsTheFamilyMembersDay: a prebooking for a family
// member, whose place is already booked, is answered "already booked";
// the day is read again as that member — not as whoever the family_id
// setting names now — and shows the booking: a success.
func TestConfirmationReadsTheFamilyMembersDay(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	world := testWorld(0)
	world.Users[0].Family = []aimhardertest.MemberConfig{{ID: 81, Name: "Kid"}}
	h := newHarnessWith(t, testOpening.Add(-40*time.Second), world, "2d@07:00")
	c := h.class("WOD")
	p, err := h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: h.box.ID, ClassID: c.ID, Day: c.Date,
		ClassName: c.Name, ClassStart: c.Start, OpensAt: c.OpensAt, FamilyID: "81"})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(testOpening.Add(time.Second))
	if err := h.store.SetSetting(ctx, session.SettingFamilyID, "81"); err != nil {
		t.Fatal(err)
	}
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	if _, err := svc.Book(ctx, session.KindBackground, h.box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}
	// The member switches the setting back to themself.
	if err := h.store.SetSetting(ctx, session.SettingFamilyID, ""); err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookBooked || got.OutcomeCode != "already_booked" {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if res := h.fake.Reservations(testEmail, "81"); len(res) != 1 {
		t.Errorf("%d reservations for the family member, want 1", len(res))
	}
}

// lockDB holds the database's write lock from another connection until
// the returned release is called.
func lockDB(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(context.Background(), "COMMIT")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestBusyDatabaseOutcome: a database another process keeps locked makes
// storing the outcome fail with ErrBusy. It is retried until it is
// stored; when it still cannot be, the member is told the outcome anyway.
func TestBusyDatabaseOutcome(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	p1 := h.prebook(h.store, "WOD", false)
	p2 := h.prebook(h.store, "HYROX", false)
	r := h.newRunner(h.openStore(session.WithBusyTimeout(20*time.Millisecond)), "runner", func(c *Config) { c.NoKeeper = true })
	r.finishRetry = 2 * time.Second // far beyond the short lock, even on a loaded machine
	ev := collect(r.Events())
	booked := session.Outcome{Status: session.PrebookBooked, Code: "booked", ReservationID: 42, Attempts: 1}
	for _, p := range []session.Prebooking{p1, p2} {
		if _, won, err := h.store.Claim(ctx, p.ID, r.Owner()); err != nil || !won {
			t.Fatalf("claim: %v %v", won, err)
		}
	}

	release := lockDB(t, h.dbPath)
	go func() {
		time.Sleep(100 * time.Millisecond)
		release()
	}()
	r.finish(ctx, p1, booked, time.Time{})
	if got, _ := h.store.Prebooking(ctx, p1.ID); got.Status != session.PrebookBooked {
		t.Errorf("after a short lock: %s, want the outcome stored", got.Status)
	}

	release = lockDB(t, h.dbPath)
	r.finish(ctx, p2, booked, time.Time{})
	release()
	if got, _ := h.store.Prebooking(ctx, p2.ID); got.Status != session.PrebookFiring {
		t.Errorf("after a long lock: %s, want still firing", got.Status)
	}
	var stored, notStored []session.Prebooking
	for _, e := range ev.stop() {
		switch e := e.(type) {
		case PrebookingOutcome:
			stored = append(stored, e.Prebooking)
		case PrebookingNotStored:
			notStored = append(notStored, e.Prebooking)
			t.Log(e.String())
		}
	}
	if len(stored) != 1 || stored[0].ID != p1.ID {
		t.Errorf("outcome events: %v", stored)
	}
	if len(notStored) != 1 || notStored[0].ID != p2.ID || notStored[0].Status != session.PrebookBooked || notStored[0].ReservationID != 42 {
		t.Errorf("not-stored events: %+v", notStored)
	}
}

// TestFireLeaseWaitsSideBySide: fires arming at the same instant while
// another process holds the session lease each wait for it at the same
// time, not one after the other.
func TestFireLeaseWaitsSideBySide(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	if _, err := h.store.AcquireSessionLease(ctx, session.KindBackground, "someone-else", time.Hour); err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	r.leaseWait = 5 * time.Second
	const fires = 6
	start := h.clock.Now()
	drive := h.clock.AutoAdvance(ctx, 0)
	var wg sync.WaitGroup
	for range fires {
		wg.Go(func() { r.holdFireLease(ctx, testOpening.Add(time.Minute)) })
	}
	wg.Wait()
	drive()
	took := h.clock.Now().Sub(start)
	for range fires {
		r.releaseFireLease()
	}
	if took > 2*r.leaseWait {
		t.Errorf("%d fires waited %v for the lease, want about %v (side by side)", fires, took, r.leaseWait)
	}
}

// TestShutdownBeforeArmingGivesTheClaimBack: a runner told to stop just
// as it starts a fire gives the claim back instead of storing a failure.
func TestShutdownBeforeArmingGivesTheClaimBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	claimed, won, err := h.store.Claim(t.Context(), p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r.fire(ctx, claimed)
	if got, _ := h.store.Prebooking(t.Context(), p.ID); got.Status != session.PrebookPending || got.ClaimedBy != "" {
		t.Errorf("after stopping: %s by %q (%s), want pending", got.Status, got.ClaimedBy, got.OutcomeMessage)
	}
}

// TestOutcomeStoredBeforeSlowAnswers: on the real clock, one booking
// request of the burst is answered 3 s late. The booking is decided by
// the others, and stored at once — not after the slow answer — while the
// attempts counted still include it.
func TestOutcomeStoredBeforeSlowAnswers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := newRealWorld(t, testOpening.Add(-5*time.Minute))
	p := w.prebook(t, "WOD")
	const slow = 3 * time.Second
	w.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{Out: slow},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}, Times: 1})
	r := w.runner(t)
	w.clock.set(testOpening.Add(-4 * time.Second))
	claimed, won, err := w.store.Claim(ctx, p.ID, r.Owner())
	if err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	r.fire(ctx, claimed)
	got, _ := w.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookBooked {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	if after := got.FinishedAt.Sub(testOpening); after > slow/2 {
		t.Errorf("the outcome was stored %v after the opening, want before the slow answer (%v)", after, slow)
	}
	n := 0
	for _, q := range w.fake.Requests() {
		if q.Endpoint == aimhardertest.EndpointBook {
			n++
		}
	}
	if n != got.Attempts || n < 2 {
		t.Errorf("%d booking requests, %d attempts counted", n, got.Attempts)
	}
}

// TestBurstCookiesAreMerged: every answer's cookie changes are saved, not
// only the last one's.
func TestBurstCookiesAreMerged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-40*time.Second), 0, 0)
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	sess, _ := h.store.Session(ctx, session.KindBackground)
	sent := sess.Credentials
	const drop = "PHPSESSID"
	if sent.Cookies[drop] == "" {
		t.Fatalf("the session has no %s cookie to expire", drop)
	}
	j := &fireJob{r: r}
	j.saveCookies(ctx, sent, []attempt{
		{creds: sent.WithCookies(map[string]string{"AWSALB": "first", "extra-a": "1"})},
		{creds: sent.WithCookies(map[string]string{"AWSALB": "second", drop: ""})},
		{creds: sent.WithCookies(map[string]string{"extra-b": "2"})},
		{err: aimharder.ErrTooEarly},
	})
	after, _ := h.store.Session(ctx, session.KindBackground)
	c := after.Credentials.Cookies
	if c["AWSALB"] != "second" || c["extra-a"] != "1" || c["extra-b"] != "2" {
		t.Errorf("cookies after the burst: AWSALB=%q extra-a=%q extra-b=%q", c["AWSALB"], c["extra-a"], c["extra-b"])
	}
	if _, ok := c[drop]; ok {
		t.Errorf("cookie %s expired by an answer is still stored", drop)
	}
	if c[aimharder.AuthCookie] != sent.Cookies[aimharder.AuthCookie] {
		t.Error("the auth cookie changed")
	}
}

// TestLogoutBeforeTheInstantIsFoundInTime: AimHarder ends every session
// (a logout on another device) after the fire made the session fresh. The
// check at T − EstimateAhead finds it and password_command logs in again,
// so the burst's first request already books instead of meeting "logout"
// at the instant.
func TestLogoutBeforeTheInstantIsFoundInTime(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	loggedOut := h.at(testOpening.Add(-30*time.Second), func() error {
		if h.fake.ForceLogout(testEmail, "") == 0 {
			return errors.New("the forced logout ended no session")
		}
		return nil
	})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if err := loggedOut(); err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked {
		t.Errorf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	for _, r := range h.bookRequests(p.ClassID) {
		if r.Code == "logout" {
			t.Errorf("a booking request met the ended session: %v", r)
		}
	}
	after, _ := h.store.Session(ctx, session.KindBackground)
	if after.State != session.StateLive || !after.CreatedAt.Before(testOpening) {
		t.Errorf("background session %s, created %v: want logged in again before the opening", after.State, after.CreatedAt)
	}
}

// TestTroubleOutlastingTheBurstIsRetried: AimHarder answers 503 to every
// booking from before the opening until five seconds after it, longer than
// the burst. The runner keeps trying, slower and slower, and books the
// class once AimHarder recovers, instead of giving up "unconfirmed".
func TestTroubleOutlastingTheBurstIsRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	outage := h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	recovered := h.at(testOpening.Add(5*time.Second), func() error {
		h.fake.RemoveFault(outage)
		return nil
	})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	_ = recovered()
	if got.Status != session.PrebookBooked || got.ReservationID == 0 {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	reqs := h.bookRequests(p.ClassID)
	last := reqs[len(reqs)-1]
	if !accepted(last) || last.Arrived.Before(testOpening.Add(5*time.Second)) || last.Arrived.After(testOpening.Add(10*time.Second)) {
		t.Errorf("the booking went through at %v (%s); want soon after AimHarder recovered at T+5s", last.Arrived, last.Code)
	}
	// Slower and slower: after the burst, no two tries less than 250 ms apart.
	var after []time.Time
	for _, q := range reqs {
		if q.Arrived.After(testOpening.Add(r.timing.Burst)) {
			after = append(after, q.Arrived)
		}
	}
	for i := 1; i < len(after); i++ {
		if gap := after[i].Sub(after[i-1]); gap < keepTryingFirst {
			t.Errorf("tries %v apart after the burst", gap)
		}
	}
}

// TestTroubleBeyondKeepTryingIsUnconfirmed: an outage longer than
// keepTrying goes on for (book and day reads alike) ends, as before, in a
// failure that says it may have booked and tells the member to check.
func TestTroubleBeyondKeepTryingIsUnconfirmed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook, aimhardertest.EndpointBookings}})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if got.Status != session.PrebookFailed || got.OutcomeCode != codeUnconfirmed {
		t.Fatalf("outcome %s/%s: %s", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	reqs := h.bookRequests(p.ClassID)
	if last := reqs[len(reqs)-1]; last.Arrived.Before(testOpening.Add(keepTryingFor - keepTryingMax)) {
		t.Errorf("the last try was at %v: gave up before trying for %v", last.Arrived, keepTryingFor)
	}
}

// TestLostClaimStopsKeepTrying: while the runner keeps trying through an
// outage, another runner takes its claim over (as it would from a runner
// that stalled past StaleAfter). At its next heartbeat the first runner
// sees it and stops sending: two runners do not fire one prebooking.
func TestLostClaimStopsKeepTrying(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook, aimhardertest.EndpointBookings}})
	taken := h.at(testOpening.Add(5*time.Second), func() error {
		_, won, err := h.store.ClaimStale(t.Context(), p.ID, "other-runner", testOpening.Add(time.Hour))
		if err == nil && !won {
			err = errors.New("the claim could not be taken over")
		}
		return err
	})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	h.fireNow(r, p)
	if err := taken(); err != nil {
		t.Fatal(err)
	}
	// The heartbeat notices within Heartbeat; one try may be on its way.
	stopBy := testOpening.Add(5*time.Second + r.timing.Heartbeat + keepTryingMax)
	for _, q := range h.bookRequests(p.ClassID) {
		if q.Arrived.After(stopBy) {
			t.Errorf("a booking request at %v, after the claim was lost at T+5s", q.Arrived)
		}
	}
	got, _ := h.store.Prebooking(t.Context(), p.ID)
	if got.ClaimedBy != "other-runner" || got.Status != session.PrebookFiring {
		t.Errorf("the prebooking is %s by %q; the first runner must leave it to the other", got.Status, got.ClaimedBy)
	}
}

// TestLogoutWhileKeepTryingStaysLoggedOut: the member runs `ahtui logout`
// while the runner keeps trying through an outage. The next answer says
// "logout"; the runner must not log the member back in with
// password_command (nor book for them): the fire fails, logged out.
func TestLogoutWhileKeepTryingStaysLoggedOut(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-70*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	if err := h.store.SetSetting(ctx, session.SettingPasswordCommand, "pass aimharder"); err != nil {
		t.Fatal(err)
	}
	outage := h.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	loggedOut := h.at(testOpening.Add(4*time.Second), func() error {
		h.fake.ForceLogout(testEmail, "")
		h.fake.RemoveFault(outage)
		return h.store.Logout(ctx) // what `ahtui logout` leaves in the store
	})
	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true })
	got := h.fireNow(r, p)
	if err := loggedOut(); err != nil {
		t.Fatal(err)
	}
	if got.Status == session.PrebookBooked || got.Status == session.PrebookWaitlisted {
		t.Errorf("booked after the member logged out: %s/%s", got.Status, got.OutcomeCode)
	}
	for _, q := range h.fake.Requests() {
		if q.Endpoint == aimhardertest.EndpointLogin && q.Arrived.After(testOpening) {
			t.Errorf("logged in again after the member logged out: %v", q)
		}
	}
	if _, err := h.store.Session(ctx, session.KindBackground); !errors.Is(err, session.ErrNoSession) {
		t.Errorf("background session after the logout: %v, want none", err)
	}
}
