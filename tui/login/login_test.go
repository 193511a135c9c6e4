package login

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// TestFieldsAreEquallyWide: the focused field's box is as wide as the
// other one, whichever is focused and at any width (its cursor used to
// widen it by a column).
func TestFieldsAreEquallyWide(t *testing.T) {
	for _, width := range []int{40, 64, 80, 160} {
		m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(i18n.EN))
		m.SetSize(width, 30)
		for focus := range 2 {
			m.focusField(focus)
			var tops []int
			for _, line := range strings.Split(ansi.Strip(m.View()), "\n") {
				if i := strings.Index(line, "┌"); i >= 0 {
					tops = append(tops, ansi.StringWidth(strings.TrimRight(line[i:], " │")))
				}
			}
			if len(tops) != 2 || tops[0] != tops[1] {
				t.Errorf("width %d, field %d focused: field tops %v", width, focus, tops)
			}
		}
	}
}
