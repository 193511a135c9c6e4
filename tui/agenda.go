package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/lists"
	"github.com/ahtui/ahtui/tui/toast"
)

// ---- the agenda ("my classes", the A key): what the member has booked,
// is waiting for, prebooked or planned, day by day (docs/product.md, my
// classes) ----
//
// The account service builds it across every box (AimHarder's list of the
// member's bookings, the class lists, the prebookings and the plans); the
// view shows the store's copy at once (AgendaQuery.Offline) and AimHarder's
// answer when it arrives. enter shows a class in the week, c cancels it
// with the week's own questions (a late cancel asks first).

// AgendaService is what the account service also does when it can build
// the agenda (*account.Service satisfies it). Config.Account is asked for
// it; without it the view says the agenda is not available.
type AgendaService interface {
	Agenda(ctx context.Context, kind session.Kind, q account.AgendaQuery) (account.Agenda, error)
}

// agendaView is the agenda screen's state.
type agendaView struct {
	seq       uint64 // the newest request
	freshSeq  uint64 // the request whose AimHarder answer is shown
	loading   bool   // AimHarder's answer is awaited
	loaded    bool   // an answer (fresh or stored) is shown
	err       error  // the last fresh read failed (the stored copy stays)
	missing   bool   // the account service builds no agenda
	data      account.Agenda
	from, to  aimharder.Date // the days asked for
	cursor    int            // index in data.Entries
	offset    int            // first content line shown
	lines     []string       // the rendered body, exactly bodyHeight lines
	lineOf    []int          // entry index → content line
	renderKey agendaRenderKey
}

// agendaRenderKey is what the rendered lines depend on besides the data:
// they are rebuilt when it changes (a second turns: countdowns, deadlines).
type agendaRenderKey struct {
	second        int64
	width, height int
	today         aimharder.Date
}

// agendaMsg is the account service's answer.
type agendaMsg struct {
	seq     uint64
	offline bool
	agenda  account.Agenda
	err     error
}

// agendaBoxMsg: the current box changed so that a class of another box
// could be shown.
type agendaBoxMsg struct {
	box     session.Box
	day     aimharder.Date
	classID int64
	err     error
}

func (m *Model) agendaService() (AgendaService, bool) {
	svc, ok := m.cfg.Account.(AgendaService)
	return svc, ok
}

// showAgenda is the A key.
func (m *Model) showAgenda() tea.Cmd {
	m.setScreen(screenAgenda)
	cmd := m.loadAgenda(false)
	m.renderAgenda(true)
	return cmd
}

// loadAgenda asks for today through DefaultAgendaDays: the store's copy
// first, then AimHarder's (offlineOnly: the store's copy alone, as after
// background news).
func (m *Model) loadAgenda(offlineOnly bool) tea.Cmd {
	svc, ok := m.agendaService()
	if !ok {
		m.agenda.missing = true
		return nil
	}
	if offlineOnly && m.agenda.loading {
		return nil // AimHarder's answer, on its way, reads the store too
	}
	seq := m.nextSeq()
	a := &m.agenda
	a.seq = seq
	a.from = m.today
	a.to = m.today.AddDays(account.DefaultAgendaDays)
	q := account.AgendaQuery{From: a.from, Until: a.to}
	base, to := m.ctx, m.timeout
	read := func(offline bool) tea.Cmd {
		q := q
		q.Offline = offline
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(base, to)
			defer cancel()
			ag, err := svc.Agenda(ctx, kind, q)
			return agendaMsg{seq: seq, offline: offline, agenda: ag, err: err}
		}
	}
	if offlineOnly {
		return read(true)
	}
	a.loading = true
	return tea.Batch(read(true), read(false))
}

func (m *Model) onAgenda(msg agendaMsg) tea.Cmd {
	a := &m.agenda
	if msg.seq != a.seq || (msg.offline && a.freshSeq == msg.seq) {
		return nil // superseded, or the fresh answer is already shown
	}
	if !msg.offline {
		a.loading = false
	}
	if msg.err != nil {
		if msg.offline {
			return nil // the fresh answer will tell
		}
		m.log.Warn("reading the agenda failed", "err", msg.err)
		a.err = msg.err
		m.renderAgenda(true)
		if needsLogin(msg.err) {
			return m.toLogin(msg.err)
		}
		return m.toasts.Push(toast.Error, fmt.Sprintf(m.tx.Agenda().Failed, explain(m.tx, msg.err)))
	}
	var keep account.AgendaEntry
	hadCursor := a.loaded && a.cursor < len(a.data.Entries)
	if hadCursor {
		keep = a.data.Entries[a.cursor]
	}
	a.data, a.loaded = msg.agenda, true
	if !msg.offline {
		a.freshSeq, a.err = msg.seq, nil
		m.applyWaitlistPositions()
	}
	a.cursor = 0
	if hadCursor {
		for i, e := range a.data.Entries {
			if sameEntry(e, keep) {
				a.cursor = i
			}
		}
	}
	m.renderAgenda(true)
	return nil
}

