package session

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// TestFindClass: the one rule for "the class at this time with this name"
// (ClassAt, FindClass, SameClass), on a day with two classes at 09:00.
func TestFindClass(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 12, 9, h, m, 0, 0, madrid) }
	day := []aimharder.Class{
		{ID: 1, Name: "TEAM WOD", Start: at(9, 0)},
		{ID: 2, Name: "WOD", Start: at(9, 0)},
		{ID: 3, Name: "  Halterofília ", Start: at(10, 0)},
		{ID: 4, Name: "Open  Box", Start: at(11, 30)},
		{ID: 5, Name: "Yoga", Start: at(12, 0)},
		{ID: 6, Name: "YOGA", Start: at(12, 0)}, // a second room
	}
	for _, tc := range []struct {
		name string
		at   ClockTime
		want int64 // 0: none
	}{
		{"WOD", ClockTime{9, 0}, 2},
		{"wod", ClockTime{9, 0}, 2},
		{" WOD  ", ClockTime{9, 0}, 2},
		{"TEAM WOD", ClockTime{9, 0}, 1},
		{"team   wod", ClockTime{9, 0}, 1},
		{"TEAM", ClockTime{9, 0}, 0},
		{"WOD", ClockTime{10, 0}, 0},
		{"halterofilia", ClockTime{10, 0}, 3},
		{"HALTEROFÍLIA", ClockTime{10, 0}, 3},
		{"open box", ClockTime{11, 30}, 4},
		{"OpenBox", ClockTime{11, 30}, 0},
		{"yoga", ClockTime{12, 0}, 5}, // two alike: the first listed
		{"WOD", ClockTime{8, 0}, 0},   // 09:00 in Madrid is 08:00 UTC: the box's clock counts
	} {
		c, ok := FindClass(day, ClassAt{Name: tc.name, At: tc.at, Loc: madrid}, NameAndStart)
		if got := map[bool]int64{true: c.ID}[ok]; got != tc.want {
			t.Errorf("FindClass(%q at %s) = %d (found %v), want %d", tc.name, tc.at, got, ok, tc.want)
		}
		if ok != (ClassAt{Name: tc.name, At: tc.at, Loc: madrid}).Is(c.Name, c.Start) {
			t.Errorf("%q at %s: FindClass and ClassAt.Is disagree", tc.name, tc.at)
		}
	}
	// A UTC instant: read on the box's clock, not its own zone.
	if !(ClassAt{Name: "WOD", At: ClockTime{9, 0}, Loc: madrid}).Is("WOD", at(9, 0).UTC()) {
		t.Error("a UTC start was not read on the box's clock")
	}
	for _, tc := range []struct {
		a, b   string
		sa, sb time.Time
		want   bool
	}{
		{"WOD", "wod", at(9, 0), at(9, 0).UTC(), true},
		{"WOD", "TEAM WOD", at(9, 0), at(9, 0), false},
		{"Niños", "ninos ", at(17, 0), at(17, 0), true},
		{"WOD", "WOD", at(9, 0), at(10, 0), false},
	} {
		if got := SameClass(tc.a, tc.sa, tc.b, tc.sb); got != tc.want {
			t.Errorf("SameClass(%q %v, %q %v) = %v", tc.a, tc.sa, tc.b, tc.sb, got)
		}
	}
}

func TestNormalizeClassName(t *testing.T) {
	for in, want := range map[string]string{
		"  Halterofília ": "halterofilia",
		"TEAM  WOD":       "team wod",
		"\tWOD\n":         "wod",
		"Pilates Máquina": "pilates maquina",
		"":                "",
	} {
		if got := NormalizeClassName(in); got != want {
			t.Errorf("NormalizeClassName(%q) = %q, want %q", in, got, want)
		}
	}
}
