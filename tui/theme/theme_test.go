package theme

import (
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

func renderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return r
}

// styles are the theme's styles by field name.
func styles(th *Theme) map[string]lipgloss.Style {
	out := map[string]lipgloss.Style{}
	v := reflect.ValueOf(th).Elem()
	for i := range v.NumField() {
		if s, ok := v.Field(i).Interface().(lipgloss.Style); ok {
			out[v.Type().Field(i).Name] = s
		}
	}
	return out
}

// TestNoColorDropsColourKeepsEmphasis: under NO_COLOR no style sets a
// colour, on any profile; bold, faint and reverse stay, so the cursor
// cell and the demo badge still stand out.
func TestNoColorDropsColourKeepsEmphasis(t *testing.T) {
	th := New(renderer(termenv.TrueColor), Options{NoColor: true})
	if !th.NoColor {
		t.Fatal("NoColor not recorded")
	}
	for name, s := range styles(th) {
		out := s.Render("x")
		// SGR 38/48 are foreground and background colours.
		if strings.Contains(out, "[38;") || strings.Contains(out, ";38;") || strings.Contains(out, "[48;") || strings.Contains(out, ";48;") {
			t.Errorf("%s sets a colour under NO_COLOR: %q", name, out)
		}
	}
	if !th.Selected.GetReverse() {
		t.Error("the selected cell must be reverse without colours")
	}
	if !th.DemoBadge.GetReverse() || !th.DemoBadge.GetBold() {
		t.Error("the demo badge must be bold reverse without colours")
	}
	if !th.Faint.GetFaint() || !th.Past.GetFaint() {
		t.Error("faint text must be SGR faint without colours")
	}
	if !th.Error.GetBold() || !th.Title.GetBold() {
		t.Error("errors and titles stay bold")
	}
}

// TestColourThemeColours: with colours the states differ by colour (and
// by marker, below) and the selection has a background, not reverse.
func TestColourThemeColours(t *testing.T) {
	th := New(renderer(termenv.TrueColor), Options{})
	if th.NoColor {
		t.Fatal("NoColor set")
	}
	for name, s := range map[string]lipgloss.Style{"Booked": th.Booked, "Waitlisted": th.Waitlisted, "Prebooked": th.Prebooked, "Full": th.Full, "Error": th.Error} {
		if out := s.Render("x"); !strings.Contains(out, "38;") {
			t.Errorf("%s has no colour: %q", name, out)
		}
	}
	if th.Selected.GetReverse() {
		t.Error("with colours the selection is a background, not reverse")
	}
	if _, ok := th.Selected.GetBackground().(lipgloss.NoColor); ok {
		t.Error("the selection has no background")
	}
	if th.Booked.Render("x") == th.Full.Render("x") {
		t.Error("booked and full look the same")
	}
}

// TestMarkersTellStatesApart: every state marker is one cell and differs
// from the others, so nothing is told by colour alone.
func TestMarkersTellStatesApart(t *testing.T) {
	th := New(renderer(termenv.Ascii), Options{NoColor: true})
	mk := th.Mark
	states := map[string]string{
		"Booked": mk.Booked, "Waitlisted": mk.Waitlisted, "Prebooked": mk.Prebooked, "Firing": mk.Firing,
		"Full": mk.Full, "NotOpen": mk.NotOpen, "Failed": mk.Failed, "Past": mk.Past, "Open": mk.Open,
	}
	seen := map[string]string{}
	for name, g := range states {
		if w := ansi.StringWidth(g); w != 1 {
			t.Errorf("%s marker %q is %d cells wide", name, g, w)
		}
		if other, dup := seen[g]; dup {
			t.Errorf("%s and %s share the marker %q", name, other, g)
		}
		seen[g] = name
	}
	for name, g := range map[string]string{"Plan": mk.Plan, "Skipped": mk.Skipped, "Paused": mk.Paused, "Cursor": mk.Cursor, "Today": mk.Today} {
		if ansi.StringWidth(g) != 1 {
			t.Errorf("%s marker %q is not one cell", name, g)
		}
	}
	if mk.Plan == mk.Skipped || mk.Plan == mk.Paused || mk.Skipped == mk.Paused {
		t.Error("the plan markers must differ")
	}
}

// TestAsciiProfileWritesNoEscapes: a renderer without styles (a pipe, a
// dumb terminal) gets plain text from every style, borders included.
func TestAsciiProfileWritesNoEscapes(t *testing.T) {
	th := New(renderer(termenv.Ascii), Options{})
	for name, s := range styles(th) {
		if out := s.Render("x"); strings.Contains(out, "\x1b") {
			t.Errorf("%s writes escapes on the Ascii profile: %q", name, out)
		}
	}
	if box := th.Dialog.Render("hi"); !strings.Contains(box, "╭") || !strings.Contains(box, "hi") {
		t.Errorf("the dialog frame is lost: %q", box)
	}
}

