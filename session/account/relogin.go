package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// ErrNoPasswordCommand: no password_command is configured, so a dead
// session cannot be revived without the member.
var ErrNoPasswordCommand = errNoPasswordCommand

// ErrReloginHeld: the re-login policy holds automatic logins back — a
// recent failure's backoff, or a refused password (see *ReloginHeldError).
var ErrReloginHeld = errors.New("ahtui is not logging in by itself for now")

// ReloginHeldError says why and until when automatic logins are held back.
type ReloginHeldError struct {
	// Refused: AimHarder refused the login (the password, or in words
	// ahtui does not know): held until the member logs in.
	Refused bool
	// Password: the refusal was the password's.
	Password bool
	Until    time.Time // the backoff's end (zero when Refused)
	Reason   string    // in the member's words
}

func (e *ReloginHeldError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrReloginHeld) true; ErrBadCredentials for a
// refused password and ErrLoginRefused for a refusal in other words.
func (e *ReloginHeldError) Is(target error) bool {
	switch target {
	case ErrReloginHeld:
		return true
	case aimharder.ErrBadCredentials:
		return e.Refused && e.Password
	case aimharder.ErrLoginRefused:
		return e.Refused && !e.Password
	}
	return false
}

// The re-login policy (one for every path: commands, the keeper, a fire).
// Every failed login counts towards AimHarder's lockout ("demasiadas
// veces"), per e-mail and for every process, so the policy's state lives
// in the session rows (session.ReloginState):
//   - after a failure, no automatic login for reloginBackoffMin, doubling
//     up to reloginBackoffMax (longer when AimHarder says how long);
//   - after a refused password, or a refusal in words ahtui does not
//     know (aimharder.ErrLoginRefused), none until the member logs in;
//   - after AimHarder's lockout ("demasiadas veces"), none for
//     reloginBackoffMax: its length is unknown, and a try inside it may
//     extend it;
//   - one process at a time logs a session in, under its lease, and one
//     that finds the session logged in again meanwhile uses that session.
const (
	reloginBackoffMin = 15 * time.Minute
	reloginBackoffMax = time.Hour
	reloginLeaseTTL   = 2 * time.Minute
)

// Relogin logs the session of that kind in again with the password that
// password_command prints, under the re-login policy. It returns nil
// without logging in when the session is live (another process logged it
// in), ErrNoPasswordCommand when none is set, and a *ReloginHeldError
// while the policy holds logins back.
func (s *Service) Relogin(ctx context.Context, kind session.Kind) error {
	sess, err := s.store.Session(ctx, kind)
	if errors.Is(err, session.ErrNoSession) {
		return ErrNotLoggedIn
	}
	if err != nil {
		return err
	}
	if sess.State == session.StateLive {
		return nil
	}
	return s.relogin(ctx, kind, sess.Credentials)
}

// relogin applies the policy to the session of that kind, whose
// credentials seen were found dead or unrenewable.
func (s *Service) relogin(ctx context.Context, kind session.Kind, seen aimharder.Credentials) error {
	command, ok, err := s.store.PasswordCommand(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return errNoPasswordCommand
	}
	sess, err := s.store.Session(ctx, kind)
	if err != nil {
		return err
	}
	if err := s.reloginHeld(ctx, sess); err != nil {
		return err
	}
	release, err := s.store.HoldForLogin(ctx, kind, s.owner, reloginLeaseTTL)
	if err != nil {
		return err
	}
	defer release()
	// Read again under the lease: another process may have logged in (or
	// failed to) while this one waited.
	if sess, err = s.store.Session(ctx, kind); err != nil {
		return err
	}
	if sess.State == session.StateLive && sess.Credentials.Token != seen.Token {
		s.log.Info("the session was logged in again by another process; using it", "kind", kind)
		return nil
	}
	if err := s.reloginHeld(ctx, sess); err != nil {
		return err
	}
	acct, err := s.store.Account(ctx)
	if err != nil {
		return err
	}
	password, err := s.password(ctx, command)
	if err != nil {
		return err // AimHarder was not asked: nothing counts towards the lockout
	}
	if err := s.loginKind(ctx, kind, acct.Email, password); err != nil {
		s.reloginFailed(ctx, sess.Relogin, err)
		return err
	}
	s.log.Info("logged in again with password_command", "kind", kind)
	return nil
}

// reloginHeld returns a *ReloginHeldError while the policy holds back.
func (s *Service) reloginHeld(ctx context.Context, sess session.Session) error {
	now := s.now()
	if !sess.Relogin.NotBefore.IsZero() {
		// The next try belongs to no box: the member reads it in the
		// current box's zone (the default zone when the store cannot say).
		zones, _ := s.store.Zones(ctx)
		sess.Relogin.NotBefore = zones.In(0, sess.Relogin.NotBefore)
	}
	reason := sess.Relogin.Reason(now)
	if reason == "" {
		return nil
	}
	e := &ReloginHeldError{Refused: sess.Relogin.Refused, Password: sess.Relogin.PasswordRefused(), Reason: reason}
	if !e.Refused {
		e.Until = sess.Relogin.NotBefore
	}
	return e
}

// reloginFailed stores a failed login in the policy's state.
func (s *Service) reloginFailed(ctx context.Context, prev session.ReloginState, cause error) {
	backoff := reloginBackoffMin
	for i := 0; i < prev.Failures && backoff < reloginBackoffMax; i++ {
		backoff *= 2
	}
	backoff = min(backoff, reloginBackoffMax)
	var blocked *aimharder.BlockedError
	if errors.As(cause, &blocked) && blocked.RetryAfter > backoff {
		backoff = min(blocked.RetryAfter, 24*time.Hour)
	}
	if errors.Is(cause, aimharder.ErrTooManyAttempts) {
		backoff = max(backoff, reloginBackoffMax)
	}
	refused := errors.Is(cause, aimharder.ErrBadCredentials) || errors.Is(cause, aimharder.ErrLoginRefused)
	msg := cause.Error()
	var le *aimharder.LoginError
	switch {
	case errors.Is(cause, aimharder.ErrBadCredentials):
		msg = session.PasswordRefused
	case errors.As(cause, &le):
		msg = le.MemberText() // the lockout's, or AimHarder's own words
	}
	if refused && !errors.Is(cause, aimharder.ErrBadCredentials) {
		s.log.Warn("AimHarder refused the login in words ahtui does not know; not logging in by itself until you run `ahtui login`",
			"reason", msg)
	}
	bg := context.WithoutCancel(ctx)
	if err := s.store.RecordReloginFailure(bg, msg, s.now().Add(backoff), refused); err != nil {
		s.log.Warn("could not store the failed login", "err", err)
	}
	s.log.Warn("logging in again with password_command failed", "err", fmt.Sprint(cause), "refused", refused, "next_try_in", backoff)
}
