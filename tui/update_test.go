package tui

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// state is how the grid shows a class now.
func (e *env) state(c account.ClassView) grid.State {
	e.t.Helper()
	d := int(c.Date.In(time.UTC).Sub(testWeek.In(time.UTC)).Hours() / 24)
	for _, cc := range e.m.grid.Classes(d) {
		if cc.ID == c.ID {
			var p *session.Prebooking
			if pb, ok := e.m.grid.Prebooking(cc.ID, cc.Date); ok {
				p = &pb
			}
			return grid.StateOf(cc, p, e.now)
		}
	}
	e.t.Fatalf("class %d is not in the grid", c.ID)
	return grid.Open
}

func (e *env) pick(st grid.State) account.ClassView {
	e.t.Helper()
	return e.selectClass(func(c account.ClassView) bool {
		return grid.StateOf(c, nil, e.now) == st && c.Start.After(e.now)
	})
}

func (e *env) lastToast() string {
	ts := e.m.toasts.Toasts()
	if len(ts) == 0 {
		return ""
	}
	return ts[len(ts)-1].Text
}

func (e *env) requireToast(sub string) {
	e.t.Helper()
	if got := e.lastToast(); !strings.Contains(got, sub) {
		e.t.Fatalf("last toast %q does not contain %q", got, sub)
	}
}

func (e *env) requireDialog(title string) dialog.Confirm {
	e.t.Helper()
	if !e.m.dialog.IsOpen() {
		e.t.Fatalf("no dialog open; want %q", title)
	}
	c := e.m.dialog.Current()
	if c.Title != title {
		e.t.Fatalf("dialog %q, want %q", c.Title, title)
	}
	return c
}

func (e *env) requireCalls(want ...string) {
	e.t.Helper()
	var got []string
	for _, c := range e.acct.Calls() {
		if !strings.HasPrefix(c, "week ") && !strings.HasPrefix(c, "day ") {
			got = append(got, c)
		}
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("actions sent %q, want %q", got, want)
	}
}

var en = i18n.For(i18n.EN)

func TestStartsOnTodaysNextClass(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	c := e.selected()
	if c.Date != aimharder.DateOf(testNow) || c.Start.Format("15:04") != "10:00" {
		t.Fatalf("cursor on %s %s, want today's 10:00", c.Date, c.Start.Format("15:04"))
	}
	if e.m.screen != screenWeek {
		t.Fatalf("screen %d, want the week", e.m.screen)
	}
}

func TestNavigation(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	at := func(day int, hhmm string) {
		t.Helper()
		c := e.selected()
		if c.Date != testWeek.AddDays(day) || c.Start.Format("15:04") != hhmm {
			t.Fatalf("cursor on %s %s, want %s %s", c.Date, c.Start.Format("15:04"), testWeek.AddDays(day), hhmm)
		}
	}
	at(3, "10:00")
	e.key("j")
	at(3, "11:00")
	e.key("down", "down")
	at(3, "13:00")
	e.key("l")
	at(4, "13:00")
	e.key("right")
	at(5, "13:00") // Saturday has a 13:00 too
	e.key("k", "k")
	at(5, "12:00") // two classes start at 12:00 on Saturday: the second, then the first
	e.key("h", "left", "h")
	at(2, "12:00")
	e.key("g")
	at(2, "07:00")
	e.key("G")
	at(2, "21:00")
	e.key("up")
	at(2, "20:00")
	// The edges stop the cursor.
	e.key("h", "h", "h", "h")
	at(0, "20:00")
	e.key("G", "j")
	at(0, "21:00")
}

func TestAcrossDaysKeepsTheTime(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.key("l", "l") // Saturday: nothing at 10:00 besides two classes; the nearest
	c := e.selected()
	if c.Start.Format("15:04") != "10:00" {
		t.Fatalf("cursor at %s, want 10:00", c.Start.Format("15:04"))
	}
	e.key("G") // Saturday's last: 19:00
	e.key("h")
	if c := e.selected(); c.Start.Format("15:04") != "19:00" || c.Date != testWeek.AddDays(4) {
		t.Fatalf("cursor at %s %s, want Friday 19:00", c.Date, c.Start.Format("15:04"))
	}
}

