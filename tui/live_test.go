package tui

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// liveStore is the fake store with a screen version another process moves.
type liveStore struct {
	*fakeStore
	version atomic.Int64
	reads   atomic.Int64
}

func (s *liveStore) ScreenVersion(context.Context) (int64, error) {
	s.reads.Add(1)
	return s.version.Load(), nil
}

func newLiveEnv(t *testing.T) (*env, *liveStore) {
	t.Helper()
	e := newEnv(t, 160, 48, i18n.EN)
	ls := &liveStore{fakeStore: e.store}
	e.m.cfg.Store = ls
	e.send(tickMsg(e.now)) // the first read takes the version
	return e, ls
}

// dataCalls are the account calls that ask AimHarder.
func dataCalls(e *env) []string {
	var out []string
	for _, c := range e.acct.Calls() {
		if strings.HasPrefix(c, "week") || strings.HasPrefix(c, "day") {
			out = append(out, c)
		}
	}
	return out
}

// Another process books a class and adds a prebooking: the next tick
// reads the screen version, sees it moved, and shows both from the store
// — with no request to AimHarder. While the version stays, nothing is
// read again.
func TestAChangeByAnotherProcessShowsOnTheNextTick(t *testing.T) {
	e, ls := newLiveEnv(t)
	var target account.ClassView
	for d := range 7 {
		for _, c := range e.m.grid.Classes(d) {
			if target.ID == 0 && c.State == account.StateOpen && c.Start.After(e.now) {
				target = c
			}
		}
	}
	if target.ID == 0 {
		t.Fatal("no open class in the test week")
	}
	before := dataCalls(e)

	// The other process: its book wrote the cached day (account.Service
	// notes it), and it added a prebooking for another class.
	booked := e.acct.days[target.Date]
	booked.Classes = slices.Clone(booked.Classes)
	for i := range booked.Classes {
		if booked.Classes[i].ID == target.ID {
			c := &booked.Classes[i]
			c.Class.State, c.ReservationID, c.State = aimharder.StateBooked, 4242, account.StateBooked
			c.Occupancy++
		}
	}
	booked.FetchedAt, booked.Cached = e.now.Add(time.Second), true
	e.acct.mu.Lock()
	e.acct.cached[target.Date] = booked
	e.acct.mu.Unlock()
	ls.mu.Lock()
	ls.nextID++
	ls.prebookings = append(ls.prebookings, session.Prebooking{ID: ls.nextID, BoxID: testBox.ID, ClassID: 777, Day: target.Date,
		ClassName: "OTHER", ClassStart: target.Start.Add(24 * time.Hour), Status: session.PrebookPending})
	ls.mu.Unlock()

	// The version has not moved yet: a tick reads it and nothing else.
	e.send(tickMsg(e.now))
	if got := e.weekStates()[target.ID]; got != grid.Open && got != grid.Full {
		t.Fatalf("the class shows %v before the store said anything changed", got)
	}
	ls.version.Add(3)
	e.send(tickMsg(e.now))
	if got := e.weekStates()[target.ID]; got != grid.Booked {
		t.Errorf("after the change the class shows %v, want booked", got)
	}
	if n := len(e.m.prebookings); n != 1 {
		t.Errorf("%d prebookings shown after another process added one", n)
	}
	if after := dataCalls(e); !slices.Equal(after, before) {
		t.Errorf("the live reload asked AimHarder: %v → %v", before, after)
	}

	// A store copy older than what the day shows (read before the
	// screen's own answer) does not replace it.
	stale := e.acct.days[target.Date]
	stale.FetchedAt = e.now.Add(-time.Hour)
	e.acct.mu.Lock()
	e.acct.cached[target.Date] = stale
	e.acct.mu.Unlock()
	ls.version.Add(1)
	e.send(tickMsg(e.now))
	if got := e.weekStates()[target.ID]; got != grid.Booked {
		t.Errorf("an older store copy replaced the shown day: %v", got)
	}
}

// Joining a waitlist in another process shows "+1" on the cell: the
// cached day says waitlisted with the member counted.
func TestAWaitlistJoinedElsewhereShowsPlusOne(t *testing.T) {
	e, ls := newLiveEnv(t)
	var target account.ClassView
	for d := range 7 {
		for _, c := range e.m.grid.Classes(d) {
			if target.ID == 0 && c.State == account.StateFull && c.Waitlist == 0 && c.Start.After(e.now) {
				target = c
			}
		}
	}
	if target.ID == 0 {
		t.Fatal("no full class without a waitlist in the test week")
	}
	day := e.acct.days[target.Date]
	day.Classes = slices.Clone(day.Classes)
	for i := range day.Classes {
		if day.Classes[i].ID == target.ID {
			c := &day.Classes[i]
			c.Class.State, c.ReservationID, c.State = aimharder.StateWaitlisted, 4343, account.StateWaitlisted
			c.Waitlist = 1
		}
	}
	day.FetchedAt = e.now.Add(time.Second)
	e.acct.mu.Lock()
	e.acct.cached[target.Date] = day
	e.acct.mu.Unlock()
	ls.version.Add(1)
	e.send(tickMsg(e.now))
	if got := e.weekStates()[target.ID]; got != grid.Waitlisted {
		t.Fatalf("the class shows %v, want waitlisted", got)
	}
	e.selectClass(func(c account.ClassView) bool { return c.ID == target.ID })
	if !strings.Contains(e.screen(), "20/20 +1") {
		t.Errorf("the waitlisted cell lacks \"20/20 +1\":\n%s", e.screen())
	}
}
