package account_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// reloginService is a service on its own store (its own "process") whose
// password_command prints pw.
func reloginService(t *testing.T, path string, urls aimhardertest.URLs, now func() time.Time, pw *string) *account.Service {
	t.Helper()
	var opts []session.Option
	if now != nil {
		opts = append(opts, session.WithClock(now))
	}
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
	if err := store.SetSetting(t.Context(), session.SettingPasswordCommand, "pass show aimharder"); err != nil {
		t.Fatal(err)
	}
	return account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"), Now: now,
		PasswordCommand: func(context.Context, string) (string, error) { return *pw, nil }})
}

func loginRequests(fake *aimhardertest.Server) []aimhardertest.Request {
	var out []aimhardertest.Request
	for _, r := range fake.Requests() {
		if r.Endpoint == aimhardertest.EndpointLogin {
			out = append(out, r)
		}
	}
	return out
}

// Two processes find the session ended at once: one logs in, the other
// waits for it and uses its session, so AimHarder sees one login and the
// store keeps the session AimHarder still knows.
func TestTwoProcessesLogInAgainOnce(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	a := reloginService(t, path, urls, nil, &pw)
	b := reloginService(t, path, urls, nil, &pw)
	if _, err := a.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	sess, _ := a.Store().Session(t.Context(), session.KindDevice)
	fake.ForceLogout(email, sess.Credentials.Fingerprint)
	fake.ResetRequests()

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, svc := range []*account.Service{a, b} {
		wg.Go(func() { _, errs[i] = svc.Whoami(t.Context(), session.KindDevice) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	if n := len(loginRequests(fake)); n != 1 {
		t.Errorf("%d logins on AimHarder, want 1", n)
	}
	for _, svc := range []*account.Service{a, b} {
		if _, err := svc.Whoami(t.Context(), session.KindDevice); err != nil {
			t.Errorf("the stored session must be the one AimHarder knows: %v", err)
		}
	}
	if n := len(loginRequests(fake)); n != 1 {
		t.Errorf("%d logins on AimHarder after the checks, want 1", n)
	}
}

// A refused password stops every automatic login — commands, the
// keeper's and the fire's Relogin, other processes — until the member
// logs in.
func TestRefusedPasswordStopsEveryPathUntilTheMemberLogsIn(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, nil, &pw)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	pw = "a-changed-password"
	fake.ForceLogout(email, "")
	fake.ResetRequests()

	if _, err := svc.Whoami(t.Context(), session.KindDevice); !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("Whoami = %v, want ErrSessionExpired", err)
	}
	if n := len(loginRequests(fake)); n != 1 {
		t.Fatalf("%d logins, want the one refused", n)
	}
	sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if !sess.Relogin.Refused {
		t.Fatalf("the refusal must be stored for every session: %+v", sess.Relogin)
	}

	other := reloginService(t, path, urls, nil, &pw)
	for _, path := range []struct {
		name string
		try  func() error
	}{
		{"command", func() error { _, err := svc.Whoami(t.Context(), session.KindDevice); return err }},
		{"other process", func() error { _, err := other.Whoami(t.Context(), session.KindDevice); return err }},
		// AimHarder ended the background session too: this call finds out.
		{"background call", func() error { _, err := other.Whoami(t.Context(), session.KindBackground); return err }},
		{"keeper/fire Relogin", func() error { return other.Relogin(t.Context(), session.KindBackground) }},
		{"check", func() error { return other.CheckAlive(t.Context(), session.KindDevice, 0) }},
	} {
		if err := path.try(); err == nil {
			t.Errorf("%s: no error with a refused password", path.name)
		}
	}
	if err := other.Relogin(t.Context(), session.KindBackground); !errors.Is(err, aimharder.ErrBadCredentials) || !errors.Is(err, account.ErrReloginHeld) {
		t.Errorf("Relogin = %v, want the held refusal", err)
	}
	if n := len(loginRequests(fake)); n != 1 {
		t.Errorf("%d logins after the refusal, want none more", n)
	}

	// The member logs in: automatic logins are allowed again.
	if _, err := other.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	for _, kind := range session.Kinds {
		if s, _ := svc.Store().Session(t.Context(), kind); s.Relogin != (session.ReloginState{}) {
			t.Errorf("%s: policy state after the member's login: %+v", kind, s.Relogin)
		}
	}
	pw = password
	fake.ForceLogout(email, "")
	if _, err := svc.Whoami(t.Context(), session.KindDevice); err != nil {
		t.Errorf("after the member's login password_command works again: %v", err)
	}
}

// A failed login holds automatic logins back for the backoff, on the
// simulated clock, then allows one again.
func TestReloginBackoffIsHonoured(t *testing.T) {
	clock := aimhardertest.NewManualClock(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	fake, urls := aimhardertest.Start(t, world(), aimhardertest.WithClock(clock))
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, clock.Now, &pw)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if err := svc.Store().MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointLogin}, Times: 1})

	if err := svc.Relogin(t.Context(), session.KindBackground); err == nil || errors.Is(err, account.ErrReloginHeld) {
		t.Fatalf("first Relogin = %v, want the login's failure", err)
	}
	for _, after := range []time.Duration{time.Minute, 14 * time.Minute} {
		clock.Set(sess.CreatedAt.Add(after))
		var held *account.ReloginHeldError
		if err := svc.Relogin(t.Context(), session.KindBackground); !errors.As(err, &held) || held.Refused {
			t.Fatalf("Relogin %v after a failure = %v, want held by the backoff", after, err)
		}
		// The next try is told in box time, whatever the machine's zone.
		if at := held.Until.In(session.DefaultLocation()).Format("15:04"); !strings.Contains(held.Error(), "the next try is at "+at) {
			t.Errorf("held: %q, want the next try at %s (box time)", held.Error(), at)
		}
	}
	if n := len(loginRequests(fake)); n != 1 {
		t.Fatalf("%d logins during the backoff, want 1", n)
	}
	clock.Set(sess.CreatedAt.Add(15*time.Minute + time.Second))
	if err := svc.Relogin(t.Context(), session.KindBackground); err != nil {
		t.Fatalf("Relogin after the backoff = %v", err)
	}
	if s, _ := svc.Store().Session(t.Context(), session.KindBackground); s.State != session.StateLive || s.Relogin.Failures != 0 {
		t.Errorf("after the backoff: %v %+v", s, s.Relogin)
	}
}

