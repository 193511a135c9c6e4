package aimharder

import (
	"encoding/json"
)

// Attendee is a person booked into a class.
type Attendee struct {
	ID    int64
	Name  string
	Photo string
}

// rawAttendees holds a bookings row's attendee list as it came.
//
// MODELLED, NOT OBSERVED (docs/protocol.md §6): no capture shows a member-side
// attendee list. The key `athletes` and the element shape
// {"id":…,"name":…,"pic":…} are the fake server's invention. This file is
// the only place that knows them; correct it from a real capture.
type rawAttendees struct {
	Athletes json.RawMessage `json:"athletes"`
}

// attendees maps the raw list to an optional one: nil means "not shared"
// (missing, null or malformed, never an error); an empty list is a
// non-nil empty slice (shared, and nobody is booked).
func (r rawAttendees) attendees() []Attendee {
	if k := jsonKind(r.Athletes); k != "array" && k != "object" {
		return nil
	}
	items, err := decodeList(r.Athletes)
	if err != nil {
		return nil
	}
	out := make([]Attendee, 0, len(items))
	for _, item := range items {
		if jsonKind(item) != "object" {
			return nil // a list of something else: not the modelled format
		}
		var a struct {
			ID    flexInt    `json:"id"`
			Name  flexString `json:"name"`
			Pic   flexString `json:"pic"`
			Photo flexString `json:"photo"`
		}
		if json.Unmarshal(item, &a) != nil {
			return nil
		}
		out = append(out, Attendee{ID: a.ID.Value, Name: a.Name.display(), Photo: firstNonEmpty(a.Pic.trimmed(), a.Photo.trimmed())})
	}
	return out
}
