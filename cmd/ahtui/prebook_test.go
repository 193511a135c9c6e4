package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
)

// bookRequests counts the book requests the fake received.
func (e *cliEnv) bookRequests() int {
	n := 0
	for _, r := range e.fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointBook {
			n++
		}
	}
	return n
}

func (e *cliEnv) prebookings() []prebookingJSON {
	e.t.Helper()
	r := e.mustRun("", "prebook", "list", "--json")
	var list []prebookingJSON
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		e.t.Fatalf("prebook list --json: %v\n%s", err, r.stdout)
	}
	return list
}

// The window of the box is unknown at first: the first prebooking tries
// to book once, AimHarder says "too early" with the window, ahtui learns
// it and stores the opening; the next prebooking needs no attempt.
func TestPrebookAddLearnsTheWindowThenListAndRemove(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(5) // Mon 30 Nov: opens Thu 26 Nov, at the class's time
	evening := e.classAt(testBox, day, "18:00")

	r := e.mustRun("", "prebook", "add", strconv.FormatInt(evening.ID, 10), "--day", day.String())
	if !strings.Contains(r.stdout, "Prebooked #1: TEAM WOD on 2026-11-30 at 18:00") ||
		!strings.Contains(r.stdout, "Booking opens Thu 26 Nov 18:00 (in 1d 8h)") ||
		!strings.Contains(r.stdout, "Keep `ahtui`, `ahtui run` or `ahtui serve` running") {
		t.Errorf("prebook add: %v", r)
	}
	if n := e.bookRequests(); n != 1 {
		t.Errorf("%d book requests to learn the window, want 1", n)
	}
	if n := e.activeReservations(); n != 0 {
		t.Errorf("%d reservations after a too-early attempt", n)
	}
	if got := e.mustRun("", "config", "box."+testBox+".window").stdout; !strings.Contains(got, "4d") {
		t.Errorf("learned window: %q", got)
	}

	morning := e.classAt(testBox, day, "07:00")
	r = e.mustRun("", "prebook", "add", strconv.FormatInt(morning.ID, 10), "--day", day.String(), "--waitlist")
	if !strings.Contains(r.stdout, "Booking opens Thu 26 Nov 07:00") {
		t.Errorf("second prebook add: %v", r)
	}
	if n := e.bookRequests(); n != 1 {
		t.Errorf("the known window still cost a booking attempt (%d requests)", n)
	}

	list := e.prebookings()
	if len(list) != 2 {
		t.Fatalf("prebook list: %+v", list)
	}
	// Soonest opening first, times in the box's zone.
	first, second := list[0], list[1]
	if first.ClassID != morning.ID || first.OpensAt == nil || *first.OpensAt != "2026-11-26T07:00:00+01:00" ||
		first.StartsAt != "2026-11-30T07:00:00+01:00" || !first.Waitlist || first.Status != "pending" || first.Box != testBox {
		t.Errorf("first prebooking: %+v", first)
	}
	if second.ClassID != evening.ID || second.OpensAt == nil || *second.OpensAt != "2026-11-26T18:00:00+01:00" || second.Waitlist {
		t.Errorf("second prebooking: %+v", second)
	}
	text := e.mustRun("", "prebook", "list").stdout
	if !strings.Contains(text, "TEAM WOD") || !strings.Contains(text, "Thu 26 Nov 18:00 (in 1d 8h)") {
		t.Errorf("prebook list:\n%s", text)
	}

	if r := e.run("", "prebook", "add", strconv.FormatInt(evening.ID, 10), "--day", day.String()); r.code != exitFailed ||
		!strings.Contains(r.stderr, "already prebooked") {
		t.Errorf("duplicate: %v", r)
	}

	id := strconv.FormatInt(second.ID, 10)
	if r := e.mustRun("", "prebook", "rm", id); !strings.Contains(r.stdout, "Removed prebooking #"+id+": TEAM WOD on 2026-11-30 at 18:00") {
		t.Errorf("rm: %v", r)
	}
	if r := e.run("", "prebook", "rm", id); r.code != exitFailed || !strings.Contains(r.stderr, "is cancelled and can no longer be removed") {
		t.Errorf("rm twice: %v", r)
	}
	if r := e.run("", "prebook", "rm", "4242"); r.code != exitFailed || !strings.Contains(r.stderr, "no prebooking #4242") {
		t.Errorf("rm unknown: %v", r)
	}
	if got := e.prebookings(); len(got) != 1 {
		t.Errorf("list after rm: %+v", got)
	}
	all := e.mustRun("", "prebook", "list", "--json", "--all")
	if !strings.Contains(all.stdout, `"cancelled"`) {
		t.Errorf("--all should show the removed one: %s", all.stdout)
	}
}

