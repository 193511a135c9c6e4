// Package grid is the week grid: seven day columns, Monday to Sunday, each
// day's classes laid out as a timetable (one row per start time), with a
// cursor. Cells are rendered when their data, the cursor, the clock or the
// size change, and cached; View only joins cached lines.
package grid

import (
	"slices"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// Sizes of the grid.
const (
	CellHeight   = 3 // lines per class
	MinTextWidth = 7 // "07:00 ✓"
	// MinWidth is the narrowest grid: seven columns of separator, cursor
	// gutter and MinTextWidth.
	MinWidth  = 7 * (2 + MinTextWidth)
	MinHeight = 2 + 2*CellHeight // day header, two rows, scroll line
	// roomyText is the text width from which cells carry words, not only glyphs.
	roomyText = 13
)

// Model is the week grid.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	width, height int
	tw            int // text width of a cell (day layout: of the status column)
	rowsVisible   int
	day           bool // one day at a time (day.go)
	longest       int  // the widest class name seen (day.go)
	layout        Layout
	blurred       bool // another pane has the keys: the cursor dims

	from  aimharder.Date
	today aimharder.Date
	now   time.Time
	days  [7]dayData
	marks map[classKey]session.Prebooking
	busy  map[int64]bool

	waitPos map[int64]int // class id → the member's place on its waitlist (waitlist.go)

	plans     []session.Plan
	planNames []string // the plans' class names, normalised
	links     map[classKey]int64
	planMarks [7]map[int64]PlanMark // day → class id → mark

	rows  []slot
	at    [][7]int // row → class index in each day, -1 for none
	rowOf [7][]int // day, class index → row

	selDay, selIdx int
	wantMinute     int // the time the cursor aims at when it crosses days
	offset         int // first visible row

	cells     [7][]cell
	header    string
	headerKey headerKey
	blank     string // an empty cell line
	sep       string
	lines     []string
	joined    string
}

type dayData struct {
	date    aimharder.Date
	classes []account.ClassView
	loaded  bool
	cached  bool
	notices []string
}

type classKey struct {
	id  int64
	day aimharder.Date
}

type slot struct {
	minute int // start, minutes after local midnight
	k      int // the k-th class starting then on one day
}

// New returns an empty grid for the week starting at from.
func New(th *theme.Theme, tx *i18n.Text, from aimharder.Date) Model {
	m := Model{th: th, tx: tx, Keys: DefaultKeyMap(tx), selIdx: -1, wantMinute: -1}
	m.SetWeek(from)
	return m
}

// SetSize gives the grid its width and height in cells.
func (m *Model) SetSize(w, h int) {
	if w == m.width && h == m.height {
		return
	}
	m.width, m.height = w, h
	m.chooseLayout()
	m.blank = strings.Repeat(" ", m.tw+1)
	m.sep = m.th.Border.Render("│")
	for d := range m.cells {
		for i := range m.cells[d] {
			m.cells[d][i] = cell{}
		}
	}
	m.scrollToCursor()
	m.refresh()
}

// Width and Height are the grid's size.
func (m Model) Width() int  { return m.width }
func (m Model) Height() int { return m.height }

// roomy reports whether cells are wide enough for words.
func (m Model) roomy() bool { return m.tw >= roomyText }

// SetWeek empties the grid for another week; the cursor keeps its weekday
// and time.
func (m *Model) SetWeek(from aimharder.Date) {
	m.from = from
	for d := range m.days {
		m.days[d] = dayData{date: from.AddDays(d)}
		m.cells[d] = nil
		m.planMarks[d] = nil
	}
	m.selIdx = -1
	m.rebuildRows()
	m.refresh()
}

// Week is the Monday the grid shows.
func (m Model) Week() aimharder.Date { return m.from }

// CursorDay is the day the cursor is on.
func (m Model) CursorDay() aimharder.Date { return m.days[m.selDay].date }

