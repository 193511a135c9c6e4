package session

import (
	"os"
	"testing"
	"time"
)

// TestRunnerRegistry: every runner records itself and its heartbeat; a
// clean exit removes the record at once, a crash leaves one that stops
// counting when it expires and is forgotten by the next heartbeat.
func TestRunnerRegistry(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	const ttl = 30 * time.Second

	if list, err := s.Runners(ctx); err != nil || len(list) != 0 {
		t.Fatalf("fresh database: %v, %v; want no runners", list, err)
	}
	tui := NewOwner("tui")
	run := NewOwner("run")
	first, err := s.RegisterRunner(ctx, tui, ttl)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if first.Kind != "tui" || first.PID != os.Getpid() || first.Host != host || !first.ExpiresAt.Equal(clock.Now().Add(ttl)) {
		t.Fatalf("recorded %+v", first)
	}
	clock.Advance(5 * time.Second)
	if _, err := s.RegisterRunner(ctx, run, ttl); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Second)
	again, err := s.RegisterRunner(ctx, tui, ttl) // the heartbeat
	if err != nil {
		t.Fatal(err)
	}
	if !again.StartedAt.Equal(first.StartedAt) || !again.HeartbeatAt.Equal(clock.Now()) {
		t.Fatalf("heartbeat %+v after %+v: want the start kept and the beat moved", again, first)
	}
	list, err := s.Runners(ctx)
	if err != nil || len(list) != 2 || list[0].Owner != tui || list[1].Owner != run || list[1].Kind != "run" {
		t.Fatalf("runners %+v, %v; want the tui then the run", list, err)
	}

	// A clean exit removes its record at once.
	if err := s.UnregisterRunner(ctx, tui); err != nil {
		t.Fatal(err)
	}
	if err := s.UnregisterRunner(ctx, tui); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if list, _ := s.Runners(ctx); len(list) != 1 || list[0].Owner != run {
		t.Fatalf("after the tui quit: %+v", list)
	}

	// The run crashes: its record stays, counted until it expires.
	clock.Advance(ttl - 6*time.Second)
	if list, _ := s.Runners(ctx); len(list) != 1 {
		t.Fatalf("before its expiry: %+v", list)
	}
	clock.Advance(2 * time.Second)
	if list, err := s.Runners(ctx); err != nil || len(list) != 0 {
		t.Fatalf("a crashed runner's record past its expiry: %+v, %v; want it ignored", list, err)
	}
	var rows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runner_registry`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d rows (%v): the stale record is still there until a heartbeat forgets it", rows, err)
	}
	other := NewOwner("serve")
	if _, err := s.RegisterRunner(ctx, other, ttl); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runner_registry`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d rows (%v) after another runner's heartbeat; want the stale one forgotten", rows, err)
	}

	if _, err := s.RegisterRunner(ctx, "", ttl); err == nil {
		t.Fatal("an empty owner was recorded")
	}
	if OwnerKind("plain") != "" || OwnerKind(run) != "run" {
		t.Fatal("OwnerKind")
	}
}
