// Package planform holds the weekly-plan forms: "every week" on a class,
// also used to edit a plan (which days, waitlist or not, fallback classes
// in order, from/until dates), and the pause form (two dates). Each draws
// itself as a box over the screen, renders when its content changes, and
// answers with a message.
package planform

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/textfield"
	"github.com/ahtui/ahtui/tui/theme"
)

// Option is a class the plan may fall back to.
type Option struct {
	Class string
	Time  session.ClockTime
}

// Label is "08:00 WOD".
func (o Option) Label() string { return o.Time.String() + " " + o.Class }

// key names the option whatever the case, accents and spaces of its name.
func (o Option) key() string { return session.NormalizeClassName(o.Class) + "@" + o.Time.String() }

// Setup is what the form plans.
type Setup struct {
	Class   string
	Time    session.ClockTime
	Day     time.Weekday // ticked at the start of a new plan
	Box     string
	Options []Option       // fallback candidates (the box's classes that weekday), in order
	Today   aimharder.Date // the box's today: "21/12" means the next 21 December
	// PlanID is the plan edited (0: a new plan), Edit its settings.
	PlanID int64
	Edit   session.PlanEdit
	// For, when it has more than one name, adds the row "For": whom the
	// plan books for, among ForNames (ForIDs their familyIds, "" the
	// holder), starting on ForIndex. An edit keeps its person.
	ForNames []string
	ForIDs   []string
	ForIndex int
	Payload  any
}

// SubmitMsg is the member's plan.
type SubmitMsg struct {
	PlanID      int64 // 0: a new plan
	Days        session.Weekdays
	Waitlist    bool
	Fallbacks   []Option // in order
	From, Until aimharder.Date
	// ForID is the familyId chosen on the For row ("" = the holder);
	// ForSet tells whether the form had one.
	ForID   string
	ForSet  bool
	Payload any
}

// Form rows. The fallbacks take one line each, then the chooser's.
const (
	rowDays = iota
	rowWaitlist
	rowFallback
	rowFrom
	rowUntil
	rowFor // only with a choice of whom (Setup.ForNames)
)

// KeyMap edits the form.
type KeyMap struct {
	Next, Prev, Left, Right, Toggle, Waitlist, Submit, Cancel key.Binding
	Add, Remove, MoveUp, MoveDown                             key.Binding
}

// DefaultKeyMap: arrows (or hjkl) move, space ticks, 1–7 tick a weekday.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	h, f := tx.Help, tx.PlanForm()
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("down", "j", "tab"), key.WithHelp("↓", h.Down)),
		Prev:     key.NewBinding(key.WithKeys("up", "k", "shift+tab"), key.WithHelp("↑", h.Up)),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", h.Change)),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", h.Change)),
		Toggle:   key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", h.ToggleDay)),
		Waitlist: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", tx.PlanWaitlistRow)),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h.Save)),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", h.Back)),
		Add:      key.NewBinding(key.WithKeys("+", "a", " "), key.WithHelp("+", f.AddAnother)),
		Remove:   key.NewBinding(key.WithKeys("x", "delete", "backspace", "-"), key.WithHelp("x", h.Remove)),
		MoveUp:   key.NewBinding(key.WithKeys("shift+up", "K"), key.WithHelp("shift+↑", h.Up)),
		MoveDown: key.NewBinding(key.WithKeys("shift+down", "J"), key.WithHelp("shift+↓", h.Down)),
	}
}

// Model is the "every week" form (closed until Open).
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	open      bool
	s         Setup
	days      session.Weekdays
	dayCur    int // 0 = Monday
	waitlist  bool
	fallbacks []Option
	who       int // ForNames[who]
	fbCur     int // on rowFallback: 0..len(fallbacks)-1 a fallback, len(fallbacks) the chooser
	pick      int // the chooser: 0 = none, i = candidates()[i-1]
	dates     [2]textinput.Model
	focus     int
	err       string
	maxWidth  int
	maxHeight int
	box       string
}

// New returns a closed form.
func New(th *theme.Theme, tx *i18n.Text) Model {
	m := Model{th: th, tx: tx, Keys: DefaultKeyMap(tx)}
	for i := range m.dates {
		m.dates[i] = textfield.New(th, textfield.Options{Placeholder: tx.PlanForm().NoDate, Width: 11, Limit: 10})
	}
	return m
}

// mondayFirst is the weekday of column i (0 = Monday).
func mondayFirst(i int) time.Weekday { return time.Weekday((i + 1) % 7) }

