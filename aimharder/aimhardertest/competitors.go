package aimhardertest

import (
	"fmt"
	"time"
)

// Competitors are other members who book a class a chosen delay after its
// window opens (or after now, for a box without a window): competitor i
// books at opening + Delay + i×Spread/Count. They are evaluated lazily
// against the clock whenever the class is read or booked, so they work
// with a manual clock and with real time. Those who find the class full
// join the waitlist if it has room, otherwise give up.
type Competitors struct {
	Box     string // box subdomain
	ClassID int64  // session id
	Count   int
	Delay   time.Duration
	Spread  time.Duration
}

// AddCompetitors schedules competitors for a class and returns how many
// could be scheduled (the athlete pool and the booking close limit them).
func (s *Server) AddCompetitors(c Competitors) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.w.boxBySub[c.Box]
	if b == nil {
		return 0, fmt.Errorf("unknown box %q", c.Box)
	}
	cl := s.findClass(b, c.ClassID, "")
	if cl == nil {
		return 0, fmt.Errorf("box %s has no class %d", c.Box, c.ClassID)
	}
	now := s.Now()
	s.sync(cl, now)
	return s.scheduleJoins(cl, c.Count, c.Delay, c.Spread, now), nil
}

// CompetitorCancels frees a place as another member cancelling would: the
// last competitor (a pool athlete, never a member's reservation) booked in
// the class leaves it, and the head of the waitlist is promoted into the
// place when promotion is on. It reports whether a competitor held a place.
func (s *Server) CompetitorCancels(boxSub string, classID int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.w.boxBySub[boxSub]
	if b == nil {
		return false, fmt.Errorf("unknown box %q", boxSub)
	}
	cl := s.findClass(b, classID, "")
	if cl == nil {
		return false, fmt.Errorf("box %s has no class %d", boxSub, classID)
	}
	s.sync(cl, s.Now())
	for i := len(cl.booked) - 1; i >= 0; i-- {
		if cl.booked[i].res == nil {
			cl.booked = append(cl.booked[:i:i], cl.booked[i+1:]...)
			s.promote(cl)
			return true, nil
		}
	}
	return false, nil
}
