// Package textfield is a one-line text field. (bubbles/textinput would
// pull in a clipboard module this project does not carry; the login form
// and the family field need little.)
package textfield

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/tui/theme"
)

// Model is a one-line text field.
type Model struct {
	value       []rune
	pos         int
	Mask        rune // 0 = show the text
	Placeholder string
	Width       int
	Focused     bool
	Limit       int // 0 = no limit
}

// Value is the text.
func (in *Model) Value() string { return string(in.value) }

// SetValue replaces the text and puts the cursor at its end.
func (in *Model) SetValue(s string) {
	in.value = []rune(s)
	if in.Limit > 0 && len(in.value) > in.Limit {
		in.value = in.value[:in.Limit]
	}
	in.pos = len(in.value)
}

func (in *Model) insert(rs []rune) {
	var clean []rune
	for _, r := range rs {
		if r >= ' ' && r != 0x7f {
			clean = append(clean, r)
		}
	}
	if in.Limit > 0 {
		clean = clean[:min(len(clean), max(in.Limit-len(in.value), 0))]
	}
	v := make([]rune, 0, len(in.value)+len(clean))
	v = append(v, in.value[:in.pos]...)
	v = append(v, clean...)
	v = append(v, in.value[in.pos:]...)
	in.value = v
	in.pos += len(clean)
}

// Update edits the field.
func (in *Model) Update(k tea.KeyMsg) {
	switch k.Type {
	case tea.KeyRunes, tea.KeySpace:
		in.insert(k.Runes)
	case tea.KeyBackspace:
		if in.pos > 0 {
			in.value = append(in.value[:in.pos-1], in.value[in.pos:]...)
			in.pos--
		}
	case tea.KeyDelete:
		if in.pos < len(in.value) {
			in.value = append(in.value[:in.pos], in.value[in.pos+1:]...)
		}
	case tea.KeyLeft, tea.KeyCtrlB:
		in.pos = max(in.pos-1, 0)
	case tea.KeyRight, tea.KeyCtrlF:
		in.pos = min(in.pos+1, len(in.value))
	case tea.KeyHome, tea.KeyCtrlA:
		in.pos = 0
	case tea.KeyEnd, tea.KeyCtrlE:
		in.pos = len(in.value)
	case tea.KeyCtrlU:
		in.value = append([]rune{}, in.value[in.pos:]...)
		in.pos = 0
	case tea.KeyCtrlK:
		in.value = in.value[:in.pos]
	case tea.KeyCtrlW:
		start := in.pos
		for start > 0 && in.value[start-1] == ' ' {
			start--
		}
		for start > 0 && in.value[start-1] != ' ' {
			start--
		}
		in.value = append(in.value[:start], in.value[in.pos:]...)
		in.pos = start
	}
}

// View draws the field, Width cells wide, with a block cursor when focused.
func (in *Model) View(th *theme.Theme) string {
	w := max(in.Width, 1)
	if len(in.value) == 0 {
		ph := []rune(in.Placeholder)
		if len(ph) > w {
			ph = ph[:w]
		}
		if in.Focused && len(ph) > 0 {
			return th.R.NewStyle().Reverse(true).Render(string(ph[:1])) + th.Faint.Render(string(ph[1:])) +
				strings.Repeat(" ", w-len(ph))
		}
		if in.Focused {
			return th.R.NewStyle().Reverse(true).Render(" ") + strings.Repeat(" ", w-1)
		}
		return th.Faint.Render(string(ph)) + strings.Repeat(" ", w-len(ph))
	}
	shown := in.value
	if in.Mask != 0 {
		shown = []rune(strings.Repeat(string(in.Mask), len(in.value)))
	}
	// Scroll so the cursor is visible.
	start := 0
	if in.pos >= w {
		start = in.pos - w + 1
	}
	end := min(start+w, len(shown))
	var b strings.Builder
	for i := start; i < end; i++ {
		if in.Focused && i == in.pos {
			b.WriteString(th.R.NewStyle().Reverse(true).Render(string(shown[i])))
		} else {
			b.WriteRune(shown[i])
		}
	}
	used := end - start
	if in.Focused && in.pos == len(shown) && used < w {
		b.WriteString(th.R.NewStyle().Reverse(true).Render(" "))
		used++
	}
	b.WriteString(strings.Repeat(" ", max(w-used, 0)))
	return b.String()
}
