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

	got, ok := convert(scheduler.PrebookingOutcome{Prebooking: p})
	want := tui.Event{Kind: tui.EventPrebookingFinished, BoxID: 801, Day: day, PrebookingID: 7,
		Status: session.PrebookFailed, Class: "HYROX", ClassStart: start, Message: "La clase está completa"}
	if !ok || got != want {
		t.Fatalf("outcome: %+v, want %+v", got, want)
	}
	p.Status = session.PrebookPending
	if got, ok := convert(scheduler.PrebookingMissed{Prebooking: p}); !ok || got.Status != session.PrebookMissed || got.Day != day {
		t.Fatalf("missed: %+v", got)
	}
	// Arming changes the store only: no class to fetch again.
	if got, ok := convert(scheduler.PrebookingArmed{Prebooking: p}); !ok || got.Kind != tui.EventChanged || !got.Day.IsZero() {
		t.Fatalf("armed: %+v", got)
	}
	if got, ok := convert(scheduler.SessionDead{Kind: session.KindBackground}); !ok || got.Kind != tui.EventSession {
		t.Fatalf("session dead: %+v", got)
	}
	if got, ok := convert(scheduler.HealthWarning{Problem: "the background session has expired"}); !ok ||
		got.Kind != tui.EventWarning || got.Message != "the background session has expired" {
		t.Fatalf("health: %+v", got)
	}
	p.Status = session.PrebookBooked
	if got, ok := convert(scheduler.PrebookingNotStored{Prebooking: p, Err: "database busy"}); !ok ||
		got.Kind != tui.EventPrebookingFinished || got.Status != session.PrebookBooked {
		t.Fatalf("an outcome the database could not keep: %+v", got)
	}
	wrong := scheduler.WindowRuleWrong{Box: "sample-gym", MemberRule: "3d", ServerRule: "2d", Prebooking: p}
	if got, ok := convert(wrong); !ok || got.Kind != tui.EventWarning || got.Message != wrong.String() {
		t.Fatalf("wrong window rule: %+v", got)
	}
	// A rule or zone changed: the screen reads the boxes again.
	if got, ok := convert(scheduler.BoxesChanged{Moved: 2}); !ok || got.Kind != tui.EventBoxes {
		t.Fatalf("boxes changed: %+v", got)
	}
	if _, ok := convert(scheduler.ClockEstimated{}); ok {
		t.Fatal("a clock estimate is not news for the screen")
	}
}

// fakeSubscription stands in for the broker's: a channel the test fills.
type fakeSubscription struct {
	ch     chan scheduler.Event
	closed chan struct{}
}

func (f *fakeSubscription) Events() <-chan scheduler.Event { return f.ch }
func (f *fakeSubscription) Close()                         { close(f.closed) }

// TestForwardEndsWithItsContext: a screen that stopped reading does not
// keep Forward's goroutine alive; it ends with ctx, closes its channel and
// unsubscribes (the broker then drops events for it: broker_test.go).
func TestForwardEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	sub := &fakeSubscription{ch: make(chan scheduler.Event, 2), closed: make(chan struct{})}
	events := Forward(ctx, sub)
	sub.ch <- scheduler.SessionRefreshed{Kind: session.KindDevice}
	sub.ch <- scheduler.SessionRefreshed{Kind: session.KindDevice}
	ev := <-events
	if ev.Kind != tui.EventSession {
		t.Fatalf("first event %+v", ev)
	}
	// The screen stops reading here: whether Forward is still waiting to
	// hand over the second event or to receive a third, it ends with ctx.
	cancel()
	for range events { // closes once ctx ends
	}
	<-sub.closed
}
