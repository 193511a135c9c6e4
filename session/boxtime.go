package session

import (
	"context"
	"errors"
	"time"
)

// Box time. Members read every time in the zone of the box it belongs to
// (a class at 17:46 in Madrid reads 17:46, whatever the machine's zone).
// The store keeps instants, and they come back in the machine's zone
// (time.Local: UTC on a Raspberry Pi or in a container, anything on a
// laptop), so nothing read from the store is shown as it comes: these
// helpers are the one place that turns stored instants into box time.

// DefaultLocation is DefaultTimezone, loaded; UTC only when the system has
// no zone database (the ahtui binary embeds one).
func DefaultLocation() *time.Location {
	loc, err := time.LoadLocation(DefaultTimezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LocationOrDefault is the box's zone, or DefaultLocation when its name
// does not load (never the machine's zone).
func (b Box) LocationOrDefault() *time.Location {
	if b.Timezone != "" {
		if loc, err := b.Location(); err == nil {
			return loc
		}
	}
	return DefaultLocation()
}

// Zones knows the zone of each box, to show stored times in box time. Its
// zero value knows no box and answers DefaultLocation.
type Zones struct {
	boxes   map[int64]*time.Location
	current *time.Location
}

// NewZones knows the zones of boxes; current is the member's current box
// (0 when none), whose zone is used for times that belong to no box.
func NewZones(boxes []Box, current int64) Zones {
	z := Zones{boxes: make(map[int64]*time.Location, len(boxes))}
	for _, b := range boxes {
		loc := b.LocationOrDefault()
		z.boxes[b.ID] = loc
		if b.ID == current && current != 0 {
			z.current = loc
		}
	}
	return z
}

// Zones reads the boxes and the current box from the store.
func (s *Store) Zones(ctx context.Context) (Zones, error) {
	boxes, err := s.Boxes(ctx)
	if err != nil {
		return Zones{}, err
	}
	var current int64
	if b, err := s.CurrentBox(ctx); err == nil {
		current = b.ID
	} else if !errors.Is(err, ErrNotFound) {
		return Zones{}, err
	}
	return NewZones(boxes, current), nil
}

// Current is the current box's zone: the zone of times that belong to no
// box (a login, a runner's heartbeat). DefaultLocation when there is no
// current box.
func (z Zones) Current() *time.Location {
	if z.current != nil {
		return z.current
	}
	return DefaultLocation()
}

// Of is the zone of the box with that id; the current box's zone when the
// box is not known (or id is 0: a time that belongs to no box).
func (z Zones) Of(boxID int64) *time.Location {
	if loc, ok := z.boxes[boxID]; ok {
		return loc
	}
	return z.Current()
}

// In is t in the zone of the box with that id (see Of); the zero time
// stays zero.
func (z Zones) In(boxID int64, t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(z.Of(boxID))
}

// Prebooking is p with every time in its box's zone.
func (z Zones) Prebooking(p Prebooking) Prebooking {
	return p.inZone(z.Of(p.BoxID))
}

// Prebookings is Prebooking for each of list (a new slice).
func (z Zones) Prebookings(list []Prebooking) []Prebooking {
	if list == nil {
		return nil
	}
	out := make([]Prebooking, len(list))
	for i, p := range list {
		out[i] = z.Prebooking(p)
	}
	return out
}

// Event is e with its time in its box's zone (the current box's when it
// belongs to none).
func (z Zones) Event(e Event) Event {
	e.At = z.In(e.BoxID, e.At)
	return e
}

// Events is Event for each of list (a new slice).
func (z Zones) Events(list []Event) []Event {
	if list == nil {
		return nil
	}
	out := make([]Event, len(list))
	for i, e := range list {
		out[i] = z.Event(e)
	}
	return out
}

// inZone is p with every non-zero time in loc.
func (p Prebooking) inZone(loc *time.Location) Prebooking {
	for _, t := range []*time.Time{&p.ClassStart, &p.OpensAt, &p.CreatedAt, &p.FiredAt, &p.FinishedAt, &p.SentAt} {
		if !t.IsZero() {
			*t = t.In(loc)
		}
	}
	return p
}
