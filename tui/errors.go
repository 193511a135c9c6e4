package tui

import (
	"errors"
	"fmt"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// needsLogin reports whether an error means the device session is gone.
func needsLogin(err error) bool {
	return errors.Is(err, account.ErrNotLoggedIn) || errors.Is(err, account.ErrSessionExpired) ||
		errors.Is(err, session.ErrNoSession) || errors.Is(err, session.ErrSessionDead) ||
		errors.Is(err, session.ErrNoAccount) || errors.Is(err, aimharder.ErrLoggedOut)
}

// explain turns an error into words a member understands, in the UI's
// language, keeping the server's own message when it sent one.
func explain(tx *i18n.Text, err error) string {
	var (
		booking   *aimharder.BookingError
		cancelled *aimharder.CancelError
		blocked   *aimharder.BlockedError
		httpErr   *aimharder.HTTPError
		proto     *aimharder.ProtocolError
		page      *aimharder.UnexpectedAnswerError
		trans     *aimharder.TransportError
		login     *aimharder.LoginError
		unsure    *account.UncertainError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, account.ErrNotLoggedIn), errors.Is(err, session.ErrNoAccount), errors.Is(err, session.ErrNoSession):
		return tx.ErrNotLoggedIn
	case needsLogin(err):
		return tx.ErrExpired
	case errors.As(err, &login):
		switch {
		case errors.Is(err, aimharder.ErrBadCredentials):
			return tx.ErrBadLogin
		case errors.Is(err, aimharder.ErrTooManyAttempts):
			return tx.ErrLocked
		}
		reason := login.Reason
		if login.Message != "" {
			reason = `"` + login.Message + `"`
		}
		return fmt.Sprintf(tx.ErrLoginRefused, reason)
	case errors.As(err, &unsure):
		// Before the wrapped 5xx or network error: those would say "try again".
		what := tx.WhatBooking
		if unsure.Action == "cancel" {
			what = tx.WhatCancel
		}
		return fmt.Sprintf(tx.ErrUncertain, what)
	case errors.As(err, &booking):
		return bookingWords(tx, booking)
	case errors.As(err, &cancelled) && !errors.Is(err, aimharder.ErrLateCancel):
		if cancelled.Message != "" {
			return tx.ErrCancelRefused + " — " + fmt.Sprintf(tx.ServerSays, cancelled.Message)
		}
		return tx.ErrCancelRefused
	case errors.Is(err, aimharder.ErrTooEarly):
		return tx.ErrTooEarly
	case errors.Is(err, account.ErrNotBooked):
		return tx.ErrNotBooked
	case errors.Is(err, account.ErrCancelNotApplied):
		return tx.ErrCancelNoop
	case errors.Is(err, account.ErrClassNotFound):
		return tx.ErrClassGone
	case errors.Is(err, session.ErrNotPending):
		return tx.ErrNotPending
	case errors.Is(err, session.ErrDuplicate), errors.Is(err, account.ErrAlreadyPrebooked):
		return tx.ErrDuplicate
	case errors.Is(err, account.ErrClassStarted):
		return tx.ErrClassStarted
	case errors.Is(err, account.ErrAlreadyIn):
		return tx.ErrAlreadyIn
	case errors.As(err, &blocked):
		if blocked.Status == 429 {
			return tx.ErrRateLimited
		}
		return tx.ErrBlocked
	case errors.As(err, &httpErr):
		return fmt.Sprintf(tx.ErrHTTP, httpErr.Status)
	case errors.As(err, &trans), aimharder.NetworkProblem(err) != aimharder.NetNone:
		return networkWords(tx, aimharder.NetworkProblem(err))
	case errors.As(err, &page):
		return tx.ErrUnexpected
	case errors.As(err, &proto):
		return fmt.Sprintf(tx.ErrProtocol, proto.Problem)
	case errors.Is(err, session.ErrBusy):
		return tx.ErrBusy
	case errors.Is(err, session.ErrReadOnly):
		return tx.ErrReadOnly
	case errors.Is(err, session.ErrDiskFull):
		return tx.ErrDiskFull
	case errors.Is(err, session.ErrNotDatabase):
		return tx.ErrDamaged
	}
	return fmt.Sprintf(tx.ErrOther, err.Error())
}

func bookingWords(tx *i18n.Text, e *aimharder.BookingError) string {
	var what string
	switch {
	case errors.Is(e, aimharder.ErrFull):
		what = tx.ErrFull
	case errors.Is(e, aimharder.ErrNoCredit):
		what = tx.ErrNoCredit
	case errors.Is(e, aimharder.ErrPaymentPending):
		what = tx.ErrPayment
	case errors.Is(e, aimharder.ErrTooLate):
		what = tx.ErrTooLate
	case errors.Is(e, aimharder.ErrDailyLimit):
		what = tx.ErrDailyLimit
		if e.Max > 0 {
			what = fmt.Sprintf(tx.ErrDailyLimitMax, e.Max)
		}
	case errors.Is(e, aimharder.ErrQuota):
		what = tx.ErrQuota
	case errors.Is(e, aimharder.ErrAlreadyBooked):
		what = tx.ErrAlreadyBooked
	case errors.Is(e, aimharder.ErrTooEarly):
		what = tx.ErrTooEarly
	case e.NoState && e.Message != "":
		what = tx.ErrRefusedStated // a box rule in its own words (docs/protocol.md §10B)
	default:
		what = fmt.Sprintf(tx.ErrRefused, e.Code)
	}
	if e.Message != "" {
		what += " — " + fmt.Sprintf(tx.ServerSays, e.Message)
	}
	return what
}

// networkWords names the kind of network failure; the raw error (EOF, a
// timeout's text) is for the log.
func networkWords(tx *i18n.Text, p aimharder.NetProblem) string {
	switch p {
	case aimharder.NetInterrupted:
		return tx.ErrInterrupted
	case aimharder.NetTimeout:
		return tx.ErrNetTimeout
	case aimharder.NetCut:
		return tx.ErrNetCut
	case aimharder.NetRefused:
		return tx.ErrNetRefused
	case aimharder.NetDNS:
		return tx.ErrNetDNS
	case aimharder.NetTLS:
		return tx.ErrNetTLS
	}
	return tx.ErrNetwork
}
