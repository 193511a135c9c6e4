package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// LoginResult is what a login set up.
type LoginResult struct {
	Account session.Account
	Boxes   []session.Box
	// Current is the current box, when there is one: the only box, or the
	// one chosen before. Choosing is the caller's job when it is unset.
	Current    session.Box
	HasCurrent bool
}

// Login signs the member in with one password, for the device session
// (interactive use) and, unless it is alive, for the background session
// (the scheduler), each with its own fingerprint, so that rotating one
// token never invalidates the other. A live background session is kept:
// logging in again with its fingerprint would end it on the server, maybe
// in the middle of a prebooking's fire. The password is not kept.
func (s *Service) Login(ctx context.Context, email, password string) (LoginResult, error) {
	email = strings.TrimSpace(email)
	if email == "" || password == "" {
		return LoginResult{}, errors.New("an e-mail and a password are needed")
	}
	// A login replaces the server's session for the same fingerprint, so a
	// login the store then fails to save would kill the stored session.
	// Writing first makes a locked or read-only database fail before the
	// server is touched.
	if _, err := s.store.Record(ctx, session.Event{Kind: session.EventLogin, Message: "logging in as " + email}); err != nil {
		return LoginResult{}, err
	}
	user, err := s.loginKindUser(ctx, session.KindDevice, email, password)
	if err != nil {
		return LoginResult{}, err
	}
	if err := s.loginBackground(ctx, email, password); err != nil {
		return LoginResult{}, err
	}
	res, err := s.afterLogin(ctx, user)
	if err != nil {
		return res, err
	}
	return s.placeBoxes(ctx, res), nil
}

// placeBoxes reads today's class list of each box whose address ahtui has
// not seen yet, so its time zone is detected from the address
// (docs/protocol.md §4.3) before the member prebooks anything there. It is
// best effort: a box whose list cannot be read now is placed at its first
// class list.
func (s *Service) placeBoxes(ctx context.Context, res LoginResult) LoginResult {
	for i, b := range res.Boxes {
		if b.Address != "" {
			continue
		}
		ref, err := BoxRef(b)
		if err != nil {
			continue
		}
		today := aimharder.DateOf(s.now().In(ref.Location))
		days, err := s.fetchDays(ctx, session.KindDevice, ref, today, 1, "")
		if err != nil {
			s.log.Info("could not read the class list to place the box", "box", b.Subdomain, "err", err)
			continue
		}
		res.Boxes[i] = s.placeBox(ctx, b, days)
		if res.HasCurrent && res.Current.ID == b.ID {
			res.Current = res.Boxes[i]
		}
	}
	return res
}

// loginBackground logs the background session in when it is missing or
// dead, holding its lease so no fire or rotation is under way meanwhile.
func (s *Service) loginBackground(ctx context.Context, email, password string) error {
	kind := session.KindBackground
	sess, err := s.store.Session(ctx, kind)
	if err == nil && sess.State == session.StateLive && strings.EqualFold(sess.Account.Email, email) {
		return nil
	}
	if err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	if err == nil {
		if _, err := s.store.AcquireSessionLease(ctx, kind, s.owner, 2*time.Minute); err != nil {
			if errors.Is(err, session.ErrLeaseHeld) {
				// The runner holds it: it is logging in again itself.
				s.log.Info("background session busy with the runner; not logging it in", "err", err)
				return nil
			}
			return err
		}
		defer func() {
			if err := s.store.ReleaseSessionLease(context.WithoutCancel(ctx), kind, s.owner); err != nil {
				s.log.Warn("could not release the background session's lease", "err", err)
			}
		}()
	}
	_, err = s.loginKindUser(ctx, kind, email, password)
	return err
}

// loginKind logs one session kind in (used to log in again).
func (s *Service) loginKind(ctx context.Context, kind session.Kind, email, password string) error {
	user, err := s.loginKindUser(ctx, kind, email, password)
	if err != nil {
		return err
	}
	_, err = s.afterLogin(ctx, user)
	return err
}

func (s *Service) loginKindUser(ctx context.Context, kind session.Kind, email, password string) (aimharder.User, error) {
	fp, err := s.store.Fingerprint(ctx, kind, email)
	if err != nil {
		return aimharder.User{}, err
	}
	res, err := s.api(ctx).Login(ctx, email, password, fp)
	if err != nil {
		return aimharder.User{}, err
	}
	if res.Domain != "" {
		// An account on another deployment (aimharder.es): the next calls,
		// the other session's login included, go there at once.
		s.onDomain.Store(s.client.ForDomain(res.Domain))
	}
	acct := session.Account{Email: email, UserID: res.User.ID, Name: res.User.Name}
	if err := s.store.SaveLogin(ctx, kind, acct, res.Credentials); err != nil {
		return aimharder.User{}, err
	}
	return res.User, nil
}

// afterLogin records the account's boxes and picks the current box when the
// account has exactly one.
func (s *Service) afterLogin(ctx context.Context, user aimharder.User) (LoginResult, error) {
	infos := make([]session.BoxInfo, 0, len(user.Boxes))
	for _, b := range user.Boxes {
		infos = append(infos, session.BoxInfo{ID: b.ID, Subdomain: b.Subdomain, Name: b.Name, Domain: b.Domain})
	}
	if err := s.store.SyncBoxes(ctx, infos); err != nil {
		return LoginResult{}, err
	}
	s.onDomain.Store(nil) // the boxes may have moved: api reads the domain again
	res := LoginResult{}
	var err error
	if res.Account, err = s.store.Account(ctx); err != nil {
		return LoginResult{}, err
	}
	if res.Boxes, err = s.ActiveBoxes(ctx); err != nil {
		return LoginResult{}, err
	}
	cur, err := s.store.CurrentBox(ctx)
	switch {
	case err == nil && cur.Active:
		res.Current, res.HasCurrent = cur, true
	case len(res.Boxes) == 1:
		if err := s.store.SetCurrentBox(ctx, res.Boxes[0].ID); err != nil {
			return LoginResult{}, err
		}
		res.Current, res.HasCurrent = res.Boxes[0], true
	}
	return res, nil
}

// ActiveBoxes returns the boxes the account lists now.
func (s *Service) ActiveBoxes(ctx context.Context) ([]session.Box, error) {
	all, err := s.store.Boxes(ctx)
	if err != nil {
		return nil, err
	}
	active := all[:0]
	for _, b := range all {
		if b.Active {
			active = append(active, b)
		}
	}
	return active, nil
}

// Logout ends both sessions on the server (best effort: the member wants to
// be logged out even when AimHarder cannot be reached) and deletes their
// tokens and cookies from the store.
func (s *Service) Logout(ctx context.Context) error {
	for _, kind := range session.Kinds {
		sess, err := s.store.Session(ctx, kind)
		if err != nil {
			continue
		}
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s.api(callCtx).Logout(callCtx, sess.Credentials); err != nil {
			s.log.Info("server logout failed; forgetting the session anyway", "kind", kind, "err", err)
		}
		cancel()
	}
	return s.store.Logout(ctx)
}

// Whoami confirms the session of that kind with the server.
func (s *Service) Whoami(ctx context.Context, kind session.Kind) (aimharder.User, error) {
	var user aimharder.User
	err := s.withSession(ctx, kind, func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		u, updated, err := s.api(ctx).Whoami(ctx, creds)
		user = u
		return updated, err
	})
	return user, err
}
