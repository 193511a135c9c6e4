package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// WatchState is where a class watch stands (the `state` of `watch list
// --json`).
type WatchState string

const (
	WatchWatching WatchState = "watching" // the runner reads the class at a cadence
	WatchBooked   WatchState = "booked"   // a place freed and the runner booked it
	WatchNotified WatchState = "notified" // a place freed and the member was told
	WatchEnded    WatchState = "ended"    // the class closed for booking, or left the schedule
)

// History kinds of class watches.
const (
	EventWatchAdded   EventKind = "watch.added"
	EventWatchRemoved EventKind = "watch.removed"
	EventWatchOutcome EventKind = "watch.outcome"
)

// ErrNotWatching: the watch has already ended (booked, notified or ended).
var ErrNotWatching = errors.New("the watch has already ended")

// Watch is a member's watch of a full class.
type Watch struct {
	ID            int64
	BoxID         int64
	ClassID       int64
	Day           aimharder.Date
	ClassName     string
	ClassStart    time.Time
	Book          bool // book the freed place; otherwise only tell the member
	State         WatchState
	Detail        string // why it ended, in the member's words
	ReservationID int64  // booked: the reservation
	CreatedAt     time.Time
	FinishedAt    time.Time // zero while watching
}

// NewWatch is what AddWatch stores.
type NewWatch struct {
	BoxID      int64
	ClassID    int64
	Day        aimharder.Date
	ClassName  string
	ClassStart time.Time
	Book       bool
}

const watchColumns = `id, box_id, class_id, day, class_name, class_start, book, state, detail, reservation_id,
	created_at, finished_at`

func scanWatch(row interface{ Scan(...any) error }) (Watch, error) {
	var (
		w               Watch
		day             string
		start, created  int64
		resID, finished sql.NullInt64
	)
	if err := row.Scan(&w.ID, &w.BoxID, &w.ClassID, &day, &w.ClassName, &start, &w.Book, &w.State, &w.Detail,
		&resID, &created, &finished); err != nil {
		return Watch{}, err
	}
	var err error
	if w.Day, err = aimharder.ParseDate(day); err != nil {
		return Watch{}, err
	}
	w.ClassStart, w.CreatedAt, w.FinishedAt = fromMillis(start), fromMillis(created), fromNullMillis(finished)
	w.ReservationID = resID.Int64
	return w, nil
}

