package scheduler

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// boxKind is one way a box opens its booking window, with the daily class
// the member prebooks there.
type boxKind struct {
	name, rule string // the fake's rule
	days       int    // its N
	class      string // the class's local start
}

var boxKinds = []boxKind{
	{"00:00 D", "0d@00:00", 0, "09:00"},
	{"12:00 D-2", "2d@12:00", 2, "09:00"},         // the opening is later than the class's time N days before
	{"17:30 D-5", "5d@17:30", 5, "19:00"},         // … earlier
	{"20:00 D-1", "1d@20:00", 1, "21:00"},         // … earlier
	{"sliding 4d", "4d", 4, "18:00"},              // the text says it all
	{"12:00 D-2 (08:00)", "2d@12:00", 2, "08:00"}, // far from the common instants' order
}

// firstOnTime records, per box kind and DST change, which opening was the
// first fired on time (the test's report).
var firstOnTime sync.Map

// TestFixedHourBoxesWithNothingConfigured prebooks a class every day for
// eight days on a box of each kind, the first opening three days before a
// DST change (so the openings after the first fall on both sides of it),
// with no window rule configured, and runs the runner on the simulated clock: at most
// the first opening may be lost (or booked late); every later one is
// booked by a request that reached the fake at most 100 ms after its real
// opening.
func TestFixedHourBoxesWithNothingConfigured(t *testing.T) {
	t.Parallel()
	changes := []struct {
		name string
		day  aimharder.Date // the day of the change
	}{
		{"october", aimharder.Date{Year: 2026, Month: time.October, Day: 25}},
		{"march", aimharder.Date{Year: 2026, Month: time.March, Day: 29}},
	}
	kinds, days := boxKinds, 8
	only := func(string) bool { return true }
	if raceOn {
		// Under the race detector (CI): every fixed-hour kind and a
		// sliding one, the DST changes shared among them, so the
		// package's run stays short.
		kinds := map[string]bool{"october/20:00 D-1": true, "march/17:30 D-5": true,
			"october/12:00 D-2": true, "march/00:00 D": true, "october/sliding 4d": true}
		only = func(name string) bool { return kinds[name] }
	}
	for _, ch := range changes {
		for _, k := range kinds {
			name := ch.name + "/" + k.name
			if !only(name) {
				continue
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// The first opening three days before the change: the
				// openings after the first fall on both sides of it.
				runFixedHourWeeks(t, k, ch.day.AddDays(k.days-3), days, ch.name)
			})
		}
	}
	t.Cleanup(func() {
		var lines []string
		firstOnTime.Range(func(k, v any) bool {
			lines = append(lines, fmt.Sprintf("%-32s %v", k, v))
			return true
		})
		sort.Strings(lines)
		for _, l := range lines {
			t.Log(l)
		}
	})
}

// onTimeBound is the goal, 100 ms, under the race detector too: the
// simulated clock does not move while a send is on its way (the woken
// goroutine and its children are waited for; the transport holds the
// clock), so the fake sees a request at the instant it was sent.
const onTimeBound = 100 * time.Millisecond

