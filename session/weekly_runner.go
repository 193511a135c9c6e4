package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
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

// OccurrenceWrite is one decision of the runner about a plan occurrence:
// its record, stored as a compare-and-set on Record.Version (as
// PutOccurrence does), and, when Prebook is set, a prebooking added first
// and linked from the record (Record.PrebookingID).
type OccurrenceWrite struct {
	Record  OccurrenceRecord
	Prebook *NewPrebooking
}

// OccurrenceWritten is what became of one OccurrenceWrite: the stored
// record and prebooking, or Err — ErrConcurrentUpdate when the record
// changed since it was read (another runner acted: nothing of this write
// is stored), ErrDuplicate when a live prebooking of that class and day
// exists already (nothing stored), ErrInvalid or ErrNotFound.
type OccurrenceWritten struct {
	Record     OccurrenceRecord
	Prebooking Prebooking
	Err        error
}

// WriteOccurrences stores the runner's decisions of one pass in a single
// transaction (a week of occurrences costs one commit, not one each): each
// write succeeds or fails on its own, with the history lines
// PutOccurrence and AddPrebooking write. The error is for the
// transaction as a whole (then nothing is stored).
func (s *Store) WriteOccurrences(ctx context.Context, writes []OccurrenceWrite) ([]OccurrenceWritten, error) {
	out := make([]OccurrenceWritten, len(writes))
	if len(writes) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, "record plan occurrences", func(tx *sql.Tx) error {
		// The same few statements for every write: prepared once.
		prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
		var stmts [6]*sql.Stmt
		for i, q := range []string{
			`SELECT state, version FROM plan_occurrences WHERE plan_id = ? AND day = ?`,
			liveSameClassQuery,
			insertPrebookingQuery,
			`INSERT INTO plan_occurrences (state, class_id, prebooking_id, reservation_id, choice, detail, updated_at, plan_id,
	day, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING ` + occurrenceColumns,
			`UPDATE plan_occurrences SET state = ?, class_id = ?, prebooking_id = ?, reservation_id = ?, choice = ?, detail = ?,
	updated_at = ?, version = version + 1 WHERE plan_id = ? AND day = ? AND version = ? RETURNING ` + occurrenceColumns,
			`INSERT INTO history (at, kind, box_id, class_id, day, message, details) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		} {
			st, err := prep(q)
			if err != nil {
				return err
			}
			defer st.Close()
			stmts[i] = st
		}
		selRec, countLive, insPB, insRec, updRec, insEvent := stmts[0], stmts[1], stmts[2], stmts[3], stmts[4], stmts[5]
		record := func(e Event) error {
			_, err := insEvent.ExecContext(ctx, toMillis(e.At), e.Kind, nullID(e.BoxID), nullID(e.ClassID), nullDay(e.Day),
				e.Message, sql.NullString{String: string(e.Details), Valid: len(e.Details) > 0})
			return err
		}
		// Every plan the writes name, in one read.
		plans := map[int64]*Plan{}
		var ids []any
		for _, w := range writes {
			if _, seen := plans[w.Record.PlanID]; !seen {
				plans[w.Record.PlanID] = nil
				ids = append(ids, w.Record.PlanID)
			}
		}
		list, err := s.readPlans(ctx, tx, `SELECT `+planColumns+` FROM plans WHERE id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, ids...)
		if err != nil {
			return err
		}
		for i := range list {
			plans[list[i].ID] = &list[i]
		}
		// A plan removed since the pass read it still gets its records
		// (final states), but no new prebooking.
		removed := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM plans WHERE removed_at IS NOT NULL AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, ids...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			removed[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now()
		for i, w := range writes {
			rec := w.Record
			if !rec.State.Recordable() || rec.PlanID <= 0 || rec.Day.IsZero() || rec.Choice < 0 || rec.Version < 0 {
				out[i].Err = fmt.Errorf("%w: an occurrence record needs a plan, a day and a state", ErrInvalid)
				continue
			}
			plan := plans[rec.PlanID]
			if plan == nil {
				out[i].Err = fmt.Errorf("plan %d: %w", rec.PlanID, ErrNotFound)
				continue
			}
			var before OccurrenceState
			var version int64
			err := selRec.QueryRowContext(ctx, rec.PlanID, rec.Day.String()).Scan(&before, &version)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if version != rec.Version {
				out[i].Err = fmt.Errorf("plan %d on %s (version %d): %w", rec.PlanID, rec.Day, rec.Version, ErrConcurrentUpdate)
				continue
			}
			if n := w.Prebook; n != nil {
				// The member removed the plan, skipped the day or paused it
				// while the pass was reading AimHarder: the pass's decision
				// is stale, and nothing may be booked that day.
				if removed[rec.PlanID] || plan.Skipped(rec.Day) || plan.Paused(rec.Day) {
					out[i].Err = fmt.Errorf("plan %d on %s: skipped, paused or removed meanwhile: %w", rec.PlanID, rec.Day, ErrConcurrentUpdate)
					continue
				}
				if n.validate() != nil || n.PlanID != rec.PlanID || n.PlanDay != rec.Day {
					out[i].Err = fmt.Errorf("%w: a plan's prebooking needs a box, a class, a start and its occurrence", ErrInvalid)
					continue
				}
				rows, err := countLive.QueryContext(ctx, n.liveArgs()...)
				if err != nil {
					return err
				}
				if err := n.duplicateOf(rows); err != nil {
					if !errors.Is(err, ErrDuplicate) {
						return err
					}
					out[i].Err = err
					continue
				}
				p, err := scanPrebooking(insPB.QueryRowContext(ctx, n.insertArgs(now)...))
				if err != nil {
					return err
				}
				if err := record(prebookingEvent(p, now, EventPrebookAdded, "prebooked "+describe(p))); err != nil {
					return err
				}
				out[i].Prebooking = p
				rec.PrebookingID = p.ID
			}
			args := []any{rec.State, nullID(rec.ClassID), nullID(rec.PrebookingID), nullID(rec.ReservationID), rec.Choice,
				rec.Detail, toMillis(now), rec.PlanID, rec.Day.String()}
			var row *sql.Row
			if rec.Version == 0 {
				row = insRec.QueryRowContext(ctx, args...)
			} else {
				row = updRec.QueryRowContext(ctx, append(args, rec.Version)...)
			}
			stored, err := scanOccurrence(row)
			if err != nil {
				return err // the version was checked above, inside this transaction
			}
			out[i].Record = stored
			if before == stored.State {
				continue
			}
			if err := record(occurrenceEvent(*plan, stored, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// occurrenceEvent is the history line of a record's new state, in the
// words PutOccurrence uses.
func occurrenceEvent(plan Plan, out OccurrenceRecord, now time.Time) Event {
	msg := fmt.Sprintf("%s on %s (plan #%d): %s", plan.Class, out.Day, plan.ID, out.State)
	if out.Choice > 0 && out.Choice <= len(plan.Fallbacks) {
		f := plan.Fallbacks[out.Choice-1]
		msg += fmt.Sprintf(" — fallback %s at %s", f.Class, f.Time)
	}
	if out.Detail != "" {
		msg += " — " + out.Detail
	}
	details, _ := json.Marshal(map[string]any{"plan": plan.ID, "state": out.State, "choice": out.Choice,
		"prebooking": out.PrebookingID, "reservation": out.ReservationID})
	return Event{At: now, Kind: EventPlanOccurrence, BoxID: plan.BoxID, ClassID: out.ClassID,
		Day: out.Day, Message: msg, Details: details}
}
