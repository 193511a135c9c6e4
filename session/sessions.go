package session

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// Kind names one of the account's two sessions. There is no default:
// every credential read and write says which one it means.
type Kind string

const (
	// KindDevice is the interactive session (TUI, CLI).
	KindDevice Kind = "device"
	// KindBackground is the scheduler's session.
	KindBackground Kind = "background"
)

// Kinds lists both kinds, for status screens.
var Kinds = []Kind{KindDevice, KindBackground}

func (k Kind) validate() error {
	if k != KindDevice && k != KindBackground {
		return fmt.Errorf("%w %q: use %q or %q", ErrInvalidKind, string(k), KindDevice, KindBackground)
	}
	return nil
}

// State is a session's health as far as the store knows.
type State string

const (
	// StateLive: the last thing the server said did not end the session.
	StateLive State = "live"
	// StateDead: the server answered logout; a new login is needed.
	StateDead State = "dead"
)

// Session is a snapshot of one session row. Credentials are a copy: use
// them for one request and read again, never keep them.
type Session struct {
	Kind        Kind
	Account     Account
	Credentials aimharder.Credentials

	State      State
	DeadReason string
	DeadAt     time.Time

	CreatedAt        time.Time // the login that made this session
	TokenUpdatedAt   time.Time // last time the token was issued or rotated
	TokenUpdateCount int64     // rotation attempts since the login, failed ones included
	LastError        string    // message of the last failed attempt; "" after a success
	LastErrorAt      time.Time

	LeaseOwner     string
	LeaseExpiresAt time.Time

	// Relogin is the re-login policy's state (the same on both rows).
	Relogin ReloginState
}

// TokenAge is how long ago the token was issued or rotated.
func (s Session) TokenAge(now time.Time) time.Duration { return now.Sub(s.TokenUpdatedAt) }

// String describes the session without its token or cookie values.
func (s Session) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "session{kind:%s state:%s %s created:%s updated:%s count:%d",
		s.Kind, s.State, s.Credentials, s.CreatedAt.Format(time.RFC3339),
		s.TokenUpdatedAt.Format(time.RFC3339), s.TokenUpdateCount)
	if s.LastError != "" {
		fmt.Fprintf(&b, " last_error:%q", s.LastError)
	}
	if s.LeaseOwner != "" {
		fmt.Fprintf(&b, " lease:%s", s.LeaseOwner)
	}
	b.WriteString("}")
	return b.String()
}

// GoString keeps %#v from printing secrets.
func (s Session) GoString() string { return s.String() }

// LogValue keeps slog from printing secrets.
func (s Session) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("kind", string(s.Kind)),
		slog.String("state", string(s.State)),
		slog.Any("credentials", s.Credentials),
		slog.Time("token_updated_at", s.TokenUpdatedAt),
		slog.Int64("token_update_count", s.TokenUpdateCount),
	}
	if s.LastError != "" {
		attrs = append(attrs, slog.String("last_error", s.LastError))
	}
	return slog.GroupValue(attrs...)
}

const sessionColumns = `s.kind, a.email, a.user_id, a.name, s.fingerprint, s.token, s.cookies,
	s.state, s.dead_reason, s.dead_at, s.created_at, s.token_updated_at, s.token_update_count,
	s.last_error, s.last_error_at, s.lease_owner, s.lease_expires_at,
	s.relogin_failures, s.relogin_error, s.relogin_failed_at, s.relogin_not_before, s.relogin_refused`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var (
		s                           Session
		cookies                     string
		deadAt, lastErrorAt         sql.NullInt64
		createdAt, updatedAt, lease int64
		reloginFailedAt             sql.NullInt64
		reloginNotBefore            int64
	)
	err := row.Scan(&s.Kind, &s.Account.Email, &s.Account.UserID, &s.Account.Name,
		&s.Credentials.Fingerprint, &s.Credentials.Token, &cookies,
		&s.State, &s.DeadReason, &deadAt, &createdAt, &updatedAt, &s.TokenUpdateCount,
		&s.LastError, &lastErrorAt, &s.LeaseOwner, &lease,
		&s.Relogin.Failures, &s.Relogin.LastError, &reloginFailedAt, &reloginNotBefore, &s.Relogin.Refused)
	if err != nil {
		return Session{}, err
	}
	if s.Credentials.Cookies, err = decodeCookies(cookies); err != nil {
		return Session{}, err
	}
	s.DeadAt, s.LastErrorAt = fromNullMillis(deadAt), fromNullMillis(lastErrorAt)
	s.CreatedAt, s.TokenUpdatedAt = fromMillis(createdAt), fromMillis(updatedAt)
	if s.LeaseOwner != "" {
		s.LeaseExpiresAt = fromMillis(lease)
	}
	s.Relogin.LastFailedAt = fromNullMillis(reloginFailedAt)
	if reloginNotBefore > 0 {
		s.Relogin.NotBefore = fromMillis(reloginNotBefore)
	}
	return s, nil
}

