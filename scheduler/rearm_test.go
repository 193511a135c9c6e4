package scheduler

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
	"github.com/ahtui/ahtui/session"
)

// slidingWorld is testWorld with a window sliding two days before each
// class (the kind a "too early" answer states).
func slidingWorld() aimhardertest.World {
	w := testWorld(0)
	w.Boxes[0].Window = aimhardertest.WindowRule{Kind: aimhardertest.RuleSlidingDays, Days: 2}
	return w
}

// TestWrongMemberRuleFiresOnceThenWaits: the member's window rule for the
// box (3 days) disagrees with AimHarder's (2 days). The prebooking fires a
// day early, AimHarder answers "too early, 2 days", and the prebooking
// waits for the opening AimHarder stated: reconciling openings with the
// box's rule every 30 s must not move it back (which made the runner fire
// "too early" bursts again and again until the real opening). The member
// is told the rule is wrong, and the class is booked at the real opening.
func TestWrongMemberRuleFiresOnceThenWaits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	classStart := time.Date(2026, 11, 25, 8, 0, 0, 0, madrid) // WOD
	realOpening := classStart.AddDate(0, 0, -2)
	ruleOpening := classStart.AddDate(0, 0, -3)
	h := newHarnessWith(t, ruleOpening.Add(-70*time.Second), slidingWorld(), "3d",
		aimhardertest.WithSessionLifetime(1000*time.Hour))
	c := h.class("WOD")
	if !c.OpensAt.Equal(realOpening) {
		t.Fatalf("the fake opens the class at %v, want %v", c.OpensAt, realOpening)
	}
	opens, ok := h.box.Rule().OpensAt(c.Start)
	if !ok || !opens.Equal(ruleOpening) {
		t.Fatalf("the member's rule opens it at %v (%v), want %v", opens, ok, ruleOpening)
	}
	p, err := h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: h.box.ID, ClassID: c.ID, Day: c.Date,
		ClassName: c.Name, ClassStart: c.Start, OpensAt: opens})
	if err != nil {
		t.Fatal(err)
	}

	r := h.newRunner(h.store, "runner", func(c *Config) { c.NoKeeper = true; c.Notify.Disabled = true })
	ev := collect(r.Events())
	rs := startRunners(t, h, r)
	waitFor(t, "the prebooking to wait for the stated opening", func() bool {
		got, err := h.store.Prebooking(ctx, p.ID)
		return err == nil && got.OpeningStated()
	})
	first := len(h.bookRequests(c.ID))
	if first == 0 {
		t.Fatal("the prebooking was re-armed without firing")
	}
	// Five minutes: ten rounds of reconciling openings with the box's rule.
	end := ruleOpening.Add(5 * time.Minute)
	waitFor(t, "five more minutes", func() bool { return h.clock.Now().After(end) })
	rs.stop()
	evs := ev.stop()

	if n := len(h.bookRequests(c.ID)); n != first {
		t.Errorf("%d booking requests after the first burst's %d: the prebooking fired again before the real opening", n-first, first)
	}
	got, _ := h.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookPending || !got.OpensAt.Equal(realOpening) || !got.OpeningStated() {
		t.Fatalf("after five minutes: %s, opens %v (stated %v), want pending for %v", got.Status, got.OpensAt, got.OpeningStated(), realOpening)
	}
	box, _ := h.store.Box(ctx, h.box.ID)
	if box.LearnedWindow != "2d" || box.MemberWindow != "3d" {
		t.Errorf("box windows: learned %q, member %q", box.LearnedWindow, box.MemberWindow)
	}
	var warned *WindowRuleWrong
	for _, e := range evs {
		if w, ok := e.(WindowRuleWrong); ok {
			warned = &w
		}
	}
	if warned == nil || warned.MemberRule != "3d" || warned.ServerRule != "2d" || warned.Box != testBox ||
		!warned.Prebooking.OpensAt.Equal(realOpening) {
		t.Errorf("rule warning: %+v", warned)
	} else {
		t.Log(warned.String())
	}

	// The real opening: it fires and books.
	h.clock.Set(realOpening.Add(-70 * time.Second))
	r2 := h.newRunner(h.store, "runner-2", func(c *Config) { c.NoKeeper = true; c.Notify.Disabled = true })
	rs = startRunners(t, h, r2)
	h.waitFinal(p.ID)
	rs.stop()
	got, _ = h.store.Prebooking(ctx, p.ID)
	if got.Status != session.PrebookBooked || got.Late {
		t.Errorf("at the real opening: %s/%s late=%v (%s)", got.Status, got.OutcomeCode, got.Late, got.OutcomeMessage)
	}
	for _, q := range h.bookRequests(c.ID)[first:] {
		if q.Arrived.Before(realOpening.Add(-earlyMargin)) {
			t.Errorf("a request arrived %v before the real opening", realOpening.Sub(q.Arrived))
		}
	}
}
