package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// CachedDay is the last class list stored for a box and day.
type CachedDay struct {
	BoxID     int64
	Day       aimharder.Date
	Body      json.RawMessage // as the caller stored it
	FetchedAt time.Time
}

// CacheDay stores the class list of a box and day, replacing the previous
// one. body must be JSON; its shape is the caller's business.
func (s *Store) CacheDay(ctx context.Context, boxID int64, day aimharder.Date, body []byte, fetchedAt time.Time) error {
	if day.IsZero() {
		return fmt.Errorf("%w: cache needs a day", ErrInvalid)
	}
	if !json.Valid(body) {
		return fmt.Errorf("%w: cached class list is not JSON", ErrInvalid)
	}
	if fetchedAt.IsZero() {
		fetchedAt = s.now()
	}
	_, err := s.db.ExecContext(ctx, `
INSERT INTO class_cache (box_id, day, body, fetched_at) VALUES (?, ?, ?, ?)
ON CONFLICT (box_id, day) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at`,
		boxID, day.String(), body, toMillis(fetchedAt))
	return s.wrap("cache class list", err)
}

// CachedDay returns the stored class list of a box and day, or ErrNotFound.
func (s *Store) CachedDay(ctx context.Context, boxID int64, day aimharder.Date) (CachedDay, error) {
	c := CachedDay{BoxID: boxID, Day: day}
	var fetched int64
	err := s.db.QueryRowContext(ctx, `SELECT body, fetched_at FROM class_cache WHERE box_id = ? AND day = ?`,
		boxID, day.String()).Scan(&c.Body, &fetched)
	if errors.Is(err, sql.ErrNoRows) {
		return CachedDay{}, fmt.Errorf("cached classes of box %d on %s: %w", boxID, day, ErrNotFound)
	}
	if err != nil {
		return CachedDay{}, s.wrap("read cached class list", err)
	}
	c.FetchedAt = fromMillis(fetched)
	return c, nil
}

// PruneCache forgets cached days before the given day and returns how many.
func (s *Store) PruneCache(ctx context.Context, before aimharder.Date) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM class_cache WHERE day < ?`, before.String())
	if err != nil {
		return 0, s.wrap("prune class cache", err)
	}
	n, err := res.RowsAffected()
	return n, s.wrap("prune class cache", err)
}
