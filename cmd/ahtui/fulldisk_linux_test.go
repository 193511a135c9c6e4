package main

// A full disk through the command line. Linux only: telling a file-size
// limit from other I/O errors needs the Linux probe in session.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"
)

// fileSizeLimitEnv makes a child test binary run under that file-size
// limit (RLIMIT_FSIZE, ulimit -f), a failing writer for the disk-full
// test. init runs before TestMain hands the child its command line.
const fileSizeLimitEnv = "AHTUI_TEST_FSIZE"

func init() {
	raw := os.Getenv(fileSizeLimitEnv)
	if raw == "" {
		return
	}
	limit, err := strconv.ParseUint(raw, 10, 64)
	var lim syscall.Rlimit
	if err == nil {
		err = syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim)
	}
	if err == nil {
		lim.Cur = limit
		err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot set the file-size limit:", err)
		os.Exit(exitUsage)
	}
	// Past the limit the kernel sends SIGXFSZ; ignored, write(2) returns EFBIG.
	signal.Ignore(syscall.SIGXFSZ)
}

// TestFullDiskCLI runs ahtui in a child process whose files cannot grow
// (RLIMIT_FSIZE), while the newest commit still sits in the write-ahead
// log. Writes fail with the disk-full words, reads still work, the commit
// in the log survives, and the same write succeeds once there is room.
func TestFullDiskCLI(t *testing.T) {
	e := newCLIEnv(t)
	seedMember(e)
	ctx := context.Background()

	// Another open connection keeps the log from being checkpointed and
	// removed when a command closes the database; the filler grows the log
	// past the -shm (which must not need to grow) without touching the
	// member's data.
	holder, err := sql.Open("sqlite", "file:"+e.db+"?_pragma=busy_timeout(5000)&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{`CREATE TABLE filler (b BLOB)`, `INSERT INTO filler VALUES (randomblob(200000))`, `DROP TABLE filler`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	// The member's newest change: committed, only in the log.
	e.mustRun("", "config", "refresh_after", "25m")
	before := e.memberView()
	info, err := os.Stat(e.db + "-wal")
	if err != nil || info.Size() < 64<<10 {
		t.Fatalf("the log is %v (%v): want it holding the filler", info, err)
	}
	limit := info.Size()

	r := e.runChild(limit, "config", "refresh_after", "10m")
	e.expectFailure(r, "the disk is full, so ahtui could not save to its database at "+e.db,
		"file-size limit", "that change was not saved", "everything saved before is intact", "Free some space")
	t.Logf("member sees: %s", r.stderr)
	e.expectFailure(e.runChild(limit, "prebook", "rm", "1"), "the disk is full")
	// Reading needs no room.
	if r := e.runChild(limit, "prebook", "list", "--json"); r.code != exitOK || !json.Valid([]byte(r.stdout)) {
		t.Errorf("prebook list on a full disk: %v", r)
	}

	conn.Close()
	holder.Close()
	if after := e.memberView(); after != before {
		t.Errorf("after the full disk:\n%s\nwant\n%s", after, before)
	}

	// Room again: the same write goes through.
	e.mustRun("", "config", "refresh_after", "10m")
	if got := strings.TrimSpace(e.mustRun("", "config", "refresh_after").stdout); got != "10m" {
		t.Errorf("refresh_after = %q after the retry, want 10m", got)
	}
}

// runChild runs ahtui as a child process (the test binary) under a
// file-size limit of limit bytes.
func (e *cliEnv) runChild(limit int64, args ...string) result {
	e.t.Helper()
	full, _ := json.Marshal(append([]string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal,
		"--box-url", e.urls.BoxTemplate}, args...))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(full), fileSizeLimitEnv+"="+strconv.FormatInt(limit, 10))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		code = exit.ExitCode()
	} else if err != nil {
		e.t.Fatalf("running ahtui %v: %v", args, err)
	}
	return result{out.String(), errOut.String(), code}
}
