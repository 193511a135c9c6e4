package aimharder_test

import (
	"context"
	"errors"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// faultOp is one client call aimed at one endpoint of the fake. prepare
// sets the stage (with the fault not yet injected) and returns the call.
type faultOp struct {
	endpoint aimhardertest.Endpoint
	read     bool // an idempotent read: the client may say "retry"
	prepare  func(*env) func() error
}

var faultOps = []faultOp{
	{aimhardertest.EndpointLogin, false, func(e *env) func() error {
		return func() error { _, err := e.tryLogin(ana, password, fpUI); return err }
	}},
	{aimhardertest.EndpointWhoami, true, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		return func() error { _, err := e.whoami(creds); return err }
	}},
	{aimhardertest.EndpointTokenUpdate, false, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		return func() error { _, err := e.refresh(creds); return err }
	}},
	{aimhardertest.EndpointBookings, true, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		return func() error { _, err := e.day(creds, norte, d1); return err }
	}},
	{aimhardertest.EndpointNextBookings, true, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		return func() error { _, err := e.next(creds, norte, ""); return err }
	}},
	{aimhardertest.EndpointBook, false, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		cl := e.classOn(creds, norte, d1, "19:00", "WOD")
		return func() error { _, err := e.book(creds, norte, cl, aimharder.BookOptions{}); return err }
	}},
	{aimhardertest.EndpointCancelBook, false, func(e *env) func() error {
		creds := e.login(ana, fpUI)
		res := e.mustBook(creds, norte, e.classOn(creds, norte, d1, "19:00", "WOD"))
		return func() error { return e.cancel(creds, norte, res.ReservationID, aimharder.CancelOptions{}) }
	}},
}

// TestIntegrationFaults: each fault the fake injects, on each endpoint,
// becomes the typed error the client documents; only reads are retryable.
func TestIntegrationFaults(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name  string
		fault aimhardertest.Fault
		check func(t *testing.T, err error, op faultOp)
	}{
		{"HTTP 503", aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503}, wantHTTPStatus(503)},
		{"HTTP 500", aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 500}, wantHTTPStatus(500)},
		{"HTTP 504", aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 504}, wantHTTPStatus(504)},
		{"geo-block", aimhardertest.Fault{Kind: aimhardertest.FaultGeoBlock}, wantBlocked(403)},
		{"rate limit", aimhardertest.Fault{Kind: aimhardertest.FaultRateLimit}, wantBlocked(429)},
		{"login page", aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage}, func(t *testing.T, err error, op faultOp) {
			if op.endpoint == aimhardertest.EndpointLogin {
				// Not a lost session: the login itself got no JSON.
				wantProtocol(t, err, op, false)
				return
			}
			// A page is an unexpected answer, not a logout (docs/protocol.md
			// §10): retryable like a 5xx for reads, ambiguous for writes.
			var ue *aimharder.UnexpectedAnswerError
			if errors.Is(err, aimharder.ErrLoggedOut) || !errors.As(err, &ue) || ue.Endpoint != string(op.endpoint) ||
				!ue.HTML || ue.Status != 200 || aimharder.IsRetryable(err) != op.read || !aimharder.Ambiguous(err) {
				t.Errorf("%v, want an UnexpectedAnswerError from %s (retryable %v)", err, op.endpoint, op.read)
			}
		}},
		{"truncated", aimhardertest.Fault{Kind: aimhardertest.FaultTruncate}, func(t *testing.T, err error, op faultOp) {
			wantProtocol(t, err, op, op.read)
		}},
		{"dropped", aimhardertest.Fault{Kind: aimhardertest.FaultDrop}, func(t *testing.T, err error, op faultOp) {
			var te *aimharder.TransportError
			if !errors.As(err, &te) || te.Endpoint != string(op.endpoint) || te.Retryable != op.read || aimharder.IsRetryable(err) != op.read {
				t.Errorf("%#v, want a TransportError from %s (retryable %v)", err, op.endpoint, op.read)
			}
		}},
	}
	for _, f := range faults {
		for _, op := range faultOps {
			t.Run(f.name+"/"+string(op.endpoint), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				run := op.prepare(e)
				fault := f.fault
				// Every request to the endpoint: Go's transport resends an
				// idempotent GET once when a reused connection drops.
				fault.Endpoints = []aimhardertest.Endpoint{op.endpoint}
				e.fake.Inject(fault)
				err := run()
				if err == nil {
					t.Fatal("no error")
				}
				f.check(t, err, op)
				if r := e.lastRequest(op.endpoint); len(r.Faults) == 0 {
					t.Errorf("the fault was not applied: %+v", r)
				}
			})
		}
	}
}

func wantHTTPStatus(status int) func(*testing.T, error, faultOp) {
	return func(t *testing.T, err error, op faultOp) {
		var he *aimharder.HTTPError
		if !errors.As(err, &he) || he.Status != status || he.Endpoint != string(op.endpoint) ||
			he.Retryable != op.read || aimharder.IsRetryable(err) != op.read {
			t.Errorf("%#v, want an HTTPError %d from %s (retryable %v)", err, status, op.endpoint, op.read)
		}
	}
}

