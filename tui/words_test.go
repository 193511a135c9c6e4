package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestStatusBeforeLoginSaysNothingFires: without a session the status
// view never says "firing here": nothing can fire until a login.
func TestStatusBeforeLoginSaysNothingFires(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		e := newEnv(t, 80, 24, lang)
		e.m.cfg.Engine = fakeEngine{leading: true}
		e.m.sessions = map[session.Kind]session.Health{}
		e.key("S")
		e.requireContains(tx.StatusNoLogin)
		if strings.Contains(e.m.statusBox, tx.Runner) {
			t.Errorf("%v: the status view says %q before a login", lang, tx.Runner)
		}
	}
}

// TestRefreshConfirms: a refresh (r) ends with a confirmation naming the
// time of AimHarder's answer, not with "Refreshing…" alone.
func TestRefreshConfirms(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		e := newEnv(t, 120, 40, lang)
		e.key("r")
		if e.m.lastFresh.IsZero() {
			t.Fatalf("%v: the refresh got no answer", lang)
		}
		e.requireContains(fmt.Sprintf(tx.Refreshed, e.m.lastFresh.In(e.m.loc).Format("15:04:05")))
		if strings.Contains(e.screen(), tx.Refreshing) {
			t.Errorf("%v: still %q after the answer", lang, tx.Refreshing)
		}
	}
}

// TestWeekKeysKeepTheTimeOfDay: [ and ] keep the cursor's weekday and the
// start time of its class (the class nearest it in the other week).
func TestWeekKeysKeepTheTimeOfDay(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.acct.mu.Lock()
	for _, weeks := range []int{-7, 7} {
		for _, d := range testDays(testWeek.AddDays(weeks), testNow, true) {
			for i := range d.Classes {
				d.Classes[i].ID += int64(weeks) * 1000 // ids of their own
			}
			e.acct.days[d.Date] = d
		}
	}
	e.acct.mu.Unlock()
	var picked account.ClassView
	for _, c := range e.m.grid.Classes(1) {
		if c.Start.Hour() >= 10 {
			picked = c
			break
		}
	}
	if picked.ID == 0 {
		t.Fatal("no class from 10:00 on the test week's Tuesday")
	}
	picked = e.selectClass(func(c account.ClassView) bool { return c.ID == picked.ID })
	for _, k := range []string{"]", "[", "["} {
		e.key(k)
		got, ok := e.m.grid.Selected()
		if !ok || got.Start.Weekday() != picked.Start.Weekday() || got.Start.Format("15:04") != picked.Start.Format("15:04") {
			t.Errorf("after %s: the cursor is on %v %s, want %s %s", k, ok, got.Start.Format("Mon 15:04"),
				picked.Start.Weekday(), picked.Start.Format("15:04"))
		}
	}
}
