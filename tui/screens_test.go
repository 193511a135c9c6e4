package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// lines is the screen line by line.
func (e *env) lines() []string { return strings.Split(e.screen(), "\n") }

// footerLine is the screen's last line: the key help (when no toast).
func (e *env) footerLine() string {
	l := e.lines()
	return l[len(l)-1]
}

// TestFooterAlwaysShowsMoreAndQuit: at every width and on every screen the
// footer ends with "? more" and "q quit", whole, and never runs past the
// screen's width.
func TestFooterAlwaysShowsMoreAndQuit(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		more, quit := "? "+tx.Help.More, "q "+tx.Help.Quit
		for _, w := range []int{64, 80, 100, 160} {
			e := newEnv(t, w, 30, lang)
			screens := []struct {
				name string
				keys []string
			}{
				{"week", nil},
				{"detail", []string{"enter"}},
				{"prebookings", []string{"P"}},
				{"plans", []string{"W"}},
				{"history", []string{"H"}},
				{"boxes", []string{"B"}},
			}
			for _, s := range screens {
				e.key(s.keys...)
				f := e.footerLine()
				if !strings.HasSuffix(f, more+" • "+quit) {
					t.Errorf("%s %d cols, %s: footer %q does not end with %q", lang, w, s.name, f, more+" • "+quit)
				}
				if fw := ansi.StringWidth(f); fw > w {
					t.Errorf("%s %d cols, %s: footer is %d wide: %q", lang, w, s.name, fw, f)
				}
				e.key("esc")
			}
		}
	}
}

// TestFooterFollowsTheSelectedClass: the footer offers what applies to the
// class under the cursor: book an open class, cancel a booked one, prebook
// one that is not open yet.
func TestFooterFollowsTheSelectedClass(t *testing.T) {
	e := newEnv(t, 100, 30, i18n.EN)
	for _, c := range []struct {
		st         grid.State
		want, lack string
	}{
		{grid.Open, "b book", "c cancel"},
		{grid.Booked, "c cancel booking", "b book"},
		{grid.NotOpen, "p prebook", "b book"},
	} {
		e.pick(c.st)
		f := e.footerLine()
		if !strings.Contains(f, c.want) || strings.Contains(f, c.lack) {
			t.Errorf("%s: footer %q, want %q and not %q", c.st, f, c.want, c.lack)
		}
	}
}

// TestFooterCutsWithEllipsis: a footer that does not fit ends its keys
// with "…" before "? more".
func TestFooterCutsWithEllipsis(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	if f := e.footerLine(); !strings.Contains(f, "… • ? more • q quit") {
		t.Fatalf("footer %q is not cut with … before ? more", f)
	}
	e = newEnv(t, 230, 30, i18n.EN)
	if f := e.footerLine(); strings.Contains(f, "…") || !strings.Contains(f, "S status") || !strings.Contains(f, "t today") || !strings.Contains(f, "v week / day") {
		t.Fatalf("at 230 columns every week key fits: %q", f)
	}
}

// TestHelpAndStatusOverlays: ? opens the full help with the whole legend,
// S the status view; each closes with esc and its own key, and the footer
// says how.
func TestHelpAndStatusOverlays(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.key("?")
	for _, s := range []string{"S      status", "» firing", "↻ every week (plan)", "‖ paused", "○ not open"} {
		e.requireContains(s)
	}
	if f := e.footerLine(); f != "?/esc close" {
		t.Fatalf("footer under the help: %q", f)
	}
	e.key("?")
	if e.m.helpOpen {
		t.Fatal("? did not close the help")
	}
	e.requireContains("? more")

	e.m.cfg.Engine = fakeEngine{leading: true}
	e.key("S")
	for _, s := range []string{"Status", "This device", "✓ session ok 4m", "✓ session ok 12m", "Server clock  AimHarder +0.35s ±0.02s from this machine", "firing here"} {
		e.requireContains(s)
	}
	// The footer says what the box says: S or esc closes it.
	if f := e.footerLine(); f != "S/esc close" {
		t.Fatalf("footer under the status view: %q", f)
	}
	e.key("j") // keys do not reach the grid under the status view
	if !e.m.statusOpen {
		t.Fatal("j closed the status view")
	}
	e.key("esc")
	if e.m.statusOpen {
		t.Fatal("esc did not close the status view")
	}
}

