package session

import "context"

// BoxesVersion is a number that changes whenever a box is written — a
// learned or member rule, a time zone, an address, a login's list — by
// this process or any other on the same database (a trigger bumps it). It
// is one tiny read: screens and runners poll it to pick a new rule or zone
// up within seconds, then read the boxes again only when it moved.
func (s *Store) BoxesVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM boxes_version WHERE id = 1`).Scan(&v)
	return v, s.wrap("read boxes version", err)
}
