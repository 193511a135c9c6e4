package account

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// ClassState is what a class is to the member right now (the `state` of
// `classes --json`).
type ClassState string

const (
	StateOpen       ClassState = "open"
	StateBooked     ClassState = "booked"
	StateWaitlisted ClassState = "waitlisted"
	StateFull       ClassState = "full"
	StateNotOpen    ClassState = "not_open"
	StatePast       ClassState = "past"
)

// ClassView is a class as the member sees it: the server's row plus when it
// opens for booking under the box's rule and the resulting state.
type ClassView struct {
	aimharder.Class
	Box     string    // the box's subdomain
	OpensAt time.Time // zero when the box's window rule is unknown
	State   ClassState
}

// DayView is one day of a box's classes as the member sees it.
type DayView struct {
	Date      aimharder.Date
	Classes   []ClassView
	Notices   []string
	FetchedAt time.Time
	Cached    bool // read from the store, not from the server just now
}

// StateOf derives the member's state of a class at now.
func StateOf(c aimharder.Class, opensAt, now time.Time) ClassState {
	switch {
	case !now.Before(c.Start):
		return StatePast
	case c.State == aimharder.StateBooked:
		return StateBooked
	case c.State == aimharder.StateWaitlisted:
		return StateWaitlisted
	case !opensAt.IsZero() && now.Before(opensAt):
		return StateNotOpen
	case c.Full():
		return StateFull
	}
	return StateOpen
}

// view decorates a server day with the box's window rule and states.
func (s *Service) view(box session.Box, day aimharder.Day, fetchedAt time.Time, cached bool) DayView {
	rule := box.Rule()
	now := s.now()
	v := DayView{Date: day.Date, Notices: day.Notices, FetchedAt: fetchedAt, Cached: cached}
	v.Classes = make([]ClassView, 0, len(day.Classes))
	for _, c := range day.Classes {
		cv := ClassView{Class: c, Box: box.Subdomain}
		cv.OpensAt, _ = rule.OpensAt(c.Start) // zero when unknown
		cv.State = StateOf(c, cv.OpensAt, now)
		v.Classes = append(v.Classes, cv)
	}
	return v
}

// Day fetches one day of a box's classes with the session of that kind,
// for the family member in the settings.
func (s *Service) Day(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date) (DayView, error) {
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return DayView{}, err
	}
	return s.dayFor(ctx, kind, box, date, family)
}

// DayFor is Day as a given family member sees it (familyID "" = the
// account holder), whatever the family_id setting says; only the setting's
// person's lists are cached.
func (s *Service) DayFor(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date, familyID string) (DayView, error) {
	return s.dayFor(ctx, kind, box, date, familyID)
}

// dayFor fetches one day as seen by a given family member ("" = the
// account holder): a prebooking is confirmed for the person it booked for,
// whatever the setting says now.
func (s *Service) dayFor(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date, familyID string) (DayView, error) {
	days, err := s.fetch(ctx, kind, box, date, 1, familyID)
	if err != nil {
		return DayView{}, err
	}
	return days[0], nil
}

// Week fetches seven days from `from` (seven concurrent requests).
func (s *Service) Week(ctx context.Context, kind session.Kind, box session.Box, from aimharder.Date) ([]DayView, error) {
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return nil, err
	}
	return s.fetch(ctx, kind, box, from, 7, family)
}

func (s *Service) fetch(ctx context.Context, kind session.Kind, box session.Box, from aimharder.Date, n int, family string) ([]DayView, error) {
	box = s.stored(ctx, box)
	ref, err := BoxRef(box)
	if err != nil {
		return nil, err
	}
	days, err := s.fetchDays(ctx, kind, ref, from, n, family)
	if err != nil {
		return nil, err
	}
	if !anyMemberData(days) {
		// docs/product.md invariant 3: AimHarder answers a schedule request without a live
		// session with the public schedule, which looks normal but lacks the
		// member's bookings and attendees. No member data is also what a
		// member with no bookings at a box that keeps its attendee list
		// private sees, so ask the server who we are. If that needed a new
		// login (password_command), the rows came from the dead session:
		// fetch them again.
		loggedInAt := s.loginTime(ctx, kind)
		if _, err := s.Whoami(ctx, kind); err != nil {
			return nil, err
		}
		if !s.loginTime(ctx, kind).Equal(loggedInAt) {
			if days, err = s.fetchDays(ctx, kind, ref, from, n, family); err != nil {
				return nil, err
			}
		}
	}
	box = s.placeBox(ctx, box, days)
	fetchedAt := s.now()
	cacheable := family == s.familySetting(ctx) // the cache holds what the TUI and CLI show
	out := make([]DayView, len(days))
	for i, d := range days {
		if body, err := json.Marshal(d); err == nil && cacheable {
			if err := s.store.CacheDay(ctx, box.ID, d.Date, body, fetchedAt); err != nil {
				s.log.Warn("could not cache the class list", "box", box.Subdomain, "day", d.Date, "err", err)
			}
		}
		out[i] = s.view(box, d, fetchedAt, false)
	}
	return out, nil
}

