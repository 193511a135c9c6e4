package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestDayGoldens renders the narrow (one day at a time) layout at phone
// sizes, with the ASCII profile: every state reads from its marker.
func TestDayGoldens(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		lang i18n.Lang
		act  func(e *env)
	}{
		{"day_50x30_en", 50, 30, i18n.EN, nil},
		{"day_50x30_es", 50, 30, i18n.ES, nil},
		{"day_64x20_en", 64, 20, i18n.EN, func(e *env) { e.key("right", "right") }},
		{"day_64x20_es", 64, 20, i18n.ES, func(e *env) { e.key("right", "right") }},
		{"day_40x20_en", 40, 20, i18n.EN, func(e *env) { e.key("right") }},
		{"day_detail_50x30", 50, 30, i18n.EN, func(e *env) {
			e.pick(grid.Full)
			e.key("enter")
		}},
		{"day_detail_40x20_es", 40, 20, i18n.ES, func(e *env) {
			e.pick(grid.Booked)
			e.key("enter")
		}},
		{"day_confirm_waitlist_40x20", 40, 20, i18n.EN, func(e *env) {
			e.pick(grid.Full)
			e.key("b")
		}},
		{"day_booked_50x30", 50, 30, i18n.EN, func(e *env) {
			e.pick(grid.Open)
			e.key("b")
		}},
		{"day_help_40x20", 40, 20, i18n.EN, func(e *env) { e.key("?") }},
		{"day_prebookings_40x20", 40, 20, i18n.EN, func(e *env) {
			e.pick(grid.NotOpen)
			e.key("p", "P")
		}},
		{"too_small_39x20", 39, 20, i18n.EN, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.w, tc.h, tc.lang)
			if tc.act != nil {
				tc.act(e)
			}
			golden.RequireEqual(t, []byte(e.screen()))
		})
	}
}

// checkSize fails when the screen is not exactly w×h cells.
func checkSize(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, screen)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("line %d is %d wide, want at most %d: %q", i, lw, w, l)
		}
	}
}

var _ = account.ClassView{}
var _ = tea.WindowSizeMsg{}