// SetDay puts a day's classes in the grid (ignored when the day is not in
// its week). The cursor stays on the class it was on when it is still there.
func (m *Model) SetDay(v account.DayView) {
	d := m.dayIndex(v.Date)
	if d < 0 {
		return
	}
	selID := int64(-1)
	if c, ok := m.Selected(); ok {
		selID = c.ID
	}
	classes := make([]account.ClassView, 0, len(v.Classes))
	for _, c := range v.Classes {
		if c.Hidden || c.Cancelled {
			continue
		}
		classes = append(classes, c)
	}
	slices.SortStableFunc(classes, func(a, b account.ClassView) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	m.days[d] = dayData{date: v.Date, classes: classes, loaded: true, cached: v.Cached, notices: v.Notices}
	m.cells[d] = make([]cell, len(classes))
	m.noteNames(d)
	if m.width > 0 {
		m.chooseLayout()
	}
	m.markPlans(d)
	m.rebuildRows()
	if d == m.selDay {
		m.selIdx = -1
		for i, c := range classes {
			if c.ID == selID {
				m.selIdx = i
			}
		}
		if m.selIdx < 0 {
			m.selIdx = m.nearest(d, m.wantMinute)
		}
	}
	m.scrollToCursor()
	m.refresh()
}

// Reopen changes every shown class through f (a new booking-window rule
// gives them new openings and states) and redraws; the cursor stays.
func (m *Model) Reopen(f func(account.ClassView) account.ClassView) {
	for d := range m.days {
		for i, c := range m.days[d].classes {
			m.days[d].classes[i] = f(c)
		}
	}
	m.refresh()
}

// Loaded reports whether day d (0 = Monday) has data.
func (m Model) Loaded(d int) bool { return m.days[d].loaded }

// Notices are the box's notices for the selected day.
func (m Model) Notices() []string { return m.days[m.selDay].notices }

// SetPrebookings tells the grid which classes are prebooked (or whose
// prebooking failed). For each class the active prebooking wins, else the
// last one to finish.
func (m *Model) SetPrebookings(list []session.Prebooking) {
	marks := make(map[classKey]session.Prebooking, len(list))
	for _, p := range list {
		if p.Status == session.PrebookCancelled {
			continue
		}
		k := classKey{p.ClassID, p.Day}
		old, seen := marks[k]
		if !seen || better(p, old) {
			marks[k] = p
		}
	}
	m.marks = marks
	m.refresh()
}

func better(p, old session.Prebooking) bool {
	pa, oa := !p.Status.Final(), !old.Status.Final()
	if pa != oa {
		return pa
	}
	return p.FinishedAt.After(old.FinishedAt) || (p.FinishedAt.Equal(old.FinishedAt) && p.ID > old.ID)
}

// Prebooking returns the prebooking shown for a class.
func (m Model) Prebooking(classID int64, day aimharder.Date) (session.Prebooking, bool) {
	p, ok := m.marks[classKey{classID, day}]
	return p, ok
}

// SetBusy marks a class whose action is in flight.
func (m *Model) SetBusy(classID int64, busy bool) {
	if m.busy == nil {
		m.busy = map[int64]bool{}
	}
	if busy {
		m.busy[classID] = true
	} else {
		delete(m.busy, classID)
	}
	m.refresh()
}

// Busy reports whether a class has an action in flight.
func (m Model) Busy(classID int64) bool { return m.busy[classID] }

// SetNow moves the grid's clock: states and countdowns follow it. today is
// the box's current day.
func (m *Model) SetNow(now time.Time, today aimharder.Date) {
	m.now, m.today = now, today
	m.refresh()
}

// Selected returns the class under the cursor.
func (m Model) Selected() (account.ClassView, bool) {
	if m.selIdx < 0 || m.selIdx >= len(m.days[m.selDay].classes) {
		return account.ClassView{}, false
	}
	return m.days[m.selDay].classes[m.selIdx], true
}

// Select puts the cursor on a class (by id) of a day of this week, or on
// the day when the class is not there.
func (m *Model) Select(day aimharder.Date, classID int64) {
	d := m.dayIndex(day)
	if d < 0 {
		return
	}
	m.selDay, m.selIdx = d, -1
	for i, c := range m.days[d].classes {
		if c.ID == classID {
			m.selIdx = i
		}
	}
	if m.selIdx < 0 {
		m.selIdx = m.nearest(d, m.wantMinute)
	}
	m.aim()
	m.scrollToCursor()
	m.refresh()
}

// SelectNext puts the cursor on the first class of day that has not
// started at now (the last one when all have).
func (m *Model) SelectNext(day aimharder.Date, now time.Time) {
	d := m.dayIndex(day)
	if d < 0 {
		return
	}
	m.selDay, m.selIdx = d, -1
	for i, c := range m.days[d].classes {
		m.selIdx = i
		if c.Start.After(now) {
			break
		}
	}
	m.aim()
	m.scrollToCursor()
	m.refresh()
}

// State is how a class shows in the grid.
type State int

const (
	Open State = iota
	Booked
	Waitlisted
	Prebooked
	Firing
	Failed
	NotOpen
	Full
	Past
)

// StateOf works out how a class shows at now, with its prebooking if any.
func StateOf(c account.ClassView, p *session.Prebooking, now time.Time) State {
	st := account.StateOf(c.Class, c.OpensAt, now)
	switch st {
	case account.StatePast:
		return Past
	case account.StateBooked:
		return Booked
	case account.StateWaitlisted:
		return Waitlisted
	}
	if p != nil {
		switch p.Status {
		case session.PrebookPending:
			return Prebooked
		case session.PrebookFiring:
			return Firing
		case session.PrebookFailed, session.PrebookMissed:
			return Failed
		}
	}
	switch st {
	case account.StateNotOpen:
		return NotOpen
	case account.StateFull:
		return Full
	}
	return Open
}

func (m Model) dayIndex(day aimharder.Date) int {
	for d := range m.days {
		if m.days[d].date == day {
			return d
		}
	}
	return -1
}

func minuteOf(t time.Time) int { return t.Hour()*60 + t.Minute() }

// rebuildRows lays the week out as a timetable: one row per start time,
// repeated when a day has several classes starting together.
func (m *Model) rebuildRows() {
	count := map[slot]bool{}
	for d := range m.days {
		seen := map[int]int{}
		for _, c := range m.days[d].classes {
			min := minuteOf(c.Start)
			count[slot{min, seen[min]}] = true
			seen[min]++
		}
	}
	m.rows = m.rows[:0]
	for s := range count {
		m.rows = append(m.rows, s)
	}
	slices.SortFunc(m.rows, func(a, b slot) int {
		if a.minute != b.minute {
			return a.minute - b.minute
		}
		return a.k - b.k
	})
	index := make(map[slot]int, len(m.rows))
	for r, s := range m.rows {
		index[s] = r
	}
	m.at = make([][7]int, len(m.rows))
	for r := range m.at {
		m.at[r] = [7]int{-1, -1, -1, -1, -1, -1, -1}
	}
	for d := range m.days {
		seen := map[int]int{}
		m.rowOf[d] = make([]int, len(m.days[d].classes))
		for i, c := range m.days[d].classes {
			min := minuteOf(c.Start)
			r := index[slot{min, seen[min]}]
			seen[min]++
			m.rowOf[d][i] = r
			m.at[r][d] = i
		}
	}
}

// nearest returns the class of day d starting closest to minute (-1 when
// the day is empty; the first class when minute is unknown).
func (m Model) nearest(d, minute int) int {
	classes := m.days[d].classes
	if len(classes) == 0 {
		return -1
	}
	if minute < 0 {
		return 0
	}
	best, bestGap := 0, 1<<30
	for i, c := range classes {
		gap := minuteOf(c.Start) - minute
		if gap < 0 {
			gap = -gap
		}
		if gap < bestGap {
			best, bestGap = i, gap
		}
	}
	return best
}

// aim remembers the time of the selected class for moves across days.
func (m *Model) aim() {
	if c, ok := m.Selected(); ok {
		m.wantMinute = minuteOf(c.Start)
	}
}

func (m *Model) selectedRow() int {
	if m.selIdx < 0 || m.selIdx >= len(m.rowOf[m.selDay]) {
		return -1
	}
	return m.rowOf[m.selDay][m.selIdx]
}

// scrollToCursor keeps the selected row on screen.
func (m *Model) scrollToCursor() {
	r, rows := m.selectedRow(), len(m.rows)
	if m.day {
		r, rows = m.selIdx, len(m.days[m.selDay].classes)
	}
	maxOffset := max(rows-m.rowsVisible, 0)
	if r >= 0 {
		if r < m.offset {
			m.offset = r
		}
		if r >= m.offset+m.rowsVisible {
			m.offset = r - m.rowsVisible + 1
		}
	}
	m.offset = min(max(m.offset, 0), maxOffset)
}

func (s State) String() string {
	switch s {
	case Booked:
		return "booked"
	case Waitlisted:
		return "waitlisted"
	case Prebooked:
		return "prebooked"
	case Firing:
		return "firing"
	case Failed:
		return "failed"
	case NotOpen:
		return "not_open"
	case Full:
		return "full"
	case Past:
		return "past"
	}
	return "open"
}

// Classes are the classes shown for day d (0 = Monday), by start time.
func (m Model) Classes(d int) []account.ClassView { return m.days[d].classes }

// PlanMark says that a class is one a weekly plan books.
type PlanMark struct {
	PlanID int64
	Days   session.Weekdays
	// Skipped and Paused: the member skipped the day, or it is in a pause.
	Skipped, Paused bool
}

// PlanLink ties a class to the plan whose occurrence resolved to it (a
// fallback class, or the first choice under another name or time).
type PlanLink struct {
	ClassID int64
	Day     aimharder.Date
	PlanID  int64
}

// SetPlans tells the grid the shown box's weekly plans: a class is a
// plan's when it is on one of its days, at its time, under its name
// (session.ClassNameMatches), and not before the plan was made; or when
// the plan's occurrence resolved to it (links).
func (m *Model) SetPlans(plans []session.Plan, links []PlanLink) {
	m.plans = plans
	m.planNames = make([]string, len(plans))
	for i, p := range plans {
		m.planNames[i] = session.NormalizeClassName(p.Class)
	}
	m.links = make(map[classKey]int64, len(links))
	for _, l := range links {
		m.links[classKey{l.ClassID, l.Day}] = l.PlanID
	}
	for d := range m.days {
		m.markPlans(d)
	}
	m.refresh()
}

// markPlans works out which classes of day d are plan occurrences.
func (m *Model) markPlans(d int) {
	m.planMarks[d] = nil
	if len(m.plans) == 0 {
		return
	}
	date := m.days[d].date
	mark := func(p session.Plan, classID int64) {
		if m.planMarks[d] == nil {
			m.planMarks[d] = map[int64]PlanMark{}
		}
		if _, seen := m.planMarks[d][classID]; seen {
			return
		}
		m.planMarks[d][classID] = PlanMark{PlanID: p.ID, Days: p.Days, Skipped: p.Skipped(date), Paused: p.Paused(date)}
	}
	for _, c := range m.days[d].classes {
		if id, ok := m.links[classKey{c.ID, date}]; ok {
			for _, p := range m.plans {
				if p.ID == id {
					mark(p, c.ID)
				}
			}
		}
		name := ""
		for i, p := range m.plans {
			if !p.IsDay(date) || session.ClockOf(c.Start) != p.Time ||
				(!p.CreatedAt.IsZero() && c.Start.Before(p.CreatedAt)) {
				continue
			}
			if name == "" {
				name = session.NormalizeClassName(c.Name)
			}
			if name == m.planNames[i] {
				mark(p, c.ID)
			}
		}
	}
}

// Plan returns the plan mark of a class, if a plan books it.
func (m Model) Plan(classID int64, day aimharder.Date) (PlanMark, bool) {
	d := m.dayIndex(day)
	if d < 0 {
		return PlanMark{}, false
	}
	pm, ok := m.planMarks[d][classID]
	return pm, ok
}