// Open starts a plan for a class — its weekday ticked, no waitlist, no
// fallback, no dates — or, with s.PlanID, edits that plan's settings.
func (m *Model) Open(s Setup) {
	m.open, m.s = true, s
	m.days, m.waitlist, m.fallbacks = session.WeekdaysOf(s.Day), false, nil
	from, until := "", ""
	if s.PlanID != 0 {
		m.days, m.waitlist = s.Edit.Days, s.Edit.Waitlist
		for _, f := range s.Edit.Fallbacks {
			m.fallbacks = append(m.fallbacks, Option{Class: f.Class, Time: f.Time})
		}
		if !s.Edit.From.IsZero() {
			from = s.Edit.From.String()
		}
		if !s.Edit.Until.IsZero() {
			until = s.Edit.Until.String()
		}
	}
	m.dayCur = (int(s.Day) + 6) % 7
	m.dates[0].SetValue(from)
	m.dates[1].SetValue(until)
	m.pick, m.fbCur, m.err = 0, 0, ""
	m.who = min(max(s.ForIndex, 0), max(len(s.ForNames)-1, 0))
	m.setFocus(rowDays)
	m.render()
}

// hasFor reports whether the form asks for whom: a new plan on an account
// with family members named.
func (m Model) hasFor() bool {
	return m.s.PlanID == 0 && len(m.s.ForNames) > 1 && len(m.s.ForIDs) == len(m.s.ForNames)
}

// rowCount is how many rows the form has.
func (m Model) rowCount() int {
	if m.hasFor() {
		return rowFor + 1
	}
	return rowFor
}

// IsOpen reports whether the form shows.
func (m Model) IsOpen() bool { return m.open }

// Close hides the form without an answer.
func (m *Model) Close() { m.open = false }

// Days, Waitlist and Fallbacks are the form's current choices.
func (m Model) Days() session.Weekdays { return m.days }
func (m Model) Waitlist() bool         { return m.waitlist }

// Fallbacks are the chosen fallbacks in order, with the chooser's class
// last when one is showing there.
func (m Model) Fallbacks() []Option {
	out := slices.Clone(m.fallbacks)
	if o, ok := m.chosen(); ok {
		out = append(out, o)
	}
	return out
}

// Focus is the focused row and, on the fallbacks, the line (the chooser
// is len(Fallbacks without the chooser's)).
func (m Model) Focus() (row, line int) { return m.focus, m.fbCur }

// candidates are the options not yet in the plan (nor its first choice).
func (m Model) candidates() []Option {
	taken := map[string]bool{Option{Class: m.s.Class, Time: m.s.Time}.key(): true}
	for _, f := range m.fallbacks {
		taken[f.key()] = true
	}
	var out []Option
	for _, o := range m.s.Options {
		if !taken[o.key()] {
			taken[o.key()] = true
			out = append(out, o)
		}
	}
	return out
}

// chosen is the chooser's class, if one shows.
func (m Model) chosen() (Option, bool) {
	c := m.candidates()
	if m.pick == 0 || m.pick > len(c) {
		return Option{}, false
	}
	return c[m.pick-1], true
}

// SetMaxWidth limits the form to the screen's width.
func (m *Model) SetMaxWidth(w int) { m.SetMaxSize(w, m.maxHeight) }

// SetMaxSize limits the form to the screen (0: no limit).
func (m *Model) SetMaxSize(w, h int) {
	m.maxWidth, m.maxHeight = w, h
	if m.open {
		m.render()
	}
}

func (m *Model) setFocus(row int) {
	m.focus = row
	for i := range m.dates {
		if row == rowFrom+i {
			m.dates[i].Focus()
			m.dates[i].CursorEnd()
		} else {
			m.dates[i].Blur()
		}
	}
}

// onDate reports whether a date field has the keyboard.
func (m Model) onDate() bool { return m.focus == rowFrom || m.focus == rowUntil }

