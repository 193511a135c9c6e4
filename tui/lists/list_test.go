package lists

import (
	"fmt"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

func newTheme(p termenv.Profile) *theme.Theme {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return theme.New(r, theme.Options{NoColor: p == termenv.Ascii})
}

func newList(t *testing.T, w, h, n int) Model {
	t.Helper()
	m := New(newTheme(termenv.Ascii), i18n.For(i18n.EN), "Prebookings", "No prebookings yet: press p on a class that is not open.")
	m.SetSize(w, h)
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Lines: []string{fmt.Sprintf("item %02d", i)}}
	}
	m.SetItems(items)
	return m
}

func keyMsg(s string) tea.KeyMsg {
	types := map[string]tea.KeyType{"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd}
	if k, ok := types[s]; ok {
		return tea.KeyMsg{Type: k}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func (m Model) press(keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(keyMsg(k))
	}
	return m
}

func requireBox(t *testing.T, m Model, w, h int) {
	t.Helper()
	if len(m.Lines()) != h || len(strings.Split(m.View(), "\n")) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(m.Lines()), h, m.View())
	}
	for i, l := range m.Lines() {
		if lw := ansi.StringWidth(l); lw != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, lw, w, l)
		}
	}
}

// cursorLine is the line with the cursor's gutter.
func cursorLine(m Model) string {
	for _, l := range m.Lines() {
		if strings.HasPrefix(l, "▌") {
			return l
		}
	}
	return ""
}

// TestListKeysMoveTheCursor: up/down and j/k step, the page keys move half
// a page, g/G and home/end jump, and the cursor stays in the list.
func TestListKeysMoveTheCursor(t *testing.T) {
	m := newList(t, 30, 10, 20) // 7 lines of items
	requireBox(t, m, 30, 10)
	if m.Cursor() != 0 || !strings.HasPrefix(cursorLine(m), "▌ item 00") {
		t.Fatalf("cursor %d, line %q", m.Cursor(), cursorLine(m))
	}
	steps := []struct {
		key  string
		want int
	}{
		{"up", 0}, {"k", 0}, {"down", 1}, {"j", 2}, {"pgdown", 5}, {"ctrl+d", 5}, {"G", 19}, {"down", 19},
		{"pgup", 16}, {"g", 0}, {"end", 19}, {"home", 0},
	}
	for _, s := range steps {
		if s.key == "ctrl+d" {
			m, _ = m.Update(tea.KeyMsg{Type: tea.KeyCtrlD})
			m, _ = m.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
		} else {
			m = m.press(s.key)
		}
		if m.Cursor() != s.want {
			t.Fatalf("after %s: cursor %d, want %d", s.key, m.Cursor(), s.want)
		}
		if want := fmt.Sprintf("▌ item %02d", s.want); !strings.HasPrefix(cursorLine(m), want) {
			t.Fatalf("after %s: the cursor line is %q:\n%s", s.key, cursorLine(m), m.View())
		}
		requireBox(t, m, 30, 10)
	}
	// Other messages do nothing.
	m, cmd := m.Update(tea.WindowSizeMsg{Width: 5, Height: 5})
	if cmd != nil || m.Cursor() != 0 || m.Width() != 30 {
		t.Fatal("a message that is not a key changed the list")
	}
}

// TestListScrollsAndSaysWhatIsHidden: the last line says how many items
// are above and below; scrolling keeps the cursor visible.
func TestListScrollsAndSaysWhatIsHidden(t *testing.T) {
	m := newList(t, 30, 10, 20)
	last := func() string { return strings.TrimSpace(m.Lines()[9]) }
	if last() != "↓ 13 more" {
		t.Fatalf("at the top: %q", last())
	}
	m = m.press("G")
	if last() != "↑ 13 more" || !strings.Contains(m.View(), "item 19") {
		t.Fatalf("at the end: %q\n%s", last(), m.View())
	}
	m = m.press("g", "j", "j", "j", "j", "j", "j", "j")
	if last() != "↑ 1 more  ↓ 12 more" || !strings.Contains(m.View(), "item 07") {
		t.Fatalf("one past the page: %q\n%s", last(), m.View())
	}
}

