package planform

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

var today = aimharder.Date{Year: 2026, Month: 11, Day: 23} // a Monday

func setup() Setup {
	return Setup{
		Class: "WOD", Time: session.ClockTime{Hour: 7}, Day: time.Saturday, Box: "Sample Gym", Today: today,
		Options: []Option{
			{Class: "wod", Time: session.ClockTime{Hour: 7}}, // the first choice itself: never offered
			{Class: "WOD", Time: session.ClockTime{Hour: 8}},
			{Class: "Open Box", Time: session.ClockTime{Hour: 7}},
			{Class: "WOD", Time: session.ClockTime{Hour: 9}},
		},
		Payload: "draft",
	}
}

func open(t *testing.T, lang i18n.Lang, w, h int, s Setup) Model {
	t.Helper()
	m := New(theme.New(nil, theme.Options{NoColor: true}), i18n.For(lang))
	m.SetMaxSize(w, h)
	m.Open(s)
	return m
}

// press sends keys: "enter", "down", "shift+up", or runes ("13", "+").
func press(m Model, keys ...string) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "left":
			msg = tea.KeyMsg{Type: tea.KeyLeft}
		case "right":
			msg = tea.KeyMsg{Type: tea.KeyRight}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "shift+up":
			msg = tea.KeyMsg{Type: tea.KeyShiftUp}
		case "shift+down":
			msg = tea.KeyMsg{Type: tea.KeyShiftDown}
		case "backspace":
			msg = tea.KeyMsg{Type: tea.KeyBackspace}
		case "space":
			msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func submitted(t *testing.T, m Model, cmd tea.Cmd) SubmitMsg {
	t.Helper()
	if m.IsOpen() || cmd == nil {
		t.Fatalf("the form did not answer:\n%s", m.View())
	}
	msg, ok := cmd().(SubmitMsg)
	if !ok {
		t.Fatalf("answered %T", cmd())
	}
	return msg
}

func labels(opts []Option) string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Label())
	}
	return strings.Join(out, ", ")
}

