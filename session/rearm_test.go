package session

import (
	"errors"
	"testing"
	"time"
)

// TestRearm: the claimer puts a firing prebooking back to pending with the
// opening AimHarder stated, in one statement, and the prebooking says so;
// anyone else, or a prebooking no longer firing, gets ErrConcurrentUpdate
// and changes nothing.
func TestRearm(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	ids := addPrebookings(t, s, 1)
	id := ids[0]
	before, _ := s.Prebooking(ctx, id)
	if before.OpeningStated() {
		t.Fatal("a new prebooking claims its opening was stated")
	}
	stated := before.OpensAt.Add(24 * time.Hour)

	if err := s.Rearm(ctx, id, "runner-a", stated); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("rearm of a pending prebooking: %v, want ErrConcurrentUpdate", err)
	}
	if _, won, err := s.Claim(ctx, id, "runner-a"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if err := s.Rearm(ctx, id, "runner-b", stated); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("rearm by another runner: %v, want ErrConcurrentUpdate", err)
	}
	if p, _ := s.Prebooking(ctx, id); p.Status != PrebookFiring || p.ClaimedBy != "runner-a" || !p.OpensAt.Equal(before.OpensAt) {
		t.Fatalf("a refused rearm changed the row: %+v", p)
	}
	if err := s.Rearm(ctx, id, "runner-a", time.Time{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("rearm without an opening: %v, want ErrInvalid", err)
	}
	if err := s.Rearm(ctx, id, "", stated); !errors.Is(err, ErrInvalid) {
		t.Errorf("rearm without an owner: %v, want ErrInvalid", err)
	}

	clock.Advance(time.Second)
	if err := s.Rearm(ctx, id, "runner-a", stated); err != nil {
		t.Fatal(err)
	}
	p, err := s.Prebooking(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != PrebookPending || p.ClaimedBy != "" || !p.FiredAt.IsZero() || !p.OpensAt.Equal(stated) ||
		p.OutcomeCode != OutcomeOpeningStated || !p.OpeningStated() {
		t.Errorf("after rearm: %+v", p)
	}
	due, _ := s.DuePrebookings(ctx, stated.Add(-time.Second))
	if len(due) != 0 {
		t.Errorf("due before the stated opening: %v", due)
	}
	if due, _ = s.DuePrebookings(ctx, stated); len(due) != 1 || due[0].ID != id {
		t.Errorf("due at the stated opening: %v", due)
	}
	events, err := s.History(ctx, HistoryQuery{Kinds: []EventKind{EventPrebookRearmed}})
	if err != nil || len(events) != 1 || events[0].ClassID != p.ClassID {
		t.Errorf("history: %v, %v", events, err)
	}
	// A second rearm has nothing to rearm.
	if err := s.Rearm(ctx, id, "runner-a", stated); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("second rearm: %v, want ErrConcurrentUpdate", err)
	}
	// Claimed and finished again, it is no longer "stated".
	if _, won, _ := s.Claim(ctx, id, "runner-a"); !won {
		t.Fatal("claim after rearm")
	}
	if p, _ := s.Prebooking(ctx, id); p.OpeningStated() {
		t.Error("a firing prebooking reports a stated opening")
	}
	done, err := s.Finish(ctx, id, "runner-a", Outcome{Status: PrebookBooked, Code: "booked"})
	if err != nil || done.OutcomeCode != "booked" || done.OpeningStated() {
		t.Errorf("finish after rearm: %+v, %v", done, err)
	}
}

// TestTouchClaim: the claimer's heartbeat moves fired_at; a claim taken
// over (or finished, or given back) refuses it with ErrConcurrentUpdate,
// so the old claimer knows not to fire.
func TestTouchClaim(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	id := addPrebookings(t, s, 1)[0]
	if err := s.TouchClaim(ctx, id, "runner-a"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("touch of a pending prebooking: %v, want ErrConcurrentUpdate", err)
	}
	if err := s.TouchClaim(ctx, 999, "runner-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("touch of a missing prebooking: %v, want ErrNotFound", err)
	}
	claimed, _, err := s.Claim(ctx, id, "runner-a")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(8 * time.Second)
	if err := s.TouchClaim(ctx, id, "runner-a"); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Prebooking(ctx, id)
	if !p.FiredAt.Equal(claimed.FiredAt.Add(8*time.Second)) || p.Status != PrebookFiring || p.ClaimedBy != "runner-a" {
		t.Errorf("after the heartbeat: fired_at %v (claimed %v), %s by %s", p.FiredAt, claimed.FiredAt, p.Status, p.ClaimedBy)
	}
	// A stale-claim takeover judges by the refreshed fired_at.
	clock.Advance(5 * time.Second)
	if _, won, _ := s.ClaimStale(ctx, id, "runner-b", clock.Now().Add(-10*time.Second)); won {
		t.Fatal("a claim refreshed 5 s ago was taken over as stale")
	}
	if err := s.TouchClaim(ctx, id, "runner-b"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("touch by a runner that does not hold the claim: %v", err)
	}
	clock.Advance(10 * time.Second)
	if _, won, _ := s.ClaimStale(ctx, id, "runner-b", clock.Now().Add(-10*time.Second)); !won {
		t.Fatal("a claim silent for 15 s was not taken over")
	}
	if err := s.TouchClaim(ctx, id, "runner-a"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("touch by the runner whose claim was taken over: %v, want ErrConcurrentUpdate", err)
	}
	if err := s.TouchClaim(ctx, id, "runner-b"); err != nil {
		t.Errorf("touch by the new claimer: %v", err)
	}
}