func runFixedHourWeeks(t *testing.T, k boxKind, first aimharder.Date, days int, change string) {
	ctx := t.Context()
	world := aimhardertest.World{
		Seed: 11,
		Boxes: []aimhardertest.BoxConfig{{
			ID: 601, Sub: testBox, Name: "Fixed Box", Timezone: "Europe/Madrid",
			Window:    aimhardertest.MustParseWindowRule(k.rule),
			MinNotice: 15 * time.Minute,
			Template:  []aimhardertest.ClassTemplate{{Start: k.class, Name: "WOD", Capacity: 30, Coach: "Coach"}},
		}},
		Users: []aimhardertest.UserConfig{{
			ID: 7001, Email: testEmail, Password: testPassword, Name: "Test Member", Language: "es",
			Roles: []aimhardertest.RoleConfig{{Box: testBox}},
		}},
	}
	start := first.AddDays(-k.days-1).At(10, 0, madrid)
	h := newHarnessWith(t, start, world, "", aimhardertest.WithSessionLifetime(2000*time.Hour))
	classOn := func(d aimharder.Date) aimhardertest.ClassInfo {
		for _, c := range h.fake.Classes(testBox, d) {
			if c.Name == "WOD" {
				return c
			}
		}
		t.Fatalf("no class on %s", d)
		return aimhardertest.ClassInfo{}
	}
	// The member prebooks each class a day and a half before its opening
	// day, as the box's rule then stands (nothing at first).
	prebook := func(d aimharder.Date) error {
		c := classOn(d)
		box, err := h.store.Box(ctx, h.box.ID)
		if err != nil {
			return err
		}
		opens, _ := box.Rule().OpensAt(c.Start)
		_, err = h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: c.ID, Day: c.Date,
			ClassName: c.Name, ClassStart: c.Start, OpensAt: opens})
		return err
	}
	// Nothing configured: the member's first try to book teaches what a
	// "too early" says (N días), as pressing `b` does.
	svc := account.New(account.Config{Store: h.store, Client: h.client(nil), Now: h.clock.Now})
	c0 := classOn(first)
	if _, err := svc.Book(ctx, session.KindDevice, h.box, c0.ID, c0.Date, false); !errors.Is(err, aimharder.ErrTooEarly) {
		t.Fatalf("the first try to book: %v, want too early", err)
	}
	if err := prebook(first); err != nil {
		t.Fatal(err)
	}
	var waits []func() error
	for i := 1; i < days; i++ {
		d := first.AddDays(i)
		waits = append(waits, h.at(d.AddDays(-k.days-2).At(12, 0, madrid), func() error { return prebook(d) }))
	}
	// Every step of the simulated clock costs real time (AutoAdvance
	// waits for the woken goroutines to settle), so the runner's periodic
	// timers are long: scans every 20 min (the engine still wakes ArmAhead
	// before every opening, nextScan; search instants are 30 min apart),
	// the lease renewed every 30 min, the claim's fast heartbeat (which
	// only a standby runner watches; there is none) every second. One
	// runner alone must keep leading throughout.
	log, logs := testLogger()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the runner's log:\n%s", logs.String())
		}
	})
	r := h.newRunner(h.store, "runner", func(c *Config) {
		c.Logger = log
		c.NoKeeper = true
		c.Notify.Disabled = true
		c.Timing = Timing{Scan: 20 * time.Minute, Recheck: 30 * time.Minute, Heartbeat: 30 * time.Minute,
			LeaseTTL: 2 * time.Hour, HealthEvery: time.Hour, FastBeat: time.Second}
	})
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	last := classOn(first.AddDays(days - 1))
	deadline := time.Now().Add(8 * time.Minute)
	realStart := time.Now()
	for !h.clock.Now().After(last.Start) {
		if time.Now().After(deadline) {
			rs.stop()
			t.Fatalf("the simulation did not reach the last class (at %v)", h.clock.Now())
		}
		time.Sleep(5 * time.Millisecond)
	}
	rs.stop()
	events := ev.stop()
	t.Cleanup(func() {
		if t.Failed() {
			for _, e := range events {
				t.Logf("event %T %+v", e, e)
			}
		}
	})
	for _, e := range events {
		if l, ok := e.(LeaderChanged); ok && !l.Leader && l.Reason != "stopping" {
			t.Errorf("the runner stopped leading at %v: %s", l.At, l.Reason)
		}
	}
	t.Logf("%d steps of the simulated clock in %v; %d woken goroutines not waited for (still working after %v)",
		h.clock.Steps(), time.Since(realStart).Round(time.Millisecond), h.clock.Abandoned(), aimhardertest.MaxWokenWork)
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}

	firstGood := ""
	for i := range days {
		d := first.AddDays(i)
		c := classOn(d)
		var acc *aimhardertest.Request
		n := 0
		for _, q := range h.bookRequests(c.ID) {
			n++
			if accepted(q) && acc == nil {
				acc = &q
			}
		}
		onTime := acc != nil && !acc.Arrived.Before(c.OpensAt) && acc.Arrived.Sub(c.OpensAt) <= onTimeBound
		desc := "not booked"
		if acc != nil {
			desc = fmt.Sprintf("booked %v after the opening", acc.Arrived.Sub(c.OpensAt))
		}
		t.Logf("class %s %s (opens %s): %s, %d requests", d, k.class, c.OpensAt.Format("Mon 2 Jan 15:04 MST"), desc, n)
		if onTime && firstGood == "" {
			firstGood = fmt.Sprintf("opening #%d (%s)", i+1, c.OpensAt.Format("2 Jan 15:04 MST"))
		}
		if i > 0 && !onTime {
			t.Errorf("class %s: opening %v: %s (want booked ≤ 100 ms after it)", d, c.OpensAt, desc)
		}
	}
	all, _ := h.store.Prebookings(ctx, session.PrebookingQuery{})
	for _, p := range all {
		t.Logf("prebooking %d %s: %s %s %q late %v", p.ID, p.Day, p.Status, p.OutcomeCode, p.OutcomeMessage, p.LateBy)
	}
	box, _ := h.store.Box(ctx, h.box.ID)
	rule := box.Rule()
	t.Logf("learned %q (confirmed %v); first on time: %s", rule.String(), rule.Confirmed, firstGood)
	firstOnTime.Store(change+" "+k.name, firstGood)
}
