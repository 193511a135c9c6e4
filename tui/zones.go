package tui

import (
	"time"

	"github.com/ahtui/ahtui/session"
)

// Box time in the TUI: every time is shown in the zone of the box it
// belongs to, never in the machine's (docs/product.md). What the store
// gives (prebookings, history) comes in the machine's zone and is put in
// box time here, as it enters the model; the views then format what they
// are given. Times of no box use the current box's zone.

// setZones learns the boxes' zones after the box list or the current box
// changed, and puts what the model holds in box time again.
func (m *Model) setZones() {
	boxes := m.boxList
	var current int64
	if m.hasBox {
		boxes = append(boxes[:len(boxes):len(boxes)], m.box)
		current = m.box.ID
	}
	m.zones = session.NewZones(boxes, current)
	m.loc = m.zones.Current()
	m.prebookings = m.zones.Prebookings(m.prebookings)
	m.events = m.zones.Events(m.events)
	m.eventsByID = m.boxTimeByID(m.eventsByID)
}

// boxTime is t in the zone of the box with that id (the current box's
// when 0).
func (m *Model) boxTime(boxID int64, t time.Time) time.Time {
	return m.zones.In(boxID, t)
}

func (m *Model) boxTimeByID(byID map[int64]session.Prebooking) map[int64]session.Prebooking {
	if byID == nil {
		return nil
	}
	out := make(map[int64]session.Prebooking, len(byID))
	for id, p := range byID {
		out[id] = m.zones.Prebooking(p)
	}
	return out
}
