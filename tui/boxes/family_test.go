package boxes

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

func press(t *testing.T, m Model, keys ...tea.KeyMsg) (Model, tea.Msg) {
	t.Helper()
	var last tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(k)
		if cmd != nil {
			last = cmd()
		}
	}
	return m, last
}

// With family members named, f offers them by name (the holder first) and
// enter books for the one chosen; esc leaves the choice as it was.
func TestFamilyChosenByName(t *testing.T) {
	m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(i18n.EN))
	m.SetSize(100, 20)
	m.SetBoxes([]session.Box{{ID: 1, Subdomain: "norte", Name: "Norte", Active: true}}, 1, "5150")
	m.SetFamily([]session.FamilyMember{{Name: "Leo", ID: "4243"}, {Name: "Marta", ID: "5150"}})
	if view := ansi.Strip(m.View()); !strings.Contains(view, "Book for: Marta") || strings.Contains(view, "5150") || strings.Contains(view, "member id") {
		t.Errorf("the family member shows by id, not name:\n%s", view)
	}
	f := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")}
	up, enter, esc := tea.KeyMsg{Type: tea.KeyUp}, tea.KeyMsg{Type: tea.KeyEnter}, tea.KeyMsg{Type: tea.KeyEscape}
	m, _ = press(t, m, f)
	if !m.Editing() {
		t.Fatal("f did not open the chooser")
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"Book for:", "account holder", "  Leo", "> Marta"} {
		if !strings.Contains(view, want) {
			t.Errorf("the chooser lacks %q:\n%s", want, view)
		}
	}
	m, msg := press(t, m, up, enter)
	if got, ok := msg.(FamilyMsg); !ok || got.ID != "4243" {
		t.Errorf("up, enter chose %#v, want Leo (4243)", msg)
	}
	m, _ = press(t, m, f, up, up, up)
	m, msg = press(t, m, enter)
	if got, ok := msg.(FamilyMsg); !ok || got.ID != "" {
		t.Errorf("the top row chose %#v, want the holder", msg)
	}
	m, msg = press(t, m, f, esc)
	if msg != nil || m.Editing() {
		t.Errorf("esc: %#v, editing %v", msg, m.Editing())
	}
}
