package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/detail"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/lists"
)

// View assembles the screen from cached pieces; it renders nothing itself
// (overlays are cut into the lines beneath them).
func (m Model) View() string {
	if m.quitting || m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return m.tooSmall
	}
	var b strings.Builder
	b.Grow(m.width * m.height * 4)
	b.WriteString(m.headerLines[0])
	b.WriteByte('\n')
	b.WriteString(m.headerLines[1])
	b.WriteByte('\n')

	overlay := m.overlay()
	if overlay == nil && m.screen == screenWeek {
		m.writeWeek(&b)
	} else {
		lines := m.bodyLines()
		if overlay != nil {
			// What is behind the box is dimmed: the box is what is asked.
			// A question about the class under the cursor leaves it in
			// sight.
			from, to := -1, -1
			if m.screen == screenWeek && (m.dialog.IsOpen() || m.opening.IsOpen()) {
				from, to = cursorRows(lines, m.th.Mark.Cursor)
			}
			lines = dialog.CenterClear(dialog.Dim(lines, m.th.Faint), strings.Join(overlay, "\n"), m.width, from, to)
		}
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}

	// The key help always shows: a toast of two lines takes the body's
	// last line for its first.
	toasts := m.toasts.Lines()
	out := b.String()
	switch len(toasts) {
	case 0:
		out += "\n"
	case 1:
		out += toasts[0] + "\n"
	default:
		if i := strings.LastIndexByte(strings.TrimSuffix(out, "\n"), '\n'); i >= 0 {
			out = out[:i+1]
		}
		out += toasts[0] + "\n" + toasts[1] + "\n"
	}
	return out + m.helpLine
}

// cursorRows are the first and last lines that show the cursor's glyph
// (-1, -1 when none does).
func cursorRows(lines []string, glyph string) (from, to int) {
	from, to = -1, -1
	for i, l := range lines {
		if strings.Contains(ansi.Strip(l), glyph) {
			if from < 0 {
				from = i
			}
			to = i
		}
	}
	return from, to
}

// writeWeek writes the grid and, on wide terminals, the detail beside it.
func (m Model) writeWeek(b *strings.Builder) {
	gl := m.grid.Lines()
	if m.detailOpen && m.fullDetail() {
		gl = m.detailLines()
	}
	var dl []string
	sep := m.paneSep
	if m.wide() {
		dl = m.detail.Lines()
		if m.detailFocus {
			sep = m.paneSepHot
		}
	}
	for i, l := range gl {
		b.WriteString(l)
		if i < len(dl) {
			b.WriteString(sep)
			b.WriteString(dl[i])
		}
		b.WriteByte('\n')
	}
}

// overlay is the box drawn over the body, if any.
func (m Model) overlay() []string {
	switch {
	case m.dialog.IsOpen():
		return strings.Split(m.dialog.View(), "\n")
	case m.opening.IsOpen():
		return strings.Split(m.opening.View(), "\n")
	case m.planForm.IsOpen():
		return strings.Split(m.planForm.View(), "\n")
	case m.pauseForm.IsOpen():
		return strings.Split(m.pauseForm.View(), "\n")
	case m.helpOpen:
		return strings.Split(m.helpBox, "\n")
	case m.statusOpen:
		return strings.Split(m.statusBox, "\n")
	}
	return nil
}

// bodyLines is the body as lines, exactly bodyHeight of them.
func (m Model) bodyLines() []string {
	h := m.bodyHeight()
	var lines []string
	switch m.screen {
	case screenWeek:
		var b strings.Builder
		m.writeWeek(&b)
		lines = strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	case screenPrebookings:
		lines = m.prebookList.Lines()
	case screenHistory:
		lines = m.historyList.Lines()
	case screenPlans:
		lines = m.planList.Lines()
	case screenAgenda:
		lines = m.agenda.lines
	case screenLogin:
		lines = strings.Split(m.loginForm.View(), "\n")
	case screenBoxes:
		lines = strings.Split(m.picker.View(), "\n")
	default:
		lines = strings.Split(m.th.R.Place(m.width, h, lipgloss.Center, lipgloss.Center, m.th.Faint.Render(m.tx.Loading)), "\n")
	}
	out := make([]string, h)
	blank := strings.Repeat(" ", m.width)
	for i := range out {
		if i < len(lines) {
			out[i] = lines[i]
		} else {
			out[i] = blank
		}
	}
	return out
}

func (m Model) bodyHeight() int { return max(m.height-headerHeight-footerHeight, 1) }

