package tui

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// weekState is how the grid shows every class of the shown week that has
// not started, by class id.
func (e *env) weekStates() map[int64]grid.State {
	out := map[int64]grid.State{}
	for d := range 7 {
		for _, c := range e.m.grid.Classes(d) {
			if c.Start.After(e.now) {
				out[c.ID] = grid.StateOf(c, nil, e.now)
			}
		}
	}
	return out
}

// noRule makes the test box one whose window nobody knows yet, as a new
// member's box is: the service then shows every future class as open.
func noRule(e *env) {
	e.t.Helper()
	e.store.setBox(testBox.ID, func(b *session.Box) { b.LearnedWindow = "" })
	e.send(tickMsg(e.now))
	next := testDays(testWeek.AddDays(7), e.now, false)
	e.acct.mu.Lock()
	for _, d := range next {
		e.acct.days[d.Date] = d
	}
	for date, d := range e.acct.days {
		for i := range d.Classes {
			d.Classes[i].OpensAt = time.Time{}
			d.Classes[i].State = account.StateOf(d.Classes[i].Class, time.Time{}, e.now)
		}
		e.acct.days[date] = d
	}
	e.acct.mu.Unlock()
	e.key("r")
	for id, st := range e.weekStates() {
		if st == grid.NotOpen {
			e.t.Fatalf("class %d shows not open with no rule", id)
		}
	}
}

// The bug: `b` on a class not yet open taught the box's 4d rule, yet the
// grid kept showing every later class as bookable until a restart (`r`,
// `[`, `]` did not help). The rule applies at once, to this week and the
// next.
func TestTooEarlyTeachesTheRuleToTheGridAtOnce(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	noRule(e)
	e.key("]") // next week: Monday 30 November on
	if e.m.grid.Week() != testWeek.AddDays(7) {
		t.Fatalf("week %s", e.m.grid.Week())
	}
	c := e.selectClass(func(c account.ClassView) bool { return c.Date.Day == 3 && c.Start.Hour() == 10 })
	rule := aimharder.Rule{Kind: aimharder.RuleSlidingDays, Days: 4}
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		// As account.Service.Book: the refusal teaches the rule.
		e.store.setBox(testBox.ID, func(b *session.Box) { b.LearnedWindow = rule.String() })
		return account.BookOutcome{}, &account.TooEarlyError{Class: c, OpensAt: c.Start.AddDate(0, 0, -4),
			Message: "No puedes reservar clases con más de 4 días de antelación"}
	}
	e.key("b")
	e.requireDialog(en.ConfirmPrebook)
	e.key("n")

	check := func(when string) {
		t.Helper()
		n := 0
		for d := range 7 {
			for _, c := range e.m.grid.Classes(d) {
				if !c.Start.After(e.now) || c.Class.State != aimharder.StateNone {
					continue // a booking shows as such whatever the rule
				}
				opens := rule.OpeningIn(madrid, c.Start)
				want := grid.Open
				if e.now.Before(opens) {
					want, n = grid.NotOpen, n+1
				}
				if got := grid.StateOf(c, nil, e.now); (got == grid.NotOpen) != (want == grid.NotOpen) || !c.OpensAt.Equal(opens) {
					t.Fatalf("%s: %s %s shows %v opening %v, want opening %v", when, c.Name, c.Start, got, c.OpensAt, opens)
				}
			}
		}
		if n == 0 {
			t.Fatalf("%s: no class shows not open", when)
		}
	}
	check("right after the refusal")
	e.key("[")
	e.key("]")
	check("after going back and forth") // the service's answer still knows no rule
}

// A rule set by another process (`ahtui config box.<sub>.window 1d`) shows
// within the screen's one-second tick, and a zone another process
// detects makes the screen read its week again.
func TestRuleSetElsewhereShowsWithinATick(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	// A Friday 27 class from 10:00 on: open under the box's 2d, not under
	// 1d (it opens Thursday 26 at its time, from half an hour from now).
	c := e.selectClass(func(c account.ClassView) bool {
		return c.Date.Day == 27 && c.Start.Hour() >= 10 && grid.StateOf(c, nil, e.now) == grid.Open
	})
	e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = "1d" })
	e.now = e.now.Add(time.Second)
	e.send(tickMsg(e.now))
	if st := e.state(c); st != grid.NotOpen {
		t.Fatalf("%s %s shows %v a tick after 1d was set elsewhere", c.Name, c.Start, st)
	}
	if got := e.selected(); !got.OpensAt.Equal(c.Start.AddDate(0, 0, -1)) {
		t.Fatalf("selected class opens %v", got.OpensAt)
	}

	before := len(e.acct.Calls())
	e.store.setBox(testBox.ID, func(b *session.Box) { b.Timezone = "Atlantic/Canary" })
	e.now = e.now.Add(time.Second)
	e.send(tickMsg(e.now))
	if e.m.box.Timezone != "Atlantic/Canary" || e.m.loc.String() != "Atlantic/Canary" {
		t.Fatalf("screen box zone %s, loc %s", e.m.box.Timezone, e.m.loc)
	}
	reread := false
	for _, call := range e.acct.Calls()[before:] {
		if call == "week "+testWeek.String() {
			reread = true
		}
	}
	if !reread {
		t.Fatalf("the week was not read again in the new zone: %v", e.acct.Calls()[before:])
	}
}
