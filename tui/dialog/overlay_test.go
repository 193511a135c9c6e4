package dialog

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/theme"
)

func themeNoColor(r *lipgloss.Renderer) *theme.Theme {
	return theme.New(r, theme.Options{NoColor: true})
}

func screen(w, h int, fill string) []string {
	out := make([]string, h)
	for i := range out {
		out[i] = strings.Repeat(fill, w)
	}
	return out
}

// TestCenterPlacesTheBox: the box lands in the middle, the background
// shows on both sides, every line keeps the screen's width.
func TestCenterPlacesTheBox(t *testing.T) {
	bg := screen(20, 7, ".")
	out := Center(bg, "AB\nCD\nEF", 20)
	want := []string{
		"....................",
		"....................",
		".........AB.........",
		".........CD.........",
		".........EF.........",
		"....................",
		"....................",
	}
	if strings.Join(out, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s", strings.Join(out, "\n"))
	}
	if bg[2] != strings.Repeat(".", 20) {
		t.Fatal("Center changed its background")
	}
}

// TestCenterLargerThanScreen: a box taller or wider than the screen
// starts at the top-left and never adds lines.
func TestCenterLargerThanScreen(t *testing.T) {
	bg := screen(4, 2, ".")
	out := Center(bg, "123456\nabcdef\nzzzzzz", 4)
	if len(out) != 2 || !strings.HasPrefix(out[0], "1234") || !strings.HasPrefix(out[1], "abcd") {
		t.Fatalf("got %q", out)
	}
}

// TestOverlayStyledBackground: cutting a styled line keeps its escape
// sequences whole, resets before and after the box, and keeps the
// background right of the box.
func TestOverlayStyledBackground(t *testing.T) {
	red := "\x1b[31m"
	bg := []string{red + strings.Repeat("x", 10) + "\x1b[0m"}
	out := overlay(bg, []string{"\x1b[1mOK\x1b[0m"}, 3, 0)
	if ansi.StringWidth(out[0]) != 10 {
		t.Fatalf("width %d: %q", ansi.StringWidth(out[0]), out[0])
	}
	if got := ansi.Strip(out[0]); got != "xxxOKxxxxx" {
		t.Fatalf("text %q", got)
	}
	if !strings.HasPrefix(out[0], red+"xxx") || !strings.Contains(out[0], reset+"\x1b[1mOK") || !strings.Contains(out[0], red+"xxxxx") {
		t.Fatalf("no reset between the background and the box: %q", out[0])
	}
	// A short background line is padded up to the box.
	out = overlay([]string{"ab"}, []string{"Z"}, 5, 0)
	if out[0] != "ab   Z" {
		t.Fatalf("short line: %q", out[0])
	}
	// Rows outside the screen are skipped.
	out = overlay([]string{"....."}, []string{"A", "B"}, 1, -1)
	if out[0] != ".B..." {
		t.Fatalf("negative row: %q", out)
	}
}

// TestDim: the background loses its own styles and takes the faint one,
// so the box drawn over it stands out; without any styles it is left as
// it is.
func TestDim(t *testing.T) {
	bg := []string{"\x1b[31mred\x1b[0m plain"}
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI)
	out := Dim(bg, r.NewStyle().Faint(true))
	if strings.Contains(out[0], "\x1b[31m") || ansi.Strip(out[0]) != "red plain" || !strings.HasPrefix(out[0], "\x1b[2m") {
		t.Fatalf("dimmed: %q", out[0])
	}
	ascii := lipgloss.NewRenderer(nil)
	ascii.SetColorProfile(termenv.Ascii)
	if out := Dim(bg, ascii.NewStyle().Faint(true)); out[0] != bg[0] {
		t.Fatalf("a renderer without styles changed the background: %q", out[0])
	}
	// NO_COLOR on a terminal that has styles: the theme's faint is SGR
	// faint, without colour.
	th := themeNoColor(r)
	if out := Dim(bg, th.Faint); !strings.HasPrefix(out[0], "\x1b[") || strings.Contains(out[0], "31") || ansi.Strip(out[0]) != "red plain" {
		t.Fatalf("NO_COLOR dim: %q", out[0])
	}
}

// TestCenterClearKeepsTheRowInSight: a box that would cover the rows it
// asks about goes just below them, else just above; with no room either
// way, or nothing to keep, it is centred.
func TestCenterClearKeepsTheRowInSight(t *testing.T) {
	bg := screen(10, 10, ".")
	box := "AB\nCD\nEF"
	at := func(out []string) int {
		for i, l := range out {
			if strings.Contains(l, "AB") {
				return i
			}
		}
		return -1
	}
	for _, tc := range []struct {
		name       string
		from, to   int
		wantTop    int
		background []string
	}{
		{"centred, not covering", 0, 0, 3, bg},
		{"covering: below", 4, 4, 5, bg},
		{"no room below: above", 5, 8, 2, bg},
		{"nothing to keep", -1, -1, 3, bg},
		{"no room either way", 1, 7, 3, bg},
		{"a cell of three lines", 2, 4, 5, bg},
	} {
		out := CenterClear(tc.background, box, 10, tc.from, tc.to)
		if got := at(out); got != tc.wantTop {
			t.Errorf("%s: the box starts at row %d, want %d:\n%s", tc.name, got, tc.wantTop, strings.Join(out, "\n"))
		}
		if len(out) != len(bg) {
			t.Errorf("%s: %d lines", tc.name, len(out))
		}
	}
}
