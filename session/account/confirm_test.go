package account_test

import (
	"errors"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func pageOn(fake *aimhardertest.Server, ep aimhardertest.Endpoint, processed bool, times ...int) {
	n := 1
	if len(times) > 0 {
		n = times[0]
	}
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultLoginPage, AfterProcessing: processed, Times: n,
		Endpoints: []aimhardertest.Endpoint{ep}})
}

func sessionState(t *testing.T, svc *account.Service, kind session.Kind) session.State {
	t.Helper()
	s, err := svc.Store().Session(t.Context(), kind)
	if err != nil {
		t.Fatal(err)
	}
	return s.State
}

// TestHTMLIsNotALogout: one page where JSON belongs (docs/protocol.md §10)
// never ends a live session. A book answered by a page after AimHarder
// booked is a success (the day says so); one not booked is an unexpected
// answer; a page on the day list or whoami is an unexpected answer; and
// only when whoami confirms it is the session over.
func TestHTMLIsNotALogout(t *testing.T) {
	fake, svc, box := loggedIn(t)
	c := tomorrowsClass(t, fake)

	pageOn(fake, aimhardertest.EndpointBook, true)
	out, err := svc.Book(t.Context(), session.KindBackground, box, c.ID, c.Date, false)
	if err != nil || out.State != aimharder.StateBooked || out.ReservationID == 0 {
		t.Fatalf("book answered by a page after booking: %+v, %v", out, err)
	}
	if st := sessionState(t, svc, session.KindBackground); st != session.StateLive {
		t.Fatalf("one page ended the session: %s", st)
	}
	if _, err := svc.Cancel(t.Context(), session.KindBackground, box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}

	pageOn(fake, aimhardertest.EndpointBook, false)
	_, err = svc.Book(t.Context(), session.KindBackground, box, c.ID, c.Date, false)
	if !errors.Is(err, aimharder.ErrUnexpectedAnswer) || errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("book answered by a page, not booked: %v, want an unexpected answer", err)
	}

	// A read answered by a page once is read again (like a 5xx); twice,
	// it is an unexpected answer.
	pageOn(fake, aimhardertest.EndpointBookings, false)
	if _, err := svc.Day(t.Context(), session.KindDevice, box, c.Date); err != nil {
		t.Fatalf("day answered by a page once: %v", err)
	}
	pageOn(fake, aimhardertest.EndpointBookings, false, 2)
	if _, err := svc.Day(t.Context(), session.KindDevice, box, c.Date); !errors.Is(err, aimharder.ErrUnexpectedAnswer) {
		t.Fatalf("day answered by a page: %v", err)
	}
	pageOn(fake, aimhardertest.EndpointWhoami, false)
	if err := svc.CheckAlive(t.Context(), session.KindBackground, 0); !errors.Is(err, aimharder.ErrUnexpectedAnswer) {
		t.Fatalf("whoami answered by a page: %v", err)
	}
	for _, kind := range []session.Kind{session.KindDevice, session.KindBackground} {
		if st := sessionState(t, svc, kind); st != session.StateLive {
			t.Fatalf("%s session %s after stray pages", kind, st)
		}
	}
	// Both sessions still work.
	if _, err := svc.Day(t.Context(), session.KindDevice, box, c.Date); err != nil {
		t.Fatal(err)
	}
	if err := svc.CheckAlive(t.Context(), session.KindBackground, 0); err != nil {
		t.Fatal(err)
	}

	// Really logged out: the page is confirmed by whoami.
	fake.ForceLogout(email, "")
	pageOn(fake, aimhardertest.EndpointBook, false)
	_, err = svc.Book(t.Context(), session.KindBackground, box, c.ID, c.Date, false)
	if !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("book answered by a page while logged out: %v, want ErrSessionExpired", err)
	}
	if st := sessionState(t, svc, session.KindBackground); st != session.StateDead {
		t.Errorf("background session %s after a confirmed logout", st)
	}
}
