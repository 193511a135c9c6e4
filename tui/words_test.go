package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/session"
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
