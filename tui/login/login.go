// Package login is the login form: e-mail, masked password, errors inline.
// The password leaves the form once, in the SubmitMsg, and the field is
// emptied at once.
package login

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/textfield"
	"github.com/ahtui/ahtui/tui/theme"
)

// SubmitMsg asks the caller to log in.
type SubmitMsg struct {
	Email, Password string
}

// KeyMap moves between the fields and submits.
type KeyMap struct {
	Next, Prev, Submit key.Binding
}

// DefaultKeyMap is tab / shift+tab and enter.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	return KeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", tx.Help.NextField)),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", tx.Help.NextField)),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tx.Help.Submit)),
	}
}

// Model is the form.
type Model struct {
	th   *theme.Theme
	tx   *i18n.Text
	Keys KeyMap

	email, password textinput.Model
	focus           int
	err             string
	busy            bool
	width, height   int
}

// New returns an empty form with the e-mail field focused.
func New(th *theme.Theme, tx *i18n.Text) Model {
	m := Model{
		th: th, tx: tx, Keys: DefaultKeyMap(tx),
		email:    textfield.New(th, textfield.Options{Placeholder: "you@example.com", Width: 40, Limit: 254}),
		password: textfield.New(th, textfield.Options{Width: 40, Limit: 1024, Secret: true}),
	}
	m.focusField(0)
	return m
}

// SetSize sets the screen size the form centres in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	fw := max(min(40, w-10), 10)
	textfield.SetWidth(&m.email, fw)
	textfield.SetWidth(&m.password, fw)
}

// SetEmail fills the e-mail field (the account's, when known).
func (m *Model) SetEmail(email string) {
	m.email.SetValue(email)
	if email != "" {
		m.focusField(1)
	}
}

// SetError shows an error under the fields and re-enables the form.
func (m *Model) SetError(msg string) {
	m.err, m.busy = msg, false
}

// Err is the error shown under the fields ("" when none).
func (m Model) Err() string { return m.err }

// Busy reports whether a login is in flight.
func (m Model) Busy() bool { return m.busy }

func (m *Model) focusField(i int) {
	m.focus = i
	fields := []*textinput.Model{&m.email, &m.password}
	for j, f := range fields {
		if j == i {
			f.Focus() // the cursor is steady: no blink command to run
		} else {
			f.Blur()
		}
	}
}

// Update edits the fields and submits.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if m.busy {
			return m, nil
		}
		switch {
		case key.Matches(k, m.Keys.Next):
			m.focusField((m.focus + 1) % 2)
			return m, nil
		case key.Matches(k, m.Keys.Prev):
			m.focusField((m.focus + 1) % 2)
			return m, nil
		case key.Matches(k, m.Keys.Submit):
			email := strings.TrimSpace(m.email.Value())
			if email == "" {
				m.focusField(0)
				return m, nil
			}
			if m.password.Value() == "" {
				m.focusField(1)
				return m, nil
			}
			sub := SubmitMsg{Email: email, Password: m.password.Value()}
			m.password.SetValue("")
			m.err, m.busy = "", true
			return m, func() tea.Msg { return sub }
		}
	}
	var cmd tea.Cmd
	if m.focus == 0 {
		m.email, cmd = m.email.Update(msg)
	} else {
		m.password, cmd = m.password.Update(msg)
	}
	return m, cmd
}

// View is the form centred on the screen. On a short screen (a phone
// held upright) it gives up room it can spare, in this order, rather
// than be cut: the blank line above the fields, the introduction, then
// the fields' boxes (a bar on their left instead).
func (m Model) View() string {
	var box string
	for level := range 4 {
		box = m.form(level)
		if m.height <= 0 || lipgloss.Height(box) <= m.height {
			break
		}
	}
	return m.th.R.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, box,
		lipgloss.WithWhitespaceChars(" "))
}

// form is the dialog at a compactness level: 0 in full, 1 without the
// blank line above the fields, 2 without the introduction too, 3 with
// slim fields too.
func (m Model) form(level int) string {
	th, tx := m.th, m.tx
	field := func(label string, in textinput.Model, focused bool) string {
		style := th.Input
		if focused {
			style = th.InputFocus
		}
		if level >= 3 {
			style = style.Border(lipgloss.ThickBorder(), false, false, false, true).PaddingRight(0)
		}
		// Both fields as wide as the widest: the focused one draws its
		// cursor one cell past the text, which would widen its border.
		w := max(m.email.Width, m.password.Width) + 1 + style.GetHorizontalPadding()
		return th.Label.Render(label) + "\n" + style.Width(w).Render(in.View())
	}
	parts := []string{th.Title.Render(tx.LoginTitle)}
	if level < 2 {
		parts = append(parts, th.Subtle.Render(ansi.Wrap(tx.LoginIntro, max(m.width-8, 10), ""))) // a phone: wrapped
	}
	if level < 1 {
		parts = append(parts, "")
	}
	parts = append(parts,
		field(tx.Email, m.email, m.focus == 0),
		field(tx.Password, m.password, m.focus == 1),
	)
	switch {
	case m.busy:
		parts = append(parts, "", th.Info.Render(tx.LoggingIn))
	case m.err != "":
		w := max(min(52, m.width-8), 10)
		parts = append(parts, "", th.Error.Render(ansi.Wrap(th.Mark.Error+" "+m.err, w, "")))
	default:
		parts = append(parts, "", th.Faint.Render(tx.LoginSubmit))
	}
	return th.Dialog.Render(strings.Join(parts, "\n"))
}
