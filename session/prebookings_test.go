package session

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

var classDay = aimharder.Date{Year: 2026, Month: 11, Day: 27}

// addPrebookings creates box 1 and n pending prebookings opening a minute
// apart, returning their ids.
func addPrebookings(t *testing.T, s *Store, n int) []int64 {
	t.Helper()
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "crossfitx", Name: "CrossFit X"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	ids := make([]int64, n)
	for i := range n {
		p, err := s.AddPrebooking(ctx, NewPrebooking{
			BoxID: 1, ClassID: int64(1000 + i), Day: classDay, ClassName: fmt.Sprintf("WOD %d", i),
			ClassStart: start, OpensAt: start.Add(-96*time.Hour + time.Duration(i)*time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	return ids
}

func TestAddAndListPrebookings(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	if _, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 9, ClassID: 1, Day: classDay, ClassStart: clock.Now()}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown box: %v", err)
	}
	if _, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("incomplete: %v", err)
	}
	ids := addPrebookings(t, s, 3)
	start := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	unknown, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: 55, Day: classDay, ClassName: "  Open box ",
		ClassStart: start, FamilyID: "77", AllowWaitlist: true})
	if err != nil {
		t.Fatal(err)
	}
	if unknown.Status != PrebookPending || unknown.ClassName != "Open box" || !unknown.OpensAt.IsZero() ||
		!unknown.ClassStart.Equal(start) || unknown.FamilyID != "77" || !unknown.AllowWaitlist ||
		unknown.Day != classDay || !unknown.CreatedAt.Equal(clock.Now()) {
		t.Errorf("stored %+v", unknown)
	}
	if _, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: 55, Day: classDay, ClassStart: start, FamilyID: "77"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}

	all, err := s.Prebookings(ctx, PrebookingQuery{})
	if err != nil || len(all) != 4 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	if all[0].ID != ids[0] || all[2].ID != ids[2] || all[3].ID != unknown.ID {
		t.Errorf("order: soonest first, unknown opening last: %v", []int64{all[0].ID, all[1].ID, all[2].ID, all[3].ID})
	}
	due, err := s.DuePrebookings(ctx, all[1].OpensAt)
	if err != nil || len(due) != 2 || due[0].ID != ids[0] || due[1].ID != ids[1] {
		t.Errorf("due: %v, %v", due, err)
	}
	if err := s.SetOpensAt(ctx, unknown.ID, start.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Prebooking(ctx, unknown.ID); !p.OpensAt.Equal(start.Add(-48 * time.Hour)) {
		t.Errorf("opens at %v", p.OpensAt)
	}
	limited, _ := s.Prebookings(ctx, PrebookingQuery{Statuses: []PrebookingStatus{PrebookPending}, BoxID: 1, Limit: 2})
	if len(limited) != 2 {
		t.Errorf("limit: %d", len(limited))
	}
	if _, err := s.Prebooking(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

func TestPrebookingLifecycle(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	ids := addPrebookings(t, s, 3)

	p, won, err := s.Claim(ctx, ids[0], "runner-a")
	if err != nil || !won || p.Status != PrebookFiring || p.ClaimedBy != "runner-a" || !p.FiredAt.Equal(clock.Now()) {
		t.Fatalf("claim: %+v %v %v", p, won, err)
	}
	p, won, err = s.Claim(ctx, ids[0], "runner-b")
	if err != nil || won || p.ClaimedBy != "runner-a" {
		t.Errorf("second claim: won %v by %q, %v", won, p.ClaimedBy, err)
	}
	if _, err := s.CancelPrebooking(ctx, ids[0]); !errors.Is(err, ErrNotPending) {
		t.Errorf("cancel while firing: %v", err)
	}
	if _, err := s.Finish(ctx, ids[0], "runner-b", Outcome{Status: PrebookBooked}); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("finish by a non-claimant: %v", err)
	}
	if _, err := s.Finish(ctx, ids[0], "runner-a", Outcome{Status: PrebookPending}); !errors.Is(err, ErrInvalid) {
		t.Errorf("finish as pending: %v", err)
	}
	clock.Advance(2 * time.Second)
	done, err := s.Finish(ctx, ids[0], "runner-a", Outcome{Status: PrebookBooked, Code: "booked",
		Message: "Reserva realizada", ReservationID: 987, Attempts: 3, Late: true})
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != PrebookBooked || done.ReservationID != 987 || done.Attempts != 3 || !done.Late ||
		done.OutcomeCode != "booked" || done.OutcomeMessage != "Reserva realizada" || !done.FinishedAt.Equal(clock.Now()) {
		t.Errorf("finished: %+v", done)
	}
	if !done.Status.Final() || PrebookFiring.Final() {
		t.Error("Final is wrong")
	}
	if _, err := s.Finish(ctx, ids[0], "runner-a", Outcome{Status: PrebookFailed}); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("finishing twice: %v", err)
	}
	if _, _, err := s.Claim(ctx, 999, "runner-a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("claim missing: %v", err)
	}

	// Unclaim puts it back; only the claimant can.
	if _, won, _ := s.Claim(ctx, ids[1], "runner-a"); !won {
		t.Fatal("claim 1")
	}
	if err := s.Unclaim(ctx, ids[1], "runner-b"); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("unclaim by another: %v", err)
	}
	if err := s.Unclaim(ctx, ids[1], "runner-a"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Prebooking(ctx, ids[1]); p.Status != PrebookPending || p.ClaimedBy != "" || !p.FiredAt.IsZero() {
		t.Errorf("after unclaim: %+v", p)
	}

	// A runner died mid-fire: another takes the stale claim over, once.
	if _, won, _ := s.Claim(ctx, ids[1], "runner-dead"); !won {
		t.Fatal("claim by the runner that dies")
	}
	clock.Advance(5 * time.Minute)
	cutoff := clock.Now().Add(-time.Minute)
	if p, won, err := s.ClaimStale(ctx, ids[1], "runner-b", cutoff); err != nil || !won || p.ClaimedBy != "runner-b" {
		t.Fatalf("claim stale: %+v %v %v", p, won, err)
	}
	if _, won, _ := s.ClaimStale(ctx, ids[1], "runner-c", cutoff); won {
		t.Error("a fresh claim was taken over as stale")
	}
	if _, err := s.Finish(ctx, ids[1], "runner-dead", Outcome{Status: PrebookBooked}); !errors.Is(err, ErrConcurrentUpdate) {
		t.Errorf("the dead runner finished after the takeover: %v", err)
	}

	// Cancel a pending one.
	c, err := s.CancelPrebooking(ctx, ids[2])
	if err != nil || c.Status != PrebookCancelled {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	if _, _, err := s.Claim(ctx, ids[2], "runner-a"); err != nil {
		t.Fatal(err)
	} else if p, _ := s.Prebooking(ctx, ids[2]); p.Status != PrebookCancelled {
		t.Error("a cancelled prebooking was claimed")
	}
	if err := s.SetOpensAt(ctx, ids[2], clock.Now()); !errors.Is(err, ErrNotPending) {
		t.Errorf("SetOpensAt on cancelled: %v", err)
	}
	// The same class can be prebooked again once the old one is finished.
	if _, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: c.ClassID, Day: c.Day, ClassStart: c.ClassStart}); err != nil {
		t.Errorf("re-prebooking a cancelled class: %v", err)
	}

	events, err := s.History(ctx, HistoryQuery{Kinds: []EventKind{EventPrebookOutcome, EventPrebookRemoved}})
	if err != nil || len(events) != 2 {
		t.Fatalf("history: %v %v", events, err)
	}
	if events[1].Kind != EventPrebookOutcome || events[1].ClassID != done.ClassID || events[1].Day != classDay ||
		events[1].BoxID != 1 || len(events[1].Details) == 0 {
		t.Errorf("outcome event: %+v", events[1])
	}
}

