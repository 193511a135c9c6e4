package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// The contract (docs/cli.md) names the words for a booking at the same
// start time as another one: "already booked at that time".
func TestBookingMessageSameHourUsesTheContractWords(t *testing.T) {
	msg := bookingMessage(&aimharder.BookingError{Code: -12, Key: aimharder.KeyAlreadyBooked,
		Message: "No puedes hacer más de una reserva a la misma hora"})
	if !strings.Contains(msg, "already booked at that time") || !strings.Contains(msg, "misma hora") {
		t.Errorf("message %q lacks the contract's words or AimHarder's", msg)
	}
}

// Network failures, blocks and a lock read as sentences a member
// understands; the raw error ("EOF", the transport's timeout text, the
// signal's cause) stays in the log.
func TestExplainNetworkTroubleInWords(t *testing.T) {
	te := func(endpoint string, cause error) error {
		return fmt.Errorf("load day: %w", &aimharder.TransportError{Endpoint: endpoint, Err: cause})
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"EOF", te("bookings", io.EOF), "cut before it answered"},
		{"reset", te("bookings", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), "cut before it answered"},
		{"refused", te("bookings", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), "did not accept the connection"},
		{"header timeout", te("bookings", errors.New("net/http: timeout awaiting response headers")), "did not answer in time"},
		{"deadline", te("bookings", context.DeadlineExceeded), "did not answer in time"},
		{"DNS", te("whoami", &net.DNSError{Err: "no such host", Name: "aimharder.com", IsNotFound: true}), "name lookup failed"},
		{"TLS", te("whoami", errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")), "certificate was not accepted"},
		{"signal", te("tokenUpdate", errors.New("interrupt signal received")), "interrupted"},
		{"cancelled", &aimharder.TransportError{Endpoint: "tokenUpdate", Err: context.Canceled, Interrupted: true}, "interrupted"},
		{"other", te("bookings", errors.New("proxyconnect tcp: odd")), "could not reach AimHarder"},
		{"403", &aimharder.BlockedError{Endpoint: "book", Status: 403}, "refused connections from this network"},
		{"page", &aimharder.UnexpectedAnswerError{Endpoint: "book", Status: 200, HTML: true}, "unexpected answer"},
		{"busy", fmt.Errorf("save setting: %w", session.ErrBusy), "another program (perhaps another ahtui, a backup or sqlite3)"},
	} {
		msg, code := explain(tc.err, time.Now())
		if !strings.Contains(msg, tc.want) || code != exitFailed {
			t.Errorf("%s: %q (exit %d), want %q", tc.name, msg, code, tc.want)
		}
		for _, raw := range []string{"EOF", "net/http", "signal received", "aimharder ", "geo-block", "Spain", "x509", "proxyconnect"} {
			if strings.Contains(msg, raw) {
				t.Errorf("%s: %q shows the raw %q", tc.name, msg, raw)
			}
		}
	}
	msg, _ := explain(&aimharder.BlockedError{Endpoint: "book", Status: 403}, time.Now())
	if !strings.Contains(msg, "HTTPS_PROXY") {
		t.Errorf("the 403 does not say what works: %q", msg)
	}
}

// Refusals in the shapes of docs/protocol.md §10B: a box rule's reason
// without a code is shown in AimHarder's words, never as "code 0"; a bare
// −12 says it came without a reason; a cancel refused says so.
func TestExplainAnswersWithoutState(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		want, not string
	}{
		{"book, no state", &aimharder.BookingError{NoState: true, Message: "Has alcanzado el máximo de reservas"},
			`AimHarder refused the booking — AimHarder says: "Has alcanzado el máximo de reservas"`, "code 0"},
		{"bare −12", &aimharder.BookingError{Code: -12}, "without saying why (code -12)", "aimharder book"},
		{"cancel, no state", &aimharder.CancelError{NoState: true, Message: "No se puede cancelar: penalización"},
			`AimHarder did not cancel the booking — AimHarder says: "No se puede cancelar: penalización"`, "cancelState"},
		{"cancel refused", &aimharder.CancelError{State: 3}, "AimHarder did not cancel the booking", "cancelState"},
	} {
		msg, code := explain(tc.err, time.Now())
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.not) || code != exitFailed {
			t.Errorf("%s: %q (exit %d), want %q without %q", tc.name, msg, code, tc.want, tc.not)
		}
	}
}
