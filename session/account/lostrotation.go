package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// ErrRefreshLost: a token refresh got no answer, and a whoami showed the
// session still works. Calls go on with it; a keeper retries later.
var ErrRefreshLost = errors.New("a token refresh got no answer; the session still works")

// ErrRefreshRefused: AimHarder no longer renews the session's token, but
// the session itself still works (its cookies do), until it lapses. It
// happens when a refresh's answer was lost after AimHarder rotated the
// token. Calls go on with the session; the member is told to log in.
var ErrRefreshRefused = errors.New("AimHarder no longer renews this session, though it still works for now: run `ahtui login` (or set password_command)")

// sessionAlive asks AimHarder, with a request that rotates nothing
// (whoami, docs/protocol.md §3.5), whether the session with creds lives.
// It saves the cookies the answer changed. A logout answer is (false,
// nil); an answer that says nothing is (false, err).
func (s *Service) sessionAlive(ctx context.Context, kind session.Kind, creds aimharder.Credentials) (bool, error) {
	err := s.callOnce(ctx, kind, creds, func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		_, updated, err := s.api(ctx).Whoami(ctx, creds)
		return updated, err
	})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, aimharder.ErrLoggedOut):
		return false, nil
	}
	return false, err
}

// afterLostRotation follows a refresh whose answer was lost: AimHarder
// may have rotated the token or not, and the only candidate ahtui holds
// is the stored one (a lost answer carries no new token). The session is
// not declared dead: a whoami with the stored credentials says whether it
// still works; if it does it is kept (ErrRefreshLost: callers go on with
// it, a keeper backs off and tries again), and the member is warned.
func (s *Service) afterLostRotation(ctx context.Context, kind session.Kind, sent aimharder.Credentials, cause error) (aimharder.Credentials, error) {
	s.log.Warn("the answer to a token refresh was lost; checking the session", "kind", kind, "err", cause)
	stored, err := s.current(ctx, kind)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	if stored.Token != sent.Token {
		return stored, nil // another process stored a newer token meanwhile
	}
	alive, perr := s.sessionAlive(ctx, kind, stored)
	switch {
	case perr != nil:
		return aimharder.Credentials{}, fmt.Errorf("%w; checking the session afterwards failed too: %v", cause, perr)
	case !alive:
		if rerr := s.sessionEnded(ctx, kind, stored, cause); rerr != nil {
			return aimharder.Credentials{}, rerr
		}
		return s.current(ctx, kind)
	}
	s.note(ctx, kind, stored, "a token refresh got no answer (the network or AimHarder failed); the session was checked and still works")
	return aimharder.Credentials{}, fmt.Errorf("%w: %w", ErrRefreshLost, cause)
}

// afterRefusedRotation follows a refresh AimHarder answered with logout.
// That ends the session only if a whoami agrees: the token may just be
// spent (a rotation whose answer was lost) while the session lives on.
// Then a password_command logs in again under the re-login policy;
// without one the session is used while it lasts, and the member warned.
func (s *Service) afterRefusedRotation(ctx context.Context, kind session.Kind, sent aimharder.Credentials, cause error) (aimharder.Credentials, error) {
	alive, perr := s.sessionAlive(ctx, kind, sent)
	if perr != nil {
		return aimharder.Credentials{}, fmt.Errorf("%w; checking whether the session still works failed: %v", cause, perr)
	}
	if !alive {
		if rerr := s.sessionEnded(ctx, kind, sent, cause); rerr != nil {
			return aimharder.Credentials{}, rerr
		}
		return s.current(ctx, kind)
	}
	rerr := s.relogin(ctx, kind, sent)
	if rerr == nil {
		return s.current(ctx, kind)
	}
	s.note(ctx, kind, sent, "AimHarder no longer renews this session's token, though the session still works for now; log in again with `ahtui login`")
	if errors.Is(rerr, errNoPasswordCommand) {
		return aimharder.Credentials{}, ErrRefreshRefused
	}
	return aimharder.Credentials{}, fmt.Errorf("%w (logging in again with password_command: %v)", ErrRefreshRefused, rerr)
}

// note stores a warning in the session's LastError and logs it.
func (s *Service) note(ctx context.Context, kind session.Kind, used aimharder.Credentials, message string) {
	s.log.Warn(message, "kind", kind)
	if err := s.store.NoteProblem(context.WithoutCancel(ctx), kind, used, message); err != nil && !errors.Is(err, session.ErrConcurrentUpdate) {
		s.log.Warn("could not store the session warning", "kind", kind, "err", err)
	}
}
