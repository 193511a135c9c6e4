package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestQuitOffersToKeepRunning: a TUI that fires pending prebookings, and
// can hand them to a background runner, asks on quit: keep running in the
// background (b, or enter), quit anyway (y), or stay (n/esc).
func TestQuitOffersToKeepRunning(t *testing.T) {
	start := func() (*env, *int) {
		kept := 0
		e := newEnvWith(t, 80, 24, Config{Lang: i18n.EN, Renderer: asciiRenderer(),
			Engine: fakeEngine{leading: true}, KeepRunning: func() { kept++ }})
		e.pick(grid.NotOpen)
		e.key("p", "q")
		d := e.requireDialog(en.ConfirmQuit)
		if !strings.Contains(d.Body, "Nothing will fire your 1 pending prebooking") || len(d.Choices) != 2 {
			t.Fatalf("quit dialog %q with %d choices", d.Body, len(d.Choices))
		}
		for _, want := range []string{"keep running in the background", "quit anyway", "n/esc stay"} {
			e.requireContains(want)
		}
		return e, &kept
	}

	e, kept := start()
	e.key("esc")
	if e.m.quitting || e.m.dialog.IsOpen() || *kept != 0 {
		t.Fatalf("esc: quitting %v, dialog %v, kept %d", e.m.quitting, e.m.dialog.IsOpen(), *kept)
	}

	e, kept = start()
	e.key("y")
	if !e.m.quitting || *kept != 0 {
		t.Fatalf("y: quitting %v, kept %d; want a plain quit", e.m.quitting, *kept)
	}

	e, kept = start()
	e.key("b")
	if !e.m.quitting || *kept != 1 {
		t.Fatalf("b: quitting %v, kept %d; want the hand-over", e.m.quitting, *kept)
	}

	e, kept = start()
	e.key("enter")
	if !e.m.quitting || *kept != 1 {
		t.Fatalf("enter: quitting %v, kept %d; want the hand-over", e.m.quitting, *kept)
	}

	e, kept = start()
	e.key("ctrl+c")
	if !e.m.quitting || *kept != 0 {
		t.Fatalf("a second ctrl+c: quitting %v, kept %d; want a plain quit", e.m.quitting, *kept)
	}
}

// TestServedSession: over SSH the header says so and how many are
// connected, and quitting never asks (the runner lives on in `ahtui
// serve`).
func TestServedSession(t *testing.T) {
	viewers := 3
	e := newEnvWith(t, 80, 24, Config{Lang: i18n.EN, Renderer: asciiRenderer(),
		Engine: fakeEngine{leading: true}, Viewers: func() int { return viewers }})
	e.requireContains("SSH · 3 viewers")
	viewers = 1
	e.send(tickMsg(e.now))
	e.requireContains("SSH · 1 viewer ")
	e.pick(grid.NotOpen)
	e.key("p", "q")
	if !e.m.quitting {
		t.Fatal("q in a served session should quit at once")
	}
}

// elsewhere is an engine that does not lead and knows who does.
type elsewhere struct {
	fakeEngine
	who FiringProcess
}

func (f elsewhere) FiringProcess(context.Context) (FiringProcess, bool, error) {
	return f.who, f.who.PID != 0, nil
}

// TestHeaderNamesTheFiringProcess: a TUI that does not fire says which
// process does.
func TestHeaderNamesTheFiringProcess(t *testing.T) {
	e := newEnvWith(t, 160, 48, Config{Lang: i18n.EN, Renderer: asciiRenderer(),
		Engine: elsewhere{who: FiringProcess{Program: "ahtui serve", PID: 4242, Host: "nas"}}})
	e.key("S") // who fires is in the status view, not the header
	e.requireContains("fired by ahtui serve, pid 4242 on nas")

	e = newEnvWith(t, 160, 48, Config{Lang: i18n.ES, Renderer: asciiRenderer(), Engine: elsewhere{}})
	e.key("S")
	e.requireContains(i18n.For(i18n.ES).RunnerOther)
}
