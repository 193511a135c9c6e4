package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// A booking whose reply was lost and could not be checked must not read
// as "AimHarder is having trouble, try again": it may have gone through.
func TestExplainUncertainBooking(t *testing.T) {
	lost := &aimharder.HTTPError{Endpoint: "book", Status: 502}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		got := explain(tx, &account.UncertainError{Action: "booking", Err: lost})
		if !strings.Contains(got, tx.WhatBooking) || got == explain(tx, lost) {
			t.Errorf("%v: %q", lang, got)
		}
	}
	if got := explain(i18n.For(i18n.EN), errors.Join(lost)); !strings.Contains(got, "502") {
		t.Errorf("a plain 502 reads %q", got)
	}
}

// A full disk and a damaged database get their own words in both
// languages, not the raw SQLite text.
func TestExplainDatabaseTrouble(t *testing.T) {
	full := fmt.Errorf("save setting: %w", &session.DiskFullError{Path: "/data/ahtui.db", Reason: "no space left on the file system"})
	damaged := fmt.Errorf("list prebookings: %w", &session.NotDatabaseError{Path: "/data/ahtui.db", Reason: "SQLite found it damaged"})
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		if got := explain(tx, full); got != tx.ErrDiskFull {
			t.Errorf("%v: a full disk reads %q", lang, got)
		}
		if got := explain(tx, damaged); got != tx.ErrDamaged {
			t.Errorf("%v: a damaged database reads %q", lang, got)
		}
	}
}
