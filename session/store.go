// Package session is ahtui's single source of truth: a SQLite file holding
// the account, its device and background sessions (token and cookies), the
// boxes, settings, a class-list cache, prebookings, history and the runner
// leader lease.
//
// Every credential read names its session Kind; there is no default. Token
// rotation takes a lease on the session row, calls the server through a
// function the caller passes in, and writes the new token with a
// compare-and-swap on the old one, so several processes sharing one file
// never present a single-use token twice.
package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Defaults for the knobs Options can change.
const (
	DefaultBusyTimeout    = 5 * time.Second
	DefaultLeaseWait      = 10 * time.Second
	DefaultRotateLeaseTTL = time.Minute
)

// Store is an open ahtui database. It is safe for concurrent use by many
// goroutines, and several processes may open the same file.
type Store struct {
	db   *sql.DB
	path string

	now            func() time.Time
	busyTimeout    time.Duration
	leaseWait      time.Duration
	rotateLeaseTTL time.Duration

	// damaged is set once SQLite found the file damaged (wrap): from then
	// on no transaction of this Store begins, so a damaged file is never
	// written.
	damaged atomic.Pointer[NotDatabaseError]

	// rotations counts the token rotations under way; Close waits for
	// them (see Rotate). closed refuses new ones once Close has begun.
	rotMu     sync.Mutex
	rotations sync.WaitGroup
	closed    bool
}

// Option changes how Open configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps and lease expiry (tests
// drive it by hand). Waiting for a busy lease still uses real time.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// WithBusyTimeout sets how long a statement waits for another writer
// before failing with ErrBusy (default 5 s).
func WithBusyTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.busyTimeout = d
		}
	}
}

// WithLeaseWait sets how long Rotate and Fresh wait for a session lease
// held by another owner before failing with ErrLeaseHeld (default 10 s; 0
// fails at once).
func WithLeaseWait(d time.Duration) Option {
	return func(s *Store) {
		if d >= 0 {
			s.leaseWait = d
		}
	}
}

// DefaultPath returns $XDG_DATA_HOME/ahtui/ahtui.db, falling back to
// ~/.local/share/ahtui/ahtui.db when XDG_DATA_HOME is unset or relative
// (the XDG spec says to ignore relative values).
func DefaultPath() (string, error) {
	if dir := os.Getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ahtui", "ahtui.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the default database path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "ahtui", "ahtui.db"), nil
}

// Open opens the database at path, creating it (folder 0700, file 0600)
// when missing, and brings its schema up to date.
//
// It fails with ErrNewerSchema when the file was written by a newer ahtui,
// ErrNotDatabase when the file is not an ahtui database or is damaged,
// ErrReadOnly when the file or its folder cannot be written, ErrDiskFull
// when a new file cannot be set up for lack of room, and ErrBusy when
// another process keeps it locked; in each case the file is left as it was.
// Any later write that finds no room fails with ErrDiskFull and changes
// nothing.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	s := &Store{
		now:            time.Now,
		busyTimeout:    DefaultBusyTimeout,
		leaseWait:      DefaultLeaseWait,
		rotateLeaseTTL: DefaultRotateLeaseTTL,
	}
	for _, opt := range opts {
		opt(s)
	}
	if path == "" {
		return nil, errors.New("open database: no path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s.path = abs
	if err := prepareFiles(abs); err != nil {
		return nil, err
	}
	s.db, err = sql.Open("sqlite", s.dsn())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	// SQLite has one writer at a time anyway; a small pool keeps file
	// descriptors bounded when many goroutines wait on the write lock.
	s.db.SetMaxOpenConns(8)
	if err := s.initialise(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	// SQLite gives -wal and -shm the main file's mode; tighten them anyway
	// in case they predate us.
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = tightenMode(abs + suffix)
	}
	return s, nil
}

// dsn builds the connection string. journal_mode is not in it on purpose:
// WAL is a persistent property of the file, set once by initialise after
// the schema check, so a refused file is never converted.
func (s *Store) dsn() string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(s.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Freed pages and cells are zeroed, so old tokens do not linger in
	// the file after rotation or logout.
	q.Add("_pragma", "secure_delete(1)")
	// BEGIN IMMEDIATE: a transaction takes the write lock up front and
	// waits for it under busy_timeout, instead of failing mid-way when a
	// read lock cannot be upgraded.
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: s.path, RawQuery: q.Encode()}
	return u.String()
}

// initialise checks the file is ours, switches it to WAL and migrates it.
// Every step only reads until it knows a write is needed, so an
// up-to-date database opens even while another process holds the write lock.
func (s *Store) initialise(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("open database", err)
	}
	defer conn.Close()

	if err := checkIdentity(ctx, conn, s.path); err != nil {
		return s.wrap("open database", err)
	}
	if err := s.checkIntact(ctx, conn); err != nil {
		return err
	}
	if err := s.switchToWAL(ctx, conn); err != nil {
		return err
	}
	if err := migrate(ctx, conn, len(migrations), s.now); err != nil {
		// A newer ahtui that migrated the file since checkIdentity read it.
		if se, ok := errors.AsType[*SchemaError](err); ok {
			err = &SchemaError{Path: s.path, Found: se.Found, Known: se.Known}
		}
		return s.wrap("migrate database", err)
	}
	return nil
}