func sameEntry(a, b account.AgendaEntry) bool {
	return a.Box.ID == b.Box.ID && a.Day == b.Day && a.Start.Equal(b.Start) && a.Name == b.Name
}

// applyWaitlistPositions hands the grid the member's waitlist positions
// the agenda knows for the shown box.
func (m *Model) applyWaitlistPositions() {
	pos := map[int64]int{}
	for _, e := range m.agenda.data.Entries {
		if e.State == account.AgendaWaitlisted && e.WaitlistPosition > 0 && e.ClassID != 0 && e.Box.ID == m.box.ID {
			pos[e.ClassID] = e.WaitlistPosition
		}
	}
	m.grid.SetWaitlistPositions(pos)
	m.syncDetail()
}

// agendaKeys are the agenda's own keys.
func (m *Model) agendaKeys() (open, cancel key.Binding) {
	at := m.tx.Agenda()
	return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", at.Open)),
		key.NewBinding(key.WithKeys("c"), key.WithHelp("c", at.Cancel))
}

func (m *Model) agendaKey(k tea.KeyMsg) tea.Cmd {
	open, cancel := m.agendaKeys()
	lk := lists.DefaultKeyMap(m.tx)
	a := &m.agenda
	n := len(a.data.Entries)
	move := func(i int) tea.Cmd {
		a.cursor = min(max(i, 0), max(n-1, 0))
		m.renderAgenda(true)
		m.renderHelp() // the footer follows the selected row
		return nil
	}
	page := max(m.bodyHeight()/2, 1)
	switch {
	case key.Matches(k, m.keys.Back, m.keys.Agenda):
		m.setScreen(screenWeek)
		return nil
	case key.Matches(k, m.keys.Refresh):
		cmd := m.loadAgenda(false)
		m.renderAgenda(true)
		return cmd
	case key.Matches(k, open):
		return m.agendaOpen()
	case key.Matches(k, cancel):
		return m.agendaCancel()
	case key.Matches(k, lk.Up):
		return move(a.cursor - 1)
	case key.Matches(k, lk.Down):
		return move(a.cursor + 1)
	case key.Matches(k, lk.PageUp):
		return move(a.cursor - page)
	case key.Matches(k, lk.PageDown):
		return move(a.cursor + page)
	case key.Matches(k, lk.First):
		return move(0)
	case key.Matches(k, lk.Last):
		return move(n - 1)
	}
	cmd, _ := m.globalKey(k)
	return cmd
}

// agendaSelected is the entry under the cursor.
func (m *Model) agendaSelected() (account.AgendaEntry, bool) {
	a := &m.agenda
	if !a.loaded || a.cursor < 0 || a.cursor >= len(a.data.Entries) {
		return account.AgendaEntry{}, false
	}
	return a.data.Entries[a.cursor], true
}

// agendaOpen is enter: the class in the week grid, switching box when it
// is another box's.
func (m *Model) agendaOpen() tea.Cmd {
	e, ok := m.agendaSelected()
	if !ok {
		return nil
	}
	if e.Box.ID != 0 && e.Box.ID != m.box.ID {
		box := e.Box
		for _, b := range m.boxList {
			if b.ID == e.Box.ID {
				box = b
			}
		}
		st, ctx := m.cfg.Store, m.ctx
		day, id := e.Day, e.ClassID
		return tea.Batch(m.toasts.Push(toast.Info, fmt.Sprintf(m.tx.Agenda().OtherBox, strings.TrimSpace(box.Name))),
			func() tea.Msg {
				return agendaBoxMsg{box: box, day: day, classID: id, err: st.SetCurrentBox(ctx, box.ID)}
			})
	}
	m.setScreen(screenWeek)
	return m.goTo(e.Day, m.agendaClassID(e))
}

