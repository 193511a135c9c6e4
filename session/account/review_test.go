package account_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// loggedIn starts the fake, logs the member in and returns the service and
// the box.
func loggedIn(t *testing.T) (*aimhardertest.Server, *account.Service, session.Box) {
	t.Helper()
	fake, urls := aimhardertest.Start(t, world())
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	return fake, svc, res.Current
}

// tomorrow's 18:00 class, bookable now under the 4-day rule.
func tomorrowsClass(t *testing.T, fake *aimhardertest.Server) aimhardertest.ClassInfo {
	t.Helper()
	loc := fake.Location(boxSub)
	day := aimharder.DateOf(time.Now().In(loc)).AddDays(1)
	classes := fake.Classes(boxSub, day)
	if len(classes) != 1 {
		t.Fatalf("classes on %s: %v", day, classes)
	}
	return classes[0]
}

func TestReloginDuringTheSessionCheckReadsTheDayAgain(t *testing.T) {
	fake, svc, box := loggedIn(t)
	c := tomorrowsClass(t, fake)
	if _, err := svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}
	if err := svc.Store().SetSetting(t.Context(), session.SettingPasswordCommand, "printf '%s\\n' "+password); err != nil {
		t.Fatal(err)
	}
	// The server ends the session; the next read gets the public schedule,
	// the session check logs in again, and the day must be read again.
	fake.ForceLogout(email, "")
	day, err := svc.Day(t.Context(), session.KindDevice, box, c.Date)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := day.FindClass(c.ID)
	if got.State != account.StateBooked || got.ReservationID == 0 {
		t.Errorf("after a re-login the day shows %s (reservation %d): the public schedule was taken for the member's", got.State, got.ReservationID)
	}
}

func TestLoginKeepsALiveBackgroundSession(t *testing.T) {
	fake, svc, _ := loggedIn(t)
	before, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	after, _ := svc.Store().Session(t.Context(), session.KindBackground)
	if !after.Credentials.Equal(before.Credentials) || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Error("a second login replaced the live background session (it may be firing)")
	}
	if _, err := svc.Whoami(t.Context(), session.KindBackground); err != nil {
		t.Errorf("background session after a second login: %v", err)
	}
	// A dead background session is logged in again.
	fake.ForceLogout(email, "")
	if _, err := svc.Whoami(t.Context(), session.KindBackground); !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("whoami after a server logout: %v", err)
	}
	if _, err := svc.Login(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	if s, _ := svc.Store().Session(t.Context(), session.KindBackground); s.State != session.StateLive {
		t.Errorf("background session %s after logging in again", s.State)
	}
}

func TestBookWithALostReplyChecksTheDay(t *testing.T) {
	fake, svc, box := loggedIn(t)
	c := tomorrowsClass(t, fake)

	// The booking happened, the reply was lost: a success.
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook},
		Times: 1, AfterProcessing: true})
	out, err := svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false)
	if err != nil || out.State != aimharder.StateBooked || out.ReservationID == 0 {
		t.Fatalf("book with a lost reply after booking: %+v, %v", out, err)
	}
	if _, err := svc.Cancel(t.Context(), session.KindDevice, box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}

	// The request never got through: the error stands.
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}, Times: 1})
	if _, err := svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false); err == nil {
		t.Fatal("a refused booking reported success")
	}

	// Neither the booking nor the check get an answer: uncertain.
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook},
		Times: 1, AfterProcessing: true})
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 502, Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}, Times: 10})
	_, err = svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false)
	var unsure *account.UncertainError
	if !errors.As(err, &unsure) {
		t.Errorf("book with no answer and no check: %v, want an UncertainError", err)
	}
}

func TestPrebookLearnsOrBooks(t *testing.T) {
	fake, svc, box := loggedIn(t)
	// Open now: booked at once.
	c := tomorrowsClass(t, fake)
	res, err := svc.Prebook(t.Context(), session.KindDevice, box, c.ID, c.Date, false)
	if err != nil || res.Booked == nil || res.Prebooking.ID != 0 {
		t.Fatalf("prebook of an open class: %+v, %v", res, err)
	}
	if _, err := svc.Prebook(t.Context(), session.KindDevice, box, c.ID, c.Date, false); !errors.Is(err, account.ErrAlreadyIn) {
		t.Errorf("prebook of a booked class: %v", err)
	}
	// Six days ahead: too early; the refusal teaches the 4-day rule.
	far := fake.Classes(boxSub, c.Date.AddDays(5))[0]
	res, err = svc.Prebook(t.Context(), session.KindDevice, box, far.ID, far.Date, true)
	if err != nil || res.Booked != nil {
		t.Fatalf("prebook of a class not open yet: %+v, %v", res, err)
	}
	if !res.Prebooking.OpensAt.Equal(far.OpensAt) || !res.Prebooking.AllowWaitlist {
		t.Errorf("prebooking opens %v (waitlist %v), the server opens it %v", res.Prebooking.OpensAt, res.Prebooking.AllowWaitlist, far.OpensAt)
	}
	if _, err := svc.Prebook(t.Context(), session.KindDevice, box, far.ID, far.Date, true); !errors.Is(err, account.ErrAlreadyPrebooked) {
		t.Errorf("second prebook: %v", err)
	}
}