func requireView(t *testing.T, m Model, want ...string) {
	t.Helper()
	v := ansi.Strip(m.View())
	// The words as read, the box's lines joined (a message may wrap).
	var read []string
	for _, l := range strings.Split(v, "\n") {
		read = append(read, strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│")))
	}
	joined := strings.Join(read, " ")
	for _, w := range want {
		if !strings.Contains(v, w) && !strings.Contains(joined, w) {
			t.Fatalf("the form does not show %q:\n%s", w, v)
		}
	}
}

func TestSeveralFallbacksInOrder(t *testing.T) {
	m := open(t, i18n.EN, 120, 40, setup())
	// Down to the chooser: the first candidate is 08:00 WOD (07:00 WOD is
	// the plan's own class).
	m, _ = press(m, "down", "down", "right")
	requireView(t, m, "‹ 08:00 WOD ›", "07:00 Open Box")
	if strings.Contains(ansi.Strip(m.View()), "07:00 wod") {
		t.Fatal("the plan's own class is offered as its fallback")
	}
	// + adds it; the chooser moves on to what is left.
	m, _ = press(m, "+", "right", "+", "right", "+")
	if got := labels(m.Fallbacks()); got != "08:00 WOD, 07:00 Open Box, 09:00 WOD" {
		t.Fatalf("fallbacks %q", got)
	}
	requireView(t, m, "If full   1. 08:00 WOD", "2. 07:00 Open Box", "3. 09:00 WOD", "+ add another",
		"no other class listed that day")
	// Up onto 09:00 WOD, move it first, remove Open Box.
	m, _ = press(m, "up")
	if row, line := m.Focus(); row != rowFallback || line != 2 {
		t.Fatalf("focus %d/%d", row, line)
	}
	m, _ = press(m, "shift+up", "K")
	if got := labels(m.Fallbacks()); got != "09:00 WOD, 08:00 WOD, 07:00 Open Box" {
		t.Fatalf("after moving up: %q", got)
	}
	requireView(t, m, "x remove · shift+↑↓ move")
	m, _ = press(m, "down", "down", "x")
	if got := labels(m.Fallbacks()); got != "09:00 WOD, 08:00 WOD" {
		t.Fatalf("after removing: %q", got)
	}
	m, _ = press(m, "up", "J") // 08:00 back down: no-op at the end
	m, cmd := press(m, "enter")
	msg := submitted(t, m, cmd)
	if got := labels(msg.Fallbacks); got != "09:00 WOD, 08:00 WOD" || msg.PlanID != 0 || msg.Payload != "draft" ||
		msg.Days != session.WeekdaysOf(time.Saturday) || !msg.From.IsZero() || !msg.Until.IsZero() {
		t.Fatalf("submitted %+v", msg)
	}
}

func TestChooserClassIsSavedWithoutPlus(t *testing.T) {
	m := open(t, i18n.EN, 80, 24, setup())
	// The old way: ←→ on "If full" and enter saves it.
	m, cmd := press(m, "13", "down", "space", "down", "right", "enter")
	msg := submitted(t, m, cmd)
	if got := labels(msg.Fallbacks); got != "08:00 WOD" || !msg.Waitlist ||
		msg.Days != session.WeekdaysOf(time.Monday, time.Wednesday, time.Saturday) {
		t.Fatalf("submitted %+v", msg)
	}
}

func TestDates(t *testing.T) {
	m := open(t, i18n.EN, 80, 24, setup())
	requireView(t, m, "From      none", "Until     none")
	// Down to From (past the chooser), a short date, then Until.
	m, _ = press(m, "down", "down", "down", "1/12", "down", "2027-06-30")
	requireView(t, m, "From      1/12", "Until     2027-06-30", "class date, e.g. 21/12")
	m, cmd := press(m, "enter")
	msg := submitted(t, m, cmd)
	if msg.From != (aimharder.Date{Year: 2026, Month: 12, Day: 1}) || msg.Until != (aimharder.Date{Year: 2027, Month: 6, Day: 30}) {
		t.Fatalf("dates %s – %s", msg.From, msg.Until)
	}
}

func TestDateErrors(t *testing.T) {
	for _, tc := range []struct {
		lang        i18n.Lang
		from, until string
		want        string
		row         int
	}{
		{i18n.EN, "2027-03-01", "2027-02-01", "the plan would end (Mon 1 Feb) before it starts (Mon 1 Mar)", rowUntil},
		{i18n.ES, "2027-03-01", "2027-02-01", "el plan acabaría (lun 1 feb) antes de empezar (lun 1 mar)", rowUntil},
		{i18n.EN, "", "2026-11-20", "the plan would end (Fri 20 Nov) before today", rowUntil},
		{i18n.ES, "", "2026-11-20", "el plan acabaría (vie 20 nov) antes de hoy", rowUntil},
		{i18n.EN, "31/02", "", `"31/02" is not a date`, rowFrom},
		{i18n.ES, "", "mañana", "", -1}, // letters are not typed: no date, no error
	} {
		m := open(t, tc.lang, 80, 24, setup())
		m, _ = press(m, "down", "down", "down")
		if tc.from != "" {
			m, _ = press(m, tc.from)
		}
		m, _ = press(m, "down")
		if tc.until != "" {
			m, _ = press(m, tc.until)
		}
		m, cmd := press(m, "enter")
		if tc.row < 0 {
			if msg := submitted(t, m, cmd); !msg.Until.IsZero() {
				t.Errorf("%q typed a date: %+v", tc.until, msg)
			}
			continue
		}
		if !m.IsOpen() || cmd != nil {
			t.Fatalf("%s–%s accepted", tc.from, tc.until)
		}
		requireView(t, m, tc.want)
		if row, _ := m.Focus(); row != tc.row {
			t.Errorf("%s–%s: focus on row %d, want %d", tc.from, tc.until, row, tc.row)
		}
		// Fixed, it saves; the error goes with the next key.
		m, _ = press(m, "backspace")
		if strings.Contains(ansi.Strip(m.View()), tc.want) {
			t.Errorf("the error stays after a key")
		}
	}
}

func TestEditAPlan(t *testing.T) {
	s := setup()
	s.PlanID = 7
	s.Edit = session.PlanEdit{
		Days: session.WeekdaysOf(time.Monday, time.Friday), Waitlist: true,
		Fallbacks: []session.Fallback{{Class: "Open Box", Time: session.ClockTime{Hour: 7}}, {Class: "Yoga", Time: session.ClockTime{Hour: 19}}},
		From:      aimharder.Date{Year: 2026, Month: 11, Day: 2},
	}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		m := open(t, lang, 80, 24, s)
		title, yes := "Edit plan #7", "[x] yes, join it when full"
		if lang == i18n.ES {
			title, yes = "Editar el plan #7", "[x] sí, apuntarme si está completa"
		}
		requireView(t, m, title, "[x]", yes, "1. 07:00 Open Box", "2. 19:00 Yoga", "2026-11-02")
		if strings.Contains(ansi.Strip(m.View()), "[x]"+i18n.For(lang).Weekday(time.Saturday)) {
			t.Errorf("%s: the class's weekday is ticked on an edit", lang)
		}
		// Waitlist off, Yoga out, the start date cleared: the plan keeps
		// its id.
		m, _ = press(m, "w", "down", "down", "down", "x", "down")
		for range 10 {
			m, _ = press(m, "backspace")
		}
		m, cmd := press(m, "enter")
		msg := submitted(t, m, cmd)
		if msg.PlanID != 7 || msg.Waitlist || labels(msg.Fallbacks) != "07:00 Open Box" || !msg.From.IsZero() ||
			msg.Days != s.Edit.Days {
			t.Errorf("%s: submitted %+v", lang, msg)
		}
	}
}

