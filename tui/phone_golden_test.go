package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// phonePrebookings prebooks three classes not open yet and finishes two
// of them, one booked and one refused.
func phonePrebookings(e *env) {
	for range 3 {
		e.selectClass(func(c account.ClassView) bool {
			_, has := e.m.grid.Prebooking(c.ID, c.Date)
			return !has && grid.StateOf(c, nil, e.now) == grid.NotOpen
		})
		e.key("p")
	}
	e.store.finish(2, session.PrebookBooked, "")
	e.store.finish(3, session.PrebookFailed, "La clase está completa")
}

// TestPhoneGoldens renders every screen at a phone held upright (50×30)
// and at the width where the seven columns stop showing names (64×20),
// with the ASCII profile (the day layout itself is in TestDayGoldens).
func TestPhoneGoldens(t *testing.T) {
	type screen struct {
		name string
		act  func(e *env)
	}
	screens := []screen{
		{"detail", func(e *env) {
			e.pick(grid.Full)
			e.key("enter")
		}},
		{"detail_scrolled", func(e *env) {
			e.pick(grid.Full)
			e.key("enter")
			for range 40 {
				e.key("j")
			}
		}},
		{"help", func(e *env) { e.key("?") }},
		{"help_end", func(e *env) {
			e.key("?")
			for range 60 {
				e.key("j")
			}
		}},
		{"confirm_waitlist", func(e *env) {
			e.pick(grid.Full)
			e.key("b")
		}},
		{"prebookings", func(e *env) {
			phonePrebookings(e)
			e.key("P")
		}},
		{"history", func(e *env) {
			e.pick(grid.Open)
			e.key("b")
			phonePrebookings(e)
			e.key("H")
		}},
		{"plans", func(e *env) {
			plansGolden(e)
			e.key("W")
		}},
		{"boxes", func(e *env) { e.key("B") }},
		{"agenda", func(e *env) {
			e.withAgenda(e.mixedAgenda())
			e.key("A")
		}},
		{"status", func(e *env) { e.key("S") }},
	}
	for _, size := range [][2]int{{50, 30}, {64, 20}} {
		for _, s := range screens {
			for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
				if lang == i18n.ES && s.name != "detail" && s.name != "status" && s.name != "prebookings" {
					continue // Spanish where its words are the longest
				}
				name := s.name + "_" + fmt.Sprintf("%dx%d", size[0], size[1]) + "_" + string(lang)
				t.Run(name, func(t *testing.T) {
					e := newEnv(t, size[0], size[1], lang)
					s.act(e)
					checkSize(t, e.screen(), size[0], size[1])
					golden.RequireEqual(t, []byte(e.screen()))
				})
			}
		}
	}
}

// TestAgendaFiresInIsRelative: a prebooking's countdown in the agenda
// reads as a wait ("fires in 30m 0s"), never as a time of day.
func TestAgendaFiresInIsRelative(t *testing.T) {
	for lang, want := range map[i18n.Lang]string{i18n.EN: "fires in 30m 0s", i18n.ES: "dispara en 30m 0s"} {
		e := newEnv(t, 120, 40, lang)
		e.withAgenda(e.mixedAgenda())
		e.key("A")
		e.requireContains(want)
	}
}

// TestAgendaStacksOnAPhone: where the state words cannot stand beside the
// names, each entry takes two lines, and the cursor's entry shows whole
// (both lines) as it moves down the list and back.
func TestAgendaStacksOnAPhone(t *testing.T) {
	e := newEnv(t, 40, 20, i18n.EN)
	e.withAgenda(e.mixedAgenda())
	e.key("A")
	e.requireContains("late cancel now: the credit is lost")
	for range 5 {
		e.key("down")
	}
	e.requireContains("▌ 07:00       ↻ WOD")
	e.requireContains("▌   planned · plan #1")
	checkSize(t, e.screen(), 40, 20)
	for range 5 {
		e.key("up")
	}
	e.requireContains("▌   late cancel now: the credit is lost")
	e.requireContains(" Thu 26 Nov · today")
	// Wide enough: one line each.
	e.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	e.requireContains("▌ 11:00-12:00 ✓ OPEN GYM     Atlantic Box late cancel now")
}

// TestQuestionLeavesItsClassInSight: a question about the class under the
// cursor is drawn off that class's row, at phone and desktop sizes.
func TestQuestionLeavesItsClassInSight(t *testing.T) {
	for _, size := range [][2]int{{40, 20}, {64, 20}, {80, 24}, {160, 48}} {
		e := newEnv(t, size[0], size[1], i18n.EN)
		c := e.pick(grid.Full)
		e.key("b")
		e.requireDialog("Class full")
		cursorLines := 0
		for _, l := range e.lines() {
			if strings.Contains(l, "▌") && strings.Contains(l, c.Start.Format("15:04")) {
				cursorLines++
			}
		}
		if cursorLines == 0 {
			t.Fatalf("at %d×%d the dialog covers the class it asks about:\n%s", size[0], size[1], e.screen())
		}
	}
}