// When booking is already open, `prebook add` simply books the class.
func TestPrebookAddBooksWhenTheWindowIsOpen(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	for _, rule := range []string{"", "4d"} { // unknown, then set by the member
		if rule != "" {
			e.mustRun("", "config", "box."+testBox+".window", rule)
		}
		day := testToday.AddDays(1)
		hhmm := map[string]string{"": "18:00", "4d": "07:00"}[rule]
		c := e.classAt(testBox, day, hhmm)
		r := e.mustRun("", "prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String())
		if !strings.Contains(r.stdout, "already open, so it was booked now (booked, reservation ") {
			t.Errorf("rule %q: %v", rule, r)
		}
	}
	if n := e.activeReservations(); n != 2 {
		t.Errorf("%d reservations, want 2", n)
	}
	if got := e.prebookings(); len(got) != 0 {
		t.Errorf("a class booked at once left a prebooking: %+v", got)
	}
	// Booked already: nothing to prebook, and no second booking.
	c := e.classAt(testBox, testToday.AddDays(1), "18:00")
	r := e.mustRun("", "prebook", "add", strconv.FormatInt(c.ID, 10), "--day", testToday.AddDays(1).String())
	if !strings.Contains(r.stdout, "already booked") {
		t.Errorf("already booked: %v", r)
	}
}

func TestPrebookErrors(t *testing.T) {
	e := newCLIEnv(t)
	day := testToday.AddDays(5).String()
	if r := e.run("", "prebook", "add", "123", "--day", day); r.code != exitNoSession {
		t.Errorf("not logged in: %v", r)
	}
	e.login()
	for _, tc := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"prebook"}, exitUsage, "prebook add"},
		{[]string{"prebook", "add", "123"}, exitUsage, "--day is required"},
		{[]string{"prebook", "add", "abc", "--day", day}, exitUsage, "not a class id"},
		{[]string{"prebook", "add", "123", "--day", "30/11/2026"}, exitUsage, "--day"},
		{[]string{"prebook", "add", "123", "--day", day}, exitFailed, "no class with that id"},
		{[]string{"prebook", "rm", "x"}, exitUsage, "not a prebooking id"},
		{[]string{"prebook", "list", "extra"}, exitUsage, ""},
	} {
		r := e.run("", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.say) {
			t.Errorf("ahtui %s: %v", strings.Join(tc.args, " "), r)
		}
	}
	past := e.classAt(testBox, testToday, "07:00")
	if r := e.run("", "prebook", "add", strconv.FormatInt(past.ID, 10), "--day", testToday.String()); r.code != exitFailed ||
		!strings.Contains(r.stderr, "has already started") {
		t.Errorf("class that started: %v", r)
	}
}

