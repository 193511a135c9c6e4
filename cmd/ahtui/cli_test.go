package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

func TestLoginStoresNoPasswordAndPicksBox(t *testing.T) {
	e := newCLIEnv(t)
	r := e.mustRun(testPassword+"\n", "login", "--email", testEmail, "--password-stdin")
	if !strings.Contains(r.stdout, "Logged in as Ana Test") {
		t.Errorf("login output: %v", r)
	}
	// Two boxes and none chosen: the member is told how to choose.
	if !strings.Contains(r.stdout, "ahtui box use") || !strings.Contains(r.stdout, testBox) {
		t.Errorf("login should list the boxes and say how to choose: %v", r)
	}
	e.mustRun("", "box", "use", privateBox)
	st := e.mustRun("", "status", "--json")

	// Two sessions, two fingerprints, both live on the server.
	if n := len(e.fake.Sessions(testEmail)); n != 2 {
		t.Errorf("server has %d sessions for the member, want 2 (device and background)", n)
	}
	var status struct {
		Account  struct{ Email string }
		Box      struct{ Subdomain string }
		Sessions []struct {
			Kind, State string
			LastError   *string `json:"last_error"`
		}
	}
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil {
		t.Fatalf("status --json: %v\n%s", err, st.stdout)
	}
	if status.Account.Email != testEmail || status.Box.Subdomain != privateBox || len(status.Sessions) != 2 {
		t.Errorf("status: %+v", status)
	}
	for _, s := range status.Sessions {
		if s.State != "live" || s.LastError != nil {
			t.Errorf("session %+v, want live without error", s)
		}
	}

	// The password is nowhere: not in the database files, the outputs or the log.
	files, _ := filepath.Glob(e.db + "*")
	logs, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "ahtui", "*"))
	for _, f := range append(files, logs...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), testPassword) {
			t.Errorf("%s contains the password", f)
		}
	}
	for _, out := range []string{r.stdout, r.stderr, st.stdout, st.stderr} {
		if strings.Contains(out, testPassword) {
			t.Errorf("output contains the password: %s", out)
		}
	}
	// Private folder and file.
	for path, want := range map[string]os.FileMode{e.db: 0o600, filepath.Dir(e.db): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %o, want %o", path, got, want)
		}
	}
}

func TestLoginFailures(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run("wrong\n", "login", "--email", testEmail, "--password-stdin")
	if r.code != exitFailed || !strings.Contains(r.stderr, "wrong e-mail or password") {
		t.Errorf("wrong password: %v", r)
	}
	// Not a terminal and no --password-stdin: a usage error, not a hang.
	r = e.run("", "login", "--email", testEmail)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--password-stdin") {
		t.Errorf("no terminal: %v", r)
	}
	// Commands before any login say so, with exit 3.
	r = e.run("", "classes")
	if r.code != exitNoSession || !strings.Contains(r.stderr, "ahtui login") {
		t.Errorf("classes before login: %v", r)
	}
}

// classJSONOut decodes `classes --json`.
func classJSONOut(t *testing.T, r result) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("classes --json: %v\n%s", err, r.stdout)
	}
	return out
}

func findByStart(t *testing.T, classes []map[string]any, day, start string) map[string]any {
	t.Helper()
	for _, c := range classes {
		if c["day"] == day && c["start"] == start {
			return c
		}
	}
	t.Fatalf("no class at %s %s in %v", day, start, classes)
	return nil
}

