package tui

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// watchAccount is the fake account service that also watches full classes
// (the plain fakeAccount does not: the key then says so).
type watchAccount struct {
	*fakeAccount
	mu      sync.Mutex
	watches []session.Watch
	err     error
	calls   []string
}

func (a *watchAccount) AddWatch(_ context.Context, k session.Kind, box session.Box, classID int64, date aimharder.Date, book bool) (account.WatchResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, fmt.Sprintf("watch %s %d %s book=%v", k, classID, date, book))
	if a.err != nil {
		return account.WatchResult{}, a.err
	}
	w := session.Watch{ID: int64(len(a.watches) + 1), BoxID: box.ID, ClassID: classID, Day: date, Book: book, State: session.WatchWatching}
	a.watches = append(a.watches, w)
	return account.WatchResult{Watch: w}, nil
}

func (a *watchAccount) Watches(context.Context) ([]session.Watch, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]session.Watch(nil), a.watches...), nil
}

func (a *watchAccount) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// withWatches makes the env's account service watch full classes.
func (e *env) withWatches() *watchAccount {
	a := &watchAccount{fakeAccount: e.acct}
	e.m.cfg.Account = a
	return a
}

func requireWatchCalls(t *testing.T, a *watchAccount, want ...string) {
	t.Helper()
	if got := a.Calls(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("watch calls %q, want %q", got, want)
	}
}

// TestWatchFullClassBooks: a on a full class asks, enter (the default)
// watches it to book the first place that frees, the toast and the detail
// say so, and a second a does not ask again.
func TestWatchFullClassBooks(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	a := e.withWatches()
	wt := e.m.tx.Watch()
	c := e.pick(grid.Full)
	e.key("a")
	d := e.requireDialog(wt.Title)
	if len(d.Choices) != 2 || d.Choices[0].Label != wt.ChoiceBook || d.Choices[1].Label != wt.ChoiceTell {
		t.Fatalf("watch dialog choices %+v", d.Choices)
	}
	e.requireContains("book the first place that frees")
	e.requireContains("only tell me")
	e.key("enter")
	requireWatchCalls(t, a, fmt.Sprintf("watch %s %d %s book=true", session.KindDevice, c.ID, c.Date))
	e.requireToast("the first place that frees is booked for you")
	e.requireContains("Watching")
	e.requireContains("books the first free place")
	e.requireCalls() // nothing booked now
	e.key("a")
	if e.m.dialog.IsOpen() {
		t.Fatal("a on a watched class asked again")
	}
	e.requireToast("already watched")
	requireWatchCalls(t, a, fmt.Sprintf("watch %s %d %s book=true", session.KindDevice, c.ID, c.Date))
}

// TestWatchFullClassOnlyTells: t answers "only tell me".
func TestWatchFullClassOnlyTells(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	a := e.withWatches()
	c := e.pick(grid.Full)
	e.key("a", "t")
	requireWatchCalls(t, a, fmt.Sprintf("watch %s %d %s book=false", session.KindDevice, c.ID, c.Date))
	e.requireToast("you are told when a place frees")
	e.requireContains("tells you when a place frees")
}

// TestWatchDialogNo: n closes the dialog and watches nothing.
func TestWatchDialogNo(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	a := e.withWatches()
	e.pick(grid.Full)
	e.key("a")
	e.requireDialog(e.m.tx.Watch().Title)
	e.requireContains("don't watch")
	e.key("n")
	if e.m.dialog.IsOpen() {
		t.Fatal("n did not close the dialog")
	}
	requireWatchCalls(t, a)
}

// TestWatchRefusedSaysWhy: the service's refusal shows in member words,
// in English and Spanish.
func TestWatchRefusedSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		err  error
		want string
	}{
		{i18n.EN, account.ErrWatchClosed, "Not watched: booking for that class has closed"},
		{i18n.EN, account.ErrClassHasPlaces, "Not watched: it has free places: book it now"},
		{i18n.EN, account.ErrAlreadyWatched, "that class is already watched"},
		{i18n.ES, account.ErrNotOpenYet, "No se vigila: la reserva aún no está abierta"},
		{i18n.ES, account.ErrClassStarted, "esa clase ya ha empezado"},
	} {
		e := newEnv(t, 80, 24, tc.lang)
		a := e.withWatches()
		a.err = tc.err
		e.pick(grid.Full)
		e.key("a", "enter")
		if len(a.Calls()) != 1 {
			t.Fatalf("%v: %d watch calls", tc.err, len(a.Calls()))
		}
		e.requireToast(tc.want)
		if strings.Contains(e.screen(), e.m.tx.Watch().Books) {
			t.Fatalf("%v: a refused watch shows as watched", tc.err)
		}
	}
}

// TestWatchKeyOnlyOnFullClasses: a does nothing but explain on a class
// with places, and the footer offers it only on a full one.
func TestWatchKeyOnlyOnFullClasses(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	a := e.withWatches()
	e.pick(grid.Open)
	if strings.Contains(e.footerLine(), "a watch") {
		t.Fatalf("footer on an open class offers a: %q", e.footerLine())
	}
	e.key("a")
	if e.m.dialog.IsOpen() {
		t.Fatal("a on an open class opened a dialog")
	}
	e.requireToast("Only a full class can be watched")
	requireWatchCalls(t, a)
	e.requireCalls()
	e.pick(grid.Full)
	if !strings.Contains(e.footerLine(), "a watch") {
		t.Fatalf("footer on a full class lacks a: %q", e.footerLine())
	}
}

// TestWatchUnavailable: an account service that watches nothing says so.
func TestWatchUnavailable(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.pick(grid.Full)
	e.key("a")
	if e.m.dialog.IsOpen() {
		t.Fatal("a opened a dialog without a watch service")
	}
	e.requireToast("not available")
}

// TestWatchesLoadedFromTheService: a watch made elsewhere (the CLI) shows
// in the detail after the store's reload.
func TestWatchesLoadedFromTheService(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.ES)
	a := e.withWatches()
	c := e.pick(grid.Full)
	a.watches = []session.Watch{{ID: 7, BoxID: e.m.box.ID, ClassID: c.ID, Day: c.Date, State: session.WatchWatching}}
	e.run(e.m.loadStore())
	e.requireContains("Vigilando")
	e.requireContains("Vigilando  te avisa cuando quede")
	a.watches[0].State = session.WatchEnded
	e.run(e.m.loadStore())
	if strings.Contains(e.screen(), "Vigilando") {
		t.Fatal("an ended watch still shows")
	}
}

// TestWatchWordsComplete: every watch text is set in both languages.
func TestWatchWordsComplete(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		v := reflect.ValueOf(*i18n.For(lang).Watch())
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%v: watch text %s is empty", lang, v.Type().Field(i).Name)
			}
		}
	}
}
