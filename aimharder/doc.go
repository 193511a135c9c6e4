// Package aimharder is a client for the AimHarder member web protocol
// (login, keep-alive, box discovery, class listing, booking and
// cancelling), written from docs/protocol.md.
//
// The client is stateless about credentials: every call takes the
// Credentials to use and returns the Credentials as the server left them
// (rotated token, changed cookies), for the caller to persist. It never
// keeps a copy between calls, and uses no cookie jar.
//
// Errors are typed: branch with errors.Is on the sentinels (ErrLoggedOut,
// ErrTooEarly, ErrAlreadyBooked, …) and use errors.As for details
// (*BookingError, *TooEarlyError, *ProtocolError, …). No error, log line or
// String() output contains a token, cookie value or password.
//
// The protocol is unofficial. Comments cite the sections of docs/protocol.md
// and confidence tags: [LIVE] and [MULTI] are observed behaviour, [ONE] a
// single source, [GUESS] an assumption, and MODELLED marks a format
// invented for the fake server (the attendee list, attendees.go). Those are
// the places to correct from a real capture.
//
// Files by concern: client.go (transport), login.go, session.go (whoami,
// setrefresh, tokenUpdate, logout), boxes.go, classes.go, attendees.go,
// book.go (book, prepared book, cancel), nextbookings.go, decode.go
// (lenient JSON), errors.go, window.go (booking-window rules) and
// tooearly.go (reading the window from a refusal).
package aimharder
