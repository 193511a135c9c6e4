// Package detail is the class detail pane: what the class is, your state,
// when booking opens, the late-cancel rule and who is coming (scrollable),
// or that the box keeps its attendee list private.
package detail

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// KeyMap scrolls the pane.
type KeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
}

// DefaultKeyMap scrolls with j/k and the page keys.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", tx.Help.Scroll)),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", tx.Help.Scroll)),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " ")),
	}
}

// Content is what the pane shows.
type Content struct {
	Class      account.ClassView
	Prebooking *session.Prebooking
	Notices    []string
	Cached     bool
	FetchedAt  time.Time
	Busy       bool
	// PrebookingFor says for whom the prebooking is ("for Leo"; "" when
	// nothing needs saying).
	PrebookingFor string
	// Hours is the box's rule in words when it is an hours rule, with the
	// counting it assumes (i18n.Text.Hours); "" otherwise.
	Hours string
	// Plan is set when a weekly plan books the class.
	Plan *Plan
	// Watch is what the member's watch of the full class does, in words
	// ("books the first free place"); "" when it is not watched.
	Watch string
}

// Plan is the weekly plan that books a class.
type Plan struct {
	ID   int64
	Days string // "Mon/Wed/Fri", in the member's language
	// Skipped and Paused: this day is skipped, or in a pause.
	Skipped, Paused bool
	// For says for whom the plan books ("for Leo"; "" when nothing needs
	// saying).
	For string
}

// Model is the detail pane.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	width, height int
	content       Content
	has           bool
	now           time.Time
	focus         bool // the keys are the pane's: its title is a bar

	body    []string // every line, exactly width wide
	offset  int
	visible []string
	joined  string
}

// New returns an empty pane.
func New(th *theme.Theme, tx *i18n.Text) Model {
	return Model{th: th, tx: tx, Keys: DefaultKeyMap(tx)}
}

// SetSize sets the pane's size in cells.
func (m *Model) SetSize(w, h int) {
	if w == m.width && h == m.height {
		return
	}
	m.width, m.height = w, h
	m.render()
}

// Width and Height are the pane's size.
func (m Model) Width() int  { return m.width }
func (m Model) Height() int { return m.height }

// SetContent shows a class (keeping the scroll position when it is the
// same class).
func (m *Model) SetContent(c Content, now time.Time) {
	if !m.has || m.content.Class.ID != c.Class.ID || m.content.Class.Date != c.Class.Date {
		m.offset = 0
	}
	m.content, m.has, m.now = c, true, now
	m.render()
}

// SetFocus marks the pane as having the keys: its title becomes a
// highlighted bar led by "▸", so focus shows in any terminal, not only
// in the separator's colour.
func (m *Model) SetFocus(f bool) {
	if f == m.focus {
		return
	}
	m.focus = f
	m.render()
}

// Focused reports whether the pane is marked as having the keys.
func (m Model) Focused() bool { return m.focus }

// Clear empties the pane.
func (m *Model) Clear() {
	m.has, m.offset = false, 0
	m.render()
}

// SetNow moves the clock the countdowns use.
func (m *Model) SetNow(now time.Time) {
	if !m.has {
		m.now = now
		return
	}
	before := m.stamp(m.now)
	m.now = now
	if m.stamp(now) != before {
		m.render()
	}
}

// stamp is what of now the pane shows: seconds while a countdown runs.
func (m Model) stamp(now time.Time) string {
	c := m.content
	if !c.Class.OpensAt.IsZero() && now.Before(c.Class.OpensAt) {
		return i18n.Countdown(c.Class.OpensAt.Sub(now))
	}
	return grid.StateOf(c.Class, c.Prebooking, now).String()
}

// Update scrolls.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.scroll(-1)
	case key.Matches(k, m.Keys.Down):
		m.scroll(1)
	case key.Matches(k, m.Keys.PageUp):
		m.scroll(-max(m.height-2, 1))
	case key.Matches(k, m.Keys.PageDown):
		m.scroll(max(m.height-2, 1))
	}
	return m, nil
}

func (m *Model) scroll(delta int) {
	off := min(max(m.offset+delta, 0), m.maxOffset())
	if off != m.offset {
		m.offset = off
		m.window()
	}
}

// room is how many lines of the content show: all but the last when it
// does not fit, which says what more there is.
func (m Model) room() int {
	if len(m.body) > m.height {
		return max(m.height-1, 1)
	}
	return m.height
}

// maxOffset is the offset that shows the content's last line.
func (m Model) maxOffset() int { return max(len(m.body)-m.room(), 0) }

// Top scrolls back to the top: a detail opened anew starts at the class,
// not where the last one was left.
func (m *Model) Top() { m.scroll(-m.offset) }

// View is the pane, exactly Width × Height.
func (m Model) View() string { return m.joined }

// Lines is the pane line by line.
func (m Model) Lines() []string { return m.visible }

// render lays the whole content out; window picks the visible part.
func (m *Model) render() {
	if m.width <= 0 || m.height <= 0 {
		m.body, m.visible, m.joined = nil, nil, ""
		return
	}
	if !m.has {
		m.body = []string{pad(m.th.Faint.Render(m.tx.NoClassSelected), m.width)}
	} else {
		m.body = m.layout()
	}
	m.offset = min(m.offset, m.maxOffset())
	m.window()
}

func (m *Model) window() {
	blank := strings.Repeat(" ", m.width)
	vis := make([]string, 0, m.height)
	end := min(m.offset+m.room(), len(m.body))
	vis = append(vis, m.body[m.offset:end]...)
	for len(vis) < m.height {
		vis = append(vis, blank)
	}
	// Say when there is more than fits.
	if len(m.body) > m.height {
		var parts []string
		if m.offset > 0 {
			parts = append(parts, fmt.Sprintf(m.tx.MoreAbove, m.offset))
		}
		if below := len(m.body) - end; below > 0 {
			parts = append(parts, fmt.Sprintf(m.tx.MoreBelow, below))
		}
		vis[len(vis)-1] = pad(m.th.Faint.Render(strings.Join(parts, "  ")), m.width)
	}
	m.visible = vis
	m.joined = strings.Join(vis, "\n")
}

// pad makes a styled line exactly w cells wide.
func pad(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}
