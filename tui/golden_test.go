package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestGoldenViews renders screens with the ASCII profile and the fixed
// clock: no colour at all, so every state must read from its marker.
// `go test ./tui/... -update` rewrites the files.
func TestGoldenViews(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		lang i18n.Lang
		act  func(e *env)
	}{
		{"week_80x24_en", 80, 24, i18n.EN, nil},
		{"week_160x48_en", 160, 48, i18n.EN, func(e *env) {
			e.pick(grid.Full) // the detail beside the grid lists 20 attendees
		}},
		{"week_80x24_es", 80, 24, i18n.ES, nil},
		{"week_160x48_es", 160, 48, i18n.ES, func(e *env) {
			e.m.cfg.Engine = fakeEngine{leading: true}
			e.pick(grid.NotOpen)
			e.key("p")
		}},
		{"week_scrolled_80x24", 80, 24, i18n.EN, func(e *env) {
			e.key("G", "l", "j")
		}},
		{"detail_overlay_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pick(grid.Full)
			e.key("enter", "j", "j", "j")
		}},
		{"detail_private_160x48", 160, 48, i18n.EN, func(e *env) {
			for _, d := range testDays(testWeek, testNow, false) {
				e.acct.days[d.Date] = d
			}
			e.key("r")
			e.pick(grid.Booked)
		}},
		{"help_80x24", 80, 24, i18n.EN, func(e *env) { e.key("?") }},
		{"help_160x48_es", 160, 48, i18n.ES, func(e *env) { e.key("?") }},
		{"confirm_waitlist_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pick(grid.Full)
			e.key("b")
		}},
		{"confirm_late_cancel_80x24_es", 80, 24, i18n.ES, func(e *env) {
			e.acct.cancel = func(int64, aimharder.Date, bool) (account.CancelOutcome, error) {
				return account.CancelOutcome{}, account.ErrLateCancelNeedsConsent
			}
			e.pick(grid.Booked)
			e.key("c", "y")
		}},
		{"ask_window_80x24", 80, 24, i18n.EN, func(e *env) {
			tooEarlyTeaching(e, "4d")
			e.key("b")
		}},
		{"ask_window_80x24_es", 80, 24, i18n.ES, func(e *env) {
			tooEarlyTeaching(e, "4d")
			e.key("b", "up")
		}},
		{"ask_window_bad_time_80x24", 80, 24, i18n.EN, func(e *env) {
			tooEarlyTeaching(e, "2d")
			e.key("b", "2", "5", ":", "0", "0", "enter")
		}},
		{"toast_booked_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pick(grid.Open)
			e.key("b")
		}},
		{"prebookings_160x48", 160, 48, i18n.EN, func(e *env) {
			for _, st := range []grid.State{grid.NotOpen, grid.NotOpen, grid.NotOpen} {
				e.selectClass(func(c account.ClassView) bool {
					_, has := e.m.grid.Prebooking(c.ID, c.Date)
					return !has && grid.StateOf(c, nil, e.now) == st
				})
				e.key("p")
			}
			e.store.finish(2, session.PrebookBooked, "")
			e.store.finish(3, session.PrebookFailed, "La clase está completa")
			e.key("P")
		}},
		{"history_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pick(grid.Open)
			e.key("b")
			e.pick(grid.NotOpen)
			e.key("p")
			e.store.finish(1, session.PrebookWaitlisted, "")
			e.key("H")
		}},
		{"boxes_80x24", 80, 24, i18n.EN, func(e *env) { e.key("B") }},
		{"login_80x24_es", 80, 24, i18n.ES, func(e *env) {
			e.acct.weekErr = account.ErrSessionExpired
			e.key("r")
		}},
		{"too_small", 60, 12, i18n.EN, nil},
		{"login_40x20", 40, 20, i18n.EN, func(e *env) {
			e.acct.weekErr = account.ErrSessionExpired
			e.key("r")
		}},
		{"login_40x20_es", 40, 20, i18n.ES, func(e *env) {
			e.acct.weekErr = account.ErrSessionExpired
			e.key("r")
		}},
		{"prebookings_40x20", 40, 20, i18n.EN, func(e *env) {
			for range 3 {
				e.selectClass(func(c account.ClassView) bool {
					_, has := e.m.grid.Prebooking(c.ID, c.Date)
					return !has && grid.StateOf(c, nil, e.now) == grid.NotOpen
				})
				e.key("p")
			}
			e.store.finish(3, session.PrebookFailed, "La clase está completa")
			e.key("P")
		}},
		{"prebookings_40x20_es", 40, 20, i18n.ES, func(e *env) {
			for range 2 {
				e.selectClass(func(c account.ClassView) bool {
					_, has := e.m.grid.Prebooking(c.ID, c.Date)
					return !has && grid.StateOf(c, nil, e.now) == grid.NotOpen
				})
				e.key("p")
			}
			e.key("P")
		}},

		// Weekly plans.
		{"plan_form_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pickPlanClass()
			e.key("w", "1", "3", "down", "down", "right")
		}},
		{"plan_form_80x24_es", 80, 24, i18n.ES, func(e *env) {
			e.pickPlanClass()
			e.key("w", "5", "down", " ")
		}},
		{"plan_book_now_80x24", 80, 24, i18n.EN, func(e *env) {
			e.pick(grid.Open)
			e.key("w", "enter")
		}},
		{"week_plan_120x40", 120, 40, i18n.EN, func(e *env) { plansGolden(e) }},
		// Under the side pane's width the detail fills the body; the week stays.
		{"detail_full_100x30", 100, 30, i18n.EN, func(e *env) { e.key("enter") }},
		// enter at 160: the side detail has the keys, its title a bar.
		{"detail_focused_160x48", 160, 48, i18n.EN, func(e *env) { e.key("enter") }},
		// v: one day beside the detail, though the week would fit.
		{"week_day_chosen_160x48_es", 160, 48, i18n.ES, func(e *env) { e.key("v") }},
		{"week_plan_80x24", 80, 24, i18n.EN, func(e *env) { plansGolden(e) }},
		{"week_plan_120x40_es", 120, 40, i18n.ES, func(e *env) { plansGolden(e) }},
		{"detail_plan_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("enter", "j", "j", "j", "j")
		}},
		{"plans_120x40", 120, 40, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W")
		}},
		{"plans_120x40_es", 120, 40, i18n.ES, func(e *env) {
			plansGolden(e)
			e.key("W")
		}},
		{"plans_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "down", "down")
		}},
		{"plan_pause_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "down", "down", "p")
		}},
		{"plans_empty_80x24_es", 80, 24, i18n.ES, func(e *env) { e.key("W") }},
		{"plan_edit_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "e", "down", "down", "right", "+", "up")
		}},
		{"plan_edit_160x48_es", 160, 48, i18n.ES, func(e *env) {
			plansGolden(e)
			e.key("W", "e", "down", "down", "down", "right")
		}},
		{"plans_help_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "?")
		}},
		{"plan_pause_all_80x24", 80, 24, i18n.EN, func(e *env) {
			plansGolden(e)
			e.key("W", "a")
		}},
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

