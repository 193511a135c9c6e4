package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func TestKindsAreAlwaysExplicit(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	creds := login(t, s, KindDevice, "tok-kind")
	noCall := func(context.Context, aimharder.Credentials) (aimharder.Credentials, error) {
		t.Error("the server was called for an invalid kind")
		return aimharder.Credentials{}, nil
	}
	for _, bad := range []Kind{"", "Device", "bg", "device ", "both"} {
		checks := map[string]error{
			"Session":             func() error { _, err := s.Session(ctx, bad); return err }(),
			"SaveLogin":           s.SaveLogin(ctx, bad, testAccount, creds),
			"Rotate":              func() error { _, err := s.Rotate(ctx, bad, "o", noCall); return err }(),
			"Fresh":               func() error { _, err := s.Fresh(ctx, bad, "o", time.Minute, noCall); return err }(),
			"SaveCookies":         s.SaveCookies(ctx, bad, creds, creds.WithCookies(map[string]string{"x": "y"})),
			"MarkDead":            s.MarkDead(ctx, bad, creds, "gone"),
			"AcquireSessionLease": func() error { _, err := s.AcquireSessionLease(ctx, bad, "o", time.Minute); return err }(),
			"ReleaseSessionLease": s.ReleaseSessionLease(ctx, bad, "o"),
			"Fingerprint":         func() error { _, err := s.Fingerprint(ctx, bad, "a@b.c"); return err }(),
		}
		for name, err := range checks {
			if !errors.Is(err, ErrInvalidKind) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKind", name, bad, err)
			}
		}
	}
	if got := mustSession(t, s, KindDevice); !got.Credentials.Equal(creds) || got.TokenUpdateCount != 0 {
		t.Errorf("invalid kinds changed the device session: %v", got)
	}
}

func TestSessionsAreSeparateAndMissingOnesSaySo(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	if _, err := s.Session(ctx, KindDevice); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Session before login = %v, want ErrNoSession", err)
	}
	if _, err := s.Account(ctx); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("Account before login = %v, want ErrNoAccount", err)
	}
	device := login(t, s, KindDevice, "tok-device")
	if _, err := s.Session(ctx, KindBackground); !errors.Is(err, ErrNoSession) {
		t.Errorf("background after a device login = %v, want ErrNoSession (no fallback to device)", err)
	}
	clock.Advance(time.Minute)
	background := login(t, s, KindBackground, "tok-background")

	d, b := mustSession(t, s, KindDevice), mustSession(t, s, KindBackground)
	if !d.Credentials.Equal(device) || !b.Credentials.Equal(background) {
		t.Fatal("each kind must return its own credentials")
	}
	if d.Kind != KindDevice || b.Kind != KindBackground || d.State != StateLive || d.Account != testAccount {
		t.Errorf("metadata: %v / %v", d, b)
	}
	if !b.CreatedAt.Equal(clock.Now()) || !b.TokenUpdatedAt.Equal(clock.Now()) || b.TokenUpdateCount != 0 {
		t.Errorf("new session times/counter: %v", b)
	}
	all, err := s.Sessions(ctx)
	if err != nil || len(all) != 2 || all[0].Kind != KindDevice || all[1].Kind != KindBackground {
		t.Errorf("Sessions = %v, %v", all, err)
	}
	// The snapshot is a copy: changing it does not touch the store.
	d.Credentials.Cookies[aimharder.AuthCookie] = "changed"
	if mustSession(t, s, KindDevice).Credentials.Cookies[aimharder.AuthCookie] != "auth-tok-device" {
		t.Error("a snapshot shares memory with the store")
	}
}

