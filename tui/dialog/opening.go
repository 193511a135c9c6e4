package dialog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/textfield"
	"github.com/ahtui/ahtui/tui/theme"
)

// OpeningAnswer is how the member says a box opens booking.
type OpeningAnswer int

const (
	// OpeningUnknown: "I don't know" (the default): nothing is set.
	OpeningUnknown OpeningAnswer = iota
	// OpeningSliding: at the class's time, N days before.
	OpeningSliding
	// OpeningFixed: at a fixed hour (Hour, Minute), N days before.
	OpeningFixed
)

// Opening is the prebook offer that also asks how the box opens booking,
// when AimHarder stated only "N days" (docs/protocol.md §9): at the
// class's time N days before, at a fixed hour N days before, or "I don't
// know". One dialog carries both questions.
type Opening struct {
	Title, Body string // the prebook offer
	Box         string // the box's name
	Days        int    // the N of "N days"
	Payload     any    // comes back in the OpeningMsg
	// For, when set, asks for whom as well (f and F change it).
	For *For
}

// OpeningMsg is the member's answer: whether to prebook and how the box
// opens. It is not sent when the member closes the dialog (esc).
type OpeningMsg struct {
	Prebook      bool
	Answer       OpeningAnswer
	Hour, Minute int // with OpeningFixed
	Payload      any
	// ForID is the familyId chosen on the For line ("" = the holder);
	// ForSet tells whether the question had one.
	ForID  string
	ForSet bool
}

// OpeningModel is an open (or closed) Opening dialog.
type OpeningModel struct {
	th *theme.Theme
	tx *i18n.Text

	open     bool
	q        Opening
	choice   OpeningAnswer
	field    textinput.Model
	bad      bool // the typed time was refused
	maxWidth int
	box      string
}

// NewOpening returns a closed Opening dialog.
func NewOpening(th *theme.Theme, tx *i18n.Text) OpeningModel {
	return OpeningModel{th: th, tx: tx, field: textfield.New(th, textfield.Options{Placeholder: tx.AskWindowTime, Width: 6, Limit: 5})}
}

// Open asks; "I don't know" is chosen until the member moves.
func (m *OpeningModel) Open(q Opening) {
	m.open, m.q, m.choice, m.bad = true, q, OpeningUnknown, false
	m.field.Reset()
	m.field.Blur()
	m.render()
}

// Close dismisses the dialog without an answer.
func (m *OpeningModel) Close() { m.open = false }

// IsOpen reports whether the question is waiting.
func (m OpeningModel) IsOpen() bool { return m.open }

// Current is the question being asked.
func (m OpeningModel) Current() Opening { return m.q }

// Choice is the answer chosen so far.
func (m OpeningModel) Choice() OpeningAnswer { return m.choice }

// SetMaxWidth limits the dialog to the screen.
func (m *OpeningModel) SetMaxWidth(w int) {
	m.maxWidth = w
	if m.open {
		m.render()
	}
}

var (
	openingForNext = key.NewBinding(key.WithKeys("f"))
	openingForPrev = key.NewBinding(key.WithKeys("F"))
	openingUp      = key.NewBinding(key.WithKeys("up", "k", "shift+tab"))
	openingDown    = key.NewBinding(key.WithKeys("down", "j", "tab"))
	openingYes     = key.NewBinding(key.WithKeys("enter", "y", "Y", "s", "S"))
	openingNo      = key.NewBinding(key.WithKeys("n", "N"))
	openingClose   = key.NewBinding(key.WithKeys("esc", "q"))
	openingEditKey = key.NewBinding(key.WithKeys("backspace", "delete", "left", "right", "home", "end", "ctrl+u"))
)

// The order the answers show in, top to bottom.
var openingOrder = []OpeningAnswer{OpeningSliding, OpeningFixed, OpeningUnknown}

// Update moves between the answers (↑/↓), types the hour (digits and ":"
// go to the time field, choosing the fixed hour), and answers: y/enter
// prebook, n do not prebook (the answer about the box counts either way),
// esc close with nothing done. A time that is not HH:MM is refused and the
// dialog stays open. Every other key is swallowed: a dialog is modal.
func (m OpeningModel) Update(msg tea.Msg) (OpeningModel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !m.open {
		return m, nil
	}
	cmd := m.onKey(k)
	m.render()
	return m, cmd
}