// AddWatch stores a watch; ErrDuplicate when the class already has a live
// one.
func (s *Store) AddWatch(ctx context.Context, n NewWatch) (Watch, error) {
	if n.BoxID <= 0 || n.ClassID <= 0 || n.Day.IsZero() || n.ClassStart.IsZero() {
		return Watch{}, fmt.Errorf("%w: a watch needs a box, a class, a day and a start time", ErrInvalid)
	}
	var w Watch
	err := s.inTx(ctx, "add watch", func(tx *sql.Tx) error {
		var n2 int
		if err := tx.QueryRowContext(ctx, `
SELECT count(*) FROM watches WHERE box_id = ? AND class_id = ? AND day = ? AND state = 'watching'`,
			n.BoxID, n.ClassID, n.Day.String()).Scan(&n2); err != nil {
			return err
		}
		if n2 > 0 {
			return fmt.Errorf("class %d on %s is already watched: %w", n.ClassID, n.Day, ErrDuplicate)
		}
		now := s.now()
		var err error
		w, err = scanWatch(tx.QueryRowContext(ctx, `
INSERT INTO watches (box_id, class_id, day, class_name, class_start, book, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+watchColumns,
			n.BoxID, n.ClassID, n.Day.String(), strings.TrimSpace(n.ClassName), toMillis(n.ClassStart), boolInt(n.Book), toMillis(now)))
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, watchEvent(w, now, EventWatchAdded, "watching "+describeWatch(w)))
	})
	return w, err
}

// WatchByID returns one watch, or ErrNotFound.
func (s *Store) WatchByID(ctx context.Context, id int64) (Watch, error) {
	w, err := scanWatch(s.db.QueryRowContext(ctx, `SELECT `+watchColumns+` FROM watches WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Watch{}, fmt.Errorf("watch %d: %w", id, ErrNotFound)
	}
	return w, s.wrap("read watch", err)
}

// Watches lists watches in the given states (all when none), by class
// start then id.
func (s *Store) Watches(ctx context.Context, states ...WatchState) ([]Watch, error) {
	q, args := `SELECT `+watchColumns+` FROM watches`, []any{}
	if len(states) > 0 {
		q += ` WHERE state IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ") + `)`
		for _, st := range states {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY class_start, id`, args...)
	if err != nil {
		return nil, s.wrap("list watches", err)
	}
	defer rows.Close()
	var out []Watch
	for rows.Next() {
		w, err := scanWatch(rows)
		if err != nil {
			return nil, s.wrap("list watches", err)
		}
		out = append(out, w)
	}
	return out, s.wrap("list watches", rows.Err())
}

// RemoveWatch deletes a watch, whatever its state, and returns it;
// ErrNotFound when there is none.
func (s *Store) RemoveWatch(ctx context.Context, id int64) (Watch, error) {
	var w Watch
	err := s.inTx(ctx, "remove watch", func(tx *sql.Tx) error {
		var err error
		w, err = scanWatch(tx.QueryRowContext(ctx, `DELETE FROM watches WHERE id = ? RETURNING `+watchColumns, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("watch %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return recordTx(ctx, tx, watchEvent(w, s.now(), EventWatchRemoved, "stopped watching "+describeWatch(w)))
	})
	return w, err
}

// FinishWatch moves a live watch to state (booked, notified or ended) with
// the member-facing detail and, for booked, the reservation. It is a
// compare-and-set: ErrNotWatching when the watch is no longer live (another
// runner finished it), ErrNotFound when it was removed.
func (s *Store) FinishWatch(ctx context.Context, id int64, state WatchState, detail string, reservationID int64) (Watch, error) {
	if state == WatchWatching || state == "" {
		return Watch{}, fmt.Errorf("%w: a watch finishes booked, notified or ended", ErrInvalid)
	}
	var w Watch
	err := s.inTx(ctx, "finish watch", func(tx *sql.Tx) error {
		now := s.now()
		var err error
		w, err = scanWatch(tx.QueryRowContext(ctx, `
UPDATE watches SET state = ?, detail = ?, reservation_id = ?, finished_at = ? WHERE id = ? AND state = 'watching'
RETURNING `+watchColumns, state, detail, nullID(reservationID), toMillis(now), id))
		if errors.Is(err, sql.ErrNoRows) {
			var st string
			switch qerr := tx.QueryRowContext(ctx, `SELECT state FROM watches WHERE id = ?`, id).Scan(&st); {
			case errors.Is(qerr, sql.ErrNoRows):
				return fmt.Errorf("watch %d: %w", id, ErrNotFound)
			case qerr != nil:
				return qerr
			}
			return fmt.Errorf("watch %d is %s: %w", id, st, ErrNotWatching)
		}
		if err != nil {
			return err
		}
		msg := describeWatch(w) + ": " + string(state)
		if detail != "" {
			msg += " (" + detail + ")"
		}
		return recordTx(ctx, tx, watchEvent(w, now, EventWatchOutcome, msg))
	})
	return w, err
}

func describeWatch(w Watch) string {
	name := w.ClassName
	if name == "" {
		name = fmt.Sprintf("class %d", w.ClassID)
	}
	return fmt.Sprintf("%s on %s", name, w.Day)
}

func watchEvent(w Watch, at time.Time, kind EventKind, msg string) Event {
	details, _ := json.Marshal(map[string]any{"watch": w.ID, "state": w.State, "book": w.Book})
	return Event{At: at, Kind: kind, BoxID: w.BoxID, ClassID: w.ClassID, Day: w.Day, Message: msg, Details: details}
}