func (m *Model) onAgendaBox(msg agendaBoxMsg) tea.Cmd {
	if msg.err != nil {
		return m.toasts.Push(toast.Error, explain(m.tx, msg.err))
	}
	return tea.Batch(m.useBox(msg.box), m.goTo(msg.day, msg.classID))
}

// agendaClassID is the entry's class id; for a planned class not matched
// to a class list yet, the shown week's class at its time under its name.
func (m *Model) agendaClassID(e account.AgendaEntry) int64 {
	if e.ClassID != 0 {
		return e.ClassID
	}
	if d := m.dayIndex(e.Day); d >= 0 {
		for _, c := range m.grid.Classes(d) {
			if session.SameClass(c.Name, c.Start, e.Name, e.Start) {
				return c.ID
			}
		}
	}
	return 0
}

// agendaClass is the class an entry names, as the week shows it when it
// does, else rebuilt from the entry.
func (m *Model) agendaClass(e account.AgendaEntry) account.ClassView {
	if d := m.dayIndex(e.Day); d >= 0 && e.Box.ID == m.box.ID {
		for _, c := range m.grid.Classes(d) {
			if c.ID == e.ClassID {
				return c
			}
		}
	}
	var c account.ClassView
	c.ID, c.Name, c.Date, c.Start, c.End = e.ClassID, e.Name, e.Day, e.Start, e.End
	c.Box, c.ReservationID = e.Box.Subdomain, e.ReservationID
	c.Occupancy, c.Capacity, c.Waitlist = e.Occupancy, e.Capacity, e.Waiting
	switch e.State {
	case account.AgendaBooked:
		c.Class.State, c.State = aimharder.StateBooked, account.StateBooked
	case account.AgendaWaitlisted:
		c.Class.State, c.State = aimharder.StateWaitlisted, account.StateWaitlisted
	}
	return c
}

// agendaCancel is c: cancel a booking or a waitlist place with the week's
// confirmation (and its late-cancel question), or remove a prebooking.
func (m *Model) agendaCancel() tea.Cmd {
	e, ok := m.agendaSelected()
	tx, at := m.tx, m.tx.Agenda()
	switch {
	case !ok:
		return m.toasts.Push(toast.Info, at.NothingToCancel)
	case !m.now.Before(e.Start):
		return m.toasts.Push(toast.Info, tx.ClassPast)
	case e.Box.ID != m.box.ID && e.State != account.AgendaPlanned:
		return m.toasts.Push(toast.Info, fmt.Sprintf(at.CancelNotHere, strings.TrimSpace(e.Box.Name)))
	}
	c := m.agendaClass(e)
	switch e.State {
	case account.AgendaBooked, account.AgendaWaitlisted:
		if e.FamilyID != m.family {
			// The cancel acts for the person chosen in B.
			return m.toasts.Push(toast.Info, at.OtherPerson)
		}
		if c.ID == 0 {
			return m.toasts.Push(toast.Info, fmt.Sprintf(at.CancelNotHere, strings.TrimSpace(e.Box.Name)))
		}
		if m.grid.Busy(c.ID) {
			return m.toasts.Push(toast.Info, tx.BusyWith)
		}
		body := fmt.Sprintf(tx.ConfirmCancelBody, m.className(c))
		if e.PlanID != 0 {
			body += " " + fmt.Sprintf(tx.PlanDayNote, e.PlanID)
		}
		m.dialog.Open(dialog.Confirm{
			Title:   tx.ConfirmCancel,
			Body:    body,
			Payload: intent{kind: doCancel, class: c},
		})
		return nil
	case account.AgendaPrebooked:
		if e.PrebookingID != 0 {
			m.confirmUnprebook(c, session.Prebooking{ID: e.PrebookingID, FamilyID: e.FamilyID})
			return nil
		}
	case account.AgendaPlanned:
		return m.toasts.Push(toast.Info, at.PlannedNotBookable)
	}
	return m.toasts.Push(toast.Info, at.NothingToCancel)
}

// agendaAfterAction reads the agenda again after an action that changes
// it (a cancel, a removed prebooking), when it shows.
func (m *Model) agendaAfterAction() tea.Cmd {
	if m.screen != screenAgenda {
		return nil
	}
	return m.loadAgenda(false)
}

