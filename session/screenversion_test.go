package session

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// A write by another process on the same file — a cached class list, a
// prebooking, a setting, a history line, a box — moves the screen version
// this one reads; reads and runner lease heartbeats do not.
func TestScreenVersionSeesOtherProcessesWrites(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ahtui.db")
	clock := newTestClock()
	a := openAt(t, path, WithClock(clock.Now))
	b := openAt(t, path, WithClock(clock.Now)) // another process on the same file
	if err := a.SyncBoxes(ctx, []BoxInfo{{ID: 20, Subdomain: "norte", Name: "Norte CF"}}); err != nil {
		t.Fatal(err)
	}
	version := func(s *Store) int64 {
		t.Helper()
		v, err := s.ScreenVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := aimharder.DateOf(clock.Now()).AddDays(2)
	v0 := version(b)
	if v0 != version(a) {
		t.Fatalf("the two stores read different versions")
	}
	if _, err := b.Prebookings(ctx, PrebookingQuery{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AcquireRunnerLease(ctx, "prebookings", "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RenewRunnerLease(ctx, "prebookings", "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.SetSetting(ctx, "clock.offset_ms", "12"); err != nil { // the runner's clock estimate
		t.Fatal(err)
	}
	if version(b) != v0 {
		t.Fatalf("a read, a lease heartbeat or a clock estimate moved the version")
	}
	steps := []struct {
		name   string
		change func() error
	}{
		{"cached class list", func() error { return a.CacheDay(ctx, 20, day, []byte(`{"Classes":[]}`), clock.Now()) }},
		{"prebooking", func() error {
			_, err := a.AddPrebooking(ctx, NewPrebooking{BoxID: 20, ClassID: 7, Day: day, ClassName: "WOD", ClassStart: clock.Now().Add(48 * time.Hour)})
			return err
		}},
		{"setting", func() error { return a.SetSetting(ctx, SettingFamilyID, "77") }},
		{"history", func() error { _, err := a.Record(ctx, Event{Kind: EventLogin, Message: "logged in"}); return err }},
		{"box", func() error { return a.SetMemberWindow(ctx, 20, "2d@12:00") }},
	}
	last := v0
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if v := version(b); v == last {
			t.Fatalf("%s: the other store still reads version %d", st.name, v)
		} else {
			last = v
		}
	}
	// A claim's heartbeat (fired_at only) shows nothing new; the claim does.
	pbs, err := a.Prebookings(ctx, PrebookingQuery{})
	if err != nil || len(pbs) != 1 {
		t.Fatalf("prebookings: %v %v", pbs, err)
	}
	if _, won, err := a.Claim(ctx, pbs[0].ID, "runner-a"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if v := version(b); v == last {
		t.Fatalf("a claim did not move the version")
	} else {
		last = v
	}
	clock.Advance(40 * time.Millisecond)
	if err := a.TouchClaim(ctx, pbs[0].ID, "runner-a"); err != nil {
		t.Fatal(err)
	}
	if version(b) != last {
		t.Errorf("a claim's heartbeat moved the version: every screen would reload 25 times a second around an opening")
	}
}
