package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// RotateFunc calls the server to rotate the token: it receives the current
// credentials and returns them as the server left them (new token, merged
// cookies). It must not keep them.
type RotateFunc func(ctx context.Context, current aimharder.Credentials) (aimharder.Credentials, error)

// Rotate rotates the token of the session of that kind, single-writer
// across processes (docs/product.md invariant 4):
//
//  1. take the row's lease for owner (or run inside it when owner already
//     holds it) and the row's rotation slot, which admits one call at a
//     time even among callers sharing an owner; wait up to the lease wait
//     (10 s by default) while either is busy, then ErrLeaseHeld;
//  2. read the current credentials (after the lease, so a rotation that
//     just finished elsewhere is seen);
//  3. call the server — with no transaction open — with a deadline at the
//     slot's expiry (the rotate lease TTL), so the call cannot outlive it;
//  4. write the new token and cookies with a compare-and-swap on the old
//     token; if it matches no row the result is ErrConcurrentUpdate.
//
// Every server call counts in TokenUpdateCount. A failure stores its
// message (secrets redacted) in LastError; a success clears it. If the
// call fails but returns a new token anyway, that token is stored too: it
// is the only one the server still accepts.
//
// Once the lease is held, the server call and its bookkeeping no longer
// depend on ctx's cancellation: they run in a goroutine the store owns,
// with their own deadline (the slot's expiry), so a token the server
// rotated is stored even if the caller gave up. A caller whose ctx ends
// first gets ctx's error at once; Close and WaitRotations wait for the
// rotation to finish.
//
// An answer that was lost (a dropped connection, a timeout, a 5xx)
// leaves the stored token as it was and the session live: the error
// wraps ErrRotationUnknown, and the caller checks the session with a
// request that does not rotate before concluding anything.
func (s *Store) Rotate(ctx context.Context, kind Kind, owner string, call RotateFunc) (aimharder.Credentials, error) {
	return s.rotate(ctx, kind, owner, 0, call)
}

// Fresh returns credentials whose token is younger than maxAge, rotating
// (as Rotate) only when it is older. The age is checked again once the
// lease is held, so when two processes both find the token old, the second
// uses the first's rotation instead of making its own.
func (s *Store) Fresh(ctx context.Context, kind Kind, owner string, maxAge time.Duration, call RotateFunc) (aimharder.Credentials, error) {
	if err := kind.validate(); err != nil {
		return aimharder.Credentials{}, err
	}
	if maxAge <= 0 {
		return aimharder.Credentials{}, fmt.Errorf("%w: maxAge must be positive", ErrInvalid)
	}
	sess, err := s.Session(ctx, kind)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	if sess.State == StateDead {
		return aimharder.Credentials{}, fmt.Errorf("%s session: %w", kind, ErrSessionDead)
	}
	if sess.TokenAge(s.now()) < maxAge {
		return sess.Credentials, nil
	}
	return s.rotate(ctx, kind, owner, maxAge, call)
}

// rotate is Rotate when maxAge is 0, and Fresh's slow path otherwise.
func (s *Store) rotate(ctx context.Context, kind Kind, owner string, maxAge time.Duration, call RotateFunc) (aimharder.Credentials, error) {
	if err := kind.validate(); err != nil {
		return aimharder.Credentials{}, err
	}
	if err := validateOwner(owner); err != nil {
		return aimharder.Credentials{}, err
	}
	if call == nil {
		return aimharder.Credentials{}, fmt.Errorf("%w: no server call given", ErrInvalid)
	}

	rotationID := randomID()
	lease, alreadyHeld, err := s.waitSessionLease(ctx, kind, owner, s.rotateLeaseTTL, s.leaseWait, rotationID)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	// From here the rotation belongs to the store, not to the caller: once
	// the request may have been sent, only its answer says which token is
	// alive, so it runs to its end (bounded by the slot's expiry) and is
	// stored even when the caller gives up — a signal, a deadline — and
	// Close waits for it.
	detached := context.WithoutCancel(ctx)
	if !s.startRotation() {
		s.finishRotation(detached, kind, owner, rotationID, alreadyHeld)
		return aimharder.Credentials{}, fmt.Errorf("rotate %s session: %w", kind, ErrClosed)
	}
	type result struct {
		creds aimharder.Credentials
		err   error
	}
	done := make(chan result, 1)
	go func() {
		defer s.rotations.Done()
		creds, err := s.rotateHeld(detached, kind, lease, maxAge, call)
		s.finishRotation(detached, kind, owner, rotationID, alreadyHeld)
		done <- result{creds, err}
	}()
	select {
	case r := <-done:
		return r.creds, r.err
	case <-ctx.Done():
		select {
		case r := <-done:
			return r.creds, r.err
		default:
		}
		return aimharder.Credentials{}, fmt.Errorf("rotate %s session: %w (the refresh goes on and its answer will be stored)", kind, ctx.Err())
	}
}

// finishRotation frees the rotation slot (and the lease it took). If it
// fails, expiry frees the row.
func (s *Store) finishRotation(ctx context.Context, kind Kind, owner, rotationID string, alreadyHeld bool) {
	bg, cancel := context.WithTimeout(ctx, s.busyTimeout+time.Second)
	defer cancel()
	_ = s.endRotation(bg, kind, owner, rotationID, !alreadyHeld)
}

