package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// holdExclusive takes the database's write lock from another connection
// (BEGIN EXCLUSIVE, as a backup job or `sqlite3` would) until the
// returned release is called.
func holdExclusive(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// startLeading starts the runners with the clock held until one of them
// leads and the runners wait on timers of their own (beyond the test's
// `set` ones, from h.at), so that a timer the test set cannot move the
// clock past what the runners must do first.
func startLeading(t *testing.T, h *harness, set int, rs ...*Runner) *runners {
	t.Helper()
	release := h.clock.Hold()
	defer release()
	out := startRunners(t, h, rs...)
	waitFor(t, "a runner to lead", func() bool {
		for _, r := range rs {
			if r.Leader() && h.clock.Waiters() >= set+len(rs)+1 {
				return true
			}
		}
		return false
	})
	return out
}

// TestLockedDatabaseAroundOpeningStillFires: another program holds the
// database locked from T−30 s to T+15 s. The runner holding the claim
// keeps leading (nobody can take the lease or the claim while nobody can
// write), fires at T from memory, says why it cannot store anything, and
// stores the outcome once the lock ends: booked on time, once.
func TestLockedDatabaseAroundOpeningStillFires(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	r := h.newRunner(h.openStore(session.WithBusyTimeout(20*time.Millisecond)), "runner", func(c *Config) { c.NoKeeper = true })
	r.finishRetry = 10 * time.Minute // real time: far beyond the lock, however slow the machine
	ev := collect(r.Events())

	var release func()
	locked := h.at(testOpening.Add(-30*time.Second), func() error {
		release = holdExclusive(t, h.dbPath)
		return nil
	})
	var stillFiring bool
	unlocked := h.at(testOpening.Add(15*time.Second), func() error {
		got, err := h.store.Prebooking(t.Context(), p.ID)
		stillFiring = err == nil && got.Status == session.PrebookFiring
		release()
		return nil
	})
	rs := startLeading(t, h, 2, r)
	_ = locked()
	_ = unlocked()
	h.waitFinal(p.ID)
	rs.stop()

	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != session.PrebookBooked || got.Late || got.ClaimedBy != "runner" {
		t.Errorf("outcome %s late=%v by %q: %s", got.Status, got.Late, got.ClaimedBy, got.OutcomeMessage)
	}
	if !stillFiring {
		t.Error("the outcome was stored while the database was locked")
	}
	if got.FinishedAt.Before(testOpening.Add(15 * time.Second)) {
		t.Errorf("stored at %v, before the lock ended", got.FinishedAt)
	}
	var acceptedAt []time.Time
	for _, q := range h.bookRequests(p.ClassID) {
		if accepted(q) {
			acceptedAt = append(acceptedAt, q.Arrived)
		}
	}
	if len(acceptedAt) != 1 {
		t.Fatalf("%d bookings accepted, want 1", len(acceptedAt))
	}
	if late := acceptedAt[0].Sub(testOpening); late < 0 || late > 100*time.Millisecond {
		t.Errorf("booked %v after the opening, want at the opening", late)
	}
	said, recovered := false, false
	for _, e := range ev.stop() {
		switch e := e.(type) {
		case DatabaseUnwritable:
			if e.Resolved {
				recovered = true
			} else if strings.Contains(e.String(), "locked by another program") {
				said = true
			}
		case LeaderChanged:
			if !e.Leader && e.Reason != "stopping" {
				t.Errorf("stopped leading: %v", e)
			}
		case PrebookingNotStored:
			t.Errorf("outcome not stored: %v", e)
		}
	}
	if !said || !recovered {
		t.Errorf("told the member the database was locked: %v; that it can be written again: %v", said, recovered)
	}
}

// TestUnwritableNamesTheReason: a locked database and a full disk are
// write failures nobody gets past; another runner holding the lease is not.
func TestUnwritableNamesTheReason(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("renew: %w", session.ErrBusy), "the database is locked by another program"},
		{fmt.Errorf("renew: %w", &session.DiskFullError{Path: "x", Reason: "no space"}), "the disk is full"},
		{fmt.Errorf("renew: %w", session.ErrLeaseNotHeld), ""},
		{&session.LeaseHeldError{Lease: "runner prebookings", Owner: "other"}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		if got := unwritable(c.err); got != c.want {
			t.Errorf("unwritable(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestLockAcrossTheGateIsNotFiredTwice: another program holds the
// database locked for 300 ms across the leader's send gate (a checkpoint
// on an SD card). The leader cannot mark its claim as sending and fires
// from memory; its heartbeat is stuck behind the same lock, so the
// standby watching the claim, in another process on the same file, sees
// it unmarked and silent — and when the lock ends, the leader is slow to
// write its mark and its outcome (a stall), so the standby's takeover
// wins.
// The standby saw the database locked during the claim's silence: the
// leader may have sent, so it reads the day first, finds the class
// booked and sends nothing. One runner sends; the class is booked once.
func TestLockAcrossTheGateIsNotFiredTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-90*time.Second), 0, 0)
	p := h.prebook(h.store, "WOD", false)
	log, logs := testLogger()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the runners' log:\n%s", logs.String())
		}
	})
	busy := session.WithBusyTimeout(20 * time.Millisecond)
	leader, leaderSent := h.countingRunner(h.openStore(busy), "runner-leader", func(c *Config) { c.Logger = log })
	standby, standbySent := h.countingRunner(h.openStore(busy), "runner-standby", func(c *Config) { c.Logger = log })
	leader.finishRetry = 10 * time.Minute // real time: far beyond the lock, however slow the machine
	standby.finishRetry = 10 * time.Minute

	var (
		release             func()
		stallBeat, stallFin sync.Once
	)
	locked := h.at(testOpening.Add(-150*time.Millisecond), func() error {
		release = holdExclusive(t, h.dbPath)
		return nil
	})
	freed := h.at(testOpening.Add(150*time.Millisecond), func() error {
		release()
		return nil
	})
	// The leader's heartbeat (its mark) and its outcome come late after
	// the lock: the standby's takeover comes first.
	leader.beforeBeat = func(int64) {
		if !h.clock.Now().Before(testOpening.Add(100 * time.Millisecond)) {
			stallBeat.Do(func() { _ = Sleep(context.Background(), h.clock, 500*time.Millisecond) })
		}
	}
	leader.beforeFinish = func(int64) {
		stallFin.Do(func() { _ = Sleep(context.Background(), h.clock, 600*time.Millisecond) })
	}

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	hold := h.clock.Hold()
	wg.Go(func() { _ = leader.Run(ctx) })
	waitFor(t, "the leader to lead", leader.Leader)
	wg.Go(func() { _ = standby.Run(ctx) })
	waitFor(t, "both runners to wait", func() bool { return h.clock.Waiters() >= 7 })
	drive := h.clock.AutoAdvance(t.Context(), 0)
	hold()
	_ = locked()
	_ = freed()
	h.waitFinal(p.ID)
	cancel()
	wg.Wait()
	drive()

	if !strings.Contains(logs.String(), "firing anyway") {
		t.Fatal("the leader's send gate was not held up by the lock: the test misses its case")
	}
	got, err := h.store.Prebooking(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClaimedBy != "runner-standby" {
		t.Fatalf("the claim stayed with %q: the standby's takeover did not come first, the test misses its case", got.ClaimedBy)
	}
	if got.Status != session.PrebookBooked {
		t.Errorf("outcome %s: %s", got.Status, got.OutcomeMessage)
	}
	if leaderSent.n.Load() == 0 || standbySent.n.Load() != 0 {
		t.Errorf("booking requests: leader %d, standby %d; want the leader's only", leaderSent.n.Load(), standbySent.n.Load())
	}
	n := 0
	for _, q := range h.bookRequests(p.ClassID) {
		if accepted(q) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d bookings accepted, want 1", n)
	}
}
