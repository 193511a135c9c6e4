//go:build unix

package session

import (
	"errors"
	"syscall"
)

// checkWritable asks the kernel whether this process may write the folder
// (SQLite creates -wal and -shm beside the file) and the file itself. It
// catches read-only mounts too, which chmod cannot.
func checkWritable(dir, path string) error {
	if err := syscall.Access(dir, 0x2|0x1); err != nil { // W_OK|X_OK
		return &ReadOnlyError{Path: dir, Reason: "the folder cannot be written"}
	}
	if err := syscall.Access(path, 0x4|0x2); err != nil { // R_OK|W_OK
		return &ReadOnlyError{Path: path, Reason: "the file cannot be written"}
	}
	return nil
}

func isReadOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }
