package session

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// RunnerProcess is one process running a scheduler on the database —
// the leader and the standby ones alike — as it last said so itself.
type RunnerProcess struct {
	Owner string // its lease and claim owner name
	// Kind is what the process is: "tui", "run" or "serve" (the role of
	// its owner name, see NewOwner); "" when the owner was not named so.
	Kind        string
	PID         int
	Host        string
	StartedAt   time.Time
	HeartbeatAt time.Time
	// ExpiresAt is when the record stops counting: a process that crashed
	// leaves its row behind, and it is ignored from then on.
	ExpiresAt time.Time
}

// OwnerKind returns the role NewOwner put in an owner name ("run" of
// "run@host:42:ab12cd"), or "" for an owner not named that way.
func OwnerKind(owner string) string {
	role, _, ok := strings.Cut(owner, "@")
	if !ok {
		return ""
	}
	return role
}

// RegisterRunner records (or, for the same owner, refreshes) this process
// as a runner on the database, until ttl from now: runners call it with
// every heartbeat. It also forgets records that expired, left behind by
// processes that ended without UnregisterRunner.
func (s *Store) RegisterRunner(ctx context.Context, owner string, ttl time.Duration) (RunnerProcess, error) {
	if err := validateOwner(owner); err != nil {
		return RunnerProcess{}, err
	}
	if ttl <= 0 {
		return RunnerProcess{}, fmt.Errorf("%w: a runner record's ttl must be positive", ErrInvalid)
	}
	host, _ := os.Hostname()
	now := toMillis(s.now())
	var (
		p                   RunnerProcess
		started, beat, ends int64
	)
	err := s.db.QueryRowContext(ctx, `
INSERT INTO runner_registry (owner, kind, pid, host, started_at, heartbeat_at, expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
ON CONFLICT (owner) DO UPDATE SET
	heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
RETURNING owner, kind, pid, host, started_at, heartbeat_at, expires_at`,
		owner, OwnerKind(owner), os.Getpid(), host, now, now+ttl.Milliseconds()).
		Scan(&p.Owner, &p.Kind, &p.PID, &p.Host, &started, &beat, &ends)
	if err != nil {
		return RunnerProcess{}, s.wrap("record runner", err)
	}
	p.StartedAt, p.HeartbeatAt, p.ExpiresAt = fromMillis(started), fromMillis(beat), fromMillis(ends)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM runner_registry WHERE expires_at <= ?`, now); err != nil {
		return p, s.wrap("forget stale runners", err)
	}
	return p, nil
}

// UnregisterRunner removes owner's record: a runner that stops cleanly no
// longer counts as one that would take over. Removing a record that is
// not there is not an error.
func (s *Store) UnregisterRunner(ctx context.Context, owner string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM runner_registry WHERE owner = ?`, owner)
	return s.wrap("remove runner record", err)
}

// Runners lists the runners recorded on the database whose records have
// not expired, the oldest first. Records of processes that crashed stay
// until they expire and are left out.
func (s *Store) Runners(ctx context.Context) ([]RunnerProcess, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT owner, kind, pid, host, started_at, heartbeat_at, expires_at FROM runner_registry
WHERE expires_at > ? ORDER BY started_at, owner`, toMillis(s.now()))
	if err != nil {
		return nil, s.wrap("read runners", err)
	}
	defer rows.Close()
	var out []RunnerProcess
	for rows.Next() {
		var (
			p                   RunnerProcess
			started, beat, ends int64
		)
		if err := rows.Scan(&p.Owner, &p.Kind, &p.PID, &p.Host, &started, &beat, &ends); err != nil {
			return nil, s.wrap("read runners", err)
		}
		p.StartedAt, p.HeartbeatAt, p.ExpiresAt = fromMillis(started), fromMillis(beat), fromMillis(ends)
		out = append(out, p)
	}
	return out, s.wrap("read runners", rows.Err())
}
