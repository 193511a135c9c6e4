package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// standbyEngine leads and knows which other runner, if any, is on the
// database (a fake scheduler).
type standbyEngine struct {
	fakeEngine
	who   FiringProcess
	has   bool
	err   error
	calls *int
}

func (s standbyEngine) Standby(context.Context) (FiringProcess, bool, error) {
	if s.calls != nil {
		*s.calls++
	}
	return s.who, s.has, s.err
}

// TestQuitNamesTheStandbyRunner: with `ahtui run` standing by on the
// database, the quit dialog says that it will fire the pending
// prebookings, in the member's language, offers no hand-over (one runs
// already), and y quits.
func TestQuitNamesTheStandbyRunner(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.EN, "ahtui run on nas (pid 4242) will fire your 1 pending prebooking."},
		{i18n.ES, "ahtui run en nas (pid 4242) disparará tu 1 prerreserva pendiente."},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			calls, kept := 0, 0
			e := newEnvWith(t, 100, 30, Config{Lang: tc.lang, Renderer: asciiRenderer(), KeepRunning: func() { kept++ },
				Engine: standbyEngine{fakeEngine: fakeEngine{leading: true}, has: true, calls: &calls,
					who: FiringProcess{Program: "ahtui run", PID: 4242, Host: "nas"}}})
			e.pick(grid.NotOpen)
			e.key("p")
			e.key("q")
			d := e.requireDialog(i18n.For(tc.lang).ConfirmQuit)
			if d.Body != tc.want || len(d.Choices) != 0 || d.Danger {
				t.Fatalf("quit dialog %q (choices %d, danger %v); want %q and a plain yes/no", d.Body, len(d.Choices), d.Danger, tc.want)
			}
			if calls != 1 {
				t.Fatalf("asked for the standby %d times", calls)
			}
			e.requireContains("pid 4242")
			if strings.Contains(e.screen(), "Nothing will fire") {
				t.Fatal("the dialog promises nothing fires while a standby runs")
			}
			e.key("y")
			if !e.m.quitting || kept != 0 {
				t.Fatalf("y: quitting %v, kept %d; want a plain quit", e.m.quitting, kept)
			}
		})
	}
}

// TestQuitWithoutStandbySaysNothingFires: with no other runner (or when
// the database cannot say), the dialog says nothing will fire the
// prebookings and offers the hand-over to `ahtui run`.
func TestQuitWithoutStandbySaysNothingFires(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		err  error
		want string
	}{
		{i18n.EN, nil, "Nothing will fire your 1 pending prebooking while ahtui is closed — keep it open or start `ahtui run`"},
		{i18n.ES, nil, "Nada disparará tu 1 prerreserva pendiente con ahtui cerrado: déjalo abierto o inicia `ahtui run`"},
		{i18n.EN, errors.New("database is locked"), "Nothing will fire your 1 pending prebooking"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			kept := 0
			e := newEnvWith(t, 100, 30, Config{Lang: tc.lang, Renderer: asciiRenderer(), KeepRunning: func() { kept++ },
				Engine: standbyEngine{fakeEngine: fakeEngine{leading: true}, err: tc.err}})
			e.pick(grid.NotOpen)
			e.key("p", "q")
			tx := i18n.For(tc.lang)
			d := e.requireDialog(tx.ConfirmQuit)
			if !strings.Contains(d.Body, tc.want) || len(d.Choices) != 2 {
				t.Fatalf("quit dialog %q with %d choices; want %q and the hand-over", d.Body, len(d.Choices), tc.want)
			}
			e.requireContains(tx.ChoiceBackground)
			e.key("b")
			if !e.m.quitting || kept != 1 {
				t.Fatalf("b: quitting %v, kept %d; want the hand-over", e.m.quitting, kept)
			}
		})
	}
}

// TestQuitNamesTheStandbyForPlans: with only weekly plans, the standby is
// said to book them.
func TestQuitNamesTheStandbyForPlans(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = standbyEngine{fakeEngine: fakeEngine{leading: true}, has: true,
		who: FiringProcess{Program: "ahtui", PID: 77, Host: "laptop"}}
	e.pickPlanClass()
	e.makePlan()
	e.key("q")
	d := e.requireDialog("Quit ahtui?")
	if d.Body != "ahtui on laptop (pid 77) will book your 1 weekly plan." {
		t.Fatalf("quit dialog %q", d.Body)
	}
}