// TestResizeKeepsTheCursor: live resize re-lays everything out and keeps
// the class under the cursor.
func TestResizeKeepsTheCursor(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	c := e.pick(grid.Full)
	for _, size := range [][2]int{{80, 24}, {63, 20}, {120, 40}, {200, 60}, {80, 24}} {
		e.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if e.selected().ID != c.ID {
			t.Fatalf("at %dx%d the cursor left the class", size[0], size[1])
		}
		lines := splitLines(e.screen())
		if size[0] >= MinWidth && size[1] >= MinHeight && len(lines) != size[1] {
			t.Fatalf("at %dx%d the screen has %d lines", size[0], size[1], len(lines))
		}
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// plansGolden makes two plans: Mon/Wed/Sat at Saturday's first class not
// open yet, with the waitlist and a fallback (the class prebooked, Monday
// booked through the fallback, the next Saturday skipped, a pause over
// the week after); and one for Friday's 07:00 WOD, whose booking is open
// (not booked now). The cursor ends on the first plan's class.
func plansGolden(e *env) {
	c := e.pickPlanClass()
	e.key("p")
	e.makePlan("1", "3", "down", " ", "down", "right")
	e.selectClass(func(o account.ClassView) bool {
		return o.Date == testWeek.AddDays(4) && o.Start.Format("15:04") == "07:00"
	})
	e.makePlan()
	e.key("n")
	e.store.setOccurrence(session.OccurrenceRecord{PlanID: 1, Day: testWeek.AddDays(5), State: session.OccPrebooked,
		ClassID: c.ID, PrebookingID: 1})
	e.store.setOccurrence(session.OccurrenceRecord{PlanID: 1, Day: testWeek.AddDays(7), State: session.OccBooked,
		ClassID: 555, Choice: 1})
	e.store.mu.Lock()
	e.store.plans[0].Skips = []aimharder.Date{testWeek.AddDays(12)}
	e.store.plans[0].Pauses = []session.DayRange{{From: testWeek.AddDays(14), Until: testWeek.AddDays(20)}}
	e.store.mu.Unlock()
	e.key("r")
	e.m.grid.Select(c.Date, c.ID)
	e.m.syncDetail()
	e.m.toasts.Dismiss()
}
