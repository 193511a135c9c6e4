package lists

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/i18n"
)

var (
	itemDay = aimharder.Date{Year: 2026, Month: 12, Day: 9}
	itemNow = time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
)

func text(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, strings.Join(it.Lines, "\n"))
	}
	return out
}

// TestPrebookingItems: one line per prebooking with its status marker,
// the class with its time (and its box when it is another one), the day,
// the opening as a relative countdown while pending (never a bare clock
// time) and the outcome with its attempts once it has fired.
func TestPrebookingItems(t *testing.T) {
	th, tx := newTheme(termenv.Ascii), i18n.For(i18n.EN)
	start := time.Date(2026, 12, 9, 7, 0, 0, 0, time.UTC)
	list := []session.Prebooking{
		{ID: 1, BoxID: 10, ClassName: "WOD", ClassStart: start, Day: itemDay, Status: session.PrebookPending,
			OpensAt: itemNow.Add(16*time.Hour + 14*time.Minute)},
		{ID: 2, BoxID: 20, ClassName: "HYROX", ClassStart: start, Day: itemDay, Status: session.PrebookBooked,
			OpensAt: itemNow.Add(-time.Hour), Attempts: 1},
		{ID: 3, BoxID: 10, ClassName: "BARBELL", Day: itemDay, Status: session.PrebookFailed, Attempts: 3},
		{ID: 4, BoxID: 10, ClassName: "OPEN", Day: itemDay, Status: session.PrebookFiring, OpensAt: itemNow.Add(-time.Second)},
	}
	got := text(PrebookingItems(th, tx, list, map[int64]string{10: "Madrid", 20: "Las Palmas"}, 10, itemNow, 120, nil))
	if len(got) != 4 {
		t.Fatalf("%d items", len(got))
	}
	want := [][]string{
		{"⚑ pending", "07:00 WOD", "Wed 9 Dec", "in 16h 14m"},
		{"✓ booked", "07:00 HYROX · Las Palmas", "1 attempt"},
		{"✗ failed", "BARBELL", "?", "3 attempts"},
		{"» firing", "OPEN"},
	}
	for i, w := range want {
		for _, s := range w {
			if !strings.Contains(got[i], s) {
				t.Errorf("item %d lacks %q: %q", i, s, got[i])
			}
		}
	}
	if strings.Contains(got[0], "Madrid") {
		t.Errorf("the current box is named: %q", got[0])
	}
	if strings.Contains(got[0], "16:14:00") {
		t.Errorf("a countdown reads as a clock time: %q", got[0])
	}
	// The header names the columns at the same width.
	h := PrebookingHeader(tx, 120)
	for _, c := range tx.PrebookColumns {
		if !strings.Contains(h, c) {
			t.Errorf("the header lacks %q: %q", c, h)
		}
	}
	// At a phone's width the class keeps its column's minimum.
	narrow := text(PrebookingItems(th, tx, list[:1], nil, 10, itemNow, 46, nil))
	if !strings.Contains(narrow[0], "07:00 WOD") {
		t.Errorf("at 46 columns: %q", narrow[0])
	}
}

// TestHistoryItems: a prebooking's outcome names the class, its status
// and, on a second line, what it was and how the fire went; a booking
// names the class, the outcome, the server's words and how long it took;
// other events keep their message; lines are cut to the width.
func TestHistoryItems(t *testing.T) {
	th, tx := newTheme(termenv.Ascii), i18n.For(i18n.EN)
	opens := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	p := session.Prebooking{ID: 9, ClassName: "WOD", Day: itemDay, ClassStart: opens.Add(24 * time.Hour),
		Status: session.PrebookBooked, OpensAt: opens, FinishedAt: opens.Add(350 * time.Millisecond), Attempts: 2}
	details := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	events := []session.Event{
		{At: opens.Add(time.Second), Kind: session.EventPrebookOutcome, Details: details(map[string]int64{"prebooking": 9})},
		{At: opens, Kind: "book", Day: itemDay, Message: "Clase completa",
			Details: details(map[string]any{"class": "HYROX", "start": opens.Add(3 * time.Hour), "outcome": "failed", "code": "-2", "ms": 420})},
		{At: opens, Kind: "session.login", Message: "logged in as demo@example.com"},
	}
	items := HistoryItems(th, tx, events, map[int64]session.Prebooking{9: p}, 60)
	if len(items) != 3 || len(items[0].Lines) != 2 {
		t.Fatalf("items %q", text(items))
	}
	first := strings.Join(items[0].Lines, "\n")
	for _, s := range []string{"Tue 8 Dec 07:00:01", "✓ WOD Wed 9 Dec 07:00: booked", "prebooking fired", "→ 07:00:00.350"} {
		if !strings.Contains(first, s) {
			t.Errorf("the outcome lacks %q:\n%s", s, first)
		}
	}
	wide := HistoryItems(th, tx, events[:1], map[int64]session.Prebooking{9: p}, 120)
	if l := wide[0].Lines[1]; !strings.Contains(l, "(+0.350s)") || !strings.Contains(l, "2 attempts") || strings.HasSuffix(l, "…") {
		t.Errorf("at 120 columns the timing is not whole: %q", l)
	}
	second := strings.Join(items[1].Lines, "\n")
	for _, s := range []string{"✗ HYROX", "10:00: refused", "took 420 ms", "book"} {
		if !strings.Contains(second, s) {
			t.Errorf("the booking lacks %q:\n%s", s, second)
		}
	}
	if !strings.Contains(items[2].Lines[0], "logged in as") || !strings.Contains(items[2].Lines[1], "login") {
		t.Errorf("a login: %q", items[2].Lines)
	}
	for _, it := range items {
		for _, l := range it.Lines {
			if ansi.StringWidth(l) > 58 {
				t.Errorf("a line is wider than the list less its gutter: %q", l)
			}
		}
	}
	if !strings.HasSuffix(items[1].Lines[0], "…") {
		t.Errorf("a long line is not cut with an ellipsis: %q", items[1].Lines[0])
	}
}