func TestSaveLoginStartsANewSession(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	creds := login(t, s, KindBackground, "tok-a")
	if _, err := s.Rotate(ctx, KindBackground, "o", failingCall(errors.New("timeout"))); err == nil {
		t.Fatal("want the failing call's error")
	}
	if err := s.MarkDead(ctx, KindBackground, creds, "logout answered"); err != nil {
		t.Fatal(err)
	}
	lease, err := s.AcquireSessionLease(ctx, KindBackground, "scheduler", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	fresh := credsFor("tok-b")
	renamed := testAccount
	renamed.Email, renamed.Name = "ANA@example.com", "Ana María"
	if err := s.SaveLogin(ctx, KindBackground, renamed, fresh); err != nil {
		t.Fatal(err)
	}
	got := mustSession(t, s, KindBackground)
	if !got.Credentials.Equal(fresh) || got.State != StateLive || got.DeadReason != "" || !got.DeadAt.IsZero() ||
		got.TokenUpdateCount != 0 || got.LastError != "" || !got.LastErrorAt.IsZero() ||
		!got.CreatedAt.Equal(clock.Now()) || !got.TokenUpdatedAt.Equal(clock.Now()) {
		t.Errorf("after re-login: %v (dead %q, error %q)", got, got.DeadReason, got.LastError)
	}
	if got.LeaseOwner != "scheduler" || !got.LeaseExpiresAt.Equal(lease.ExpiresAt) {
		t.Errorf("re-login must keep the lease: %q until %v", got.LeaseOwner, got.LeaseExpiresAt)
	}
	if a, _ := s.Account(ctx); a != renamed {
		t.Errorf("account = %+v, want %+v", a, renamed)
	}

	other := Account{Email: "luis@example.com", UserID: 777}
	if err := s.SaveLogin(ctx, KindDevice, other, credsFor("tok-luis")); !errors.Is(err, ErrOtherAccount) {
		t.Errorf("login of another user = %v, want ErrOtherAccount", err)
	}
	if _, err := s.Session(ctx, KindDevice); !errors.Is(err, ErrNoSession) {
		t.Error("a refused login stored a session")
	}
	for name, c := range map[string]aimharder.Credentials{
		"no token":       {Fingerprint: "fp"},
		"no fingerprint": {Token: "t"},
	} {
		if err := s.SaveLogin(ctx, KindDevice, testAccount, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if err := s.SaveLogin(ctx, KindDevice, Account{Email: "x@y.z"}, credsFor("t")); !errors.Is(err, ErrInvalid) {
		t.Errorf("account without user id: %v, want ErrInvalid", err)
	}
}

func TestFingerprints(t *testing.T) {
	path := tempDBPath(t)
	s := openAt(t, path)
	ctx := t.Context()
	device, err := s.deviceFingerprint(ctx)
	if err != nil || !regexp.MustCompile(`^[a-z0-9]{50}$`).MatchString(device) {
		t.Fatalf("device fingerprint %q, %v", device, err)
	}
	bg, err := s.backgroundFingerprint(ctx, "Ana@Example.com ")
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{50}$`).MatchString(bg) {
		t.Fatalf("background fingerprint %q, %v", bg, err)
	}
	if again, _ := s.backgroundFingerprint(ctx, "ana@example.com"); again != bg {
		t.Error("the background fingerprint depends on case or spaces")
	}
	if other, _ := s.backgroundFingerprint(ctx, "luis@example.com"); other == bg {
		t.Error("two accounts share a background fingerprint")
	}
	if bg == device {
		t.Error("device and background share a fingerprint")
	}
	if viaKind, _ := s.Fingerprint(ctx, KindBackground, "ana@example.com"); viaKind != bg {
		t.Error("Fingerprint(background) differs from backgroundFingerprint")
	}
	if viaKind, _ := s.Fingerprint(ctx, KindDevice, ""); viaKind != device {
		t.Error("Fingerprint(device) differs from deviceFingerprint")
	}
	if _, err := s.backgroundFingerprint(ctx, " "); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty e-mail: %v", err)
	}

	s.Close()
	reopened := openAt(t, path)
	if d, _ := reopened.deviceFingerprint(ctx); d != device {
		t.Error("device fingerprint changed on reopen")
	}
	if b, _ := reopened.backgroundFingerprint(ctx, "ana@example.com"); b != bg {
		t.Error("background fingerprint changed on reopen")
	}
	elsewhere, _ := openStore(t)
	if b, _ := elsewhere.backgroundFingerprint(ctx, "ana@example.com"); b == bg {
		t.Error("two databases derive the same background fingerprint (the salt is not per database)")
	}
	if d, _ := elsewhere.deviceFingerprint(ctx); d == device {
		t.Error("two databases share a device fingerprint")
	}
}

func TestSessionNeverPrintsSecrets(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	creds := login(t, s, KindDevice, "SECRET-TOKEN-123")
	if _, err := s.Rotate(ctx, KindDevice, "o", failingCall(errors.New("boom"))); err == nil {
		t.Fatal("want an error")
	}
	sess := mustSession(t, s, KindDevice)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("state", "session", sess, "ptr", &sess)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("state", "session", sess)
	out := fmt.Sprintf("%v %+v %#v %s %v", sess, sess, sess, sess, &sess) + logged.String()
	for _, secret := range secretsOf(creds) {
		if strings.Contains(out, secret) {
			t.Errorf("output contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "device") || !strings.Contains(out, "amhrdrauth") || !strings.Contains(out, "boom") {
		t.Errorf("redacted output lost the useful parts:\n%s", out)
	}
}

func TestSaveCookies(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	old := login(t, s, KindDevice, "tok-c")
	updatedAt := mustSession(t, s, KindDevice).TokenUpdatedAt
	clock.Advance(time.Minute)

	// Two calls sent with the same credentials each changed one cookie:
	// both changes survive.
	first := old.WithCookies(map[string]string{"AWSALB": "lb-1"})
	second := old.WithCookies(map[string]string{"PHPSESSID": "php-2"})
	if err := s.SaveCookies(ctx, KindDevice, old, first); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCookies(ctx, KindDevice, old, second); err != nil {
		t.Fatal(err)
	}
	got := mustSession(t, s, KindDevice)
	want := map[string]string{aimharder.AuthCookie: "auth-tok-c", "PHPSESSID": "php-2", "AWSALB": "lb-1"}
	if !mapsEqual(got.Credentials.Cookies, want) {
		t.Errorf("cookies = %v, want %v", got.Credentials.Cookies, want)
	}
	if !got.TokenUpdatedAt.Equal(updatedAt) || got.TokenUpdateCount != 0 {
		t.Error("saving cookies touched the token's age or counter")
	}
	// A deleted cookie is deleted.
	current := got.Credentials
	if err := s.SaveCookies(ctx, KindDevice, current, current.WithCookies(map[string]string{"AWSALB": ""})); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustSession(t, s, KindDevice).Credentials.Cookies["AWSALB"]; ok {
		t.Error("a cookie the server expired is still stored")
	}
	// No change writes nothing and succeeds.
	if err := s.SaveCookies(ctx, KindDevice, current, current.Clone()); err != nil {
		t.Errorf("no-op SaveCookies: %v", err)
	}

	// After a rotation, cookies from a call made with the old token are refused.
	if _, err := s.Rotate(ctx, KindDevice, "o", newTokenCall("tok-d")); err != nil {
		t.Fatal(err)
	}
	before := mustSession(t, s, KindDevice).Credentials
	err := s.SaveCookies(ctx, KindDevice, current, current.WithCookies(map[string]string{aimharder.AuthCookie: "stale"}))
	if !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("stale SaveCookies = %v, want ErrConcurrentUpdate", err)
	}
	if after := mustSession(t, s, KindDevice).Credentials; !after.Equal(before) {
		t.Error("a stale SaveCookies overwrote the rotated session")
	}
	// A token change is not a cookie change.
	changed := before.Clone()
	changed.Token = "sneaky"
	if err := s.SaveCookies(ctx, KindDevice, before, changed); !errors.Is(err, ErrInvalid) {
		t.Errorf("SaveCookies with a new token = %v, want ErrInvalid", err)
	}
	if err := s.SaveCookies(ctx, KindBackground, before, before.WithCookies(map[string]string{"a": "b"})); !errors.Is(err, ErrNoSession) {
		t.Errorf("SaveCookies without a session = %v, want ErrNoSession", err)
	}
}

func TestMarkDead(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	old := login(t, s, KindBackground, "tok-old")
	rotated, err := s.Rotate(ctx, KindBackground, "o", newTokenCall("tok-new"))
	if err != nil {
		t.Fatal(err)
	}
	// A logout answer to the old token must not kill the rotated session.
	if err := s.MarkDead(ctx, KindBackground, old, "logout"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("MarkDead with stale credentials = %v, want ErrConcurrentUpdate", err)
	}
	if mustSession(t, s, KindBackground).State != StateLive {
		t.Fatal("a stale answer killed the session")
	}
	clock.Advance(time.Second)
	if err := s.MarkDead(ctx, KindBackground, rotated, "tokenUpdate answered logout for tok-new"); err != nil {
		t.Fatal(err)
	}
	dead := mustSession(t, s, KindBackground)
	if dead.State != StateDead || !dead.DeadAt.Equal(clock.Now()) || dead.LastError == "" {
		t.Errorf("dead session: %v", dead)
	}
	if strings.Contains(dead.DeadReason, "tok-new") {
		t.Errorf("dead reason keeps the token: %q", dead.DeadReason)
	}
	called := false
	call := func(_ context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		called = true
		return c, nil
	}
	if _, err := s.Rotate(ctx, KindBackground, "o", call); !errors.Is(err, ErrSessionDead) {
		t.Errorf("Rotate of a dead session = %v", err)
	}
	if _, err := s.Fresh(ctx, KindBackground, "o", time.Hour, call); !errors.Is(err, ErrSessionDead) {
		t.Errorf("Fresh of a dead session = %v", err)
	}
	if called || mustSession(t, s, KindBackground).TokenUpdateCount != 1 {
		t.Error("a dead session was sent to the server or counted")
	}
	if err := s.MarkDead(ctx, KindDevice, rotated, "x"); !errors.Is(err, ErrNoSession) {
		t.Errorf("MarkDead without a session = %v", err)
	}
	events, _ := s.History(ctx, HistoryQuery{Kinds: []EventKind{EventSessionDead}})
	if len(events) != 1 {
		t.Errorf("history has %d dead events", len(events))
	}
}

// TestLogoutLeavesNoSecretsInTheFile logs in, rotates and changes cookies
// so many versions of the secrets pass through the file and its WAL, then
// logs out and searches every byte of the database files for any of them.
func TestLogoutLeavesNoSecretsInTheFile(t *testing.T) {
	path := tempDBPath(t)
	s := openAt(t, path)
	ctx := t.Context()
	var secrets []string
	for _, kind := range Kinds {
		creds := login(t, s, kind, "SECRET-"+string(kind)+"-TOKEN-0")
		secrets = append(secrets, secretsOf(creds)...)
		for i := 1; i <= 5; i++ {
			next, err := s.Rotate(ctx, kind, "o", newTokenCall(fmt.Sprintf("SECRET-%s-TOKEN-%d", kind, i)))
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secretsOf(next)...)
		}
		current := mustSession(t, s, kind).Credentials
		withCookie := current.WithCookies(map[string]string{"AWSALB": "SECRET-LB-" + string(kind)})
		if err := s.SaveCookies(ctx, kind, current, withCookie); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, "SECRET-LB-"+string(kind))
	}
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "box"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheDay(ctx, 1, aimharder.Date{Year: 2026, Month: 11, Day: 23}, []byte(`{"attendees":["SECRET-NAME"]}`), time.Time{}); err != nil {
		t.Fatal(err)
	}

	files := func() []byte {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(path + suffix)
			if err == nil {
				all = append(all, b...)
			} else if !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		return all
	}
	if !bytes.Contains(files(), []byte("SECRET-background-TOKEN-5")) {
		t.Fatal("the current token is not in the files before logout: the search would prove nothing")
	}

	if err := s.Logout(ctx); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	check := func(when string) {
		all := files()
		for _, secret := range append(secrets, "SECRET-NAME") {
			if bytes.Contains(all, []byte(secret)) {
				t.Errorf("%s: %q is still in the database files", when, secret)
			}
		}
	}
	check("after logout, still open")
	for _, kind := range Kinds {
		if _, err := s.Session(ctx, kind); !errors.Is(err, ErrNoSession) {
			t.Errorf("%s session after logout: %v", kind, err)
		}
	}
	if a, err := s.Account(ctx); err != nil || a != testAccount {
		t.Errorf("logout must keep the account: %+v, %v", a, err)
	}
	if _, err := s.Box(ctx, 1); err != nil {
		t.Errorf("logout must keep boxes: %v", err)
	}
	s.Close()
	check("after logout and close")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