// agendaOnReload: background news while the agenda shows reads the
// store's copy again (no request to AimHarder).
func (m *Model) agendaOnReload(msg reloadMsg) tea.Cmd {
	if msg.gen != m.reloadGen || m.screen != screenAgenda {
		return nil
	}
	return m.loadAgenda(true)
}

// agendaTick re-renders the agenda while it shows: its countdowns move
// and a free cancel ends.
func (m *Model) agendaTick() {
	if m.screen == screenAgenda {
		m.renderAgenda(false)
	}
}

// ---- rendering ----

// renderAgenda renders the agenda's body; unless force, only when what it
// depends on changed.
func (m *Model) renderAgenda(force bool) {
	a := &m.agenda
	w, h := m.width, m.bodyHeight()
	rk := agendaRenderKey{second: m.now.Unix(), width: w, height: h, today: m.today}
	if !force && rk == a.renderKey && a.lines != nil {
		return
	}
	a.renderKey = rk
	if w <= 0 {
		a.lines = nil
		return
	}
	if m.screen == screenAgenda {
		defer m.renderHelp() // the footer follows the entries (none: nothing to open)
	}
	th, tx, at := m.th, m.tx, m.tx.Agenda()
	fitW := func(s string) string { return fitLine(s, w) }

	from, to := a.from, a.to
	if a.loaded && !a.data.From.IsZero() {
		from, to = a.data.From, a.data.Until
	}
	if from.IsZero() {
		from, to = m.today, m.today.AddDays(account.DefaultAgendaDays)
	}
	title := th.Title.Render(fmt.Sprintf(at.Title, tx.ShortDate(from), tx.ShortDate(to)))
	switch {
	case a.loading:
		title += "  " + th.Faint.Render(at.Loading)
	case a.err != nil && a.loaded:
		title += "  " + th.Warn.Render(th.Mark.Warn+" "+tx.Offline)
	}
	head := []string{fitW(" " + title)}
	var notices []string
	if a.loaded {
		notices = a.data.Notices
	}
	if len(notices) > 0 {
		head = append(head, fitW(" "+th.Warn.Render(th.Mark.Warn+" "+strings.Join(notices, " · "))))
	} else {
		head = append(head, fitW(""))
	}

	// The content: day headings and entries.
	var content []string
	heading := map[int]bool{} // content lines that are day headings
	a.lineOf = a.lineOf[:0]
	switch {
	case a.missing:
		content = append(content, fitW("  "+th.Faint.Render(at.Unavailable)))
	case !a.loaded && a.err != nil:
		content = append(content, fitW("  "+th.Error.Render(fmt.Sprintf(at.Failed, explain(tx, a.err)))))
	case !a.loaded:
		content = append(content, fitW("  "+th.Faint.Render(tx.Loading)))
	case len(a.data.Entries) == 0:
		content = append(content, fitW("  "+th.Faint.Render(fmt.Sprintf(at.Empty, tx.ShortDate(to)))),
			fitW("  "+th.Faint.Render(at.EmptyHint)))
	}
	cols := agendaColumns(w, a.data.Entries)
	var day aimharder.Date
	for i, e := range a.data.Entries {
		if !a.loaded {
			break
		}
		if i == 0 || e.Day != day {
			day = e.Day
			if i > 0 {
				content = append(content, fitW(""))
			}
			heading[len(content)] = true
			content = append(content, fitW(" "+m.agendaDayHeading(day)))
		}
		a.lineOf = append(a.lineOf, len(content))
		for _, l := range m.agendaLines(e, i == a.cursor, cols) {
			content = append(content, fitW(l))
		}
	}

	// Scroll so the cursor's line (and its day heading) shows.
	body := max(h-len(head)-1, 1)
	if len(a.lineOf) > 0 {
		cl := a.lineOf[min(a.cursor, len(a.lineOf)-1)]
		top := cl
		if heading[cl-1] { // the day's heading above
			top = cl - 1
		}
		if top < a.offset {
			a.offset = top
		}
		if end := cl + cols.lines() - 1; end >= a.offset+body {
			a.offset = end - body + 1
		}
	}
	a.offset = min(max(a.offset, 0), max(len(content)-body, 0))
	lines := make([]string, 0, h)
	lines = append(lines, head...)
	last := min(a.offset+body, len(content))
	lines = append(lines, content[a.offset:last]...)
	for len(lines) < h-1 {
		lines = append(lines, fitW(""))
	}
	var more []string
	if a.offset > 0 {
		more = append(more, fmt.Sprintf(tx.MoreAbove, a.offset))
	}
	if below := len(content) - last; below > 0 {
		more = append(more, fmt.Sprintf(tx.MoreBelow, below))
	}
	lines = append(lines, fitW(" "+th.Faint.Render(strings.Join(more, "  "))))
	a.lines = lines[:min(len(lines), h)]
}

