//go:build !unix

package session

// checkWritable has no portable equivalent of access(2) here; SQLite's own
// SQLITE_READONLY answers still map to ErrReadOnly.
func checkWritable(dir, path string) error { return nil }

func isReadOnlyFS(err error) bool { return false }
