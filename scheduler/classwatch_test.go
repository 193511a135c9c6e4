package scheduler

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// watchEnv is a runner's class watcher stepped by hand on the simulated
// clock: each round is what the leader's loop does when it wakes.
type watchEnv struct {
	*harness
	r      *Runner
	cw     *classWatcher
	svc    *account.Service
	events *collector
}

// watchWorld is testWorld with the 09:00 HYROX full from the opening on
// (ten competitors for ten places) and, when wod, the 08:00 WOD full too.
func watchWorld(wod bool) aimhardertest.World {
	w := testWorld(10)
	if wod {
		w.Boxes[0].Extra[0].Rush = 12
	}
	return w
}

func newWatchEnv(t *testing.T, start time.Time, world aimhardertest.World) *watchEnv {
	t.Helper()
	h := newHarnessWith(t, start, world, "2d@07:00")
	h.fake.SetSessionLifetime(24 * time.Hour) // no keeper runs here to keep the session fresh
	r := h.newRunner(h.store, "runner-a", func(c *Config) { c.NoKeeper, c.Notify.Disabled = true, true })
	e := &watchEnv{harness: h, r: r, cw: r.newClassWatcher(), events: collect(r.Events()),
		svc: account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})}
	return e
}

// watch adds a watch of the class named name through the service, as
// `ahtui watch add` does.
func (e *watchEnv) watch(name string, book bool) session.Watch {
	e.t.Helper()
	c := e.class(name)
	if len(c.Booked) != c.Capacity {
		e.t.Fatalf("%s is not full: %d/%d", name, len(c.Booked), c.Capacity)
	}
	res, err := e.svc.AddWatch(e.t.Context(), session.KindDevice, e.box, c.ID, c.Date, book)
	if err != nil {
		e.t.Fatalf("watch %s: %v", name, err)
	}
	return res.Watch
}

// round runs one round at t and returns how many day reads it sent.
func (e *watchEnv) round(t time.Time) int {
	e.t.Helper()
	e.clock.Set(t)
	e.fake.ResetRequests()
	e.cw.round(e.t.Context())
	n := 0
	for _, req := range e.fake.Requests() {
		if req.Endpoint == aimhardertest.EndpointBookings {
			n++
		}
	}
	return n
}

