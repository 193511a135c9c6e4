package tui

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

// lineWith is the screen's line holding every part, in that order.
func (e *env) lineWith(parts ...string) string {
	e.t.Helper()
	for _, l := range strings.Split(e.screen(), "\n") {
		rest, ok := l, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return l
		}
	}
	e.t.Fatalf("no line holds %q:\n%s", parts, e.screen())
	return ""
}

// lineIndex is the index of the first screen line containing s (-1: none);
// a day heading when s starts with a space.
func (e *env) lineIndex(s string) int {
	for i, l := range strings.Split(e.screen(), "\n") {
		if strings.HasPrefix(s, " ") && strings.HasPrefix(l, s) || !strings.HasPrefix(s, " ") && strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

func TestAgendaEmpty(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	a := e.withAgenda(nil)
	e.key("A")
	if e.m.screen != screenAgenda {
		t.Fatalf("A did not open the agenda:\n%s", e.screen())
	}
	e.requireContains("My classes · Thu 26 Nov – Thu 10 Dec")
	e.requireContains("Nothing booked, waitlisted, prebooked or planned until Thu 10 Dec.")
	// An empty list offers nothing to open or cancel.
	if f := e.footerLine(); f != "esc back • r refresh • ? more • q quit" {
		t.Fatalf("footer of the empty list: %q", f)
	}
	// The store's copy first, then AimHarder's, for today + 14 days.
	q := a.Queries()
	if len(q) != 2 || !q[0].Offline || q[1].Offline {
		t.Fatalf("queries %+v, want the stored copy then a fresh read", q)
	}
	if want := (aimharder.Date{Year: 2026, Month: 11, Day: 26}); q[1].From != want || q[1].Until != want.AddDays(14) {
		t.Fatalf("asked %s..%s", q[1].From, q[1].Until)
	}
	// c with nothing: words, no dialog; esc (or A again) goes back.
	e.key("c")
	e.requireToast("Nothing to cancel here.")
	e.key("esc")
	if e.m.screen != screenWeek {
		t.Fatal("esc did not go back to the week")
	}
	e.key("A", "A")
	if e.m.screen != screenWeek {
		t.Fatal("A did not toggle the agenda")
	}
}

func TestAgendaMixedWeek(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	a := e.withAgenda(e.mixedAgenda())
	e.key("A")
	// Grouped by day, in time order, each with its marker and its words.
	today := e.lineIndex(" Thu 26 Nov · today")
	tomorrow := e.lineIndex(" Fri 27 Nov · tomorrow")
	sat := e.lineIndex(" Sat 28 Nov")
	mon := e.lineIndex(" Mon 30 Nov")
	if today < 0 || !(today < tomorrow && tomorrow < sat && sat < mon) {
		t.Fatalf("days out of order (%d %d %d %d):\n%s", today, tomorrow, sat, mon, e.screen())
	}
	// The other box's class in its own zone (11:00 Canary is 12:00 in
	// Madrid, before 17:00); its free cancel ended at 08:00 Canary.
	late := e.lineIndex("late cancel now: the credit is lost")
	e.lineWith("11:00-12:00", "✓", "OPEN GYM", "Atlantic Box", "late cancel now: the credit is lost")
	free := e.lineIndex("free cancel until 15:30")
	e.lineWith("17:00-18:00", "✓", "Sample Gym", "free cancel until 15:30")
	if !(today < late && late < free && free < tomorrow) {
		t.Fatalf("today's classes out of order:\n%s", e.screen())
	}
	e.lineWith("12:00-13:00", "≡", "#2 on the waitlist")
	e.lineWith("17:00-18:00", "✓", "Sample Gym", "booked")
	e.lineWith("⚑", "prebooked · fires ", "· plan #1")
	e.lineWith("07:00 ", "↻", "WOD", "planned · plan #1")

	// At 15:31 the free cancel of 17:00 is over.
	e.now = time.Date(2026, 11, 26, 15, 31, 0, 0, madrid)
	e.send(tickMsg(e.now))
	e.lineWith("17:00-18:00", "✓", "Sample Gym", "late cancel now: the credit is lost")

	// Where AimHarder gives no place, the waitlist's length.
	a.entries[2].WaitlistPosition = 0
	e.key("r")
	e.lineWith("12:00-13:00", "≡", "waitlist · 3 waiting")
}

func TestAgendaSpanish(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.ES)
	e.withAgenda(e.mixedAgenda())
	e.key("A")
	e.requireContains("Mis clases · jue 26 nov – jue 10 dic")
	e.requireContains("jue 26 nov · hoy")
	e.requireContains("vie 27 nov · mañana")
	e.lineWith("17:00-18:00", "✓", "cancelación gratis hasta las 15:30")
	e.lineWith("OPEN GYM", "cancelar ahora pierde el crédito")
	e.lineWith("≡", "nº 2 en la lista de espera")
	e.lineWith("↻", "planificada · plan nº 1")
	e.requireContains("enter ver en la semana • ↑↓ moverse • c cancelar")
}

// TestAgendaNoColor: without colour every entry still reads, from its
// marker and its words.
func TestAgendaNoColor(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	e := newEnvWith(t, 120, 40, Config{Lang: i18n.EN, Renderer: r, NoColor: true})
	e.withAgenda(e.mixedAgenda())
	e.key("A")
	screen := e.screen()
	if regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;|m)`).MatchString(screen) {
		t.Fatalf("NO_COLOR output has colour codes: %q", firstLines(screen, 8))
	}
	plain := stripANSI(screen)
	for _, want := range []string{"✓ OPEN GYM", "≡ ", "⚑ ", "↻ WOD", "▌", "free cancel until 15:30",
		"late cancel now", "#2 on the waitlist", "prebooked", "planned"} {
		if !strings.Contains(plain, want) {
			t.Errorf("NO_COLOR agenda lacks %q", want)
		}
	}
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// TestAgendaEnterShowsTheClass: enter puts the week's cursor on the class,
// in its week, and switches box for another box's class.
func TestAgendaEnterShowsTheClass(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.key("v") // one day at a time beside the detail
	entries := e.mixedAgenda()
	e.withAgenda(entries)
	e.m.grid.Select(testWeek, e.m.grid.Classes(0)[0].ID) // away from the class
	e.key("A", "down", "down", "enter")                  // the waitlisted Friday 12:00
	if e.m.screen != screenWeek {
		t.Fatalf("enter did not show the week:\n%s", e.screen())
	}
	if got := e.selected(); got.ID != entries[2].ClassID {
		t.Fatalf("cursor on %d %s, want the waitlisted class %d", got.ID, got.Name, entries[2].ClassID)
	}
	// The waitlisted row says +3 and the member's place (at this width
	// the grid shows one day at a time, a class per line).
	e.requireContains("≡ TEAM WOD")
	e.requireContains("20/20 +3 #2")

	// Next week's planned class: the grid moves to its week.
	e.key("A", "G", "enter")
	if e.m.grid.Week() != testWeek.AddDays(7) {
		t.Fatalf("the grid shows %s, want the week of 30 Nov", e.m.grid.Week())
	}

	// Another box's class: the box changes, its week shows.
	e.key("A", "g", "enter")
	if e.m.box.ID != otherBox.ID || e.store.current != otherBox.ID {
		t.Fatalf("box %d (stored %d), want the other box", e.m.box.ID, e.store.current)
	}
	if e.m.screen != screenWeek || e.m.grid.Week() != testWeek {
		t.Fatalf("screen %d week %s", e.m.screen, e.m.grid.Week())
	}
}

// TestAgendaCancel: c cancels with the week's questions, the late cancel
// included, and the agenda is read again.
func TestAgendaCancel(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	entries := e.mixedAgenda()
	a := e.withAgenda(entries)
	e.key("A", "down") // today's 17:00
	before := len(a.Queries())
	e.key("c")
	e.requireDialog("Cancel booking")
	e.key("y")
	e.requireCalls("cancel " + itoa(entries[0].ClassID) + " 2026-11-26 late=false")
	e.requireToast("Cancelled")
	if len(a.Queries()) <= before {
		t.Fatal("the agenda was not read again after the cancel")
	}
	if e.m.screen != screenAgenda {
		t.Fatal("the agenda closed")
	}

	// A late cancel asks first, as in the week.
	e.acct.cancel = func(_ int64, _ aimharder.Date, late bool) (account.CancelOutcome, error) {
		if !late {
			return account.CancelOutcome{}, account.ErrLateCancelNeedsConsent
		}
		return account.CancelOutcome{Late: true}, nil
	}
	e.key("c", "y")
	e.requireDialog("Late cancel")
	e.key("y")
	id := itoa(entries[0].ClassID)
	e.requireCalls("cancel "+id+" 2026-11-26 late=false", "cancel "+id+" 2026-11-26 late=false", "cancel "+id+" 2026-11-26 late=true")

	// Another box's class: say where to cancel it.
	e.key("g", "c")
	e.requireToast("That class is at Atlantic Box: press enter to show it, then c.")
	// A planned day: the plans skip it.
	e.key("G", "c")
	e.requireToast("skipped from the plans (W)")
	// A prebooking: removed with the prebookings' question.
	e.key("up", "c")
	e.requireDialog("Remove prebooking")
}

func TestAgendaUnavailableAndFailed(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.key("A")
	e.requireContains("This ahtui cannot list your classes yet.")
	e.key("esc")

	// AimHarder fails: the stored copy stays, marked offline, and a toast
	// says why.
	f := newEnv(t, 80, 24, i18n.EN)
	entries := f.mixedAgenda()
	a := f.withAgenda(entries)
	a.stored, a.err = entries[:1], errBoom
	f.key("A")
	f.requireContains("offline")
	f.lineWith("17:00-18:00", "free cancel until 15:30")
	f.requireToast("Could not read your classes")
}

// TestGridWaitlistCell: a class the member waits for shows the waitlist
// with the member on it (+1 at least) and their place once known, within
// the cell's width.
func TestGridWaitlistCell(t *testing.T) {
	for _, tc := range []struct {
		w, h      int
		before    string
		afterWant string
	}{
		{80, 24, "20/20 +1", "+1 #4"},
		{160, 48, "20/20 +1", "20/20 +1 #4"},
		{240, 60, "20/20 +1 waitlist", "20/20 +1 #4 waitlist"},
	} {
		e := newEnv(t, tc.w, tc.h, i18n.EN)
		c := e.classAt(4, "12:00")
		e.acct.setClass(c.ID, c.Date, func(c *account.ClassView) {
			c.Class.State, c.ReservationID, c.State = aimharder.StateWaitlisted, 300001, account.StateWaitlisted
			c.Occupancy, c.Waitlist = c.Capacity, 0
		})
		e.key("r")
		e.m.grid.Select(c.Date, c.ID) // scrolled into view
		if !strings.Contains(e.screen(), tc.before) {
			t.Fatalf("%dx%d: the waitlisted cell lacks %q:\n%s", tc.w, tc.h, tc.before, e.screen())
		}
		c = e.classAt(4, "12:00")
		entry := entryOf(c, testBox, account.AgendaWaitlisted)
		entry.WaitlistPosition = 4
		e.withAgenda([]account.AgendaEntry{entry})
		e.key("A", "esc")
		if !strings.Contains(e.screen(), tc.afterWant) {
			t.Fatalf("%dx%d: the waitlisted cell lacks %q:\n%s", tc.w, tc.h, tc.afterWant, e.screen())
		}
		for _, l := range splitLines(e.screen()) {
			if lipgloss.Width(l) > tc.w {
				t.Fatalf("%dx%d: a line is %d wide", tc.w, tc.h, lipgloss.Width(l))
			}
		}
	}
}

// TestAgendaGoldens: the agenda at 80×24 and 120×40, in both languages.
func TestAgendaGoldens(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		lang i18n.Lang
	}{
		{"agenda_80x24_en", 80, 24, i18n.EN},
		{"agenda_80x24_es", 80, 24, i18n.ES},
		{"agenda_120x40_en", 120, 40, i18n.EN},
		{"agenda_120x40_es", 120, 40, i18n.ES},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.w, tc.h, tc.lang)
			e.withAgenda(e.mixedAgenda())
			e.key("A", "down")
			golden.RequireEqual(t, []byte(e.screen()))
		})
	}
	t.Run("agenda_empty_80x24_es", func(t *testing.T) {
		e := newEnv(t, 80, 24, i18n.ES)
		e.withAgenda(nil)
		e.key("A")
		golden.RequireEqual(t, []byte(e.screen()))
	})
}

// TestAgendaTextsAreComplete: both languages fill every agenda entry with
// the same fmt verbs.
func TestAgendaTextsAreComplete(t *testing.T) {
	en, es := *i18n.For(i18n.EN).Agenda(), *i18n.For(i18n.ES).Agenda()
	verbs := regexp.MustCompile(`%[-+# 0]*\d*[a-zA-Z]`)
	ev, sv := reflectStrings(en), reflectStrings(es)
	for name, a := range ev {
		b := sv[name]
		if a == "" || b == "" {
			t.Errorf("%s is empty in a language", name)
		}
		if va, vb := verbs.FindAllString(a, -1), verbs.FindAllString(b, -1); strings.Join(va, ",") != strings.Join(vb, ",") {
			t.Errorf("%s: verbs %v in English, %v in Spanish", name, va, vb)
		}
	}
}

// TestAgendaFollowsBackgroundNews: news while the agenda shows reads the
// store's copy again (AimHarder is not asked); what the service says now
// shows, the cursor staying on its class.
func TestAgendaFollowsBackgroundNews(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	entries := e.mixedAgenda()
	a := e.withAgenda(entries)
	e.key("A", "down", "down") // the waitlisted Friday 12:00
	n := len(a.Queries())
	// The waitlist place came: the class is booked now.
	booked := entries[2]
	booked.State, booked.WaitlistPosition = account.AgendaBooked, 0
	a.set(append(append(entries[:2:2], booked), entries[3:]...))
	e.send(EventMsg(Event{Kind: EventChanged}))
	e.fire(func(msg tea.Msg) bool { _, ok := msg.(reloadMsg); return ok })
	q := a.Queries()
	if len(q) != n+1 || !q[n].Offline {
		t.Fatalf("queries after the news: %+v", q[n:])
	}
	line := e.lineWith("12:00-13:00", "✓", "TEAM WOD", "booked")
	if !strings.HasPrefix(line, "▌") {
		t.Fatalf("the cursor left the class: %q", line)
	}
}

// TestAgendaFamilyPlaces: a place held for the family member says so, and
// c does not cancel it while the account holder is the one chosen.
func TestAgendaFamilyPlaces(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	entries := e.mixedAgenda()
	entries[0].FamilyID = "4321"
	e.withAgenda(entries)
	e.key("A", "down")
	e.lineWith("17:00-18:00", "free cancel until 15:30 · for 4321")
	e.key("c")
	if e.m.dialog.IsOpen() {
		t.Fatal("c offered to cancel another person's place")
	}
	e.requireToast("That place is not for the person chosen now")
	e.requireCalls()
}

// TestAgendaEnterOnAPlannedClass: a planned class not matched to a class
// list yet is found in the week by its time and name.
func TestAgendaEnterOnAPlannedClass(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	fri := e.classAt(4, "07:00")
	e.withAgenda([]account.AgendaEntry{{Day: fri.Date, Start: fri.Start, Name: strings.ToLower(fri.Name),
		Box: testBox, State: account.AgendaPlanned, PlanID: 3}})
	last := e.m.grid.Classes(0)[len(e.m.grid.Classes(0))-1]
	e.m.grid.Select(last.Date, last.ID) // the cursor aims at the evening
	e.key("A")
	e.lineWith("07:00 ", "↻", "planned · plan #3")
	e.key("enter")
	if got := e.selected(); got.ID != fri.ID {
		t.Fatalf("cursor on %s %s, want Friday's 07:00 %s", got.Date, got.Start.Format("15:04"), fri.Name)
	}
}

// TestAgendaNotices: what the service could not read shows under the
// title, in its words.
func TestAgendaNotices(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	a := e.withAgenda(e.mixedAgenda())
	a.notices = []string{"Atlantic Box: AimHarder could not be read just now; its bookings are the ones last seen"}
	e.key("A")
	lines := splitLines(e.screen())
	if !strings.HasPrefix(lines[3], " ! Atlantic Box: AimHarder could not be read just now") {
		t.Fatalf("the notice is not under the title:\n%s", e.screen())
	}
	for _, l := range lines {
		if lipgloss.Width(l) > 80 {
			t.Fatalf("a line is %d wide: %q", lipgloss.Width(l), l)
		}
	}
}