// Update edits the form; every key is swallowed while it is open.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.open {
		return m, nil
	}
	keys := m.Keys
	m.err = ""
	s := k.String()
	switch {
	case key.Matches(k, keys.Cancel):
		m.open = false
		return m, nil
	case key.Matches(k, keys.Submit):
		return m.submit()
	case k.Type == tea.KeyTab, k.Type == tea.KeyDown, k.Type == tea.KeyShiftTab, k.Type == tea.KeyUp:
		// Arrows and tab move in a date field too (letters are typed).
		m.move(k.Type == tea.KeyTab || k.Type == tea.KeyDown)
	case m.onDate() && (k.Type != tea.KeyRunes || strings.Trim(s, "0123456789/-.") == ""):
		// A date has no letters: those still move (j, k) or toggle (w).
		var cmd tea.Cmd
		m.dates[m.focus-rowFrom], cmd = m.dates[m.focus-rowFrom].Update(k)
		m.render()
		return m, cmd
	case k.Type == tea.KeyRunes && s != "" && strings.Trim(s, "1234567") == "":
		// 1–7 tick Monday–Sunday (several digits may come in one message
		// when typed fast).
		for _, r := range s {
			m.days ^= session.WeekdaysOf(mondayFirst(int(r - '1')))
		}
	case key.Matches(k, keys.Next):
		m.move(true)
	case key.Matches(k, keys.Prev):
		m.move(false)
	case m.focus == rowFallback:
		m.fallbackKey(k)
	case key.Matches(k, keys.Waitlist):
		m.waitlist = !m.waitlist
	case key.Matches(k, keys.Left):
		m.change(-1)
	case key.Matches(k, keys.Right):
		m.change(1)
	case key.Matches(k, keys.Toggle):
		if m.focus == rowDays {
			m.days ^= session.WeekdaysOf(mondayFirst(m.dayCur))
		} else {
			m.change(1)
		}
	}
	m.render()
	return m, nil
}

// move goes to the next (or previous) line: each fallback is one.
func (m *Model) move(down bool) {
	if m.focus == rowFallback {
		switch {
		case down && m.fbCur < len(m.fallbacks):
			m.fbCur++
			return
		case !down && m.fbCur > 0:
			m.fbCur--
			return
		}
	}
	n := m.rowCount()
	row := (m.focus + 1) % n
	if !down {
		row = (m.focus + n - 1) % n
	}
	if row == rowFallback {
		m.fbCur = 0
		if !down {
			m.fbCur = len(m.fallbacks)
		}
	}
	m.setFocus(row)
}

// fallbackKey edits the fallbacks: on one, remove or move it; on the
// chooser, pick a class and add it.
func (m *Model) fallbackKey(k tea.KeyMsg) {
	keys := m.Keys
	if m.fbCur < len(m.fallbacks) {
		i := m.fbCur
		switch {
		case key.Matches(k, keys.MoveUp) && i > 0:
			m.fallbacks[i-1], m.fallbacks[i] = m.fallbacks[i], m.fallbacks[i-1]
			m.fbCur--
		case key.Matches(k, keys.MoveDown) && i < len(m.fallbacks)-1:
			m.fallbacks[i+1], m.fallbacks[i] = m.fallbacks[i], m.fallbacks[i+1]
			m.fbCur++
		case key.Matches(k, keys.Remove):
			m.fallbacks = slices.Delete(m.fallbacks, i, i+1)
			m.pick = 0
		case key.Matches(k, keys.Waitlist):
			m.waitlist = !m.waitlist
		}
		return
	}
	switch {
	case key.Matches(k, keys.Left):
		m.change(-1)
	case key.Matches(k, keys.Right):
		m.change(1)
	case key.Matches(k, keys.Add):
		if o, ok := m.chosen(); ok {
			m.fallbacks = append(m.fallbacks, o)
			m.fbCur, m.pick = len(m.fallbacks), 0
		} else {
			m.change(1)
		}
	case key.Matches(k, keys.Remove):
		m.pick = 0
	case key.Matches(k, keys.Waitlist):
		m.waitlist = !m.waitlist
	}
}

// change moves the focused row's value by delta.
func (m *Model) change(delta int) {
	switch m.focus {
	case rowDays:
		m.dayCur = (m.dayCur + 7 + delta) % 7
	case rowWaitlist:
		m.waitlist = !m.waitlist
	case rowFallback:
		n := len(m.candidates()) + 1
		m.pick = (m.pick + n + delta) % n
	case rowFor:
		if n := len(m.s.ForNames); n > 0 {
			m.who = (m.who + n + delta) % n
		}
	}
}