func TestWeekChangeAndToday(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.key("]")
	if got := e.m.grid.Week(); got != testWeek.AddDays(7) {
		t.Fatalf("week %s, want %s", got, testWeek.AddDays(7))
	}
	e.requireContains("30 Nov – 6 Dec 2026")
	e.requireContains("no classes") // the day layout: one day at a time
	e.key("[", "[")
	if got := e.m.grid.Week(); got != testWeek.AddDays(-7) {
		t.Fatalf("week %s, want %s", got, testWeek.AddDays(-7))
	}
	e.key("t")
	if got := e.m.grid.Week(); got != testWeek {
		t.Fatalf("t went to %s, want %s", got, testWeek)
	}
	if c := e.selected(); c.Date != aimharder.DateOf(testNow) || c.Start.Format("15:04") != "10:00" {
		t.Fatalf("t put the cursor on %s %s", c.Date, c.Start.Format("15:04"))
	}
	var weeks []string
	for _, c := range e.acct.Calls() {
		if strings.HasPrefix(c, "week ") {
			weeks = append(weeks, c)
		}
	}
	want := []string{"week 2026-11-23", "week 2026-11-30", "week 2026-11-23", "week 2026-11-16", "week 2026-11-23"}
	if !slices.Equal(weeks, want) {
		t.Fatalf("week loads %q, want %q", weeks, want)
	}
}

// TestNextOpening: o puts the cursor on the class whose booking opens
// soonest (the box's rule is 2 days: Saturday's 10:00 opens at 10:00
// today); pressed while the week is still loading, as just after launch,
// it waits for the classes instead of taking the empty days for a week
// with nothing left to open.
func TestNextOpening(t *testing.T) {
	wantSoonest := func(e *env) {
		t.Helper()
		c := e.selected()
		if e.m.grid.Week() != testWeek || c.Date != testWeek.AddDays(5) || c.Start.Format("15:04") != "10:00" {
			t.Fatalf("o went to %s %s (week %s), want Sat 28 Nov 10:00", c.Date, c.Start.Format("15:04"), e.m.grid.Week())
		}
	}
	e := newEnv(t, 160, 48, i18n.EN)
	e.key("o")
	wantSoonest(e)

	e = newEnv(t, 160, 48, i18n.EN)
	e.key("]")
	next, cmd := e.m.Update(keyMsg("["))
	e.m = next.(Model)
	loading := collect(cmd) // this week's answer, held back
	e.key("o")
	for _, msg := range loading {
		e.send(msg)
	}
	wantSoonest(e)
}

func TestDetailCompactOverlayAndWidePane(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.pick(grid.Full)
	if strings.Contains(e.screen(), "Attendees") {
		t.Fatal("compact layout shows the detail before enter")
	}
	e.key("enter")
	e.requireContains("Attendees (20)")
	e.requireContains("↓ ")
	before := e.screen()
	e.key("j", "j")
	if e.screen() == before {
		t.Fatal("j did not scroll the detail")
	}
	e.key("esc")
	if strings.Contains(e.screen(), "Attendees") {
		t.Fatal("esc did not close the detail")
	}

	w := newEnv(t, 160, 48, i18n.EN)
	w.pick(grid.Full)
	w.requireContains("Attendees (20)")
	w.key("enter")
	if !w.m.detailFocus {
		t.Fatal("enter did not focus the detail pane")
	}
	c := w.selected()
	w.key("j") // scrolls the pane, not the grid
	if w.selected().ID != c.ID {
		t.Fatal("j moved the grid while the detail had the keyboard")
	}
	w.key("esc", "j")
	if w.selected().ID == c.ID {
		t.Fatal("after esc, j should move the grid again")
	}
}

func TestDetailSaysWhenAttendeesAreNotShared(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	for d, day := range testDays(testWeek, testNow, false) {
		_ = d
		e.acct.days[day.Date] = day
	}
	e.key("r")
	e.requireContains(en.AttendeesHidden)
}

func TestBookOpenClass(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Open)
	e.key("b")
	e.requireCalls("book " + itoa(c.ID) + " " + c.Date.String() + " waitlist=false")
	e.requireToast("Booked " + c.Name)
	if st := e.state(c); st != grid.Booked {
		t.Fatalf("class shows %s after booking, want booked", st)
	}
	// Booking it again says so instead of asking AimHarder.
	e.key("b")
	e.requireToast(en.AlreadyYours)
	if got := len(e.store.history); got != 1 || e.store.history[0].Kind != EventBook {
		t.Fatalf("history has %d events, want the booking", got)
	}
}

