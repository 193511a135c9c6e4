package grid

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
	"github.com/ahtui/ahtui/tui/theme"
)

// The test week: Monday 23 Nov 2026; now is Wednesday 25 Nov at 12:00, so
// Monday, Tuesday and Wednesday morning are past; booking opens 48 hours
// before a class, so Friday from 12:00 on is not open yet.
var (
	weekMonday = aimharder.Date{Year: 2026, Month: 11, Day: 23}
	weekNow    = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	weekToday  = aimharder.Date{Year: 2026, Month: 11, Day: 25}
)

type spec struct {
	id         int64
	hhmm, name string
	occ, cap   int
	wait       int
	state      aimharder.UserState
}

func classAt(d aimharder.Date, s spec) account.ClassView {
	h := int(s.hhmm[0]-'0')*10 + int(s.hhmm[1]-'0')
	mi := int(s.hhmm[3]-'0')*10 + int(s.hhmm[4]-'0')
	start := time.Date(d.Year, time.Month(d.Month), d.Day, h, mi, 0, 0, time.UTC)
	occ, capacity := s.occ, s.cap
	if capacity == 0 {
		occ, capacity = 5, 14
	}
	return account.ClassView{
		Class: aimharder.Class{ID: s.id, Name: s.name, Date: d, Start: start, End: start.Add(time.Hour),
			Occupancy: occ, Capacity: capacity, Waitlist: s.wait, State: s.state},
		OpensAt: start.Add(-48 * time.Hour),
	}
}

// weekDays is the test week's classes, by weekday (ids are day*100+n).
func weekDays() [7][]spec {
	var days [7][]spec
	for d := range 5 {
		base := int64(d * 100)
		days[d] = []spec{
			{id: base + 1, hhmm: "07:00", name: "WOD"},
			{id: base + 2, hhmm: "09:30", name: "OPEN"},
			{id: base + 3, hhmm: "18:00", name: "WOD"},
			{id: base + 4, hhmm: "19:00", name: "HYROX"},
		}
	}
	days[1] = append(days[1], spec{id: 105, hhmm: "07:00", name: "YOGA"}) // two at 07:00 on Tuesday
	days[2][2] = spec{id: 203, hhmm: "18:00", name: "WOD", occ: 14, cap: 14, wait: 2}
	days[3][0] = spec{id: 301, hhmm: "07:00", name: "WOD", state: aimharder.StateBooked}
	days[3][1] = spec{id: 302, hhmm: "09:30", name: "OPEN", occ: 10, cap: 10, wait: 3, state: aimharder.StateWaitlisted}
	days[5] = []spec{{id: 501, hhmm: "10:00", name: "TEAM"}}
	return days
}

func newWeek(t *testing.T, w, h int, profile termenv.Profile, noColor bool) Model {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(profile)
	m := New(theme.New(r, theme.Options{NoColor: noColor}), i18n.For(i18n.EN), weekMonday)
	m.SetNow(weekNow, weekToday)
	m.SetSize(w, h)
	for d, specs := range weekDays() {
		date := weekMonday.AddDays(d)
		v := account.DayView{Date: date}
		for _, s := range specs {
			v.Classes = append(v.Classes, classAt(date, s))
		}
		// Hidden and cancelled rows never show.
		hidden := classAt(date, spec{id: 999, hhmm: "06:00", name: "STAFF"})
		hidden.Hidden = true
		gone := classAt(date, spec{id: 998, hhmm: "06:30", name: "GONE"})
		gone.Cancelled = true
		v.Classes = append(v.Classes, hidden, gone)
		if d == 2 {
			v.Notices = []string{"Closed on the 8th"}
		}
		m.SetDay(v)
	}
	m.SelectNext(weekToday, weekNow)
	return m
}

