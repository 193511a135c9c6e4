package grid

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// The day layout: where the seven columns cannot show the week's class
// names whole (a phone held upright, or a terminal under about 100
// columns with long names), the grid shows one day at a time, one line per
// class: "▌07:00 ✓ CONDITIONING       12/14". The cursor, the data and the
// keys are the week grid's; left/right move the day.

// MinDayWidth is the narrowest day layout.
const MinDayWidth = 40

// dayWideTime is the width from which a day row shows the end time too.
const dayWideTime = 72

// weekText is the text width of a cell of the seven-column grid at width w.
func weekText(w int) int { return max(w/7-2, 1) }

// WeekFits reports whether the seven-column grid, w cells wide, shows every
// class name of width longest whole.
func WeekFits(w, longest int) bool {
	return w >= MinWidth && weekText(w) >= max(longest, 1)
}

// DayMode reports whether the grid shows one day at a time.
func (m Model) DayMode() bool { return m.day }

// SetBlurred dims the cursor's bar while another pane (the side detail)
// has the keys, so only one place looks active.
func (m *Model) SetBlurred(b bool) {
	if b == m.blurred {
		return
	}
	m.blurred = b
	if m.width > 0 && m.selIdx >= 0 {
		if m.day {
			m.renderDay()
		} else {
			m.refreshCell(m.selDay, m.selIdx)
			m.renderLines()
		}
	}
}

// cursorStyle is the cursor bar's: the accent, or faint when blurred.
func (m *Model) cursorStyle(lk look) lipgloss.Style {
	if lk.blurred {
		return m.th.Faint
	}
	return m.th.Accent
}

// Layout is who picks the week or the day layout.
type Layout int

const (
	// LayoutAuto: the grid picks by its own width and the names.
	LayoutAuto Layout = iota
	// LayoutWeek: seven columns wherever they fit at all (MinWidth).
	LayoutWeek
	// LayoutDay: one day at a time.
	LayoutDay
)

// SetLayout says who picks the layout (the application decides it on the
// terminal's width, not on the grid's, so that a side pane taking columns
// does not switch the grid to days).
func (m *Model) SetLayout(l Layout) {
	if l == m.layout {
		return
	}
	m.layout = l
	if m.width > 0 && m.chooseLayout() {
		m.scrollToCursor()
		m.refresh()
	}
}

// Longest is the width of the longest class name seen, which decides the
// layout.
func (m Model) Longest() int { return m.longest }

// Day is the index of the selected day (0 = Monday).
func (m Model) Day() int { return m.selDay }

// FocusDay puts the cursor on day d (0 = Monday) of the shown week, on the
// class closest in time to the one it was on.
func (m *Model) FocusDay(d int) {
	if d < 0 || d > 6 {
		return
	}
	m.aim()
	fromDay, fromIdx := m.selDay, m.selIdx
	m.selDay = d
	m.selIdx = m.nearest(d, m.wantMinute)
	m.scrollToCursor()
	m.moved(fromDay, fromIdx)
}

// noteNames remembers the widest class name. It is kept across weeks, so a
// week with shorter names does not flip the layout back and forth.
func (m *Model) noteNames(d int) {
	for _, c := range m.days[d].classes {
		m.longest = max(m.longest, ansi.StringWidth(c.Name))
	}
}

// chooseLayout picks the week or the day layout for the size and the
// names, and the text widths that go with it. It reports whether the
// layout changed.
func (m *Model) chooseLayout() bool {
	var day bool
	switch m.layout {
	case LayoutWeek:
		day = m.width < MinWidth
	case LayoutDay:
		day = true
	default:
		day = !WeekFits(m.width, m.longest)
	}
	tw := weekText(m.width)
	if day {
		tw = dayStatusWidth(m.width)
	}
	changed := day != m.day || tw != m.tw
	m.day, m.tw = day, tw
	if day {
		m.rowsVisible = max(m.height-2, 1)
	} else {
		m.rowsVisible = max((m.height-2)/CellHeight, 1)
	}
	if changed {
		m.blank = strings.Repeat(" ", m.tw+1)
		for d := range m.cells {
			for i := range m.cells[d] {
				m.cells[d][i] = cell{}
			}
		}
		m.header = ""
	}
	return changed
}

// dayStatusWidth is the width of a day row's last column (occupancy,
// countdown or state): a third of the row, between 7 and 16 cells.
func dayStatusWidth(w int) int { return min(max((w-9)/3, 7), 16) }

