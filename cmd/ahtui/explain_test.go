package main

import (
	"strings"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
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
