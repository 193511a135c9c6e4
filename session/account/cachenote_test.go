package account_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// A booking or a waitlist place AimHarder accepted is written into the
// cached class list at once: another screen on the database reads it from
// the store without asking AimHarder (a CLI `book` leaves no day read).
func TestBookNotesTheBookingInTheCachedDay(t *testing.T) {
	w := world()
	w.Boxes[0].Template = []aimhardertest.ClassTemplate{
		{Start: "18:00", Minutes: 60, Name: "WOD", Capacity: 10},
		{Start: "19:00", Minutes: 60, Name: "FULL", Capacity: 10, Booked: 10},
	}
	w.Boxes[0].WaitlistCapacity = 5
	fake, urls := aimhardertest.Start(t, w)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	box := res.Current
	day := aimharder.DateOf(time.Now().In(fake.Location(boxSub))).AddDays(1)
	if _, err := svc.Day(t.Context(), session.KindDevice, box, day); err != nil { // fills the cache
		t.Fatal(err)
	}
	classes := fake.Classes(boxSub, day)
	if len(classes) != 2 {
		t.Fatalf("classes: %+v", classes)
	}
	wod, full := classes[0], classes[1]
	cachedClass := func(id int64) account.ClassView {
		t.Helper()
		cached, ok, err := svc.CachedDay(t.Context(), box, day)
		if err != nil || !ok {
			t.Fatalf("cached day: %v %v", ok, err)
		}
		c, _ := cached.FindClass(id)
		return c
	}
	// bookState 1 is a place: no day read follows, the cache is written.
	if _, err := svc.Book(t.Context(), session.KindDevice, box, wod.ID, day, false); err != nil {
		t.Fatal(err)
	}
	if got := cachedClass(wod.ID); got.State != account.StateBooked || got.ReservationID == 0 || got.Occupancy != 1 {
		t.Errorf("cached WOD after booking: %s, reservation %d, occupancy %d", got.State, got.ReservationID, got.Occupancy)
	}
	if _, err := svc.Book(t.Context(), session.KindDevice, box, full.ID, day, true); err != nil {
		t.Fatal(err)
	}
	if got := cachedClass(full.ID); got.State != account.StateWaitlisted || got.Waitlist < 1 || got.Occupancy != 10 {
		t.Errorf("cached full class after joining its waitlist: %s, waitlist %d, occupancy %d", got.State, got.Waitlist, got.Occupancy)
	}
	// Cancelling reads the day again and caches it: the place is free.
	if _, err := svc.Cancel(t.Context(), session.KindDevice, box, wod.ID, day, false); err != nil {
		t.Fatal(err)
	}
	if got := cachedClass(wod.ID); got.State == account.StateBooked || got.Occupancy != 0 {
		t.Errorf("cached WOD after cancelling: %s, occupancy %d", got.State, got.Occupancy)
	}
}

// A booking for another family member than the cache's (the family_id
// setting's) leaves the cached list alone: it shows the setting's person.
func TestBookForAnotherFamilyMemberLeavesTheCache(t *testing.T) {
	w := world()
	w.Users[0].Family = []aimhardertest.MemberConfig{{ID: 4243, Name: "Leo"}}
	fake, urls := aimhardertest.Start(t, w)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	box := res.Current
	day := aimharder.DateOf(time.Now().In(fake.Location(boxSub))).AddDays(1)
	if _, err := svc.Day(t.Context(), session.KindDevice, box, day); err != nil {
		t.Fatal(err)
	}
	c := fake.Classes(boxSub, day)[0]
	if _, err := svc.BookFor(t.Context(), session.KindDevice, box, c.ID, day, false, "4243"); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Reservations(email, "4243")); n != 1 {
		t.Fatalf("Leo has %d reservations", n)
	}
	cached, _, _ := svc.CachedDay(t.Context(), box, day)
	if got, _ := cached.FindClass(c.ID); got.State == account.StateBooked {
		t.Errorf("the holder's cached list shows Leo's booking as theirs")
	}
}
