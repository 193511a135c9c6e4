package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
	"github.com/ahtui/ahtui/tui/i18n"
)

// needsLogin reports whether an error means the device session is gone.
func needsLogin(err error) bool { return outcome.NeedsLogin(err) }

// explain turns an error into words a member understands, in the UI's
// language, keeping the server's own message when it sent one. The words
// are session/outcome's; only the uncertain answer and the login's
// refusals name the TUI's keys.
func explain(tx *i18n.Text, err error) string {
	if unsure, ok := errors.AsType[*account.UncertainError](err); ok {
		// Before the wrapped 5xx or network error: those would say "try again".
		what := tx.WhatBooking
		if unsure.Action == "cancel" {
			what = tx.WhatCancel
		}
		return fmt.Sprintf(tx.ErrUncertain, what)
	}
	if login, ok := errors.AsType[*aimharder.LoginError](err); ok {
		return loginWords(tx, login)
	}
	return outcome.Explain(err, outcomeLang(tx))
}

// loginWords says a refused login by its class (aimharder's, as the CLI
// does; docs/protocol.md §2.1): a wrong password, a lockout, a refusal in
// words ahtui does not know (with AimHarder's words, or saying it gave
// none), or a login that opened no session. Raw detail (the shape, the
// client's reason) stays in the log, never on the form.
func loginWords(tx *i18n.Text, e *aimharder.LoginError) string {
	lang := outcomeLang(tx)
	said := strings.TrimSpace(e.Message)
	switch {
	case errors.Is(e, aimharder.ErrBadCredentials):
		return tx.ErrBadLogin
	case errors.Is(e, aimharder.ErrTooManyAttempts):
		w := tx.ErrLocked + " — " + tx.ErrLockedWait
		if said != "" {
			w += ". " + outcome.Says(lang, said)
		}
		return w
	case errors.Is(e, aimharder.ErrLoginRefused):
		if said != "" {
			return tx.ErrLoginRefused + " — " + outcome.Says(lang, said)
		}
		return tx.ErrLoginNoReason
	}
	return tx.ErrLoginIncomplete
}

// outcomeLang is the outcome language of the UI's texts.
func outcomeLang(tx *i18n.Text) outcome.Lang { return outcome.Lang(tx.Lang) }
