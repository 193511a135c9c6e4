package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// WithdrawPlanPrebooking cancels one pending prebooking of a plan because
// the runner replaces it (its class's id changed, or the class is gone):
// it is marked OutcomePlanStopped with why, so it does not read as a
// member's cancel. A prebooking that is not pending gives ErrNotPending;
// a one-off prebooking ErrInvalid.
func (s *Store) WithdrawPlanPrebooking(ctx context.Context, id int64, why string) (Prebooking, error) {
	var p Prebooking
	err := s.inTx(ctx, "withdraw plan prebooking", func(tx *sql.Tx) error {
		now := s.now()
		var err error
		p, err = scanPrebooking(tx.QueryRowContext(ctx, `
UPDATE prebookings SET status = 'cancelled', finished_at = ?, outcome_code = ?, outcome_message = ?
WHERE id = ? AND status = 'pending' AND plan_id IS NOT NULL RETURNING `+prebookingColumns,
			toMillis(now), OutcomePlanStopped, why, id))
		if errors.Is(err, sql.ErrNoRows) {
			var plan sql.NullInt64
			if e := tx.QueryRowContext(ctx, `SELECT plan_id FROM prebookings WHERE id = ?`, id).Scan(&plan); e == nil && !plan.Valid {
				return fmt.Errorf("%w: prebooking %d belongs to no plan", ErrInvalid, id)
			}
			return s.whyNot(ctx, tx, id, ErrNotPending)
		}
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, prebookingEvent(p, now, EventPrebookRemoved, "removed prebooking "+describe(p)+": "+why))
	})
	return p, err
}