func TestClassesJSONContract(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(1).String()
	classes := classJSONOut(t, e.mustRun("", "classes", "--day", day, "--json"))
	if len(classes) != 4 {
		t.Fatalf("got %d classes, want 4", len(classes))
	}
	wod := findByStart(t, classes, day, "07:00")
	keys := []string{"id", "box", "day", "start", "end", "starts_at", "name", "coach", "occupancy", "capacity",
		"waitlist", "state", "reservation_id", "opens_at", "attendees"}
	for _, k := range keys {
		if _, ok := wod[k]; !ok {
			t.Errorf("class JSON lacks %q: %v", k, wod)
		}
	}
	want := e.classAt(testBox, testToday.AddDays(1), "07:00")
	if id, _ := wod["id"].(float64); int64(id) != want.ID {
		t.Errorf("id %v, want %d", wod["id"], want.ID)
	}
	if wod["box"] != testBox || wod["end"] != "08:00" || wod["name"] != "WOD" || wod["coach"] != "Carlos Ruiz" {
		t.Errorf("class fields: %v", wod)
	}
	if wod["starts_at"] != "2026-11-26T07:00:00+01:00" {
		t.Errorf("starts_at %v, want the box's offset", wod["starts_at"])
	}
	if wod["occupancy"] != 3.0 || wod["capacity"] != 14.0 || wod["state"] != "open" || wod["reservation_id"] != nil {
		t.Errorf("occupancy/capacity/state: %v", wod)
	}
	if att, ok := wod["attendees"].([]any); !ok || len(att) != 3 {
		t.Errorf("attendees %v, want the 3 names", wod["attendees"])
	}
	// The box's rule is not known until AimHarder states it.
	if wod["opens_at"] != nil {
		t.Errorf("opens_at %v before any rule is known", wod["opens_at"])
	}
	if full := findByStart(t, classes, day, "12:00"); full["state"] != "full" {
		t.Errorf("a full class has state %v", full["state"])
	}

	// A box that keeps its attendee list private: attendees null.
	e.mustRun("", "box", "use", privateBox)
	priv := classJSONOut(t, e.mustRun("", "classes", "--day", day, "--json"))
	if c := findByStart(t, priv, day, "07:00"); c["attendees"] != nil {
		t.Errorf("private box attendees %v, want null", c["attendees"])
	}

	// Today's early class is past; the week has 7 days of 4 classes.
	e.mustRun("", "box", "use", testBox)
	week := classJSONOut(t, e.mustRun("", "classes", "--week", "--json"))
	if len(week) != 28 {
		t.Errorf("week has %d classes, want 28", len(week))
	}
	if c := findByStart(t, week, testToday.String(), "07:00"); c["state"] != "past" {
		t.Errorf("this morning's class has state %v, want past", c["state"])
	}
	if c := findByStart(t, week, "2026-11-23", "18:00"); c["state"] != "past" {
		t.Errorf("Monday's class has state %v (the week runs Monday to Sunday)", c["state"])
	}
}

