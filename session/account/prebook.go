package account

import (
	"context"
	"errors"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// Errors of Prebook.
var (
	// ErrClassStarted: the class has started; there is nothing to prebook.
	ErrClassStarted = errors.New("the class has already started")
	// ErrAlreadyIn: the member is already booked or waitlisted in the class.
	ErrAlreadyIn = errors.New("you are already in that class")
	// ErrAlreadyPrebooked: an active prebooking for the class exists.
	ErrAlreadyPrebooked = errors.New("that class is already prebooked")
)

// PrebookResult is what Prebook did: stored a prebooking, or — when the
// class's window turned out to be open — booked the class at once.
type PrebookResult struct {
	Class      ClassView
	Prebooking session.Prebooking // zero when Booked is set
	Booked     *BookOutcome
}

// Prebook stores a prebooking that books the class when its window opens,
// for the family member in the settings. When the box's window rule is
// unknown, or says the window is already open, one booking attempt settles
// it: a "too early" answer teaches the rule and the opening, a success has
// simply booked the class.
func (s *Service) Prebook(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (PrebookResult, error) {
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return PrebookResult{}, err
	}
	return s.PrebookFor(ctx, kind, box, classID, date, waitlist, family)
}

// PrebookFor is Prebook for a given family member (familyID "" = the
// account holder), whatever the family_id setting says: the prebooking
// keeps the id and books for that person when it fires.
func (s *Service) PrebookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (PrebookResult, error) {
	day, err := s.dayFor(ctx, kind, box, date, family)
	if err != nil {
		return PrebookResult{}, err
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return PrebookResult{}, ErrClassNotFound
	}
	res := PrebookResult{Class: c}
	now := s.now()
	switch {
	case !now.Before(c.Start):
		return res, ErrClassStarted
	case c.Class.State != aimharder.StateNone:
		return res, ErrAlreadyIn
	}
	opens := c.OpensAt
	if opens.IsZero() || !now.Before(opens) {
		out, err := s.BookFor(ctx, kind, box, classID, date, waitlist, family)
		var tooEarly *TooEarlyError
		switch {
		case err == nil:
			res.Booked = &out
			return res, nil
		case errors.As(err, &tooEarly):
			opens = tooEarly.OpensAt // zero when AimHarder did not say when
		default:
			return res, err
		}
	}
	res.Prebooking, err = s.store.AddPrebooking(ctx, session.NewPrebooking{
		BoxID: box.ID, ClassID: classID, Day: date, ClassName: c.Name, ClassStart: c.Start,
		OpensAt: opens, FamilyID: family, AllowWaitlist: waitlist,
	})
	if errors.Is(err, session.ErrDuplicate) {
		return res, ErrAlreadyPrebooked
	}
	return res, err
}

// Errors of PrebookByName.
var (
	// ErrWindowUnknown: a class not listed yet is found at its opening,
	// which needs the box's window rule.
	ErrWindowUnknown = errors.New("the box's booking window is not known")
	// ErrNotListedOpen: booking is already open and the class is not in
	// the schedule.
	ErrNotListedOpen = errors.New("booking is already open and no such class is in the schedule")
)

// PrebookByName prebooks a class by its box, day, start time (box-local)
// and name, for boxes that list a class only once its booking window opens
// (docs/protocol.md §10B). A class already listed is prebooked by its id
// (Prebook); otherwise the prebooking is stored without one, and the
// runner finds the class at its opening (matching the name as plans do,
// session.ClassNameMatches). That needs the box's window rule
// (ErrWindowUnknown); with the window already open the class would be
// listed (ErrNotListedOpen).
func (s *Service) PrebookByName(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date,
	at session.ClockTime, name string, waitlist bool) (PrebookResult, error) {
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return PrebookResult{}, err
	}
	return s.PrebookByNameFor(ctx, kind, box, date, at, name, waitlist, family)
}

// PrebookByNameFor is PrebookByName for a given family member (familyID
// "" = the account holder), whatever the family_id setting says.
func (s *Service) PrebookByNameFor(ctx context.Context, kind session.Kind, box session.Box, date aimharder.Date,
	at session.ClockTime, name string, waitlist bool, family string) (PrebookResult, error) {
	day, err := s.dayFor(ctx, kind, box, date, family)
	if err != nil {
		return PrebookResult{}, err
	}
	loc := box.LocationOrDefault()
	if c, ok := session.FindClass(day.Classes, session.ClassAt{Name: name, At: at, Loc: loc},
		func(c ClassView) (string, time.Time) { return c.Name, c.Start }); ok {
		return s.PrebookFor(ctx, kind, box, c.ID, date, waitlist, family)
	}
	start := date.At(at.Hour, at.Minute, loc)
	res := PrebookResult{Class: ClassView{Class: aimharder.Class{Name: name, Start: start}, Box: box.Subdomain}}
	now := s.now()
	if !now.Before(start) {
		return res, ErrClassStarted
	}
	opens, known := box.Rule().OpensAt(start)
	if !known {
		return res, ErrWindowUnknown
	}
	res.Class.OpensAt = opens
	if !now.Before(opens) {
		return res, ErrNotListedOpen
	}
	res.Prebooking, err = s.store.AddPrebooking(ctx, session.NewPrebooking{
		BoxID: box.ID, Day: date, ClassName: name, ClassStart: start,
		OpensAt: opens, FamilyID: family, AllowWaitlist: waitlist,
	})
	if errors.Is(err, session.ErrDuplicate) {
		return res, ErrAlreadyPrebooked
	}
	return res, err
}
