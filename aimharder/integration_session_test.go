package aimharder_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// anaBoxes is what login and whoami must make of ana's roles: one box per
// boid in first-seen order, the client role preferred over the coach role
// listed before it, the subdomain taken from centre_url and the padded
// gym name trimmed.
var anaBoxes = []aimharder.Box{
	{ID: fijo.ID, Subdomain: "fijo", Name: "Fijo BCN", Role: "client"},
	{ID: norte.ID, Subdomain: "norte", Name: "CrossFit Norte", Role: "client"},
	{ID: isla.ID, Subdomain: "isla", Name: "Isla Box", Role: "client"},
	{ID: carrera.ID, Subdomain: "carrera", Name: "Carrera", Role: "client"},
}

func TestIntegrationJSONLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res, err := e.tryLogin(ana, password, fpUI)
	if err != nil {
		t.Fatal(err)
	}
	if res.Legacy {
		t.Error("JSON login reported as legacy")
	}
	wantUser := aimharder.User{ID: anaID, Name: "Ana Pérez", Boxes: anaBoxes}
	if !reflect.DeepEqual(res.User, wantUser) {
		t.Errorf("user\n got %+v\nwant %+v", res.User, wantUser)
	}
	creds := res.Credentials
	if creds.Token == "" || creds.Fingerprint != fpUI {
		t.Errorf("credentials %v: want a token and the given fingerprint", creds)
	}
	for _, name := range []string{aimharder.AuthCookie, "PHPSESSID", "AWSALB", "AWSALBCORS"} {
		if creds.Cookies[name] == "" {
			t.Errorf("cookie %s not kept (have %v)", name, creds)
		}
	}
	// whoami confirms the session and says the same.
	user, err := e.whoami(creds)
	if err != nil || !reflect.DeepEqual(user, wantUser) {
		t.Errorf("whoami: %+v, %v", user, err)
	}
	// The boxes are usable as they come, with the box's zone added.
	boxes := res.User.Boxes
	day := e.mustDay(creds, boxes[2].Ref(canary), d1)
	if len(day.Classes) != 2 || day.Classes[0].Start.Location().String() != "Atlantic/Canary" {
		t.Errorf("isla from whoami: %+v", day)
	}
	// The fake saw the JSON login, with the fingerprint.
	if r := e.lastRequest(aimhardertest.EndpointLogin); r.Code != "authOK" || r.Fingerprint != fpUI {
		t.Errorf("fake saw %+v", r)
	}
}

func TestIntegrationLoginRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.SetLockout(aimhardertest.Lockout{Threshold: 3, Window: 10 * time.Minute, Period: 15 * time.Minute})

	// An unknown address reads like a wrong password.
	if _, err := e.tryLogin("nobody@integration.test", password, fpUI); !errors.Is(err, aimharder.ErrBadCredentials) {
		t.Fatalf("unknown address: %v, want ErrBadCredentials", err)
	}
	for i := range 3 {
		_, err := e.tryLogin(ana, wrongPassword, fpUI)
		var le *aimharder.LoginError
		if !errors.Is(err, aimharder.ErrBadCredentials) || !errors.As(err, &le) || !strings.Contains(le.Message, "incorrecto") {
			t.Fatalf("attempt %d: %v, want ErrBadCredentials with the server's text", i+1, err)
		}
	}
	// Locked out now: even the right password is refused.
	_, err := e.tryLogin(ana, password, fpUI)
	var le *aimharder.LoginError
	if !errors.Is(err, aimharder.ErrTooManyAttempts) || errors.Is(err, aimharder.ErrBadCredentials) ||
		!errors.As(err, &le) || !strings.Contains(le.Message, "demasiadas veces") {
		t.Fatalf("after 3 failures: %v, want ErrTooManyAttempts", err)
	}
	if n := len(e.fake.Sessions(ana)); n != 0 {
		t.Fatalf("%d sessions after refused logins", n)
	}
	// Another account is not locked.
	e.login(bea, fpUI)
	// The lock lifts after its period.
	e.clock.Advance(15 * time.Minute)
	e.login(ana, fpUI)
}

