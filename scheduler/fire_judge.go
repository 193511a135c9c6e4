package scheduler

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

// Outcome codes of the unsure cases.
const (
	// codeAlreadyUnconfirmed: "already booked at that time" (a success, by
	// docs/product.md invariant 7) that could not be confirmed to be this class.
	codeAlreadyUnconfirmed = string(outcome.AlreadyUnconfirmed)
	// codeUnconfirmed: a failure after an answer that may hide a booking,
	// which the day could not be read to rule out.
	codeUnconfirmed = string(outcome.Unconfirmed)
	// codeWaitlistUnsettled: a bookState 0 answer ("waitlisted", once a
	// place) that the day could not settle (account.SettleState).
	codeWaitlistUnsettled = string(outcome.WaitlistUnsettled)
)

// bareRuleRefusal: a −12 without a key or a recognisable text
// (docs/protocol.md §10B). Inside a burst, at the opening, it is most
// likely a "too early" worded in a way not seen yet: retried like one.
func bareRuleRefusal(err error) bool {
	var be *aimharder.BookingError
	return errors.As(err, &be) && be.Bare()
}

// dayRead is what re-reading the class's day after a burst found: the
// member's view of the class and whether they are in it, or why the day
// could not be read. The zero value is a day nobody read.
type dayRead struct {
	class  account.ClassView
	booked bool // in the class (booked or waitlisted); implies err == nil
	err    error
}

// needsDay reports whether judging res needs the class's day re-read:
// for an "already booked" (is it this class?), for a burst of "too early"
// or unusable answers (a lost answer may hide a booking), and for a
// refusal that followed an answer that may hide one.
func needsDay(res *burstResult) bool {
	switch res.verdict {
	case verdictBooked:
		// bookState 0 is settled against the day (account.SettleState).
		return account.NeedsSettling(res.best.res.State)
	case verdictRefused:
		return res.anyAmbiguous()
	}
	return true
}

// judge turns a burst into the outcome to store, given what its caller
// read: the day as re-read after the burst (needsDay says when it must
// be; otherwise the zero dayRead). It does no I/O. late is the fire's
// (its window was already open when it was claimed). tooEarly is the
// burst's "too early" answer when that is how it ended and nothing was
// booked: the opening it states may be later than the one fired at
// (statedOpening).
func judge(res *burstResult, late bool, day dayRead) (o session.Outcome, tooEarly error) {
	o = session.Outcome{Attempts: res.sent, Late: late}
	best := res.best
	switch res.verdict {
	case verdictBooked:
		o.Status, o.Code, o.ReservationID = session.PrebookBooked, "booked", best.res.ReservationID
		state, resID, settled := account.SettleState(best.res.State, day.class, day.err == nil && day.booked)
		if resID != 0 {
			o.ReservationID = resID
		}
		switch {
		case !settled:
			o.Status, o.Code = session.PrebookWaitlisted, codeWaitlistUnsettled
		case state == aimharder.StateWaitlisted:
			o.Status, o.Code = session.PrebookWaitlisted, "waitlisted"
		}
		return o, nil
	case verdictAlready:
		switch {
		case day.booked:
			return confirmedOutcome(o, day.class), nil
		case day.err != nil:
			o.Status, o.Code, o.Message = session.PrebookBooked, codeAlreadyUnconfirmed, refusalMessage(best.err)
			return o, nil
		}
		o.Status, o.Code, o.Message = session.PrebookFailed, string(outcome.SameHour), refusalMessage(best.err)
		return o, nil
	case verdictRefused:
		o.Status, o.Code, o.Message = session.PrebookFailed, refusalCode(best.err), refusalMessage(best.err)
		return unlessBooked(res, o, day), nil
	}
	// Only "too early" or unusable answers. A lost answer may hide a
	// booking that happened: the day was read before calling it a failure.
	if day.booked {
		return confirmedOutcome(o, day.class), nil
	}
	// Report the server's "too early" when it said so, else the last trouble.
	var lastErr error
	for _, a := range res.attempts {
		if lastErr == nil || !errors.Is(lastErr, aimharder.ErrTooEarly) || errors.Is(a.err, aimharder.ErrTooEarly) {
			lastErr = a.err
		}
	}
	o.Status, o.Code, o.Message = session.PrebookFailed, refusalCode(lastErr), refusalMessage(lastErr)
	if day.err != nil && res.anyAmbiguous() {
		return unconfirmed(o), nil
	}
	if errors.Is(lastErr, aimharder.ErrTooEarly) {
		return o, lastErr
	}
	return o, nil
}

// loggedOutFailure is the outcome when AimHarder logged the session out
// mid-burst and logging in again to retry failed (the caller logs why).
func loggedOutFailure(res *burstResult, late bool) session.Outcome {
	return session.Outcome{Attempts: res.sent, Late: late, Status: session.PrebookFailed, Code: string(outcome.LoggedOut)}
}

// unlessBooked checks a definitive refusal that followed an answer that
// may hide a booking (a 5xx, a cut answer, a dropped connection): the
// day decides. It returns the refusal when nothing was ambiguous or the
// day shows no booking.
func unlessBooked(res *burstResult, refusal session.Outcome, day dayRead) session.Outcome {
	if !res.anyAmbiguous() {
		return refusal
	}
	switch {
	case day.booked:
		return confirmedOutcome(refusal, day.class)
	case day.err != nil:
		return unconfirmed(refusal)
	}
	return refusal
}

// unconfirmed is a failure whose earlier lost answer may have booked the
// class, unchecked because the day could not be read (the caller logs
// why). AimHarder's words of the refusal, if any, stay.
func unconfirmed(o session.Outcome) session.Outcome {
	o.Status, o.Code = session.PrebookFailed, codeUnconfirmed
	return o
}

// confirmedOutcome is the success an "already booked" (or lost) answer
// turns out to be once the day shows the class booked.
func confirmedOutcome(o session.Outcome, c account.ClassView) session.Outcome {
	o.Status, o.Code, o.ReservationID = session.PrebookBooked, string(outcome.AlreadyBooked), c.ReservationID
	if c.Class.State == aimharder.StateWaitlisted {
		o.Status = session.PrebookWaitlisted
	}
	o.Message = ""
	return o
}

// refusalCode is the outcome code of a refusal (session/outcome): the
// session's end during a fire is logged_out, and a refusal with a code ahtui
// does not know keeps AimHarder's code and key ("refused -12 key", which
// outcome.Parse reads as refused) for the log and bug reports.
func refusalCode(err error) string {
	var be *aimharder.BookingError
	switch c := outcome.Classify(err); {
	case err == nil:
		return string(outcome.Error)
	case c == outcome.SessionDead, c == outcome.NotLoggedIn:
		return string(outcome.LoggedOut)
	case c == outcome.Refused && errors.As(err, &be):
		code := fmt.Sprintf("%s %d", outcome.Refused, be.Code)
		if be.Key != "" {
			code += " " + be.Key
		}
		return code
	default:
		return string(c)
	}
}

// refusalMessage is AimHarder's own words of a refusal, or "": ahtui's
// words are its code's (session/outcome), said by each screen in its
// language; the raw error is in the log.
func refusalMessage(err error) string {
	if be, ok := errors.AsType[*aimharder.BookingError](err); ok {
		return strings.TrimSpace(be.Message)
	}
	return ""
}
