//go:build unix

package session

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenCreatesPrivateFolderAndFiles(t *testing.T) {
	// With no umask, anything SQLite or we create loosely would show.
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	path := tempDBPath(t)
	s := openAt(t, path)
	login(t, s, KindDevice, "tok-modes") // make sure -wal has content

	wantMode := map[string]os.FileMode{
		filepath.Dir(path): os.ModeDir | 0o700,
		path:               0o600,
		path + "-wal":      0o600,
		path + "-shm":      0o600,
	}
	for p, want := range wantMode {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if got := info.Mode(); got != want {
			t.Errorf("%s mode = %v, want %v", filepath.Base(p), got, want)
		}
	}
}
