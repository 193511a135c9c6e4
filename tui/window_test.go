package tui

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/i18n"
)

// tooEarlyTeaching makes the test box one with no rule and `b` on a class
// of next week be refused "too early" the way account.Service.Book
// answers when the refusal taught rule (stored as learned and, as
// AimHarder said only the days, unconfirmed). It returns that class.
func tooEarlyTeaching(e *env, rule string) account.ClassView {
	e.t.Helper()
	noRule(e)
	e.key("]")
	c := e.selectClass(func(c account.ClassView) bool { return c.Date.Day == 3 && c.Start.Hour() == 10 })
	teach(e, c, rule)
	return c
}

// teach makes the next booking attempts be refused "too early" by the
// server stating rule ("N días"), as account.Service.Book reports it.
func teach(e *env, c account.ClassView, rule string) {
	r, err := aimharder.ParseRule(rule)
	if err != nil {
		e.t.Fatal(err)
	}
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		var box session.Box
		e.store.setBox(testBox.ID, func(b *session.Box) {
			if !session.SaysSame(mustRule(b.LearnedWindow), r) {
				b.LearnedWindow, b.LearnedWindowState = rule, ""
			}
			box = *b
		})
		w := box.Rule()
		opens, _ := w.OpensAt(c.Start)
		return account.BookOutcome{}, &account.TooEarlyError{Class: c, OpensAt: opens,
			Message: "No puedes reservar clases con más de 4 días de antelación",
			Assumed: w.Assumed(), Rule: w.String()}
	}
}

func mustRule(s string) aimharder.Rule {
	r, _ := aimharder.ParseRule(s)
	return r
}

func (e *env) requireOpening() dialog.Opening {
	e.t.Helper()
	if e.m.dialog.IsOpen() {
		e.t.Fatalf("the plain dialog %q is open, not the one asking how the box opens", e.m.dialog.Current().Title)
	}
	if !e.m.opening.IsOpen() {
		e.t.Fatal("the dialog asking how the box opens is not open")
	}
	return e.m.opening.Current()
}

func (e *env) memberWindow() string {
	e.t.Helper()
	e.store.mu.Lock()
	defer e.store.mu.Unlock()
	for _, b := range e.store.boxes {
		if b.ID == testBox.ID {
			return b.MemberWindow
		}
	}
	e.t.Fatal("no test box")
	return ""
}

// The default answer, "I don't know", sets nothing, prebooks (y), and is
// not asked again for the same box and rule; the prebook offer alone
// comes then.
func TestTooEarlyAsksHowTheBoxOpensDefaultDontKnow(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := tooEarlyTeaching(e, "4d")
	e.key("b")
	q := e.requireOpening()
	if q.Days != 4 || q.Box != testBox.Name || q.Title != en.ConfirmPrebook {
		t.Fatalf("asked %+v", q)
	}
	for _, want := range []string{"4 days before", "at the class's time, 4 days before",
		"at a fixed hour, 4 days before:", "(•) I don't know — let ahtui find out", "y/enter prebook"} {
		e.requireContains(want)
	}
	e.key("y")
	if e.m.opening.IsOpen() {
		t.Fatal("the dialog stayed open")
	}
	if len(e.store.windowSets) != 0 || e.memberWindow() != "" {
		t.Fatalf("\"I don't know\" set a rule: %q", e.store.windowSets)
	}
	if len(e.store.prebookings) != 1 || e.store.prebookings[0].ClassID != c.ID {
		t.Fatalf("prebookings %+v, want the class prebooked", e.store.prebookings)
	}

	// The same rule restated by another refusal, or a class not open yet
	// under it: only the prebook offer.
	c2 := e.selectClass(func(x account.ClassView) bool { return x.Date.Day == 4 && x.Start.Hour() == 10 })
	e.send(bookMsg{box: e.m.box, class: c2, err: &account.TooEarlyError{Class: c2,
		OpensAt: c2.Start.AddDate(0, 0, -4), Assumed: true, Rule: "4d"}})
	if e.m.opening.IsOpen() {
		t.Fatal("asked again after \"I don't know\" for the same box and rule")
	}
	e.requireDialog(en.ConfirmPrebook)
	e.key("n")
	e.m.grid.Select(c2.Date, c2.ID)
	e.key("b")
	if e.m.opening.IsOpen() {
		t.Fatal("asked again after \"I don't know\" for the same box and rule")
	}
	e.requireDialog(en.ConfirmPrebook)
	e.key("n")

	// A different rule learned later is asked about again, here on a
	// class not open yet under it.
	e.store.setBox(testBox.ID, func(b *session.Box) { b.LearnedWindow = "5d" })
	e.send(tickMsg(e.now))
	c3 := e.selectClass(func(x account.ClassView) bool { return x.Date.Day == 5 && x.Start.Hour() == 10 })
	e.key("b")
	if q := e.requireOpening(); q.Days != 5 {
		t.Fatalf("asked about %d days, want 5", q.Days)
	}
	e.requireContains(c3.Name)
}

