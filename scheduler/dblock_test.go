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
