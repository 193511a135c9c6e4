package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// TestZoneErrorRearmsAtTheCorrectedInstant: a box in the Canary Islands
// stored as Europe/Madrid, with the member's rule 4d. AimHarder gives
// class times as local wall times, so ahtui reads the 09:00 class as
// 09:00 Madrid and fires an hour early: "too early". The fire is re-armed
// one hour later (where the Canary zone puts the opening) and books the
// class there with one request, and the member is warned about the zone.
func TestZoneErrorRearmsAtTheCorrectedInstant(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	canary := mustLoadLocation("Atlantic/Canary")
	world := slidingWorld()
	world.Boxes[0].Timezone = "Atlantic/Canary"
	world.Boxes[0].Window = aimhardertest.MustParseWindowRule("4d")
	c0 := time.Date(2026, 11, 25, 9, 0, 0, 0, canary)
	realOpening := c0.AddDate(0, 0, -4)
	h := newHarnessWith(t, realOpening.Add(-2*time.Hour), world, "4d", aimhardertest.WithSessionLifetime(1000*time.Hour))
	if err := h.store.SetBoxTimezone(ctx, h.box.ID, "Europe/Madrid"); err != nil {
		t.Fatal(err)
	}
	box, err := h.store.Box(ctx, h.box.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := h.class("HYROX")
	if !c.OpensAt.Equal(realOpening) {
		t.Fatalf("the fake opens HYROX at %v, want %v", c.OpensAt, realOpening)
	}
	// What ahtui reads: 09:00, in the zone it believes.
	wall := c.Start.In(canary)
	start := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, madrid)
	computed, ok := box.Rule().OpensAt(start)
	if !ok || !computed.Equal(realOpening.Add(-time.Hour)) {
		t.Fatalf("computed opening %v, want an hour before %v", computed, realOpening)
	}
	p, err := h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: box.ID, ClassID: c.ID, Day: c.Date,
		ClassName: c.Name, ClassStart: start, OpensAt: computed})
	if err != nil {
		t.Fatal(err)
	}
	// Hours of simulated time, each clock step costing real time: long
	// periodic timers (as in fixedhour_test.go); the engine still wakes
	// ArmAhead before each opening.
	r := h.newRunner(h.store, "runner", func(c *Config) {
		c.NoKeeper = true
		c.Notify.Disabled = true
		c.Timing = Timing{Scan: 20 * time.Minute, Recheck: 30 * time.Minute, Heartbeat: 30 * time.Minute,
			LeaseTTL: 2 * time.Hour, HealthEvery: time.Hour, FastBeat: time.Second}
	})
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	// Hours of simulated time: a longer real-time limit than waitFinal's.
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if got, err := h.store.Prebooking(ctx, p.ID); err == nil && got.Status.Final() {
			break
		}
		if time.Now().After(deadline) {
			rs.stop()
			t.Fatal("timed out waiting for the prebooking to finish")
		}
	}
	rs.stop()
	evs := ev.stop()

	got, _ := h.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookBooked {
		t.Fatalf("prebooking %s (%s: %s), want booked", got.Status, got.OutcomeCode, got.OutcomeMessage)
	}
	var first *aimhardertest.Request
	n := 0
	for _, q := range h.bookRequests(c.ID) {
		if !q.Arrived.Before(realOpening) {
			n++
			if first == nil && accepted(q) {
				first = &q
			}
		}
	}
	if first == nil || first.Arrived.Sub(realOpening) > onTimeBound || n != 1 {
		t.Errorf("after the real opening: %d requests, first accepted %+v; want one, accepted ≤ 100 ms after %v", n, first, realOpening)
	}
	var warned *ZoneSuspected
	for _, e := range evs {
		if z, ok := e.(ZoneSuspected); ok {
			warned = &z
		}
	}
	if warned == nil || warned.Hours != 1 || warned.Box != testBox || warned.Timezone != "Europe/Madrid" {
		t.Fatalf("zone warning: %+v", warned)
	}
	t.Log(warned.String())
	n2, ok := notificationOf(*warned)
	if !ok || n2.Event != "zone_suspected" || n2.Outcome != "warning" {
		t.Errorf("notification %+v (%v)", n2, ok)
	}
}