// rotateHeld is the rotation once its slot is held; ctx carries no
// cancellation from the caller.
func (s *Store) rotateHeld(ctx context.Context, kind Kind, lease SessionLease, maxAge time.Duration, call RotateFunc) (aimharder.Credentials, error) {
	sess, err := s.Session(ctx, kind)
	if err != nil {
		return aimharder.Credentials{}, err
	}
	if sess.State == StateDead {
		return aimharder.Credentials{}, fmt.Errorf("%s session: %w", kind, ErrSessionDead)
	}
	if maxAge > 0 && sess.TokenAge(s.now()) < maxAge {
		return sess.Credentials, nil
	}

	// The slot's expiry is on the injected clock; turn it into a real deadline.
	callCtx, cancel := context.WithTimeout(ctx, lease.ExpiresAt.Sub(s.now()))
	returned, callErr := call(callCtx, sess.Credentials.Clone())
	cancel()

	return s.recordRotation(ctx, kind, sess.Credentials, returned, callErr)
}

// recordRotation stores the outcome of one server call. It retries while
// the database is busy, for up to a minute, and ignores ctx's cancellation:
// losing a token the server already rotated would lose the session.
func (s *Store) recordRotation(ctx context.Context, kind Kind, sent, returned aimharder.Credentials, callErr error) (aimharder.Credentials, error) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for {
		stored, err := s.writeRotation(bg, kind, sent, returned, callErr)
		if err == nil || !errors.Is(err, ErrBusy) || bg.Err() != nil {
			return stored, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Store) writeRotation(ctx context.Context, kind Kind, sent, returned aimharder.Credentials, callErr error) (aimharder.Credentials, error) {
	if callErr == nil && returned.Token == "" {
		callErr = errors.New("the server call returned no token")
	}
	var (
		stored    aimharder.Credentials
		resultErr error
	)
	err := s.inTx(ctx, "record "+string(kind)+" token rotation", func(tx *sql.Tx) error {
		now := toMillis(s.now())
		current, err := lockedCredentials(ctx, tx, kind, sent.Token)
		if errors.Is(err, ErrConcurrentUpdate) {
			// The row moved on during the call (a new login, or a writer
			// that ignored the lease): count the attempt, keep the row's token.
			msg := "the stored token changed while the server was being called (a new login?); the stored one was kept"
			if callErr != nil {
				msg += "; the call also failed: " + callErr.Error()
			}
			if _, err := tx.ExecContext(ctx, `
UPDATE sessions SET token_update_count = token_update_count + 1, last_error = ?, last_error_at = ?
WHERE kind = ?`, redact(msg, sent, returned), now, kind); err != nil {
				return err
			}
			resultErr = fmt.Errorf("%s session: %w: the token changed during the rotation", kind, ErrConcurrentUpdate)
			if callErr != nil {
				resultErr = errors.Join(resultErr, callErr)
			}
			return nil
		}
		if err != nil {
			return err
		}

		lastError, lastErrorAt := "", sql.NullInt64{}
		if callErr != nil {
			lastError, lastErrorAt = redact(callErr.Error(), sent, returned), sql.NullInt64{Int64: now, Valid: true}
		}
		// On failure keep what the server set anyway (a new token, cookies),
		// as its reply is the only truth left; otherwise count and note.
		persist := callErr == nil || (returned.Token != "" && !returned.Equal(sent))
		if !persist {
			res, err := tx.ExecContext(ctx, `
UPDATE sessions SET token_update_count = token_update_count + 1, last_error = ?, last_error_at = ?
WHERE kind = ? AND token = ?`, lastError, lastErrorAt, kind, sent.Token)
			if err := mustChangeOne(res, err, kind); err != nil {
				return err
			}
			resultErr = fmt.Errorf("rotate %s session: %w", kind, callErr)
			if answerLost(callErr) {
				resultErr = fmt.Errorf("rotate %s session: %w: %w", kind, ErrRotationUnknown, callErr)
			}
			return nil
		}

		// persist implies returned.Token != "" (an empty one became callErr).
		stored = aimharder.Credentials{
			Token:       returned.Token,
			Fingerprint: returned.Fingerprint,
			Cookies:     mergeCookieChanges(current.Cookies, sent.Cookies, returned.Cookies),
		}
		if stored.Fingerprint == "" {
			stored.Fingerprint = current.Fingerprint
		}
		cookies, err := encodeCookies(stored.Cookies)
		if err != nil {
			return err
		}
		tokenUpdated := callErr == nil || stored.Token != sent.Token
		res, err := tx.ExecContext(ctx, `
UPDATE sessions SET token = ?, fingerprint = ?, cookies = ?,
	token_updated_at = CASE WHEN ? THEN ? ELSE token_updated_at END,
	token_update_count = token_update_count + 1, last_error = ?, last_error_at = ?
WHERE kind = ? AND token = ?`,
			stored.Token, stored.Fingerprint, cookies, tokenUpdated, now, lastError, lastErrorAt, kind, sent.Token)
		if err := mustChangeOne(res, err, kind); err != nil {
			return err
		}
		if callErr != nil {
			resultErr = fmt.Errorf("rotate %s session: %w", kind, callErr)
		}
		return nil
	})
	if err != nil {
		return aimharder.Credentials{}, err
	}
	if resultErr != nil {
		return aimharder.Credentials{}, resultErr
	}
	return stored, nil
}

// answerLost reports a call error that says nothing about whether the
// server rotated the token: the request may have been processed and its
// answer lost.
func answerLost(err error) bool {
	return aimharder.Ambiguous(err) || errors.Is(err, context.DeadlineExceeded)
}