// Issue 14 item 1: a refusal in words ahtui does not know stops automatic
// logins as a refused password does, with AimHarder's words, in every
// refusal shape.
func TestUnknownRefusalStopsAutomaticLogins(t *testing.T) {
	for _, shape := range []aimhardertest.RefusalShape{aimhardertest.RefusalErrorMessage, aimhardertest.RefusalAuthInfo, aimhardertest.Refusal401} {
		fake, urls := aimhardertest.Start(t, world())
		fake.SetLoginRefusalShape(shape)
		path := filepath.Join(t.TempDir(), "a.db")
		pw := password
		svc := reloginService(t, path, urls, nil, &pw)
		if _, err := svc.Login(t.Context(), email, password); err != nil {
			t.Fatal(err)
		}
		const words = "Tu cuenta está pendiente de verificación"
		fake.RefuseLogin(email, words)
		fake.ForceLogout(email, "")
		fake.ResetRequests()

		if _, err := svc.Whoami(t.Context(), session.KindDevice); !errors.Is(err, account.ErrSessionExpired) {
			t.Fatalf("shape %d: Whoami = %v, want ErrSessionExpired", shape, err)
		}
		sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
		if !sess.Relogin.Refused || sess.Relogin.PasswordRefused() || sess.Relogin.LastError != "AimHarder refused the login: "+words {
			t.Fatalf("shape %d: stored %+v", shape, sess.Relogin)
		}
		if err := svc.Store().MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
			t.Fatal(err)
		}
		err := svc.Relogin(t.Context(), session.KindBackground)
		var held *account.ReloginHeldError
		if !errors.As(err, &held) || !held.Refused || held.Password || !errors.Is(err, aimharder.ErrLoginRefused) || errors.Is(err, aimharder.ErrBadCredentials) {
			t.Fatalf("shape %d: Relogin = %v, want held by the unknown refusal", shape, err)
		}
		if !strings.Contains(err.Error(), words) || !strings.Contains(err.Error(), "until you run `ahtui login`") {
			t.Errorf("shape %d: held reason = %q", shape, err)
		}
		if n := len(loginRequests(fake)); n != 1 {
			t.Errorf("shape %d: %d logins, want the one refused", shape, n)
		}
	}
}

