package tui

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// TestStatusBeforeLoginSaysNothingFires: without a session the status
// view never says "firing here": nothing can fire until a login.
func TestStatusBeforeLoginSaysNothingFires(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		e := newEnv(t, 80, 24, lang)
		e.m.cfg.Engine = fakeEngine{leading: true}
		e.m.sessions = map[session.Kind]session.Health{}
		e.key("S")
		e.requireContains(tx.StatusNoLogin)
		if strings.Contains(e.m.statusBox, tx.Runner) {
			t.Errorf("%v: the status view says %q before a login", lang, tx.Runner)
		}
	}
}

// TestRefreshConfirms: a refresh (r) ends with a confirmation naming the
// time of AimHarder's answer, not with "Refreshing…" alone.
func TestRefreshConfirms(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		e := newEnv(t, 120, 40, lang)
		e.key("r")
		if e.m.lastFresh.IsZero() {
			t.Fatalf("%v: the refresh got no answer", lang)
		}
		e.requireContains(fmt.Sprintf(tx.Refreshed, e.m.lastFresh.In(e.m.loc).Format("15:04:05")))
		if strings.Contains(e.screen(), tx.Refreshing) {
			t.Errorf("%v: still %q after the answer", lang, tx.Refreshing)
		}
	}
}

// TestWeekKeysKeepTheTimeOfDay: [ and ] keep the cursor's weekday and the
// start time of its class (the class nearest it in the other week).
func TestWeekKeysKeepTheTimeOfDay(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.acct.mu.Lock()
	for _, weeks := range []int{-7, 7} {
		for _, d := range testDays(testWeek.AddDays(weeks), testNow, true) {
			for i := range d.Classes {
				d.Classes[i].ID += int64(weeks) * 1000 // ids of their own
			}
			e.acct.days[d.Date] = d
		}
	}
	e.acct.mu.Unlock()
	var picked account.ClassView
	for _, c := range e.m.grid.Classes(1) {
		if c.Start.Hour() >= 10 {
			picked = c
			break
		}
	}
	if picked.ID == 0 {
		t.Fatal("no class from 10:00 on the test week's Tuesday")
	}
	picked = e.selectClass(func(c account.ClassView) bool { return c.ID == picked.ID })
	for _, k := range []string{"]", "[", "["} {
		e.key(k)
		got, ok := e.m.grid.Selected()
		if !ok || got.Start.Weekday() != picked.Start.Weekday() || got.Start.Format("15:04") != picked.Start.Format("15:04") {
			t.Errorf("after %s: the cursor is on %v %s, want %s %s", k, ok, got.Start.Format("Mon 15:04"),
				picked.Start.Weekday(), picked.Start.Format("15:04"))
		}
	}
}

// TestDialogsDimWhatIsBehind: a box drawn over the screen dims what it
// covers (the theme's faint style, SGR faint without colours), keeping the
// text, so the box is what stands out.
func TestDialogsDimWhatIsBehind(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI256)
		r.SetHasDarkBackground(true)
		e := newEnvWith(t, 160, 48, Config{Lang: i18n.EN, Renderer: r, NoColor: noColor})
		e.pick(grid.NotOpen)
		before := strings.Split(e.screen(), "\n")
		e.key("S")
		after := strings.Split(e.screen(), "\n")
		faint, _, _ := strings.Cut(e.m.th.Faint.Render("·"), "·")
		if noColor && faint != "\x1b[2m" {
			t.Errorf("NO_COLOR faint is %q", faint)
		}
		// Row 3 is the grid's first row of days, above the box.
		if !strings.HasPrefix(after[3], faint) || strings.Count(after[3], "\x1b[") > 2 {
			t.Errorf("no color %v: the row behind the box is not dimmed: %q", noColor, after[3])
		}
		if ansi.Strip(after[3]) != ansi.Strip(before[3]) {
			t.Errorf("no color %v: dimming changed the text: %q → %q", noColor, ansi.Strip(before[3]), ansi.Strip(after[3]))
		}
		e.key("esc")
		if got := strings.Split(e.screen(), "\n"); got[3] != before[3] {
			t.Errorf("no color %v: the screen stays dimmed after the box closed", noColor)
		}
	}
}