// placeBox records the box's address from a class list and, when that
// places the box in another zone (docs/protocol.md §4.3), reads the days'
// times again in it: AimHarder's times are the box's wall-clock times. It
// returns the box as stored now (unchanged when the address could not be
// stored: the list is still shown, in the zone it was read in).
func (s *Service) placeBox(ctx context.Context, box session.Box, days []aimharder.Day) session.Box {
	address := ""
	for _, d := range days {
		if d.Address != "" {
			address = d.Address
			break
		}
	}
	if address == "" || address == box.Address {
		return box
	}
	updated, _, err := s.store.NoteBoxAddress(ctx, box.ID, address)
	if err != nil {
		s.log.Warn("could not store the box's address", "box", box.Subdomain, "err", err)
		return box
	}
	// Compared with the zone the days were read in (box may be a stale
	// copy: another process may have placed the box already).
	if updated.Timezone == box.Timezone {
		return updated
	}
	loc, err := updated.Location()
	if err != nil {
		return box
	}
	s.log.Info("box time zone detected from its address", "box", box.Subdomain,
		"from", box.Timezone, "to", updated.Timezone, "clue", updated.TimezoneClue)
	for i := range days {
		days[i].Relocate(loc)
	}
	return updated
}

// fetchDays asks AimHarder for n days. Reads are idempotent, so one that
// failed in a way worth retrying (a 5xx, a cut answer, a dropped
// connection) is sent once more.
func (s *Service) fetchDays(ctx context.Context, kind session.Kind, ref aimharder.BoxRef, from aimharder.Date, n int, family string) ([]aimharder.Day, error) {
	var days []aimharder.Day
	read := func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		if n == 1 {
			d, updated, err := s.api(ctx).Day(ctx, creds, ref, from, family)
			days = []aimharder.Day{d}
			return updated, err
		}
		var updated aimharder.Credentials
		var err error
		days, updated, err = s.api(ctx).Week(ctx, creds, ref, from, family)
		return updated, err
	}
	err := s.withSession(ctx, kind, read)
	if err != nil && aimharder.IsRetryable(err) && ctx.Err() == nil {
		s.log.Info("reading the schedule again after a failed read", "err", err)
		err = s.withSession(ctx, kind, read)
	}
	return days, err
}

func anyMemberData(days []aimharder.Day) bool {
	for _, d := range days {
		if d.MemberData {
			return true
		}
	}
	return false
}

// loginTime is when the session of that kind was logged in (zero when
// there is none): it changes only when a new login replaced the session.
func (s *Service) loginTime(ctx context.Context, kind session.Kind) time.Time {
	sess, err := s.store.Session(ctx, kind)
	if err != nil {
		return time.Time{}
	}
	return sess.CreatedAt
}

// familySetting is the family member in the settings ("" on error).
func (s *Service) familySetting(ctx context.Context) string {
	f, _ := s.store.FamilyID(ctx)
	return f
}

// ConfirmBooked reads the day again and reports whether familyID holds a
// booking or waitlist place in the class: "already booked at that time"
// is a success only when it is this very class (docs/protocol.md §7.3).
func (s *Service) ConfirmBooked(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, familyID string) (ClassView, bool, error) {
	day, err := s.dayFor(ctx, kind, box, date, familyID)
	if err != nil {
		return ClassView{}, false, err
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return ClassView{}, false, nil
	}
	return c, c.Class.State == aimharder.StateBooked || c.Class.State == aimharder.StateWaitlisted, nil
}

// stored is the box as the store holds it now: a caller's copy may predate
// a rule or zone learned or set since (by this process or another), and
// the states shown must follow the rule in force. The caller's copy when
// the box cannot be read.
func (s *Service) stored(ctx context.Context, box session.Box) session.Box {
	if box.ID == 0 {
		return box
	}
	if b, err := s.store.Box(ctx, box.ID); err == nil {
		return b
	}
	return box
}

// CachedDay returns the last class list stored for a box and day.
func (s *Service) CachedDay(ctx context.Context, box session.Box, date aimharder.Date) (DayView, bool, error) {
	c, err := s.store.CachedDay(ctx, box.ID, date)
	if errors.Is(err, session.ErrNotFound) {
		return DayView{}, false, nil
	}
	if err != nil {
		return DayView{}, false, err
	}
	var d aimharder.Day
	if err := json.Unmarshal(c.Body, &d); err != nil {
		// An unreadable cache entry is only a missed shortcut.
		return DayView{}, false, nil
	}
	box = s.stored(ctx, box)
	ref, err := BoxRef(box)
	if err != nil {
		return DayView{}, false, err
	}
	// The stored times carry the offset they were read with: keep their
	// wall-clock time, which is what AimHarder sent, in the box's zone now
	// (the same instants unless the zone changed since).
	d.Relocate(ref.Location)
	return s.view(box, d, c.FetchedAt, true), true, nil
}

// FindClass returns the class with that id in a day.
func (d DayView) FindClass(id int64) (ClassView, bool) {
	for _, c := range d.Classes {
		if c.ID == id {
			return c, true
		}
	}
	return ClassView{}, false
}
