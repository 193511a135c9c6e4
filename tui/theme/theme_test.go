package theme

import (
	"io"
	"reflect"
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