// TestListResize: growing the list shows the items the offset hid (no
// "↑ more" with room to spare); shrinking keeps the cursor's item on
// screen; every size is exactly its box.
func TestListResize(t *testing.T) {
	m := newList(t, 30, 10, 20)
	m = m.press("G")
	m.SetSize(30, 40)
	requireBox(t, m, 30, 40)
	if strings.Contains(m.View(), "more") || !strings.Contains(m.View(), "item 00") {
		t.Fatalf("with room for every item some are hidden:\n%s", m.View())
	}
	m.SetSize(24, 6)
	requireBox(t, m, 24, 6)
	if !strings.HasPrefix(cursorLine(m), "▌ item 19") {
		t.Fatalf("after shrinking the cursor's item is off screen:\n%s", m.View())
	}
	m.SetSize(0, 0)
	if m.View() != "" {
		t.Fatal("a list without a size draws")
	}
}

// TestListItemsOfSeveralLines: an item's lines show together; the cursor
// marks its first line; the scroll keeps the whole item visible.
func TestListItemsOfSeveralLines(t *testing.T) {
	m := newList(t, 30, 9, 0) // 5 lines of items
	var items []Item
	for i := range 6 {
		items = append(items, Item{Lines: []string{fmt.Sprintf("event %d", i), fmt.Sprintf("  detail %d", i)}})
	}
	m.SetItems(items)
	m = m.press("j", "j", "j")
	v := m.View()
	if !strings.Contains(v, "▌ event 3") || !strings.Contains(v, "detail 3") {
		t.Fatalf("the cursor's item is not whole:\n%s", v)
	}
	requireBox(t, m, 30, 9)
}

// TestListEmptyAndItemsChange: an empty list shows its hint wrapped (not
// cut) and answers no key; new items keep the cursor within them.
func TestListEmptyAndItemsChange(t *testing.T) {
	m := newList(t, 24, 10, 0)
	requireBox(t, m, 24, 10)
	if m.Cursor() != -1 || m.Len() != 0 {
		t.Fatalf("empty: cursor %d, len %d", m.Cursor(), m.Len())
	}
	flat := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(flat, "No prebookings yet: press p on a class that is not open.") {
		t.Fatalf("the hint is cut:\n%s", m.View())
	}
	if m.press("j").Cursor() != -1 {
		t.Fatal("a key moved the cursor of an empty list")
	}
	m = newList(t, 24, 10, 10)
	m = m.press("G")
	m.SetItems(m.items[:3])
	if m.Cursor() != 2 || !strings.HasPrefix(cursorLine(m), "▌ item 02") {
		t.Fatalf("fewer items: cursor %d\n%s", m.Cursor(), m.View())
	}
	m.SetCursor(99)
	if m.Cursor() != 2 {
		t.Fatalf("SetCursor past the end: %d", m.Cursor())
	}
	m.SetCursor(-4)
	if m.Cursor() != 0 {
		t.Fatalf("SetCursor before the start: %d", m.Cursor())
	}
}

// TestListHeaderAndTruncation: the header shows under the title; a line
// wider than the list is cut with an ellipsis.
func TestListHeaderAndTruncation(t *testing.T) {
	m := newList(t, 20, 8, 0)
	m.SetHeader("status class")
	m.SetItems([]Item{{Lines: []string{"CONDITIONING AND MOBILITY 07:00"}}})
	requireBox(t, m, 20, 8)
	lines := m.Lines()
	if !strings.HasPrefix(lines[0], "Prebookings") || !strings.Contains(lines[2], "status class") {
		t.Fatalf("title and header:\n%s", m.View())
	}
	if !strings.HasSuffix(lines[3], "…") || !strings.HasPrefix(lines[3], "▌ CONDITIONING") {
		t.Fatalf("a long line is not cut with an ellipsis: %q", lines[3])
	}
}

// TestListNoColor: under NO_COLOR no escape sequences; the cursor is a
// glyph, not a colour.
func TestListNoColor(t *testing.T) {
	m := newList(t, 30, 8, 3)
	if strings.Contains(m.View(), "\x1b") || cursorLine(m) == "" {
		t.Fatalf("NO_COLOR:\n%q", m.View())
	}
	c := New(newTheme(termenv.TrueColor), i18n.For(i18n.EN), "Prebookings", "none")
	c.SetSize(30, 8)
	c.SetItems([]Item{{Lines: []string{"a"}}})
	if !strings.Contains(c.View(), "\x1b[") {
		t.Fatal("with colours the list is plain")
	}
}
