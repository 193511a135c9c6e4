package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/dialog"
)

// The help box on a narrow screen: where the three columns do not fit
// (a phone), the groups stack in one column, the legend flows to the
// width, and ↑/↓ scroll the box when it is taller than the body.

// narrowHelp is set when the help box is the stacked, scrollable one.
type narrowHelp struct {
	on     bool
	title  string
	lines  []string // the whole content, a line each
	offset int
}

// fitHelpBox replaces the three-column help box by the stacked one when it
// does not fit the screen.
func (m *Model) fitHelpBox(groups []string, legend []string) {
	m.narrowHelp = narrowHelp{}
	if lipgloss.Width(m.helpBox) <= m.width && lipgloss.Height(m.helpBox) <= m.bodyHeight() {
		return
	}
	inner := max(m.width-4, 10) // the frame's border and padding
	content := strings.Join(groups, "\n\n") + "\n\n" + m.th.Label.Render(m.tx.Legend) + "\n" + flow(legend, inner)
	var lines []string
	for _, l := range strings.Split(content, "\n") {
		lines = append(lines, strings.Split(ansi.Wrap(l, inner, ""), "\n")...)
	}
	m.narrowHelp = narrowHelp{on: true, title: m.tx.HelpTitle, lines: lines}
	m.windowHelp()
}

// windowHelp draws the visible part of the stacked help.
func (m *Model) windowHelp() {
	nh := &m.narrowHelp
	room := max(m.bodyHeight()-4, 1) // border, title and the blank line under it
	over := len(nh.lines) > room
	shown := room
	if over {
		shown = max(room-1, 1) // the last line says what more there is
	}
	nh.offset = min(max(nh.offset, 0), max(len(nh.lines)-shown, 0))
	end := min(nh.offset+shown, len(nh.lines))
	vis := append([]string(nil), nh.lines[nh.offset:end]...)
	if over {
		vis = append(vis, "")
		var more []string
		if nh.offset > 0 {
			more = append(more, fmt.Sprintf(m.tx.MoreAbove, nh.offset))
		}
		if below := len(nh.lines) - end; below > 0 {
			more = append(more, fmt.Sprintf(m.tx.MoreBelow, below))
		}
		vis[len(vis)-1] = m.th.Faint.Render(strings.Join(more, "  "))
	}
	m.helpBox = dialog.Box(m.th, nh.title, lipgloss.NewStyle().Width(max(m.width-4, 10)).Render(strings.Join(vis, "\n")))
}

// scrollHelp scrolls the stacked help on ↑/↓ (k/j); it reports whether
// the key was one of those.
func (m *Model) scrollHelp(k tea.KeyMsg) bool {
	if !m.helpOpen || !m.narrowHelp.on {
		return false
	}
	switch {
	case key.Matches(k, m.grid.Keys.Up):
		m.narrowHelp.offset--
	case key.Matches(k, m.grid.Keys.Down):
		m.narrowHelp.offset++
	default:
		return false
	}
	m.windowHelp()
	return true
}
