package session

import (
	"strings"
	"testing"
	"time"
)

// Across the October change, a class's opening under 48h and 48h-wall
// differs by an hour (docs/protocol.md §9.1), and each rule says which
// counting it assumes.
func TestHoursRulesAcrossDST(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	class := time.Date(2026, 10, 26, 9, 0, 0, 0, madrid) // Monday after the change, 09:00 CET
	box := Box{ID: 1, Subdomain: "gym", Timezone: "Europe/Madrid"}
	opening := func(rule string) (time.Time, WindowRule) {
		t.Helper()
		b := box
		b.MemberWindow = rule
		w := b.Rule()
		at, ok := w.OpensAt(class)
		if !ok {
			t.Fatalf("%s: no opening", rule)
		}
		return at, w
	}
	elapsed, we := opening("48h")
	wall, ww := opening("48h-wall")
	if want := time.Date(2026, 10, 24, 10, 0, 0, 0, madrid); !elapsed.Equal(want) {
		t.Errorf("48h opens %v, want %v (48 elapsed hours: 10:00 on the clock)", elapsed, want)
	}
	if want := time.Date(2026, 10, 24, 9, 0, 0, 0, madrid); !wall.Equal(want) {
		t.Errorf("48h-wall opens %v, want %v (the class's clock time)", wall, want)
	}
	if d := elapsed.Sub(wall); d != time.Hour {
		t.Errorf("the two openings differ by %v, want an hour", d)
	}
	if got := we.HoursNote(); got != "48 h, counting elapsed hours (across a DST change the opening moves by an hour on the clock); set 48h-wall for clock hours" {
		t.Errorf("48h note: %q", got)
	}
	if got := ww.HoursNote(); !strings.HasPrefix(got, "48 h, counting clock hours") || !strings.HasSuffix(got, "set 48h for elapsed hours") {
		t.Errorf("48h-wall note: %q", got)
	}
	for _, rule := range []string{"2d", "2d@12:00", ""} {
		b := box
		b.MemberWindow = rule
		if note := b.Rule().HoursNote(); note != "" {
			t.Errorf("%q has an hours note: %q", rule, note)
		}
	}
}