// renderDay lays out the selected day: its title, one line per visible
// class, and the scroll line.
func (m *Model) renderDay() {
	w := m.width
	lines := make([]string, 0, m.height)
	lines = append(lines, m.dayTitle())
	classes := m.days[m.selDay].classes
	last := min(m.offset+m.rowsVisible, len(classes))
	if len(classes) == 0 {
		lines = append(lines, " "+m.th.Faint.Render(fit(strings.TrimSpace(m.placeholderText()), w-1)))
	}
	for i := m.offset; i < last; i++ {
		// Rows are cached like the week's cells (a layout or size change
		// clears them): a move renders the two rows it changes.
		lk := m.lookOf(m.selDay, i)
		c := &m.cells[m.selDay][i]
		if !c.valid || c.key != lk {
			*c = cell{key: lk, valid: true}
			c.lines[0] = m.dayRow(lk)
		}
		lines = append(lines, c.lines[0])
	}
	var more []string
	if m.offset > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreAbove, m.offset))
	}
	if below := len(classes) - last; below > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreBelow, below))
	}
	blankLine := strings.Repeat(" ", w)
	for len(lines) < m.height-1 {
		lines = append(lines, blankLine)
	}
	if len(lines) < m.height {
		lines = append(lines, m.th.Faint.Render(fit(" "+strings.Join(more, "  "), w)))
	}
	m.lines = lines[:min(len(lines), m.height)]
	m.joined = strings.Join(m.lines, "\n")
}

func (m *Model) placeholderText() string {
	if !m.days[m.selDay].loaded {
		return "…"
	}
	return m.tx.NoClasses
}

// dayTitle is the day layout's first line: "‹ Thu 26 Nov · today ›" and,
// at the right, the week with the shown day in brackets: "M T W[T]F S S".
func (m *Model) dayTitle() string {
	th, w := m.th, m.width
	date := m.days[m.selDay].date
	style, gutter := th.DayHeader, " "
	text := m.tx.ShortDate(date)
	switch {
	case date == m.today:
		style, gutter = th.DayToday, th.Accent.Render(th.Mark.Today)
		text += " · " + m.tx.Today
	case date.Before(m.today):
		style = th.DayPast
	}
	var strip strings.Builder
	for d := range 7 {
		r, _ := utf8.DecodeRuneInString(m.tx.Weekday(m.days[d].date.Weekday()))
		letter := string(unicode.ToUpper(r))
		switch {
		case d == m.selDay:
			strip.WriteString("[" + letter + "]")
		case d == m.selDay-1:
			strip.WriteString(letter)
		default:
			strip.WriteString(letter + " ")
		}
	}
	right := strings.TrimRight(strip.String(), " ")
	left := "‹ " + text + " ›"
	room := w - 1 - ansi.StringWidth(left)
	if room < ansi.StringWidth(right)+2 {
		right = ""
	}
	gap := max(room-ansi.StringWidth(right), 0)
	return gutter + style.Render(fit(left, min(ansi.StringWidth(left), w-1))) + strings.Repeat(" ", gap) + th.Faint.Render(right)
}

// dayRow renders a class of the selected day on one line.
func (m *Model) dayRow(lk look) string {
	th, w := m.th, m.width
	stStyle := m.stateStyle(lk.state)
	timeStyle, nameStyle := th.Time, th.Base
	if lk.state == Past {
		timeStyle, nameStyle = th.Past, th.Past
	}
	gutter := " "
	planStyle, gapStyle := th.Accent, th.Base
	if lk.selected {
		gutter = m.cursorStyle(lk).Render(th.Mark.Cursor)
		planStyle = planStyle.Inherit(th.Selected)
		stStyle = stStyle.Inherit(th.Selected)
		timeStyle = timeStyle.Inherit(th.Selected)
		nameStyle = nameStyle.Inherit(th.Selected)
		gapStyle = gapStyle.Inherit(th.Selected)
	}
	mark := m.marker(lk.state)
	if lk.busy {
		mark = "…"
	}
	t := lk.time
	if w < dayWideTime {
		t = t[:min(len(t), 5)]
	}
	plan := lk.plan
	if plan == "" {
		plan = " "
	}
	sw := m.tw
	fixed := 1 + ansi.StringWidth(t) + 1 + ansi.StringWidth(plan) + ansi.StringWidth(mark) + 1 + 1 + sw
	nameW := max(w-fixed, 1)
	status := lk.status
	if pad := sw - ansi.StringWidth(status); pad > 0 {
		status = strings.Repeat(" ", pad) + status
	} else {
		status = fit(status, sw)
	}
	var b strings.Builder
	b.WriteString(gutter)
	b.WriteString(timeStyle.Render(t))
	b.WriteString(gapStyle.Render(" "))
	b.WriteString(planStyle.Render(plan))
	b.WriteString(stStyle.Render(mark))
	b.WriteString(gapStyle.Render(" "))
	b.WriteString(nameStyle.Render(fit(lk.name, nameW)))
	b.WriteString(gapStyle.Render(" "))
	b.WriteString(stStyle.Render(status))
	return b.String()
}
