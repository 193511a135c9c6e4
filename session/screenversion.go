package session

import "context"

// ScreenVersion is a number that changes whenever anything a screen shows
// is written — the account, a session's health, a setting, a box, a
// cached class list, a prebooking, the history, a weekly plan — by this
// process or any other on the same database (triggers bump it; runner
// lease heartbeats do not). One tiny read: an open screen polls it every
// second and reads the store again only when it moved, so a booking made
// by the CLI shows in a TUI at once without asking AimHarder anything.
func (s *Store) ScreenVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM screen_version WHERE id = 1`).Scan(&v)
	return v, s.wrap("read screen version", err)
}
