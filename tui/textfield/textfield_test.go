package textfield

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/theme"
)

func newTheme() *theme.Theme {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return theme.New(r, theme.Options{NoColor: true})
}

// TestFieldTypesAndTakesItsWidth: a new field is blurred with no prompt
// and its placeholder; focused, it takes typed runes up to its limit, and
// its view is exactly the width asked for (the cursor included), however
// long the text.
func TestFieldTypesAndTakesItsWidth(t *testing.T) {
	in := New(newTheme(), Options{Placeholder: "HH:MM", Width: 8, Limit: 5})
	if in.Focused() || in.Prompt != "" || in.Cursor.Mode() != cursor.CursorStatic {
		t.Fatalf("new field: focused %v, prompt %q, cursor mode %v", in.Focused(), in.Prompt, in.Cursor.Mode())
	}
	if v := in.View(); !strings.Contains(v, "HH:MM") {
		t.Fatalf("the placeholder does not show: %q", v)
	}
	// Blurred, keys are ignored.
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("7")})
	if in.Value() != "" {
		t.Fatalf("a blurred field took %q", in.Value())
	}
	in.Focus()
	for _, r := range "07:30:99" {
		in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if in.Value() != "07:30" {
		t.Fatalf("typed %q, want the limit of 5 characters", in.Value())
	}
	if w := ansi.StringWidth(in.View()); w != 8 {
		t.Fatalf("the view is %d cells, want 8: %q", w, in.View())
	}
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	if in.Value() != "07:3" {
		t.Fatalf("backspace left %q", in.Value())
	}

	long := New(newTheme(), Options{Width: 6})
	long.Focus()
	for _, r := range "a very long box name" {
		long, _ = long.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if w := ansi.StringWidth(long.View()); w != 6 {
		t.Fatalf("a long text makes the view %d cells, want it to scroll within 6: %q", w, long.View())
	}
	if !strings.HasSuffix(strings.TrimSpace(long.View()), "name") && !strings.Contains(long.View(), "nam") {
		t.Fatalf("the view does not follow the cursor to the end: %q", long.View())
	}
}

// TestSecretEchoesMask: a password field never shows what is typed.
func TestSecretEchoesMask(t *testing.T) {
	in := New(newTheme(), Options{Width: 12, Secret: true})
	in.Focus()
	for _, r := range "hunter2" {
		in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if in.Value() != "hunter2" {
		t.Fatalf("value %q", in.Value())
	}
	v := in.View()
	if strings.Contains(v, "hunter") || strings.Count(v, "•") != 7 {
		t.Fatalf("the password shows: %q", v)
	}
}

// TestSetWidthIsTheCellsShown: with a text, focused or not, the field
// takes the cells it was given (the text scrolls within them). The
// placeholder of an empty field takes one cell less: bubbles/textinput
// draws it without the cell past the text, so a form that frames its
// fields gives the frame its width (the login form does).
func TestSetWidthIsTheCellsShown(t *testing.T) {
	for _, w := range []int{4, 10, 24} {
		in := New(newTheme(), Options{Width: w, Placeholder: "you@example.com"})
		if got := ansi.StringWidth(in.View()); got != w-1 {
			t.Errorf("width %d: the placeholder takes %d cells", w, got)
		}
		in.SetValue("me@box.es")
		blurred := ansi.StringWidth(in.View())
		in.Focus()
		focused := ansi.StringWidth(in.View())
		if blurred != w || focused != w {
			t.Errorf("width %d: with a text, blurred %d and focused %d cells", w, blurred, focused)
		}
	}
	in := New(newTheme(), Options{})
	SetWidth(&in, 0)
	if in.Width != 1 {
		t.Fatalf("width 0 gives %d, want 1", in.Width)
	}
	SetWidth(&in, 20)
	if in.Width != 19 {
		t.Fatalf("SetWidth(20) = %d, want 19 (the cursor takes the last cell)", in.Width)
	}
}
