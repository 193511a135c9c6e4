package session

import (
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ahtui/ahtui/aimharder"
)

// Errors callers test with errors.Is and turn into words for the member.
// None of them ever carries a token or cookie value.
var (
	// ErrNewerSchema: the file was written by a newer ahtui (see *SchemaError).
	ErrNewerSchema = errors.New("the database was written by a newer version of ahtui")
	// ErrNotDatabase: the file is not an ahtui database, or it is damaged
	// (see *NotDatabaseError).
	ErrNotDatabase = errors.New("the file is not an ahtui database or is damaged")
	// ErrReadOnly: the file or its folder cannot be written (see *ReadOnlyError).
	ErrReadOnly = errors.New("the database is read-only")
	// ErrBusy: another process kept the database locked longer than the
	// busy timeout. Which one is unknown: any program can lock the file.
	ErrBusy = errors.New("the database is busy: another program (perhaps another ahtui, a backup or sqlite3) is holding its lock")
	// ErrDiskFull: there was no room to write; the write was not made (see *DiskFullError).
	ErrDiskFull = errors.New("the disk is full")

	// ErrInvalidKind: a session kind other than KindDevice or KindBackground.
	ErrInvalidKind = errors.New("invalid session kind")
	// ErrNoSession: there is no session of that kind; log in.
	ErrNoSession = errors.New("no session: log in first")
	// ErrSessionDead: the server ended the session; log in again.
	ErrSessionDead = errors.New("the session has expired: log in again")
	// ErrConcurrentUpdate: a compare-and-swap matched no row, because the
	// session or prebooking changed since the caller read it.
	ErrConcurrentUpdate = errors.New("the record changed while it was being updated")
	// ErrLeaseHeld: another live owner holds the lease (see *LeaseHeldError).
	ErrLeaseHeld = errors.New("the lease is held by another owner")
	// ErrRotationUnknown: a token refresh was sent but its answer was lost
	// (a dropped connection, a timeout, a 5xx): AimHarder may or may not
	// have rotated the token. The session is not dead; check it with a
	// request that does not rotate (whoami) before concluding anything.
	ErrRotationUnknown = errors.New("the answer to a token refresh was lost")
	// ErrClosed: the store is closed (or closing) and takes no new rotation.
	ErrClosed = errors.New("the database is closed")
	// ErrLeaseNotHeld: the caller does not hold the lease it tried to renew or release.
	ErrLeaseNotHeld = errors.New("the lease is not held by this owner")

	// ErrNoAccount: nobody has logged in with this database yet.
	ErrNoAccount = errors.New("no account: log in first")
	// ErrOtherAccount: the database belongs to another AimHarder user.
	ErrOtherAccount = errors.New("this database belongs to another AimHarder account")
	// ErrNotFound: no such box, setting, cache entry, prebooking or lease.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: an active prebooking for that class already exists.
	ErrDuplicate = errors.New("already prebooked")
	// ErrNotPending: the prebooking is no longer pending (it is firing or finished).
	ErrNotPending = errors.New("the prebooking is no longer pending")
	// ErrInvalid: an argument failed validation.
	ErrInvalid = errors.New("invalid value")
)

// SchemaError reports a database whose schema is newer than this binary's.
type SchemaError struct {
	Path         string
	Found, Known int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("the database %s has schema version %d but this ahtui knows up to %d: upgrade ahtui", e.Path, e.Found, e.Known)
}

// Is makes errors.Is(err, ErrNewerSchema) true.
func (e *SchemaError) Is(target error) bool { return target == ErrNewerSchema }

// NotDatabaseError names a file that is not an ahtui database or is
// damaged, and why Open or a read refused it.
type NotDatabaseError struct {
	Path, Reason string
	// Damaged: it looked like ahtui's database (or SQLite could not
	// tell); otherwise it is something else — a folder, another program's
	// database.
	Damaged bool
}

func (e *NotDatabaseError) Error() string {
	return fmt.Sprintf("%s is not an ahtui database or is damaged: %s", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrNotDatabase) true.
func (e *NotDatabaseError) Is(target error) bool { return target == ErrNotDatabase }

// DiskFullError names the database a write could not grow, and why.
type DiskFullError struct {
	Path, Reason string
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the disk is full: %s (%s)", e.Reason, e.Path)
}

// Is makes errors.Is(err, ErrDiskFull) true.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

// ReadOnlyError names the file or folder that cannot be written.
type ReadOnlyError struct {
	Path, Reason string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("the database is read-only: %s (%s)", e.Reason, e.Path)
}

// Is makes errors.Is(err, ErrReadOnly) true.
func (e *ReadOnlyError) Is(target error) bool { return target == ErrReadOnly }

// LeaseHeldError says who holds a lease and until when.
type LeaseHeldError struct {
	Lease string // "device session", "background session", or a runner lease name
	Owner string
	Until time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("the %s lease is held by %s until %s", e.Lease, e.Owner, e.Until.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLeaseHeld) true.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// wrap adds the operation to err and maps SQLite result codes to the
// sentinels above, keeping the driver's error in the chain for details.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var sentinel error
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			sentinel = ErrBusy
		case sqlite3.SQLITE_READONLY:
			sentinel = &ReadOnlyError{Path: s.path, Reason: "SQLite refused to write"}
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			nd := &NotDatabaseError{Path: s.path, Reason: "SQLite found it damaged or not a database", Damaged: true}
			s.damaged.CompareAndSwap(nil, nd)
			sentinel = nd
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			sentinel = &ReadOnlyError{Path: s.path, Reason: "SQLite cannot open the file or its -wal/-shm for writing"}
		case sqlite3.SQLITE_FULL:
			// SQLite's answer to ENOSPC (and to max_page_count).
			reason := noRoom(s.path)
			if reason == "" {
				reason = "SQLite found no room to grow the database"
			}
			sentinel = &DiskFullError{Path: s.path, Reason: reason}
		case sqlite3.SQLITE_IOERR:
			// EFBIG (a file-size limit), EDQUOT and a -shm that cannot
			// grow come back as I/O errors without the errno: ask the
			// file system whether there was room.
			if reason := noRoom(s.path); reason != "" {
				sentinel = &DiskFullError{Path: s.path, Reason: reason}
			}
		}
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		return fmt.Errorf("%s: %w (%w)", op, sentinel, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// redact removes secret values from a message before it is stored or
// shown; the client already promises not to include them, this is a
// second line of defence for last_error.
func redact(msg string, creds ...aimharder.Credentials) string {
	for _, c := range creds {
		msg = c.Redact(msg)
	}
	const max = 500
	if len(msg) > max {
		cut := max
		for cut > 0 && !isRuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

func isRuneStart(b byte) bool { return b&0xc0 != 0x80 }