func (m Model) keys(ks ...string) Model {
	types := map[string]tea.KeyType{"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd}
	for _, k := range ks {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if kt, ok := types[k]; ok {
			msg = tea.KeyMsg{Type: kt}
		}
		m, _ = m.Update(msg)
	}
	return m
}

func selected(t *testing.T, m Model) string {
	t.Helper()
	c, ok := m.Selected()
	if !ok {
		return ""
	}
	return c.Start.Format("Mon 15:04 ") + c.Name
}

// TestWeekLayout: seven columns with the days' titles (today marked), a
// row per start time, every state's marker and words where cells are
// roomy, exactly the grid's box.
func TestWeekLayout(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	if m.DayMode() {
		t.Fatal("short names at 160 columns: want the week")
	}
	requireBox(t, m, 160, 48)
	v := m.View()
	for _, want := range []string{
		"Mon 23 Nov", "▸Wed 25 Nov today", "Sun 29 Nov", "no classes",
		"07:00-08:00", "▌18:00-19:00", // the next class today has the cursor
		"14/14 +2 full", "■", "✓", "5/14 booked", "≡", "10/10 +3 waitlist", "○", "opens in", "5/14 9 free",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the week lacks %q", want)
		}
	}
	for _, gone := range []string{"STAFF", "GONE"} {
		if strings.Contains(v, gone) {
			t.Errorf("a hidden or cancelled class shows: %s", gone)
		}
	}
	if t.Failed() {
		t.Fatalf("week:\n%s", v)
	}
	// Tuesday's two 07:00 classes take two rows; the other days leave the
	// second blank.
	if got := len(m.Classes(1)); got != 5 {
		t.Fatalf("Tuesday has %d classes", got)
	}
	if m.Notices()[0] != "Closed on the 8th" {
		t.Fatalf("notices %v", m.Notices())
	}
	if c, _ := m.Selected(); c.ID != 203 || m.CursorDay() != weekToday {
		t.Fatalf("SelectNext chose %d on %s", c.ID, m.CursorDay())
	}
}

// TestWeekKeys: up/down within the day, left/right to the class closest in
// time on the next day, g/G to the day's ends; the week's ends stop the
// cursor (the caller changes the week).
func TestWeekKeys(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	steps := []struct{ key, want string }{
		{"up", "Wed 09:30 OPEN"},
		{"k", "Wed 07:00 WOD"},
		{"k", "Wed 07:00 WOD"}, // the top stops
		{"j", "Wed 09:30 OPEN"},
		{"left", "Tue 09:30 OPEN"}, // the same time on Tuesday
		{"G", "Tue 19:00 HYROX"},
		{"g", "Tue 07:00 WOD"},
		{"h", "Mon 07:00 WOD"},
		{"h", "Mon 07:00 WOD"}, // Monday stops
		{"end", "Mon 19:00 HYROX"},
		{"l", "Tue 19:00 HYROX"},
		{"right", "Wed 19:00 HYROX"},
		{"l", "Thu 19:00 HYROX"},
		{"l", "Fri 19:00 HYROX"},
		{"l", "Sat 10:00 TEAM"}, // the only class, however far in time
		{"l", ""},               // Sunday has none
		{"l", ""},               // and is the end
		{"h", "Sat 10:00 TEAM"},
		{"home", "Sat 10:00 TEAM"},
	}
	for i, s := range steps {
		m = m.keys(s.key)
		if got := selected(t, m); got != s.want {
			t.Fatalf("step %d (%s): on %q, want %q", i, s.key, got, s.want)
		}
		// One cell has the cursor: its three lines.
		if s.want != "" && strings.Count(m.View(), "▌") != CellHeight {
			t.Fatalf("step %d: %d cursor lines:\n%s", i, strings.Count(m.View(), "▌"), m.View())
		}
	}
	if m.Day() != 5 {
		t.Fatalf("day %d", m.Day())
	}
	// Moving across days keeps the time aimed at: from Saturday back to
	// Friday lands near 19:00, where the cursor was before Saturday.
	m = m.keys("h")
	if got := selected(t, m); got != "Fri 09:30 OPEN" {
		// Saturday's 10:00 became the aim: 09:30 is the closest.
		t.Fatalf("back from Saturday: %q", got)
	}
	if !m.Handles(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")}) || m.Handles(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")}) {
		t.Fatal("Handles is wrong about j or b")
	}
	if m2, cmd := m.Update(tea.WindowSizeMsg{Width: 10, Height: 10}); cmd != nil || m2.Width() != 160 {
		t.Fatal("the grid took a message that is its caller's")
	}
}

