package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Some boxes answer {"logout":1} to every box call of a session made by
// the JSON login until setrefresh has been called with its token
// (docs/protocol.md §3.1). A fire sends a request prepared with the
// session's credentials, so it arms the session before the opening
// (armSession, once per opening and runner, after the session check), and
// a burst still answered logout calls setrefresh once for its token and
// sends again (refreshAndRetry) before treating the logout as the end of
// the session (a login, reloginAndRetry).

// setRefreshFor bounds a setrefresh and each read around it.
const setRefreshFor = 5 * time.Second

// armSession asks the box, with one read of the member's next bookings,
// whether it accepts the background session; if it answers logout while
// whoami (the session check just before) found the session alive, it
// calls setrefresh and reads again. Nothing here ends the session: a
// logout it cannot fix is left to the burst. by bounds the whole.
func (j *fireJob) armSession(ctx context.Context, by time.Time) {
	r := j.r
	if !r.clock.Now().Before(by) {
		return
	}
	ctx, cancel := untilClock(ctx, r.clock, by)
	defer cancel()
	sess, err := r.store.Session(ctx, session.KindBackground)
	if err != nil || sess.State != session.StateLive {
		return
	}
	creds := sess.Credentials
	err = j.boxAccepts(ctx, creds)
	if !errors.Is(err, aimharder.ErrLoggedOut) {
		return
	}
	armed, ok := j.setRefresh(ctx, creds)
	if !ok {
		return
	}
	if err := j.boxAccepts(ctx, armed); err != nil {
		r.log.Warn("the box still says logged out after setrefresh, before a fire", "prebooking", j.p.ID, "err", err)
		return
	}
	r.log.Info("the box wanted setrefresh for the background session; called it before the opening", "prebooking", j.p.ID)
}

// armAside runs armSession (when the session check was this fire's and
// found the session alive) beside the clock probe, which must keep its
// time; the channel closes when it is done.
func (j *fireJob) armAside(ctx context.Context, checked bool, by time.Time) <-chan struct{} {
	done := make(chan struct{})
	if !checked {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		j.armSession(ctx, by)
	}()
	return done
}

// boxAccepts reads the member's next bookings at the fire's box with
// creds: nil when the box answered them.
func (j *fireJob) boxAccepts(ctx context.Context, creds aimharder.Credentials) error {
	rctx, cancel := context.WithTimeout(ctx, setRefreshFor)
	defer cancel()
	_, _, err := j.r.client.NextBookings(rctx, creds, j.ref, j.p.FamilyID)
	return err
}

// setRefresh calls setrefresh with creds and stores the cookies it set.
// The session keeps its own token and fingerprint (sessions are per
// fingerprint, docs/protocol.md §2.3). false when AimHarder did not
// confirm the token (the session is over or moved on, or the call failed).
func (j *fireJob) setRefresh(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, bool) {
	r := j.r
	sctx, cancel := context.WithTimeout(ctx, setRefreshFor)
	armed, err := r.svc.Client(sctx).SetRefresh(sctx, creds) // the account's domain (docs/protocol.md §1)
	cancel()
	if err != nil {
		r.log.Info("setrefresh after a logout answer did not confirm the session", "prebooking", j.p.ID, "err", err)
		return creds, false
	}
	if armed.Token != creds.Token {
		// The page stores another token: the session moved on (rotated
		// or logged in again elsewhere), and the logout was about
		// credentials nobody holds any more.
		r.log.Info("setrefresh answered with another token than the one sent; not sending with the old one", "prebooking", j.p.ID)
		return creds, false
	}
	armed.Fingerprint = creds.Fingerprint
	if !armed.Equal(creds) {
		if err := r.store.SaveCookies(ctx, session.KindBackground, creds, armed); err != nil && !errors.Is(err, session.ErrConcurrentUpdate) {
			r.log.Warn("cannot save the cookies setrefresh set", "err", err)
		}
	}
	return armed, true
}

// refreshAndRetry handles a burst AimHarder answered logout, once per
// token: setrefresh with the credentials the burst sent and, when it
// confirms them, the booking sent again at once and at the burst's
// remaining planned times. false: setrefresh did not confirm the session,
// or was already tried for this token.
func (j *fireJob) refreshAndRetry(ctx context.Context, res *burstResult) (*burstResult, bool) {
	if j.refreshedToken == j.sent.Token {
		return nil, false
	}
	j.refreshedToken = j.sent.Token
	armed, ok := j.setRefresh(ctx, j.sent)
	if !ok {
		return nil, false
	}
	j.r.log.Info("AimHarder answered the booking as logged out; called setrefresh and sending again", "prebooking", j.p.ID)
	retried, err := j.resend(ctx, res, armed)
	if err != nil {
		j.r.log.Warn("cannot send the booking again after setrefresh", "prebooking", j.p.ID, "err", err)
		return nil, false
	}
	return retried, true
}