// TestNilRendererUsesDefault: New(nil) takes lipgloss's default renderer.
func TestNilRendererUsesDefault(t *testing.T) {
	if th := New(nil, Options{}); th.R != lipgloss.DefaultRenderer() {
		t.Fatal("New(nil) did not use the default renderer")
	}
}

// rendererOn is renderer on a dark or a light background.
func rendererOn(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := renderer(p)
	r.SetHasDarkBackground(dark)
	return r
}

// luminance is WCAG's relative luminance of "#rrggbb".
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil {
		t.Fatalf("colour %q: %v", hex, err)
	}
	lin := func(c uint64) float64 {
		f := float64(c) / 255
		if f <= 0.03928 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// xterm256 is the colour of an ANSI256 index from 16 up.
func xterm256(i int) string {
	if i >= 232 {
		v := 8 + 10*(i-232)
		return "#" + strings.Repeat(hex2(v), 3)
	}
	i -= 16
	lv := func(n int) int {
		if n == 0 {
			return 0
		}
		return 55 + 40*n
	}
	return "#" + hex2(lv(i/36)) + hex2(lv(i/6%6)) + hex2(lv(i%6))
}

func hex2(v int) string {
	s := strconv.FormatInt(int64(v), 16)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// TestFaintTextReads: secondary text is at least 4.5:1 against the
// usual dark backgrounds and white, in true colour and in its ANSI256
// fallback.
func TestFaintTextReads(t *testing.T) {
	th := New(rendererOn(termenv.TrueColor, true), Options{})
	col, ok := th.Faint.GetForeground().(lipgloss.CompleteAdaptiveColor)
	if !ok {
		t.Fatalf("faint is %T, want a CompleteAdaptiveColor with fallbacks", th.Faint.GetForeground())
	}
	for _, bg := range []string{"#000000", "#0d1117", "#1e1e1e"} {
		if c := contrast(t, col.Dark.TrueColor, bg); c < 4.5 {
			t.Errorf("dark faint %s on %s: %.2f:1", col.Dark.TrueColor, bg, c)
		}
		n, _ := strconv.Atoi(col.Dark.ANSI256)
		if c := contrast(t, xterm256(n), bg); c < 4.5 {
			t.Errorf("dark faint ANSI256 %d (%s) on %s: %.2f:1", n, xterm256(n), bg, c)
		}
	}
	for _, bg := range []string{"#ffffff", "#f6f8fa"} {
		if c := contrast(t, col.Light.TrueColor, bg); c < 4.5 {
			t.Errorf("light faint %s on %s: %.2f:1", col.Light.TrueColor, bg, c)
		}
		n, _ := strconv.Atoi(col.Light.ANSI256)
		if c := contrast(t, xterm256(n), bg); c < 4.5 {
			t.Errorf("light faint ANSI256 %d (%s) on %s: %.2f:1", n, xterm256(n), bg, c)
		}
	}
}

// TestFallbacksAreChosen: a 256-colour terminal gets the hand-picked
// entries (the selection stays navy, 24, not 23's teal), a 16-colour one
// the palette's, and NO_COLOR no colour at all but SGR faint and reverse.
func TestFallbacksAreChosen(t *testing.T) {
	for _, tc := range []struct {
		p     termenv.Profile
		dark  bool
		style func(*Theme) lipgloss.Style
		want  string
	}{
		{termenv.ANSI256, true, func(th *Theme) lipgloss.Style { return th.Faint }, "38;5;245"},
		{termenv.ANSI256, false, func(th *Theme) lipgloss.Style { return th.Faint }, "38;5;242"},
		{termenv.ANSI256, true, func(th *Theme) lipgloss.Style { return th.Selected }, "48;5;24"},
		{termenv.ANSI, true, func(th *Theme) lipgloss.Style { return th.Faint }, "90"},
		{termenv.ANSI, true, func(th *Theme) lipgloss.Style { return th.Booked }, "92"},
		{termenv.TrueColor, true, func(th *Theme) lipgloss.Style { return th.Faint }, "38;2;131;141;151"},
	} {
		th := New(rendererOn(tc.p, tc.dark), Options{})
		if got := tc.style(th).Render("x"); !strings.Contains(got, tc.want) {
			t.Errorf("profile %v dark %v: %q lacks %q", tc.p, tc.dark, got, tc.want)
		}
	}
	th := New(rendererOn(termenv.TrueColor, true), Options{NoColor: true})
	if got := th.Faint.Render("x"); got != "\x1b[2mx\x1b[0m" {
		t.Errorf("NO_COLOR faint: %q", got)
	}
	if got := th.Selected.Render("x"); got != "\x1b[7mx\x1b[0m" {
		t.Errorf("NO_COLOR selection: %q", got)
	}
}