func TestNeedsADayAndCancel(t *testing.T) {
	m := open(t, i18n.ES, 80, 24, setup())
	m, cmd := press(m, "6", "enter")
	if cmd != nil || !m.IsOpen() {
		t.Fatal("a plan with no day was accepted")
	}
	requireView(t, m, "marca al menos un día")
	m, cmd = press(m, "esc")
	if cmd != nil || m.IsOpen() || m.View() != "" {
		t.Fatal("esc did not close the form without an answer")
	}
}

// The form fits every screen from a phone (40×20, the day layout) to
// 160×48, whatever row has the focus.
func TestFits(t *testing.T) {
	s := setup()
	s.PlanID = 3
	s.Edit = session.PlanEdit{Days: session.WeekdaysOf(time.Monday), Fallbacks: []session.Fallback{
		{Class: "WOD", Time: session.ClockTime{Hour: 8}}, {Class: "Open Box", Time: session.ClockTime{Hour: 7}},
		{Class: "Halterofilia olímpica avanzada", Time: session.ClockTime{Hour: 20}}, {Class: "Yoga", Time: session.ClockTime{Hour: 21}},
	}}
	for _, size := range [][2]int{{40, 20}, {60, 24}, {80, 24}, {120, 40}, {160, 48}} {
		for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
			m := open(t, lang, size[0], size[1], s)
			for step := range 12 {
				v := m.View()
				lines := strings.Split(v, "\n")
				if len(lines) > size[1] {
					t.Errorf("%dx%d %s step %d: %d lines", size[0], size[1], lang, step, len(lines))
				}
				for _, l := range lines {
					if w := ansi.StringWidth(l); w > size[0] {
						t.Errorf("%dx%d %s step %d: a line of %d cells: %q", size[0], size[1], lang, step, w, ansi.Strip(l))
					}
				}
				if step == 4 { // on the chooser: the candidates show
					m, _ = press(m, "right")
				}
				m, _ = press(m, "down")
			}
		}
	}
	// 40×20: the focused fallback shows when there are more than fit.
	m := open(t, i18n.EN, 40, 18, s)
	m, _ = press(m, "down", "down", "down", "down", "down")
	requireView(t, m, "4. 21:00 Yoga")
}

// TestWordsInBothLanguages: every word of the form is in English and
// Spanish, with the same verbs, and the plurals differ by count.
func TestWordsInBothLanguages(t *testing.T) {
	en, es := reflect.ValueOf(*i18n.For(i18n.EN).PlanForm()), reflect.ValueOf(*i18n.For(i18n.ES).PlanForm())
	verbs := regexp.MustCompile(`%[-+# 0]*\d*[a-zA-Z]`)
	for i := range en.NumField() {
		name := en.Type().Field(i).Name
		var a, b []string
		switch v := en.Field(i).Interface().(type) {
		case string:
			a, b = []string{v}, []string{es.Field(i).String()}
		case i18n.Plural:
			w := es.Field(i).Interface().(i18n.Plural)
			a, b = v[:], w[:]
			if v[0] == v[1] || w[0] == w[1] {
				t.Errorf("%s: one form for every count", name)
			}
		}
		for j := range a {
			if a[j] == "" || b[j] == "" {
				t.Errorf("%s is empty in a language (en %q, es %q)", name, a[j], b[j])
			}
			if va, vb := verbs.FindAllString(a[j], -1), verbs.FindAllString(b[j], -1); !reflect.DeepEqual(va, vb) {
				t.Errorf("%s: verbs %v in English, %v in Spanish", name, va, vb)
			}
		}
	}
	if got := i18n.For(i18n.ES).PlanForm().PausedAll.With(1, "lun 21 dic", "mié 6 ene"); got != "1 plan en pausa lun 21 dic – mié 6 ene" {
		t.Errorf("one plan: %q", got)
	}
	if got := i18n.For(i18n.EN).PlanForm().PausedAll.With(3, "Mon 21 Dec", "Wed 6 Jan"); got != "3 plans paused Mon 21 Dec – Wed 6 Jan" {
		t.Errorf("three plans: %q", got)
	}
}
