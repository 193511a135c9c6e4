package i18n

import (
	"regexp"
	"testing"
	"time"
)

// clockTime is a bare time of day, which a countdown must never look like.
var clockTime = regexp.MustCompile(`^\d{1,2}:\d{2}:\d{2}$`)

// TestCountdownIsRelative: waits read as waits in both languages, from
// days to seconds; the narrow forms keep a unit, never "16:17:05".
func TestCountdownIsRelative(t *testing.T) {
	en, es := For(EN), For(ES)
	for _, tc := range []struct {
		d          time.Duration
		in, inES   string
		fit7, unit string
	}{
		{2*24*time.Hour + 4*time.Hour, "in 2d 4h", "en 2d 4h", "in 2d 4h", "3d"},
		{16*time.Hour + 14*time.Minute + 5*time.Second, "in 16h 14m", "en 16h 14m", "16h 14m", "17h"},
		{108 * time.Second, "in 1:48", "en 1:48", "in 1:48", "2m"},
		{42 * time.Second, "in 0:42", "en 0:42", "in 0:42", "42s"},
		{-time.Minute, "in 0:00", "en 0:00", "in 0:00", "0s"},
	} {
		if got := en.In(tc.d); got != tc.in {
			t.Errorf("%s: In %q, want %q", tc.d, got, tc.in)
		}
		if got := es.In(tc.d); got != tc.inES {
			t.Errorf("%s: es In %q, want %q", tc.d, got, tc.inES)
		}
		if got := en.InFit(tc.d, 8); got != tc.fit7 {
			t.Errorf("%s: InFit(8) %q, want %q", tc.d, got, tc.fit7)
		}
		if got := Unit(tc.d); got != tc.unit {
			t.Errorf("%s: Unit %q, want %q", tc.d, got, tc.unit)
		}
		for _, w := range []int{3, 4, 5, 6, 7, 20} {
			got := en.InFit(tc.d, w)
			if clockTime.MatchString(got) {
				t.Errorf("%s at %d cells reads as a time of day: %q", tc.d, w, got)
			}
			if len([]rune(got)) > max(w, len([]rune(Unit(tc.d)))) {
				t.Errorf("%s at %d cells: %q is wider", tc.d, w, got)
			}
		}
	}
	// Minutes and seconds never show bare where "in" does not fit.
	if got := en.InFit(108*time.Second, 5); got != "2m" {
		t.Errorf("1:48 in 5 cells: %q, want 2m", got)
	}
}

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