func wantBlocked(status int) func(*testing.T, error, faultOp) {
	return func(t *testing.T, err error, op faultOp) {
		var be *aimharder.BlockedError
		if !errors.Is(err, aimharder.ErrBlocked) || !errors.As(err, &be) || be.Status != status || be.Endpoint != string(op.endpoint) || aimharder.IsRetryable(err) {
			t.Errorf("%v, want a BlockedError %d from %s", err, status, op.endpoint)
		}
	}
}

func wantProtocol(t *testing.T, err error, op faultOp, retryable bool) {
	t.Helper()
	var pe *aimharder.ProtocolError
	if !errors.Is(err, aimharder.ErrProtocol) || !errors.As(err, &pe) || pe.Endpoint != string(op.endpoint) ||
		!strings.Contains(err.Error(), string(op.endpoint)) || pe.Retryable != retryable || aimharder.IsRetryable(err) != retryable {
		t.Errorf("%#v, want a ProtocolError naming %s (retryable %v)", err, op.endpoint, retryable)
	}
}

// TestIntegrationLostReplies: when the reply of a write is lost after the
// server acted, the client reports a non-retryable error and a re-read
// shows what happened.
func TestIntegrationLostReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	after := func(kind aimhardertest.FaultKind, ep aimhardertest.Endpoint) {
		e.fake.Inject(aimhardertest.Fault{Kind: kind, Status: 502, AfterProcessing: true, Times: 1, Endpoints: []aimhardertest.Endpoint{ep}})
	}

	after(aimhardertest.FaultStatus, aimhardertest.EndpointBook)
	_, err := e.book(creds, norte, cl, aimharder.BookOptions{})
	var he *aimharder.HTTPError
	if !errors.As(err, &he) || he.Status != 502 || aimharder.IsRetryable(err) {
		t.Fatalf("book: %v, want a non-retryable HTTP 502", err)
	}
	row := e.classOn(creds, norte, d1, "19:00", "WOD")
	if row.State != aimharder.StateBooked || row.ReservationID == 0 {
		t.Fatalf("the re-read does not show the booking: %+v", row)
	}

	after(aimhardertest.FaultDrop, aimhardertest.EndpointCancelBook)
	err = e.cancel(creds, norte, row.ReservationID, aimharder.CancelOptions{})
	var te *aimharder.TransportError
	if !errors.As(err, &te) || aimharder.IsRetryable(err) {
		t.Fatalf("cancel: %v, want a non-retryable TransportError", err)
	}
	if row := e.classOn(creds, norte, d1, "19:00", "WOD"); row.State != aimharder.StateNone {
		t.Fatalf("the re-read does not show the cancel: %+v", row)
	}

	// A cut tokenUpdate reply: the token rotated, so sending it again is
	// refused; the session itself lives on.
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultTruncate, Times: 1, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointTokenUpdate}})
	if _, err := e.refresh(creds); !errors.Is(err, aimharder.ErrProtocol) || aimharder.IsRetryable(err) {
		t.Fatalf("cut tokenUpdate: %v, want a non-retryable ProtocolError", err)
	}
	if _, err := e.refresh(creds); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("tokenUpdate again: %v, want ErrLoggedOut", err)
	}
	if _, err := e.whoami(creds); err != nil {
		t.Fatalf("whoami: %v", err)
	}
	if e.fake.PendingFaults() != 0 {
		t.Fatalf("%d faults not applied", e.fake.PendingFaults())
	}
}

// TestIntegrationForcedLogoutFault: a session killed just before a request
// is judged gives the public view on reads and ErrLoggedOut on writes.
func TestIntegrationForcedLogoutFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	e.mustBook(creds, norte, e.classOn(creds, norte, d1, "07:00", "WOD"))
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLogout, Times: 1, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}})
	day := e.mustDay(creds, norte, d1)
	if day.MemberData || e.class(day, "07:00", "WOD").State != aimharder.StateNone {
		t.Fatalf("the public view carries member data: %+v", day)
	}
	if _, err := e.book(creds, norte, e.class(day, "19:00", "WOD"), aimharder.BookOptions{}); !errors.Is(err, aimharder.ErrLoggedOut) {
		t.Fatalf("book: %v", err)
	}
}

