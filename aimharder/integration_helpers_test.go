package aimharder_test

// Integration tests: the client (package aimharder) against the fake
// AimHarder (package aimhardertest) over real HTTP. Both were written
// independently from docs/protocol.md; these tests check that
// they agree. Every test runs the fake on a ManualClock, so nothing here
// depends on how fast the machine is.
//
// Files: integration_helpers_test.go (world, env, helpers),
// integration_session_test.go (login, whoami, setrefresh, tokenUpdate,
// logout, ping), integration_schedule_test.go (day, week, attendees,
// nextBookings, wire-shape tolerance), integration_book_test.go (book,
// cancel, booking windows, races) and integration_faults_test.go (faults,
// timeouts, cancellation).

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

var (
	madrid = mustLoad("Europe/Madrid")
	canary = mustLoad("Atlantic/Canary")

	// t0 is Tue 13 Oct 2026 09:00 in Madrid, a week clear of any DST change.
	t0 = time.Date(2026, 10, 13, 9, 0, 0, 0, madrid)
	d0 = aimharder.DateOf(t0)
	d1 = d0.AddDays(1) // Wed 14 Oct: every window is open for it at t0
	d5 = d0.AddDays(5) // Sun 18 Oct: no window is open for it at t0
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The boxes of integrationWorld, as a client configures them.
var (
	norte   = aimharder.BoxRef{ID: 10122, Subdomain: "norte"} // nil Location: Europe/Madrid
	isla    = aimharder.BoxRef{ID: 20455, Subdomain: "isla", Location: canary}
	fijo    = aimharder.BoxRef{ID: 30871, Subdomain: "fijo", Location: madrid}
	carrera = aimharder.BoxRef{ID: 40404, Subdomain: "carrera", Location: madrid}
)

// Accounts. Passwords are secrets: no error or log line may contain them.
const (
	ana   = "ana@integration.test" // es; unlimited plan with 20 credits, a family member
	bea   = "bea@integration.test" // ca
	eve   = "eve@integration.test" // en
	pay   = "pay@integration.test" // payment pending
	broke = "broke@integration.test"
	plan  = "plan@integration.test" // plan covers OPEN BOX only
	quota = "quota@integration.test"

	password      = "Pw-Integration-2026-secret"
	wrongPassword = "Wrong-Pw-Integration-2026"
	fpUI          = "fp-ui-0123456789abcdefghijklmnopqrstuvwxyz0123456789"
	fpJob         = "fp-job-9876543210zyxwvutsrqponmlkjihgfedcba9876543210"

	anaID       = 4242
	anaFamilyID = "4243"
	racers      = 12
)

func racer(i int) string { return fmt.Sprintf("racer%02d@integration.test", i) }

// integrationWorld has four boxes:
//   - norte: Madrid, sliding 4 days, shares attendee lists, 15 min notice,
//     90 min late cancel, 3 bookings a day, waitlist of 2;
//   - isla: Atlantic/Canary, sliding 48 elapsed hours, no attendee lists;
//   - fijo: Madrid, fixed 12:00 two days before;
//   - carrera: Madrid, no window, for races.
func integrationWorld() aimhardertest.World {
	class := func(start, name string, capacity int) aimhardertest.ClassTemplate {
		return aimhardertest.ClassTemplate{Start: start, Name: name, Capacity: capacity}
	}
	with := func(t aimhardertest.ClassTemplate, edit func(*aimhardertest.ClassTemplate)) aimhardertest.ClassTemplate {
		edit(&t)
		return t
	}
	races := []aimhardertest.ClassTemplate{with(class("07:00", "LAST PLACE", 3), func(t *aimhardertest.ClassTemplate) { t.Booked = 2 })}
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
		races = append(races, class("18:00", "RACE "+name, 5))
	}
	w := aimhardertest.World{
		Seed: 2026,
		Boxes: []aimhardertest.BoxConfig{
			{ID: norte.ID, Sub: norte.Subdomain, Name: " CrossFit Norte ", Timezone: "Europe/Madrid",
				Window:    aimhardertest.MustParseWindowRule("4d"),
				MinNotice: 15 * time.Minute, LateCancel: 90 * time.Minute, MaxPerDay: 3, ShareAttendees: true, WaitlistCapacity: 2,
				Template: []aimhardertest.ClassTemplate{
					with(class("07:00", "WOD", 10), func(t *aimhardertest.ClassTemplate) { t.Booked, t.Coach = 3, "Carlos Ruiz" }),
					with(class("08:00", "WOD", 2), func(t *aimhardertest.ClassTemplate) { t.Booked, t.Waiting = 2, 1 }),     // full, one waiting
					with(class("09:30", "OPEN BOX", 12), func(t *aimhardertest.ClassTemplate) { t.Minutes = 90 }),           // empty
					with(class("12:00", "BARBELL", 1), func(t *aimhardertest.ClassTemplate) { t.Booked, t.Waiting = 1, 2 }), // full, waitlist full
					class("18:00", "WOD", 10),
					class("18:00", "YOGA", 10),
					class("19:00", "WOD", 10),
					class("20:00", "CONDITIONING", 10),
				}},
			{ID: isla.ID, Sub: isla.Subdomain, Name: "Isla Box", Timezone: "Atlantic/Canary",
				Window: aimhardertest.MustParseWindowRule("48h"), MinNotice: time.Hour,
				Template: []aimhardertest.ClassTemplate{
					with(class("09:00", "WOD", 8), func(t *aimhardertest.ClassTemplate) { t.Booked = 2 }),
					class("19:00", "WOD", 8),
				}},
			{ID: fijo.ID, Sub: fijo.Subdomain, Name: "Fijo BCN", Timezone: "Europe/Madrid",
				Window:   aimhardertest.MustParseWindowRule("2d@12:00"),
				Template: []aimhardertest.ClassTemplate{class("07:00", "WOD", 8), class("18:30", "WOD", 8)}},
			{ID: carrera.ID, Sub: carrera.Subdomain, Name: "Carrera", Timezone: "Europe/Madrid",
				MinNotice: 15 * time.Minute, WaitlistCapacity: 3, Template: races},
		},
		Users: []aimhardertest.UserConfig{
			{ID: anaID, Email: ana, Password: password, Name: " Ana Pérez ", Language: "es", Credits: new(20),
				// The coach role comes first: the box must still come out as a client box.
				Roles:  []aimhardertest.RoleConfig{{Box: "fijo", Role: "coach"}, {Box: "norte"}, {Box: "isla"}, {Box: "fijo"}, {Box: "carrera"}},
				Family: []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo Pérez"}}},
			{ID: 4250, Email: bea, Password: password, Name: "Bea Puig", Language: "ca",
				Roles: []aimhardertest.RoleConfig{{Box: "norte"}, {Box: "isla"}, {Box: "fijo"}}},
			{ID: 4251, Email: eve, Password: password, Name: "Eve Smith", Language: "en",
				Roles: []aimhardertest.RoleConfig{{Box: "norte"}, {Box: "isla"}, {Box: "fijo"}}},
			{ID: 4260, Email: pay, Password: password, Name: "Pay Pending", PaymentPending: true, Roles: []aimhardertest.RoleConfig{{Box: "norte"}}},
			{ID: 4261, Email: broke, Password: password, Name: "No Credit", Credits: new(0), Roles: []aimhardertest.RoleConfig{{Box: "norte"}}},
			{ID: 4262, Email: plan, Password: password, Name: "Open Box Only", Plan: []string{"OPEN BOX"}, Roles: []aimhardertest.RoleConfig{{Box: "norte"}}},
			{ID: 4263, Email: quota, Password: password, Name: "One A Week", Quota: 1, Roles: []aimhardertest.RoleConfig{{Box: "norte"}}},
		},
	}
	for i := range racers {
		w.Users = append(w.Users, aimhardertest.UserConfig{ID: int64(4300 + i), Email: racer(i), Password: password,
			Name: fmt.Sprintf("Racer %02d", i), Roles: []aimhardertest.RoleConfig{{Box: "carrera"}}})
	}
	return w
}

// env is one fake on a ManualClock and one client configured for it. It
// records every error the client returns and every credential it hands
// out; when the test ends it checks that no error, log line or
// Credentials string reveals a token, cookie value or password.
type env struct {
	t     *testing.T
	fake  *aimhardertest.Server
	urls  aimhardertest.URLs
	clock *aimhardertest.ManualClock
	c     *aimharder.Client
	ctx   context.Context

	logs lockedBuffer

	mu        sync.Mutex
	texts     []string // error strings and Credentials renderings to check
	secrets   map[string]bool
	exchanges []aimharder.Exchange
}

// newEnv starts integrationWorld at t0.
func newEnv(t *testing.T) *env { return startEnv(t, integrationWorld(), t0, nil) }

// startEnv starts a fake of w with its clock at start, and a client whose
// clock is the same ManualClock (cookie expiry and Exchange times then
// agree with the fake's). tweak may change the client's Config.
func startEnv(t *testing.T, w aimhardertest.World, start time.Time, tweak func(*aimharder.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: aimhardertest.NewManualClock(start), ctx: t.Context(), secrets: map[string]bool{password: true, wrongPassword: true}}
	for _, u := range w.Users {
		e.secrets[u.Password] = true
	}
	e.fake, e.urls = aimhardertest.Start(t, w, aimhardertest.WithClock(e.clock))
	cfg := aimharder.Config{
		LoginURL: e.urls.Login, PortalURL: e.urls.Portal, BoxURLTemplate: e.urls.BoxTemplate,
		Now:     e.clock.Now,
		Logger:  slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Observe: e.observe,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	t.Cleanup(e.checkSecrets)
	return e
}

func (e *env) observe(ex aimharder.Exchange) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.exchanges = append(e.exchanges, ex)
}

// note records an error returned by the client, for the secrets check.
func (e *env) note(err error) error {
	if err != nil {
		e.mu.Lock()
		e.texts = append(e.texts, err.Error())
		e.mu.Unlock()
	}
	return err
}

// keep records the secrets of credentials handed out by the client, and
// how they print.
func (e *env) keep(c aimharder.Credentials) aimharder.Credentials {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c.Token != "" {
		e.secrets[c.Token] = true
	}
	for _, v := range c.Cookies {
		if v != "" {
			e.secrets[v] = true
		}
	}
	e.texts = append(e.texts, fmt.Sprint(c), fmt.Sprintf("%+v %#v", c, c))
	return c
}

func (e *env) checkSecrets() {
	e.mu.Lock()
	defer e.mu.Unlock()
	texts := append(e.texts, e.logs.String())
	for secret := range e.secrets {
		for _, text := range texts {
			if strings.Contains(text, secret) {
				e.t.Errorf("a secret (%.6s…) leaked into: %s", secret, text)
			}
		}
	}
}

// lockedBuffer is the client's log output; Week logs from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Client calls that record their errors and credentials.

func (e *env) tryLogin(email, pw, fp string) (aimharder.LoginResult, error) {
	res, err := e.c.Login(e.ctx, email, pw, fp)
	e.keep(res.Credentials)
	return res, e.note(err)
}

// login signs in and returns the credentials; the test fails otherwise.
func (e *env) login(email, fp string) aimharder.Credentials {
	e.t.Helper()
	res, err := e.tryLogin(email, password, fp)
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return res.Credentials
}

func (e *env) whoami(creds aimharder.Credentials) (aimharder.User, error) {
	u, after, err := e.c.Whoami(e.ctx, creds)
	e.keep(after)
	return u, e.note(err)
}

func (e *env) setRefresh(creds aimharder.Credentials) (aimharder.Credentials, error) {
	after, err := e.c.SetRefresh(e.ctx, creds)
	return e.keep(after), e.note(err)
}

func (e *env) refresh(creds aimharder.Credentials) (aimharder.Credentials, error) {
	after, err := e.c.RefreshToken(e.ctx, creds)
	return e.keep(after), e.note(err)
}

func (e *env) logout(creds aimharder.Credentials) error { return e.note(e.c.Logout(e.ctx, creds)) }

func (e *env) day(creds aimharder.Credentials, box aimharder.BoxRef, d aimharder.Date) (aimharder.Day, error) {
	return e.familyDay(creds, box, d, "")
}

func (e *env) familyDay(creds aimharder.Credentials, box aimharder.BoxRef, d aimharder.Date, family string) (aimharder.Day, error) {
	day, after, err := e.c.Day(e.ctx, creds, box, d, family)
	e.keep(after)
	return day, e.note(err)
}

func (e *env) mustDay(creds aimharder.Credentials, box aimharder.BoxRef, d aimharder.Date) aimharder.Day {
	e.t.Helper()
	day, err := e.day(creds, box, d)
	if err != nil {
		e.t.Fatalf("day %s %s: %v", box.Subdomain, d, err)
	}
	return day
}

func (e *env) week(creds aimharder.Credentials, box aimharder.BoxRef, from aimharder.Date) ([]aimharder.Day, error) {
	days, after, err := e.c.Week(e.ctx, creds, box, from, "")
	e.keep(after)
	return days, e.note(err)
}

func (e *env) book(creds aimharder.Credentials, box aimharder.BoxRef, cl aimharder.Class, opts aimharder.BookOptions) (aimharder.BookResult, error) {
	res, after, err := e.c.Book(e.ctx, creds, box, cl.ID, cl.Date, opts)
	e.keep(after)
	return res, e.note(err)
}

// mustBook books cl for the holder; the test fails unless it is booked.
func (e *env) mustBook(creds aimharder.Credentials, box aimharder.BoxRef, cl aimharder.Class) aimharder.BookResult {
	e.t.Helper()
	res, err := e.book(creds, box, cl, aimharder.BookOptions{})
	if err != nil || res.State != aimharder.StateBooked || res.ReservationID <= 0 {
		e.t.Fatalf("book %s %s %s: %+v, %v", box.Subdomain, cl.Start.Format("Mon 02 15:04"), cl.Name, res, err)
	}
	return res
}

func (e *env) cancel(creds aimharder.Credentials, box aimharder.BoxRef, reservationID int64, opts aimharder.CancelOptions) error {
	after, err := e.c.Cancel(e.ctx, creds, box, reservationID, opts)
	e.keep(after)
	return e.note(err)
}

func (e *env) next(creds aimharder.Credentials, box aimharder.BoxRef, family string) (aimharder.NextBookings, error) {
	nb, after, err := e.c.NextBookings(e.ctx, creds, box, family)
	e.keep(after)
	return nb, e.note(err)
}

// class returns the class of day starting at hhmm (and named name, when
// name is not empty); the test fails if there is none.
func (e *env) class(day aimharder.Day, hhmm, name string) aimharder.Class {
	e.t.Helper()
	for _, c := range day.Classes {
		if c.Start.Format("15:04") == hhmm && (name == "" || c.Name == name) {
			return c
		}
	}
	e.t.Fatalf("no class %s %q on %s (of %d)", hhmm, name, day.Date, len(day.Classes))
	return aimharder.Class{}
}

// classOn reads day d of box with creds and returns one class of it.
func (e *env) classOn(creds aimharder.Credentials, box aimharder.BoxRef, d aimharder.Date, hhmm, name string) aimharder.Class {
	e.t.Helper()
	return e.class(e.mustDay(creds, box, d), hhmm, name)
}

// active returns a person's active reservation for a class, if any.
func (e *env) active(email, family string, classID int64) (aimhardertest.ReservationInfo, bool) {
	for _, r := range e.fake.Reservations(email, family) {
		if r.ClassID == classID && r.Active {
			return r, true
		}
	}
	return aimhardertest.ReservationInfo{}, false
}

// requests returns the fake's log entries for ep, oldest first.
func (e *env) requests(ep aimhardertest.Endpoint) []aimhardertest.Request {
	var out []aimhardertest.Request
	for _, r := range e.fake.Requests() {
		if r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

// lastRequest returns the fake's log entry of the latest request to ep.
func (e *env) lastRequest(ep aimhardertest.Endpoint) aimhardertest.Request {
	e.t.Helper()
	reqs := e.requests(ep)
	if len(reqs) == 0 {
		e.t.Fatalf("the fake saw no %s request", ep)
	}
	return reqs[len(reqs)-1]
}