// layout hands every component its size and renders what depends on it.
func (m *Model) layout() {
	w, h := m.width, m.height
	if w < MinWidth || h < MinHeight {
		msg := fmt.Sprintf(m.tx.TooSmall, MinWidth, MinHeight, w, h)
		msg = ansi.Wrap(msg, max(w-2, 10), "")
		m.tooSmall = m.th.R.Place(w, h, lipgloss.Center, lipgloss.Center, m.th.Warn.Render(msg))
		return
	}
	bodyH := m.bodyHeight()
	m.toasts.SetWidth(w)
	m.help.Width = w
	m.dialog.SetMaxWidth(w)
	m.opening.SetMaxWidth(w)
	m.fitLayout()
	m.prebookList.SetSize(w, bodyH)
	m.prebookList.SetHeader(lists.PrebookingHeader(m.tx, w-2))
	m.historyList.SetSize(w, bodyH)
	m.planList.SetSize(w, bodyH)
	m.planForm.SetMaxSize(w, bodyH)
	m.pauseForm.SetMaxWidth(w)
	m.loginForm.SetSize(w, bodyH)
	m.picker.SetSize(w, bodyH)
	m.renderPrebookings()
	m.renderHistory()
	m.renderAgenda(true)
	m.renderHeader()
	m.renderHelp()
	m.renderHelpBox()
	m.syncDetail()
}

// syncDetail shows the selected class in the detail pane.
func (m *Model) syncDetail() {
	if m.width > 0 {
		m.fitLayout() // names arriving may change the layout
	}
	c, ok := m.grid.Selected()
	if !ok {
		m.detail.Clear()
		m.detailOpen = false
		return
	}
	content := detail.Content{
		Class:   c,
		Notices: m.grid.Notices(),
		Busy:    m.grid.Busy(c.ID),
	}
	if h, wall, ok := m.box.Rule().HoursRule(); ok {
		content.Hours = m.tx.Hours(h, wall)
	}
	if p, ok := m.grid.Prebooking(c.ID, c.Date); ok {
		content.Prebooking = &p
		content.PrebookingFor = m.whoWords(p.FamilyID)
	}
	if pm, ok := m.grid.Plan(c.ID, c.Date); ok {
		content.Plan = &detail.Plan{ID: pm.PlanID, Days: m.tx.DaysOf(pm.Days.Has, "/"), Skipped: pm.Skipped, Paused: pm.Paused}
		for _, v := range m.plans {
			if v.Plan.ID == pm.PlanID {
				content.Plan.For = m.planWho(v.Plan)
			}
		}
	}
	if w, ok := m.watchOf(c); ok {
		content.Watch = m.watchWords(w)
	}
	if c.Date.IsZero() || !m.dayFresh[max(m.dayIndex(c.Date), 0)] {
		content.Cached = true
	}
	m.detail.SetContent(content, m.now)
	m.renderHelp() // the footer's actions follow the selected class
}

// renderHelp renders the footer: the keys that matter on this screen now,
// most important first (the class's main action, enter, moving, esc), cut
// (with "…") to the room left by "? more · q quit", which always show.
// Keys that cannot act now (on an empty list, a past class, a row of
// another box) are left out rather than offered.
func (m *Model) renderHelp() {
	// Whatever moved the focus re-renders the footer: the side pane's
	// title follows it here too.
	m.detail.SetFocus(m.detailFocus && m.screen == screenWeek)
	m.grid.SetBlurred(m.detailFocus && m.screen == screenWeek)
	k, h := m.keys, m.tx.Help
	var bindings []key.Binding
	more := key.NewBinding(key.WithKeys("?"), key.WithHelp("?", h.More))
	tail := []key.Binding{more, k.Quit}
	move := key.NewBinding(key.WithKeys("up"), key.WithHelp("←↓↑→", h.Move))
	upDown := key.NewBinding(key.WithKeys("up"), key.WithHelp("↑↓", h.Move))
	switch {
	case m.helpOpen:
		bindings = nil
		tail = []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("?/esc", h.Close))}
	case m.statusOpen: // the words the box itself says: "S or esc closes"
		bindings = nil
		tail = []key.Binding{key.NewBinding(key.WithKeys("esc"), key.WithHelp("S/esc", h.Close))}
	case m.screen == screenWeek:
		main, rest := m.classActions()
		if m.detailFocus || m.detailOpen {
			bindings = append(main, k.Back, m.detail.Keys.Down)
			bindings = append(bindings, rest...)
		} else {
			weeks := key.NewBinding(key.WithKeys("["), key.WithHelp("[ ]", h.Weeks))
			bindings = append([]key.Binding{move, k.Detail}, main...)
			if m.dayLayout() { // a phone: what to do with the class before how to move
				bindings = append(main, k.Detail, move)
			}
			if _, ok := m.grid.Selected(); !ok {
				bindings = []key.Binding{move} // an empty day: nothing to open
			}
			bindings = append(bindings, rest...)
			bindings = append(bindings, k.Refresh, k.Agenda, k.Prebookings, k.Plans, k.History, k.Boxes, k.Status, weeks, k.Today, k.Layout)
		}
	case m.screen == screenPrebookings:
		bindings = m.prebookingKeys()
	case m.screen == screenHistory:
		bindings = []key.Binding{k.Back, k.Refresh}
	case m.screen == screenAgenda:
		bindings = []key.Binding{k.Back, k.Refresh}
		if e, ok := m.agendaSelected(); ok {
			open, cancel := m.agendaKeys()
			bindings = []key.Binding{open, upDown}
			if m.now.Before(e.Start) {
				bindings = append(bindings, cancel)
			}
			bindings = append(bindings, k.Back, k.Refresh)
		}
	case m.screen == screenPlans:
		bindings = m.planKeys()
	case m.screen == screenBoxes:
		bindings = []key.Binding{m.picker.Keys.Choose, m.picker.Keys.Family, k.Back}
		if m.picker.Editing() {
			tail = []key.Binding{k.ForceQuit} // ? and q are typed into the field
		}
	case m.screen == screenLogin:
		bindings = []key.Binding{m.loginForm.Keys.Next, m.loginForm.Keys.Submit}
		tail = []key.Binding{k.ForceQuit}
	default:
		bindings = nil
		tail = []key.Binding{k.Quit}
	}
	m.helpLine = footer(m.help, bindings, tail, m.width)
}