// Session returns a snapshot of the session of that kind, or ErrNoSession.
func (s *Store) Session(ctx context.Context, kind Kind) (Session, error) {
	if err := kind.validate(); err != nil {
		return Session{}, err
	}
	return s.readSession(ctx, s.db, kind)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) readSession(ctx context.Context, q queryRower, kind Kind) (Session, error) {
	sess, err := scanSession(q.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions s JOIN account a ON a.id = s.account_id WHERE s.kind = ?`, kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("%s session: %w", kind, ErrNoSession)
	}
	if err != nil {
		return Session{}, s.wrap("read "+string(kind)+" session", err)
	}
	return sess, nil
}

// Sessions returns the sessions that exist, device first.
func (s *Store) Sessions(ctx context.Context) ([]Session, error) {
	var out []Session
	for _, kind := range Kinds {
		sess, err := s.readSession(ctx, s.db, kind)
		if errors.Is(err, ErrNoSession) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}

// SaveLogin stores the credentials of a fresh login as the session of that
// kind, creating the account on first use.
//
// A login starts a new session: created and token-updated times are now,
// the attempt counter restarts at 0, the last error and the dead state are
// cleared. The lease is left alone, so a scheduler that re-logs in while it
// holds the background lease keeps it. A different AimHarder user than the
// database's gets ErrOtherAccount. The re-login policy's state is cleared
// on both rows: the password works.
func (s *Store) SaveLogin(ctx context.Context, kind Kind, account Account, creds aimharder.Credentials) error {
	if err := kind.validate(); err != nil {
		return err
	}
	if err := account.validate(); err != nil {
		return err
	}
	if creds.Token == "" || creds.Fingerprint == "" {
		return fmt.Errorf("%w: a login needs a token and a fingerprint", ErrInvalid)
	}
	cookies, err := encodeCookies(creds.Cookies)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "save "+string(kind)+" login", func(tx *sql.Tx) error {
		now := s.now()
		if err := saveAccount(ctx, tx, account, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO sessions (kind, account_id, fingerprint, token, cookies, state, created_at, token_updated_at)
VALUES (?, 1, ?, ?, ?, 'live', ?, ?)
ON CONFLICT (kind) DO UPDATE SET
	fingerprint = excluded.fingerprint, token = excluded.token, cookies = excluded.cookies,
	state = 'live', dead_reason = '', dead_at = NULL,
	created_at = excluded.created_at, token_updated_at = excluded.token_updated_at,
	token_update_count = 0, last_error = '', last_error_at = NULL`,
			kind, creds.Fingerprint, creds.Token, cookies, toMillis(now), toMillis(now))
		if err != nil {
			return err
		}
		// The password works: the re-login policy starts afresh (it is the
		// account's, on both rows).
		if _, err := tx.ExecContext(ctx, `
UPDATE sessions SET relogin_failures = 0, relogin_error = '', relogin_failed_at = NULL,
	relogin_not_before = 0, relogin_refused = 0`); err != nil {
			return err
		}
		return recordTx(ctx, tx, Event{At: now, Kind: EventLogin, Message: string(kind) + " session logged in"})
	})
}

