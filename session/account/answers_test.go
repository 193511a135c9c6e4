package account_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// The minority answer shapes of docs/protocol.md §10B, through the account
// service.

// TestAnswersBookStateZeroSettledFromTheDay: a place answered bookState 0
// is told "booked", as the day shows it; the day unreadable leaves it
// unsettled (waitlisted as answered).
func TestAnswersBookStateZeroSettledFromTheDay(t *testing.T) {
	fake, svc, box := loggedIn(t)
	c := tomorrowsClass(t, fake)
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{BookedAsWaitlisted: true},
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBook}})
	out, err := svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false)
	if err != nil || out.State != aimharder.StateBooked || out.Unsettled || out.ReservationID == 0 {
		t.Fatalf("%+v, %v; want booked, as the day shows", out, err)
	}
	if _, err := svc.Cancel(t.Context(), session.KindDevice, box, c.ID, c.Date, false); err != nil {
		t.Fatal(err)
	}
	// The day cannot be read after the answer: the answer's state, unsettled.
	fake.Inject(aimhardertest.Fault{Kind: aimhardertest.FaultStatus, Status: 503,
		Endpoints: []aimhardertest.Endpoint{aimhardertest.EndpointBookings}})
	out, err = svc.Book(t.Context(), session.KindDevice, box, c.ID, c.Date, false)
	if err != nil || out.State != aimharder.StateWaitlisted || !out.Unsettled || out.ReservationID == 0 {
		t.Fatalf("%+v, %v; want waitlisted as answered, unsettled", out, err)
	}
}

func TestSettleState(t *testing.T) {
	view := func(s aimharder.UserState, id int64) account.ClassView {
		return account.ClassView{Class: aimharder.Class{State: s, ReservationID: id}}
	}
	for _, tc := range []struct {
		answered aimharder.UserState
		listed   account.ClassView
		ok       bool
		want     aimharder.UserState
		id       int64
		settled  bool
	}{
		{aimharder.StateBooked, account.ClassView{}, false, aimharder.StateBooked, 0, true},
		{aimharder.StateWaitlisted, view(aimharder.StateBooked, 5), true, aimharder.StateBooked, 5, true},
		{aimharder.StateWaitlisted, view(aimharder.StateWaitlisted, 6), true, aimharder.StateWaitlisted, 6, true},
		{aimharder.StateWaitlisted, view(aimharder.StateNone, 0), true, aimharder.StateWaitlisted, 0, false},
		{aimharder.StateWaitlisted, account.ClassView{}, false, aimharder.StateWaitlisted, 0, false},
	} {
		state, id, settled := account.SettleState(tc.answered, tc.listed, tc.ok)
		if state != tc.want || id != tc.id || settled != tc.settled {
			t.Errorf("SettleState(%v, %v, %v) = %v %d %v, want %v %d %v", tc.answered, tc.listed.Class.State, tc.ok,
				state, id, settled, tc.want, tc.id, tc.settled)
		}
	}
	if account.NeedsSettling(aimharder.StateBooked) || !account.NeedsSettling(aimharder.StateWaitlisted) {
		t.Error("NeedsSettling")
	}
}

// TestAnswersRefusalWithoutStateIsFinal: a refusal in AimHarder's words
// without bookState comes back as that refusal — never as an uncertain
// (lost) answer.
func TestAnswersRefusalWithoutStateIsFinal(t *testing.T) {
	w := world()
	none := 0
	w.Users[0].Credits = &none
	fake, urls := aimhardertest.Start(t, w)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil || !res.HasCurrent {
		t.Fatalf("login: %+v, %v", res, err)
	}
	c := tomorrowsClass(t, fake)
	fake.SetShape(aimhardertest.Shape{RefusalsWithoutState: true})
	_, err = svc.Book(t.Context(), session.KindDevice, res.Current, c.ID, c.Date, false)
	var be *aimharder.BookingError
	var unsure *account.UncertainError
	if !errors.As(err, &be) || !be.NoState || be.Message == "" || errors.As(err, &unsure) || aimharder.Ambiguous(err) {
		t.Fatalf("%v, want the stated refusal", err)
	}
}
