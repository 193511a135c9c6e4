package aimhardertest

import (
	"testing"
	"time"
)

// HideUntilOpen (docs/protocol.md §10B): a class is left out of the day's
// listing, and booked as an unknown class, until its window opens; from
// the opening on it is listed and booked as usual.
func TestHideUntilOpen(t *testing.T) {
	w := testWorld()
	w.Boxes[0].HideUntilOpen = true // alpha: 4 days ahead, at the class's time
	clock := NewManualClock(t0)
	s, u := Start(t, w, WithClock(clock))
	f := &fixture{t: t, s: s, u: u, clock: clock}
	c := f.login("ana@test.es", "fp")
	open, hidden := date(2026, 10, 22), date(2026, 10, 25)
	if rows := c.bookings("alpha", open)["bookings"].([]any); len(rows) != 8 {
		t.Errorf("a day already open lists %d classes, want 8", len(rows))
	}
	if rows := c.bookings("alpha", hidden)["bookings"].([]any); len(rows) != 0 {
		t.Errorf("a day not open yet lists %d classes, want none", len(rows))
	}
	var wod ClassInfo
	for _, cl := range s.Classes("alpha", hidden) {
		if cl.Name == "WOD" && cl.Start.Hour() == 7 {
			wod = cl
		}
	}
	if got := c.book("alpha", wod.ID, hidden, false); num(got["bookState"]) != BookRuleRejected ||
		got["errorMssgLang"] != KeyClassNotFound {
		t.Errorf("booking a hidden class: %v, want the unknown-class refusal", got)
	}
	clock.Set(wod.OpensAt.Add(-time.Second))
	c = f.login("ana@test.es", "fp") // a day later: a fresh session
	if rows := c.bookings("alpha", hidden)["bookings"].([]any); len(rows) != 0 {
		t.Errorf("a second before the opening the day lists %d classes", len(rows))
	}
	clock.Set(wod.OpensAt)
	rows := c.bookings("alpha", hidden)["bookings"].([]any)
	if len(rows) != 1 || num(rows[0].(map[string]any)["id"]) != wod.ID {
		t.Fatalf("at the 07:00 class's opening the day lists %v, want that class alone", rows)
	}
	if got := c.book("alpha", wod.ID, hidden, false); num(got["bookState"]) != 1 {
		t.Errorf("booking at the opening: %v", got)
	}
}
