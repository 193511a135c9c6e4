package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// serverCall is one request made with the session's credentials; it returns
// the credentials as the server left them.
type serverCall func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error)

// withSession runs call with the current credentials of the session of that
// kind, refreshed first when older than the refresh-before-use threshold,
// and persists what the server changed. When the server says the session
// is over it logs in again once with password_command (if set) and retries
// once; otherwise it marks the session dead and returns ErrSessionExpired.
func (s *Service) withSession(ctx context.Context, kind session.Kind, call serverCall) error {
	creds, err := s.freshCredentials(ctx, kind)
	if err != nil {
		return err
	}
	err = s.callArmed(ctx, kind, creds, call)
	if !errors.Is(err, aimharder.ErrLoggedOut) {
		return err
	}
	if rerr := s.sessionEnded(ctx, kind, creds, err); rerr != nil {
		return rerr
	}
	creds, err = s.current(ctx, kind)
	if err != nil {
		return err
	}
	err = s.callArmed(ctx, kind, creds, call)
	if errors.Is(err, aimharder.ErrLoggedOut) {
		_ = s.store.MarkDead(ctx, kind, creds, "logged out right after logging in again")
		return fmt.Errorf("%w (%v)", ErrSessionExpired, err)
	}
	return err
}

// callArmed is callOnce, except that a live session that AimHarder says is
// logged out gets one setrefresh and one retry: some accounts' boxes answer
// {"logout":1} after the JSON login until setrefresh is called
// (docs/protocol.md §3.1, [ONE]). A session rotated by the keeper before any
// box call needed it is just as unarmed, so rotation does not exempt it;
// setrefresh only confirms a token that is still live, so a session that
// really ended is still found dead. Most sessions never need it, so it is
// not sent after every login.
func (s *Service) callArmed(ctx context.Context, kind session.Kind, creds aimharder.Credentials, call serverCall) error {
	err := s.callOnce(ctx, kind, creds, call)
	if !errors.Is(err, aimharder.ErrLoggedOut) {
		return err
	}
	sess, serr := s.store.Session(ctx, kind)
	if serr != nil || sess.State != session.StateLive || sess.Credentials.Token != creds.Token {
		return err
	}
	armed, aerr := s.api(ctx).SetRefresh(ctx, creds)
	if aerr != nil {
		s.log.Info("setrefresh after a logout answer did not help", "kind", kind, "err", aerr)
		return err
	}
	// Keep the session's own token and fingerprint (sessions are per
	// fingerprint, docs/protocol.md §2.3); take only the cookies it set.
	armed.Token, armed.Fingerprint = creds.Token, creds.Fingerprint
	if !armed.Equal(creds) {
		if serr := s.store.SaveCookies(ctx, kind, creds, armed); serr != nil && !errors.Is(serr, session.ErrConcurrentUpdate) {
			s.log.Warn("could not save the cookies AimHarder set", "kind", kind, "err", serr)
		}
	}
	s.log.Info("AimHarder answered a fresh session as logged out; called setrefresh and tried once more", "kind", kind)
	return s.callOnce(ctx, kind, armed, call)
}

// callOnce makes the call and saves the cookies it changed. The token itself
// only changes through Rotate, so SaveCookies' compare-and-swap on it keeps
// a concurrent rotation from being overwritten.
func (s *Service) callOnce(ctx context.Context, kind session.Kind, creds aimharder.Credentials, call serverCall) error {
	updated, err := call(ctx, creds)
	updated, err = s.confirmLogout(ctx, creds, updated, err) // an unexpected answer is a logout only once whoami says so
	if updated.Token != "" && !updated.Equal(creds) {
		if serr := s.store.SaveCookies(ctx, kind, creds, updated); serr != nil && !errors.Is(serr, session.ErrConcurrentUpdate) {
			s.log.Warn("could not save the cookies AimHarder set", "kind", kind, "err", serr)
		}
	}
	return err
}

// current reads the session's credentials, refusing a missing or dead one.
func (s *Service) current(ctx context.Context, kind session.Kind) (aimharder.Credentials, error) {
	sess, err := s.store.Session(ctx, kind)
	if errors.Is(err, session.ErrNoSession) {
		return aimharder.Credentials{}, ErrNotLoggedIn
	}
	if err != nil {
		return aimharder.Credentials{}, err
	}
	if sess.State != session.StateLive {
		return aimharder.Credentials{}, ErrSessionExpired
	}
	return sess.Credentials, nil
}

// freshCredentials returns the session's credentials, rotating the token
// first when it is older than the refresh-before-use threshold. A session
// found dead — before the rotation or by it (another process may mark it
// dead in between) — is logged in again under the re-login policy.
func (s *Service) freshCredentials(ctx context.Context, kind session.Kind) (aimharder.Credentials, error) {
	creds, err := s.freshOnce(ctx, kind)
	if !errors.Is(err, ErrSessionExpired) {
		return creds, err
	}
	if rerr := s.Relogin(ctx, kind); rerr == nil {
		return s.current(ctx, kind)
	} else if !errors.Is(rerr, errNoPasswordCommand) {
		return aimharder.Credentials{}, fmt.Errorf("%w; logging in again with password_command: %v", err, rerr)
	}
	return aimharder.Credentials{}, err
}