func TestClassesHumanTable(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	r := e.mustRun("", "classes", "--day", testToday.AddDays(1).String())
	for _, want := range []string{"Thursday 26 November 2026", "07:00-08:00", "WOD", "3/14", "full", "Carlos Ruiz"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestToleratesShapeVariants(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.fake.SetShape(aimhardertest.Shape{LimitWithWaitlist: true, NumbersAsStrings: true, PaddedNames: true,
		ExtraKeys: true, MissingOptional: true, CompactTime: true})
	day := testToday.AddDays(1)
	// Fill the 12:00 class's waitlist with two people so "2 (2)" shows.
	e.mustRun("", "book", strconv.FormatInt(e.classAt(testBox, day, "12:00").ID, 10), "--day", day.String(), "--waitlist")
	classes := classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json"))
	full := findByStart(t, classes, day.String(), "12:00")
	if full["capacity"] != 2.0 || full["waitlist"] != 1.0 || full["name"] != "BARBELL" || full["coach"] != "Pablo Serrano" {
		t.Errorf("shape variants decoded as %v", full)
	}
	if full["state"] != "waitlisted" {
		t.Errorf("state %v, want waitlisted", full["state"])
	}
}

func TestBookAndCancel(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(1)
	class := e.classAt(testBox, day, "18:00")
	id := strconv.FormatInt(class.ID, 10)

	before := e.credits()
	r := e.mustRun("", "book", id, "--day", day.String())
	if !strings.Contains(r.stdout, "Booked") {
		t.Errorf("book: %v", r)
	}
	if got := e.activeReservations(); got != 1 {
		t.Fatalf("server has %d reservations, want 1", got)
	}
	c := findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json")), day.String(), "18:00")
	if c["state"] != "booked" || c["reservation_id"] == nil {
		t.Errorf("after booking: %v", c)
	}
	// Booking again is "already booked at that time": a success.
	r = e.mustRun("", "book", id, "--day", day.String())
	if !strings.Contains(r.stdout, "already booked") {
		t.Errorf("second book: %v", r)
	}

	// Cancel finds the reservation id itself.
	r = e.mustRun("", "cancel", id, "--day", day.String())
	if !strings.Contains(r.stdout, "Cancelled TEAM WOD") {
		t.Errorf("cancel: %v", r)
	}
	if got := e.activeReservations(); got != 0 {
		t.Errorf("server still has %d reservations", got)
	}
	if e.credits() != before {
		t.Errorf("credits %d after a timely cancel, want %d back", e.credits(), before)
	}
	r = e.run("", "cancel", id, "--day", day.String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "no booking") {
		t.Errorf("cancel without a booking: %v", r)
	}
}

func TestBookFullAndWaitlist(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(2)
	id := strconv.FormatInt(e.classAt(testBox, day, "12:00").ID, 10)
	r := e.run("", "book", id, "--day", day.String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "full") || !strings.Contains(r.stderr, "--waitlist") {
		t.Errorf("book a full class: %v", r)
	}
	r = e.mustRun("", "book", id, "--day", day.String(), "--waitlist")
	if !strings.Contains(r.stdout, "waitlist") {
		t.Errorf("waitlist: %v", r)
	}
	if info := e.classAt(testBox, day, "12:00"); len(info.Waiting) != 1 {
		t.Errorf("server waitlist %v", info.Waiting)
	}
}

func TestBookTooEarlyNamesTheOpening(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(6) // Tue 1 Dec: opens Fri 27 Nov at the class time
	class := e.classAt(testBox, day, "18:00")
	r := e.run("", "book", strconv.FormatInt(class.ID, 10), "--day", day.String())
	if r.code != exitFailed {
		t.Fatalf("too early: %v", r)
	}
	for _, want := range []string{"booking opens Fri 27 Nov 18:00", "in 2d 8h", "ahtui prebook add " + strconv.FormatInt(class.ID, 10) + " --day 2026-12-01"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("too-early message lacks %q: %s", want, r.stderr)
		}
	}
	// The refusal taught the box's rule: opens_at is now known.
	c := findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json")), day.String(), "18:00")
	if c["opens_at"] != "2026-11-27T18:00:00+01:00" || c["state"] != "not_open" {
		t.Errorf("after learning the rule: opens_at %v state %v", c["opens_at"], c["state"])
	}
	boxes := e.mustRun("", "config", "box."+testBox+".window")
	if strings.TrimSpace(boxes.stdout) != "4d" {
		t.Errorf("learned window %q, want 4d", boxes.stdout)
	}
}

func TestLateCancelNeedsConsent(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	soon := e.classAt(testBox, testToday, "10:45") // 45 minutes away, inside the 90-minute window
	id := strconv.FormatInt(soon.ID, 10)
	before := e.credits()
	e.mustRun("", "book", id, "--day", testToday.String())

	r := e.run("", "cancel", id, "--day", testToday.String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "credit") || !strings.Contains(r.stderr, "--late") {
		t.Errorf("late cancel without --late: %v", r)
	}
	if got := e.activeReservations(); got != 1 {
		t.Fatalf("the refused late cancel cancelled something: %d reservations left", got)
	}
	r = e.mustRun("", "cancel", id, "--day", testToday.String(), "--late")
	if !strings.Contains(r.stdout, "credit is lost") {
		t.Errorf("late cancel: %v", r)
	}
	if got := e.activeReservations(); got != 0 {
		t.Errorf("late cancel left %d reservations", got)
	}
	if e.credits() != before-1 {
		t.Errorf("credits %d after a late cancel, want %d (the credit is lost)", e.credits(), before-1)
	}
}

func TestSessionExpiredServerSide(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.fake.ForceLogout(testEmail, "")
	r := e.run("", "classes", "--day", testToday.AddDays(1).String())
	if r.code != exitNoSession || !strings.Contains(r.stderr, "log in again") {
		t.Errorf("expired session: %v", r)
	}
	// The public schedule the server still answers is never shown as the member's.
	if strings.Contains(r.stdout, "WOD") {
		t.Errorf("printed the public schedule as the member's: %s", r.stdout)
	}
	st := e.mustRun("", "status")
	if !strings.Contains(st.stdout, "dead") {
		t.Errorf("status after the server ended the session: %s", st.stdout)
	}

	// Logging in again recovers.
	e.mustRun(testPassword+"\n", "login", "--email", testEmail, "--password-stdin")
	e.mustRun("", "classes")
}

func TestExpiredSessionWithPasswordCommandLogsInAgain(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("", "config", "password_command", "cat "+pwFile)
	e.fake.ForceLogout(testEmail, "")
	e.mustRun("", "classes", "--day", testToday.AddDays(1).String())
	r := e.mustRun("", "status", "--json")
	if strings.Contains(r.stdout, testPassword) {
		t.Error("status shows the password")
	}
}

func TestTokenRefreshedBeforeUseWhenOld(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.clock.Advance(26 * time.Minute) // over refresh_before_fire (25m), under the fake's 30m lifetime
	e.mustRun("", "classes")
	var st statusJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Sessions {
		switch s.Kind {
		case "device":
			if s.TokenUpdateCount != 1 || s.TokenAgeSeconds != 0 {
				t.Errorf("device session %+v, want one refresh just now", s)
			}
		case "background":
			if s.TokenUpdateCount != 0 {
				t.Errorf("a CLI command rotated the background session: %+v", s)
			}
		}
	}
}

func TestConfig(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	e.mustRun("", "config", "box."+testBox+".window", "2d@12:00")
	if got := strings.TrimSpace(e.mustRun("", "config", "box."+testBox+".window").stdout); got != "2d@12:00" {
		t.Errorf("window %q", got)
	}
	day := testToday.AddDays(3)
	c := findByStart(t, classJSONOut(t, e.mustRun("", "classes", "--day", day.String(), "--json")), day.String(), "18:00")
	if c["opens_at"] != "2026-11-26T12:00:00+01:00" {
		t.Errorf("opens_at under 2d@12:00: %v", c["opens_at"])
	}
	// The member's rule wins over what a refusal teaches.
	far := e.classAt(testBox, testToday.AddDays(6), "18:00")
	e.run("", "book", strconv.FormatInt(far.ID, 10), "--day", testToday.AddDays(6).String())
	if got := strings.TrimSpace(e.mustRun("", "config", "box."+testBox+".window").stdout); got != "2d@12:00" {
		t.Errorf("a learned rule replaced the member's: %q", got)
	}

	e.mustRun("", "config", "box."+privateBox+".timezone", "Atlantic/Canary")
	e.mustRun("", "config", "refresh_after", "10m")
	e.mustRun("", "config", "family_id", "4243")
	list := e.mustRun("", "config").stdout
	for _, want := range []string{"box." + privateBox + ".timezone", "Atlantic/Canary", "refresh_after", "10m", "family_id", "4243"} {
		if !strings.Contains(list, want) {
			t.Errorf("config list lacks %q:\n%s", want, list)
		}
	}
	for _, bad := range [][]string{
		{"config", "box." + testBox + ".window", "sometimes"},
		{"config", "box." + testBox + ".timezone", "Mars/Olympus"},
		{"config", "refresh_after", "soon"},
		{"config", "no_such_key", "1"},
		{"config", "language", "fr"},
	} {
		if r := e.run("", bad...); r.code != exitUsage {
			t.Errorf("ahtui %v: %v, want a usage error", bad, r)
		}
	}
	e.mustRun("", "config", "--unset", "family_id")
	if got := strings.TrimSpace(e.mustRun("", "config", "family_id").stdout); got != "" {
		t.Errorf("family_id after unset: %q", got)
	}
}

func TestUsageErrors(t *testing.T) {
	e := newCLIEnv(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"book", "123"},
		{"book", "abc", "--day", "2026-11-26"},
		{"book", "123", "--day", "26/11/2026"},
		{"classes", "--day", "2026-11-26", "--week"},
		{"classes", "--nope"},
		{"cancel"},
	} {
		if r := e.run("", args...); r.code != exitUsage {
			t.Errorf("ahtui %v: %v, want exit 2", args, r)
		}
	}
}

