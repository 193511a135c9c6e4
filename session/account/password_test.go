package account_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// TestFailingPasswordCommandNeverShowsItsOutput: a password_command that
// prints the password on both streams and then fails leaves the session
// expired with an error naming the command and its status; the password
// is in neither the error nor the log.
func TestFailingPasswordCommandNeverShowsItsOutput(t *testing.T) {
	fake, urls := aimhardertest.Start(t, world())
	store, err := session.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
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
	var logs bytes.Buffer
	svc := account.New(account.Config{Store: store, Client: client, Owner: session.NewOwner("test"),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	command := "printf '%s\\n' " + password + "; printf '%s\\n' " + password + " >&2; exit 2"
	if err := store.SetSetting(t.Context(), session.SettingPasswordCommand, command); err != nil {
		t.Fatal(err)
	}
	fake.ForceLogout(email, "")
	_, err = svc.Day(t.Context(), session.KindBackground, res.Current, aimharder.DateOf(time.Now()))
	if !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("failing password_command: %v, want ErrSessionExpired", err)
	}
	if !strings.Contains(err.Error(), "password_command failed: exit status 2") {
		t.Errorf("error %q does not say the command failed and how", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error %q holds the password", err)
	}
	if strings.Contains(logs.String(), password) {
		t.Errorf("log holds the password:\n%s", logs.String())
	}
	sess, _ := store.Session(t.Context(), session.KindBackground)
	if sess.State != session.StateDead {
		t.Errorf("background session %s, want dead", sess.State)
	}
}
