package dialog

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// Confirm is a yes/no question and what to do on yes.
type Confirm struct {
	Title, Body string
	// Danger asks for an explicit "y": enter alone does not confirm.
	Danger bool
	// Payload comes back in the ResultMsg, for the caller to act on.
	Payload any
	// Choices, when set, replace yes: the question has several answers
	// besides no (which n/esc still give, labelled NoLabel).
	Choices []Choice
	NoLabel string
	// For, when set, asks for whom as well: a line "For: ◂ Ana ▸" that
	// tab, shift+tab, ← and → change (a yes/no question only).
	For *For
}

// For is the choice of whom an action is for: the account holder or one
// of the family members, by name.
type For struct {
	Label string   // "For"
	Names []string // shown
	IDs   []string // AimHarder's familyId of each name ("" = the holder)
	Index int      // the one chosen
}

// ID is the familyId chosen.
func (f *For) ID() string {
	if f == nil || f.Index < 0 || f.Index >= len(f.IDs) {
		return ""
	}
	return f.IDs[f.Index]
}

// Choice is one answer of a question with more than yes and no.
type Choice struct {
	ID    string   // comes back as ResultMsg.Choice
	Keys  []string // the first one is shown
	Label string
}

// ResultMsg is the member's answer.
type ResultMsg struct {
	Yes     bool
	Payload any
	// Choice is the ID of the Choice that answered (Yes is then true).
	Choice string
	// ForID is the familyId chosen on the For line ("" = the holder);
	// ForSet tells whether the question had one.
	ForID  string
	ForSet bool
}

// KeyMap answers a confirmation.
type KeyMap struct {
	Yes, No, Enter key.Binding
	// Next and Prev change the For line.
	Next, Prev key.Binding
}

// DefaultKeyMap is y / n, enter and esc.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	return KeyMap{
		Yes:   key.NewBinding(key.WithKeys("y", "Y", "s", "S"), key.WithHelp("y", tx.Yes)),
		No:    key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n/esc", tx.No)),
		Enter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tx.Help.Confirm)),
		Next:  key.NewBinding(key.WithKeys("tab", "right", "l", "f"), key.WithHelp("tab", tx.Help.Change)),
		Prev:  key.NewBinding(key.WithKeys("shift+tab", "left", "h", "F")),
	}
}

// Model is an open (or closed) confirmation.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	open     bool
	c        Confirm
	maxWidth int
	box      string
}

// New returns a closed dialog.
func New(th *theme.Theme, tx *i18n.Text) Model {
	return Model{th: th, tx: tx, Keys: DefaultKeyMap(tx)}
}

// Open asks a question.
func (m *Model) Open(c Confirm) {
	m.open, m.c = true, c
	m.render()
}

// Close dismisses the dialog without an answer.
func (m *Model) Close() { m.open = false }

// IsOpen reports whether a question is waiting.
func (m Model) IsOpen() bool { return m.open }

// Current is the question being asked.
func (m Model) Current() Confirm { return m.c }

// SetMaxWidth limits the dialog to the screen.
func (m *Model) SetMaxWidth(w int) {
	m.maxWidth = w
	if m.open {
		m.render()
	}
}

// Update answers on y/n (enter counts as yes unless the question is a
// dangerous one). Every other key is swallowed: a dialog is modal.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.open {
		return m, nil
	}
	answer := func(yes bool) tea.Cmd {
		m.open = false
		res := ResultMsg{Yes: yes, Payload: m.c.Payload}
		if f := m.c.For; f != nil {
			res.ForID, res.ForSet = f.ID(), true
		}
		return func() tea.Msg { return res }
	}
	if len(m.c.Choices) > 0 {
		for _, ch := range m.c.Choices {
			if key.Matches(k, key.NewBinding(key.WithKeys(ch.Keys...))) {
				m.open = false
				res := ResultMsg{Yes: true, Payload: m.c.Payload, Choice: ch.ID}
				return m, func() tea.Msg { return res }
			}
		}
		if key.Matches(k, m.Keys.No) {
			return m, answer(false)
		}
		return m, nil
	}
	if f := m.c.For; f != nil && len(f.Names) > 1 {
		step := 0
		switch {
		case key.Matches(k, m.Keys.Next):
			step = 1
		case key.Matches(k, m.Keys.Prev):
			step = -1
		}
		if step != 0 {
			m.c.For = f.step(step)
			m.render()
			return m, nil
		}
	}
	switch {
	case key.Matches(k, m.Keys.Yes):
		return m, answer(true)
	case key.Matches(k, m.Keys.Enter) && !m.c.Danger:
		return m, answer(true)
	case key.Matches(k, m.Keys.No):
		return m, answer(false)
	}
	return m, nil
}

