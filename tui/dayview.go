package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
)

// The narrow layout (grid day mode): where the seven-column grid cannot
// show the week's class names whole, the grid shows one day at a time,
// left/right move the day and cross into the next or previous week, and
// the detail fills the screen instead of floating in a box.

// dayLayout reports whether the week screen shows one day at a time.
func (m Model) dayLayout() bool { return m.grid.DayMode() }

// fullDetail reports whether the detail, when open, fills the body.
func (m Model) fullDetail() bool { return !m.wide() && m.dayLayout() }

// crossWeek handles left on Monday and right on Sunday in the day layout:
// they show the previous week's Sunday or the next week's Monday, the
// cursor at the time of day it was on.
func (m *Model) crossWeek(k tea.KeyMsg) (tea.Cmd, bool) {
	if !m.dayLayout() {
		return nil, false
	}
	var from aimharder.Date
	var day int
	switch {
	case key.Matches(k, m.grid.Keys.Left) && m.grid.Day() == 0:
		from, day = m.grid.Week().AddDays(-7), 6
	case key.Matches(k, m.grid.Keys.Right) && m.grid.Day() == 6:
		from, day = m.grid.Week().AddDays(7), 0
	default:
		return nil, false
	}
	m.target = nil
	cmd := m.changeWeek(from)
	m.grid.FocusDay(day)
	m.placed = true // the member chose the day: the load must not move it
	m.syncDetail()
	return cmd, true
}

// sizeDetail sizes the detail for the layout: beside the grid, in a box,
// or filling the body. The day layout can start or end when a day's data
// arrives, so this runs with every sync, not only on resize.
func (m *Model) sizeDetail() {
	w, bodyH := m.width, m.bodyHeight()
	switch {
	case m.wide():
		dw := min(max(w*3/10, 36), 60)
		m.detail.SetSize(dw-2, bodyH)
	case m.fullDetail():
		m.detail.SetSize(w-2, bodyH)
	default:
		m.detail.SetSize(min(w-6, 72), max(bodyH-2, 3))
	}
}

// detailLines is the full-screen detail, one space in from each edge.
func (m Model) detailLines() []string {
	dl := m.detail.Lines()
	out := make([]string, len(dl))
	for i, l := range dl {
		out[i] = " " + l + " "
	}
	return out
}
