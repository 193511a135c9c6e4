package planform

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

func TestParseDay(t *testing.T) {
	today := aimharder.Date{Year: 2026, Month: 11, Day: 26}
	cases := []struct {
		in   string
		want aimharder.Date
	}{
		{"2026-12-21", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{" 21/12 ", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{"21-12", aimharder.Date{Year: 2026, Month: 12, Day: 21}},
		{"6/1", aimharder.Date{Year: 2027, Month: 1, Day: 6}}, // the next 6 January
		{"26/11", today},
		{"6/1/2026", aimharder.Date{Year: 2026, Month: 1, Day: 6}},
		{"29.2.28", aimharder.Date{Year: 2028, Month: 2, Day: 29}},
	}
	for _, c := range cases {
		got, err := ParseDay(c.in, today)
		if err != nil || got != c.want {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "31/02", "13/13", "tomorrow", "1/2/3/4", "2026-13-01", "0/5"} {
		if _, err := ParseDay(bad, today); !errors.Is(err, ErrBadDate) {
			t.Errorf("ParseDay(%q) = %v, want ErrBadDate", bad, err)
		}
	}
}

// TestPauseFitsAPhone: the pause form (one plan or every plan) fits 40
// columns, and still reads its dates.
func TestPauseFitsAPhone(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		p := NewPause(theme.New(nil, theme.Options{NoColor: true}), i18n.For(lang))
		p.SetMaxWidth(40)
		today := aimharder.Date{Year: 2026, Month: 11, Day: 26}
		p.Open(PauseSetup{Title: i18n.For(lang).PlanForm().PauseAllTitle.N(3), From: today, Until: today.AddDays(6), Today: today, Payload: int64(0)})
		p, _ = p.Update(tea.KeyMsg{Type: tea.KeyBackspace})
		p, _ = p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}) // "2026-11-2x": not a date
		p, cmd := p.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if cmd != nil {
			t.Fatalf("%v: a bad date was accepted", lang)
		}
		for _, l := range strings.Split(p.View(), "\n") {
			if w := ansi.StringWidth(l); w > 40 {
				t.Errorf("%v: a line of %d cells: %q", lang, w, ansi.Strip(l))
			}
		}
		p, _ = p.Update(tea.KeyMsg{Type: tea.KeyBackspace})
		p, _ = p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("6")})
		p, cmd = p.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if cmd == nil {
			t.Fatalf("%v: the dates were not accepted:\n%s", lang, p.View())
		}
		if msg := cmd().(PauseMsg); msg.From != today || msg.Until != today.AddDays(6) || msg.Payload != int64(0) {
			t.Errorf("%v: %+v", lang, msg)
		}
	}
}