// submit checks the form and answers with the plan.
func (m Model) submit() (Model, tea.Cmd) {
	f := m.tx.PlanForm()
	fail := func(row int, text string) (Model, tea.Cmd) {
		m.err = text
		if row >= 0 {
			m.setFocus(row)
		}
		m.render()
		return m, nil
	}
	if !m.days.Valid() {
		return fail(rowDays, m.tx.PlanNeedsDay)
	}
	var dates [2]aimharder.Date
	for i, in := range m.dates {
		v := strings.TrimSpace(in.Value())
		if v == "" {
			continue
		}
		d, err := ParseDay(v, m.s.Today)
		if err != nil {
			return fail(rowFrom+i, fmt.Sprintf(m.tx.PlanBadDate, v))
		}
		dates[i] = d
	}
	from, until := dates[0], dates[1]
	switch {
	case !from.IsZero() && !until.IsZero() && until.Before(from):
		return fail(rowUntil, fmt.Sprintf(f.UntilBeforeFrom, m.tx.ShortDate(until), m.tx.ShortDate(from)))
	case !until.IsZero() && !m.s.Today.IsZero() && until.Before(m.s.Today):
		return fail(rowUntil, fmt.Sprintf(f.UntilBeforeToday, m.tx.ShortDate(until)))
	}
	m.open = false
	res := SubmitMsg{PlanID: m.s.PlanID, Days: m.days, Waitlist: m.waitlist, Fallbacks: m.Fallbacks(),
		From: from, Until: until, Payload: m.s.Payload}
	if m.hasFor() {
		res.ForID, res.ForSet = m.s.ForIDs[m.who], true
	}
	return m, func() tea.Msg { return res }
}

// View is the form's box (empty when closed).
func (m Model) View() string {
	if !m.open {
		return ""
	}
	return m.box
}

// render draws the form: with the candidates' list as long as fits the
// screen (5 at most), then shorter until the box fits.
func (m *Model) render() {
	for size := 5; ; size-- {
		if size == 1 {
			continue // the chooser's own line shows that one
		}
		if m.renderWith(size) || size == 0 {
			return
		}
	}
}

