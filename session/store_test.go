package session

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func TestOpenTightensAnExistingLooseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ahtui.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openAt(t, path)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
}

func TestConnectionPragmas(t *testing.T) {
	s, _ := openStore(t, WithBusyTimeout(1234*time.Millisecond))
	ctx := t.Context()
	// Several connections, so each runs the DSN pragmas.
	conns := make([]interface{ Close() error }, 0, 3)
	for range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for pragma, want := range map[string]string{
			"busy_timeout": "1234", "foreign_keys": "1", "journal_mode": "wal",
			"synchronous": "1", "secure_delete": "1", "application_id": "1634235509",
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestMigrateEmptyToLatestAndReopenIsANoOp(t *testing.T) {
	path := tempDBPath(t)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if v, err := s.SchemaVersion(ctx); err != nil || v != LatestSchemaVersion() {
		t.Fatalf("version = %d, %v; want %d", v, err, LatestSchemaVersion())
	}
	if LatestSchemaVersion() != len(migrations) || LatestSchemaVersion() < 2 {
		t.Fatalf("LatestSchemaVersion = %d with %d migrations", LatestSchemaVersion(), len(migrations))
	}
	for _, table := range []string{"meta", "account", "sessions", "settings", "boxes", "class_cache",
		"prebookings", "history", "runner_leases"} {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, %v", table, n, err)
		}
	}
	fp1, err := s.deviceFingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, path)

	s2 := openAt(t, path)
	fp2, err := s2.deviceFingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fp1 != fp2 {
		t.Error("reopening regenerated the device fingerprint")
	}
	if v, _ := s2.SchemaVersion(ctx); v != LatestSchemaVersion() {
		t.Errorf("version after reopen = %d", v)
	}
	s2.Close()
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("reopening an up-to-date database changed the file")
	}
}

// TestMigrateFromEveryEarlierVersion builds the schema of each older
// version with only its own migrations, stores data the way that version
// would, and checks Open upgrades it without losing anything.
func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	for from := 1; from < LatestSchemaVersion(); from++ {
		t.Run(fmt.Sprintf("from v%d", from), func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "old.db")
			db := rawDB(t, path)
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, conn, from, time.Now); err != nil {
				t.Fatalf("building v%d: %v", from, err)
			}
			var fp string
			if err := conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'device_fingerprint'`).Scan(&fp); err != nil {
				t.Fatal(err)
			}
			// Rows a version-1 binary writes.
			for _, stmt := range []string{
				`INSERT INTO account VALUES (1, 'ana@example.com', 4242, 'Ana', 1, 1)`,
				`INSERT INTO sessions (kind, account_id, fingerprint, token, cookies, created_at, token_updated_at, token_update_count)
				 VALUES ('background', 1, 'bg-fp', 'old-token', '{"amhrdrauth":"old-auth"}', 1000, 2000, 7)`,
				`INSERT INTO settings VALUES ('language', 'es', 1)`,
			} {
				if _, err := conn.ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			conn.Close()
			db.Close()

			s := openAt(t, path)
			if v, _ := s.SchemaVersion(ctx); v != LatestSchemaVersion() {
				t.Fatalf("version = %d, want %d", v, LatestSchemaVersion())
			}
			sess := mustSession(t, s, KindBackground)
			if sess.Credentials.Token != "old-token" || sess.Credentials.Cookies["amhrdrauth"] != "old-auth" ||
				sess.TokenUpdateCount != 7 || sess.Account != testAccount {
				t.Errorf("session after upgrade: %v %+v", sess, sess.Account)
			}
			if got, _ := s.deviceFingerprint(ctx); got != fp {
				t.Error("upgrade changed the device fingerprint")
			}
			if v, ok, _ := s.Setting(ctx, SettingLanguage); !ok || v != "es" {
				t.Errorf("setting after upgrade = %q %v", v, ok)
			}
			// The new tables work.
			if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "crossfitx"}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewerSchemaIsRefusedWithoutChange(t *testing.T) {
	path := tempDBPath(t)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.ExecContext(t.Context(), "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := readFile(t, path)

	_, err = Open(t.Context(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	var se *SchemaError
	if !errors.As(err, &se) || se.Found != 99 || se.Known != LatestSchemaVersion() || se.Path != path {
		t.Errorf("SchemaError = %+v", se)
	}
	for _, want := range []string{"upgrade ahtui", path, "version 99", fmt.Sprintf("up to %d", LatestSchemaVersion())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message does not say %q: %v", want, err)
		}
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("the refused database was changed")
	}
}

func TestNotADatabaseIsRefusedWithoutChange(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]func(path string){
		"text": func(path string) {
			os.WriteFile(path, bytes.Repeat([]byte("this is a shopping list, not a database\n"), 50), 0o600)
		},
		"truncated header": func(path string) {
			os.WriteFile(path, []byte("SQLite format 3\x00garbage"), 0o600)
		},
		"another program's sqlite": func(path string) {
			db := rawDB(t, path)
			db.Exec(`CREATE TABLE recipes (name TEXT)`)
			db.Exec(`INSERT INTO recipes VALUES ('paella')`)
			db.Close()
		},
		"another application id": func(path string) {
			db := rawDB(t, path)
			db.Exec(`PRAGMA application_id = 1234`)
			db.Exec(`PRAGMA user_version = 1`)
			db.Close()
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".db")
			build(path)
			before := readFile(t, path)
			_, err := Open(t.Context(), path)
			var nd *NotDatabaseError
			if !errors.Is(err, ErrNotDatabase) || !errors.As(err, &nd) || nd.Path != path {
				t.Fatalf("Open = %v, want a NotDatabaseError naming %s", err, path)
			}
			if !bytes.Equal(before, readFile(t, path)) {
				t.Error("the refused file was changed")
			}
		})
	}
	t.Run("a folder", func(t *testing.T) {
		folder := t.TempDir()
		_, err := Open(t.Context(), folder)
		var nd *NotDatabaseError
		if !errors.Is(err, ErrNotDatabase) || !errors.As(err, &nd) || nd.Path != folder {
			t.Fatalf("Open = %v, want a NotDatabaseError naming %s", err, folder)
		}
	})
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/srv/data")
	if p, err := DefaultPath(); err != nil || p != "/srv/data/ahtui/ahtui.db" {
		t.Errorf("with XDG_DATA_HOME: %q, %v", p, err)
	}
	t.Setenv("HOME", "/home/ana")
	for _, v := range []string{"", "relative/dir"} {
		t.Setenv("XDG_DATA_HOME", v)
		if p, err := DefaultPath(); err != nil || p != "/home/ana/.local/share/ahtui/ahtui.db" {
			t.Errorf("XDG_DATA_HOME=%q: %q, %v", v, p, err)
		}
	}
}

// TestLockedDatabase holds the write lock from another connection, as a
// second ahtui in a long write would: writes fail with ErrBusy after the
// busy timeout, reads and opening still work, and nothing is lost.
func TestLockedDatabase(t *testing.T) {
	ctx := t.Context()
	path := tempDBPath(t)
	s := openAt(t, path, WithBusyTimeout(100*time.Millisecond), WithLeaseWait(0))
	creds := login(t, s, KindBackground, "tok-locked")
	if err := s.SetSetting(ctx, SettingLanguage, "es"); err != nil {
		t.Fatal(err)
	}

	blocker := rawDB(t, path)
	conn, err := blocker.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE settings SET value = 'xx' WHERE key = 'language'`); err != nil {
		t.Fatal(err)
	}

	if err := s.SetSetting(ctx, SettingLanguage, "en"); !errors.Is(err, ErrBusy) {
		t.Errorf("SetSetting while locked = %v, want ErrBusy", err)
	}
	called := false
	_, err = s.Rotate(ctx, KindBackground, "owner", func(ctx context.Context, c aimharder.Credentials) (aimharder.Credentials, error) {
		called = true
		return c, nil
	})
	if !errors.Is(err, ErrBusy) || called {
		t.Errorf("Rotate while locked = %v (server called: %v), want ErrBusy before any call", err, called)
	}
	if sess := mustSession(t, s, KindBackground); !sess.Credentials.Equal(creds) {
		t.Error("reading while locked returned other credentials")
	}
	second, err := Open(ctx, path, WithBusyTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatalf("opening an up-to-date database while it is locked: %v", err)
	}
	second.Close()

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if v, _, _ := s.Setting(ctx, SettingLanguage); v != "es" {
		t.Errorf("language = %q after the lock, want es", v)
	}
	if err := s.SetSetting(ctx, SettingLanguage, "en"); err != nil {
		t.Errorf("SetSetting after the lock: %v", err)
	}
	if sess := mustSession(t, s, KindBackground); !sess.Credentials.Equal(creds) || sess.TokenUpdateCount != 0 {
		t.Errorf("session after the lock: %v", sess)
	}
}

