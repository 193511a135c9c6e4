package aimharder

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// NetProblem is what kind of network failure an error is, for words a
// member understands (the raw error belongs in the log).
type NetProblem int

const (
	NetNone        NetProblem = iota // not a network failure
	NetInterrupted                   // the caller gave up: Ctrl-C, a stop signal, a shutdown
	NetTimeout                       // no answer in time
	NetCut                           // the connection closed or was reset before the answer (EOF)
	NetRefused                       // nothing accepted the connection
	NetDNS                           // the name did not resolve
	NetTLS                           // the secure connection failed (certificate, handshake)
	NetOther                         // another network failure
)

// NetworkProblem classifies err: a *TransportError by its cause, and a
// bare context error (a caller that stopped waiting) as interrupted or
// timed out. Anything else is NetNone.
func NetworkProblem(err error) NetProblem {
	if err == nil {
		return NetNone
	}
	var t *TransportError
	if !errors.As(err, &t) {
		switch {
		case errors.Is(err, context.Canceled):
			return NetInterrupted
		case errors.Is(err, context.DeadlineExceeded):
			return NetTimeout
		}
		return NetNone
	}
	if t.Interrupted {
		return NetInterrupted
	}
	cause := t.Err
	var (
		dnsErr  *net.DNSError
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case cause == nil:
		return NetOther
	case errors.As(cause, &dnsErr):
		if dnsErr.IsTimeout {
			return NetTimeout
		}
		return NetDNS
	case errors.Is(cause, context.DeadlineExceeded), errors.As(cause, &netErr) && netErr.Timeout():
		return NetTimeout
	case errors.Is(cause, context.Canceled):
		return NetInterrupted
	case errors.As(cause, &certErr), errors.As(cause, &unknown), errors.As(cause, &host), errors.As(cause, &invalid),
		errors.As(cause, &record), errors.As(cause, &alert):
		return NetTLS
	case errors.Is(cause, syscall.ECONNREFUSED):
		return NetRefused
	case errors.Is(cause, io.EOF), errors.Is(cause, io.ErrUnexpectedEOF), errors.Is(cause, syscall.ECONNRESET),
		errors.Is(cause, syscall.ECONNABORTED), errors.Is(cause, syscall.EPIPE), errors.Is(cause, net.ErrClosed):
		return NetCut
	}
	// Causes that only survive as text (a proxy's, a wrapped transport's).
	msg := strings.ToLower(cause.Error())
	switch {
	case strings.Contains(msg, "signal received"):
		return NetInterrupted
	case strings.Contains(msg, "timeout"), strings.Contains(msg, "deadline exceeded"):
		return NetTimeout
	case strings.Contains(msg, "eof"), strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"):
		return NetCut
	case strings.Contains(msg, "connection refused"):
		return NetRefused
	case strings.Contains(msg, "no such host"):
		return NetDNS
	case strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"), strings.Contains(msg, "certificate"):
		return NetTLS
	}
	return NetOther
}