// TestHeaderLeadsWithTheMembersConcerns: the second header line shows the
// next booked class and the next prebooking with its countdown, whole, at
// 80 and 100 columns; token ages and the clock are not there.
func TestHeaderLeadsWithTheMembersConcerns(t *testing.T) {
	for _, w := range []int{80, 100, 160} {
		e := newEnv(t, w, 24, i18n.EN)
		e.m.cfg.Engine = fakeEngine{leading: true}
		e.store.family = "Lucía"
		c := e.pick(grid.NotOpen)
		e.key("p")
		head := e.lines()[:2]
		for i, l := range head {
			if ansi.StringWidth(l) > w || strings.Contains(l, "…") {
				t.Errorf("%d cols: header line %d is cut: %q", w, i+1, l)
			}
		}
		h2 := head[1]
		if !strings.Contains(h2, "✓ next ") {
			t.Errorf("%d cols: no next class in %q", w, h2)
		}
		if want := "⚑ " + c.Name; !strings.Contains(h2, want) || !strings.Contains(h2, "fires "+e.m.tx.In(c.OpensAt.Sub(e.now))) {
			t.Errorf("%d cols: no next prebooking with its countdown in %q", w, h2)
		}
		for _, internal := range []string{"clock", "firing here", "background", "4m"} {
			if strings.Contains(h2, internal) {
				t.Errorf("%d cols: the header shows %q: %q", w, internal, h2)
			}
		}
	}
}

// TestHeaderAlertsWhatNeedsTheMember: an expired background session shows
// in the header; all well, it points at the status view.
func TestHeaderAlertsWhatNeedsTheMember(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	if h := e.lines()[1]; !strings.HasSuffix(h, "S status") {
		t.Fatalf("all well, the header does not point at the status view: %q", h)
	}
	e.store.sessions[session.KindBackground] = session.Health{Kind: session.KindBackground, State: session.StateDead}
	e.key("r")
	if h := e.lines()[1]; !strings.Contains(h, "background session expired") {
		t.Fatalf("the header does not say the background session expired: %q", h)
	}
}

// TestResizeHidingTheFocusedDetailGivesTheGridTheKeys: 160×48, enter on a
// class, then 80×24: the side pane is gone, so the arrows move the grid
// again, and the next detail opens at its top.
func TestResizeHidingTheFocusedDetailGivesTheGridTheKeys(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.pick(grid.Full) // 20 attendees: the detail scrolls
	e.key("enter")
	if !e.m.detailFocus {
		t.Fatal("enter did not focus the side detail")
	}
	e.key("j", "j", "j")
	e.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if e.m.detailFocus || e.m.detailOpen {
		t.Fatalf("after the resize: detailFocus %v, detailOpen %v; want the grid focused", e.m.detailFocus, e.m.detailOpen)
	}
	before := e.selected()
	e.key("j")
	if after := e.selected(); after.ID == before.ID && after.Date == before.Date {
		t.Fatal("j did not move the grid's cursor after the resize")
	}
	e.key("k", "enter")
	if !e.m.detailOpen {
		t.Fatal("enter did not open the detail overlay")
	}
	if v := e.m.detail.View(); strings.Contains(v, "↑") {
		t.Fatalf("the detail opened scrolled:\n%s", v)
	}
	e.requireContains("Coach")
	if f := e.footerLine(); !strings.Contains(f, "esc back • ↓/j scroll") {
		t.Fatalf("the footer does not offer the detail's keys: %q", f)
	}
}

// TestResizeWideningTheOverlayFocusesTheSidePane: an open detail overlay
// becomes the side pane, still with the keys, when the terminal widens.
func TestResizeWideningTheOverlayFocusesTheSidePane(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.pick(grid.Full)
	e.key("enter")
	e.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	if !e.m.detailFocus || e.m.detailOpen {
		t.Fatalf("detailFocus %v, detailOpen %v; want the side pane focused", e.m.detailFocus, e.m.detailOpen)
	}
	if e.m.overlay() != nil {
		t.Fatal("an overlay still covers the grid")
	}
	e.key("esc")
	if e.m.detailFocus {
		t.Fatal("esc did not give the keys back to the grid")
	}
}

// TestCountdownsNeverReadAsClockTimes: cells at every width, the detail,
// the prebookings view and the header write waits with "in" or units,
// never HH:MM:SS.
func TestCountdownsNeverReadAsClockTimes(t *testing.T) {
	clockLike := func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			for _, f := range strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '│' || r == '(' || r == ')' }) {
				if len(f) == 8 && f[2] == ':' && f[5] == ':' {
					return true
				}
			}
		}
		return false
	}
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		for _, w := range []int{64, 80, 100, 160} {
			e := newEnv(t, w, 40, lang)
			c := e.pick(grid.NotOpen)
			e.key("p")
			if clockLike(e.screen()) {
				t.Errorf("%s %d cols: a countdown reads as a clock time:\n%s", lang, w, e.screen())
			}
			e.key("enter")
			if s := e.screen(); clockLike(s) || !strings.Contains(s, e.m.tx.In(c.OpensAt.Sub(e.now))) {
				t.Errorf("%s %d cols: the detail lacks %q:\n%s", lang, w, e.m.tx.In(c.OpensAt.Sub(e.now)), s)
			}
			e.key("esc", "P")
			if s := e.screen(); clockLike(s) {
				t.Errorf("%s %d cols: the prebookings view shows a clock-like countdown:\n%s", lang, w, s)
			}
		}
	}
	// Near the instant, seconds show, behind "in".
	e := newEnv(t, 160, 48, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.key("p")
	e.now = c.OpensAt.Add(-108 * time.Second)
	e.send(tickMsg(e.now))
	e.requireContains("fires in 1m 48s")
}