// TestSQLiteReadOnlyAnswerMapsToErrReadOnly feeds a genuine SQLITE_READONLY
// (from a read-only connection) through the error mapping every method uses.
func TestSQLiteReadOnlyAnswerMapsToErrReadOnly(t *testing.T) {
	s, _ := openStore(t)
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), `INSERT INTO settings VALUES ('language', 'es', 1)`)
	if err == nil {
		t.Fatal("a read-only connection wrote")
	}
	if got := s.wrap("save setting", err); !errors.Is(got, ErrReadOnly) {
		t.Errorf("wrap(%v) = %v, want ErrReadOnly", err, got)
	}
}

func TestRandomFingerprintFormat(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9]{50}$`)
	seen := map[string]bool{}
	for range 100 {
		fp, err := randomFingerprint()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(fp) || seen[fp] {
			t.Fatalf("fingerprint %q: bad format or repeated", fp)
		}
		seen[fp] = true
	}
}

// TestConcurrentFirstOpen has several openers race to create and migrate
// the same new file: each must succeed and the schema be built once.
func TestConcurrentFirstOpen(t *testing.T) {
	path := tempDBPath(t)
	var wg sync.WaitGroup
	fingerprints := make([]string, 8)
	for i := range fingerprints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Errorf("opener %d: %v", i, err)
				return
			}
			defer s.Close()
			if fingerprints[i], err = s.deviceFingerprint(t.Context()); err != nil {
				t.Errorf("opener %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	for _, fp := range fingerprints[1:] {
		if fp != fingerprints[0] {
			t.Fatalf("openers saw different databases: %q", fingerprints)
		}
	}
}

// TestMigratingWhileLockedFailsCleanly: an old database that needs a
// migration while another process holds the write lock gives ErrBusy and
// stays at its version with its data; once free, it upgrades.
func TestMigratingWhileLockedFailsCleanly(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db := rawDB(t, path)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, conn, 1, time.Now); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO settings VALUES ('language', 'es', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	_, err = Open(ctx, path, WithBusyTimeout(100*time.Millisecond))
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Open while locked = %v, want ErrBusy", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != 1 {
		t.Fatalf("version after the refused open = %d, %v", version, err)
	}
	conn.Close()

	s := openAt(t, path)
	if v, _ := s.SchemaVersion(ctx); v != LatestSchemaVersion() {
		t.Errorf("version = %d", v)
	}
	if v, _, _ := s.Setting(ctx, SettingLanguage); v != "es" {
		t.Errorf("language = %q", v)
	}
}