func TestBookFullAsksForTheWaitlist(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Full)
	e.key("b")
	if d := e.requireDialog(en.ConfirmWaitlist); !strings.Contains(d.Body, "Join the waitlist?") {
		t.Fatalf("dialog %q", d.Body)
	}
	e.requireContains("Join the")
	e.key("n")
	if e.m.dialog.IsOpen() {
		t.Fatal("n did not close the dialog")
	}
	e.requireCalls()
	e.key("b", "y")
	e.requireCalls("book " + itoa(c.ID) + " " + c.Date.String() + " waitlist=true")
}

func TestBookRefusedFullAsksForTheWaitlist(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Open)
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		return account.BookOutcome{}, &aimharder.BookingError{Code: -1}
	}
	e.key("b")
	e.requireDialog(en.ConfirmWaitlist)
	e.acct.book = nil
	e.key("enter")
	e.requireCalls("book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false", "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=true")
}

func TestBookNotOpenOffersPrebooking(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.key("b")
	d := e.requireDialog(en.ConfirmPrebook)
	if !strings.Contains(d.Body, en.DateTime(c.OpensAt)) {
		t.Fatalf("dialog %q does not say when booking opens (%s)", d.Body, en.DateTime(c.OpensAt))
	}
	e.key("y")
	e.requireCalls() // nothing sent to AimHarder: the window is known
	if len(e.store.prebookings) != 1 {
		t.Fatalf("%d prebookings stored, want 1", len(e.store.prebookings))
	}
	p := e.store.prebookings[0]
	if p.ClassID != c.ID || p.Day != c.Date || !p.OpensAt.Equal(c.OpensAt) || p.BoxID != testBox.ID || p.AllowWaitlist {
		t.Fatalf("stored %+v", p)
	}
	if st := e.state(c); st != grid.Prebooked {
		t.Fatalf("class shows %s, want prebooked", st)
	}
	e.requireContains("⚑")
	e.requireToast("Prebooked " + c.Name)
}

func TestTooEarlyOffersPrebookingAtOnce(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Open)
	opens := c.Start.Add(-24 * time.Hour)
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		return account.BookOutcome{}, &account.TooEarlyError{Class: c, OpensAt: opens, Message: "No puedes reservar clases con más de 1 días de antelación"}
	}
	e.key("b")
	e.requireDialog(en.ConfirmPrebook)
	e.key("y")
	if len(e.store.prebookings) != 1 || !e.store.prebookings[0].OpensAt.Equal(opens) {
		t.Fatalf("prebookings %+v, want one opening %s", e.store.prebookings, opens)
	}
	// The refusal is in the history with the server's words.
	h := e.store.history[0]
	if h.Kind != EventBook || !strings.Contains(h.Message, "antelación") {
		t.Fatalf("history %+v", h)
	}
}

func TestPrebookUnknownWindowLearnsItFirst(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Open)
	e.acct.setClass(c.ID, c.Date, func(cv *account.ClassView) { cv.OpensAt = time.Time{} })
	// The window is unknown: the box has no rule (the screen sees it on
	// its next tick).
	e.store.setBox(testBox.ID, func(b *session.Box) { b.LearnedWindow = "" })
	e.send(tickMsg(e.now))
	e.key("r")
	opens := c.Start.Add(-time.Hour)
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		return account.BookOutcome{}, &account.TooEarlyError{Class: c, OpensAt: opens}
	}
	e.key("p")
	e.requireCalls("book " + itoa(c.ID) + " " + c.Date.String() + " waitlist=false")
	if len(e.store.prebookings) != 1 || !e.store.prebookings[0].OpensAt.Equal(opens) {
		t.Fatalf("prebookings %+v, want one opening %s", e.store.prebookings, opens)
	}

	// When the window was open after all, the attempt booked it.
	e.acct.book = nil
	c2 := e.selectClass(func(cv account.ClassView) bool {
		return cv.ID != c.ID && grid.StateOf(cv, nil, e.now) == grid.Open && cv.Start.After(e.now)
	})
	e.acct.setClass(c2.ID, c2.Date, func(cv *account.ClassView) { cv.OpensAt = time.Time{} })
	e.key("r")
	e.m.grid.Select(c2.Date, c2.ID)
	e.key("p")
	e.requireToast("was open")
	if len(e.store.prebookings) != 1 {
		t.Fatal("a class booked at once must not be prebooked")
	}
}

