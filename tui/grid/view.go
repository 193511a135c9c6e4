package grid

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// View is the grid, exactly Width × Height cells.
func (m Model) View() string { return m.joined }

// Lines is the grid line by line, each exactly Width cells wide.
func (m Model) Lines() []string { return m.lines }

// look is everything a cell shows; a cell is rendered again only when its
// look changes.
type look struct {
	state              State
	selected, busy     bool
	blurred            bool // selected while another pane has the keys
	time, name, status string
	plan               string // the plan glyph, "" when no plan books the class
}

// headerKey is what the day titles depend on.
type headerKey struct {
	from, today aimharder.Date
	width       int
}

type cell struct {
	key   look
	valid bool
	lines [CellHeight]string
}

// refresh brings every cell up to date and joins the visible lines.
func (m *Model) refresh() {
	if m.width == 0 {
		return
	}
	if m.day {
		m.renderDay()
		return
	}
	for d := range m.days {
		for i := range m.days[d].classes {
			m.refreshCell(d, i)
		}
	}
	m.renderLines()
}

// moved updates the cells the cursor left and reached, and the lines:
// a move re-renders two cells, not the week.
func (m *Model) moved(fromDay, fromIdx int) {
	if m.width == 0 {
		return
	}
	if m.day {
		m.renderDay()
		return
	}
	if fromIdx >= 0 && fromIdx < len(m.days[fromDay].classes) {
		m.refreshCell(fromDay, fromIdx)
	}
	if m.selIdx >= 0 {
		m.refreshCell(m.selDay, m.selIdx)
	}
	m.renderLines()
}

func (m *Model) refreshCell(d, i int) {
	lk := m.lookOf(d, i)
	c := &m.cells[d][i]
	if c.valid && c.key == lk {
		return
	}
	*c = cell{key: lk, valid: true, lines: m.renderCell(lk)}
}

func (m *Model) lookOf(d, i int) look {
	c := m.days[d].classes[i]
	var p *session.Prebooking
	if pb, ok := m.marks[classKey{c.ID, c.Date}]; ok {
		p = &pb
	}
	st := StateOf(c, p, m.now)
	lk := look{
		state:    st,
		selected: d == m.selDay && i == m.selIdx,
		blurred:  d == m.selDay && i == m.selIdx && m.blurred,
		busy:     m.busy[c.ID],
		time:     c.Start.Format("15:04"),
		name:     c.Name,
	}
	if m.roomy() && !c.End.IsZero() {
		lk.time += "-" + c.End.Format("15:04")
	}
	lk.status = m.statusText(c, p, st)
	if pm, ok := m.planMarks[d][c.ID]; ok {
		switch mk := m.th.Mark; {
		case pm.Skipped:
			lk.plan = mk.Skipped
		case pm.Paused:
			lk.plan = mk.Paused
		default:
			lk.plan = mk.Plan
		}
	}
	return lk
}

func occupancy(c account.ClassView) string {
	if c.Capacity > 0 {
		return strconv.Itoa(c.Occupancy) + "/" + strconv.Itoa(c.Capacity)
	}
	return strconv.Itoa(c.Occupancy)
}

// statusText is a cell's third line: occupancy and, room permitting, the
// state in words; countdowns for classes not open yet.
func (m *Model) statusText(c account.ClassView, p *session.Prebooking, st State) string {
	tx := m.tx
	occ := occupancy(c)
	// roomy is the wordier form, used when it fits the cell.
	roomy := func(words, short string) string {
		if m.roomy() && ansi.StringWidth(words) <= m.tw {
			return words
		}
		return short
	}
	switch st {
	case Booked:
		return roomy(occ+" "+tx.StateBooked, occ)
	case Waitlisted:
		return m.waitlistStatus(c)
	case Prebooked:
		if p == nil || p.OpensAt.IsZero() {
			return tx.StatePrebooked
		}
		d := p.OpensAt.Sub(m.now)
		return tx.WaitFit(tx.FiresIn, m.marker(st), d, m.tw)
	case Firing:
		return tx.StateFiring
	case Failed:
		return tx.StateFailed
	case NotOpen:
		d := c.OpensAt.Sub(m.now)
		return tx.WaitFit(tx.OpensIn, m.marker(st), d, m.tw)
	case Full:
		s := occ
		if c.Waitlist > 0 {
			s += " +" + strconv.Itoa(c.Waitlist)
		}
		return roomy(s+" "+tx.StateFull, s)
	case Past:
		return occ
	}
	if c.Capacity > 0 {
		return roomy(occ+" "+fmt.Sprintf(tx.Places, max(c.Capacity-c.Occupancy, 0)), occ)
	}
	return occ
}

func (m *Model) marker(st State) string {
	mk := m.th.Mark
	switch st {
	case Booked:
		return mk.Booked
	case Waitlisted:
		return mk.Waitlisted
	case Prebooked:
		return mk.Prebooked
	case Firing:
		return mk.Firing
	case Failed:
		return mk.Failed
	case NotOpen:
		return mk.NotOpen
	case Full:
		return mk.Full
	case Past:
		return mk.Past
	}
	return mk.Open
}