func TestJSONOutputsHoldNoSecrets(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	outputs := []string{
		e.mustRun("", "status", "--json").stdout,
		e.mustRun("", "boxes", "--json").stdout,
		e.mustRun("", "classes", "--week", "--json").stdout,
	}
	store := e.open(e.clock.Now).store
	for _, kind := range session.Kinds {
		sess, err := store.Session(context.Background(), kind)
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{sess.Credentials.Token}
		for _, v := range sess.Credentials.Cookies {
			secrets = append(secrets, v)
		}
		for _, secret := range secrets {
			for _, out := range outputs {
				if len(secret) >= 8 && strings.Contains(out, secret) {
					t.Errorf("a %s token or cookie appears in --json output", kind)
				}
			}
		}
	}
}

func TestBoxesAndLogout(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	var boxes []boxJSON
	if err := json.Unmarshal([]byte(e.mustRun("", "boxes", "--json").stdout), &boxes); err != nil {
		t.Fatal(err)
	}
	if len(boxes) != 2 || boxes[0].Subdomain != testBox || !boxes[0].Current || boxes[0].Name != "Test Box test-box" ||
		boxes[0].ID != 501 || boxes[0].Timezone != "Europe/Madrid" || boxes[1].Current {
		t.Errorf("boxes: %+v", boxes)
	}
	if r := e.run("", "box", "use", "nowhere"); r.code != exitUsage {
		t.Errorf("box use of an unknown box: %v", r)
	}
	e.mustRun("", "box", "use", "502")
	if !strings.Contains(e.mustRun("", "boxes").stdout, "* ") {
		t.Error("the human list does not mark the current box")
	}

	e.mustRun("", "logout")
	if n := len(e.fake.Sessions(testEmail)); n != 0 {
		t.Errorf("%d sessions still live on the server after logout", n)
	}
	if r := e.run("", "classes"); r.code != exitNoSession {
		t.Errorf("classes after logout: %v", r)
	}
	var st statusJSON
	json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &st)
	if len(st.Sessions) != 0 {
		t.Errorf("sessions after logout: %+v", st.Sessions)
	}
}