// TestWarningsSpeakTheUILanguage: a wrong window rule and prebookings at
// risk are worded in the TUI's language, never as the runner's English
// log line with an `ahtui config` hint.
func TestWarningsSpeakTheUILanguage(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.ES)
	tx := i18n.For(i18n.ES)
	english := "box test: your booking-window rule \"3d\" is wrong — Fix the rule with `ahtui config box.test.window 2d`"
	e.send(EventMsg{Kind: EventWarning, Message: english, Rule: &RuleWarning{Box: "test", MemberRule: "3d", ServerRule: "2d"}})
	if got := e.lastToast(); got != fmt.Sprintf(tx.WarnWindowRule, "test", "3d", "2d") {
		t.Errorf("window rule toast %q", got)
	}
	e.send(EventMsg{Kind: EventWarning, Message: "prebooking #1 fires in 2h but the background session has expired: run `ahtui login`", Health: true})
	if got := e.lastToast(); got != tx.WarnHealth {
		t.Errorf("health toast %q", got)
	}
}

// TestEveryOverlayDimsWhatIsBehind: the help, the status view, a
// confirmation and the plan form all dim the screen behind them, at the
// widths where something shows behind them, in both languages.
func TestEveryOverlayDimsWhatIsBehind(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		for _, sz := range [][2]int{{40, 20}, {50, 30}, {80, 24}, {100, 30}, {120, 40}, {160, 48}} {
			for _, keys := range [][]string{{"?"}, {"S"}, {"w"}, {"c"}} {
				r := lipgloss.NewRenderer(io.Discard)
				r.SetColorProfile(termenv.ANSI256)
				r.SetHasDarkBackground(true)
				e := newEnvWith(t, sz[0], sz[1], Config{Lang: lang, Renderer: r})
				if keys[0] == "c" {
					e.pick(grid.Booked)
				} else {
					e.pick(grid.Open)
				}
				e.key(keys...)
				if e.m.overlay() == nil {
					t.Fatalf("%s %dx%d %v: no overlay opened", lang, sz[0], sz[1], keys)
				}
				faint, _, _ := strings.Cut(e.m.th.Faint.Render("·"), "·")
				lines := strings.Split(e.screen(), "\n")
				// The body's first line is behind the box or beside it:
				// either way it is dimmed, its own colours gone.
				if l := lines[2]; !strings.Contains(l, faint) {
					t.Errorf("%s %dx%d %v: the line behind the box is not dimmed: %q", lang, sz[0], sz[1], keys, l)
				}
				checkSize(t, e.screen(), sz[0], sz[1])
			}
		}
	}
}

// TestFocusedDetailIsMarked: with the side detail focused its title is a
// highlighted bar led by ▸ (reverse video, so NO_COLOR shows it too) and
// the grid's cursor bar dims; esc takes both away.
func TestFocusedDetailIsMarked(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.ANSI256)
		r.SetHasDarkBackground(true)
		e := newEnvWith(t, 160, 48, Config{Lang: i18n.ES, Renderer: r, NoColor: noColor})
		c := e.pick(grid.Open)
		if strings.Contains(e.screen(), "▸ "+c.Name) {
			t.Fatalf("the unfocused detail is marked")
		}
		e.key("enter")
		if !e.m.detailFocus {
			t.Fatal("enter did not focus the side detail")
		}
		s := e.screen()
		var title string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(ansi.Strip(l), "▸ "+c.Name) {
				title = l
			}
		}
		if title == "" || !strings.Contains(title, "\x1b[7") && !strings.Contains(title, ";7m") && !strings.Contains(title, ";7;") {
			t.Errorf("no color %v: the focused title is not a reverse bar: %q", noColor, title)
		}
		// The grid's cursor bar dims while the pane has the keys.
		faint, _, _ := strings.Cut(e.m.th.Faint.Render("▌"), "▌")
		if !strings.Contains(s, faint+"▌") {
			t.Errorf("no color %v: the grid's cursor is not dimmed while the detail has the keys", noColor)
		}
		e.key("esc")
		if strings.Contains(ansi.Strip(e.screen()), "▸ "+c.Name) {
			t.Errorf("no color %v: esc left the title marked", noColor)
		}
		if strings.Contains(e.screen(), faint+"▌") {
			t.Errorf("no color %v: esc left the grid's cursor dimmed", noColor)
		}
	}
}
