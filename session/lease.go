package session

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// SessionLease is a claim on one session row: while it is live, only its
// owner rotates that session's token. The scheduler holds the background
// lease across a fire so nothing rotates the token mid-flight.
type SessionLease struct {
	Kind      Kind
	Owner     string
	ExpiresAt time.Time
}

// randomID returns 16 random hex characters.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewOwner returns a lease owner name unique to this process and call:
// role, host, pid and a random suffix. Give each actor its own: the lease
// treats every holder with the same name as one (rotations stay one at a
// time regardless, through the rotation slot).
func NewOwner(role string) string {
	host, _ := os.Hostname()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	return fmt.Sprintf("%s@%s:%d:%s", role, host, os.Getpid(), hex.EncodeToString(suffix))
}

func validateOwner(owner string) error {
	if owner == "" || len(owner) > 200 {
		return fmt.Errorf("%w: a lease owner must be 1 to 200 bytes", ErrInvalid)
	}
	return nil
}

// AcquireSessionLease takes (or, for its current owner, extends) the lease
// on the session of that kind for ttl. It does not wait: a live lease of
// another owner gives a *LeaseHeldError (errors.Is ErrLeaseHeld); an
// expired one is taken over. Rotate and Fresh called by the same owner
// while the lease is held run inside it and leave it held.
func (s *Store) AcquireSessionLease(ctx context.Context, kind Kind, owner string, ttl time.Duration) (SessionLease, error) {
	if err := kind.validate(); err != nil {
		return SessionLease{}, err
	}
	if err := validateOwner(owner); err != nil {
		return SessionLease{}, err
	}
	if ttl <= 0 {
		return SessionLease{}, fmt.Errorf("%w: lease ttl must be positive", ErrInvalid)
	}
	lease, _, err := s.acquireSessionLease(ctx, kind, owner, ttl, "")
	return lease, err
}

// acquireSessionLease also reports whether owner already held the row, so
// Rotate knows not to release a lease an outer caller holds. A row naming
// owner counts as held even past its expiry: nobody else took it.
//
// With a rotationID it also claims the row's rotation slot, which only
// one call holds at a time whatever its owner; a busy slot is reported
// as ErrLeaseHeld too, so waiters treat both alike.
func (s *Store) acquireSessionLease(ctx context.Context, kind Kind, owner string, ttl time.Duration, rotationID string) (lease SessionLease, alreadyHeld bool, err error) {
	err = s.inTx(ctx, "take "+string(kind)+" session lease", func(tx *sql.Tx) error {
		var (
			current, rotating        string
			expires, rotationExpires int64
		)
		err := tx.QueryRowContext(ctx, `
SELECT lease_owner, lease_expires_at, rotation_id, rotation_expires_at FROM sessions WHERE kind = ?`, kind).
			Scan(&current, &expires, &rotating, &rotationExpires)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s session: %w", kind, ErrNoSession)
		}
		if err != nil {
			return err
		}
		now := toMillis(s.now())
		newExpiry := now + ttl.Milliseconds()
		leaseExpiry := newExpiry
		switch {
		case current == owner:
			alreadyHeld = true
			leaseExpiry = max(newExpiry, expires)
		case current != "" && expires > now:
			return &LeaseHeldError{Lease: string(kind) + " session", Owner: current, Until: fromMillis(expires)}
		}
		if rotationID != "" && rotating != "" && rotationExpires > now {
			return &LeaseHeldError{Lease: string(kind) + " session rotation", Owner: current, Until: fromMillis(rotationExpires)}
		}
		res, err := tx.ExecContext(ctx, `
UPDATE sessions SET lease_owner = ?1, lease_expires_at = ?2,
	rotation_id = CASE WHEN ?3 <> '' THEN ?3 ELSE rotation_id END,
	rotation_expires_at = CASE WHEN ?3 <> '' THEN ?4 ELSE rotation_expires_at END
WHERE kind = ?5`, owner, leaseExpiry, rotationID, newExpiry, kind)
		if err := mustChangeOne(res, err, kind); err != nil {
			return err
		}
		lease = SessionLease{Kind: kind, Owner: owner, ExpiresAt: fromMillis(leaseExpiry)}
		if rotationID != "" {
			// The rotation's call must end by the slot's expiry, which is
			// never later than the lease's.
			lease.ExpiresAt = fromMillis(newExpiry)
		}
		return nil
	})
	return lease, alreadyHeld, err
}

// endRotation frees the rotation slot, and the lease too when the rotation
// took it (rather than running inside a lease its owner already held).
func (s *Store) endRotation(ctx context.Context, kind Kind, owner, rotationID string, releaseLease bool) error {
	_, err := s.db.ExecContext(ctx, `
UPDATE sessions SET rotation_id = '', rotation_expires_at = 0,
	lease_owner = CASE WHEN ?1 AND lease_owner = ?2 THEN '' ELSE lease_owner END,
	lease_expires_at = CASE WHEN ?1 AND lease_owner = ?2 THEN 0 ELSE lease_expires_at END
WHERE kind = ?3 AND rotation_id = ?4`, releaseLease, owner, kind, rotationID)
	return s.wrap("end "+string(kind)+" rotation", err)
}

// waitSessionLease retries acquireSessionLease while another owner holds
// the lease, for at most wait (real time, not the injected clock), with a
// short backoff: rotations take well under a second, so a brief wait turns
// a collision into a queue instead of an error.
func (s *Store) waitSessionLease(ctx context.Context, kind Kind, owner string, ttl, wait time.Duration, rotationID string) (SessionLease, bool, error) {
	deadline := time.Now().Add(wait)
	backoff := 5 * time.Millisecond
	for {
		lease, held, err := s.acquireSessionLease(ctx, kind, owner, ttl, rotationID)
		if err == nil || !errors.Is(err, ErrLeaseHeld) {
			return lease, held, err
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return SessionLease{}, false, err
		}
		timer := time.NewTimer(min(backoff, remaining))
		select {
		case <-ctx.Done():
			timer.Stop()
			return SessionLease{}, false, fmt.Errorf("waiting for the %s session lease: %w (%w)", kind, ctx.Err(), err)
		case <-timer.C:
		}
		backoff = min(backoff*2, 100*time.Millisecond)
	}
}

// ReleaseSessionLease gives the lease back. It returns ErrLeaseNotHeld when
// owner does not hold it (it expired and someone else took it), and
// ErrNoSession when the session is gone (logout deletes the lease with it).
func (s *Store) ReleaseSessionLease(ctx context.Context, kind Kind, owner string) error {
	if err := kind.validate(); err != nil {
		return err
	}
	op := "release " + string(kind) + " session lease"
	res, err := s.db.ExecContext(ctx,
		`UPDATE sessions SET lease_owner = '', lease_expires_at = 0 WHERE kind = ? AND lease_owner = ?`, kind, owner)
	if err != nil {
		return s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.wrap(op, err)
	}
	if n == 1 {
		return nil
	}
	if _, err := s.Session(ctx, kind); err != nil {
		return err // ErrNoSession: logout removed the row and its lease
	}
	return fmt.Errorf("%s: %w", op, ErrLeaseNotHeld)
}
