package aimharder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// newClientAt is a client whose every URL is base.
func newClientAt(t *testing.T, base string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{LoginURL: base, PortalURL: base, BoxURLTemplate: base + "/b/{box}"}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNetworkProblemFromRealFailures: each kind of failure a member meets,
// made for real against local servers, is classified for the words the
// CLI and the TUI show.
func TestNetworkProblemFromRealFailures(t *testing.T) {
	whoami := func(c *Client, ctx context.Context) error {
		_, _, err := c.Whoami(ctx, testCreds())
		return err
	}
	t.Run("cut", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		defer srv.Close()
		if got := NetworkProblem(whoami(newClientAt(t, srv.URL), t.Context())); got != NetCut {
			t.Errorf("a closed connection: %v", got)
		}
	})
	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if got := NetworkProblem(whoami(newClientAt(t, "http://"+addr), t.Context())); got != NetRefused {
			t.Errorf("nothing listening: %v", got)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		c := newClientAt(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
		if got := NetworkProblem(whoami(c, t.Context())); got != NetTimeout {
			t.Errorf("no answer in time: %v", got)
		}
	})
	t.Run("tls", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		defer srv.Close()
		if got := NetworkProblem(whoami(newClientAt(t, srv.URL), t.Context())); got != NetTLS {
			t.Errorf("an unknown certificate: %v", got)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		defer srv.Close()
		ctx, cancel := context.WithCancelCause(t.Context())
		time.AfterFunc(20*time.Millisecond, func() { cancel(errors.New("interrupt signal received")) })
		err := whoami(newClientAt(t, srv.URL), ctx)
		if got := NetworkProblem(err); got != NetInterrupted {
			t.Errorf("cancelled by a signal: %v (%v)", got, err)
		}
	})
}

// TestNetworkProblemCauses: the causes as Go reports them, and the ones
// that only survive as text.
func TestNetworkProblemCauses(t *testing.T) {
	te := func(err error) error { return &TransportError{Endpoint: "bookings", Err: err, msg: err.Error()} }
	for _, tc := range []struct {
		err  error
		want NetProblem
	}{
		{nil, NetNone},
		{errors.New("some other error"), NetNone},
		{&HTTPError{Endpoint: "book", Status: 502}, NetNone},
		{context.Canceled, NetInterrupted},
		{fmt.Errorf("reading: %w", context.DeadlineExceeded), NetTimeout},
		{te(io.EOF), NetCut},
		{te(io.ErrUnexpectedEOF), NetCut},
		{te(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), NetCut},
		{te(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), NetRefused},
		{te(&net.DNSError{Err: "no such host", Name: "aimharder.com", IsNotFound: true}), NetDNS},
		{te(&net.DNSError{Err: "i/o timeout", Name: "aimharder.com", IsTimeout: true}), NetTimeout},
		{te(errors.New("net/http: timeout awaiting response headers")), NetTimeout},
		{te(errors.New("interrupt signal received")), NetInterrupted},
		{te(errors.New("tls: handshake failure")), NetTLS},
		{te(errors.New("proxyconnect tcp: something odd")), NetOther},
		{&TransportError{Endpoint: "tokenUpdate", Err: errors.New("whatever"), Interrupted: true}, NetInterrupted},
	} {
		if got := NetworkProblem(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}