func (s *Service) freshOnce(ctx context.Context, kind session.Kind) (aimharder.Credentials, error) {
	current, err := s.current(ctx, kind)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	th, err := s.store.Thresholds(ctx)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	creds, err := s.Fresh(ctx, kind, th.RefreshBeforeFire)
	if errors.Is(err, ErrRefreshRefused) || errors.Is(err, ErrRefreshLost) {
		// The session still works; only its refresh failed: use it while it
		// lasts (the member was warned).
		if now, cerr := s.current(ctx, kind); cerr == nil {
			return now, nil
		}
		return current, nil
	}
	return creds, err
}

// Fresh returns credentials whose token is younger than maxAge, rotating
// it (under the session lease, with a compare-and-swap) when it is older.
func (s *Service) Fresh(ctx context.Context, kind session.Kind, maxAge time.Duration) (aimharder.Credentials, error) {
	return s.rotate(ctx, kind, func(refresh session.RotateFunc) (aimharder.Credentials, error) {
		return s.store.Fresh(ctx, kind, s.owner, maxAge, refresh)
	})
}

// rotate runs a store rotation with the client's tokenUpdate and handles a
// logout answer: the session is marked dead, or logged in again.
func (s *Service) rotate(ctx context.Context, kind session.Kind, run func(session.RotateFunc) (aimharder.Credentials, error)) (aimharder.Credentials, error) {
	var sent aimharder.Credentials
	creds, err := run(func(ctx context.Context, current aimharder.Credentials) (aimharder.Credentials, error) {
		sent = current
		return s.api(ctx).RefreshToken(ctx, current)
	})
	switch {
	case errors.Is(err, session.ErrRotationUnknown):
		return s.afterLostRotation(ctx, kind, sent, err)
	case errors.Is(err, aimharder.ErrLoggedOut):
		return s.afterRefusedRotation(ctx, kind, sent, err)
	case errors.Is(err, session.ErrSessionDead):
		return aimharder.Credentials{}, ErrSessionExpired
	case errors.Is(err, session.ErrNoSession):
		return aimharder.Credentials{}, ErrNotLoggedIn
	}
	return creds, err
}

// sessionEnded handles a logout answer: it marks the session dead and, when
// a password_command is configured, logs in again. It returns nil only when
// a new session is in place.
func (s *Service) sessionEnded(ctx context.Context, kind session.Kind, used aimharder.Credentials, cause error) error {
	err := s.store.MarkDead(ctx, kind, used, cause.Error())
	if errors.Is(err, session.ErrConcurrentUpdate) {
		// The row changed since `used` was read. Rotated or logged in again
		// by another process: the logout answer was about a token nobody
		// holds any more. Marked dead by another process that saw the same
		// logout: log in again all the same (relogin serialises the two,
		// and the later one uses the session the first made).
		if sess, rerr := s.store.Session(ctx, kind); rerr != nil || sess.State == session.StateLive {
			return nil
		}
		err = nil
	}
	if err != nil {
		s.log.Warn("could not mark the session dead", "kind", kind, "err", err)
	}
	if err := s.relogin(ctx, kind, used); err != nil {
		if errors.Is(err, errNoPasswordCommand) {
			return ErrSessionExpired
		}
		return fmt.Errorf("%w; logging in again with password_command failed: %v", ErrSessionExpired, err)
	}
	return nil
}

// CheckAlive asks AimHarder whether the session of that kind still lives,
// with its current credentials and nothing more: no token rotation, which
// a caller's deadline could cut short after AimHarder made it (the next
// rotation would then replay a spent token and end the session). A session
// AimHarder ended, or one already known dead, is logged in again with
// password_command, as any call would.
//
// askWithin bounds the question alone (0: ctx does); a re-login it calls
// for runs under ctx.
func (s *Service) CheckAlive(ctx context.Context, kind session.Kind, askWithin time.Duration) error {
	creds, err := s.current(ctx, kind)
	if errors.Is(err, ErrSessionExpired) {
		if rerr := s.Relogin(ctx, kind); rerr != nil {
			return fmt.Errorf("%w; logging in again with password_command failed: %v", ErrSessionExpired, rerr)
		}
		return nil
	}
	if err != nil {
		return err
	}
	askCtx, cancel := ctx, context.CancelFunc(func() {})
	if askWithin > 0 {
		askCtx, cancel = context.WithTimeout(ctx, askWithin)
	}
	err = s.callOnce(askCtx, kind, creds, func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		_, updated, err := s.api(ctx).Whoami(ctx, creds)
		return updated, err
	})
	cancel()
	if errors.Is(err, aimharder.ErrLoggedOut) {
		return s.sessionEnded(ctx, kind, creds, err)
	}
	return err
}

var errNoPasswordCommand = errors.New("no password_command configured")