// "At the class's time, N days before" makes the learned rule the
// member's: box.<sub>.window 4d, shown at once as the member's.
func TestTooEarlyAnswerSlidingSetsTheMembersRule(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := tooEarlyTeaching(e, "4d")
	e.key("b")
	e.requireOpening()
	e.key("up", "up") // from "I don't know" to the first answer
	if e.m.opening.Choice() != dialog.OpeningSliding {
		t.Fatalf("choice %v", e.m.opening.Choice())
	}
	e.requireContains("(•) at the class's time")
	e.key("enter")
	if got := e.memberWindow(); got != "4d" {
		t.Fatalf("member rule %q, want 4d", got)
	}
	if r := e.m.box.Rule(); r.Source != session.RuleMember || r.String() != "4d" || r.Assumed() {
		t.Fatalf("the screen's rule %+v, want the member's 4d", r)
	}
	if len(e.store.prebookings) != 1 || e.store.prebookings[0].ClassID != c.ID {
		t.Fatalf("prebookings %+v, want the class prebooked", e.store.prebookings)
	}
	found := false
	for _, tt := range e.m.toasts.Toasts() {
		found = found || strings.Contains(tt.Text, "Saved: Sample Gym opens booking at the class's time, 4 days before")
	}
	if !found {
		t.Fatalf("no toast says the rule was saved: %+v", e.m.toasts.Toasts())
	}

	// With the member's rule set, a too-early answer asks nothing more.
	teach(e, c, "4d")
	e.key("b")
	if e.m.opening.IsOpen() {
		t.Fatal("asked how the box opens though the member set its rule")
	}
}

// "At a fixed hour": the typed hour becomes Nd@HH:MM, and the grid
// shows the classes opening at that hour at once; n saves it without
// prebooking.
func TestTooEarlyAnswerFixedHourSetsNdAtHHMM(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := tooEarlyTeaching(e, "4d")
	e.key("b")
	e.requireOpening()
	e.key("1", "2", ":", "0", "0") // typing the hour chooses the fixed hour
	if e.m.opening.Choice() != dialog.OpeningFixed {
		t.Fatalf("choice %v", e.m.opening.Choice())
	}
	e.requireContains("12:00")
	e.key("n")
	if got := e.memberWindow(); got != "4d@12:00" {
		t.Fatalf("member rule %q, want 4d@12:00", got)
	}
	if len(e.store.prebookings) != 0 {
		t.Fatalf("n prebooked: %+v", e.store.prebookings)
	}
	e.requireToast("Saved: Sample Gym opens booking at 12:00, 4 days before")
	want := aimharder.Rule{Kind: aimharder.RuleFixedHour, Days: 4, Hour: 12}.OpeningIn(madrid, c.Start)
	if got := e.selected(); !got.OpensAt.Equal(want) {
		t.Fatalf("the grid shows %s opening %v, want %v", got.Name, got.OpensAt, want)
	}
}

// A time that is not HH:MM is refused in the dialog, which stays open
// with the reason; fixed, it is saved.
func TestTooEarlyAnswerBadTimeIsRefused(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	tooEarlyTeaching(e, "2d")
	e.key("b")
	e.requireOpening()
	for _, bad := range []string{"25:00", "12:60", "7", "1200", ":", ""} {
		e.key("up") // the fixed hour
		for range 5 {
			e.key("backspace")
		}
		if e.m.opening.Choice() != dialog.OpeningFixed {
			t.Fatalf("choice %v", e.m.opening.Choice())
		}
		for _, r := range bad {
			e.key(string(r))
		}
		e.key("enter")
		if !e.m.opening.IsOpen() {
			t.Fatalf("%q was accepted", bad)
		}
		e.requireContains("Type the hour as HH:MM")
		e.key("down") // and back to "I don't know" for the next round
	}
	if len(e.store.windowSets) != 0 || len(e.store.prebookings) != 0 {
		t.Fatalf("a refused time did something: rules %q, prebookings %d", e.store.windowSets, len(e.store.prebookings))
	}
	e.key("up", "backspace", "backspace", "backspace", "backspace", "backspace", "7", ":", "3", "0")
	if strings.Contains(e.screen(), "Type the hour as HH:MM") {
		t.Fatal("the refusal stayed after the time was changed")
	}
	e.key("y")
	if got := e.memberWindow(); got != "2d@07:30" {
		t.Fatalf("member rule %q, want 2d@07:30", got)
	}
	if len(e.store.prebookings) != 1 {
		t.Fatalf("prebookings %+v", e.store.prebookings)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string][2]int{"00:00": {0, 0}, "7:30": {7, 30}, "23:59": {23, 59}, " 12:00 ": {12, 0}} {
		h, m, ok := dialog.ParseClock(in)
		if !ok || h != want[0] || m != want[1] {
			t.Errorf("ParseClock(%q) = %d, %d, %v", in, h, m, ok)
		}
	}
	for _, in := range []string{"24:00", "12:60", "1200", "12", "12:0", "ab:cd", "-1:00", "123:00"} {
		if _, _, ok := dialog.ParseClock(in); ok {
			t.Errorf("ParseClock(%q) accepted", in)
		}
	}
}

