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
		{i18n.EN, "booking window 2d assumed (AimHarder said only the days); a fixed hour? ahtui config box.told.window 2d@12:00"},
		{i18n.ES, "ventana de reserva 2d supuesta (AimHarder solo dijo los días); ¿hora fija? ahtui config box.told.window 2d@12:00"},
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
