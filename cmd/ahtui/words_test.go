package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/scheduler"
)

// Issue 17, item 6: the words and exit statuses of the command line.

// `--week` takes an optional date: alone, `--week DATE` and `--week=DATE`.
func TestClassesWeekTakesADateInEveryForm(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	for _, args := range [][]string{
		{"classes", "--week", "2026-12-09", "--json"},
		{"classes", "--week=2026-12-09", "--json"},
		{"classes", "--json", "--week", "2026-12-09"},
	} {
		week := classJSONOut(t, e.mustRun("", args...))
		if len(week) != 28 {
			t.Errorf("%v: %d classes, want the 28 of a week", args, len(week))
		}
		// 9 Dec 2026 is a Wednesday: the week runs Monday 7 to Sunday 13.
		findByStart(t, week, "2026-12-07", "07:00")
		findByStart(t, week, "2026-12-13", "18:00")
	}
	// Alone: this week.
	findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--week", "--json")), "2026-11-23", "07:00")
	// A stray word is still a usage error, and a bad date says so.
	if r := e.run("", "classes", "--week", "soon"); r.code != exitUsage || !strings.Contains(r.stderr, "--week") {
		t.Errorf("--week soon: %v", r)
	}
	if r := e.run("", "classes", "tomorrow"); r.code != exitUsage {
		t.Errorf("classes tomorrow: %v", r)
	}
	if r := e.run("", "classes", "--day", "2026-12-09", "--week", "2026-12-09"); r.code != exitUsage {
		t.Errorf("--day and --week: %v", r)
	}
}

// A class that is over says so; one under way says it started; the
// minimum notice before the start is still "too close to the start".
func TestBookEndedOrStartedClassSaysSo(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	today := testToday.String()
	morning := strconv.FormatInt(e.classAt(testBox, testToday, "07:00").ID, 10)
	mobility := strconv.FormatInt(e.classAt(testBox, testToday, "10:45").ID, 10)

	r := e.run("", "book", morning, "--day", today)
	e.expectFailure(r, "WOD on 2026-11-25 at 07:00 has already ended")
	if strings.Contains(r.stderr, "too close") {
		t.Errorf("an ended class is called too close to the start: %s", r.stderr)
	}

	e.fake.SetSessionLifetime(24 * time.Hour) // the hour below is not about sessions
	e.clock.Advance(40 * time.Minute)         // 10:40, five minutes before MOBILITY
	r = e.run("", "book", mobility, "--day", today)
	e.expectFailure(r, "too close to the start")

	e.clock.Advance(20 * time.Minute) // 11:00: MOBILITY runs until 11:45
	r = e.run("", "book", mobility, "--day", today)
	e.expectFailure(r, "MOBILITY on 2026-11-25 at 10:45 has already started")
	if e.activeReservations() != 0 {
		t.Error("a refused booking left a reservation")
	}
}

// An unknown id, or a real id on the wrong day, says there is no such
// class, as prebook add does, not AimHarder's code and Spanish words.
func TestBookUnknownClassSaysNoSuchClass(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(1)
	wod := strconv.FormatInt(e.classAt(testBox, day, "18:00").ID, 10)
	for _, args := range [][]string{
		{"book", "999999", "--day", day.String()},
		{"book", wod, "--day", day.AddDays(1).String()},
		{"prebook", "add", "999999", "--day", day.String()},
	} {
		r := e.run("", args...)
		e.expectFailure(r, "no class with that id on ", "ahtui classes --day")
		for _, bad := range []string{"code", "Clase", "refused"} {
			if strings.Contains(r.stderr, bad) {
				t.Errorf("%v says %q: %s", args, bad, r.stderr)
			}
		}
	}
}

