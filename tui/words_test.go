package tui

import (
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