// TestWeekCursorSurvivesReload: new data for the cursor's day keeps the
// cursor on its class, wherever it moved; a class that went away gives
// the closest in time.
func TestWeekCursorSurvivesReload(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true) // Wed 18:00, id 203
	date := weekToday
	specs := weekDays()[2]
	early := spec{id: 200, hhmm: "06:00", name: "EARLY"}
	var v account.DayView
	v.Date = date
	for _, s := range append([]spec{early}, specs...) {
		v.Classes = append(v.Classes, classAt(date, s))
	}
	m.SetDay(v)
	if c, _ := m.Selected(); c.ID != 203 {
		t.Fatalf("the cursor left its class: %d", c.ID)
	}
	// 203 is gone: 19:00 is the closest to 18:00 (ties go to the earlier).
	v.Classes = nil
	for _, s := range specs {
		if s.id != 203 {
			v.Classes = append(v.Classes, classAt(date, s))
		}
	}
	m.SetDay(v)
	if got := selected(t, m); got != "Wed 19:00 HYROX" {
		t.Fatalf("after its class went: %q", got)
	}
	// A day of another week is ignored.
	m.SetDay(account.DayView{Date: weekMonday.AddDays(9)})
	if got := selected(t, m); got != "Wed 19:00 HYROX" {
		t.Fatalf("another week's day moved the cursor: %q", got)
	}
	// Select by id, and onto a day with the id missing.
	m.Select(weekMonday.AddDays(3), 302)
	if got := selected(t, m); got != "Thu 09:30 OPEN" {
		t.Fatalf("Select: %q", got)
	}
	m.Select(weekMonday.AddDays(4), 12345)
	if got := selected(t, m); got != "Fri 09:30 OPEN" {
		t.Fatalf("Select of a missing id: %q", got)
	}
}

// TestWeekScrollAndResize: the rows that do not fit are counted on the
// last line; the cursor's row is always visible; a taller grid shows
// everything again; a resize clamps the scroll.
func TestWeekScrollAndResize(t *testing.T) {
	m := newWeek(t, 160, 12, termenv.Ascii, true) // 3 rows of the 6
	requireBox(t, m, 160, 12)
	last := func() string { return strings.TrimSpace(m.Lines()[len(m.Lines())-1]) }
	// The cursor is on Wednesday 18:00: row 4 of 6.
	if !strings.Contains(m.View(), "▌18:00") {
		t.Fatalf("the cursor's row is off screen:\n%s", m.View())
	}
	if last() != "↑ 2 more  ↓ 1 more" {
		t.Fatalf("scroll line %q", last())
	}
	m = m.keys("g")
	if last() != "↓ 3 more" || !strings.Contains(m.View(), "▌07:00") {
		t.Fatalf("at the top: %q\n%s", last(), m.View())
	}
	m = m.keys("G")
	if last() != "↑ 3 more" || !strings.Contains(m.View(), "▌19:00") {
		t.Fatalf("at the bottom: %q\n%s", last(), m.View())
	}
	m.SetSize(160, 48)
	requireBox(t, m, 160, 48)
	if last() != "" || !strings.Contains(m.View(), "07:00-08:00") {
		t.Fatalf("with room for every row some are hidden: %q\n%s", last(), m.View())
	}
	m.SetSize(100, 9) // 2 rows
	requireBox(t, m, 100, 9)
	if !strings.Contains(m.View(), "▌19:00") {
		t.Fatalf("after shrinking the cursor is off screen:\n%s", m.View())
	}
	if m.Width() != 100 || m.Height() != 9 {
		t.Fatalf("size %d×%d", m.Width(), m.Height())
	}
}

// TestWeekNarrowCells: at the narrowest week the cells lose their words,
// not their markers; a status too long for a cell ends in an ellipsis;
// every line is the grid's width.
func TestWeekNarrowCells(t *testing.T) {
	m := newWeek(t, MinWidth, 20, termenv.Ascii, true)
	if m.DayMode() {
		t.Fatalf("names of five at %d columns: want the week", MinWidth)
	}
	requireBox(t, m, MinWidth, 20)
	v := m.View()
	if strings.Contains(v, "free") || strings.Contains(v, "07:00-08:00") {
		t.Fatalf("narrow cells carry words:\n%s", v)
	}
	for _, want := range []string{"■", "✓", "14/14 …"} {
		if !strings.Contains(v, want) {
			t.Errorf("the narrow week lacks %q", want)
		}
	}
	if t.Failed() {
		t.Fatalf("week:\n%s", v)
	}
	// One column less: the day layout.
	m.SetSize(MinWidth-1, 20)
	if !m.DayMode() {
		t.Fatal("narrower than the minimum: want the day layout")
	}
	requireBox(t, m, MinWidth-1, 20)
}

