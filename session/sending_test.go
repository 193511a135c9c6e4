package session

import (
	"errors"
	"testing"
	"time"
)

// TestStartSendingFencesTheShortTakeover: the send gate and the short
// takeover are one update each on the same row, so whichever comes first
// makes the other fail (docs/product.md invariant 6, fire once); the long
// takeover (ClaimStale) still takes a claim marked sending, and every
// change of hands clears the mark.
func TestStartSendingFencesTheShortTakeover(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	ids := addPrebookings(t, s, 2)

	// Gate first: the short takeover fails, however silent the claim.
	if _, _, err := s.Claim(ctx, ids[0], "runner-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.StartSending(ctx, ids[0], "runner-b"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("gate of a claim held by another runner: %v, want ErrConcurrentUpdate", err)
	}
	if err := s.StartSending(ctx, ids[0], "runner-a"); err != nil {
		t.Fatal(err)
	}
	gate := clock.Now()
	clock.Advance(time.Second)
	if err := s.StartSending(ctx, ids[0], "runner-a"); err != nil { // again: the mark keeps its first time
		t.Fatal(err)
	}
	p, _ := s.Prebooking(ctx, ids[0])
	if !p.SendingSince.Equal(gate) || !p.FiredAt.Equal(clock.Now()) {
		t.Errorf("sending since %v (want %v), heartbeat %v (want %v)", p.SendingSince, gate, p.FiredAt, clock.Now())
	}
	clock.Advance(5 * time.Second)
	if _, won, err := s.ClaimStaleUnsent(ctx, ids[0], "runner-b", clock.Now().Add(-200*time.Millisecond)); err != nil || won {
		t.Fatalf("short takeover of a claim marked sending: won %v, %v", won, err)
	}
	// The long takeover may, and the mark goes with the old holder.
	taken, won, err := s.ClaimStale(ctx, ids[0], "runner-b", clock.Now().Add(-time.Second))
	if err != nil || !won || !taken.SendingSince.IsZero() || taken.ClaimedBy != "runner-b" {
		t.Fatalf("long takeover: won %v by %q, sending since %v, %v", won, taken.ClaimedBy, taken.SendingSince, err)
	}
	if err := s.StartSending(ctx, ids[0], "runner-a"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("gate of the runner taken over: %v, want ErrConcurrentUpdate", err)
	}

	// Takeover first: the old holder's gate fails.
	if _, _, err := s.Claim(ctx, ids[1], "runner-a"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if _, won, err := s.ClaimStaleUnsent(ctx, ids[1], "runner-b", clock.Now().Add(-200*time.Millisecond)); err != nil || !won {
		t.Fatalf("short takeover of a silent claim not sending: won %v, %v", won, err)
	}
	if err := s.StartSending(ctx, ids[1], "runner-a"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("gate after the takeover: %v, want ErrConcurrentUpdate", err)
	}
	// Given back and claimed again: no mark left.
	if err := s.StartSending(ctx, ids[1], "runner-b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unclaim(ctx, ids[1], "runner-b"); err != nil {
		t.Fatal(err)
	}
	again, _, err := s.Claim(ctx, ids[1], "runner-c")
	if err != nil || !again.SendingSince.IsZero() {
		t.Errorf("claimed again: sending since %v, %v", again.SendingSince, err)
	}
	if err := s.StartSending(ctx, 999, "runner-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("gate of a missing prebooking: %v, want ErrNotFound", err)
	}
}
