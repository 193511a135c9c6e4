package session

import (
	"errors"
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func day(s string) aimharder.Date {
	d, err := aimharder.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWeekdays(t *testing.T) {
	for in, want := range map[string]string{
		"mon,wed,fri": "mon,wed,fri", "Fri, MON ,wed": "mon,wed,fri", "sun": "sun", "sun,sat,sun": "sat,sun",
		"mon,tue,wed,thu,fri,sat,sun": "mon,tue,wed,thu,fri,sat,sun",
	} {
		w, err := ParseWeekdays(in)
		if err != nil || w.String() != want || !w.Valid() {
			t.Errorf("ParseWeekdays(%q) = %v, %v; want %s", in, w, err, want)
		}
	}
	for _, in := range []string{"", "monday", "mon,,fri", "lun", "mon;wed", "1"} {
		if w, err := ParseWeekdays(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseWeekdays(%q) = %v, %v; want ErrInvalid", in, w, err)
		}
	}
	w := WeekdaysOf(time.Monday, time.Sunday)
	if !w.Has(time.Sunday) || w.Has(time.Tuesday) || w.String() != "mon,sun" {
		t.Errorf("WeekdaysOf: %v", w)
	}
	if (Weekdays(0)).Valid() || Weekdays(128).Valid() {
		t.Error("empty or out-of-range sets are valid")
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{"07:00": "07:00", "7:05": "07:05", "23:59": "23:59", "00:00": "00:00", " 18:30 ": "18:30"} {
		c, err := ParseClock(in)
		if err != nil || c.String() != want {
			t.Errorf("ParseClock(%q) = %v, %v; want %s", in, c, err, want)
		}
	}
	for _, in := range []string{"", "24:00", "07:60", "0700", "7:0", "07:00:00", "+7:00", "-1:00", "7h", "07:0a", "123:00"} {
		if c, err := ParseClock(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseClock(%q) = %v, %v; want ErrInvalid", in, c, err)
		}
	}
}

func TestClassNameMatches(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"WOD", "wod", true},
		{"  WOD ", "WOD", true},
		{"WOD", "TEAM WOD", false},
		{"TEAM WOD", "WOD", false},
		{"Halterofília", "halterofilia", true},
		{"HALTEROFILIA", "halterofília", true},
		{"Pilates Máquina", "pilates maquina", true},
		{"Cross Training", "CrossTraining", false},
		{"WOD", "WOD 2", false},
		{"Niños", "ninos", true},
		{"", "", true},
	} {
		if got := ClassNameMatches(c.a, c.b); got != c.want {
			t.Errorf("ClassNameMatches(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestNewPlanValidate(t *testing.T) {
	ok := NewPlan{BoxID: 1, Days: WeekdaysOf(time.Monday), Time: ClockTime{7, 0}, Class: "WOD"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(n *NewPlan){
		"no box":          func(n *NewPlan) { n.BoxID = 0 },
		"no days":         func(n *NewPlan) { n.Days = 0 },
		"bad time":        func(n *NewPlan) { n.Time = ClockTime{25, 0} },
		"blank class":     func(n *NewPlan) { n.Class = "   " },
		"until < from":    func(n *NewPlan) { n.From, n.Until = day("2026-12-10"), day("2026-12-01") },
		"blank fallback":  func(n *NewPlan) { n.Fallbacks = []Fallback{{Class: " ", Time: ClockTime{8, 0}}} },
		"fallback time":   func(n *NewPlan) { n.Fallbacks = []Fallback{{Class: "WOD", Time: ClockTime{8, 61}}} },
		"fallback = self": func(n *NewPlan) { n.Fallbacks = []Fallback{{Class: "wod", Time: ClockTime{7, 0}}} },
		"fallback twice": func(n *NewPlan) {
			n.Fallbacks = []Fallback{{Class: "WOD", Time: ClockTime{8, 0}}, {Class: "Wod", Time: ClockTime{8, 0}}}
		},
	}
	for name, change := range bad {
		n := ok
		change(&n)
		if err := n.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	n := ok
	n.From, n.Until = day("2026-12-01"), day("2026-12-01")
	n.Fallbacks = []Fallback{{Class: "WOD", Time: ClockTime{8, 0}}, {Class: "Open Box", Time: ClockTime{7, 0}}}
	if err := n.Validate(); err != nil {
		t.Errorf("one-day plan with fallbacks: %v", err)
	}
}

func TestPlanConflicts(t *testing.T) {
	p := Plan{ID: 1, BoxID: 1, Days: WeekdaysOf(time.Monday, time.Wednesday), Time: ClockTime{7, 0}, Class: "Halterofília"}
	same := NewPlan{BoxID: 1, Days: WeekdaysOf(time.Wednesday, time.Friday), Time: ClockTime{7, 0}, Class: "HALTEROFILIA"}
	if !p.Conflicts(same) {
		t.Error("same slot not refused")
	}
	for name, change := range map[string]func(n *NewPlan){
		"other box":   func(n *NewPlan) { n.BoxID = 2 },
		"other days":  func(n *NewPlan) { n.Days = WeekdaysOf(time.Tuesday) },
		"other time":  func(n *NewPlan) { n.Time = ClockTime{8, 0} },
		"other class": func(n *NewPlan) { n.Class = "Team Halterofilia" },
	} {
		n := same
		change(&n)
		if p.Conflicts(n) {
			t.Errorf("%s: refused", name)
		}
	}
	bounded := p
	bounded.From, bounded.Until = day("2026-12-01"), day("2026-12-31")
	for _, c := range []struct {
		from, until string
		want        bool
	}{
		{"", "", true}, {"2027-01-01", "", false}, {"", "2026-11-30", false}, {"2026-12-31", "", true},
		{"", "2026-12-01", true}, {"2026-12-10", "2026-12-11", true}, {"2027-02-01", "2027-03-01", false},
	} {
		n := same
		if c.from != "" {
			n.From = day(c.from)
		}
		if c.until != "" {
			n.Until = day(c.until)
		}
		if got := bounded.Conflicts(n); got != c.want {
			t.Errorf("range %q..%q: conflicts = %v", c.from, c.until, got)
		}
	}
}

func TestOccurrencesAcrossDST(t *testing.T) {
	loc := madrid(t)
	p := Plan{ID: 4, BoxID: 1, Days: WeekdaysOf(time.Sunday, time.Wednesday), Time: ClockTime{7, 0}, Class: "WOD",
		Skips:  []aimharder.Date{day("2026-10-21")},
		Pauses: []DayRange{{From: day("2026-10-24"), Until: day("2026-10-28")}}}
	got := p.Occurrences(day("2026-10-18"), day("2026-11-01"), loc)
	want := []struct {
		day             string
		offset          int // hours east of UTC
		skipped, paused bool
	}{
		{"2026-10-18", 2, false, false}, {"2026-10-21", 2, true, false}, {"2026-10-25", 1, false, true},
		{"2026-10-28", 1, false, true}, {"2026-11-01", 1, false, false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d occurrences: %+v", len(got), got)
	}
	for i, w := range want {
		o := got[i]
		_, off := o.Start.Zone()
		if o.Day.String() != w.day || o.PlanID != 4 || o.Start.Hour() != 7 || o.Start.Minute() != 0 ||
			off != w.offset*3600 || o.Skipped != w.skipped || o.Paused != w.paused {
			t.Errorf("occurrence %d = %+v (offset %d), want %+v", i, o, off, w)
		}
	}
	// The spring change: 02:30 does not exist on 29 March in Madrid.
	night := Plan{Days: AllWeekdays, Time: ClockTime{2, 30}, Class: "Night"}
	o := night.Occurrences(day("2026-03-29"), day("2026-03-29"), loc)
	if len(o) != 1 || o[0].Day != day("2026-03-29") || o[0].Start.Hour() != 3 {
		t.Errorf("spring-forward day: %+v", o)
	}
}

func TestOccurrencesBounds(t *testing.T) {
	loc := madrid(t)
	p := Plan{Days: WeekdaysOf(time.Monday, time.Friday), Time: ClockTime{18, 0}, Class: "WOD",
		From: day("2026-11-27"), Until: day("2026-12-07"),
		// Made on Friday 27th at 19:00 box time: that day's 18:00 class is gone.
		CreatedAt: time.Date(2026, 11, 27, 19, 0, 0, 0, loc)}
	var days []string
	for _, o := range p.Occurrences(day("2026-11-01"), day("2026-12-31"), loc) {
		days = append(days, o.Day.String())
	}
	want := []string{"2026-11-30", "2026-12-04", "2026-12-07"}
	if len(days) != len(want) {
		t.Fatalf("days %v, want %v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Fatalf("days %v, want %v", days, want)
		}
	}
	if !p.IsDay(day("2026-12-04")) || p.IsDay(day("2026-12-08")) || p.IsDay(day("2026-12-11")) || p.IsDay(day("2026-11-23")) {
		t.Error("IsDay")
	}
	if p.Occurrences(day("2026-12-08"), day("2026-12-31"), loc) != nil {
		t.Error("occurrences after until")
	}
}

func TestShownState(t *testing.T) {
	loc := madrid(t)
	start := time.Date(2026, 12, 2, 7, 0, 0, 0, loc)
	before, after := start.Add(-time.Hour), start.Add(time.Hour)
	o := Occurrence{PlanID: 1, Day: day("2026-12-02"), Start: start}
	skipped, paused := o, o
	skipped.Skipped, paused.Paused = true, true
	rec := func(st OccurrenceState) *OccurrenceRecord { return &OccurrenceRecord{State: st} }
	pb := func(st PrebookingStatus, code string) *Prebooking {
		return &Prebooking{ID: 9, Status: st, OutcomeCode: code}
	}
	for i, c := range []struct {
		o    Occurrence
		rec  *OccurrenceRecord
		pb   *Prebooking
		now  time.Time
		want OccurrenceState
	}{
		{o, nil, nil, before, OccPlanned},
		{o, nil, nil, after, OccMissed},
		{skipped, nil, nil, before, OccSkipped},
		{skipped, nil, nil, after, OccSkipped},
		{paused, nil, nil, before, OccPaused},
		{skipped, rec(OccBooked), nil, before, OccBooked},             // skipping does not cancel a booking
		{paused, nil, pb(PrebookBooked, "booked"), before, OccPaused}, // the record, not the prebooking, is final
		{o, nil, pb(PrebookPending, ""), before, OccPrebooked},
		{o, nil, pb(PrebookFiring, ""), before, OccPrebooked},
		{o, nil, pb(PrebookBooked, "booked"), before, OccBooked},
		{o, nil, pb(PrebookWaitlisted, ""), before, OccWaitlisted},
		{o, nil, pb(PrebookFailed, "full"), before, OccFull},
		{o, nil, pb(PrebookFailed, "refused -8"), before, OccFailed},
		{o, nil, pb(PrebookMissed, "missed"), after, OccMissed},
		{o, nil, pb(PrebookCancelled, ""), before, OccCancelled},
		{o, nil, pb(PrebookCancelled, OutcomePlanStopped), before, OccPlanned},
		{o, rec(OccPrebooked), pb(PrebookPending, ""), before, OccPrebooked},
		{o, rec(OccPlanned), nil, before, OccPlanned},
		{o, rec(OccPlanned), nil, after, OccMissed},
		{o, rec(OccNoClass), nil, before, OccNoClass},
		{o, rec(OccFull), pb(PrebookFailed, "full"), after, OccFull},
		{o, rec(OccCancelled), pb(PrebookBooked, "booked"), before, OccCancelled},
		{o, rec(OccBooked), pb(PrebookFailed, "full"), after, OccBooked}, // a fallback booked
	} {
		if got := ShownState(c.o, c.rec, c.pb, c.now); got != c.want {
			t.Errorf("case %d: %s, want %s", i, got, c.want)
		}
	}
	j := Join(o, &OccurrenceRecord{State: OccBooked, ClassID: 5, ReservationID: 77, Choice: 1, Detail: "08:00 WOD"},
		&Prebooking{ID: 9, ClassID: 4, Status: PrebookFailed, OutcomeCode: "full"}, before)
	if j.State != OccBooked || j.ClassID != 5 || j.PrebookingID != 9 || j.ReservationID != 77 || j.Choice != 1 {
		t.Errorf("Join: %+v", j)
	}
	for _, st := range OccurrenceStates {
		if st.Recordable() == (st == OccSkipped || st == OccPaused) {
			t.Errorf("%s recordable = %v", st, st.Recordable())
		}
	}
}

func TestMayBookOpen(t *testing.T) {
	made := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	thu, fri := aimharder.Date{Year: 2026, Month: 11, Day: 26}, aimharder.Date{Year: 2026, Month: 11, Day: 27}
	p := Plan{CreatedAt: made, BookOpen: []aimharder.Date{thu}}
	if p.MayBookOpen(fri, made.Add(-time.Hour)) || !p.MayBookOpen(fri, made.Add(time.Second)) || !p.MayBookOpen(fri, time.Time{}) {
		t.Error("without --now")
	}
	if !p.MayBookOpen(thu, made.Add(-time.Hour)) {
		t.Error("a day the member said to book as an edit added it")
	}
	p.Now = true
	if !p.MayBookOpen(fri, made.Add(-time.Hour)) {
		t.Error("with --now")
	}
}
