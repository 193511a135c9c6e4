package account

import (
	"context"
	"errors"

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
