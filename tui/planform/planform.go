// Package planform holds the weekly-plan forms: "every week" on a class
// (which days, waitlist or not, a fallback class from the same day) and
// the pause form (two dates). Each draws itself as a box over the screen,
// renders when its content changes, and answers with a message.
package planform

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// Option is a class the plan may fall back to.
type Option struct {
	Class string
	Time  session.ClockTime
}

// Label is "08:00 WOD".
func (o Option) Label() string { return o.Time.String() + " " + o.Class }

// Setup is what the form plans.
type Setup struct {
	Class   string
	Time    session.ClockTime
	Day     time.Weekday // ticked at the start
	Box     string
	Options []Option // fallback candidates, in order
	Payload any
}

// SubmitMsg is the member's plan.
type SubmitMsg struct {
	Days     session.Weekdays
	Waitlist bool
	Fallback *Option
	Payload  any
}

// Form rows.
const (
	rowDays = iota
	rowWaitlist
	rowFallback
	rowCount
)

// KeyMap edits the form.
type KeyMap struct {
	Next, Prev, Left, Right, Toggle, Waitlist, Submit, Cancel key.Binding
}

// DefaultKeyMap: arrows (or hjkl) move, space ticks, 1–7 tick a weekday.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	h := tx.Help
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("down", "j", "tab"), key.WithHelp("↓", h.Down)),
		Prev:     key.NewBinding(key.WithKeys("up", "k", "shift+tab"), key.WithHelp("↑", h.Up)),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", h.Change)),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", h.Change)),
		Toggle:   key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", h.ToggleDay)),
		Waitlist: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", tx.PlanWaitlistRow)),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", h.Save)),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", h.Back)),
	}
}

// Model is the "every week" form (closed until Open).
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	open     bool
	s        Setup
	days     session.Weekdays
	dayCur   int // 0 = Monday
	waitlist bool
	fb       int // 0 = none, i = Options[i-1]
	focus    int
	err      string
	maxWidth int
	box      string
}

// New returns a closed form.
func New(th *theme.Theme, tx *i18n.Text) Model {
	return Model{th: th, tx: tx, Keys: DefaultKeyMap(tx)}
}

// mondayFirst is the weekday of column i (0 = Monday).
func mondayFirst(i int) time.Weekday { return time.Weekday((i + 1) % 7) }

// Open starts a plan for a class: its weekday ticked, no waitlist, no
// fallback.
func (m *Model) Open(s Setup) {
	m.open, m.s = true, s
	m.days = session.WeekdaysOf(s.Day)
	m.dayCur = (int(s.Day) + 6) % 7
	m.waitlist, m.fb, m.focus, m.err = false, 0, rowDays, ""
	m.render()
}

// IsOpen reports whether the form shows.
func (m Model) IsOpen() bool { return m.open }

// Close hides the form without an answer.
func (m *Model) Close() { m.open = false }

// Days, Waitlist and Fallback are the form's current choices.
func (m Model) Days() session.Weekdays { return m.days }
func (m Model) Waitlist() bool         { return m.waitlist }
func (m Model) Fallback() *Option {
	if m.fb == 0 || m.fb > len(m.s.Options) {
		return nil
	}
	o := m.s.Options[m.fb-1]
	return &o
}

// SetMaxWidth limits the form to the screen.
func (m *Model) SetMaxWidth(w int) {
	m.maxWidth = w
	if m.open {
		m.render()
	}
}

// Update edits the form; every key is swallowed while it is open.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.open {
		return m, nil
	}
	keys := m.Keys
	m.err = ""
	// 1–7 tick Monday–Sunday (several digits may come in one message
	// when typed fast).
	if s := k.String(); k.Type == tea.KeyRunes && s != "" && strings.Trim(s, "1234567") == "" {
		for _, r := range s {
			m.days ^= session.WeekdaysOf(mondayFirst(int(r - '1')))
		}
		m.render()
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Cancel):
		m.open = false
		return m, nil
	case key.Matches(k, keys.Submit):
		if !m.days.Valid() {
			m.err = m.tx.PlanNeedsDay
			m.render()
			return m, nil
		}
		m.open = false
		res := SubmitMsg{Days: m.days, Waitlist: m.waitlist, Fallback: m.Fallback(), Payload: m.s.Payload}
		return m, func() tea.Msg { return res }
	case key.Matches(k, keys.Waitlist):
		m.waitlist = !m.waitlist
	case key.Matches(k, keys.Next):
		m.focus = (m.focus + 1) % rowCount
	case key.Matches(k, keys.Prev):
		m.focus = (m.focus + rowCount - 1) % rowCount
	case key.Matches(k, keys.Left):
		m.change(-1)
	case key.Matches(k, keys.Right):
		m.change(1)
	case key.Matches(k, keys.Toggle):
		switch m.focus {
		case rowDays:
			m.days ^= session.WeekdaysOf(mondayFirst(m.dayCur))
		default:
			m.change(1)
		}
	}
	m.render()
	return m, nil
}