func TestIntegrationLegacyLogin(t *testing.T) {
	t.Parallel()
	t.Run("works", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.fake.SetJSONLogin(false)
		e.fake.SetLegacyLogin(aimhardertest.LegacyWorks)
		res, err := e.tryLogin(ana, password, fpUI)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Legacy || res.User.ID != anaID || !reflect.DeepEqual(res.User.Boxes, anaBoxes) {
			t.Fatalf("legacy login: %+v", res)
		}
		creds := res.Credentials
		if creds.Token == "" || creds.Fingerprint != fpUI || !creds.HasAuthCookie() {
			t.Fatalf("legacy credentials %v", creds)
		}
		// The JSON login was tried first; the form's result was confirmed
		// by setrefresh and whoami.
		var seen []aimhardertest.Endpoint
		for _, r := range e.fake.Requests() {
			seen = append(seen, r.Endpoint)
		}
		want := []aimhardertest.Endpoint{aimhardertest.EndpointLogin, aimhardertest.EndpointLegacyLogin,
			aimhardertest.EndpointSetRefresh, aimhardertest.EndpointWhoami}
		if !slices.Equal(seen, want) {
			t.Fatalf("requests %v, want %v", seen, want)
		}
		// The session is real: member data and a token that rotates.
		if user, err := e.whoami(creds); err != nil || user.ID != anaID {
			t.Fatalf("whoami after legacy login: %+v, %v", user, err)
		}
		if _, err := e.refresh(creds); err != nil {
			t.Fatalf("tokenUpdate after legacy login: %v", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.fake.SetJSONLogin(false)
		e.fake.SetLegacyLogin(aimhardertest.LegacyWorks)
		if _, err := e.tryLogin(ana, wrongPassword, fpUI); !errors.Is(err, aimharder.ErrBadCredentials) {
			t.Fatalf("%v, want ErrBadCredentials", err)
		}
	})
	for _, mode := range []struct {
		name   string
		legacy aimhardertest.LegacyMode
	}{{"marketing page", aimhardertest.LegacyMarketingPage}, {"form gone too", aimhardertest.LegacyOff}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.fake.SetJSONLogin(false)
			e.fake.SetLegacyLogin(mode.legacy)
			res, err := e.tryLogin(ana, password, fpUI)
			var le *aimharder.LoginError
			if !errors.Is(err, aimharder.ErrLoginFailed) || !errors.As(err, &le) {
				t.Fatalf("%+v, %v; want a LoginError (ErrLoginFailed)", res, err)
			}
			if res.Credentials.HasAuthCookie() || len(e.fake.Sessions(ana)) != 0 {
				t.Fatalf("a failed login left a session: %v", res.Credentials)
			}
		})
	}
}

func TestIntegrationWhoamiWithoutSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// No cookie at all: {"data":[]}.
	if _, err := e.whoami(aimharder.Credentials{}); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("whoami without cookie: %v", err)
	}
	if r := e.lastRequest(aimhardertest.EndpointWhoami); r.Code != "data=[]" {
		t.Errorf("fake answered %q", r.Code)
	}
	// A dead cookie: {"logout":1}.
	creds := e.login(ana, fpUI)
	e.fake.ForceLogout(ana, fpUI)
	if _, err := e.whoami(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("whoami after forced logout: %v", err)
	}
	if r := e.lastRequest(aimhardertest.EndpointWhoami); r.Code != "logout" {
		t.Errorf("fake answered %q", r.Code)
	}
}

func TestIntegrationSetRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	// After a JSON login setrefresh echoes the token and fingerprint.
	got, err := e.setRefresh(creds)
	if err != nil || got.Token != creds.Token || got.Fingerprint != fpUI || !got.Equal(creds) {
		t.Fatalf("setrefresh: %v, %v", got, err)
	}
	// Another device's fingerprint, or an old token, stores nothing.
	foreign := creds.Clone()
	foreign.Fingerprint = fpJob
	if _, err := e.setRefresh(foreign); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("setrefresh with a foreign fingerprint: %v", err)
	}
	rotated, err := e.refresh(creds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.setRefresh(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("setrefresh with the rotated-out token: %v", err)
	}
	if got, err := e.setRefresh(rotated); err != nil || got.Token != rotated.Token {
		t.Errorf("setrefresh with the current token: %v, %v", got, err)
	}
}

func TestIntegrationTokenRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.login(ana, fpUI)
	second, err := e.refresh(first)
	if err != nil {
		t.Fatal(err)
	}
	if second.Token == first.Token || second.Token == "" {
		t.Fatal("tokenUpdate did not rotate the token")
	}
	if second.Cookies[aimharder.AuthCookie] == first.Cookies[aimharder.AuthCookie] {
		t.Error("tokenUpdate did not store the re-issued auth cookie")
	}
	if !first.HasAuthCookie() || first.Token == second.Token {
		t.Error("RefreshToken changed the caller's credentials in place")
	}
	// The new token works; the old one answers logout without ending the
	// session (the default), and old cookie values keep working.
	third, err := e.refresh(second)
	if err != nil {
		t.Fatalf("the new token: %v", err)
	}
	_, err = e.refresh(first)
	var lo *aimharder.LoggedOutError
	if !errors.Is(err, aimharder.ErrLoggedOut) || !errors.As(err, &lo) || lo.Endpoint != "tokenUpdate" {
		t.Fatalf("the old token: %v, want a LoggedOutError from tokenUpdate", err)
	}
	for i, c := range []aimharder.Credentials{first, third} {
		if _, err := e.whoami(c); err != nil {
			t.Errorf("whoami with credentials %d: %v", i, err)
		}
	}
	// With the switch on, the replayed token ends the session.
	e.fake.SetReuseEndsSession(true)
	if _, err := e.refresh(second); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("replayed token: %v", err)
	}
	if _, err := e.whoami(third); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("session alive after a replayed token with the switch on: %v", err)
	}
}