// TestWaitlistStatus: the member's waitlist shows "+N" and, when known,
// their place "#P", in the widest form that fits.
func TestWaitlistStatus(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	c := m.Classes(3)[1] // Thursday 09:30, waitlisted, 10/10 with 3 waiting
	if _, ok := m.WaitlistPosition(c.ID); ok {
		t.Fatal("a position before any is known")
	}
	m.SetWaitlistPositions(map[int64]int{c.ID: 2, 1: 0})
	if p, ok := m.WaitlistPosition(c.ID); !ok || p != 2 {
		t.Fatalf("position %d %v", p, ok)
	}
	if _, ok := m.WaitlistPosition(1); ok {
		t.Fatal("a zero position counts as known")
	}
	if !strings.Contains(m.View(), "10/10 +3 #2 waitlist") {
		t.Fatalf("roomy:\n%s", m.View())
	}
	m.SetSize(91, 48) // cells of 11, not roomy
	if !strings.Contains(m.View(), "10/10 +3 #2") || strings.Contains(m.View(), "#2 waitlist") {
		t.Fatalf("at 91 columns:\n%s", m.View())
	}
	m.SetSize(MinWidth, 48) // cells of 7
	if !strings.Contains(m.View(), "+3 #2") || strings.Contains(m.View(), "10/10 +3") {
		t.Fatalf("at %d columns:\n%s", MinWidth, m.View())
	}
	// Waitlisted with the waitlist count unknown: at least the member.
	c.Waitlist = 0
	if s := m.waitlistStatus(c); s != "+1 #2" {
		t.Fatalf("unknown waitlist: %q", s)
	}
}

// TestWeekPrebookingsBusyAndPlans: a prebooked class shows ⚑ and when it
// fires; a failed one ✗; a removed one nothing; a class in flight "…";
// a plan's class ↻ (– when the day is skipped).
func TestWeekPrebookingsBusyAndPlans(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	fri := weekMonday.AddDays(4)
	friEve := m.Classes(4)[2] // 18:00, not open yet
	friLate := m.Classes(4)[3]
	m.SetPrebookings([]session.Prebooking{
		{ID: 1, ClassID: friEve.ID, Day: fri, Status: session.PrebookFailed, FinishedAt: weekNow.Add(-time.Hour)},
		{ID: 2, ClassID: friEve.ID, Day: fri, Status: session.PrebookPending, OpensAt: friEve.OpensAt},
		{ID: 3, ClassID: friLate.ID, Day: fri, Status: session.PrebookCancelled},
	})
	if p, ok := m.Prebooking(friEve.ID, fri); !ok || p.ID != 2 {
		t.Fatalf("the active prebooking does not win: %+v", p)
	}
	if _, ok := m.Prebooking(friLate.ID, fri); ok {
		t.Fatal("a removed prebooking shows")
	}
	m.Select(fri, friEve.ID)
	v := m.View()
	if !strings.Contains(v, "⚑") || !strings.Contains(v, "fires in 6h") {
		t.Fatalf("the prebooked class:\n%s", v)
	}
	// Of two finished ones, the later wins.
	m.SetPrebookings([]session.Prebooking{
		{ID: 1, ClassID: friEve.ID, Day: fri, Status: session.PrebookFailed, FinishedAt: weekNow.Add(-time.Hour)},
		{ID: 2, ClassID: friEve.ID, Day: fri, Status: session.PrebookBooked, FinishedAt: weekNow.Add(-2 * time.Hour)},
	})
	if p, _ := m.Prebooking(friEve.ID, fri); p.ID != 1 || !strings.Contains(m.View(), "✗") {
		t.Fatalf("the later outcome does not win: %+v\n%s", p, m.View())
	}

	m.SetBusy(friEve.ID, true)
	if !m.Busy(friEve.ID) || !strings.Contains(m.View(), "…") {
		t.Fatalf("a class in flight:\n%s", m.View())
	}
	m.SetBusy(friEve.ID, false)
	if m.Busy(friEve.ID) {
		t.Fatal("still busy")
	}

	plan := session.Plan{ID: 7, Days: session.Weekdays(1 << time.Friday), Time: session.ClockTime{Hour: 19}, Class: "hyrox",
		Skips: []aimharder.Date{}}
	m.SetPlans([]session.Plan{plan}, nil)
	if pm, ok := m.Plan(friLate.ID, fri); !ok || pm.PlanID != 7 {
		t.Fatalf("the plan's class is not marked: %+v", pm)
	}
	if _, ok := m.Plan(friEve.ID, fri); ok {
		t.Fatal("a class at another time is marked as the plan's")
	}
	if !strings.Contains(m.View(), "↻") {
		t.Fatalf("no plan glyph:\n%s", m.View())
	}
	plan.Skips = []aimharder.Date{fri}
	m.SetPlans([]session.Plan{plan}, []PlanLink{{ClassID: friEve.ID, Day: fri, PlanID: 7}})
	if pm, _ := m.Plan(friLate.ID, fri); !pm.Skipped || !strings.Contains(m.View(), "–") {
		t.Fatalf("a skipped day: %+v\n%s", pm, m.View())
	}
	if _, ok := m.Plan(friEve.ID, fri); !ok {
		t.Fatal("a linked class is not the plan's")
	}
	if _, ok := m.Plan(friEve.ID, weekMonday.AddDays(20)); ok {
		t.Fatal("a day of another week has a plan mark")
	}
}

