package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutcomeOpeningStated is the outcome code Rearm leaves on a pending
// prebooking: its opening is the one AimHarder stated in a "too early"
// answer, not one computed from the box's rule, so it must not be moved
// back to the rule's (the scheduler leaves such openings alone).
const OutcomeOpeningStated = "opening_stated"

// EventPrebookRearmed is the history line Rearm writes.
const EventPrebookRearmed EventKind = "prebooking.rearmed"

// OpeningStated reports whether the prebooking's opening was stated by
// AimHarder (see Rearm) rather than computed from the box's window rule.
func (p Prebooking) OpeningStated() bool {
	return p.Status == PrebookPending && p.OutcomeCode == OutcomeOpeningStated
}

// Rearm puts a prebooking owner is firing back to pending with the opening
// AimHarder stated (its "too early" answer named a later one), in one
// UPDATE: status, opening and claim change together or not at all. The
// prebooking is marked OutcomeOpeningStated. 0 rows (another runner took
// the claim over, or it is no longer firing) gives ErrConcurrentUpdate.
func (s *Store) Rearm(ctx context.Context, id int64, owner string, opensAt time.Time) error {
	if err := validateOwner(owner); err != nil {
		return err
	}
	if opensAt.IsZero() {
		return fmt.Errorf("%w: rearming needs an opening", ErrInvalid)
	}
	return s.inTx(ctx, "rearm prebooking", func(tx *sql.Tx) error {
		now := s.now()
		p, err := scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET status = 'pending', opens_at = ?, claimed_by = '', fired_at = NULL, outcome_code = ?
WHERE id = ? AND status = 'firing' AND claimed_by = ? RETURNING `+prebookingColumns,
			toMillis(opensAt), OutcomeOpeningStated, id, owner))
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyNot(ctx, tx, id, ErrConcurrentUpdate)
		}
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookRearmed,
			describe(p)+": AimHarder said booking opens later than the window rule says; waiting for the opening it stated"))
	})
}

// TouchClaim is the claim's heartbeat: it sets fired_at to now on a
// prebooking owner is firing, so other runners see the claim is alive
// (they take over only claims whose fired_at is older than their stale
// limit). 0 rows — the claim was taken over, or the prebooking finished —
// gives ErrConcurrentUpdate: the owner must not fire it.
func (s *Store) TouchClaim(ctx context.Context, id int64, owner string) error {
	res, err := s.db.ExecContext(ctx, `
UPDATE prebookings SET fired_at = ? WHERE id = ? AND status = 'firing' AND claimed_by = ?`,
		toMillis(s.now()), id, owner)
	return s.expectOne(ctx, "refresh prebooking claim", id, res, err, ErrConcurrentUpdate)
}
