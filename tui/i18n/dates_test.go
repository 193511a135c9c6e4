package i18n

import (
	"regexp"
	"testing"
	"time"
)

// clockTime is a bare time of day, which a countdown must never look like.
var clockTime = regexp.MustCompile(`^\d{1,2}:\d{2}:\d{2}$`)

// TestCountdownIsRelative: waits read as waits in both languages, from
// days to seconds, every number with its unit; a cell's narrow forms keep
// the state's words or marker and a unit, never "16:17:05" or "1:48".
func TestCountdownIsRelative(t *testing.T) {
	en, es := For(EN), For(ES)
	for _, tc := range []struct {
		d          time.Duration
		in, inES   string
		fit8, unit string
	}{
		{2*24*time.Hour + 4*time.Hour, "in 2d 4h", "en 2d 4h", "○ 2d 4h", "3d"},
		{16*time.Hour + 14*time.Minute + 5*time.Second, "in 16h 14m", "en 16h 14m", "○ 17h", "17h"},
		{108 * time.Second, "in 1m 48s", "en 1m 48s", "○ 1m 48s", "2m"},
		{42 * time.Second, "in 42s", "en 42s", "○ 42s", "42s"},
		{-time.Minute, "in 0s", "en 0s", "opens 0s", "0s"},
	} {
		if got := en.In(tc.d); got != tc.in {
			t.Errorf("%s: In %q, want %q", tc.d, got, tc.in)
		}
		if got := es.In(tc.d); got != tc.inES {
			t.Errorf("%s: es In %q, want %q", tc.d, got, tc.inES)
		}
		if got := en.WaitFit(en.OpensIn, "○", tc.d, 8); got != tc.fit8 {
			t.Errorf("%s: WaitFit(8) %q, want %q", tc.d, got, tc.fit8)
		}
		if got := Unit(tc.d); got != tc.unit {
			t.Errorf("%s: Unit %q, want %q", tc.d, got, tc.unit)
		}
		for _, w := range []int{3, 4, 5, 6, 7, 20} {
			got := en.WaitFit(en.OpensIn, "○", tc.d, w)
			if clockTime.MatchString(got) || bareMinutes.MatchString(got) {
				t.Errorf("%s at %d cells reads as a time of day: %q", tc.d, w, got)
			}
			if len([]rune(got)) > max(w, len([]rune(Unit(tc.d)))) {
				t.Errorf("%s at %d cells: %q is wider", tc.d, w, got)
			}
		}
	}
}

// bareMinutes is "1:48" anywhere: minutes and seconds without units.
var bareMinutes = regexp.MustCompile(`\b\d{1,2}:\d{2}\b`)

// TestPluralsInBothLanguages: one and other, never "1 attempts".
func TestPluralsInBothLanguages(t *testing.T) {
	for lang, want := range map[Lang][3]string{
		EN: {"0 attempts", "1 attempt", "3 attempts"},
		ES: {"0 intentos", "1 intento", "3 intentos"},
	} {
		p := For(lang).HistoryAttempts
		for i, n := range []int{0, 1, 3} {
			if got := p.N(n); got != want[i] {
				t.Errorf("%s %d: %q, want %q", lang, n, got, want[i])
			}
		}
	}
}

// TestForUnknownIsEnglish: an unknown language falls back to English.
func TestForUnknownIsEnglish(t *testing.T) {
	if For("fr") != For(EN) || For(ES) == For(EN) {
		t.Fatal("For picks the wrong table")
	}
	for in, want := range map[string]Lang{"es_ES.UTF-8": ES, "English": EN, " Spanish ": ES, "C": "", "": ""} {
		got, ok := Parse(in)
		if got != want || ok != (want != "") {
			t.Errorf("Parse(%q) = %q %v", in, got, ok)
		}
	}
}
