package account

import (
	"context"
	"encoding/json"
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
	// Unsettled: AimHarder answered bookState 0 — the waitlist, but a place
	// in one real capture — and the day could not be read, or did not show
	// the member in the class, to tell which (SettleState). State is then
	// StateWaitlisted as answered.
	Unsettled bool
}

// SettleState is the one place where a book answer meets the day's
// listing (docs/protocol.md §10B): bookState 0 means the waitlist, but was
// a real booking in one capture, so a "waitlisted" answer is told only as
// the day shows it. listed is the class as the day was re-read after the
// answer, ok whether that read worked and found the member in it. A
// "booked" answer needs no read. settled is false when the day could not
// tell: the answer's state is kept.
func SettleState(answered aimharder.UserState, listed ClassView, ok bool) (state aimharder.UserState, reservationID int64, settled bool) {
	if answered != aimharder.StateWaitlisted {
		return answered, 0, true
	}
	if ok && (listed.Class.State == aimharder.StateBooked || listed.Class.State == aimharder.StateWaitlisted) {
		return listed.Class.State, listed.ReservationID, true
	}
	return answered, 0, false
}

// NeedsSettling reports whether a book answer's state needs the day read
// before the member is told (SettleState).
func NeedsSettling(answered aimharder.UserState) bool { return answered == aimharder.StateWaitlisted }

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
// *TooEarlyError. The outcome, refusals included, goes to the history
// (EventBook).
func (s *Service) Book(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool) (BookOutcome, error) {
	family, err := s.store.FamilyID(ctx)
	if err != nil {
		return BookOutcome{}, err
	}
	return s.BookFor(ctx, kind, box, classID, date, waitlist, family)
}

// BookFor is Book for a given family member (familyID "" = the account
// holder), whatever the family_id setting says.
func (s *Service) BookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (BookOutcome, error) {
	start := time.Now() // how long the request took, in real time
	out, err := s.book(ctx, kind, box, classID, date, waitlist, family)
	if err == nil && !out.Unsettled && family == s.familySetting(ctx) { // the cache holds the setting's person
		s.noteBooked(context.WithoutCancel(ctx), box, classID, date, out)
	}
	s.recordBook(ctx, box, classID, date, out, err, time.Since(start))
	return out, err
}

// noteBooked writes a booking AimHarder accepted into the cached class
// list (the class's state and reservation, one more place taken or one
// more on the waitlist), so that every screen on this database — another
// TUI, this one before its next read — shows it at once without asking
// AimHarder again. Only the list of the family member the cache is kept
// for; a list that already shows the booking (read again to settle it)
// is left as it is. A failure only costs the shortcut.
func (s *Service) noteBooked(ctx context.Context, box session.Box, classID int64, date aimharder.Date, out BookOutcome) {
	if out.State != aimharder.StateBooked && out.State != aimharder.StateWaitlisted {
		return
	}
	c, err := s.store.CachedDay(ctx, box.ID, date)
	if err != nil {
		return // nothing cached: the next read fills it
	}
	var d aimharder.Day
	if json.Unmarshal(c.Body, &d) != nil {
		return
	}
	found := false
	for i := range d.Classes {
		cl := &d.Classes[i]
		if cl.ID != classID {
			continue
		}
		found = true
		if cl.State == out.State && cl.ReservationID == out.ReservationID {
			return // already shown
		}
		if cl.State != aimharder.StateBooked && cl.State != aimharder.StateWaitlisted {
			if out.State == aimharder.StateBooked {
				cl.Occupancy++
			} else {
				cl.Waitlist++
			}
		}
		cl.State, cl.ReservationID, cl.Cancelled = out.State, out.ReservationID, false
	}
	if !found {
		return
	}
	body, err := json.Marshal(d)
	if err != nil {
		return
	}
	// The list keeps the time AimHarder gave it: the rest of it is no
	// fresher for this note (a plan's check of the member's own cancels
	// and its re-read before an opening trust that time).
	if err := s.store.CacheDay(ctx, box.ID, date, body, c.FetchedAt); err != nil {
		s.log.Warn("could not note the booking in the cached class list", "box", box.Subdomain, "day", date, "err", err)
	}
}

