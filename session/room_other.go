//go:build !linux

package session

// noRoom has no probe here: SQLite's own SQLITE_FULL answer (ENOSPC)
// still maps to ErrDiskFull.
func noRoom(path string) string { return "" }