// footer is the short help of lead cut to fit before tail, which always
// shows whole. It cuts by itself: help.Model's own cut keeps every
// remaining key when its "…" lands exactly on the edge.
func footer(h help.Model, lead, tail []key.Binding, width int) string {
	h.Width = 0
	end := h.ShortHelpView(tail)
	sep := h.Styles.ShortSeparator.Inline(true).Render(h.ShortSeparator)
	ellipsis := " " + h.Styles.Ellipsis.Inline(true).Render(h.Ellipsis)
	room := width - ansi.StringWidth(end) - ansi.StringWidth(sep)
	var items []string
	for _, kb := range lead {
		if item := h.ShortHelpView([]key.Binding{kb}); item != "" {
			items = append(items, item)
		}
	}
	widthOf := func(n int) int { // n items with their separators
		w := 0
		for i, it := range items[:n] {
			if i > 0 {
				w += ansi.StringWidth(sep)
			}
			w += ansi.StringWidth(it)
		}
		return w
	}
	n, cut := len(items), false
	if widthOf(n) > room {
		cut = true
		for n > 0 && widthOf(n)+ansi.StringWidth(ellipsis) > room {
			n--
		}
	}
	if n == 0 {
		return ansi.Truncate(end, width, "…")
	}
	line := strings.Join(items[:n], sep)
	if cut {
		line += ellipsis
	}
	return line + sep + end
}

// classActions are the action keys that apply to the selected class: its
// main one (cancel a booked class, book an open one, prebook one that is
// not open yet), and the others, which rank below moving and esc. A past
// class has none.
func (m *Model) classActions() (main, rest []key.Binding) {
	k := m.keys
	c, ok := m.grid.Selected()
	if !ok {
		return nil, nil
	}
	var p *session.Prebooking
	if pb, ok := m.grid.Prebooking(c.ID, c.Date); ok {
		p = &pb
	}
	switch grid.StateOf(c, p, m.now) {
	case grid.Past:
		return nil, nil
	case grid.Booked, grid.Waitlisted:
		return []key.Binding{k.Cancel}, []key.Binding{k.EveryWeek}
	case grid.NotOpen, grid.Prebooked, grid.Failed, grid.Firing:
		return []key.Binding{k.Prebook}, []key.Binding{k.EveryWeek}
	case grid.Full:
		return []key.Binding{k.Book}, []key.Binding{k.Watch, k.EveryWeek}
	}
	return []key.Binding{k.Book}, []key.Binding{k.EveryWeek}
}

// prebookingKeys are the prebookings view's keys for the selected row:
// remove only a prebooking still waiting, show in week only one of this
// box; an empty list offers only esc and r.
func (m *Model) prebookingKeys() []key.Binding {
	k := m.keys
	var out []key.Binding
	if p, ok := m.selectedPrebooking(); ok {
		if !p.Status.Final() && p.Status != session.PrebookFiring {
			out = append(out, k.Remove)
		}
		if p.BoxID == m.box.ID {
			out = append(out, k.Open)
		}
	}
	return append(out, k.Back, k.Refresh)
}

