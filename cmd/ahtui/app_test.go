package main

import (
	"errors"
	"testing"

	"github.com/ahtui/ahtui/session"
)

// TestApp: the composition root feeds every AimHarder answer to the clock
// estimator, whichever service made the request; the runner it builds
// runs on the same store; Close closes the database.
func TestApp(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	a := e.open(e.clock.Now)
	if _, ok := a.est.Estimate(); ok {
		t.Fatal("a clock estimate before any answer")
	}
	if _, err := a.account.Week(t.Context(), session.KindDevice, mustCurrentBox(t, a), testToday.Monday()); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.est.Estimate(); !ok {
		t.Fatal("the account service's requests taught the clock estimator nothing")
	}
	if _, err := a.newRunner(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.Account(t.Context()); err == nil || errors.Is(err, session.ErrNoAccount) {
		t.Fatalf("the store answers after Close: %v", err)
	}
}

func mustCurrentBox(t *testing.T, a *app) session.Box {
	t.Helper()
	box, err := a.store.CurrentBox(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// The runner keeps the device session alive only in processes that show
// screens (the terminal TUI and serve); run and the one-shot commands
// show none, so they leave the device session to whoever does.
func TestRolesKeepTheDeviceSessionOnlyWithAScreen(t *testing.T) {
	for r, want := range map[role]bool{roleTUI: true, roleServe: true, roleRun: false, roleCLI: false} {
		if got := r.showsTUI(); got != want {
			t.Errorf("%s keeps the device session: %v, want %v", r, got, want)
		}
	}
}