// TestWeekClockAndReopen: moving the clock changes states (a class
// opens; one starts and is past); Reopen redraws with new openings.
func TestWeekClockAndReopen(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	friEve := m.Classes(4)[2]
	st := func(c account.ClassView, at time.Time) State { return StateOf(c, nil, at) }
	if st(friEve, weekNow) != NotOpen {
		t.Fatalf("Friday 18:00 at Wednesday noon: %v", st(friEve, weekNow))
	}
	if lk := m.lookOf(4, 2); lk.state != NotOpen || lk.status != "opens in 6h 0m" {
		t.Fatalf("Friday 18:00 at noon: %+v", lk)
	}
	m.SetNow(friEve.OpensAt.Add(time.Second), weekToday)
	if lk := m.lookOf(4, 2); lk.state != Open || lk.status != "5/14 9 free" {
		t.Fatalf("Friday 18:00 once open: %+v", lk)
	}
	if lk := m.lookOf(4, 3); lk.state != NotOpen || lk.status != "opens in 59m 59s" {
		t.Fatalf("Friday 19:00 a second after 18:00 opened: %+v", lk)
	}
	m.SetNow(weekNow.Add(6*time.Hour+time.Second), weekToday) // Wednesday 18:00:01
	if lk := m.lookOf(2, 2); lk.state != Past {
		t.Fatalf("Wednesday 18:00 after it started: %+v", lk)
	}
	m.Reopen(func(c account.ClassView) account.ClassView {
		c.OpensAt = time.Time{}
		return c
	})
	if strings.Contains(m.View(), "opens in") || m.lookOf(5, 0).state != Open {
		t.Fatalf("without a rule nothing waits to open:\n%s", m.View())
	}
}

