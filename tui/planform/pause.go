package planform

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/textfield"
	"github.com/ahtui/ahtui/tui/theme"
)

// PauseSetup is what the pause form asks about.
type PauseSetup struct {
	Title       string
	From, Until aimharder.Date // shown at the start
	Today       aimharder.Date // the box's today: "21/12" means the next 21 December
	Payload     any
}

// PauseMsg is the member's pause: class dates, both included.
type PauseMsg struct {
	From, Until aimharder.Date
	Payload     any
}

// Pause is the pause form: two dates (closed until Open).
type Pause struct {
	th *theme.Theme
	tx *i18n.Text

	open   bool
	s      PauseSetup
	fields [2]textinput.Model
	focus  int
	err    string
	box    string
}

// NewPause returns a closed pause form.
func NewPause(th *theme.Theme, tx *i18n.Text) Pause {
	p := Pause{th: th, tx: tx}
	for i := range p.fields {
		p.fields[i] = textfield.New(th, textfield.Options{Placeholder: tx.PlanDateHint, Width: 26, Limit: 10})
	}
	return p
}

// Open asks for a pause, the fields filled with s's dates.
func (p *Pause) Open(s PauseSetup) {
	p.open, p.s, p.err, p.focus = true, s, "", 0
	p.fields[0].SetValue(s.From.String())
	p.fields[1].SetValue(s.Until.String())
	p.fields[0].Focus()
	p.fields[0].CursorEnd()
	p.fields[1].Blur()
	p.render()
}

// IsOpen reports whether the form shows.
func (p Pause) IsOpen() bool { return p.open }

// Close hides the form without an answer.
func (p *Pause) Close() { p.open = false }

// Update edits the fields; enter answers with the dates when both read.
func (p Pause) Update(msg tea.Msg) (Pause, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !p.open {
		return p, nil
	}
	switch {
	case key.Matches(k, key.NewBinding(key.WithKeys("esc"))):
		p.open = false
		return p, nil
	case key.Matches(k, key.NewBinding(key.WithKeys("tab", "shift+tab", "up", "down"))):
		p.fields[p.focus].Blur()
		p.focus = 1 - p.focus
		p.fields[p.focus].Focus()
		p.fields[p.focus].CursorEnd()
		p.render()
		return p, nil
	case key.Matches(k, key.NewBinding(key.WithKeys("enter"))):
		var dates [2]aimharder.Date
		for i, f := range p.fields {
			d, err := ParseDay(f.Value(), p.s.Today)
			if err != nil {
				p.err = fmt.Sprintf(p.tx.PlanBadDate, strings.TrimSpace(f.Value()))
				p.fields[p.focus].Blur()
				p.focus = i
				p.fields[i].Focus()
				p.render()
				return p, nil
			}
			dates[i] = d
		}
		from, until := dates[0], dates[1]
		if until.Before(from) {
			from, until = until, from
		}
		p.open = false
		res := PauseMsg{From: from, Until: until, Payload: p.s.Payload}
		return p, func() tea.Msg { return res }
	}
	var cmd tea.Cmd
	p.fields[p.focus], cmd = p.fields[p.focus].Update(k)
	p.err = ""
	p.render()
	return p, cmd
}

// View is the form's box (empty when closed).
func (p Pause) View() string {
	if !p.open {
		return ""
	}
	return p.box
}

func (p *Pause) render() {
	th, tx := p.th, p.tx
	labels := [2]string{tx.PlanPauseFrom, tx.PlanPauseUntil}
	lw := max(len([]rune(labels[0])), len([]rune(labels[1]))) + 2
	var b strings.Builder
	for i, f := range p.fields {
		style := th.Input
		if i == p.focus {
			style = th.InputFocus
		}
		label := labels[i] + strings.Repeat(" ", lw-len([]rune(labels[i])))
		box := style.Render(f.View())
		// The label sits on the field's middle line.
		for j, l := range strings.Split(box, "\n") {
			if j == 1 {
				b.WriteString(th.Label.Render(label))
			} else {
				b.WriteString(strings.Repeat(" ", lw))
			}
			b.WriteString(l + "\n")
		}
	}
	b.WriteString(strings.Repeat(" ", lw) + th.Faint.Render(tx.PlanDateHint) + "\n")
	if p.err != "" {
		b.WriteString(th.Warn.Render(th.Mark.Warn+" "+p.err) + "\n")
	}
	b.WriteString("\n" + th.HelpDesc.Render(tx.PlanPauseHint))
	p.box = th.Dialog.Render(th.DialogTitle.Render(p.s.Title) + "\n\n" + b.String())
}

// ParseDay reads a class date: "2026-12-21", "21/12/2026", "21/12" or
// "21-12" (the next such day from today on).
func ParseDay(s string, today aimharder.Date) (aimharder.Date, error) {
	s = strings.TrimSpace(s)
	if d, err := aimharder.ParseDate(s); err == nil && len(s) == 10 && s[4] == '-' {
		return d, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	bad := fmt.Errorf("%q: %w", s, ErrBadDate)
	if len(parts) < 2 || len(parts) > 3 {
		return aimharder.Date{}, bad
	}
	n := make([]int, len(parts))
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil {
			return aimharder.Date{}, bad
		}
		n[i] = v
	}
	d := aimharder.Date{Year: today.Year, Month: time.Month(n[1]), Day: n[0]}
	if len(n) == 3 {
		d.Year = n[2]
		if d.Year < 100 {
			d.Year += 2000
		}
	}
	// A real day: time.Date normalises 31/02 to March.
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || aimharder.DateOf(d.In(time.UTC)) != d {
		return aimharder.Date{}, bad
	}
	if len(n) == 2 && d.Before(today) {
		d.Year++
	}
	return d, nil
}

// ErrBadDate is wrapped by ParseDay's errors; the form shows its own words.
var ErrBadDate = errors.New("not a date")