// checkIntact reads the whole file (PRAGMA quick_check: every page of
// every table and index, in one read transaction) before anything writes
// to it. A damaged page would otherwise surface only when a command
// reaches it, after earlier steps had written to the file (a history
// row) or talked to AimHarder (a login it then could not store).
func (s *Store) checkIntact(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check(1)")
	if err != nil {
		return s.wrap("check database", err)
	}
	defer rows.Close()
	var verdict string
	if rows.Next() {
		if err := rows.Scan(&verdict); err != nil {
			return s.wrap("check database", err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("check database", err)
	}
	if verdict != "ok" {
		return &NotDatabaseError{Path: s.path, Reason: "SQLite's check of every page found damage", Damaged: true}
	}
	return nil
}

// switchToWAL puts a new file in WAL mode. The switch needs the file to
// itself and SQLite answers SQLITE_BUSY at once, without the busy handler,
// when another opener is looking at it too; so retry within the busy
// timeout, re-reading the mode since that opener may have switched it.
func (s *Store) switchToWAL(ctx context.Context, conn *sql.Conn) error {
	deadline := time.Now().Add(s.busyTimeout)
	for {
		var mode string
		err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if err == nil && mode == "wal" {
			return nil
		}
		if err == nil {
			err = conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
			if err == nil && mode != "wal" {
				return fmt.Errorf("open database %s: journal mode stayed %q, WAL is required", s.path, mode)
			}
		}
		err = s.wrap("switch to WAL", err)
		if err == nil || !errors.Is(err, ErrBusy) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Close closes the database.
//
// It first waits for the token rotations under way — their callers may
// have given up, but a rotation once sent is finished and its answer
// stored (see Rotate) — and refuses new ones.
func (s *Store) Close() error {
	s.WaitRotations()
	return s.db.Close()
}

// WaitRotations stops new token rotations and waits until those under
// way have stored their answers. Call it (or Close) before the process
// exits: a rotation abandoned after AimHarder made it would leave the
// store with a spent token.
func (s *Store) WaitRotations() {
	s.rotMu.Lock()
	s.closed = true
	s.rotMu.Unlock()
	s.rotations.Wait()
}

// startRotation registers a rotation, or reports that the store closes.
func (s *Store) startRotation() bool {
	s.rotMu.Lock()
	defer s.rotMu.Unlock()
	if s.closed {
		return false
	}
	s.rotations.Add(1)
	return true
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// SchemaVersion returns the database's schema version (PRAGMA user_version).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, s.wrap("read schema version", err)
	}
	return v, nil
}

// LatestSchemaVersion is the schema version this binary migrates to.
func LatestSchemaVersion() int { return len(migrations) }

// prepareFiles creates the folder (0700) and an empty file (0600) before
// SQLite sees them, so the secrets inside are private from the first byte,
// and reports a folder or file we cannot write as ErrReadOnly.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
				return &ReadOnlyError{Path: dir, Reason: "the folder cannot be created"}
			}
			return fmt.Errorf("create database folder %s: %w", dir, err)
		}
		// MkdirAll's mode passes through the umask; ours must be exact.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("create database folder %s: %w", dir, err)
		}
	} else if err != nil {
		return fmt.Errorf("database folder %s: %w", dir, err)
	}

	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("create database %s: %w", path, err)
		}
	case errors.Is(err, fs.ErrExist):
		info, statErr := os.Stat(path)
		if statErr != nil {
			return fmt.Errorf("database %s: %w", path, statErr)
		}
		if !info.Mode().IsRegular() {
			return &NotDatabaseError{Path: path, Reason: "it is not a regular file"}
		}
		_ = tightenMode(path)
		// A file that says it is empty yet reads something is made up by
		// the kernel (/proc, /sys): SQLite would take it for a new database.
		if info.Size() == 0 && readsSomething(path) {
			return &NotDatabaseError{Path: path, Reason: "it is a system file, not a database"}
		}
		// access(2) lets root write anything; opening says what the
		// kernel allows (a read-only file system refuses even root).
		probe, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
				return &ReadOnlyError{Path: path, Reason: "the file cannot be opened for writing"}
			}
			return fmt.Errorf("database %s: %w", path, err)
		}
		probe.Close()
	case errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err):
		return &ReadOnlyError{Path: dir, Reason: "the folder cannot be written"}
	default:
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return checkWritable(dir, path)
}

// readsSomething reports whether reading path gives at least one byte.
func readsSomething(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [1]byte
	n, _ := f.Read(b[:])
	return n > 0
}

// tightenMode removes group and other permission bits, keeping the owner's
// (so a file the member made read-only stays read-only).
func tightenMode(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return os.Chmod(path, perm&0o700)
	}
	return nil
}