func TestPrebookToggle(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.key("p")
	if st := e.state(c); st != grid.Prebooked {
		t.Fatalf("p: class shows %s, want prebooked", st)
	}
	e.key("p")
	e.requireDialog(en.ConfirmUnprebook)
	e.key("y")
	if e.store.prebookings[0].Status != session.PrebookCancelled {
		t.Fatalf("prebooking %s, want cancelled", e.store.prebookings[0].Status)
	}
	if st := e.state(c); st != grid.NotOpen {
		t.Fatalf("class shows %s after removing its prebooking, want not open", st)
	}
	e.requireToast("Removed the prebooking")
	// c on a prebooked class also offers removing it.
	e.key("p", "c")
	e.requireDialog(en.ConfirmUnprebook)
}

func TestCancelAsksFirst(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Booked)
	e.key("c")
	e.requireDialog(en.ConfirmCancel)
	e.key("esc")
	e.requireCalls()
	e.key("c", "enter")
	e.requireCalls("cancel " + itoa(c.ID) + " " + c.Date.String() + " late=false")
	e.requireToast("Cancelled " + c.Name)
	if st := e.state(c); st == grid.Booked {
		t.Fatal("class still shows booked after the cancel")
	}
	// Nothing to cancel now.
	e.key("c")
	e.requireToast(en.NothingToCancel)
}

func TestLateCancelSaysTheCreditIsLost(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Booked)
	e.acct.cancel = func(id int64, date aimharder.Date, late bool) (account.CancelOutcome, error) {
		if !late {
			return account.CancelOutcome{}, account.ErrLateCancelNeedsConsent
		}
		return account.CancelOutcome{Late: true}, nil
	}
	e.key("c", "y")
	d := e.requireDialog(en.ConfirmLate)
	if !d.Danger || !strings.Contains(d.Body, "LOSES the class credit") {
		t.Fatalf("late-cancel dialog %+v", d)
	}
	e.requireContains("LOSES")
	e.key("enter") // not enough for a dangerous question
	e.requireDialog(en.ConfirmLate)
	e.key("y")
	e.requireCalls("cancel "+itoa(c.ID)+" "+c.Date.String()+" late=false", "cancel "+itoa(c.ID)+" "+c.Date.String()+" late=true")
	e.requireToast("credit lost")
}

func TestActionErrorsInTheMembersWords(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.ES)
	e.pick(grid.Open)
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		return account.BookOutcome{}, &aimharder.BookingError{Code: -8, Max: 2}
	}
	e.key("b")
	e.requireToast("límite diario de reservas de tu box (2 al día)")
	e.acct.book = func(int64, aimharder.Date, bool) (account.BookOutcome, error) {
		return account.BookOutcome{}, &aimharder.BookingError{Code: -2, Message: "No tienes ninguna tarifa contratada que incluya esta clase"}
	}
	e.key("b")
	e.requireToast(`AimHarder dice: "No tienes ninguna tarifa contratada que incluya esta clase"`)
}

func TestPastClassIsNotBooked(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.selectClass(func(c account.ClassView) bool { return c.Start.Before(testNow) && c.State == account.StatePast })
	e.key("b")
	e.requireToast(en.ClassPast)
	e.requireCalls()
}

// fakeEngine is a firing engine that leads.
type fakeEngine struct{ leading bool }

func (f fakeEngine) Leading() bool { return f.leading }
func (f fakeEngine) ClockOffset() (time.Duration, time.Duration, bool) {
	return 350 * time.Millisecond, 20 * time.Millisecond, true
}

