package session

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// roomSlack is how close to full a file system, or how close to the
// file-size limit a database file, must be for a failed write to count as
// "no room": more than any single write SQLite makes.
const roomSlack = 1 << 20

// noRoom says why a write to the database at path may have found no room
// — a nearly full file system, or a file-size limit (ulimit -f) that one
// of its files has reached — or "" when neither shows.
func noRoom(path string) string {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &fs); err == nil && fs.Bavail*uint64(fs.Bsize) < roomSlack {
		return "no space left on the file system"
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil || lim.Cur == ^uint64(0) {
		return ""
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if info, err := os.Stat(path + suffix); err == nil && uint64(info.Size())+roomSlack >= lim.Cur {
			return fmt.Sprintf("its files reached this process's file-size limit (ulimit -f) of %d bytes", lim.Cur)
		}
	}
	return ""
}
