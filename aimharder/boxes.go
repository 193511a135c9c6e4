package aimharder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Box is a gym the user belongs to, from a login or whoami role (docs/protocol.md §4.1).
type Box struct {
	ID        int64  // boid: the box= of every box call
	Subdomain string // first DNS label of centre_url: {box} in the box URL
	Name      string // gym, trimmed
	Role      string // "client" for members; coach, admin…
	// Domain is the AimHarder domain centre_url names when it is not
	// DefaultDomain ("aimharder.es"); "" for aimharder.com or none.
	Domain string
}

// User is the member behind a session.
type User struct {
	ID    int64
	Name  string
	Photo string
	Boxes []Box // one per boid, preferring the "client" role
	// Domain is the AimHarder domain all the account's roles name when it
	// is not DefaultDomain ("aimharder.es", docs/protocol.md §1); ""
	// otherwise, mixed accounts included.
	Domain string
}

// BoxRef is what box calls need. Location is the box's zone, in which its
// times are read; nil means Europe/Madrid, the zone every client assumes
// (docs/protocol.md §4.3; DetectTimeZone places a box from its address).
type BoxRef struct {
	ID        int64
	Subdomain string
	Location  *time.Location
	// Domain is the box's AimHarder domain when not DefaultDomain
	// (Box.Domain): its calls go to that domain's box host when the
	// client follows domains (Client.ForDomain).
	Domain string
}

// Ref returns the BoxRef of b in loc.
func (b Box) Ref(loc *time.Location) BoxRef {
	return BoxRef{ID: b.ID, Subdomain: b.Subdomain, Location: loc, Domain: b.Domain}
}

// DefaultTimeZone is the zone assumed for a box unless configured.
const DefaultTimeZone = "Europe/Madrid"

var madrid = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation(DefaultTimeZone) })

// location returns the box's zone, Europe/Madrid when unset.
func (b BoxRef) location() (*time.Location, error) {
	if b.Location != nil {
		return b.Location, nil
	}
	loc, err := madrid()
	if err != nil {
		return nil, fmt.Errorf("aimharder: load %s (import time/tzdata on systems without zoneinfo): %w", DefaultTimeZone, err)
	}
	return loc, nil
}

// wireUser is a user in a login reply (data.userData) or in whoami.
type wireUser struct {
	ID    flexInt            `json:"id"`
	Name  flexString         `json:"name"`
	Photo flexString         `json:"photo"`
	Roles flexList[wireRole] `json:"roles"`
}

type wireRole struct {
	Role      flexString `json:"role"`
	Gym       flexString `json:"gym"`
	CentreURL flexString `json:"centre_url"`
	Boid      flexInt    `json:"boid"`
}

func (w wireUser) user() User {
	boxes := boxesFromRoles(w.Roles)
	return User{ID: w.ID.Value, Name: w.Name.display(), Photo: w.Photo.trimmed(), Boxes: boxes, Domain: accountDomain(w.Roles)}
}

// boxesFromRoles keeps one box per boid in first-seen order; a "client"
// role replaces another role seen earlier for the same box.
func boxesFromRoles(roles []wireRole) []Box {
	boxes := []Box{}
	index := map[int64]int{}
	for _, r := range roles {
		if !r.Boid.Set || r.Boid.Value <= 0 {
			continue
		}
		b := Box{ID: r.Boid.Value, Subdomain: subdomainOf(string(r.CentreURL)), Name: r.Gym.display(), Role: r.Role.trimmed()}
		if d := domainOf(string(r.CentreURL)); d != DefaultDomain {
			b.Domain = d
		}
		i, seen := index[b.ID]
		switch {
		case !seen:
			index[b.ID] = len(boxes)
			boxes = append(boxes, b)
		case isClientRole(b.Role) && !isClientRole(boxes[i].Role):
			boxes[i] = b
		}
	}
	return boxes
}

func isClientRole(role string) bool { return strings.EqualFold(role, "client") }

// subdomainOf returns the first DNS label of a centre_url such as
// "sample-gym.aimharder.com" (tolerating a scheme, a path or a port), or ""
// when that is not a usable label.
func subdomainOf(centreURL string) string {
	s := strings.ToLower(strings.TrimSpace(centreURL))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	s, _, _ = strings.Cut(s, "/")
	s, _, _ = strings.Cut(s, ":")
	label, _, _ := strings.Cut(s, ".")
	if !validSubdomain(label) || label == "www" {
		return ""
	}
	return label
}

// decodeUsers reads whoami's data: a list of users, or (tolerated) one
// user object.
func decodeUsers(raw json.RawMessage) ([]wireUser, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var one wireUser
		if err := json.Unmarshal(raw, &one); err == nil && one.ID.Set {
			return []wireUser{one}, nil
		}
	}
	var users flexList[wireUser]
	err := json.Unmarshal(raw, &users)
	return users, err
}