// change moves the focused row's value by delta.
func (m *Model) change(delta int) {
	switch m.focus {
	case rowDays:
		m.dayCur = (m.dayCur + 7 + delta) % 7
	case rowWaitlist:
		m.waitlist = !m.waitlist
	case rowFallback:
		n := len(m.s.Options) + 1
		m.fb = (m.fb + n + delta) % n
	}
}

// View is the form's box (empty when closed).
func (m Model) View() string {
	if !m.open {
		return ""
	}
	return m.box
}

func (m *Model) render() {
	th, tx := m.th, m.tx
	labels := []string{tx.PlanDays, tx.PlanWaitlistRow, tx.PlanFallback}
	lw := 0
	for _, l := range labels {
		lw = max(lw, ansi.StringWidth(l))
	}
	lw += 2
	row := func(r int, value string) string {
		gutter := "  "
		if r == m.focus {
			gutter = th.Accent.Render(th.Mark.Today) + " "
		}
		label := labels[r] + strings.Repeat(" ", lw-ansi.StringWidth(labels[r]))
		return gutter + th.Label.Render(label) + value
	}

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
	wait := "[ ] " + tx.PlanWaitlistNo
	if m.waitlist {
		wait = "[x] " + tx.PlanWaitlistYes
	}
	fb := tx.PlanFallbackNone
	if o := m.Fallback(); o != nil {
		fb = o.Label()
	}
	if m.focus == rowFallback && len(m.s.Options) > 0 {
		fb = "‹ " + fb + " ›"
	}
	dayRows := []string{row(rowDays, strings.Join(days, " "))}
	if avail := max(m.maxWidth-6, 20); m.maxWidth > 0 && ansi.StringWidth(dayRows[0]) > avail {
		// A phone: the days go beneath their label, as many a line as fit.
		dayRows = []string{row(rowDays, "")}
		per := max((avail-4+1)/7, 1) // "[x]Mon" and a space
		for i := 0; i < len(days); i += per {
			dayRows = append(dayRows, "    "+strings.Join(days[i:min(i+per, len(days))], " "))
		}
	}
	lines := []string{th.Bold.Render(fmt.Sprintf(tx.PlanFormClass, m.s.Class, m.s.Time, m.s.Box)), ""}
	lines = append(lines, dayRows...)
	lines = append(lines, row(rowWaitlist, wait), row(rowFallback, fb))
	if m.focus == rowFallback && len(m.s.Options) > 0 {
		// The candidates, a window around the chosen one.
		all := append([]string{tx.PlanFallbackNone}, labelsOf(m.s.Options)...)
		const window = 5
		first := min(max(m.fb-window/2, 0), max(len(all)-window, 0))
		indent := strings.Repeat(" ", 2+lw)
		for i := first; i < min(first+window, len(all)); i++ {
			mark := "  "
			if i == m.fb {
				mark = th.Accent.Render(th.Mark.Cursor) + " "
			}
			lines = append(lines, indent+mark+all[i])
		}
	}
	width := 0
	for _, l := range lines {
		width = max(width, ansi.StringWidth(l))
	}
	width = max(width, 40)
	if m.maxWidth > 0 {
		width = min(width, max(m.maxWidth-6, 20))
	}
	if m.err != "" {
		lines = append(lines, "", th.Warn.Render(th.Mark.Warn+" "+m.err))
	}
	lines = append(lines, "")
	for _, l := range strings.Split(ansi.Wrap(tx.PlanFormHint, width, ""), "\n") {
		lines = append(lines, th.HelpDesc.Render(l))
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	m.box = th.Dialog.Render(th.DialogTitle.Render(tx.PlanFormTitle) + "\n\n" + strings.Join(lines, "\n"))
}

func labelsOf(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Label()
	}
	return out
}