func (m *OpeningModel) onKey(k tea.KeyMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case k.Type == tea.KeyRunes && isTimeText(string(k.Runes)):
		m.choose(OpeningFixed)
		m.bad = false
		m.field, cmd = m.field.Update(k)
	case m.q.For != nil && len(m.q.For.Names) > 1 && key.Matches(k, openingForNext):
		m.q.For = m.q.For.step(1)
	case m.q.For != nil && len(m.q.For.Names) > 1 && key.Matches(k, openingForPrev):
		m.q.For = m.q.For.step(-1)
	case m.choice == OpeningFixed && key.Matches(k, openingEditKey):
		m.bad = false
		m.field, cmd = m.field.Update(k)
	case key.Matches(k, openingUp):
		m.move(-1)
	case key.Matches(k, openingDown):
		m.move(1)
	case key.Matches(k, openingYes):
		cmd = m.answer(true)
	case key.Matches(k, openingNo):
		cmd = m.answer(false)
	case key.Matches(k, openingClose):
		m.open = false
	}
	return cmd
}

func isTimeText(s string) bool {
	return s != "" && strings.Trim(s, "0123456789:") == ""
}

func (m *OpeningModel) move(by int) {
	i := 0
	for j, a := range openingOrder {
		if a == m.choice {
			i = j
		}
	}
	i = (i + by + len(openingOrder)) % len(openingOrder)
	m.choose(openingOrder[i])
}

func (m *OpeningModel) choose(a OpeningAnswer) {
	m.choice = a
	if a == OpeningFixed {
		m.field.Focus()
	} else {
		m.field.Blur()
		m.bad = false
	}
}

func (m *OpeningModel) answer(prebook bool) tea.Cmd {
	res := OpeningMsg{Prebook: prebook, Answer: m.choice, Payload: m.q.Payload}
	if f := m.q.For; f != nil {
		res.ForID, res.ForSet = f.ID(), true
	}
	if m.choice == OpeningFixed {
		h, mi, ok := ParseClock(m.field.Value())
		if !ok {
			m.bad = true
			return nil
		}
		res.Hour, res.Minute = h, mi
	}
	m.open = false
	return func() tea.Msg { return res }
}

var clockRE = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)

// ParseClock reads a time of day typed as HH:MM (or H:MM), 00:00 to 23:59.
func ParseClock(s string) (hour, minute int, ok bool) {
	g := clockRE.FindStringSubmatch(strings.TrimSpace(s))
	if g == nil {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(g[1])
	minute, _ = strconv.Atoi(g[2])
	if hour > 23 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// View is the dialog box (empty when closed).
func (m OpeningModel) View() string {
	if !m.open {
		return ""
	}
	return m.box
}

func (m *OpeningModel) render() {
	th, tx := m.th, m.tx
	w := 60
	if m.maxWidth > 0 {
		w = min(w, m.maxWidth-4)
	}
	w = max(w, 20)
	days := tx.Days(m.q.Days)
	var b strings.Builder
	b.WriteString(th.DialogTitle.Render(m.q.Title))
	b.WriteString("\n\n")
	b.WriteString(ansi.Wrap(m.q.Body, w, ""))
	b.WriteString("\n\n")
	if f := m.q.For; f != nil && len(f.Names) > 0 {
		b.WriteString(forLine(th, tx, f, "f", w))
		b.WriteString("\n\n")
	}
	b.WriteString(ansi.Wrap(fmt.Sprintf(tx.AskWindow, m.q.Box, days), w, ""))
	b.WriteByte('\n')
	for _, a := range openingOrder {
		mark, style := "( )", th.Base
		if a == m.choice {
			mark, style = "(•)", th.Bold
		}
		var label string
		switch a {
		case OpeningSliding:
			label = fmt.Sprintf(tx.AskWindowSliding, days)
		case OpeningFixed:
			label = fmt.Sprintf(tx.AskWindowFixed, days)
		case OpeningUnknown:
			label = tx.AskWindowUnknown
		}
		line := ansi.Truncate(mark+" "+label, w-8, "…")
		b.WriteString(style.Render(line))
		if a == OpeningFixed {
			b.WriteString(" " + m.field.View())
		}
		b.WriteByte('\n')
	}
	if m.bad {
		b.WriteString(th.Warn.Render(ansi.Wrap(tx.AskWindowBadTime, w, "")))
	} else {
		b.WriteString(th.Faint.Render(ansi.Wrap(tx.AskWindowKept, w, "")))
	}
	b.WriteString("\n\n")
	sep := th.HelpSep.Render(" • ")
	b.WriteString(th.HelpKey.Render("y/enter") + " " + th.HelpDesc.Render(tx.AskWindowPrebook) + sep +
		th.HelpKey.Render("n") + " " + th.HelpDesc.Render(tx.AskWindowNo) + sep +
		th.HelpKey.Render("esc") + " " + th.HelpDesc.Render(tx.AskWindowClose) + "\n")
	b.WriteString(th.HelpKey.Render("↑↓") + " " + th.HelpDesc.Render(tx.AskWindowChoose))
	m.box = th.Dialog.Width(w + 2).Render(b.String())
}