// agendaDayHeading is "Thu 26 Nov · today".
func (m *Model) agendaDayHeading(d aimharder.Date) string {
	th, tx, at := m.th, m.tx, m.tx.Agenda()
	text := tx.ShortDate(d)
	style := th.DayHeader
	switch d {
	case m.today:
		text += " · " + at.Today
		style = th.DayToday
	case m.today.AddDays(1):
		text += " · " + at.Tomorrow
	}
	return style.Render(text)
}

// agendaCols are the widths of an entry line's columns. stacked: the
// screen is too narrow for the state words beside the names (a phone),
// so they take a line of their own under them.
type agendaCols struct {
	time, name, box int
	stacked         bool
}

// lines is how many lines an entry takes.
func (c agendaCols) lines() int {
	if c.stacked {
		return 2
	}
	return 1
}

// agendaStackedBelow is the room for the state words under which they go
// on their own line: "free cancel until 15:30" and the waitlist place
// must read whole.
const agendaStackedBelow = 28

// agendaColumns fits the names and box names shown, leaving the state
// words agendaStatusWidth cells; box names give way first, then class
// names, down to 12 cells each.
func agendaColumns(w int, entries []account.AgendaEntry) agendaCols {
	const floor, statusW = 12, 36
	name, box := floor, floor
	for _, e := range entries {
		name = max(name, ansi.StringWidth(strings.TrimSpace(e.Name)))
		box = max(box, ansi.StringWidth(strings.TrimSpace(e.Box.Name)))
	}
	name, box = min(name, 24), min(box, 24)
	avail := w - 2 - 12 - 2 - 2 - statusW // gutter, time, marker, gaps
	if over := name + box - avail; over > 0 {
		box -= min(over, box-floor)
	}
	if over := name + box - avail; over > 0 {
		name -= min(over, name-floor)
	}
	if avail+statusW-name-box >= agendaStackedBelow {
		return agendaCols{time: 11, name: name, box: box}
	}
	// Stacked: the names take their own width, the state words the next
	// line.
	name, box = 0, 0
	for _, e := range entries {
		name = max(name, ansi.StringWidth(strings.TrimSpace(e.Name)))
		box = max(box, ansi.StringWidth(strings.TrimSpace(e.Box.Name)))
	}
	return agendaCols{time: 11, name: min(name, 24), box: box, stacked: true}
}

// agendaLines is an entry's line, or its two lines when stacked:
// "▌ 10:00-11:00 ✓ WOD  Sample Gym" over "▌   free cancel until 08:30".
func (m *Model) agendaLines(e account.AgendaEntry, selected bool, cols agendaCols) []string {
	if !cols.stacked {
		return []string{m.agendaLine(e, selected, cols)}
	}
	th := m.th
	_, _, status, statusStyle := m.agendaLook(e)
	gutter := "  "
	if selected {
		gutter = th.Accent.Render(th.Mark.Cursor) + " "
	}
	first := m.agendaHead(e, selected, cols)
	if box := strings.TrimSpace(e.Box.Name); box != "" {
		first += " " + th.Subtle.Render(box)
	}
	return []string{first, gutter + "  " + statusStyle.Render(status)}
}

// agendaLine is one entry: "▌ 10:00-11:00 ✓ WOD   Sample Gym   free cancel
// until 08:30".
func (m *Model) agendaLine(e account.AgendaEntry, selected bool, cols agendaCols) string {
	_, _, status, statusStyle := m.agendaLook(e)
	return m.agendaHead(e, selected, cols) + " " +
		m.th.Subtle.Render(padTo(strings.TrimSpace(e.Box.Name), cols.box)) + " " +
		statusStyle.Render(status)
}