// TestClaimIsAtomicAcrossGoroutines: many goroutines, two Stores on one
// file, one prebooking: exactly one wins.
func TestClaimIsAtomicAcrossGoroutines(t *testing.T) {
	path := tempDBPath(t)
	a := openAt(t, path)
	b := openAt(t, path)
	ids := addPrebookings(t, a, 5)
	for _, id := range ids {
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []string
		)
		for i := range 16 {
			store := []*Store{a, b}[i%2]
			owner := fmt.Sprintf("runner-%d", i)
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, won, err := store.Claim(t.Context(), id, owner)
				if err != nil {
					t.Error(err)
				}
				if won {
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("prebooking %d won by %v", id, winners)
		}
		if p, _ := a.Prebooking(t.Context(), id); p.ClaimedBy != winners[0] {
			t.Errorf("stored claimant %q, winner %q", p.ClaimedBy, winners[0])
		}
	}
}

// TestFinishStoresSendTimeAndLateness: the decisive request's send time
// and the lateness computed from it are stored with the outcome and read
// back; an outcome without one stores neither, and a member reads "25 s
// late" for the first.
func TestFinishStoresSendTimeAndLateness(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	ids := addPrebookings(t, s, 2)
	for _, id := range ids {
		if _, won, err := s.Claim(ctx, id, "runner"); err != nil || !won {
			t.Fatalf("claim: %v %v", won, err)
		}
	}
	first, err := s.Prebooking(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	sent := first.OpensAt.Add(25*time.Second + 100*time.Millisecond)
	got, err := s.Finish(ctx, ids[0], "runner", Outcome{Status: PrebookBooked, Code: "booked", Late: true, Attempts: 1,
		SentAt: sent, LateBy: sent.Sub(first.OpensAt)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Prebooking(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Prebooking{got, again} {
		if !p.Late || !p.LateKnown() || !p.SentAt.Equal(sent) || p.LateBy != 25100*time.Millisecond || p.Lateness() != "25 s late" {
			t.Errorf("stored late=%v sent=%v by=%v (%q)", p.Late, p.SentAt, p.LateBy, p.Lateness())
		}
	}
	none, err := s.Finish(ctx, ids[1], "runner", Outcome{Status: PrebookBooked, Code: "already_booked"})
	if err != nil {
		t.Fatal(err)
	}
	if none.Late || none.LateKnown() || none.Lateness() != "" {
		t.Errorf("without a send time: late=%v known=%v (%q)", none.Late, none.LateKnown(), none.Lateness())
	}
	for d, want := range map[time.Duration]string{1400 * time.Millisecond: "1.4 s", 3 * time.Minute: "3 min", 5 * time.Hour: "5 h"} {
		if got := roundLate(d); got != want {
			t.Errorf("roundLate(%v) = %q, want %q", d, got, want)
		}
	}
}

// One live prebooking per class and person: the holder's prebooking of a
// class does not stop a family member's, by id or by name, nor the
// resolution of a family member's made by name at the opening.
func TestPrebookingsSameClassOtherPerson(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	addPrebookings(t, s, 1) // box 1
	start := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	day := aimharder.Date{Year: 2026, Month: 11, Day: 26}
	parent := NewPrebooking{BoxID: 1, ClassID: 70, Day: day, ClassName: "WOD", ClassStart: start}
	if _, err := s.AddPrebooking(ctx, parent); err != nil {
		t.Fatal(err)
	}
	leo := parent
	leo.FamilyID = "4243"
	if _, err := s.AddPrebooking(ctx, leo); err != nil {
		t.Fatalf("Leo's prebooking of the class the holder prebooked: %v", err)
	}
	if _, err := s.AddPrebooking(ctx, leo); !errors.Is(err, ErrDuplicate) {
		t.Errorf("Leo's second prebooking of the class: %v", err)
	}
	byName := NewPrebooking{BoxID: 1, Day: day, ClassName: "WOD", ClassStart: start, FamilyID: "5150"}
	marta, err := s.AddPrebooking(ctx, byName)
	if err != nil {
		t.Fatalf("Marta's prebooking by name: %v", err)
	}
	if _, err := s.AddPrebooking(ctx, byName); !errors.Is(err, ErrDuplicate) {
		t.Errorf("Marta's second prebooking by name: %v", err)
	}
	if _, ok, err := s.Claim(ctx, marta.ID, "runner-a"); err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if p, err := s.ResolvePrebooking(ctx, marta.ID, "runner-a", 70, "WOD"); err != nil || p.ClassID != 70 {
		t.Errorf("resolving Marta's by name to the class the others prebooked: %+v, %v", p, err)
	}
}