// TestStateOfTable: how a class shows, from its data, its prebooking and
// the clock.
func TestStateOfTable(t *testing.T) {
	d := weekMonday.AddDays(4)
	base := classAt(d, spec{id: 1, hhmm: "18:00", name: "WOD"})
	full := classAt(d, spec{id: 1, hhmm: "18:00", name: "WOD", occ: 14, cap: 14})
	booked := classAt(d, spec{id: 1, hhmm: "18:00", name: "WOD", state: aimharder.StateBooked})
	waiting := classAt(d, spec{id: 1, hhmm: "18:00", name: "WOD", state: aimharder.StateWaitlisted})
	open := base.OpensAt.Add(time.Minute)
	pb := func(s session.PrebookingStatus) *session.Prebooking { return &session.Prebooking{Status: s} }
	for _, tc := range []struct {
		name string
		c    account.ClassView
		p    *session.Prebooking
		at   time.Time
		want State
	}{
		{"open", base, nil, open, Open},
		{"not open", base, nil, weekNow, NotOpen},
		{"full", full, nil, open, Full},
		{"booked", booked, nil, open, Booked},
		{"waitlisted", waiting, nil, open, Waitlisted},
		{"past", booked, nil, base.Start, Past},
		{"prebooked", base, pb(session.PrebookPending), weekNow, Prebooked},
		{"firing", base, pb(session.PrebookFiring), open, Firing},
		{"failed", full, pb(session.PrebookFailed), open, Failed},
		{"missed", base, pb(session.PrebookMissed), open, Failed},
		{"booked wins over its prebooking", booked, pb(session.PrebookPending), open, Booked},
		{"a booked prebooking shows the class", base, pb(session.PrebookBooked), open, Open},
	} {
		if got := StateOf(tc.c, tc.p, tc.at); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	names := map[State]string{Open: "open", Booked: "booked", Waitlisted: "waitlisted", Prebooked: "prebooked", Firing: "firing",
		Failed: "failed", NotOpen: "not_open", Full: "full", Past: "past"}
	for s, n := range names {
		if s.String() != n {
			t.Errorf("%d: %q", s, s.String())
		}
	}
}

// TestWeekChange: another week starts empty ("…" until loaded), keeps
// the cursor's weekday, and shows its own dates.
func TestWeekChange(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	next := weekMonday.AddDays(7)
	m.SetWeek(next)
	if m.Week() != next || m.Loaded(2) || m.Day() != 2 {
		t.Fatalf("week %s, loaded %v, day %d", m.Week(), m.Loaded(2), m.Day())
	}
	if _, ok := m.Selected(); ok {
		t.Fatal("a class is selected in an empty week")
	}
	v := m.View()
	if !strings.Contains(v, "Mon 30 Nov") || !strings.Contains(v, "…") || strings.Contains(v, "WOD") {
		t.Fatalf("the empty week:\n%s", v)
	}
	requireBox(t, m, 160, 48)
	m = m.keys("j", "l")
	if m.Day() != 3 {
		t.Fatalf("right in an empty week: day %d", m.Day())
	}
}

// TestWeekColours: under NO_COLOR there is no colour, and the cursor cell
// is reverse; with colours the cells are coloured.
func TestWeekColours(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.TrueColor, true)
	v := m.View()
	if strings.Contains(v, "38;2;") || strings.Contains(v, "48;2;") {
		t.Fatal("NO_COLOR: colours in the grid")
	}
	if !strings.Contains(v, "\x1b[7") && !strings.Contains(v, ";7m") {
		t.Fatal("NO_COLOR: the cursor cell is not reverse")
	}
	if !strings.Contains(v, "▌") {
		t.Fatal("NO_COLOR: no cursor glyph")
	}
	c := newWeek(t, 160, 48, termenv.TrueColor, false)
	if !strings.Contains(c.View(), "38;2;") {
		t.Fatal("with colours the grid is plain")
	}
	for i, l := range c.Lines() {
		if ansi.StringWidth(l) != 160 {
			t.Fatalf("line %d is %d wide", i, ansi.StringWidth(l))
		}
	}
}

// TestLayoutSwitchKeepsTheCursor: shrinking to a phone's width switches
// to the day layout on the cursor's day and class, and growing back gives
// the week with the cursor where it was; one cursor at every step.
func TestLayoutSwitchKeepsTheCursor(t *testing.T) {
	m := newWeek(t, 160, 48, termenv.Ascii, true)
	m = m.keys("l", "j") // Thursday 19:00
	want := selected(t, m)
	for _, sz := range [][2]int{{50, 30}, {40, 20}, {160, 48}, {64, 20}, {160, 12}} {
		m.SetSize(sz[0], sz[1])
		requireBox(t, m, sz[0], sz[1])
		if got := selected(t, m); got != want {
			t.Fatalf("at %d×%d the cursor is on %q, want %q", sz[0], sz[1], got, want)
		}
		cursors := strings.Count(m.View(), "▌")
		if m.DayMode() {
			if cursors != 1 || !strings.Contains(m.View(), "‹ Thu 26 Nov ›") || !strings.Contains(m.View(), "▌19:00") {
				t.Fatalf("day layout at %d×%d:\n%s", sz[0], sz[1], m.View())
			}
		} else if cursors != CellHeight || !strings.Contains(m.View(), "▌19:00") {
			t.Fatalf("week at %d×%d:\n%s", sz[0], sz[1], m.View())
		}
	}
	if m.DayMode() {
		t.Fatal("160 columns: want the week")
	}
}

// TestDayRowCutsLongNames: in the day layout at the narrowest width a
// name longer than its room ends in an ellipsis; the time, marker and
// status keep their places and the row its width.
func TestDayRowCutsLongNames(t *testing.T) {
	m := newDayGrid(t, MinDayWidth, 12, "WOD", "CONDITIONING AND MOBILITY FOR ALL")
	requireBox(t, m, MinDayWidth, 12)
	var row string
	for _, l := range m.Lines() {
		if strings.Contains(l, "11:00") {
			row = l
		}
	}
	if !strings.Contains(row, "✓ CONDITIONING") || !strings.Contains(row, "…") || !strings.HasSuffix(strings.TrimRight(row, " "), "12/14") {
		t.Fatalf("the long name's row: %q", row)
	}
	if ansi.StringWidth(row) != MinDayWidth {
		t.Fatalf("the row is %d wide", ansi.StringWidth(row))
	}
}