// planKeys are the plans view's keys for the selected row: skip only on a
// day's row, resume only a plan with a pause, show in week only for this
// box's plans; an empty list offers only esc and r.
func (m *Model) planKeys() []key.Binding {
	k := m.keys
	row, ok := m.selectedPlanRow()
	if !ok {
		return []key.Binding{k.Back, k.Refresh}
	}
	var out []key.Binding
	if row.Occ != nil {
		out = append(out, k.Skip)
	}
	out = append(out, k.Edit, k.Pause)
	if len(row.Plan.Plan.Pauses) > 0 {
		out = append(out, k.Resume)
	}
	out = append(out, k.Remove)
	if row.Plan.Plan.BoxID == m.box.ID {
		out = append(out, k.Open)
	}
	out = append(out, k.Back, k.PauseAll)
	if slices.ContainsFunc(m.plans, func(p account.PlanView) bool { return len(p.Plan.Pauses) > 0 }) {
		out = append(out, k.ResumeAll)
	}
	return append(out, k.Refresh)
}

// renderHelpBox renders the full help overlay: every key and the legend,
// in three columns so it fits 80×24.
func (m *Model) renderHelpBox() {
	th, tx, mk := m.th, m.tx, m.th.Mark
	full := m.keys.fullHelp(m.grid.Keys)
	if m.screen == screenPlans {
		// What to do in the plans view, in place of a class's actions.
		k := m.keys
		full[1] = []key.Binding{k.Skip, k.Pause, k.Resume, k.Edit, k.PauseAll, k.ResumeAll, k.Remove, k.Open}
	}
	group := func(i int) string {
		var b strings.Builder
		b.WriteString(th.Label.Render(tx.KeyGroups[i]))
		for _, kb := range full[i] {
			b.WriteString("\n" + th.HelpKey.Render(fmt.Sprintf("%-6s", kb.Help().Key)) + " " + th.HelpDesc.Render(kb.Help().Desc))
		}
		return b.String()
	}
	cols := []string{group(0), group(1) + "\n\n" + group(3), group(2)}
	keys := lipgloss.JoinHorizontal(lipgloss.Top, padRight(cols, 3)...)
	legend := strings.Split(fmt.Sprintf(tx.LegendGlyphs, mk.Booked, mk.Waitlisted, mk.Prebooked, mk.Firing, mk.Full, mk.NotOpen, mk.Failed, mk.Past)+
		"  "+fmt.Sprintf(tx.LegendPlan, mk.Plan, mk.Skipped, mk.Paused), "  ")
	legendLines := flow(legend, max(min(max(lipgloss.Width(keys), 90), m.width-8), 20))
	content := keys + "\n\n" + th.Label.Render(tx.Legend) + "\n" + legendLines
	m.helpBox = dialog.Box(th, tx.HelpTitle, content)
	m.fitHelpBox([]string{group(0), group(1), group(2), group(3)}, legend) // a phone (helpnarrow.go)
}

// flow lays items out on lines of at most width columns, two spaces
// apart, never breaking an item ("○ not open" stays whole).
func flow(items []string, width int) string {
	var b strings.Builder
	w := 0
	for _, it := range items {
		iw := ansi.StringWidth(it)
		switch {
		case w == 0:
		case w+2+iw > width:
			b.WriteByte('\n')
			w = 0
		default:
			b.WriteString("  ")
			w += 2
		}
		b.WriteString(it)
		w += iw
	}
	return b.String()
}

func padRight(cols []string, gap int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if i < len(cols)-1 {
			w := lipgloss.Width(c)
			var b strings.Builder
			for j, l := range strings.Split(c, "\n") {
				if j > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(l + strings.Repeat(" ", w-ansi.StringWidth(l)+gap))
			}
			c = b.String()
		}
		out[i] = c
	}
	return out
}

// prebookingRows is the prebookings view's order: active ones by opening,
// then finished ones, newest first.
func (m *Model) prebookingRows() []session.Prebooking {
	var active, done []session.Prebooking
	for _, p := range m.prebookings {
		switch {
		case p.Status == session.PrebookCancelled:
		case p.Status.Final():
			done = append(done, p)
		default:
			active = append(active, p)
		}
	}
	slices.SortStableFunc(done, func(a, b session.Prebooking) int { return b.FinishedAt.Compare(a.FinishedAt) })
	return append(active, done...)
}

func (m *Model) renderPrebookings() {
	names := map[int64]string{}
	for _, b := range m.boxList {
		names[b.ID] = strings.TrimSpace(b.Name)
	}
	rows := m.prebookingRows() // in box time (zones.go)
	m.prebookList.SetItems(lists.PrebookingItems(m.th, m.tx, rows, names, m.box.ID, m.now, m.prebookList.Width()-2, m.whoWords))
	if m.screen == screenPrebookings {
		m.renderHelp() // the footer follows the rows (none: only esc and r)
	}
}

func (m *Model) renderHistory() {
	m.historyList.SetItems(lists.HistoryItems(m.th, m.tx, m.events, m.eventsByID, m.width))
}
