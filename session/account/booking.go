package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// BookOutcome is a successful booking.
type BookOutcome struct {
	State         aimharder.UserState // booked or waitlisted
	ReservationID int64
	// AlreadyBooked: AimHarder said "already booked at that time" and the
	// day, read again, shows this very class booked — a success.
	AlreadyBooked bool
}

// TooEarlyError is a booking refused because the class's window is not
// open yet, with the opening when it is known.
type TooEarlyError struct {
	Class   ClassView
	OpensAt time.Time // zero when neither the member nor the server told the rule
	Message string    // the server's words
	// Assumed: OpensAt comes from a rule read from a "too early" text
	// alone ("N días"): the box may open at a fixed hour instead
	// (docs/protocol.md §9). Rule is that rule ("2d").
	Assumed bool
	Rule    string
}

func (e *TooEarlyError) Error() string {
	if e.OpensAt.IsZero() {
		return "booking is not open yet: " + e.Message
	}
	return "booking opens " + e.OpensAt.Format(time.RFC3339)
}

func (e *TooEarlyError) Is(target error) bool { return target == aimharder.ErrTooEarly }

// Book books a class (joining the waitlist when it is full and waitlist is
// set) with the session of that kind. A "too early" refusal teaches the box's
// learned window rule (the member's, when set, still wins) and comes back as
// *TooEarlyError.
func (s *Service) Book(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (BookOutcome, error) {
	ref, err := BoxRef(box)
	if err != nil {
		return BookOutcome{}, err
	}
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return BookOutcome{}, err
	}
	var res aimharder.BookResult
	err = s.withSession(ctx, kind, func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
		var updated aimharder.Credentials
		var err error
		res, updated, err = s.api(ctx).Book(ctx, creds, ref, classID, date, aimharder.BookOptions{Insist: waitlist, FamilyID: family})
		return updated, err
	})
	switch {
	case err == nil:
		return BookOutcome{State: res.State, ReservationID: res.ReservationID}, nil
	case errors.Is(err, aimharder.ErrAlreadyBooked):
		return s.confirmAlreadyBooked(ctx, kind, box, classID, date, family, err)
	case aimharder.Ambiguous(err):
		// The booking may have happened before the reply was lost.
		c, booked, rerr := s.ConfirmBooked(context.WithoutCancel(ctx), kind, box, classID, date, family)
		switch {
		case rerr != nil:
			return BookOutcome{}, &UncertainError{Action: "booking", Err: err}
		case booked:
			return BookOutcome{State: c.Class.State, ReservationID: c.ReservationID}, nil
		}
	case errors.Is(err, aimharder.ErrTooEarly):
		return BookOutcome{}, s.tooEarly(ctx, kind, box, classID, date, err)
	}
	return BookOutcome{}, err
}

// confirmAlreadyBooked re-reads the day: "already booked at that time" is a
// success only when the member's booking is this class, not another one at
// the same hour (docs/protocol.md §7.3).
func (s *Service) confirmAlreadyBooked(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, family string, refusal error) (BookOutcome, error) {
	c, booked, err := s.ConfirmBooked(ctx, kind, box, classID, date, family)
	if err != nil || !booked {
		return BookOutcome{}, refusal
	}
	return BookOutcome{State: c.Class.State, ReservationID: c.ReservationID, AlreadyBooked: true}, nil
}

// UncertainError is a book or cancel whose answer was lost (a 5xx, a cut or
// dropped reply, a timeout) and whose effect could not be checked: it may
// have gone through.
type UncertainError struct {
	Action string // "booking" or "cancel"
	Err    error
}

func (e *UncertainError) Error() string {
	return "AimHarder did not answer the " + e.Action + " clearly and the day could not be read to check it: " + e.Err.Error()
}

func (e *UncertainError) Unwrap() error { return e.Err }

// tooEarly learns the window the refusal states and works out when the
// class opens.
func (s *Service) tooEarly(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, refusal error) error {
	out := &TooEarlyError{}
	var te *aimharder.TooEarlyError
	if errors.As(refusal, &te) {
		out.Message = te.Message
	}
	lesson := box.LearnFrom(refusal)
	if stored, err := s.store.LearnWindow(ctx, lesson); stored {
		box = lesson.Box
		s.log.Info("learned the box's booking window", "box", box.Subdomain, "rule", lesson.Stated.String())
	} else if err != nil {
		s.log.Warn("could not record the box's booking window", "box", box.Subdomain, "err", err)
	}
	day, err := s.Day(ctx, kind, box, date)
	if err != nil {
		return fmt.Errorf("%w (%v)", refusal, err)
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return refusal
	}
	out.Class = c
	out.OpensAt = c.OpensAt
	if rule := box.Rule(); rule.Assumed() {
		out.Assumed, out.Rule = true, rule.String()
	}
	return out
}

// CancelOutcome is a successful cancel.
type CancelOutcome struct {
	Class ClassView // as it was before the cancel
	Late  bool      // the credit was forfeited
}

// Cancel cancels the member's booking (or waitlist place) for a class. It
// finds the reservation id itself — sending the class id instead would be
// answered "cancelled" while cancelling nothing — and reads the day again to
// confirm. Inside the late-cancel window it returns
// ErrLateCancelNeedsConsent unless late is set.
func (s *Service) Cancel(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (CancelOutcome, error) {
	ref, err := BoxRef(box)
	if err != nil {
		return CancelOutcome{}, err
	}
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return CancelOutcome{}, err
	}
	day, err := s.Day(ctx, kind, box, date)
	if err != nil {
		return CancelOutcome{}, err
	}
	c, ok := day.FindClass(classID)
	if !ok {
		return CancelOutcome{}, ErrClassNotFound
	}
	if c.ReservationID == 0 || c.Class.State == aimharder.StateNone {
		return CancelOutcome{Class: c}, ErrNotBooked
	}
	send := func(late bool) error {
		return s.withSession(ctx, kind, func(ctx context.Context, creds aimharder.Credentials) (aimharder.Credentials, error) {
			return s.api(ctx).Cancel(ctx, creds, ref, c.ReservationID, aimharder.CancelOptions{Late: late, FamilyID: family})
		})
	}
	// Always ask without consent first: only the server knows whether the
	// cancel is late, and a timely one must not be sent as late.
	err = send(false)
	wasLate := false
	if errors.Is(err, aimharder.ErrLateCancel) {
		if !late {
			return CancelOutcome{Class: c}, ErrLateCancelNeedsConsent
		}
		wasLate = true
		err = send(true)
	}
	if err != nil && !aimharder.Ambiguous(err) {
		return CancelOutcome{Class: c}, err
	}
	after, rerr := s.Day(context.WithoutCancel(ctx), kind, box, date)
	switch {
	case rerr != nil && err != nil:
		return CancelOutcome{Class: c, Late: wasLate}, &UncertainError{Action: "cancel", Err: err}
	case rerr != nil:
		return CancelOutcome{Class: c, Late: wasLate}, fmt.Errorf("cancel sent, but the day could not be read again to confirm it: %w", rerr)
	}
	if now, ok := after.FindClass(classID); ok && now.ReservationID == c.ReservationID {
		if err != nil {
			return CancelOutcome{Class: c, Late: wasLate}, err // the lost cancel did not happen
		}
		return CancelOutcome{Class: c, Late: wasLate}, ErrCancelNotApplied
	}
	return CancelOutcome{Class: c, Late: wasLate}, nil
}
