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