// View is the dialog box (empty when closed).
func (m Model) View() string {
	if !m.open {
		return ""
	}
	return m.box
}

func (m *Model) render() {
	th, tx := m.th, m.tx
	w := 56
	if m.maxWidth > 0 {
		w = min(w, m.maxWidth-4)
	}
	w = max(w, 20)
	var b strings.Builder
	b.WriteString(th.DialogTitle.Render(m.c.Title))
	b.WriteString("\n\n")
	body := ansi.Wrap(m.c.Body, w, "")
	if m.c.Danger {
		b.WriteString(th.Warn.Render(body))
	} else {
		b.WriteString(body)
	}
	b.WriteString("\n\n")
	if f := m.c.For; f != nil && len(f.Names) > 0 {
		b.WriteString(m.renderFor(f, w))
		b.WriteString("\n\n")
	}
	if len(m.c.Choices) > 0 {
		m.box = th.Dialog.Width(w + 2).Render(b.String() + m.renderChoices())
		return
	}
	yes := th.HelpKey.Render("y") + " " + th.HelpDesc.Render(tx.Yes)
	if !m.c.Danger {
		yes = th.HelpKey.Render("y/enter") + " " + th.HelpDesc.Render(tx.Yes)
	}
	no := th.HelpKey.Render("n/esc") + " " + th.HelpDesc.Render(tx.No)
	b.WriteString(yes + th.HelpSep.Render(" • ") + no)
	m.box = th.Dialog.Width(w + 2).Render(b.String())
}

// renderFor is the For line: "For: ◂ Ana ▸  tab change".
func (m *Model) renderFor(f *For, w int) string { return forLine(m.th, m.tx, f, "tab", w) }

// forLine draws a For line, the name highlighted, with the key that
// changes it.
func forLine(th *theme.Theme, tx *i18n.Text, f *For, keyName string, w int) string {
	name := f.Names[min(max(f.Index, 0), len(f.Names)-1)]
	line := th.Label.Render(f.Label+": ") + th.Selected.Render("◂ "+name+" ▸")
	if len(f.Names) > 1 {
		line += "  " + th.HelpKey.Render(keyName) + " " + th.HelpDesc.Render(tx.Help.Change)
	}
	return ansi.Wrap(line, w, "")
}

// step moves the choice by delta, round; a copy, so that the question
// the caller opened stays as it was.
func (f *For) step(delta int) *For {
	next := *f
	next.Index = (f.Index + delta + len(f.Names)) % len(f.Names)
	return &next
}

// renderChoices lists the answers of a question with choices, one a line.
func (m *Model) renderChoices() string {
	th := m.th
	no := m.c.NoLabel
	if no == "" {
		no = m.tx.No
	}
	lines := make([]string, 0, len(m.c.Choices)+1)
	for _, ch := range m.c.Choices {
		lines = append(lines, th.HelpKey.Render(fmt.Sprintf("%-6s", ch.Keys[0]))+th.HelpDesc.Render(ch.Label))
	}
	lines = append(lines, th.HelpKey.Render("n/esc ")+th.HelpDesc.Render(no))
	return strings.Join(lines, "\n")
}

// Box draws content in the dialog frame with a title, at most width wide.
func Box(th *theme.Theme, title, content string) string {
	return th.Dialog.Render(th.DialogTitle.Render(title) + "\n\n" + content)
}
