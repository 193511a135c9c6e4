package boxes

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// A zone that is only a guess is marked, with how to set it; a detected or
// the member's zone is not.
func TestGuessedZoneIsMarked(t *testing.T) {
	boxes := []session.Box{
		{ID: 1, Subdomain: "norte", Name: "Norte", Active: true, Timezone: session.DefaultTimezone},
		{ID: 2, Subdomain: "placed", Name: "Placed", Active: true, Timezone: "Atlantic/Canary", DetectedTimezone: "Atlantic/Canary", TimezoneClue: "35003"},
		{ID: 3, Subdomain: "chosen", Name: "Chosen", Active: true, Timezone: "Europe/Lisbon", TimezoneSetByMember: true},
	}
	for _, tc := range []struct {
		lang        i18n.Lang
		guess, hint string
	}{
		{i18n.EN, "guessed", "zone guessed: if the box is elsewhere, ahtui config box.norte.timezone Atlantic/Canary"},
		{i18n.ES, "supuesta", "zona supuesta: si el box está en otra, ahtui config box.norte.timezone Atlantic/Canary"},
	} {
		m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(tc.lang))
		m.SetSize(120, 20)
		m.SetBoxes(boxes, 1, "")
		view := ansi.Strip(m.View())
		if strings.Count(view, tc.guess) != 2 || !strings.Contains(view, tc.hint) {
			t.Errorf("%s: the guessed zone is not marked once with its hint:\n%s", tc.lang, view)
		}
		for _, line := range strings.Split(view, "\n") {
			if (strings.Contains(line, "placed") || strings.Contains(line, "chosen")) && strings.Contains(line, tc.guess) {
				t.Errorf("%s: a placed zone is marked as a guess: %q", tc.lang, line)
			}
		}
	}
}

// An hours rule says which counting it assumes, in both languages; other
// rules say nothing of hours.
func TestHoursRuleSaysWhichCounting(t *testing.T) {
	boxes := []session.Box{
		{ID: 1, Subdomain: "elapsed", Name: "Elapsed", Active: true, Timezone: "Europe/Madrid", DetectedTimezone: "Europe/Madrid", MemberWindow: "48h"},
		{ID: 2, Subdomain: "clock", Name: "Clock", Active: true, Timezone: "Europe/Madrid", DetectedTimezone: "Europe/Madrid", LearnedWindow: "22h-wall"},
		{ID: 3, Subdomain: "days", Name: "Days", Active: true, Timezone: "Europe/Madrid", DetectedTimezone: "Europe/Madrid", LearnedWindow: "4d"},
	}
	for _, tc := range []struct {
		lang           i18n.Lang
		elapsed, clock string
	}{
		{i18n.EN,
			"booking opens 48 h, counting elapsed hours (across a DST change the opening moves by an hour on the clock); set 48h-wall for clock hours",
			"booking opens 22 h, counting clock hours (across a DST change the opening keeps its time on the clock); set 22h for elapsed hours"},
		{i18n.ES,
			"la reserva abre 48 h, contando horas transcurridas (con el cambio de hora la apertura se mueve una hora en el reloj); pon 48h-wall para horas de reloj",
			"la reserva abre 22 h, contando horas de reloj (con el cambio de hora la apertura mantiene su hora en el reloj); pon 22h para horas transcurridas"},
	} {
		m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(tc.lang))
		m.SetSize(240, 20)
		m.SetBoxes(boxes, 1, "")
		view := ansi.Strip(m.View())
		for _, want := range []string{tc.elapsed, tc.clock} {
			if strings.Count(view, want) != 1 {
				t.Errorf("%s: the list lacks %q once:\n%s", tc.lang, want, view)
			}
		}
		if strings.Count(view, " h, ") != 2 {
			t.Errorf("%s: a rule in days speaks of hours:\n%s", tc.lang, view)
		}
	}
}

// A learned rule no opening confirmed is shown as assumed, with how to
// set a fixed hour; a confirmed one or the member's is not.
func TestAssumedWindowIsShown(t *testing.T) {
	boxes := []session.Box{
		{ID: 1, Subdomain: "told", Name: "Told", Active: true, Timezone: "Europe/Madrid", TimezoneSetByMember: true, LearnedWindow: "2d"},
		{ID: 2, Subdomain: "sure", Name: "Sure", Active: true, Timezone: "Europe/Madrid", TimezoneSetByMember: true,
			LearnedWindow: "2d@12:00", LearnedWindowState: session.WindowConfirmed},
		{ID: 3, Subdomain: "mine", Name: "Mine", Active: true, Timezone: "Europe/Madrid", TimezoneSetByMember: true,
			LearnedWindow: "2d", MemberWindow: "1d@20:00"},
	}
	for _, tc := range []struct {
		lang i18n.Lang
		hint string
	}{
		{i18n.EN, "booking window 2d assumed (AimHarder said only the days); a fixed hour? ahtui config box.told.window 2d@HH:MM"},
		{i18n.ES, "ventana de reserva 2d supuesta (AimHarder solo dijo los días); ¿hora fija? ahtui config box.told.window 2d@HH:MM"},
	} {
		m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(tc.lang))
		m.SetSize(160, 20)
		m.SetBoxes(boxes, 1, "")
		view := ansi.Strip(m.View())
		if !strings.Contains(view, tc.hint) || strings.Contains(view, "box.sure.window") || strings.Contains(view, "box.mine.window") {
			t.Errorf("%s: want the assumed rule of told (only):\n%s", tc.lang, view)
		}
	}
}
