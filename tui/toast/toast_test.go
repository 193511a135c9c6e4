package toast

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/theme"
)

// timer records the expiry ticks a Model asks for instead of waiting:
// the test fires them by sending their messages.
type timer struct {
	waits []time.Duration
	fire  []func(time.Time) tea.Msg
}

func (tm *timer) after(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	tm.waits = append(tm.waits, d)
	tm.fire = append(tm.fire, f)
	return func() tea.Msg { return f(time.Time{}) }
}

func newToasts(t *testing.T, width int, profile termenv.Profile) (Model, *timer) {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(profile)
	m := New(theme.New(r, theme.Options{NoColor: profile == termenv.Ascii}))
	tm := &timer{}
	m.After = tm.after
	m.SetWidth(width)
	return m, tm
}

// TestToastExpiresByItsOwnTick: each toast asks for a tick of its level's
// duration; its tick removes it and nothing else, and a late tick of a
// toast already gone changes nothing.
func TestToastExpiresByItsOwnTick(t *testing.T) {
	m, tm := newToasts(t, 40, termenv.Ascii)
	if m.View() != "" || len(m.Lines()) != 0 {
		t.Fatalf("a new stack shows %q", m.View())
	}
	m.Push(Error, "AimHarder is unreachable")
	cmd := m.Push(OK, "Booked WOD")
	if got := tm.waits; len(got) != 2 || got[0] != Durations[Error] || got[1] != Durations[OK] {
		t.Fatalf("ticks asked for %v, want the error's then the OK's duration", got)
	}
	if Durations[Error] <= Durations[Info] {
		t.Fatal("errors must stay longer than info")
	}
	if v := m.View(); v != "✓ Booked WOD" {
		t.Fatalf("the newest toast shows %q", v)
	}
	// The OK toast's own tick (the command Push returned) removes it; the
	// error shows again.
	m, _ = m.Update(cmd())
	if v := m.View(); v != "✗ AimHarder is unreachable" {
		t.Fatalf("after the OK expired: %q", v)
	}
	// The same tick again (late, duplicated) does nothing.
	m, _ = m.Update(tm.fire[1](time.Time{}))
	if len(m.Toasts()) != 1 {
		t.Fatalf("a stale tick removed another toast: %v", m.Toasts())
	}
	// Other messages leave the stack alone.
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 10, Height: 5})
	if len(m.Toasts()) != 1 {
		t.Fatalf("a key or resize changed the stack: %v", m.Toasts())
	}
	m, _ = m.Update(tm.fire[0](time.Time{}))
	if m.View() != "" || len(m.Toasts()) != 0 {
		t.Fatalf("after every tick: %q", m.View())
	}
}

// TestToastKeepsTheNewestThree: a burst keeps only the newest three; the
// tick of one dropped does nothing.
func TestToastKeepsTheNewestThree(t *testing.T) {
	m, tm := newToasts(t, 40, termenv.Ascii)
	for _, s := range []string{"one", "two", "three", "four"} {
		m.Push(Info, s)
	}
	var texts []string
	for _, ts := range m.Toasts() {
		texts = append(texts, ts.Text)
	}
	if strings.Join(texts, ",") != "two,three,four" {
		t.Fatalf("kept %v", texts)
	}
	m, _ = m.Update(tm.fire[0](time.Time{})) // "one", already dropped
	if len(m.Toasts()) != 3 || m.View() != "• four" {
		t.Fatalf("the dropped toast's tick changed the stack: %v %q", m.Toasts(), m.View())
	}
	m.Dismiss()
	if m.View() != "" || len(m.Toasts()) != 0 {
		t.Fatalf("Dismiss left %q", m.View())
	}
}

// TestToastMarkersAndWrap: every level has its marker (it reads without
// colour); a long text wraps to two lines of the width at most, the second
// ending in an ellipsis; line breaks in the text do not add lines.
func TestToastMarkersAndWrap(t *testing.T) {
	for level, mark := range map[Level]string{Info: "•", OK: "✓", Warn: "!", Error: "✗"} {
		m, _ := newToasts(t, 30, termenv.Ascii)
		m.Push(level, "hello")
		if v := m.View(); v != mark+" hello" {
			t.Errorf("level %d shows %q, want the marker %q", level, v, mark)
		}
	}
	m, _ := newToasts(t, 20, termenv.Ascii)
	m.Push(Warn, "The class is full and the waitlist\nis full too, try another class later today")
	lines := m.Lines()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %q", len(lines), lines)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 20 {
			t.Fatalf("a line is %d wide: %q", w, l)
		}
	}
	if !strings.HasPrefix(lines[0], "! The class") || !strings.HasSuffix(lines[1], "…") {
		t.Fatalf("want the marker first and an ellipsis last: %q", lines)
	}
	// Narrowing the footer wraps it again; no width hides it.
	m.SetWidth(60)
	if len(m.Lines()) != 2 || strings.HasSuffix(m.Lines()[1], "…") {
		t.Fatalf("at 60 columns: %q", m.Lines())
	}
	m.SetWidth(0)
	if m.View() != "" {
		t.Fatalf("no width: %q", m.View())
	}
}

// TestToastColours: with colours each level is styled; under NO_COLOR
// (the Ascii profile) no escape sequence is written, only the marker.
func TestToastColours(t *testing.T) {
	m, _ := newToasts(t, 40, termenv.TrueColor)
	m.Push(Error, "refused")
	if !strings.Contains(m.View(), "\x1b[") {
		t.Fatalf("an error toast with colours is unstyled: %q", m.View())
	}
	m, _ = newToasts(t, 40, termenv.Ascii)
	m.Push(Error, "refused")
	if strings.Contains(m.View(), "\x1b") {
		t.Fatalf("NO_COLOR: escape sequences in %q", m.View())
	}
}
