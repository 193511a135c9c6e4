package aimharder

import (
	"testing"
	"time"
)

func TestParseRule(t *testing.T) {
	valid := map[string]Rule{
		"4d":        {Kind: RuleSlidingDays, Days: 4},
		" 7D ":      {Kind: RuleSlidingDays, Days: 7},
		"48h":       {Kind: RuleSlidingHours, Hours: 48},
		"22h":       {Kind: RuleSlidingHours, Hours: 22},
		"48h-wall":  {Kind: RuleSlidingHours, Hours: 48, WallClockHours: true},
		"2d@12:00":  {Kind: RuleFixedHour, Days: 2, Hour: 12},
		"1d@20:00":  {Kind: RuleFixedHour, Days: 1, Hour: 20},
		"0d@00:00":  {Kind: RuleFixedHour},
		"2d@9:30":   {Kind: RuleFixedHour, Days: 2, Hour: 9, Minute: 30},
		"366d":      {Kind: RuleSlidingDays, Days: 366},
		"8784h":     {Kind: RuleSlidingHours, Hours: 8784},
		"0004d":     {Kind: RuleSlidingDays, Days: 4},
		"3D@23:59 ": {Kind: RuleFixedHour, Days: 3, Hour: 23, Minute: 59},
	}
	for s, want := range valid {
		got, err := ParseRule(s)
		if err != nil || got != want {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v", s, got, err, want)
			continue
		}
		again, err := ParseRule(got.String())
		if err != nil || again != got {
			t.Errorf("round trip of %q via %q = %+v, %v", s, got.String(), again, err)
		}
	}
	for _, s := range []string{"", "d", "h", "0d", "0h", "-4d", "+4d", "4", "4 d", "4days", "367d", "8785h",
		"2d@24:00", "2d@12:60", "2d@12", "2d@1200", "2@12:00", "2d@123:00", "2d@12:0", "48h-wall@12:00", "4dd", "４d", "12345d"} {
		if r, err := ParseRule(s); err == nil {
			t.Errorf("ParseRule(%q) = %+v, want an error", s, r)
		}
	}
	if s := (Rule{}).String(); s != "" {
		t.Errorf("zero rule String = %q", s)
	}
	for r, want := range map[Rule]string{
		{Kind: RuleSlidingDays, Days: 4}:                          "4d",
		{Kind: RuleSlidingHours, Hours: 48}:                       "48h",
		{Kind: RuleSlidingHours, Hours: 48, WallClockHours: true}: "48h-wall",
		{Kind: RuleFixedHour, Days: 2, Hour: 9, Minute: 5}:        "2d@09:05",
		{Kind: RuleSlidingDays, Days: 4, Hour: 3}:                 "", // mixed fields: not a rule
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", r, got, want)
		}
	}
}

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func mustRule(t *testing.T, s string) Rule {
	t.Helper()
	r, err := ParseRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The worked example of docs/protocol.md §9.1, exactly.
func TestOpensAtWorkedExampleOctober2026(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	tests := []struct {
		name  string
		rule  string
		class time.Time
		want  time.Time
	}{
		// Class Tue 27 Oct 19:00 CET (18:00Z) opens Fri 23 Oct 19:00 CEST (17:00Z), not 18:00Z.
		{"sliding 4 days", "4d", time.Date(2026, 10, 27, 19, 0, 0, 0, madrid), utc(2026, 10, 23, 17, 0)},
		// Mon 26 Oct classes open Sat 24 Oct 12:00 CEST (10:00Z).
		{"fixed 12:00 D+2, Monday", "2d@12:00", time.Date(2026, 10, 26, 9, 0, 0, 0, madrid), utc(2026, 10, 24, 10, 0)},
		// Tue 27 Oct classes open on the change day, Sun 25 Oct 12:00 CET (11:00Z).
		{"fixed 12:00 D+2, Tuesday", "2d@12:00", time.Date(2026, 10, 27, 19, 0, 0, 0, madrid), utc(2026, 10, 25, 11, 0)},
		// Class Mon 26 Oct 09:00 CET (08:00Z): elapsed → Sat 24 Oct 08:00Z (10:00 local).
		{"sliding 48 h elapsed", "48h", time.Date(2026, 10, 26, 9, 0, 0, 0, madrid), utc(2026, 10, 24, 8, 0)},
		// Wall-clock → 09:00 local (07:00Z).
		{"sliding 48 h wall clock", "48h-wall", time.Date(2026, 10, 26, 9, 0, 0, 0, madrid), utc(2026, 10, 24, 7, 0)},
	}
	for _, tt := range tests {
		got := mustRule(t, tt.rule).OpeningIn(tt.class.Location(), tt.class)
		if !got.Equal(tt.want) {
			t.Errorf("%s: OpensAt(%v) = %v, want %v", tt.name, tt.class, got.UTC(), tt.want)
		}
		if got.Location() != madrid {
			t.Errorf("%s: result in %v, want the class's location", tt.name, got.Location())
		}
	}
	// The fake's boundary: −12 at 16:59:59.999Z, booked at 17:00:00.000Z.
	opens := mustRule(t, "4d").OpeningIn(madrid, time.Date(2026, 10, 27, 19, 0, 0, 0, madrid))
	if before := utc(2026, 10, 23, 17, 0).Add(-time.Millisecond); !before.Before(opens) {
		t.Errorf("16:59:59.999Z is not before the opening %v", opens.UTC())
	}
	// The naive 96 h is an hour late: what the rule must not compute.
	naive := time.Date(2026, 10, 27, 19, 0, 0, 0, madrid).Add(-96 * time.Hour)
	if naive.Equal(opens) || !naive.Equal(utc(2026, 10, 23, 18, 0)) {
		t.Errorf("naive %v vs opens %v", naive.UTC(), opens.UTC())
	}
}

func TestOpensAtMarch2026(t *testing.T) {
	// Sun 29 Mar 2026 01:00Z: Madrid 02:00 CET → 03:00 CEST; Canary 01:00 WET → 02:00 WEST.
	madrid, canary := mustLoad(t, "Europe/Madrid"), mustLoad(t, "Atlantic/Canary")
	tests := []struct {
		name  string
		rule  string
		class time.Time
		want  time.Time
	}{
		{"Madrid 4d across", "4d", time.Date(2026, 3, 31, 19, 0, 0, 0, madrid), utc(2026, 3, 27, 18, 0)},
		{"Madrid 48h elapsed", "48h", time.Date(2026, 3, 30, 9, 0, 0, 0, madrid), utc(2026, 3, 28, 7, 0)},
		{"Madrid 48h wall", "48h-wall", time.Date(2026, 3, 30, 9, 0, 0, 0, madrid), utc(2026, 3, 28, 8, 0)},
		{"Madrid fixed on the change day", "2d@12:00", time.Date(2026, 3, 31, 19, 0, 0, 0, madrid), utc(2026, 3, 29, 10, 0)},
		{"Madrid fixed the day before", "1d@20:00", time.Date(2026, 3, 30, 7, 0, 0, 0, madrid), utc(2026, 3, 29, 18, 0)},
		{"Madrid 0d@00:00 on the change day", "0d@00:00", time.Date(2026, 3, 29, 10, 0, 0, 0, madrid), utc(2026, 3, 28, 23, 0)},
		{"Madrid 7d, both sides summer", "7d", time.Date(2026, 4, 7, 7, 0, 0, 0, madrid), utc(2026, 3, 31, 5, 0)},
		{"Canary 4d across", "4d", time.Date(2026, 3, 31, 19, 0, 0, 0, canary), utc(2026, 3, 27, 19, 0)},
		{"Canary 48h elapsed", "48h", time.Date(2026, 3, 30, 9, 0, 0, 0, canary), utc(2026, 3, 28, 8, 0)},
		{"Canary 48h wall", "48h-wall", time.Date(2026, 3, 30, 9, 0, 0, 0, canary), utc(2026, 3, 28, 9, 0)},
		{"Canary fixed on the change day", "2d@12:00", time.Date(2026, 3, 31, 19, 0, 0, 0, canary), utc(2026, 3, 29, 11, 0)},
	}
	for _, tt := range tests {
		got := mustRule(t, tt.rule).OpeningIn(tt.class.Location(), tt.class)
		if !got.Equal(tt.want) {
			t.Errorf("%s: OpensAt = %v, want %v", tt.name, got.UTC(), tt.want)
		}
	}
}

func TestOpensAtOctober2026Canary(t *testing.T) {
	// Sun 25 Oct 2026 01:00Z: Canary 02:00 WEST → 01:00 WET.
	canary := mustLoad(t, "Atlantic/Canary")
	class := time.Date(2026, 10, 27, 19, 0, 0, 0, canary) // 19:00Z
	for rule, want := range map[string]time.Time{
		"4d":       utc(2026, 10, 23, 18, 0), // 19:00 WEST
		"2d@12:00": utc(2026, 10, 25, 12, 0), // 12:00 WET
		"48h":      utc(2026, 10, 25, 19, 0),
		"48h-wall": utc(2026, 10, 25, 19, 0), // no change inside these 48 h
		"72h-wall": utc(2026, 10, 24, 18, 0), // 19:00 WEST
		"72h":      utc(2026, 10, 24, 19, 0), // 20:00 WEST
	} {
		if got := mustRule(t, rule).OpeningIn(class.Location(), class); !got.Equal(want) {
			t.Errorf("%s: OpensAt = %v, want %v", rule, got.UTC(), want)
		}
	}
}

// A computed local time in the gap or the overlap resolves to the earliest
// instant that could be meant (documented choice; AimHarder's is unknown).
func TestOpensAtGapAndOverlap(t *testing.T) {
	madrid, canary := mustLoad(t, "Europe/Madrid"), mustLoad(t, "Atlantic/Canary")
	tests := []struct {
		name  string
		rule  string
		class time.Time
		want  time.Time
	}{
		// 02:30 does not exist on 29 Mar in Madrid: the clocks jump at 01:00Z.
		{"Madrid gap", "0d@02:30", time.Date(2026, 3, 29, 10, 0, 0, 0, madrid), utc(2026, 3, 29, 1, 0)},
		{"Madrid gap, sliding days", "4d", time.Date(2026, 4, 2, 2, 30, 0, 0, madrid), utc(2026, 3, 29, 1, 0)},
		// 02:30 happens twice on 25 Oct in Madrid: 00:30Z (CEST) and 01:30Z (CET).
		{"Madrid overlap", "0d@02:30", time.Date(2026, 10, 25, 10, 0, 0, 0, madrid), utc(2026, 10, 25, 0, 30)},
		{"Madrid overlap, sliding days", "3d", time.Date(2026, 10, 28, 2, 30, 0, 0, madrid), utc(2026, 10, 25, 0, 30)},
		{"Madrid overlap, wall hours", "24h-wall", time.Date(2026, 10, 26, 2, 30, 0, 0, madrid), utc(2026, 10, 25, 0, 30)},
		// Canary: the gap is 01:00–02:00 local, the overlap 01:00–02:00 local.
		{"Canary gap", "0d@01:30", time.Date(2026, 3, 29, 10, 0, 0, 0, canary), utc(2026, 3, 29, 1, 0)},
		{"Canary overlap", "0d@01:30", time.Date(2026, 10, 25, 10, 0, 0, 0, canary), utc(2026, 10, 25, 0, 30)},
		// Just outside the special hours nothing changes.
		{"Madrid 03:00 after the gap", "0d@03:00", time.Date(2026, 3, 29, 10, 0, 0, 0, madrid), utc(2026, 3, 29, 1, 0)},
		{"Madrid 03:00 after the overlap", "0d@03:00", time.Date(2026, 10, 25, 10, 0, 0, 0, madrid), utc(2026, 10, 25, 2, 0)},
		{"Madrid 01:59 before the overlap", "0d@01:59", time.Date(2026, 10, 25, 10, 0, 0, 0, madrid), utc(2026, 10, 24, 23, 59)},
	}
	for _, tt := range tests {
		got := mustRule(t, tt.rule).OpeningIn(tt.class.Location(), tt.class)
		if !got.Equal(tt.want) {
			t.Errorf("%s: OpensAt = %v, want %v", tt.name, got.UTC(), tt.want)
		}
	}
}

func TestOpensAtKeepsSubMinutePrecisionAndZone(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	class := time.Date(2026, 10, 27, 19, 0, 30, 500, madrid)
	got := mustRule(t, "4d").OpeningIn(class.Location(), class)
	if want := time.Date(2026, 10, 23, 19, 0, 30, 500, madrid); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if !(Rule{}).OpeningIn(class.Location(), class).IsZero() {
		t.Error("an invalid rule should give the zero time")
	}
	if got := mustRule(t, "2d").OpeningIn(time.UTC, time.Date(2026, 10, 27, 19, 0, 0, 0, time.UTC)); !got.Equal(utc(2026, 10, 25, 19, 0)) {
		t.Errorf("UTC: %v", got)
	}
}
