package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/toast"
)

// The narrow layout (grid day mode): where the seven-column grid cannot
// show the week's class names whole, the grid shows one day at a time,
// left/right move the day and cross into the next or previous week.
//
// The choice goes one way as the terminal narrows: it is made on the
// terminal's width, never on what a side pane leaves, so a terminal that
// shows the week keeps showing it when it grows. From wideWidth the detail
// sits beside the grid when the week beside it still shows names whole;
// otherwise (and on every narrower terminal) the detail fills the body
// when opened. `v` switches week and day by hand; the choice holds for the
// session, across resizes.

// dayLayout reports whether the week screen shows one day at a time.
func (m Model) dayLayout() bool { return m.grid.DayMode() }

// fullDetail reports whether the detail, when open, fills the body.
func (m Model) fullDetail() bool { return !m.wide() }

// dayWanted reports whether the week screen shows one day at a time at
// the terminal's width: the member's choice (the week needs at least the
// grid's narrowest width), else wherever seven columns cut a class name.
func (m Model) dayWanted() bool {
	switch m.layoutChoice {
	case grid.LayoutDay:
		return true
	case grid.LayoutWeek:
		return m.width < grid.MinWidth
	}
	return !grid.WeekFits(m.width, m.grid.Longest())
}

// wide reports whether the detail sits beside the grid: from wideWidth,
// beside one day, or beside a week that still shows its names whole.
func (m Model) wide() bool {
	if m.width < wideWidth {
		return false
	}
	return m.dayWanted() || grid.WeekFits(m.width-sideWidth(m.width), m.grid.Longest())
}

// sideWidth is the side detail's width (with its separator) at width w.
func sideWidth(w int) int { return min(max(w*3/10, 36), 60) }

// fitLayout hands the grid its layout and size, and the detail its size.
// Names arriving can change the layout, so this runs with every sync, not
// only on resize. Focus stays on something visible: a side detail that
// goes away gives the keys back to the grid; an open full-screen detail
// becomes the focused side pane when there is room for one.
func (m *Model) fitLayout() {
	wide := m.wide()
	switch {
	case !wide && m.detailFocus:
		m.detailFocus = false
		m.detail.Top()
	case wide && m.detailOpen:
		m.detailOpen, m.detailFocus = false, true
	}
	l := grid.LayoutWeek
	if m.dayWanted() {
		l = grid.LayoutDay
	}
	m.grid.SetLayout(l)
	gw := m.width
	if wide {
		gw -= sideWidth(m.width)
	}
	m.grid.SetSize(gw, m.bodyHeight())
	m.sizeDetail()
}

// toggleLayout is `v`: the week if one day shows, else one day.
func (m *Model) toggleLayout() tea.Cmd {
	var cmd tea.Cmd
	if m.dayLayout() {
		m.layoutChoice = grid.LayoutWeek
		if m.width < grid.MinWidth {
			cmd = m.toasts.Push(toast.Info, fmt.Sprintf(m.tx.Help.WeekTooNarrow, grid.MinWidth))
		}
	} else {
		m.layoutChoice = grid.LayoutDay
	}
	m.layout()
	return cmd
}

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

// sizeDetail sizes the detail for the layout: beside the grid or filling
// the body.
func (m *Model) sizeDetail() {
	w, bodyH := m.width, m.bodyHeight()
	if m.wide() {
		m.detail.SetSize(sideWidth(w)-2, bodyH)
		return
	}
	m.detail.SetSize(w-2, bodyH)
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
