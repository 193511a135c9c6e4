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

// OutcomeOpeningSearch marks a pending prebooking whose opening is one
// plausible instant the scheduler tries with a single request, looking
// for a box's fixed opening hour; OutcomeOpeningZone, one whole number of
// hours past the computed opening, where a wrong time zone would put it
// (docs/protocol.md §9). Neither is moved back to the rule's opening.
const (
	OutcomeOpeningSearch = "opening_search"
	OutcomeOpeningZone   = "opening_zone"
)

// EventPrebookRearmed is the history line Rearm writes.
const EventPrebookRearmed EventKind = "prebooking.rearmed"

// OpeningStated reports whether the prebooking's opening was stated by
// AimHarder (see Rearm) rather than computed from the box's window rule.
func (p Prebooking) OpeningStated() bool {
	return p.Status == PrebookPending && (p.OutcomeCode == OutcomeOpeningStated ||
		p.OutcomeCode == OutcomeOpeningSearch || p.OutcomeCode == OutcomeOpeningZone)
}

// SearchOpening sets a pending prebooking's opening to an instant the
// scheduler tries (code OutcomeOpeningSearch or OutcomeOpeningZone).
func (s *Store) SearchOpening(ctx context.Context, id int64, opensAt time.Time, code string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE prebookings SET opens_at = ?, outcome_code = ? WHERE id = ? AND status = 'pending'`,
		nullMillis(opensAt), code, id)
	return s.expectOne(ctx, "set opening time", id, res, err, ErrNotPending)
}

// Rearm puts a prebooking owner is firing back to pending with the opening
// AimHarder stated (its "too early" answer named a later one), in one
// UPDATE: status, opening and claim change together or not at all. The
// prebooking is marked OutcomeOpeningStated. 0 rows (another runner took
// the claim over, or it is no longer firing) gives ErrConcurrentUpdate.
func (s *Store) Rearm(ctx context.Context, id int64, owner string, opensAt time.Time) error {
	return s.RearmAs(ctx, id, owner, opensAt, OutcomeOpeningStated)
}

// RearmAs is Rearm with the code to mark the prebooking with
// (OutcomeOpeningStated, OutcomeOpeningSearch or OutcomeOpeningZone).
func (s *Store) RearmAs(ctx context.Context, id int64, owner string, opensAt time.Time, code string) error {
	if err := validateOwner(owner); err != nil {
		return err
	}
	if opensAt.IsZero() {
		return fmt.Errorf("%w: rearming needs an opening", ErrInvalid)
	}
	return s.inTx(ctx, "rearm prebooking", func(tx *sql.Tx) error {
		now := s.now()
		p, err := scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET status = 'pending', opens_at = ?, claimed_by = '', fired_at = NULL, sending_since = NULL, outcome_code = ?
WHERE id = ? AND status = 'firing' AND claimed_by = ? RETURNING `+prebookingColumns,
			toMillis(opensAt), code, id, owner))
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

// StartSending is the last check of a claim before its runner sends a
// booking request: like TouchClaim it refreshes fired_at on a prebooking
// owner is firing, and it marks the claim as sending (SendingSince, set
// once per claim). From then on a runner that sees the heartbeat stop
// may not take the claim over on a short silence (ClaimStaleUnsent), only
// after the long one (ClaimStale, StaleAfter). 0 rows — the claim was
// taken over, or the prebooking finished — gives ErrConcurrentUpdate: the
// owner must not send.
func (s *Store) StartSending(ctx context.Context, id int64, owner string) error {
	now := toMillis(s.now())
	res, err := s.db.ExecContext(ctx, `
UPDATE prebookings SET fired_at = ?, sending_since = COALESCE(sending_since, ?)
WHERE id = ? AND status = 'firing' AND claimed_by = ?`, now, now, id, owner)
	return s.expectOne(ctx, "mark prebooking sending", id, res, err, ErrConcurrentUpdate)
}