func (e *watchEnv) state(id int64) session.Watch {
	e.t.Helper()
	w, err := e.store.WatchByID(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func (e *watchEnv) outcomes() []ClassWatchOutcome {
	var out []ClassWatchOutcome
	for _, ev := range e.events.stop() {
		if o, ok := ev.(ClassWatchOutcome); ok {
			out = append(out, o)
		}
	}
	return out
}

func (e *watchEnv) freePlace(name string) {
	e.t.Helper()
	if ok, err := e.fake.CompetitorCancels(testBox, e.class(name).ID); err != nil || !ok {
		e.t.Fatalf("no competitor left %s: %v %v", name, ok, err)
	}
}

var watchStart = time.Date(2026, 11, 25, 6, 0, 0, 0, madrid) // three hours before HYROX

// A competitor cancels: a --book watch books the freed place at its next
// day read, within one cadence, and records it like any booking.
func TestWatchBooksAFreedPlaceWithinOneCadence(t *testing.T) {
	t.Parallel()
	e := newWatchEnv(t, watchStart, watchWorld(false))
	w := e.watch("HYROX", true)
	if n := e.round(watchStart); n != 1 {
		t.Fatalf("first round read %d days, want 1", n)
	}
	if got := e.state(w.ID); got.State != session.WatchWatching {
		t.Fatalf("full class: watch is %s", got.State)
	}
	freedAt := watchStart.Add(time.Second)
	e.clock.Set(freedAt)
	e.freePlace("HYROX")
	// Before the cadence is up, nothing is read.
	if n := e.round(watchStart.Add(WatchEvery - time.Second)); n != 0 {
		t.Fatalf("read %d days before the cadence was up", n)
	}
	if n := e.round(watchStart.Add(WatchEvery)); n < 1 {
		t.Fatal("no day read when the cadence was up")
	}
	got := e.state(w.ID)
	if got.State != session.WatchBooked || got.ReservationID == 0 {
		t.Fatalf("after a place freed: %+v", got)
	}
	if c := e.class("HYROX"); !slices.Contains(c.Booked, "Test Member") {
		t.Errorf("the member is not booked on the server: %v", c.Booked)
	}
	// Recorded like a booking from the TUI or the CLI.
	hist, err := e.store.History(t.Context(), session.HistoryQuery{Kinds: []session.EventKind{account.EventBook}})
	if err != nil || len(hist) != 1 || hist[0].ClassID != w.ClassID {
		t.Fatalf("history %+v %v, want one book line", hist, err)
	}
	var d account.ActionDetails
	if json.Unmarshal(hist[0].Details, &d) != nil || d.Outcome != "booked" || d.Class != "HYROX" {
		t.Errorf("book line %s", hist[0].Details)
	}
	// Done: no more reads for it.
	if n := e.round(watchStart.Add(3 * WatchEvery)); n != 0 {
		t.Errorf("a booked watch still reads the day (%d)", n)
	}
	out := e.outcomes()
	if len(out) != 1 || out[0].Outcome != WatchOutcomeBooked || out[0].Watch.ID != w.ID {
		t.Fatalf("outcomes %+v, want one booked", out)
	}
	if lag := out[0].At.Sub(freedAt); lag > WatchEvery {
		t.Errorf("booked %v after the place freed, want within %v", lag, WatchEvery)
	}
	n, ok := notificationOf(out[0])
	if !ok || n.Event != "watch" || n.Outcome != "booked" || n.WatchID != w.ID || n.ReservationID == 0 ||
		!strings.Contains(n.Title, "HYROX") || !slices.Contains(n.env(), "AHTUI_WATCH_ID="+itoa(w.ID)) {
		t.Errorf("notification %+v", n)
	}
}

// Without --book the member is told once, nothing is booked.
func TestWatchNotifiesAFreePlace(t *testing.T) {
	t.Parallel()
	e := newWatchEnv(t, watchStart, watchWorld(false))
	w := e.watch("HYROX", false)
	e.round(watchStart)
	e.freePlace("HYROX")
	e.round(watchStart.Add(WatchEvery))
	if got := e.state(w.ID); got.State != session.WatchNotified {
		t.Fatalf("watch is %s, want notified", got.State)
	}
	if reqs := e.bookRequests(w.ClassID); len(reqs) != 0 {
		t.Errorf("a notify-only watch booked: %v", reqs)
	}
	e.round(watchStart.Add(2 * WatchEvery))
	out := e.outcomes()
	if len(out) != 1 || out[0].Outcome != WatchOutcomePlaceFree || out[0].Capacity != 10 || out[0].Occupancy != 9 {
		t.Fatalf("outcomes %+v, want one place_free at 9/10", out)
	}
	n, ok := notificationOf(out[0])
	n.inZone(madrid) // as the notifier does with the box's zone
	if !ok || n.Event != "watch" || n.Outcome != "place_free" || n.Day != testClassDay.String() || n.Start != "09:00" {
		t.Errorf("notification %+v", n)
	}
}

// In the last two hours the day is read every 20 s; the watch ends at the
// minimum-notice limit, said once, and reads nothing after.
func TestWatchEndsAtTheMinimumNotice(t *testing.T) {
	t.Parallel()
	e := newWatchEnv(t, watchStart, watchWorld(false))
	w := e.watch("HYROX", true)
	class := e.class("HYROX")
	near := class.Start.Add(-WatchNear)
	if n := e.round(near.Add(-time.Second)); n != 1 {
		t.Fatalf("read %d", n)
	}
	if n := e.round(near.Add(WatchEveryNear - time.Second)); n != 1 {
		t.Fatalf("inside the last two hours, %d reads after 20 s, want 1", n)
	}
	if n := e.round(near.Add(WatchEveryNear + time.Second)); n != 0 {
		t.Fatalf("read again 2 s after a read (%d)", n)
	}
	ends := class.Start.Add(-account.WatchNotice)
	// By AimHarder's clock, which the runner estimates within a second.
	e.round(ends.Add(-2 * time.Second))
	if got := e.state(w.ID); got.State != session.WatchWatching {
		t.Fatalf("ended early: %+v", got)
	}
	if n := e.round(ends.Add(time.Second)); n != 0 {
		t.Errorf("read the day at the limit (%d)", n)
	}
	got := e.state(w.ID)
	if got.State != session.WatchEnded || got.Detail == "" {
		t.Fatalf("at the limit: %+v", got)
	}
	e.round(ends.Add(time.Minute))
	out := e.outcomes()
	if len(out) != 1 || out[0].Outcome != WatchOutcomeEnded || out[0].Reason == "" {
		t.Fatalf("outcomes %+v, want one ended", out)
	}
	if len(e.bookRequests(w.ClassID)) != 0 {
		t.Error("a full class was booked")
	}
}

// Two watched classes of the same day cost one day read per cadence.
func TestWatchOneDayReadServesEveryClassOfTheDay(t *testing.T) {
	t.Parallel()
	start := watchStart.Add(-time.Hour) // more than two hours before both classes
	e := newWatchEnv(t, start, watchWorld(true))
	a := e.watch("HYROX", false)
	b := e.watch("WOD", true)
	for i := range 4 {
		if n := e.round(start.Add(time.Duration(i) * WatchEvery)); n != 1 {
			t.Fatalf("round %d read %d days, want 1", i, n)
		}
		if n := e.round(start.Add(time.Duration(i)*WatchEvery + 30*time.Second)); n != 0 {
			t.Fatalf("round %d½ read %d days, want 0", i, n)
		}
	}
	e.freePlace("WOD")
	e.freePlace("HYROX")
	if n := e.round(start.Add(4 * WatchEvery)); n != 1 {
		t.Fatalf("read %d days for both, want 1", n)
	}
	if s := e.state(a.ID).State; s != session.WatchNotified {
		t.Errorf("HYROX watch %s", s)
	}
	if s := e.state(b.ID).State; s != session.WatchBooked {
		t.Errorf("WOD watch %s", s)
	}
	_ = e.outcomes()
}

// The leader's engine runs the watches: on the self-advancing clock a
// freed place is booked within one cadence.
func TestWatchRunsInTheLeadersEngine(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, watchStart, watchWorld(false), "2d@07:00")
	h.fake.SetSessionLifetime(24 * time.Hour)
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	c := h.class("HYROX")
	res, err := svc.AddWatch(t.Context(), session.KindDevice, h.box, c.ID, c.Date, true)
	w := res.Watch
	if err != nil {
		t.Fatal(err)
	}
	r := h.newRunner(h.store, "runner-a", func(c *Config) { c.NoKeeper, c.Notify.Disabled = true, true })
	ctx, cancel := context.WithCancel(t.Context())
	rs := &runners{cancel: cancel}
	rs.wg.Go(func() { _ = r.Run(ctx) })
	rs.drive = h.clock.AutoAdvance(t.Context(), 30*time.Millisecond)
	freedAt := watchStart.Add(3 * time.Minute)
	if err := h.at(freedAt, func() error {
		_, err := h.fake.CompetitorCancels(testBox, c.ID)
		return err
	})(); err != nil {
		t.Fatal(err)
	}
	var got session.Watch
	waitFor(t, "the watch to book", func() bool {
		got, err = h.store.WatchByID(t.Context(), w.ID)
		return err == nil && got.State != session.WatchWatching
	})
	rs.stop()
	if got.State != session.WatchBooked {
		t.Fatalf("watch %+v", got)
	}
	if lag := got.FinishedAt.Sub(freedAt); lag > WatchEvery+time.Second {
		t.Errorf("booked %v after the place freed, want within one cadence (%v)", lag, WatchEvery)
	}
}