// TestIntegrationSessionLifetime: a refresh restarts the idle lifetime
// (30 min by default); a session left alone lapses.
func TestIntegrationSessionLifetime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	for range 3 { // 60 minutes in all, refreshing every 20
		e.clock.Advance(20 * time.Minute)
		var err error
		if creds, err = e.refresh(creds); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.whoami(creds); err != nil {
		t.Fatalf("refreshed session: %v", err)
	}
	e.clock.Advance(30 * time.Minute)
	if _, err := e.whoami(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("lapsed session: %v", err)
	}
	if _, err := e.refresh(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("tokenUpdate on a lapsed session: %v", err)
	}
}

// TestIntegrationExpiry: a dead cookie with a live token is recovered by
// tokenUpdate; a dead token with a live cookie still reads.
func TestIntegrationExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	e.fake.ExpireSession(ana, fpUI, aimhardertest.ExpireCookie)
	if _, err := e.whoami(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("whoami with an expired cookie: %v", err)
	}
	creds, err := e.refresh(creds)
	if err != nil {
		t.Fatalf("tokenUpdate with a live token: %v", err)
	}
	if _, err := e.whoami(creds); err != nil {
		t.Fatalf("whoami with the re-issued cookie: %v", err)
	}
	e.fake.ExpireSession(ana, fpUI, aimhardertest.ExpireToken)
	if _, err := e.refresh(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("tokenUpdate with an expired token: %v", err)
	}
	if _, err := e.whoami(creds); err != nil {
		t.Fatalf("the cookie should outlive the token: %v", err)
	}
}

// TestIntegrationLogout: logging out ends that session only; the other
// device's session of the same user lives on.
func TestIntegrationLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ui := e.login(ana, fpUI)
	job := e.login(ana, fpJob)
	if err := e.logout(ui); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if r := e.lastRequest(aimhardertest.EndpointLogout); r.Status != 302 || r.Code != "ended" {
		t.Errorf("fake saw %+v", r)
	}
	if _, err := e.whoami(ui); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Errorf("logged-out session: %v", err)
	}
	if _, err := e.whoami(job); err != nil {
		t.Errorf("the other fingerprint's session: %v", err)
	}
	if s := e.fake.Sessions(ana); len(s) != 1 || s[0].Fingerprint != fpJob {
		t.Errorf("sessions left: %+v", s)
	}
	// Logging out again, without a live session, is not an error.
	if err := e.logout(ui); err != nil {
		t.Errorf("second logout: %v", err)
	}
}

// TestIntegrationPing: the Date header carries the fake's clock with its
// offset (one-second resolution), for portal and box alike.
func TestIntegrationPing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Set(t0.Add(400 * time.Millisecond))
	for _, offset := range []time.Duration{0, 350 * time.Millisecond, -2500 * time.Millisecond, 90 * time.Second, -time.Hour} {
		e.fake.SetClockOffset(offset)
		for _, box := range []aimharder.BoxRef{{}, norte} {
			ex, err := e.c.Ping(e.ctx, box)
			if e.note(err) != nil {
				t.Fatalf("ping %q: %v", box.Subdomain, err)
			}
			server := e.clock.Now().Add(offset)
			if ex.Status != 200 || ex.Method != "HEAD" || ex.Endpoint != "ping" {
				t.Errorf("exchange %+v", ex)
			}
			if ex.ServerDate.After(server) || server.Sub(ex.ServerDate) >= time.Second {
				t.Errorf("offset %v: ServerDate %v, fake's now %v", offset, ex.ServerDate, server)
			}
		}
	}
}

// TestIntegrationObserve: Config.Observe sees every exchange the fake
// answered, Week's concurrent ones included.
func TestIntegrationObserve(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	if _, err := e.setRefresh(creds); err != nil {
		t.Fatal(err)
	}
	creds, _ = e.refresh(creds)
	e.week(creds, norte, d0.Monday())
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	res := e.mustBook(creds, norte, cl)
	e.book(creds, norte, cl, aimharder.BookOptions{}) // refused: already booked
	e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{})
	e.next(creds, norte, "")
	e.c.Ping(e.ctx, norte)
	e.logout(creds)
	e.whoami(creds)

	e.mu.Lock()
	observed := map[string]int{}
	for _, ex := range e.exchanges {
		observed[ex.Endpoint]++
	}
	e.mu.Unlock()
	served := map[string]int{}
	for _, r := range e.fake.Requests() {
		name := string(r.Endpoint)
		if r.Method == "HEAD" {
			name = "ping"
		}
		served[name]++
	}
	if !reflect.DeepEqual(observed, served) || served["bookings"] != 8 {
		t.Fatalf("observed %v\nserved %v", observed, served)
	}
}
