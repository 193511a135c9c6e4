package scheduler

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

const (
	testEmail    = "member@ahtui.test"
	testPassword = "correct-horse-2026"
	testBox      = "testbox"
)

var madrid = mustLoadLocation("Europe/Madrid")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testOpening is when every class of testClassDay opens: the test box
// opens classes of day D at 07:00 on day D−2 (fixed hour), so classes at
// different times open at the same instant and can all be booked.
var (
	testOpening  = time.Date(2026, 11, 23, 7, 0, 0, 0, madrid)
	testClassDay = aimharder.Date{Year: 2026, Month: time.November, Day: 25}
)

// testWorld is one box with a fixed-hour window and three classes on
// testClassDay; rush is the number of competitors filling the 09:00
// class from 150 ms after the opening.
func testWorld(rush int) aimhardertest.World {
	class := func(start, name string, capacity, rushers int) aimhardertest.ExtraClass {
		return aimhardertest.ExtraClass{Date: testClassDay, ClassTemplate: aimhardertest.ClassTemplate{
			Start: start, Name: name, Capacity: capacity, Coach: "Coach",
			Rush: rushers, RushDelay: 150 * time.Millisecond, RushSpread: 50 * time.Millisecond,
		}}
	}
	return aimhardertest.World{
		Seed: 7,
		Boxes: []aimhardertest.BoxConfig{{
			ID: 501, Sub: testBox, Name: "Test Box", Timezone: "Europe/Madrid",
			Window:    aimhardertest.WindowRule{Kind: aimhardertest.RuleFixedHour, Days: 2, Hour: 7},
			MinNotice: 15 * time.Minute, WaitlistCapacity: 3,
			Extra: []aimhardertest.ExtraClass{
				class("08:00", "WOD", 12, 0),
				class("09:00", "HYROX", 10, rush),
				class("10:00", "GYMNASTICS", 12, 0),
			},
		}},
		Users: []aimhardertest.UserConfig{{
			ID: 7001, Email: testEmail, Password: testPassword, Name: "Test Member", Language: "es",
			Roles: []aimhardertest.RoleConfig{{Box: testBox}},
		}},
	}
}

// harness is a fake AimHarder, a database logged in to it, and the clock
// both sides read.
type harness struct {
	t      *testing.T
	clock  *aimhardertest.ManualClock
	fake   *aimhardertest.Server
	urls   aimhardertest.URLs
	dbPath string
	store  *session.Store
	box    session.Box
}

// newHarness logs a member in at `start` (local clock) against a fake whose
// clock runs offset ahead of it.
func newHarness(t *testing.T, start time.Time, offset time.Duration, rush int) *harness {
	t.Helper()
	return newHarnessWith(t, start, testWorld(rush), "2d@07:00", aimhardertest.WithClockOffset(offset))
}

// newHarnessWith is newHarness with its own world, the member's window
// rule for the box ("" for none) and options for the fake.
func newHarnessWith(t *testing.T, start time.Time, world aimhardertest.World, memberWindow string, opts ...aimhardertest.Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: aimhardertest.NewManualClock(start), dbPath: filepath.Join(t.TempDir(), "ahtui.db")}
	h.fake, h.urls = aimhardertest.Start(t, world, append([]aimhardertest.Option{aimhardertest.WithClock(h.clock)}, opts...)...)
	h.store = h.openStore()
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	res, err := svc.Login(t.Context(), testEmail, testPassword)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if !res.HasCurrent {
		t.Fatalf("login chose no box: %+v", res)
	}
	h.box = res.Current
	if memberWindow != "" {
		if err := h.store.SetMemberWindow(t.Context(), h.box.ID, memberWindow); err != nil {
			t.Fatal(err)
		}
	}
	if h.box, err = h.store.Box(t.Context(), h.box.ID); err != nil {
		t.Fatal(err)
	}
	return h
}

// openStore opens another handle on the database (another "process").
func (h *harness) openStore(opts ...session.Option) *session.Store {
	h.t.Helper()
	s, err := session.Open(h.t.Context(), h.dbPath,
		append([]session.Option{session.WithClock(h.clock.Now), session.WithLeaseWait(0)}, opts...)...)
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.t.Cleanup(func() { s.Close() })
	return s
}

