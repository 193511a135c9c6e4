// Package lists holds the full-screen lists: prebookings and history. Items
// are rendered when their data, the clock or the size change; moving the
// cursor only re-joins cached lines.
package lists

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// Item is one entry: one or more lines of text (styled, any width).
type Item struct {
	Lines []string
}

// KeyMap moves through a list.
type KeyMap struct {
	Up, Down, PageUp, PageDown, First, Last key.Binding
}

// DefaultKeyMap is arrows, j/k and the page keys.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", tx.Help.Up)),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", tx.Help.Down)),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d")),
		First:    key.NewBinding(key.WithKeys("home", "g")),
		Last:     key.NewBinding(key.WithKeys("end", "G")),
	}
}

// Model is a scrollable list with a cursor.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	width, height int
	title, header string
	empty         string
	items         []Item
	cursor        int
	offset        int
	lines         []string
	joined        string
}

// New returns an empty list.
func New(th *theme.Theme, tx *i18n.Text, title, empty string) Model {
	return Model{th: th, tx: tx, Keys: DefaultKeyMap(tx), title: title, empty: empty}
}

// SetSize sets the list's size in cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.render()
}

// Width is the list's width.
func (m Model) Width() int { return m.width }

// SetHeader sets the column titles line (may be empty).
func (m *Model) SetHeader(h string) {
	m.header = h
	m.render()
}

// SetItems replaces the items, keeping the cursor's position.
func (m *Model) SetItems(items []Item) {
	m.items = items
	m.cursor = min(m.cursor, max(len(items)-1, 0))
	m.render()
}

// Len is the number of items.
func (m Model) Len() int { return len(m.items) }

// Cursor is the index of the selected item (-1 when empty).
func (m Model) Cursor() int {
	if len(m.items) == 0 {
		return -1
	}
	return m.cursor
}

// SetCursor selects an item.
func (m *Model) SetCursor(i int) {
	m.cursor = min(max(i, 0), max(len(m.items)-1, 0))
	m.render()
}

// Update moves the cursor.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || len(m.items) == 0 {
		return m, nil
	}
	page := max(m.bodyHeight()/2, 1)
	switch {
	case key.Matches(k, m.Keys.Up):
		m.SetCursor(m.cursor - 1)
	case key.Matches(k, m.Keys.Down):
		m.SetCursor(m.cursor + 1)
	case key.Matches(k, m.Keys.PageUp):
		m.SetCursor(m.cursor - page)
	case key.Matches(k, m.Keys.PageDown):
		m.SetCursor(m.cursor + page)
	case key.Matches(k, m.Keys.First):
		m.SetCursor(0)
	case key.Matches(k, m.Keys.Last):
		m.SetCursor(len(m.items) - 1)
	}
	return m, nil
}

// View is the list, exactly Width × Height.
func (m Model) View() string { return m.joined }

// Lines is the list line by line.
func (m Model) Lines() []string { return m.lines }

func (m Model) bodyHeight() int {
	h := m.height - 2 // title and blank line
	if m.header != "" {
		h--
	}
	return max(h-1, 1) // scroll line
}

func (m *Model) render() {
	if m.width <= 0 || m.height <= 0 {
		m.lines, m.joined = nil, ""
		return
	}
	th := m.th
	w := m.width
	lines := make([]string, 0, m.height)
	lines = append(lines, fit(th.Title.Render(m.title), w), fit("", w))
	if m.header != "" {
		lines = append(lines, fit("  "+th.Label.Render(m.header), w))
	}
	body := m.bodyHeight()
	if len(m.items) == 0 {
		// Wrapped, not cut: on a phone the hint is the point.
		for _, l := range strings.Split(ansi.Wrap(m.empty, max(w-4, 10), ""), "\n") {
			lines = append(lines, fit("  "+th.Faint.Render(l), w))
		}
	}
	// Scroll so the cursor's item is fully visible.
	m.offset = min(m.offset, m.cursor)
	for m.offset < m.cursor && m.span(m.offset, m.cursor) > body {
		m.offset++
	}
	// With room to spare (the list grew, or lost items), show the items
	// above rather than blank lines below.
	for m.offset > 0 && m.span(m.offset-1, len(m.items)-1) <= body {
		m.offset--
	}
	used := 0
	last := m.offset
	for i := m.offset; i < len(m.items); i++ {
		it := m.items[i]
		if used+len(it.Lines) > body && used > 0 {
			break
		}
		for _, l := range it.Lines {
			if used >= body {
				break
			}
			gutter := "  "
			if i == m.cursor {
				gutter = th.Accent.Render(th.Mark.Cursor) + " "
			}
			lines = append(lines, fit(gutter+l, w))
			used++
		}
		last = i + 1
	}
	for len(lines) < m.height-1 {
		lines = append(lines, fit("", w))
	}
	var more []string
	if m.offset > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreAbove, m.offset))
	}
	if below := len(m.items) - last; below > 0 {
		more = append(more, fmt.Sprintf(m.tx.MoreBelow, below))
	}
	lines = append(lines, fit(" "+th.Faint.Render(strings.Join(more, "  ")), w))
	m.lines = lines[:min(len(lines), m.height)]
	m.joined = strings.Join(m.lines, "\n")
}

// span is how many lines items from..to (inclusive) take.
func (m *Model) span(from, to int) int {
	n := 0
	for i := from; i <= to && i < len(m.items); i++ {
		n += len(m.items[i].Lines)
	}
	return n
}

// fit makes a styled line exactly w cells wide.
func fit(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}
