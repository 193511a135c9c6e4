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

// A screen holds the box as it read it at start; a rule learned or set
// since (here by another process on the same database) applies to the
// states it shows at once: the service works out openings with the box
// as stored now, not the caller's copy.
func TestStatesFollowTheStoredRuleNotTheCallersCopy(t *testing.T) {
	_, urls := aimhardertest.Start(t, world())
	path := filepath.Join(t.TempDir(), "a.db")
	svc := newService(t, path, urls)
	res, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	stale := res.Current // no rule yet
	if stale.Rule().Known() {
		t.Fatalf("fresh box already has a rule: %s", stale.Rule())
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	later := aimharder.DateOf(time.Now().In(madrid)).AddDays(6)
	day, err := svc.Day(t.Context(), session.KindDevice, stale, later)
	if err != nil || len(day.Classes) != 1 {
		t.Fatalf("day: %+v %v", day, err)
	}
	if c := day.Classes[0]; c.State != account.StateOpen || !c.OpensAt.IsZero() {
		t.Fatalf("with no rule: %s opens %v, want open and unknown", c.State, c.OpensAt)
	}
	other := newService(t, path, urls) // another process
	if err := other.Store().SetLearnedWindow(t.Context(), stale.ID, "4d"); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (account.DayView, error){
		func() (account.DayView, error) { return svc.Day(t.Context(), session.KindDevice, stale, later) },
		func() (account.DayView, error) {
			d, _, err := svc.CachedDay(t.Context(), stale, later)
			return d, err
		},
	} {
		day, err := read()
		if err != nil || len(day.Classes) != 1 {
			t.Fatalf("day: %+v %v", day, err)
		}
		c := day.Classes[0]
		if want := c.Start.AddDate(0, 0, -4); c.State != account.StateNotOpen || !c.OpensAt.Equal(want) {
			t.Errorf("cached=%v: %s opens %v, want not open, opening %v", day.Cached, c.State, c.OpensAt, want)
		}
	}
}
