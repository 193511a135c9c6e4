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

// TestFormFitsAShortScreen: on a short screen the form gives up its blank
// line, its introduction, then its fields' boxes, but never its fields,
// its error or its borders.
func TestFormFitsAShortScreen(t *testing.T) {
	for _, height := range []int{30, 17, 16, 13, 11} {
		m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(i18n.ES))
		m.SetSize(40, height)
		m.SetEmail("ana@example.com")
		m.SetError("tu sesión de AimHarder ha caducado: vuelve a iniciar sesión")
		view := ansi.Strip(m.View())
		lines := strings.Split(view, "\n")
		if len(lines) != height {
			t.Errorf("height %d: %d lines", height, len(lines))
		}
		for _, want := range []string{"╭", "Correo", "ana@example.com", "Contraseña", "sesión", "╰"} {
			if !strings.Contains(view, want) {
				t.Errorf("height %d: the form lacks %q:\n%s", height, want, view)
			}
		}
		if intro := strings.Contains(view, "nunca se guarda"); intro != (height >= 17) {
			t.Errorf("height %d: introduction shown %v:\n%s", height, intro, view)
		}
	}
}
