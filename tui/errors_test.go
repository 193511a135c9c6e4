package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
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

// Network failures and a 403 get their own words in both languages, never
// the raw error, and the 403 never claims a country.
func TestExplainNetworkTroubleInWords(t *testing.T) {
	te := func(cause error) error { return &aimharder.TransportError{Endpoint: "bookings", Err: cause} }
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		for _, tc := range []struct {
			err  error
			want string
		}{
			{te(io.EOF), tx.ErrNetCut},
			{te(errors.New("net/http: timeout awaiting response headers")), tx.ErrNetTimeout},
			{context.DeadlineExceeded, tx.ErrNetTimeout},
			{te(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), tx.ErrNetRefused},
			{te(&net.DNSError{Err: "no such host", Name: "aimharder.com", IsNotFound: true}), tx.ErrNetDNS},
			{te(errors.New("tls: handshake failure")), tx.ErrNetTLS},
			{te(errors.New("interrupt signal received")), tx.ErrInterrupted},
			{te(errors.New("proxyconnect tcp: odd")), tx.ErrNetwork},
			{&aimharder.BlockedError{Endpoint: "book", Status: 403}, tx.ErrBlocked},
			{&aimharder.UnexpectedAnswerError{Endpoint: "book", HTML: true}, tx.ErrUnexpected},
			{session.ErrBusy, tx.ErrBusy},
		} {
			if got := explain(tx, tc.err); got != tc.want {
				t.Errorf("%v: %v reads %q, want %q", lang, tc.err, got, tc.want)
			}
		}
		if strings.Contains(tx.ErrBlocked, "Spain") || strings.Contains(tx.ErrBlocked, "España") || !strings.Contains(tx.ErrBlocked, "HTTPS_PROXY") {
			t.Errorf("%v: the 403 reads %q", lang, tx.ErrBlocked)
		}
		if !strings.Contains(tx.ErrBusy, "sqlite3") {
			t.Errorf("%v: a lock reads %q", lang, tx.ErrBusy)
		}
	}
}

// Refusals without a state (docs/protocol.md §10B) read in AimHarder's
// words, never "code 0" nor the raw error, in both languages.
func TestExplainAnswersWithoutState(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		got := explain(tx, &aimharder.BookingError{NoState: true, Message: "Has alcanzado el máximo"})
		if !strings.HasPrefix(got, tx.ErrRefusedStated) || !strings.Contains(got, "Has alcanzado el máximo") || strings.Contains(got, " 0)") {
			t.Errorf("%v book: %q", lang, got)
		}
		got = explain(tx, &aimharder.CancelError{NoState: true, Message: "Penalización"})
		if !strings.HasPrefix(got, tx.ErrCancelRefused) || !strings.Contains(got, "Penalización") || strings.Contains(got, "cancelBook") {
			t.Errorf("%v cancel: %q", lang, got)
		}
	}
}
