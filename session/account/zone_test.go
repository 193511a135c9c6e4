package account_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// A box whose name says nothing is at the default zone until its first
// class list gives the address; that list is then read in the detected
// zone, and so is the cached copy.
func TestFirstClassListPlacesTheBox(t *testing.T) {
	w := world()
	w.Boxes[0].Timezone = "Atlantic/Canary"
	w.Boxes[0].Address = "Calle León y Castillo 10, 35003 Las Palmas de Gran Canaria"
	_, urls := aimhardertest.Start(t, w)
	svc := newService(t, filepath.Join(t.TempDir(), "a.db"), urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Current; b.Timezone != session.DefaultTimezone || b.TimezoneSource() != session.TimezoneDefault {
		t.Fatalf("after login: %s (%s), want the default", b.Timezone, b.TimezoneSource())
	}
	canary, _ := time.LoadLocation("Atlantic/Canary")
	tomorrow := aimharder.DateOf(time.Now().In(canary)).AddDays(1)
	day, err := svc.Day(t.Context(), session.KindDevice, res.Current, tomorrow)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(tomorrow.Year, tomorrow.Month, tomorrow.Day, 18, 0, 0, 0, canary)
	if len(day.Classes) != 1 || !day.Classes[0].Start.Equal(want) || day.Classes[0].Start.Location().String() != "Atlantic/Canary" {
		t.Fatalf("classes %+v, want one at 18:00 Canary", day.Classes)
	}
	box, err := svc.Store().Box(t.Context(), res.Current.ID)
	if err != nil || box.Timezone != "Atlantic/Canary" || box.TimezoneSource() != session.TimezoneDetected || box.TimezoneClue != "35003" {
		t.Fatalf("box after its class list: %+v %v", box, err)
	}
	cached, ok, err := svc.CachedDay(t.Context(), box, tomorrow)
	if err != nil || !ok || len(cached.Classes) != 1 || !cached.Classes[0].Start.Equal(want) {
		t.Errorf("cached day: %+v %v %v", cached.Classes, ok, err)
	}
	// A cached copy read with the old zone (a stale box value) still shows
	// AimHarder's wall-clock time once the box is placed.
	stale, _, _ := svc.CachedDay(t.Context(), res.Current, tomorrow)
	if len(stale.Classes) != 1 || stale.Classes[0].Start.Hour() != 18 {
		t.Errorf("cached day in the old zone: %+v", stale.Classes)
	}
}