func TestQuitAsksWhenPrebookingsWouldStop(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.key("q")
	if !e.m.quitting {
		t.Fatal("q without an engine should quit at once")
	}

	e = newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	e.key("q")
	if !e.m.quitting {
		t.Fatal("q with nothing pending should quit at once")
	}

	e = newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	e.pick(grid.NotOpen)
	e.key("p", "q")
	d := e.requireDialog(en.ConfirmQuit)
	if !strings.Contains(d.Body, "Nothing will fire your 1 pending prebooking") {
		t.Fatalf("quit dialog %q", d.Body)
	}
	e.key("n")
	if e.m.quitting {
		t.Fatal("n quit anyway")
	}
	e.key("q", "y")
	if !e.m.quitting {
		t.Fatal("y did not quit")
	}

	// ctrl+c asks too, and a second ctrl+c quits.
	e = newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	e.pick(grid.NotOpen)
	e.key("p", "ctrl+c")
	e.requireDialog(en.ConfirmQuit)
	e.key("ctrl+c")
	if !e.m.quitting {
		t.Fatal("a second ctrl+c did not quit")
	}

	// Another process fires: quitting here stops nothing.
	e = newEnv(t, 80, 24, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: false}
	e.pick(grid.NotOpen)
	e.key("p", "q")
	if !e.m.quitting {
		t.Fatal("q should quit when another process fires the prebookings")
	}
}

func TestEventReloadsTheAffectedDay(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.key("p")
	id := e.store.prebookings[0].ID

	// The scheduler fires it: the store has the outcome, AimHarder the booking.
	p := e.store.finish(id, session.PrebookBooked, "")
	e.acct.setClass(c.ID, c.Date, func(cv *account.ClassView) {
		cv.Class.State, cv.ReservationID, cv.State = aimharder.StateBooked, 1234, account.StateBooked
	})
	before := len(e.acct.Calls())
	e.timers = nil
	for range 3 { // a burst of events makes one reload
		e.send(EventMsg{Kind: EventPrebookingFinished, BoxID: p.BoxID, Day: p.Day, PrebookingID: id,
			Status: session.PrebookBooked, Class: p.ClassName, ClassStart: p.ClassStart})
	}
	reloads := 0
	for _, tm := range e.timers {
		if _, ok := tm.msg.(reloadMsg); ok {
			reloads++
		}
	}
	if reloads != 1 {
		t.Fatalf("%d reload timers for a burst, want 1", reloads)
	}
	e.requireToast("Prebooking fired: " + c.Name)
	e.fire(func(msg tea.Msg) bool { _, ok := msg.(reloadMsg); return ok })
	calls := e.acct.Calls()[before:]
	if !slices.Equal(calls, []string{"day " + c.Date.String()}) {
		t.Fatalf("reload sent %q, want one day", calls)
	}
	if st := e.state(c); st != grid.Booked {
		t.Fatalf("class shows %s after the fire, want booked", st)
	}
}

func TestEventForAnotherBoxReloadsOnlyTheStore(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	before := len(e.acct.Calls())
	e.send(EventMsg{Kind: EventChanged, BoxID: otherBox.ID, Day: testWeek})
	e.fire(func(msg tea.Msg) bool { _, ok := msg.(reloadMsg); return ok })
	if calls := e.acct.Calls()[before:]; len(calls) != 0 {
		t.Fatalf("an event of another box fetched %q", calls)
	}
}

func TestStaleWeekReplyIsDropped(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	// ] starts loading next week; before it answers, [ comes back.
	next, cmd := e.m.Update(keyMsg("]"))
	e.m = next.(Model)
	nextWeek := collect(cmd)
	e.key("[")
	want := e.m.grid.View()
	// Next week's answer arrives late, with data that would show.
	nextDays := testDays(testWeek.AddDays(7), testNow, true)
	for _, msg := range nextWeek {
		if wm, ok := msg.(weekMsg); ok {
			wm.days = nextDays
			e.send(wm)
		}
	}
	if e.m.grid.Week() != testWeek {
		t.Fatalf("a stale reply moved the grid to %s", e.m.grid.Week())
	}
	if got := e.m.grid.View(); got != want {
		t.Fatalf("a stale reply changed the grid:\n%s", got)
	}
}

func TestStaleDayReplyIsDropped(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.Open)
	// Two reloads of the same day; the first answers last, with older data.
	first := collect(e.m.loadDay(c.Date))
	e.acct.setClass(c.ID, c.Date, func(cv *account.ClassView) { cv.Occupancy = 19 })
	second := collect(e.m.loadDay(c.Date))
	for _, msg := range second {
		e.send(msg)
	}
	for _, msg := range first {
		dm := msg.(dayMsg)
		for i := range dm.day.Classes {
			dm.day.Classes[i].Occupancy = 1
		}
		e.send(dm)
	}
	if got := e.selected().Occupancy; got != 19 {
		t.Fatalf("occupancy %d: the older reply won", got)
	}
}

