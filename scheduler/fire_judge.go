package scheduler

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// Outcome codes of the unsure cases.
const (
	// codeAlreadyUnconfirmed: "already booked at that time" (a success, by
	// docs/product.md invariant 7) that could not be confirmed to be this class.
	codeAlreadyUnconfirmed = "already_booked_unconfirmed"
	// codeUnconfirmed: a failure after an answer that may hide a booking,
	// which the day could not be read to rule out.
	codeUnconfirmed = "unconfirmed"
	// codeWaitlistUnsettled: a bookState 0 answer ("waitlisted", once a
	// place) that the day could not settle (account.SettleState).
	codeWaitlistUnsettled = "waitlisted_unconfirmed"
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
			o.Message = "AimHarder's answer means the waitlist, but it has meant a place too; the day could not be " +
				"read to tell which: check your bookings in AimHarder"
		case state == aimharder.StateWaitlisted:
			o.Status, o.Code = session.PrebookWaitlisted, "waitlisted"
		}
		return o, nil
	case verdictAlready:
		switch {
		case day.booked:
			return confirmedOutcome(o, day.class), nil
		case day.err != nil:
			o.Status, o.Code = session.PrebookBooked, codeAlreadyUnconfirmed
			o.Message = "AimHarder said you are already booked at that time, but the day could not be read to " +
				"confirm it is this class (" + day.err.Error() + "): check your bookings in AimHarder"
			return o, nil
		}
		o.Status, o.Code, o.Message = session.PrebookFailed, "already_booked_other", refusalMessage(best.err)
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
		return unconfirmed(o, day.err), nil
	}
	if errors.Is(lastErr, aimharder.ErrTooEarly) {
		o.Message = "AimHarder still said too early at the end of the burst — " + o.Message
		return o, lastErr
	}
	return o, nil
}

// loggedOutFailure is the outcome when AimHarder logged the session out
// mid-burst and logging in again to retry failed (err says why).
func loggedOutFailure(res *burstResult, late bool, err error) session.Outcome {
	return session.Outcome{Attempts: res.sent, Late: late, Status: session.PrebookFailed, Code: "logged_out",
		Message: "AimHarder logged the background session out during the fire: " + err.Error()}
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
		return unconfirmed(refusal, day.err)
	}
	return refusal
}

// unconfirmed is a failure whose earlier lost answer may have booked the
// class, unchecked because the day could not be read.
func unconfirmed(o session.Outcome, readErr error) session.Outcome {
	o.Status, o.Code = session.PrebookFailed, codeUnconfirmed
	if o.Message != "" {
		o.Message += "; "
	}
	o.Message += "an earlier attempt got no clear answer and the day could not be read to check it (" +
		readErr.Error() + "): check in AimHarder whether you are booked"
	return o
}

// confirmedOutcome is the success an "already booked" (or lost) answer
// turns out to be once the day shows the class booked.
func confirmedOutcome(o session.Outcome, c account.ClassView) session.Outcome {
	o.Status, o.Code, o.ReservationID = session.PrebookBooked, "already_booked", c.ReservationID
	if c.Class.State == aimharder.StateWaitlisted {
		o.Status = session.PrebookWaitlisted
	}
	o.Message = "AimHarder shows you booked in this class"
	return o
}

// refusalCode is a short machine-readable reason for an outcome.
func refusalCode(err error) string {
	var be *aimharder.BookingError
	switch {
	case err == nil:
		return "error"
	case errors.Is(err, aimharder.ErrTooEarly):
		return "too_early"
	case errors.Is(err, aimharder.ErrFull):
		return "full"
	case errors.Is(err, aimharder.ErrNoCredit):
		return "no_credit"
	case errors.Is(err, aimharder.ErrPaymentPending):
		return "payment_pending"
	case errors.Is(err, aimharder.ErrTooLate):
		return "too_late"
	case errors.Is(err, aimharder.ErrDailyLimit):
		return "daily_limit"
	case errors.Is(err, aimharder.ErrQuota):
		return "quota"
	case errors.Is(err, aimharder.ErrAlreadyBooked):
		return "already_booked_other"
	case errors.Is(err, aimharder.ErrLoggedOut):
		return "logged_out"
	case errors.Is(err, aimharder.ErrBlocked):
		return "blocked"
	case errors.As(err, &be) && be.NoState:
		return "refused_box_rule" // a box rule in its own words (docs/protocol.md §10B)
	case errors.As(err, &be):
		code := fmt.Sprintf("refused %d", be.Code)
		if be.Key != "" {
			code += " " + be.Key
		}
		return code
	}
	return "error"
}

// refusalMessage keeps the server's words when it gave some, and says
// a block, a network failure or a page instead of data in words a member
// understands (the raw error is in the log).
func refusalMessage(err error) string {
	var be *aimharder.BookingError
	var blocked *aimharder.BlockedError
	var httpErr *aimharder.HTTPError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &httpErr):
		return fmt.Sprintf("AimHarder was having trouble (HTTP %d)", httpErr.Status)
	case errors.As(err, &be) && strings.TrimSpace(be.Message) != "":
		return strings.TrimSpace(be.Message)
	case errors.As(err, &be):
		return fmt.Sprintf("AimHarder refused the booking without saying why (code %d)", be.Code)
	case errors.As(err, &blocked) && blocked.Status == 429:
		return "AimHarder was limiting requests (HTTP 429) during the fire"
	case errors.As(err, &blocked):
		return "AimHarder refused connections from this network (HTTP 403) during the fire: run ahtui from " +
			"another connection, or set HTTPS_PROXY to a proxy on another network"
	case errors.Is(err, aimharder.ErrUnexpectedAnswer):
		return "AimHarder answered with a web page instead of data"
	}
	if words := networkWords(aimharder.NetworkProblem(err)); words != "" {
		return words
	}
	return err.Error()
}

// networkWords is a network failure in a member's words, "" for anything
// else.
func networkWords(p aimharder.NetProblem) string {
	switch p {
	case aimharder.NetInterrupted:
		return "ahtui was stopped before AimHarder answered"
	case aimharder.NetTimeout:
		return "AimHarder did not answer in time"
	case aimharder.NetCut:
		return "the connection to AimHarder was cut before it answered"
	case aimharder.NetRefused:
		return "AimHarder's server did not accept the connection"
	case aimharder.NetDNS:
		return "AimHarder's name could not be looked up (no internet connection?)"
	case aimharder.NetTLS:
		return "the secure connection to AimHarder failed (a proxy or firewall in the way, or a wrong clock)"
	case aimharder.NetOther:
		return "AimHarder could not be reached"
	}
	return ""
}
