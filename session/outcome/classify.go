package outcome

import (
	"context"
	"errors"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// NeedsLogin reports whether err means there is no usable session: never
// logged in here, or AimHarder ended the session. It is the one test for
// "send the member to the login".
func NeedsLogin(err error) bool {
	switch Classify(err) {
	case NotLoggedIn, SessionDead:
		return true
	}
	return false
}

// Classify names what err means for a member. Every screen words the code
// it returns; the detail (an HTTP status, AimHarder's message) stays in the
// error. A nil error is "".
func Classify(err error) Code {
	var (
		login    *aimharder.LoginError
		booking  *aimharder.BookingError
		cancel   *aimharder.CancelError
		blocked  *aimharder.BlockedError
		httpErr  *aimharder.HTTPError
		proto    *aimharder.ProtocolError
		page     *aimharder.UnexpectedAnswerError
		trans    *aimharder.TransportError
		unsure   *account.UncertainError
		gone     *account.ClassUnavailableError
		readOnly *session.ReadOnlyError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, account.ErrNotLoggedIn), errors.Is(err, session.ErrNoAccount), errors.Is(err, session.ErrNoSession):
		return NotLoggedIn
	case errors.Is(err, account.ErrSessionExpired), errors.Is(err, session.ErrSessionDead), errors.Is(err, aimharder.ErrLoggedOut):
		return SessionDead
	case errors.As(err, &login):
		switch {
		case errors.Is(err, aimharder.ErrBadCredentials):
			return PasswordRefused
		case errors.Is(err, aimharder.ErrTooManyAttempts):
			return LockedOut
		}
		return LoginRefused
	case errors.As(err, &unsure):
		// Before the wrapped 5xx or network error: those would say "try again".
		return Uncertain
	case errors.As(err, &gone):
		switch {
		case errors.Is(gone.Reason, account.ErrClassEnded):
			return ClassEnded
		case errors.Is(gone.Reason, account.ErrClassStarted):
			return ClassStarted
		}
		return NoClass
	case errors.Is(err, account.ErrClassNotFound):
		return NoClass
	case errors.Is(err, account.ErrLateCancelNeedsConsent):
		return LateCancel
	case errors.As(err, &booking):
		return bookingCode(booking)
	case errors.Is(err, aimharder.ErrTooEarly):
		return TooEarly
	case errors.As(err, &cancel) && !errors.Is(err, aimharder.ErrLateCancel):
		return CancelRefused
	case errors.Is(err, account.ErrNotBooked):
		return NotBooked
	case errors.Is(err, account.ErrCancelNotApplied):
		return CancelNoop
	case errors.Is(err, session.ErrNotPending):
		return NotPending
	case errors.Is(err, session.ErrDuplicate), errors.Is(err, account.ErrAlreadyPrebooked):
		return Duplicate
	case errors.Is(err, account.ErrClassEnded):
		return ClassEnded
	case errors.Is(err, account.ErrClassStarted):
		return ClassStarted
	case errors.Is(err, account.ErrAlreadyIn):
		return AlreadyIn
	case errors.As(err, &blocked):
		if blocked.Status == 429 {
			return RateLimited
		}
		return GeoBlocked
	case errors.Is(err, aimharder.ErrBlocked):
		return GeoBlocked
	case errors.As(err, &httpErr):
		return ServerTrouble
	case errors.As(err, &trans), aimharder.NetworkProblem(err) != aimharder.NetNone:
		return networkCode(aimharder.NetworkProblem(err))
	case errors.As(err, &page), errors.Is(err, aimharder.ErrUnexpectedAnswer):
		return UnexpectedPage
	case errors.As(err, &proto):
		return UnreadableAnswer
	case errors.Is(err, session.ErrNewerSchema):
		return NewerSchema
	case errors.Is(err, session.ErrNotDatabase):
		return DatabaseDamaged
	case errors.Is(err, session.ErrDiskFull):
		return DiskFull
	case errors.As(err, &readOnly), errors.Is(err, session.ErrReadOnly):
		return ReadOnly
	case errors.Is(err, session.ErrBusy):
		return DatabaseLocked
	case errors.Is(err, context.Canceled):
		return Interrupted
	}
	return Error
}

func bookingCode(e *aimharder.BookingError) Code {
	switch {
	case errors.Is(e, aimharder.ErrFull):
		return Full
	case errors.Is(e, aimharder.ErrNoCredit):
		return NoCredit
	case errors.Is(e, aimharder.ErrPaymentPending):
		return PaymentPending
	case errors.Is(e, aimharder.ErrTooLate):
		return TooLate
	case errors.Is(e, aimharder.ErrDailyLimit):
		return DailyLimit
	case errors.Is(e, aimharder.ErrQuota):
		return Quota
	case errors.Is(e, aimharder.ErrAlreadyBooked):
		return SameHour
	case errors.Is(e, aimharder.ErrTooEarly):
		return TooEarly
	case e.NoState && e.Message != "":
		return RefusedBoxRule
	}
	return Refused
}

func networkCode(p aimharder.NetProblem) Code {
	switch p {
	case aimharder.NetInterrupted:
		return Interrupted
	case aimharder.NetTimeout:
		return NetTimeout
	case aimharder.NetCut:
		return NetCut
	case aimharder.NetRefused:
		return NetRefused
	case aimharder.NetDNS:
		return NetDNS
	case aimharder.NetTLS:
		return NetTLS
	}
	return Network
}
