package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// EventKind classifies history events. The store writes the ones below;
// other packages add their own (book, cancel, window learned…).
type EventKind string

const (
	EventLogin          EventKind = "session.login"
	EventLogout         EventKind = "session.logout"
	EventSessionDead    EventKind = "session.dead"
	EventSessionWarning EventKind = "session.warning"
	EventPrebookAdded   EventKind = "prebooking.added"
	EventPrebookRemoved EventKind = "prebooking.cancelled"
	EventPrebookOutcome EventKind = "prebooking.outcome"
)

// Event is one line of history. Message and Details are shown to the
// member and must never hold a token or cookie value.
type Event struct {
	ID      int64
	At      time.Time
	Kind    EventKind
	BoxID   int64 // 0 = none
	ClassID int64 // 0 = none
	Day     aimharder.Date
	Message string
	Details json.RawMessage // optional JSON object
}

// Record appends an event (At defaults to now) and returns it with its id.
func (s *Store) Record(ctx context.Context, e Event) (Event, error) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	err := s.inTx(ctx, "record history", func(tx *sql.Tx) error {
		var err error
		e.ID, err = insertEvent(ctx, tx, e)
		return err
	})
	return e, err
}

// recordTx appends an event inside a caller's transaction, so a state
// change and its history line are committed together.
func recordTx(ctx context.Context, tx *sql.Tx, e Event) error {
	_, err := insertEvent(ctx, tx, e)
	return err
}

func insertEvent(ctx context.Context, tx *sql.Tx, e Event) (int64, error) {
	if strings.TrimSpace(string(e.Kind)) == "" {
		return 0, fmt.Errorf("%w: an event needs a kind", ErrInvalid)
	}
	var details sql.NullString
	if len(e.Details) > 0 {
		if !json.Valid(e.Details) {
			return 0, fmt.Errorf("%w: event details are not JSON", ErrInvalid)
		}
		details = sql.NullString{String: string(e.Details), Valid: true}
	}
	res, err := tx.ExecContext(ctx, `
INSERT INTO history (at, kind, box_id, class_id, day, message, details) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		toMillis(e.At), e.Kind, nullID(e.BoxID), nullID(e.ClassID), nullDay(e.Day), e.Message, details)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// HistoryQuery selects events, newest first.
type HistoryQuery struct {
	Limit    int         // default 100
	BeforeID int64       // page: only events older than this id (0 = from the newest)
	Kinds    []EventKind // empty = all
	BoxID    int64       // 0 = all
}

// History returns events matching q, newest first.
func (s *Store) History(ctx context.Context, q HistoryQuery) ([]Event, error) {
	where, args := []string{"1 = 1"}, []any{}
	if q.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, q.BeforeID)
	}
	if q.BoxID > 0 {
		where, args = append(where, "box_id = ?"), append(args, q.BoxID)
	}
	if len(q.Kinds) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(q.Kinds)), ", ")
		where = append(where, "kind IN ("+marks+")")
		for _, k := range q.Kinds {
			args = append(args, k)
		}
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	args = append(args, q.Limit)
	rows, err := s.db.QueryContext(ctx, `
SELECT id, at, kind, box_id, class_id, day, message, details FROM history
WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, s.wrap("read history", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e            Event
			at           int64
			box, class   sql.NullInt64
			day, details sql.NullString
		)
		if err := rows.Scan(&e.ID, &at, &e.Kind, &box, &class, &day, &e.Message, &details); err != nil {
			return nil, s.wrap("read history", err)
		}
		e.At, e.BoxID, e.ClassID = fromMillis(at), box.Int64, class.Int64
		if e.Day, err = parseDay(day); err != nil {
			return nil, s.wrap("read history", err)
		}
		if details.Valid {
			e.Details = json.RawMessage(details.String)
		}
		out = append(out, e)
	}
	return out, s.wrap("read history", rows.Err())
}

// PruneHistory deletes events older than before and returns how many.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM history WHERE at < ?`, toMillis(before))
	if err != nil {
		return 0, s.wrap("prune history", err)
	}
	n, err := res.RowsAffected()
	return n, s.wrap("prune history", err)
}

// nullID stores 0 as NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
