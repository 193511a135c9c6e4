package aimhardertest

import (
	"slices"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// ClassInfo is a snapshot of a class, for tests and the demo.
type ClassInfo struct {
	ID          int64
	Box         string
	Date        aimharder.Date
	Start, End  time.Time // in the box's location
	OpensAt     time.Time // zero when the box has no window
	Name, Coach string
	TypeID      int64
	Capacity    int
	Booked      []string // names, in booking order
	Waiting     []string // names, in queue order
	Pending     int      // competitors still to come
}

func (s *Server) info(cl *class) ClassInfo {
	names := func(list []*place) []string {
		out := []string{}
		for _, p := range list {
			if p.ath != nil {
				out = append(out, p.ath.name)
			} else {
				out = append(out, p.res.person.name)
			}
		}
		return out
	}
	return ClassInfo{
		ID: cl.id, Box: cl.box.cfg.Sub, Date: cl.date, Start: cl.start, End: cl.end, OpensAt: cl.opens,
		Name: cl.name, Coach: cl.coach, TypeID: cl.tmpl.TypeID, Capacity: cl.cap,
		Booked: names(cl.booked), Waiting: names(cl.waiting), Pending: len(cl.pending),
	}
}

// Classes returns the classes of a box on a local date, as of the fake's now.
func (s *Server) Classes(boxSub string, day aimharder.Date) []ClassInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.w.boxBySub[boxSub]
	if b == nil {
		return nil
	}
	now := s.Now()
	var out []ClassInfo
	for _, cl := range s.dayClasses(b, day) {
		s.sync(cl, now)
		out = append(out, s.info(cl))
	}
	return out
}

// Class returns one class by session id.
func (s *Server) Class(boxSub string, id int64) (ClassInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.w.boxBySub[boxSub]
	if b == nil {
		return ClassInfo{}, false
	}
	cl := s.findClass(b, id, "")
	if cl == nil {
		return ClassInfo{}, false
	}
	s.sync(cl, s.Now())
	return s.info(cl), true
}

// Location returns a box's time zone.
func (s *Server) Location(boxSub string) *time.Location {
	if b := s.w.boxBySub[boxSub]; b != nil {
		return b.loc
	}
	return nil
}

// ReservationInfo is a snapshot of a member's reservation.
type ReservationInfo struct {
	ID         int64
	ClassID    int64
	Box        string
	State      int  // 1 booked, 0 waitlisted
	Active     bool // false once cancelled
	LateCancel bool
}

// Reservations lists a person's reservations (familyID "" = the holder),
// oldest first.
func (s *Server) Reservations(email, familyID string) []ReservationInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.byEmail[normEmail(email)]
	if u == nil {
		return nil
	}
	var out []ReservationInfo
	for _, r := range u.personFor(familyID).reservations {
		out = append(out, ReservationInfo{ID: r.id, ClassID: r.class.id, Box: r.class.box.cfg.Sub,
			State: r.state, Active: r.active, LateCancel: r.lateCancel})
	}
	return out
}

// Credits returns a person's remaining credits; limited is false for an
// unlimited plan.
func (s *Server) Credits(email, familyID string) (n int, limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.byEmail[normEmail(email)]
	if u == nil {
		return 0, false
	}
	p := u.personFor(familyID)
	if p.credits == nil {
		return 0, false
	}
	return *p.credits, true
}

// SessionInfo is a snapshot of a live session, without secrets.
type SessionInfo struct {
	Label       string
	Fingerprint string
	Refreshed   time.Time // login or last successful tokenUpdate
	Expires     time.Time
	CookieAlive bool // some amhrdrauth value still authenticates
	TokenAlive  bool // the refresh token still rotates
}

// Sessions lists a user's live sessions, by label.
func (s *Server) Sessions(email string) []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.w.byEmail[normEmail(email)]
	if u == nil {
		return nil
	}
	now := s.Now()
	var out []SessionInfo
	for k, sess := range s.sessions {
		if k.user != u.cfg.ID || s.expired(sess, now) {
			continue
		}
		out = append(out, SessionInfo{Label: sess.label, Fingerprint: sess.fp, Refreshed: sess.refreshed,
			Expires: sess.refreshed.Add(s.lifetime), CookieAlive: len(sess.cookies) > 0, TokenAlive: sess.token != ""})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return compareLabels(a.Label, b.Label) })
	return out
}

func compareLabels(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// EndReason says why the fake ended a session.
type EndReason string

const (
	EndExpired  EndReason = "expired"  // its idle lifetime lapsed
	EndForced   EndReason = "forced"   // ForceLogout, ExpireSession or a forced-logout fault
	EndReplaced EndReason = "replaced" // the same (user, fingerprint) logged in again while it lived
	EndReused   EndReason = "reused"   // a spent token was replayed (SetReuseEndsSession)
	EndLogout   EndReason = "logout"   // its holder called /logout
)

// SessionEnd is one session the fake ended: which, when (on the injected
// clock, without the server offset) and why.
type SessionEnd struct {
	Label       string
	Email       string
	Fingerprint string
	At          time.Time
	Reason      EndReason
}

// SessionEnds lists the sessions of a user that ended, oldest first.
func (s *Server) SessionEnds(email string) []SessionEnd {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SessionEnd
	for _, e := range s.ends {
		if normEmail(e.Email) == normEmail(email) {
			out = append(out, e)
		}
	}
	return out
}