func (s *Service) book(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (BookOutcome, error) {
	ref, err := BoxRef(box)
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
	case err == nil && NeedsSettling(res.State):
		c, booked, rerr := s.ConfirmBooked(context.WithoutCancel(ctx), kind, box, classID, date, family)
		state, resID, settled := SettleState(res.State, c, rerr == nil && booked)
		if resID == 0 {
			resID = res.ReservationID
		}
		if !settled {
			s.log.Warn("a bookState 0 answer could not be settled from the day", "box", box.Subdomain, "class", classID, "err", rerr)
		}
		return BookOutcome{State: state, ReservationID: resID, Unsettled: !settled}, nil
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
	case errors.Is(err, aimharder.ErrTooLate), isUnexplainedRefusal(err):
		return BookOutcome{}, s.whyRefused(ctx, kind, box, classID, date, err)
	}
	return BookOutcome{}, err
}

// ErrClassEnded: the class is over. It matches ErrClassStarted too.
var ErrClassEnded = errors.New("the class has already ended")

// ClassUnavailableError is a booking AimHarder refused for a class the
// day, read again, does not have (Reason ErrClassNotFound), or that has
// started (ErrClassStarted) or ended (ErrClassEnded): "too close to the
// start" and a bare refusal code would mislead the member.
type ClassUnavailableError struct {
	Reason  error
	Class   ClassView // zero when the class was not found
	Date    aimharder.Date
	Refusal error // AimHarder's answer, for the log
}

func (e *ClassUnavailableError) Error() string {
	return e.Reason.Error() + " (" + e.Refusal.Error() + ")"
}

func (e *ClassUnavailableError) Is(target error) bool {
	return target == e.Reason || (e.Reason == ErrClassEnded && target == ErrClassStarted)
}

// isUnexplainedRefusal: a refusal whose code and key name no known
// reason (an unknown id gets such a one, docs/protocol.md §7.3).
func isUnexplainedRefusal(err error) bool {
	var be *aimharder.BookingError
	if !errors.As(err, &be) {
		return false
	}
	for _, known := range []error{aimharder.ErrFull, aimharder.ErrNoCredit, aimharder.ErrTooEarly, aimharder.ErrPaymentPending,
		aimharder.ErrTooLate, aimharder.ErrDailyLimit, aimharder.ErrQuota, aimharder.ErrAlreadyBooked} {
		if errors.Is(be, known) {
			return false
		}
	}
	return true
}

// whyRefused reads the day again after a "too late" or unexplained
// refusal: a class not there, started or over is said as such; otherwise
// the refusal stands.
func (s *Service) whyRefused(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, refusal error) error {
	day, err := s.Day(ctx, kind, box, date)
	if err != nil {
		s.log.Info("could not read the day to explain a refused booking", "class", classID, "err", err)
		return refusal
	}
	c, ok := day.FindClass(classID)
	now := s.now()
	switch {
	case !ok:
		return &ClassUnavailableError{Reason: ErrClassNotFound, Date: date, Refusal: refusal}
	case !c.Class.End.IsZero() && !now.Before(c.Class.End):
		return &ClassUnavailableError{Reason: ErrClassEnded, Class: c, Date: date, Refusal: refusal}
	case !now.Before(c.Start):
		return &ClassUnavailableError{Reason: ErrClassStarted, Class: c, Date: date, Refusal: refusal}
	}
	return refusal
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
// ErrLateCancelNeedsConsent unless late is set. The outcome goes to the
// history (EventCancel); the late-cancel question does not.
func (s *Service) Cancel(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (CancelOutcome, error) {
	start := time.Now()
	out, err := s.cancel(ctx, kind, box, classID, date, late)
	s.recordCancel(ctx, box, classID, date, out, err, time.Since(start))
	return out, err
}

func (s *Service) cancel(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, late bool) (CancelOutcome, error) {
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
