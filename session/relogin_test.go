package session

import (
	"strings"
	"testing"
	"time"
)

// The held reason names what AimHarder refused: the password, or the login
// in its own words (issue 14 item 1).
func TestReloginReasonNamesTheRefusal(t *testing.T) {
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	password := ReloginState{Refused: true, LastError: PasswordRefused}
	if !password.PasswordRefused() || !strings.HasPrefix(password.Reason(now), "AimHarder refused the password") {
		t.Errorf("password: %v %q", password.PasswordRefused(), password.Reason(now))
	}
	other := ReloginState{Refused: true, LastError: "AimHarder refused the login: Cuenta bloqueada"}
	if other.PasswordRefused() || !strings.HasPrefix(other.Reason(now), "AimHarder refused the login: Cuenta bloqueada; ") ||
		!strings.Contains(other.Reason(now), "until you run `ahtui login`") {
		t.Errorf("other: %v %q", other.PasswordRefused(), other.Reason(now))
	}
	old := ReloginState{Refused: true} // a row from before the words were kept
	if !strings.HasPrefix(old.Reason(now), PasswordRefused) {
		t.Errorf("old row: %q", old.Reason(now))
	}
	if (ReloginState{Failures: 1, NotBefore: now.Add(-time.Minute)}).Reason(now) != "" {
		t.Error("a past backoff still holds")
	}
}