// TestBookAnsweredByAPage: AimHarder answers a book with a page (HTML)
// instead of JSON. That is not a logout (docs/protocol.md §10): ahtui
// reads the day and tells the truth — booked (exit 0), or not booked
// and an unexpected answer (exit 1) — and only when whoami confirms the
// session is over does it say so (exit 3).
func TestBookAnsweredByAPage(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	day := testToday.AddDays(1)
	id := strconv.FormatInt(e.classAt(testBox, day, "18:00").ID, 10)
	page := func(processed bool) {
		e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, AfterProcessing: processed, Times: 1,
			Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	}

	page(true)
	r := e.run("", "book", id, "--day", day.String())
	if r.code != exitOK || !strings.Contains(r.stdout, "Booked") {
		t.Fatalf("book processed, answered by a page: %v", r)
	}
	if got := e.activeReservations(); got != 1 {
		t.Fatalf("server has %d reservations, want 1", got)
	}
	e.mustRun("", "cancel", id, "--day", day.String())

	page(false)
	r = e.run("", "book", id, "--day", day.String())
	if r.code != exitFailed || !strings.Contains(r.stderr, "unexpected answer") || strings.Contains(r.stderr, "expired") {
		t.Fatalf("book not processed, answered by a page: %v", r)
	}
	if got := e.activeReservations(); got != 0 {
		t.Fatalf("server has %d reservations, want 0", got)
	}
	e.mustRun("", "classes", "--day", day.String()) // the session lives

	e.fake.ForceLogout(testEmail, "")
	page(false)
	r = e.run("", "book", id, "--day", day.String())
	if r.code != exitNoSession || !strings.Contains(r.stderr, "expired") {
		t.Fatalf("book answered by a page while logged out: %v", r)
	}
}
