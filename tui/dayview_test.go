package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

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
		{"day_plan_form_40x20_es", 40, 20, i18n.ES, func(e *env) {
			e.pickPlanClass()
			e.key("w", "3")
		}},
		{"day_plan_fallbacks_40x20_es", 40, 20, i18n.ES, func(e *env) {
			e.pickPlanClass()
			e.key("w", "down", "down", "right", "+", "right", "+", "right")
		}},
		{"day_plan_edit_40x20", 40, 20, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "e", "down", "down", "down", "down", "1/12", "down", "31/1")
		}},
		{"day_plan_pause_all_40x20_es", 40, 20, i18n.ES, func(e *env) {
			plansGolden(e)
			e.key("W", "a")
		}},
		{"day_status_40x20_es", 40, 20, i18n.ES, func(e *env) { e.key("S") }},
		{"day_boxes_40x20", 40, 20, i18n.EN, func(e *env) { e.key("B") }},
		{"day_plans_empty_40x20", 40, 20, i18n.EN, func(e *env) { e.key("W") }},
		{"day_agenda_40x20", 40, 20, i18n.EN, func(e *env) {
			e.withAgenda(e.mixedAgenda())
			e.key("A")
		}},
		{"too_small_39x20", 39, 20, i18n.EN, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.w, tc.h, tc.lang)
			if tc.act != nil {
				tc.act(e)
			}
			checkSize(t, e.screen(), tc.w, tc.h)
			golden.RequireEqual(t, []byte(e.screen()))
		})
	}
}

