package session

import (
	"errors"
	"testing"
	"time"
)

func TestWatchLifecycle(t *testing.T) {
	s, clock := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "crossfitx", Name: "CrossFit X"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	n := NewWatch{BoxID: 1, ClassID: 77, Day: classDay, ClassName: " WOD ", ClassStart: start, Book: true}
	w, err := s.AddWatch(ctx, n)
	if err != nil || w.ID == 0 || w.State != WatchWatching || w.ClassName != "WOD" || !w.Book || !w.ClassStart.Equal(start) ||
		!w.CreatedAt.Equal(clock.Now()) || !w.FinishedAt.IsZero() {
		t.Fatalf("add: %+v %v", w, err)
	}
	if _, err := s.AddWatch(ctx, n); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second live watch of the class: %v", err)
	}
	if _, err := s.AddWatch(ctx, NewWatch{BoxID: 1, ClassID: 78, Day: classDay}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a watch with no start: %v", err)
	}
	if _, err := s.FinishWatch(ctx, w.ID, WatchWatching, "", 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("finishing as watching: %v", err)
	}
	clock.Advance(time.Minute)
	done, err := s.FinishWatch(ctx, w.ID, WatchBooked, "a place freed", 555)
	if err != nil || done.State != WatchBooked || done.ReservationID != 555 || done.Detail != "a place freed" || !done.FinishedAt.Equal(clock.Now()) {
		t.Fatalf("finish: %+v %v", done, err)
	}
	// Compare-and-set: a second runner's finish loses.
	if _, err := s.FinishWatch(ctx, w.ID, WatchEnded, "", 0); !errors.Is(err, ErrNotWatching) {
		t.Errorf("finishing twice: %v", err)
	}
	// Once it ended the class may be watched again.
	again, err := s.AddWatch(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	live, err := s.Watches(ctx, WatchWatching)
	if err != nil || len(live) != 1 || live[0].ID != again.ID {
		t.Errorf("live watches %+v %v", live, err)
	}
	if all, err := s.Watches(ctx); err != nil || len(all) != 2 {
		t.Errorf("all watches %+v %v", all, err)
	}
	if _, err := s.RemoveWatch(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveWatch(ctx, again.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	if _, err := s.FinishWatch(ctx, again.ID, WatchEnded, "", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("finishing a removed watch: %v", err)
	}
	if _, err := s.WatchByID(ctx, w.ID); err != nil {
		t.Error(err)
	}
	events, err := s.History(ctx, HistoryQuery{Kinds: []EventKind{EventWatchAdded, EventWatchOutcome, EventWatchRemoved}})
	if err != nil || len(events) != 4 {
		t.Fatalf("history %+v %v, want added, booked, added, removed", events, err)
	}
	if events[2].Kind != EventWatchOutcome || events[2].ClassID != 77 || events[2].BoxID != 1 {
		t.Errorf("outcome line %+v", events[2])
	}
}
