package aimhardertest

import (
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// box is a configured box and its generated days (guarded by Server.mu).
type box struct {
	idx      int
	cfg      BoxConfig
	loc      *time.Location
	template []slotTemplate
	extras   []slotTemplate
	days     map[aimharder.Date][]*class
}

// user is an account: the holder plus family members.
type user struct {
	cfg         UserConfig
	email       string
	lang        string
	roles       []roleEntry
	person      *person
	members     map[string]*person // by familyId
	memberOrder []string
}

type roleEntry struct {
	box  *box
	role string
}

// person is whoever a request acts for: the holder or a family member.
// Row states, credits, quotas and limits are per person (docs/protocol.md §10).
type person struct {
	id             int64
	name, photo    string
	holder         *user
	familyID       string          // "" for the holder
	plan           map[string]bool // normalised type names; nil = every type
	planNames      []string
	credits        *int // nil = unlimited
	quota          int
	paymentPending bool
	reservations   []*reservation // every reservation ever made, oldest first
}

// personFor resolves familyId: empty, the holder's own id or an unknown id
// all mean the holder (docs/protocol.md §10, [GUESS]).
func (u *user) personFor(familyID string) *person {
	if p, ok := u.members[familyID]; ok {
		return p
	}
	return u.person
}

func (u *user) rolesIn(b *box) []string {
	var out []string
	for _, r := range u.roles {
		if r.box == b {
			out = append(out, r.role)
		}
	}
	return out
}

// includes reports whether the person's plan covers a class type.
func (p *person) includes(typeName string) bool {
	return p.plan == nil || p.plan[normType(typeName)]
}

// active returns the person's live reservations in a box.
func (p *person) active(b *box) []*reservation {
	var out []*reservation
	for _, r := range p.reservations {
		if r.active && r.class.box == b {
			out = append(out, r)
		}
	}
	return out
}

// reservationIn returns the person's live reservation in a class, if any.
func (p *person) reservationIn(c *class) *reservation {
	for _, r := range p.reservations {
		if r.active && r.class == c {
			return r
		}
	}
	return nil
}