// TestDayLayoutSwitchesWhereNamesDoNotFit: the week grid shows while its
// cells carry the longest name ("CONDITIONING", 12) whole at the
// terminal's width, the day layout below; the side detail's room decides
// only whether the detail sits beside the week, never week or day, so the
// layout changes once as the terminal narrows.
func TestDayLayoutSwitchesWhereNamesDoNotFit(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	if e.m.grid.Longest() != 12 {
		t.Fatalf("longest name %d, want 12", e.m.grid.Longest())
	}
	for _, tc := range []struct {
		w, h      int
		day, side bool
	}{
		{160, 48, false, true}, // grid 112 wide beside the detail: cells of 14
		{140, 40, false, true}, // grid 98: cells of 12
		{139, 40, false, true},
		{138, 40, false, false}, // beside the detail cells of 11: the week alone
		{120, 40, false, false},
		{100, 30, false, false},
		{98, 30, false, false},
		{97, 30, true, false},
		{80, 24, true, false},
		{64, 20, true, false},
		{50, 30, true, false},
		{40, 20, true, false},
	} {
		e.send(tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
		if e.m.grid.DayMode() != tc.day || e.m.wide() != tc.side {
			t.Errorf("%dx%d: day layout %v, side detail %v; want %v, %v", tc.w, tc.h, e.m.grid.DayMode(), e.m.wide(), tc.day, tc.side)
		}
		checkSize(t, e.screen(), tc.w, tc.h)
		if !strings.Contains(e.screen(), "BARBELL CLUB") || strings.Contains(e.screen(), "BARBELL …") {
			t.Errorf("%dx%d: a class name is cut:\n%s", tc.w, tc.h, e.screen())
		}
	}
	// Widening from phone size to 160 columns: the day layout gives way to
	// the week once and never comes back.
	sawWeek := false
	for w := 40; w <= 160; w++ {
		e.send(tea.WindowSizeMsg{Width: w, Height: 30})
		if !e.m.grid.DayMode() {
			sawWeek = true
		} else if sawWeek {
			t.Fatalf("%d columns: the day layout is back after the week showed", w)
		}
	}
	// Below the minimum: the too-small screen with the new numbers.
	e.send(tea.WindowSizeMsg{Width: 40, Height: 19})
	e.requireContains("at least 40×20")
}

// TestDayLayoutMovesAcrossDaysAndWeeks: left/right move the day, keeping
// the time of day; past Sunday is next week's Monday and back.
func TestDayLayoutMovesAcrossDaysAndWeeks(t *testing.T) {
	e := newEnv(t, 50, 30, i18n.EN)
	for _, d := range testDays(testWeek.AddDays(7), testNow, true) {
		e.acct.days[d.Date] = d
	}
	start := e.selected()
	if start.Date != testWeek.AddDays(3) || start.Start.Format("15:04") != "10:00" {
		t.Fatalf("starts on %s %s", start.Date, start.Start.Format("15:04"))
	}
	e.requireContains("‹ Thu 26 Nov · today ›")
	e.key("l")
	if c := e.selected(); c.Date != testWeek.AddDays(4) || c.Start.Format("15:04") != "10:00" {
		t.Fatalf("l went to %s %s", c.Date, c.Start.Format("15:04"))
	}
	e.requireContains("‹ Fri 27 Nov ›")
	e.requireContains("M T W T[F]S S")
	e.key("right", "right", "right") // Sat, Sun, then next Monday
	if e.m.grid.Week() != testWeek.AddDays(7) || e.m.grid.Day() != 0 {
		t.Fatalf("past Sunday: week %s day %d", e.m.grid.Week(), e.m.grid.Day())
	}
	if c := e.selected(); c.Date != testWeek.AddDays(7) || c.Start.Format("15:04") != "10:00" {
		t.Fatalf("next Monday: cursor on %s %s", c.Date, c.Start.Format("15:04"))
	}
	e.requireContains("‹ Mon 30 Nov ›")
	e.key("h")
	if e.m.grid.Week() != testWeek || e.m.grid.Day() != 6 {
		t.Fatalf("back: week %s day %d", e.m.grid.Week(), e.m.grid.Day())
	}
	e.requireContains("‹ Sun 29 Nov ›")
	e.key("j", "j")
	if c := e.selected(); c.Start.Format("15:04") != "11:00" {
		t.Fatalf("j j went to %s", c.Start.Format("15:04"))
	}
}

// TestDayLayoutActions: book, detail full screen, cancel with its dialog
// inside 40 columns, prebook: the row's marker follows.
func TestDayLayoutActions(t *testing.T) {
	e := newEnv(t, 40, 20, i18n.EN)
	c := e.pick(grid.Open)
	e.key("b")
	row := rowOf(t, e.screen(), c.Name, c.Start.Format("15:04"))
	if !strings.Contains(row, "✓ "+c.Name) {
		t.Fatalf("booked row %q lacks ✓", row)
	}
	// The detail fills the screen: no frame, the name on the body's first line.
	e.key("enter")
	lines := strings.Split(e.screen(), "\n")
	if strings.TrimSpace(lines[2]) != c.Name || strings.Contains(e.screen(), "╭") {
		t.Fatalf("detail not full screen:\n%s", e.screen())
	}
	checkSize(t, e.screen(), 40, 20)
	// Actions work from the detail; the dialog fits 40 columns.
	e.key("c")
	if !e.m.dialog.IsOpen() {
		t.Fatalf("c opened no dialog:\n%s", e.screen())
	}
	checkSize(t, e.screen(), 40, 20)
	e.key("y", "esc")
	if e.m.detailOpen {
		t.Fatal("esc left the detail open")
	}
	row = rowOf(t, e.screen(), c.Name, c.Start.Format("15:04"))
	if strings.Contains(row, "✓ "+c.Name) {
		t.Fatalf("cancelled row %q still booked", row)
	}
	n := e.pick(grid.NotOpen)
	e.key("p")
	if row := rowOf(t, e.screen(), n.Name, n.Start.Format("15:04")); !strings.Contains(row, "⚑ "+n.Name) {
		t.Fatalf("prebooked row %q lacks ⚑", row)
	}
	e.key("w")
	if !e.m.planForm.IsOpen() {
		t.Fatal("w opened no plan form")
	}
	checkSize(t, e.screen(), 40, 20)
}

// TestDayLayoutHelpScrolls: at 40×20 the help stacks and scrolls to the
// legend.
func TestDayLayoutHelpScrolls(t *testing.T) {
	e := newEnv(t, 40, 20, i18n.EN)
	e.key("?")
	checkSize(t, e.screen(), 40, 20)
	for range 40 {
		e.key("j")
	}
	e.requireContains("» firing")
	// The legend's last entry shows: the scroll line does not cover it.
	e.requireContains("‖ paused")
	checkSize(t, e.screen(), 40, 20)
	e.key("esc")
	if e.m.helpOpen {
		t.Fatal("esc left the help open")
	}
}

// rowOf is the selected day's line for a class.
func rowOf(t *testing.T, screen, name, hhmm string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n")[headerHeight:] {
		if strings.Contains(l, hhmm) && strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	t.Fatalf("no row for %s %s:\n%s", hhmm, name, screen)
	return ""
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

// BenchmarkDayMove is a move in the day layout (50×30, colour) and the
// frame after it.
func BenchmarkDayMove(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	e := newEnvWith(b, 50, 30, Config{Lang: i18n.EN, Renderer: r})
	if !e.m.grid.DayMode() {
		b.Fatal("not the day layout")
	}
	keys := []string{"j", "k", "l", "h"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		next, _ := e.m.Update(keyMsg(keys[i%4]))
		e.m = next.(Model)
		_ = e.m.View()
		i++
	}
}

// TestLayoutKeyChoosesWeekOrDay: v switches the week and one day by hand,
// the choice holds across resizes for the session, the full help lists it
// in both languages, and where the week cannot show at all v says so.
func TestLayoutKeyChoosesWeekOrDay(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		e := newEnv(t, 160, 48, lang)
		tx := i18n.For(lang)
		if e.m.grid.DayMode() {
			t.Fatalf("%s 160x48 starts with one day", lang)
		}
		sel := e.selected()
		e.key("v")
		if !e.m.grid.DayMode() || !e.m.wide() {
			t.Fatalf("%s: v at 160 shows day %v, side detail %v; want one day beside the detail", lang, e.m.grid.DayMode(), e.m.wide())
		}
		if got := e.selected(); got.ID != sel.ID {
			t.Errorf("%s: v moved the cursor from %s to %s", lang, sel.Name, got.Name)
		}
		// The choice survives a resize to a width where the week would show.
		e.send(tea.WindowSizeMsg{Width: 100, Height: 30})
		if !e.m.grid.DayMode() {
			t.Errorf("%s: the day chosen with v became the week at 100 columns", lang)
		}
		checkSize(t, e.screen(), 100, 30)
		// And the week chosen at 80, where names are cut, stays too.
		e.send(tea.WindowSizeMsg{Width: 80, Height: 24})
		e.key("v")
		if e.m.grid.DayMode() {
			t.Fatalf("%s: v at 80 did not show the week", lang)
		}
		checkSize(t, e.screen(), 80, 24)
		e.send(tea.WindowSizeMsg{Width: 120, Height: 40})
		if e.m.grid.DayMode() || e.m.wide() {
			t.Errorf("%s: the week chosen at 80 shows at 120 as day %v, side %v", lang, e.m.grid.DayMode(), e.m.wide())
		}
		// Below the grid's narrowest width one day shows, and v says why.
		e.send(tea.WindowSizeMsg{Width: 50, Height: 30})
		if !e.m.grid.DayMode() {
			t.Fatalf("%s: the week at 50 columns", lang)
		}
		e.key("v", "v")
		if !e.m.grid.DayMode() {
			t.Fatalf("%s: v, v at 50 columns left the day layout", lang)
		}
		e.requireContains(fmt.Sprintf(tx.Help.WeekTooNarrow, grid.MinWidth)[:20])
		checkSize(t, e.screen(), 50, 30)
		// The full help names the key.
		e.send(tea.WindowSizeMsg{Width: 160, Height: 48})
		e.key("?")
		e.requireContains("v      " + tx.Help.Layout)
	}
}