// Every command that needs a session exits 3 before login and after
// logout; those that do not (status, prebook list, config) exit 0.
func TestCommandsThatNeedASessionExit3(t *testing.T) {
	e := newCLIEnv(t)
	day := testToday.AddDays(1).String()
	needs := [][]string{
		{"boxes"}, {"boxes", "--json"}, {"box", "use", testBox}, {"classes"}, {"classes", "--week"},
		{"book", "1", "--day", day}, {"cancel", "1", "--day", day}, {"prebook", "add", "1", "--day", day},
	}
	check := func(when string) {
		t.Helper()
		for _, args := range needs {
			r := e.run("", args...)
			if r.code != exitNoSession || !strings.Contains(r.stderr, "ahtui login") || r.stdout != "" {
				t.Errorf("%s, %v: want exit 3 saying to log in: %v", when, args, r)
			}
		}
		for _, args := range [][]string{{"status"}, {"status", "--json"}, {"prebook", "list"}, {"config"}} {
			if r := e.run("", args...); r.code != exitOK {
				t.Errorf("%s, %v: want exit 0: %v", when, args, r)
			}
		}
	}
	// A database that exists (config created it) but was never logged in.
	e.mustRun("", "config", "refresh_after", "20m")
	check("before login")
	e.login()
	e.mustRun("", "logout")
	check("after logout")
}

// Commands that create no state leave a missing --db folder missing and
// say there is no database; login creates it, private.
func TestMissingDatabaseIsNotCreated(t *testing.T) {
	e := newCLIEnv(t)
	dir := filepath.Dir(e.db)
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"prebook", "list"}, {"logout"}} {
		e.expectFailure(e.run("", args...), "there is no ahtui database at "+e.db, "nothing was created", "--db")
	}
	for _, args := range [][]string{{"boxes"}, {"classes", "--week"}, {"book", "1", "--day", "2026-11-26"}} {
		r := e.run("", args...)
		if r.code != exitNoSession || !strings.Contains(r.stderr, "there is no ahtui database at "+e.db) ||
			!strings.Contains(r.stderr, "ahtui login") {
			t.Errorf("%v: want exit 3 saying there is no database: %v", args, r)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("a read-only command created %s (%v)", dir, err)
	}
	e.login()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("login's folder: %v, %v; want mode 700", fi, err)
	}
}

// Issue 17, item 5: logout says what stops working, and status then says
// the account is logged out.
func TestLogoutWarnsAndStatusSaysLoggedOut(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	for _, d := range []int{5, 6} {
		day := testToday.AddDays(d)
		e.mustRun("", "prebook", "add", strconv.FormatInt(e.classAt(testBox, day, "18:00").ID, 10), "--day", day.String())
	}
	a := e.open(e.clock.Now)
	if _, err := a.store.AcquireRunnerLease(t.Context(), scheduler.RunnerLeaseName, "run-test", time.Hour); err != nil {
		t.Fatal(err)
	}

	var before struct {
		LoggedIn bool `json:"logged_in"`
	}
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &before); err != nil || !before.LoggedIn {
		t.Errorf("status --json before logout: logged_in %v (%v)", before.LoggedIn, err)
	}

	r := e.mustRun("", "logout")
	if !strings.Contains(r.stdout, "Logged out.") {
		t.Errorf("logout: %v", r)
	}
	for _, w := range []string{"2 pending prebookings", "TEAM WOD on 2026-11-30 at 18:00", "will fail", "ahtui login",
		"the runner (pid", "cannot book anything"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("logout's warning lacks %q: %v", w, r)
		}
	}
	if n := len(e.fake.Sessions(testEmail)); n != 0 {
		t.Errorf("%d server sessions left after logout", n)
	}

	st := e.mustRun("", "status")
	for _, w := range []string{"Ana Test <" + testEmail + "> · logged out (run `ahtui login`)", "cannot book until you log in again"} {
		if !strings.Contains(st.stdout, w) {
			t.Errorf("status after logout lacks %q:\n%s", w, st.stdout)
		}
	}
	var after struct {
		Account  *struct{ Email string }
		LoggedIn *bool `json:"logged_in"`
		Sessions []any
	}
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &after); err != nil {
		t.Fatal(err)
	}
	if after.Account == nil || after.Account.Email != testEmail || after.LoggedIn == nil || *after.LoggedIn || len(after.Sessions) != 0 {
		t.Errorf("status --json after logout: %+v", after)
	}

	// Logging out again is harmless and warns of nothing.
	if r := e.mustRun("", "logout"); !strings.Contains(r.stdout, "not logged in") || r.stderr != "" {
		t.Errorf("second logout: %v", r)
	}
}
