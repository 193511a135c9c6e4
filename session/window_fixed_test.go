package session

import (
	"context"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// "N días" agrees with a fixed hour N days before: it neither replaces a
// learned one nor says a member's is wrong; "0 días" teaches 0d@00:00.
func TestLearnFromFixedHour(t *testing.T) {
	b := Box{Timezone: "Europe/Madrid", LearnedWindow: "2d@12:00", LearnedWindowState: WindowConfirmed, MemberWindow: ""}
	if l := b.LearnFrom(tooEarly("2d")); l.New || l.MemberDisagrees {
		t.Errorf("2d on a learned 2d@12:00: new %v, member disagrees %v", l.New, l.MemberDisagrees)
	}
	if l := b.LearnFrom(tooEarly("3d")); !l.New || l.Box.LearnedWindowState != "" {
		t.Errorf("3d on a learned 2d@12:00: new %v, state %q", l.New, l.Box.LearnedWindowState)
	}
	m := Box{Timezone: "Europe/Madrid", MemberWindow: "1d@20:00"}
	if l := m.LearnFrom(tooEarly("1d")); l.MemberDisagrees {
		t.Error("1d said the member's 1d@20:00 is wrong")
	}
	zero := &aimharder.TooEarlyError{Key: aimharder.KeyTooEarlyDays, Message: "No puedes reservar clases con más de 0 días de antelación"}
	if l := (Box{Timezone: "Europe/Madrid"}).LearnFrom(zero); !l.New || l.Stated.String() != "0d@00:00" {
		t.Errorf("0 días: new %v, stated %q", l.New, l.Stated.String())
	}
	if l := (Box{Timezone: "Europe/Madrid"}).LearnFrom(&aimharder.TooEarlyError{Message: "10 días"}); l.Stated.Known() {
		t.Errorf("10 días without a rule read as %q", l.Stated.String())
	}
}

// The learned rule's state is stored and read back; learning a rule
// again makes it unconfirmed.
func TestLearnedWindowState(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 7, Subdomain: "box", Name: "Box"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLearnedWindow(ctx, 7, "2d"); err != nil {
		t.Fatal(err)
	}
	box, _ := s.Box(ctx, 7)
	if r := box.Rule(); !r.Assumed() || r.Confirmed || r.OpensEarlier {
		t.Fatalf("a rule from a text: %+v", r)
	}
	if err := s.SetLearnedWindowState(ctx, 7, WindowOpensEarlier); err != nil {
		t.Fatal(err)
	}
	box, _ = s.Box(ctx, 7)
	if r := box.Rule(); !r.Assumed() || !r.OpensEarlier {
		t.Fatalf("opens earlier: %+v", r)
	}
	if err := s.LearnConfirmedWindow(ctx, 7, "2d@12:00"); err != nil {
		t.Fatal(err)
	}
	box, _ = s.Box(ctx, 7)
	if r := box.Rule(); r.Assumed() || !r.Confirmed || r.String() != "2d@12:00" {
		t.Fatalf("confirmed: %+v", r)
	}
	if err := s.SetLearnedWindow(ctx, 7, "3d"); err != nil {
		t.Fatal(err)
	}
	box, _ = s.Box(ctx, 7)
	if r := box.Rule(); !r.Assumed() {
		t.Fatalf("learned again: %+v", r)
	}
	if err := s.SetMemberWindow(ctx, 7, "4d"); err != nil {
		t.Fatal(err)
	}
	box, _ = s.Box(ctx, 7)
	if r := box.Rule(); r.Assumed() || !r.Confirmed {
		t.Fatalf("the member's rule: %+v", r)
	}
}

// Plausible instants: whole and half hours of the day between the bounds,
// in time order, the common ones kept when capped; the spring gap's
// missing wall times are skipped.
func TestPlausibleOpenings(t *testing.T) {
	madrid := loadZone(t, "Europe/Madrid")
	day := aimharder.Date{Year: 2026, Month: time.March, Day: 29}
	at := func(h, m int) time.Time { return time.Date(2026, 3, 29, h, m, 0, 0, madrid) }
	got := PlausibleOpenings(madrid, day, at(0, 0).Add(-time.Nanosecond), at(4, 0), 0)
	want := []string{"00:00", "00:30", "01:00", "01:30", "03:00", "03:30"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, g := range got {
		if g.Format("15:04") != want[i] {
			t.Errorf("#%d: %s, want %s", i, g.Format("15:04"), want[i])
		}
	}
	capped := PlausibleOpenings(madrid, day, at(9, 0), at(23, 59), 4)
	var names []string
	for _, c := range capped {
		names = append(names, c.Format("15:04"))
	}
	if len(names) != 4 || names[0] != "10:00" || names[1] != "12:00" || names[2] != "17:30" || names[3] != "20:00" {
		t.Errorf("capped to the common ones: %v", names)
	}
}

// A search's "too early through HH:MM" rides on the learned state: it
// reads back with its base, is dropped by a confirmation, and a broken
// suffix counts as none.
func TestWindowStateRefusedThrough(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		state        string
		base         string
		refused      int
		earlier, ok  bool
		confirmed    bool
		wantUntilHHM string
	}{
		{state: "", base: ""},
		{state: "earlier>17:30", base: WindowOpensEarlier, refused: 17*60 + 30 + 1, earlier: true, ok: true, wantUntilHHM: "17:30"},
		{state: ">00:00", base: "", refused: 1, ok: true, wantUntilHHM: "00:00"},
		{state: "earlier>25:00", base: WindowOpensEarlier, earlier: true},
		{state: WindowConfirmed, base: WindowConfirmed, confirmed: true},
	} {
		b := Box{Timezone: "Europe/Madrid", LearnedWindow: "1d", LearnedWindowState: c.state}
		r := b.Rule()
		if r.RefusedThrough != c.refused || r.OpensEarlier != c.earlier || r.Confirmed != c.confirmed {
			t.Errorf("%q: %+v", c.state, r)
		}
		if got := WindowState(c.base, c.refused); c.refused > 0 && got != c.state {
			t.Errorf("WindowState(%q, %d) = %q, want %q", c.base, c.refused, got, c.state)
		}
		if r.State() != WindowState(c.base, c.refused) {
			t.Errorf("%q: State() = %q", c.state, r.State())
		}
		day := aimharder.Date{Year: 2026, Month: time.October, Day: 25}
		until, ok := r.RefusedUntil(day)
		if ok != c.ok {
			t.Errorf("%q: RefusedUntil = %v %v", c.state, until, ok)
		}
		if ok && (until.Format("15:04") != c.wantUntilHHM || aimharder.DateOf(until) != day || until.Location().String() != madrid.String()) {
			t.Errorf("%q: RefusedUntil = %v, want %s", c.state, until, c.wantUntilHHM)
		}
	}
	if got := WindowState(WindowConfirmed, 100); got != WindowConfirmed {
		t.Errorf("a confirmed rule keeps no search state: %q", got)
	}
}