// TestPlanItems: each plan then its occurrences, each state with its own
// marker; the plan's words name days, time, class, box, waitlist and
// fallbacks, its dates and the pauses not over.
func TestPlanItems(t *testing.T) {
	th, tx := newTheme(termenv.Ascii), i18n.For(i18n.EN)
	today := aimharder.Date{Year: 2026, Month: 12, Day: 8}
	plan := session.Plan{ID: 4, Days: session.Weekdays(1<<time.Monday | 1<<time.Wednesday), Time: session.ClockTime{Hour: 7},
		Class: "WOD", Waitlist: true, Fallbacks: []session.Fallback{{Class: "WOD", Time: session.ClockTime{Hour: 8}}},
		Until:  aimharder.Date{Year: 2027, Month: 1, Day: 31},
		Pauses: []session.DayRange{{From: aimharder.Date{Year: 2026, Month: 11, Day: 1}, Until: aimharder.Date{Year: 2026, Month: 11, Day: 7}}, {From: aimharder.Date{Year: 2026, Month: 12, Day: 21}, Until: aimharder.Date{Year: 2026, Month: 12, Day: 27}}}}
	occ := func(st session.OccurrenceState, choice int, detail string) session.PlanOccurrence {
		return session.PlanOccurrence{Occurrence: session.Occurrence{PlanID: 4, Day: itemDay, Start: time.Date(2026, 12, 9, 7, 0, 0, 0, time.UTC)}, State: st, Choice: choice, Detail: detail}
	}
	v := account.PlanView{Plan: plan, Box: session.Box{Name: "Madrid "}, Occurrences: []session.PlanOccurrence{
		occ(session.OccBooked, 1, ""), occ(session.OccSkipped, 0, ""), occ(session.OccNoClass, 0, "no WOD at 07:00"),
	}}
	rows := PlanRows([]account.PlanView{v})
	if len(rows) != 4 || rows[0].Occ != nil || rows[3].Occ == nil {
		t.Fatalf("rows %+v", rows)
	}
	words := PlanWords(tx, v, today)
	for _, s := range []string{"07:00 WOD", "Madrid", "waitlist", "then 08:00 WOD", "until", "paused Mon 21 Dec"} {
		if !strings.Contains(words, s) {
			t.Errorf("the plan's words lack %q: %q", s, words)
		}
	}
	if strings.Contains(words, "Nov") {
		t.Errorf("a pause over by today is shown: %q", words)
	}
	got := text(PlanItems(th, tx, rows, today, nil))
	want := []string{"↻ #4", "✓ booked · took 08:00 WOD instead", "– skipped", "! no class · no WOD at 07:00"}
	for i, s := range want {
		if !strings.Contains(got[i], s) {
			t.Errorf("row %d lacks %q: %q", i, s, got[i])
		}
	}
	// Every occurrence state has its own marker.
	seen := map[string]session.OccurrenceState{}
	for _, st := range []session.OccurrenceState{session.OccPlanned, session.OccPrebooked, session.OccBooked, session.OccWaitlisted,
		session.OccFull, session.OccFailed, session.OccSkipped, session.OccPaused, session.OccNoClass, session.OccCancelled} {
		mark, _ := OccurrenceLook(th, st)
		if other, dup := seen[mark]; dup {
			t.Errorf("%s and %s share the marker %q", st, other, mark)
		}
		seen[mark] = st
	}
	if m1, _ := OccurrenceLook(th, session.OccMissed); m1 != th.Mark.Failed {
		t.Errorf("missed shows %q, want the failed marker", m1)
	}
}