// agendaHead is the start of an entry's line: the cursor's gutter, the
// time, the marker and the name in its column.
func (m *Model) agendaHead(e account.AgendaEntry, selected bool, cols agendaCols) string {
	th := m.th
	mark, style, _, _ := m.agendaLook(e)
	gutter := "  "
	nameStyle, timeStyle := th.Base, th.Time
	if selected {
		gutter = th.Accent.Render(th.Mark.Cursor) + " "
		nameStyle = nameStyle.Inherit(th.Selected)
		timeStyle = timeStyle.Inherit(th.Selected)
	}
	start := m.boxTime(e.Box.ID, e.Start)
	when := start.Format("15:04")
	if !e.End.IsZero() {
		when += "-" + m.boxTime(e.Box.ID, e.End).Format("15:04")
	}
	return gutter +
		timeStyle.Render(padTo(when, cols.time)) + " " +
		style.Render(mark) + " " +
		nameStyle.Render(padTo(strings.TrimSpace(e.Name), cols.name))
}

// agendaLook is an entry's marker and its words: the state, and for a
// booked class until when a cancel is free, for a waitlisted one its
// place, for a prebooking when it fires, for a plan its number.
func (m *Model) agendaLook(e account.AgendaEntry) (mark string, style lipgloss.Style, status string, statusStyle lipgloss.Style) {
	th, tx, at := m.th, m.tx, m.tx.Agenda()
	mk := th.Mark
	late := false
	switch e.State {
	case account.AgendaBooked:
		mark, style, status = mk.Booked, th.Booked, at.Booked
		if fc := e.FreeCancelUntil; !fc.IsZero() && m.now.Before(e.Start) {
			if m.now.Before(fc) {
				status = fmt.Sprintf(at.FreeCancelUntil, m.agendaClock(e, fc))
			} else {
				status, late = at.LateCancelNow, true
			}
		}
	case account.AgendaWaitlisted:
		mark, style, status = mk.Waitlisted, th.Waitlisted, at.Waitlisted
		switch {
		case e.WaitlistPosition > 0:
			status = fmt.Sprintf(at.WaitlistPosition, e.WaitlistPosition)
		case e.Waiting > 0:
			status += " · " + fmt.Sprintf(at.Waiting, e.Waiting)
		}
	case account.AgendaPrebooked:
		mark, style, status = mk.Prebooked, th.Prebooked, at.Prebooked
		if p, ok := m.prebookingByID(e.PrebookingID); ok && !p.OpensAt.IsZero() && m.now.Before(p.OpensAt) {
			status += " · " + fmt.Sprintf(tx.FiresIn, tx.In(p.OpensAt.Sub(m.now)))
		}
		if e.PlanID != 0 {
			status += " · " + fmt.Sprintf(at.PlanNumber, e.PlanID)
		}
	default: // planned
		mark, style, status = mk.Plan, th.NotOpen, at.Planned
		if e.PlanID != 0 {
			status += " · " + fmt.Sprintf(at.PlanNumber, e.PlanID)
		}
	}
	// A place held for another person than the one chosen in B (the
	// account holder, or a family member) says for whom.
	if (e.State == account.AgendaBooked || e.State == account.AgendaWaitlisted || e.State == account.AgendaPrebooked) && e.FamilyID != m.family {
		who := at.Holder
		if e.FamilyID != "" {
			who = fmt.Sprintf(tx.Family, m.personName(e.FamilyID))
		}
		status += " · " + who
	}
	if e.ClassID != 0 && m.grid.Busy(e.ClassID) {
		mark = "…"
	}
	statusStyle = style
	if late {
		statusStyle = th.Warn
	}
	return mark, style, status, statusStyle
}

// agendaClock writes a deadline in the class's box time: "17:00", or
// "Wed 17:00" when it falls on another day than the class.
func (m *Model) agendaClock(e account.AgendaEntry, t time.Time) string {
	t = m.boxTime(e.Box.ID, t)
	if aimharder.DateOf(t) != e.Day {
		return m.tx.Weekday(t.Weekday()) + " " + t.Format("15:04")
	}
	return t.Format("15:04")
}

func (m *Model) prebookingByID(id int64) (session.Prebooking, bool) {
	if id == 0 {
		return session.Prebooking{}, false
	}
	for _, p := range m.prebookings {
		if p.ID == id {
			return p, true
		}
	}
	return session.Prebooking{}, false
}

// padTo truncates s to w cells and pads it to exactly w.
func padTo(s string, w int) string {
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// fitLine makes a styled line exactly w cells wide.
func fitLine(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-ansi.StringWidth(s))
}
