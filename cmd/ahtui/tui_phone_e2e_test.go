package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	// The day layout's title: "‹ Thu 26 Nov · today ›".
	phoneDayTitle = regexp.MustCompile(`‹ ((Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2})( · today)? ›`)
	// The cursor's row: "▌10:00  ✓ BARBELL CLUB   1/20 booked" — the
	// time, the plan glyph or a space, the state marker, the name.
	phoneCursorRow = regexp.MustCompile(`▌(\d\d:\d\d) (.)(.) (\S.*?)\s{2,}`)
)

// TestDemoInTmuxPhone is ahtui on a phone held upright: `ahtui --demo` in
// a 50×30 terminal shows one day at a time; l moves to the next day; a
// class booked there shows the ✓ marker on its row.
func TestDemoInTmuxPhone(t *testing.T) {
	tt := startDemoInTmux(t, 50, 30, "60s")

	s := tt.waitFor("the day layout", 30*time.Second, func(s string) bool {
		return phoneDayTitle.MatchString(firstLines(s, 3)) && phoneCursorRow.MatchString(s)
	})
	if !strings.Contains(s, "DEMO") || strings.Contains(s, "needs at least") {
		t.Fatalf("not the demo's day layout:\n%s", s)
	}
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if w := len([]rune(l)); w > 50 {
			t.Fatalf("a line is %d wide:\n%s", w, s)
		}
	}
	today := phoneDayTitle.FindStringSubmatch(s)[1]

	// l: the next day.
	tt.keys("l")
	s = tt.waitFor("the next day", 10*time.Second, func(s string) bool {
		m := phoneDayTitle.FindStringSubmatch(s)
		return m != nil && m[1] != today
	})
	t.Logf("moved from %s to %s", today, phoneDayTitle.FindStringSubmatch(s)[1])

	// Book the first class of that day (or a later one) that takes a
	// booking.
	tt.keys("g")
	booked := false
	for range 30 {
		tt.keys("Escape")
		tt.waitFor("a clear footer", 5*time.Second, func(s string) bool { return toastLine(s) == "" })
		before := phoneCursorRow.FindString(tt.screen())
		tt.keys("b")
		s = tt.waitFor("an answer to b", 15*time.Second, func(s string) bool {
			return toastLine(s) != "" || strings.Contains(s, "n/esc no")
		})
		switch {
		case strings.HasPrefix(toastLine(s), "✓ Booked"):
			booked = true
		case strings.Contains(s, "n/esc no"): // full, or not open yet: not this one
			tt.keys("n")
		}
		if booked {
			break
		}
		tt.keys("Escape", "j")
		if phoneCursorRow.FindString(tt.screen()) == before {
			tt.keys("l", "g") // the day's last class: on to the next day
		}
	}
	if !booked {
		t.Fatalf("no class could be booked:\n%s", s)
	}
	s = tt.waitFor("the booked row marked ✓", 10*time.Second, func(s string) bool {
		m := phoneCursorRow.FindStringSubmatch(s)
		return m != nil && m[3] == "✓"
	})
	t.Logf("booked:\n%s", s)

	// The detail fills the screen; esc gives the day back.
	tt.keys("Enter")
	tt.waitForText(10*time.Second, "Attendees (")
	tt.keys("Escape")
	tt.waitFor("the day again", 10*time.Second, func(s string) bool { return phoneDayTitle.MatchString(s) })

	tt.keys("q")
	tt.waitFor("ahtui to quit", 15*time.Second, func(s string) bool { return !strings.Contains(s, "DEMO") })
}