func (m *Model) stateStyle(st State) lipgloss.Style {
	th := m.th
	switch st {
	case Booked:
		return th.Booked
	case Waitlisted:
		return th.Waitlisted
	case Prebooked, Firing:
		return th.Prebooked
	case Failed:
		return th.Failed
	case NotOpen:
		return th.NotOpen
	case Full:
		return th.Full
	case Past:
		return th.Past
	}
	return th.Open
}

// fit truncates s to w cells and pads it with spaces to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if sw := ansi.StringWidth(s); sw > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

func (m *Model) renderCell(lk look) [CellHeight]string {
	th, tw := m.th, m.tw
	stStyle := m.stateStyle(lk.state)
	timeStyle, nameStyle := th.Time, th.Base
	if lk.state == Past {
		timeStyle, nameStyle = th.Past, th.Past
	}
	gutter := " "
	planStyle := th.Accent
	if lk.selected {
		gutter = m.cursorStyle(lk).Render(th.Mark.Cursor)
		planStyle = planStyle.Inherit(th.Selected)
		stStyle = stStyle.Inherit(th.Selected)
		timeStyle = timeStyle.Inherit(th.Selected)
		nameStyle = nameStyle.Inherit(th.Selected)
	}
	mark := m.marker(lk.state)
	if lk.busy {
		mark = "…"
	}
	// Line 1: the time, the plan glyph and the state marker at the right
	// edge.
	t := lk.time
	mw := 1 + ansi.StringWidth(lk.plan)
	if ansi.StringWidth(t)+1+mw > tw {
		t = lk.time[:min(len(lk.time), 5)]
	}
	gap := max(tw-ansi.StringWidth(t)-mw, 0)
	l1 := gutter + timeStyle.Render(t+strings.Repeat(" ", gap))
	if lk.plan != "" {
		l1 += planStyle.Render(lk.plan)
	}
	l1 += stStyle.Render(mark)
	l2 := gutter + nameStyle.Render(fit(lk.name, tw))
	l3 := gutter + stStyle.Render(fit(lk.status, tw))
	return [CellHeight]string{l1, l2, l3}
}

// dayHeader renders the column title of day d.
func (m *Model) dayHeader(d int) string {
	th, tw := m.th, m.tw
	date := m.days[d].date
	text := m.tx.DayHeader(date)
	if m.roomy() {
		text = m.tx.ShortDate(date)
	}
	style := th.DayHeader
	gutter := " "
	switch {
	case date == m.today:
		style = th.DayToday
		gutter = th.Accent.Render(th.Mark.Today)
		if m.roomy() && ansi.StringWidth(text)+1+ansi.StringWidth(m.tx.Today) <= tw {
			text += " " + m.tx.Today
		}
	case date.Before(m.today):
		style = th.DayPast
	}
	t := fit(text, tw)
	// Underline only the words, not the padding.
	trimmed := strings.TrimRight(t, " ")
	return gutter + style.Render(trimmed) + strings.Repeat(" ", tw-ansi.StringWidth(trimmed))
}

// placeholder is what an empty day shows in its first row.
func (m *Model) placeholder(d int) string {
	if !m.days[d].loaded {
		return " " + m.th.Faint.Render(fit("…", m.tw))
	}
	if len(m.days[d].classes) == 0 {
		return " " + m.th.Faint.Render(fit(m.tx.NoClasses, m.tw))
	}
	return m.blank
}

// renderLines joins the cached cells of the visible rows.
func (m *Model) renderLines() {
	lines := make([]string, 0, m.height)
	pad := strings.Repeat(" ", max(m.width-7*(m.tw+2), 0))
	var b strings.Builder
	b.Grow(m.width * 4)
	if hk := (headerKey{m.from, m.today, m.width}); hk != m.headerKey || m.header == "" {
		for d := range 7 {
			b.WriteString(m.sep)
			b.WriteString(m.dayHeader(d))
		}
		b.WriteString(pad)
		m.header, m.headerKey = b.String(), hk
	}
	lines = append(lines, m.header)

	rows := len(m.rows)
	last := min(m.offset+m.rowsVisible, rows)
	for r := m.offset; r < last || (rows == 0 && r == 0); r++ {
		for l := range CellHeight {
			b.Reset()
			for d := range 7 {
				b.WriteString(m.sep)
				switch {
				case rows == 0 || (r == m.offset && len(m.days[d].classes) == 0):
					if l == 0 {
						b.WriteString(m.placeholder(d))
					} else {
						b.WriteString(m.blank)
					}
				case m.at[r][d] < 0:
					b.WriteString(m.blank)
				default:
					b.WriteString(m.cells[d][m.at[r][d]].lines[l])
				}
			}
			b.WriteString(pad)
			lines = append(lines, b.String())
		}
		if rows == 0 {
			break
		}
	}
	// Scroll indicator.
	var more []string
	if m.offset > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreAbove, m.offset))
	}
	if below := rows - last; below > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreBelow, below))
	}
	blankLine := strings.Repeat(" ", m.width)
	for len(lines) < m.height-1 {
		lines = append(lines, blankLine)
	}
	if len(lines) < m.height {
		lines = append(lines, m.th.Faint.Render(fit(" "+strings.Join(more, "  "), m.width)))
	}
	m.lines = lines[:min(len(lines), m.height)]
	m.joined = strings.Join(m.lines, "\n")
}
