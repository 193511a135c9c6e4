package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func madrid(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func icsEntry(t *testing.T, name string, day aimharder.Date, hh, mm int, state account.AgendaState) account.AgendaEntry {
	loc := madrid(t)
	start := day.At(hh, mm, loc)
	return account.AgendaEntry{Day: day, Start: start, End: start.Add(time.Hour), Name: name,
		Box:   session.Box{ID: 501, Subdomain: "test-box", Name: "Box, Norte; \\ Sur", Timezone: "Europe/Madrid"},
		State: state, ClassID: 4242}
}

func writeICSString(t *testing.T, entries []account.AgendaEntry, stamp time.Time) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeICS(&b, entries, stamp, 0); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// unfold undoes RFC 5545 folding and splits into content lines.
func unfold(t *testing.T, ics string) []string {
	t.Helper()
	if !strings.HasSuffix(ics, "\r\n") {
		t.Fatalf("the calendar does not end with CRLF")
	}
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(ics, "\r\n ", ""), "\r\n"), "\r\n")
}

func property(lines []string, name string) []string {
	var out []string
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			out = append(out, v)
		}
	}
	return out
}

func TestICSLinesAreCRLFAndFoldedAt75Octets(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.December, Day: 1}
	long := strings.Repeat("Movilidad y estiramientos ñandú á é í ó ú ü — ", 6) + "€€€"
	ics := writeICSString(t, []account.AgendaEntry{icsEntry(t, long, day, 7, 0, account.AgendaBooked)}, day.At(9, 0, time.UTC))
	raw := strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n")
	folded := 0
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if folded < 4 {
		t.Errorf("a %d-octet summary folded into only %d continuation lines", len(long), folded)
	}
	if got := property(unfold(t, ics), "SUMMARY"); len(got) != 1 || got[0] != long {
		t.Errorf("unfolded SUMMARY %q, want %q", got, long)
	}
	// Exactly 75 octets stay on one line; 76 fold.
	if got := foldICS(strings.Repeat("a", 75)); got != strings.Repeat("a", 75)+"\r\n" {
		t.Errorf("75 octets: %q", got)
	}
	if got := foldICS(strings.Repeat("a", 74) + "é"); got != strings.Repeat("a", 74)+"\r\n é\r\n" {
		t.Errorf("a 2-octet letter across the limit: %q", got)
	}
}

func TestICSEscapesText(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.December, Day: 1}
	e := icsEntry(t, "WOD, fuerza; técnica \\ más\nlínea\x07", day, 18, 0, account.AgendaWaitlisted)
	lines := unfold(t, writeICSString(t, []account.AgendaEntry{e}, day.At(9, 0, time.UTC)))
	if got := property(lines, "SUMMARY"); len(got) != 1 || got[0] != `WOD\, fuerza\; técnica \\ más\nlínea` {
		t.Errorf("SUMMARY %q", got)
	}
	if got := property(lines, "LOCATION"); len(got) != 1 || got[0] != `Box\, Norte\; \\ Sur` {
		t.Errorf("LOCATION %q", got)
	}
	if got := property(lines, "STATUS"); len(got) != 1 || got[0] != "TENTATIVE" {
		t.Errorf("a waitlisted class: STATUS %q", got)
	}
}

func TestICSTimesOnTheOctoberDSTChange(t *testing.T) {
	// Sunday 25 Oct 2026 is the last Sunday of October: Madrid goes from
	// +02:00 to +01:00 at 03:00. 18:00 that day is 17:00Z, the day before
	// 16:00Z; a class at 01:30 (before the change) is 23:30Z the day before.
	sat := aimharder.Date{Year: 2026, Month: time.October, Day: 24}
	sun := aimharder.Date{Year: 2026, Month: time.October, Day: 25}
	entries := []account.AgendaEntry{
		icsEntry(t, "WOD", sat, 18, 0, account.AgendaBooked),
		icsEntry(t, "Night", sun, 1, 30, account.AgendaPlanned),
		icsEntry(t, "WOD", sun, 18, 0, account.AgendaBooked),
	}
	entries[1].End = time.Time{} // not known yet: an hour
	lines := unfold(t, writeICSString(t, entries, sat.At(8, 0, time.UTC)))
	starts, ends := property(lines, "DTSTART"), property(lines, "DTEND")
	wantStarts := []string{"20261024T160000Z", "20261024T233000Z", "20261025T170000Z"}
	wantEnds := []string{"20261024T170000Z", "20261025T003000Z", "20261025T180000Z"}
	if strings.Join(starts, " ") != strings.Join(wantStarts, " ") || strings.Join(ends, " ") != strings.Join(wantEnds, " ") {
		t.Errorf("DTSTART %q DTEND %q, want %q %q", starts, ends, wantStarts, wantEnds)
	}
	if got := property(lines, "STATUS"); strings.Join(got, " ") != "CONFIRMED TENTATIVE CONFIRMED" {
		t.Errorf("STATUS %q", got)
	}
	if got := property(lines, "DTSTAMP"); len(got) != 3 || got[0] != "20261024T080000Z" {
		t.Errorf("DTSTAMP %q", got)
	}
}

func TestICSUIDsAreStable(t *testing.T) {
	day := aimharder.Date{Year: 2026, Month: time.December, Day: 1}
	booked := icsEntry(t, "WOD", day, 18, 0, account.AgendaBooked)
	planned := icsEntry(t, "WOD", day.AddDays(3), 18, 0, account.AgendaPlanned)
	planned.ClassID, planned.PlanID = 0, 7
	family := booked
	family.FamilyID = "9001"
	entries := []account.AgendaEntry{booked, planned, family}
	one := property(unfold(t, writeICSString(t, entries, day.At(9, 0, time.UTC))), "UID")
	two := property(unfold(t, writeICSString(t, entries, day.At(11, 0, time.UTC))), "UID")
	want := []string{"test-box-class4242-20261201@ahtui", "test-box-plan7-20261204@ahtui", "test-box-class4242-20261201-f9001@ahtui"}
	if strings.Join(one, " ") != strings.Join(want, " ") || strings.Join(two, " ") != strings.Join(want, " ") {
		t.Errorf("UIDs %q then %q, want %q", one, two, want)
	}
	// The plan's class keeps its UID once booked.
	planned.State, planned.ClassID, planned.ReservationID = account.AgendaBooked, 5151, 88
	if got := icsUID(planned); got != want[1] {
		t.Errorf("booked plan occurrence UID %q, want %q", got, want[1])
	}
}
