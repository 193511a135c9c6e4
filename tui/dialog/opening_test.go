package dialog

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/i18n"
)

func newOpening(w int) OpeningModel {
	m := NewOpening(newTheme(termenv.Ascii), i18n.For(i18n.EN))
	m.SetMaxWidth(w)
	m.Open(Opening{Title: "Not open yet", Body: "Prebook WOD Wed 07:00?", Box: "CrossFit Demo", Days: 2, Payload: "p"})
	return m
}

func openingResult(t *testing.T, cmd tea.Cmd) (OpeningMsg, bool) {
	t.Helper()
	if cmd == nil {
		return OpeningMsg{}, false
	}
	r, ok := cmd().(OpeningMsg)
	if !ok {
		return OpeningMsg{}, false
	}
	return r, true
}

// chosen is the label of the answer marked (•).
func chosen(v string) string {
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if i := strings.Index(l, "(•)"); i >= 0 {
			return strings.TrimSpace(strings.Trim(l[i+len("(•)"):], "│ "))
		}
	}
	return ""
}

// TestOpeningStartsAtUnknownAndMoves: "I don't know" is chosen first;
// ↓/j/tab and ↑/k/shift+tab move through the three answers, wrapping.
func TestOpeningStartsAtUnknownAndMoves(t *testing.T) {
	m := newOpening(80)
	if m.Choice() != OpeningUnknown || !strings.HasPrefix(chosen(m.View()), "I don't know") {
		t.Fatalf("first choice %v:\n%s", m.Choice(), m.View())
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"When does CrossFit Demo open booking?", "at the class's time, 2 days before", "at a fixed hour, 2 days before:", "HH:MM", "y/enter prebook", "n don't prebook", "esc close"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the dialog lacks %q:\n%s", want, v)
		}
	}
	steps := []struct {
		key  tea.KeyMsg
		want OpeningAnswer
	}{
		{tea.KeyMsg{Type: tea.KeyDown}, OpeningSliding}, // wraps from the last
		{runes("j"), OpeningFixed},
		{tea.KeyMsg{Type: tea.KeyTab}, OpeningUnknown},
		{runes("k"), OpeningFixed},
		{tea.KeyMsg{Type: tea.KeyShiftTab}, OpeningSliding},
		{tea.KeyMsg{Type: tea.KeyUp}, OpeningUnknown},
	}
	for i, s := range steps {
		var cmd tea.Cmd
		m, cmd = m.Update(s.key)
		if cmd != nil || m.Choice() != s.want {
			t.Fatalf("step %d (%s): choice %v, want %v", i, s.key, m.Choice(), s.want)
		}
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown})
	if !strings.HasPrefix(chosen(m.View()), "at the class's time") {
		t.Fatalf("the view does not mark the choice:\n%s", m.View())
	}
}

// TestOpeningTypedHour: typing digits chooses the fixed hour; y prebooks
// with it; a time that is not HH:MM is refused with a hint and the
// dialog stays open until it is mended.
func TestOpeningTypedHour(t *testing.T) {
	m := newOpening(80)
	for _, r := range "25:00" {
		m, _ = m.Update(runes(string(r)))
	}
	if m.Choice() != OpeningFixed {
		t.Fatalf("typing did not choose the fixed hour: %v", m.Choice())
	}
	m, cmd := m.Update(runes("y"))
	if _, ok := openingResult(t, cmd); ok || !m.IsOpen() {
		t.Fatal("25:00 was accepted")
	}
	if !strings.Contains(ansi.Strip(m.View()), "Type the hour as HH:MM") {
		t.Fatalf("no hint for a bad time:\n%s", m.View())
	}
	// Mend it: backspace five times, then 12:00. Editing clears the hint.
	for range 5 {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	if strings.Contains(ansi.Strip(m.View()), "Type the hour as HH:MM") {
		t.Fatal("the hint stays while the member edits")
	}
	for _, r := range "12:00" {
		m, _ = m.Update(runes(string(r)))
	}
	m, cmd = m.Update(enter)
	r, ok := openingResult(t, cmd)
	if !ok || !r.Prebook || r.Answer != OpeningFixed || r.Hour != 12 || r.Minute != 0 || r.Payload != "p" {
		t.Fatalf("answer %+v (sent %v)", r, ok)
	}
	if m.IsOpen() || m.View() != "" {
		t.Fatal("the dialog stayed open after its answer")
	}
}

// TestOpeningNoAndClose: n answers "do not prebook" with the box's
// answer; esc and q close with no answer at all; keys outside the
// dialog's do nothing.
func TestOpeningNoAndClose(t *testing.T) {
	m := newOpening(80)
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown}) // sliding
	_, cmd := m.Update(runes("n"))
	r, ok := openingResult(t, cmd)
	if !ok || r.Prebook || r.Answer != OpeningSliding {
		t.Fatalf("n: %+v (sent %v)", r, ok)
	}
	for _, k := range []tea.KeyMsg{esc, runes("q")} {
		m := newOpening(80)
		m, cmd := m.Update(k)
		if cmd != nil || m.IsOpen() {
			t.Fatalf("%s: answered or stayed open", k)
		}
	}
	m = newOpening(80)
	m, cmd = m.Update(runes("x"))
	if cmd != nil || !m.IsOpen() || m.Choice() != OpeningUnknown {
		t.Fatal("x changed the dialog")
	}
	// Leaving the fixed hour blurs its field: digits choose it again,
	// editing keys do nothing elsewhere.
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	if m.Choice() != OpeningUnknown {
		t.Fatal("backspace chose an answer")
	}
	// Reopening starts afresh.
	for _, r := range "99" {
		m, _ = m.Update(runes(string(r)))
	}
	m.Open(m.Current())
	if m.Choice() != OpeningUnknown || strings.Contains(ansi.Strip(m.View()), "99") {
		t.Fatalf("reopening kept the last answer:\n%s", m.View())
	}
}

// TestOpeningFitsNarrowScreens: at phone widths the box stays within the
// screen, answers are cut with an ellipsis, not wrapped.
func TestOpeningFitsNarrowScreens(t *testing.T) {
	for _, w := range []int{40, 50, 64} {
		m := newOpening(w)
		for _, l := range strings.Split(m.View(), "\n") {
			if lw := ansi.StringWidth(l); lw > w {
				t.Fatalf("at %d columns a line is %d wide: %q", w, lw, l)
			}
		}
		if !strings.Contains(m.View(), "(•)") {
			t.Fatalf("at %d the choice mark is lost:\n%s", w, m.View())
		}
	}
	m := newOpening(40)
	if !strings.Contains(m.View(), "…") {
		t.Fatalf("at 40 columns a long answer should be cut with an ellipsis:\n%s", m.View())
	}
}

// TestParseClock: HH:MM and H:MM within a day.
func TestParseClock(t *testing.T) {
	for s, want := range map[string][2]int{"00:00": {0, 0}, "7:05": {7, 5}, " 23:59 ": {23, 59}, "12:00": {12, 0}} {
		h, m, ok := ParseClock(s)
		if !ok || h != want[0] || m != want[1] {
			t.Errorf("%q: %d:%d %v", s, h, m, ok)
		}
	}
	for _, s := range []string{"", "24:00", "12:60", "1200", "12:0", "ab:cd", "-1:00", "123:00"} {
		if _, _, ok := ParseClock(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}
