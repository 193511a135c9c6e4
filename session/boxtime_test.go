package session

import (
	"testing"
	"time"
)

// TestZonesShowBoxTime: stored instants come back in the machine's zone;
// Zones puts each in its box's zone, times of no box (or of an unknown box)
// in the current box's, and never leaves the machine's zone.
func TestZonesShowBoxTime(t *testing.T) {
	madrid, canary := loadZone(t, "Europe/Madrid"), loadZone(t, "Atlantic/Canary")
	newYork := loadZone(t, "America/New_York")
	boxes := []Box{
		{ID: 1, Subdomain: "a", Timezone: "Europe/Madrid"},
		{ID: 2, Subdomain: "b", Timezone: "Atlantic/Canary"},
		{ID: 3, Subdomain: "c", Timezone: "Not/AZone"},
	}
	z := NewZones(boxes, 2)
	class := time.Date(2026, 11, 26, 17, 46, 0, 0, madrid).In(newYork) // as a New York machine reads it
	p := z.Prebooking(Prebooking{BoxID: 1, ClassStart: class, OpensAt: class.Add(-48 * time.Hour), FinishedAt: class.Add(-47 * time.Hour)})
	if got := p.ClassStart.Format("15:04 -07:00"); got != "17:46 +01:00" {
		t.Errorf("class start %s, want 17:46 +01:00", got)
	}
	if p.OpensAt.Location().String() != madrid.String() || p.FinishedAt.Location().String() != madrid.String() {
		t.Errorf("opening and finish not in the box's zone: %v %v", p.OpensAt, p.FinishedAt)
	}
	if !p.CreatedAt.IsZero() || !p.FiredAt.IsZero() {
		t.Errorf("zero times must stay zero: %v %v", p.CreatedAt, p.FiredAt)
	}
	if got := z.In(0, class).Location(); got.String() != canary.String() {
		t.Errorf("a time of no box is in %v, want the current box's zone", got)
	}
	if got := z.In(99, class).Location(); got.String() != canary.String() {
		t.Errorf("a time of an unknown box is in %v, want the current box's zone", got)
	}
	if got := z.Of(3).String(); got != DefaultTimezone {
		t.Errorf("a box whose zone does not load is in %s, want %s", got, DefaultTimezone)
	}
	if got := (Zones{}).Current().String(); got != DefaultTimezone {
		t.Errorf("with no current box: %s, want %s", got, DefaultTimezone)
	}
	e := z.Event(Event{BoxID: 1, At: class})
	if e.At.Location().String() != madrid.String() || !e.At.Equal(class) {
		t.Errorf("event at %v, want %v in Madrid", e.At, class)
	}
	if got := (Prebooking{ClassStart: class}).InBoxZone(Box{}).ClassStart.Location().String(); got != DefaultTimezone {
		t.Errorf("a box without a zone shows %s, want %s", got, DefaultTimezone)
	}
}
