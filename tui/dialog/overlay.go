// Package dialog draws boxes over the screen: yes/no confirmations and any
// other overlay (help, the class detail on small terminals).
package dialog

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

const reset = "\x1b[0m"

// overlay draws the lines of fg over bg with fg's top-left corner at (x, y)
// and returns the new lines. Both are lists of lines; styled text is cut
// without breaking its escape sequences.
func overlay(bg []string, fg []string, x, y int) []string {
	out := make([]string, len(bg))
	copy(out, bg)
	for i, line := range fg {
		row := y + i
		if row < 0 || row >= len(out) {
			continue
		}
		b := out[row]
		left := ansi.Truncate(b, x, "")
		if w := ansi.StringWidth(left); w < x {
			left += strings.Repeat(" ", x-w)
		}
		right := ansi.TruncateLeft(b, x+ansi.StringWidth(line), "")
		var sb strings.Builder
		sb.Grow(len(left) + len(line) + len(right) + 2*len(reset))
		sb.WriteString(left)
		if strings.Contains(left, "\x1b") {
			sb.WriteString(reset)
		}
		sb.WriteString(line)
		if strings.Contains(line, "\x1b") {
			sb.WriteString(reset)
		}
		sb.WriteString(right)
		out[row] = sb.String()
	}
	return out
}

// Center draws fg in the middle of bg, which is width cells wide.
func Center(bg []string, fg string, width int) []string {
	return CenterClear(bg, fg, width, -1, -1)
}

// CenterClear is Center that keeps rows from..to of bg (what the box asks
// about, e.g. the class under the cursor) in sight: when the centred box
// would cover them, it goes just below them, else just above, where it
// fits; else it stays centred. from < 0: nothing to keep.
func CenterClear(bg []string, fg string, width, from, to int) []string {
	lines := strings.Split(fg, "\n")
	w := 0
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	x := max((width-w)/2, 0)
	h := len(lines)
	y := max((len(bg)-h)/2, 0)
	if from >= 0 && to >= from && y <= to && y+h > from {
		switch {
		case to+1+h <= len(bg):
			y = to + 1
		case from-h >= 0:
			y = from - h
		}
	}
	return overlay(bg, lines, x, y)
}

// Dim draws bg in style (the theme's faint one) without its own styles, so
// that a box drawn over it stands out from what it covers. Without
// colours style is SGR faint (NO_COLOR is about colour only); a renderer
// with no styles at all leaves bg as it is.
func Dim(bg []string, style lipgloss.Style) []string {
	on, off, ok := strings.Cut(style.Render("·"), "·")
	if !ok || on == "" {
		return bg
	}
	out := make([]string, len(bg))
	for i, l := range bg {
		out[i] = on + ansi.Strip(l) + off
	}
	return out
}
