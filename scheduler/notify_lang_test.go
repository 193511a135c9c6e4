package scheduler

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestNotifyInTheMembersLanguage: the notifications' titles and reasons
// follow the member's language by the TUI's rule — the language setting,
// else the locale, else English — and say which in AHTUI_LANG; the
// variables keep their names.
func TestNotifyInTheMembersLanguage(t *testing.T) {
	t.Parallel()
	at := testOpening.Add(-time.Hour)
	for _, tc := range []struct {
		name, setting, lang string
		wantLang            string
		want                []string // titles, in order
		reason              string   // the failed one's reason
	}{
		{name: "setting es", setting: "es", lang: "en_US.UTF-8", wantLang: "es",
			want: []string{"Reservada: WOD mié 25 nov 08:00", "Prerreserva fallida con 1.4 s de retraso: WOD mié 25 nov 08:00",
				"Prerreserva perdida: WOD mié 25 nov 08:00", "Sesión de AimHarder caducada: las prerreservas necesitan iniciar sesión",
				"Hay una plaza libre: HYROX mié 25 nov 09:00"},
			reason: `la clase está completa — AimHarder dice: "Esta clase está completa"`},
		{name: "LANG es", lang: "es_ES.UTF-8", wantLang: "es",
			want:   []string{"Reservada: WOD mié 25 nov 08:00"},
			reason: `la clase está completa — AimHarder dice: "Esta clase está completa"`},
		{name: "setting en over LANG es", setting: "en", lang: "es_ES.UTF-8", wantLang: "en",
			want: []string{"Booked: WOD Wed 25 Nov 08:00", "Prebooking failed 1.4 s late: WOD Wed 25 Nov 08:00",
				"Prebooking missed: WOD Wed 25 Nov 08:00", "AimHarder session expired: prebookings need a login",
				"A place is free: HYROX Wed 25 Nov 09:00"},
			reason: `the class is full — AimHarder says: "Esta clase está completa"`},
		{name: "C locale", lang: "C", wantLang: "en",
			want:   []string{"Booked: WOD Wed 25 Nov 08:00"},
			reason: `the class is full — AimHarder says: "Esta clase está completa"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at, 0, 0)
			if tc.setting != "" {
				if err := h.store.SetSetting(t.Context(), session.SettingLanguage, tc.setting); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "received")
			setNotifyCommand(t, h.store, recordCommand(out))
			log, logs := testLogger()
			broker := newBroker()
			env := map[string]string{"LANG": tc.lang}
			n := startNotifier(broker, h.store, log, NotifyConfig{Getenv: func(k string) string { return env[k] }},
				func() bool { return true })
			broker.publish(LeaderChanged{At: at, Leader: true})
			booked := testPrebooking(h, session.PrebookBooked)
			failed := testPrebooking(h, session.PrebookFailed)
			failed.OutcomeCode, failed.OutcomeMessage, failed.ReservationID = "full", "Esta clase está completa", 0
			failed.Late, failed.LateBy, failed.SentAt = true, 1400*time.Millisecond, testOpening.Add(1400*time.Millisecond)
			missed := testPrebooking(h, session.PrebookMissed)
			watch := session.Watch{ID: 5, BoxID: h.box.ID, ClassID: 7, ClassName: "HYROX", Day: testClassDay,
				ClassStart: time.Date(2026, 11, 25, 9, 0, 0, 0, madrid)}
			broker.publish(PrebookingOutcome{At: at, Prebooking: booked})
			broker.publish(PrebookingOutcome{At: at, Prebooking: failed})
			broker.publish(PrebookingMissed{At: at, Prebooking: missed})
			broker.publish(SessionDead{At: at, Kind: session.KindBackground, Reason: "logout"})
			broker.publish(ClassWatchOutcome{At: at, Watch: watch, Outcome: WatchOutcomePlaceFree})
			n.stop()

			got := readReceived(t, out)
			if len(got) != 5 {
				t.Fatalf("%d notifications, want 5\nlog:\n%s", len(got), logs)
			}
			for i, want := range tc.want {
				if got[i].note.Title != want || got[i].env["AHTUI_TITLE"] != want {
					t.Errorf("title %d: %q (env %q), want %q", i, got[i].note.Title, got[i].env["AHTUI_TITLE"], want)
				}
			}
			for _, r := range got {
				if r.env["AHTUI_LANG"] != tc.wantLang || r.note.Lang != tc.wantLang {
					t.Errorf("%s: AHTUI_LANG %q, JSON lang %q; want %q", r.note.Event, r.env["AHTUI_LANG"], r.note.Lang, tc.wantLang)
				}
				if !strings.HasPrefix(r.env["AHTUI_EVENT"], r.note.Event) || r.env["AHTUI_OUTCOME"] != r.note.Outcome {
					t.Errorf("the variables changed: %v", r.env)
				}
			}
			if f := got[1]; f.note.Reason != tc.reason || f.env["AHTUI_REASON"] != tc.reason || f.env["AHTUI_CODE"] != "full" {
				t.Errorf("failed: reason %q (env %q), want %q", f.note.Reason, f.env["AHTUI_REASON"], tc.reason)
			}
		})
	}
}
