package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// The test world: a box that shares its attendee list and one that does
// not, the same classes every day, and a member with credits.
const (
	testEmail    = "ana@example.test"
	testPassword = "correct-horse-battery-staple"
	testBox      = "test-box"
	privateBox   = "private-box"
)

// testNow is Wednesday 25 Nov 2026, 10:00 in Madrid.
var testNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

var testToday = aimharder.Date{Year: 2026, Month: time.November, Day: 25}

func testWorld() aimhardertest.World {
	daily := []aimhardertest.ClassTemplate{
		{Start: "07:00", Minutes: 60, Name: "WOD", Coach: "Carlos Ruiz", Capacity: 14, Booked: 3},
		{Start: "10:45", Minutes: 60, Name: "MOBILITY", Coach: "Irene Vidal", Capacity: 10, Booked: 1},
		{Start: "12:00", Minutes: 60, Name: "BARBELL", Coach: "Pablo Serrano", Capacity: 2, Booked: 2},
		{Start: "18:00", Minutes: 60, Name: "TEAM WOD", Capacity: 12},
	}
	box := func(id int64, sub string, share bool) aimhardertest.BoxConfig {
		return aimhardertest.BoxConfig{
			ID: id, Sub: sub, Name: " Test Box " + sub + " ", Timezone: "Europe/Madrid",
			Window:    aimhardertest.MustParseWindowRule("4d"),
			MinNotice: 15 * time.Minute, LateCancel: 90 * time.Minute,
			ShareAttendees: share, WaitlistCapacity: 3,
			Template: daily,
		}
	}
	credits := 20
	return aimhardertest.World{
		Seed:  7,
		Boxes: []aimhardertest.BoxConfig{box(501, testBox, true), box(502, privateBox, false)},
		Users: []aimhardertest.UserConfig{{
			ID: 777, Email: testEmail, Password: testPassword, Name: "Ana Test", Language: "es",
			Roles:   []aimhardertest.RoleConfig{{Box: testBox}, {Box: privateBox}},
			Credits: &credits,
		}},
	}
}

// cliEnv runs the ahtui command line in-process against a fake AimHarder,
// with a fixed clock shared by the fake and the commands.
type cliEnv struct {
	t     *testing.T
	fake  *aimhardertest.Server
	urls  aimhardertest.URLs
	clock *aimhardertest.ManualClock
	db    string
	// busyTimeout, when set, is how long commands wait for a locked
	// database (the product waits session.DefaultBusyTimeout).
	busyTimeout time.Duration
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("AHTUI_DB", "")
	clock := aimhardertest.NewManualClock(testNow)
	fake, urls := aimhardertest.Start(t, testWorld(), aimhardertest.WithClock(clock))
	return &cliEnv{t: t, fake: fake, urls: urls, clock: clock, db: filepath.Join(t.TempDir(), "data", "ahtui.db")}
}

// result is what one command printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs `ahtui args…` with stdin.
func (e *cliEnv) run(stdin string, args ...string) result {
	e.t.Helper()
	full := append([]string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal, "--box-url", e.urls.BoxTemplate}, args...)
	var out, errOut bytes.Buffer
	g := &globalOptions{now: e.clock.Now, busyTimeout: e.busyTimeout}
	code := execute(context.Background(), newRootCommandWith(strings.NewReader(stdin), &out, &errOut, g), full, &errOut)
	return result{out.String(), errOut.String(), code}
}

// mustRun runs a command that must succeed.
func (e *cliEnv) mustRun(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != exitOK {
		e.t.Fatalf("ahtui %s: %v", strings.Join(args, " "), r)
	}
	return r
}

// login logs the test member in and chooses the sharing box.
func (e *cliEnv) login() {
	e.t.Helper()
	e.mustRun(testPassword+"\n", "login", "--email", testEmail, "--password-stdin")
	e.mustRun("", "box", "use", testBox)
}

// classAt returns the fake's class of box at hh:mm on day.
func (e *cliEnv) classAt(box string, day aimharder.Date, hhmm string) aimhardertest.ClassInfo {
	e.t.Helper()
	for _, c := range e.fake.Classes(box, day) {
		if c.Start.Format("15:04") == hhmm {
			return c
		}
	}
	e.t.Fatalf("no class at %s on %s in %s", hhmm, day, box)
	return aimhardertest.ClassInfo{}
}

// activeReservations counts the member's live reservations on the server.
func (e *cliEnv) activeReservations() int {
	n := 0
	for _, r := range e.fake.Reservations(testEmail, "") {
		if r.Active {
			n++
		}
	}
	return n
}

// credits returns the member's remaining credits on the server.
func (e *cliEnv) credits() int {
	n, _ := e.fake.Credits(testEmail, "")
	return n
}

// open builds the app a command run at now would (the same database,
// endpoints and log), for a test to seed or read the database through;
// it is closed when the test ends.
func (e *cliEnv) open(now func() time.Time) *app {
	e.t.Helper()
	g := &globalOptions{dbPath: e.db, loginURL: e.urls.Login, portalURL: e.urls.Portal, boxURL: e.urls.BoxTemplate,
		now: now, busyTimeout: e.busyTimeout}
	a, err := g.newApp(context.Background(), appOptions{role: roleCLI})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { a.Close() })
	return a
}