// TestIntegrationTimeout: an answer slower than RequestTimeout is a
// TransportError matching context.DeadlineExceeded, retryable for reads.
// The fake's delays end as soon as the client hangs up, so the test takes
// about RequestTimeout per call.
func TestIntegrationTimeout(t *testing.T) {
	t.Parallel()
	e := startEnv(t, integrationWorld(), t0, func(c *aimharder.Config) { c.RequestTimeout = 300 * time.Millisecond })
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	slow := e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{In: time.Hour}})

	_, err := e.day(creds, norte, d1)
	var te *aimharder.TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || te.Endpoint != "bookings" || !aimharder.IsRetryable(err) {
		t.Fatalf("slow day: %v, want a retryable timeout", err)
	}
	_, err = e.book(creds, norte, cl, aimharder.BookOptions{})
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || aimharder.IsRetryable(err) {
		t.Fatalf("slow book: %v, want a non-retryable timeout", err)
	}
	e.fake.RemoveFault(slow)
	if _, ok := e.active(ana, "", cl.ID); ok {
		t.Fatal("a request that never arrived booked")
	}

	// Slow on the way back: the fake books, the client gives up.
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLatency, Latency: aimhardertest.Latency{Out: time.Hour},
		Times: 1, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	if _, err = e.book(creds, norte, cl, aimharder.BookOptions{}); !errors.Is(err, context.DeadlineExceeded) || aimharder.IsRetryable(err) {
		t.Fatalf("slow book reply: %v, want a non-retryable timeout", err)
	}
	waitFor(t, "the fake to log the book", func() bool {
		books := e.requests(aimhardertest.EndpointBook)
		return len(books) > 0 && books[len(books)-1].Code == "bookState=1"
	})
	if row := e.classOn(creds, norte, d1, "19:00", "WOD"); row.State != aimharder.StateBooked {
		t.Fatalf("the re-read does not show the booking: %+v", row)
	}
}

// TestIntegrationContextCancelled: a caller's cancellation ends a request
// in flight (here: right after it was written) and is never retryable.
func TestIntegrationContextCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	e.fake.SetLatency(aimhardertest.Latency{In: time.Hour})
	cancelOnceSent := func() context.Context {
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
	}

	_, _, err := e.c.Day(cancelOnceSent(), creds, norte, d1, "")
	var te *aimharder.TransportError
	if !errors.As(e.note(err), &te) || !errors.Is(err, context.Canceled) || te.Retryable || aimharder.IsRetryable(err) {
		t.Fatalf("cancelled day: %v, want a non-retryable TransportError matching context.Canceled", err)
	}
	_, _, err = e.c.Book(cancelOnceSent(), creds, norte, cl.ID, cl.Date, aimharder.BookOptions{})
	if !errors.As(e.note(err), &te) || !errors.Is(err, context.Canceled) || aimharder.IsRetryable(err) {
		t.Fatalf("cancelled book: %v", err)
	}
	e.fake.SetLatency(aimhardertest.Latency{})
	if _, ok := e.active(ana, "", cl.ID); ok {
		t.Fatal("a cancelled request booked")
	}
}

// waitFor polls cond until it holds; the deadline only guards against a
// hang, nothing is asserted about time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestIntegrationConfirmLogout: a page on /api/book is only a hint. With
// the session alive whoami says so and the error stays an unexpected
// answer (the booking went through: the day shows it); with the session
// really over whoami confirms the logout. Other errors ask nothing.
func TestIntegrationConfirmLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.login(ana, fpUI)
	cl := e.classOn(creds, norte, d1, "19:00", "WOD")
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, AfterProcessing: true, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	_, err := e.book(creds, norte, cl, aimharder.BookOptions{})
	if !errors.Is(err, aimharder.ErrUnexpectedAnswer) || errors.Is(err, aimharder.ErrLoggedOut) || !aimharder.Ambiguous(err) {
		t.Fatalf("book: %v, want an ambiguous unexpected answer", err)
	}
	whoamis := func() int {
		n := 0
		for _, r := range e.fake.Requests() {
			if r.Endpoint == aimhardertest.EndpointWhoami {
				n++
			}
		}
		return n
	}
	before := whoamis()
	if _, got := e.c.ConfirmLogout(e.ctx, creds, err); got != err {
		t.Fatalf("alive: %v, want the unexpected answer unchanged", got)
	}
	if whoamis() != before+1 {
		t.Fatalf("ConfirmLogout sent %d whoami, want 1", whoamis()-before)
	}
	if row := e.classOn(creds, norte, d1, "19:00", "WOD"); row.State != aimharder.StateBooked {
		t.Fatalf("the booking behind the page is missing: %+v", row)
	}

	// A 5xx is not a hint of anything: no request.
	other := &aimharder.HTTPError{Endpoint: "book", Status: 502}
	if _, got := e.c.ConfirmLogout(e.ctx, creds, other); got != other || whoamis() != before+1 {
		t.Fatalf("a 5xx: %v, %d whoami", got, whoamis()-before)
	}

	// Really logged out: the page on book is confirmed as a logout.
	e.fake.ForceLogout(ana, "")
	e.fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, Times: 1,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	_, err = e.book(creds, norte, e.classOn(aimharder.Credentials{}, norte, d1, "07:00", "WOD"), aimharder.BookOptions{})
	if !errors.Is(err, aimharder.ErrUnexpectedAnswer) {
		t.Fatalf("book logged out: %v", err)
	}
	_, got := e.c.ConfirmLogout(e.ctx, creds, err)
	var lo *aimharder.LoggedOutError
	if !errors.As(got, &lo) || lo.Endpoint != "book" {
		t.Fatalf("logged out: %v, want a LoggedOutError from book", got)
	}
}
