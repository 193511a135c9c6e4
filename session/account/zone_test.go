package account_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// A box whose name says nothing is placed by its address: the login reads
// today's class list for it, and a later list whose address places the
// box elsewhere moves it there, its classes read in the new zone (and so
// is the cached copy).
func TestClassListsPlaceTheBox(t *testing.T) {
	w := world()
	w.Boxes[0].Timezone = "Atlantic/Canary"
	w.Boxes[0].Address = "Calle León y Castillo 10, 35003 Las Palmas de Gran Canaria"
	_, urls := aimhardertest.Start(t, w)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Current; b.Timezone != "Atlantic/Canary" || b.TimezoneSource() != session.TimezoneDetected || b.TimezoneClue != "35003" {
		t.Fatalf("after login: %s (%s, %s), want Atlantic/Canary detected from 35003", b.Timezone, b.TimezoneSource(), b.TimezoneClue)
	}
	// As if the box had moved from the mainland since.
	madridBox, changed, err := svc.Store().NoteBoxAddress(t.Context(), res.Current.ID, "Calle Mayor 1, 28013 Madrid")
	if err != nil || !changed || madridBox.Timezone != session.DefaultTimezone {
		t.Fatalf("moved to Madrid: %+v %v %v", madridBox, changed, err)
	}
	canary, _ := time.LoadLocation("Atlantic/Canary")
	tomorrow := aimharder.DateOf(time.Now().In(canary)).AddDays(1)
	day, err := svc.Day(t.Context(), session.KindDevice, madridBox, tomorrow)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(tomorrow.Year, tomorrow.Month, tomorrow.Day, 18, 0, 0, 0, canary)
	if len(day.Classes) != 1 || !day.Classes[0].Start.Equal(want) || day.Classes[0].Start.Location().String() != "Atlantic/Canary" {
		t.Fatalf("classes %+v, want one at 18:00 Canary", day.Classes)
	}
	box, err := svc.Store().Box(t.Context(), res.Current.ID)
	if err != nil || box.Timezone != "Atlantic/Canary" || box.TimezoneSource() != session.TimezoneDetected {
		t.Fatalf("box after its class list: %+v %v", box, err)
	}
	cached, ok, err := svc.CachedDay(t.Context(), box, tomorrow)
	if err != nil || !ok || len(cached.Classes) != 1 || !cached.Classes[0].Start.Equal(want) {
		t.Errorf("cached day: %+v %v %v", cached.Classes, ok, err)
	}
	// Read with a stale box value in another zone, the cached copy still
	// shows AimHarder's wall-clock time.
	stale, _, _ := svc.CachedDay(t.Context(), madridBox, tomorrow)
	if len(stale.Classes) != 1 || stale.Classes[0].Start.Hour() != 18 {
		t.Errorf("cached day in the old zone: %+v", stale.Classes)
	}
}
