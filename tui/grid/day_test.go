package grid

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

var (
	dayMonday = aimharder.Date{Year: 2026, Month: 11, Day: 23}
	dayNow    = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
)

func newDayGrid(t *testing.T, w, h int, names ...string) Model {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th := theme.New(r, theme.Options{})
	m := New(th, i18n.For(i18n.EN), dayMonday)
	m.SetNow(dayNow, aimharder.DateOf(dayNow))
	m.SetSize(w, h)
	for d := range 7 {
		date := dayMonday.AddDays(d)
		v := account.DayView{Date: date}
		for i, n := range names {
			start := time.Date(date.Year, time.Month(date.Month), date.Day, 10+i, 0, 0, 0, time.UTC)
			c := account.ClassView{Class: aimharder.Class{ID: int64(100*d + i), Name: n, Date: date,
				Start: start, End: start.Add(time.Hour), Occupancy: 12, Capacity: 14}}
			if d == 3 && i == 1 {
				c.Class.State = aimharder.StateBooked
			}
			v.Classes = append(v.Classes, c)
		}
		m.SetDay(v)
	}
	m.SelectNext(aimharder.DateOf(dayNow), dayNow)
	return m
}

func requireBox(t *testing.T, m Model, w, h int) {
	t.Helper()
	if len(m.Lines()) != h {
		t.Fatalf("%d lines, want %d", len(m.Lines()), h)
	}
	for i, l := range m.Lines() {
		if lw := ansi.StringWidth(l); lw != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, lw, w, l)
		}
	}
}

// TestDayModeFollowsNamesAndWidth: the grid shows seven columns while a
// cell holds the longest name, else one day; names never shorten it back.
func TestDayModeFollowsNamesAndWidth(t *testing.T) {
	m := newDayGrid(t, 70, 20, "WOD", "HYROX")
	if m.DayMode() {
		t.Fatal("short names at 70 columns: want the week")
	}
	requireBox(t, m, 70, 20)
	m.SetDay(account.DayView{Date: dayMonday, Classes: []account.ClassView{{Class: aimharder.Class{
		ID: 9, Name: "CONDITIONING", Date: dayMonday, Start: time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)}}}})
	if !m.DayMode() || m.Longest() != 12 {
		t.Fatalf("a 12-character name at 70 columns: day mode %v, longest %d", m.DayMode(), m.Longest())
	}
	requireBox(t, m, 70, 20)
	m.SetSize(98, 20) // cells of 12
	if m.DayMode() {
		t.Fatal("98 columns hold 12 characters: want the week")
	}
	requireBox(t, m, 98, 20)
	m.SetSize(62, 20) // narrower than seven minimal cells
	if !m.DayMode() {
		t.Fatal("62 columns: want the day")
	}
	if WeekFits(62, 1) || !WeekFits(63, 7) || WeekFits(63, 8) {
		t.Fatal("WeekFits wrong at the minimum")
	}
}

// TestDayModeRowsAndKeys: a line per class with time, marker, whole name
// and occupancy; up/down move the class, left/right the day, stopping at
// the week's ends (the caller crosses weeks).
func TestDayModeRowsAndKeys(t *testing.T) {
	m := newDayGrid(t, 40, 12, "WOD", "CONDITIONING", "OPEN BOX")
	requireBox(t, m, 40, 12)
	view := m.View()
	for _, want := range []string{"‹ Thu 26 Nov · today ›", "M T W[T]F S S", "▌10:00", " 11:00  ✓ CONDITIONING", "12/14"} {
		if !strings.Contains(view, want) {
			t.Fatalf("view lacks %q:\n%s", want, view)
		}
	}
	key := func(k tea.KeyType) { m, _ = m.Update(tea.KeyMsg{Type: k}) }
	key(tea.KeyDown)
	if c, _ := m.Selected(); c.Name != "CONDITIONING" {
		t.Fatalf("down went to %s", c.Name)
	}
	if !strings.Contains(m.View(), "▌11:00  ✓ CONDITIONING") {
		t.Fatalf("the cursor is not on the row:\n%s", m.View())
	}
	key(tea.KeyRight)
	if c, _ := m.Selected(); m.Day() != 4 || c.Start.Hour() != 11 {
		t.Fatalf("right: day %d at %d:00", m.Day(), c.Start.Hour())
	}
	if !strings.Contains(m.View(), "‹ Fri 27 Nov ›") {
		t.Fatalf("right did not show Friday:\n%s", m.View())
	}
	key(tea.KeyRight)
	key(tea.KeyRight)
	key(tea.KeyRight) // Sunday is the end: the caller moves the week
	if m.Day() != 6 {
		t.Fatalf("past Sunday: day %d", m.Day())
	}
	m.FocusDay(0)
	if c, _ := m.Selected(); m.Day() != 0 || c.Start.Hour() != 11 {
		t.Fatalf("FocusDay(0): day %d at %d:00", m.Day(), c.Start.Hour())
	}
}