// renderWith draws the form with at most size candidates listed, and
// reports whether the box fits the screen's height.
func (m *Model) renderWith(size int) bool {
	th, tx, f := m.th, m.tx, m.tx.PlanForm()
	labels := []string{tx.PlanDays, tx.PlanWaitlistRow, tx.PlanFallback, f.From, f.Until}
	if m.hasFor() {
		labels = append(labels, tx.FamilyFor)
	}
	lw := 0
	for _, l := range labels {
		lw = max(lw, ansi.StringWidth(l))
	}
	lw += 2
	width := 40
	avail := 0
	if m.maxWidth > 0 {
		avail = max(m.maxWidth-6, 20)
	}
	line := func(focused bool, label, value string) string {
		gutter := "  "
		if focused {
			gutter = th.Accent.Render(th.Mark.Today) + " "
		}
		return gutter + th.Label.Render(label+strings.Repeat(" ", lw-ansi.StringWidth(label))) + value
	}
	row := func(r int, value string) string { return line(r == m.focus, labels[r], value) }

	var days []string
	for i := range 7 {
		wd := mondayFirst(i)
		box := "[ ]"
		if m.days.Has(wd) {
			box = "[x]"
		}
		cell := box + tx.Weekday(wd)
		if m.focus == rowDays && i == m.dayCur {
			cell = th.Selected.Render(cell)
		}
		days = append(days, cell)
	}
	dayRows := []string{row(rowDays, strings.Join(days, " "))}
	if avail > 0 && ansi.StringWidth(dayRows[0]) > avail {
		// A phone: the days go beneath their label, as many a line as fit.
		dayRows = []string{row(rowDays, "")}
		per := max((avail-4+1)/7, 1) // "[x]Mon" and a space
		for i := 0; i < len(days); i += per {
			dayRows = append(dayRows, "    "+strings.Join(days[i:min(i+per, len(days))], " "))
		}
	}
	wait := "[ ] " + tx.PlanWaitlistNo
	if m.waitlist {
		wait = "[x] " + tx.PlanWaitlistYes
	}

	// The fallbacks, one line each, then the chooser; the label goes on
	// the first line shown.
	type fbLine struct {
		on    bool
		value string
	}
	var fbLines []fbLine
	for i, o := range m.fallbacks {
		value := fmt.Sprintf("%d. %s", i+1, o.Label())
		on := m.focus == rowFallback && m.fbCur == i
		if on {
			value = th.Selected.Render(value)
		}
		fbLines = append(fbLines, fbLine{on, value})
	}
	onChooser := m.focus == rowFallback && m.fbCur == len(m.fallbacks)
	cands := m.candidates()
	choice := tx.PlanFallbackNone
	if len(m.fallbacks) > 0 {
		choice = f.AddAnother
	}
	if o, ok := m.chosen(); ok {
		choice = o.Label()
	}
	switch {
	case onChooser && len(cands) > 0:
		choice = "‹ " + choice + " ›"
	case onChooser:
		choice += " · " + th.Faint.Render(f.NoOptions)
	}
	if len(m.fallbacks) > 0 {
		choice = "+ " + choice
	}
	fbLines = append(fbLines, fbLine{onChooser, choice})
	if m.maxHeight > 0 && m.maxHeight < 24 && len(fbLines) > 4 {
		// A small screen: the fallbacks around the cursor.
		at := len(fbLines) - 1
		if m.focus == rowFallback {
			at = m.fbCur
		}
		first := min(max(at-1, 0), len(fbLines)-3)
		fbLines = fbLines[first : first+3]
	}
	var fbRows []string
	for i, l := range fbLines {
		label := ""
		if i == 0 {
			label = labels[rowFallback]
		}
		fbRows = append(fbRows, line(l.on, label, l.value))
	}
	var window []string
	if onChooser && len(cands) > 0 {
		// The candidates, a window around the chosen one.
		all := append([]string{tx.PlanFallbackNone}, labelsOf(cands)...)
		first := min(max(m.pick-size/2, 0), max(len(all)-size, 0))
		indent := strings.Repeat(" ", 2+lw)
		for i := first; i < min(first+size, len(all)); i++ {
			mark := "  "
			if i == m.pick {
				mark = th.Accent.Render(th.Mark.Cursor) + " "
			}
			window = append(window, indent+mark+all[i])
		}
	}

	title := tx.PlanFormTitle
	if m.s.PlanID != 0 {
		title = fmt.Sprintf(f.EditTitle, m.s.PlanID)
	}
	head := th.Bold.Render(fmt.Sprintf(tx.PlanFormClass, m.s.Class, m.s.Time, m.s.Box))
	body := append([]string{}, dayRows...)
	body = append(body, row(rowWaitlist, wait))
	body = append(body, fbRows...)
	body = append(body, window...)
	for i := range m.dates {
		body = append(body, row(rowFrom+i, m.dates[i].View()))
	}
	if m.hasFor() {
		who := m.s.ForNames[m.who]
		if m.focus == rowFor {
			who = "‹ " + who + " ›"
		}
		body = append(body, row(rowFor, who))
	}
	for _, l := range append([]string{head}, body...) {
		width = max(width, ansi.StringWidth(l))
	}
	if avail > 0 {
		width = min(width, avail)
	}
	hint := f.HintDays
	switch {
	case m.focus == rowWaitlist:
		hint = f.HintWaitlist
	case m.focus == rowFallback && !onChooser:
		hint = f.HintFallback
	case m.focus == rowFallback:
		hint = f.HintChooser
	case m.onDate():
		hint = f.HintDate
	case m.focus == rowFor:
		hint = f.HintFor
	}
	var tail []string
	if m.err != "" {
		for _, l := range strings.Split(ansi.Wrap(th.Mark.Warn+" "+m.err, width, ""), "\n") {
			tail = append(tail, th.Warn.Render(l))
		}
	}
	for _, l := range strings.Split(ansi.Wrap(hint, width, ""), "\n") {
		tail = append(tail, th.HelpDesc.Render(l))
	}
	// Title, head, body and tail with a blank line between; the blank
	// lines go first on a short screen.
	lines := append([]string{th.DialogTitle.Render(title), "", head, ""}, body...)
	lines = append(append(lines, ""), tail...)
	if m.maxHeight > 0 && len(lines)+2 > m.maxHeight {
		lines = slices.DeleteFunc(lines, func(l string) bool { return l == "" })
	}
	if m.maxHeight > 0 && len(lines)+2 > m.maxHeight && size > 0 {
		return false // fewer candidates first
	}
	if m.maxHeight > 0 && len(lines)+2 > m.maxHeight {
		// Still too tall: the hint goes first, then the title.
		lines = lines[:max(m.maxHeight-2, len(lines)-len(tail)+1)]
		if len(lines)+2 > m.maxHeight {
			lines = lines[1:]
		}
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	m.box = th.Dialog.Render(strings.Join(lines, "\n"))
	return true
}

func labelsOf(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Label()
	}
	return out
}
