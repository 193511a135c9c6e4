package tui

import (
	"errors"
	"fmt"

	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
	"github.com/ahtui/ahtui/tui/i18n"
)

// needsLogin reports whether an error means the device session is gone.
func needsLogin(err error) bool { return outcome.NeedsLogin(err) }

// explain turns an error into words a member understands, in the UI's
// language, keeping the server's own message when it sent one. The words
// are session/outcome's; only the uncertain answer names the TUI's key.
func explain(tx *i18n.Text, err error) string {
	if unsure, ok := errors.AsType[*account.UncertainError](err); ok {
		// Before the wrapped 5xx or network error: those would say "try again".
		what := tx.WhatBooking
		if unsure.Action == "cancel" {
			what = tx.WhatCancel
		}
		return fmt.Sprintf(tx.ErrUncertain, what)
	}
	return outcome.Explain(err, outcomeLang(tx))
}

// outcomeLang is the outcome language of the UI's texts.
func outcomeLang(tx *i18n.Text) outcome.Lang { return outcome.Lang(tx.Lang) }
