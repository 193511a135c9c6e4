package dialog

import (
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

func newTheme(p termenv.Profile) *theme.Theme {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return theme.New(r, theme.Options{NoColor: p == termenv.Ascii})
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var (
	enter = tea.KeyMsg{Type: tea.KeyEnter}
	esc   = tea.KeyMsg{Type: tea.KeyEsc}
)

// result runs the command a dialog returned and gives its ResultMsg.
func result(t *testing.T, cmd tea.Cmd) (ResultMsg, bool) {
	t.Helper()
	if cmd == nil {
		return ResultMsg{}, false
	}
	r, ok := cmd().(ResultMsg)
	if !ok {
		t.Fatalf("the command gave %T", cmd())
	}
	return r, true
}

func newConfirm(c Confirm) Model {
	m := New(newTheme(termenv.Ascii), i18n.For(i18n.EN))
	m.SetMaxWidth(80)
	m.Open(c)
	return m
}

// TestConfirmAnswers: y and enter say yes, n, esc and q say no, with the
// payload back; the dialog closes with its answer.
func TestConfirmAnswers(t *testing.T) {
	for _, tc := range []struct {
		key tea.KeyMsg
		yes bool
	}{
		{runes("y"), true}, {runes("Y"), true}, {runes("s"), true}, {enter, true},
		{runes("n"), false}, {esc, false}, {runes("q"), false},
	} {
		m := newConfirm(Confirm{Title: "Class full", Body: "Join the waitlist?", Payload: 42})
		m, cmd := m.Update(tc.key)
		r, ok := result(t, cmd)
		if !ok || r.Yes != tc.yes || r.Payload != 42 || r.Choice != "" {
			t.Errorf("%s: answer %+v (sent %v), want yes=%v with the payload", tc.key, r, ok, tc.yes)
		}
		if m.IsOpen() || m.View() != "" {
			t.Errorf("%s: the dialog is still open", tc.key)
		}
	}
}

// TestConfirmIsModal: other keys and messages are swallowed and the
// question stays; a closed dialog answers nothing.
func TestConfirmIsModal(t *testing.T) {
	m := newConfirm(Confirm{Title: "Cancel booking?", Body: "WOD Wed 07:00"})
	for _, msg := range []tea.Msg{runes("j"), runes("b"), tea.KeyMsg{Type: tea.KeyDown}, tea.WindowSizeMsg{Width: 40, Height: 20}} {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		if cmd != nil || !m.IsOpen() {
			t.Fatalf("%v answered or closed the dialog", msg)
		}
	}
	m.Close()
	if _, cmd := m.Update(runes("y")); cmd != nil {
		t.Fatal("a closed dialog answered y")
	}
	if m.View() != "" {
		t.Fatalf("a closed dialog shows %q", m.View())
	}
}

// TestConfirmDangerNeedsY: a dangerous question (a late cancel that loses
// the credit) is not answered by enter, and says so: only "y" is offered.
func TestConfirmDangerNeedsY(t *testing.T) {
	m := newConfirm(Confirm{Title: "Late cancel", Body: "You lose the credit.", Danger: true, Payload: "late"})
	if v := m.View(); strings.Contains(v, "y/enter") || !strings.Contains(v, "y yes") || !strings.Contains(v, "n/esc no") {
		t.Fatalf("a dangerous question offers enter or lacks y/n:\n%s", v)
	}
	m, cmd := m.Update(enter)
	if cmd != nil || !m.IsOpen() {
		t.Fatal("enter answered a dangerous question")
	}
	_, cmd = m.Update(runes("y"))
	if r, ok := result(t, cmd); !ok || !r.Yes || r.Payload != "late" {
		t.Fatalf("y: %+v", r)
	}
	safe := newConfirm(Confirm{Title: "Book", Body: "WOD"})
	if !strings.Contains(safe.View(), "y/enter yes") {
		t.Fatalf("a safe question does not offer enter:\n%s", safe.View())
	}
}

// TestConfirmChoices: a question with choices answers with the choice's
// ID on any of its keys; y is not an answer unless a choice has it; n/esc
// still say no, under NoLabel.
func TestConfirmChoices(t *testing.T) {
	c := Confirm{Title: "Quit?", Body: "Prebookings pending.", Payload: 7, NoLabel: "stay",
		Choices: []Choice{{ID: "quit", Keys: []string{"q", "Q"}, Label: "quit anyway"}, {ID: "run", Keys: []string{"r"}, Label: "hand over to ahtui run"}}}
	m := newConfirm(c)
	v := m.View()
	for _, want := range []string{"q     quit anyway", "r     hand over to ahtui run", "n/esc stay"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the choices lack %q:\n%s", want, v)
		}
	}
	m2, cmd := m.Update(runes("y"))
	if cmd != nil || !m2.IsOpen() {
		t.Fatal("y answered a question with choices")
	}
	m2, cmd = m.Update(enter)
	if cmd != nil || !m2.IsOpen() {
		t.Fatal("enter answered a question with choices")
	}
	for key, id := range map[string]string{"Q": "quit", "r": "run"} {
		m2, cmd := m.Update(runes(key))
		r, ok := result(t, cmd)
		if !ok || !r.Yes || r.Choice != id || r.Payload != 7 || m2.IsOpen() {
			t.Errorf("%s: %+v, open %v", key, r, m2.IsOpen())
		}
	}
	_, cmd = m.Update(esc)
	if r, ok := result(t, cmd); !ok || r.Yes || r.Choice != "" {
		t.Fatalf("esc: %+v", r)
	}
	// Without NoLabel the no answer is the language's "no".
	c.NoLabel = ""
	if !strings.Contains(newConfirm(c).View(), "n/esc no") {
		t.Fatal("no default label for no")
	}
}

// TestConfirmFitsTheScreen: the box is at most the screen's width less a
// margin, wraps the body, and re-renders when the screen narrows while
// open; it never shrinks below its minimum.
func TestConfirmFitsTheScreen(t *testing.T) {
	body := "You are about to join the waitlist of WOD on Wednesday 9 December at 07:00; you will be told when a place frees up."
	for _, w := range []int{160, 50, 40} {
		m := newConfirm(Confirm{Title: "Class full", Body: body})
		m.SetMaxWidth(w)
		box := m.View()
		bw := 0
		for _, l := range strings.Split(box, "\n") {
			bw = max(bw, ansi.StringWidth(l))
		}
		if bw > w {
			t.Errorf("at %d columns the box is %d wide:\n%s", w, bw, box)
		}
		if !strings.Contains(ansi.Strip(box), "you will be") {
			t.Errorf("at %d columns the body is lost:\n%s", w, box)
		}
		if !strings.HasPrefix(box, "╭") {
			t.Errorf("no frame:\n%s", box)
		}
	}
	m := newConfirm(Confirm{Title: "T", Body: "B"})
	m.SetMaxWidth(10)
	if l := strings.Split(m.View(), "\n")[0]; ansi.StringWidth(l) < 20 {
		t.Fatalf("below the minimum: %q", l)
	}
	if m.Current().Title != "T" {
		t.Fatal("Current lost the question")
	}
}

// TestConfirmNoColor: under NO_COLOR the box has no escape sequences; with
// colours the dangerous body is styled as a warning.
func TestConfirmNoColor(t *testing.T) {
	m := newConfirm(Confirm{Title: "Late cancel", Body: "You lose the credit.", Danger: true})
	if strings.Contains(m.View(), "\x1b") {
		t.Fatalf("NO_COLOR: escapes in\n%q", m.View())
	}
	c := New(newTheme(termenv.TrueColor), i18n.For(i18n.EN))
	c.Open(Confirm{Title: "Late cancel", Body: "You lose the credit.", Danger: true})
	if !strings.Contains(c.View(), "\x1b[") {
		t.Fatal("with colours the dialog is plain")
	}
}

// TestBox: an overlay's frame with its title.
func TestBox(t *testing.T) {
	b := Box(newTheme(termenv.Ascii), "Keys", "q quit")
	lines := strings.Split(b, "\n")
	if len(lines) != 5 || !strings.Contains(lines[1], "Keys") || !strings.Contains(lines[3], "q quit") {
		t.Fatalf("box:\n%s", b)
	}
}
