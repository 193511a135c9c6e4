package grid

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Update moves the cursor. It handles only its own keys; everything else is
// the caller's.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.moveWithin(-1)
	case key.Matches(k, m.Keys.Down):
		m.moveWithin(+1)
	case key.Matches(k, m.Keys.Left):
		m.moveAcross(-1)
	case key.Matches(k, m.Keys.Right):
		m.moveAcross(+1)
	case key.Matches(k, m.Keys.First):
		m.jumpWithin(0)
	case key.Matches(k, m.Keys.Last):
		m.jumpWithin(len(m.days[m.selDay].classes) - 1)
	}
	return m, nil
}

// Handles reports whether a key is one of the grid's.
func (m Model) Handles(k tea.KeyMsg) bool {
	return key.Matches(k, m.Keys.Up, m.Keys.Down, m.Keys.Left, m.Keys.Right, m.Keys.First, m.Keys.Last)
}

func (m *Model) moveWithin(delta int) {
	n := len(m.days[m.selDay].classes)
	if n == 0 {
		return
	}
	m.jumpWithin(min(max(m.selIdx+delta, 0), n-1))
}

func (m *Model) jumpWithin(i int) {
	if i < 0 || i == m.selIdx {
		return
	}
	from := m.selIdx
	m.selIdx = i
	m.aim()
	m.scrollToCursor()
	m.moved(m.selDay, from)
}

// moveAcross goes to the neighbouring day, onto the class closest in time.
func (m *Model) moveAcross(delta int) {
	d := m.selDay + delta
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
