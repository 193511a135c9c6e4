package aimharder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// KeyCheck compares the keys of a raw answer with the ones the protocol
// documents, so a member can report how the real service differs from
// what this package was written against (`ahtui doctor`). Only key names
// are reported, never values.
type KeyCheck struct {
	Endpoint string // "whoami" or "bookings"
	// Objects is how many row-level objects were compared: roles for
	// whoami, class rows for bookings. With none, Missing says little.
	Objects int
	// Unknown are keys the protocol does not list, as paths such as
	// "bookings[].newKey": harmless (they are ignored) but a sign that
	// AimHarder changed.
	Unknown []string
	// Missing are documented keys absent from at least one object;
	// keys documented as optional (docs/protocol.md §10A) are not listed.
	Missing []string
	// Needed is the part of Missing this package reads to work: without
	// them classes, bookings or boxes come out wrong or not at all.
	// Alternatives are joined with "/" ("bookings[].time/timeid": either
	// will do).
	Needed []string
}

// OK reports whether nothing differs from the protocol.
func (k KeyCheck) OK() bool {
	return len(k.Unknown) == 0 && len(k.Missing) == 0 && len(k.Needed) == 0
}

// keySpec documents one kind of object: every known key, the optional
// ones (absence is normal), and the groups of which at least one key must
// be present for the client to work.
type keySpec struct {
	known    []string
	optional []string
	needed   [][]string
}

// Key sets from docs/protocol.md. whoami: §4.1 [LIVE on .es]; bookings:
// docs/protocol.md §5.1 (envelope, [LIVE] key set) and §5.2 (rows); attendees are the
// fake's invented model (docs/protocol.md §6), listed so they do not show as unknown.
var (
	whoamiEnvelopeKeys = keySpec{known: []string{"data"}, needed: [][]string{{"data"}}}
	whoamiUserKeys     = keySpec{
		known:  []string{"id", "name", "photo", "roles"},
		needed: [][]string{{"id"}, {"roles"}},
	}
	whoamiRoleKeys = keySpec{
		known:  []string{"id", "role", "gym", "centre_url", "boid", "perm_hash"},
		needed: [][]string{{"boid"}, {"centre_url"}},
	}
	bookingsEnvelopeKeys = keySpec{
		known:    []string{"bookings", "timetable", "day", "clasesDisp", "seminars", "resmsgs"},
		optional: []string{"seminars", "resmsgs"},
		needed:   [][]string{{"bookings"}},
	}
	bookingsSlotKeys = keySpec{known: []string{"id", "time"}}
	bookingsRowKeys  = keySpec{
		known: []string{
			"id", "time", "timeid", "classLength", "classId", "className", "classDesc", "color",
			"boxName", "boxDir", "boxPic", "coachName", "coachPic", "ocupation", "limit", "limitc",
			"waitlist", "bookState", "idres", "cancelledId", "resadmin", "enabled", "spotres",
			"included", "checkAthletesNum", "hidden", "onlineclass", "zoomid", "zoomJoinUrl",
			"zoomJoinPw", "athletes",
		},
		optional: []string{"hidden", "waitlist", "athletes", "onlineclass", "zoomid", "zoomJoinUrl", "zoomJoinPw"},
		needed: [][]string{
			{"id"}, {"time", "timeid"}, {"className"}, {"ocupation"}, {"limitc", "limit"},
			{"bookState"}, {"idres"},
		},
	}
	attendeeKeys = keySpec{known: []string{"id", "name", "pic"}}
)

// CheckKeys compares a raw answer of endpoint ("whoami" or "bookings")
// with the documented keys. The body must be the JSON object the
// endpoint answered; an HTML page or broken JSON is an error.
func CheckKeys(endpoint string, body []byte) (KeyCheck, error) {
	body = trimBody(body)
	if sniffBody(body) != bodyJSONObject {
		return KeyCheck{}, &ProtocolError{Endpoint: endpoint, Problem: "answer is not a JSON object"}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return KeyCheck{}, jsonProblem(endpoint, err)
	}
	kc := &keyChecker{check: KeyCheck{Endpoint: endpoint}, unknown: map[string]bool{}, missing: map[string]bool{}, needed: map[string]bool{}}
	switch endpoint {
	case "whoami":
		kc.compare("", top, whoamiEnvelopeKeys)
		for _, user := range objectsOf(top["data"], true) {
			kc.compare("data[].", user, whoamiUserKeys)
			for _, role := range objectsOf(user["roles"], false) {
				kc.check.Objects++
				kc.compare("data[].roles[].", role, whoamiRoleKeys)
			}
		}
	case "bookings":
		kc.compare("", top, bookingsEnvelopeKeys)
		for _, slot := range objectsOf(top["timetable"], false) {
			kc.compare("timetable[].", slot, bookingsSlotKeys)
		}
		for _, row := range objectsOf(top["bookings"], false) {
			kc.check.Objects++
			kc.compare("bookings[].", row, bookingsRowKeys)
			for _, a := range objectsOf(row["athletes"], false) {
				kc.compare("bookings[].athletes[].", a, attendeeKeys)
			}
		}
	default:
		return KeyCheck{}, fmt.Errorf("aimharder: no documented keys for endpoint %q", endpoint)
	}
	return kc.result(), nil
}

type keyChecker struct {
	check                    KeyCheck
	unknown, missing, needed map[string]bool
}

func (kc *keyChecker) compare(prefix string, obj map[string]json.RawMessage, spec keySpec) {
	for k := range obj {
		if !slices.Contains(spec.known, k) {
			kc.unknown[prefix+k] = true
		}
	}
	for _, k := range spec.known {
		if _, ok := obj[k]; !ok && !slices.Contains(spec.optional, k) {
			kc.missing[prefix+k] = true
		}
	}
	for _, group := range spec.needed {
		if !slices.ContainsFunc(group, func(k string) bool { _, ok := obj[k]; return ok }) {
			kc.needed[prefix+strings.Join(group, "/")] = true
		}
	}
}

func (kc *keyChecker) result() KeyCheck {
	sorted := func(set map[string]bool) []string {
		out := make([]string, 0, len(set))
		for k := range set {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	kc.check.Unknown, kc.check.Missing, kc.check.Needed = sorted(kc.unknown), sorted(kc.missing), sorted(kc.needed)
	return kc.check
}

// objectsOf returns the objects of a list (an array, or PHP's object keyed
// by index); single also accepts one object standing for a list of one
// (whoami's data, tolerated by the decoder). Elements that are not objects
// are left out: the decoder reports those.
func objectsOf(raw json.RawMessage, single bool) []map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if single && len(raw) > 0 && raw[0] == '{' {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) == nil {
			if _, isUser := one["id"]; isUser {
				return []map[string]json.RawMessage{one}
			}
		}
	}
	items, err := decodeList(raw)
	if err != nil {
		return nil
	}
	var out []map[string]json.RawMessage
	for _, item := range items {
		var obj map[string]json.RawMessage
		if jsonKind(item) == "object" && json.Unmarshal(item, &obj) == nil {
			out = append(out, obj)
		}
	}
	return out
}