// status shows the last clock estimate a runner stored and warns when a
// prebooking is near while the background session is dead.
func TestStatusShowsClockAndHealth(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.mustRun("", "config", "box."+testBox+".window", "4d")
	day := testToday.AddDays(4) // Sun 29 Nov 12:00 opens today at 12:00, in 2 hours
	c := e.classAt(testBox, day, "12:00")
	e.mustRun("", "prebook", "add", strconv.FormatInt(c.ID, 10), "--day", day.String())

	store := e.open(e.clock.Now).store
	est := scheduler.ClockEstimate{Offset: 1500 * time.Millisecond, Error: 12 * time.Millisecond,
		RTT: 20 * time.Millisecond, MeasuredAt: e.clock.Now().Add(-3 * time.Minute)}
	if err := scheduler.SaveClockEstimate(t.Context(), store, est); err != nil {
		t.Fatal(err)
	}
	sess, _ := store.Session(t.Context(), session.KindBackground)
	if err := store.MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}

	text := e.mustRun("", "status").stdout
	if !regexp.MustCompile(`AimHarder clock +\+1.500s ± 12ms, measured 3m ago`).MatchString(text) {
		t.Errorf("status clock line:\n%s", text)
	}
	if !strings.Contains(text, "Warning") || !strings.Contains(text, "fires in 2h 0m but the background session has expired") {
		t.Errorf("status warning:\n%s", text)
	}
	var st struct {
		Clock   *clockJSON `json:"clock"`
		Warning *string    `json:"warning"`
	}
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Clock == nil || st.Clock.OffsetMS != 1500 || st.Clock.ErrorMS != 12 || st.Clock.Broken || st.Warning == nil {
		t.Errorf("status --json: clock %+v warning %v", st.Clock, st.Warning)
	}

	// A clock more than 10 minutes off is reported as broken.
	est.Offset = -11 * time.Minute
	if err := scheduler.SaveClockEstimate(t.Context(), store, est); err != nil {
		t.Fatal(err)
	}
	if text := e.mustRun("", "status").stdout; !strings.Contains(text, "broken") {
		t.Errorf("broken clock not reported:\n%s", text)
	}
}

// A class not listed yet (its box lists it only once booking opens) is
// prebooked by day, time and name; one listed already is prebooked by its
// id. The window rule must be known for a class not listed.
func TestPrebookAddByName(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(5) // opens Thu 26 Nov at the class's time (rule 4d)
	args := []string{"prebook", "add", "--day", day.String(), "--time", "19:30", "--class", "Open Gym"}
	if r := e.run("", args...); r.code != exitFailed || !strings.Contains(r.stderr, "is not in the schedule yet") ||
		!strings.Contains(r.stderr, "box."+testBox+".window") {
		t.Errorf("unknown window: %v", r)
	}
	e.mustRun("", "config", "box."+testBox+".window", "4d")
	r := e.mustRun("", args...)
	if !strings.Contains(r.stdout, "Prebooked #1: Open Gym at 19:30 on 2026-11-30 ("+testBox+")") ||
		!strings.Contains(r.stdout, "not in the schedule yet") || !strings.Contains(r.stdout, "Booking opens Thu 26 Nov 19:30") {
		t.Errorf("prebook add by name: %v", r)
	}
	if r := e.run("", append(args[:len(args)-1], "OPEN GYM")...); r.code != exitFailed || !strings.Contains(r.stderr, "already prebooked") {
		t.Errorf("the same class again by name: %v", r)
	}
	list := e.prebookings()
	if len(list) != 1 || list[0].ClassID != 0 || !list[0].ByName || list[0].Name != "Open Gym" ||
		list[0].StartsAt != "2026-11-30T19:30:00+01:00" {
		t.Errorf("prebook list: %+v", list)
	}
	if text := e.mustRun("", "prebook", "list").stdout; !strings.Contains(text, "not listed yet") {
		t.Errorf("prebook list:\n%s", text)
	}
	// Listed already: prebooked by its id, on the box named.
	evening := e.classAt(privateBox, day, "18:00")
	r = e.mustRun("", "prebook", "add", "--day", day.String(), "--time", "18:00", "--class", "team wod", "--box", privateBox)
	if !strings.Contains(r.stdout, "Prebooked #2: TEAM WOD on 2026-11-30 at 18:00 ("+privateBox+")") {
		t.Errorf("by name, listed: %v", r)
	}
	if list := e.prebookings(); len(list) != 2 || list[0].ClassID != evening.ID || list[0].ByName { // soonest opening first
		t.Errorf("prebook list: %+v", list)
	}
	for _, bad := range [][]string{
		{"prebook", "add", "42", "--day", day.String(), "--time", "18:00", "--class", "WOD"},
		{"prebook", "add", "--day", day.String(), "--time", "18:00"},
		{"prebook", "add", "--day", day.String(), "--time", "25:00", "--class", "WOD"},
		{"prebook", "add", "--time", "18:00", "--class", "WOD"},
	} {
		if r := e.run("", bad...); r.code != exitUsage {
			t.Errorf("%v: %v, want a usage error", bad, r)
		}
	}
}
