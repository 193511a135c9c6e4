package account_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

const (
	email    = "ana@example.test"
	password = "correct-horse-battery-staple"
	boxSub   = "test-box"
)

func world() aimhardertest.World {
	return aimhardertest.World{
		Seed: 3,
		Boxes: []aimhardertest.BoxConfig{{
			ID: 501, Sub: boxSub, Name: "Test Box", Timezone: "Europe/Madrid",
			Window:         aimhardertest.MustParseWindowRule("4d"),
			ShareAttendees: false,
			Template:       []aimhardertest.ClassTemplate{{Start: "18:00", Minutes: 60, Name: "WOD", Capacity: 10}},
		}},
		Users: []aimhardertest.UserConfig{{ID: 777, Email: email, Password: password, Name: "Ana",
			Roles: []aimhardertest.RoleConfig{{Box: boxSub}}}},
	}
}

// newService opens a store at path and a service talking to urls.
func newService(t testing.TB, path string, urls aimhardertest.URLs, opts ...session.Option) *account.Service {
	t.Helper()
	store, err := session.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL, cfg.PortalURL, cfg.BoxURLTemplate = urls.Login, urls.Portal, urls.BoxTemplate
	client, err := aimharder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test")})
}

func TestLoginMakesTwoIndependentSessions(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if !res.HasCurrent || res.Current.Subdomain != boxSub {
		t.Errorf("the only box should become current: %+v", res)
	}
	dev, _ := svc.Store().Session(t.Context(), session.KindDevice)
	bg, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if dev.Credentials.Fingerprint == bg.Credentials.Fingerprint {
		t.Fatal("device and background sessions share a fingerprint")
	}
	// Rotating one never invalidates the other (the predecessor's bug).
	fake.SetReuseEndsSession(true)
	for range 3 {
		if err := svc.Refresh(t.Context(), session.KindDevice); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Whoami(t.Context(), session.KindBackground); err != nil {
		t.Errorf("background session after device rotations: %v", err)
	}
	if n := len(fake.Sessions(email)); n != 2 {
		t.Errorf("%d live sessions on the server, want 2", n)
	}
}

func TestPublicScheduleIsNotShownAsTheMembers(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	today := aimharder.DateOf(time.Now())
	// Logged in, no bookings, private attendee list: no member data in the
	// rows, so the session is confirmed, and the list is accepted.
	if _, err := svc.Week(t.Context(), session.KindDevice, res.Current, today); err != nil {
		t.Fatalf("week with a live session: %v", err)
	}
	// The server ends the session but still answers the public schedule.
	fake.ForceLogout(email, "")
	_, err = svc.Week(t.Context(), session.KindDevice, res.Current, today)
	if !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("week after a server logout = %v, want ErrSessionExpired", err)
	}
	sess, _ := svc.Store().Session(t.Context(), session.KindDevice)
	if sess.State != session.StateDead {
		t.Errorf("session state %s, want dead", sess.State)
	}
}

func TestPasswordCommandLogsInAgain(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	store := filepath.Join(t.TempDir(), "a.db")
	svc := newService(t, store, urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Store().SetSetting(t.Context(), session.SettingPasswordCommand, "printf '%s\\n' "+password); err != nil {
		t.Fatal(err)
	}
	fake.ForceLogout(email, "")
	if _, err := svc.Day(t.Context(), session.KindBackground, res.Current, aimharder.DateOf(time.Now())); err != nil {
		t.Fatalf("day after a server logout with password_command: %v", err)
	}
	sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if sess.State != session.StateLive {
		t.Errorf("background session %s after re-login", sess.State)
	}

	// A password_command that fails leaves the session dead with a clear error.
	if err := svc.Store().SetSetting(t.Context(), session.SettingPasswordCommand, "exit 3"); err != nil {
		t.Fatal(err)
	}
	fake.ForceLogout(email, "")
	_, err = svc.Day(t.Context(), session.KindBackground, res.Current, aimharder.DateOf(time.Now()))
	if !errors.Is(err, account.ErrSessionExpired) {
		t.Errorf("failing password_command: %v, want ErrSessionExpired", err)
	}
}

// TestCheckAliveReadsOnly: the check before a fire asks AimHarder with the
// current credentials and never rotates the token, even one older than
// refresh_before_fire (a rotation cut short by the check's deadline could
// end the session); a session AimHarder ended is logged in again with
// password_command, or reported expired without one.
func TestCheckAliveReadsOnly(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	now := time.Now()
	clock := func() time.Time { return now }
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls, session.WithClock(clock))
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	store := svc.Store()
	before, _ := store.Session(t.Context(), session.KindBackground)
	now = now.Add(time.Hour) // older than refresh_before_fire: a Whoami would rotate it
	rotations := func() (n int) {
		for _, r := range fake.Requests() {
			if r.Endpoint == aimhardertest.EndpointTokenUpdate {
				n++
			}
		}
		return n
	}
	if err := svc.CheckAlive(t.Context(), session.KindBackground, 0); err != nil {
		t.Fatalf("check of a live session: %v", err)
	}
	after, _ := store.Session(t.Context(), session.KindBackground)
	if n := rotations(); n != 0 || after.TokenUpdateCount != before.TokenUpdateCount {
		t.Errorf("the check rotated the token: %d tokenUpdate requests, count %d → %d", n, before.TokenUpdateCount, after.TokenUpdateCount)
	}

	fake.ForceLogout(email, "")
	if err := svc.CheckAlive(t.Context(), session.KindBackground, 0); !errors.Is(err, account.ErrSessionExpired) {
		t.Errorf("check of an ended session without password_command: %v, want ErrSessionExpired", err)
	}
	if err := store.SetSetting(t.Context(), session.SettingPasswordCommand, "printf '%s\\n' "+password); err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckAlive(t.Context(), session.KindBackground, 0); err != nil {
		t.Fatalf("check of a dead session with password_command: %v", err)
	}
	revived, _ := store.Session(t.Context(), session.KindBackground)
	if revived.State != session.StateLive || revived.Credentials.Token == before.Credentials.Token {
		t.Errorf("after the check the session is %s (same token: %v); want logged in again",
			revived.State, revived.Credentials.Token == before.Credentials.Token)
	}
}
