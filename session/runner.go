package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// RunnerLease says which process leads a named role (the prebooking
// runner): several processes may run on one database, one fires.
type RunnerLease struct {
	Name        string
	Owner       string
	PID         int
	Host        string
	AcquiredAt  time.Time
	HeartbeatAt time.Time
	ExpiresAt   time.Time
}

// Live reports whether the lease has not expired at now.
func (l RunnerLease) Live(now time.Time) bool { return now.Before(l.ExpiresAt) }

const runnerColumns = `name, owner, pid, host, acquired_at, heartbeat_at, expires_at`

func scanRunner(row interface{ Scan(...any) error }) (RunnerLease, error) {
	var (
		l                         RunnerLease
		acquired, beat, expiresAt int64
	)
	err := row.Scan(&l.Name, &l.Owner, &l.PID, &l.Host, &acquired, &beat, &expiresAt)
	l.AcquiredAt, l.HeartbeatAt, l.ExpiresAt = fromMillis(acquired), fromMillis(beat), fromMillis(expiresAt)
	return l, err
}

// AcquireRunnerLease makes owner the leader of name for ttl, recording this
// process's pid and host. It succeeds when the lease is free, expired, or
// already owner's (then it is renewed); otherwise it returns a
// *LeaseHeldError (errors.Is ErrLeaseHeld). One statement decides, so two
// processes racing for a free lease cannot both win.
func (s *Store) AcquireRunnerLease(ctx context.Context, name, owner string, ttl time.Duration) (RunnerLease, error) {
	if name == "" {
		return RunnerLease{}, fmt.Errorf("%w: a runner lease needs a name", ErrInvalid)
	}
	if err := validateOwner(owner); err != nil {
		return RunnerLease{}, err
	}
	if ttl <= 0 {
		return RunnerLease{}, fmt.Errorf("%w: lease ttl must be positive", ErrInvalid)
	}
	host, _ := os.Hostname()
	now := toMillis(s.now())
	l, err := scanRunner(s.db.QueryRowContext(ctx, `
INSERT INTO runner_leases (name, owner, pid, host, acquired_at, heartbeat_at, expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
ON CONFLICT (name) DO UPDATE SET
	acquired_at = CASE WHEN runner_leases.owner = excluded.owner THEN runner_leases.acquired_at ELSE excluded.acquired_at END,
	owner = excluded.owner, pid = excluded.pid, host = excluded.host,
	heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
WHERE runner_leases.owner = excluded.owner OR runner_leases.expires_at <= ?5
RETURNING `+runnerColumns, name, owner, os.Getpid(), host, now, now+ttl.Milliseconds()))
	if err == nil {
		return l, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return RunnerLease{}, s.wrap("take runner lease "+name, err)
	}
	current, err := s.CurrentRunnerLease(ctx, name)
	if err != nil {
		return RunnerLease{}, err
	}
	return RunnerLease{}, &LeaseHeldError{Lease: "runner " + name, Owner: current.Owner, Until: current.ExpiresAt}
}

// RenewRunnerLease extends owner's lease by ttl from now (the heartbeat).
// ErrLeaseNotHeld means another process took it over: stop firing.
func (s *Store) RenewRunnerLease(ctx context.Context, name, owner string, ttl time.Duration) (RunnerLease, error) {
	now := toMillis(s.now())
	l, err := scanRunner(s.db.QueryRowContext(ctx, `
UPDATE runner_leases SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND owner = ?
RETURNING `+runnerColumns, now, now+ttl.Milliseconds(), name, owner))
	if errors.Is(err, sql.ErrNoRows) {
		return RunnerLease{}, fmt.Errorf("renew runner lease %s: %w", name, ErrLeaseNotHeld)
	}
	if err != nil {
		return RunnerLease{}, s.wrap("renew runner lease "+name, err)
	}
	return l, nil
}

// ReleaseRunnerLease gives up owner's lease; ErrLeaseNotHeld when owner
// does not hold it.
func (s *Store) ReleaseRunnerLease(ctx context.Context, name, owner string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM runner_leases WHERE name = ? AND owner = ?`, name, owner)
	if err != nil {
		return s.wrap("release runner lease "+name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.wrap("release runner lease "+name, err)
	} else if n != 1 {
		return fmt.Errorf("release runner lease %s: %w", name, ErrLeaseNotHeld)
	}
	return nil
}

// CurrentRunnerLease returns the lease row for name, live or expired (see
// Live), or ErrNotFound when nobody has held it or it was released.
func (s *Store) CurrentRunnerLease(ctx context.Context, name string) (RunnerLease, error) {
	l, err := scanRunner(s.db.QueryRowContext(ctx, `SELECT `+runnerColumns+` FROM runner_leases WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return RunnerLease{}, fmt.Errorf("runner lease %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return RunnerLease{}, s.wrap("read runner lease "+name, err)
	}
	return l, nil
}