// TestQuitSaysWhatHappens: a TUI that fires the prebookings, with no other
// runner on the database, says nothing will fire it while ahtui is closed,
// in the singular for one prebooking.
func TestQuitSaysWhatHappens(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	e.pick(grid.NotOpen)
	e.key("p", "q")
	d := e.requireDialog("Quit ahtui?")
	for _, s := range []string{"Nothing will fire your 1 pending prebooking while ahtui is closed", "keep it open or start `ahtui run`"} {
		if !strings.Contains(d.Body, s) {
			t.Errorf("the quit question lacks %q: %q", s, d.Body)
		}
	}
}

// TestFooterShowsUnderATwoLineToast: a toast that wraps to two lines takes
// the body's last line, not the key help; the screen keeps its height.
func TestFooterShowsUnderATwoLineToast(t *testing.T) {
	e := newEnv(t, 64, 20, i18n.ES)
	e.pick(grid.NotOpen)
	e.key("p")
	if n := len(e.m.toasts.Lines()); n != 2 {
		t.Fatalf("the toast has %d lines; this test wants one of two", n)
	}
	l := e.lines()
	if len(l) != 20 {
		t.Fatalf("the screen has %d lines, want 20", len(l))
	}
	if f := l[len(l)-1]; !strings.HasSuffix(f, "? más • q salir") {
		t.Fatalf("the footer under a two-line toast: %q", f)
	}
	if !strings.Contains(l[len(l)-3], "Prerreservada") {
		t.Fatalf("the toast does not start two lines above the footer:\n%s", e.screen())
	}
}

// TestCountdownCellsCarryUnitsAndTheirState: a class opening in 85 s
// reads "opens 1m 25s" (or its marker and the wait where the words do not
// fit), never "in 1:25", which reads like the wait until the class starts
// or an hour and 25 minutes; the same in Spanish, at every width from 40
// columns, in the week and in the day layout.
func TestCountdownCellsCarryUnitsAndTheirState(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		for _, sz := range [][2]int{{40, 20}, {64, 20}, {80, 24}, {100, 30}, {120, 40}, {160, 48}} {
			for _, layout := range []string{"auto", "v"} {
				e := newEnv(t, sz[0], sz[1], lang)
				if layout == "v" {
					e.key("v")
				}
				c := e.pick(grid.NotOpen)
				e.now = c.OpensAt.Add(-85 * time.Second)
				e.send(tickMsg(e.now))
				checkSize(t, e.screen(), sz[0], sz[1])
				s := e.screen()
				words := []string{
					fmt.Sprintf(tx.OpensIn, tx.In(85*time.Second)), // opens in 1m 25s
					fmt.Sprintf(tx.OpensIn, "1m 25s"),              // opens 1m 25s
					e.m.th.Mark.NotOpen + " 1m 25s",
					e.m.th.Mark.NotOpen + " 2m",
				}
				found := false
				for _, w := range words {
					found = found || strings.Contains(s, w)
				}
				if !found || strings.Contains(s, "1:25") {
					t.Errorf("%s %dx%d %s: no countdown with units and its state:\n%s", lang, sz[0], sz[1], layout, s)
				}
			}
		}
	}
}