// client returns an AimHarder client on the shared clock whose round
// trips hold it (they take no simulated time).
func (h *harness) client(observe func(aimharder.Exchange)) *aimharder.Client {
	h.t.Helper()
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	h.t.Cleanup(transport.CloseIdleConnections)
	c, err := aimharder.New(aimharder.Config{
		LoginURL: h.urls.Login, PortalURL: h.urls.Portal, BoxURLTemplate: h.urls.BoxTemplate,
		HTTPClient: &http.Client{Transport: h.clock.Transport(transport)},
		Now:        h.clock.Now, Observe: observe,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// newRunner builds a runner on store with its own client and estimator.
func (h *harness) newRunner(store *session.Store, owner string, mutate func(*Config)) *Runner {
	h.t.Helper()
	est := NewClockEstimator(h.clock)
	cfg := Config{
		Store: store, Client: h.client(est.Observe), Clock: h.clock, Owner: owner, Estimator: est,
		KeeperJitter: time.Second,
		PasswordCommand: func(context.Context, string) (string, error) {
			return testPassword, nil
		},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	r, err := NewRunner(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// at runs f once the shared clock reaches t, holding the clock still
// while it runs, so that a fire driven by AutoAdvance meets f's effect
// from t on. The returned wait blocks until f has run and gives its error.
func (h *harness) at(t time.Time, f func() error) (wait func() error) {
	timer := h.clock.NewTimer(t.Sub(h.clock.Now()))
	done := make(chan error, 1)
	go func() {
		<-timer.C()
		release := h.clock.Hold()
		defer release()
		done <- f()
	}()
	return func() error { return <-done }
}

// class returns the fake's class named name on testClassDay.
func (h *harness) class(name string) aimhardertest.ClassInfo {
	h.t.Helper()
	for _, c := range h.fake.Classes(testBox, testClassDay) {
		if c.Name == name {
			return c
		}
	}
	h.t.Fatalf("no class %s on %s", name, testClassDay)
	return aimhardertest.ClassInfo{}
}

// prebook adds a pending prebooking for the class named name.
func (h *harness) prebook(store *session.Store, name string, waitlist bool) session.Prebooking {
	h.t.Helper()
	c := h.class(name)
	opens, ok := h.box.Rule().OpensAt(c.Start)
	if !ok || !opens.Equal(c.OpensAt) {
		h.t.Fatalf("opening of %s: scheduler says %v (known %v), fake says %v", name, opens, ok, c.OpensAt)
	}
	p, err := store.AddPrebooking(h.t.Context(), session.NewPrebooking{
		BoxID: h.box.ID, ClassID: c.ID, Day: c.Date, ClassName: c.Name, ClassStart: c.Start,
		OpensAt: opens, AllowWaitlist: waitlist,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// bookRequests returns the book requests the fake logged for a class.
func (h *harness) bookRequests(classID int64) []aimhardertest.Request {
	var out []aimhardertest.Request
	for _, r := range h.fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointBook && r.Form["id"] == itoa(classID) {
			out = append(out, r)
		}
	}
	return out
}

func accepted(r aimhardertest.Request) bool {
	return r.Code == "bookState=1" || r.Code == "bookState=0"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitFor polls cond in real time (the simulation runs on its own) and
// fails the test after a generous limit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// A hang detector, not a bound: a simulation of minutes takes tens of
	// seconds of real time under -race on a loaded 2-core machine.
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// collect gathers events from a subscription until stop is called.
type collector struct {
	sub  *Subscription
	done chan []Event
}

func collect(b *Broker) *collector {
	c := &collector{sub: b.Subscribe(4096), done: make(chan []Event, 1)}
	go func() {
		var all []Event
		for e := range c.sub.Events() {
			all = append(all, e)
		}
		c.done <- all
	}()
	return c
}

func (c *collector) stop() []Event {
	c.sub.Close()
	return <-c.done
}
