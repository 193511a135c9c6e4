//go:build unix

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// lockDatabase holds the database's write lock, as another ahtui process
// in the middle of a write would, until the test ends.
func lockDatabase(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	})
}

func TestLockedDatabase(t *testing.T) {
	e := newCLIEnv(t)
	e.busyTimeout = 200 * time.Millisecond // what is asserted is the answer, not the wait
	e.login()
	e.mustRun("", "config", "refresh_after", "20m")
	before := e.mustRun("", "status", "--json").stdout

	t.Run("locked", func(t *testing.T) {
		lockDatabase(t, e.db)
		r := e.run("", "config", "refresh_after", "10m")
		if r.code != exitFailed || !strings.Contains(r.stderr, "busy") || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("config while locked: %v", r)
		}
		// A login whose sessions cannot be stored keeps the old ones.
		r = e.run(testPassword+"\n", "login", "--email", testEmail, "--password-stdin")
		if r.code != exitFailed || !strings.Contains(r.stderr, "busy") {
			t.Errorf("login while locked: %v", r)
		}
	})

	// Unlocked again: nothing committed was lost or changed.
	if got := strings.TrimSpace(e.mustRun("", "config", "refresh_after").stdout); got != "20m" {
		t.Errorf("refresh_after %q after the locked attempt, want 20m", got)
	}
	var b, a statusJSON
	json.Unmarshal([]byte(before), &b)
	json.Unmarshal([]byte(e.mustRun("", "status", "--json").stdout), &a)
	if len(a.Sessions) != 2 || a.Sessions[0].State != "live" || a.Sessions[0].CreatedAt != b.Sessions[0].CreatedAt {
		t.Errorf("sessions changed: before %+v after %+v", b.Sessions, a.Sessions)
	}
	e.mustRun("", "classes")
}

// TestReadOnlyDatabase runs ahtui as an unprivileged user (root writes
// through permission bits) on a database it may read but not write.
func TestReadOnlyDatabase(t *testing.T) {
	e := newCLIEnv(t)
	e.login()
	before, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}

	binary, cred := os.Args[0], (*syscall.Credential)(nil)
	if os.Geteuid() == 0 {
		const nobody = 65534
		base, err := os.MkdirTemp("", "ahtui-cli-ro-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(base) })
		os.Chmod(base, 0o755)
		// Hand the database's folder to nobody, and a copy of the test binary.
		dir := filepath.Dir(e.db)
		filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, nobody, nobody) })
		// t.TempDir's folders are private to root: let nobody through them.
		for p := filepath.Dir(dir); p != os.TempDir() && p != "/"; p = filepath.Dir(p) {
			os.Chmod(p, 0o755)
		}
		binary = filepath.Join(base, "ahtui.test")
		self, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(binary, self, 0o755); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: nobody, Gid: nobody}
	}
	if err := os.Chmod(e.db, 0o400); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal([]string{"--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal,
		"--box-url", e.urls.BoxTemplate, "config", "refresh_after", "10m"})
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(args), "XDG_STATE_HOME="+os.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailed {
		t.Fatalf("ahtui on a read-only database: %v, stderr %s", err, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "read-only") || !strings.Contains(msg, "permissions") {
		t.Errorf("message %q should say the database is read-only and what to check", msg)
	}
	after, err := os.ReadFile(e.db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the read-only database file changed")
	}
	os.Chmod(e.db, 0o600)
	e.mustRun("", "classes")
}
