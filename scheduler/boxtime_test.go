package scheduler

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestNotificationTimesInBoxTime: times reach a notification in whatever
// zone the machine reads them (New York, UTC); notify_command receives
// them in the box's (time, start, starts_at), and an event of no box in
// the current box's.
func TestNotificationTimesInBoxTime(t *testing.T) {
	t.Parallel()
	newYork := mustLoadLocation("America/New_York")
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	out := filepath.Join(t.TempDir(), "received")
	setNotifyCommand(t, h.store, recordCommand(out))
	broker := newBroker()
	log, _ := testLogger()
	n := startNotifier(broker, h.store, log, NotifyConfig{}, func() bool { return true })

	at := testOpening.Add(-time.Hour)
	booked := testPrebooking(h, session.PrebookBooked)
	booked.ClassStart = booked.ClassStart.UTC()
	broker.publish(LeaderChanged{At: at, Leader: true})
	broker.publish(PrebookingOutcome{At: at.In(newYork), Prebooking: booked})
	broker.publish(SessionDead{At: at.UTC(), Kind: session.KindBackground, Reason: "logout"})
	n.stop()

	got := readReceived(t, out)
	if len(got) != 2 {
		t.Fatalf("received %d notifications, want 2", len(got))
	}
	want := map[string]string{
		"AHTUI_TIME":      at.In(madrid).Format(time.RFC3339),
		"AHTUI_START":     "08:00",
		"AHTUI_STARTS_AT": "2026-11-25T08:00:00+01:00",
	}
	for k, v := range want {
		if got[0].env[k] != v {
			t.Errorf("outcome: %s=%q, want %q", k, got[0].env[k], v)
		}
	}
	if got[0].note.Time != want["AHTUI_TIME"] || got[0].note.StartsAt != want["AHTUI_STARTS_AT"] {
		t.Errorf("outcome JSON: time %q starts_at %q, want %q %q", got[0].note.Time, got[0].note.StartsAt,
			want["AHTUI_TIME"], want["AHTUI_STARTS_AT"])
	}
	if got[1].env["AHTUI_TIME"] != want["AHTUI_TIME"] || got[1].note.Time != want["AHTUI_TIME"] {
		t.Errorf("session dead: time %q / %q, want %q (the current box's zone)", got[1].env["AHTUI_TIME"], got[1].note.Time, want["AHTUI_TIME"])
	}
}