// Issue 14 item 1: a refused password in the authOK=false+info and 401
// shapes is a refused password.
func TestRefusedPasswordInOtherShapes(t *testing.T) {
	for _, shape := range []aimhardertest.RefusalShape{aimhardertest.RefusalAuthInfo, aimhardertest.Refusal401} {
		fake, urls := aimhardertest.Start(t, world())
		fake.SetLoginRefusalShape(shape)
		path := filepath.Join(t.TempDir(), "a.db")
		pw := password
		svc := reloginService(t, path, urls, nil, &pw)
		if _, err := svc.Login(t.Context(), email, password); err != nil {
			t.Fatal(err)
		}
		pw = "a-changed-password"
		fake.ForceLogout(email, "")
		_, _ = svc.Whoami(t.Context(), session.KindDevice)
		sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
		if err := svc.Store().MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Relogin(t.Context(), session.KindBackground); !errors.Is(err, aimharder.ErrBadCredentials) {
			t.Errorf("shape %d: Relogin = %v, want the held refused password", shape, err)
		}
	}
}

// Issue 14 item 1: AimHarder's lockout holds automatic logins back for the
// longest backoff at once.
func TestLockoutHoldsBackAnHour(t *testing.T) {
	clock := aimhardertest.NewManualClock(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	fake, urls := aimhardertest.Start(t, world(), aimhardertest.WithClock(clock))
	fake.SetLoginRefusalShape(aimhardertest.RefusalAuthInfo)
	path := filepath.Join(t.TempDir(), "a.db")
	pw := password
	svc := reloginService(t, path, urls, clock.Now, &pw)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	fake.SetLockout(aimhardertest.Lockout{Threshold: 1, Period: 3 * time.Hour})
	// Someone else walks into the lockout.
	c, _ := aimharder.New(aimharder.Config{LoginURL: urls.Login, PortalURL: urls.Portal, BoxURLTemplate: urls.BoxTemplate})
	if _, err := c.Login(t.Context(), email, "wrong", "fp-elsewhere"); !errors.Is(err, aimharder.ErrBadCredentials) {
		t.Fatal(err)
	}
	sess, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if err := svc.Store().MarkDead(t.Context(), session.KindBackground, sess.Credentials, "test"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Relogin(t.Context(), session.KindBackground); !errors.Is(err, aimharder.ErrTooManyAttempts) {
		t.Fatalf("Relogin = %v, want the lockout", err)
	}
	s, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if s.Relogin.Refused || s.Relogin.NotBefore.Sub(clock.Now()) < time.Hour || !strings.Contains(s.Relogin.LastError, "locked logins for a while") {
		t.Errorf("after the lockout: %+v", s.Relogin)
	}
	clock.Set(clock.Now().Add(59 * time.Minute))
	if err := svc.Relogin(t.Context(), session.KindBackground); !errors.Is(err, account.ErrReloginHeld) {
		t.Errorf("Relogin inside the hour = %v, want held", err)
	}
}