// TestFooterRanksByImportance: a narrow footer keeps the class's main
// action, enter and moving before "every week" and the views; empty lists
// offer only what can act (esc, r), never remove or show in week.
func TestFooterRanksByImportance(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		tx := i18n.For(lang)
		h := tx.Help
		for _, sz := range [][2]int{{40, 20}, {50, 30}, {64, 20}, {80, 24}, {100, 30}, {120, 40}, {160, 48}} {
			e := newEnv(t, sz[0], sz[1], lang)
			e.pick(grid.Open)
			f := e.footerLine()
			book := strings.Index(f, "b "+h.Book)
			every := strings.Index(f, "w "+h.EveryWeek)
			if book < 0 || !strings.HasSuffix(f, "? "+h.More+" • q "+h.Quit) {
				t.Errorf("%s %dx%d: footer %q lacks the main action or ? and q", lang, sz[0], sz[1], f)
			}
			if every >= 0 && (!strings.Contains(f, "enter "+h.Detail) || !strings.Contains(f, h.Move)) {
				t.Errorf("%s %dx%d: footer %q keeps every week but drops enter or moving", lang, sz[0], sz[1], f)
			}
			if sz[0] >= 50 && !strings.Contains(f, "enter "+h.Detail) {
				t.Errorf("%s %dx%d: footer %q drops enter", lang, sz[0], sz[1], f)
			}
			checkSize(t, e.screen(), sz[0], sz[1])

			// Empty plans and prebookings: esc and r only.
			for _, view := range []string{"W", "P"} {
				e.key(view)
				f := e.footerLine()
				want := "esc " + h.Back + " • r " + h.Refresh + " • ? " + h.More + " • q " + h.Quit
				if sz[0] < 50 {
					want = "esc " + h.Back // cut at 40 columns, esc first
				}
				if !strings.HasPrefix(f, want) {
					t.Errorf("%s %dx%d %s: empty list footer %q, want %q", lang, sz[0], sz[1], view, f, want)
				}
				for _, no := range []string{"x " + h.Remove, "enter " + h.Open, "s " + h.Skip, "p " + h.Pause} {
					if strings.Contains(f, no) {
						t.Errorf("%s %dx%d %s: the empty list offers %q: %q", lang, sz[0], sz[1], view, no, f)
					}
				}
				e.key("esc")
			}
		}
	}
}

// TestFooterFollowsTheSelectedRow: in the prebookings view remove shows
// for a prebooking still waiting; in the plans view skip shows on a
// day's row only, resume only where something is paused.
func TestFooterFollowsTheSelectedRow(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.pick(grid.NotOpen)
	e.key("p", "P")
	if f := e.footerLine(); !strings.HasPrefix(f, "x remove • enter show in week • esc back") {
		t.Fatalf("footer of a waiting prebooking: %q", f)
	}
	e.key("esc")
	e.pickPlanClass()
	e.makePlan()
	e.key("W", "g")
	if f := e.footerLine(); strings.Contains(f, "s skip") || !strings.HasPrefix(f, "e edit") {
		t.Fatalf("footer on the plan's own row: %q", f)
	}
	// Nothing is paused: nothing to resume.
	if f := e.footerLine(); strings.Contains(f, "u resume") || strings.Contains(f, "U resume all") {
		t.Fatalf("footer offers resume without a pause: %q", f)
	}
	e.key("down")
	if f := e.footerLine(); !strings.HasPrefix(f, "s skip / unskip day • e edit") {
		t.Fatalf("footer on a day's row: %q", f)
	}
}

// TestViewTabsNameTheViews: from 100 columns header line 1 names the
// views with the counts that matter, the shown one led by ▸; below 100,
// or where they would crowd the box and the week, they are left out.
func TestViewTabsNameTheViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ES} {
		names := i18n.For(lang).Help.Tabs
		e := newEnv(t, 160, 48, lang)
		head := func() string { return strings.Split(e.screen(), "\n")[0] }
		if h := head(); !strings.Contains(h, "▸"+names[0]+" · "+names[1]+" · "+names[2]+" · "+names[3]+" · "+names[4]) {
			t.Fatalf("%s: no tabs in %q", lang, h)
		}
		e.pick(grid.NotOpen)
		e.key("p")
		if h := head(); !strings.Contains(h, names[2]+" (1)") {
			t.Errorf("%s: the prebooking is not counted: %q", lang, h)
		}
		for i, k := range []string{"A", "P", "W", "H"} {
			e.key(k)
			if h := head(); !strings.Contains(h, "▸"+names[i+1]) || strings.Count(h, "▸") != 1 {
				t.Errorf("%s %s: the tabs do not mark %s: %q", lang, k, names[i+1], h)
			}
			e.key("esc")
		}
		for _, sz := range [][2]int{{99, 30}, {100, 30}, {120, 40}, {160, 48}} {
			e.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			checkSize(t, e.screen(), sz[0], sz[1])
			h := head()
			has := strings.Contains(h, names[4])
			if sz[0] < 100 && has {
				t.Errorf("%s %d: tabs below 100 columns: %q", lang, sz[0], h)
			}
			if has && !strings.Contains(h, names[4]+"   ") {
				t.Errorf("%s %d: the tabs crowd the week: %q", lang, sz[0], h)
			}
			if sz[0] >= 120 && !has {
				t.Errorf("%s %d: no tabs: %q", lang, sz[0], h)
			}
		}
	}
}