func TestCachedWeekShowsFirstAndNeverOverridesFresh(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	stale := testDays(testWeek, testNow, true)
	for i := range stale {
		stale[i].Cached = true
		for j := range stale[i].Classes {
			stale[i].Classes[j].Occupancy = 3
		}
		e.acct.cached[stale[i].Date] = stale[i]
	}
	// Load the week: the cache answers first, then AimHarder.
	e.key("]", "[")
	if got := e.selected().Occupancy; got == 3 {
		t.Fatal("the store's copy replaced AimHarder's answer")
	}
	// A cached reply arriving after the fresh one is ignored.
	e.send(weekMsg{seq: e.m.seq, boxID: testBox.ID, from: testWeek, cached: true, days: stale})
	if got := e.selected().Occupancy; got == 3 {
		t.Fatal("a late cached reply replaced fresh data")
	}

	// While AimHarder does not answer, the copy shows.
	e.acct.weekErr = errBoom
	e.key("]", "[")
	if got := e.selected().Occupancy; got != 3 {
		t.Fatalf("occupancy %d, want the store's copy", got)
	}
	e.requireToast("boom")
	e.requireContains(en.Offline)
}

func TestExpiredSessionShowsTheLoginForm(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.acct.weekErr = account.ErrSessionExpired
	e.key("r")
	if e.m.screen != screenLogin {
		t.Fatalf("screen %d, want the login form", e.m.screen)
	}
	e.requireContains(en.ErrExpired)
	e.requireContains("ana@example.com")
	// Logging in again brings the week back.
	e.acct.weekErr = nil
	e.key("p", "w", "enter")
	if e.m.screen != screenWeek {
		t.Fatalf("screen %d after logging in, want the week", e.m.screen)
	}
}

