package session

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ReloginState is the re-login policy's memory (session/account applies
// the policy). A failed login counts towards AimHarder's lockout ("has
// fallado demasiadas veces"), which is per e-mail, so the state is the
// account's: every write applies to both session rows, and every process
// and command reads the same. Any successful login clears it.
type ReloginState struct {
	Failures     int       // failed attempts in a row
	LastError    string    // the last failure, redacted
	LastFailedAt time.Time // zero when none
	NotBefore    time.Time // no automatic login before this; zero when free
	// Refused: AimHarder refused the login — the password, or in words
	// ahtui does not know (LastError says which). No automatic login until
	// the member logs in (a wrong password_command would lock the account;
	// an unknown refusal, retried blindly, might too).
	Refused bool
}

// PasswordRefused is LastError when AimHarder refused the password that
// password_command gives.
const PasswordRefused = "AimHarder refused the password that password_command gives"

// PasswordRefused reports whether the refusal held is the password's (not
// a refusal in other words).
func (r ReloginState) PasswordRefused() bool { return r.Refused && r.LastError == PasswordRefused }

// Reason says in a member's words why automatic logins are held back at
// now, or "" when they are not. The next try's time is written in
// NotBefore's location: the caller puts it in box time (session.Zones).
func (r ReloginState) Reason(now time.Time) string {
	switch {
	case r.Refused:
		what := r.LastError
		if what == "" {
			what = PasswordRefused
		}
		return what + "; ahtui will not log in by itself until you run `ahtui login`"
	case now.Before(r.NotBefore):
		return fmt.Sprintf("logging in again failed (%s); the next try is at %s", r.LastError, r.NotBefore.Format("15:04"))
	}
	return ""
}

// RecordReloginFailure stores a failed automatic login: the message
// (secrets are the caller's to keep out: it is never a password), when
// the next attempt may be made, and whether the password was refused.
func (s *Store) RecordReloginFailure(ctx context.Context, message string, notBefore time.Time, refused bool) error {
	message = strings.TrimSpace(message)
	return s.inTx(ctx, "record a failed login", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE sessions SET relogin_failures = relogin_failures + 1, relogin_error = ?, relogin_failed_at = ?,
	relogin_not_before = ?, relogin_refused = relogin_refused OR ?`,
			message, toMillis(s.now()), toMillis(notBefore), refused)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNoSession
		}
		return nil
	})
}

// HoldForLogin takes the session's lease for owner (waiting, as Rotate
// does, while another holds it) so that one process at a time logs that
// session in again. release gives the lease back unless owner held it
// already. Read the session again once it is held: another process may
// have logged in meanwhile.
func (s *Store) HoldForLogin(ctx context.Context, kind Kind, owner string, ttl time.Duration) (release func(), err error) {
	if err := kind.validate(); err != nil {
		return nil, err
	}
	if err := validateOwner(owner); err != nil {
		return nil, err
	}
	wait := max(s.leaseWait, ttl)
	_, alreadyHeld, err := s.waitSessionLease(ctx, kind, owner, ttl, wait, "")
	if err != nil {
		return nil, err
	}
	return func() {
		if alreadyHeld {
			return
		}
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.busyTimeout+time.Second)
		defer cancel()
		_ = s.ReleaseSessionLease(bg, kind, owner)
	}, nil
}
