package session

// A full disk from a real failing writer. Linux only, like noRoom, which
// tells a file-size limit from other I/O errors.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func init() { helperRoles["fsize"] = helperFileSizeLimit }

// TestDiskFullAtFileSizeLimit runs a store in a child process whose
// file-size limit (RLIMIT_FSIZE, ulimit -f) stops its files from growing:
// the kernel fails the write with EFBIG, a real failing writer. The child
// checks the write fails with ErrDiskFull and succeeds once the limit is
// raised; the parent checks nothing committed was lost.
func TestDiskFullAtFileSizeLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ahtui.db")
	want := seededFile(t, path)

	h := startHelper(t, os.Args[0], "fsize", map[string]string{helperDBEnv: path}, nil)
	h.stdin.Close()
	lines := h.finish(t)
	if len(lines) != 1 || !strings.Contains(lines[0], "file-size limit") {
		t.Errorf("child said %q, want one line naming the file-size limit", lines)
	}
	t.Logf("child: %s", strings.Join(lines, "\n"))

	want.Settings[SettingNotifyCommand] = bigValue
	sameContents(t, "after the child", mustSnapshot(t, openAt(t, path)), want)
}

// helperFileSizeLimit is the child of TestDiskFullAtFileSizeLimit.
func helperFileSizeLimit(ctx context.Context) error {
	// Past the limit the kernel sends SIGXFSZ, which would end the process
	// before write(2) could return EFBIG.
	signal.Ignore(syscall.SIGXFSZ)
	s, err := Open(ctx, os.Getenv(helperDBEnv))
	if err != nil {
		return err
	}
	defer s.Close()
	before, err := snapshot(ctx, s)
	if err != nil {
		return err
	}

	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &orig); err != nil {
		return err
	}
	// No file may grow past the largest one there is now.
	var limit uint64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if info, err := os.Stat(s.Path() + suffix); err == nil {
			limit = max(limit, uint64(info.Size()))
		}
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: orig.Max}); err != nil {
		return err
	}
	err = s.SetSetting(ctx, SettingNotifyCommand, bigValue)
	if !errors.Is(err, ErrDiskFull) {
		return fmt.Errorf("SetSetting past the file-size limit = %v, want ErrDiskFull", err)
	}
	fmt.Println(err)
	after, err := snapshot(ctx, s)
	if err != nil {
		return fmt.Errorf("reading after the failed write: %w", err)
	}
	if !reflect.DeepEqual(before, after) {
		return fmt.Errorf("the failed write changed what the store reads:\n%+v\nwas\n%+v", after, before)
	}

	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &orig); err != nil {
		return err
	}
	if err := s.SetSetting(ctx, SettingNotifyCommand, bigValue); err != nil {
		return fmt.Errorf("the same write with the limit raised: %w", err)
	}
	return s.Close()
}
