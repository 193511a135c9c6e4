package tui

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// agendaAccount is the fake account service that also builds an agenda
// (the plain fakeAccount does not: the view then says so).
type agendaAccount struct {
	*fakeAccount
	mu      sync.Mutex
	entries []account.AgendaEntry
	// stored, when set, is what an Offline agenda holds (the store's
	// copy); else the same entries.
	stored  []account.AgendaEntry
	notices []string
	err     error
	queries []account.AgendaQuery
}

func (a *agendaAccount) Agenda(_ context.Context, _ session.Kind, q account.AgendaQuery) (account.Agenda, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.queries = append(a.queries, q)
	if a.err != nil && !q.Offline {
		return account.Agenda{}, a.err
	}
	src := a.entries
	if q.Offline && a.stored != nil {
		src = a.stored
	}
	ag := account.Agenda{From: q.From, Until: q.Until, Notices: a.notices, BuiltAt: testNow}
	for _, e := range src {
		if !e.Day.Before(q.From) && !e.Day.After(q.Until) {
			ag.Entries = append(ag.Entries, e)
		}
	}
	slices.SortStableFunc(ag.Entries, func(x, y account.AgendaEntry) int { return x.Start.Compare(y.Start) })
	return ag, nil
}

func (a *agendaAccount) set(entries []account.AgendaEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = entries
}

func (a *agendaAccount) Queries() []account.AgendaQuery {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.queries)
}

// withAgenda makes the env's account service build agendas.
func (e *env) withAgenda(entries []account.AgendaEntry) *agendaAccount {
	a := &agendaAccount{fakeAccount: e.acct, entries: entries}
	e.m.cfg.Account = a
	return a
}

// entryOf is an agenda entry for a class of the fake week.
func entryOf(c account.ClassView, box session.Box, st account.AgendaState) account.AgendaEntry {
	return account.AgendaEntry{Day: c.Date, Start: c.Start, End: c.End, Name: c.Name, Box: box, State: st,
		ClassID: c.ID, ReservationID: c.ReservationID, Occupancy: c.Occupancy, Capacity: c.Capacity, Waiting: c.Waitlist}
}

// classAt is the fake week's class of a day (0 = Monday) at a time.
func (e *env) classAt(d int, hhmm string) account.ClassView {
	e.t.Helper()
	for _, c := range e.m.grid.Classes(d) {
		if c.Start.Format("15:04") == hhmm {
			return c
		}
	}
	e.t.Fatalf("no class on day %d at %s", d, hhmm)
	return account.ClassView{}
}

// mixedAgenda is a week of everything: today's 17:00 booked with a free
// cancel until 15:30; a class at the other box (Canary time) whose free
// cancel is over; Friday's full 12:00 waitlisted (2nd of 3); Friday's
// 17:00 booked at a box whose late-cancel time is unknown; Saturday's
// first class prebooked (plan #1); next Monday's 07:00 planned (plan #1,
// no class list yet).
func (e *env) mixedAgenda() []account.AgendaEntry {
	e.t.Helper()
	canary := mustLoc("Atlantic/Canary")
	today := e.classAt(3, "17:00") // booked in the fake week
	booked := entryOf(today, testBox, account.AgendaBooked)
	booked.FreeCancelUntil = today.Start.Add(-90 * time.Minute)

	otherStart := time.Date(2026, 11, 26, 11, 0, 0, 0, canary)
	other := account.AgendaEntry{Day: testWeek.AddDays(3), Start: otherStart, End: otherStart.Add(time.Hour),
		Name: "OPEN GYM", Box: otherBox, State: account.AgendaBooked, ClassID: 777001, ReservationID: 880001,
		FreeCancelUntil: otherStart.Add(-3 * time.Hour)}

	full := e.classAt(4, "12:00")
	e.acct.setClass(full.ID, full.Date, func(c *account.ClassView) {
		c.Class.State, c.ReservationID, c.State = aimharder.StateWaitlisted, 300001, account.StateWaitlisted
		c.Occupancy, c.Waitlist = c.Capacity, 3
	})
	e.key("r")
	full = e.classAt(4, "12:00")
	wait := entryOf(full, testBox, account.AgendaWaitlisted)
	wait.WaitlistPosition = 2

	friday := e.classAt(4, "17:00")
	e.acct.setClass(friday.ID, friday.Date, func(c *account.ClassView) {
		c.Class.State, c.ReservationID, c.State = aimharder.StateBooked, 300002, account.StateBooked
	})
	fri := entryOf(friday, testBox, account.AgendaBooked)

	sat := e.pickPlanClass()
	e.key("p")
	e.m.toasts.Dismiss()
	pre := entryOf(sat, testBox, account.AgendaPrebooked)
	pre.PrebookingID, pre.PlanID = 1, 1

	mon := testWeek.AddDays(7)
	planned := account.AgendaEntry{Day: mon, Start: mon.At(7, 0, madrid), Name: "WOD", Box: testBox,
		State: account.AgendaPlanned, PlanID: 1}
	return []account.AgendaEntry{booked, other, wait, fri, pre, planned}
}

// reflectStrings is a struct's string fields by name.
func reflectStrings(v any) map[string]string {
	out := map[string]string{}
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if rv.Field(i).Kind() == reflect.String {
			out[rv.Type().Field(i).Name] = rv.Field(i).String()
		}
	}
	return out
}
