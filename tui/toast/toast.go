// Package toast shows short-lived outcome messages in the footer. Each
// toast expires through its own tagged tick, so a late tick can only remove
// the toast it was made for.
package toast

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/theme"
)

// Level is how a toast is coloured and marked.
type Level int

const (
	Info Level = iota
	OK
	Warn
	Error
)

// Toast is one message.
type Toast struct {
	ID    int
	Level Level
	Text  string
}

// ExpireMsg removes the toast with ID.
type ExpireMsg struct{ ID int }

// Durations a toast stays, by level: errors stay longer.
var Durations = map[Level]time.Duration{
	Info:  4 * time.Second,
	OK:    6 * time.Second,
	Warn:  10 * time.Second,
	Error: 15 * time.Second,
}

// Model holds the visible toasts, newest last.
type Model struct {
	// After makes the expiry timer (default tea.Tick; tests replace it).
	After func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	th     *theme.Theme
	width  int
	nextID int
	list   []Toast
	lines  []string
}

// New returns an empty toast stack.
func New(th *theme.Theme) Model { return Model{th: th, After: tea.Tick} }

// SetWidth sets the footer width.
func (m *Model) SetWidth(w int) {
	m.width = w
	m.render()
}

// Push adds a toast and returns the tick that expires it.
func (m *Model) Push(level Level, text string) tea.Cmd {
	m.nextID++
	id := m.nextID
	m.list = append(m.list, Toast{ID: id, Level: level, Text: text})
	// Keep the stack short: only the newest few matter.
	if len(m.list) > 3 {
		m.list = m.list[len(m.list)-3:]
	}
	m.render()
	return m.After(Durations[level], func(time.Time) tea.Msg { return ExpireMsg{ID: id} })
}

// Update handles expiry.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if e, ok := msg.(ExpireMsg); ok {
		for i, t := range m.list {
			if t.ID == e.ID {
				m.list = append(m.list[:i:i], m.list[i+1:]...)
				m.render()
				break
			}
		}
	}
	return m, nil
}

// Dismiss removes every toast.
func (m *Model) Dismiss() {
	m.list = nil
	m.render()
}

// Toasts are the visible toasts, oldest first.
func (m Model) Toasts() []Toast { return m.list }

// View is the newest toast (empty when none).
func (m Model) View() string { return strings.Join(m.lines, "\n") }

// Lines is the newest toast, wrapped to at most two lines of the width.
func (m Model) Lines() []string { return m.lines }

func (m *Model) render() {
	if len(m.list) == 0 || m.width <= 0 {
		m.lines = nil
		return
	}
	t := m.list[len(m.list)-1]
	th := m.th
	style, mark := th.Info, th.Mark.Info
	switch t.Level {
	case OK:
		style, mark = th.OK, th.Mark.OK
	case Warn:
		style, mark = th.Warn, th.Mark.Warn
	case Error:
		style, mark = th.Error, th.Mark.Error
	}
	text := mark + " " + strings.ReplaceAll(t.Text, "\n", " ")
	lines := strings.Split(ansi.Wrap(text, m.width, ""), "\n")
	if len(lines) > 2 {
		lines = lines[:2]
		lines[1] = ansi.Truncate(lines[1], m.width-1, "") + "…"
	}
	m.lines = make([]string, len(lines))
	for i, l := range lines {
		m.lines[i] = style.Render(l)
	}
}