// esc closes with nothing done, and does not count as "I don't know":
// the next too-early asks again.
func TestTooEarlyAskEscDoesNothing(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	tooEarlyTeaching(e, "4d")
	e.key("b")
	e.requireOpening()
	e.key("up", "up", "esc")
	if e.m.opening.IsOpen() || len(e.store.windowSets) != 0 || len(e.store.prebookings) != 0 {
		t.Fatalf("esc did something: open %v, rules %q, prebookings %d", e.m.opening.IsOpen(), e.store.windowSets, len(e.store.prebookings))
	}
	e.key("b")
	e.requireOpening()
}

// Not asked when the member set a rule for the box, when an opening
// confirmed the learned one, or when the refusal said "0 días".
func TestTooEarlyAsksNothingWhenTheRuleIsKnown(t *testing.T) {
	cases := map[string]func(e *env){
		"member rule": func(e *env) {
			e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = "4d" })
		},
		"confirmed": func(e *env) {
			e.store.setBox(testBox.ID, func(b *session.Box) { b.LearnedWindow, b.LearnedWindowState = "4d", session.WindowConfirmed })
		},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 80, 24, i18n.EN)
			c := tooEarlyTeaching(e, "4d")
			set(e)
			e.send(tickMsg(e.now))
			e.m.grid.Select(c.Date, c.ID)
			e.key("r")
			// As the service: the class may show open under the rule the
			// screen knew; the refusal restates 4d, not assumed.
			e.m.grid.Select(c.Date, c.ID)
			e.send(bookMsg{box: e.m.box, class: c, err: &account.TooEarlyError{Class: c,
				OpensAt: c.Start.AddDate(0, 0, -4), Rule: "4d"}})
			if e.m.opening.IsOpen() {
				t.Fatal("asked how the box opens")
			}
			e.requireDialog(en.ConfirmPrebook)
		})
	}
	t.Run("member rule, stale refusal", func(t *testing.T) {
		// Even a refusal reported as assumed does not ask once the
		// screen's box has the member's rule.
		e := newEnv(t, 80, 24, i18n.EN)
		c := tooEarlyTeaching(e, "4d")
		e.store.setBox(testBox.ID, func(b *session.Box) { b.MemberWindow = "4d" })
		e.send(tickMsg(e.now))
		e.send(bookMsg{box: e.m.box, class: c, err: &account.TooEarlyError{Class: c,
			OpensAt: c.Start.AddDate(0, 0, -4), Assumed: true, Rule: "4d"}})
		if e.m.opening.IsOpen() {
			t.Fatal("asked how the box opens though the member set its rule")
		}
	})
	t.Run("0 días", func(t *testing.T) {
		e := newEnv(t, 80, 24, i18n.EN)
		tooEarlyTeaching(e, "0d@00:00")
		e.key("b")
		if e.m.opening.IsOpen() {
			t.Fatal("asked how the box opens after \"0 días\"")
		}
		e.requireDialog(en.ConfirmPrebook)
	})
}

// A rule that cannot be saved says so; the prebooking asked for still
// happens.
func TestTooEarlyAnswerSaveFails(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	tooEarlyTeaching(e, "4d")
	e.store.windowErr = errors.New("database is locked")
	e.key("b", "up", "up", "y")
	found := false
	for _, tt := range e.m.toasts.Toasts() {
		found = found || strings.Contains(tt.Text, "Could not save when Sample Gym opens booking")
	}
	if !found {
		t.Fatalf("no toast says the rule was not saved: %+v", e.m.toasts.Toasts())
	}
	if len(e.store.prebookings) != 1 {
		t.Fatalf("prebookings %+v", e.store.prebookings)
	}
}

// NO_COLOR: the dialog has no colour and its choice reads from its
// marker.
func TestTooEarlyAskNoColor(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	e := newEnvWith(t, 80, 24, Config{Lang: i18n.ES, Renderer: r, NoColor: true})
	tooEarlyTeaching(e, "4d")
	e.key("b")
	e.requireOpening()
	screen := e.screen()
	if regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;|m)`).MatchString(screen) {
		t.Fatalf("NO_COLOR output has colour codes: %q", screen)
	}
	for _, want := range []string{"(•)", "No lo sé", "a una hora fija, 4 días antes:", "y/enter"} {
		if !strings.Contains(screen, want) {
			t.Errorf("%q missing from\n%s", want, screen)
		}
	}
}
