// Package aimharder is a client for the AimHarder member web protocol
// (login, keep-alive, box discovery, class listing, booking and
// cancelling), written from ../shared/aimharder-protocol.md.
//
// The client is stateless about credentials: every call takes the
// Credentials to use and returns the Credentials as the server left them
// (rotated token, changed cookies), for the caller to persist. It never
// keeps a copy between calls.
package aimharder