func TestLoginForm(t *testing.T) {
	e := &env{t: t, now: testNow}
	e.acct = newFakeAccount(testDays(testWeek, testNow, true))
	e.store = newFakeStore(func() time.Time { return e.now })
	e.store.sessions = map[session.Kind]session.Health{}
	e.store.account = session.Account{}
	e.m = newTestModel(Config{Account: e.acct, Store: e.store, Now: func() time.Time { return e.now }, Renderer: asciiRenderer()})
	e.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	e.run(e.m.Init())
	if e.m.screen != screenLogin {
		t.Fatalf("screen %d, want the login form", e.m.screen)
	}
	for _, r := range "ana@example.com" {
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	e.key("enter") // to the password
	for _, r := range "s3cret q" {
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if strings.Contains(e.screen(), "s3cret") {
		t.Fatal("the password shows")
	}
	e.requireContains("••••••••")
	e.acct.login = func(email, password string) (account.LoginResult, error) {
		if password != "s3cret q" {
			t.Fatalf("password %q", password)
		}
		return account.LoginResult{}, &aimharder.LoginError{Cause: aimharder.ErrBadCredentials}
	}
	e.key("enter")
	e.requireContains(en.ErrBadLogin)
	if strings.Contains(e.screen(), "••") {
		t.Fatal("the password field kept the password after submitting")
	}
	e.acct.login = func(email, _ string) (account.LoginResult, error) {
		e.store.sessions = newFakeStore(e.store.now).sessions // the service stores both sessions
		return account.LoginResult{Account: session.Account{Email: email}, Boxes: []session.Box{testBox}, Current: testBox, HasCurrent: true}, nil
	}
	e.key("x", "enter")
	if e.m.screen != screenWeek || e.m.box.ID != testBox.ID {
		t.Fatalf("after login: screen %d box %d", e.m.screen, e.m.box.ID)
	}
	if got := e.acct.Calls(); got[0] != "login ana@example.com" || got[1] != "login ana@example.com" {
		t.Fatalf("calls %q", got)
	}
}

func TestBoxPickerAndFamily(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.key("B")
	if e.m.screen != screenBoxes {
		t.Fatalf("screen %d, want boxes", e.m.screen)
	}
	e.requireContains("Atlantic Box")
	e.key("j", "enter")
	if e.store.current != otherBox.ID || e.m.box.ID != otherBox.ID || e.m.screen != screenWeek {
		t.Fatalf("current %d, shown %d, screen %d", e.store.current, e.m.box.ID, e.m.screen)
	}
	if e.m.loc.String() != "Atlantic/Canary" {
		t.Fatalf("location %s, want the box's", e.m.loc)
	}
	e.requireContains("Atlantic Box")

	e.key("B", "f")
	for _, r := range "4243" {
		e.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	e.key("enter")
	if e.store.family != "4243" || e.m.family != "4243" {
		t.Fatalf("family %q / %q", e.store.family, e.m.family)
	}
	e.key("esc")
	e.requireContains("for 4243")
}

func TestPrebookingsView(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.key("p")
	e.key("P")
	if e.m.screen != screenPrebookings {
		t.Fatalf("screen %d, want prebookings", e.m.screen)
	}
	e.requireContains(c.Name)
	e.requireContains("pending")
	// enter shows the class in the week.
	e.key("t", "P", "enter")
	if e.m.screen != screenWeek || e.selected().ID != c.ID {
		t.Fatalf("enter: screen %d, class %d, want %d", e.m.screen, e.selected().ID, c.ID)
	}
	e.key("P", "x", "y")
	if e.store.prebookings[0].Status != session.PrebookCancelled {
		t.Fatal("x, y did not remove the prebooking")
	}
	e.key("esc")
	if e.m.screen != screenWeek {
		t.Fatal("esc did not go back to the week")
	}
}

func TestHistoryShowsOutcomesWithTiming(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.pick(grid.NotOpen)
	e.key("p")
	p := e.store.finish(e.store.prebookings[0].ID, session.PrebookFailed, "La clase está completa")
	e.key("H")
	e.requireContains("prebooking fired")
	e.requireContains(`"La clase está completa"`)
	e.requireContains("(+0.040s)")
	e.requireContains("2 attempts")
	_ = p
}

func TestTooSmall(t *testing.T) {
	e := newEnv(t, 39, 19, i18n.EN)
	e.requireContains("ahtui needs at least 40×20")
	e.requireContains("(now 39×19). Make the window")
	e.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	e.requireContains("Thu 26")
}

func TestHeaderShowsHealthClockAndNextPrebooking(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	e.m.cfg.Engine = fakeEngine{leading: true}
	c := e.pick(grid.NotOpen)
	e.key("p")
	e.requireContains("⚑ " + c.Name)
	e.requireContains("fires in " + i18n.Countdown(c.OpensAt.Sub(testNow)))
	// The countdown is live.
	e.now = testNow.Add(5 * time.Second)
	e.send(tickMsg(e.now))
	e.requireContains("fires in " + i18n.Countdown(c.OpensAt.Sub(e.now)))
	// Internals are in the status view.
	e.key("S")
	e.requireContains("Server clock  AimHarder +0.35s ±0.02s from this machine")
	e.requireContains("firing here")
	e.key("esc")

	// A dead background session near a prebooking is a warning.
	e.store.sessions[session.KindBackground] = session.Health{Kind: session.KindBackground, State: session.StateDead}
	e.key("r")
	e.requireContains("background session expired: " + c.Name + " will not fire")
}

func TestTickKeepsCountdownsAndStatesCurrent(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	c := e.pick(grid.NotOpen)
	e.now = c.OpensAt.Add(time.Second)
	e.send(tickMsg(e.now))
	if st := e.state(c); st == grid.NotOpen {
		t.Fatal("a class whose window opened still shows not open")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestDeadDeviceSessionInTheStoreShowsTheLoginForm(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	e.store.sessions[session.KindDevice] = session.Health{Kind: session.KindDevice, State: session.StateDead}
	e.key("r")
	if e.m.screen != screenLogin {
		t.Fatalf("screen %d, want the login form", e.m.screen)
	}
	e.requireContains(en.ErrExpired)

	// A missing background session only shows in the header.
	e = newEnv(t, 80, 24, i18n.EN)
	delete(e.store.sessions, session.KindBackground)
	e.key("r")
	if e.m.screen != screenWeek {
		t.Fatalf("screen %d, want the week", e.m.screen)
	}
	e.requireContains("background not logged in")
}
