package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui"
)

func TestConvert(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.November, Day: 29}
	start := time.Date(2026, 11, 29, 9, 0, 0, 0, madrid)
	p := session.Prebooking{ID: 7, BoxID: 801, ClassID: 99, Day: day, ClassName: "HYROX", ClassStart: start,
		Status: session.PrebookFailed, OutcomeMessage: "La clase está completa"}

	got, ok := Convert(scheduler.PrebookingOutcome{Prebooking: p})
	want := tui.Event{Kind: tui.EventPrebookingFinished, BoxID: 801, Day: day, PrebookingID: 7,
		Status: session.PrebookFailed, Class: "HYROX", ClassStart: start, Message: "La clase está completa"}
	if !ok || got != want {
		t.Fatalf("outcome: %+v, want %+v", got, want)
	}
	p.Status = session.PrebookPending
	if got, ok := Convert(scheduler.PrebookingMissed{Prebooking: p}); !ok || got.Status != session.PrebookMissed || got.Day != day {
		t.Fatalf("missed: %+v", got)
	}
	// Arming changes the store only: no class to fetch again.
	if got, ok := Convert(scheduler.PrebookingArmed{Prebooking: p}); !ok || got.Kind != tui.EventChanged || !got.Day.IsZero() {
		t.Fatalf("armed: %+v", got)
	}
	if got, ok := Convert(scheduler.SessionDead{Kind: session.KindBackground}); !ok || got.Kind != tui.EventSession {
		t.Fatalf("session dead: %+v", got)
	}
	if got, ok := Convert(scheduler.HealthWarning{Problem: "the background session has expired"}); !ok ||
		got.Kind != tui.EventWarning || got.Message != "the background session has expired" {
		t.Fatalf("health: %+v", got)
	}
	p.Status = session.PrebookBooked
	if got, ok := Convert(scheduler.PrebookingNotStored{Prebooking: p, Err: "database busy"}); !ok ||
		got.Kind != tui.EventPrebookingFinished || got.Status != session.PrebookBooked {
		t.Fatalf("an outcome the database could not keep: %+v", got)
	}
	wrong := scheduler.WindowRuleWrong{Box: "sample-gym", MemberRule: "3d", ServerRule: "2d", Prebooking: p}
	if got, ok := Convert(wrong); !ok || got.Kind != tui.EventWarning || got.Message != wrong.String() {
		t.Fatalf("wrong window rule: %+v", got)
	}
	if _, ok := Convert(scheduler.ClockEstimated{}); ok {
		t.Fatal("a clock estimate is not news for the screen")
	}
}

// TestForwardNeverBlocksThePublisher: a screen that does not read costs
// events (the broker drops them), never the scheduler's progress.
func TestForwardNeverBlocksThePublisher(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	b := scheduler.NewBroker()
	events := Forward(ctx, b.Subscribe(2))
	for range 1000 {
		b.Publish(scheduler.SessionRefreshed{Kind: session.KindDevice})
	}
	ev := <-events
	if ev.Kind != tui.EventSession {
		t.Fatalf("first event %+v", ev)
	}
	cancel()
	for range events { // closes once ctx ends
	}
}