// SaveCookies persists cookie changes an ordinary call brought back (the
// token unchanged). It applies only what changed between old (what the
// call was sent) and updated (what it returned) onto the stored cookies,
// keyed on old's token: after a rotation or a new login it changes nothing
// and returns ErrConcurrentUpdate, because those cookies belonged to a
// session that has moved on. No change at all writes nothing.
func (s *Store) SaveCookies(ctx context.Context, kind Kind, old, updated aimharder.Credentials) error {
	if err := kind.validate(); err != nil {
		return err
	}
	if updated.Token != old.Token {
		return fmt.Errorf("%w: save cookies: the token changed; only Rotate stores a new token", ErrInvalid)
	}
	if maps.Equal(old.Cookies, updated.Cookies) {
		return nil
	}
	return s.inTx(ctx, "save "+string(kind)+" cookies", func(tx *sql.Tx) error {
		stored, err := lockedCredentials(ctx, tx, kind, old.Token)
		if err != nil {
			return err
		}
		merged, err := encodeCookies(mergeCookieChanges(stored.Cookies, old.Cookies, updated.Cookies))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET cookies = ? WHERE kind = ? AND token = ?`,
			merged, kind, old.Token)
		return mustChangeOne(res, err, kind)
	})
}

// MarkDead records that the server ended the session (it answered logout
// to the credentials in used). It is keyed on used's token, so a stale
// answer cannot kill a session that was rotated or re-logged in since:
// that case returns ErrConcurrentUpdate and changes nothing.
func (s *Store) MarkDead(ctx context.Context, kind Kind, used aimharder.Credentials, reason string) error {
	if err := kind.validate(); err != nil {
		return err
	}
	reason = redact(strings.TrimSpace(reason), used)
	if reason == "" {
		reason = "the server ended the session"
	}
	return s.inTx(ctx, "mark "+string(kind)+" session dead", func(tx *sql.Tx) error {
		if _, err := lockedCredentials(ctx, tx, kind, used.Token); err != nil {
			return err
		}
		now := toMillis(s.now())
		res, err := tx.ExecContext(ctx, `
UPDATE sessions SET state = 'dead', dead_reason = ?, dead_at = ?, last_error = ?, last_error_at = ?
WHERE kind = ? AND token = ?`, reason, now, reason, now, kind, used.Token)
		if err := mustChangeOne(res, err, kind); err != nil {
			return err
		}
		return recordTx(ctx, tx, Event{At: fromMillis(now), Kind: EventSessionDead,
			Message: string(kind) + " session ended: " + reason})
	})
}

// NoteProblem records in the session's LastError something the member
// should know although the session lives (a refresh whose answer was
// lost, a token AimHarder no longer renews), and in the history. Keyed on
// used's token like MarkDead: a session that moved on since is left alone
// (ErrConcurrentUpdate).
func (s *Store) NoteProblem(ctx context.Context, kind Kind, used aimharder.Credentials, message string) error {
	if err := kind.validate(); err != nil {
		return err
	}
	message = redact(strings.TrimSpace(message), used)
	return s.inTx(ctx, "note a "+string(kind)+" session problem", func(tx *sql.Tx) error {
		now := toMillis(s.now())
		res, err := tx.ExecContext(ctx, `
UPDATE sessions SET last_error = ?, last_error_at = ? WHERE kind = ? AND token = ?`, message, now, kind, used.Token)
		if err := mustChangeOne(res, err, kind); err != nil {
			return err
		}
		return recordTx(ctx, tx, Event{At: fromMillis(now), Kind: EventSessionWarning, Message: string(kind) + " session: " + message})
	})
}

// Logout deletes both sessions, their tokens and cookies, and the cached
// class lists (they show the member's bookings and attendees). The
// account, boxes, settings, prebookings and history stay.
//
// secure_delete zeroes the freed bytes, and a TRUNCATE checkpoint then
// empties the -wal file, which still holds older page images. If another
// process is reading at that moment the checkpoint cannot finish; the
// sessions are gone all the same and the returned error says so.
func (s *Store) Logout(ctx context.Context) error {
	err := s.inTx(ctx, "log out", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM class_cache`); err != nil {
			return err
		}
		return recordTx(ctx, tx, Event{At: s.now(), Kind: EventLogout, Message: "logged out"})
	})
	if err != nil {
		return err
	}
	return s.checkpoint(ctx)
}

// checkpoint copies the WAL into the main file and truncates it.
func (s *Store) checkpoint(ctx context.Context) error {
	var busy, logFrames, checkpointed int
	err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
	if err != nil {
		return s.wrap("logged out, but clearing the write-ahead log failed", err)
	}
	if busy != 0 {
		return fmt.Errorf("logged out, but another process is reading the database, so old pages stay in the write-ahead log until it stops: %w", ErrBusy)
	}
	return nil
}

// lockedCredentials reads the session inside a write transaction and
// checks it still carries token.
func lockedCredentials(ctx context.Context, tx *sql.Tx, kind Kind, token string) (aimharder.Credentials, error) {
	var (
		c       aimharder.Credentials
		cookies string
	)
	err := tx.QueryRowContext(ctx, `SELECT token, fingerprint, cookies FROM sessions WHERE kind = ?`, kind).
		Scan(&c.Token, &c.Fingerprint, &cookies)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%s session: %w", kind, ErrNoSession)
	}
	if err != nil {
		return c, err
	}
	if c.Token != token {
		return c, fmt.Errorf("%s session: %w: its token is no longer the one used", kind, ErrConcurrentUpdate)
	}
	c.Cookies, err = decodeCookies(cookies)
	return c, err
}

// mustChangeOne turns "0 rows changed" into ErrConcurrentUpdate: a write
// that matched nothing is never silently ignored.
func mustChangeOne(res sql.Result, err error, kind Kind) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%s session: %w: %d rows changed", kind, ErrConcurrentUpdate, n)
	}
	return nil
}

// mergeCookieChanges applies the difference between before and after (set,
// changed and deleted cookies, aimharder.CookieChanges) onto stored, so two
// calls that each changed a different cookie do not undo each other. The
// result is never nil.
func mergeCookieChanges(stored, before, after map[string]string) map[string]string {
	out := aimharder.Credentials{Cookies: stored}.WithCookies(aimharder.CookieChanges(before, after)).Cookies
	if out == nil {
		out = map[string]string{}
	}
	return out
}

func encodeCookies(c map[string]string) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode cookies: %w", err)
	}
	return string(b), nil
}

func decodeCookies(s string) (map[string]string, error) {
	c := map[string]string{}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		// Never echo the text: it is cookie values.
		return nil, fmt.Errorf("stored cookies are not valid JSON: %w", ErrNotDatabase)
	}
	return c, nil
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE, from the DSN) and
// commits it, wrapping errors with op.
// Nothing is written once the file was found damaged.
func (s *Store) inTx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	if d := s.damaged.Load(); d != nil {
		return fmt.Errorf("%s: %w", op, d)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(op, err)
	}
	return nil
}
